"""The load test's national-scale data (``bench/load/run.py --scale national``).

On top of the demo (its people, evidence and panels stay, so the load's logins and pages
work as at ``--scale demo``), in the PostgreSQL database of the run:

1. the real DIVIPOLA table (1,122 municipalities in 33 departments) and DANE's municipal
   populations 2018–2024, from ``../shared/data/co`` through the site's importers
   (``import_territories divipola``, ``import_population dane``);
2. a panel per municipality (``nacional-<DIVIPOLA>``): 50 leaders and their replacements
   (``demo.plan_members``, rosters written by ``demo.create_respondents``, contacts
   encrypted) and 36 closed monthly waves of the default questionnaire, answered by the
   demo's generator (``demo.PanelAnswers``, seeded per municipality). Every submission is
   checked by ``collection.check_one`` against the form's rules and the panel's roster
   (what ``collection.validate`` does per row) and each wave's aggregates are summed by
   the aggregates module's own ``_sum_cells`` and written as ``_insert_cells`` writes them
   (what ``aggregates.add`` does for a new wave), so the pages read what a real import
   would have left. The shortcut is in the writing: submissions, answers and aggregates
   of a group of 12 panels are streamed with one ``COPY`` each (submission ids taken from
   the table's sequence, the deferred foreign-key triggers skipped as ``pg_restore
   --disable-triggers`` does) instead of ~8 round trips per wave. Two processes share the
   panels;
3. ~10 M police counts: 10 data elements × 2015–2024 × 12 months × sex (2) × age group
   (4) for every municipality outside the demo's 13 (whose values are the demo's story),
   Poisson draws around national rates and each municipality's DANE population
   (``bench/indicators.py``'s generator), streamed with ``COPY`` under one extraction per
   element and year, then summed by ``rollup.refresh`` (the importer's own roll-up);
4. a national analyst (``analista.nacional``, the whole country) for the dashboards;
5. a check that the aggregates of 40 random national waves equal their raw answers
   (``aggregates.mismatches``), then ``VACUUM ANALYZE``.

Each part is skipped when already there: a panel that exists is not built again (a group
of panels is one transaction) and the crime values are marked by their extractions. The
database is built once and reused by every later run.
"""

from __future__ import annotations

import datetime
import io
import json
import multiprocessing
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]
DATA = PROJECT.parent / "shared" / "data" / "co"
DIVIPOLA_FILE = DATA / "divipola_mgn2018_municipios.csv"
POPULATION_FILE = DATA / "dane_poblacion_municipal_2018_2024.csv"

PANEL_PREFIX = "nacional-"
LEADERS = 50
WAVES = 36
# 36 closed waves ending the month before the load's own open waves (run in 2026-12).
FIRST_PERIOD = datetime.date(2023, 11, 1)
PANELS_PER_TRANSACTION = 12
PROCESSES = 2
SEED = 1122
CRIME_DATASET = "load:national"
CRIME_YEARS = list(range(2015, 2025))
CRIME_ELEMENTS = 10
NATIONAL_ANALYST = "analista.nacional"
CHECKED_WAVES = 40

Say = Callable[[str], None]


def build(say: Say = print) -> dict[str, float]:
    """Whatever of the national data is missing; seconds per part."""
    seconds: dict[str, float] = {}
    for name, part in (
        ("territories", territories),
        ("panels", panels),
        ("crime", crime),
        ("analyst", national_analyst),
        ("check", check_aggregates),
        ("analyze", analyze),
    ):
        started = time.perf_counter()
        part(say)
        seconds[name] = round(time.perf_counter() - started, 1)
        say(f"  {name}: {seconds[name]:,.0f} s")
    return seconds


def is_built() -> bool:
    from convivencia.indicators.models import Extraction
    from convivencia.panels.models import Panel

    expected = len(CRIME_YEARS) * CRIME_ELEMENTS
    return (
        Panel.objects.filter(code__startswith=PANEL_PREFIX, waves__isnull=False).distinct().count()
        >= municipality_count()
        and Extraction.objects.filter(dataset__startswith=f"{CRIME_DATASET}:").count() == expected
    )


def municipality_count() -> int:
    with DIVIPOLA_FILE.open(encoding="utf-8") as handle:
        return sum(1 for _line in handle) - 1


# --- 1. territories and populations -------------------------------------------------------


