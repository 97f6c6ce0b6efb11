"""Caching what the public pages count, for as long as the registry does not change.

Everything cached here is keyed by ``RegistryVersion.token``, which database
triggers replace on every change to interventions, tags, ratings and
evaluations (migration 0003). Each request reads the token (one primary-key
look-up) and so sees a change made by any process, through any code path, as
soon as it is committed: no entry is ever served for a registry that has
changed since. There is no explicit invalidation; entries for old tokens are
never asked for again and expire.

What is cached here is data (numbers, codes), never text: labels are translated
and links built per request, in the visitor's language and with their query string.
The filters, the results and the gap map's table are also kept as rendered HTML
(``{% cache %}`` in their templates, most of a page's time under load), keyed by the
token, the language and the whole path with its query string: nothing in them
depends on who is looking (no user, no form token).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

from convivencia.core import versioning
from convivencia.evidence.models import RegistryVersion

T = TypeVar("T")

# Correctness does not depend on it (the token does); it only bounds how long an
# entry for a token that is no longer current occupies the cache.
TIMEOUT = 24 * 60 * 60


def current_version() -> str | None:
    """The registry's token; None where the triggers are not installed (then nothing is cached)."""
    return versioning.token(RegistryVersion)


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


def fragment_context(version: str | None) -> dict[str, object]:
    """What the templates' ``{% cache %}`` blocks read: how long to keep, under which token.

    A timeout of 0 stores nothing: where there is no token, every page is rendered.
    """
    return {"fragment_timeout": TIMEOUT if version else 0, "registry_version": version}
