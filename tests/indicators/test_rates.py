"""Rates: counts up the tree, denominators with their source, exact Poisson intervals."""

import pytest
from django.utils import translation
from scipy.stats import chi2

from convivencia.indicators import periods, presets, rates, rollup
from convivencia.indicators.models import DataElement, DataValue, Indicator
from convivencia.territories.models import Population
from tests.factories import make_colombia


def test_period_codes_parse_to_their_dates():
    assert periods.parse("2024").end.isoformat() == "2024-12-31"
    assert periods.parse("2024Q2").start.isoformat() == "2024-04-01"
    assert periods.parse("2024-02").end.isoformat() == "2024-02-29"
    assert periods.parse("202403").code == "2024-03"
    assert periods.parse("2024W01").start.isoformat() == "2024-01-01"
    for bad in ("2024-13", "24", "2024Q5", "2023W53", "2024-02-30"):
        with pytest.raises(ValueError):
            periods.parse(bad)


def test_the_poisson_interval_is_the_exact_garwood_interval():
    low, high = rates.poisson_interval(10)
    assert low == pytest.approx(chi2.ppf(0.025, 20) / 2)
    assert (low, high) == pytest.approx((4.795, 18.390), abs=1e-3)
    assert rates.poisson_interval(0)[0] == 0


@pytest.mark.parametrize("count", [0, 1, 2, 9, 10, 57.5, 100, 1_234, 98_765])
def test_the_poisson_interval_is_exactly_the_chi_square_formula(count):
    # Computed through gammaincinv for speed; the floats must not move.
    low = 0.0 if count == 0 else float(chi2.ppf(0.025, 2 * count) / 2)
    high = float(chi2.ppf(0.975, 2 * count + 2) / 2)
    assert rates.poisson_interval(count) == (low, high)


def test_the_coverage_warning_follows_the_language_though_its_days_are_cached():
    year = periods.parse("2023")
    found = {f"2023-{month:02d}" for month in range(1, 7)}
    with translation.override("en"):
        english = rates._coverage_warning(found, year)
    with translation.override("es"):
        spanish = rates._coverage_warning(found, year)
    with translation.override("en"):
        assert rates._coverage_warning(found, year) == english
    assert "181" in english and "365" in english
    assert "181" in spanish and english != spanish


@pytest.fixture
def colombia(db):
    presets.ensure_presets()
    places = make_colombia()
    homicides = DataElement.objects.get(code="homicides")
    for month in range(1, 13):
        for territory, value in ((places.popayan, 3), (places.pasto, 2)):
            period = periods.month(2023, month)
            DataValue.objects.create(
                element=homicides,
                territory=territory,
                period=period.code,
                period_type=period.type,
                start=period.start,
                end=period.end,
                source="police",
                value=value,
                sex="male",
            )
    for territory, value in ((places.popayan, 330_000), (places.pasto, 390_000)):
        Population.objects.create(territory=territory, year=2023, value=value, source="DANE")
    Population.objects.create(territory=places.cauca, year=2023, value=1_500_000, source="DANE")
    Population.objects.create(territory=places.colombia, year=2023, value=52_000_000, source="DANE")
    Population.objects.create(
        territory=places.colombia, year=2023, value=52_300_000, source="World Bank SP.POP.TOTL"
    )
    rollup.refresh(
        [homicides.pk], ["police"], periods.parse("2023").start, periods.parse("2023").end
    )
    return places


def test_a_municipal_rate_says_its_numerator_denominator_and_source(colombia):
    rate = rates.compute(
        Indicator.objects.get(code="homicide_rate"), colombia.popayan, periods.parse("2023")
    )
    assert (rate.numerator, rate.denominator) == (36, 330_000)
    assert rate.value == pytest.approx(36 / 330_000 * 100_000)
    low, high = rates.poisson_interval(36)
    assert (rate.ci_low, rate.ci_high) == pytest.approx((low / 3.3, high / 3.3))
    assert (rate.population_source, rate.population_year) == ("DANE", 2023)


def test_counts_add_up_the_tree_and_the_national_office_is_preferred(colombia):
    rate = rates.compute(
        Indicator.objects.get(code="homicide_rate"), colombia.colombia, periods.parse("2023")
    )
    assert rate.numerator == 36 + 24
    assert rate.population_source == "DANE"
    assert rate.value == pytest.approx(60 / 52_000_000 * 100_000)


def test_missing_months_small_counts_and_missing_population_are_warned(colombia):
    indicator = Indicator.objects.get(code="homicide_rate")
    january = rates.compute(indicator, colombia.popayan, periods.parse("2023-01"))
    assert any("Small count" in w for w in january.warnings)
    later = rates.compute(indicator, colombia.popayan, periods.parse("2024"))
    assert later.value is None and later.warnings
    narino = rates.compute(indicator, colombia.narino, periods.parse("2023"))
    assert narino.numerator == 24 and narino.value is None
    assert any("No population" in w for w in narino.warnings)
    DataValue.objects.filter(period="2023-12").delete()
    rollup.refresh(
        [indicator.numerator_id], ["police"], periods.parse("2023").start, periods.parse("2023").end
    )
    partial = rates.compute(indicator, colombia.popayan, periods.parse("2023"))
    assert any("334 of the 365 days" in w for w in partial.warnings)


def test_the_same_query_gives_the_same_number(colombia):
    indicator = Indicator.objects.get(code="homicide_rate")
    first = rates.compute(indicator, colombia.cauca, periods.parse("2023"))
    second = rates.compute(indicator, colombia.cauca, periods.parse("2023"))
    assert first == second
    assert "inhabitants" in first.method
