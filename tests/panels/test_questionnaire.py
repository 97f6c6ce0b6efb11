"""The default trust and perception questionnaire."""

import pytest

from convivencia.panels.choices import DONT_KNOW, NO_ANSWER, ItemType, Provider
from convivencia.panels.models import Questionnaire
from convivencia.panels.questionnaire_default import (
    QuestionnaireNotFound,
    ensure_default_questionnaire,
    resolve_questionnaire,
)

pytestmark = pytest.mark.django_db

TRUST = {
    "B18": Provider.POLICE,
    "B12": Provider.ARMED_FORCES,
    "B10A": Provider.JUSTICE_SYSTEM,
    "B32": Provider.MUNICIPAL_GOVERNMENT,
    "PROSEC": Provider.PROSECUTOR,
    "JUDGES": Provider.JUDGES,
    "LOCALPROV": Provider.LOCAL_PROVIDER,
}


def items_by_code():
    return {item.code: item for item in ensure_default_questionnaire().items.all()}


def test_it_has_the_standard_items_in_order():
    questionnaire = ensure_default_questionnaire()
    assert (questionnaire.code, questionnaire.version) == ("confianza", 1)
    assert list(questionnaire.items.values_list("code", flat=True)) == [
        *TRUST,
        "AOJ11",
        "AOJ12",
        "UNSAFE_WALK",
        "VIC1",
        "VIC1_REPORT",
        "POLRESPECT",
        "POLTIME",
        "SAFER",
        "ROADS",
        "PROBLEMS",
    ]


def test_it_is_created_once():
    first = ensure_default_questionnaire()
    second = ensure_default_questionnaire()
    assert first.pk == second.pk
    assert Questionnaire.objects.count() == 1
    assert first.items.count() == 17


def test_trust_items_are_lapop_1_to_7_with_5_and_up_favourable():
    items = items_by_code()
    for code, provider in TRUST.items():
        item = items[code]
        assert item.type == ItemType.SCALE
        assert (item.scale_min, item.scale_max, item.top_min) == (1, 7, 5)
        assert item.provider == provider
        assert not item.reverse_coded
        assert [c.value for c in item.choices.all()] == [1, 2, 3, 4, 5, 6, 7, DONT_KNOW, NO_ANSWER]
    assert "{local_provider}" in items["LOCALPROV"].wording["es"]
    assert items["B18"].wording["es"] == (
        "¿Hasta qué punto tiene usted confianza en la Policía Nacional?"
    )


def test_every_scale_and_choice_item_offers_dont_know_and_no_answer():
    for item in items_by_code().values():
        missing = [choice.value for choice in item.choices.all() if choice.is_missing]
        assert missing == [DONT_KNOW, NO_ANSWER], item.code


@pytest.mark.parametrize(
    ("code", "scale", "favourable", "unfavourable"),
    [
        ("AOJ11", (1, 4), [1, 2], [3, 4]),  # very / somewhat safe
        ("AOJ12", (1, 4), [1, 2], [3, 4]),  # would trust a lot / somewhat
        ("UNSAFE_WALK", (0, 4), [0, 1], [2, 3, 4]),  # never / once or twice
        ("POLRESPECT", (1, 4), [1, 2], [3, 4]),  # agrees the police are respectful
        ("SAFER", (1, 3), [1], [2, 3]),
        ("ROADS", (1, 3), [1], [2, 3]),
    ],
)
def test_reverse_coded_items_score_the_good_answers_high(code, scale, favourable, unfavourable):
    item = items_by_code()[code]
    assert item.reverse_coded
    assert (item.scale_min, item.scale_max) == scale
    assert item.top_min == 3
    assert all(item.is_top(item.score(value)) for value in favourable)
    assert not any(item.is_top(item.score(value)) for value in unfavourable)


def test_the_report_question_is_asked_only_of_victims():
    items = items_by_code()
    report = items["VIC1_REPORT"]
    assert report.type == ItemType.YES_NO
    assert report.relevant_item == items["VIC1"]
    assert report.relevant_values == [1]
    assert report.top_min == 1  # share reported = SDG 16.3.1
    assert [c.value for c in items["VIC1"].choices.all()] == [1, 0, DONT_KNOW, NO_ANSWER]
    assert items["VIC1"].top_min is None


def test_response_time_and_problems_are_choice_items():
    items = items_by_code()
    assert items["POLTIME"].type == ItemType.SINGLE
    assert items["POLTIME"].provider == Provider.POLICE
    assert len([c for c in items["POLTIME"].choices.all() if not c.is_missing]) == 5
    assert items["PROBLEMS"].type == ItemType.MULTIPLE
    assert len([c for c in items["PROBLEMS"].choices.all() if not c.is_missing]) == 10


def test_every_wording_and_label_is_in_spanish_english_and_portuguese():
    questionnaire = ensure_default_questionnaire()
    assert set(questionnaire.title) == {"es", "en", "pt"}
    for item in questionnaire.items.all():
        assert set(item.wording) == {"es", "en", "pt"}, item.code
        for choice in item.choices.all():
            assert set(choice.label) == {"es", "en", "pt"}, (item.code, choice.value)
            assert all(choice.label.values())


def test_a_questionnaire_is_named_by_default_by_code_or_by_code_and_version():
    default = resolve_questionnaire("default")
    second = Questionnaire.objects.create(code="confianza", version=2)
    assert resolve_questionnaire("confianza") == second
    assert resolve_questionnaire("confianza:1") == default
    with pytest.raises(QuestionnaireNotFound, match="confianza:3"):
        resolve_questionnaire("confianza:3")
    with pytest.raises(QuestionnaireNotFound, match="not a version number"):
        resolve_questionnaire("confianza:uno")
