"""Caching what the public pages count, for as long as the registry does not change.

Everything cached here is keyed by ``RegistryVersion.token``, which database
triggers replace on every change to interventions, tags, ratings and
evaluations (migration 0003). Each request reads the token (one primary-key
look-up) and so sees a change made by any process, through any code path, as
soon as it is committed: no entry is ever served for a registry that has
changed since. There is no explicit invalidation; entries for old tokens are
never asked for again and expire.

Only data is cached (numbers, codes), never text: labels are translated and
links built per request, in the visitor's language and with their query string.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection

from convivencia.evidence.models import RegistryVersion

T = TypeVar("T")

VERSION_ID = 1
# Where migration 0003 installs the triggers that keep the token current.
TRIGGERED_VENDORS = ("sqlite", "postgresql")
# Correctness does not depend on it (the token does); it only bounds how long an
# entry for a token that is no longer current occupies the cache.
TIMEOUT = 24 * 60 * 60


def current_version() -> str | None:
    """The registry's token; None where the triggers are not installed (then nothing is cached)."""
    token = RegistryVersion.objects.filter(pk=VERSION_ID).values_list("token", flat=True).first()
    if token is None and connection.vendor in TRIGGERED_VENDORS:
        # The row was deleted (``flush`` empties every table) but the triggers, part
        # of the schema, are still there: put it back rather than stop caching for good.
        token = uuid.uuid4().hex
        RegistryVersion.objects.bulk_create(
            [RegistryVersion(pk=VERSION_ID, token=token)], ignore_conflicts=True
        )
        token = RegistryVersion.objects.filter(pk=VERSION_ID).values_list(
            "token", flat=True
        ).first()
    return token


def cached(name: str, version: str | None, compute: Callable[[], T]) -> T:
    """``compute()``, or what it returned for the registry at ``version``.

    ``version`` is what ``current_version()`` said earlier in the same request (read
    once per page, not once per entry); None computes without caching.
    """
    if version is None:
        return compute()
    key = f"evidence:{name}:{version}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
