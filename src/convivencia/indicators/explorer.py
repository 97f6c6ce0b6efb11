"""The explorer's numbers: every child territory's rate for a map, one territory's rates
over time, in a bounded number of queries.

``rates.compute`` answers one territory and one period in four or five queries;
a map of Colombia's 1,122 municipalities would take thousands. The functions
here load the same inputs once (the ``Total`` rows below the territory, the
territory tree, the populations) and then apply the rules of ``rates.compute``
to them unchanged: a territory's own values, else its children's; the exact
period, else the finest periods inside it; sources never mixed; the national
office's population before the World Bank's; the exact Poisson interval. The
tests check that every number, warning and method text is identical to
``rates.compute`` for each territory, so there is one way to compute a rate,
evaluated in two ways.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import statistics
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from convivencia.indicators import caching, rates
from convivencia.indicators.choices import DenominatorKind, PeriodType
from convivencia.indicators.models import Indicator, Total
from convivencia.indicators.periods import Period, parse
from convivencia.indicators.rates import Rate
from convivencia.territories.choices import source_name
from convivencia.territories.models import Population, Territory

# Sequential palette (ColorBrewer YlOrRd, 5 classes): light = low, dark = high, and
# it stays readable for the common forms of colour blindness.
PALETTE = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]
NO_DATA_COLOUR = "#bdbdbd"
CLASSES = len(PALETTE)
# Periods offered by the explorer, and how many a trend may hold (20 years of months).
PERIOD_TYPES = (PeriodType.YEAR, PeriodType.QUARTER, PeriodType.MONTH)
MAX_PERIODS = 240
# Rows fetched at a time while reading totals.
CHUNK = 10_000

# (period code, period type, value) as stored in Total.
Row = tuple[str, str, float]
# territory id → source → that territory's rows from that source.
Rows = dict[int, dict[str, list[Row]]]


# Periods


def periods_between(first: Period, last: Period) -> list[Period]:
    """Every year, quarter or month from ``first`` to ``last`` (both included, same type)."""
    if first.type != last.type or first.type not in PERIOD_TYPES:
        raise ValueError("both ends must be years, quarters or months of the same type")
    found: list[Period] = []
    current = first
    while current.start <= last.start:
        found.append(current)
        if len(found) > MAX_PERIODS:
            raise ValueError(f"more than {MAX_PERIODS} periods")
        current = _next(current)
    return found


def _next(period: Period) -> Period:
    return containing(period.end + datetime.timedelta(days=1), period.type)


def containing(day: datetime.date, period_type: str) -> Period:
    """The year, quarter or month that contains ``day``."""
    if period_type == PeriodType.YEAR:
        return parse(str(day.year))
    if period_type == PeriodType.QUARTER:
        return parse(f"{day.year}Q{(day.month - 1) // 3 + 1}")
    if period_type == PeriodType.MONTH:
        return parse(f"{day.year}-{day.month:02d}")
    raise ValueError(f"{period_type!r} is not a year, quarter or month")


def span(first: Period, last: Period) -> Period:
    """One period covering ``first`` to ``last``: a standard code when there is one.

    January to December 2024 is "2024" (so a yearly value stored as "2024" is used
    as it is, exactly as rates.compute would for "2024"); any other range gets an
    ISO 8601-style interval code "2024-01/2024-06", which matches no stored value,
    so the finer periods inside it are summed.
    """
    if first == last:
        return first
    start, end = first.start, last.end
    if (
        start.month == 1
        and start.day == 1
        and end.month == 12
        and end.day == 31
        and start.year == end.year
    ):
        return parse(str(start.year))
    if start.year == end.year and start.day == 1 and (start.month - 1) % 3 == 0:
        quarter = parse(f"{start.year}Q{(start.month - 1) // 3 + 1}")
        if quarter.end == end:
            return quarter
    return Period(f"{first.code}/{last.code}", first.type, start, end)


# Batched rates


@dataclass
class _Inputs:
    """What rates.compute reads, loaded once for a subtree."""

    children: dict[int, list[int]]
    # period index → territory id → source → rows of that territory inside that period
    rows: dict[int, Rows]
    populations: dict[int, list[tuple[int, float, str]]]
    # (source, period code) → territory id → its count, as worked out for its own rate:
    # a parent's count sums its children's, so a map's total reuses the map's counts.
    counts: dict[tuple[str, str], dict[int, rates.Count]] = field(default_factory=dict)
    # territory id → its subtree's ids, walked once.
    subtrees: dict[int, list[int]] = field(default_factory=dict)


def _load(
    indicator: Indicator,
    root: Territory,
    periods: Sequence[Period],
    source: str | None,
    mapped: QuerySet[Territory] | None = None,
) -> _Inputs:
    """Three queries: the tree below ``root``, its totals, the populations of ``root``
    and of the ``mapped`` territories.

    ``periods`` must not overlap (a trend's periods, or a single span), so each
    stored total falls inside at most one of them.

    The totals are filtered by ``source`` (when one is asked for: a rate never
    mixes sources, and a territory without that source gets "no data" either way)
    and by a subquery of the subtree's ids rather than by joining each total to
    its territory to test its path, so that the database seeks each territory's
    few rows through the index (element, source, territory, start) instead of
    reading every total of the element. A subquery, not a list of ids: a country's
    1,156 ids would each be prepared by Django, and its localities could pass the
    databases' limits on parameters. Start and end come from one ``parse`` per
    distinct period code (the importers store them from that same parse) rather
    than from two date columns converted row by row; for the same reason the period
    type comes from that parse, and the source is read only when none was asked for:
    making a text object per row for 13,000 rows was a third of a national map.
    """
    children = rates._subtree(root)
    subtree = Territory.objects.within(root).values("pk")
    rows: dict[int, Rows] = defaultdict(dict)
    totals = Total.objects.filter(
        element_id=indicator.numerator_id,
        territory_id__in=subtree,
        start__gte=min(period.start for period in periods),
        end__lte=max(period.end for period in periods),
    )
    slots = _Slots(periods)
    if source is not None:
        fetched = _fetch(
            totals.filter(source=source).values_list("territory_id", "period", "value")
        )
    else:
        fetched = _fetch(totals.values_list("territory_id", "period", "value", "source"))
    # The index gives each territory's rows together; grouping them costs a look-up
    # per territory rather than per row (a territory seen twice is merged all the same).
    for territory_id, group in groupby(fetched, key=itemgetter(0)):
        own: list[Row] = []
        at: tuple[int | None, str | None] = (None, None)
        for row in group:
            index, period_type = slots[row[1]]
            if index is None:
                continue
            row_source = source if source is not None else row[3]
            if (index, row_source) != at:  # rows come by period: this is rare
                by_source = rows[index].setdefault(territory_id, {})
                own = by_source.setdefault(row_source, [])
                at = (index, row_source)
            own.append((row[1], period_type, row[2]))
    wanted = Q(territory_id=root.pk)
    if mapped is not None:
        wanted |= Q(territory_id__in=mapped.values("pk"))
    years = (
        min(period.start.year for period in periods),
        max(period.end.year for period in periods),
    )
    populations = _populations(wanted, years)
    return _Inputs(children=children, rows=rows, populations=populations)


class _Slots(dict[str, tuple[int | None, str]]):
    """period code → (index of the period asked for that holds it, or None when it
    straddles two; the code's period type), parsed once per distinct code."""

    def __init__(self, periods: Sequence[Period]) -> None:
        super().__init__()
        self.periods = periods
        self.starts = [period.start for period in periods]

    def __missing__(self, code: str) -> tuple[int | None, str]:
        parsed = parse(code)
        index = bisect.bisect_right(self.starts, parsed.start) - 1
        inside = index >= 0 and parsed.end <= self.periods[index].end
        slot = self[code] = (index if inside else None, parsed.type)
        return slot


def _populations(wanted: Q, years: tuple[int, int]) -> dict[int, list[tuple[int, float, str]]]:
    """What rates.population_from needs of each territory's populations, in the fewest rows.

    Its rule reads every year of a territory's populations only to choose the source
    (the statistical office before the World Bank) and, when a year is missing, the
    nearest one. So: the years asked for, and which sources each territory has; a
    territory whose preferred source has every year asked for gets that source's rows
    of those years, which give the same result; any other gets all its rows. A
    national map reads 2,000 rows instead of 11,000 for ten years of populations.
    """
    found = Population.objects.filter(wanted)
    sources: dict[int, set[str]] = defaultdict(set)
    for territory_id, source in _fetch(
        found.order_by().values_list("territory_id", "source").distinct()
    ):
        sources[territory_id].add(source)
    in_years: dict[int, list[tuple[int, float, str]]] = defaultdict(list)
    for territory_id, year, value, source in _fetch(
        found.filter(year__gte=years[0], year__lte=years[1])
        .order_by()
        .values_list("territory_id", "year", "value", "source")
    ):
        in_years[territory_id].append((year, value, source))
    populations: dict[int, list[tuple[int, float, str]]] = defaultdict(list)
    incomplete = []
    needed = set(range(years[0], years[1] + 1))
    for territory_id, names in sources.items():
        preferred = rates.preferred_population_source(names)
        chosen = [row for row in in_years.get(territory_id, []) if row[2] == preferred]
        if {year for year, _value, _source in chosen} >= needed:
            populations[territory_id] = chosen
        else:
            incomplete.append(territory_id)
    if incomplete:
        # The same filter rather than a list of ids: there may be a thousand of them.
        missing = set(incomplete)
        for territory_id, year, value, source in _fetch(
            found.order_by().values_list("territory_id", "year", "value", "source")
        ):
            if territory_id in missing:
                populations[territory_id].append((year, value, source))
    return populations


def _fetch(query: QuerySet) -> Iterator[tuple]:
    """The query's rows as the driver gives them, a chunk at a time.

    The ORM's iterator adds a third to the time of reading a national map's 13,000
    totals, for values the driver already gives in their Python types.
    """
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK):
            yield from chunk


def _descendants(pk: int, children: dict[int, list[int]]) -> list[int]:
    found, stack = [], [pk]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, []))
    return found


