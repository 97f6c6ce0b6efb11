"""Benchmark: perception panels at national scale — import, trend and national map.

Builds a synthetic country (33 regions, up to 1,122 municipalities) with one panel
of 50 leaders per municipality and W monthly waves of the default questionnaire
(16 items asked every month, VIC1_REPORT when VIC1 is yes; about 17 answer rows
per submission), answers generated in code by the demo's generator
(``convivencia.panels.demo``, seeded). At full size that is 1,122 × 50 × 36 ≈ 2
million submissions and ≈ 32 million answer rows. It measures, in the same run:

1. **Import** through the real validation path: ``collection.accept`` per wave
   (validation against questionnaire and roster, submissions, answers and the
   aggregates in one transaction), in answers per second. Baseline: the same
   answer rows, read back after each wave, inserted into a copy of the answer
   table (same columns and indexes) as fast as the database takes them (``COPY`` on
   PostgreSQL, 199 rows per ``INSERT`` on SQLite) — no validation, no submissions,
   no aggregates.
2. **Municipality trend**: the dashboard's trend for one panel across all its waves,
   through the functions the dashboard calls (``charts.waves_of``,
   ``items_by_code``, ``results_by_wave``, ``trend_series``), read from Aggregate.
   **National map**: ``maps.map_cells`` for B18 in one month for a national
   analyst (every municipality's % trusting, from Aggregate by item_code + period +
   breakdown "all"). Median and p95 over ``--runs``; baseline: the same numbers
   computed from the raw answers (one SQL query for the rows, pandas for the
   arithmetic). The script asserts both give IDENTICAL numbers (to 1e-9).
3. **Peak memory** of the process (``resource.getrusage``).

It also checks the stored aggregates of a sample of waves against the raw answers
(``aggregates.mismatches``).

    .venv/bin/python bench/panels.py --quick            # 30 municipalities × 12 waves (~1–2 min)
    .venv/bin/python bench/panels.py                    # 1,122 × 36 ≈ 32 M answers (hours)
    .venv/bin/python bench/panels.py --municipalities 200 --waves 36 --runs 50
    .venv/bin/python bench/panels.py --quick --profile  # + cProfile of the import path
    .venv/bin/python bench/panels.py --quick --json out.json   # + the measures as JSON

PostgreSQL (create the database once; the script works in ``test_<name>``, created
beside it and dropped at the end, so the database named in the URL is never touched;
the role must be allowed to create databases):

    createdb -h 127.0.0.1 -U postgres bench
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench .venv/bin/python bench/panels.py --quick

SQLite (the default) works in a temporary file, removed at the end. Targets on a
2-core machine: import ≥ 50,000 answers/s; trend and map p95 under 50 ms.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import datetime
import io
import math
import os
import pstats
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from report import Recorder, add_json_option

os.environ.setdefault("DEBUG", "true")
TEMP_DIR = None
if "DATABASE_URL" not in os.environ:
    TEMP_DIR = tempfile.mkdtemp(prefix="bench-panels-")
    os.environ["DATABASE_URL"] = f"sqlite:///{TEMP_DIR}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convivencia.settings")
# The rosters' contact data is encrypted; a throw-away key for a throw-away database.
os.environ.setdefault("CONTACT_ENCRYPTION_KEY", base64.urlsafe_b64encode(os.urandom(32)).decode())
warnings.filterwarnings("ignore", "No directory at", UserWarning)

import django  # noqa: E402

django.setup()

import pandas as pd  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402

from convivencia.accounts.choices import OrganisationType, Role  # noqa: E402
from convivencia.accounts.models import Organisation, User  # noqa: E402
from convivencia.accounts.services import grant  # noqa: E402
from convivencia.core.bulk import insert_rows  # noqa: E402
from convivencia.core.startup import settle_heap  # noqa: E402
from convivencia.core.text import fold  # noqa: E402
from convivencia.panels import aggregates, charts, collection, demo, maps  # noqa: E402
from convivencia.panels.choices import SubmissionSource, WaveStatus  # noqa: E402
from convivencia.panels.models import (  # noqa: E402
    Aggregate,
    Item,
    Panel,
    Submission,
    Wave,
)
from convivencia.panels.questionnaire_default import ensure_default_questionnaire  # noqa: E402
from convivencia.territories.choices import Level  # noqa: E402
from convivencia.territories.models import Territory  # noqa: E402
from convivencia.territories.services import ensure_country  # noqa: E402

FULL_MUNICIPALITIES = 1_122
FULL_WAVES = 36
QUICK = (30, 12)
REGIONS = 33
RESPONDENTS = demo.PANEL_SIZE
RUNS = 30
SEED = 1122
FIRST_PERIOD = datetime.date(2022, 1, 1)
MAP_ITEM = "B18"
SAMPLE_WAVES = 20  # waves whose aggregates are checked against the raw answers
TOLERANCE = 1e-9
TARGET_ANSWERS_PER_SECOND = 50_000
TARGET_P95_MS = 50.0


class RawAnswer(models.Model):
    """The baseline's table: the answer table's columns and indexes, no application."""

    submission = models.ForeignKey(Submission, on_delete=models.DO_NOTHING, related_name="+")
    item = models.ForeignKey(
        Item, on_delete=models.DO_NOTHING, related_name="+", db_index=False
    )  # as Answer.item
    number = models.FloatField(null=True)
    missing = models.PositiveSmallIntegerField(null=True)
    text = models.TextField(blank=True)

    class Meta:
        app_label = "panels"
        db_table = "bench_raw_answer"

    def __str__(self) -> str:
        return f"{self.item_id}={self.number if self.missing is None else self.missing}"


# --- building ------------------------------------------------------------------------------


def migrate() -> str | None:
    """A fresh schema; on PostgreSQL in a new test_<name> database (returns the old name)."""
    if connection.vendor == "postgresql":
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        return old_name
    call_command("migrate", verbosity=0)
    return None


def build_country(municipalities: int) -> tuple[Territory, list[Territory]]:
    """33 regions and the municipalities spread over them, with materialised paths."""
    country = ensure_country("CO")
    regions = Territory.objects.bulk_create(
        Territory(
            parent=country,
            level=Level.REGION,
            name=f"Región {r + 1}",
            search_name=fold(f"Región {r + 1}"),
        )
        for r in range(REGIONS)
    )
    for region in regions:
        region.path = f"{country.path}{region.pk}/"
    Territory.objects.bulk_update(regions, ["path"])
    created = Territory.objects.bulk_create(
        (
            Territory(
                parent=regions[m % REGIONS],
                level=Level.MUNICIPALITY,
                name=f"Municipio {m + 1:04d}",
                search_name=fold(f"Municipio {m + 1:04d}"),
            )
            for m in range(municipalities)
        ),
        batch_size=2000,
    )
    by_id = {region.pk: region for region in regions}
    for municipality in created:
        municipality.path = f"{by_id[municipality.parent_id].path}{municipality.pk}/"
    Territory.objects.bulk_update(created, ["path"], batch_size=2000)
    return country, created


def national_analyst(country: Territory) -> User:
    user = User.objects.create(username="analista.nacional")
    grant(
        user,
        Organisation.objects.create(name="Observatorio (bench)", type=OrganisationType.ACADEMIA),
        Role.ANALYST,
        [country],
    )
    return user


@dataclass
class PanelPlan:
    panel: Panel
    answers: demo.PanelAnswers


def plan_panels(
    territories: Sequence[Territory], months: Sequence[datetime.date], seed: int
) -> list[PanelPlan]:
    """A panel per municipality, its roster (with replacements) and its answer generator."""
    questionnaire = ensure_default_questionnaire()
    rng = random.Random(seed)
    plans = []
    panels = Panel.objects.bulk_create(
        Panel(
            code=f"bench-{index:04d}",
            name=territory.name,
            territory=territory,
            questionnaire=questionnaire,
            local_provider_name="Inspección de Policía",
        )
        for index, territory in enumerate(territories, start=1)
    )
    items: list[demo.ItemShape] | None = None
    for index, panel in enumerate(panels, start=1):
        # Places differ as the demo's do: trust, safety, rurality, victimisation.
        place = demo.Place(
            divipola=f"B{index:04d}",
            name=panel.name,
            rural=rng.uniform(0.1, 0.85),
            state_trust=rng.uniform(-0.1, 0.07),
            safety=rng.uniform(-0.06, 0.05),
            victims=rng.uniform(0.09, 0.19),
        )
        members = demo.plan_members(
            place, rng, size=RESPONDENTS, waves=len(months), first_number=index * 100 + 1
        )
        demo.create_respondents(panel, members, months)
        if items is None:  # one questionnaire, the same items for every panel
            from convivencia.panels.importers.xlsform import included_items

            items = [demo.ItemShape.of(item) for item in included_items(questionnaire, panel)]
        answers = demo.PanelAnswers(
            place, members, items, random.Random(f"{seed}-{index}"), id_prefix=panel.code
        )
        plans.append(PanelPlan(panel, answers))
    return plans


# --- 1. import -----------------------------------------------------------------------------


@dataclass
class ImportTimes:
    answers: int = 0
    submissions: int = 0
    waves: int = 0
    generate: float = 0.0
    real: float = 0.0
    baseline: float = 0.0
    per_wave_real: list[float] = field(default_factory=list)
    per_wave_baseline: list[float] = field(default_factory=list)


def wave_rows(wave: Wave) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.submission_id, a.item_id, a.number, a.missing, a.text"
            " FROM panels_answer a JOIN panels_submission s ON s.id = a.submission_id"
            " WHERE s.wave_id = %s ORDER BY a.id",
            [wave.pk],
        )
        return cursor.fetchall()


def raw_insert(rows: list[tuple]) -> None:
    """The baseline: the same answer rows, no validation, no submissions, no aggregates —
    the fastest plain way each database takes rows (``core.bulk.insert_rows``: COPY on
    PostgreSQL, many rows per INSERT on SQLite)."""
    with transaction.atomic():
        insert_rows(RawAnswer, ("submission", "item", "number", "missing", "text"), rows)


def import_all(
    plans: Sequence[PanelPlan], months: Sequence[datetime.date], profiler: cProfile.Profile | None
) -> ImportTimes:
    times = ImportTimes()
    started = time.perf_counter()
    for number, plan in enumerate(plans, start=1):
        waves = Wave.objects.bulk_create(
            Wave(panel=plan.panel, period=period, status=WaveStatus.OPEN) for period in months
        )
        generated = plan.answers.waves(months, open_last=False)
        for wave in waves:
            start = time.perf_counter()
            _period, raws = next(generated)
            times.generate += time.perf_counter() - start

            if profiler is not None:
                profiler.enable()
            start = time.perf_counter()
            collection.accept(wave, raws, SubmissionSource.FILE)
            elapsed = time.perf_counter() - start
            if profiler is not None:
                profiler.disable()
            times.real += elapsed
            times.per_wave_real.append(elapsed)

            rows = wave_rows(wave)  # not timed: only the baseline's input
            start = time.perf_counter()
            raw_insert(rows)
            elapsed = time.perf_counter() - start
            times.baseline += elapsed
            times.per_wave_baseline.append(elapsed)

            times.answers += len(rows)
            times.submissions += len(raws)
            times.waves += 1
        Wave.objects.filter(panel=plan.panel).update(status=WaveStatus.CLOSED)
        if number % 25 == 0 or number == len(plans):
            elapsed = time.perf_counter() - started
            print(
                f"  {number:,}/{len(plans):,} panels, {times.answers:,} answers, "
                f"{elapsed:,.0f} s, {times.answers / times.real:,.0f} answers/s through "
                f"accept",
                file=sys.stderr,
                flush=True,
            )
    return times


# --- 2. trend and map ----------------------------------------------------------------------


def dashboard_trend(panel: Panel) -> tuple[charts.Results, dict]:
    """What the dashboard computes for its trend chart (views.dashboard_context)."""
    waves = charts.waves_of(panel)
    items = charts.items_by_code(panel, with_choices=False)
    trend_items = charts.trust_items(items, primary_only=True)
    results = charts.results_by_wave(
        waves,
        "all",
        reveal_small=False,
        codes=[item.code for item in trend_items],
        with_counts=False,
    )
    trend = charts.trend_series(panel, trend_items, charts.answered(waves), results)
    return results, trend


def raw_frame(sql: str, params: list, columns: list[str]) -> pd.DataFrame:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return pd.DataFrame.from_records(cursor.fetchall(), columns=columns)


def item_table() -> pd.DataFrame:
    rows = Item.objects.values_list(
        "pk", "code", "scale_min", "scale_max", "top_min", "reverse_coded"
    )
    return pd.DataFrame.from_records(
        list(rows), columns=["item_id", "code", "low", "high", "top_min", "reverse"]
    ).set_index("item_id")


def scored(frame: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Answers with their score (reverse-coding applied), missing codes left out."""
    frame = frame[frame["missing"].isna() & frame["number"].notna()]
    frame = frame.join(items, on="item_id")
    frame = frame.assign(
        score=frame["number"].where(
            ~frame["reverse"].astype(bool), frame["low"] + frame["high"] - frame["number"]
        )
    )
    return frame.assign(top=frame["score"] >= frame["top_min"])


