"""Benchmark: crime indicators at national scale (about 10 million data values).

Builds, in a throw-away database, Colombia's 33 departments and 1,122
municipalities (the real DIVIPOLA table from ``../shared/data`` when it is there,
else 33 synthetic regions × 34 municipalities), a population per municipality,
department and year, and police counts for 10 data elements × 10 years × 12
months × sex (2) × age group (4): 1,122 × 10 × 12 × 10 × 8 = 10,771,200 values,
generated in code (seeded Poisson counts proportional to population). Then it
reports, each against a baseline run in the same process:

1. Import. Most values are inserted raw, with no checks (many rows per INSERT
   on SQLite, COPY on PostgreSQL): the throughput of that is the baseline.
   ``--values`` of them (whole files of one data element × one year, 107,712
   values each) go through the real import path instead: a generated tidy
   CSV file, then ``importers.check("tidy", …)``
   and ``common.write(plan)``, the two calls ``manage.py import_crime tidy``
   makes (write includes ``rollup.refresh`` for the file's element and year,
   timed apart). Each such file is first inserted raw in a transaction that is
   rolled back, so importer and baseline insert the same rows into a table of
   the same size. The roll-up of the raw rows (``rollup.refresh`` per data
   element over all years) is timed too.
2. Maps and trends, through ``indicators.explorer`` (what the explorer page
   calls): the national map of 1,122 municipal homicide rates for the last year
   (one ``choropleth`` of the country at the municipal level, ``level=``),
   one department's map (the largest), and the largest department's 10-year
   trend by month (120 rates) and by year (10). Baseline: the same rates from
   the raw values (not the roll-up) in pandas, and in DuckDB when it is
   installed, on a DataFrame of every current value loaded once. Every rate
   must equal its baseline (numerator and population exactly, rate to 1e-9).
3. The queries each computation makes and the plan of its main query.

    .venv/bin/python bench/indicators.py --quick        # 2 elements × 2 years, ~2 minutes
    .venv/bin/python bench/indicators.py                # 10,771,200 values, ~12 minutes
    .venv/bin/python bench/indicators.py --values 6462720 --plans   # 60 files imported
    .venv/bin/python bench/indicators.py --quick --profile          # where the time goes
    .venv/bin/python bench/indicators.py --quick --json out.json    # + the measures as JSON
    createdb -h 127.0.0.1 -U postgres bench_ind
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_ind .venv/bin/python bench/indicators.py

SQLite (the default) lives in a temporary directory removed at the end; the full
size takes about 3 GB of disk there. With PostgreSQL the database named in the
URL is left alone: the script creates ``test_<name>`` beside it (the role must
be allowed to CREATE DATABASE) and drops it at the end.
``pip install duckdb`` (not a project dependency) adds the DuckDB baseline.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import datetime
import io
import math
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from report import Recorder

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DIVIPOLA_FILE = PROJECT_ROOT.parent / "shared" / "data" / "co" / "divipola_mgn2018_municipios.csv"

TEMP_DIR: str | None = None
if __name__ == "__main__":
    # Run as a script: settings read with DEBUG on (no SECRET_KEY needed) and a throw-away
    # SQLite file unless DATABASE_URL says otherwise. Imported by the smoke test, Django
    # is already set up and nothing here runs.
    os.environ.setdefault("DEBUG", "true")
    if "DATABASE_URL" not in os.environ:
        TEMP_DIR = tempfile.mkdtemp(prefix="bench-indicators-")
        os.environ["DATABASE_URL"] = f"sqlite:///{TEMP_DIR}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convivencia.settings")

    import django

    django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from convivencia.core.bulk import insert_rows  # noqa: E402
from convivencia.core.startup import settle_heap  # noqa: E402
from convivencia.indicators import explorer, importers, periods, presets, rollup  # noqa: E402
from convivencia.indicators.choices import AgeGroup, Sex, Source  # noqa: E402
from convivencia.indicators.importers.common import Options, write  # noqa: E402
from convivencia.indicators.models import (  # noqa: E402
    DataElement,
    DataValue,
    Extraction,
    Indicator,
    Total,
)
from convivencia.indicators.rates import Rate  # noqa: E402
from convivencia.territories.choices import Level, Scheme  # noqa: E402
from convivencia.territories.models import Population, Territory  # noqa: E402
from convivencia.territories.services import ensure_country, upsert_territory  # noqa: E402

SEED = 20_261_122
FIRST_YEAR = 2015
SOURCE = Source.POLICE
POPULATION_SOURCE = "DANE projections (synthetic)"
INDICATOR = "homicide_rate"
# Every municipality-month is split by sex × age group, as the Policía's files are:
# the 8 disaggregations that bring 1,122 × 10 years × 12 months × 10 elements to ~10M.
DISAGGREGATIONS = [
    (sex, age_group)
    for sex in (Sex.FEMALE, Sex.MALE)
    for age_group in (AgeGroup.CHILDREN, AgeGroup.ADOLESCENTS, AgeGroup.ADULTS, AgeGroup.UNKNOWN)
]
# Who the victims are (same order): mostly adult men, as in homicide statistics.
SHARES = np.array([0.01, 0.02, 0.14, 0.01, 0.02, 0.07, 0.66, 0.07])
# Yearly rates per 100,000 of the order Colombia records; they only set the counts' size.
RATES_PER_100K = {
    "homicides": 25,
    "robbery": 250,
    "theft": 600,
    "sexual_violence": 50,
    "domestic_violence": 200,
    "extortion": 15,
    "kidnapping": 0.5,
    "femicide": 1,
    "threats_to_leaders": 2,
    "injuries": 220,
}
TARGET_P95_MS = 100.0
RUNS = 30
REL_TOLERANCE = 1e-9


# Sizes


@dataclass(frozen=True)
class Size:
    """How much data: years × data elements (× every municipality, month, disaggregation)."""

    years: int = 10
    elements: int = 10  # the first of presets.ELEMENTS, homicides first
    import_values: int = 1_077_120  # through the real importer: 10 files of 107,712

    @property
    def year_list(self) -> list[int]:
        return list(range(FIRST_YEAR, FIRST_YEAR + self.years))

    @property
    def element_codes(self) -> list[str]:
        return list(presets.ELEMENTS)[: self.elements]

    def values(self, municipalities: int) -> int:
        return municipalities * self.years * 12 * self.elements * len(DISAGGREGATIONS)


FULL = Size()
QUICK = Size(years=2, elements=2, import_values=107_712)


# Territories and populations


@dataclass
class Places:
    """The country, its departments, and the municipalities in a fixed order."""

    country: Territory
    departments: list[Territory]
    municipality_ids: list[int]
    codes: list[str]  # DIVIPOLA code of each municipality, same order
    department_of: dict[int, int]  # municipality id → department id

    def municipalities_of(self, department: Territory) -> list[int]:
        return [pk for pk in self.municipality_ids if self.department_of[pk] == department.pk]


def build_territories(divipola: Path | None, *, regions: int = 33, per_region: int = 34) -> Places:
    """The real DIVIPOLA table when given, else ``regions`` × ``per_region`` synthetic ones.

    Synthetic territories get DIVIPOLA-shaped codes (two and five digits), so that
    the generated tidy files name them exactly as they would name real ones.
    """
    if divipola is not None:
        call_command("import_territories", "divipola", str(divipola), stdout=io.StringIO())
    else:
        country = ensure_country("CO")
        for region_number in range(regions):
            region_code = f"{10 + region_number:02d}"
            region, _ = upsert_territory(
                parent=country,
                level=Level.REGION,
                name=f"Región {region_code}",
                codes={Scheme.DIVIPOLA: region_code},
            )
            for number in range(1, per_region + 1):
                upsert_territory(
                    parent=region,
                    level=Level.MUNICIPALITY,
                    name=f"Municipio {region_code}{number:03d}",
                    codes={Scheme.DIVIPOLA: f"{region_code}{number:03d}"},
                )
    country = Territory.objects.countries().get(codes__scheme=Scheme.ISO, codes__code="CO")
    departments = list(Territory.objects.within(country).regions().order_by("pk"))
    rows = (
        Territory.objects.within(country)
        .municipalities()
        .filter(codes__scheme=Scheme.DIVIPOLA)
        .order_by("pk")
        .values_list("pk", "parent_id", "codes__code")
    )
    ids, codes, department_of = [], [], {}
    for pk, parent_id, code in rows:
        ids.append(pk)
        codes.append(code)
        department_of[pk] = parent_id
    return Places(country, departments, ids, codes, department_of)


def generate_populations(places: Places, years: Sequence[int]) -> dict[int, np.ndarray]:
    """Each municipality's population by year (same order as ``places``), seeded.

    Log-normal around 15,000 like Colombia's municipalities (most small, a few
    cities of millions), growing 1.2 % a year.
    """
    rng = np.random.default_rng([SEED, 0])
    base = np.clip(
        rng.lognormal(math.log(15_000), 1.1, len(places.municipality_ids)), 1_000, 8_000_000
    )
    return {year: np.rint(base * 1.012 ** (year - FIRST_YEAR)).astype(np.int64) for year in years}


def store_populations(places: Places, populations: dict[int, np.ndarray]) -> None:
    """Municipalities as generated; departments and the country as their sums, since
    rates for them are divided by their own population row."""
    rows = []
    for year, values in populations.items():
        by_department: dict[int, int] = {}
        for pk, value in zip(places.municipality_ids, values.tolist(), strict=True):
            rows.append(
                Population(territory_id=pk, year=year, value=value, source=POPULATION_SOURCE)
            )
            department_id = places.department_of[pk]
            by_department[department_id] = by_department.get(department_id, 0) + value
        for department_id, value in by_department.items():
            rows.append(
                Population(
                    territory_id=department_id, year=year, value=value, source=POPULATION_SOURCE
                )
            )
        rows.append(
            Population(
                territory_id=places.country.pk,
                year=year,
                value=int(values.sum()),
                source=POPULATION_SOURCE,
            )
        )
    Population.objects.bulk_create(rows, batch_size=5_000)


# Values


@dataclass(frozen=True)
class Chunk:
    """One data element's counts for one year: what one yearly file of that crime holds."""

    element: str
    year: int
    counts: np.ndarray  # municipality × month × disaggregation

    @property
    def values(self) -> int:
        return int(self.counts.size)


