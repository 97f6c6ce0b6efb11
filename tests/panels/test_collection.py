"""The one validation path: every problem named, nothing dropped, nothing stored twice."""

import datetime

import pytest

from convivencia.panels import aggregates, collection
from convivencia.panels.choices import SubmissionSource, WaveStatus
from convivencia.panels.models import Aggregate, Answer, Submission
from tests.factories import make_colombia
from tests.panels.builders import make_panel, make_wave, raw

WEB = SubmissionSource.WEB


@pytest.fixture
def wave(db):
    panel = make_panel(make_colombia().popayan)
    return make_wave(panel, "2024-03")


def test_a_valid_submission_is_stored_with_its_answers_and_aggregates(wave):
    stored = collection.accept(
        wave, [raw("R001", B18=6, AOJ11=2, VIC1=1, VIC1_REPORT=0, PROBLEMS="1 3")], WEB
    )
    assert stored.created == 1
    assert Answer.objects.count() == 6  # two options for PROBLEMS
    row = Aggregate.objects.get(wave=wave, item_code="B18")
    assert (row.n, row.n_top, row.total) == (1, 1, 6)
    female = row.cell("sex:female")
    assert (female.n, female.n_top, female.total, female.counts) == (1, 1, 6, {"6": 1})
    assert row.cell("sex:male") is None


def test_item_codes_match_regardless_of_case_and_labels_are_accepted(wave):
    collection.accept(wave, [raw("r001", b18="6", vic1="Sí", problems="Hurto")], WEB)
    assert Submission.objects.get().respondent.code == "R001"
    assert Aggregate.objects.get(item_code="VIC1").n_top == 1


def test_dont_know_and_no_answer_never_enter_averages(wave):
    collection.accept(wave, [raw("R001", B18=88), raw("R002", B18=98), raw("R003", B18=7)], WEB)
    row = Aggregate.objects.get(item_code="B18")
    assert (row.n, row.n_missing, row.total) == (1, 2, 7)
    assert row.counts == {"88": 1, "98": 1, "7": 1}


@pytest.mark.parametrize(
    ("submission", "column", "words"),
    [
        (raw("R001", B18=8, row=2), "B18", "outside the scale"),
        (raw("R001", B18="mucha", row=2), "B18", "is not an answer"),
        (raw("R999", B18=5, row=2), "respondent", "unknown respondent code"),
        (raw("", B18=5, row=2), "respondent", "no respondent code"),
        (raw("R001", VIC1=0, VIC1_REPORT=1, row=2), "VIC1_REPORT", "does not apply"),
        (raw("R001", PROBLEMS="1 9", row=2), "PROBLEMS", "not an option"),
    ],
)
def test_a_bad_value_is_refused_with_a_message_naming_row_and_column(
    wave, submission, column, words
):
    with pytest.raises(collection.Refused) as refused:
        collection.accept(wave, [submission], WEB)
    problem = refused.value.checked.problems[0]
    assert (problem.row, problem.column) == (2, column)
    assert words in problem.message
    assert Submission.objects.count() == 0


def test_a_closed_wave_refuses_submissions(wave):
    wave.status = WaveStatus.CLOSED
    wave.save()
    with pytest.raises(collection.Refused, match="closed"):
        collection.accept(wave, [raw("R001", B18=5)], WEB)


def test_a_submission_seen_twice_is_stored_once(wave):
    first = raw("R001", "uuid:same", B18=5)
    collection.accept(wave, [first], WEB)
    again = collection.accept(wave, [first, raw("R001", "uuid:same", B18=5)], WEB)
    assert (again.created, again.duplicates) == (0, 2)
    assert Submission.objects.count() == 1
    assert Aggregate.objects.get(item_code="B18").n == 1


def test_a_respondent_answers_a_wave_only_once(wave):
    collection.accept(wave, [raw("R001", B18=5)], WEB)
    with pytest.raises(collection.Refused, match="already answered"):
        collection.accept(wave, [raw("R001", B18=6)], WEB)


def test_a_batch_is_all_or_nothing_unless_the_valid_rows_are_accepted(wave):
    batch = [raw("R001", B18=5, row=2), raw("R002", B18=9, row=3)]
    with pytest.raises(collection.Refused):
        collection.accept(wave, batch, WEB)
    assert Submission.objects.count() == 0
    stored = collection.accept(wave, batch, WEB, accept_valid=True)
    assert stored.created == 1
    [(rejected, problems)] = stored.rejected
    assert rejected.row == 3 and problems[0].column == "B18"


