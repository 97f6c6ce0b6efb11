"""Who may open which panel page: a table of (route, territory, persona) → expected answer.

The personas are those of ``tests/personas.py``: everybody works in Cauca (Popayán) except
Carlos, who coordinates Nariño (Pasto). Each route is tried on Popayán's panel (``own``:
the personas' territory), on Pasto's (``other``) and, where it names a panel, on a panel
that does not exist (``missing``), which must answer like Pasto's: a stranger cannot tell
a panel he may not see from one that does not exist (404, never 403).

A new route is a new entry of PAGES; a new persona, a new column of ``row``.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.urls import reverse

from tests.access_table import row
from tests.panels import add_respondent, make_default_panel, use_contact_key
from tests.panels.test_dashboard import answer_wave, close, open_wave
from tests.personas import LOGIN, make_personas, table_mismatches

# Results (aggregates): every role of the territory but the enumerator's, who collects.
RESULTS = row(200, anonymous=LOGIN, nobody=404, coord_narino=404, enumerator=404)
# Collecting and the roster's codes: coordinators and enumerators of the territory.
COLLECTORS = row(404, anonymous=LOGIN, admin=200, coord_cauca=200, enumerator=200)
# Contact data and respondent-level files: coordinators of the territory.
COORDINATORS = row(404, anonymous=LOGIN, admin=200, coord_cauca=200)
# Aggregates as a file: the people who analyse them, not providers or leaders.
ANALYSTS = row(404, anonymous=LOGIN, admin=200, coord_cauca=200, analyst=200)
# Pasto's panel, and a panel that does not exist: only Nariño's coordinator and the
# administrator find Pasto's; nobody finds a missing one.
PASTO = row(404, anonymous=LOGIN, admin=200, coord_narino=200)
NOWHERE = row(404, anonymous=LOGIN)
API_RESULTS = row(200, anonymous=401, nobody=404, coord_narino=404, enumerator=404)
API_PASTO = row(404, anonymous=401, admin=200, coord_narino=200)
API_NOWHERE = row(404, anonymous=401)


def on_panel(own: tuple, other: tuple = PASTO, missing: tuple = NOWHERE) -> dict[str, tuple]:
    return {"own": own, "other": other, "missing": missing}


URL = Callable[[SimpleNamespace, str], str]


def panel_url(name: str, *rest: str) -> URL:
    return lambda world, variant: reverse(name, args=[world.codes[variant], *rest])


def api_url(suffix: str) -> URL:
    return lambda world, variant: f"/api/v1/panels/{world.codes[variant]}/{suffix}"


def contact_url(world: SimpleNamespace, variant: str) -> str:
    return reverse(
        "panels:roster:contact", args=[world.codes[variant], world.respondents[variant].pk]
    )


def fixed(url: str) -> URL:
    return lambda world, variant: url


# route → (how its URL is made, {variant: one expected answer per persona})
PAGES: dict[str, tuple[URL, dict[str, tuple]]] = {
    "dashboard": (panel_url("panels:dashboard"), on_panel(RESULTS)),
    "export long.csv": (panel_url("panels:export", "long.csv"), on_panel(COORDINATORS)),
    "export wide.csv": (panel_url("panels:export", "wide.csv"), on_panel(COORDINATORS)),
    "export wide.xlsx": (panel_url("panels:export", "wide.xlsx"), on_panel(COORDINATORS)),
    "export aggregates.csv": (panel_url("panels:export", "aggregates.csv"), on_panel(ANALYSTS)),
    # a format that does not exist is not found, even by the coordinator
    "export answers.json": (
        panel_url("panels:export", "answers.json"),
        on_panel(NOWHERE, other=NOWHERE),
    ),
    "roster": (panel_url("panels:roster:roster"), on_panel(COLLECTORS)),
    "roster entities": (panel_url("panels:roster:entities"), on_panel(COLLECTORS)),
    "roster contact": (contact_url, {"own": COORDINATORS, "other": PASTO}),
    "api panel": (api_url(""), on_panel(API_RESULTS, API_PASTO, API_NOWHERE)),
    "api results": (api_url("results"), on_panel(API_RESULTS, API_PASTO, API_NOWHERE)),
    # pages that are not one panel's: what each persona gets, whatever the territory
    "panel list": (fixed("/panels/"), {"": row(200, anonymous=LOGIN)}),
    # B18 is trust in the police, not an item of the prosecutor's: refused as a bad request
    "map": (
        fixed("/panels/map/?item=B18&period=2024-02"),
        {"": row(200, anonymous=LOGIN, nobody=404, enumerator=404, prosecutor=400)},
    ),
    # every institution's liaison has a view of their own items, wherever they work
    "provider view": (
        fixed("/panels/provider/"),
        {"": row(404, anonymous=LOGIN, police=200, prosecutor=200)},
    ),
    "api panel list": (fixed("/api/v1/panels/"), {"": row(200, anonymous=401)}),
}

CASES = [(page, variant) for page, (_url, variants) in PAGES.items() for variant in variants]


@pytest.fixture(autouse=True)
def _contact_key(settings):
    yield from use_contact_key(settings)


@pytest.fixture
def world(db) -> SimpleNamespace:
    """The personas, and a panel in Popayán and in Pasto with one closed wave each."""
    world = make_personas()
    popayan = make_default_panel(world.places.popayan)
    pasto = make_default_panel(world.places.pasto, code="pasto")
    world.codes = {"own": popayan.code, "other": pasto.code, "missing": "no-such-panel"}
    world.respondents = {}
    for variant, panel, prefix in (("own", popayan, "R"), ("other", pasto, "P")):
        respondents = [
            add_respondent(
                panel,
                f"{prefix}{n:03d}",
                sex="female",
                contact={"name": "Rosa", "phone": "3001234567"},
            )
            for n in range(1, 7)
        ]
        world.respondents[variant] = respondents[0]
        wave = open_wave(panel, "2024-02")
        answer_wave(wave, {n: {} for n in range(1, 7)}, prefix=prefix)
        close(wave)
    return world


@pytest.mark.parametrize(("page", "variant"), CASES)
def test_each_panel_page_answers_each_persona_as_the_table_says(world, page, variant):
    make_url, variants = PAGES[page]
    url = make_url(world, variant)
    mismatches = table_mismatches(world.people, url, variants[variant])
    assert not mismatches, "\n".join([f"GET {url}", *mismatches])
