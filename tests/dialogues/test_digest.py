"""The commitment digest: overdue and stalled commitments, told to who can act on them."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from convivencia.dialogues.models import Commitment
from tests.dialogues.builders import make_commitment, make_world


@pytest.fixture
def world(db):
    world = make_world()
    for user in (world.camila, world.pablo, world.pedro, world.luz, world.fernanda):
        user.email = f"{user.username}@example.org"
        user.save()
    return world


def test_overdue_and_stalled_commitments_are_listed_and_told_to_who_can_act(world, capsys):
    today = timezone.localdate()
    make_commitment(world, "C-1", title="Patrullajes", due=today - datetime.timedelta(days=3))
    stalled = make_commitment(world, "C-2", title="Mesa mensual")
    Commitment.objects.filter(pk=stalled.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=50)
    )
    make_commitment(world, "C-3", title="Al día")
    call_command("commitment_digest")
    out = capsys.readouterr().out
    assert "Popayán (2)" in out
    assert "C-1 Patrullajes (Policía Cauca): overdue by 3 days" in out
    assert "C-2 Mesa mensual" in out and "C-3" not in out
    told = sorted(message.to[0] for message in mail.outbox)
    # The coordinator of Cauca and the police liaison of Popayán; not Pasto's police,
    # not the leader, not the prosecutor's office.
    assert told == ["camila@example.org", "pablo@example.org"]
    assert "C-1" in mail.outbox[0].body and "C-2" in mail.outbox[0].body
    assert world.camila.notifications.count() == 1


def test_days_sets_when_a_commitment_counts_as_stalled(world, capsys):
    quiet = make_commitment(world, "C-1")
    Commitment.objects.filter(pk=quiet.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=20)
    )
    call_command("commitment_digest", "--dry-run")
    assert "No overdue or stalled commitment." in capsys.readouterr().out
    call_command("commitment_digest", "--days", "14", "--dry-run")
    out = capsys.readouterr().out
    assert "C-1" in out and "nobody was told" in out
    assert mail.outbox == []
