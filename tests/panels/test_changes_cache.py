"""The paired tests of two waves are cached until either wave's submissions or the items change.

The world is the dashboard's (``make_world``): sixteen leaders of Popayán answered January
and February 2024; trust in the police falls between them. Here March is opened and
answered by some of them, and compared with February.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from convivencia.panels import charts, edits
from convivencia.panels.choices import SubmissionSource
from convivencia.panels.models import Item, Submission
from tests.panels.builders import raw
from tests.panels.test_dashboard import answer_wave, answers, make_world, open_wave

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = make_world()
    world.march = open_wave(world.panel, "2024-03")
    answer_wave(world.march, {n: {"B18": 7, "JUDGES": 7} for n in range(1, 11)})
    return world


def _answers_read(queries) -> int:
    return sum('"panels_answer"' in query["sql"] for query in queries)


def test_the_second_look_reads_no_answer(world):
    first = charts.changes_between(world.march, world.february)
    with CaptureQueriesContext(connection) as queries:
        again = charts.changes_between(world.march, world.february)
    assert again == first
    assert _answers_read(queries) == 0
    assert first["B18"].n_pairs == 10


def test_a_new_submission_in_either_wave_is_counted_at_once(world):
    assert charts.changes_between(world.march, world.february)["B18"].n_pairs == 10
    answer_wave(world.march, {n: {"B18": 7} for n in range(11, 14)})
    assert charts.changes_between(world.march, world.february)["B18"].n_pairs == 13


def test_an_edit_that_replaces_a_submission_is_counted_at_once(world):
    before = charts.changes_between(world.march, world.february)["B18"]
    first = Submission.objects.filter(wave=world.march, respondent__code="R001").get()
    edits.replace(
        world.panel,
        first.instance_id,
        raw("R001", **answers(B18=1, JUDGES=7)),
        SubmissionSource.OPENROSA,
    )
    after = charts.changes_between(world.march, world.february)["B18"]
    assert after.n_pairs == before.n_pairs
    assert after.mean_change_0_100 < before.mean_change_0_100


def test_a_change_to_the_items_reads_the_answers_again(world):
    charts.changes_between(world.march, world.february)
    Item.objects.filter(code="B18").update(top_min=7)
    with CaptureQueriesContext(connection) as queries:
        after = charts.changes_between(world.march, world.february)
    assert _answers_read(queries) == 1
    assert after["B18"].pct_trust_change is not None
