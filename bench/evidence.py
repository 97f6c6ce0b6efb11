"""Benchmark: the public evidence pages at 1,300 and 100,000 interventions.

Builds the synthetic registry of ``convivencia.evidence.demo`` (same generator,
same seed: the first 1,300 of the 100,000 are the demo's) in a throw-away
database, and at each size times, through Django's test Client (middleware,
view, template; the server's time, no network):

1. the dashboard ``/evidence/`` unfiltered;
2. the dashboard filtered ``?country=CO&focus=policing&rating=effective&rating=promising``;
3. the gap map ``/evidence/gap-map/``;
4. the full CSV export ``/evidence/export.csv``, streamed and consumed to the end,
   and the peak of Python memory allocated while streaming it (tracemalloc).

The dashboard unfiltered and the gap map count the whole registry and cache
those counts until it changes (``convivencia.evidence.caching``): after the
warm-up their runs are answered from the cache, so each is also timed with a
new registry version before every run ("first after a change", --cold-runs).

Each is compared with a baseline run in the same process against the same
database: the same question asked directly in SQL (count and first page of
the same rows; the same GROUP BY; for the export, one raw query streaming the
same columns to a csv.writer on an io.StringIO). The script asserts that each
page finds as many rows as its baseline, prints median and p95 over the runs
(after one warm-up), the ratio of medians, and the queries each page made.

    .venv/bin/python bench/evidence.py                    # SQLite in a temp dir, both sizes
    .venv/bin/python bench/evidence.py --sizes 1300       # only the demo's size (seconds)
    .venv/bin/python bench/evidence.py --runs 50 --export-runs 5
    .venv/bin/python bench/evidence.py --sizes 1300 20000 --pages export   # only the export
    .venv/bin/python bench/evidence.py --sizes 1300 --json out.json   # + the measures as JSON
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/evidence.py

With PostgreSQL the database named in DATABASE_URL is left alone: the script
creates ``test_<name>`` beside it (the role must be allowed to CREATE DATABASE)
and drops it at the end. The 100,000 build takes about two minutes on SQLite.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from report import Recorder, add_json_option

# Settings are read with DEBUG on (no SECRET_KEY needed, plain static files), and
# DEBUG is switched off below before the first request: see main().
os.environ.setdefault("DEBUG", "true")
TEMP_DIR = None
if "DATABASE_URL" not in os.environ:
    TEMP_DIR = tempfile.mkdtemp(prefix="bench-evidence-")
    os.environ["DATABASE_URL"] = f"sqlite:///{TEMP_DIR}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convivencia.settings")
# WhiteNoise looks for collected static files, which pages served here never need.
warnings.filterwarnings("ignore", "No directory at", UserWarning)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)

from convivencia.core import versioning  # noqa: E402
from convivencia.evidence import demo, geo  # noqa: E402
from convivencia.evidence.choices import RATING_RANK, Problem  # noqa: E402
from convivencia.evidence.exports import FIELDS  # noqa: E402
from convivencia.evidence.models import Intervention, RegistryVersion  # noqa: E402

SIZES = (1_300, 100_000)
RUNS = 30
EXPORT_RUNS = 3
COLD_RUNS = 10
TARGET_P95_MS = 100.0  # the filtered dashboard at 100,000 interventions
FILTERED_URL = "/evidence/?country=CO&focus=policing&rating=effective&rating=promising"
PAGE_SIZE = 25


# The baselines: the same questions asked in plain SQL.

PUBLISHED = "i.curation = 'published'"
FILTERED = (
    f"{PUBLISHED} AND i.country_code IN ('CO')"
    " AND EXISTS (SELECT 1 FROM evidence_interventiontag t"
    "  WHERE t.intervention_id = i.id AND t.kind = 'focus' AND t.code IN ('policing'))"
    " AND EXISTS (SELECT 1 FROM evidence_evidencerating r"
    "  WHERE r.intervention_id = i.id AND r.value IN ('effective', 'promising'))"
)
# The dashboard's default order: newest first, then by name.
ORDER = "i.start_year DESC NULLS LAST, i.name, i.id"


def sql_page(where: str) -> int:
    """What a dashboard needs at the least: how many rows match, and the first page of them."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM evidence_intervention i WHERE {where}")
        total = cursor.fetchone()[0]
        cursor.execute(
            "SELECT i.id, i.name, i.country_code, i.start_year, i.end_year, i.budget_usd,"
            f" i.best_rating FROM evidence_intervention i WHERE {where}"
            f" ORDER BY {ORDER} LIMIT {PAGE_SIZE}"
        )
        cursor.fetchall()
    return total


