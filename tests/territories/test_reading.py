"""Reading tables and values: encodings, delimiters, spreadsheets, numbers, names."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest

from convivencia.core.numbers import parse_code, parse_integer, parse_number
from convivencia.core.reading import (
    BadFile,
    Column,
    ImportReport,
    Problems,
    find_columns,
    read_table,
)
from convivencia.territories.importers.names import readable_name


def test_utf8_with_a_byte_order_mark_reads_the_first_header_cleanly(write_file):
    path = write_file("bom.csv", "codigo_uf,nome\n11,Rondônia\n", encoding="utf-8-sig")
    table = read_table(path)
    assert table.headers == ["codigo_uf", "nome"]
    assert table.rows[0].cells == {"codigo_uf": "11", "nome": "Rondônia"}


def test_latin1_with_semicolons_reads_correctly(write_file):
    path = write_file("latin1.csv", "cod_mpio;nom_mpio\r\n19001;POPAYÁN\r\n", encoding="cp1252")
    table = read_table(path)
    assert table.rows[0].cells == {"cod_mpio": "19001", "nom_mpio": "POPAYÁN"}


def test_tabs_are_recognised_as_the_delimiter(write_file):
    path = write_file("tabs.tsv", "cod_mpio\tnom_mpio\n19001\tPopayán, Cauca\n")
    assert read_table(path).rows[0].get("nom_mpio") == "Popayán, Cauca"


def test_a_quoted_comma_in_the_header_does_not_fool_delimiter_detection(write_file):
    path = write_file("quoted.csv", '"name, long";code\nA, B;1\n')
    assert read_table(path).rows[0].cells == {"name, long": "A, B", "code": "1"}


def test_row_numbers_count_the_header_as_row_one_and_keep_empty_rows(write_file):
    path = write_file("gaps.csv", "a,b\n1,2\n,\n3,4\n")
    assert [row.number for row in read_table(path).rows] == [2, 4]


def test_headers_and_values_are_stripped(write_file):
    path = write_file("padded.csv", "CANTIDAD , nombre\n 3 , x \n")
    assert read_table(path).rows[0].cells == {"CANTIDAD": "3", "nombre": "x"}


def test_a_row_with_an_unquoted_comma_is_a_problem_naming_the_row(write_file):
    path = write_file("unquoted.csv", "cod_mpio,nom_mpio\n11001,BOGOTÁ, D.C.\n")
    with pytest.raises(BadFile) as caught:
        read_table(path)
    assert "unquoted.csv, row 2" in str(caught.value.problems[0])


def test_a_byte_that_is_neither_utf8_nor_latin1_names_row_and_column(write_file):
    path = write_file("broken.csv", b"cod_mpio;nom_mpio\n19001;POPAY\x81N\n")
    with pytest.raises(BadFile) as caught:
        read_table(path)
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("broken.csv", 2, "nom_mpio")
    assert "0x81" in problem.message


def test_a_file_with_nul_bytes_is_not_a_text_table(write_file):
    path = write_file("utf16.csv", "cod_mpio,nom_mpio\n".encode("utf-16"))
    with pytest.raises(BadFile, match="NUL"):
        read_table(path)


def test_an_empty_file_is_a_problem(write_file):
    with pytest.raises(BadFile, match="empty"):
        read_table(write_file("empty.csv", "\n\n"))


def test_xlsx_cells_become_text_and_numeric_codes_lose_their_float(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Hoja2"
    sheet.append(["cod_mpio", "poblacion", "area"])
    sheet.append([5001, 2427129, 374.831])
    sheet.append([None, None, None])
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    table = read_table(path)
    assert table.rows[0].cells == {"cod_mpio": "5001", "poblacion": "2427129", "area": "374.831"}
    assert len(table.rows) == 1


def test_a_missing_sheet_is_named_with_the_sheets_there_are(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Hoja1"
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    with pytest.raises(BadFile, match="Hoja1"):
        read_table(path, sheet="Hoja2")


def test_a_file_claiming_to_be_xlsx_but_broken_is_refused(write_file):
    with pytest.raises(BadFile, match="xlsx"):
        read_table(write_file("broken.xlsx", b"PK\x03\x04 not really a zip"))


def test_columns_are_found_whatever_their_case_accents_and_punctuation(write_file):
    table = read_table(write_file("dane.csv", "CODIGO MUNICIPIO;Nombre_Municipio\n5001;X\n"))
    problems = Problems("dane.csv")
    columns = find_columns(
        table,
        [
            Column("code", ("cod_mpio", "Código Municipio")),
            Column("name", ("nom_mpio", "Nombre Municipio")),
        ],
        problems,
    )
    assert columns == {"code": "CODIGO MUNICIPIO", "name": "Nombre_Municipio"}
    assert not problems


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("05001", 5, "05001"),
        ("5001", 5, "05001"),
        ("5001.0", 5, "05001"),
        (" 19 ", 2, "19"),
        ("5", 2, "05"),
    ],
)
def test_codes_get_their_lost_leading_zeros_back(text, width, expected):
    assert parse_code(text, width) == expected


@pytest.mark.parametrize("text", ["", "19a", "190011", "٠٥٠٠١", "-5"])
def test_codes_that_are_not_codes_are_refused(text):
    with pytest.raises(ValueError):
        parse_code(text, 5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("374.831", Decimal("374.831")),
        ("374,831", Decimal("374.831")),
        ("1.234,5", Decimal("1234.5")),
        ("1,234.5", Decimal("1234.5")),
    ],
)
def test_decimals_accept_a_decimal_point_or_comma(text, expected):
    assert parse_number(text, decimal="auto", ambiguous="decimal") == expected


@pytest.mark.parametrize("text", ["", "abc", "NaN", "inf", "1.2.3,4,5"])
def test_decimals_refuse_what_is_not_a_finite_number(text):
    with pytest.raises(ValueError):
        parse_number(text, decimal="auto", ambiguous="decimal")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2427129", 2427129),
        ("2427129.0", 2427129),
        ("2.427.129", 2427129),
        ("2,427,129", 2427129),
    ],
)
def test_integers_accept_thousands_separators_and_a_spreadsheet_float(text, expected):
    assert parse_integer(text) == expected


@pytest.mark.parametrize("text", ["", "12.5", "many"])
def test_integers_refuse_fractions_and_words(text):
    with pytest.raises(ValueError):
        parse_integer(text)


@pytest.mark.parametrize(
    ("official", "readable"),
    [
        ("SAN JOSÉ DE CÚCUTA", "San José de Cúcuta"),
        ("EL CARMEN DE VIBORAL", "El Carmen de Viboral"),
        ("CARMEN DEL DARIÉN", "Carmen del Darién"),
        ("LOS ANDES", "Los Andes"),
        ("PROVIDENCIA Y SANTA CATALINA", "Providencia y Santa Catalina"),
        ("BOGOTÁ, D.C.", "Bogotá, D.C."),
        ("PIENDAMÓ - TUNÍA", "Piendamó - Tunía"),
        ("NARIÑO", "Nariño"),
        ("Medellín", "Medellín"),
    ],
)
def test_official_upper_case_names_become_readable_keeping_accents(official, readable):
    assert readable_name(official) == readable


def test_the_report_counts_by_level_and_in_total():
    report = ImportReport()
    report.add("Region", "created", 33)
    report.add("Municipality", "created", 1122)
    report.add("Municipality", "updated")
    assert report.total("created") == 1155
    assert report.as_dict()["Municipality"] == "created 1122, updated 1, unchanged 0"
    assert "Total: created 1155, updated 1, unchanged 0" in report.lines()
