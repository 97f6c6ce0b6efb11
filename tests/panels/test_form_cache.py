"""Imports keep a questionnaire's items between batches, and never past a change to them."""

import pytest
from django.db import connection

from convivencia.panels import collection
from convivencia.panels.choices import SubmissionSource
from convivencia.panels.models import Choice, FormVersion, Item, Submission
from tests.factories import make_colombia
from tests.panels.builders import make_panel, make_wave, raw

WEB = SubmissionSource.WEB


@pytest.fixture
def wave(db):
    panel = make_panel(make_colombia().popayan)
    return make_wave(panel, "2024-03")


def refused_column(wave, submission) -> str | None:
    try:
        collection.accept(wave, [submission], WEB)
    except collection.Refused as refused:
        return refused.checked.problems[0].column
    return None


def test_a_second_batch_reads_the_items_from_memory(wave):
    from django.test.utils import CaptureQueriesContext

    collection.accept(wave, [raw("R001", B18=6)], WEB)
    with CaptureQueriesContext(connection) as second:
        collection.accept(wave, [raw("R002", B18=5)], WEB)
    read = [
        query["sql"]
        for query in second.captured_queries
        if "FROM" in query["sql"] and "SELECT" in query["sql"]
    ]
    assert read
    assert not any(
        f'FROM "{table}"' in sql
        for sql in read
        for table in (Item._meta.db_table, Choice._meta.db_table)
    )


def test_a_narrowed_scale_is_applied_to_the_next_batch(wave):
    collection.accept(wave, [raw("R001", B18=7)], WEB)
    # An administrator's edit, as the admin makes it.
    item = Item.objects.get(questionnaire=wave.panel.questionnaire, code="B18")
    item.scale_max = 5
    item.save()
    assert refused_column(wave, raw("R002", B18=7)) == "B18"


def test_an_option_deleted_in_bulk_is_refused_in_the_next_batch(wave):
    collection.accept(wave, [raw("R001", PROBLEMS="3")], WEB)
    # No signal: a queryset delete. The database's trigger replaces the token anyway.
    Choice.objects.filter(
        item__questionnaire=wave.panel.questionnaire, item__code="PROBLEMS", value=3
    ).delete()
    assert refused_column(wave, raw("R002", PROBLEMS="3")) == "PROBLEMS"


def test_an_option_label_changed_by_plain_sql_is_accepted_in_the_next_batch(wave):
    collection.accept(wave, [raw("R001", PROBLEMS="1")], WEB)
    choice = Choice.objects.get(
        item__questionnaire=wave.panel.questionnaire, item__code="PROBLEMS", value=2
    )
    label = '{"es": "Vacunas", "en": "Protection"}'
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Choice._meta.db_table} SET label = %s WHERE id = %s",  # noqa: S608
            [label, choice.pk],
        )
    assert refused_column(wave, raw("R002", PROBLEMS="vacunas")) is None
    assert Submission.objects.count() == 2


def test_without_the_token_row_imports_still_see_every_change(wave):
    collection.accept(wave, [raw("R001", B18=7)], WEB)
    FormVersion.objects.all().delete()  # as manage.py flush would
    Item.objects.filter(questionnaire=wave.panel.questionnaire, code="B18").update(scale_max=5)
    assert refused_column(wave, raw("R002", B18=7)) == "B18"
    collection.accept(wave, [raw("R002", B18=5)], WEB)
    assert FormVersion.objects.exists()  # put back by the batch that was stored