def pandas_trend(
    panel: Panel, codes: list[str], items: pd.DataFrame
) -> dict[tuple[int, str], tuple[float, float]]:
    """{(wave id, code): (% trusting, mean 0–100)} from the raw answers."""
    frame = raw_frame(
        "SELECT s.wave_id, a.item_id, a.number, a.missing"
        " FROM panels_answer a JOIN panels_submission s ON s.id = a.submission_id"
        " JOIN panels_wave w ON w.id = s.wave_id JOIN panels_item i ON i.id = a.item_id"
        f" WHERE w.panel_id = %s AND i.code IN ({', '.join(['%s'] * len(codes))})",
        [panel.pk, *codes],
        ["wave_id", "item_id", "number", "missing"],
    )
    frame = scored(frame, items)
    grouped = frame.groupby(["wave_id", "code", "low", "high"])
    table = grouped.agg(n=("score", "size"), n_top=("top", "sum"), total=("score", "sum"))
    found = {}
    for (wave_id, code, low, high), row in table.iterrows():
        mean = row["total"] / row["n"]
        found[(wave_id, code)] = (row["n_top"] / row["n"] * 100, (mean - low) / (high - low) * 100)
    return found


def pandas_map(item_code: str, period: datetime.date, items: pd.DataFrame) -> dict[int, float]:
    """{territory id: % favourable} for one item and month, from the raw answers."""
    frame = raw_frame(
        "SELECT p.territory_id, a.item_id, a.number, a.missing"
        " FROM panels_answer a JOIN panels_submission s ON s.id = a.submission_id"
        " JOIN panels_wave w ON w.id = s.wave_id JOIN panels_panel p ON p.id = w.panel_id"
        " JOIN panels_item i ON i.id = a.item_id WHERE i.code = %s AND w.period = %s",
        [item_code, period],
        ["territory_id", "item_id", "number", "missing"],
    )
    frame = scored(frame, items)
    table = frame.groupby("territory_id").agg(n=("top", "size"), n_top=("top", "sum"))
    return {int(t): row["n_top"] / row["n"] * 100 for t, row in table.iterrows()}