def territories(say: Say) -> None:
    from django.core.management import call_command

    from convivencia.territories.choices import Level
    from convivencia.territories.importers.population import DANE_SOURCE
    from convivencia.territories.models import Population, Territory

    have = Territory.objects.filter(codes__scheme="divipola", level=Level.MUNICIPALITY).count()
    if have < municipality_count():
        call_command("import_territories", "divipola", str(DIVIPOLA_FILE), stdout=io.StringIO())
    # The demo has populations of its own (its 13 municipalities): look for DANE's.
    if not Population.objects.filter(source=DANE_SOURCE).exists():
        call_command("import_population", "dane", str(POPULATION_FILE), stdout=io.StringIO())
    say(
        f"  {Territory.objects.filter(level=Level.MUNICIPALITY).count():,} municipalities, "
        f"{Population.objects.count():,} populations"
    )


def municipalities() -> list[tuple[int, str, str]]:
    """(territory id, DIVIPOLA code, name) of every municipality, in code order."""
    from convivencia.territories.choices import Level
    from convivencia.territories.models import Territory

    return list(
        Territory.objects.filter(codes__scheme="divipola", level=Level.MUNICIPALITY)
        .order_by("codes__code")
        .values_list("pk", "codes__code", "name")
    )


# --- 2. panels ----------------------------------------------------------------------------


def months() -> list[datetime.date]:
    from convivencia.panels import demo

    return demo.periods(FIRST_PERIOD, WAVES)


def panels(say: Say) -> None:
    from django.db import connections

    from convivencia.panels.models import Panel
    from convivencia.panels.questionnaire_default import ensure_default_questionnaire

    ensure_default_questionnaire()
    done = set(Panel.objects.filter(code__startswith=PANEL_PREFIX).values_list("code", flat=True))
    todo = [place for place in municipalities() if f"{PANEL_PREFIX}{place[1]}" not in done]
    say(f"  panels: {len(done):,} there, {len(todo):,} to build")
    if not todo:
        return
    connections.close_all()  # each process opens its own
    shares = [todo[number::PROCESSES] for number in range(PROCESSES)]
    context = multiprocessing.get_context("fork")
    with context.Pool(PROCESSES) as pool:
        results = [pool.apply_async(build_panels, (share,)) for share in shares]
        for result in results:
            result.get()


def build_panels(places: Sequence[tuple[int, str, str]]) -> int:
    """Build these municipalities' panels, a transaction per group; the answers stored."""
    started, stored = time.perf_counter(), 0
    for first in range(0, len(places), PANELS_PER_TRANSACTION):
        stored += build_group(places[first : first + PANELS_PER_TRANSACTION])
        done = min(first + PANELS_PER_TRANSACTION, len(places))
        elapsed = time.perf_counter() - started
        print(
            f"  [{multiprocessing.current_process().name}] {done:,}/{len(places):,} panels, "
            f"{stored:,} answers, {elapsed:,.0f} s, {stored / elapsed:,.0f} answers/s",
            file=sys.stderr,
            flush=True,
        )
    return stored


