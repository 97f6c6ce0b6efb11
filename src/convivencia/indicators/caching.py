"""Caching the explorer's maps and trends for as long as their inputs do not change.

A result is keyed by its arguments, the active language (warnings and method
texts are translated) and ``version()``: the ``DataVersion`` token, which
``bump()`` replaces in the same transaction as every change a map or trend reads
(``rollup.refresh`` for totals after imports, revisions and demo loads; the
signals in ``signals.py`` for populations and the territory tree), plus the count
and highest id of populations and territories, so that rows added or removed in
bulk (``bulk_create`` and queryset deletes send no signals) change the key too.
All of it is read in one query through primary keys, and so each process sees
another's change as soon as it is committed. There is no explicit invalidation:
entries for old versions are never asked for again and expire.

The explorer's results (title, map data, trend, table, exports) are also kept as
rendered HTML (``{% cache %}`` in ``_explorer_results.html``) under the same
version, the language and the address: they are made of these maps and trends
alone. The leaders' perception beside them comes from the panels and is rendered
on every visit.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection
from django.utils import translation

from convivencia.indicators.models import DataVersion
from convivencia.territories.models import Population, Territory

T = TypeVar("T")

VERSION_ID = 1
# Bounds how long an entry for an old version occupies the cache, and how long a
# change that neither bumps nor changes a count or id (a queryset update of
# populations or territories) can go unseen.
TIMEOUT = 24 * 60 * 60


def bump() -> None:
    """Replace the token: call inside the transaction that changes a map's inputs."""
    token = uuid.uuid4().hex
    if not DataVersion.objects.filter(pk=VERSION_ID).update(token=token):
        # The row is gone (``flush`` empties every table): put it back.
        DataVersion.objects.bulk_create(
            [DataVersion(pk=VERSION_ID, token=token)], ignore_conflicts=True
        )


def version() -> str:
    """The inputs' version: the token, and populations' and territories' count and top id.

    One query of five scalar subqueries (a primary-key look-up and index-only
    aggregates, well under a millisecond on 1,156 territories and their
    populations), against tens of milliseconds for a map.
    """
    quote = connection.ops.quote_name
    tables = {
        name: quote(model._meta.db_table)
        for name, model in (
            ("version", DataVersion),
            ("population", Population),
            ("territory", Territory),
        )
    }
    with connection.cursor() as cursor:
        # Table names come from the models; the id travels as a parameter.
        cursor.execute(
            f"SELECT (SELECT token FROM {tables['version']} WHERE id = %s), "  # noqa: S608
            f"(SELECT COUNT(*) FROM {tables['population']}), "
            f"(SELECT MAX(id) FROM {tables['population']}), "
            f"(SELECT COUNT(*) FROM {tables['territory']}), "
            f"(SELECT MAX(id) FROM {tables['territory']})",
            [VERSION_ID],
        )
        row = cursor.fetchone()
    if row[0] is None:
        bump()
        return version()
    return ":".join(str(item) for item in row)


def cached(name: str, arguments: tuple[object, ...], compute: Callable[[], T]) -> T:
    """``compute()``, or what it returned for the same arguments, language and version."""
    described = repr((arguments, translation.get_language(), version()))
    key = f"indicators:{name}:{hashlib.sha256(described.encode()).hexdigest()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
