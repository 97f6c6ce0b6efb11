"""Telling people: an in-app notification and, as each person chose, an e-mail.

Every notification appears on the site. By e-mail (when the person has an address), each
user's ``email_notifications`` decides: each one as it happens (the default), one daily
digest of those still waiting (``send_digests``, run by ``convivencia
send_notification_digest`` once a day), or never.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from convivencia.core.choices import EmailFrequency
from convivencia.core.models import Notification


def email_frequency(user) -> str:
    """The user's choice; a user model without the field gets each e-mail at once."""
    return getattr(user, "email_notifications", "") or EmailFrequency.IMMEDIATE


def notify(
    users: Iterable, title: str, body: str, url: str = "", *, email: bool = True
) -> list[Notification]:
    """One notification per user; by e-mail now, in the next digest, or not, as they chose."""
    created = []
    for user in users:
        frequency = email_frequency(user) if email and user.email else EmailFrequency.NONE
        created.append(
            Notification.objects.create(
                user=user,
                title=title[:200],
                body=body,
                url=url[:300],
                email_pending=frequency == EmailFrequency.DAILY,
            )
        )
        if frequency == EmailFrequency.IMMEDIATE:
            send_mail(
                title,
                f"{body}\n\n{absolute(url)}".strip(),
                settings.DEFAULT_FROM_EMAIL,
                [user.email],
                fail_silently=False,
            )
    return created


def notify_each(users: Iterable, render: Callable) -> list[Notification]:
    """Like notify, with the text rendered in each user's preferred language.

    ``render(user) -> (title, body, url)`` is called inside that language.
    """
    created = []
    for user in users:
        with translation.override(language_of(user)):
            title, body, url = render(user)
        created.extend(notify([user], title, body, url))
    return created


def absolute(url: str, site_url: str = "") -> str:
    """A site path made a link an e-mail reader can follow (settings.SITE_URL before it)."""
    base = (site_url or getattr(settings, "SITE_URL", "")).rstrip("/")
    return f"{base}{url}" if url.startswith("/") else url


def language_of(user) -> str:
    return getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE


@dataclass
class DigestRun:
    """What one run of ``send_digests`` did."""

    sent: int = 0  # e-mails
    notifications: int = 0  # notifications they carried


def send_digests(site_url: str = "", now: datetime.datetime | None = None) -> DigestRun:
    """One e-mail per person with notifications waiting for their daily digest.

    Each person's notifications are claimed before the e-mail goes (a second run at the
    same time finds nothing to send, so nobody gets the digest twice) and given back if
    sending fails, so the next run sends them. A person who since chose "never" has
    their waiting notifications dropped from e-mail (they stay on the site); one who
    chose "each one" gets them in this last digest. Links start with ``site_url``
    (default: settings.SITE_URL).
    """
    run = DigestRun()
    waiting = Notification.objects.filter(email_pending=True).select_related("user")
    by_user: dict[int, list[Notification]] = {}
    for notification in waiting.order_by("user_id", "created_at", "pk"):
        by_user.setdefault(notification.user_id, []).append(notification)
    for notifications in by_user.values():
        user = notifications[0].user
        ids = [notification.pk for notification in notifications]
        with transaction.atomic():
            claimed = Notification.objects.filter(pk__in=ids, email_pending=True).update(
                email_pending=False
            )
        if not claimed or not user.email or not user.is_active:
            continue
        if email_frequency(user) == EmailFrequency.NONE:
            continue
        try:
            _send_digest(user, notifications, site_url, now or timezone.now())
        except Exception:
            Notification.objects.filter(pk__in=ids).update(email_pending=True)
            raise
        run.sent += 1
        run.notifications += len(notifications)
    return run


def _send_digest(
    user, notifications: list[Notification], site_url: str, now: datetime.datetime
) -> None:
    with translation.override(language_of(user)):
        subject = ngettext(
            "Convivencia: %(count)d notification",
            "Convivencia: %(count)d notifications",
            len(notifications),
        ) % {"count": len(notifications)}
        body = render_to_string(
            "core/notification_digest.txt",
            {
                "user": user,
                "entries": [
                    {
                        "notification": notification,
                        "lines": notification.body.splitlines(),
                        "link": absolute(notification.url, site_url),
                    }
                    for notification in notifications
                ],
                "day": timezone.localdate(now),
                "settings_hint": _(
                    "You receive this digest once a day; choose how you hear from us on "
                    "your account page."
                ),
            },
        )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False)
