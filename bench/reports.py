"""Benchmark: municipal briefs — one brief, and the monthly run over every municipality.

Builds a synthetic country (33 regions, up to 1,122 municipalities), each municipality
with a panel of 50 leaders answering W monthly waves of the default questionnaire
(through ``collection.accept``, answers from the demo's seeded generator), a published
dialogue process with four commitments (done and confirmed, overdue, disputed, on time),
and a year of homicides with a population. Then it times, in the same run:

1. **One brief** for one municipality, as the page's PDF link makes it: the figures
   (``services.build``), the HTML and the PDF (WeasyPrint). Target: under 2 s. Baseline:
   WeasyPrint alone on the same HTML (what the PDF costs by itself).
2. **The monthly run**: ``jobs.generate_month`` for the last month over every
   municipality with a closed wave — both editions, figures, HTML and storage (the PDF is
   made on first download). Target: under 30 minutes at 1,122 municipalities. Baseline:
   the month's aggregate rows of every panel read in one query per municipality.
   A second run (same data) must store nothing new: its time is recorded too.

    .venv/bin/python bench/reports.py --quick           # 30 municipalities × 3 waves
    .venv/bin/python bench/reports.py                   # 1,122 municipalities × 3 waves
    .venv/bin/python bench/reports.py --quick --json out.json

PostgreSQL: set DATABASE_URL; the script works in ``test_<name>`` beside it and drops it.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable

from report import Recorder, add_json_option

os.environ.setdefault("DEBUG", "true")
TEMP_DIR = None
if "DATABASE_URL" not in os.environ:
    TEMP_DIR = tempfile.mkdtemp(prefix="bench-reports-")
    os.environ["DATABASE_URL"] = f"sqlite:///{TEMP_DIR}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convivencia.settings")
os.environ.setdefault("CONTACT_ENCRYPTION_KEY", base64.urlsafe_b64encode(os.urandom(32)).decode())
warnings.filterwarnings("ignore", "No directory at", UserWarning)

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from convivencia.accounts.choices import OrganisationType  # noqa: E402
from convivencia.accounts.models import Organisation  # noqa: E402
from convivencia.core.text import fold  # noqa: E402
from convivencia.dialogues.models import Commitment, CommitmentStatus, Process  # noqa: E402
from convivencia.indicators import periods, presets, rollup  # noqa: E402
from convivencia.indicators.choices import PeriodType  # noqa: E402
from convivencia.indicators.models import DataElement, DataValue  # noqa: E402
from convivencia.panels import collection, demo  # noqa: E402
from convivencia.panels.choices import SubmissionSource, WaveStatus  # noqa: E402
from convivencia.panels.models import Aggregate, Panel, Wave  # noqa: E402
from convivencia.panels.questionnaire_default import ensure_default_questionnaire  # noqa: E402
from convivencia.reports import jobs, services  # noqa: E402
from convivencia.reports.choices import Audience  # noqa: E402
from convivencia.reports.models import Brief  # noqa: E402
from convivencia.territories.choices import Level  # noqa: E402
from convivencia.territories.models import Population, Territory  # noqa: E402
from convivencia.territories.services import ensure_country  # noqa: E402

logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)

FULL_MUNICIPALITIES = 1_122
QUICK_MUNICIPALITIES = 30
WAVES = 3
REGIONS = 33
SEED = 1122
FIRST_PERIOD = datetime.date(2024, 1, 1)
TARGET_BRIEF_S = 2.0
TARGET_MONTH_S = 30 * 60
RUNS = 7


def migrate() -> str | None:
    if connection.vendor == "postgresql":
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        return old_name
    call_command("migrate", verbosity=0)
    return None


def months(count: int) -> list[datetime.date]:
    found = []
    for index in range(count):
        year, month = divmod(FIRST_PERIOD.month - 1 + index, 12)
        found.append(datetime.date(FIRST_PERIOD.year + year, month + 1, 1))
    return found


def build_country(count: int) -> list[Territory]:
    country = ensure_country("CO")
    regions = Territory.objects.bulk_create(
        Territory(
            parent=country, level=Level.REGION, name=f"Región {r + 1}", search_name=f"region {r}"
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
            for m in range(count)
        ),
        batch_size=2000,
    )
    by_id = {region.pk: region for region in regions}
    for municipality in created:
        municipality.path = f"{by_id[municipality.parent_id].path}{municipality.pk}/"
    Territory.objects.bulk_update(created, ["path"], batch_size=2000)
    return created


def build_panels(territories: list[Territory], periods_: list[datetime.date]) -> int:
    """A panel per municipality with its waves answered and closed; answers stored."""
    from convivencia.panels.importers.xlsform import included_items

    questionnaire = ensure_default_questionnaire()
    rng = random.Random(SEED)
    answers = 0
    started = time.perf_counter()
    items = None
    for index, territory in enumerate(territories, start=1):
        panel = Panel.objects.create(
            code=f"bench-{index:04d}",
            name=territory.name,
            territory=territory,
            questionnaire=questionnaire,
            local_provider_name="Inspección de Policía",
        )
        place = demo.Place(
            divipola=f"B{index:04d}",
            name=territory.name,
            rural=rng.uniform(0.1, 0.85),
            state_trust=rng.uniform(-0.1, 0.07),
            safety=rng.uniform(-0.06, 0.05),
            victims=rng.uniform(0.09, 0.19),
        )
        members = demo.plan_members(
            place, rng, size=demo.PANEL_SIZE, waves=len(periods_), first_number=index * 100 + 1
        )
        demo.create_respondents(panel, members, periods_)
        if items is None:
            items = [demo.ItemShape.of(item) for item in included_items(questionnaire, panel)]
        generated = demo.PanelAnswers(
            place, members, items, random.Random(f"{SEED}-{index}"), id_prefix=panel.code
        ).waves(periods_, open_last=False)
        for period, raws in generated:
            wave = Wave.objects.create(panel=panel, period=period)
            collection.accept(wave, raws, SubmissionSource.FILE)
            answers += len(raws)
        Wave.objects.filter(panel=panel).update(status=WaveStatus.CLOSED)
        if index % 50 == 0 or index == len(territories):
            print(
                f"  {index:,}/{len(territories):,} panels, {answers:,} submissions, "
                f"{time.perf_counter() - started:,.0f} s",
                file=sys.stderr,
                flush=True,
            )
    return answers


def build_dialogues_and_records(territories: list[Territory], last: datetime.date) -> None:
    police = Organisation.objects.create(name="Policía (bench)", type=OrganisationType.POLICE)
    statuses = {status.code: status for status in CommitmentStatus.objects.all()}
    processes = Process.objects.bulk_create(
        Process(territory=territory, title=f"Diálogo {territory.name}", is_published=True)
        for territory in territories
    )
    commitments = []
    for process in processes:
        for reference, code, days in (
            ("C-1", "verified", -20),
            ("C-2", "in_progress", -10),
            ("C-3", "reported_done", -5),
            ("C-4", "not_started", 40),
        ):
            commitments.append(
                Commitment(
                    process=process,
                    reference=reference,
                    title=f"Compromiso {reference}",
                    responsible=police,
                    territory=process.territory,
                    due_date=last + datetime.timedelta(days=days),
                    verification="Acta",
                    status=statuses[code],
                )
            )
    Commitment.objects.bulk_create(commitments, batch_size=2000)
    presets.ensure_presets()
    homicides = DataElement.objects.get(code="homicides")
    year = periods.parse(str(last.year - 1))
    values = []
    for territory in territories:
        for month in range(1, 13):
            period = periods.parse(f"{last.year - 1}-{month:02d}")
            values.append(
                DataValue(
                    element=homicides,
                    territory=territory,
                    period=period.code,
                    period_type=PeriodType.MONTH,
                    start=period.start,
                    end=period.end,
                    value=1 + month % 3,
                    source="police",
                )
            )
    DataValue.objects.bulk_create(values, batch_size=5000)
    Population.objects.bulk_create(
        Population(territory=territory, year=last.year - 1, value=50_000, source="DANE")
        for territory in territories
    )
    rollup.refresh([homicides.pk], ["police"], year.start, year.end)


def timed(function: Callable[[], object], runs: int, cpu: list[float] | None = None) -> list[float]:
    """Wall times; the process's CPU times too into ``cpu`` (on a shared machine the wall
    time mostly measures the other processes)."""
    samples = []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        samples.append(time.perf_counter() - start)
        if cpu is not None:
            cpu.append(time.process_time() - start_cpu)
    return samples


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30 municipalities")
    parser.add_argument("--municipalities", type=int, default=None)
    parser.add_argument("--waves", type=int, default=WAVES)
    parser.add_argument("--runs", type=int, default=RUNS)
    add_json_option(parser)
    args = parser.parse_args()
    count = args.municipalities or (QUICK_MUNICIPALITIES if args.quick else FULL_MUNICIPALITIES)
    recorder = Recorder("reports", args.json)
    old_name = migrate()
    try:
        periods_ = months(args.waves)
        last = periods_[-1]
        print(f"building {count:,} municipalities × {args.waves} waves…", file=sys.stderr)
        start = time.perf_counter()
        territories = build_country(count)
        submissions = build_panels(territories, periods_)
        build_dialogues_and_records(territories, last)
        print(
            f"built in {time.perf_counter() - start:,.0f} s ({submissions:,} submissions)",
            file=sys.stderr,
        )
        size = f"{count:,} municipalities × {args.waves} waves × {demo.PANEL_SIZE} leaders"

        # 1. One brief, as the PDF link makes it.
        territory = territories[len(territories) // 2]
        html_holder: dict[str, str] = {}

        def one_brief() -> None:
            rendered = services.build(territory, last, "es", Audience.PUBLIC)
            html_holder["html"] = services.render_html(rendered)
            services.render_pdf(html_holder["html"])

        one_brief()  # warm: imports, fonts, caches
        brief_cpu: list[float] = []
        pdf_cpu: list[float] = []
        brief = timed(one_brief, args.runs, brief_cpu)
        pdf_alone = timed(lambda: services.render_pdf(html_holder["html"]), args.runs, pdf_cpu)
        recorder.add_times(
            "one brief (figures, HTML, PDF)",
            [s * 1000 for s in brief],
            [s * 1000 for s in pdf_alone],
            p95=p95(brief) * 1000,
            notes=f"baseline: WeasyPrint alone on the same HTML; target < 2 s; {size}",
        )
        recorder.add_times(
            "one brief, CPU time",
            [s * 1000 for s in brief_cpu],
            [s * 1000 for s in pdf_cpu],
            p95=p95(brief_cpu) * 1000,
            notes=f"the process's CPU time (what the brief costs on an idle core); {size}",
        )
        print(
            f"one brief: median {statistics.median(brief):.2f} s, p95 {p95(brief):.2f} s, "
            f"CPU {statistics.median(brief_cpu):.2f} s "
            f"(PDF alone {statistics.median(pdf_alone):.2f} s); target < {TARGET_BRIEF_S} s"
        )

        # 2. The monthly run over every municipality with a closed wave.
        active = jobs.active_territories(last)
        assert len(active) == count, (len(active), count)
        start, start_cpu = time.perf_counter(), time.process_time()
        result = jobs.generate_month(last, active)
        month_seconds = time.perf_counter() - start
        month_cpu = time.process_time() - start_cpu
        assert result["created"] == 2 * count, result
        waves = dict(Wave.objects.filter(period=last).values_list("panel__territory_id", "pk"))
        start = time.perf_counter()
        for municipality in active:
            list(Aggregate.objects.filter(wave_id=waves[municipality.pk]).values_list("n"))
        baseline_seconds = time.perf_counter() - start
        recorder.add(
            "monthly run, every municipality",
            unit="s",
            runs=1,
            median=month_seconds,
            p95=None,
            baseline_median=baseline_seconds,
            better="lower",
            notes=f"baseline: the month's aggregate rows read per municipality; target < "
            f"{TARGET_MONTH_S} s; both editions, HTML stored; {size}",
        )
        recorder.add(
            "monthly run, every municipality, CPU time",
            unit="s",
            runs=1,
            median=month_cpu,
            p95=None,
            baseline_median=None,
            better="lower",
            notes=f"the process's CPU time; {size}",
        )
        start = time.perf_counter()
        again = jobs.generate_month(last, active)
        unchanged_seconds = time.perf_counter() - start
        assert again["created"] == 0, again
        recorder.add(
            "monthly run again, nothing changed",
            unit="s",
            runs=1,
            median=unchanged_seconds,
            p95=None,
            baseline_median=baseline_seconds,
            better="lower",
            notes=f"the same data: no new version stored; {size}",
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        recorder.add(
            "peak memory",
            unit="MB",
            runs=1,
            median=peak,
            p95=None,
            baseline_median=None,
            better="lower",
            notes="the whole script, building included",
        )
        print(
            f"monthly run: {count:,} municipalities in {month_seconds:,.1f} s "
            f"({month_seconds / count:.2f} s each, CPU {month_cpu:,.1f} s, "
            f"{Brief.objects.count():,} briefs), "
            f"again unchanged in {unchanged_seconds:,.1f} s; baseline {baseline_seconds:.2f} s; "
            f"target < {TARGET_MONTH_S:,} s; peak {peak:,.0f} MB"
        )
        ok = statistics.median(brief) < TARGET_BRIEF_S and month_seconds < TARGET_MONTH_S
        if not ok:
            print("TARGET MISSED", file=sys.stderr)
        return 0
    finally:
        if old_name is not None:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        if TEMP_DIR is not None:
            shutil.rmtree(TEMP_DIR, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
