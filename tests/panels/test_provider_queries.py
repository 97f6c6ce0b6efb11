"""A liaison's page reads the waves of all their panels at once.

Pablo, the police liaison of Popayán (the dashboard tests' world), sees every panel in
Popayán. More panels there, still collecting their first wave, add no query: a
department's liaison sees every municipality's panel on one page.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.panels import add_respondent, make_default_panel
from tests.panels.test_dashboard import answer_wave, make_world, open_wave

pytestmark = pytest.mark.django_db


def _more_panels(world, first: int, last: int) -> None:
    for number in range(first, last):
        panel = make_default_panel(world.places.popayan, code=f"popayan-{number}")
        add_respondent(panel, "R001")
        answer_wave(open_wave(panel, "2024-03"), {1: {}})


def _queries(client, world) -> int:
    cache.clear()  # both counts with the paired tests computed, not one of them cached
    client.force_login(world.pablo)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/panels/provider/")
    assert response.status_code == 200
    return len(queries)


def test_panels_without_a_closed_wave_add_no_query_to_the_liaisons_page(client):
    world = make_world()
    _more_panels(world, 1, 3)
    with_two = _queries(client, world)
    _more_panels(world, 3, 9)
    assert _queries(client, world) == with_two


def test_the_liaisons_page_still_shows_the_closed_waves_figures(client):
    world = make_world()
    _more_panels(world, 1, 3)
    client.force_login(world.pablo)
    page = client.get("/panels/provider/").content.decode()
    assert "2024" in page and world.panel.code in page