def build_group(places: Sequence[tuple[int, str, str]]) -> int:
    """A group of panels in one transaction: rosters and waves through the ORM, each
    wave's batch checked by ``collection.check_one`` against the panel's form and roster
    and summed by the aggregates' own code, then every row of the group streamed with
    ``COPY`` (three statements for the group instead of ~8 round trips per wave: under a
    shared machine's load each round trip, not the Python, was most of the time)."""
    from django.db import connection, transaction

    from convivencia.panels import aggregates, collection, demo
    from convivencia.panels.choices import SubmissionSource, WaveStatus
    from convivencia.panels.importers.xlsform import included_items
    from convivencia.panels.models import Panel, Wave
    from convivencia.panels.questionnaire_default import ensure_default_questionnaire

    questionnaire = ensure_default_questionnaire()
    periods = months()
    accepted: list[tuple[Any, list[Any]]] = []  # (wave, its clean submissions)
    with transaction.atomic():
        for territory_id, code, name in places:
            rng = random.Random(f"{SEED}-{code}")
            place = demo.Place(
                divipola=code,
                name=name,
                rural=rng.uniform(0.1, 0.85),
                state_trust=rng.uniform(-0.1, 0.07),
                safety=rng.uniform(-0.06, 0.05),
                victims=rng.uniform(0.09, 0.19),
            )
            panel = Panel.objects.create(
                code=f"{PANEL_PREFIX}{code}",
                name=f"Panel de líderes de {name}",
                territory_id=territory_id,
                questionnaire=questionnaire,
                local_provider_name=place.local_provider,
            )
            members = demo.plan_members(
                place, rng, size=LEADERS, waves=WAVES, first_number=int(code) * 100 + 1
            )
            demo.create_respondents(panel, members, periods)
            closed = datetime.datetime.now(datetime.UTC)
            waves = Wave.objects.bulk_create(
                Wave(panel=panel, period=period, status=WaveStatus.CLOSED, closed_at=closed)
                for period in periods
            )
            # What collection.validate works out per wave, once per panel: the form's
            # rules and the roster. A new panel has no stored submission to collide with.
            items, lookups = collection._form(waves[0])
            rules = collection.rules_for(items, lookups)
            roster = collection._roster(panel.pk)
            shapes = [demo.ItemShape.of(item) for item in included_items(questionnaire, panel)]
            generator = demo.PanelAnswers(place, members, shapes, rng, id_prefix=panel.code)
            keys: dict[object, str] = {}
            for wave, (_period, raws) in zip(
                waves, generator.waves(periods, open_last=False), strict=True
            ):
                clean = []
                for raw in raws:
                    answers, problems = collection.check_one(raw, rules, keys)
                    member = roster[raw.respondent_code.lower()]
                    if problems:
                        raise ValueError(f"{panel.code} {wave.period}: {problems}")
                    clean.append(collection.CleanSubmission(raw, member, answers))
                accepted.append((wave, clean))
        total = sum(len(clean) for _wave, clean in accepted)
        ids = iter(next_ids(total))
        received = datetime.datetime.now(datetime.UTC)
        submissions: list[tuple[Any, ...]] = []
        answers_rows: list[tuple[Any, ...]] = []
        cells: list[tuple[Any, ...]] = []
        for wave, clean in accepted:
            for submission in clean:
                submission_id = next(ids)
                submissions.append(
                    (
                        submission_id,
                        wave.pk,
                        submission.respondent.id,
                        submission.raw.instance_id,
                        SubmissionSource.FILE,
                        submission.raw.submitted_at or received,
                        received,
                        # What collection.store writes for them (panels 0008).
                        json.dumps(submission.raw.raw_values, ensure_ascii=False, default=str),
                        submission.raw.review_status,
                    )
                )
                answers_rows.extend(
                    (submission_id, answer.item.id, answer.number, answer.missing, answer.text)
                    for answer in submission.answers
                )
            # aggregates.add for a wave without rows: _sum_cells, then _insert_cells'
            # rows (gathered here for one COPY).
            by_item, found = aggregates._sum_cells(
                [(submission.respondent, submission.answers) for submission in clean]
            )
            cells.extend(
                (
                    wave.pk,
                    item_id,
                    found[item_id].code,
                    wave.panel.territory_id,
                    wave.period,
                    *aggregates._columns(item_cells),
                )
                for item_id, item_cells in by_item.items()
            )
        with connection.cursor() as cursor:
            # Rows made above with ids from the tables themselves: the deferred foreign-key
            # checks (a trigger per row at COMMIT, a third of the time) are skipped, as
            # pg_restore --disable-triggers does.
            cursor.execute("SET LOCAL session_replication_role = replica")
            copy_rows(
                cursor,
                "panels_submission",
                "id, wave_id, respondent_id, instance_id, source, submitted_at, received_at,"
                " raw_values, review_status",
                submissions,
            )
            copy_rows(
                cursor,
                "panels_answer",
                "submission_id, item_id, number, missing, text",
                answers_rows,
            )
            copy_rows(
                cursor,
                "panels_aggregate",
                ", ".join(
                    f"{name}_id" if name in ("wave", "item", "territory") else name
                    for name in aggregates.AGGREGATE_COLUMNS
                ),
                cells,
            )
    return len(answers_rows)


