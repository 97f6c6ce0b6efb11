"""The explorer: batched rates equal rates.compute, in a bounded number of queries."""

from __future__ import annotations

import dataclasses
import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse

from convivencia.core import demo_clock
from convivencia.indicators import explorer, periods, presets, rates, rollup
from convivencia.indicators.models import DataElement, DataValue, Indicator
from convivencia.territories.choices import Level
from convivencia.territories.models import Boundary, Population
from tests.factories import make_colombia, make_territory

# Queries for one choropleth (children, the tree, totals, populations in two or three:
# their sources, the years asked for, all years of territories missing one) and for one
# trend (tree, totals, population in two or three): the same for 3 or 3,000 territories.
# Each also reads the data version once (caching.version) before looking in the cache.
CHOROPLETH_QUERIES = 6 + 1
TREND_QUERIES = 5 + 1
# The whole explorer page (form choices, source, map, trend, perception, ancestors…).
PAGE_QUERIES = 15 + 2 + 4  # + 2 population queries each for the map and the trend


def store(
    element: DataElement,
    territory,
    code: str,
    value: float,
    *,
    source: str = "police",
    sex: str = "",
    **fields: str,
) -> None:
    period = periods.parse(code)
    DataValue.objects.create(
        element=element,
        territory=territory,
        period=period.code,
        period_type=period.type,
        start=period.start,
        end=period.end,
        source=source,
        value=value,
        sex=sex,
        **fields,
    )


def make_figures(municipalities: int = 3) -> SimpleNamespace:
    """Colombia > Cauca > Popayán and ``municipalities - 1`` more; Nariño > Pasto.

    Homicides for 2023 in every shape rates.compute handles: months by sex
    (Popayán, the numbered municipalities), only half the months (Municipio 2),
    quarters (Municipio 3), a department's own yearly figure beside its
    municipality's months (Nariño, Pasto), a second source (forensic, yearly,
    Popayán), a municipality without population (the last one), populations
    from DANE and the World Bank (Colombia) and a year without population (2022).
    """
    presets.ensure_presets()
    places = make_colombia()
    homicides = DataElement.objects.get(code="homicides")
    extra = [
        make_territory(
            places.cauca, Level.MUNICIPALITY, f"Municipio {number}", divipola=f"19{number:03d}"
        )
        for number in range(2, municipalities + 1)
    ]
    cauca_municipalities = [places.popayan, *extra]
    for index, territory in enumerate(cauca_municipalities):
        months = range(1, 7) if territory.name == "Municipio 2" else range(1, 13)
        if territory.name == "Municipio 3":
            for quarter in range(1, 5):
                store(homicides, territory, f"2023Q{quarter}", 4)
            continue
        for month in months:
            store(homicides, territory, f"2023-{month:02d}", 1 + index % 3, sex="male")
            store(homicides, territory, f"2023-{month:02d}", month % 2, sex="female")
        store(homicides, territory, "2022-12", 2, sex="male")
        if territory is not cauca_municipalities[-1] or municipalities == 1:
            Population.objects.create(
                territory=territory, year=2023, value=40_000 + 1_000 * index, source="DANE"
            )
    store(homicides, places.popayan, "2023", 30, source="forensic")
    for month in range(1, 13):
        store(homicides, places.pasto, f"2023-{month:02d}", 2, sex="male")
    store(homicides, places.narino, "2023", 40)
    Population.objects.create(territory=places.pasto, year=2023, value=390_000, source="DANE")
    Population.objects.create(territory=places.narino, year=2023, value=1_600_000, source="DANE")
    Population.objects.create(territory=places.cauca, year=2023, value=1_500_000, source="DANE")
    Population.objects.create(territory=places.colombia, year=2023, value=52_000_000, source="DANE")
    Population.objects.create(
        territory=places.colombia, year=2023, value=52_300_000, source="World Bank SP.POP.TOTL"
    )
    rollup.refresh(
        [homicides.pk],
        ["police", "forensic"],
        periods.parse("2022").start,
        periods.parse("2023").end,
    )
    for territory in [places.cauca, places.narino, *cauca_municipalities, places.pasto]:
        Boundary.objects.create(
            territory=territory,
            geometry={
                "type": "Polygon",
                "coordinates": [[[-76, 2], [-75, 2], [-75, 3], [-76, 2]]],
            },
        )
    places.municipalities = cauca_municipalities
    places.homicides = homicides
    places.indicator = Indicator.objects.select_related("numerator").get(code="homicide_rate")
    return places


@pytest.fixture
def figures(db) -> SimpleNamespace:
    return make_figures(municipalities=5)


