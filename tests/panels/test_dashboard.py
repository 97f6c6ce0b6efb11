"""The panel dashboard, the panel list, the map and the territory page's panel section.

Personas (``make_world``): Camila coordinates Cauca, Andrea is an analyst for Cauca,
Pablo is a police liaison for Popayán, Julia a judiciary liaison for Cauca, Pedro
a police liaison for Pasto, Luz a community leader in Popayán; Nadia holds no
role. Popayán's panel has sixteen leaders; trust in the police and in the judges
falls sharply between January and February 2024.

The first names are those of ``tests/personas.py`` for the same role and place. The
world stays local because its sixteen leaders and their answers are what a dozen
modules' figures are computed from; Julia (judiciary) and Pedro (Pasto's police) have
no persona. Who may open which page is in ``tests/panels/test_permissions.py``.

``make_world`` and ``answer_wave`` are shared with the other panel page tests.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from convivencia.accounts.choices import OrganisationType, Role
from convivencia.panels import analysis, collection, maps
from convivencia.panels.choices import SubmissionSource, WaveStatus
from convivencia.panels.models import Wave
from convivencia.territories.choices import Level
from convivencia.territories.models import Boundary
from tests.factories import grant, make_colombia, make_organisation, make_territory, make_user
from tests.panels import add_respondent, make_default_panel
from tests.panels.builders import raw

DEFAULTS: dict[str, Any] = {
    "B18": 6,
    "B12": 5,
    "B10A": 4,
    "B32": 4,
    "PROSEC": 4,
    "JUDGES": 6,
    "LOCALPROV": 5,
    "AOJ11": 2,
    "AOJ12": 2,
    "UNSAFE_WALK": 2,
    "VIC1": 0,
    "POLRESPECT": 3,
    "POLTIME": 2,
    "SAFER": 2,
    "ROADS": 2,
    "PROBLEMS": "1 3",
}


def answers(**overrides: Any) -> dict[str, Any]:
    """A complete submission of the default questionnaire (every item is required)."""
    return {**DEFAULTS, **overrides}


def answer_wave(wave: Wave, by_number: dict[int, dict[str, Any]], prefix: str = "R") -> None:
    batch = [
        raw(f"{prefix}{number:03d}", **answers(**values)) for number, values in by_number.items()
    ]
    collection.accept(wave, batch, SubmissionSource.WEB)


def open_wave(panel, period: str) -> Wave:
    return Wave.objects.create(panel=panel, period=datetime.date.fromisoformat(f"{period}-01"))


def close(wave: Wave) -> Wave:
    Wave.objects.filter(pk=wave.pk).update(status=WaveStatus.CLOSED)
    wave.refresh_from_db()
    return wave


SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-76.7, 2.4], [-76.5, 2.4], [-76.5, 2.5], [-76.7, 2.5], [-76.7, 2.4]]],
}


# Sixteen leaders: above 13 pairs scipy's Wilcoxon test with ties needs no slow
# exact permutation, and the sexes and areas split eight and eight.
SIZE = 16


def make_world(respondents: int = SIZE) -> SimpleNamespace:
    places = make_colombia()
    timbio = make_territory(places.cauca, Level.MUNICIPALITY, "Timbío", divipola="19807")
    for territory in (places.popayan, timbio, places.pasto):
        Boundary.objects.create(territory=territory, geometry=SQUARE, source="test")
    panel = make_default_panel(places.popayan, local_provider_name="Guardia campesina")
    for number in range(1, respondents + 1):
        add_respondent(
            panel,
            f"R{number:03d}",
            sex="female" if number % 2 else "male",
            area="rural" if number <= respondents // 2 else "urban",
            role="jac",
        )
    pasto = make_default_panel(places.pasto, code="pasto")
    for number in range(1, 7):
        add_respondent(pasto, f"P{number:03d}", sex="female")
    january, february = open_wave(panel, "2024-01"), open_wave(panel, "2024-02")
    everyone = range(1, respondents + 1)
    answer_wave(january, {n: {"B18": 6 + n % 2, "JUDGES": 6 + n % 2} for n in everyone})
    answer_wave(february, {n: {"B18": 2 + n % 2, "JUDGES": 2, "PROBLEMS": "2 3"} for n in everyone})
    close(january), close(february)
    pasto_wave = open_wave(pasto, "2024-02")
    answer_wave(pasto_wave, {n: {} for n in range(1, 7)}, prefix="P")
    close(pasto_wave)

    programme = make_organisation("Programa Convivencia")
    police_popayan = make_organisation("Policía Popayán", OrganisationType.POLICE)
    police_pasto = make_organisation("Policía Pasto", OrganisationType.POLICE)
    judiciary = make_organisation("Rama Judicial Cauca", OrganisationType.JUDICIARY)
    council = make_organisation("JAC Popayán", OrganisationType.COMMUNITY)
    people = {
        "camila": (programme, Role.COORDINATOR, places.cauca),
        "andrea": (programme, Role.ANALYST, places.cauca),
        "pablo": (police_popayan, Role.PROVIDER, places.popayan),
        "julia": (judiciary, Role.PROVIDER, places.cauca),
        "pedro": (police_pasto, Role.PROVIDER, places.pasto),
        "luz": (council, Role.COMMUNITY_LEADER, places.popayan),
    }
    world = SimpleNamespace(
        places=places,
        timbio=timbio,
        panel=panel,
        pasto=pasto,
        january=january,
        february=february,
        pasto_wave=pasto_wave,
    )
    for name, (organisation, role, territory) in people.items():
        user = make_user(name, email=f"{name}@example.org")
        grant(user, organisation, role, [territory])
        setattr(world, name, user)
    world.nadia = make_user("nadia", email="nadia@example.org")
    return world


@pytest.fixture
def world(db) -> SimpleNamespace:
    return make_world()


def get(client, world, persona: str | None, url: str):
    if persona:
        client.force_login(getattr(world, persona))
    return client.get(url)


RESPONDENT_CODES = [f"R{number:03d}" for number in range(1, SIZE + 1)]


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    response = client.get("/panels/popayan/")
    assert response["Location"].startswith("/accounts/login/")


def test_the_panel_list_shows_only_panels_in_scope(client, world):
    page = get(client, world, "pablo", "/panels/").content.decode()
    assert "/panels/popayan/" in page and "/panels/pasto/" not in page
    assert "/panels/provider/" in page
    page = get(client, world, "nadia", "/panels/").content.decode()
    assert "/panels/popayan/" not in page


# What the dashboard shows


def test_the_dashboard_compares_the_latest_wave_with_the_previous_one(client, world):
    page = get(client, world, "andrea", "/panels/popayan/").content.decode()
    assert "2024-02" in page and "2024-01" in page
    assert "Wilcoxon" in page
    assert 'data-testid="flag"' in page  # the drop in trust in the police
    assert "key-informant" in page.lower() or "informantes clave" in page.lower()


def test_the_trend_series_carries_every_wave_and_both_measures(client, world):
    response = get(client, world, "andrea", "/panels/popayan/")
    trend = response.context["trend"]
    assert trend["labels"] == ["2024-01", "2024-02"]
    police = next(series for series in trend["series"] if series["code"] == "B18")
    assert police["pct"] == [100.0, 0.0]
    low, _high = analysis.wilson(SIZE, SIZE)
    assert police["pct_low"][0] == pytest.approx(round(low, 1))
    assert police["mean"][0] is not None and police["mean_high"][0] is not None
    local = next(series for series in trend["series"] if series["code"] == "LOCALPROV")
    assert local["label"] == "Guardia campesina"


def test_the_top_concerns_come_from_the_multiple_choice_aggregate(client, world, settings):
    settings.LANGUAGE_CODE = "es"  # the labels are the questionnaire's, in the page's language
    [chart] = get(client, world, "andrea", "/panels/popayan/").context["concern_charts"]
    concerns = chart.concerns
    assert [(c.count, round(c.share)) for c in concerns[:2]] == [(SIZE, 100), (SIZE, 100)]
    assert {c.label for c in concerns} == {"Extorsión", "Grupos armados"}


def test_response_rate_and_retention_per_wave(client, world):
    rows = get(client, world, "andrea", "/panels/popayan/").context["retention"]
    assert [(row.wave, row.responded, row.retained) for row, _wave in rows] == [
        ("2024-01", SIZE, None),
        ("2024-02", SIZE, SIZE),
    ]
    assert rows == list(
        zip(
            analysis.retention([world.january, world.february]),
            [world.january, world.february],
            strict=True,
        )
    )


def test_a_breakdown_reads_its_own_aggregates_and_shows_plain_differences(client, world):
    response = get(client, world, "andrea", "/panels/popayan/?breakdown=sex:female")
    assert response.status_code == 200
    assert not response.context["paired"]
    row = next(r for r in response.context["comparison"] if r.item.code == "B18")
    assert row.current.n == SIZE // 2 and row.change is None
    assert row.pct_difference == pytest.approx(-100)


def test_an_earlier_wave_can_be_chosen(client, world):
    response = get(client, world, "andrea", "/panels/popayan/?wave=2024-01")
    assert response.context["wave"] == world.january and response.context["previous"] is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?wave=2024-1", 400),
        ("?wave=2023-12", 404),
        ("?breakdown=sex:robot", 400),
        ("?breakdown=income:high", 400),
    ],
)
def test_bad_parameters_are_refused(client, world, query, expected):
    assert get(client, world, "andrea", f"/panels/popayan/{query}").status_code == expected


def test_a_panel_without_answers_shows_an_empty_dashboard(client, world):
    open_wave(world.panel, "2024-03")
    world.panel.waves.exclude(period__month=3).delete()
    response = get(client, world, "camila", "/panels/popayan/")
    assert response.status_code == 200 and response.context["wave"] is None


# Suppression


def test_small_cells_are_withheld_from_analysts_and_providers_but_not_coordinators(
    client, world, settings
):
    settings.MIN_CELL_SIZE = SIZE // 2 + 1  # the women are too few
    url = "/panels/popayan/?breakdown=sex:female"
    for persona in ("andrea", "pablo"):
        row = next(
            r
            for r in get(client, world, persona, url).context["comparison"]
            if r.item.code == "B18"
        )
        assert row.current.suppressed and row.current.pct_trust is None
    row = next(
        r for r in get(client, world, "camila", url).context["comparison"] if r.item.code == "B18"
    )
    assert not row.current.suppressed and row.current.pct_trust == 0


def test_changes_among_too_few_pairs_are_withheld_outside_the_coordinator_role(
    client, world, settings
):
    settings.MIN_CELL_SIZE = SIZE + 1  # more than the pairs
    row = next(
        r
        for r in get(client, world, "pablo", "/panels/popayan/").context["comparison"]
        if r.item.code == "B18"
    )
    assert row.change is None
    row = next(
        r
        for r in get(client, world, "camila", "/panels/popayan/").context["comparison"]
        if r.item.code == "B18"
    )
    assert row.change is not None and row.change.flagged


# Reading aggregates, not answers


def _answer_queries(queries: list[dict[str, str]]) -> list[str]:
    return [query["sql"] for query in queries if "panels_answer" in query["sql"]]


def test_a_breakdown_dashboard_never_reads_the_answers(client, world):
    client.force_login(world.camila)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/panels/popayan/?breakdown=area:rural").status_code == 200
    assert _answer_queries(captured.captured_queries) == []


def test_only_the_paired_test_reads_the_answers(client, world, monkeypatch):
    calls = []
    original = analysis._paired_scores

    def counted(*args, **kwargs):
        calls.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(analysis, "_paired_scores", counted)
    client.force_login(world.camila)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/panels/popayan/").status_code == 200
    reads = _answer_queries(captured.captured_queries)
    # One query for all the items compared (it was one per item).
    assert len(calls) == 1 and len(reads) == 1 and len(calls[0]) > 1
    # Asked for by the two waves' submission ids, never by a join over all answers.
    assert all('"panels_answer"."submission_id" IN' in sql for sql in reads)


def test_the_query_count_does_not_grow_with_the_number_of_waves(client, world):
    client.force_login(world.andrea)

    def count() -> int:
        cache.clear()  # the whole work each time, none of it remembered from the last visit
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/panels/popayan/").status_code == 200
        return len(captured.captured_queries)

    before = count()
    for month in range(3, 9):
        wave = open_wave(world.panel, f"2024-{month:02d}")
        answer_wave(wave, {n: {"B18": 2 + n % 3} for n in range(1, SIZE + 1)})
        close(wave)
    assert count() == before


# The map


def _features(client, world, persona: str, query: str = "item=B18&period=2024-02"):
    response = get(client, world, persona, f"/panels/map/data.geojson?{query}")
    assert response.status_code == 200
    return {f["properties"]["name"]: f["properties"] for f in response.json()["features"]}


def test_the_map_colours_panels_and_shows_no_data_where_there_is_no_panel(client, world):
    features = _features(client, world, "camila")
    assert features["Popayán"]["status"] == "data" and features["Popayán"]["value"] == 0
    assert features["Timbío"]["status"] == "no_data"
    assert features["Timbío"]["colour"] != features["Popayán"]["colour"]
    assert "Pasto" not in features  # outside Camila's scope


def test_the_map_shows_suppressed_cells_as_no_data(client, world, settings):
    settings.MIN_CELL_SIZE = SIZE + 1
    assert _features(client, world, "andrea")["Popayán"]["status"] == "suppressed"
    assert _features(client, world, "andrea")["Popayán"]["value"] is None
    assert _features(client, world, "camila")["Popayán"]["status"] == "data"


def test_the_map_page_lists_the_figures_and_the_no_data_legend(client, world):
    page = get(client, world, "camila", "/panels/map/?item=B18&period=2024-02").content.decode()
    assert "Popayán" in page and 'data-testid="panel-map"' in page
    assert "No data" in page or "Sin datos" in page


@pytest.mark.parametrize("query", ["item=B18&period=24-02", "item=NOPE&period=2024-02"])
def test_the_map_refuses_bad_parameters(client, world, query):
    assert get(client, world, "camila", f"/panels/map/?{query}").status_code == 400
    assert get(client, world, "camila", f"/panels/map/data.geojson?{query}").status_code == 400


# The territory page


def test_the_public_sees_provider_indices_on_the_territory_page_with_the_caveat(client, world):
    page = client.get(f"/territories/{world.places.popayan.pk}/").content.decode()
    assert 'data-testid="panel-slot"' in page and 'data-testid="caveat"' in page
    assert "Guardia campesina" in page  # the local provider's index
    assert "/panels/popayan/" not in page  # no dashboard link for the public
    for code in RESPONDENT_CODES:
        assert code not in page


def test_the_public_does_not_see_indices_resting_on_too_few_answers(client, world, settings):
    settings.MIN_CELL_SIZE = SIZE + 1
    response = client.get(f"/territories/{world.places.popayan.pk}/")
    entry = response.context["panel_summary"]["panels"][0]
    assert entry["providers"] == []


def test_the_territory_page_fetches_the_personal_section_for_signed_in_users(client, world):
    client.force_login(world.camila)
    page = client.get(f"/territories/{world.places.cauca.pk}/").content.decode()
    assert f'hx-get="/panels/territory/{world.places.cauca.pk}/"' in page
    slot = client.get(f"/panels/territory/{world.places.cauca.pk}/").content.decode()
    assert "/panels/popayan/" in slot and "hx-get" not in slot
    client.force_login(world.nadia)
    slot = client.get(f"/panels/territory/{world.places.cauca.pk}/").content.decode()
    assert "/panels/popayan/" not in slot and "Guardia campesina" in slot


def test_the_territory_page_shows_only_closed_waves(client, world):
    wave = open_wave(world.panel, "2024-03")
    answer_wave(wave, {n: {"B18": 7} for n in range(1, SIZE + 1)})
    entry = client.get(f"/territories/{world.places.popayan.pk}/").context["panel_summary"][
        "panels"
    ][0]
    assert entry["wave"] == world.february


def test_an_open_wave_is_shown_only_when_chosen_and_marked_provisional(client, world):
    march = open_wave(world.panel, "2024-03")
    answer_wave(march, {n: {"B18": 7} for n in range(1, SIZE + 1)})
    assert get(client, world, "andrea", "/panels/popayan/").context["wave"] == world.february
    response = get(client, world, "andrea", "/panels/popayan/?wave=2024-03")
    assert response.context["wave"] == march and response.context["previous"] == world.february
    assert "provisional" in response.content.decode()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_the_map_reads_the_aggregates_through_the_item_code_index(world):

    with CaptureQueriesContext(connection) as queries:
        cells = maps.map_cells(world.camila, "B18", datetime.date(2024, 2, 1))
    assert cells
    sql = next(
        query["sql"] for query in queries.captured_queries if "panels_aggregate" in query["sql"]
    )
    with connection.cursor() as cursor:
        # The captured SQL has its values inlined already; only the plan is asked for.
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "panels_aggregate_by_" in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_a_trend_reads_its_waves_aggregates_by_wave_not_by_item_code(world):
    from convivencia.panels import charts

    waves = list(Wave.objects.filter(panel=world.panel))
    with CaptureQueriesContext(connection) as queries:
        results = charts.results_by_wave(waves, reveal_small=True, codes=["B18"], with_counts=False)
    assert any("B18" in by_code for by_code in results.values())
    sql = next(
        query["sql"] for query in queries.captured_queries if "panels_aggregate" in query["sql"]
    )
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        plan = " ".join(str(row) for row in cursor.fetchall())
    # Through the item code, SQLite would read that item's rows in every wave of the
    # country (the map's index); the panel's few waves are found by wave id.
    assert "aggregate_by_item" not in plan and "autoindex_panels_aggregate" in plan, plan


def test_the_map_offers_the_months_and_items_with_answers_in_the_users_territories(world):

    open_wave(world.panel, "2024-03")  # opened, nobody has answered yet
    pasto_only = open_wave(world.pasto, "2023-12")
    answer_wave(pasto_only, {n: {"B18": 5} for n in range(1, 7)}, prefix="P")
    choices = maps.map_choices(world.camila)  # coordinator in Cauca
    assert [period.strftime("%Y-%m") for period in choices["periods"]] == ["2024-02", "2024-01"]
    codes = {item.code for item in choices["items"]}
    assert {"B18", "JUDGES"} <= codes
    assert all(item.top_min is not None for item in choices["items"])
    assert maps.map_choices(world.pedro)["periods"][0].strftime("%Y-%m") == "2024-02"
    assert "2023-12" in {p.strftime("%Y-%m") for p in maps.map_choices(world.pedro)["periods"]}
    assert maps.map_choices(world.nadia) == {"items": [], "periods": []}  # no role
