"""Operations on people, organisations and memberships; each one is audited."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from convivencia.accounts import access, audit
from convivencia.accounts.choices import AuditAction, Role
from convivencia.accounts.models import ApiToken, Membership, Organisation, User
from convivencia.territories.models import Territory


@transaction.atomic
def grant(
    user: User,
    organisation: Organisation,
    role: str,
    territories: Iterable[Territory] = (),
    *,
    actor: User | None = None,
) -> Membership:
    """Give ``user`` a role for ``organisation`` within ``territories`` (added to any held)."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role
    )
    before = sorted(t.pk for t in membership.territories.all())
    membership.territories.add(*territories)
    if not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    after = sorted(t.pk for t in membership.territories.all())
    audit.record(
        AuditAction.CREATE if created else AuditAction.UPDATE,
        membership,
        actor=actor,
        changes={"role": role, "territories": [before, after]},
    )
    access.forget(user)
    return membership


@transaction.atomic
def revoke(membership: Membership, *, actor: User | None = None) -> None:
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit.record(AuditAction.UPDATE, membership, actor=actor, changes={"is_active": [True, False]})
    access.forget(membership.user)


def revoke_token(token: ApiToken, *, request: HttpRequest | None = None) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(AuditAction.UPDATE, token, request=request, changes={"revoked": [False, True]})


def members_visible_to(viewer: User, organisation: Organisation) -> list[Membership]:
    """Members of an organisation: names and e-mails are personal data.

    Coordinators see the members who work in territories they coordinate;
    administrators see all.
    """
    coordinator_scope = access.scope(viewer, Role.COORDINATOR)
    if coordinator_scope.is_empty:
        return []
    memberships = (
        organisation.memberships.active()
        .select_related("user")
        .prefetch_related("territories")
        .order_by("user__last_name", "user__first_name")
    )
    visible = []
    for membership in memberships:
        territories = list(membership.territories.all())
        if coordinator_scope.everywhere or any(coordinator_scope.covers(t) for t in territories):
            visible.append(membership)
    return visible