@dataclass(frozen=True)
class _Texts:
    """rates.compute's texts, translated once per map or trend instead of once per
    rate: a gettext call costs about as much as the rest of a small rate's work."""

    no_data: str
    small_count: str
    count_method: str
    rate_method: str


def _texts() -> _Texts:
    return _Texts(
        no_data=_("No data for this territory and period."),
        small_count=_("Small count (%(n)s): the rate is unstable; read the interval."),
        count_method=_("A count of %(element)s from %(source)s."),
        rate_method=_(
            "%(numerator)s %(element)s (%(source)s, %(territories)s territories with data) / "
            "%(population)s inhabitants (%(pop_source)s, %(year)s) × %(factor)s; "
            "exact Poisson 95%% interval."
        ),
    )


def _rate(
    indicator: Indicator,
    territory: Territory,
    period: Period,
    source: str | None,
    rows: Rows,
    inputs: _Inputs,
    texts: _Texts,
) -> Rate:
    """rates.compute on loaded inputs (same steps, same order, same texts)."""
    rate = Rate(
        indicator=indicator.code,
        territory_id=territory.pk,
        territory=territory.name,
        period=period.code,
        source=None,
        numerator=None,
        denominator=None,
        value=None,
        ci_low=None,
        ci_high=None,
        factor=indicator.factor,
    )
    # A municipality (no children) is its own subtree: no walk of the tree per rate;
    # a trend walks its territory's tree once, not once per period.
    subtree = inputs.subtrees.get(territory.pk)
    if subtree is None:
        subtree = inputs.subtrees[territory.pk] = (
            _descendants(territory.pk, inputs.children)
            if territory.pk in inputs.children
            else [territory.pk]
        )
    # The subtree's rows by source (each territory's list as loaded, not copied).
    by_source: dict[str, dict[int, list[Row]]] = {}
    for pk in subtree:
        found = rows.get(pk)
        if found:
            for row_source, own in found.items():
                by_source.setdefault(row_source, {})[pk] = own
    sources = [candidate for candidate in rates.SOURCE_PRIORITY if candidate in by_source]
    if source is None:
        source = sources[0] if sources else None
    if source is None or source not in sources:
        rate.warnings.append(texts.no_data)
        return rate
    rate.source = source
    by_territory = by_source[source]
    known = inputs.counts.setdefault((source, period.code), {})
    counted = rates.count_from(territory.pk, by_territory, inputs.children, period, known)
    known[territory.pk] = counted
    rate.numerator = counted.value
    coverage = rates._coverage_warning(counted.periods, period)
    if coverage:
        rate.warnings.append(coverage)
    if counted.value < rates.SMALL_COUNT:
        rate.warnings.append(texts.small_count % {"n": int(counted.value)})
    if indicator.denominator_kind == DenominatorKind.NONE:
        rate.value = counted.value
        rate.ci_low, rate.ci_high = rates.poisson_interval(counted.value)
        rate.method = texts.count_method % {"element": indicator.numerator.code, "source": source}
        return rate
    denominator, population_source, year, warnings = rates.population_from(
        territory, inputs.populations.get(territory.pk, []), period
    )
    rate.warnings.extend(warnings)
    rate.population_source, rate.population_year = population_source, year
    if not denominator:
        return rate
    rate.denominator = denominator
    low, high = rates.poisson_interval(counted.value)
    rate.value = counted.value / denominator * indicator.factor
    rate.ci_low = low / denominator * indicator.factor
    rate.ci_high = high / denominator * indicator.factor
    rate.method = texts.rate_method % {
        "numerator": f"{counted.value:,.0f}",
        "element": indicator.numerator.code,
        "source": source,
        "territories": counted.territories,
        "population": f"{denominator:,.0f}",
        "pop_source": source_name(population_source),
        "year": year,
        "factor": f"{indicator.factor:,}",
    }
    return rate


