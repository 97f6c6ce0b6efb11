"""The pieces later endpoints are built from: login required, 404 outside scope,
and JSON error bodies for wrong methods on every kind of API URL.

The scoped endpoint below is the pattern to copy: ``auth=LOGIN_REQUIRED`` for
401, then ``access.get_in_scope_or_404`` so that strangers cannot tell an
object outside their scope from one that does not exist.
"""

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.testing import TestClient

from convivencia.accounts import access
from convivencia.accounts.choices import Role
from convivencia.api import errors
from convivencia.api.auth import LOGIN_REQUIRED, PUBLIC
from convivencia.territories.models import Territory
from tests.api.helpers import error_of

coordination = NinjaAPI(auth=PUBLIC, urls_namespace="tests-coordination")
errors.install(coordination)


@coordination.get("/coordinated/{int:pk}", auth=LOGIN_REQUIRED)
def coordinated_territory(request: HttpRequest, pk: int) -> dict[str, str]:
    territory = access.get_in_scope_or_404(
        Territory.objects.all(), request.user, [Role.COORDINATOR], territory_field="", pk=pk
    )
    return {"name": territory.name}


def test_a_coordinator_reaches_a_territory_in_her_scope(places, camila):
    response = TestClient(coordination).get(f"/coordinated/{places.popayan.pk}", user=camila)
    assert response.status_code == 200
    assert response.json() == {"name": "Popayán"}


def test_a_territory_outside_the_scope_looks_like_a_missing_one(places, camila):
    client = TestClient(coordination)
    outside = client.get(f"/coordinated/{places.pasto.pk}", user=camila)
    missing = client.get("/coordinated/999999", user=camila)
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()
    assert error_of(outside)["code"] == "not_found"


def test_a_provider_is_not_a_coordinator_even_in_his_own_municipality(places, pablo):
    response = TestClient(coordination).get(f"/coordinated/{places.popayan.pk}", user=pablo)
    assert response.status_code == 404


def test_login_required_refuses_anonymous_callers_with_the_error_body(places):
    response = TestClient(coordination).get(f"/coordinated/{places.popayan.pk}")
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_documentation_urls_refuse_other_methods_with_the_error_body(client, db):
    for url in ("/api/v1/", "/api/v1/openapi.json", "/api/v1/docs"):
        response = client.post(url)
        assert response.status_code == 405, url
        assert error_of(response)["code"] == "method_not_allowed"


def test_an_unknown_url_answers_json_whatever_the_method(strict_client, db):
    response = strict_client.post("/api/v1/nowhere")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