RANK_SQL = (
    "CASE r.value "
    + " ".join(f"WHEN '{rating}' THEN {rank}" for rating, rank in RATING_RANK.items())
    + " END"
)


def sql_gap_map() -> dict[tuple[str, str], tuple[int, int]]:
    """Focus × outcome: ratings of published interventions and the best of them."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.code, r.outcome, count(*), min({RANK_SQL})"
            " FROM evidence_evidencerating r"
            " JOIN evidence_intervention i ON i.id = r.intervention_id"
            " JOIN evidence_interventiontag t"
            "  ON t.intervention_id = r.intervention_id AND t.kind = 'focus'"
            f" WHERE {PUBLISHED} GROUP BY t.code, r.outcome"
        )
        return {(code, outcome): (n, best) for code, outcome, n, best in cursor.fetchall()}


def _joined(expression: str) -> str:
    """An aggregate joining strings with '|', in this database's dialect."""
    if connection.vendor == "postgresql":
        return f"string_agg({expression}, '|')"
    return f"group_concat({expression}, '|')"


def _export_sql() -> str:
    def tags(kind: str) -> str:
        return (
            f"(SELECT {_joined('code')} FROM evidence_interventiontag"
            f" WHERE intervention_id = i.id AND kind = '{kind}')"
        )

    ratings = _joined("outcome || '=' || value")
    sources = _joined("citation || ' ' || url")
    territory_names = _joined("tt.name")

    return (
        "SELECT i.id, i.external_id, i.name, i.name_language, i.name_translations, i.summary,"
        " i.country_code,"
        # One code per territory is enough for a baseline (the page prefers ISO codes).
        " (SELECT min(c.code) FROM evidence_intervention_territories it"
        "   JOIN territories_territorycode c ON c.territory_id = it.territory_id"
        "   WHERE it.intervention_id = i.id) AS territory_codes,"
        f" (SELECT {territory_names} FROM evidence_intervention_territories it"
        "   JOIN territories_territory tt ON tt.id = it.territory_id"
        "   WHERE it.intervention_id = i.id) AS territory_names,"
        f" i.scale, {tags('focus')}, {tags('problem')}, {tags('population')},"
        " i.prevention_level, i.implementer_name, i.implementer_type, i.funder_name,"
        " i.funder_type, i.start_year, i.end_year, i.status, i.budget_amount,"
        " i.budget_currency, i.budget_year, i.budget_usd, i.best_rating,"
        f" (SELECT {ratings} FROM evidence_evidencerating"
        "   WHERE intervention_id = i.id) AS ratings,"
        " (SELECT count(*) FROM evidence_evaluation WHERE intervention_id = i.id),"
        f" (SELECT {sources} FROM evidence_source"
        "   WHERE intervention_id = i.id) AS sources,"
        " i.curation, i.published_at"
        f" FROM evidence_intervention i WHERE {PUBLISHED} ORDER BY {ORDER}"
    )


