"""Benchmark: territory search and territory scoping at national scale.

Builds a synthetic country of 33 regions × 34 municipalities × 10 localities
(12,376 territories) in a throw-away database, then times, in the same run:
- the accent-tolerant search used by the search page and the API;
- the scope filter every scoped page and API call goes through;
against the same question asked directly in SQL (the baseline), and prints
median, p95 and the ratio to the baseline.

    DEBUG=true .venv/bin/python bench/territories.py            # SQLite in a temp dir
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench .venv/bin/python bench/territories.py
    .venv/bin/python bench/territories.py --json out.json      # + the measures as JSON

With PostgreSQL the database named in DATABASE_URL is left alone: the script
creates ``test_<name>`` beside it (the role must be allowed to CREATE DATABASE)
and drops it at the end, so it can run again.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable

from report import Recorder, add_json_option

os.environ.setdefault("DEBUG", "true")
TEMP_DIR = None
if "DATABASE_URL" not in os.environ:
    TEMP_DIR = tempfile.mkdtemp(prefix="bench-territories-")
    os.environ["DATABASE_URL"] = f"sqlite:///{TEMP_DIR}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convivencia.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from convivencia.accounts import access  # noqa: E402
from convivencia.accounts.choices import Role  # noqa: E402
from convivencia.accounts.models import Organisation, User  # noqa: E402
from convivencia.accounts.services import grant  # noqa: E402
from convivencia.core.text import fold  # noqa: E402
from convivencia.territories.choices import Level  # noqa: E402
from convivencia.territories.models import Territory  # noqa: E402
from convivencia.territories.services import ensure_country  # noqa: E402

RUNS = 50


def migrate() -> str | None:
    """A fresh schema; on PostgreSQL in a new test_<name> database (returns the old name)."""
    if connection.vendor == "postgresql":
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        return old_name
    call_command("migrate", verbosity=0)
    return None


def build() -> tuple[Territory, User]:
    country = ensure_country("CO")
    regions = Territory.objects.bulk_create(
        Territory(
            parent=country, level=Level.REGION, name=f"Región {r}", search_name=fold(f"Región {r}")
        )
        for r in range(33)
    )
    for region in regions:
        region.path = f"{country.path}{region.pk}/"
    Territory.objects.bulk_update(regions, ["path"])
    municipalities = Territory.objects.bulk_create(
        Territory(
            parent=region,
            level=Level.MUNICIPALITY,
            name=f"Municipio {region.pk}-{m}",
            search_name=fold(f"Municipio {region.pk}-{m}"),
        )
        for region in regions
        for m in range(34)
    )
    by_id = {region.pk: region for region in regions}
    for municipality in municipalities:
        municipality.path = f"{by_id[municipality.parent_id].path}{municipality.pk}/"
    Territory.objects.bulk_update(municipalities, ["path"], batch_size=2000)
    localities = Territory.objects.bulk_create(
        (
            Territory(
                parent=m,
                level=Level.LOCALITY,
                name=f"Vereda Ñame {m.pk}-{v}",
                search_name=fold(f"Vereda Ñame {m.pk}-{v}"),
            )
            for m in municipalities
            for v in range(10)
        ),
        batch_size=2000,
    )
    by_id = {m.pk: m for m in municipalities}
    for locality in localities:
        locality.path = f"{by_id[locality.parent_id].path}{locality.pk}/"
    Territory.objects.bulk_update(localities, ["path"], batch_size=2000)
    user = User.objects.create(username="coordinator")
    grant(
        user,
        Organisation.objects.create(name="P", type="civil_society"),
        Role.COORDINATOR,
        regions[:3],
    )
    return regions[5], user


def timed(function: Callable[[], object]) -> list[float]:
    function()  # warm-up
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def report(
    name: str, samples: list[float], baseline: list[float], recorder: Recorder, notes: str
) -> None:
    median = statistics.median(samples)
    p95 = statistics.quantiles(samples, n=20)[-1]
    base = statistics.median(baseline)
    print(
        f"{name:<42} median {median:7.2f} ms   p95 {p95:7.2f} ms   "
        f"baseline {base:6.2f} ms   ratio {median / base:5.2f}"
    )
    recorder.add_times(name, samples, baseline, p95=p95, notes=notes)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    add_json_option(parser)
    args = parser.parse_args()
    old_name = migrate()
    try:
        return measure(Recorder("territories", args.json))
    finally:
        if old_name is not None:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        if TEMP_DIR:
            shutil.rmtree(TEMP_DIR, ignore_errors=True)


def measure(recorder: Recorder) -> int:
    region, user = build()
    count = Territory.objects.count()
    print(f"{count} territories on {connection.vendor}; {RUNS} runs each")
    size = f"{count:,} territories; baseline: "

    def search() -> list:
        return list(Territory.objects.search("name 1204-3").values_list("pk", flat=True)[:25])

    def search_sql() -> list:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM territories_territory WHERE search_name LIKE %s LIMIT 25",
                ["%name 1204 3%"],
            )
            return cursor.fetchall()

    def scoped() -> int:
        access.forget(user)
        return access.scope(user, Role.COORDINATOR).territories().count()

    def scoped_sql() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM territories_territory t WHERE EXISTS ("
                " SELECT 1 FROM accounts_membership m"
                " JOIN accounts_membership_territories mt ON mt.membership_id = m.id"
                " JOIN territories_territory s ON s.id = mt.territory_id"
                " WHERE m.user_id = %s AND m.role = 'coordinator' AND t.path LIKE s.path || '%%')",
                [user.pk],
            )
            return cursor.fetchone()[0]

    def within() -> int:
        return Territory.objects.within(region).count()

    def within_sql() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM territories_territory WHERE path LIKE %s", [region.path + "%"]
            )
            return cursor.fetchone()[0]

    assert scoped() == scoped_sql(), "scope and SQL baseline disagree"
    assert within() == within_sql(), "within and SQL baseline disagree"
    report(
        "search by folded name (25 results)",
        timed(search),
        timed(search_sql),
        recorder,
        size + "LIKE on the folded name only (the search also matches other names, codes)",
    )
    report(
        "coordinator scope over 3 regions (count)",
        timed(scoped),
        timed(scoped_sql),
        recorder,
        size + "EXISTS … LIKE path || '%' over the memberships",
    )
    report(
        "descendants of one region (count)",
        timed(within),
        timed(within_sql),
        recorder,
        size + "path LIKE prefix",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