# Quantile classes


@dataclass
class Class:
    """One colour of the map: values from ``low`` to ``high`` (both included)."""

    low: float
    high: float
    colour: str


def quantile_classes(values: Iterable[float | None], classes: int = CLASSES) -> list[Class]:
    """Up to ``classes`` classes holding about as many territories each.

    Ties collapse classes (five territories with two distinct values give two
    classes), so a class is never empty and a legend never shows a colour that
    is not on the map.
    """
    known = sorted(value for value in values if value is not None)
    if not known:
        return []
    distinct = len(set(known))
    wanted = min(classes, distinct)
    if wanted == 1:
        return [Class(known[0], known[-1], PALETTE[-1])]
    cuts = statistics.quantiles(known, n=wanted, method="inclusive")
    found: list[Class] = []
    for upper in sorted({*cuts, known[-1]}):
        above = found[-1].high if found else None
        members = [value for value in known if value <= upper and (above is None or value > above)]
        if members:
            found.append(Class(members[0], members[-1], ""))
    # Spread the palette over however many classes there are: 2 classes → lightest and darkest.
    for index, item in enumerate(found):
        position = round(index * (len(PALETTE) - 1) / max(1, len(found) - 1))
        item.colour = PALETTE[position]
    return found


def class_of(value: float | None, classes: Sequence[Class]) -> int | None:
    if value is None:
        return None
    for index, item in enumerate(classes):
        if value <= item.high:
            return index
    return len(classes) - 1 if classes else None


