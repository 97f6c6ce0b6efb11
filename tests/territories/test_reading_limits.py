"""The readers refuse a file at the first limit it passes, naming the limit and its setting."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import SimpleUploadedFile

from convivencia.core.bulk import local_copy
from convivencia.core.limits import MEGABYTE
from convivencia.core.reading import BadFile, read_grid, read_table
from convivencia.core.reading import bounded as reading
from tests.territories.workbooks import MAIN, cell, sheet_xml, write_xlsx, write_zip_bomb


def refusal(path: Path) -> str:
    with pytest.raises(BadFile) as caught:
        read_table(path)
    assert len(caught.value.problems) == 1
    return str(caught.value.problems[0])


def test_a_csv_larger_than_the_file_limit_is_refused_by_its_size(tmp_path, settings):
    settings.IMPORT_MAX_FILE_MB = 1
    path = tmp_path / "big.csv"
    path.write_bytes(b"code,name\n" + b"19001,Popayan\n" * (MEGABYTE // 10))
    message = refusal(path)
    assert "big.csv" in message
    assert "IMPORT_MAX_FILE_MB" in message and "1 MB" in message


def test_a_csv_with_more_rows_than_allowed_is_refused_naming_the_setting(tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 10
    path = tmp_path / "rows.csv"
    path.write_text("code,name\n" + "19001,Popayán\n" * 10, encoding="utf-8")
    assert "IMPORT_MAX_ROWS" in refusal(path)


def test_a_csv_of_exactly_the_allowed_rows_is_read(tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 10
    path = tmp_path / "rows.csv"
    path.write_text("code,name\n" + "19001,Popayán\n" * 9, encoding="utf-8")
    assert len(read_table(path).rows) == 9


def test_a_csv_wider_than_allowed_is_refused_at_its_row(tmp_path, settings):
    settings.IMPORT_MAX_COLUMNS = 5
    path = tmp_path / "wide.csv"
    path.write_text("a,b\n1,2\n" + ",".join("x" * 6) + "\n", encoding="utf-8")
    message = refusal(path)
    assert "row 3" in message and "IMPORT_MAX_COLUMNS" in message


def test_trailing_empty_columns_do_not_count_against_the_column_limit(tmp_path, settings):
    settings.IMPORT_MAX_COLUMNS = 2
    path = tmp_path / "commas.csv"
    path.write_text("a,b,,,,\n1,2,,,,\n", encoding="utf-8")
    assert read_table(path).rows[0].cells == {"a": "1", "b": "2"}


def test_a_cell_longer_than_allowed_is_refused(tmp_path, settings):
    settings.IMPORT_MAX_CELL_CHARS = 100
    path = tmp_path / "long.csv"
    path.write_text('a,b\n1,"' + "x" * 101 + '"\n', encoding="utf-8")
    message = refusal(path)
    assert "row 2" in message and "IMPORT_MAX_CELL_CHARS" in message


def test_a_line_without_end_is_refused_before_it_is_read_whole(tmp_path, settings):
    settings.IMPORT_MAX_COLUMNS = 2
    settings.IMPORT_MAX_CELL_CHARS = 10
    path = tmp_path / "oneline.csv"
    path.write_text("a" * 1000, encoding="utf-8")
    message = refusal(path)
    assert "IMPORT_MAX_COLUMNS" in message and "IMPORT_MAX_CELL_CHARS" in message


def test_reading_past_the_time_budget_is_refused_naming_the_setting(
    tmp_path, settings, monkeypatch
):
    settings.IMPORT_MAX_SECONDS = 60
    clock = itertools.count(start=0, step=1)  # each look at the clock: a second later
    monkeypatch.setattr(reading.time, "monotonic", lambda: next(clock))
    path = tmp_path / "slow.csv"
    path.write_text("a\n" + "1\n" * 200_000, encoding="utf-8")
    assert "IMPORT_MAX_SECONDS" in refusal(path)


def test_text_starting_like_a_formula_in_a_csv_is_kept_as_text(tmp_path):
    path = tmp_path / "formulas.csv"
    path.write_text(
        'nombre,nota\n=1+1,"=HYPERLINK(""http://x"",""y"")"\n+57 300,-3\n@SUM(A1),ok\n',
        encoding="utf-8",
    )
    rows = read_table(path).rows
    assert rows[0].cells == {"nombre": "=1+1", "nota": '=HYPERLINK("http://x","y")'}
    assert rows[1].cells == {"nombre": "+57 300", "nota": "-3"}
    assert rows[2].cells == {"nombre": "@SUM(A1)", "nota": "ok"}


def test_latin1_is_still_recognised_when_the_bad_byte_comes_late(tmp_path):
    path = tmp_path / "late.csv"
    # More than the 1 MB the encoding is decided on at a time, before the first Latin-1 byte.
    path.write_bytes(
        b"code;name\n" + (b"1;" + b"a" * 60 + b"\n") * 20_000 + "2;Nariño\n".encode("cp1252")
    )
    assert read_table(path).rows[-1].cells == {"code": "2", "name": "Nariño"}


# --- workbooks -------------------------------------------------------------------------------

BOMB_HEAD = f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()
BOMB_ROW = b'<row><c t="inlineStr"><is><t>x</t></is></c><c><v>1</v></c></row>'
BOMB_TAIL = b"</sheetData></worksheet>"


def test_a_zip_bomb_is_refused_by_its_unpacked_size_before_it_is_opened(tmp_path):
    path = tmp_path / "bomb.xlsx"
    size = write_zip_bomb(path, BOMB_HEAD, BOMB_ROW * 20_000, 900, BOMB_TAIL)
    assert size > 1000 * MEGABYTE and path.stat().st_size < 5 * MEGABYTE
    assert "IMPORT_MAX_UNPACKED_MB" in refusal(path)


def test_a_zip_bomb_within_the_unpacked_size_is_refused_by_its_compression(tmp_path):
    path = tmp_path / "bomb.xlsx"
    write_zip_bomb(path, BOMB_HEAD, BOMB_ROW * 20_000, 100, BOMB_TAIL)
    message = refusal(path)
    assert "IMPORT_MAX_ZIP_RATIO" in message and "xl/worksheets/sheet1.xml" in message


def test_a_sheet_with_more_rows_than_allowed_is_refused_while_it_is_scanned(tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 50
    path = write_xlsx(tmp_path / "rows.xlsx", sheet_xml([[cell(f"A{n}", n)] for n in range(1, 52)]))
    assert "IMPORT_MAX_ROWS" in refusal(path)


def test_a_row_far_below_the_others_counts_every_row_in_between(tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 1000
    sheet = (
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">{cell("A1", "a")}</row>'
        f'<row r="1048576">{cell("A1048576", 1)}</row></sheetData></worksheet>'
    )
    path = write_xlsx(tmp_path / "far.xlsx", sheet.encode())
    assert "IMPORT_MAX_ROWS" in refusal(path)


def test_a_row_with_more_cells_than_allowed_is_refused_before_openpyxl_builds_it(
    tmp_path, settings
):
    settings.IMPORT_MAX_COLUMNS = 20
    cells = "".join("<c><v>1</v></c>" for _cell in range(21))
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData><row>{cells}</row></sheetData></worksheet>'
    path = write_xlsx(tmp_path / "wide.xlsx", sheet.encode())
    assert "IMPORT_MAX_COLUMNS" in refusal(path)


def test_a_declared_dimension_does_not_pad_the_rows(tmp_path, settings):
    settings.IMPORT_MAX_COLUMNS = 20
    sheet = (
        f'<worksheet xmlns="{MAIN}"><dimension ref="A1:XFD1048576"/><sheetData>'
        f'<row r="1">{cell("A1", "code")}</row><row r="2">{cell("A2", 5001)}</row>'
        "</sheetData></worksheet>"
    )
    path = write_xlsx(tmp_path / "dimension.xlsx", sheet.encode())
    assert read_table(path).rows[0].cells == {"code": "5001"}


def test_a_shared_string_longer_than_allowed_is_refused(tmp_path, settings):
    settings.IMPORT_MAX_CELL_CHARS = 100
    strings = (
        f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>' + "x" * 5000 + "</t></si></sst>"
    ).encode()
    sheet = sheet_xml([['<c r="A1" t="s"><v>0</v></c>']])
    path = write_xlsx(tmp_path / "strings.xlsx", sheet, {"xl/sharedStrings.xml": strings})
    assert "IMPORT_MAX_CELL_CHARS" in refusal(path)


def test_a_workbook_cell_longer_than_allowed_is_refused_at_its_row(tmp_path, settings):
    settings.IMPORT_MAX_CELL_CHARS = 100
    path = write_xlsx(
        tmp_path / "cell.xlsx", sheet_xml([[cell("A1", "a")], [cell("A2", "y" * 150)]])
    )
    message = refusal(path)
    assert "row 2" in message and "IMPORT_MAX_CELL_CHARS" in message


def test_a_big_part_other_than_sheets_and_strings_is_refused(tmp_path, settings):
    settings.IMPORT_MAX_UNPACKED_MB = 50  # other parts may take 1 MB
    styles = f'<styleSheet xmlns="{MAIN}">'.encode() + os.urandom(MEGABYTE).hex().encode()
    path = write_xlsx(
        tmp_path / "styles.xlsx",
        sheet_xml([[cell("A1", "a")]]),
        {"xl/styles.xml": styles + b"</styleSheet>"},
    )
    assert "IMPORT_MAX_UNPACKED_MB" in refusal(path)


def test_a_zip_that_is_not_a_workbook_is_unreadable_not_a_crash(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    assert ".xlsx" in refusal(path)


def test_policia_style_grids_carry_their_reading_notes(tmp_path):
    path = write_xlsx(tmp_path / "f.xlsx", sheet_xml([[cell("A1", "a")], [cell("A2", 2, "1+1")]]))
    _file, grid = read_grid(path)
    assert grid == [["a"], ["2"]]
    assert len(grid.notes) == 1


# --- uploads ---------------------------------------------------------------------------------


def _forms():
    from convivencia.evidence.forms import ImportForm as EvidenceForm
    from convivencia.indicators.views.imports import ImportForm as CrimeForm
    from convivencia.panels.views.collection import UploadForm
    from convivencia.territories.views.imports import ImportForm as TerritoryForm

    return [EvidenceForm, CrimeForm, UploadForm, TerritoryForm]


@pytest.mark.parametrize("position", range(4))
def test_every_upload_form_refuses_a_file_over_the_limit_naming_the_setting(position, settings):
    settings.IMPORT_MAX_FILE_MB = 1
    form_class = _forms()[position]
    field = form_class.base_fields["file"]
    upload = SimpleUploadedFile("grande.csv", b"x" * (MEGABYTE + 1))
    with pytest.raises(ValidationError) as caught:
        field.clean(upload)
    assert "IMPORT_MAX_FILE_MB" in " ".join(caught.value.messages)
    assert field.clean(SimpleUploadedFile("small.csv", b"a,b\n1,2\n")) is not None


class _RemoteStorage(Storage):
    """A storage without local paths, like S3: local_copy must copy the file."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def path(self, name: str) -> str:
        raise NotImplementedError

    def _open(self, name: str, mode: str = "rb"):
        from django.core.files.base import ContentFile

        return ContentFile(self.data, name=name)