SELECTIONS = [
    ("2023", None),
    ("2023", "police"),
    ("2023", "forensic"),
    ("2023Q2", None),
    ("2023-03", None),
    ("2023-07", None),
    ("2022", None),
    ("2024", None),
]


@pytest.mark.parametrize(("code", "source"), SELECTIONS)
def test_every_childs_rate_on_the_map_is_what_rates_compute_gives(figures, code, source):
    period = periods.parse(code)
    for parent in (figures.colombia, figures.cauca, figures.narino):
        result = explorer.choropleth(figures.indicator, parent, period, source)
        assert result.territories, parent
        for territory, rate in zip(result.territories, result.rates, strict=True):
            expected = rates.compute(figures.indicator, territory, period, source)
            assert dataclasses.asdict(rate) == dataclasses.asdict(expected), territory.name
        expected_total = rates.compute(figures.indicator, parent, period, source)
        assert dataclasses.asdict(result.total) == dataclasses.asdict(expected_total)


@pytest.mark.parametrize(("code", "source"), SELECTIONS)
def test_the_country_maps_its_municipalities_in_one_call_as_rates_compute_gives(
    figures, code, source
):
    period = periods.parse(code)
    result = explorer.choropleth(
        figures.indicator, figures.colombia, period, source, level=Level.MUNICIPALITY
    )
    assert {territory.pk for territory in result.territories} == {
        *[territory.pk for territory in figures.municipalities],
        figures.pasto.pk,
    }
    assert [territory.name for territory in result.territories] == sorted(
        territory.name for territory in result.territories
    )
    for territory, rate in zip(result.territories, result.rates, strict=True):
        expected = rates.compute(figures.indicator, territory, period, source)
        assert dataclasses.asdict(rate) == dataclasses.asdict(expected), territory.name
    expected_total = rates.compute(figures.indicator, figures.colombia, period, source)
    assert dataclasses.asdict(result.total) == dataclasses.asdict(expected_total)


def test_a_map_level_must_lie_below_the_parent(figures):
    with pytest.raises(ValueError, match="not below"):
        explorer.choropleth(
            figures.indicator, figures.cauca, periods.parse("2023"), None, level=Level.REGION
        )


def test_a_range_is_one_period_and_its_rates_match_rates_compute_too(figures):
    months = explorer.periods_between(periods.parse("2023-02"), periods.parse("2023-05"))
    whole = explorer.span(months[0], months[-1])
    assert (whole.code, whole.start.isoformat(), whole.end.isoformat()) == (
        "2023-02/2023-05",
        "2023-02-01",
        "2023-05-31",
    )
    result = explorer.choropleth(figures.indicator, figures.cauca, whole, None)
    for territory, rate in zip(result.territories, result.rates, strict=True):
        assert rate == rates.compute(figures.indicator, territory, whole)
    full_year = explorer.periods_between(periods.parse("2023-01"), periods.parse("2023-12"))
    assert explorer.span(full_year[0], full_year[-1]).code == "2023"


def test_the_trend_is_rates_compute_for_each_period(figures):
    months = explorer.periods_between(periods.parse("2022-11"), periods.parse("2023-12"))
    for territory in (figures.colombia, figures.cauca, figures.popayan):
        for source in (None, "police"):
            trend = explorer.trend(figures.indicator, territory, months, source)
            assert [rate.period for rate in trend] == [month.code for month in months]
            for month, rate in zip(months, trend, strict=True):
                assert rate == rates.compute(figures.indicator, territory, month, source)
    quarters = explorer.periods_between(periods.parse("2023Q1"), periods.parse("2023Q4"))
    for quarter, rate in zip(
        quarters, explorer.trend(figures.indicator, figures.cauca, quarters, None), strict=True
    ):
        assert rate == rates.compute(figures.indicator, figures.cauca, quarter)


@pytest.mark.parametrize("municipalities", [3, 30])
def test_the_map_and_the_trend_take_the_same_few_queries_for_3_or_30_municipalities(
    db, municipalities, django_assert_max_num_queries
):
    places = make_figures(municipalities)
    months = explorer.periods_between(periods.parse("2023-01"), periods.parse("2023-12"))
    indicator = places.indicator
    with django_assert_max_num_queries(CHOROPLETH_QUERIES):
        result = explorer.choropleth(indicator, places.cauca, periods.parse("2023"), "police")
    assert len(result.rates) == municipalities
    with django_assert_max_num_queries(TREND_QUERIES):
        trend = explorer.trend(indicator, places.cauca, months, "police")
    assert len(trend) == 12
    with django_assert_max_num_queries(CHOROPLETH_QUERIES):
        national = explorer.choropleth(
            indicator, places.colombia, periods.parse("2023"), "police", level=Level.MUNICIPALITY
        )
    assert len(national.rates) == municipalities + 1  # and Pasto


