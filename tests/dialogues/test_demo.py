"""The dialogue demo: both processes, every state a commitment can be in, safe to run twice."""

from __future__ import annotations

import pytest
from django.utils import timezone

from convivencia import demo
from convivencia.accounts.models import AuditEntry
from convivencia.dialogues import demo as dialogues_demo
from convivencia.dialogues import services
from convivencia.dialogues.choices import SessionKind, Verdict
from convivencia.dialogues.models import (
    AgendaItem,
    Commitment,
    Process,
    Session,
    Update,
    Verification,
    Vote,
)


@pytest.fixture
def loaded(db):
    demo.build_people(demo.build_territories())
    dialogues_demo.build()


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Process, Session, AgendaItem, Commitment, Update, Verification, Vote)
    )


def test_the_demo_builds_twice_to_the_same_data_and_writes_no_audit_entries(loaded):
    before, audit = counts(), AuditEntry.objects.count()
    dialogues_demo.build()
    assert counts() == before
    assert AuditEntry.objects.count() == audit


def test_popayan_and_tumaco_have_processes_with_sessions_of_every_kind(loaded):
    places = set(Process.objects.values_list("territory__codes__code", flat=True))
    assert {"19001", "52835"} <= places
    popayan = Process.objects.get(territory__codes__code="19001")
    assert set(popayan.sessions.values_list("kind", flat=True)) == set(SessionKind.values)
    workshop = popayan.sessions.get(kind=SessionKind.WORKSHOP)
    assert (
        workshop.participations.filter(pre_score__isnull=False, post_score__isnull=False).count()
        >= 2
    )
    assert popayan.sessions.filter(starts_at__gt=timezone.now()).exists()
    assert AgendaItem.objects.filter(session__process=popayan).exclude(origin="manual").exists()
    assert popayan.concerns.filter(votes__isnull=False).exists()


def test_popayan_has_a_commitment_in_every_state(loaded):
    today = timezone.localdate()
    commitments = list(
        Commitment.objects.filter(process__territory__codes__code="19001").select_related("status")
    )
    states = services.verification_states(commitments)
    seen = set()
    for commitment in commitments:
        flags = services.flags(commitment, today)
        seen.add(commitment.status.code)
        if commitment.status.code == "delayed" and flags.overdue:
            seen.add("delayed+overdue")
        if flags.stalled:
            seen.add("stalled")
        if states[commitment.pk]:
            seen.add(states[commitment.pk])
    assert {
        "not_started",
        "in_progress",
        "delayed+overdue",
        "stalled",
        "reported_done",
        "pending",
        "verified",
        Verdict.CONFIRMED,
        Verdict.DISPUTED,
        "cancelled",
    } <= seen


def test_the_demo_people_post_and_verify(loaded):
    popayan = Update.objects.filter(
        commitment__process__territory__codes__code="19001", organisation__short_name="DECAU"
    )
    assert set(popayan.values_list("posted_by__username", flat=True)) == {"policia.popayan"}
    assert set(Verification.objects.values_list("leader__username", flat=True)) == {"lider.popayan"}