# What the explorer shows


@dataclass
class Choropleth:
    """The children's rates (ordered by name), the parent's own, and the map's classes."""

    parent: Territory
    period: Period
    territories: list[Territory]
    rates: list[Rate]
    total: Rate
    classes: list[Class] = field(default_factory=list)

    def rows(self) -> list[tuple[Territory, Rate, int | None]]:
        return [
            (territory, rate, class_of(rate.value, self.classes))
            for territory, rate in zip(self.territories, self.rates, strict=True)
        ]

    # Cached maps are pickled. A model instance pickles with its whole state and
    # unpickles through the app registry: for a national map's 1,122 territories
    # that was two thirds of the pickle's time. Their column values are enough.
    def __getstate__(self) -> dict[str, object]:
        state = self.__dict__.copy()
        state["territories"] = [_columns(territory) for territory in self.territories]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        names = _territory_columns()
        state["territories"] = [
            Territory.from_db(DEFAULT_DB_ALIAS, names, values) for values in state["territories"]
        ]
        self.__dict__.update(state)


@functools.cache
def _territory_columns() -> list[str]:
    return [field.attname for field in Territory._meta.concrete_fields]


def _columns(territory: Territory) -> tuple[object, ...]:
    return tuple(getattr(territory, name) for name in _territory_columns())