@pytest.mark.parametrize("municipalities", [3, 30])
def test_the_explorer_page_takes_the_same_few_queries_for_3_or_30_municipalities(
    db, client, municipalities, django_assert_max_num_queries
):
    places = make_figures(municipalities)
    url = (
        f"/indicators/?indicator=homicide_rate&parent={places.cauca.pk}&type=month"
        "&from=2023-01&to=2023-12"
    )
    # Loading the URL configuration runs other apps' import-time queries: not this page's.
    reverse("indicators:explorer")
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.count(b'data-testid="rate-row"') == municipalities


def test_quantile_classes_split_the_values_evenly_and_never_leave_a_class_empty():
    classes = explorer.quantile_classes([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, None])
    assert len(classes) == 5
    assert [(c.low, c.high) for c in classes] == [(1, 2), (3, 4), (5, 6), (7, 8), (9, 10)]
    assert explorer.class_of(None, classes) is None
    assert explorer.class_of(7.5, classes) == 3
    tied = explorer.quantile_classes([5, 5, 5, 9])
    assert [(c.low, c.high) for c in tied] == [(5, 5), (9, 9)]
    assert tied[0].colour == explorer.PALETTE[0] and tied[1].colour == explorer.PALETTE[-1]
    assert explorer.quantile_classes([None, None]) == []


def test_periods_run_from_one_end_to_the_other_in_the_chosen_kind():
    codes = [
        p.code for p in explorer.periods_between(periods.parse("2023Q3"), periods.parse("2024Q2"))
    ]
    assert codes == ["2023Q3", "2023Q4", "2024Q1", "2024Q2"]
    with pytest.raises(ValueError):
        explorer.periods_between(periods.parse("2023"), periods.parse("2023-05"))
    with pytest.raises(ValueError):
        explorer.periods_between(periods.parse("2000-01"), periods.parse("2030-12"))


# The page