def generate(element: str, year: int, populations: dict[int, np.ndarray]) -> Chunk:
    """Poisson counts with the element's rate, the year's population and fixed shares.

    Seeded by element and year, so a chunk is the same whichever order they are made in.
    """
    index = list(presets.ELEMENTS).index(element)
    rng = np.random.default_rng([SEED, 1 + index, year])
    monthly = populations[year] * RATES_PER_100K[element] / 100_000 / 12
    # municipality × month × disaggregation: the same expectation every month.
    expected = monthly[:, None, None] * SHARES[None, None, :] * np.ones((1, 12, 1))
    return Chunk(element, year, rng.poisson(expected))


INSERT_FIELDS = (
    "element",
    "territory",
    "period",
    "period_type",
    "start",
    "end",
    "source",
    "sex",
    "age_group",
    "weapon",
    "subtype",
    "value",
    "comment",
    "extraction",
    "stored_by",
    "stored_at",
    "deleted_at",
)


def raw_rows(
    chunk: Chunk, places: Places, element_id: int, extraction_id: int | None
) -> list[tuple[Any, ...]]:
    """The chunk as parameter tuples for ``raw_insert``: what the importer would store."""
    adapt = connection.ops.adapt_datefield_value
    stored_at = connection.ops.adapt_datetimefield_value(timezone.now())
    months = [periods.month(chunk.year, number) for number in range(1, 13)]
    dates = [(adapt(month.start), adapt(month.end)) for month in months]
    counts = chunk.counts.tolist()
    rows = []
    for territory_id, by_month in zip(places.municipality_ids, counts, strict=True):
        for month, (start, end), values in zip(months, dates, by_month, strict=True):
            for (sex, age_group), value in zip(DISAGGREGATIONS, values, strict=True):
                rows.append(
                    (
                        element_id,
                        territory_id,
                        month.code,
                        month.type,
                        start,
                        end,
                        SOURCE,
                        sex,
                        age_group,
                        "",
                        "",
                        float(value),
                        "",
                        extraction_id,
                        None,
                        stored_at,
                        None,
                    )
                )
    return rows


