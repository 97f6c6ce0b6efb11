"""The explorer's cached maps and trends: served again only while their inputs are unchanged."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from convivencia.indicators import caching, explorer, periods
from convivencia.indicators.models import DataVersion
from convivencia.territories.models import Population
from tests.indicators.conftest import run
from tests.indicators.test_explorer import make_figures
from tests.pages import page_text

YEAR = periods.parse("2023")
MONTHS = explorer.periods_between(periods.parse("2023-01"), periods.parse("2023-12"))


@pytest.fixture
def figures(db) -> SimpleNamespace:
    return make_figures(municipalities=3)


def cauca_map(figures: SimpleNamespace) -> explorer.Choropleth:
    return explorer.choropleth(figures.indicator, figures.cauca, YEAR, "police")


def cauca_trend(figures: SimpleNamespace) -> list:
    return explorer.trend(figures.indicator, figures.cauca, MONTHS, "police")


def uncached(figures: SimpleNamespace) -> tuple[explorer.Choropleth, list]:
    return (
        explorer.compute_choropleth(figures.indicator, figures.cauca, YEAR, "police"),
        explorer.compute_trend(figures.indicator, figures.cauca, MONTHS, "police"),
    )


def import_fifty_homicides_in_popayan(tmp_path: Path) -> None:
    """Popayán's March 2023, through the tidy importer as a coordinator would send it."""
    path = tmp_path / "more.csv"
    path.write_text(
        "territory_code;scheme;period;data_element;value;sex;source;comment\n"
        "19001;divipola;2023-03;homicides;50;;police;\n",
        encoding="utf-8",
    )
    run("import_crime", "tidy", path)


def test_a_cached_map_and_trend_equal_what_they_cached(figures):
    first = (cauca_map(figures), cauca_trend(figures))
    assert (cauca_map(figures), cauca_trend(figures)) == first == uncached(figures)


def test_a_second_call_makes_fewer_queries(figures, django_assert_max_num_queries):
    # One query for the data version, none to compute.
    cauca_map(figures)
    cauca_trend(figures)
    with django_assert_max_num_queries(1):
        cauca_map(figures)
    with django_assert_max_num_queries(1):
        cauca_trend(figures)


def test_a_cached_map_and_trend_change_after_an_import(figures, tmp_path: Path):
    before = (cauca_map(figures), cauca_trend(figures))
    import_fifty_homicides_in_popayan(tmp_path)
    after = (cauca_map(figures), cauca_trend(figures))
    assert after != before
    assert after == uncached(figures)
    assert after[0].total.numerator == before[0].total.numerator + 50


def test_a_cached_map_and_trend_change_after_a_population_change(figures):
    before = (cauca_map(figures), cauca_trend(figures))
    population = Population.objects.get(territory=figures.cauca, year=2023)
    population.value = 2_000_000
    population.save()
    after = (cauca_map(figures), cauca_trend(figures))
    assert after[0].total.denominator == 2_000_000 != before[0].total.denominator
    assert after[1][0].denominator == 2_000_000
    assert after == uncached(figures)


def test_a_cached_map_changes_after_populations_are_added_in_bulk(figures):
    # bulk_create sends no signal: the version's count and top id see the new rows.
    before = cauca_map(figures)
    missing = figures.municipalities[-1]
    Population.objects.bulk_create(
        [Population(territory=missing, year=2023, value=10_000, source="DANE")]
    )
    after = cauca_map(figures)
    assert after != before
    assert after == uncached(figures)[0]


def test_a_cached_map_changes_after_a_territory_is_renamed(figures):
    cauca_map(figures)
    popayan = figures.popayan
    popayan.name = "Popayán (capital)"
    popayan.save()
    after = cauca_map(figures)
    assert "Popayán (capital)" in [rate.territory for rate in after.rates]
    assert after == uncached(figures)[0]


def test_a_cached_map_and_trend_change_after_a_territory_moves(figures):
    before = (cauca_map(figures), cauca_trend(figures))
    moved = figures.municipalities[1]
    moved.parent = figures.narino
    moved.save()
    figures.cauca.refresh_from_db()
    after = (cauca_map(figures), cauca_trend(figures))
    assert moved.pk in [rate.territory_id for rate in before[0].rates]
    assert moved.pk not in [rate.territory_id for rate in after[0].rates]
    assert after[1] != before[1]
    assert after == uncached(figures)