def test_the_explorer_is_public_and_its_table_needs_no_javascript(client, figures):
    response = client.get(
        f"/indicators/?indicator=homicide_rate&parent={figures.cauca.pk}"
        "&type=year&from=2023&to=2023&source=police",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="rate-row"') == 5
    popayan = rates.compute(figures.indicator, figures.popayan, periods.parse("2023"), "police")
    row = html[html.index(f'data-territory="{figures.popayan.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "DANE, 2023" in row
    assert f"{popayan.numerator:.0f}" in row
    assert 'data-testid="total-row"' in html
    assert "inhabitants (DANE, 2023)" in html  # the total's method sentence
    assert 'id="indicator-map-data"' in html and 'id="indicator-trend-data"' in html


def test_an_incomplete_address_is_completed_so_it_can_be_shared(client, figures):
    response = client.get("/indicators/")
    assert response.status_code == 302
    assert response["Location"] == (
        f"/indicators/?indicator=homicide_rate&parent={figures.colombia.pk}&type=month"
        "&from=2023-01&to=2023-12"
    )
    assert client.get(response["Location"]).status_code == 200


def test_ends_of_another_kind_are_converted_and_the_address_says_so(client, figures):
    response = client.get(
        f"/indicators/?indicator=homicide_rate&parent={figures.cauca.pk}"
        "&type=month&from=2023&to=2023Q2"
    )
    assert response.status_code == 302
    assert response["Location"].endswith("type=month&from=2023-01&to=2023-06")


def test_a_bad_selection_answers_400_and_says_what_is_wrong(client, figures):
    base = f"/indicators/?indicator=homicide_rate&parent={figures.cauca.pk}&type=month"
    response = client.get(f"{base}&from=2023-13&to=2023-12")
    assert response.status_code == 400
    assert b'data-testid="selection-errors"' in response.content
    assert client.get(f"{base}&from=2023-12&to=2023-01").status_code == 400
    assert (
        client.get(
            f"/indicators/?indicator=nope&parent={figures.cauca.pk}&type=month"
            "&from=2023-01&to=2023-12"
        ).status_code
        == 400
    )
    # A municipality is not a parent: the table lists the territories within a country or region.
    assert (
        client.get(
            f"/indicators/?indicator=homicide_rate&parent={figures.popayan.pk}"
            "&type=year&from=2023&to=2023"
        ).status_code
        == 400
    )


def test_htmx_gets_the_explorer_alone_with_the_address_to_push(client, figures):
    url = (
        f"/indicators/?indicator=homicide_rate&parent={figures.cauca.pk}&type=year"
        "&from=2023&to=2023"
    )
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert not response.content.lstrip().startswith(b"<!doctype")
    assert response["HX-Push-Url"] == url


def test_regions_link_down_to_their_municipalities_and_municipalities_to_their_page(
    client, figures
):
    html = client.get(
        f"/indicators/?indicator=homicide_rate&parent={figures.colombia.pk}"
        "&type=year&from=2023&to=2023"
    ).content.decode()
    assert f"parent={figures.cauca.pk}" in html
    html = client.get(
        f"/indicators/?indicator=homicide_rate&parent={figures.cauca.pk}"
        "&type=year&from=2023&to=2023"
    ).content.decode()
    assert f'href="/territories/{figures.popayan.pk}/"' in html


def test_without_any_indicator_the_page_says_so(client, db):
    # migrate writes the standard ones; an installation may still delete them all.
    Indicator.objects.all().delete()
    response = client.get("/indicators/")
    assert response.status_code == 200
    assert b'data-testid="no-indicators"' in response.content


def test_a_fresh_installation_without_territories_says_so_instead_of_refusing(client, db):
    assert Indicator.objects.filter(code="homicide_rate").exists()  # written by migrate
    response = client.get("/indicators/")
    assert response.status_code == 200
    assert b'data-testid="no-territories"' in response.content


def test_the_demo_tells_its_story_and_loading_it_twice_changes_nothing(db):
    from convivencia import demo
    from convivencia.indicators.models import Extraction, Total
    from convivencia.territories.models import Territory

    demo.load()
    counts = (DataValue.objects.count(), Total.objects.count(), Population.objects.count())
    demo.load()
    assert (DataValue.objects.count(), Total.objects.count(), Population.objects.count()) == counts
    [extraction] = Extraction.objects.filter(dataset__startswith="demo:")
    assert extraction.note == "Demo data (synthetic)"
    assert extraction.values == DataValue.objects.filter(extraction=extraction).count()
    extortion = Indicator.objects.get(code="extortion_rate")
    tumaco = Territory.objects.with_code("divipola", "52835").get()
    # The quarters holding July 2022 (before) and July 2024 (after the climb) of the story.
    quarters = [demo_clock.shift(datetime.date(year, 7, 1)) for year in (2022, 2024)]
    before, after = explorer.trend(
        extortion,
        tumaco,
        [periods.parse(f"{day.year}Q{(day.month - 1) // 3 + 1}") for day in quarters],
        "police",
    )
    assert after.ci_low > before.ci_high  # extortion climbs in Tumaco from mid-2023
    robbery = Indicator.objects.get(code="robbery_rate")
    popayan = Territory.objects.with_code("divipola", "19001").get()
    last_year = demo_clock.today().year - 1
    (rate,) = explorer.trend(robbery, popayan, [periods.parse(str(last_year))], "police")
    assert rate.value and rate.warnings == []  # the year has its population and every month


def test_every_shape_of_populations_gives_the_map_and_trend_what_rates_compute_gives(db):
    """The explorer reads only the years asked for when that is enough (see _populations)."""
    places = make_figures(municipalities=6)
    municipalities = {t.name: t for t in places.cauca.children.all()}
    shapes = {
        # Only the World Bank; the office for another year only; both sources, the
        # office missing the year (the World Bank has it); the office's nearest year.
        "Municipio 2": [(2023, 10_000, "World Bank SP.POP.TOTL")],
        "Municipio 3": [(2021, 20_000, "DANE")],
        "Municipio 4": [(2021, 30_000, "DANE"), (2023, 31_000, "World Bank SP.POP.TOTL")],
        "Municipio 5": [(2020, 40_000, "DANE"), (2024, 41_000, "DANE")],
    }
    for name, rows in shapes.items():
        Population.objects.filter(territory=municipalities[name]).delete()
        for year, value, source in rows:
            Population.objects.create(
                territory=municipalities[name], year=year, value=value, source=source
            )
    year = periods.parse("2023")
    result = explorer.compute_choropleth(places.indicator, places.cauca, year, "police")
    for territory, rate in zip(result.territories, result.rates, strict=True):
        assert rate == rates.compute(places.indicator, territory, year, "police"), territory
    assert {rate.population_source for rate in result.rates} >= {"DANE", "World Bank SP.POP.TOTL"}
    assert any("not available" in " ".join(rate.warnings) for rate in result.rates)
    months = explorer.periods_between(periods.parse("2023-01"), periods.parse("2023-12"))
    for name in shapes:
        trend = explorer.compute_trend(places.indicator, municipalities[name], months, "police")
        for month, rate in zip(months, trend, strict=True):
            assert rate == rates.compute(places.indicator, municipalities[name], month, "police")