def next_ids(count: int) -> list[int]:
    """``count`` submission ids from the table's own sequence (safe beside other writers)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('panels_submission', 'id'))"
            " FROM generate_series(1, %s)",
            [count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(cursor: Any, table: str, columns: str, rows: Sequence[tuple[Any, ...]]) -> None:
    # Table and column names are this module's constants; the rows travel as COPY data.
    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


# --- 3. crime values ----------------------------------------------------------------------


def crime(say: Say) -> None:
    from django.db import transaction

    from convivencia.indicators import presets, rollup
    from convivencia.indicators.models import DataElement, Extraction
    from convivencia.territories.demo import MUNICIPALITIES
    from convivencia.territories.importers.population import DANE_SOURCE
    from convivencia.territories.models import Population

    sys.path.insert(0, str(HERE.parent))
    import indicators as generator  # bench/indicators.py: its generator and COPY

    presets.ensure_presets()
    elements = list(presets.ELEMENTS)[:CRIME_ELEMENTS]
    element_ids = dict(DataElement.objects.filter(code__in=elements).values_list("code", "pk"))
    demo_codes = {code for code, *_rest in MUNICIPALITIES}
    places = [place for place in municipalities() if place[1] not in demo_codes]
    ids = [pk for pk, _code, _name in places]
    known = {
        (territory_id, year): value
        for territory_id, year, value in Population.objects.filter(
            territory_id__in=ids, source=DANE_SOURCE
        ).values_list("territory_id", "year", "value")
    }
    populations: dict[int, np.ndarray] = {}
    for year in CRIME_YEARS:
        # DANE's series starts in 2018: earlier years' counts are drawn around 2018's size.
        populations[year] = np.array(
            [known.get((pk, max(year, 2018)), 15_000) for pk in ids], dtype=np.int64
        )
    target = generator.Places(
        country=None,  # type: ignore[arg-type]  # raw_rows reads only the municipality ids
        departments=[],
        municipality_ids=ids,
        codes=[code for _pk, code, _name in places],
        department_of={},
    )
    done = set(
        Extraction.objects.filter(dataset__startswith=f"{CRIME_DATASET}:").values_list(
            "dataset", flat=True
        )
    )
    started, values = time.perf_counter(), 0
    for element in elements:
        for year in CRIME_YEARS:
            dataset = f"{CRIME_DATASET}:{element}:{year}"
            if dataset in done:
                continue
            chunk = generator.generate(element, year, populations)
            with transaction.atomic():
                extraction = Extraction.objects.create(
                    dataset=dataset,
                    format="load",
                    file_name="generated",
                    checksum="",
                    values=chunk.values,
                    total=float(chunk.counts.sum()),
                    note="Load test data (synthetic)",
                )
                generator.raw_insert(
                    generator.raw_rows(chunk, target, element_ids[element], extraction.pk)
                )
            values += chunk.values
        say(
            f"  crime {element}: {values:,} values so far, "
            f"{values / max(time.perf_counter() - started, 1e-9):,.0f} values/s"
        )
    first = datetime.date(CRIME_YEARS[0], 1, 1)
    last = datetime.date(CRIME_YEARS[-1], 12, 31)
    started = time.perf_counter()
    for element in elements:
        rollup.refresh([element_ids[element]], [generator.SOURCE], first, last)
    say(f"  roll-up: {time.perf_counter() - started:,.0f} s")


# --- 4. a national analyst ----------------------------------------------------------------


def national_analyst(say: Say) -> None:
    from convivencia.accounts.choices import OrganisationType, Role
    from convivencia.accounts.models import Organisation, User
    from convivencia.accounts.services import grant
    from convivencia.demo import DEMO_PASSWORD
    from convivencia.territories.models import Territory

    if User.objects.filter(username=NATIONAL_ANALYST).exists():
        return
    user = User.objects.create(username=NATIONAL_ANALYST, first_name="Nora", last_name="Nación")
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    country = Territory.objects.countries().get(codes__scheme="iso", codes__code="CO")
    organisation, _created = Organisation.objects.get_or_create(
        name="Observatorio nacional (carga)", defaults={"type": OrganisationType.ACADEMIA}
    )
    grant(user, organisation, Role.ANALYST, [country])


def check_aggregates(say: Say) -> None:
    """The stored aggregates of a sample of national waves equal a fresh computation from
    their raw answers (``aggregates.mismatches``, what ``check_aggregates`` runs)."""
    from convivencia.panels import aggregates
    from convivencia.panels.models import Wave

    sample = list(
        Wave.objects.filter(panel__code__startswith=PANEL_PREFIX).order_by("?")[:CHECKED_WAVES]
    )
    found = aggregates.mismatches(sample)
    if found:
        raise SystemExit(f"aggregates differ from the answers: {found[:5]}")
    say(f"  aggregates of {len(sample)} random waves equal their raw answers")


def analyze(say: Say) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        # Autovacuum would get there within minutes; the load must not time a planner
        # that never saw the new rows, nor index-only scans without a visibility map.
        cursor.execute("VACUUM ANALYZE")
