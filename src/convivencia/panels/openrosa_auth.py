"""How ODK Collect logs in to the OpenRosa endpoints: HTTP Digest, and Basic over HTTPS.

ODK Collect answers the challenge the server sends. Digest (RFC 7616, ``qop=auth``,
MD5 — what Collect and most clients use — or SHA-256 when the client asks for it)
never sends the password; it needs the collector's ODK Collect password
(``CollectCredential``: a random password issued by ``issue``, of which only
H(A1) is kept). Nonces live in the cache for ``NONCE_SECONDS`` with the highest
nonce count seen, so a replayed response is refused and an expired nonce is
answered with ``stale=true`` (the client retries with a fresh one, without asking
the person again).

Basic sends the password itself, so, as ODK Central does, it is accepted only
over HTTPS — unless ``OPENROSA_BASIC_OVER_HTTP`` (on with DEBUG, for development
and tests) says otherwise. Its secret is the user's password or one of their API
tokens (``openrosa.authenticate_basic``).

Failed Digest logins count toward the same lock-out as every other login
(``accounts.throttle``): they are reported with Django's ``user_login_failed``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest

from convivencia.accounts import audit, throttle
from convivencia.accounts.choices import AuditAction
from convivencia.accounts.models import User
from convivencia.panels.models import CollectCredential

REALM = "Convivencia"
NONCE_SECONDS = 60 * 60
PASSWORD_BYTES = 18  # 24 characters of URL-safe base64
ALGORITHMS = {
    "MD5": lambda text: hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest(),
    "SHA-256": lambda text: hashlib.sha256(text.encode("utf-8")).hexdigest(),
}
_PARAMETER = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


def basic_allowed(request: HttpRequest) -> bool:
    return request.is_secure() or bool(getattr(settings, "OPENROSA_BASIC_OVER_HTTP", False))


def _nonce_key(nonce: str) -> str:
    return f"panels:openrosa:nonce:{nonce}"


def new_nonce() -> str:
    nonce = secrets.token_hex(16)
    cache.set(_nonce_key(nonce), 0, NONCE_SECONDS)
    return nonce


def challenge(request: HttpRequest, *, stale: bool = False) -> str:
    """The WWW-Authenticate value: Digest, then Basic where Basic is allowed.

    RFC 7235 lets one header hold several challenges; a client picks one it can answer.
    """
    algorithm = getattr(settings, "OPENROSA_DIGEST_ALGORITHM", "MD5")
    digest = (
        f'Digest realm="{REALM}", qop="auth", algorithm={algorithm}, '
        f'nonce="{new_nonce()}", opaque="{secrets.token_hex(8)}"'
    )
    if stale:
        digest += ", stale=true"
    if basic_allowed(request):
        return f'{digest}, Basic realm="{REALM}", charset="UTF-8"'
    return digest


def ha1(username: str, password: str, algorithm: str) -> str:
    return ALGORITHMS[algorithm](f"{username}:{REALM}:{password}")


@transaction.atomic
def issue(user: User, *, actor=None) -> str:
    """A new ODK Collect password for the user (replacing any earlier one), shown once."""
    password = secrets.token_urlsafe(PASSWORD_BYTES)
    username = user.get_username()
    CollectCredential.objects.update_or_create(
        user=user,
        defaults={
            "username": username,
            "ha1_md5": ha1(username, password, "MD5"),
            "ha1_sha256": ha1(username, password, "SHA-256"),
        },
    )
    audit.record(
        AuditAction.UPDATE,
        user,
        actor=actor,
        changes={"odk_collect_password": "issued"},
    )
    return password


def parse(header: str) -> dict[str, str] | None:
    """The parameters of a Digest Authorization header; None for another scheme."""
    scheme, _space, rest = header.strip().partition(" ")
    if scheme.lower() != "digest":
        return None
    parameters = {}
    for match in _PARAMETER.finditer(rest):
        name, quoted, bare = match.group(1, 2, 3)
        parameters[name.lower()] = quoted.replace('\\"', '"') if quoted is not None else bare
    return parameters


@dataclass
class DigestResult:
    user: User | None = None
    stale: bool = False
    locked: bool = False


def authenticate_digest(request: HttpRequest, parameters: dict[str, str]) -> DigestResult:
    """The user whose Digest response is right for this request; see the module docstring."""
    # The lock-out helpers read the client's address as axes records it on the request,
    # which axes does itself only inside django.contrib.auth.authenticate.
    AxesProxyHandler.update_request(request)
    username = parameters.get("username", "")
    nonce = parameters.get("nonce", "")
    algorithm = parameters.get("algorithm", "MD5").upper()
    required = ("username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce")
    if (
        any(not parameters.get(name) for name in required)
        or parameters.get("realm") != REALM
        or parameters.get("qop") != "auth"
        or algorithm not in ALGORITHMS
        or parameters.get("uri") != request.get_full_path()
    ):
        return _failed(request, username)
    if throttle.locked_until(request, {"username": username}) is not None:
        return DigestResult(locked=True)
    try:
        count = int(parameters["nc"], 16)
    except ValueError:
        return _failed(request, username)
    last = cache.get(_nonce_key(nonce))
    if last is None:
        return DigestResult(stale=True)  # expired or never issued: retry with a new one
    credential = CollectCredential.objects.select_related("user").filter(username=username).first()
    if credential is None or not credential.user.is_active:
        return _failed(request, username)
    secret = credential.ha1_md5 if algorithm == "MD5" else credential.ha1_sha256
    hash_ = ALGORITHMS[algorithm]
    a2 = hash_(f"{request.method}:{parameters['uri']}")
    expected = hash_(
        f"{secret}:{nonce}:{parameters['nc']}:{parameters['cnonce']}:{parameters['qop']}:{a2}"
    )
    if not hmac.compare_digest(expected, parameters["response"].lower()):
        return _failed(request, username)
    if count <= last:
        return _failed(request, username)  # a replayed response
    cache.set(_nonce_key(nonce), count, NONCE_SECONDS)
    throttle.forget_failures(request, username)
    return DigestResult(user=credential.user)


def _failed(request: HttpRequest, username: str) -> DigestResult:
    # The same signal a wrong password sends: the lock-out counts Digest failures too.
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
    return DigestResult()
