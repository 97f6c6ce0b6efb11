"""A repeat in a KoBoToolbox / ODK file export keeps every instance (kpi's real form and
export, ``tests/data/kobo-kpi``): one {question: answer} per instance, stored raw, as
OpenRosa submissions keep them."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import Workbook

from convivencia.core.reading import BadFile
from convivencia.panels.choices import FieldUse, SubmissionSource
from convivencia.panels.importers import answers as file_import
from convivencia.panels.importers.xlsform import import_xlsform
from convivencia.panels.mapping import (
    FieldChoice,
    mapping_for,
    repeat_position,
    save_mapping,
    translate,
)
from convivencia.panels.models import Answer, Panel, Submission
from tests.panels import add_respondent, use_contact_key
from tests.panels.builders import make_wave
from tests.personas import make_personas

pytestmark = pytest.mark.django_db

KOBO = Path(__file__).parent.parent / "data" / "kobo-kpi"

BOBS_CHILDREN = [
    {"childs_name": "Tom", "childs_age": "12"},
    {"childs_name": "Dick", "childs_age": "5"},
]


@pytest.fixture(autouse=True)
def _contact_key(settings):
    yield from use_contact_key(settings)


@pytest.fixture
def tutorial():
    """kpi's tutorial form with its ``children`` repeat, on a panel where Bob answers."""
    personas = make_personas()
    questionnaire = import_xlsform(KOBO / "tutorial_w_repeats.xls")
    panel = Panel.objects.create(
        code="tutorial", territory=personas.places.popayan, questionnaire=questionnaire
    )
    add_respondent(panel, "Bob")
    said = {row.pk: FieldChoice(row.use) for row in questionnaire.field_mappings.all()}
    said[questionnaire.field_mappings.get(name="name").pk] = FieldChoice(FieldUse.RESPONDENT)
    save_mapping(questionnaire, said, personas.coord_cauca)
    return panel


def test_every_child_of_the_real_kobo_export_is_read_with_their_name_and_age(tutorial):
    export = file_import.read_export(KOBO / "tutorial_w_repeats.csv", tutorial)
    [raw] = export.raws
    assert raw.raw_values == {
        "children": BOBS_CHILDREN,
        "gps": "-1.2625621 36.7921711 0.0 20.0",
    }
    assert export.columns.unknown == []


def test_every_child_is_stored_raw_and_not_analysed(tutorial):
    export = file_import.read_export(KOBO / "tutorial_w_repeats.csv", tutorial)
    report = file_import.import_rows(
        make_wave(tutorial, "2026-11"), export, source=SubmissionSource.FILE
    )
    assert (report.created, report.rejected) == (1, [])
    submission = Submission.objects.get()
    assert submission.raw_values["children"] == BOBS_CHILDREN
    assert sorted(Answer.objects.values_list("item__code", flat=True)) == ["age", "has_children"]


def test_translate_reads_every_child_of_the_real_export_row(tutorial):
    # The same row read through translate, the path every mapped submission shares.
    header, row = (KOBO / "tutorial_w_repeats.csv").read_text(encoding="utf-8").splitlines()
    values = dict(zip(header.split(","), _csv_cells(row), strict=True))
    mapped = translate(mapping_for(tutorial.questionnaire), values)
    assert mapped.respondent_code == "Bob"
    assert mapped.raw["children"] == BOBS_CHILDREN


def test_a_repeat_column_with_groups_joined_by_dashes_is_read_per_instance(tutorial, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "name,age,children[1]-childs_name,children[2]-childs_name,_uuid\n"
        "Bob,25,Tom,Dick,b31c6ac2-b8ca-4180-914f-c844fa10ed3b\n",
        encoding="utf-8",
    )
    [raw] = file_import.read_export(path, tutorial).raws
    assert raw.raw_values == {"children": [{"childs_name": "Tom"}, {"childs_name": "Dick"}]}


