"""Telling people: an in-app notification and, when they have an address, an e-mail."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation

from convivencia.core.models import Notification


def notify(
    users: Iterable, title: str, body: str, url: str = "", *, email: bool = True
) -> list[Notification]:
    """One notification per user; e-mail through Django's mail backend too."""
    created = []
    for user in users:
        created.append(
            Notification.objects.create(user=user, title=title[:200], body=body, url=url[:300])
        )
        if email and user.email:
            send_mail(
                title,
                f"{body}\n\n{url}".strip(),
                settings.DEFAULT_FROM_EMAIL,
                [user.email],
                fail_silently=False,
            )
    return created


def notify_each(users: Iterable, render) -> list[Notification]:
    """Like notify, with the text rendered in each user's preferred language.

    ``render(user) -> (title, body, url)`` is called inside that language.
    """
    created = []
    for user in users:
        language = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
        with translation.override(language):
            title, body, url = render(user)
        created.extend(notify([user], title, body, url))
    return created
