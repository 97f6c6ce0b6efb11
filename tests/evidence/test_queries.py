"""The API list and the exports ask the same number of queries for 1 row as for 50.

A query per row (or per chunk of rows) is what made the CSV export 65 times
its SQL baseline at 100,000 interventions; these tests fail if one comes back.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from convivencia.evidence import exports
from tests.evidence.builders import EFFECTIVE, PROMISING, make_intervention
from tests.factories import make_colombia

pytestmark = pytest.mark.django_db

ROWS = 50


@pytest.fixture
def client() -> Client:
    return Client(headers={"Accept-Language": "en"})


@pytest.fixture
def registry() -> None:
    """50 published interventions, each with tags, a territory and a source, some rated."""
    places = make_colombia()
    territories = [places.cauca, places.popayan, places.narino, places.pasto]
    for number in range(ROWS):
        make_intervention(
            f"Intervention {number:02d}",
            "CO" if number % 3 else "MX",
            focus=["policing", "youth"] if number % 2 else ["data"],
            problem=["homicide"],
            population=["general"],
            rating_findings={"homicide": EFFECTIVE if number % 2 else PROMISING}
            if number % 5 == 0
            else None,
            territories=territories[: number % 4],
            sources=[{"citation": f"Source {number}", "url": "https://example.org"}],
            start_year=2000 + number % 20,
        )


def queries(client: Client, url: str) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = b"".join(response.streaming_content) if response.streaming else response.content
    return len(captured.captured_queries), body


def test_the_api_list_asks_as_many_queries_for_50_rows_as_for_one(client, registry):
    queries(client, "/api/v1/interventions/?page_size=1")  # warm-up: caches, sessions
    one, body = queries(client, "/api/v1/interventions/?page_size=1")
    fifty, body = queries(client, f"/api/v1/interventions/?page_size={ROWS}")
    assert len(json.loads(body)["results"]) == ROWS
    assert fifty == one


def test_the_api_list_filtered_and_sorted_asks_no_query_per_row(client, registry):
    query = "focus=policing&sort=name"
    one, _body = queries(client, f"/api/v1/interventions/?{query}&page_size=1")
    many, _body = queries(client, f"/api/v1/interventions/?{query}&page_size={ROWS}")
    assert many == one


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_an_export_asks_as_many_queries_for_50_rows_as_for_one(client, registry, fmt):
    queries(client, f"/evidence/export.{fmt}?q=Intervention+07")  # warm-up
    one, _body = queries(client, f"/evidence/export.{fmt}?q=Intervention+07")
    fifty, _body = queries(client, f"/evidence/export.{fmt}")
    assert fifty == one


def test_an_export_larger_than_a_chunk_asks_no_query_per_chunk(client, registry, monkeypatch):
    queries(client, "/evidence/export.csv")  # warm-up
    whole, body = queries(client, "/evidence/export.csv")
    monkeypatch.setattr(exports, "CHUNK_SIZE", 7)
    chunked, chunked_body = queries(client, "/evidence/export.csv")
    assert chunked_body == body
    assert body.count(b"\r\n") == ROWS + 1
    assert chunked == whole
