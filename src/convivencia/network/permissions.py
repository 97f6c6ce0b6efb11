"""Access helpers: every object of the network is public once published, and a
specialist only with their opt-in. Anything else is a 404 to everybody, staff included:
the pages are the public face; staff manage content in the admin (``may_write`` says
whether to show them the admin's edit link)."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from convivencia.network import services
from convivencia.network.models import Event, Organisation, Practice, Specialist


def _may_write(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def event_or_404(user, pk: int) -> tuple[Event, bool]:
    event = services.event_detail(pk)
    if event is None:
        raise Http404(_("No such event."))
    return event, _may_write(user)


def specialist_or_404(user, pk: int) -> tuple[Specialist, bool]:
    specialist = services.public_specialists().filter(pk=pk).first()
    if specialist is None:
        raise Http404(_("No such specialist."))
    return specialist, _may_write(user)


def practice_or_404(user, pk: int) -> tuple[Practice, bool]:
    practice = services.practice_detail(pk)
    if practice is None:
        raise Http404(_("No such practice."))
    return practice, _may_write(user)


def own_specialist(user) -> Specialist | None:
    """The signed-in person's own specialist record, if the organisers linked one."""
    return Specialist.objects.filter(user=user).first() if user.is_authenticated else None


def own_specialist_or_404(user) -> Specialist:
    """The signed-in person's own specialist record; 404 for anybody without one."""
    found = own_specialist(user)
    if found is None:
        raise Http404(_("You have no profile in the network's directory."))
    return found


def organisation_or_404(user, pk: int) -> tuple[Organisation, bool]:
    """Organisations are public facts: any of them, to anybody."""
    found = Organisation.objects.filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such organisation."))
    return found, _may_write(user)
