"""The evidence gap map: focus × outcome counts of rated interventions, and the best rating."""

from __future__ import annotations

import pytest
from django.test import Client

from convivencia.evidence import reporting
from convivencia.evidence.choices import Focus, Problem, Rating
from tests.evidence.builders import BAD, EFFECTIVE, GOOD, NULL, PROMISING, make_intervention

pytestmark = pytest.mark.django_db
GAP_MAP = "/evidence/gap-map/"


@pytest.fixture
def client() -> Client:
    return Client(headers={"Accept-Language": "en"})


@pytest.fixture
def registry() -> None:
    make_intervention(
        "A",
        "CO",
        focus=["policing"],
        rating_findings={"homicide": EFFECTIVE, "robbery": [NULL, NULL]},
    )
    make_intervention(
        "B", "CO", focus=["policing", "youth"], rating_findings={"homicide": PROMISING}
    )
    make_intervention("C", "CO", focus=["youth"], rating_findings={"gang_violence": [BAD]})
    make_intervention("D", "CO", focus=["youth"])
    make_intervention("F", "MX", focus=["policing"], rating_findings={"homicide": [GOOD, BAD]})
    make_intervention(
        "Draft",
        "CO",
        focus=["policing", "data"],
        rating_findings={"homicide": EFFECTIVE, "theft": EFFECTIVE},
        published=False,
    )


def cells(client: Client, query: str = "") -> dict[tuple[str, str], tuple[int, str | None]]:
    """The non-empty cells: (focus, outcome) → (count, best rating)."""
    response = client.get(f"{GAP_MAP}?{query}")
    assert response.status_code == 200
    return {
        (row["focus"].value, cell["outcome"].value): (cell["count"], cell["rating"])
        for row in response.context["rows"]
        for cell in row["cells"]
        if cell["count"]
    }


def test_the_counts_and_best_ratings_match_a_hand_count(client, registry):
    assert cells(client) == {
        ("policing", "homicide"): (3, Rating.EFFECTIVE),  # A effective, B promising, F mixed
        ("policing", "robbery"): (1, Rating.NO_EFFECT),
        ("youth", "homicide"): (1, Rating.PROMISING),
        ("youth", "gang_violence"): (1, Rating.HARMFUL),
    }


def test_the_dashboards_filters_apply(client, registry):
    assert cells(client, "country=CO") == {
        ("policing", "homicide"): (2, Rating.EFFECTIVE),
        ("policing", "robbery"): (1, Rating.NO_EFFECT),
        ("youth", "homicide"): (1, Rating.PROMISING),
        ("youth", "gang_violence"): (1, Rating.HARMFUL),
    }
    # A rating filter counts only ratings of that kind.
    assert cells(client, "rating=promising") == {
        ("policing", "homicide"): (1, Rating.PROMISING),
        ("youth", "homicide"): (1, Rating.PROMISING),
    }


def test_filtering_by_focus_or_outcome_keeps_only_those_rows_or_columns(client, registry):
    response = client.get(f"{GAP_MAP}?focus=youth&outcome=homicide,robbery")
    assert [row["focus"] for row in response.context["rows"]] == [Focus.YOUTH]
    assert response.context["outcomes"] == [Problem.HOMICIDE, Problem.ROBBERY]
    assert cells(client, "focus=youth&outcome=homicide,robbery") == {
        ("youth", "homicide"): (1, Rating.PROMISING),
    }


def test_unpublished_interventions_are_not_counted(client, registry):
    found = cells(client)
    assert ("data", "homicide") not in found
    assert ("policing", "theft") not in found
    assert "Draft" not in client.get(GAP_MAP).content.decode()


def test_every_cell_links_to_the_dashboard_listing_exactly_its_interventions(client, registry):
    for query in ("", "country=CO", "rating=promising,effective"):
        response = client.get(f"{GAP_MAP}?{query}")
        for row in response.context["rows"]:
            for cell in row["cells"]:
                if not cell["count"]:
                    continue
                assert f"focus={row['focus'].value}" in cell["url"]
                assert f"outcome={cell['outcome'].value}" in cell["url"]
                assert client.get(cell["url"]).context["total"] == cell["count"], cell["url"]


def test_cells_are_coloured_by_rating_with_a_legend(client, registry):
    response = client.get(GAP_MAP)
    html = response.content.decode()
    assert reporting.RATING_COLOURS[Rating.EFFECTIVE] in html
    assert [item["code"] for item in response.context["legend"]] == [
        Rating.EFFECTIVE,
        Rating.PROMISING,
        Rating.MIXED,
        Rating.NO_EFFECT,
        Rating.HARMFUL,
        Rating.INSUFFICIENT,
        Rating.NOT_EVALUATED,
    ]


def test_a_large_set_gives_the_same_map(client, registry, monkeypatch):
    expected = cells(client)
    monkeypatch.setattr(reporting, "SMALL_SET", 2)
    assert cells(client) == expected
    assert cells(client, "country=CO,MX") == expected


def test_a_bad_filter_is_shown_as_an_error(client, registry):
    response = client.get(f"{GAP_MAP}?outcome=happiness")
    assert response.status_code == 400
    assert "outcome" in response.context["form"].errors


def test_the_gap_map_makes_the_same_queries_for_5_or_50_interventions(
    client, django_assert_max_num_queries
):
    for number in range(5):
        make_intervention(f"P{number}", focus=["policing"], rating_findings={"homicide": [GOOD]})
    with django_assert_max_num_queries(6) as few:
        client.get(GAP_MAP)
    for number in range(45):
        make_intervention(f"Q{number}", focus=["youth"], rating_findings={"theft": [GOOD]})
    with django_assert_max_num_queries(6) as many:
        client.get(GAP_MAP)
    assert len(many.captured_queries) == len(few.captured_queries)
