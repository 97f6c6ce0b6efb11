"""A batch being stored in one panel never holds up another panel's submissions.

Every panel asks the default questionnaire. Storing a batch locks its wave; a lock that
also took the joined rows (``select_related``) held the shared questionnaire's row until
the batch committed, so a 20,000-interview import stalled every submission of every panel
for twenty seconds, and with them both web workers (found by the national load test). On
PostgreSQL, with real row locks: a batch for Popayán's panel is stored and held open while
Pasto's enumerator submits.
"""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection, connections, transaction

from convivencia.core import versioning
from convivencia.panels import collection
from convivencia.panels.choices import SubmissionSource
from convivencia.panels.models import FormVersion, Submission
from tests.factories import make_colombia
from tests.panels import add_respondent, make_default_panel
from tests.panels.builders import raw
from tests.panels.test_dashboard import answers, open_wave

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_panels():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite locks the whole file, one writer at a time")
    places = make_colombia()
    popayan = make_default_panel(places.popayan)
    pasto = make_default_panel(places.pasto, code="pasto")
    assert popayan.questionnaire_id == pasto.questionnaire_id
    # The items' version row exists on an installation (its migration makes it); a test
    # before this one may have flushed it, and both threads would then insert it.
    versioning.token(FormVersion)
    for panel, prefix in ((popayan, "R"), (pasto, "P")):
        for number in range(1, 4):
            add_respondent(panel, f"{prefix}{number:03d}")
    return open_wave(popayan, "2024-03"), open_wave(pasto, "2024-03")


def test_a_batch_held_open_in_one_panel_does_not_block_another_panels_submission(two_panels):
    popayan_wave, pasto_wave = two_panels
    stored, release, problems = threading.Event(), threading.Event(), []

    def long_import() -> None:
        try:
            with transaction.atomic():
                collection.accept(popayan_wave, [raw("R001", **answers())], SubmissionSource.FILE)
                stored.set()
                release.wait(timeout=30)  # the rest of a long import, still uncommitted
        except Exception as exc:  # reported by the main thread
            problems.append(exc)
        finally:
            stored.set()
            connections.close_all()

    importer = threading.Thread(target=long_import)
    importer.start()
    try:
        assert stored.wait(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        try:
            collection.accept(pasto_wave, [raw("P001", **answers())], SubmissionSource.OPENROSA)
        except OperationalError as exc:  # lock_timeout: held up by the other panel's batch
            pytest.fail(f"Pasto's submission waited for Popayán's import: {exc}")
    finally:
        release.set()
        importer.join(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    assert not problems
    assert Submission.objects.filter(wave=pasto_wave).count() == 1
    assert Submission.objects.filter(wave=popayan_wave).count() == 1
