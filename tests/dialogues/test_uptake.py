"""Policy uptake: stages in order, dates that never go backwards."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from convivencia.accounts.models import AuditEntry
from convivencia.dialogues import uptake
from convivencia.dialogues.choices import InstrumentKind, UptakeStage
from convivencia.dialogues.models import PolicyUptake
from tests.dialogues.builders import make_world

PROPOSED, INCLUDED, ADOPTED, IMPLEMENTED = (
    UptakeStage.PROPOSED,
    UptakeStage.INCLUDED,
    UptakeStage.ADOPTED,
    UptakeStage.IMPLEMENTED,
)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture
def world(db):
    world = make_world()
    world.uptake = PolicyUptake.objects.create(
        process=world.process,
        lesson="Mesa mensual cuadrante–JAC",
        instrument_kind=InstrumentKind.PISCC,
        instrument_name="PISCC Popayán 2024–2027",
    )
    return world


def record(world, stage, date, document="Acta"):
    return uptake.record_step(
        world.uptake, world.camila, stage=stage, date=day(date), document=document
    )


def test_stages_are_recorded_in_order_with_their_documents(world):
    record(world, PROPOSED, "2024-09-12", "Acta del diálogo")
    record(world, INCLUDED, "2024-12-05", "PISCC, línea 2")
    record(world, ADOPTED, "2025-02-20", "Decreto 0123")
    assert uptake.current_stage(world.uptake) == ADOPTED
    assert uptake.next_stage(world.uptake) == IMPLEMENTED
    assert list(world.uptake.steps.values_list("document", flat=True)) == [
        "Acta del diálogo",
        "PISCC, línea 2",
        "Decreto 0123",
    ]


def test_a_stage_cannot_skip_the_ones_before_it(world):
    with pytest.raises(ValidationError, match="first"):
        record(world, ADOPTED, "2025-02-20")
    record(world, PROPOSED, "2024-09-12")
    with pytest.raises(ValidationError):
        record(world, IMPLEMENTED, "2025-06-01")


def test_a_later_stage_cannot_predate_an_earlier_one(world):
    record(world, PROPOSED, "2024-09-12")
    with pytest.raises(ValidationError, match="predate"):
        record(world, INCLUDED, "2024-09-11")
    record(world, INCLUDED, "2024-09-12")  # the same day is fine


def test_correcting_an_earlier_stage_cannot_move_it_after_a_later_one(world):
    record(world, PROPOSED, "2024-09-12")
    record(world, INCLUDED, "2024-12-05")
    with pytest.raises(ValidationError, match="after"):
        record(world, PROPOSED, "2025-01-01")
    record(world, PROPOSED, "2024-10-01", "Acta corregida")
    assert world.uptake.steps.get(stage=PROPOSED).document == "Acta corregida"
    assert world.uptake.steps.count() == 2


def test_only_coordinators_record_stages_and_each_one_is_audited(world):
    with pytest.raises(PermissionDenied):
        uptake.record_step(world.uptake, world.luz, stage=PROPOSED, date=day("2024-09-12"))
    record(world, PROPOSED, "2024-09-12")
    entry = AuditEntry.objects.about(world.uptake).get()
    assert entry.changes["stage"] == PROPOSED and entry.actor == world.camila


def test_the_uptake_page_shows_the_stages_and_refuses_a_date_out_of_order(world, client):
    record(world, PROPOSED, "2024-09-12")
    url = reverse("dialogues:uptake", args=[world.uptake.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Acta" in page.content.decode()
    assert b"Record a stage" not in page.content
    client.force_login(world.camila)
    refused = client.post(url, {"stage": INCLUDED, "date": "2024-01-01", "document": "x"})
    assert refused.status_code == 200
    assert "cannot predate" in refused.content.decode()
    accepted = client.post(url, {"stage": INCLUDED, "date": "2024-12-05", "document": "PISCC"})
    assert accepted.status_code == 302
    assert uptake.current_stage(world.uptake) == INCLUDED
    client.force_login(world.luz)
    assert client.post(url, {"stage": ADOPTED, "date": "2025-01-01"}).status_code == 403