def _indicator_key(indicator: Indicator) -> tuple[object, ...]:
    # Everything of the indicator that a rate or its texts read.
    return (
        indicator.pk,
        indicator.code,
        indicator.numerator_id,
        indicator.numerator.code,
        indicator.denominator_kind,
        indicator.factor,
    )


def _territory_key(territory: Territory) -> tuple[object, ...]:
    return (territory.pk, territory.name, territory.path, territory.level)


def _period_key(period: Period) -> tuple[object, ...]:
    return (period.code, period.type, period.start, period.end)


def choropleth(
    indicator: Indicator,
    parent: Territory,
    period: Period,
    source: str | None,
    *,
    level: int | None = None,
) -> Choropleth:
    """``compute_choropleth``, cached until its inputs change (see ``caching``)."""
    key = (_indicator_key(indicator), _territory_key(parent), _period_key(period), source, level)
    return caching.cached(
        "choropleth",
        key,
        lambda: compute_choropleth(indicator, parent, period, source, level=level),
    )


def compute_choropleth(
    indicator: Indicator,
    parent: Territory,
    period: Period,
    source: str | None,
    *,
    level: int | None = None,
) -> Choropleth:
    """Every child of ``parent``: its rate, as rates.compute would give it, in four queries.

    With ``level`` (deeper than the parent's), every territory of that level below
    ``parent`` instead of its children: ``level=Level.MUNICIPALITY`` under Colombia
    maps its 1,122 municipalities in the same four queries, where one map per
    department would take 33 calls.

    With ``source=None`` each territory takes its first available source, as
    rates.compute does; the explorer passes one source so that a map never
    mixes police figures in one place with forensic ones in the next.
    """
    if level is None:
        mapped = parent.children.all()
    elif level > parent.level:
        mapped = Territory.objects.within(parent).filter(level=level)
    else:
        raise ValueError(f"level {level} is not below {parent}'s level {parent.level}")
    # Codes are not prefetched: only the exports show them (exports.table_rows reads
    # them in one query), and a prefetch builds a queryset per territory.
    territories = list(mapped.order_by("name", "pk"))
    inputs = _load(indicator, parent, [period], source, mapped)
    rows = inputs.rows.get(0, {})
    texts = _texts()
    child_rates = [
        _rate(indicator, territory, period, source, rows, inputs, texts)
        for territory in territories
    ]
    total = _rate(indicator, parent, period, source, rows, inputs, texts)
    classes = quantile_classes(rate.value for rate in child_rates)
    return Choropleth(
        parent=parent,
        period=period,
        territories=territories,
        rates=child_rates,
        total=total,
        classes=classes,
    )


def trend(
    indicator: Indicator, territory: Territory, periods: Sequence[Period], source: str | None
) -> list[Rate]:
    """``compute_trend``, cached until its inputs change (see ``caching``)."""
    key = (
        _indicator_key(indicator),
        _territory_key(territory),
        tuple(_period_key(period) for period in periods),
        source,
    )
    return caching.cached(
        "trend", key, lambda: compute_trend(indicator, territory, periods, source)
    )


def compute_trend(
    indicator: Indicator, territory: Territory, periods: Sequence[Period], source: str | None
) -> list[Rate]:
    """The territory's rate for each period (consecutive, not overlapping), in three queries."""
    if not periods:
        return []
    ordered = sorted(periods, key=lambda period: period.start)
    inputs = _load(indicator, territory, ordered, source)
    texts = _texts()
    by_code = {
        period.code: _rate(
            indicator, territory, period, source, inputs.rows.get(index, {}), inputs, texts
        )
        for index, period in enumerate(ordered)
    }
    return [by_code[period.code] for period in periods]


def trend_chart(rates_over_time: Sequence[Rate]) -> dict:
    """Chart.js data for a rate with its interval band (gaps where there is no rate)."""
    return {
        "labels": [rate.period for rate in rates_over_time],
        "value": [_rounded(rate.value) for rate in rates_over_time],
        "low": [_rounded(rate.ci_low) for rate in rates_over_time],
        "high": [_rounded(rate.ci_high) for rate in rates_over_time],
        "numerator": [rate.numerator for rate in rates_over_time],
    }


def _rounded(value: float | None) -> float | None:
    # Four significant decimals are more than a chart can show; they keep the page small.
    return None if value is None else round(value, 4)
