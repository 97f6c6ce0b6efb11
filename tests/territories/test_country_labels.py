"""Country names in the reader's language wherever a territory is shown (issue 15)."""

import pytest
from django.utils import translation

from convivencia.core import countries
from convivencia.indicators.forms import ExplorerForm
from convivencia.territories.services import ensure_country
from tests.factories import make_colombia


def test_a_stored_english_name_reads_in_the_active_language():
    assert countries.localized("Brazil", "es") == "Brasil"
    assert countries.localized("United States", "pt") == "Estados Unidos"
    assert countries.localized("Mexico", "en") == "Mexico"
    assert countries.localized("Atlantis", "es") == "Atlantis"  # unknown: kept as stored


@pytest.mark.django_db
def test_a_country_territory_shows_its_name_in_spanish_and_a_region_as_stored():
    places = make_colombia()
    brazil = ensure_country("BR")
    with translation.override("es"):
        assert (brazil.label, str(brazil)) == ("Brasil", "Brasil")
        assert places.cauca.label == "Cauca"
    with translation.override("en"):
        assert brazil.label == "Brazil"


@pytest.mark.django_db
def test_the_indicator_explorer_lists_countries_in_spanish_sorted_in_spanish():
    make_colombia()
    for code in ("BR", "MX", "US", "DE"):
        ensure_country(code)
    with translation.override("es"):
        groups = [label for label, _options in ExplorerForm().fields["parent"].choices]
    assert groups == ["Alemania", "Brasil", "Colombia", "Estados Unidos", "México"]


@pytest.mark.django_db
def test_a_population_source_the_catalogue_knows_reads_in_the_readers_language(client):
    from convivencia.territories.choices import KNOWN_SOURCES
    from convivencia.territories.demo import POPULATION_SOURCE
    from convivencia.territories.models import Population

    assert POPULATION_SOURCE in KNOWN_SOURCES  # so the catalogues carry the demo's source
    places = make_colombia()
    # "Population" stands for any source name the catalogue translates (es: "Población").
    Population.objects.create(territory=places.popayan, year=2024, value=1000, source="Population")
    page = client.get(
        f"/territories/{places.popayan.pk}/", headers={"accept-language": "es"}
    ).content.decode()
    with translation.override("es"):
        expected = translation.gettext("Population")
    assert expected != "Population"
    assert f"<td>{expected}</td>" in page