def sql_export(country_names: dict[str, str]) -> int:
    """The export's columns from one raw query, streamed to a csv.writer; returns the rows."""
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(FIELDS)
    outcomes = Problem.values
    rows = 0
    # A chunked (server-side on PostgreSQL) cursor, as the page's iterator() uses.
    with connection.chunked_cursor() as cursor:
        cursor.execute(_export_sql())
        while batch := cursor.fetchmany(500):
            for (
                pk,
                external_id,
                name,
                language,
                translations,
                summary,
                country,
                codes,
                territory_names,
                scale,
                focus,
                problem,
                population,
                level,
                implementer,
                implementer_type,
                funder,
                funder_type,
                start,
                end,
                status,
                amount,
                currency,
                budget_year,
                usd,
                best,
                ratings,
                evaluations,
                sources,
                curation,
                published_at,
            ) in batch:
                if isinstance(translations, str):  # SQLite returns JSON as text
                    translations = json.loads(translations)
                names = [
                    name if language == lang else translations.get(lang, "")
                    for lang in ("es", "en", "pt")
                ]
                by_outcome = dict(pair.split("=", 1) for pair in (ratings or "").split("|") if pair)
                writer.writerow(
                    [
                        pk,
                        external_id,
                        name,
                        language,
                        *names,
                        summary,
                        country,
                        country_names.get(country, ""),
                        codes or "",
                        territory_names or "",
                        scale,
                        focus or "",
                        problem or "",
                        population or "",
                        level,
                        implementer,
                        implementer_type,
                        funder,
                        funder_type,
                        start,
                        end,
                        status,
                        amount,
                        currency,
                        budget_year,
                        usd,
                        best,
                        *(by_outcome.get(o, "") for o in outcomes),
                        evaluations,
                        sources or "",
                        curation,
                        published_at,
                        f"http://testserver/evidence/{pk}/",
                    ]
                )
                rows += 1
    return rows


# Measuring


@dataclass
class Result:
    size: int
    name: str
    samples: list[float]
    baseline: list[float]
    rows: int
    queries: int

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return percentile95(self.samples)

    @property
    def ratio(self) -> float:
        return self.median / statistics.median(self.baseline)


def percentile95(samples: list[float]) -> float:
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def timed(
    function: Callable[[], object], runs: int, before: Callable[[], object] | None = None
) -> list[float]:
    """Milliseconds per run; ``before`` runs ahead of each run, untimed."""
    function()  # warm-up: caches, compiled templates, the database's page cache
    samples = []
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def get_page(client: Client, url: str) -> Callable[[], bytes]:
    def fetch() -> bytes:
        response = client.get(url)
        assert response.status_code == 200, f"{url}: HTTP {response.status_code}"
        return response.content

    return fetch


def stream_export(client: Client) -> Iterable[bytes]:
    response = client.get("/evidence/export.csv")
    assert response.status_code == 200, f"export: HTTP {response.status_code}"
    assert response.streaming, "the export should stream"
    return response.streaming_content


def consume_export(client: Client) -> int:
    return sum(len(chunk) for chunk in stream_export(client))


def page_context(client: Client, url: str) -> dict:
    """The context the page was rendered with (the test environment records it)."""
    setup_test_environment(debug=False)
    try:
        response = client.get(url)
    finally:
        teardown_test_environment()
    return response.context


