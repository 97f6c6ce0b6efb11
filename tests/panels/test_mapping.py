"""The mapping of a form made elsewhere: field names in, item answers and raw values out."""

from __future__ import annotations

import pytest

from convivencia.panels import collection
from convivencia.panels.choices import DONT_KNOW, FieldUse, ReviewStatus, SubmissionSource
from convivencia.panels.mapping import field_key, mapping_for, raw_submission, translate
from convivencia.panels.models import Choice, FieldMapping, Item, Submission
from tests.factories import make_colombia
from tests.panels.builders import make_panel, make_wave

pytestmark = pytest.mark.django_db


def map_mini_form(questionnaire) -> None:
    """The mini questionnaire as a KoBoToolbox form with its own names and groups."""
    items = {item.code: item for item in Item.objects.filter(questionnaire=questionnaire)}
    # The form names the police options in words; the coordinator said what each means.
    rows = [
        ("datos/codigo_lider", FieldUse.RESPONDENT, None, {}),
        ("confianza/policia", FieldUse.TRUST, items["B18"], {"nada": 1, "mucha": 7, "ns": 88}),
        ("seguridad/barrio", FieldUse.ITEM, items["AOJ11"], {}),
        ("victima/fue_victima", FieldUse.VICTIMIZATION, items["VIC1"], {"si": 1, "no": 0}),
        ("problemas", FieldUse.CONCERN, items["PROBLEMS"], {}),
        ("fecha_visita", FieldUse.RAW, None, {}),
        ("hogar", FieldUse.RAW, None, {}),
        ("foto", FieldUse.IGNORED, None, {}),
    ]
    for position, (name, use, item, options) in enumerate(rows):
        FieldMapping.objects.create(
            questionnaire=questionnaire,
            name=name,
            position=position,
            use=use,
            item=item,
            options=options,
        )
    for value, name in ((1, "robos"), (2, "extorsion"), (3, "grupos_armados")):
        Choice.objects.filter(item=items["PROBLEMS"], value=value).update(name=name)


@pytest.fixture
def panel():
    territory = make_colombia().popayan
    panel = make_panel(territory, size=3)
    map_mini_form(panel.questionnaire)
    return panel


def test_field_names_are_matched_whichever_separator_the_source_writes():
    assert field_key("Confianza/Policia") == "confianza/policia"
    assert field_key("confianza.policia") == "confianza/policia"
    assert field_key(" /confianza:policia ") == "confianza/policia"


def test_a_submission_is_read_into_item_answers_and_raw_values(panel):
    mapped = translate(
        mapping_for(panel.questionnaire),
        {
            "datos/codigo_lider": "R001",
            "confianza.policia": "mucha",
            "barrio": "2",  # a bare name stands for the one grouped field that has it
            "victima/fue_victima": "si",
            "problemas": "robos grupos_armados",
            "fecha_visita": "2026-11-03",
            "hogar": [{"hogar/edad": "34"}, {"hogar/edad": "12"}],
            "foto": "1.jpg",
            "_gps": "2.4 -76.6",
        },
    )
    assert mapped.respondent_code == "R001"
    assert mapped.values == {"B18": 7, "AOJ11": "2", "VIC1": 1, "PROBLEMS": [1, 3]}
    assert mapped.raw == {
        "fecha_visita": "2026-11-03",
        "hogar": [{"hogar/edad": "34"}, {"hogar/edad": "12"}],
    }
    assert mapped.unknown == ["_gps"]


def test_labels_with_spaces_in_a_multiple_choice_cell_are_not_split_on_spaces(panel):
    mapped = translate(mapping_for(panel.questionnaire), {"problemas": "Hurto Grupos armados"})
    assert mapped.values == {"PROBLEMS": [1, 3]}


def test_a_missing_code_given_by_the_coordinator_is_read_as_that_code(panel):
    mapped = translate(mapping_for(panel.questionnaire), {"confianza/policia": "NS"})
    assert mapped.values == {"B18": DONT_KNOW}


def test_an_unknown_option_reaches_validation_as_written_and_is_named_there(panel):
    wave = make_wave(panel, "2026-11")
    raw = raw_submission(
        mapping_for(panel.questionnaire),
        {"datos/codigo_lider": "R001", "confianza/policia": "muchisima"},
        instance_id="uuid:1",
    )
    checked = collection.validate(wave, [raw])
    assert [str(problem) for problem in checked.problems] == [
        "[B18]: 'muchisima' is not an answer B18 accepts"
    ]


def test_raw_values_and_the_review_status_are_stored_with_the_submission(panel):
    wave = make_wave(panel, "2026-11")
    raw = raw_submission(
        mapping_for(panel.questionnaire),
        {
            "datos/codigo_lider": "R002",
            "confianza/policia": "nada",
            "fecha_visita": "2026-11-03",
            "hogar": [{"edad": "34"}],
        },
        instance_id="uuid:2",
        review_status=ReviewStatus.HAS_ISSUES,
    )
    stored = collection.accept(wave, [raw], SubmissionSource.FILE)
    assert stored.created == 1
    submission = Submission.objects.get(instance_id="uuid:2")
    assert submission.raw_values == {"fecha_visita": "2026-11-03", "hogar": [{"edad": "34"}]}
    assert submission.review_status == ReviewStatus.HAS_ISSUES
    assert list(submission.answers.values_list("item__code", "number")) == [("B18", 1.0)]


def test_a_questionnaire_without_mapping_is_read_by_item_code(panel):
    panel.questionnaire.field_mappings.all().delete()
    mapped = translate(mapping_for(panel.questionnaire), {"respondent": "R003", "B18": "5"})
    assert (mapped.respondent_code, mapped.values, mapped.raw) == ("R003", {"B18": "5"}, {})
