"""Writing to the append-only audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import user_logged_in, user_logged_out, user_login_failed
from django.db.models import Model
from django.dispatch import receiver
from django.http import HttpRequest

from convivencia.accounts.choices import AuditAction
from convivencia.accounts.models import AuditEntry
from convivencia.accounts.network import client_address


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return client_address(request)


def record(
    action: str,
    obj: Model | None = None,
    *,
    actor=None,
    request: HttpRequest | None = None,
    changes: dict[str, Any] | None = None,
    object_type: str = "",
    object_repr: str = "",
) -> AuditEntry:
    """Append one entry. ``actor`` defaults to the request's user."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor.get_username() if actor is not None and actor.is_authenticated else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else object_type,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(str(obj) if obj is not None else object_repr)[:200],
        changes=changes or {},
        ip_address=_client_ip(request),
    )


def record_read(request: HttpRequest, obj: Model, fields: list[str]) -> AuditEntry:
    """Someone looked at personal data: say who, what and which fields."""
    return record(AuditAction.READ_PERSONAL, obj, request=request, changes={"fields": fields})


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields that changed."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs) -> None:
    record(AuditAction.LOGIN, user, actor=user, request=request)


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(AuditAction.LOGOUT, user, actor=user, request=request)


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Only the username tried is kept: never the password.
    record(
        AuditAction.LOGIN_FAILED,
        request=request,
        object_type="accounts.user",
        object_repr=str(credentials.get("username", ""))[:150],
    )