def test_an_instance_left_empty_is_not_kept_and_the_others_keep_their_order(tutorial):
    values = {
        "name": "Bob",
        "children[1]/childs_name": "",
        "children[1]/childs_age": "",
        "children[2]/childs_name": "Dick",
        "children[2]/childs_age": "5",
        "children[3]/childs_name": "Harry",
        "children[3]/childs_age": "",
    }
    mapped = translate(mapping_for(tutorial.questionnaire), values)
    assert mapped.raw["children"] == [
        {"childs_name": "Dick", "childs_age": "5"},
        {"childs_name": "Harry"},
    ]


def test_odk_central_and_kobo_spellings_of_a_repeat_column_name_the_instance_and_question():
    assert repeat_position("children", "children[2]/childs_name") == (2, "childs_name")
    assert repeat_position("children/child", "children[1]/child/name") == (1, "name")
    assert repeat_position("children/child", "children/child[3]/age") == (3, "age")
    assert repeat_position("children/child", "children-child[2]-age".replace("-", "/")) == (
        2,
        "age",
    )
    assert repeat_position("children", "children") is None
    assert repeat_position("children", "childrens[1]/name") is None


def _csv_cells(line: str) -> list[str]:
    return next(csv.reader([line]))


def kobo_workbook(path: Path, *, parent_index: bool = True, extra_sheet: str = "") -> Path:
    """An XLSX export as KoBoToolbox lays one out: the submissions on the first sheet with
    their ``_index``, the repeat ``children`` on a sheet of its own, one row per child
    with ``_parent_index`` naming its submission."""
    workbook = Workbook()
    main = workbook.active
    main.title = "tutorial_w_repeats"
    main.append(["name", "age", "has_children", "_uuid", "_submission_time", "_index"])
    main.append(["Bob", 25, 1, "b31c6ac2-b8ca-4180-914f-c844fa10ed3b", "2013-02-18T15:54:01", 1])
    main.append(["Ana", 31, 1, "0b7f6a55-4a7e-4d1e-9d51-3c1f3a4d2e10", "2013-02-19T09:00:00", 2])
    children = workbook.create_sheet("children")
    header = ["children/childs_name", "children/childs_age", "_index", "_parent_table_name"]
    header.append("_parent_index" if parent_index else "_parent")
    children.append([*header, "_submission__uuid"])
    children.append(["Tom", 12, 1, "tutorial_w_repeats", 1, "b31c6ac2-b8ca-4180-914f-c844fa10ed3b"])
    children.append(["Eva", 3, 2, "tutorial_w_repeats", 2, "0b7f6a55-4a7e-4d1e-9d51-3c1f3a4d2e10"])
    children.append(["Dick", 5, 3, "tutorial_w_repeats", 1, "b31c6ac2-b8ca-4180-914f-c844fa10ed3b"])
    if extra_sheet:
        workbook.create_sheet(extra_sheet).append(["something"])
    workbook.save(path)
    return path


def test_a_repeat_on_its_own_sheet_of_a_kobo_workbook_is_joined_to_each_submission(
    tutorial, tmp_path
):
    add_respondent(tutorial, "Ana")
    export = file_import.read_export(kobo_workbook(tmp_path / "export.xlsx"), tutorial)
    children = {raw.respondent_code: raw.raw_values["children"] for raw in export.raws}
    assert children == {"Bob": BOBS_CHILDREN, "Ana": [{"childs_name": "Eva", "childs_age": "3"}]}
    assert export.warnings == []


def test_a_repeat_sheet_without_parent_index_refuses_the_file_naming_the_sheet(tutorial, tmp_path):
    path = kobo_workbook(tmp_path / "export.xlsx", parent_index=False)
    with (
        translation.override("en"),
        pytest.raises(BadFile, match="the sheet “children” of the repeat “children” has no"),
    ):
        file_import.read_export(path, tutorial)


def test_a_sheet_that_is_no_repeat_of_the_form_is_named_in_a_warning(tutorial, tmp_path):
    path = kobo_workbook(tmp_path / "export.xlsx", extra_sheet="notes")
    with translation.override("en"):
        export = file_import.read_export(path, tutorial)
    assert [problem.message for problem in export.warnings] == [
        "the sheet “notes” is not a repeat of this form and was not read (only the first "
        "sheet and the repeats' sheets are)"
    ]
