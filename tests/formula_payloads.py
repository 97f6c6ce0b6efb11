"""Text a spreadsheet program would run as a formula, and how every export must hand it back.

The payloads are those of the security test of issue 11: each must come back from a
CSV with a quote in front, and from an XLSX as a string cell (never a formula) holding
the quote and then the text.
"""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

PAYLOADS = [
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil","x")',
    "+1+1",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
]

# What is left once a form or an import has trimmed the blanks around a text.
TRIMMED = list(dict.fromkeys(payload.strip() for payload in PAYLOADS))


def neutralised(payload: str) -> str:
    return "'" + payload


def csv_cells(text: str, delimiter: str = ",") -> list[str]:
    """Every cell of a CSV text (carriage returns inside quoted cells kept)."""
    return [
        cell
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for cell in row
    ]


def assert_csv_neutralises(text: str, payloads: list[str], delimiter: str = ",") -> None:
    cells = csv_cells(text, delimiter)
    for payload in payloads:
        assert neutralised(payload) in cells, payload
        assert payload not in cells, payload


def xlsx_cells(data: bytes) -> list[tuple[object, str]]:
    """(value, data_type) of every cell of every sheet."""
    workbook = load_workbook(io.BytesIO(data))
    return [
        (cell.value, cell.data_type)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
    ]


def assert_xlsx_neutralises(data: bytes, payloads: list[str]) -> None:
    # A raw carriage return comes back as a line feed, unless the writer escaped it (openpyxl
    # does when lxml is installed): compare with both folded to line feeds.
    cells = [
        (value.replace("\r", "\n") if isinstance(value, str) else value, kind)
        for value, kind in xlsx_cells(data)
    ]
    assert not [value for value, kind in cells if kind == "f"], "a cell holds a formula"
    for payload in payloads:
        expected = neutralised(payload).replace("\r", "\n")
        assert (expected, "s") in cells, payload