def timed(function: Callable[[], object], runs: int) -> list[float]:
    function()  # warm-up
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]


def check_trend(panel: Panel, items: pd.DataFrame) -> int:
    results, trend = dashboard_trend(panel)
    codes = [series["code"] for series in trend["series"]]
    expected = pandas_trend(panel, codes, items)
    compared = 0
    for wave_id, by_code in results.items():
        for code in codes:
            result = by_code.get(code)
            if result is None or result.suppressed:
                assert (wave_id, code) not in expected, (wave_id, code)
                continue
            pct, mean = expected[(wave_id, code)]
            assert math.isclose(result.pct_trust, pct, rel_tol=0, abs_tol=TOLERANCE), (
                wave_id,
                code,
                result.pct_trust,
                pct,
            )
            assert math.isclose(result.mean_0_100, mean, rel_tol=0, abs_tol=TOLERANCE), (
                wave_id,
                code,
                result.mean_0_100,
                mean,
            )
            compared += 1
    assert compared == len(expected), (compared, len(expected))
    return compared


def check_map(user: User, period: datetime.date, items: pd.DataFrame) -> int:
    cells = {cell.territory_id: cell for cell in maps.map_cells(user, MAP_ITEM, period)}
    expected = pandas_map(MAP_ITEM, period, items)
    assert set(cells) == set(expected), (len(cells), len(expected))
    for territory_id, value in expected.items():
        assert math.isclose(cells[territory_id].value, value, rel_tol=0, abs_tol=TOLERANCE), (
            territory_id,
            cells[territory_id].value,
            value,
        )
    return len(expected)


