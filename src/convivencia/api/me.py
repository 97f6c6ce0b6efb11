"""/api/v1/me: who the API thinks you are, and where you may act.

It shows the access layer through the API: the same roles and memberships
that decide what every other endpoint returns to the caller.
"""

# No `from __future__ import annotations` here: ninja reads the endpoint
# signatures at import time and cannot resolve string annotations such as Query[...].
from typing import Any, Literal

from ninja import Field, Router, Schema

from convivencia.accounts import access
from convivencia.accounts.choices import Role
from convivencia.accounts.models import Membership
from convivencia.accounts.requests import AuthenticatedHttpRequest
from convivencia.api.auth import LOGIN_REQUIRED
from convivencia.api.errors import ErrorBody

router = Router(tags=["me"])


class OrganisationRef(Schema):
    id: int
    name: str


class MembershipOut(Schema):
    organisation: OrganisationRef
    role: Role
    territories: list[int] = Field(
        description="Territory ids; each covers everything below it. Empty for an "
        "administrator means everywhere."
    )


class MeOut(Schema):
    username: str
    name: str
    authenticated_by: Literal["token", "session"]
    everywhere: bool = Field(description="True when the caller's scope has no territorial limit.")
    roles: list[Role] = Field(description="Every role held somewhere.")
    memberships: list[MembershipOut] = Field(description="Active memberships.")


@router.get("/me", auth=LOGIN_REQUIRED, response={200: MeOut, 401: ErrorBody}, url_name="me")
def me(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    """The authenticated caller, their roles and memberships. Anonymous callers get 401."""
    user = request.user
    memberships = (
        Membership.objects.active()
        .filter(user=user)
        .select_related("organisation")
        .prefetch_related("territories")
        .order_by("organisation__name", "role")
    )
    return {
        "username": user.get_username(),
        "name": user.get_full_name(),
        "authenticated_by": "token" if hasattr(request, "api_token") else "session",
        "everywhere": access.scope(user).everywhere,
        "roles": sorted(access.roles(user)),
        "memberships": [
            {
                "organisation": membership.organisation,
                "role": membership.role,
                "territories": sorted(t.pk for t in membership.territories.all()),
            }
            for membership in memberships
        ],
    }
