"""Who may open and do what, page by page: a table of (page, persona, expected status).

Personas (tests/dialogues/builders.py): anonymous; Nadia, signed in without a role;
Camila, coordinator of Cauca; Pablo, police liaison in Popayán (the responsible
organisation); Fernanda, prosecutor's liaison in Popayán (another organisation); Luz,
community leader in Popayán; Lucía, community leader in Pasto (another territory).

The process under test is *not* published: strangers must get 404, as for a record
that does not exist; people who see it but may not act get 403; anonymous visitors
are sent to log in.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from convivencia.accounts.choices import Role
from convivencia.accounts.models import AuditEntry
from convivencia.dialogues import services
from convivencia.dialogues.models import (
    ActionPlan,
    AgendaItem,
    Concern,
    Participation,
    PolicyUptake,
)
from tests.dialogues.builders import (
    commitment_in,
    make_commitment,
    make_private_process,
    make_session,
    make_world,
    status,
)
from tests.factories import grant, make_user

PERSONAS = ("anonymous", "nadia", "camila", "pablo", "fernanda", "luz", "lucia")
LOGIN = 302


@pytest.fixture
def world(db):
    world = make_world()
    world.private = make_private_process(world)
    world.private_session = make_session(world.private, capacity=10)
    world.private_commitment = commitment_in(world.private, world)
    world.agenda_item = AgendaItem.objects.create(session=world.private_session, title="Punto")
    world.participation = Participation.objects.create(
        session=world.private_session, name="María Obando", role="community_leader"
    )
    return world


def sign_in(client, world, persona: str) -> None:
    if persona != "anonymous":
        client.force_login(getattr(world, persona))


def done(response) -> bool:
    """Redirected after doing it (not to the login page)."""
    return response.status_code == 302 and not response["Location"].startswith(
        reverse("accounts:login")
    )


def expect(row: tuple[int, ...]) -> list[tuple[str, int]]:
    return list(zip(PERSONAS, row, strict=True))


# Reading: everyone with a role in Popayán sees the private process; nobody else does.
READ = (404, 404, 200, 200, 200, 200, 404)
# Running the process: coordinators only.
RUN = (LOGIN, 404, 200, 403, 403, 403, 404)

READ_PAGES = {
    "process": lambda w: reverse("dialogues:process", args=[w.private.pk]),
    "session": lambda w: reverse("dialogues:session", args=[w.private_session.pk]),
    "commitment": lambda w: reverse("dialogues:commitment", args=[w.private_commitment.pk]),
    "public list": lambda w: reverse("dialogues:commitment_list", args=[w.private.pk]),
    "csv": lambda w: reverse("dialogues:export_csv", args=[w.private.pk, "commitments"]),
    "xlsx": lambda w: reverse("dialogues:export_xlsx", args=[w.private.pk]),
    "print": lambda w: reverse("dialogues:print", args=[w.private.pk]),
    "priorities": lambda w: reverse("dialogues:priorities", args=[w.private_session.pk]),
}
RUN_PAGES = {
    "process edit": lambda w: reverse("dialogues:process_edit", args=[w.private.pk]),
    "new session": lambda w: reverse("dialogues:session_create", args=[w.private.pk]),
    "session edit": lambda w: reverse("dialogues:session_edit", args=[w.private_session.pk]),
    "minutes": lambda w: reverse("dialogues:session_report", args=[w.private_session.pk]),
    "participants": lambda w: reverse("dialogues:participants", args=[w.private_session.pk]),
    "new agenda item": lambda w: reverse("dialogues:agenda_create", args=[w.private_session.pk]),
    "agenda item edit": lambda w: reverse("dialogues:agenda_edit", args=[w.agenda_item.pk]),
    "new concern": lambda w: reverse("dialogues:concern_create", args=[w.private.pk]),
    "new plan": lambda w: reverse("dialogues:plan_create", args=[w.private.pk]),
    "new uptake": lambda w: reverse("dialogues:uptake_create", args=[w.private.pk]),
    "new commitment": lambda w: reverse("dialogues:commitment_create", args=[w.private.pk]),
    "commitment edit": lambda w: reverse(
        "dialogues:commitment_edit", args=[w.private_commitment.pk]
    ),
}


@pytest.mark.parametrize("page", READ_PAGES)
@pytest.mark.parametrize(("persona", "expected"), expect(READ))
def test_a_private_process_is_seen_only_by_people_with_a_role_in_its_territory(
    world, client, page, persona, expected
):
    sign_in(client, world, persona)
    assert client.get(READ_PAGES[page](world)).status_code == expected


@pytest.mark.parametrize("page", RUN_PAGES)
@pytest.mark.parametrize(("persona", "expected"), expect(RUN))
def test_only_coordinators_of_the_territory_run_a_process(world, client, page, persona, expected):
    sign_in(client, world, persona)
    response = client.get(RUN_PAGES[page](world))
    assert response.status_code == expected
    if expected == LOGIN:
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("persona", "expected"),
    expect((LOGIN, 403, 200, 403, 403, 403, 403)),
)
def test_only_coordinators_of_the_territory_create_a_process_there(
    world, client, persona, expected
):
    sign_in(client, world, persona)
    url = reverse("dialogues:process_create", args=[world.places.popayan.pk])
    assert client.get(url).status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    # Pablo's update goes through (a redirect to the timeline); Fernanda's organisation
    # is not responsible; Camila coordinates but does not deliver.
    expect((LOGIN, 404, 403, 302, 403, 403, 404)),
)
def test_only_the_responsible_organisation_posts_updates(world, client, persona, expected):
    sign_in(client, world, persona)
    url = reverse("dialogues:post_update", args=[world.private_commitment.pk])
    response = client.post(url, {"status": status("in_progress").pk, "description": "Avance"})
    assert response.status_code == expected
    world.private_commitment.refresh_from_db()
    assert (world.private_commitment.status.code == "in_progress") == done(response)


def test_a_co_responsible_organisation_posts_updates_in_its_own_name(world, client):
    world.private_commitment.co_responsible.add(world.prosecutor)
    sign_in(client, world, "fernanda")
    url = reverse("dialogues:post_update", args=[world.private_commitment.pk])
    response = client.post(url, {"status": status("in_progress").pk, "description": "Local"})
    assert response.status_code == 302
    assert world.private_commitment.updates.get().organisation == world.prosecutor


@pytest.mark.parametrize(
    ("persona", "expected"),
    expect((LOGIN, 404, 403, 403, 403, 302, 404)),
)
def test_only_community_leaders_of_the_territory_confirm_or_dispute(
    world, client, persona, expected
):
    claim = services.post_update(
        world.private_commitment, world.pablo, status=status("reported_done"), description="Hecho"
    )
    sign_in(client, world, persona)
    url = reverse("dialogues:verify", args=[world.private_commitment.pk])
    response = client.post(url, {"claim": claim.pk, "verdict": "disputed", "comment": "No"})
    assert response.status_code == expected
    assert claim.verifications.exists() == done(response)


@pytest.mark.parametrize(
    ("persona", "expected"),
    expect((LOGIN, 404, 302, 403, 403, 403, 404)),
)
def test_only_coordinators_cancel_a_commitment(world, client, persona, expected):
    sign_in(client, world, persona)
    url = reverse("dialogues:cancel", args=[world.private_commitment.pk])
    response = client.post(url, {"reason": "Ya no aplica"})
    assert response.status_code == expected
    world.private_commitment.refresh_from_db()
    assert (world.private_commitment.status.code == "cancelled") == done(response)


@pytest.mark.parametrize(
    ("persona", "expected"),
    expect((LOGIN, 404, 302, 302, 302, 302, 404)),
)
def test_anyone_who_sees_a_commitment_may_follow_it(world, client, persona, expected):
    sign_in(client, world, persona)
    url = reverse("dialogues:follow", args=[world.private_commitment.pk])
    assert client.post(url, {"follow": "1"}).status_code == expected


def test_names_of_participants_are_for_coordinators_and_each_read_is_audited(world, client):
    sign_in(client, world, "luz")
    session_page = client.get(reverse("dialogues:session", args=[world.private_session.pk]))
    assert "María Obando" not in session_page.content.decode()
    client.logout()
    sign_in(client, world, "camila")
    response = client.get(reverse("dialogues:participants", args=[world.private_session.pk]))
    assert "María Obando" in response.content.decode()
    read = AuditEntry.objects.reads_of_personal_data().about(world.private_session).get()
    assert read.actor == world.camila
    assert "name" in read.changes["fields"]


def test_the_public_attendee_list_shows_only_those_who_agreed(world, client):
    Participation.objects.create(
        session=world.session, name="Rosa Quiñones", role="community_leader", public_listing=True
    )
    Participation.objects.create(
        session=world.session, name="José Manquillo", role="community_leader", public_listing=False
    )
    page = client.get(reverse("dialogues:session", args=[world.session.pk])).content.decode()
    assert "Rosa Quiñones" in page
    assert "José Manquillo" not in page


def test_changes_are_in_the_audit_log(world, client):
    sign_in(client, world, "camila")
    client.post(
        reverse("dialogues:concern_create", args=[world.private.pk]),
        {"title": "Extorsión", "priority": "high"},
    )
    client.post(
        reverse("dialogues:session_edit", args=[world.private_session.pk]),
        {
            "kind": "joint",
            "title": "Sesión renombrada",
            "mode": "in_person",
            "starts_at": "2030-01-10T09:00",
            "ends_at": "2030-01-10T12:00",
            "status": "planned",
        },
    )
    entries = AuditEntry.objects.filter(actor=world.camila)
    assert entries.filter(object_type="dialogues.concern", action="create").exists()
    change = entries.get(object_type="dialogues.session", action="update")
    assert change.changes["title"] == ["Sesión", "Sesión renombrada"]


def test_a_registration_is_open_to_anyone_signed_in_who_sees_the_session(world, client):
    url = reverse("dialogues:register", args=[world.session.pk])
    world.session.starts_at = world.private_session.starts_at
    world.session.ends_at = world.private_session.ends_at
    world.session.save()
    assert client.post(url).status_code == LOGIN
    sign_in(client, world, "nadia")
    assert client.post(url).status_code == 302
    assert world.session.participations.filter(user=world.nadia).exists()
    private = reverse("dialogues:register", args=[world.private_session.pk])
    assert client.post(private).status_code == 404


def test_in_a_department_wide_process_a_local_leader_sees_only_local_commitments(world, client):
    from convivencia.dialogues.models import Commitment, Process

    cauca = Process.objects.create(territory=world.places.cauca, title="Diálogo del Cauca")
    here = commitment_in(cauca, world, reference="POP-1", title="Compromiso en Popayán")
    elsewhere = Commitment.objects.create(
        process=cauca,
        reference="CAU-1",
        title="Compromiso departamental",
        responsible=world.police,
        territory=world.places.cauca,
        due_date=here.due_date,
        verification="Acta",
        status=status("not_started"),
    )
    sign_in(client, world, "luz")
    page = client.get(reverse("dialogues:process", args=[cauca.pk])).content.decode()
    assert "Compromiso en Popayán" in page and "Compromiso departamental" not in page
    assert client.get(reverse("dialogues:commitment", args=[elsewhere.pk])).status_code == 404
    exported = b"".join(
        client.get(
            reverse("dialogues:export_csv", args=[cauca.pk, "commitments"])
        ).streaming_content
    )
    assert b"POP-1" in exported and b"CAU-1" not in exported


# --- a published process seen from outside ----------------------------------------------
# Anyone sees a published process, but its edit pages are for its coordinators: a
# coordinator of another department (Carlos, in Nariño), a leader of another municipality
# (Lucía) or someone with no role (Nadia) must not learn that they exist (404); people who
# work in Popayán (Pablo, Luz) are told no (403).

OUTSIDERS = ("anonymous", "carlos", "nadia", "lucia", "pablo", "luz")
OUTSIDE = (LOGIN, 404, 404, 404, 403, 403)


@pytest.fixture
def published(world):
    world.carlos = make_user("carlos")
    grant(world.carlos, world.programme, Role.COORDINATOR, [world.places.narino])
    world.concern = Concern.objects.create(process=world.process, title="Extorsión")
    world.plan = ActionPlan.objects.create(process=world.process, title="Plan")
    world.public_item = AgendaItem.objects.create(
        session=world.session, title="Punto", status="proposed"
    )
    world.public_commitment = make_commitment(world, reference="PUB-1")
    world.guest = Participation.objects.create(
        session=world.session, name="Rosa Quiñones", role="community_leader"
    )
    world.uptake = PolicyUptake.objects.create(
        process=world.process,
        lesson="Rutas de protección",
        instrument_kind="piscc",
        instrument_name="PISCC Popayán",
    )
    return world


PUBLISHED_EDIT_PAGES = {
    "process edit": lambda w: reverse("dialogues:process_edit", args=[w.process.pk]),
    "new session": lambda w: reverse("dialogues:session_create", args=[w.process.pk]),
    "session edit": lambda w: reverse("dialogues:session_edit", args=[w.session.pk]),
    "minutes": lambda w: reverse("dialogues:session_report", args=[w.session.pk]),
    "participants": lambda w: reverse("dialogues:participants", args=[w.session.pk]),
    "new agenda item": lambda w: reverse("dialogues:agenda_create", args=[w.session.pk]),
    "agenda item edit": lambda w: reverse("dialogues:agenda_edit", args=[w.public_item.pk]),
    "new concern": lambda w: reverse("dialogues:concern_create", args=[w.process.pk]),
    "concern edit": lambda w: reverse("dialogues:concern_edit", args=[w.concern.pk]),
    "concern monitor": lambda w: reverse("dialogues:concern_monitor", args=[w.concern.pk]),
    "new plan": lambda w: reverse("dialogues:plan_create", args=[w.process.pk]),
    "plan edit": lambda w: reverse("dialogues:plan_edit", args=[w.plan.pk]),
    "new uptake": lambda w: reverse("dialogues:uptake_create", args=[w.process.pk]),
    "new commitment": lambda w: reverse("dialogues:commitment_create", args=[w.process.pk]),
    "commitment edit": lambda w: reverse(
        "dialogues:commitment_edit", args=[w.public_commitment.pk]
    ),
}
PUBLISHED_ACTIONS = {
    "propose agenda": lambda w: reverse("dialogues:agenda_propose", args=[w.session.pk]),
    "accept agenda item": lambda w: reverse(
        "dialogues:agenda_decide", args=[w.public_item.pk, "accept"]
    ),
    "attach a file": lambda w: reverse("dialogues:attachment_upload", args=[w.session.pk]),
    "check in": lambda w: reverse("dialogues:attendance", args=[w.guest.pk]),
    "remove participant": lambda w: reverse("dialogues:participant_remove", args=[w.guest.pk]),
    "scores": lambda w: reverse("dialogues:scores", args=[w.guest.pk]),
    "cancel commitment": lambda w: reverse("dialogues:cancel", args=[w.public_commitment.pk]),
    "uptake step": lambda w: reverse("dialogues:uptake", args=[w.uptake.pk]),
}


@pytest.mark.parametrize("page", PUBLISHED_EDIT_PAGES)
@pytest.mark.parametrize(("persona", "expected"), list(zip(OUTSIDERS, OUTSIDE, strict=True)))
def test_edit_pages_of_a_published_process_are_not_found_by_strangers(
    published, client, page, persona, expected
):
    sign_in(client, published, persona)
    response = client.get(PUBLISHED_EDIT_PAGES[page](published))
    assert response.status_code == expected


@pytest.mark.parametrize("action", PUBLISHED_ACTIONS)
@pytest.mark.parametrize(("persona", "expected"), list(zip(OUTSIDERS, OUTSIDE, strict=True)))
def test_actions_on_a_published_process_are_not_found_by_strangers(
    published, client, action, persona, expected
):
    sign_in(client, published, persona)
    response = client.post(PUBLISHED_ACTIONS[action](published), {"attended": "1"})
    assert response.status_code == expected
    assert AgendaItem.objects.get(pk=published.public_item.pk).status == "proposed"
    assert Participation.objects.filter(pk=published.guest.pk, attendance="invited").exists()


def test_a_stranger_cannot_post_updates_or_verdicts_on_a_published_commitment(published, client):
    claim = services.post_update(
        published.public_commitment,
        published.pablo,
        status=status("reported_done"),
        description="Hecho",
    )
    sign_in(client, published, "carlos")
    commitment = published.public_commitment.pk
    update = client.post(
        reverse("dialogues:post_update", args=[commitment]),
        {"status": status("in_progress").pk, "description": "Falso"},
    )
    verdict = client.post(
        reverse("dialogues:verify", args=[commitment]),
        {"claim": claim.pk, "verdict": "disputed", "comment": "No"},
    )
    assert (update.status_code, verdict.status_code) == (404, 404)
    assert published.public_commitment.updates.count() == 1
    assert not claim.verifications.exists()


def test_the_coordinator_of_the_territory_still_opens_every_edit_page(published, client):
    sign_in(client, published, "camila")
    for page, url in PUBLISHED_EDIT_PAGES.items():
        assert client.get(url(published)).status_code == 200, page