# --- reporting -----------------------------------------------------------------------------


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min)"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# The parts of collection.accept, as (module file, function) in the profile.
PHASES = (
    ("collection.py", "validate", "validate (roster, questionnaire, every value)"),
    ("collection.py", "_items", "  of which: the panel's items and choices"),
    ("collection.py", "check_one", "  of which: checking the values"),
    ("collection.py", "store", "store (submissions, answers, aggregates)"),
    ("aggregates.py", "add", "  of which: aggregates.add"),
    ("aggregates.py", "_sum_cells", "    of which: the sums per cell"),
    ("bulk.py", "insert_rows", "  of which: insert_rows (all rows written)"),
)


def print_profile(profiler: cProfile.Profile, limit: int = 25) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    total = stats.total_tt
    print(f"\nProfile of the import path (collection.accept): {total:.1f} s under cProfile")
    for filename, function, label in PHASES:
        cumulative = sum(
            values[3]
            for (path, _line, name), values in stats.stats.items()
            if name == function and path.endswith(f"panels/{filename}")
        )
        print(f"   {label:<48}{cumulative:8.1f} s {cumulative / total:6.0%}")
    # The database driver's own commit (SQLite: the WAL's fsync), once per wave.
    commits = sum(
        values[3]
        for (path, _line, name), values in stats.stats.items()
        if "'commit' of" in name or (name == "commit" and "psycopg" in path)
    )
    print(f"   {'commits (the driver)':<48}{commits:8.1f} s {commits / total:6.0%}")
    stats.sort_stats("tottime").print_stats(limit)
    print(out.getvalue())
    if os.environ.get("BENCH_PROFILE_FILE"):
        stats.dump_stats(os.environ["BENCH_PROFILE_FILE"])


