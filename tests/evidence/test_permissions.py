"""Who may open which evidence page: a table of (route, intervention, persona) → expected.

The personas are those of ``tests/personas.py``. Interventions are national or
multi-country, not a territory's, so the variants are the intervention's state instead:
``published``, ``draft``, and ``missing`` (an id that does not exist), which must answer
like a draft to everyone who may not curate: nobody outside curation can tell an
unpublished intervention from none at all.

Curation belongs to editors (administrators, coordinators and analysts, wherever they
work); a provider has a role, but not an editor's, and gets 404 like someone with none.
A new route is a new entry of PAGES; a new persona, a new column of ``row``.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.urls import reverse

from tests.access_table import row
from tests.evidence.builders import GOOD, add_evaluation, make_intervention
from tests.personas import LOGIN, make_personas, table_mismatches

PUBLIC = row(200)
NOT_FOUND = row(404)
EDITORS = row(404, anonymous=LOGIN, admin=200, coord_cauca=200, coord_narino=200, analyst=200)
NOWHERE = row(404, anonymous=LOGIN)

URL = Callable[[SimpleNamespace, str], str]


def of_intervention(name: str) -> URL:
    return lambda world, variant: reverse(name, args=[world.pks[variant]])


def of_evaluation(world: SimpleNamespace, variant: str) -> str:
    return reverse(
        "evidence:curation:evaluation_edit", args=[world.pks[variant], world.evaluations[variant]]
    )


def api_detail(world: SimpleNamespace, variant: str) -> str:
    return f"/api/v1/interventions/{world.pks[variant]}/"


def fixed(name: str) -> URL:
    return lambda world, variant: reverse(name)


EVERY_STATE = {"published": EDITORS, "draft": EDITORS, "missing": NOWHERE}

# route → (how its URL is made, {variant: one expected answer per persona})
PAGES: dict[str, tuple[URL, dict[str, tuple]]] = {
    # the public registry: published interventions for everyone, drafts for nobody
    "dashboard": (fixed("evidence:dashboard"), {"": PUBLIC}),
    "detail": (
        of_intervention("evidence:detail"),
        {"published": PUBLIC, "draft": NOT_FOUND, "missing": NOT_FOUND},
    ),
    "api detail": (api_detail, {"published": PUBLIC, "draft": NOT_FOUND, "missing": NOT_FOUND}),
    # curation
    "curation list": (fixed("evidence:curation:list"), {"": EDITORS}),
    "curation create": (fixed("evidence:curation:create"), {"": EDITORS}),
    "curation import": (fixed("evidence:curation:import"), {"": EDITORS}),
    "curation territory search": (fixed("evidence:curation:territory_search"), {"": EDITORS}),
    "curation detail": (of_intervention("evidence:curation:detail"), EVERY_STATE),
    "curation edit": (of_intervention("evidence:curation:edit"), EVERY_STATE),
    "curation new evaluation": (
        of_intervention("evidence:curation:evaluation_create"),
        EVERY_STATE,
    ),
    "curation evaluation": (of_evaluation, {"published": EDITORS, "draft": EDITORS}),
}

CASES = [(page, variant) for page, (_url, variants) in PAGES.items() for variant in variants]


@pytest.fixture
def world(db) -> SimpleNamespace:
    """The personas, and a published and a draft intervention with one evaluation each."""
    world = make_personas()
    published = make_intervention("Cuadrantes de policía", published=True)
    draft = make_intervention("Escuelas de convivencia", published=False)
    world.pks = {"published": published.pk, "draft": draft.pk, "missing": draft.pk + 1000}
    world.evaluations = {
        "published": add_evaluation(published, "homicide", GOOD).pk,
        "draft": add_evaluation(draft, "homicide", GOOD).pk,
    }
    return world


@pytest.mark.parametrize(("page", "variant"), CASES)
def test_each_evidence_page_answers_each_persona_as_the_table_says(world, page, variant):
    make_url, variants = PAGES[page]
    url = make_url(world, variant)
    mismatches = table_mismatches(world.people, url, variants[variant])
    assert not mismatches, "\n".join([f"GET {url}", *mismatches])
