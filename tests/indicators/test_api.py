"""/api/v1/indicators/: the catalogue and values, public, with the project's error body."""

from __future__ import annotations

import dataclasses

import pytest

from convivencia.indicators import periods, rates
from tests.api.helpers import error_of
from tests.indicators.test_explorer import make_figures

VALUE_KEYS = {
    "indicator",
    "territory",
    "period",
    "source",
    "value",
    "numerator",
    "denominator",
    "ci_low",
    "ci_high",
    "population_source",
    "population_year",
    "warnings",
    "method",
}


@pytest.fixture
def figures(db):
    return make_figures(municipalities=2)


def values_url(code: str = "homicide_rate", **query: str) -> str:
    return f"/api/v1/indicators/{code}/values?" + "&".join(f"{k}={v}" for k, v in query.items())


def test_the_catalogue_lists_every_indicator_without_login(client, figures):
    response = client.get("/api/v1/indicators/")
    assert response.status_code == 200
    page = response.json()
    assert set(page) == {"count", "next", "previous", "results"}
    homicide = next(row for row in page["results"] if row["code"] == "homicide_rate")
    assert homicide == {
        "code": "homicide_rate",
        "name": str(figures.indicator),
        "numerator": "homicides",
        "denominator": "population",
        "factor": 100_000,
        "description": figures.indicator.description,
    }


def test_a_municipal_value_is_rates_compute_with_its_provenance(client, figures):
    response = client.get(values_url(territory="divipola:19001", period="2023"))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == VALUE_KEYS
    expected = rates.compute(figures.indicator, figures.popayan, periods.parse("2023"))
    assert body["territory"] == {
        "id": figures.popayan.pk,
        "name": "Popayán",
        "scheme": "divipola",
        "code": "19001",
    }
    computed = dataclasses.asdict(expected)
    for key in VALUE_KEYS - {"territory", "indicator"}:
        assert body[key] == computed[key], key
    assert body["population_source"] == "DANE" and body["population_year"] == 2023


def test_countries_go_by_iso_and_departments_by_divipola(client, figures):
    country = client.get(values_url(territory="iso:co", period="2023")).json()
    assert country["territory"]["code"] == "CO"
    assert (
        country["numerator"]
        == rates.compute(figures.indicator, figures.colombia, periods.parse("2023")).numerator
    )
    department = client.get(values_url(territory="divipola:19", period="2023-03")).json()
    assert (department["territory"]["name"], department["period"]) == ("Cauca", "2023-03")


def test_a_source_can_be_chosen_and_dhis2_periods_are_understood(client, figures):
    forensic = client.get(
        values_url(territory="divipola:19001", period="2023", source="forensic")
    ).json()
    assert (forensic["source"], forensic["numerator"]) == ("forensic", 30)
    monthly = client.get(values_url(territory="divipola:19001", period="202303")).json()
    assert monthly["period"] == "2023-03"


def test_no_data_is_an_answer_with_a_warning_not_an_error(client, figures):
    body = client.get(values_url(territory="divipola:19001", period="2030")).json()
    assert body["value"] is None and body["source"] is None
    assert body["warnings"]


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ({"territory": "divipola:19001", "period": "2023-13"}, ["query", "period"]),
        ({"territory": "postcode:19001", "period": "2023"}, ["query", "territory"]),
        ({"territory": "19001", "period": "2023"}, ["query", "territory"]),
        (
            {"territory": "divipola:19001", "period": "2023", "source": "rumour"},
            ["query", "source"],
        ),
        ({"period": "2023"}, ["query", "territory"]),
    ],
)
def test_a_bad_parameter_is_a_400_that_says_which(client, figures, query, where):
    response = client.get(values_url(**query))
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert error["details"][0]["loc"] == where


def test_an_unknown_territory_or_indicator_is_a_404(client, figures):
    response = client.get(values_url(territory="divipola:99999", period="2023"))
    assert response.status_code == 404
    assert "divipola:99999" in error_of(response)["message"]
    response = client.get(values_url("nope", territory="divipola:19001", period="2023"))
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_the_endpoints_are_documented_with_examples(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    values = schema["paths"]["/api/v1/indicators/{code}/values"]["get"]
    assert "200" in values["responses"] and "404" in values["responses"]
    documented = values["responses"]["200"]["content"]["application/json"]
    assert set(documented["example"]) == VALUE_KEYS
    assert documented["schema"]["$ref"].endswith("/IndicatorValueOut")
    assert set(schema["components"]["schemas"]["IndicatorValueOut"]["properties"]) == VALUE_KEYS
    assert values["responses"]["404"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ErrorBody"
    )
    parameters = {parameter["name"]: parameter for parameter in values["parameters"]}
    assert {"territory", "period", "source"} <= set(parameters)
    assert "iso:CO" in parameters["territory"]["description"]
    assert "/api/v1/indicators/" in schema["paths"]
    # Public: credentials are optional (an empty security requirement).
    assert {} in values["security"]