def test_a_copy_from_remote_storage_stops_past_the_limit_and_is_refused(settings):
    settings.IMPORT_MAX_FILE_MB = 1
    storage = _RemoteStorage(b"a,b\n" + b"1,2\n" * MEGABYTE)
    with local_copy(storage, "jobs/big.csv") as path:
        assert path.stat().st_size == MEGABYTE + 1
        assert "IMPORT_MAX_FILE_MB" in refusal(path)


def test_an_xlsform_zip_bomb_is_refused_before_pyxform_unpacks_it(tmp_path):
    from convivencia.panels.importers.xlsform import import_xlsform

    path = tmp_path / "form.xlsx"
    write_zip_bomb(path, BOMB_HEAD, BOMB_ROW * 20_000, 100, BOMB_TAIL)
    with pytest.raises(BadFile, match="IMPORT_MAX_ZIP_RATIO"):
        import_xlsform(path)
    with pytest.raises(BadFile, match="IMPORT_MAX_ZIP_RATIO"):
        import_xlsform(path.read_bytes(), name="form.xlsx")


def test_an_xlsform_over_the_size_limit_is_refused_unread(tmp_path, settings):
    from convivencia.panels.importers.xlsform import import_xlsform

    settings.IMPORT_MAX_FILE_MB = 1
    path = tmp_path / "form.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * MEGABYTE)
    with pytest.raises(BadFile, match="IMPORT_MAX_FILE_MB"):
        import_xlsform(path)
    with path.open("rb") as handle, pytest.raises(BadFile, match="IMPORT_MAX_FILE_MB"):
        import_xlsform(handle)
