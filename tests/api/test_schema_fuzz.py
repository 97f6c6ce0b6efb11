"""Every GET operation of the API, fuzzed against its own OpenAPI schema with schemathesis:
no 5xx, and every answer — list, detail, not found, bad parameter — has a documented
status, content type and body shape.

The requests run in-process through Django's WSGI handler, on a small world built once
for the module in a transaction rolled back at the end (the dialogue in Popayán with its
people, a commitment, an intervention, the homicide figures, a panel that answered March),
as Camila, who coordinates Cauca, with an API token. Random path parameters mostly
miss, so each operation is also called with ids that exist. A few examples per
operation keep the module well under a minute on a quiet machine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from convivencia.accounts.models import ApiToken
from convivencia.panels import collection
from convivencia.panels.choices import SubmissionSource
from convivencia.territories.models import Boundary
from tests.core.factories import square
from tests.dialogues.builders import make_commitment, make_world
from tests.evidence.builders import make_intervention
from tests.indicators.test_explorer import make_figures
from tests.network.builders import make_network
from tests.panels.builders import make_panel, make_wave, raw
from tests.studies.builders import make_study

pytestmark = pytest.mark.django_db
SCHEMA_PATH = "/api/v1/openapi.json"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = settings(
    max_examples=8,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[SimpleNamespace]:
    with django_db_blocker.unblock(), transaction.atomic():
        world = make_world()
        make_figures(municipalities=2)
        popayan = world.places.popayan
        Boundary.objects.get_or_create(
            territory=popayan, defaults={"geometry": square(-76.7, 2.3, 0.3)}
        )
        world.commitment = make_commitment(world)
        world.intervention = make_intervention("Policía de cuadrantes", territories=[popayan])
        world.panel = make_panel(popayan, size=6)
        march = make_wave(world.panel, "2024-03")
        collection.accept(
            march,
            [raw(f"R{n:03d}", B18=n, AOJ11=2, VIC1=n % 2) for n in range(1, 7)],
            SubmissionSource.WEB,
        )
        world.study = make_study(popayan, world.camila)
        world.network = make_network()
        yield world
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def wsgi_app(world) -> Iterator[WSGIHandler]:
    """Django's WSGI handler, without closing the database connection around each request
    (the test's transaction lives on it), as Django's own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def api_schema(wsgi_app, django_db_blocker) -> schemathesis.BaseSchema:
    with django_db_blocker.unblock():
        return schemathesis.openapi.from_wsgi(SCHEMA_PATH, wsgi_app)


@pytest.fixture
def headers(world) -> dict[str, str]:
    _token, clear = ApiToken.issue(world.camila, "schema fuzzing")
    return {"Authorization": f"Bearer {clear}"}


def get_operations(api_schema) -> list:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    return [operation for operation in operations if operation.method.upper() == "GET"]


def failures_of(call: Callable[[], Any]) -> list[str]:
    try:
        call()
    except Exception as exc:  # schemathesis groups its failures; report every one
        return [str(exc)[:2000]]
    return []


def test_the_schema_lists_get_operations_for_every_area(api_schema):
    paths = {operation.path for operation in get_operations(api_schema)}
    for area in ("territories", "interventions", "indicators", "panels", "dialogues"):
        assert any(path.startswith(f"/api/v1/{area}/") for path in paths), area


def test_random_requests_to_every_get_operation_conform_to_the_schema(api_schema, headers):
    failures: list[str] = []
    for operation in get_operations(api_schema):

        @EXAMPLES
        @given(case=operation.as_strategy())
        def check(case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        failures += [f"{operation.label}: {failure}" for failure in failures_of(check)]
    assert not failures, "\n\n".join(failures)


def existing_objects(world: SimpleNamespace) -> dict[str, dict[str, Any]]:
    """Path and query parameters that name real objects, per path template."""
    popayan = world.places.popayan.pk
    commitment = world.commitment.pk
    return {
        "/api/v1/territories/{territory_id}/": {"territory_id": popayan},
        "/api/v1/territories/{territory_id}/boundary": {"territory_id": popayan},
        "/api/v1/interventions/{intervention_id}/": {"intervention_id": world.intervention.pk},
        "/api/v1/indicators/{code}/values": {"code": "homicide_rate"},
        "/api/v1/panels/{code}/": {"code": world.panel.code},
        "/api/v1/panels/{code}/results": {"code": world.panel.code},
        "/api/v1/dialogues/processes/{process_id}/": {"process_id": world.process.pk},
        "/api/v1/dialogues/sessions/{session_id}/": {"session_id": world.session.pk},
        "/api/v1/dialogues/commitments/{commitment_id}/": {"commitment_id": commitment},
        "/api/v1/dialogues/commitments/{commitment_id}/updates/": {"commitment_id": commitment},
        "/api/v1/studies/{study_id}/": {"study_id": world.study.pk},
        "/api/v1/studies/{study_id}/codes": {"study_id": world.study.pk},
        "/api/v1/studies/{study_id}/segments": {"study_id": world.study.pk},
        "/api/v1/studies/{study_id}/findings": {"study_id": world.study.pk},
        "/api/v1/network/events/{event_id}/": {"event_id": world.network.past.pk},
        "/api/v1/network/specialists/{specialist_id}/": {"specialist_id": world.network.public.pk},
        "/api/v1/network/practices/{practice_id}/": {"practice_id": world.network.practice.pk},
        "/api/v1/reports/briefs/{territory_id}/{period}": {
            "territory_id": popayan,
            "period": "2024-03",
        },
        "/api/v1/reports/briefs/{territory_id}": {"territory_id": popayan},
    }


QUERIES = {
    "/api/v1/indicators/{code}/values": {"territory": "divipola:19001", "period": "2023"},
}


def test_every_get_operation_on_existing_objects_answers_200_within_the_schema(
    api_schema, headers, world
):
    ids = existing_objects(world)
    failures: list[str] = []
    for operation in get_operations(api_schema):
        parameters = ids.get(operation.path, {})
        if "{" in operation.path and not parameters:
            failures.append(f"{operation.label}: no existing id is known for this path")
            continue
        case = operation.Case(path_parameters=parameters, query=QUERIES.get(operation.path))

        def call(case=case) -> None:
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            assert response.status_code == 200, (response.status_code, response.content[:500])

        failures += [f"{operation.label}: {failure}" for failure in failures_of(call)]
    assert not failures, "\n\n".join(failures)