def row(
    name: str,
    samples: list[float],
    baseline: list[float],
    numbers: int,
    recorder: Recorder,
    notes: str,
) -> None:
    median, base = statistics.median(samples), statistics.median(baseline)
    print(
        f"{name:<34}{numbers:>8,}{median:>10.2f} ms{p95(samples):>10.2f} ms"
        f"{base:>10.2f} ms{p95(baseline):>10.2f} ms{median / base:>8.3f}"
    )
    recorder.add_times(
        name,
        samples,
        baseline,
        p95=p95(samples),
        notes=f"{numbers:,} numbers identical to the baseline's; {notes}",
    )


def record_import(recorder: Recorder, times: ImportTimes, size: str) -> None:
    """The import as a throughput over the whole run and as a time per wave."""
    recorder.add(
        "import through collection.accept",
        unit="answers/s",
        runs=1,
        median=times.answers / times.real,
        p95=None,
        baseline_median=times.answers / times.baseline,
        better="higher",
        notes=f"{size}: one rate over {times.answers:,} answers in {times.waves:,} waves; "
        f"baseline: the same rows inserted raw (insert_rows); the printed ratio is "
        f"time / baseline time, {times.real / times.baseline:.2f}",
    )
    recorder.add_times(
        "import, one wave through collection.accept",
        [seconds * 1000 for seconds in times.per_wave_real],
        [seconds * 1000 for seconds in times.per_wave_baseline],
        p95=p95(times.per_wave_real) * 1000,
        notes=f"{size}, about {times.answers / times.waves:,.0f} answers a wave; "
        "baseline: the wave's rows inserted raw",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--municipalities", type=int, default=FULL_MUNICIPALITIES)
    parser.add_argument("--waves", type=int, default=FULL_WAVES)
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK[0]} municipalities × {QUICK[1]} waves"
    )
    parser.add_argument("--runs", type=int, default=RUNS, help="timed runs of trend and map")
    parser.add_argument("--profile", action="store_true", help="cProfile the import path")
    parser.add_argument("--seed", type=int, default=SEED)
    add_json_option(parser)
    args = parser.parse_args()
    recorder = Recorder("panels", args.json)
    if args.quick:
        args.municipalities, args.waves = QUICK
    size = f"{args.municipalities:,} municipalities × {args.waves} waves"
    if not 1 <= args.municipalities <= 9_999 or args.waves < 2:
        parser.error("--municipalities must be 1–9,999 and --waves at least 2")

    old_name = migrate()
    # As production runs: no query log kept in memory.
    settings.DEBUG = False
    try:
        with connection.schema_editor() as editor:
            editor.create_model(RawAnswer)
        print(
            f"{connection.vendor}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; "
            f"{args.municipalities:,} municipalities × {RESPONDENTS} respondents × "
            f"{args.waves} waves; {load()}"
        )
        start = time.perf_counter()
        country, territories = build_country(args.municipalities)
        user = national_analyst(country)
        months = [demo.month(FIRST_PERIOD, offset) for offset in range(args.waves)]
        plans = plan_panels(territories, months, args.seed)
        print(f"built territories, panels and rosters in {time.perf_counter() - start:.1f} s")

        settle_heap()  # as the worker does when it starts (see core.startup)
        profiler = cProfile.Profile() if args.profile else None
        times = import_all(plans, months, profiler)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # do not time a planner that never saw the rows
        print(
            f"\n1. Import: {times.answers:,} answers in {times.submissions:,} submissions, "
            f"{times.waves:,} waves ({Aggregate.objects.count():,} aggregate rows); "
            f"generating them took {times.generate:.1f} s (not counted)"
        )
        real_rate = times.answers / times.real
        base_rate = times.answers / times.baseline
        per_wave = sorted(times.per_wave_real)
        print(
            f"   collection.accept (validate + store + aggregates): {times.real:9.1f} s  "
            f"{real_rate:>10,.0f} answers/s  (per wave median "
            f"{statistics.median(per_wave) * 1000:.0f} ms, p95 {p95(per_wave) * 1000:.0f} ms)"
        )
        print(
            f"   raw insert of the same rows (baseline):           {times.baseline:9.1f} s  "
            f"{base_rate:>10,.0f} answers/s"
        )
        print(f"   ratio (accept time / baseline time): {times.real / times.baseline:.2f}")
        record_import(recorder, times, size)
        verdict = "met" if real_rate >= TARGET_ANSWERS_PER_SECOND else "MISSED"
        print(f"   target ≥ {TARGET_ANSWERS_PER_SECOND:,} answers/s: {verdict}")
        full = FULL_MUNICIPALITIES * FULL_WAVES
        if args.municipalities * args.waves < full:
            per_wave_answers = times.answers / times.waves
            print(
                f"   extrapolated to {FULL_MUNICIPALITIES:,} × {FULL_WAVES} "
                f"(≈ {per_wave_answers * full / 1e6:.1f} M answers) at this rate: "
                f"{per_wave_answers * full / real_rate / 60:,.0f} min through accept, "
                f"{per_wave_answers * full / base_rate / 60:,.0f} min raw"
            )

        sample = random.Random(args.seed).sample(
            list(Wave.objects.select_related("panel")), min(SAMPLE_WAVES, times.waves)
        )
        problems = aggregates.mismatches(sample)
        assert not problems, problems[:5]
        print(f"   aggregates of {len(sample)} sampled waves match the raw answers")

        items = item_table()
        panel = plans[len(plans) // 2].panel
        period = months[-1]
        compared = check_trend(panel, items)
        mapped = check_map(user, period, items)
        trend_codes = [s["code"] for s in dashboard_trend(panel)[1]["series"]]
        # As the web process does at start-up (convivencia.wsgi), with the benchmark's
        # own data (which a server does not hold) frozen too: see core.startup.
        settle_heap()
        print(
            f"\n2. Reads, {args.runs} runs after a warm-up; numbers identical to pandas "
            f"on the raw answers (to {TOLERANCE:g}); {load()}"
        )
        print(
            f"{'':<34}{'numbers':>8}{'median':>13}{'p95':>13}{'pandas med':>13}"
            f"{'pandas p95':>13}{'ratio':>8}"
        )
        baseline = "one SQL query for the raw answers, pandas for the arithmetic"
        row(
            f"trend, one panel × {args.waves} waves",
            timed(lambda: dashboard_trend(panel), args.runs),
            timed(lambda: pandas_trend(panel, trend_codes, items), args.runs),
            compared,
            recorder,
            f"{size}; baseline: {baseline}",
        )
        row(
            f"national map, {MAP_ITEM} {period:%Y-%m}",
            timed(lambda: maps.map_cells(user, MAP_ITEM, period), args.runs),
            timed(lambda: pandas_map(MAP_ITEM, period, items), args.runs),
            mapped,
            recorder,
            f"{size}; baseline: {baseline}",
        )
        print(
            f"   targets: p95 under {TARGET_P95_MS:.0f} ms (the ratio is to pandas on the raw "
            "answers, one SQL query included)"
        )

        print(f"\n3. Peak memory (ru_maxrss): {peak_mb():,.0f} MB")
        recorder.add(
            "peak memory of the process (ru_maxrss)",
            unit="MB",
            runs=1,
            median=peak_mb(),
            p95=None,
            baseline_median=None,
            better="lower",
            notes=f"{size}; no baseline",
        )
        print(f"Machine at the end: {load()}")
        if profiler is not None:
            print_profile(profiler)
            # The trend's Python per figure, separately from the import's profile.
            trend_profiler = cProfile.Profile()
            trend_profiler.runcall(lambda: [dashboard_trend(panel) for _ in range(args.runs)])
            out = io.StringIO()
            trend_stats = pstats.Stats(trend_profiler, stream=out)
            print(
                f"\nProfile of {args.runs} dashboard trends: "
                f"{trend_stats.total_tt:.2f} s under cProfile"
            )
            trend_stats.sort_stats("tottime").print_stats(15)
            print(out.getvalue())
    finally:
        if old_name is not None:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        if TEMP_DIR:
            shutil.rmtree(TEMP_DIR, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
