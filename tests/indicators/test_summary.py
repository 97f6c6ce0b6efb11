"""The territory page's indicator slot: the latest complete year, each rate with its provenance."""

from __future__ import annotations

import pytest

from convivencia.indicators import periods, rates, summary
from tests.indicators.test_explorer import make_figures, store


@pytest.fixture
def figures(db):
    return make_figures(municipalities=2)


def test_the_slot_shows_the_latest_years_rate_interval_and_population_source(client, figures):
    html = client.get(f"/territories/{figures.popayan.pk}/").content.decode()
    slot = html[html.index('data-testid="indicator-slot"') :]
    slot = slot[: slot.index("</section>")]
    expected = rates.compute(figures.indicator, figures.popayan, periods.parse("2023"))
    assert slot.count('data-testid="indicator-row"') == 1
    assert "2023" in slot and "DANE, 2023" in slot
    assert f"{expected.value:.1f}".replace(".", ",") in slot or f"{expected.value:.1f}" in slot
    link = f"/indicators/?indicator=homicide_rate&amp;parent={figures.cauca.pk}&amp;type=year"
    assert link in slot
    assert 'data-testid="explorer-link"' in slot


def test_the_summary_is_what_rates_compute_gives(figures):
    found = summary.for_territory(figures.cauca)
    assert found.year == 2023
    [row] = found.rows
    assert row.indicator.code == "homicide_rate"
    assert row.rate == rates.compute(row.indicator, figures.cauca, periods.parse("2023"))
    assert f"parent={figures.cauca.pk}" in row.url
    assert row.source_label == "Police records"


def test_a_year_without_its_december_is_not_taken_as_the_latest(figures):
    store(figures.homicides, figures.popayan, "2024-01", 3)
    from convivencia.indicators import rollup

    rollup.refresh(
        [figures.homicides.pk], ["police"], periods.parse("2024").start, periods.parse("2024").end
    )
    assert summary.latest_year(figures.popayan) == 2023


def test_a_territory_without_figures_says_so_and_links_to_the_explorer(client, db):
    from tests.factories import make_colombia

    places = make_colombia()
    html = client.get(f"/territories/{places.pasto.pk}/").content.decode()
    slot = html[html.index('data-testid="indicator-slot"') :]
    assert 'data-testid="no-indicator-data"' in slot
    assert "/indicators/" in slot


def test_the_latest_year_and_its_indicators_follow_new_data_at_once_though_cached(figures):
    from convivencia.indicators import rollup

    assert summary.latest_year(figures.cauca) == 2023  # now in the cache
    assert summary.elements_with_data(figures.cauca, 2023) == [figures.homicides.pk]
    for month in range(1, 13):
        store(figures.homicides, figures.popayan, f"2024-{month:02d}", 2)
    whole = periods.parse("2024")
    rollup.refresh([figures.homicides.pk], ["police"], whole.start, whole.end)

    assert summary.latest_year(figures.cauca) == 2024
    assert summary.elements_with_data(figures.cauca, 2024) == [figures.homicides.pk]
    assert summary.for_territory(figures.cauca).year == 2024