def test_aggregates_kept_on_every_submission_match_a_rebuild_from_raw_answers(wave):
    for number in range(1, 11):
        collection.accept(
            wave,
            [
                raw(
                    f"R{number:03d}",
                    B18=(number % 7) + 1,
                    AOJ11=number % 4 + 1,
                    VIC1=number % 2,
                    PROBLEMS=str(number % 3 + 1),
                )
            ],
            WEB,
        )
    assert aggregates.mismatches([wave]) == []
    before = {
        (r.item_code, r.n, r.total): (r.counts, r.breakdowns)
        for r in Aggregate.objects.filter(wave=wave)
    }
    aggregates.rebuild([wave])
    after = {
        (r.item_code, r.n, r.total): (r.counts, r.breakdowns)
        for r in Aggregate.objects.filter(wave=wave)
    }
    assert before == after


def test_a_tampered_aggregate_is_caught(wave):
    collection.accept(wave, [raw("R001", B18=5)], WEB)
    Aggregate.objects.filter(item_code="B18").update(n=3)
    assert len(aggregates.mismatches([wave])) == 1


def test_the_check_and_rebuild_commands_find_and_mend_a_difference(wave):
    from django.core.management import CommandError, call_command

    collection.accept(wave, [raw("R001", B18=5)], WEB)
    call_command("check_aggregates")
    Aggregate.objects.filter(item_code="B18").update(total=1)
    with pytest.raises(CommandError, match="differ"):
        call_command("check_aggregates")
    call_command("rebuild_aggregates")
    call_command("check_aggregates")


def test_stored_rows_carry_every_value_the_submission_held(wave, django_user_model):
    """The import writes plain rows (COPY on PostgreSQL): each value must survive the trip."""
    enumerator = django_user_model.objects.create(username="encuestadora")
    submitted = datetime.datetime(2024, 3, 9, 14, 30, tzinfo=datetime.UTC)
    batch = [raw("R001", B18=6, AOJ11=88, VIC1=1, VIC1_REPORT=0, PROBLEMS="1 3")]
    batch[0].submitted_at = submitted
    collection.accept(wave, batch, WEB, enumerator=enumerator)
    submission = Submission.objects.get()
    assert (submission.wave, submission.respondent.code, submission.source) == (wave, "R001", WEB)
    assert submission.submitted_at == submitted and submission.enumerator == enumerator
    assert submission.received_at is not None
    stored = sorted(
        (answer.item.code, answer.number, answer.missing, answer.text)
        for answer in submission.answers.select_related("item")
    )
    assert stored == [
        ("AOJ11", None, 88, ""),
        ("B18", 6.0, None, ""),
        ("PROBLEMS", 1.0, None, ""),
        ("PROBLEMS", 3.0, None, ""),
        ("VIC1", 1.0, None, ""),
        ("VIC1_REPORT", 0.0, None, ""),
    ]
    row = Aggregate.objects.get(wave=wave, item_code="PROBLEMS")
    assert (row.n, row.counts, row.territory_id, row.period) == (
        1,
        {"1": 1, "3": 1},
        wave.panel.territory_id,
        wave.period,
    )


def test_a_second_batch_adds_to_the_aggregate_rows_of_the_first(wave):
    collection.accept(wave, [raw("R001", B18=6, PROBLEMS="1 3"), raw("R002", B18=2)], WEB)
    collection.accept(wave, [raw("R003", B18=88, PROBLEMS="3")], WEB)
    row = Aggregate.objects.get(wave=wave, item_code="B18")
    assert (row.n, row.n_missing, row.n_top, row.total, row.total_sq) == (2, 1, 1, 8, 40)
    assert row.counts == {"6": 1, "2": 1, "88": 1}
    problems = Aggregate.objects.get(wave=wave, item_code="PROBLEMS")
    assert (problems.n, problems.counts) == (2, {"1": 1, "3": 2})
    assert aggregates.mismatches([wave]) == []


def test_answers_read_from_the_batch_table_are_those_of_the_full_check(wave):
    import dataclasses

    items, lookups = collection._form(wave)
    rules = collection.rules_for(items, lookups)
    # Not remembered: every value takes the full check.
    plain = [dataclasses.replace(rule, memoised=False, ready={}) for rule in rules]
    values = [
        1,
        2,
        5,
        7,
        8,
        0,
        -1,
        88,
        98,
        99,
        True,
        False,
        6.0,
        6.5,
        "6",
        " 6 ",
        "6.0",
        "Sí",
        "si",
        "No",
        "no sabe",
        "NR",
        "Hurto",
        "1 3",
        "mucha",
        "",
        "7",
        7,
    ]
    for _round in range(2):  # the first fills the batch's answers, the second reads them
        for rule in rules:
            for value in values:
                submission = raw("R001", row=3, **{rule.item.code: value})
                assert collection.check_one(submission, rules) == collection.check_one(
                    submission, plain
                ), (rule.item.code, value)
    assert any(rule.ready for rule in rules)
    assert not any(rule.ready for rule in plain)
