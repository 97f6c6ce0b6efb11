"""Reading an uploaded table within bounds: CSV streamed, XLSX checked before it opens.

Every reader stops at the first limit of ``convivencia.core.limits`` it passes and
raises ``Refused``; ``tables.read_grid`` turns that into the file's problems. Nothing is
read beyond the limit: a CSV is decoded line by line, and an XLSX has its central
directory and its sheets' XML measured (sizes, compression, rows, cells per row,
value lengths, formulas) before openpyxl builds anything from them.
"""

from __future__ import annotations

import codecs
import csv
import re
import time
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, datetime
from itertools import chain
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from convivencia.core.limits import MEGABYTE, ImportLimits

Place = tuple[int | None, str | None, str]  # row, column, message


class Refused(Exception):
    """The file cannot be read; ``problems`` are (row, column, message) in file order."""

    def __init__(self, problems: list[Place]) -> None:
        self.problems = problems
        super().__init__("; ".join(message for _row, _column, message in problems))

    @classmethod
    def at(cls, row: int | None, column: str | None, message: str) -> Refused:
        return cls([(row, column, message)])


class Grid(list[list[str]]):
    """Every cell as text, row by row, and what the reader has to say about them."""

    def __init__(self, rows: Any = (), notes: list[str] | None = None) -> None:
        super().__init__(rows)
        self.notes = notes or []


class Budget:
    """The limits in force and the moment reading must have finished by."""

    def __init__(self, limits: ImportLimits | None = None) -> None:
        self.limits = limits or ImportLimits.current()
        self.deadline = time.monotonic() + self.limits.max_seconds

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise Refused.at(None, None, self.limits.too_slow())

    def check_row(self, count: int, cells: list[str]) -> None:
        """Refuse the row numbered ``count`` if it breaks a limit; ``cells`` as read."""
        limits = self.limits
        if count > limits.max_rows:
            raise Refused.at(None, None, limits.too_many_rows())
        if len(cells) > limits.max_columns:
            width = len(cells)
            while width and not cells[width - 1]:
                width -= 1
            if width > limits.max_columns:
                raise Refused.at(count, None, limits.too_many_columns(width))
        longest = max(map(len, cells), default=0)
        if longest > limits.max_cell_chars:
            raise Refused.at(count, None, limits.cell_too_long(longest))
        if count % 1000 == 0:
            self.check_time()


# --- text -----------------------------------------------------------------------------------

LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Tab, line feed and carriage return are the only control characters a CSV may hold.
CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Windows-1252 leaves five bytes undefined; decoded with surrogateescape they show as
# U+DC80–U+DCFF. One search finds either kind of character no table may hold.
_UNDEFINED = "\udc80-\udcff"
_UNREADABLE = re.compile(f"[{CONTROL.pattern[1:-1]}{_UNDEFINED}]")
_CHUNK = MEGABYTE


def nul_message() -> str:
    return _("is not a text table (it contains NUL bytes). Save it as CSV in UTF-8, or as .xlsx.")


def byte_message(byte: int) -> str:
    return _(
        "byte 0x%(byte)02X is neither UTF-8 nor Latin-1 (Windows-1252). "
        "Save the file as CSV in UTF-8."
    ) % {"byte": byte}


def control_message(code: int) -> str:
    return _("control character U+%(code)04X; this is not a text table.") % {"code": code}


def delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever the header line uses most, outside quotes."""
    first_line = LINE_BREAK.split(text.lstrip("\r\n"), maxsplit=1)[0]
    unquoted = re.sub(r'"[^"]*"', "", first_line)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def column_at(header_line: str, line_prefix: str) -> str | None:
    """The header of the field that ends ``line_prefix``, to place a bad character."""
    separator = delimiter(header_line)
    try:
        headers = next(csv.reader([header_line.rstrip("\r\n")], delimiter=separator), [])
        fields = next(csv.reader([line_prefix], delimiter=separator), [""])
    except csv.Error:
        return None
    index = len(fields) - 1
    column = headers[index].strip() if 0 <= index < len(headers) else None
    return column or None


def _text_encoding(path: Path) -> str:
    """UTF-8 if the whole file decodes as UTF-8, else Windows-1252; NUL bytes are refused.

    Read in chunks: a file of any size costs one chunk of memory.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            if b"\x00" in chunk:
                # UTF-16 text and binary files both carry NUL bytes; neither is a CSV.
                raise Refused.at(None, None, nul_message())
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return "utf-8-sig" if utf8 else "cp1252"


