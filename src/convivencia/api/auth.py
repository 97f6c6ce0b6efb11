"""Who is calling: an API token, a browser session, or nobody.

Every endpoint gets ``request.user`` (an ``AnonymousUser`` when nobody logged
in) and decides what to show through ``convivencia.accounts.access``, exactly
as the HTML views do. Two lists of schemes are offered to routers and
operations:

- ``PUBLIC`` (the API's default): token, session, else anonymous;
- ``LOGIN_REQUIRED``: token or session; anonymous callers get 401.

A token that is sent but wrong, revoked or expired is always refused with 401, even on
public endpoints: a broken integration should fail loudly rather than quietly
receive the public subset of the data.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from convivencia.accounts.models import ApiToken, User
from convivencia.api.errors import ApiError, Unauthorized

# Writing last_used_at on every call would turn each read into a write.
LAST_USED_PRECISION = timedelta(minutes=1)
TOKEN_KEYWORDS = ("bearer", "token")


class TokenAuth(AuthBase):
    """``Authorization: Bearer <token>`` (``Token <token>`` works too)."""

    openapi_type = "http"
    openapi_scheme = "bearer"
    openapi_description = (
        "A personal API token, created on your account page and shown once. "
        "Send `Authorization: Bearer <token>`; `Authorization: Token <token>` is accepted too."
    )

    def __call__(self, request: HttpRequest) -> User | None:
        header = request.headers.get("Authorization")
        if header is None:
            return None
        keyword, _space, token = header.strip().partition(" ")
        token = token.strip()
        if keyword.lower() not in TOKEN_KEYWORDS or not token:
            raise Unauthorized(
                _("The Authorization header must be 'Bearer <token>' or 'Token <token>'.")
            )
        api_token = ApiToken.objects.find(token)
        if api_token is None:
            raise Unauthorized(_("The API token is not valid or has been revoked."))
        if api_token.is_expired:
            raise Unauthorized(api_token.expiry_message())
        _note_use(api_token)
        # Endpoints read request.user, whichever way the caller authenticated;
        # a token wins over a session cookie sent along with it.
        request.user = api_token.user
        # The token that authenticated, for the views that say how the caller came in.
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token.user


def _note_use(api_token: ApiToken) -> None:
    now = timezone.now()
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
    # A conditional UPDATE: concurrent calls cannot write more than once a minute.
    ApiToken.objects.filter(stale, pk=api_token.pk).update(last_used_at=now)


class SessionAuth(AuthBase):
    """The website's session cookie; unsafe methods must carry the CSRF token."""

    openapi_type = "apiKey"
    openapi_in = "cookie"
    openapi_description = (
        "The website's session cookie, for calls from pages of this site. "
        "POST, PUT, PATCH and DELETE must send the `X-CSRFToken` header."
    )

    def __init__(self) -> None:
        from django.conf import settings

        self.openapi_name = settings.SESSION_COOKIE_NAME
        # Read by ninja's Swagger page to send the CSRF header from the browser.
        self.csrf = True
        super().__init__()

    def __call__(self, request: HttpRequest) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        # The cookie is sent by the browser on its own, so a cross-site form could
        # ride on it: the same CSRF check as Django's views (a no-op for GET).
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise ApiError(
                403, _("CSRF check failed: send the X-CSRFToken header with the session's token.")
            )
        return user


class Anonymous:
    """The last resort of public endpoints: nobody, as ``AnonymousUser``."""

    def __call__(self, request: HttpRequest) -> AnonymousUser:
        nobody = AnonymousUser()
        request.user = nobody
        return nobody


token_auth = TokenAuth()
session_auth = SessionAuth()
anonymous = Anonymous()

PUBLIC: tuple[Any, ...] = (token_auth, session_auth, anonymous)
LOGIN_REQUIRED: tuple[Any, ...] = (token_auth, session_auth)
