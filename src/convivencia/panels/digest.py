"""The provider digest: when a wave closes, each liaison hears how trust in their
institution moved, significant changes first.

For every active provider membership whose territories cover the wave's
territory, the member gets an in-app notification (``core.Notification``, the
site's inbox) and, when they have an e-mail address, a message (plain text and
simple HTML) in their preferred language. Only aggregates are sent, with cells
below MIN_CELL_SIZE suppressed.

``send_wave_digest`` is registered in ``services.WAVE_CLOSED_HOOKS`` when this
module is imported; ``services.close_wave`` runs the hooks after the commit.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from convivencia.accounts.choices import Role
from convivencia.accounts.models import Membership, User
from convivencia.core.models import Notification
from convivencia.panels import charts
from convivencia.panels.models import Wave

logger = logging.getLogger(__name__)


def recipients(wave: Wave) -> dict[User, set[str]]:
    """Provider members whose scope covers the wave's territory, with their institutions."""
    territory = wave.panel.territory
    memberships = (
        Membership.objects.active()
        .filter(role=Role.PROVIDER, organisation__type__in=list(charts.PROVIDERS_BY_ORGANISATION))
        .select_related("user", "organisation")
        .prefetch_related("territories")
        .order_by("user_id")
    )
    found: dict[User, set[str]] = {}
    for membership in memberships:
        if any(territory.path.startswith(t.path) for t in membership.territories.all()):
            institutions = charts.PROVIDERS_BY_ORGANISATION[membership.organisation.type]
            found.setdefault(membership.user, set()).update(institutions)
    return found


def site_url(path: str) -> str:
    """An absolute link for e-mails (SITE_URL, e.g. https://convivencia.example.org)."""
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return f"{base}{path}"


def digest_context(wave: Wave, institutions: set[str]) -> dict[str, Any]:
    rows = charts.provider_rows(wave.panel, institutions, up_to=wave)
    flagged = [row for row in rows if row.change is not None and row.change.flagged]
    others = [row for row in rows if row not in flagged]
    path = reverse("panels:provider")
    return {
        "wave": wave,
        "panel": wave.panel,
        "flagged": flagged,
        "others": others,
        "rows": rows,
        "caveat": charts.caveat(),
        "min_cell_size": charts.min_cell_size(),
        "path": path,
        "url": site_url(path),
    }


def send_wave_digest(wave: Wave) -> int:
    """Notify and e-mail every provider liaison concerned; returns how many were told."""
    wave = Wave.objects.select_related("panel__territory", "panel__questionnaire").get(pk=wave.pk)
    told = 0
    for user, institutions in recipients(wave).items():
        language = user.preferred_language or settings.LANGUAGE_CODE
        with translation.override(language):
            context = digest_context(wave, institutions)
            if not context["rows"]:
                continue  # nothing about their institution in this panel
            context["user"] = user
            subject = render_to_string("panels/digest_subject.txt", context).strip()
            Notification.objects.create(
                user=user,
                title=subject,
                body=render_to_string("panels/digest_notification.txt", context).strip(),
                url=context["path"],
            )
            told += 1
            if not user.email:
                continue
            message = EmailMultiAlternatives(
                subject=subject,
                body=render_to_string("panels/digest_email.txt", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[user.email],
            )
            message.attach_alternative(
                render_to_string("panels/digest_email.html", context), "text/html"
            )
            try:
                message.send()
            except Exception:
                # One unreachable mailbox must not keep the others from their digest.
                logger.exception("Could not send the digest of %s to user %s", wave, user.pk)
    return told


def register() -> None:
    """Run the digest when a wave closes (idempotent: a reload does not send it twice)."""
    from convivencia.panels import services

    registered = any(
        getattr(hook, "__module__", None) == __name__
        and getattr(hook, "__name__", None) == "send_wave_digest"
        for hook in services.WAVE_CLOSED_HOOKS
    )
    if not registered:
        services.WAVE_CLOSED_HOOKS.append(send_wave_digest)


register()
