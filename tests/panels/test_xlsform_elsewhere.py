"""XLSForms made elsewhere (pyxform's own test forms, KoBoToolbox habits) are taken as they are."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from convivencia.panels.choices import DONT_KNOW, NO_ANSWER, FieldUse, ItemType
from convivencia.panels.importers.xlsform import import_xlsform, language_code

pytestmark = pytest.mark.django_db

FORMS = Path(__file__).parent.parent / "data" / "xlsform-pyxform"


def workbook_bytes(**sheets: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def uses(questionnaire) -> dict[str, str]:
    return dict(questionnaire.field_mappings.values_list("name", "use"))


def test_every_question_type_of_pyxforms_spec_form_is_kept_and_the_unanalysed_ones_raw():
    questionnaire = import_xlsform(FORMS / "flat_xlsform_test.xlsx")
    assert questionnaire.code == "flat-test"
    assert questionnaire.form_id == "Flat test"
    found = uses(questionnaire)
    for name in (
        "everything/date_test",
        "everything/geopoint_test",
        "everything/image_test",
        "everything/barcode_test",
        "everything/calculate_test",
    ):
        assert found[name] == FieldUse.RAW, name
    assert found["everything/start"] == FieldUse.IGNORED
    assert found["everything/group_test/select_multiple_test"] == FieldUse.ITEM
    items = {item.code: item for item in questionnaire.items.all()}
    assert "date_test" not in items
    assert items["select_multiple_test"].type == ItemType.MULTIPLE
    # Choice names in words are kept as text; "label::chinese" is kept as written.
    assert [(c.name, c.value) for c in items["skip_to_end"].choices.all()] == [
        ("yes", 1),
        ("no", 0),
    ]
    assert items["skip_to_end"].choices.first().label["chinese"] == "是"
    address = questionnaire.field_mappings.get(name="everything/address")
    assert address.label == {"en": "Enter an address", "chinese": "您好"}


def test_a_repeat_is_one_raw_field_and_its_questions_are_not_items():
    questionnaire = import_xlsform(FORMS / "attribute_columns_test.xlsx")
    repeat = questionnaire.field_mappings.get(name="everything/repeat_test")
    assert (repeat.kind, repeat.use, repeat.item) == ("repeat", FieldUse.RAW, None)
    assert not questionnaire.items.filter(code__startswith="repeat_test/").exists()


def test_a_loop_and_or_other_are_understood():
    questionnaire = import_xlsform(FORMS / "loop.xlsx")
    found = uses(questionnaire)
    assert found == {
        "available_toilet_types": FieldUse.ITEM,
        "available_toilet_types_other": FieldUse.ITEM,
        "loop_toilet_types": FieldUse.RAW,
    }
    toilets = questionnaire.items.get(code="available_toilet_types")
    assert [c.name for c in toilets.choices.all()] == [
        "pit_latrine_with_slab",
        "open_pit_latrine",
        "bucket_system",
        "other",
    ]


def test_repeated_choice_names_of_a_filtered_list_are_one_answer():
    questionnaire = import_xlsform(FORMS / "choice_filter_test.xlsx")
    county = questionnaire.items.get(code="county")
    names = [choice.name for choice in county.choices.all()]
    assert names.count("king") == 1


@pytest.mark.parametrize(
    "file",
    [
        "group.xlsx",
        "yes_or_no_question.xlsx",
        "text_and_integer.xlsx",
        "specify_other.xlsx",
    ],
)
def test_each_small_pyxform_form_is_accepted_with_a_mapping_for_every_field(file):
    questionnaire = import_xlsform(FORMS / file)
    assert questionnaire.field_mappings.exists()
    assert set(questionnaire.field_mappings.values_list("use", flat=True)) <= set(FieldUse.values)


def test_group_xlsx_keeps_the_phone_number_raw_and_the_group_path():
    questionnaire = import_xlsform(FORMS / "group.xlsx")
    assert uses(questionnaire) == {
        "family_name": FieldUse.ITEM,
        "father/phone_number": FieldUse.RAW,
        "father/age": FieldUse.ITEM,
    }
    assert questionnaire.field_mappings.get(name="father/age").label == {
        "en": "How old is your father?"
    }


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Español (es)", "es"),
        ("EN", "en"),
        ("english", "en"),
        ("French", "fr"),
        ("pt-br", "pt-br"),
        ("chinese", "chinese"),
        ("Wayuunaiki", "Wayuunaiki"),
    ],
)
def test_known_languages_are_recognised_and_the_rest_kept_as_written(written, code):
    assert language_code(written) == code


def kobo_trust_form() -> bytes:
    return workbook_bytes(
        survey=[
            ["type", "name", "label::EN", "label::Español (es)", "required", "relevant"],
            ["text", "codigo", "Leader code", "Código del líder", "yes", None],
            ["begin_group", "confianza", "Trust", "Confianza", None, None],
            ["select_one nivel", "policia", "Police", "Policía", "yes", None],
            ["end_group", None, None, None, None, None],
            ["select_multiple problemas", "problemas", "Problems", "Problemas", None, None],
            ["date", "fecha", "Date", "Fecha", None, None],
            ["geopoint", "lugar", "Place", "Lugar", None, None],
            ["begin_repeat", "hogar", "Household", "Hogar", None, None],
            ["integer", "edad", "Age", "Edad", None, None],
            ["end_repeat", None, None, None, None, None],
            ["select_one_from_file veredas.csv", "vereda", "Village", "Vereda", None, None],
            [
                "integer",
                "cuantos",
                "How many",
                "Cuántos",
                "${policia} != 'nada'",
                "count-selected(${problemas}) > 1",
            ],
        ],
        choices=[
            ["list_name", "name", "label::EN", "label::Español (es)"],
            ["nivel", "nada", "None", "Nada"],
            ["nivel", "poca", "Little", "Poca"],
            ["nivel", "mucha", "A lot", "Mucha"],
            ["nivel", "ns", "Don't know", "No sabe"],
            ["nivel", "nr", "No answer", "No responde"],
            ["problemas", "robos", "Theft and robbery", "Robos y hurtos"],
            ["problemas", "grupos", "Armed groups", "Grupos armados"],
        ],
        settings=[
            ["form_title", "form_id", "version", "default_language"],
            ["Encuesta de confianza", "confianza_kobo", "2026110301", "EN"],
        ],
    )


def test_a_kobo_form_with_word_choices_every_type_and_default_language_en_is_imported():
    questionnaire = import_xlsform(kobo_trust_form(), name="confianza.xlsx")
    assert (questionnaire.code, questionnaire.form_id) == ("confianza_kobo", "confianza_kobo")
    assert questionnaire.form_version == "2026110301"
    assert questionnaire.default_language == "EN"
    assert questionnaire.title == {"en": "Encuesta de confianza"}
    assert uses(questionnaire) == {
        "codigo": FieldUse.ITEM,
        "confianza/policia": FieldUse.ITEM,
        "problemas": FieldUse.ITEM,
        "fecha": FieldUse.RAW,
        "lugar": FieldUse.RAW,
        "hogar": FieldUse.RAW,
        "vereda": FieldUse.RAW,
        "cuantos": FieldUse.ITEM,
    }
    police = questionnaire.items.get(code="policia")
    assert police.wording == {"en": "Police", "es": "Policía"}
    assert police.type == ItemType.SINGLE
    assert [(c.name, c.value) for c in police.choices.all()] == [
        ("nada", 1),
        ("poca", 2),
        ("mucha", 3),
        ("ns", DONT_KNOW),
        ("nr", NO_ANSWER),
    ]
    # A condition KoBoToolbox enforces and we cannot read is left to it.
    assert questionnaire.items.get(code="cuantos").relevant_item is None


def test_a_title_in_several_languages_is_kept_in_every_language():
    form = kobo_trust_form()
    book = openpyxl.load_workbook(io.BytesIO(form))
    settings = book["settings"]
    settings.delete_rows(1, 2)
    settings.append(["form_title::EN", "form_title::Español (es)", "form_id"])
    settings.append(["Trust survey", "Encuesta de confianza", "confianza_kobo"])
    buffer = io.BytesIO()
    book.save(buffer)
    questionnaire = import_xlsform(buffer.getvalue())
    assert questionnaire.title == {"en": "Trust survey", "es": "Encuesta de confianza"}
    assert questionnaire.code == "confianza_kobo"


def test_the_command_says_what_was_kept_raw_and_that_the_respondent_needs_mapping():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("import_xlsform", str(FORMS / "group.xlsx"), stdout=out)
    text = out.getvalue()
    assert "1 field(s) of types that are not analysed" in text
    assert "which field holds the respondent code" in text
