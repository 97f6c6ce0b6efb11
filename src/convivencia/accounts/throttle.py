"""Login throttling, on django-axes.

Every password check that comes with a request (the login form, the admin's, and the
HTTP Basic auth of the OpenRosa endpoints, which call ``authenticate(request, ...)``)
goes through ``ThrottleBackend`` first. Failures are counted in the database, so every
web process sees the same counts. Two limits, from the settings:

- ``LOGIN_FAILURE_LIMIT`` failures for one account from one address lock that pair;
- ``LOGIN_ADDRESS_FAILURE_LIMIT`` failures from one address, whatever the accounts
  tried, lock the address (one guesser trying many accounts).

A failure counts while it is less than ``LOGIN_LOCKOUT_MINUTES`` old. While locked,
every attempt is refused, the right password too, and the lock is not extended by the
refused attempts. Unknown accounts are counted and locked like real ones, so the answer
never tells whether an account exists. A successful login clears the failures of that
account at that address, never the address's other failures.

Administrators unlock through the admin's "Access attempts" page or
``convivencia axes_reset_username NAME`` / ``axes_reset_ip ADDRESS``.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import QuerySet
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

from convivencia.accounts import audit
from convivencia.accounts.choices import AuditAction
from convivencia.accounts.network import client_address

# What axes reads a username from: the keyword arguments of authenticate().
Credentials = dict[str, Any]


class ThrottleBackend(AxesStandaloneBackend):
    """Refuses an attempt while its account and address, or its address, are locked.

    A call without a request (the test client's ``login``, a shell) has no address to
    count and nobody on the other side of a network: it is not throttled.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        # axes' check returns nothing or raises: it never logs anyone in itself.
        super().authenticate(request, username, password, **kwargs)
        return None


def failure_limit(
    request: HttpRequest | None = None, credentials: Credentials | None = None
) -> int:
    return settings.LOGIN_FAILURE_LIMIT


def cool_off(request: HttpRequest | None = None) -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def _recent(request: HttpRequest) -> QuerySet[AccessAttempt]:
    # Set on the request by axes before it counts an attempt.
    since = request.axes_attempt_time - cool_off()  # type: ignore[attr-defined]
    recent: QuerySet[AccessAttempt] = AccessAttempt.objects.filter(attempt_time__gte=since)
    return recent


def _scopes(
    request: HttpRequest, credentials: Credentials | None
) -> list[tuple[QuerySet[AccessAttempt], int]]:
    """(the failures that count, their limit) for the account here, then for the address."""
    # Set on the request by axes before it counts an attempt.
    address = request.axes_ip_address  # type: ignore[attr-defined]
    username = get_client_username(request, credentials)
    recent = _recent(request)
    return [
        (recent.filter(username=username, ip_address=address), settings.LOGIN_FAILURE_LIMIT),
        (recent.filter(ip_address=address), settings.LOGIN_ADDRESS_FAILURE_LIMIT),
    ]


def _count(attempts: QuerySet[AccessAttempt]) -> int:
    return sum(attempts.values_list("failures_since_start", flat=True))


class ThrottleHandler(AxesDatabaseHandler):
    """axes' database handler with a limit per account and address and one per address."""

    def get_failures(self, request: HttpRequest, credentials: Credentials | None = None) -> int:
        """The failures measured against ``AXES_FAILURE_LIMIT`` (the account limit).

        axes compares one number with one limit; an address over its own, higher limit
        is reported as at least the account limit, so it locks every account tried there.
        """
        (account, account_limit), (address, address_limit) = _scopes(request, credentials)
        failures = _count(account)
        if _count(address) >= address_limit:
            return max(failures, account_limit)
        return failures

    def reset_user_attempts(
        self, request: HttpRequest, credentials: Credentials | None = None
    ) -> int:
        return forget_failures(request, get_client_username(request, credentials))


def forget_failures(request: HttpRequest, username: str) -> int:
    """After a success: this account's failures at this address no longer count."""
    attempts = AccessAttempt.objects.filter(username=username, ip_address=client_address(request))
    # Checked first: a DELETE takes SQLite's write lock even when nothing matches.
    if not attempts.exists():
        return 0
    deleted: int
    deleted, _by_model = attempts.delete()
    return deleted


def locked_until(request: HttpRequest, credentials: Credentials | None) -> datetime | None:
    """When the lock on this attempt lifts, or None when it is not locked.

    A failure stops counting once older than the cool-off: walking back from the newest,
    the failure that brings a scope to its limit is the one whose expiry lifts the lock.
    """
    ends = []
    for attempts, limit in _scopes(request, credentials):
        total = 0
        for attempt_time, failures in attempts.order_by("-attempt_time").values_list(
            "attempt_time", "failures_since_start"
        ):
            total += failures
            if total >= limit:
                ends.append(attempt_time + cool_off())
                break
    return max(ends) if ends else None


def retry_after_seconds(request: HttpRequest) -> int:
    """Seconds until the lock on this request lifts (at least one)."""
    until = locked_until(request, getattr(request, "axes_credentials", None))
    if until is None:
        return 1
    return max(1, math.ceil((until - timezone.now()).total_seconds()))


def lockout_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many failed attempts. Try again in %(minutes)d minute.",
        "Too many failed attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: Credentials | None = None,
) -> HttpResponse:
    """What a locked-out attempt gets (axes' middleware calls this).

    An endpoint that answered the lock-out itself (OpenRosa, with its own document) keeps
    its answer; everything else gets the login page with the message.
    """
    if original_response is not None and original_response.has_header("Retry-After"):
        return original_response
    seconds = retry_after_seconds(request)
    response = render(
        request,
        "accounts/login.html",
        {
            "form": AuthenticationForm(request),
            "lockout_message": lockout_message(seconds),
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


@receiver(user_locked_out)
def _audit_lockout(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    # axes signals every refused attempt; only the failure that set the lock was counted.
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return
    until = locked_until(request, getattr(request, "axes_credentials", None))
    audit.record(
        AuditAction.LOCKED_OUT,
        request=request,
        object_type="accounts.user",
        object_repr=str(username or "")[:150],
        changes={"failures": failures, "until": until.isoformat() if until is not None else None},
    )