def raw_insert(rows: list[tuple[Any, ...]]) -> None:
    """The fastest way in, no checks: many rows per INSERT on SQLite, COPY on PostgreSQL.

    psycopg's executemany still sends one INSERT per row (about 10,000 rows/s here),
    which would make a weak baseline; COPY is what a bulk load on PostgreSQL uses.
    """
    fields = [DataValue._meta.get_field(name) for name in INSERT_FIELDS]
    quote = connection.ops.quote_name
    table = quote(DataValue._meta.db_table)
    columns = ", ".join(quote(item.column) for item in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: checked at COMMIT,
            # which the rolled-back baseline never reaches. Checked here, as on SQLite
            # (which looks the parent up as each row goes in), so both pay for them.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
    insert_rows(DataValue, INSERT_FIELDS, rows)  # as the importer writes on SQLite


def write_tidy(path: Path, chunk: Chunk, places: Places) -> None:
    """The chunk as a tidy CSV file (``importers/tidy.py``), one value per row."""
    counts = chunk.counts.tolist()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "territory_code",
                "scheme",
                "period",
                "data_element",
                "value",
                "sex",
                "age_group",
                "source",
            ]
        )
        for code, by_month in zip(places.codes, counts, strict=True):
            for number, values in enumerate(by_month, start=1):
                period = f"{chunk.year}-{number:02d}"
                for (sex, age_group), value in zip(DISAGGREGATIONS, values, strict=True):
                    writer.writerow(
                        [
                            code,
                            Scheme.DIVIPOLA,
                            period,
                            chunk.element,
                            value,
                            sex,
                            age_group,
                            SOURCE,
                        ]
                    )


def dataset_name(chunk: Chunk) -> str:
    return f"bench:{chunk.element}:{chunk.year}"


def bulk_extraction(chunk: Chunk) -> Extraction:
    """The raw rows are given an extraction, as imported values always have one."""
    return Extraction.objects.create(
        dataset=dataset_name(chunk),
        format="bench",
        file_name="generated",
        checksum="",
        values=chunk.values,
        total=float(chunk.counts.sum()),
    )


@contextmanager
def timing_rollups() -> Iterator[list[float]]:
    """Seconds spent in each ``rollup.refresh`` called inside (``write`` calls it)."""
    seconds: list[float] = []
    original = rollup.refresh

    def timed(*args: Any, **kwargs: Any) -> int:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            seconds.append(time.perf_counter() - start)

    rollup.refresh = timed
    try:
        yield seconds
    finally:
        rollup.refresh = original


@dataclass
class ImportTiming:
    """One file through the importer, and the same rows inserted raw."""

    values: int
    check: float
    write: float  # including the roll-up
    rollup: float
    raw: float

    @property
    def total(self) -> float:
        return self.check + self.write


def import_file(chunk: Chunk, places: Places, element_id: int, directory: Path) -> ImportTiming:
    """Raw insert of the chunk (rolled back), then the chunk through the tidy importer."""
    with transaction.atomic():
        extraction = bulk_extraction(chunk)
        rows = raw_rows(chunk, places, element_id, extraction.pk)
        start = time.perf_counter()
        raw_insert(rows)
        raw = time.perf_counter() - start
        transaction.set_rollback(True)
    path = directory / f"{chunk.element}-{chunk.year}.csv"
    write_tidy(path, chunk, places)
    start = time.perf_counter()
    plan = importers.check("tidy", path, options=Options(dataset=dataset_name(chunk)))
    checked = time.perf_counter() - start
    assert len(plan.values) == chunk.values, (len(plan.values), chunk.values)
    with timing_rollups() as rollups:
        start = time.perf_counter()
        write(plan)
        written = time.perf_counter() - start
    path.unlink()
    return ImportTiming(chunk.values, checked, written, sum(rollups), raw)