def count_queries(function: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


def registry_changed() -> None:
    """What any write to the registry does (its triggers): a new version, nothing cached for it."""
    RegistryVersion.objects.filter(pk=versioning.TOKEN_ID).update(token=uuid.uuid4().hex)


def count_cold_queries(function: Callable[[], object]) -> int:
    registry_changed()
    return count_queries(function)


def export_memory(client: Client) -> tuple[int, float]:
    """Rows in the streamed CSV, and the peak Python memory (MB) allocated while streaming it."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    lines = (chunk.decode() for chunk in stream_export(client))
    rows = sum(1 for _ in csv.reader(lines)) - 1  # minus the header
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return rows, (peak - before) / 2**20


PAGES = ("dashboard", "filtered", "gap-map", "export")


def measure(
    size: int, runs: int, export_runs: int, cold_runs: int, pages: Iterable[str] = PAGES
) -> tuple[list[Result], float | None]:
    client = Client()
    results: list[Result] = []
    peak_mb = None
    if "dashboard" in pages:
        results += measure_dashboard(client, size, runs, cold_runs)
    if "filtered" in pages:
        results += measure_filtered(client, size, runs)
    if "gap-map" in pages:
        results += measure_gap_map(client, size, runs, cold_runs)
    if "export" in pages:
        export_result, peak_mb = measure_export(client, size, export_runs)
        results.append(export_result)
    return results, peak_mb


def measure_dashboard(client: Client, size: int, runs: int, cold_runs: int) -> list[Result]:
    published = Intervention.objects.published()
    results = []
    # 1. The dashboard, unfiltered.
    total = page_context(client, "/evidence/")["total"]
    expected = sql_page(PUBLISHED)
    assert total == expected == published.count(), (total, expected)
    results.append(
        Result(
            size,
            "dashboard /evidence/",
            timed(get_page(client, "/evidence/"), runs),
            timed(lambda: sql_page(PUBLISHED), runs),
            total,
            count_queries(get_page(client, "/evidence/")),
        )
    )
    # The first visit after the registry changed: nothing cached yet.
    results.append(
        Result(
            size,
            "  same, first after a change",
            timed(get_page(client, "/evidence/"), cold_runs, before=registry_changed),
            timed(lambda: sql_page(PUBLISHED), cold_runs),
            total,
            count_cold_queries(get_page(client, "/evidence/")),
        )
    )
    return results


def measure_filtered(client: Client, size: int, runs: int) -> list[Result]:
    # 2. The dashboard, filtered.
    total = page_context(client, FILTERED_URL)["total"]
    expected = sql_page(FILTERED)
    assert total == expected, (total, expected)
    return [
        Result(
            size,
            "dashboard filtered",
            timed(get_page(client, FILTERED_URL), runs),
            timed(lambda: sql_page(FILTERED), runs),
            total,
            count_queries(get_page(client, FILTERED_URL)),
        )
    ]


def measure_gap_map(client: Client, size: int, runs: int, cold_runs: int) -> list[Result]:
    results = []
    # 3. The gap map: every cell's count must be the baseline's.
    context = page_context(client, "/evidence/gap-map/")
    cells = {
        (row["focus"].value, cell["outcome"].value): cell["count"]
        for row in context["rows"]
        for cell in row["cells"]
        if cell["count"]
    }
    expected_cells = {key: n for key, (n, _best) in sql_gap_map().items()}
    assert cells == expected_cells, "gap map and SQL baseline disagree"
    results.append(
        Result(
            size,
            "gap map /evidence/gap-map/",
            timed(get_page(client, "/evidence/gap-map/"), runs),
            timed(sql_gap_map, runs),
            sum(cells.values()),
            count_queries(get_page(client, "/evidence/gap-map/")),
        )
    )
    results.append(
        Result(
            size,
            "  same, first after a change",
            timed(get_page(client, "/evidence/gap-map/"), cold_runs, before=registry_changed),
            timed(sql_gap_map, cold_runs),
            sum(cells.values()),
            count_cold_queries(get_page(client, "/evidence/gap-map/")),
        )
    )
    return results


def measure_export(client: Client, size: int, export_runs: int) -> tuple[Result, float]:
    published = Intervention.objects.published()
    # 4. The CSV export, streamed to the end.
    country_names = {
        code: geo.country_name(code)
        for code in published.values_list("country_code", flat=True).distinct().order_by()
    }
    samples = timed(lambda: consume_export(client), export_runs)
    # After the warm-up, so that what is loaded once per process (translations, the
    # country names) does not count as the export's memory.
    rows, peak_mb = export_memory(client)
    assert rows == sql_export(country_names) == published.count(), rows
    result = Result(
        size,
        "export.csv (all rows, streamed)",
        samples,
        timed(lambda: sql_export(country_names), export_runs),
        rows,
        count_queries(lambda: consume_export(client)),
    )
    return result, peak_mb


# Building


def migrate() -> str | None:
    """A fresh schema; on PostgreSQL in a new test_<name> database (returns the old name)."""
    if connection.vendor == "postgresql":
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        return old_name
    call_command("migrate", verbosity=0)
    return None


def grow_to(size: int) -> float:
    start = time.perf_counter()
    demo.add_interventions(size, demo.DEMO_SEED)
    if connection.vendor == "postgresql":
        # Autovacuum would analyse the new rows within a minute; do not time a planner
        # that has never seen them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.perf_counter() - start


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min)"


def report(results: list[Result], memory: dict[int, float]) -> None:
    header = (
        f"{'size':>8}  {'page':<34}{'rows':>8}{'queries':>8}{'median':>11}{'p95':>11}"
        f"{'SQL':>11}{'ratio':>8}"
    )
    print()
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.size:>8,}  {r.name:<34}{r.rows:>8,}{r.queries:>8}{r.median:>9.1f}ms"
            f"{r.p95:>9.1f}ms{statistics.median(r.baseline):>9.1f}ms{r.ratio:>7.1f}x"
        )
    print()
    for size, peak in memory.items():
        print(f"{size:>8,}  export.csv peak Python memory while streaming: {peak:6.1f} MB")


# What each page's baseline is, for the JSON file's notes.
BASELINES = {
    "dashboard /evidence/": "count of published rows + first page of 25 in SQL",
    "dashboard filtered": "the same WHERE (two EXISTS) in SQL, count + first page",
    "gap map /evidence/gap-map/": "one GROUP BY focus × outcome in SQL",
    "export.csv (all rows, streamed)": "one raw query through a chunked cursor to csv.writer",
}


def record(recorder: Recorder, results: list[Result], size: int, peak_mb: float | None) -> None:
    """One size's figures as printed by ``report``, for ``--json``."""
    page = ""
    for r in results:
        if r.name.startswith("  same"):
            name, baseline = f"{page}, first after a change", BASELINES[page]
        else:
            page = name = r.name
            baseline = BASELINES[page]
        recorder.add_times(
            f"{size:,}: {name}",
            r.samples,
            r.baseline,
            p95=r.p95,
            notes=f"{r.rows:,} rows, {r.queries} queries; baseline: {baseline}",
        )
    if peak_mb is None:  # the export was not measured
        return
    recorder.add(
        f"{size:,}: export.csv peak Python memory while streaming",
        unit="MB",
        runs=1,
        median=peak_mb,
        p95=None,
        baseline_median=None,
        better="lower",
        notes="tracemalloc; no baseline: it must not grow with the rows",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--runs", type=int, default=RUNS, help="timed runs per page")
    parser.add_argument("--export-runs", type=int, default=EXPORT_RUNS)
    parser.add_argument(
        "--cold-runs",
        type=int,
        default=COLD_RUNS,
        help="timed runs of the cached pages, each after a registry change",
    )
    parser.add_argument(
        "--pages",
        nargs="+",
        choices=PAGES,
        default=list(PAGES),
        help="measure only these (e.g. --pages export); all by default",
    )
    add_json_option(parser)
    args = parser.parse_args()
    recorder = Recorder("evidence", args.json)

    old_name = migrate()
    # Serve as production does: no query log kept in memory, no template debugging.
    settings.DEBUG = False
    try:
        print(
            f"{connection.vendor}, {os.cpu_count()} CPUs; {args.runs} runs per page "
            f"({args.cold_runs} after a change), {args.export_runs} per export, "
            f"after one warm-up; {load()}"
        )
        results: list[Result] = []
        memory: dict[int, float] = {}
        for size in sorted(args.sizes):
            seconds = grow_to(size)
            print(f"built {Intervention.objects.count():,} interventions in {seconds:.1f} s")
            size_results, peak_mb = measure(
                size, args.runs, args.export_runs, args.cold_runs, args.pages
            )
            if peak_mb is not None:
                memory[size] = peak_mb
            results.extend(size_results)
            report(size_results, {size: peak_mb} if peak_mb is not None else {})
            record(recorder, size_results, size, peak_mb)
        print("\nAll sizes:")
        report(results, memory)
        largest = max(args.sizes)
        filtered = next(
            (r for r in results if r.size == largest and r.name == "dashboard filtered"), None
        )
        if filtered is not None:
            verdict = "met" if filtered.p95 < TARGET_P95_MS else "MISSED"
            print(
                f"\nTarget: filtered dashboard p95 < {TARGET_P95_MS:.0f} ms at {largest:,}: "
                f"{filtered.p95:.1f} ms, {verdict}"
            )
        # Other processes on a shared machine show up in p95; say how busy it was.
        print(f"Machine at the end: {load()}")
        if len(memory) > 1:
            low, high = memory[min(memory)], memory[max(memory)]
            print(
                f"Export memory from {min(memory):,} to {max(memory):,} rows: "
                f"{low:.1f} MB → {high:.1f} MB ({high / low:.1f}x)"
            )
    finally:
        if old_name is not None:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        if TEMP_DIR:
            shutil.rmtree(TEMP_DIR, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
