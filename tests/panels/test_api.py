"""/api/v1/panels/: the same access rules and the same numbers as the pages."""

from __future__ import annotations

import pytest

from convivencia.accounts.models import ApiToken
from convivencia.panels import analysis
from tests.api.helpers import bearer, error_of
from tests.panels.test_dashboard import RESPONDENT_CODES, SIZE, get, make_world


@pytest.fixture
def world(db):
    return make_world()


def test_the_list_holds_only_the_panels_in_scope(client, world):
    def codes(persona: str) -> list[str]:
        payload = get(client, world, persona, "/api/v1/panels/").json()
        return [panel["code"] for panel in payload["results"]]

    assert codes("camila") == ["popayan"]
    assert codes("pedro") == ["pasto"]
    assert codes("nadia") == []
    panel = get(client, world, "camila", "/api/v1/panels/").json()["results"][0]
    assert panel["territory"]["name"] == "Popayán" and panel["waves_count"] == 2
    assert panel["latest_wave"] == "2024-02" and panel["questionnaire"]["code"] == "confianza"


def test_a_token_works_like_a_session(client, world):
    _token, clear = ApiToken.issue(world.andrea, "script")
    response = client.get("/api/v1/panels/popayan/results?wave=2024-02", **bearer(clear))
    assert response.status_code == 200


def test_the_detail_lists_the_waves_with_status_and_responses(client, world):
    payload = get(client, world, "andrea", "/api/v1/panels/popayan/").json()
    assert payload["waves"] == [
        {"period": "2024-01", "status": "closed", "responses": SIZE},
        {"period": "2024-02", "status": "closed", "responses": SIZE},
    ]
    assert payload["local_provider_name"] == "Guardia campesina"


def test_the_results_equal_wave_results_and_compare(client, world):
    payload = get(client, world, "andrea", "/api/v1/panels/popayan/results?wave=2024-02").json()
    assert payload["wave"] == "2024-02" and payload["previous_wave"] == "2024-01"
    assert "key-informant" in payload["caveat"].lower() or "informantes" in payload["caveat"]
    expected = {r.item: r for r in analysis.wave_results(world.february)}
    changes = {c.item: c for c in analysis.compare(world.february, world.january)}
    by_item = {row["item"]: row for row in payload["results"]}
    assert set(by_item) <= set(expected)
    for code, row in by_item.items():
        result = expected[code]
        assert row["n"] == result.n and row["suppressed"] == result.suppressed
        for field in (
            "pct_trust",
            "pct_trust_ci_low",
            "pct_trust_ci_high",
            "mean_0_100",
            "mean_ci_low",
            "mean_ci_high",
        ):
            assert row[field] == pytest.approx(getattr(result, field)), (code, field)
        change = changes.get(code)
        if change is None or not change.test:
            assert row["change"] is None
            continue
        assert row["change"]["test"] == change.test
        assert row["change"]["p_adjusted"] == pytest.approx(change.p_adjusted)
        assert row["change"]["flagged"] == change.flagged
        assert row["change"]["n_pairs"] == change.n_pairs
        assert row["change"]["pct_trust_change"] == pytest.approx(change.pct_trust_change)
    police = by_item["B18"]
    assert police["provider"] == "police" and police["pct_trust"] == 0
    assert police["change"]["test"] == "wilcoxon" and police["change"]["flagged"]


def test_the_latest_wave_is_the_default_and_the_first_wave_has_no_change(client, world):
    assert get(client, world, "andrea", "/api/v1/panels/popayan/results").json()["wave"] == (
        "2024-02"
    )
    payload = get(client, world, "andrea", "/api/v1/panels/popayan/results?wave=2024-01").json()
    assert payload["previous_wave"] is None
    assert all(row["change"] is None for row in payload["results"])


def test_a_breakdown_reads_its_aggregates_without_paired_tests(client, world):
    payload = get(
        client, world, "andrea", "/api/v1/panels/popayan/results?breakdown=sex:female"
    ).json()
    police = next(row for row in payload["results"] if row["item"] == "B18")
    expected = next(
        r for r in analysis.wave_results(world.february, "sex:female") if r.item == "B18"
    )
    assert police["n"] == expected.n == SIZE // 2 and police["change"] is None


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("?wave=2024-2", 400, "validation_error"),
        ("?wave=february", 400, "validation_error"),
        ("?wave=2023-01", 404, "not_found"),
        ("?breakdown=sex:robot", 400, "validation_error"),
    ],
)
def test_bad_parameters_get_the_error_body(client, world, query, status, code):
    response = get(client, world, "andrea", f"/api/v1/panels/popayan/results{query}")
    assert response.status_code == status
    assert error_of(response)["code"] == code


def test_small_cells_are_suppressed_for_analysts_and_providers_not_coordinators(
    client, world, settings
):
    settings.MIN_CELL_SIZE = SIZE // 2 + 1
    url = "/api/v1/panels/popayan/results?breakdown=sex:female"
    for persona in ("andrea", "pablo"):
        police = next(
            r for r in get(client, world, persona, url).json()["results"] if r["item"] == "B18"
        )
        assert police["suppressed"] and police["pct_trust"] is None
        assert police["counts"] is None and police["n_missing"] is None
    police = next(
        r for r in get(client, world, "camila", url).json()["results"] if r["item"] == "B18"
    )
    assert not police["suppressed"] and police["pct_trust"] == 0


def test_providers_never_receive_respondent_codes(client, world):
    for url in (
        "/api/v1/panels/",
        "/api/v1/panels/popayan/",
        "/api/v1/panels/popayan/results",
        "/api/v1/panels/popayan/results?wave=2024-01",
    ):
        text = get(client, world, "pablo", url).content.decode()
        for code in RESPONDENT_CODES:
            assert code not in text


def test_the_endpoints_are_documented(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/panels/", "/api/v1/panels/{code}/", "/api/v1/panels/{code}/results"} <= set(
        schema["paths"]
    )
    results = schema["paths"]["/api/v1/panels/{code}/results"]["get"]
    assert {"200", "400", "401", "404"} <= set(results["responses"])
    assert "key-informant" in results["description"]