# Building the database


@dataclass
class Build:
    places: Places
    populations: dict[int, np.ndarray]
    indicator: Indicator
    element_ids: dict[str, int]
    bulk_values: int = 0
    bulk_seconds: float = 0.0
    generate_seconds: float = 0.0
    rollup_seconds: list[float] = field(default_factory=list)
    imports: list[ImportTiming] = field(default_factory=list)


def imported_chunks(size: Size, municipalities: int) -> list[tuple[str, int]]:
    """Which (element, year) files go through the importer: whole files covering at least
    ``size.import_values``, newest year first (as new yearly files arrive)."""
    per_file = municipalities * 12 * len(DISAGGREGATIONS)
    files = min(math.ceil(size.import_values / per_file), size.years * size.elements)
    newest_first = [
        (element, year) for year in reversed(size.year_list) for element in size.element_codes
    ]
    return newest_first[:files]


def build(
    size: Size,
    divipola: Path | None,
    directory: Path,
    *,
    regions: int = 33,
    per_region: int = 34,
    say: Callable[[str], None] = print,
) -> Build:
    """Territories, populations, raw values, roll-up, then the importer's files.

    ``regions`` × ``per_region`` synthetic territories are made when ``divipola`` is None.
    """
    presets.ensure_presets()
    started = time.perf_counter()
    places = build_territories(divipola, regions=regions, per_region=per_region)
    populations = generate_populations(places, size.year_list)
    store_populations(places, populations)
    say(
        f"territories: {len(places.departments)} departments, "
        f"{len(places.municipality_ids):,} municipalities "
        f"({'DIVIPOLA' if divipola else 'synthetic'}), populations for {size.years} years "
        f"in {time.perf_counter() - started:.1f} s"
    )
    element_ids = dict(
        DataElement.objects.filter(code__in=size.element_codes).values_list("code", "pk")
    )
    indicator = Indicator.objects.select_related("numerator").get(code=INDICATOR)
    result = Build(places, populations, indicator, element_ids)
    through_importer = imported_chunks(size, len(places.municipality_ids))

    for element in size.element_codes:
        for year in size.year_list:
            if (element, year) in through_importer:
                continue
            start = time.perf_counter()
            chunk = generate(element, year, populations)
            with transaction.atomic():
                extraction = bulk_extraction(chunk)
                rows = raw_rows(chunk, places, element_ids[element], extraction.pk)
                generated = time.perf_counter()
                raw_insert(rows)
            result.generate_seconds += generated - start
            result.bulk_seconds += time.perf_counter() - generated
            result.bulk_values += chunk.values
        say(
            f"  {element}: {result.bulk_values:,} raw values so far, "
            f"{result.bulk_values / max(result.bulk_seconds, 1e-9):,.0f} values/s"
        )

    first, last = periods.parse(str(size.year_list[0])), periods.parse(str(size.year_list[-1]))
    for element in size.element_codes:
        start = time.perf_counter()
        rollup.refresh([element_ids[element]], [SOURCE], first.start, last.end)
        result.rollup_seconds.append(time.perf_counter() - start)
    say(
        f"roll-up of the raw values: {sum(result.rollup_seconds):.1f} s "
        f"({len(result.rollup_seconds)} elements)"
    )

    for number, (element, year) in enumerate(through_importer, start=1):
        chunk = generate(element, year, populations)
        timing = import_file(chunk, places, element_ids[element], directory)
        result.imports.append(timing)
        say(
            f"  imported {number}/{len(through_importer)} {element} {year}: "
            f"check {timing.check:.1f} s, write {timing.write:.1f} s "
            f"(roll-up {timing.rollup:.1f} s), raw {timing.raw:.1f} s"
        )
    if connection.vendor == "postgresql":
        # Autovacuum would vacuum and analyse the new rows within a minute (PostgreSQL
        # vacuums insert-only tables too): do not time a planner that has never seen
        # them, nor index-only scans that must visit every row's page because the
        # visibility map was never written.
        # VACUUM cannot run in a transaction: the smoke test builds inside one.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    return result


# The app's computations (what the explorer page calls)


def national_map(built: Build, period: periods.Period) -> dict[int, Rate]:
    """All municipalities' rates in one call: the country's map at the municipal level."""
    result = explorer.choropleth(
        built.indicator, built.places.country, period, SOURCE, level=Level.MUNICIPALITY
    )
    return {
        territory.pk: rate for territory, rate in zip(result.territories, result.rates, strict=True)
    }


def department_map(built: Build, department: Territory, period: periods.Period) -> dict[int, Rate]:
    result = explorer.choropleth(built.indicator, department, period, SOURCE)
    return {
        territory.pk: rate for territory, rate in zip(result.territories, result.rates, strict=True)
    }


def department_trend(
    built: Build, department: Territory, wanted: Sequence[periods.Period]
) -> dict[str, Rate]:
    return {
        rate.period: rate for rate in explorer.trend(built.indicator, department, wanted, SOURCE)
    }


def year_periods(size: Size) -> list[periods.Period]:
    return [periods.parse(str(year)) for year in size.year_list]


def month_periods(size: Size) -> list[periods.Period]:
    return [periods.month(year, number) for year in size.year_list for number in range(1, 13)]


# The baseline: the same rates from the raw values, in pandas (and DuckDB if installed)

# What a baseline gives per territory or period: (count, population, rate).
Expected = tuple[float, float, float]


