"""Synthetic crime figures for the demo municipalities, 2022-01 … 2024-11 on the story's
calendar (``core.demo_clock``), stored moved to today's: they end last month, the month
before the panels' open wave.

Monthly counts of homicides, robbery, extortion and domestic violence, by sex,
as police records (homicides also as forensic records, not disaggregated, so
that the source choice has something to show). Counts are Poisson draws
around plausible yearly rates, from a fixed seed: every run gives the same
numbers. The story matches the panel demo: in San Andrés de Tumaco (52835)
extortion climbs from mid-2024 and homicides rise with it, as trust in the
police falls; in Popayán (19001) robbery and homicides ease after the
dialogue of September 2024, as its police recover trust.

Everything is stored under one Extraction whose dataset starts with ``demo:``
and whose note says "Demo data (synthetic)"; a second run replaces it.
"""

from __future__ import annotations

import datetime

import numpy as np

from convivencia.core import demo_clock
from convivencia.indicators import presets, rollup
from convivencia.indicators.choices import PeriodType, Sex, Source
from convivencia.indicators.models import DataElement, DataValue, Extraction
from convivencia.indicators.periods import Period, month
from convivencia.territories.models import Population, Territory

DATASET = "demo:indicators"
NOTE = "Demo data (synthetic)"
FIRST_YEAR, LAST_YEAR = 2022, 2025
SEED = 20240901

# Yearly rates per 100,000 inhabitants before the story's changes.
DEFAULT_RATES = {"homicides": 25.0, "robbery": 160.0, "extortion": 14.0, "domestic_violence": 190.0}
RATES = {
    "05001": {"homicides": 14.0, "robbery": 330.0, "extortion": 18.0},
    "05154": {"homicides": 55.0},
    "05837": {"homicides": 35.0},
    "18753": {"homicides": 42.0, "extortion": 30.0},
    "18150": {"homicides": 45.0},
    "19001": {"homicides": 22.0, "robbery": 290.0, "extortion": 16.0},
    "19698": {"homicides": 60.0, "extortion": 28.0},
    "19821": {"homicides": 50.0},
    "52001": {"homicides": 12.0, "robbery": 260.0},
    "52835": {"homicides": 55.0, "robbery": 140.0, "extortion": 30.0},
    "52356": {"homicides": 10.0},
    "54001": {"homicides": 30.0, "robbery": 300.0, "extortion": 40.0},
    "54810": {"homicides": 80.0, "extortion": 45.0},
}
# Share of victims who are men, per element: the split by sex.
MALE_SHARE = {"homicides": 0.9, "robbery": 0.6, "extortion": 0.65, "domestic_violence": 0.22}
# Forensic medicine counts a few homicides the police files miss.
FORENSIC_EXTRA = 0.06


def _story(divipola: str, element: str, day: datetime.date) -> float:
    """How much the story multiplies the usual rate in this place and month.

    ``day`` is on the story's calendar (``core.demo_clock.REFERENCE``), not today's.
    """
    months_after = (day.year - 2024) * 12 + day.month
    if divipola == "52835" and day >= datetime.date(2023, 7, 1):
        # Tumaco: extortion triples over a year from July 2023, homicides follow by a third;
        # complete a few months before the story's today, so that the figures show it.
        ramp = min(1.0, (months_after + 12 - 7) / 12)
        if element == "extortion":
            return 1 + 2 * ramp
        if element == "homicides":
            return 1 + 0.3 * ramp
    if divipola == "19001" and day >= datetime.date(2024, 10, 1):
        # Popayán: after the September 2024 dialogue, robbery and homicides ease.
        ramp = min(1.0, (months_after - 10) / 9)
        if element == "robbery":
            return 1 - 0.25 * ramp
        if element == "homicides":
            return 1 - 0.15 * ramp
    return 1.0


def _months() -> list[Period]:
    """The story's months (2022-01 … 2025-12), moved to today's calendar, up to last month:
    no figure for a month that has not ended."""
    first = demo_clock.shift(datetime.date(FIRST_YEAR, 1, 1))
    count = (LAST_YEAR - FIRST_YEAR + 1) * 12
    this_month = demo_clock.today().replace(day=1)
    days = (demo_clock.add_months(first, offset) for offset in range(count))
    return [month(day.year, day.month) for day in days if day < this_month]


