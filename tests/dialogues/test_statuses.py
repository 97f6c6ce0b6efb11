"""Commitment statuses: the installation's defaults come back after a flush, never over yours."""

import pytest
from django.core.management import call_command

from convivencia.dialogues import statuses
from convivencia.dialogues.models import CommitmentStatus


@pytest.mark.django_db(transaction=True)
def test_after_a_flush_the_default_statuses_are_back():
    call_command("flush", interactive=False, verbosity=0)
    codes = list(CommitmentStatus.objects.order_by("position").values_list("code", flat=True))
    assert codes == [code for code, *_rest in statuses.DEFAULT_STATUSES]


@pytest.mark.django_db
def test_an_administrators_own_statuses_are_left_alone():
    CommitmentStatus.objects.all().delete()
    CommitmentStatus.objects.create(
        code="acordado", name={"es": "Acordado"}, default_progress=0, position=0
    )
    assert statuses.seed_if_empty() == 0
    assert list(CommitmentStatus.objects.values_list("code", flat=True)) == ["acordado"]


@pytest.mark.django_db
def test_the_defaults_are_the_ones_the_installation_starts_with():
    migration = __import__(
        "convivencia.dialogues.migrations.0002_default_statuses", fromlist=["STATUSES"]
    )
    assert migration.STATUSES == statuses.DEFAULT_STATUSES
    assert CommitmentStatus.objects.count() == len(statuses.DEFAULT_STATUSES)
