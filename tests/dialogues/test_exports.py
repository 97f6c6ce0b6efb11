"""The public commitment files never hand a spreadsheet a formula typed by someone."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from convivencia.dialogues import services
from convivencia.dialogues.models import Concern
from tests.dialogues.builders import make_commitment, make_world, status
from tests.formula_payloads import (
    PAYLOADS,
    TRIMMED,
    assert_csv_neutralises,
    assert_xlsx_neutralises,
)


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = make_world()
    for number, payload in enumerate(PAYLOADS, start=1):
        # A coordinator's title, concern and means of verification; a provider's update.
        concern = Concern.objects.create(process=world.process, title=payload)
        commitment = make_commitment(world, f"C-{number}", title=payload, concern=concern)
        commitment.verification = payload
        commitment.save(update_fields=["verification"])
        services.post_update(
            commitment, world.pablo, status=status("in_progress"), description=payload
        )
    return world


def csv_text(world, what: str) -> str:
    response = Client().get(reverse("dialogues:export_csv", args=[world.process.pk, what]))
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_the_public_commitments_csv_quotes_text_a_spreadsheet_would_run(world):
    assert_csv_neutralises(csv_text(world, "commitments"), PAYLOADS)


def test_the_public_updates_csv_quotes_text_a_spreadsheet_would_run(world):
    # An update's description is stored without surrounding blanks.
    assert_csv_neutralises(csv_text(world, "updates"), TRIMMED)


def test_the_xlsx_export_holds_such_text_as_strings_never_formulas(world):
    response = Client().get(reverse("dialogues:export_xlsx", args=[world.process.pk]))
    assert response.status_code == 200
    assert_xlsx_neutralises(response.content, PAYLOADS)
