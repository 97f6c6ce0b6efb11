"""/api/v1/network/: events, organisations, specialists (public profiles only) and
practices, in the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.network.builders import PUBLIC_NAME, make_network

pytestmark = pytest.mark.django_db


def get(url: str, status: int = 200) -> dict:
    response = Client().get(url)
    assert response.status_code == status, response.content
    return response.json()


def test_every_endpoint_is_in_the_openapi_schema():
    paths = set(get("/api/v1/openapi.json")["paths"])
    assert {
        "/api/v1/network/events/",
        "/api/v1/network/events/{event_id}/",
        "/api/v1/network/organisations/",
        "/api/v1/network/specialists/",
        "/api/v1/network/specialists/{specialist_id}/",
        "/api/v1/network/practices/",
        "/api/v1/network/practices/{practice_id}/",
    } <= paths


def test_events_list_published_events_with_their_organisations_and_roles():
    world = make_network()
    page = get("/api/v1/network/events/")
    assert page["count"] == 2
    first = page["results"][0]
    assert first["title"] == "Diálogo de Bogotá"
    assert (first["start_date"], first["end_date"]) == ("2015-04-16", "2015-04-17")
    assert first["series"] == "Citizen Security Dialogues"
    roles = {(o["acronym"], o["role"]) for o in first["organisations"]}
    assert roles == {("Igarapé", "promoter"), ("IDRC", "funder"), ("FIP", "partner")}
    assert first["url"].endswith(f"/network/events/{world.past.pk}/")


@pytest.mark.parametrize(
    ("query", "count"),
    [("kind=workshop", 1), ("country=co", 1), ("year=2015", 1), ("series=Nope", 0)],
)
def test_events_filter(query, count):
    make_network()
    assert get(f"/api/v1/network/events/?{query}")["count"] == count


def test_a_bad_filter_is_a_validation_error():
    body = get("/api/v1/network/events/?kind=party", status=400)
    assert body["error"]["code"] == "validation_error"


def test_an_event_has_its_programme_documents_and_practices():
    world = make_network()
    event = get(f"/api/v1/network/events/{world.past.pk}/")
    assert [s["title"] for s in event["sessions"]] == ["Territorio y justicia", "Jóvenes y policía"]
    assert event["sessions"][0]["theme"] == "criminal_justice"
    assert {(d["title"], d["language"]) for d in event["documents"]} == {
        ("Informe final", "es"),
        ("Final report", "en"),
    }
    assert sorted(event["practices"]) == sorted([world.practice.pk, world.unevaluated.pk])
    get(f"/api/v1/network/events/{world.draft.pk}/", status=404)


def test_specialists_are_public_profiles_only_without_email():
    world = make_network()
    page = get("/api/v1/network/specialists/")
    assert [s["name"] for s in page["results"]] == [PUBLIC_NAME]
    [valeria] = page["results"]
    assert valeria["expertise"] == ["data", "youth"]
    assert valeria["countries"] == ["BR", "CO"]
    assert valeria["events_spoken_at"] == [world.past.pk]
    assert valeria["events_attended"] == []
    assert valeria["publications"] == [
        {"title": "Territorio y datos", "year": 2015, "doi": "10.5334/sta.test", "journal": ""}
    ]
    assert "email" not in valeria
    assert get("/api/v1/network/specialists/?language=fr")["count"] == 0  # only Hernán


def test_practices_carry_their_evidence():
    world = make_network()
    practices = {p["name"]: p for p in get("/api/v1/network/practices/")["results"]}
    assert practices["Escuelas seguras"]["rating"] == "effective"
    assert practices["Escuelas seguras"]["intervention_id"] == world.intervention.pk
    assert practices["Papo de Responsa"]["rating"] is None
    assert practices["Papo de Responsa"]["events"] == [world.past.pk]


def test_organisations_are_listed():
    make_network()
    names = [o["acronym"] for o in get("/api/v1/network/organisations/")["results"]]
    assert names == ["FIP", "Igarapé", "IDRC"]
