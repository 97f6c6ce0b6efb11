"""/api/v1/dialogues/: shapes, the same visibility as the pages, and no names of people."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from convivencia.accounts.models import ApiToken
from convivencia.dialogues import services
from convivencia.dialogues.choices import ProposalStatus, Verdict
from convivencia.dialogues.models import AgendaItem, Commitment, Participation
from tests.api.helpers import bearer, error_of
from tests.dialogues.builders import (
    commitment_in,
    make_commitment,
    make_private_process,
    make_session,
    make_world,
    status,
)

API = "/api/v1/dialogues"


@pytest.fixture
def world(db):
    world = make_world()
    world.private = make_private_process(world)
    world.private_commitment = commitment_in(world.private, world, reference="R-1")
    return world


def test_anonymous_callers_see_published_processes_only(world, client):
    body = client.get(f"{API}/processes/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert [row["title"] for row in body["results"]] == ["Diálogo Popayán"]
    missing = client.get(f"{API}/processes/{world.private.pk}/")
    assert missing.status_code == 404
    assert error_of(missing)["code"] == "not_found"


@pytest.mark.parametrize(
    ("persona", "sees_private"),
    [("camila", True), ("pablo", True), ("luz", True), ("lucia", False), ("nadia", False)],
)
def test_signed_in_callers_also_see_their_territories(world, client, persona, sees_private):
    _token, clear = ApiToken.issue(getattr(world, persona), "script")
    titles = {
        row["title"] for row in client.get(f"{API}/processes/", **bearer(clear)).json()["results"]
    }
    assert ("Diálogo reservado" in titles) == sees_private
    detail = client.get(f"{API}/commitments/{world.private_commitment.pk}/", **bearer(clear))
    assert detail.status_code == (200 if sees_private else 404)


def test_a_process_has_its_territory_plan_and_counts(world, client):
    world.process.plan_name = "PISCC Popayán 2024–2027"
    world.process.save()
    world.process.partners.add(world.police)
    make_commitment(world)
    row = client.get(f"{API}/processes/{world.process.pk}/").json()
    assert row["territory"] == {"id": world.places.popayan.pk, "name": "Popayán"}
    assert row["plan_name"] == "PISCC Popayán 2024–2027"
    assert row["partners"] == [{"id": world.police.pk, "name": "Policía Cauca"}]
    assert (row["sessions_count"], row["commitments_count"]) == (1, 1)
    assert row["url"].endswith(f"/dialogues/process/{world.process.pk}/")


def test_a_commitment_carries_its_status_progress_dates_flags_and_verdict(world, client):
    late = make_commitment(world, "C-1", due=timezone.localdate() - datetime.timedelta(days=3))
    claim = services.post_update(
        late, world.pablo, status=status("reported_done"), description="Hecho"
    )
    services.verify(claim, world.luz, Verdict.DISPUTED, "No es cierto")
    row = client.get(f"{API}/commitments/{late.pk}/").json()
    assert row["status"] == {
        "code": "reported_done",
        "name": "Reported done",
        "is_final": False,
        "claims_completion": True,
    }
    assert (row["progress"], row["overdue"], row["days_overdue"], row["stalled"]) == (
        100,
        True,
        3,
        False,
    )
    assert row["verification_state"] == "disputed"
    assert row["due_date"] == late.due_date.isoformat()
    assert row["responsible"]["name"] == "Policía Cauca"


def test_commitments_filter_by_overdue_organisation_and_status(world, client):
    make_commitment(world, "C-1", due=timezone.localdate() - datetime.timedelta(days=1))
    make_commitment(world, "C-2")
    make_commitment(world, "C-3", responsible=world.community)

    def references(query):
        return [
            row["reference"] for row in client.get(f"{API}/commitments/?{query}").json()["results"]
        ]

    assert references("overdue=true") == ["C-1"]
    assert references("overdue=false") == ["C-2", "C-3"]
    assert references(f"organisation={world.community.pk}") == ["C-3"]
    assert references("status=in_progress") == []
    assert references(f"process={world.process.pk}&page_size=2") == ["C-1", "C-2"]


def test_pages_follow_the_projects_pagination(world, client):
    for number in range(3):
        make_commitment(world, f"C-{number}")
    first = client.get(f"{API}/commitments/?page_size=2").json()
    assert first["count"] == 3 and first["previous"] is None
    assert first["next"].endswith("page=2&page_size=2") or "page=2" in first["next"]
    assert len(client.get(first["next"]).json()["results"]) == 1
    assert error_of(client.get(f"{API}/commitments/?page=9"))["code"] == "not_found"


def test_a_bad_filter_is_a_validation_error(world, client):
    response = client.get(f"{API}/commitments/?territory=999999")
    assert response.status_code == 400
    assert error_of(response)["code"] == "validation_error"


def test_updates_name_organisations_never_people(world, client):
    commitment = make_commitment(world)
    services.post_update(
        commitment, world.pablo, status=status("in_progress"), description="Patrullajes los jueves"
    )
    claim = services.post_update(
        commitment, world.pablo, status=status("reported_done"), description="Hecho"
    )
    services.verify(claim, world.luz, Verdict.CONFIRMED, "Sí")
    body = client.get(f"{API}/commitments/{commitment.pk}/updates/").json()
    assert [row["status"] for row in body["results"]] == ["in_progress", "reported_done"]
    last = body["results"][-1]
    assert last["organisation"] == {"id": world.police.pk, "name": "Policía Cauca"}
    assert (last["confirmations"], last["disputes"], last["claims_completion"]) == (1, 0, True)
    assert "pablo" not in str(body) and "luz" not in str(body)


def test_a_session_gives_its_agenda_and_counts_but_no_names(world, client):
    session = make_session(world.process, capacity=5)
    AgendaItem.objects.create(session=session, title="Apertura", duration_minutes=10)
    AgendaItem.objects.create(
        session=session, title="Propuesta sin decidir", status=ProposalStatus.PROPOSED
    )
    Participation.objects.create(
        session=session, name="María Obando", role="community_leader", attendance="registered"
    )
    row = client.get(f"{API}/sessions/{session.pk}/").json()
    assert [item["title"] for item in row["agenda"]] == ["Apertura"]
    assert row["participants_by_role"] == {"community_leader": 1}
    assert row["places_left"] == 4
    assert "María" not in str(row)
    listed = client.get(f"{API}/sessions/?process={world.process.pk}").json()
    assert [item["id"] for item in listed["results"]] == [world.session.pk, session.pk]


def test_writing_is_not_offered(world, client):
    commitment: Commitment = make_commitment(world)
    response = client.post(f"{API}/commitments/{commitment.pk}/", {})
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