@dataclass
class Frames:
    """Every current value and every population, in memory, as an analyst would load them."""

    values: Any  # pandas.DataFrame: element, territory, year, month, value
    populations: Any  # pandas.DataFrame: territory, year, population
    departments: Any  # pandas.DataFrame: territory, department
    seconds: float = 0.0


def load_frames(places: Places) -> Frames:
    """One pass over the raw values (current ones, of every element), outside any timing."""
    import pandas as pd

    start = time.perf_counter()
    table = connection.ops.quote_name(DataValue._meta.db_table)
    chunks: list[np.ndarray] = []
    with connection.chunked_cursor() as cursor:
        # Every period stored is a month ("2024-03"): year and month are read as numbers.
        cursor.execute(
            "SELECT element_id, territory_id, CAST(substr(period, 1, 4) AS INTEGER),"
            f" CAST(substr(period, 6, 2) AS INTEGER), value FROM {table}"
            " WHERE deleted_at IS NULL"
        )
        while batch := cursor.fetchmany(200_000):
            chunks.append(np.array(batch, dtype=np.float64))
    every = np.concatenate(chunks) if chunks else np.empty((0, 5))
    values = pd.DataFrame(
        {
            "element": every[:, 0].astype(np.int32),
            "territory": every[:, 1].astype(np.int64),
            "year": every[:, 2].astype(np.int16),
            "month": every[:, 3].astype(np.int8),
            "value": every[:, 4],
        }
    )
    populations = pd.DataFrame(
        list(Population.objects.values_list("territory_id", "year", "value")),
        columns=["territory", "year", "population"],
    )
    departments = pd.DataFrame(
        list(places.department_of.items()), columns=["territory", "department"]
    )
    return Frames(values, populations, departments, time.perf_counter() - start)


def pandas_map(
    frames: Frames,
    element_id: int,
    year: int,
    factor: int,
    territories: Sequence[int] | None = None,
) -> Any:
    """Count, population and rate per municipality (a DataFrame indexed by territory)."""
    values = frames.values
    rows = values[(values["element"] == element_id) & (values["year"] == year)]
    if territories is not None:
        rows = rows[rows["territory"].isin(territories)]
    result = rows.groupby("territory")["value"].sum().to_frame("count")
    populations = frames.populations
    population = populations[populations["year"] == year].set_index("territory")["population"]
    result["population"] = result.index.map(population)
    result["rate"] = result["count"] / result["population"] * factor
    return result


def pandas_trend(
    frames: Frames,
    element_id: int,
    department_id: int,
    territories: Sequence[int],
    factor: int,
    *,
    monthly: bool,
) -> Any:
    """A department's count, population and rate per month or year (indexed by period code).

    Monthly rates are divided by the year's population, as rates.compute does."""
    values = frames.values
    rows = values[(values["element"] == element_id) & values["territory"].isin(territories)]
    keys = ["year", "month"] if monthly else ["year"]
    result = rows.groupby(keys)["value"].sum().to_frame("count").reset_index()
    populations = frames.populations
    population = populations[populations["territory"] == department_id].set_index("year")[
        "population"
    ]
    result["population"] = result["year"].map(population)
    result["rate"] = result["count"] / result["population"] * factor
    if monthly:
        result.index = [
            f"{year}-{month:02d}"
            for year, month in zip(result["year"], result["month"], strict=True)
        ]
    else:
        result.index = [str(year) for year in result["year"]]
    return result


def expected_from_pandas(frame: Any) -> dict[Any, Expected]:
    return {
        key: (float(row.count), float(row.population), float(row.rate))
        for key, row in zip(frame.index, frame.itertuples(), strict=True)
    }


def duckdb_connection(frames: Frames) -> Any | None:
    """DuckDB over the same DataFrames, or None when it is not installed."""
    try:
        import duckdb
    except ImportError:
        return None
    database = duckdb.connect()
    database.register("v", frames.values)
    database.register("p", frames.populations)
    database.register("d", frames.departments)
    return database


def duckdb_map(
    database: Any, element_id: int, year: int, factor: int, department_id: int | None = None
) -> dict[Any, Expected]:
    within = (
        "AND v.territory IN (SELECT territory FROM d WHERE department = ?)"
        if department_id is not None
        else ""
    )
    parameters = [factor, element_id, year] + ([department_id] if department_id else [])
    rows = database.execute(
        "SELECT v.territory, sum(v.value), p.population, sum(v.value) / p.population * ?"
        " FROM v JOIN p ON p.territory = v.territory AND p.year = v.year"
        f" WHERE v.element = ? AND v.year = ? {within}"
        " GROUP BY v.territory, p.population",
        parameters,
    ).fetchall()
    return {
        territory: (count, float(population), rate) for territory, count, population, rate in rows
    }


def duckdb_trend(
    database: Any, element_id: int, department_id: int, factor: int, *, monthly: bool
) -> dict[Any, Expected]:
    month = "v.month" if monthly else "0"
    rows = database.execute(
        f"SELECT v.year, {month} AS m, sum(v.value), p.population,"
        " sum(v.value) / p.population * ?"
        " FROM v JOIN d ON d.territory = v.territory"
        " JOIN p ON p.territory = d.department AND p.year = v.year"
        " WHERE v.element = ? AND d.department = ?"
        " GROUP BY v.year, m, p.population",
        [factor, element_id, department_id],
    ).fetchall()
    return {
        (f"{year}-{number:02d}" if monthly else str(year)): (count, float(population), rate)
        for year, number, count, population, rate in rows
    }