def _value(
    element: DataElement,
    territory: Territory,
    period: Period,
    source: str,
    extraction: Extraction,
    value: int,
    sex: str = "",
) -> DataValue:
    return DataValue(
        element=element,
        territory=territory,
        period=period.code,
        period_type=PeriodType.MONTH,
        start=period.start,
        end=period.end,
        source=source,
        sex=sex,
        value=value,
        extraction=extraction,
    )


def _populations(municipalities: dict[str, Territory], source: str) -> None:
    """The years after the territory demo's for the municipalities, and every year for
    departments and the country.

    The territory demo stops a year before the figures do and gives regions no
    population; rates for that last year and for departments need one. Departments get
    the sum of their demo municipalities, so a department's rate is the rate of the places counted.
    """
    by_year: dict[tuple[int, int], float] = {}
    needed = {period.start.year for period in _months()}
    for territory in municipalities.values():
        values = dict(
            Population.objects.filter(territory=territory, source=source).values_list(
                "year", "value"
            )
        )
        while values and max(needed) not in values:
            # The same 1.1 % a year the territory demo back-casts with.
            last = max(values)
            values[last + 1] = round(values[last] * 1.011)
            Population.objects.update_or_create(
                territory=territory,
                year=last + 1,
                source=source,
                defaults={"value": values[last + 1]},
            )
        for ancestor_id in territory.ancestor_ids[:-1]:
            for year, value in values.items():
                by_year[(ancestor_id, year)] = by_year.get((ancestor_id, year), 0) + value
    for (territory_id, year), total in by_year.items():
        Population.objects.update_or_create(
            territory_id=territory_id, year=year, source=source, defaults={"value": round(total)}
        )


def build() -> None:
    from convivencia.territories.demo import MUNICIPALITIES, POPULATION_SOURCE

    presets.ensure_presets()
    elements = {
        element.code: element for element in DataElement.objects.filter(code__in=[*DEFAULT_RATES])
    }
    municipalities = {
        divipola: Territory.objects.with_code("divipola", divipola).get()
        for divipola, *_rest in MUNICIPALITIES
    }
    _populations(municipalities, POPULATION_SOURCE)
    extraction, _created = Extraction.objects.get_or_create(
        dataset=DATASET,
        defaults={"format": "demo", "file_name": "", "checksum": "", "note": NOTE},
    )
    DataValue.objects.filter(extraction=extraction).delete()
    rng = np.random.default_rng(SEED)
    populations = {divipola: size for divipola, _n, _lat, _lon, size in MUNICIPALITIES}
    values: list[DataValue] = []
    offset = demo_clock.months()
    for divipola, territory in municipalities.items():
        for period in _months():
            story_day = demo_clock.add_months(period.start, -offset)
            seasonal = 1.15 if period.start.month == 12 else 1.0
            for code, element in elements.items():
                yearly = RATES.get(divipola, {}).get(code, DEFAULT_RATES[code])
                expected = (
                    yearly
                    / 12
                    * populations[divipola]
                    / 100_000
                    * seasonal
                    * _story(divipola, code, story_day)
                )
                count = int(rng.poisson(expected))
                men = int(rng.binomial(count, MALE_SHARE[code]))
                values.append(
                    _value(element, territory, period, Source.POLICE, extraction, men, Sex.MALE)
                )
                values.append(
                    _value(
                        element,
                        territory,
                        period,
                        Source.POLICE,
                        extraction,
                        count - men,
                        Sex.FEMALE,
                    )
                )
                if code == "homicides":
                    extra = int(rng.poisson(expected * FORENSIC_EXTRA))
                    values.append(
                        _value(
                            element, territory, period, Source.FORENSIC, extraction, count + extra
                        )
                    )
    DataValue.objects.bulk_create(values, batch_size=2000)
    extraction.values = len(values)
    extraction.total = float(sum(value.value for value in values))
    extraction.note = NOTE
    extraction.save(update_fields=["values", "total", "note"])
    months = _months()
    rollup.refresh(
        [element.pk for element in elements.values()],
        [Source.POLICE, Source.FORENSIC],
        months[0].start,
        months[-1].end,
    )
