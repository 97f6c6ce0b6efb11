"""The one rule every CSV and XLSX export follows: text is never handed over as a formula."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.utils.functional import lazy
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from convivencia.core.spreadsheets import (
    DANGEROUS_STARTS,
    CsvDictWriter,
    CsvWriter,
    Echo,
    append_row,
    append_verbatim_row,
    safe_cell,
)
from tests.formula_payloads import PAYLOADS, assert_csv_neutralises, csv_cells, neutralised

NUMBERS = [0, -5, 7, -2.5, 1e-9, Decimal("-3.10"), True]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_that_a_spreadsheet_would_run_gets_a_quote_in_front(payload):
    assert safe_cell(payload) == neutralised(payload)


@pytest.mark.parametrize(
    "value", [*NUMBERS, datetime.date(2024, 3, 1), datetime.datetime(2024, 3, 1, 9, 30), None]
)
def test_numbers_dates_and_empty_cells_stay_as_they_are(value):
    assert safe_cell(value) is value


@pytest.mark.parametrize(
    "text", ["-5", "+3", "-2.75", "Patrullajes", "", "'=1+1", " =1", "¿Confía?", "2024-03-01"]
)
def test_other_text_and_a_number_written_as_text_stay_as_they_are(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize("text", ["-", "+", "-1e5", "-0x10", "-1,5", "-٣", "-1 ", "@", "\t"])
def test_text_that_only_looks_like_a_number_is_quoted(text):
    assert safe_cell(text) == neutralised(text)


def test_anything_else_is_written_as_its_text_and_quoted_when_needed():
    class Organisation:
        def __str__(self) -> str:
            return '=HYPERLINK("http://evil")'

    assert safe_cell(Organisation()) == '\'=HYPERLINK("http://evil")'
    assert safe_cell(lazy(lambda: "+1+1", str)()) == "'+1+1"


@given(st.text())
def test_no_text_cell_ever_starts_like_a_formula(text):
    cell = safe_cell(text)
    assert cell == text or cell == neutralised(text)  # the text itself is never changed
    if cell.startswith(DANGEROUS_STARTS):
        float(cell)  # only a plain signed number may, and it is one


@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.decimals(allow_nan=False)))
def test_numbers_are_never_touched(number):
    assert safe_cell(number) is number


def test_the_csv_writers_quote_every_dangerous_cell_and_keep_numbers():
    stream = io.StringIO()
    writer = CsvWriter(stream)
    writer.writerow(["header", "n"])
    writer.writerows([[payload, -5] for payload in PAYLOADS])
    assert_csv_neutralises(stream.getvalue(), PAYLOADS)
    assert csv_cells(stream.getvalue()).count("-5") == len(PAYLOADS)

    stream = io.StringIO()
    dict_writer = CsvDictWriter(stream, fieldnames=["text", "n"])
    dict_writer.writeheader()
    dict_writer.writerows([{"text": payload, "n": -5} for payload in PAYLOADS])
    assert_csv_neutralises(stream.getvalue(), PAYLOADS)


def test_the_streaming_csv_writer_returns_each_line():
    assert CsvWriter(Echo()).writerow(["=1+1", -5]) == "'=1+1,-5\r\n"


@pytest.mark.parametrize("write_only", [True, False])
def test_an_xlsx_row_holds_text_as_strings_and_numbers_as_numbers(write_only):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("data") if write_only else workbook.active
    append_row(sheet, [*PAYLOADS, *NUMBERS])
    buffer = io.BytesIO()
    workbook.save(buffer)

    (row,) = load_workbook(buffer).worksheets[0].iter_rows()
    texts, numbers = row[: len(PAYLOADS)], row[len(PAYLOADS) :]
    for cell, payload in zip(texts, PAYLOADS, strict=True):
        assert cell.data_type == "s"
        # XML readers turn a raw carriage return into a newline; lxml's writer (installed
        # with python-docx) escapes it and keeps it. Either way the formula stays neutralised.
        assert cell.value.replace("\r", "\n") == neutralised(payload).replace("\r", "\n")
    assert [cell.data_type for cell in numbers] == ["n"] * (len(NUMBERS) - 1) + ["b"]
    assert [cell.value for cell in numbers] == [0, -5, 7, -2.5, 1e-9, -3.1, True]


@pytest.mark.parametrize("write_only", [True, False])
def test_a_verbatim_xlsx_row_keeps_the_text_in_cells_marked_as_text(write_only):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("survey") if write_only else workbook.active
    append_verbatim_row(sheet, [*PAYLOADS, "${B18} = '1'", "-1", -5])
    buffer = io.BytesIO()
    workbook.save(buffer)

    (row,) = load_workbook(buffer).worksheets[0].iter_rows()
    for cell, payload in zip(row, PAYLOADS, strict=False):
        assert (cell.value.replace("\r", "\n"), cell.data_type, cell.quotePrefix) == (
            payload.replace("\r", "\n"),
            "s",
            True,
        )
    assert [(cell.value, cell.quotePrefix) for cell in row[len(PAYLOADS) :]] == [
        ("${B18} = '1'", False),
        ("-1", False),
        (-5, False),
    ]


def test_a_cell_with_a_carriage_return_stays_one_quoted_cell():
    stream = io.StringIO()
    CsvWriter(stream).writerow(["\r=1+1", "a\rb"])
    assert stream.getvalue() == '"\'\r=1+1","a\rb"\r\n'


@pytest.mark.parametrize("options", [{"lineterminator": "\n"}, {"dialect": "unix"}])
def test_a_line_ending_that_would_leave_a_carriage_return_bare_is_refused(options):
    with pytest.raises(ValueError, match="lineterminator"):
        CsvWriter(io.StringIO(), **options)
    with pytest.raises(ValueError, match="lineterminator"):
        CsvDictWriter(io.StringIO(), ["text"], **options)
