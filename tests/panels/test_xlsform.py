"""XLSForm export (checked by pyxform itself) and import, including forms written in KoBo."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import openpyxl
import pytest
from pyxform.xls2xform import convert

from convivencia.core.reading import BadFile
from convivencia.core.spreadsheets import DANGEROUS_STARTS
from convivencia.panels.choices import DONT_KNOW, NO_ANSWER, ItemType
from convivencia.panels.importers.xlsform import export_xlsform, import_xlsform
from convivencia.panels.models import Choice, Item, Questionnaire
from convivencia.panels.questionnaire_default import ensure_default_questionnaire
from tests.factories import make_colombia
from tests.formula_payloads import PAYLOADS
from tests.panels import add_respondent, make_default_panel, use_contact_key

pytestmark = pytest.mark.django_db

XFORMS = "{http://www.w3.org/2002/xforms}"


@pytest.fixture(autouse=True)
def _contact_key(settings):
    yield from use_contact_key(settings)


def xform_of(data: bytes) -> str:
    """The XForm pyxform makes of a workbook: what KoBoToolbox and ODK Central would do."""
    result = convert(data)
    assert not [warning for warning in result.warnings if "missing" in warning.lower()]
    return result.xform


def binds(xform: str) -> dict[str, dict[str, str]]:
    """{field name: bind attributes}, spaces collapsed."""
    root = ET.fromstring(xform)  # noqa: S314 (pyxform's output for our own form)
    found = {}
    for bind in root.iter(f"{XFORMS}bind"):
        name = bind.attrib["nodeset"].rsplit("/", 1)[-1]
        found[name] = {key: " ".join(value.split()) for key, value in bind.attrib.items()}
    return found


def sheet_rows(data: bytes, sheet: str) -> list[dict[str, object]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(workbook[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]


def workbook_bytes(**sheets: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def described(questionnaire: Questionnaire) -> list[dict[str, object]]:
    """Everything about the items that a round trip must keep."""
    return [
        {
            "code": item.code,
            "position": item.position,
            "type": item.type,
            "wording": item.wording,
            "provider": item.provider,
            "scale_min": item.scale_min,
            "scale_max": item.scale_max,
            "top_min": item.top_min,
            "reverse_coded": item.reverse_coded,
            "required": item.required,
            "is_local": item.is_local,
            "relevant": (
                item.relevant_item.code if item.relevant_item else None,
                item.relevant_values,
            ),
            "choices": [(c.value, c.label, c.position) for c in item.choices.all()],
        }
        for item in questionnaire.items.select_related("relevant_item").order_by("position")
    ]


# --- export ---------------------------------------------------------------------------------


def test_the_default_questionnaire_exports_to_a_form_pyxform_converts():
    questionnaire = ensure_default_questionnaire()
    xform = xform_of(export_xlsform(questionnaire))
    found = binds(xform)
    for item in questionnaire.items.all():
        assert item.code in found
    assert found["respondent"]["required"] == "true()"
    assert found["instanceID"]["{http://openrosa.org/javarosa}preload"] == "uid"
    assert found["VIC1_REPORT"]["relevant"] == "/data/VIC1 = '1'"
    assert "selected(., '88')" in found["PROBLEMS"]["constraint"]
    for language in ("Español (es)", "English (en)", "Português (pt)"):
        assert f'lang="{language}"' in xform
    assert "¿Hasta qué punto tiene usted confianza en la Policía Nacional?" in xform
    assert "To what extent do you trust the National Police?" in xform


def test_the_workbook_has_the_sheets_and_columns_kobo_expects():
    data = export_xlsform(ensure_default_questionnaire())
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["survey", "choices", "settings"]
    survey = sheet_rows(data, "survey")
    assert set(survey[0]) >= {
        "type",
        "name",
        "label::Español (es)",
        "label::English (en)",
        "label::Português (pt)",
        "required",
        "relevant",
        "constraint",
    }
    assert [row["type"] for row in survey[:3]] == ["start", "end", "today"]
    assert (survey[3]["type"], survey[3]["name"]) == ("text", "respondent")
    by_name = {row["name"]: row for row in survey}
    assert by_name["PROBLEMS"]["type"] == "select_multiple problems"
    assert by_name["VIC1_REPORT"]["relevant"] == "${VIC1} = '1'"
    # The seven trust items share one 1–7 list, as a person would write it.
    assert {by_name[code]["type"] for code in ("B18", "B12", "B10A", "LOCALPROV")} == {
        "select_one b18"
    }
    assert sheet_rows(data, "settings") == [
        {
            "form_title": "Confianza y percepción de seguridad",
            "form_id": "confianza_v1",
            "version": "1",
            "default_language": "Español (es)",
        }
    ]
    choices = sheet_rows(data, "choices")
    b18 = [row for row in choices if row["list_name"] == "b18"]
    assert [row["name"] for row in b18] == ["1", "2", "3", "4", "5", "6", "7", "88", "98"]
    assert b18[-2]["label::Español (es)"] == "No sabe"


def test_a_panel_form_lists_the_roster_codes_and_names_the_local_provider():
    places = make_colombia()
    panel = make_default_panel(places.popayan, local_provider_name="la Guardia Indígena")
    add_respondent(
        panel, "POP-001", role="jac", contact={"name": "María Pérez", "phone": "3001234567"}
    )
    add_respondent(panel, "POP-002", role="indigenous")
    add_respondent(panel, "POP-003", is_active=False)
    data = export_xlsform(panel.questionnaire, panel)
    xform = xform_of(data)
    assert binds(xform)["respondent"]["type"] == "string"
    assert "POP-001" in xform
    assert "POP-002" in xform
    assert "POP-003" not in xform  # replaced or gone: not to be chosen any more
    assert "POP-001 · Junta de Acción Comunal" in xform
    assert "María" not in xform
    assert "3001234567" not in xform
    assert "¿Hasta qué punto tiene usted confianza en la Guardia Indígena?" in xform
    assert "{local_provider}" not in xform
    settings_row = sheet_rows(data, "settings")[0]
    assert settings_row["form_id"] == "popayan"
    assert settings_row["version"].startswith("1.")


def test_a_panel_form_changes_version_when_the_roster_changes():
    panel = make_default_panel(make_colombia().popayan, local_provider_name="la Guardia")
    add_respondent(panel, "POP-001")
    before = sheet_rows(export_xlsform(panel.questionnaire, panel), "settings")[0]["version"]
    add_respondent(panel, "POP-002")
    after = sheet_rows(export_xlsform(panel.questionnaire, panel), "settings")[0]["version"]
    assert before != after


def test_a_panel_without_a_local_provider_leaves_those_items_out():
    panel = make_default_panel(make_colombia().popayan)
    add_respondent(panel, "POP-001")
    found = binds(xform_of(export_xlsform(panel.questionnaire, panel)))
    assert "LOCALPROV" not in found
    assert "B18" in found


def test_a_panel_without_respondents_cannot_have_a_form():
    panel = make_default_panel(make_colombia().popayan, local_provider_name="la Guardia")
    with pytest.raises(ValueError, match="import its roster first"):
        export_xlsform(panel.questionnaire, panel)


# --- round trip -----------------------------------------------------------------------------


def test_export_then_import_gives_back_the_same_questionnaire():
    original = ensure_default_questionnaire()
    imported = import_xlsform(export_xlsform(original), name="confianza_v1.xlsx")
    assert (imported.code, imported.version) == ("confianza", 2)
    assert imported.title == {"es": "Confianza y percepción de seguridad"}
    assert described(imported) == described(original)


def test_multiple_choice_skip_logic_numbers_and_text_round_trip():
    questionnaire = Questionnaire.objects.create(code="local-cauca", title={"es": "Local"})
    problems = Item.objects.create(
        questionnaire=questionnaire,
        code="PROB",
        position=1,
        type=ItemType.MULTIPLE,
        wording={"es": "Problemas", "en": "Problems"},
        is_local=True,
    )
    for position, (value, label) in enumerate(
        [(1, "Hurto"), (2, "Extorsión"), (3, "Grupos armados"), (DONT_KNOW, "No sabe")]
    ):
        Choice.objects.create(item=problems, value=value, label={"es": label}, position=position)
    Item.objects.create(
        questionnaire=questionnaire,
        code="GROUPS",
        position=2,
        type=ItemType.NUMBER,
        wording={"es": "¿Cuántos grupos?"},
        relevant_item=problems,
        relevant_values=[2, 3],
        required=True,
    )
    Item.objects.create(
        questionnaire=questionnaire,
        code="NOTE",
        position=3,
        type=ItemType.TEXT,
        wording={"es": "Comentario"},
    )
    data = export_xlsform(questionnaire)
    found = binds(xform_of(data))
    assert sheet_rows(data, "survey")[5]["relevant"] == (
        "selected(${PROB}, '2') or selected(${PROB}, '3')"
    )
    assert found["GROUPS"]["relevant"] == (
        "selected( /data/PROB , '2') or selected( /data/PROB , '3')"
    )
    assert found["GROUPS"]["type"] == "int"
    imported = import_xlsform(data)
    assert (imported.code, imported.version) == ("local-cauca", 2)
    assert described(imported) == described(questionnaire)


def test_texts_a_spreadsheet_would_run_as_formulas_stay_exact_texts():
    """Typed by a coordinator: kept to the letter for KoBo and ODK, never a formula cell."""
    questionnaire = Questionnaire.objects.create(code="formulas", title={"es": PAYLOADS[2]})
    item = Item.objects.create(
        questionnaire=questionnaire,
        code="Q1",
        position=1,
        type=ItemType.SINGLE,
        wording={"es": PAYLOADS[0], "en": PAYLOADS[1], "pt": PAYLOADS[3]},
    )
    Choice.objects.create(item=item, value=-1, label={"es": PAYLOADS[4]}, position=0)
    Choice.objects.create(item=item, value=1, label={"es": PAYLOADS[2]}, position=1)
    data = export_xlsform(questionnaire)

    workbook = openpyxl.load_workbook(io.BytesIO(data))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [cell.value for cell in cells if cell.data_type == "f"]
    dangerous = {
        (cell.value, cell.data_type, cell.quotePrefix)
        for cell in cells
        if isinstance(cell.value, str) and cell.value.startswith(DANGEROUS_STARTS)
    }
    assert dangerous == {*((text, "s", True) for text in PAYLOADS[:5]), ("-1", "s", False)}

    shown = set(ET.fromstring(xform_of(data)).itertext())  # noqa: S314 (our own form)
    assert set(PAYLOADS[:5]) <= shown
    imported = import_xlsform(data)
    assert imported.title == {"es": PAYLOADS[2]}
    assert described(imported) == described(questionnaire)


# --- forms written by hand ------------------------------------------------------------------


def kobo_form(**overrides: list[list[object]]) -> bytes:
    sheets = {
        "survey": [
            ["type", "name", "label", "required", "relevant", "hint"],
            ["start", "start", None, None, None, None],
            ["end", "end", None, None, None, None],
            ["text", "respondent", "Código", "true", None, None],
            ["begin_group", "seguridad", "Seguridad", None, None, None],
            ["select_one  yesno ", "victima", "¿Fue víctima de un delito?", "true", None, None],
            [None, None, None, None, None, None],
            [
                "select_one yesno",
                "denuncio",
                "¿Lo denunció?",
                "TRUE",
                "${victima}='yes'",
                "A la policía o la Fiscalía",
            ],
            ["end_group", None, None, None, None, None],
            ["select_one confianza", "confia_policia", "¿Confía en la Policía?", "yes", None, None],
            ["select_multiple problemas", "problemas", "Problemas", None, None, None],
            ["integer", "personas", "¿Cuántas personas viven en su hogar?", None, None, None],
            ["note", "gracias", "Gracias", None, None, None],
        ],
        "choices": [
            ["list_name", "name", "label"],
            ["yesno ", "yes", "Sí"],
            [" yesno", "no", "No"],
            ["yesno", "dont_know", "No sabe"],
            ["confianza", 1, "Nada"],
            ["confianza", 2, "Poco"],
            ["confianza", 3, "Algo"],
            ["confianza", 4, "Mucho"],
            ["confianza", 98, "No responde"],
            ["problemas", 1, "Robo"],
            ["problemas", 2, "Extorsión"],
        ],
        "settings": [["form_title", "form_id"], ["Encuesta de seguridad", "seguridad_kobo"]],
    }
    sheets.update(overrides)
    return workbook_bytes(**sheets)


def test_a_form_written_by_hand_in_kobo_is_imported():
    questionnaire = import_xlsform(kobo_form(), name="encuesta.xlsx")
    assert (questionnaire.code, questionnaire.version) == ("seguridad_kobo", 1)
    assert questionnaire.title == {"es": "Encuesta de seguridad"}
    items = {item.code: item for item in questionnaire.items.all()}
    # Metadata, notes, groups and the respondent field are not questions.
    assert list(items) == ["victima", "denuncio", "confia_policia", "problemas", "personas"]
    victim = items["victima"]
    assert victim.type == ItemType.YES_NO
    assert victim.required
    assert victim.wording == {"es": "¿Fue víctima de un delito?"}
    assert [(c.value, c.label) for c in victim.choices.all()] == [
        (1, {"es": "Sí"}),
        (0, {"es": "No"}),
        (DONT_KNOW, {"es": "No sabe"}),
    ]
    assert items["denuncio"].relevant_item == victim
    assert items["denuncio"].relevant_values == [1]
    # Numeric choice names 1–4 make a scale; the coordinator says which mean trust.
    trust = items["confia_policia"]
    assert (trust.type, trust.scale_min, trust.scale_max) == (ItemType.SCALE, 1, 4)
    assert [c.value for c in trust.choices.all()][-1] == NO_ANSWER
    assert items["problemas"].type == ItemType.MULTIPLE
    assert items["personas"].type == ItemType.NUMBER


def test_a_condition_of_a_form_made_elsewhere_is_left_to_the_tool_that_collects_it():
    form = kobo_form()
    survey = [
        row[:]
        for row in openpyxl.load_workbook(io.BytesIO(form))["survey"].iter_rows(values_only=True)
    ]
    survey[7] = (
        "select_one yesno",
        "denuncio",
        "¿Lo denunció?",
        None,
        "${victima} != 'no' and ${personas} > 2",
        None,
    )
    questionnaire = import_xlsform(kobo_form(survey=[list(row) for row in survey]))
    reported = questionnaire.items.get(code="denuncio")
    # KoBoToolbox enforced it; here the question is simply not required.
    assert (reported.relevant_item, reported.required) == (None, False)


def test_a_condition_in_a_form_of_ours_that_cannot_be_kept_is_refused_naming_its_row():
    form = export_xlsform(ensure_default_questionnaire())
    book = openpyxl.load_workbook(io.BytesIO(form))
    survey = book["survey"]
    header = [cell.value for cell in survey[1]]
    column = header.index("relevant") + 1
    row = next(
        number
        for number in range(2, survey.max_row + 1)
        if str(survey.cell(row=number, column=column).value or "").startswith("${")
    )
    survey.cell(row=row, column=column, value="${VIC1} != '0' and ${AOJ11} > 2")
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(BadFile) as raised:
        import_xlsform(buffer.getvalue())
    [problem] = raised.value.problems
    assert (problem.part, problem.row, problem.column) == ("survey", row, "relevant")
    assert "${ITEM} = 'value'" in problem.message


def test_choice_names_of_any_kind_are_kept_as_text_and_numbered_in_order():
    choices = [
        ["list_name", "name", "label"],
        ["yesno", "yes", "Sí"],
        ["yesno", "no", "No"],
        ["confianza", "nada", "Nada"],
        ["confianza", "mucho", "Mucho"],
        ["problemas", 1, "Robo"],
    ]
    questionnaire = import_xlsform(kobo_form(choices=choices))
    trust = questionnaire.items.get(code="confia_policia")
    assert trust.type == ItemType.SINGLE
    assert [(c.name, c.value) for c in trust.choices.all()] == [("nada", 1), ("mucho", 2)]


def test_a_form_pyxform_rejects_is_refused_with_its_message():
    survey = [["type", "name", "label"], ["select_one colores", "color", "Color"]]
    with pytest.raises(BadFile, match="colores"):
        import_xlsform(kobo_form(survey=survey))


def test_each_import_is_a_new_version():
    import_xlsform(kobo_form())
    again = import_xlsform(kobo_form())
    assert again.version == 2
