"""/api/v1/interventions/: the dashboard's filters, every field, the project's pages and errors."""

from __future__ import annotations

import pytest
from django.test import Client

from convivencia.accounts.choices import Role
from convivencia.evidence import exports, services
from convivencia.evidence.choices import ExternalSource, Rating
from convivencia.evidence.models import ExternalRating
from tests.api.helpers import error_of
from tests.evidence.builders import EFFECTIVE, NULL, PROMISING, add_evaluation, make_intervention
from tests.factories import grant, make_organisation, make_user

pytestmark = pytest.mark.django_db
LIST = "/api/v1/interventions/"


@pytest.fixture
def client() -> Client:
    return Client(headers={"Accept-Language": "en"})


@pytest.fixture
def registry() -> dict:
    return {
        "cuadrantes": make_intervention(
            "Cuadrantes",
            "CO",
            focus=["policing"],
            problem=["homicide"],
            rating_findings={"homicide": EFFECTIVE},
            budget_usd=2_000_000,
        ),
        "jovenes": make_intervention(
            "Jóvenes", "CO", focus=["youth"], rating_findings={"theft": PROMISING}
        ),
        "escuelas": make_intervention(
            "Escuelas", "MX", focus=["youth", "policing"], rating_findings={"homicide": PROMISING}
        ),
        "draft": make_intervention(
            "Borrador",
            "CO",
            focus=["policing"],
            rating_findings={"homicide": EFFECTIVE},
            published=False,
        ),
    }


def found(client: Client, query: str) -> set[str]:
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return {row["name"] for row in body["results"]}


def test_the_list_takes_the_dashboards_filters(client, registry):
    assert found(client, "country=CO&focus=policing&rating=effective") == {"Cuadrantes"}
    assert found(client, "focus=policing") == {"Cuadrantes", "Escuelas"}
    assert found(client, "focus=youth&focus=policing") == {"Cuadrantes", "Jóvenes", "Escuelas"}
    assert found(client, "focus=youth,policing") == {"Cuadrantes", "Jóvenes", "Escuelas"}
    assert found(client, "rating=effective,promising&country=MX") == {"Escuelas"}
    assert found(client, "") == {"Cuadrantes", "Jóvenes", "Escuelas"}


def test_each_result_carries_every_exported_field(client, registry):
    body = client.get(f"{LIST}?q=Cuadrantes").json()
    (row,) = body["results"]
    assert list(row) == exports.FIELDS
    assert row["focus"] == ["policing"]
    assert row["rating_homicide"] == Rating.EFFECTIVE
    assert row["budget_usd"] == 2_000_000
    assert row["url"] == f"http://testserver/evidence/{registry['cuadrantes'].pk}/"


def test_the_list_is_paginated_the_projects_way(client, registry):
    body = client.get(f"{LIST}?page_size=2&sort=name").json()
    assert body["count"] == 3
    assert [row["name"] for row in body["results"]] == ["Cuadrantes", "Escuelas"]
    assert body["next"] == "http://testserver/api/v1/interventions/?page_size=2&sort=name&page=2"
    assert body["previous"] is None
    second = client.get(body["next"]).json()
    assert [row["name"] for row in second["results"]] == ["Jóvenes"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("focus=flying", "focus"),
        ("focus=policing,flying", "focus"),
        ("country=XX", "country"),
        ("year_from=soon", "year_from"),
        ("year_from=2020&year_to=2000", "year_to"),
        ("budget_min=-1", "budget_min"),
        ("territory=999999", "territory"),
        ("sort=price", "sort"),
        ("contry=CO", "contry"),  # a typo is not silently ignored
    ],
)
def test_a_bad_filter_is_a_400_with_the_error_body(client, registry, query, parameter):
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert ["query", parameter] in [detail["loc"] for detail in error["details"]]


def test_a_page_past_the_last_is_a_404(client, registry):
    response = client.get(f"{LIST}?page=9")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_the_detail_has_evaluations_ratings_and_external_ratings(client, registry):
    cuadrantes = registry["cuadrantes"]
    add_evaluation(cuadrantes, "robbery", NULL, citation="Robbery study", sms=3, independent=False)
    services.recompute_ratings(cuadrantes)
    reviewer = make_user("rita")
    grant(reviewer, make_organisation("Programa"), Role.COORDINATOR, [])
    services.override_rating(
        cuadrantes.ratings.get(outcome="robbery"), Rating.INSUFFICIENT, "One weak study.", reviewer
    )
    ExternalRating.objects.create(
        intervention=cuadrantes,
        source=ExternalSource.CRIMESOLUTIONS,
        label="Promising",
        outcome="homicide",
    )

    response = client.get(f"{LIST}{cuadrantes.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert set(exports.FIELDS) <= set(body)
    assert len(body["evaluations"]) == 3
    robbery_study = next(e for e in body["evaluations"] if e["citation"] == "Robbery study")
    assert robbery_study["sms_level"] == 3
    assert robbery_study["independent"] is False
    assert robbery_study["country"] == "CO"
    assert robbery_study["outcomes"] == [
        {"outcome": "robbery", "direction": "null", "effect_size": None, "effect_measure": ""}
    ]
    ratings = {rating["outcome"]: rating for rating in body["ratings"]}
    assert ratings["homicide"]["rating"] == Rating.EFFECTIVE
    assert ratings["homicide"]["best_sms"] == 4
    assert ratings["homicide"]["studies"] == 2
    assert ratings["homicide"]["independent_studies"] == 2
    assert ratings["homicide"]["context"] == "same_country"
    assert ratings["robbery"]["computed"] == Rating.NO_EFFECT
    assert ratings["robbery"]["override"] == Rating.INSUFFICIENT
    assert ratings["robbery"]["override_reason"] == "One weak study."
    assert body["external_ratings"] == [
        {
            "source": "crimesolutions",
            "label": "Promising",
            "url": "",
            "outcome": "homicide",
            "mapped_rating": Rating.PROMISING,
        }
    ]


def test_an_unpublished_intervention_is_not_found(client, registry):
    response = client.get(f"{LIST}{registry['draft'].pk}/")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert "Borrador" not in found(client, "focus=policing")


def test_the_list_makes_the_same_queries_for_5_or_50_interventions(
    client, django_assert_max_num_queries
):
    for number in range(5):
        make_intervention(f"P{number}", focus=["policing"], rating_findings={"homicide": PROMISING})
    with django_assert_max_num_queries(8) as few:
        assert client.get(f"{LIST}?focus=policing&page_size=100").status_code == 200
    for number in range(45):
        make_intervention(f"Q{number}", focus=["policing"])
    with django_assert_max_num_queries(8) as many:
        assert client.get(f"{LIST}?focus=policing&page_size=100").json()["count"] == 50
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_filters_are_documented_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    parameters = {
        parameter["name"]: parameter.get("description", "")
        for parameter in schema["paths"]["/api/v1/interventions/"]["get"]["parameters"]
    }
    assert {
        "country",
        "focus",
        "rating",
        "year_from",
        "budget_min",
        "sort",
        "page",
        "page_size",
    } <= set(parameters)
    assert "`policing`" in parameters["focus"]
    assert "One of" not in parameters["territory"]  # looked up, never listed
