"""Every failure under /api/v1/ has the same JSON error body."""

import pytest

from convivencia.territories import api as territories_api
from tests.api.helpers import error_of


def test_an_unknown_url_under_the_api_is_a_json_not_found(client, db):
    response = client.get("/api/v1/no/such/thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert error_of(response)["code"] == "not_found"


def test_a_missing_trailing_slash_is_pointed_out(client, db):
    response = client.get("/api/v1/territories")
    assert response.status_code == 404
    assert "/api/v1/territories/" in error_of(response)["message"]


def test_a_method_the_url_does_not_accept_is_a_json_405(client, db):
    response = client.delete("/api/v1/territories/")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert response["Allow"] == "GET"


def test_an_unexpected_failure_is_a_json_500(client, db, monkeypatch):
    def explode(filters):
        raise RuntimeError("the database caught fire")

    monkeypatch.setattr(territories_api, "filter_territories", explode)
    response = client.get("/api/v1/territories/")
    assert response.status_code == 500
    assert error_of(response)["code"] == "server_error"


@pytest.mark.parametrize("language", ["es", "en", "pt"])
def test_messages_follow_the_request_language_but_codes_do_not(client, db, language):
    response = client.get("/api/v1/me", headers={"Accept-Language": language})
    assert error_of(response)["code"] == "unauthorized"


def test_the_api_root_points_to_the_documentation(client, db):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response.json()["docs"] == "http://testserver/api/v1/docs"
    assert response.json()["openapi"] == "http://testserver/api/v1/openapi.json"
