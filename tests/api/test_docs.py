"""The OpenAPI schema and its documentation page."""

import re

from django.contrib.staticfiles import finders


def test_the_openapi_schema_lists_the_endpoints_and_both_security_schemes(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()

    assert {
        "/api/v1/territories/",
        "/api/v1/territories/{territory_id}/",
        "/api/v1/territories/{territory_id}/boundary",
        "/api/v1/me",
    } <= set(schema["paths"])
    schemes = schema["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["TokenAuth"]["description"],
    }
    assert schemes["SessionAuth"]["in"] == "cookie"
    assert "k-anonymity" in schema["info"]["description"]


def test_public_endpoints_are_documented_as_optionally_authenticated(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {} in paths["/api/v1/territories/"]["get"]["security"]
    assert {} not in paths["/api/v1/me"]["get"]["security"]


def test_the_list_documents_its_filters_and_page_parameters(client, db):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/territories/"]["get"]
    parameters = {parameter["name"] for parameter in operation["parameters"]}
    assert {"q", "scheme", "code", "level", "parent", "within", "page", "page_size"} <= parameters


def test_the_docs_page_loads_everything_from_our_own_static_files(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()

    assert "cdn" not in html.lower()
    assert "https://" not in html
    assert "http://" not in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    for asset in assets:
        assert asset.startswith("/static/ninja/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset


def test_the_docs_page_does_not_call_the_swagger_validator(client, db):
    html = client.get("/api/v1/docs").content.decode()
    assert '"validatorUrl": null' in html
