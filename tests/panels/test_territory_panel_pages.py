"""A department's page lists its municipalities' panels a page at a time.

Antioquia holds 125 municipalities and the country 1,122: listing every panel with its
figures made those territory pages the slowest of the site under load. Here Cauca has
30 municipalities, each with a panel; the page lists 24 and links to the rest.
"""

from __future__ import annotations

import pytest

from convivencia.panels import summary
from convivencia.territories.choices import Level
from tests.factories import make_colombia, make_territory
from tests.panels import make_default_panel

pytestmark = pytest.mark.django_db


@pytest.fixture
def cauca():
    places = make_colombia()
    for number in range(30):
        town = make_territory(
            places.cauca, Level.MUNICIPALITY, f"Municipio {number:02d}", divipola=f"19{number:03d}"
        )
        make_default_panel(town, code=f"panel-{number:02d}")
    return places.cauca


def _codes(context) -> list[str]:
    return [entry["panel"].code for entry in context["panel_summary"]["panels"]]


def test_the_territory_page_lists_the_first_page_of_panels_and_links_to_the_next(client, cauca):
    response = client.get(f"/territories/{cauca.pk}/")
    assert response.status_code == 200
    assert _codes(response.context) == [f"panel-{n:02d}" for n in range(24)]
    page = response.content.decode()
    assert f"/panels/territory/{cauca.pk}/?page=2" in page
    assert "1–24" in page and "30" in page


def test_the_next_page_lists_the_rest_with_a_link_back(client, cauca):
    response = client.get(f"/panels/territory/{cauca.pk}/?page=2", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert _codes(response.context) == [f"panel-{n:02d}" for n in range(24, 30)]
    fragment = response.content.decode()
    assert "<html" not in fragment
    assert f"/panels/territory/{cauca.pk}/?page=1" in fragment
    assert "?page=3" not in fragment


def test_a_page_link_followed_without_javascript_opens_a_whole_page(client, cauca):
    response = client.get(f"/panels/territory/{cauca.pk}/?page=2")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page and 'id="perception-panels"' in page


def test_a_page_past_the_end_shows_the_last_and_a_word_for_a_page_is_refused(client, cauca):
    assert _codes(client.get(f"/panels/territory/{cauca.pk}/?page=9").context)[0] == "panel-24"
    refused = client.get(f"/panels/territory/{cauca.pk}/?page=two")
    assert refused.status_code == 400
    assert "two" in refused.content.decode()


def test_a_municipality_with_one_panel_shows_no_pager(client, cauca):
    town = cauca.children.get(name="Municipio 03")
    page = client.get(f"/territories/{town.pk}/").content.decode()
    assert "panel-pager" not in page


def test_the_regional_report_still_counts_every_panel(cauca):
    context = summary.panel_summary(cauca, None, page=None)
    assert len(_codes(context)) == 30
