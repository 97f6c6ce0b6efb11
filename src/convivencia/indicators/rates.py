"""Rates per 100,000 with their denominators, reproducible and explained.

For one indicator, territory, period and source:

- **Count.** A territory's own values are used when it has any for the period;
  otherwise its children's counts are summed (each child by the same rule). So a
  state-level SESNSP figure is used as it is, and a Colombian department's count
  is the sum of its municipalities. Within a territory, a value for exactly the
  requested period wins over finer periods; otherwise finer periods inside it are
  summed, and missing months are reported. Sources are never mixed.
- **Population.** The territory's population for the period's year (person-years
  for a span of years), preferring the national statistical office over the World
  Bank; the nearest year is used, with a warning, when the exact one is missing.
- **Interval.** Exact Poisson 95% interval for the count (chi-square method),
  divided by the same population.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from scipy.special import gammaincinv

from convivencia.indicators import caching, periods
from convivencia.indicators.choices import DenominatorKind, Source
from convivencia.indicators.models import Indicator, Total
from convivencia.indicators.periods import Period
from convivencia.territories.models import Population, Territory

SOURCE_PRIORITY = [
    Source.POLICE,
    Source.FORENSIC,
    Source.PROSECUTOR,
    Source.HEALTH,
    Source.COMMUNITY,
    Source.SURVEY,
]
SMALL_COUNT = 10
ALPHA = 0.05


@dataclass
class Count:
    value: float = 0.0
    periods: set[str] = field(default_factory=set)
    territories: int = 0


@dataclass
class Rate:
    indicator: str
    territory_id: int
    territory: str
    period: str
    source: str | None
    numerator: float | None
    denominator: float | None
    value: float | None
    ci_low: float | None
    ci_high: float | None
    factor: int
    population_source: str | None = None
    population_year: int | None = None
    warnings: list[str] = field(default_factory=list)
    method: str = ""


@functools.lru_cache(maxsize=8192)
def poisson_interval(count: float) -> tuple[float, float]:
    """Exact (Garwood) 95% interval for a Poisson count.

    The textbook form is chi2.ppf(α/2, 2k)/2 and chi2.ppf(1 − α/2, 2k + 2)/2; SciPy
    computes chi2.ppf(q, df) as 2·gammaincinv(df/2, q), so calling gammaincinv gives
    the same floats without scipy.stats' argument checking (~0.1 ms a call, two per
    rate, 2,000 rates a map). Counts repeat across a map, hence the cache.
    """
    low = 0.0 if count == 0 else gammaincinv(count, ALPHA / 2)
    high = gammaincinv(count + 1, 1 - ALPHA / 2)
    return float(low), float(high)


def _subtree(territory: Territory) -> dict[int, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent_id in Territory.objects.within(territory).values_list("pk", "parent_id"):
        if pk != territory.pk:
            children[parent_id].append(pk)
    return children


def _totals(
    element_id: int,
    territories: list[int] | None,
    subtree_of: Territory | None,
    period: Period,
    source: str,
) -> dict[int, list[tuple[str, str, float]]]:
    rows = Total.objects.filter(
        element_id=element_id, source=source, start__gte=period.start, end__lte=period.end
    )
    if subtree_of is not None:
        rows = rows.filter(territory__path__startswith=subtree_of.path)
    if territories is not None:
        rows = rows.filter(territory_id__in=territories)
    by_territory: dict[int, list[tuple[str, str, float]]] = defaultdict(list)
    for territory_id, code, period_type, value in rows.values_list(
        "territory_id", "period", "period_type", "value"
    ):
        by_territory[territory_id].append((code, period_type, value))
    return by_territory


def _own_count(rows: list[tuple[str, str, float]], period: Period) -> Count:
    exact = [value for code, _type, value in rows if code == period.code]
    if exact:
        return Count(sum(exact), {period.code}, 1)
    # Finer periods: use the finest type only, so months and quarters are not added twice.
    types = {period_type for _code, period_type, _value in rows}
    finest = min(types, key=periods.FINEST_FIRST.index)
    chosen = [(code, value) for code, period_type, value in rows if period_type == finest]
    return Count(sum(value for _code, value in chosen), {code for code, _value in chosen}, 1)


def count_from(
    pk: int,
    totals: dict[int, list[tuple[str, str, float]]],
    children: dict[int, list[int]],
    period: Period,
    known: dict[int, Count] | None = None,
) -> Count:
    """The own-values-else-children rule on loaded totals (shared with the explorer).

    ``known``: counts already worked out from the same totals for the same period
    (the explorer's map computes every child before the parent's total).
    """
    if known is not None and pk in known:
        return known[pk]
    if totals.get(pk):
        return _own_count(totals[pk], period)
    result = Count()
    for child in children.get(pk, []):
        part = count_from(child, totals, children, period, known)
        result.value += part.value
        result.periods |= part.periods
        result.territories += part.territories
    return result


def count(element_id: int, territory: Territory, period: Period, source: str) -> Count:
    """The count for a territory by the own-values-else-children rule."""
    totals = _totals(element_id, None, territory, period, source)
    return count_from(territory.pk, totals, _subtree(territory), period)


def _coverage_warning(found: set[str], period: Period) -> str:
    """Say so when the periods with data cover only part of the one asked for."""
    if period.code in found or not found:
        return ""
    parsed, days = _coverage(frozenset(found), period)
    wanted = (period.end - period.start).days + 1
    if days >= wanted:
        return ""
    return _coverage_text(parsed, days, wanted, period)


@functools.lru_cache(maxsize=1024)
def _coverage(found: frozenset[str], period: Period) -> tuple[tuple[Period, ...], int]:
    """The periods found (by start) and how many days of ``period`` they cover.

    Cached because a map asks the same question for every territory (the same 12
    months of the same year), and counting days builds a set of up to 366 per call.
    Only the numbers are cached: the warning's text depends on the active language.
    """
    parsed = tuple(sorted((periods.parse(code) for code in found), key=lambda p: p.start))
    covered = {
        p.start.toordinal() + offset for p in parsed for offset in range((p.end - p.start).days + 1)
    }
    return parsed, len(covered)


def _coverage_text(parsed: tuple[Period, ...], days: int, wanted: int, period: Period) -> str:
    if len(parsed) <= 3:
        spans = ", ".join(periods.describe_span(p) for p in parsed)
        return _("The data cover only %(spans)s of %(period)s.") % {
            "spans": spans,
            "period": period.code,
        }
    return _("The data cover %(days)s of the %(total)s days of %(period)s.") % {
        "days": days,
        "total": wanted,
        "period": period.code,
    }


def available_sources(element_id: int, territory: Territory, period: Period) -> list[str]:
    """The sources with totals for the element within ``territory`` and ``period``, best first."""

    def present() -> set[str]:
        return set(
            Total.objects.filter(
                element_id=element_id,
                start__gte=period.start,
                end__lte=period.end,
                territory__path__startswith=territory.path,
            )
            .values_list("source", flat=True)
            .distinct()
        )

    # A scan of the territory's totals (~7 ms for a country's year): kept until the data change.
    found = caching.cached(
        "sources", (element_id, territory.path, period.start, period.end), present
    )
    return [source for source in SOURCE_PRIORITY if source in found]


def population(
    territory: Territory, period: Period
) -> tuple[float | None, str | None, int | None, list[str]]:
    """Population (person-years across a span), its source and year, and any warnings."""
    rows = list(
        Population.objects.filter(territory=territory).values_list("year", "value", "source")
    )
    return population_from(territory, rows, period)


def preferred_population_source(sources: set[str]) -> str:
    """The national statistical office's (any source but the World Bank), else the World Bank's."""
    return min(sources, key=lambda s: (s.lower().startswith("world bank"), s))


def population_from(
    territory: Territory, rows: Sequence[tuple[int, float, str]], period: Period
) -> tuple[float | None, str | None, int | None, list[str]]:
    """The population rule on loaded (year, value, source) rows (shared with the explorer)."""
    if not rows:
        return (
            None,
            None,
            None,
            [_("No population is recorded for %(place)s.") % {"place": territory.name}],
        )
    source = preferred_population_source({source for _y, _v, source in rows})
    by_year = {year: value for year, value, row_source in rows if row_source == source}
    warnings: list[str] = []
    total = 0.0
    years = range(period.start.year, period.end.year + 1)
    used_year = None
    for year in years:
        if year in by_year:
            total += by_year[year]
            used_year = year
            continue
        nearest = min(by_year, key=lambda y: (abs(y - year), -y))
        warnings.append(
            _("Population of %(year)s is not available; %(used)s was used.")
            % {"year": year, "used": nearest}
        )
        total += by_year[nearest]
        used_year = nearest
    return total, source, used_year if len(years) == 1 else period.start.year, warnings


def compute(
    indicator: Indicator, territory: Territory, period: Period, source: str | None = None
) -> Rate:
    """One indicator value with its numerator, denominator, interval and provenance."""
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
    sources = available_sources(indicator.numerator_id, territory, period)
    if source is None:
        source = sources[0] if sources else None
    if source is None or source not in sources:
        rate.warnings.append(_("No data for this territory and period."))
        return rate
    rate.source = source
    counted = count(indicator.numerator_id, territory, period, source)
    rate.numerator = counted.value
    coverage = _coverage_warning(counted.periods, period)
    if coverage:
        rate.warnings.append(coverage)
    if counted.value < SMALL_COUNT:
        rate.warnings.append(
            _("Small count (%(n)s): the rate is unstable; read the interval.")
            % {"n": int(counted.value)}
        )
    if indicator.denominator_kind == DenominatorKind.NONE:
        rate.value = counted.value
        rate.ci_low, rate.ci_high = poisson_interval(counted.value)
        rate.method = _("A count of %(element)s from %(source)s.") % {
            "element": indicator.numerator.code,
            "source": source,
        }
        return rate
    denominator, population_source, year, warnings = population(territory, period)
    rate.warnings.extend(warnings)
    rate.population_source, rate.population_year = population_source, year
    if not denominator:
        return rate
    rate.denominator = denominator
    low, high = poisson_interval(counted.value)
    rate.value = counted.value / denominator * indicator.factor
    rate.ci_low = low / denominator * indicator.factor
    rate.ci_high = high / denominator * indicator.factor
    rate.method = _(
        "%(numerator)s %(element)s (%(source)s, %(territories)s territories with data) / "
        "%(population)s inhabitants (%(pop_source)s, %(year)s) × %(factor)s; "
        "exact Poisson 95%% interval."
    ) % {
        "numerator": f"{counted.value:,.0f}",
        "element": indicator.numerator.code,
        "source": source,
        "territories": counted.territories,
        "population": f"{denominator:,.0f}",
        "pop_source": population_source,
        "year": year,
        "factor": f"{indicator.factor:,}",
    }
    return rate
