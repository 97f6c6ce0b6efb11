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
from convivencia.panels.models import Aggregate, Item, Submission
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


def _summary(items: dict[str, Item]) -> list[tuple[str, int, dict, list[int]]]:
    return [
        (code, item.pk, item.wording, [choice.value for choice in item.choices.all()])
        for code, item in items.items()
    ]


def _uncached(panel) -> dict[str, Item]:
    used = set(Aggregate.objects.filter(wave__panel=panel).values_list("item_id", flat=True))
    return charts._items_by_code(panel.questionnaire_id, used, True)


def test_a_panels_items_are_read_once_and_then_kept(world):
    first = charts.items_by_code(world.panel)
    with CaptureQueriesContext(connection) as queries:
        again = charts.items_by_code(world.panel)
    assert _summary(again) == _summary(first) == _summary(_uncached(world.panel))
    assert not any('"panels_choice"' in query["sql"] for query in queries)


def test_a_reworded_item_or_a_new_choice_shows_at_once(world):
    charts.items_by_code(world.panel)
    # A queryset update sends no signal: the database's triggers replace the token.
    Item.objects.filter(code="B18").update(wording={"es": "¿Confía en la Policía hoy?"})
    assert charts.items_by_code(world.panel)["B18"].wording == {"es": "¿Confía en la Policía hoy?"}
    b18 = Item.objects.get(code="B18", questionnaire=world.panel.questionnaire)
    b18.choices.create(value=99, label={"es": "Otra"}, position=99)
    items = charts.items_by_code(world.panel)
    assert 99 in [choice.value for choice in items["B18"].choices.all()]
    assert _summary(items) == _summary(_uncached(world.panel))
