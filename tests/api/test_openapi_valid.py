"""/api/v1/openapi.json is a valid OpenAPI document that any parser reads: Swagger UI's
YAML parser refuses a key repeated in one object ("duplicated mapping key")."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    duplicated = sorted({key for key in keys if keys.count(key) > 1})
    assert not duplicated, f"keys repeated in one object: {duplicated}"
    return dict(pairs)


def test_the_schema_has_no_key_twice_in_any_object(client):
    raw = client.get("/api/v1/openapi.json").content.decode()
    json.loads(raw, object_pairs_hook=_refuse_duplicates)


def test_the_schema_is_a_valid_openapi_document(client):
    validate(client.get("/api/v1/openapi.json").json())


def test_the_indicator_values_keep_their_schemas_and_examples(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"][
        "/api/v1/indicators/{code}/values"
    ]["get"]
    for status, schema in (
        ("200", "IndicatorValueOut"),
        ("400", "ErrorBody"),
        ("404", "ErrorBody"),
    ):
        content = operation["responses"][status]["content"]["application/json"]
        assert content["schema"] == {"$ref": f"#/components/schemas/{schema}"}, status
        assert content["example"], status
