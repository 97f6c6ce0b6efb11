"""Where a request comes from, for the login throttle and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address, as the outermost trusted proxy saw it.

    Each proxy appends the address it received the request from to X-Forwarded-For, so
    with ``TRUSTED_PROXY_COUNT`` proxies the client is that many entries from the end;
    what comes before them was written by the client and cannot be trusted.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None