def assert_same(name: str, app: dict[Any, Rate], expected: dict[Any, Expected]) -> None:
    """Every rate equals its baseline: count and population exactly, rate to 1e-9."""
    assert app.keys() == expected.keys(), (
        f"{name}: the app and the baseline cover {len(app)} and {len(expected)} keys"
    )
    for key, rate in app.items():
        count, population, value = expected[key]
        assert rate.numerator == count, (name, key, rate.numerator, count)
        assert rate.denominator == population, (name, key, rate.denominator, population)
        assert rate.value is not None and math.isclose(
            rate.value, value, rel_tol=REL_TOLERANCE, abs_tol=REL_TOLERANCE
        ), (name, key, rate.value, value)


# Measuring


def timed(function: Callable[[], object], runs: int, *, cold: bool = False) -> list[float]:
    """Milliseconds per run. ``cold``: the cache is emptied before each run (untimed), so
    every run computes, as the first request after an import does; otherwise the
    app's runs after the warm-up are served from the cache (``indicators.caching``)."""
    function()  # warm-up: translations, the database's page cache
    samples = []
    for _ in range(runs):
        if cold:
            cache.clear()
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def percentile95(samples: Sequence[float]) -> float:
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


@dataclass
class Result:
    name: str
    rates: int
    queries: int
    # Cold: cache emptied before each run (every run computes); warm: served from the cache.
    samples: list[float]
    pandas: list[float]
    duckdb: list[float] | None
    warm: list[float] = field(default_factory=list)
    warm_queries: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return percentile95(self.samples)

    @property
    def warm_median(self) -> float:
        return statistics.median(self.warm)

    @property
    def warm_p95(self) -> float:
        return percentile95(self.warm)


def count_queries(function: Callable[[], object]) -> tuple[int, list[dict[str, str]]]:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries), list(captured.captured_queries)


def totals_query(captured: list[dict[str, str]]) -> str:
    """The query that reads the roll-up (the first, for a map made of several calls).

    Picked by table rather than by time: on SQLite the rows are stepped through
    while they are fetched, after the time Django records for the query."""
    table = connection.ops.quote_name(Total._meta.db_table)
    sql = next(query["sql"] for query in captured if f"FROM {table}" in query["sql"])
    # PostgreSQL reads it through a server-side cursor: explain the SELECT inside.
    return sql[sql.index("SELECT") :] if sql.startswith("DECLARE") else sql


