"""The one access layer: who may see what, where.

Every view and API call asks here. Rules:
- a membership's territories cover everything below them;
- a superuser, or an administrator membership with no territory, covers everything;
- an object outside the user's scope is answered with 404, never 403, so that
  strangers cannot learn which records exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from convivencia.accounts.choices import Role
from convivencia.territories.models import Territory

ALL_ROLES = tuple(Role.values)

_QS = TypeVar("_QS", bound=QuerySet[Any])
_M = TypeVar("_M", bound=Model)


@dataclass(frozen=True)
class Scope:
    """Where a user holds some roles: everywhere, or below some territory paths."""

    everywhere: bool = False
    paths: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not self.everywhere and not self.paths

    def covers(self, territory: Territory | None) -> bool:
        if self.everywhere:
            return True
        if territory is None:
            return False
        return any(territory.path.startswith(path) for path in self.paths)

    def q(self, territory_field: str = "territory") -> Q:
        """A filter selecting rows whose territory lies within the scope."""
        if self.everywhere:
            return Q()
        if not self.paths:
            return Q(pk__in=[])
        prefix = f"{territory_field}__path__startswith" if territory_field else "path__startswith"
        condition = Q()
        for path in self.paths:
            condition |= Q(**{prefix: path})
        return condition

    def filter(self, queryset: _QS, territory_field: str = "territory") -> _QS:
        if self.is_empty:
            return queryset.none()
        return queryset.filter(self.q(territory_field))

    def territories(self) -> QuerySet[Territory]:
        return self.filter(Territory.objects.all(), territory_field="")


def _memberships(user) -> list[tuple[str, list[str]]]:
    """(role, [territory paths]) for the user's active memberships, cached on the user."""
    cached = getattr(user, "_convivencia_memberships", None)
    if cached is not None:
        return cached
    from convivencia.accounts.models import Membership

    rows: dict[int, tuple[str, list[str]]] = {}
    memberships = Membership.objects.active().filter(user=user).prefetch_related("territories")
    for membership in memberships:
        rows[membership.pk] = (membership.role, [t.path for t in membership.territories.all()])
    result = list(rows.values())
    user._convivencia_memberships = result
    return result


def forget(user) -> None:
    """Drop the cached memberships (after they change)."""
    if hasattr(user, "_convivencia_memberships"):
        del user._convivencia_memberships


def scope(user, *roles: str) -> Scope:
    """Where the user holds any of ``roles`` (all roles when none are named)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    if user.is_superuser:
        return Scope(everywhere=True)
    wanted = set(roles or ALL_ROLES)
    paths: set[str] = set()
    for role, territory_paths in _memberships(user):
        if role == Role.ADMINISTRATOR and not territory_paths:
            return Scope(everywhere=True)
        if role in wanted or role == Role.ADMINISTRATOR:
            paths.update(territory_paths)
    return Scope(paths=tuple(sorted(paths)))


def roles(user) -> set[str]:
    """Every role the user holds somewhere."""
    if user is None or not user.is_authenticated:
        return set()
    if user.is_superuser:
        return set(ALL_ROLES)
    return {role for role, _paths in _memberships(user)}


def roles_in(user, territory: Territory) -> set[str]:
    """The roles the user holds for this territory (inherited from above)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser:
        return set(ALL_ROLES)
    held = set()
    for role, paths in _memberships(user):
        if role == Role.ADMINISTRATOR and not paths:
            return set(ALL_ROLES)
        if any(territory.path.startswith(path) for path in paths):
            held.add(role)
    if Role.ADMINISTRATOR in held:
        return set(ALL_ROLES)
    return held


def has_role(user, territory: Territory, *wanted: str) -> bool:
    return bool(roles_in(user, territory) & set(wanted))


def is_administrator(user) -> bool:
    return scope(user, Role.ADMINISTRATOR).everywhere


def get_in_scope_or_404(
    queryset: QuerySet[_M],
    user,
    roles: Iterable[str],
    territory_field: str = "territory",
    **lookup,
) -> _M:
    """Fetch one object the user may see in one of ``roles``; 404 otherwise."""
    user_scope = scope(user, *roles)
    try:
        return user_scope.filter(queryset, territory_field).get(**lookup)
    except ObjectDoesNotExist as exc:  # the queryset model's DoesNotExist
        raise Http404 from exc
