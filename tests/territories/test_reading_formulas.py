"""Formula cells in uploaded workbooks: their computed values are read, never the formula.

The sheets are written as Excel and LibreOffice save them, a formula and its cached
value side by side (see tests/territories/workbooks.py).
"""

from __future__ import annotations

import pytest

from convivencia.core.reading import BadFile, read_table
from convivencia.indicators.models import DataValue
from tests.factories import make_colombia
from tests.indicators.conftest import data_counts, run
from tests.territories.workbooks import cell, sheet_xml, write_xlsx

pytestmark = pytest.mark.usefixtures("english")


def test_formula_cells_give_their_computed_values_and_the_table_says_so(tmp_path):
    path = write_xlsx(
        tmp_path / "formulas.xlsx",
        sheet_xml(
            [
                [cell("A1", "code"), cell("B1", "total"), cell("C1", "link")],
                [
                    cell("A2", 19001),
                    cell("B2", 2, "1+1"),
                    cell("C2", "sitio", 'HYPERLINK("http://example.org","sitio")'),
                ],
                [cell("A3", 52001), cell("B3", 7), cell("C3", "plain")],
            ]
        ),
    )
    table = read_table(path)
    assert [row.cells for row in table.rows] == [
        {"code": "19001", "total": "2", "link": "sitio"},
        {"code": "52001", "total": "7", "link": "plain"},
    ]
    assert table.notes == ["2 cells held formulas; their computed values were used."]


def test_a_formula_without_a_computed_value_is_refused_at_its_cell(tmp_path):
    path = write_xlsx(
        tmp_path / "uncalculated.xlsx",
        sheet_xml(
            [
                [cell("A1", "code"), cell("B1", "total")],
                [cell("A2", 19001), cell("B2", None, "SUM(C2:C9)")],
                [cell("A3", 52001), cell("B3", 4, "2*2")],
            ]
        ),
    )
    with pytest.raises(BadFile) as caught:
        read_table(path)
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (2, "B")
    assert "formula with no computed value" in problem.message


def test_text_that_looks_like_a_formula_in_a_workbook_stays_text(tmp_path):
    path = write_xlsx(
        tmp_path / "text.xlsx",
        sheet_xml(
            [
                [cell("A1", "name")],
                [cell("A2", "=1+1")],
                [cell("A3", "@SUM(A1)")],
            ]
        ),
    )
    table = read_table(path)
    assert [row.get("name") for row in table.rows] == ["=1+1", "@SUM(A1)"]
    assert table.notes == []


def test_an_import_report_says_how_many_formulas_gave_their_values(db, tmp_path):
    places = make_colombia()
    header = ["territory_code", "scheme", "period", "data_element", "value", "source"]
    path = write_xlsx(
        tmp_path / "cifras.xlsx",
        sheet_xml(
            [
                [cell(f"{column}1", name) for column, name in zip("ABCDEF", header, strict=True)],
                [
                    cell("A2", 19001),
                    cell("B2", "divipola"),
                    cell("C2", 2023),
                    cell("D2", "homicides"),
                    cell("E2", 12, "10+2"),
                    cell("F2", "police"),
                ],
            ]
        ),
    )
    output = run("import_crime", "tidy", path)
    assert "1 cell held a formula; its computed value was used." in output
    assert DataValue.objects.get(territory=places.popayan).value == 12


def test_an_import_with_an_uncalculated_formula_writes_nothing(db, tmp_path):
    make_colombia()
    header = ["territory_code", "scheme", "period", "data_element", "value", "source"]
    path = write_xlsx(
        tmp_path / "cifras.xlsx",
        sheet_xml(
            [
                [cell(f"{column}1", name) for column, name in zip("ABCDEF", header, strict=True)],
                [
                    cell("A2", 19001),
                    cell("B2", "divipola"),
                    cell("C2", 2023),
                    cell("D2", "homicides"),
                    cell("E2", None, "10+2"),
                    cell("F2", "police"),
                ],
            ]
        ),
    )
    before = data_counts()
    with pytest.raises(Exception, match="formula with no computed value"):
        run("import_crime", "tidy", path)
    assert data_counts() == before


def test_a_formula_whose_result_is_empty_text_is_read_as_empty_not_refused(tmp_path):
    # Excel and LibreOffice save =IF(…;"";…) with an empty <v></v>.
    path = write_xlsx(
        tmp_path / "empty.xlsx",
        sheet_xml(
            [
                [cell("A1", "code"), cell("B1", "note")],
                [cell("A2", 19001), '<c r="B2" t="str"><f>IF(A2&gt;0,"","x")</f><v></v></c>'],
            ]
        ),
    )
    table = read_table(path)
    assert table.rows[0].cells == {"code": "19001", "note": ""}
    assert table.notes == ["1 cell held a formula; its computed value was used."]


def test_formulas_are_found_in_cells_written_without_references(tmp_path):
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row><c t="inlineStr"><is><t>total</t></is></c></row>'
        "<row><c><v>1</v></c><c><f>1+1</f></c></row></sheetData></worksheet>"
    )
    path = write_xlsx(tmp_path / "bare.xlsx", sheet.encode())
    with pytest.raises(BadFile) as caught:
        read_table(path)
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (2, "B")
