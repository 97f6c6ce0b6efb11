"""Reading a table and naming what is wrong with it: problems, rows, columns.

An import runs in two phases. ``check`` reads the whole file and collects every
problem (file, row, column, message) without writing; if there is any, it raises
BadFile and nothing is written. ``write`` then runs inside one transaction.
The bounded readers underneath are ``convivencia.core.reading.bounded``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from convivencia.core.limits import ImportLimits
from convivencia.core.reading import bounded as reading
from convivencia.core.reading.bounded import Budget, Grid
from convivencia.core.text import fold

MAX_LISTED_PROBLEMS = 50

# --- problems ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, placed where a person can find it."""

    file: str
    row: int | None
    column: str | None
    message: str
    unit: str = "row"  # "row" in tables, "feature" in boundary files
    part: str = ""  # the sheet or TopoJSON object, when a file has several

    def __str__(self) -> str:
        where = [self.file]
        if self.part:
            where.append(self.part)
        if self.row is not None:
            where.append(
                _("row %(number)s") % {"number": self.row}
                if self.unit == "row"
                else _("feature %(number)s") % {"number": self.row}
            )
        if self.column:
            where.append(_("column “%(name)s”") % {"name": self.column})
        return f"{', '.join(where)}: {self.message}"


class BadFile(Exception):
    """The file cannot be imported; ``problems`` says everything that is wrong with it."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self.summary())

    def summary(self, limit: int = MAX_LISTED_PROBLEMS) -> str:
        count = len(self.problems)
        lines = [_("%(count)s problem(s) found; nothing was imported.") % {"count": count}]
        lines += [f"- {problem}" for problem in self.problems[:limit]]
        if count > limit:
            lines.append(_("…and %(count)s more.") % {"count": count - limit})
        return "\n".join(lines)


class Problems:
    """Collects problems while a file is checked, to raise them all at once."""

    def __init__(self, file: str, *, unit: str = "row", part: str = "") -> None:
        self.file = file
        self.unit = unit
        self.part = part
        self.items: list[Problem] = []

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.items.append(Problem(self.file, row, column, message, self.unit, self.part))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise BadFile(self.items)


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One data row: its number as a spreadsheet shows it (header = 1), cells by header."""

    number: int
    cells: dict[str, str]

    def get(self, header: str | None) -> str:
        if header is None:
            return ""
        return self.cells.get(header, "")


@dataclass
class Table:
    file: str
    headers: list[str]
    rows: list[Row]
    header_row: int = 1
    notes: list[str] = field(default_factory=list)  # what the reader did, for the report


@dataclass(frozen=True)
class Column:
    """A column an importer reads, under any of the names publishers give it."""

    key: str
    names: tuple[str, ...]
    required: bool = True

    def folded_names(self) -> set[str]:
        return {fold(name) for name in self.names}


def display_name(path: Path, name: str | None = None) -> str:
    """The name problems are reported under: the uploaded name, not the storage path."""
    return Path(name).name if name else path.name


def read_table(path: Path, *, name: str | None = None, sheet: str | None = None) -> Table:
    """Read a CSV (UTF-8 or Windows-1252; comma, semicolon or tab), .xlsx or .xls table.

    The header is the first non-empty row; empty rows are skipped but still counted,
    so row numbers match what a spreadsheet shows. The reading notes (formulas whose
    computed values were used) come with the table, for the import's report.
    """
    file, grid = read_grid(path, name=name, sheet=sheet)
    return _table(grid, file, grid.notes)


def read_grid(path: Path, *, name: str | None = None, sheet: str | None = None) -> tuple[str, Grid]:
    """The display name and every cell as text, row by row, before any header is sought.

    For publishers' files with a preamble above the header and a footer below the
    data (the Policía's yearly files): the importer finds the header itself, then
    blanks the rows above it and calls ``table_from_grid``.

    Reading stops at the first limit of ``convivencia.core.limits`` the file passes.
    """
    file = display_name(path, name)
    budget = Budget()
    check_file_size(path, file, budget.limits)
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise BadFile([Problem(file, None, None, _("cannot be read: %s") % exc)]) from exc
    try:
        if magic == b"PK\x03\x04":
            return file, reading.xlsx_grid(path, sheet, budget)
        if magic == b"\xd0\xcf\x11\xe0":
            return file, reading.xls_grid(path, sheet, budget)
        return file, reading.csv_grid(path, budget)
    except reading.Refused as refused:
        raise BadFile(
            [Problem(file, row, column, message) for row, column, message in refused.problems]
        ) from refused
    except OSError as exc:
        raise BadFile([Problem(file, None, None, _("cannot be read: %s") % exc)]) from exc


def check_file_size(path: Path, file: str, limits: ImportLimits | None = None) -> None:
    """Refuse a file over IMPORT_MAX_FILE_MB before a byte of it is read."""
    limits = limits or ImportLimits.current()
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BadFile([Problem(file, None, None, _("cannot be read: %s") % exc)]) from exc
    if size > limits.max_file_bytes:
        raise BadFile([Problem(file, None, None, limits.file_too_large(size))])