def explain(sql: str) -> str:
    """The plan of a captured query: EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on
    PostgreSQL (the SQL was captured with its parameters in place)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return "\n".join(f"    {row[-1]}" for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(f"    {row[0]}" for row in cursor.fetchall())


def profile(function: Callable[[], object], lines: int = 14) -> None:
    """Where the time goes (--profile): functions by their own time."""
    profiler = cProfile.Profile()
    profiler.runcall(function)
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(lines)


def largest_department(places: Places) -> Territory:
    return max(
        places.departments,
        key=lambda department: (len(places.municipalities_of(department)), -department.pk),
    )


@dataclass
class Computation:
    """One question, asked of the app and of each baseline."""

    name: str
    app: Callable[[], dict[Any, Rate]]
    pandas: Callable[[], Any]
    duckdb: Callable[[], dict[Any, Expected]] | None


def computations(
    built: Build, size: Size, frames: Frames, database: Any | None
) -> list[Computation]:
    places, factor = built.places, built.indicator.factor
    homicides = built.indicator.numerator_id
    year = size.year_list[-1]
    department = largest_department(places)
    territories = places.municipalities_of(department)
    months, years = month_periods(size), year_periods(size)
    last_year = periods.parse(str(year))
    found = [
        Computation(
            f"national map, {len(places.municipality_ids):,} municipalities, {year}",
            lambda: national_map(built, last_year),
            lambda: pandas_map(frames, homicides, year, factor),
            (lambda: duckdb_map(database, homicides, year, factor)) if database else None,
        ),
        Computation(
            f"map of {department.name} ({len(territories)} municipalities), {year}",
            lambda: department_map(built, department, last_year),
            lambda: pandas_map(frames, homicides, year, factor, territories),
            (lambda: duckdb_map(database, homicides, year, factor, department.pk))
            if database
            else None,
        ),
        Computation(
            f"trend of {department.name}, {len(months)} months",
            lambda: department_trend(built, department, months),
            lambda: pandas_trend(
                frames, homicides, department.pk, territories, factor, monthly=True
            ),
            (lambda: duckdb_trend(database, homicides, department.pk, factor, monthly=True))
            if database
            else None,
        ),
        Computation(
            f"trend of {department.name}, {len(years)} years",
            lambda: department_trend(built, department, years),
            lambda: pandas_trend(
                frames, homicides, department.pk, territories, factor, monthly=False
            ),
            (lambda: duckdb_trend(database, homicides, department.pk, factor, monthly=False))
            if database
            else None,
        ),
    ]
    return found


def measure(
    built: Build, size: Size, runs: int, *, show_plans: bool, profiled: bool
) -> list[Result]:
    frames = load_frames(built.places)
    print(
        f"\nbaseline data loaded into pandas: {len(frames.values):,} values in "
        f"{frames.seconds:.1f} s (not counted in the baseline's times)"
    )
    database = duckdb_connection(frames)
    # As the web process does at start-up (convivencia.wsgi): what is loaded by now —
    # here also the baseline's frames, which a server does not hold — is frozen out of
    # the collector's sight, so a full collection does not walk it during a timed run.
    settle_heap()
    if database is None:
        print("DuckDB is not installed (pip install duckdb): its baseline is skipped")
    results = []
    for item in computations(built, size, frames, database):
        cache.clear()
        app = item.app()
        assert_same(item.name + " (pandas)", app, expected_from_pandas(item.pandas()))
        if item.duckdb is not None:
            assert_same(item.name + " (DuckDB)", app, item.duckdb())
        # What the cache serves must be what was computed.
        assert_same(item.name + " (cached)", item.app(), expected_from_pandas(item.pandas()))
        cache.clear()
        queries, captured = count_queries(item.app)
        warm_queries, _captured = count_queries(item.app)
        results.append(
            Result(
                item.name,
                len(app),
                queries,
                timed(item.app, runs, cold=True),
                timed(item.pandas, runs),
                timed(item.duckdb, runs) if item.duckdb is not None else None,
                warm=timed(item.app, runs),
                warm_queries=warm_queries,
            )
        )
        if show_plans:
            main_query = totals_query(captured)
            print(
                f"\n{item.name}: {queries} queries; the one reading the totals:\n"
                f"    {main_query[:700]}\n  plan:\n{explain(main_query)}"
            )
        if profiled:
            print(f"\n{item.name}: profile of one cold run (cache emptied)")
            cache.clear()
            profile(item.app)
    return results


# Reporting


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min)"


def raw_method() -> str:
    return "COPY" if connection.vendor == "postgresql" else "multi-row INSERT"


def throughput(label: str, seconds: float, values: int, extra: str = "") -> None:
    print(f"  {label:<48}{seconds:8.1f} s {values / seconds:>10,.0f} values/s{extra}")


def report_import(built: Build, size: Size) -> None:
    municipalities = len(built.places.municipality_ids)
    total_values = size.values(municipalities)
    print(
        f"\n{total_values:,} values = {municipalities:,} municipalities × {size.years} years "
        f"× 12 months × {size.elements} elements × {len(DISAGGREGATIONS)} (sex × age group)"
    )
    if built.bulk_values:
        print(
            f"{built.bulk_values:,} values inserted raw (generating them took "
            f"{built.generate_seconds:.1f} s, not counted):"
        )
        throughput(f"raw {raw_method()}", built.bulk_seconds, built.bulk_values)
        throughput(
            f"rollup.refresh, {len(built.rollup_seconds)} calls (median "
            f"{statistics.median(built.rollup_seconds):.1f} s)",
            sum(built.rollup_seconds),
            built.bulk_values,
        )
    if not built.imports:
        return
    values = sum(timing.values for timing in built.imports)
    check = sum(timing.check for timing in built.imports)
    written = sum(timing.write for timing in built.imports)
    rolled = sum(timing.rollup for timing in built.imports)
    raw = sum(timing.raw for timing in built.imports)
    importer = check + written
    per_file = sorted(timing.total for timing in built.imports)
    print(
        f"{values:,} values through the tidy importer, {len(built.imports)} files of "
        f"{built.imports[0].values:,}, into a table already holding {built.bulk_values:,} "
        f"(per file {per_file[0]:.0f}–{per_file[-1]:.0f} s):"
    )
    throughput("check (read CSV, parse, look up, conflicts)", check, values)
    throughput("write without its roll-up (insert, audit)", written - rolled, values)
    throughput("write's rollup.refresh", rolled, values)
    throughput("importer in all", importer, values)
    throughput(
        f"raw {raw_method()} of the same rows (rolled back)",
        raw,
        values,
        f"   importer / raw = {importer / raw:.1f}x",
    )
    minutes = total_values / (values / importer) / 60
    print(
        f"  extrapolated: all {total_values:,} values through the importer ≈ "
        f"{minutes:.0f} min at this rate, one file after another"
    )


def report(results: list[Result]) -> None:
    header = (
        f"{'computation':<46}{'rates':>6}{'queries':>8}{'median':>10}{'p95':>10}"
        f"{'pandas':>10}{'ratio':>8}{'DuckDB':>10}{'ratio':>8}"
    )
    print(
        "\nCOLD: the cache emptied before each run, so every run computes "
        "(the first request after any change to the data)"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        pandas_median = statistics.median(r.pandas)
        duck = ""
        if r.duckdb is not None:
            duck_median = statistics.median(r.duckdb)
            duck = f"{duck_median:>8.1f}ms{r.median / duck_median:>7.1f}x"
        print(
            f"{r.name:<46}{r.rates:>6,}{r.queries:>8}{r.median:>8.1f}ms{r.p95:>8.1f}ms"
            f"{pandas_median:>8.1f}ms{r.median / pandas_median:>7.1f}x{duck}"
        )
    print("\nWARM: the same call again, served from the cache (data unchanged)")
    print(header[:80])  # from "computation" to "p95": cached runs have no baseline column
    for r in results:
        print(
            f"{r.name:<46}{r.rates:>6,}{r.warm_queries:>8}{r.warm_median:>8.1f}ms"
            f"{r.warm_p95:>8.1f}ms"
        )


def described(built: Build, size: Size) -> str:
    return f"{size.values(len(built.places.municipality_ids)):,} values"


def record_import(recorder: Recorder, built: Build, size: Size) -> None:
    """What ``report_import`` prints, for ``--json``."""
    values = described(built, size)
    if built.bulk_values:
        recorder.add(
            "roll-up of the raw values (rollup.refresh)",
            unit="values/s",
            runs=1,
            median=built.bulk_values / sum(built.rollup_seconds),
            p95=None,
            baseline_median=None,
            better="higher",
            notes=f"{values}; {len(built.rollup_seconds)} calls, one per element; no baseline",
        )
    if built.imports:
        imported = sum(timing.values for timing in built.imports)
        importer = sum(timing.total for timing in built.imports)
        raw = sum(timing.raw for timing in built.imports)
        files = f"{len(built.imports)} files of {built.imports[0].values:,} values"
        recorder.add(
            "tidy importer (check + write)",
            unit="values/s",
            runs=1,
            median=imported / importer,
            p95=None,
            baseline_median=imported / raw,
            better="higher",
            notes=f"{values}; one rate over {files}; baseline: the same rows inserted raw "
            f"({raw_method()}, rolled back); the printed importer / raw is "
            f"{importer / raw:.1f}x",
        )
        recorder.add_times(
            "tidy importer, one file",
            [timing.total * 1000 for timing in built.imports],
            [timing.raw * 1000 for timing in built.imports],
            p95=percentile95([timing.total * 1000 for timing in built.imports]),
            notes=f"{values}; {files}; baseline: the file's rows inserted raw",
        )


def record_results(recorder: Recorder, built: Build, size: Size, results: list[Result]) -> None:
    """What ``report`` prints, for ``--json``."""
    values = described(built, size)
    for r in results:
        duckdb = ""
        if r.duckdb is not None:
            duck_median = statistics.median(r.duckdb)
            duckdb = f"; DuckDB {duck_median:.1f} ms, ratio {r.median / duck_median:.1f}"
        baseline = "pandas on every raw value loaded in memory"
        recorder.add_times(
            f"{r.name}, cold",
            r.samples,
            r.pandas,
            p95=r.p95,
            notes=f"{values}; {r.rates:,} rates equal to the baseline's, {r.queries} queries, "
            f"cache emptied before each run; baseline: {baseline}{duckdb}",
        )
        recorder.add_times(
            f"{r.name}, warm",
            r.warm,
            r.pandas,
            p95=r.warm_p95,
            notes=f"{values}; served from the cache, {r.warm_queries} queries; "
            f"baseline: {baseline}",
        )


def migrate() -> str | None:
    """A fresh schema; on PostgreSQL in a new test_<name> database (returns the old name)."""
    if connection.vendor == "postgresql":
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        return old_name
    call_command("migrate", verbosity=0)
    return None


def main() -> int:
    # Here, not at the top: run as a script, bench/ is on sys.path; the smoke test
    # imports this module from the test suite, where it is not.
    from report import Recorder, add_json_option

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK.elements} elements × {QUICK.years} years, one imported "
        "file (about two minutes)",
    )
    parser.add_argument("--years", type=int, default=FULL.years)
    parser.add_argument(
        "--elements",
        type=int,
        default=FULL.elements,
        choices=range(1, len(presets.ELEMENTS) + 1),
        metavar="N",
    )
    parser.add_argument(
        "--values",
        type=int,
        default=FULL.import_values,
        help="values through the real importer (rounded up to whole files "
        "of one element × year); 0 for none",
    )
    parser.add_argument("--runs", type=int, default=RUNS, help="timed runs per computation")
    parser.add_argument(
        "--synthetic",
        action="store_true",
        help="33 × 34 generated territories even when DIVIPOLA is there",
    )
    parser.add_argument(
        "--plans", action="store_true", help="print each computation's slowest query and its plan"
    )
    parser.add_argument(
        "--profile", action="store_true", help="print a profile of one run of each computation"
    )
    add_json_option(parser)
    args = parser.parse_args()
    recorder = Recorder("indicators", args.json)
    size = QUICK if args.quick else Size(args.years, args.elements, args.values)
    divipola = DIVIPOLA_FILE if DIVIPOLA_FILE.is_file() and not args.synthetic else None

    old_name = migrate()
    # As production runs: no query log kept in memory.
    settings.DEBUG = False
    started = time.perf_counter()
    try:
        print(f"{connection.vendor}, {os.cpu_count()} CPUs, {datetime.date.today()}; {load()}")
        with tempfile.TemporaryDirectory(prefix="bench-indicators-files-") as directory:
            built = build(size, divipola, Path(directory))
        report_import(built, size)
        record_import(recorder, built, size)
        results = measure(built, size, args.runs, show_plans=args.plans, profiled=args.profile)
        print(
            f"\n{args.runs} runs each after a warm-up; every rate equal to the pandas "
            "baseline" + (" and DuckDB's" if results[0].duckdb is not None else "")
        )
        report(results)
        record_results(recorder, built, size, results)
        for label, p95 in (("cold", lambda r: r.p95), ("warm", lambda r: r.warm_p95)):
            missed = [r.name for r in results if p95(r) >= TARGET_P95_MS]
            print(
                f"\nTarget p95 < {TARGET_P95_MS:.0f} ms, {label}: "
                + ("met by all" if not missed else "MISSED by " + "; ".join(missed))
            )
        print(f"Whole run {(time.perf_counter() - started) / 60:.1f} min; at the end {load()}")
    finally:
        if old_name is not None:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        if TEMP_DIR:
            shutil.rmtree(TEMP_DIR, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
