"""Exports: who may download what, what the files hold, and the audit trail."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from convivencia.accounts.choices import AuditAction
from convivencia.accounts.models import AuditEntry
from convivencia.panels import collection
from convivencia.panels.choices import ItemType, SubmissionSource
from convivencia.panels.importers import answers as file_import
from convivencia.panels.models import Item
from tests.factories import make_colombia
from tests.formula_payloads import (
    PAYLOADS,
    TRIMMED,
    assert_csv_neutralises,
    assert_xlsx_neutralises,
    csv_cells,
    neutralised,
)
from tests.panels.builders import make_panel, make_wave, raw
from tests.panels.test_dashboard import SIZE, answers, get, make_world, open_wave
from tests.panels.test_file_import import odk_central_csv, uid


@pytest.fixture
def world(db):
    return make_world()


def content(response) -> str:
    return b"".join(response.streaming_content).decode()


def rows_of(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content(response))))


def test_the_tidy_long_file_has_one_row_per_answer_and_keeps_missing_codes(client, world):
    wave = open_wave(world.panel, "2024-03")
    collection.accept(
        wave, [raw("R001", **answers(B18=88, PROBLEMS="2 4 9"))], SubmissionSource.WEB
    )
    response = get(client, world, "camila", "/panels/popayan/export/long.csv")
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = rows_of(response)
    assert list(rows[0]) == ["respondent", "territory", "wave", "item", "value"]
    march = [row for row in rows if row["wave"] == "2024-03"]
    assert {
        "respondent": "R001",
        "territory": "19001",
        "wave": "2024-03",
        "item": "B18",
        "value": "88",
    } in march
    assert [row["value"] for row in march if row["item"] == "PROBLEMS"] == ["2", "4", "9"]
    january_b18 = [row for row in rows if row["wave"] == "2024-01" and row["item"] == "B18"]
    assert len(january_b18) == SIZE


def test_the_wide_file_has_one_row_per_submission_with_labels(client, world, settings):
    settings.LANGUAGE_CODE = "es"
    response = get(client, world, "camila", "/panels/popayan/export/wide.csv")
    rows = rows_of(response)
    assert len(rows) == 2 * SIZE
    first = rows[0]
    assert first["respondent"] == "R001" and first["wave"] == "2024-01"
    assert first["VIC1"] == "No"  # the label, in the active language (Spanish)
    assert first["B18"] == "7 – Mucho"
    assert first["PROBLEMS"] == "Robos y hurtos | Grupos armados"
    assert first["sex"] == "Mujer" or first["sex"] == "Female"


def test_the_spreadsheet_holds_the_wide_table_and_a_codebook(client, world):
    response = get(client, world, "camila", "/panels/popayan/export/wide.xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    answers_sheet, codebook = workbook.worksheets
    table = list(answers_sheet.iter_rows(values_only=True))
    assert table[0][0] == "respondent" and len(table) == 2 * SIZE + 1
    codes = [row[0] for row in codebook.iter_rows(min_row=2, values_only=True)]
    assert "B18" in codes and "PROBLEMS" in codes


@pytest.mark.parametrize("kind", ["long.csv", "wide.csv", "wide.xlsx"])
def test_every_respondent_level_export_is_audited(client, world, kind):
    response = get(client, world, "camila", f"/panels/popayan/export/{kind}")
    assert response.status_code == 200
    entry = AuditEntry.objects.about(world.panel).get(action=AuditAction.EXPORT)
    assert entry.actor == world.camila and entry.changes == {"format": kind}


def test_the_aggregates_export_is_not_audited_and_holds_no_respondent_code(client, world):
    text = content(get(client, world, "andrea", "/panels/popayan/export/aggregates.csv"))
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()
    assert "R001" not in text


def test_small_cells_are_blank_in_the_analysts_aggregates_but_not_the_coordinators(
    client, world, settings
):
    settings.MIN_CELL_SIZE = SIZE // 2 + 1

    def female_b18(persona: str) -> dict[str, str]:
        rows = rows_of(get(client, world, persona, "/panels/popayan/export/aggregates.csv"))
        return next(
            row
            for row in rows
            if row["item"] == "B18"
            and row["wave"] == "2024-01"
            and row["breakdown"] == "sex:female"
        )

    hidden = female_b18("andrea")
    assert hidden["suppressed"] == "1" and hidden["pct_trust"] == "" and hidden["counts"] == ""
    shown = female_b18("camila")
    assert shown["suppressed"] == "0" and float(shown["pct_trust"]) == 100


# Text a spreadsheet would run as a formula: typed by respondents, enumerators, coordinators.


@pytest.fixture
def typed_text(world):
    """A text item whose wording and answers are text a spreadsheet would run."""
    Item.objects.create(
        questionnaire=world.panel.questionnaire,
        code="NOTE",
        position=99,
        type=ItemType.TEXT,
        wording={"es": PAYLOADS[0], "en": PAYLOADS[0]},
        required=False,
    )
    wave = open_wave(world.panel, "2024-03")
    collection.accept(
        wave,
        [
            raw(f"R{number:03d}", **answers(NOTE=payload))
            for number, payload in enumerate(PAYLOADS, start=1)
        ],
        SubmissionSource.WEB,
    )
    return world


@pytest.mark.parametrize("kind", ["long.csv", "wide.csv"])
def test_the_csv_files_quote_answers_a_spreadsheet_would_run(client, typed_text, kind):
    response = get(client, typed_text, "camila", f"/panels/popayan/export/{kind}")
    assert_csv_neutralises(content(response), TRIMMED)


def test_the_spreadsheet_holds_such_answers_and_wordings_as_strings_never_formulas(
    client, typed_text
):
    response = get(client, typed_text, "camila", "/panels/popayan/export/wide.xlsx")
    data = b"".join(response.streaming_content)
    assert_xlsx_neutralises(data, TRIMMED)
    codebook = load_workbook(io.BytesIO(data)).worksheets[1]
    assert [row[1] for row in codebook.iter_rows(values_only=True) if row[0] == "NOTE"] == [
        neutralised(PAYLOADS[0])
    ]


def test_the_error_file_of_an_import_quotes_cells_a_spreadsheet_would_run(db, tmp_path):
    panel = make_panel(make_colombia().popayan)
    wave = make_wave(panel, "2024-03")
    # Unknown respondents and answers that are not numbers: every row is rejected.
    rows = [
        (payload, "+1+1", "-5", "0", "", "@SUM(1)", f"uuid:{uid(100 + number)}")
        for number, payload in enumerate(PAYLOADS)
    ]
    upload = tmp_path / "odk.csv"
    upload.write_bytes(odk_central_csv(rows))
    export = file_import.read_export(upload, panel)
    report = file_import.import_rows(wave, export, accept_valid=True)
    text = file_import.error_file_bytes(report, export).decode("utf-8-sig")
    # Cells as they were read (blanks trimmed), each behind a quote.
    assert_csv_neutralises(text, [*TRIMMED, "@SUM(1)"], delimiter=export.delimiter)
    assert "-5" in csv_cells(text, export.delimiter)  # a number stays a number