class _Lines:
    """The physical lines of a text file, each checked before the CSV parser sees it."""

    def __init__(self, handle: Any, budget: Budget) -> None:
        self.handle = handle
        self.budget = budget
        self.number = 0
        self.header = ""

    def __iter__(self) -> Iterator[str]:
        limit = self.budget.limits.max_line_chars
        while line := self.handle.readline(limit + 1):
            self.number += 1
            if self.number == 1:
                self.header = line
            if len(line) > limit:
                raise Refused.at(self.number, None, self.budget.limits.line_too_long())
            self._check(line)
            yield line

    def _check(self, line: str) -> None:
        found = _UNREADABLE.search(line)
        if found is None:
            return
        column = column_at(self.header, line[: found.start()])
        code = ord(found.group())
        undefined_byte = code >= 0xDC80
        message = byte_message(code - 0xDC00) if undefined_byte else control_message(code)
        raise Refused.at(self.number, column, message)


def csv_grid(path: Path, budget: Budget) -> Grid:
    """Every record of a CSV (UTF-8 or Windows-1252; comma, semicolon or tab), streamed."""
    encoding = _text_encoding(path)
    grid = Grid()
    with path.open(encoding=encoding, errors="surrogateescape", newline="") as handle:
        lines = iter(_Lines(handle, budget))
        leading = []
        for line in lines:
            leading.append(line)
            if line.strip("\r\n"):
                break
        reader = csv.reader(chain(leading, lines), delimiter=delimiter("".join(leading)))
        try:
            for record in reader:
                budget.check_row(len(grid) + 1, record)
                grid.append(record)
        except csv.Error as exc:
            # Rows are counted as a spreadsheet shows them: records, not physical lines.
            raise Refused.at(len(grid) + 1, None, _("is not a readable CSV: %s") % exc) from exc
    return grid


# --- workbooks ------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        # Spreadsheets store codes as numbers: 5001.0 is the code 5001 (05001).
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def unreadable_xlsx(reason: object) -> str:
    return _("is not a readable .xlsx workbook (%s)") % reason


def missing_sheet(sheet: str, sheets: list[str]) -> str:
    return _("has no sheet “%(sheet)s” (sheets: %(sheets)s)") % {
        "sheet": sheet,
        "sheets": ", ".join(sheets),
    }


# Start tags of a row, a cell and a formula, whatever their namespace prefix.
_PREFIX = rb"<(?:[A-Za-z_][\w.-]*:)?"
_ROW = re.compile(_PREFIX + rb"row[\s>/]")
_CELL = re.compile(_PREFIX + rb"c[\s>/]")
_FORMULA = re.compile(_PREFIX + rb"f[\s>/]")
# In XML a value is text between tags: no "<" inside. Its bytes are at most this many
# per character (a character written as a numeric entity such as &#x10FFFF;).
_BYTES_PER_CHAR = 10
# The most of IMPORT_MAX_UNPACKED_MB a part other than the sheets and shared strings may take.
_OTHER_PART_SHARE = 50