def test_a_map_is_cached_per_language(figures):
    from django.utils import translation

    with translation.override("en"):
        english = cauca_map(figures)
    with translation.override("es"):
        spanish = cauca_map(figures)
        assert spanish == explorer.compute_choropleth(
            figures.indicator, figures.cauca, YEAR, "police"
        )
    assert english.rates[0].method != spanish.rates[0].method


def test_the_version_row_comes_back_after_a_flush(figures):
    DataVersion.objects.all().delete()
    first = caching.version()
    assert DataVersion.objects.count() == 1
    assert caching.version() == first


def test_a_population_updated_without_signals_is_seen_at_the_next_bump(figures):
    # A queryset update sends no signal and keeps the count and ids: the cached map
    # stays until the next import, save or delete replaces the token (a known limit).
    stale = cauca_map(figures)
    Population.objects.filter(territory=figures.cauca).update(value=3_000_000)
    assert cauca_map(figures).total == stale.total
    caching.bump()
    assert cauca_map(figures).total.denominator == 3_000_000


def test_a_map_comes_back_from_the_cache_with_whole_territories(figures):
    import pickle

    computed = explorer.compute_choropleth(figures.indicator, figures.cauca, YEAR, "police")
    # Our own bytes, as the cache stores them.
    restored = pickle.loads(pickle.dumps(computed, pickle.HIGHEST_PROTOCOL))  # noqa: S301
    assert restored == computed
    for before, after in zip(computed.territories, restored.territories, strict=True):
        assert vars(after).keys() == vars(before).keys()
        assert (after.pk, after.name, after.path, after.level, after.parent_id) == (
            before.pk,
            before.name,
            before.path,
            before.level,
            before.parent_id,
        )
        assert not after._state.adding
        assert after._state.db == "default"
    # What the page does with them: their codes and parents are still a query away.
    assert restored.territories[0].parent == figures.cauca


def parent_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    from convivencia.indicators.forms import ExplorerForm

    form = ExplorerForm()
    return [
        (str(group), [(pk, str(label)) for pk, label in options])
        for group, options in form.fields["parent"].choices
    ]


def test_the_explorers_countries_and_regions_follow_a_new_or_renamed_region_at_once(figures):
    from convivencia.territories.choices import Level
    from tests.factories import make_territory

    before = parent_choices()
    assert parent_choices() == before  # from the cache
    figures.cauca.name = "Cauca (región)"
    figures.cauca.save()
    assert (figures.cauca.pk, "Cauca (región)") in parent_choices()[0][1]
    valle = make_territory(figures.colombia, Level.REGION, "Valle del Cauca", divipola="76")
    assert (valle.pk, "Valle del Cauca") in parent_choices()[0][1]


def test_the_explorers_countries_and_regions_are_kept_per_language(figures):
    from django.utils import translation

    with translation.override("en"):
        english = parent_choices()
    with translation.override("es"):
        spanish = parent_choices()
    assert english[0][1][0][1] != spanish[0][1][0][1]  # "Colombia (whole country)"
    assert english[0][1][1:] == spanish[0][1][1:]  # regions keep their names


def explorer_html(client, figures: SimpleNamespace, language: str = "en") -> str:
    url = (
        f"/indicators/?indicator=homicide_rate&parent={figures.cauca.pk}"
        "&type=year&from=2023&to=2023&source=police"
    )
    response = client.get(url, headers={"Accept-Language": language})
    assert response.status_code == 200
    return page_text(response)


def test_the_explorers_rendered_table_shows_an_import_at_once(client, figures, tmp_path: Path):
    before = explorer_html(client, figures)
    assert explorer_html(client, figures) == before  # the second from the cache
    import_fifty_homicides_in_popayan(tmp_path)
    after = explorer_html(client, figures)
    total = cauca_map(figures).total.numerator
    footer = after[after.index('data-testid="total-row"') :]
    assert f">{total:.0f}<" in footer[: footer.index("</tr>")]
    assert after != before


def test_the_explorers_rendered_table_is_kept_per_language(client, figures):
    assert "Territories within" in explorer_html(client, figures, "en")
    assert "Territorios dentro de" in explorer_html(client, figures, "es")
    assert "Territories within" in explorer_html(client, figures, "en")
