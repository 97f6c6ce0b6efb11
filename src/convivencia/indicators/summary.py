"""The territory page's indicator slot: the latest year's rates, and what the panel says.

``territories.services`` imports this module for every territory page, so the
modules that load scipy (``explorer`` through ``rates``, ``perception``) are
imported inside the functions: starting the site does not wait for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse

from convivencia.indicators import caching
from convivencia.indicators.choices import PeriodType, Source
from convivencia.indicators.models import Indicator, Total
from convivencia.indicators.periods import parse
from convivencia.indicators.presets import INDICATORS
from convivencia.panels.models import Aggregate
from convivencia.territories.choices import Level
from convivencia.territories.models import Territory

if TYPE_CHECKING:
    from convivencia.indicators.perception import Perception
    from convivencia.indicators.rates import Rate


@dataclass
class Row:
    indicator: Indicator
    rate: Rate
    url: str  # the explorer, showing this indicator around the territory
    source_label: str


@dataclass
class Summary:
    territory: Territory
    year: int | None
    rows: list[Row] = field(default_factory=list)
    perception: Perception | None = None
    explorer_url: str = ""
    min_cell_size: int = field(default_factory=lambda: settings.MIN_CELL_SIZE)

    @property
    def perception_list(self) -> list[Perception]:
        return [self.perception] if self.perception is not None else []


def latest_year(territory: Territory) -> int | None:
    """The latest year with data through December for anything below the territory.

    A year whose December is not in yet would show a part-year count against a
    whole year's population; the latest complete year is the honest default. When
    no year reaches December, the latest year with any data is used (and its rates
    warn about the missing months).

    Cached until the data change: for a department it reads every total below it
    (70–100 ms on 10 M values), on every visit to its page.
    """

    def compute() -> int | None:
        # Each place's latest end, one index seek each (``indicators_total_place_end``),
        # rather than a join PostgreSQL answered by scanning every total (~100 ms).
        places = Territory.objects.filter(path__startswith=territory.path)
        own = Total.objects.filter(territory=OuterRef("pk")).order_by("-end").values("end")
        found = places.annotate(
            place_complete=Subquery(own.filter(end__month=12, end__day=31)[:1]),
            place_latest=Subquery(own[:1]),
        ).aggregate(complete=Max("place_complete"), any=Max("place_latest"))
        latest = found["complete"] or found["any"]
        return latest.year if latest else None

    return caching.cached("latest-year", (territory.path,), compute)


def elements_with_data(territory: Territory, year: int) -> list[int]:
    """The data elements with totals below the territory in the year (cached as above)."""
    period = parse(str(year))

    def compute() -> list[int]:
        # The places first, then their totals by id: joined by path, PostgreSQL
        # estimated a dozen places and scanned every total of the country.
        places = list(
            Territory.objects.filter(path__startswith=territory.path).values_list("pk", flat=True)
        )
        return sorted(
            Total.objects.filter(
                territory_id__in=places, start__gte=period.start, end__lte=period.end
            )
            .values_list("element_id", flat=True)
            .distinct()
        )

    return caching.cached("elements-with-data", (territory.path, year), compute)


def explorer_url(territory: Territory, indicator: Indicator | None, year: int | None) -> str:
    """The explorer showing this territory among its siblings (or its children, for a region)."""
    parent = territory if territory.level <= Level.REGION else territory.parent
    query: dict[str, str | int] = {}
    if indicator is not None:
        query["indicator"] = indicator.code
    if parent is not None:
        query["parent"] = parent.pk
    if year is not None:
        query.update({"type": PeriodType.YEAR, "from": year, "to": year})
    url = reverse("indicators:explorer")
    return f"{url}?{urlencode(query)}" if query else url


def for_territory(territory: Territory) -> Summary:
    """Each indicator with data in the latest year, computed as rates.compute would."""
    from convivencia.indicators import explorer, perception

    year = latest_year(territory)
    summary = Summary(territory=territory, year=year)
    if year is not None:
        period = parse(str(year))
        indicators = Indicator.objects.filter(
            numerator_id__in=elements_with_data(territory, year)
        ).select_related("numerator")
        for indicator in sorted(indicators, key=_standard_order):
            rate = explorer.trend(indicator, territory, [period], None)[0]
            summary.rows.append(
                Row(
                    indicator=indicator,
                    rate=rate,
                    url=explorer_url(territory, indicator, year),
                    source_label=str(Source(rate.source).label) if rate.source else "",
                )
            )
    # The panel's answers of the same year as the records; else its latest year alone.
    if year is not None:
        summary.perception = perception.for_territory(territory, year)
    if summary.perception is None:
        panel_year = _latest_panel_year(territory)
        if panel_year is not None and panel_year != year:
            summary.perception = perception.for_territory(territory, panel_year)
    if summary.perception is not None and summary.perception.year == year:
        # Beside the panel, the records of the crimes its question names (not homicide).
        summary.perception.official = [
            (str(row.indicator.numerator), row.rate)
            for row in summary.rows
            if row.indicator.numerator.code in perception.ASKED_ABOUT
        ]
    first = summary.rows[0].indicator if summary.rows else None
    summary.explorer_url = explorer_url(territory, first, year)
    return summary


def _standard_order(indicator: Indicator) -> tuple[int, str]:
    """The presets' order (homicides first), then any other indicator by code."""
    order = list(INDICATORS)
    return (order.index(indicator.code) if indicator.code in order else len(order), indicator.code)


def _latest_panel_year(territory: Territory) -> int | None:
    latest = Aggregate.objects.filter(territory=territory, item_code="VIC1").aggregate(
        latest=Max("period")
    )["latest"]
    return latest.year if latest else None


def indicator_summary(territory: Territory) -> dict[str, Summary]:
    """The territory page's context for the indicator slot (``territories.services``)."""
    return {"indicator_summary": for_territory(territory)}
