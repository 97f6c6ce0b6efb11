"""CSV, XLSX and JSON exports: every field, exactly the filtered rows, streamed."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from openpyxl import load_workbook

from convivencia.evidence import exports
from tests.evidence.builders import EFFECTIVE, PROMISING, make_intervention
from tests.factories import make_colombia
from tests.formula_payloads import PAYLOADS, assert_csv_neutralises, assert_xlsx_neutralises

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client(headers={"Accept-Language": "en"})


@pytest.fixture
def registry() -> None:
    places = make_colombia()
    make_intervention(
        "Cuadrantes",
        "CO",
        focus=["policing", "youth"],
        problem=["homicide", "robbery"],
        population=["general"],
        rating_findings={"homicide": EFFECTIVE},
        budget_usd=2_000_000,
        territories=[places.cauca, places.popayan],
        sources=[{"citation": "Igarapé", "url": "https://igarape.org.br"}],
        external_id="IGA-1",
        name_translations={"en": "Quadrants"},
    )
    make_intervention("Jóvenes", "CO", focus=["youth"], rating_findings={"theft": PROMISING})
    make_intervention("Escuelas", "MX", focus=["youth"], budget_usd=80_000)
    make_intervention("Regional", None, focus=["data"])
    make_intervention("Borrador", "CO", focus=["youth", "policing"], published=False)


def csv_rows(client: Client, query: str = "") -> list[dict[str, str]]:
    response = client.get(f"/evidence/export.csv?{query}")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def xlsx_rows(client: Client, query: str = "") -> list[dict[str, object]]:
    response = client.get(f"/evidence/export.xlsx?{query}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]


def json_rows(client: Client, query: str = "") -> list[dict[str, object]]:
    response = client.get(f"/evidence/export.json?{query}")
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


def api_ids(client: Client, query: str = "") -> list[int]:
    response = client.get(f"/api/v1/interventions/?{query}&page_size=500")
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def dashboard_count(client: Client, query: str = "") -> int:
    return client.get(f"/evidence/?{query}").context["total"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "focus=youth",
        "focus=youth&country=CO",
        "focus=policing,data",
        "country=MX,CO&sort=name",
        "rating=effective",
        "q=zzz",
    ],
)
def test_every_format_and_the_api_hold_exactly_the_dashboards_rows(client, registry, query):
    from_csv = [int(row["id"]) for row in csv_rows(client, query)]
    from_xlsx = [row["id"] for row in xlsx_rows(client, query)]
    from_json = [row["id"] for row in json_rows(client, query)]
    assert from_csv == from_xlsx == from_json == api_ids(client, query)
    assert len(from_csv) == dashboard_count(client, query)


def test_unpublished_interventions_are_never_exported(client, registry):
    assert "Borrador" not in {row["name"] for row in csv_rows(client)}
    assert "Borrador" not in {row["name"] for row in json_rows(client, "focus=youth")}
    assert len(csv_rows(client)) == 4


def test_the_csv_streams_and_is_named_after_the_day(client, registry):
    response = client.get("/evidence/export.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="interventions-')
    assert response["Content-Disposition"].endswith('.csv"')
    json_response = client.get("/evidence/export.json")
    assert isinstance(json_response, StreamingHttpResponse)
    assert "attachment" in client.get("/evidence/export.xlsx")["Content-Disposition"]


def test_a_row_holds_every_field(client, registry):
    (row,) = csv_rows(client, "q=Cuadrantes")
    assert list(row) == exports.FIELDS
    assert row["external_id"] == "IGA-1"
    assert row["name_es"] == "Cuadrantes"
    assert row["name_en"] == "Quadrants"
    assert row["country"] == "CO"
    assert row["territories"] == "CO-CAU|19001"
    assert row["territory_names"] == "Cauca|Popayán"
    assert row["focus"] == "policing|youth"
    assert row["problem"] == "homicide|robbery"
    assert row["best_rating"] == "effective"
    assert row["rating_homicide"] == "effective"
    assert row["rating_robbery"] == ""
    assert row["evaluations_count"] == "2"
    assert row["budget_usd"] == "2000000.00"
    assert row["sources"] == "Igarapé https://igarape.org.br"
    assert row["curation"] == "published"
    assert row["url"].startswith("http://testserver/evidence/")

    (record,) = json_rows(client, "q=Cuadrantes")
    assert record["focus"] == ["policing", "youth"]
    assert record["budget_usd"] == 2_000_000
    assert record["rating_robbery"] is None
    assert record["country"] == "CO"
    (cells,) = xlsx_rows(client, "q=Cuadrantes")
    assert cells["focus"] == "policing|youth"
    assert cells["budget_usd"] == 2_000_000


def test_a_multi_country_intervention_has_no_country(client, registry):
    (row,) = json_rows(client, "q=Regional")
    assert row["country"] is None
    assert row["scale"] == "multi_country"


@pytest.fixture
def payloads(registry) -> None:
    """Interventions whose name and source are text a spreadsheet would run as a formula."""
    for payload in PAYLOADS:
        make_intervention(payload, "CO", sources=[{"citation": payload}])


def test_the_csv_quotes_text_a_spreadsheet_would_run(client, payloads):
    response = client.get("/evidence/export.csv")
    assert_csv_neutralises(b"".join(response.streaming_content).decode("utf-8"), PAYLOADS)


def test_the_xlsx_holds_such_text_as_strings_never_formulas(client, payloads):
    response = client.get("/evidence/export.xlsx")
    assert_xlsx_neutralises(b"".join(response.streaming_content), PAYLOADS)
    (cuadrantes,) = xlsx_rows(client, "q=Cuadrantes")
    assert cuadrantes["budget_usd"] == 2_000_000  # numbers stay numbers


def test_the_json_keeps_such_text_exactly_as_data(client, payloads):
    names = {row["name"] for row in json_rows(client)}
    assert set(PAYLOADS) <= names


def test_a_bad_filter_is_refused_with_400(client, registry):
    for fmt in ("csv", "xlsx", "json"):
        response = client.get(f"/evidence/export.{fmt}?focus=flying")
        assert response.status_code == 400
        assert "focus" in response.content.decode()


def test_the_export_reads_in_chunks_with_their_related_rows(
    client, registry, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    # 4 rows in 2 chunks: one chunked read, and per chunk at most 6 queries for the
    # related rows (tags, sources, ratings, evaluations, territories, their codes).
    with django_assert_max_num_queries(1 + 2 * 6):
        assert len(csv_rows(client)) == 4