def read_bounded_bytes(path: Path, file: str) -> bytes:
    """A whole file (JSON documents are parsed whole), once its size is within bounds."""
    check_file_size(path, file)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BadFile([Problem(file, None, None, _("cannot be read: %s") % exc)]) from exc


def check_workbook_bytes(data: bytes, file: str) -> None:
    """Bounds for a workbook read whole by another library (pyxform): its size, and for
    an .xlsx the zip checks ``read_table`` makes, before the library unpacks anything."""
    budget = Budget()
    if len(data) > budget.limits.max_file_bytes:
        raise BadFile([Problem(file, None, None, budget.limits.file_too_large(len(data)))])
    if data.startswith(b"PK\x03\x04"):
        try:
            reading.check_archive(io.BytesIO(data), budget)
        except reading.Refused as refused:
            raise BadFile(
                [Problem(file, row, column, message) for row, column, message in refused.problems]
            ) from refused


def table_from_grid(grid: list[list[str]], file: str, notes: list[str] | None = None) -> Table:
    """A Table whose header is the grid's first non-empty row (see ``read_grid``)."""
    return _table(grid, file, notes or [])


def decode_text(data: bytes, file: str, *, tabular: bool = True) -> str:
    """UTF-8 (with or without BOM), else Windows-1252; anything else is refused.

    A refusal names the line, and for a table the column, where the bad byte is.
    """
    if b"\x00" in data:
        raise BadFile([Problem(file, None, None, reading.nul_message())])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            lenient = data.decode("cp1252", errors="replace")
            line, column = _locate(lenient, exc.start, tabular)
            raise BadFile(
                [Problem(file, line, column, reading.byte_message(data[exc.start]))]
            ) from exc
    control = reading.CONTROL.search(text)
    if control:
        line, column = _locate(text, control.start(), tabular)
        raise BadFile([Problem(file, line, column, reading.control_message(ord(control.group())))])
    return text


def _locate(text: str, offset: int, tabular: bool) -> tuple[int, str | None]:
    """The line of ``offset`` and, in a table, the header of the field it falls in.

    Only used to describe a file that cannot be read, so a physical line stands
    for the row: good enough to find the place, and exact without quoted line breaks.
    Decoding with replacement keeps offsets aligned: one byte is one character.
    """
    # Any of \r\n, \r and \n ends a line, as for the csv module.
    before = text[:offset].replace("\r\n", "\n").replace("\r", "\n")
    line = before.count("\n") + 1
    if not tabular:
        return line, None
    header_line = reading.LINE_BREAK.split(text, maxsplit=1)[0]
    return line, reading.column_at(header_line, before.rsplit("\n", 1)[-1])


def _table(grid: list[list[str]], file: str, notes: list[str]) -> Table:
    problems = Problems(file)
    header_row = 0
    headers: list[str] = []
    rows: list[Row] = []
    for number, raw in enumerate(grid, start=1):
        cells = [cell.strip() for cell in raw]
        if not any(cells):
            continue
        if not header_row:
            header_row = number
            headers = cells
            continue
        extra = [cell for cell in cells[len(headers) :] if cell]
        if extra:
            problems.add(
                number,
                None,
                _(
                    "has %(found)s values but the header has %(expected)s columns; "
                    "is a value with a comma not in quotes?"
                )
                % {"found": len(headers) + len(extra), "expected": len(headers)},
            )
            continue
        values: dict[str, str] = {}
        for header, cell in zip(headers, cells, strict=False):
            if header and header not in values:
                values[header] = cell
        rows.append(Row(number, values))
    if not header_row:
        problems.add(None, None, _("is empty"))
    problems.raise_if_any()
    return Table(file=file, headers=headers, rows=rows, header_row=header_row, notes=notes)


def find_columns(
    table: Table, columns: Sequence[Column], problems: Problems
) -> dict[str, str | None]:
    """The header each column goes by in this file (None if absent and optional).

    Matching ignores case, accents and punctuation, so "Código Municipio",
    "codigo_municipio" and "CODIGO MUNICIPIO" are one name.
    """
    by_folded: dict[str, str] = {}
    for header in table.headers:
        by_folded.setdefault(fold(header), header)
    found: dict[str, str | None] = {}
    for column in columns:
        match = next(
            (by_folded[folded] for folded in map(fold, column.names) if folded in by_folded),
            None,
        )
        found[column.key] = match
        if match is None and column.required:
            problems.add(
                table.header_row,
                column.names[0],
                _("missing column (also accepted: %(names)s)")
                % {"names": ", ".join(column.names[1:]) or "—"},
            )
    return found


def present(table: Table, column: Column) -> bool:
    folded = {fold(header) for header in table.headers}
    return bool(folded & column.folded_names())
