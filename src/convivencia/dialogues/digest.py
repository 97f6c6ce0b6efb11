"""The commitment digest: overdue and stalled commitments, told to who can act on them.

For each open commitment that is overdue (past its due date) or stalled (no update
for ``stalled_after`` days), the coordinators of its territory and the members of its
responsible and co-responsible organisations working there hear of it: one in-app
notification each, and an e-mail when they have an address, in their language,
listing only the commitments that concern them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from convivencia.accounts.choices import Role
from convivencia.accounts.models import Membership, User
from convivencia.core.notifications import notify_each
from convivencia.dialogues import services
from convivencia.dialogues.models import Commitment
from convivencia.territories.models import Territory


@dataclass
class Late:
    commitment: Commitment
    overdue: bool
    stalled: bool
    days_overdue: int

    def describe(self) -> str:
        reasons = []
        if self.overdue:
            reasons.append(
                ngettext("overdue by %(days)s day", "overdue by %(days)s days", self.days_overdue)
                % {"days": self.days_overdue}
            )
        if self.stalled:
            reasons.append(_("no update for a long time"))
        return _("%(reference)s %(title)s (%(organisation)s): %(reasons)s") % {
            "reference": self.commitment.reference,
            "title": self.commitment.title,
            "organisation": self.commitment.responsible,
            "reasons": ", ".join(reasons),
        }


def late_commitments(
    today: datetime.date, stalled_after: int = services.STALLED_AFTER_DAYS
) -> dict[Territory, list[Late]]:
    """Overdue or stalled open commitments, by territory (ordered by name)."""
    overdue = Q(due_date__lt=today)
    stalled_ids = services.stalled(Commitment.objects.all(), today, stalled_after).values("pk")
    commitments = (
        Commitment.objects.open()
        .filter(overdue | Q(pk__in=stalled_ids))
        .select_related("territory", "responsible", "status", "process")
        .prefetch_related("co_responsible")
        .order_by("territory__name", "due_date", "reference")
    )
    found: dict[Territory, list[Late]] = defaultdict(list)
    for commitment in commitments:
        flags = services.flags(commitment, today, stalled_after)
        found[commitment.territory].append(
            Late(commitment, flags.overdue, flags.stalled, flags.days_overdue)
        )
    return dict(found)


def _covering(memberships, territory: Territory) -> set[User]:
    return {
        membership.user
        for membership in memberships
        if any(territory.is_within(t) for t in membership.territories.all())
    }


def recipients(late: dict[Territory, list[Late]]) -> dict[User, list[Late]]:
    """Who hears of which commitments."""
    memberships = list(
        Membership.objects.active()
        .filter(
            Q(role=Role.COORDINATOR)
            | Q(organisation__commitments__isnull=False)
            | Q(organisation__co_commitments__isnull=False)
        )
        .select_related("user")
        .prefetch_related("territories")
        .distinct()
    )
    coordinators = [m for m in memberships if m.role == Role.COORDINATOR]
    by_organisation: dict[int, list[Membership]] = defaultdict(list)
    for membership in memberships:
        by_organisation[membership.organisation_id].append(membership)
    told: dict[User, list[Late]] = defaultdict(list)
    for territory, entries in late.items():
        for entry in entries:
            commitment = entry.commitment
            organisations = [
                commitment.responsible_id,
                *(o.pk for o in commitment.co_responsible.all()),
            ]
            people = _covering(coordinators, territory)
            for organisation_id in organisations:
                people |= _covering(by_organisation.get(organisation_id, []), territory)
            for user in people:
                told[user].append(entry)
    return dict(told)


def send(late: dict[Territory, list[Late]]) -> int:
    """Notify everyone concerned; returns how many people were told."""
    told = recipients(late)

    def render(user):
        entries = told[user]
        lines = "\n".join(f"- {entry.describe()}" for entry in entries)
        return (
            ngettext(
                "%(n)s commitment needs attention", "%(n)s commitments need attention", len(entries)
            )
            % {"n": len(entries)},
            _(
                "These commitments are overdue or have had no update for a long time:\n\n"
                "%(lines)s\n\nPost an update, or agree a new date in the next dialogue."
            )
            % {"lines": lines},
            reverse("dialogues:board", args=[entries[0].commitment.territory_id]),
        )

    notify_each(sorted(told, key=lambda user: user.pk), render)
    return len(told)
