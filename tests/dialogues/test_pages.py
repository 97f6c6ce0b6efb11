"""The dialogue pages: what they show, to whom, and what they let people do."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from convivencia.accounts.choices import OrganisationType
from convivencia.dialogues import priorities, services, uptake
from convivencia.dialogues.choices import InstrumentKind, SessionKind, Verdict
from convivencia.dialogues.models import (
    Commitment,
    Concern,
    Evidence,
    Participation,
    PolicyUptake,
)
from convivencia.indicators import presets
from convivencia.indicators.models import Indicator
from convivencia.panels.choices import WaveStatus
from tests.dialogues.builders import (
    commitment_in,
    make_commitment,
    make_private_process,
    make_session,
    make_world,
    status,
)
from tests.dialogues.test_agenda import trust_falls_in_august


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_world()


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def claimed_and_verified(world, verdict=Verdict.CONFIRMED) -> Commitment:
    commitment = make_commitment(world)
    claim = services.post_update(
        commitment, world.pablo, status=status("reported_done"), description="Patrullajes cumplidos"
    )
    services.verify(claim, world.luz, verdict, "Los vimos pasar")
    return commitment


# --- the process page --------------------------------------------------------------------


def test_the_process_page_shows_its_phase_partners_plan_sessions_and_commitments(world, client):
    world.process.plan_name, world.process.plan_line = "PISCC Popayán 2024–2027", "L2"
    world.process.save()
    world.process.partners.add(world.prosecutor)
    world.process.facilitators.add(world.camila)
    Concern.objects.create(process=world.process, title="Hurto en el parque")
    make_commitment(world, title="Patrullajes nocturnos")
    PolicyUptake.objects.create(
        process=world.process,
        lesson="Mesa mensual",
        instrument_kind=InstrumentKind.PISCC,
        instrument_name="PISCC",
    )
    page = text(client.get(reverse("dialogues:process", args=[world.process.pk])))
    for expected in (
        "Scoping",
        "Fiscalía Cauca",
        "PISCC Popayán 2024–2027",
        "L2",
        "Primer diálogo",
        "Hurto en el parque",
        "Patrullajes nocturnos",
    ):
        assert expected in page
    assert "camila" not in page  # the public sees how many facilitators, not who
    assert "1 facilitator" in page


def test_a_coordinator_creates_a_process_in_her_territory(world, client):
    client.force_login(world.camila)
    response = client.post(
        reverse("dialogues:process_create", args=[world.places.popayan.pk]),
        {
            "title": "Diálogo Comuna 5",
            "phase": "convening",
            "facilitators": [world.camila.pk],
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    process = world.places.popayan.dialogue_processes.get(title="Diálogo Comuna 5")
    assert list(process.facilitators.all()) == [world.camila]


# --- calendar and lists ------------------------------------------------------------------


def test_the_calendar_shows_the_month_with_links_to_the_next_and_previous(world, client):
    day = timezone.localdate(world.session.starts_at)
    url = reverse("dialogues:calendar", args=[world.places.popayan.pk])
    page = text(client.get(f"{url}?month={day:%Y-%m}"))
    assert "Primer diálogo" in page
    previous = (day.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    following = (day.replace(day=28) + datetime.timedelta(days=5)).strftime("%Y-%m")
    assert f'href="?month={previous}"' in page and f'href="?month={following}"' in page
    assert "Primer diálogo" not in text(client.get(f"{url}?month=2001-01"))
    assert client.get(f"{url}?month=enero").status_code == 404


def test_the_territory_lists_its_processes_and_sessions(world, client):
    make_private_process(world)
    page = text(client.get(reverse("dialogues:territory", args=[world.places.cauca.pk])))
    assert "Diálogo Popayán" in page and "Diálogo reservado" not in page
    sessions = text(client.get(reverse("dialogues:session_list", args=[world.places.popayan.pk])))
    assert "Primer diálogo" in sessions


# --- the commitment page and the public view ---------------------------------------------


def test_the_public_sees_organisations_but_never_names_of_people(world, client):
    world.pablo.first_name, world.pablo.last_name = "Pablo", "Ortiz"
    world.pablo.save()
    world.luz.first_name = "Luz"
    world.luz.save()
    commitment = claimed_and_verified(world)
    for url in (
        reverse("dialogues:commitment", args=[commitment.pk]),
        reverse("dialogues:commitment_list", args=[world.process.pk]),
        reverse("dialogues:print", args=[world.process.pk]),
    ):
        page = text(client.get(url))
        assert "Policía Cauca" in page
        assert "Pablo" not in page and "Luz" not in page
    assert "a community leader" in text(
        client.get(reverse("dialogues:commitment", args=[commitment.pk]))
    )
    client.force_login(world.luz)
    inside = text(client.get(reverse("dialogues:commitment", args=[commitment.pk])))
    assert "Pablo Ortiz" in inside


def test_the_commitment_page_shows_progress_flags_and_the_community_verdict(world, client):
    late = make_commitment(world, "C-9", due=timezone.localdate() - datetime.timedelta(days=4))
    page = text(client.get(reverse("dialogues:commitment", args=[late.pk])))
    assert 'data-testid="overdue"' in page and "overdue by 4 days" in page
    assert 'value="0"' in page  # the progress bar
    disputed = claimed_and_verified(world, Verdict.DISPUTED)
    page = text(client.get(reverse("dialogues:commitment", args=[disputed.pk])))
    assert "disputed by the community" in page


def test_forms_are_offered_only_to_those_who_may_use_them(world, client):
    commitment = make_commitment(world)
    services.post_update(
        commitment, world.pablo, status=status("reported_done"), description="Hecho"
    )
    url = reverse("dialogues:commitment", args=[commitment.pk])
    seen = {}
    for persona in ("pablo", "luz", "lucia", "camila"):
        client.force_login(getattr(world, persona))
        page = text(client.get(url))
        seen[persona] = ('data-testid="update-form"' in page, 'data-testid="verify-form"' in page)
    assert seen == {
        "pablo": (True, False),
        "luz": (False, True),
        "lucia": (False, False),
        "camila": (False, False),
    }


def test_a_provider_posts_progress_with_evidence_files(world, client):
    commitment = make_commitment(world)
    client.force_login(world.pablo)
    photo = SimpleUploadedFile("patrulla.jpg", b"\xff\xd8\xff photo", content_type="image/jpeg")
    sheet = SimpleUploadedFile("asistencia.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = client.post(
        reverse("dialogues:post_update", args=[commitment.pk]),
        {
            "status": status("in_progress").pk,
            "progress": 40,
            "description": "Dos noches",
            "files": [photo, sheet],
        },
    )
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert (commitment.status.code, commitment.progress) == ("in_progress", 40)
    files = Evidence.objects.filter(update__commitment=commitment)
    assert sorted(files.values_list("title", flat=True)) == ["asistencia.pdf", "patrulla.jpg"]
    download = client.get(reverse("dialogues:evidence", args=[files.first().pk]))
    assert download.status_code == 200


def test_evidence_of_a_private_process_is_not_served_to_strangers(world, client):
    commitment = commitment_in(make_private_process(world), world)
    update = services.post_update(
        commitment,
        world.pablo,
        status=status("in_progress"),
        description="Avance",
        files=[SimpleUploadedFile("acta.pdf", b"%PDF")],
    )
    url = reverse("dialogues:evidence", args=[update.evidence.get().pk])
    assert client.get(url).status_code == 404
    client.force_login(world.lucia)
    assert client.get(url).status_code == 404
    client.force_login(world.luz)
    assert client.get(url).status_code == 200


def test_a_provider_cannot_close_a_commitment_from_the_page(world, client):
    commitment = make_commitment(world)
    client.force_login(world.pablo)
    response = client.post(
        reverse("dialogues:post_update", args=[commitment.pk]),
        {"status": status("verified").pk, "description": "Listo"},
    )
    assert response.status_code == 400
    commitment.refresh_from_db()
    assert commitment.status.code == "not_started"


def test_a_verdict_on_a_claim_that_was_replaced_meanwhile_is_not_recorded(world, client):
    commitment = make_commitment(world)
    old = services.post_update(
        commitment, world.pablo, status=status("reported_done"), description="Hecho"
    )
    services.post_update(
        commitment, world.pablo, status=status("reported_done"), description="Hecho, con fotos"
    )
    client.force_login(world.luz)
    response = client.post(
        reverse("dialogues:verify", args=[commitment.pk]),
        {"claim": old.pk, "verdict": "confirmed", "comment": "Sí"},
    )
    assert response.status_code == 302
    assert not commitment.updates.filter(verifications__isnull=False).exists()


def test_following_toggles_with_htmx_and_without(world, client):
    commitment = make_commitment(world)
    client.force_login(world.luz)
    url = reverse("dialogues:follow", args=[commitment.pk])
    fragment = client.post(url, {"follow": "1"}, headers={"HX-Request": "true"})
    assert 'name="follow" value="0"' in fragment.content.decode()
    assert commitment.followers.filter(pk=world.luz.pk).exists()
    client.post(url, {"follow": "0"})
    assert not commitment.followers.exists()


def test_a_coordinator_records_a_commitment_with_co_responsible_organisations(world, client):
    client.force_login(world.camila)
    url = reverse("dialogues:commitment_create", args=[world.process.pk])
    form = text(client.get(f"{url}?session={world.session.pk}"))
    assert "Policía Cauca" in form
    response = client.post(
        url,
        {
            "reference": "C-7",
            "title": "Alumbrado del parque",
            "responsible": world.police.pk,
            "co_responsible": [world.prosecutor.pk],
            "territory": world.places.popayan.pk,
            "made_in": world.session.pk,
            "due_date": "2030-06-30",
            "verification": "Recorrido nocturno",
            "weight": 1,
            "roll_up": "weighted",
        },
    )
    assert response.status_code == 302
    commitment = world.process.commitments.get(reference="C-7")
    assert commitment.status.code == "not_started"
    assert list(commitment.co_responsible.all()) == [world.prosecutor]
    again = client.post(
        url,
        {
            "reference": "C-7",
            "title": "Otro",
            "responsible": world.police.pk,
            "territory": world.places.popayan.pk,
            "due_date": "2030-06-30",
            "start_date": "2031-01-01",
            "verification": "x",
            "weight": 1,
            "roll_up": "weighted",
        },
    )
    errors = again.context["form"].errors
    assert "reference" in errors and "due_date" in errors


def test_without_any_commitment_status_the_form_says_so_and_records_nothing(world, client):
    from convivencia.dialogues.models import CommitmentStatus

    world.process.commitments.all().delete()
    CommitmentStatus.objects.all().delete()
    client.force_login(world.camila)
    url = reverse("dialogues:commitment_create", args=[world.process.pk])
    response = client.post(
        url,
        {
            "reference": "C-8",
            "title": "Alumbrado",
            "responsible": world.police.pk,
            "territory": world.places.popayan.pk,
            "due_date": "2030-06-30",
            "verification": "Recorrido",
            "weight": 1,
            "roll_up": "weighted",
        },
    )
    assert response.status_code == 200
    assert "No commitment statuses are configured" in text(response)
    assert not world.process.commitments.exists()


def test_a_coordinator_cancels_a_commitment_saying_why(world, client):
    commitment = make_commitment(world)
    client.force_login(world.camila)
    client.post(reverse("dialogues:cancel", args=[commitment.pk]), {"reason": "Lo asumió el PISCC"})
    commitment.refresh_from_db()
    assert commitment.status.code == "cancelled"
    assert commitment.updates.get().description == "Lo asumió el PISCC"


# --- exports -----------------------------------------------------------------------------


def test_the_csv_export_has_one_row_per_commitment_without_people(world, client):
    claimed_and_verified(world)
    make_commitment(world, "C-2", due=timezone.localdate() - datetime.timedelta(days=2))
    response = client.get(reverse("dialogues:export_csv", args=[world.process.pk, "commitments"]))
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert [
        (r["reference"], r["status"], r["progress"], r["overdue"], r["verification_state"])
        for r in rows
    ] == [("C-1", "verified", "100", "False", "confirmed"), ("C-2", "not_started", "0", "True", "")]
    assert rows[0]["responsible"] == "Policía Cauca"
    assert rows[0]["territory_code"] == "19001"


def test_the_updates_export_names_the_organisation_and_counts_verdicts(world, client):
    claimed_and_verified(world)
    response = client.get(reverse("dialogues:export_csv", args=[world.process.pk, "updates"]))
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [(r["commitment"], r["organisation"], r["status"], r["confirmed_by"]) for r in rows] == [
        ("C-1", "Policía Cauca", "reported_done", "1")
    ]
    assert "pablo" not in content and "luz" not in content


def test_the_xlsx_export_has_a_sheet_of_commitments_and_one_of_updates(world, client):
    claimed_and_verified(world)
    response = client.get(reverse("dialogues:export_xlsx", args=[world.process.pk]))
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["commitments", "updates"]
    commitments = list(workbook["commitments"].values)
    assert commitments[0][0] == "reference" and commitments[1][0] == "C-1"
    assert len(list(workbook["updates"].values)) == 2


def test_the_printable_page_has_every_commitment_and_a_print_stylesheet(world, client):
    claimed_and_verified(world)
    make_commitment(world, "C-2")
    page = text(client.get(reverse("dialogues:print", args=[world.process.pk])))
    assert page.count('data-testid="print-commitment"') == 2
    assert "@media print" in page


# --- the accountability board ------------------------------------------------------------


def test_the_board_counts_by_organisation_beside_the_trust_trend(world, client):
    world.police.type = OrganisationType.POLICE
    world.police.save()
    trust_falls_in_august(world.places.popayan)
    claimed_and_verified(world)
    make_commitment(world, "C-2", due=timezone.localdate() - datetime.timedelta(days=1))
    make_commitment(world, "C-3", responsible=world.prosecutor)
    page = text(client.get(reverse("dialogues:board", args=[world.places.popayan.pk])))
    assert page.count('data-testid="board-row"') == 2
    assert "60% → <strong>30%</strong>" in page
    assert "No panel measures it here." in page  # the Fiscalía: no prosecutor item


def test_the_trust_trend_leaves_out_open_waves_and_small_cells(world, client, settings):
    panel = trust_falls_in_august(world.places.popayan)
    panel.waves.filter(period__month=8).update(status=WaveStatus.OPEN)
    make_commitment(world)
    from convivencia.dialogues import board

    trend = board.trust_trend(world.places.popayan, OrganisationType.POLICE)
    assert (trend.labels, trend.values) == (["2024-07"], [60.0])
    settings.MIN_CELL_SIZE = 20
    assert board.trust_trend(world.places.popayan, OrganisationType.POLICE) is None
    shown = board.trust_trend(world.places.popayan, OrganisationType.POLICE, reveal_small=True)
    assert shown.values == [60.0]


def test_an_organisation_board_has_a_row_per_territory(world, client):
    make_commitment(world)
    page = text(client.get(reverse("dialogues:organisation_board", args=[world.police.pk])))
    assert page.count('data-testid="board-row"') == 1 and "Popayán" in page


def test_an_organisation_with_nothing_visible_is_not_announced(world, client):
    commitment_in(make_private_process(world), world, responsible=world.prosecutor)
    url = reverse("dialogues:organisation_board", args=[world.prosecutor.pk])
    assert client.get(url).status_code == 404
    client.force_login(world.fernanda)
    assert client.get(url).status_code == 200


# --- the territory page ------------------------------------------------------------------


def test_the_territory_page_shows_published_processes_and_overdue_commitments(world, client):
    make_commitment(
        world,
        "C-1",
        title="Patrullajes vencidos",
        due=timezone.localdate() - datetime.timedelta(days=5),
    )
    commitment_in(make_private_process(world), world, reference="R-1", title="Reservado")
    page = text(client.get(f"/territories/{world.places.popayan.pk}/"))
    assert "Diálogo Popayán" in page and "Patrullajes vencidos" in page
    assert "Reservado" not in page
    assert 'hx-get="' not in page.split('data-testid="dialogue-slot"')[1].split(">")[0]
    client.force_login(world.luz)
    page = text(client.get(f"/territories/{world.places.popayan.pk}/"))
    assert reverse("dialogues:territory_slot", args=[world.places.popayan.pk]) in page
    slot = text(client.get(reverse("dialogues:territory_slot", args=[world.places.popayan.pk])))
    assert "Diálogo reservado" in slot


# --- sessions: workshops, minutes, attachments, priorities -------------------------------


def test_a_workshop_shows_the_mean_change_and_a_paired_t_test(world, client):
    workshop = make_session(
        world.process, kind=SessionKind.WORKSHOP, curriculum_module="Rutas de atención"
    )
    for name, pre, post in (("A", 40, 60), ("B", 50, 65), ("C", 45, 70), ("D", 55, None)):
        Participation.objects.create(
            session=workshop,
            name=name,
            role="community_leader",
            pre_score=Decimal(pre),
            post_score=Decimal(post) if post else None,
        )
    page = text(client.get(reverse("dialogues:session", args=[workshop.pk])))
    assert "Rutas de atención" in page
    assert "People with both tests</dt><dd>3" in page
    assert "+20.0 points" in page
    assert "Paired t-test" in page and "p = 0.0" in page


def test_a_coordinator_enters_scores_and_an_impossible_one_is_refused(world, client):
    workshop = make_session(world.process, kind=SessionKind.WORKSHOP)
    person = Participation.objects.create(session=workshop, name="A", role="community_leader")
    client.force_login(world.camila)
    url = reverse("dialogues:scores", args=[person.pk])
    client.post(url, {"pre_score": "40.5", "post_score": "72"})
    client.post(url, {"pre_score": "140", "post_score": "72"})
    person.refresh_from_db()
    assert (person.pre_score, person.post_score) == (Decimal("40.5"), Decimal("72"))


def test_minutes_and_attachments_are_kept_with_the_session(world, client):
    client.force_login(world.camila)
    client.post(
        reverse("dialogues:session_report", args=[world.session.pk]),
        {"minutes": "Se acordaron ocho compromisos.", "closing_report": ""},
    )
    client.post(
        reverse("dialogues:attachment_upload", args=[world.session.pk]),
        {"title": "Lista de asistencia", "file": SimpleUploadedFile("lista.pdf", b"%PDF-1.4")},
    )
    page = text(client.get(reverse("dialogues:session", args=[world.session.pk])))
    assert "Se acordaron ocho compromisos." in page and "Lista de asistencia" in page
    attachment = world.session.attachments.get()
    assert client.get(reverse("dialogues:attachment", args=[attachment.pk])).status_code == 200
    # An attendance sheet names people: the public reads the minutes, not the files.
    client.logout()
    page = text(client.get(reverse("dialogues:session", args=[world.session.pk])))
    assert "Se acordaron ocho compromisos." in page and "Lista de asistencia" not in page
    assert client.get(reverse("dialogues:attachment", args=[attachment.pk])).status_code == 404


def test_participants_rank_concerns_and_the_results_use_the_borda_count(world, client):
    extortion = Concern.objects.create(process=world.process, title="Extorsión")
    theft = Concern.objects.create(process=world.process, title="Hurto")
    lights = Concern.objects.create(process=world.process, title="Alumbrado")
    for user in (world.luz, world.pablo):
        Participation.objects.create(
            session=world.session,
            user=user,
            name=user.username,
            role="community_leader",
            attendance="registered",
        )
    world.session.starts_at = timezone.now() + datetime.timedelta(days=2)
    world.session.ends_at = world.session.starts_at + datetime.timedelta(hours=2)
    world.session.save()
    client.force_login(world.luz)
    ballot = reverse("dialogues:ballot", args=[world.session.pk])
    refused = client.post(ballot, {f"rank_{extortion.pk}": "1", f"rank_{theft.pk}": "1"})
    assert "no gaps and no number used twice" in refused.content.decode()
    client.post(
        ballot, {f"rank_{extortion.pk}": "1", f"rank_{theft.pk}": "2", f"rank_{lights.pk}": "3"}
    )
    priorities.cast_ballot(world.session, world.pablo, {theft.pk: 1})
    standings = priorities.standings(world.session)
    # Luz: 3, 2, 1 points; Pablo: 1 point for his only choice.
    assert [(s.concern.title, s.points, s.first_places) for s in standings] == [
        ("Extorsión", 3, 1),
        ("Hurto", 3, 1),
        ("Alumbrado", 1, 0),
    ]
    client.post(ballot, {f"rank_{lights.pk}": "1"})  # a second ballot replaces the first
    assert world.session.votes.filter(voter=world.luz).count() == 1
    page = text(client.get(reverse("dialogues:priorities", args=[world.session.pk])))
    assert "2 ballots cast." in page
    client.force_login(world.lucia)
    assert client.get(ballot).status_code == 403


def test_a_top_concern_becomes_a_local_item_of_the_panel(world, client):
    panel = trust_falls_in_august(world.places.popayan)
    concern = Concern.objects.create(process=world.process, title="Extorsión a comerciantes")
    client.force_login(world.camila)
    response = client.post(
        reverse("dialogues:concern_monitor", args=[concern.pk]),
        {
            "action": "panel",
            "panel": panel.pk,
            "code": "LOC_EXTORSION",
            "wording": "¿Hubo extorsión a comerciantes en su barrio el último mes?",
            "kind": "yes_no",
        },
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    panel.refresh_from_db()
    assert concern.monitored_item_code == "LOC_EXTORSION"
    item = panel.questionnaire.items.get(code="LOC_EXTORSION")
    assert item.is_local and item.reverse_coded
    duplicate = client.post(
        reverse("dialogues:concern_monitor", args=[concern.pk]),
        {
            "action": "panel",
            "panel": panel.pk,
            "code": "LOC_EXTORSION",
            "wording": "Otra",
            "kind": "scale",
        },
    )
    assert "already used" in duplicate.content.decode()


def test_a_concern_can_be_followed_with_an_indicator(world, client):
    presets.ensure_presets()
    concern = Concern.objects.create(process=world.process, title="Homicidios")
    client.force_login(world.camila)
    indicator = Indicator.objects.get(code="homicide_rate")
    client.post(
        reverse("dialogues:concern_monitor", args=[concern.pk]),
        {"action": "indicator", "indicator": indicator.pk},
    )
    concern.refresh_from_db()
    assert concern.monitored_indicator == indicator


def test_the_uptake_of_a_commitment_is_listed_on_its_page(world, client):
    commitment = make_commitment(world)
    item = PolicyUptake.objects.create(
        process=world.process,
        commitment=commitment,
        lesson="Protocolo",
        instrument_name="Protocolo nocturno",
        instrument_kind=InstrumentKind.POLICE_PROTOCOL,
    )
    uptake.record_step(item, world.camila, stage="proposed", date=datetime.date(2024, 9, 12))
    assert "Protocolo nocturno" in text(
        client.get(reverse("dialogues:commitment", args=[commitment.pk]))
    )
    assert "Proposed" in text(client.get(reverse("dialogues:process", args=[world.process.pk])))