def check_archive(path: Path | IO[bytes], budget: Budget) -> bool:
    """Measure an XLSX before openpyxl opens it; raise Refused at the first limit passed.

    The central directory gives each member's size, which zipfile enforces while
    reading; then every XML part is scanned as a stream. Returns whether a formula
    was seen (in a chart as well as a sheet: a sheet may be stored anywhere).
    """
    limits = budget.limits
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise Refused.at(None, None, unreadable_xlsx(exc)) from exc
    with archive:
        members = archive.infolist()
        unpacked = sum(member.file_size for member in members)
        if unpacked > limits.max_unpacked_bytes:
            raise Refused.at(None, None, limits.unpacked_too_large(unpacked))
        for member in members:
            if member.file_size > MEGABYTE and (
                member.file_size > limits.max_zip_ratio * max(member.compress_size, 1)
            ):
                ratio = member.file_size / max(member.compress_size, 1)
                raise Refused.at(None, None, limits.compressed_too_far(member.filename, ratio))
        formulas = False
        for member in members:
            name = member.filename
            sheet = name.startswith("xl/worksheets/") and name.endswith(".xml")
            if not (sheet or name == "xl/sharedStrings.xml") and (
                member.file_size > limits.max_unpacked_bytes // _OTHER_PART_SHARE
            ):
                # Styles, relationships and the like are parsed whole by openpyxl, and
                # a real one is a few MB: a big one (or a sheet kept where sheets are
                # not) can only be a trap.
                raise Refused.at(None, None, limits.unpacked_too_large(member.file_size))
            if name.endswith(".xml"):
                formulas = _scan(archive, member, budget) or formulas
    return formulas


def _scan(archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: Budget) -> bool:
    """Count rows and cells per row, measure the text between tags; whether a formula is there.

    Chunk by chunk, with the regular expressions and ``bytes`` methods doing the work:
    the scan costs a fraction of what openpyxl then takes to parse the same XML.
    """
    limits = budget.limits
    longest = limits.max_cell_chars * _BYTES_PER_CHAR
    rows = cells = run = 0  # run: the text since the last "<", across chunks
    formulas = False
    carry = b""
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                budget.check_time()
                first = chunk.find(b"<")
                if first < 0:
                    run += len(chunk)
                else:
                    run = max(run + first, max(map(len, chunk[first:].split(b"<"))))
                if run > longest:
                    raise Refused.at(None, None, limits.cell_too_long())
                if first >= 0:
                    run = len(chunk) - chunk.rfind(b"<") - 1
                # A tag may straddle two chunks: keep from the last "<" for the next one.
                data = carry + chunk
                cut = data.rfind(b"<")
                cut = len(data) if cut < 0 or len(data) - cut > 64 else cut
                data, carry = data[:cut], data[cut:]
                formulas = formulas or _FORMULA.search(data) is not None
                pieces = _ROW.split(data)
                cells += len(_CELL.findall(pieces[0]))  # the row the last chunk ended in
                for piece in pieces[1:]:
                    _check_row_cells(cells, limits)
                    rows += 1
                    cells = len(_CELL.findall(piece))
                if rows > limits.max_rows:
                    raise Refused.at(None, None, limits.too_many_rows())
                _check_row_cells(cells, limits)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error) as exc:
        raise Refused.at(None, None, unreadable_xlsx(exc)) from exc
    return formulas


def _check_row_cells(cells: int, limits: ImportLimits) -> None:
    # No row number: the scan counts <row> elements, which may skip spreadsheet rows.
    if cells > limits.max_columns:
        raise Refused.at(None, None, limits.too_many_columns(cells))


def xlsx_grid(path: Path, sheet: str | None, budget: Budget) -> Grid:
    """The sheet's cells as text; a formula gives its computed value, and a note says so."""
    import openpyxl

    has_formulas = check_archive(path, budget)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # any parser failure means the same to the user: unreadable
        raise Refused.at(None, None, unreadable_xlsx(exc)) from exc
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise Refused.at(None, None, missing_sheet(sheet, workbook.sheetnames))
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        used = 0
        if has_formulas:
            # openpyxl's own attribute: the sheet's part in the zip (pinned version).
            used, missing = _formula_cells(path, worksheet._worksheet_path, budget)  # type: ignore[attr-defined]  # not in the stubs
            if missing:
                raise Refused(missing)
        grid = _read_sheet(worksheet, budget)
    except Refused:
        raise
    except Exception as exc:
        raise Refused.at(None, None, unreadable_xlsx(exc)) from exc
    finally:
        workbook.close()
    if used:
        grid.notes.append(
            ngettext(
                "%(count)s cell held a formula; its computed value was used.",
                "%(count)s cells held formulas; their computed values were used.",
                used,
            )
            % {"count": used}
        )
    return grid


