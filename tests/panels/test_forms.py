"""The panels' web form class: one field per item, drawn as the item says."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from convivencia.panels.collection import Problem
from convivencia.panels.forms import WebForm
from convivencia.panels.importers.xlsform import included_items
from convivencia.panels.models import Item
from tests.factories import make_colombia
from tests.panels.builders import make_panel


@pytest.fixture
def panel(db):
    return make_panel(make_colombia().popayan, size=2)


def web_form(panel, data: str | None = None) -> WebForm:
    items = included_items(panel.questionnaire, panel)
    return WebForm(QueryDict(data) if data is not None else None, panel=panel, items=items)


def test_each_item_is_a_field_and_a_question_of_its_kind(panel):
    form = web_form(panel)
    kinds = {question.code: question.kind for question in form.questions}
    assert kinds == {
        "B18": "scale",
        "AOJ11": "scale",
        "VIC1": "choice",
        "VIC1_REPORT": "choice",
        "PROBLEMS": "multiple",
    }
    assert {"respondent", "instance_id", *kinds} == set(form.fields)
    assert [option.value for option in form.questions[0].missing] == ["88", "98"]
    assert form.questions[3].condition  # "only if the answer to VIC1 is …"
    assert "VIC1_REPORT" in form.skip_style()
    assert not form.is_bound and form.submission_id.startswith("uuid:")


def test_answers_keep_a_list_for_a_multiple_choice_and_one_text_otherwise(panel):
    form = web_form(
        panel, "respondent=+R001+&B18=5&AOJ11=&PROBLEMS=1&PROBLEMS=+3+&instance_id=uuid:abc"
    )
    assert form.is_valid()
    assert form.respondent_code == "R001"
    assert form.answers() == {"B18": "5", "PROBLEMS": ["1", "3"]}
    assert form.submission_id == "uuid:abc"
    assert [option.checked for option in form.questions[4].options] == [True, False, True]


def test_problems_of_a_refused_submission_go_next_to_what_they_are_about(panel):
    form = web_form(panel, "respondent=R009&B18=9")
    assert form.is_valid()
    form.show_problems(
        [
            Problem(row=1, column="b18", message="Out of range."),
            Problem(row=1, column="respondent", message="Unknown respondent."),
            Problem(row=1, column="", message="Wave closed."),
        ]
    )
    assert form.questions[0].errors == ["Out of range."]
    assert form.errors["B18"] == ["Out of range."]
    assert form.errors["respondent"] == ["Unknown respondent."]
    assert form.non_field_errors() == ["Wave closed."]


def test_an_item_coded_like_a_field_of_the_form_is_refused(panel):
    clashing = Item(questionnaire=panel.questionnaire, code="respondent", position=9)
    with pytest.raises(ValueError, match="respondent"):
        WebForm(None, panel=panel, items=[clashing])