def _read_sheet(worksheet: Any, budget: Budget) -> Grid:
    # The dimension a file declares may be wrong, or hostile (A1:XFD1048576): rows are
    # taken as wide as their cells, not padded to it.
    worksheet.reset_dimensions()
    grid = Grid()
    for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
        cells = [cell_text(value) for value in row]
        budget.check_row(number, cells)
        grid.append(cells)
    return grid


def _formula_cells(path: Path, member: str, budget: Budget) -> tuple[int, list[Place]]:
    """How many cells of the sheet hold a formula and its computed value, and where the
    formulas without one are.

    A formula saved by a spreadsheet program has its last result beside it, ``<v>``
    (empty for an empty text); one written by a program that does not calculate has
    none, and openpyxl cannot tell that from an empty result: the XML can.
    """
    from defusedxml.ElementTree import iterparse
    from openpyxl.utils import column_index_from_string, get_column_letter

    used = 0
    missing: list[Place] = []
    row_number = 0
    rows_parent = None
    with zipfile.ZipFile(path) as archive, archive.open(member.lstrip("/")) as stream:
        for event, element in iterparse(stream, events=("start", "end")):
            if event == "start":
                if _local(element.tag) == "sheetData":
                    rows_parent = element
                continue
            if _local(element.tag) != "row":
                continue
            row_number = int(element.get("r") or row_number + 1)
            column = 0
            for cell in element:
                reference = cell.get("r")
                column = (
                    column_index_from_string(reference.rstrip("0123456789"))
                    if reference
                    else column + 1
                )
                parts = {_local(child.tag) for child in cell}
                if "f" not in parts:
                    continue
                if "v" in parts:
                    used += 1
                else:
                    missing.append(
                        (
                            row_number,
                            get_column_letter(column),
                            _(
                                "holds a formula with no computed value; open the file in a "
                                "spreadsheet program, save it and upload it again"
                            ),
                        )
                    )
            # Rows read are dropped, so the tree never holds more than one.
            element.clear()
            if rows_parent is not None:
                rows_parent.remove(element)
            if row_number % 1000 == 0:
                budget.check_time()
    return used, missing


def _local(tag: str) -> str:
    """An XML tag without its namespace."""
    return tag.rpartition("}")[2]


def xls_grid(path: Path, sheet: str | None, budget: Budget) -> Grid:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception as exc:  # any parser failure means the same to the user: unreadable
        raise Refused.at(None, None, _("is not a readable .xls workbook (%s)") % exc) from exc
    try:
        if sheet is not None and sheet not in book.sheet_names():
            raise Refused.at(None, None, missing_sheet(sheet, book.sheet_names()))
        worksheet = book.sheet_by_name(sheet) if sheet else book.sheet_by_index(0)
        if worksheet.nrows > budget.limits.max_rows:
            raise Refused.at(None, None, budget.limits.too_many_rows())
        grid = Grid()
        for number in range(worksheet.nrows):
            cells = []
            for cell in worksheet.row(number):
                # A str, float or int as the cell's type says (the stubs know str and float).
                value: Any = cell.value
                if cell.ctype == xlrd.XL_CELL_DATE:
                    value = xlrd.xldate_as_datetime(value, book.datemode)
                cells.append(cell_text(value))
            budget.check_row(number + 1, cells)
            grid.append(cells)
        return grid
    except Refused:
        raise
    except Exception as exc:  # any parser failure means the same to the user: unreadable
        raise Refused.at(None, None, _("is not a readable .xls workbook (%s)") % exc) from exc
    finally:
        book.release_resources()
