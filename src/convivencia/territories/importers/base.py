"""What every importer shares: reading tables, naming problems, counting outcomes.

An import runs in two phases. ``check`` reads the whole file and collects every
problem (file, row, column, message) without writing; if there is any, it raises
BadFile and nothing is written. ``write`` then runs inside one transaction.
"""

from __future__ import annotations

import io
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from convivencia.core.limits import ImportLimits
from convivencia.territories.importers import reading
from convivencia.territories.importers.reading import Budget, Grid
from convivencia.territories.text import fold

Progress = Callable[[int, int, str], None]

MAX_LISTED_PROBLEMS = 50


def no_progress(done: int, total: int, message: str = "") -> None:
    """The progress callback of a run nobody watches."""


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
        lines = [
            _("%(count)s problem(s) found; nothing was imported.") % {"count": count}
        ]
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


def read_grid(
    path: Path, *, name: str | None = None, sheet: str | None = None
) -> tuple[str, Grid]:
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
        raise BadFile([Problem(file, row, column, message)
                       for row, column, message in refused.problems]) from refused
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
            raise BadFile([Problem(file, row, column, message)
                           for row, column, message in refused.problems]) from refused


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
            raise BadFile([Problem(
                file, line, column, reading.byte_message(data[exc.start])
            )]) from exc
    control = reading.CONTROL.search(text)
    if control:
        line, column = _locate(text, control.start(), tabular)
        raise BadFile([Problem(
            file, line, column, reading.control_message(ord(control.group()))
        )])
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
        extra = [cell for cell in cells[len(headers):] if cell]
        if extra:
            problems.add(number, None, _(
                "has %(found)s values but the header has %(expected)s columns; "
                "is a value with a comma not in quotes?"
            ) % {"found": len(headers) + len(extra), "expected": len(headers)})
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
        header = next(
            (by_folded[folded] for folded in map(fold, column.names) if folded in by_folded),
            None,
        )
        found[column.key] = header
        if header is None and column.required:
            problems.add(table.header_row, column.names[0], _(
                "missing column (also accepted: %(names)s)"
            ) % {"names": ", ".join(column.names[1:]) or "—"})
    return found


def present(table: Table, column: Column) -> bool:
    folded = {fold(header) for header in table.headers}
    return bool(folded & column.folded_names())


# --- values ------------------------------------------------------------------------------

_DIGITS = re.compile(r"[0-9]+")
_SPREADSHEET_INTEGER = re.compile(r"([0-9]+)\.0+")
_THOUSANDS = re.compile(r"[0-9]{1,3}([.,' ][0-9]{3})+")


def parse_code(text: str, width: int) -> str:
    """A numeric code, padded back to ``width`` digits if a spreadsheet dropped zeros.

    Raises ValueError with a message for the user.
    """
    text = text.strip()
    match = _SPREADSHEET_INTEGER.fullmatch(text)
    if match:
        text = match.group(1)
    if not text:
        raise ValueError(_("the code is empty"))
    if not _DIGITS.fullmatch(text):
        raise ValueError(_("“%(code)s” is not a numeric code") % {"code": text})
    if len(text) > width:
        raise ValueError(_("“%(code)s” has more than %(width)s digits") % {
            "code": text, "width": width,
        })
    return text.zfill(width)


def parse_decimal(text: str) -> Decimal:
    """A number written with a decimal point or a decimal comma. Raises ValueError."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if "," in cleaned and "." in cleaned:
        # Whichever separator comes last is the decimal one: 1.234,5 or 1,234.5.
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    else:
        cleaned = cleaned.replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not cleaned:
        raise ValueError(_("“%(value)s” is not a number") % {"value": text})
    return number


def parse_integer(text: str) -> int:
    """A whole number; thousands separators and a spreadsheet's “.0” are accepted."""
    cleaned = text.strip().replace("\u00a0", " ")
    if _THOUSANDS.fullmatch(cleaned):
        cleaned = re.sub(r"[.,' ]", "", cleaned)
    try:
        number = parse_decimal(cleaned)
    except ValueError:
        number = None
    if number is None or number != number.to_integral_value():
        raise ValueError(_("“%(value)s” is not a whole number") % {"value": text})
    return int(number)


def check_name(name: str, max_length: int = 200) -> str:
    """A territory name as stored: present, one line, short enough. Raises ValueError."""
    name = " ".join(name.split())
    if not name:
        raise ValueError(_("the name is empty"))
    if len(name) > max_length:
        raise ValueError(_("the name is longer than %(max)s characters") % {"max": max_length})
    if not fold(name):
        raise ValueError(_("“%(name)s” has no letters or digits") % {"name": name})
    return name


# Spanish and Portuguese particles stay lower-case inside a name: "San José de Cúcuta".
_PARTICLES = frozenset({
    "de", "del", "la", "las", "los", "y", "el", "e",
    "da", "das", "do", "dos",
})
_WORD_START = re.compile(r"(^|[-(/'’])(\w)")


def readable_name(name: str) -> str:
    """Official upper-case names in title case, keeping accents: "SAN JOSÉ DE CÚCUTA" →
    "San José de Cúcuta". Names already in mixed case are left as published."""
    if any(character.islower() for character in name):
        return name
    words = []
    for position, word in enumerate(name.split()):
        lower = word.lower()
        if "." in word and len(word.replace(".", "")) <= 3:
            words.append(word)  # abbreviations such as D.C.
        elif position > 0 and lower in _PARTICLES:
            words.append(lower)
        else:
            words.append(_WORD_START.sub(lambda m: m.group(1) + m.group(2).upper(), lower))
    return " ".join(words)


# --- outcome -----------------------------------------------------------------------------

OUTCOMES = ("created", "updated", "unchanged")


@dataclass
class ImportReport:
    """What an import did, by level: created, updated, unchanged; and what it skipped."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, label: str, outcome: str, count: int = 1) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        self.counts.setdefault(str(label), Counter())[outcome] += count

    def skip(self, reason: str, count: int = 1) -> None:
        self.skipped[str(reason)] += count

    def total(self, outcome: str) -> int:
        return sum(counter[outcome] for counter in self.counts.values())

    @staticmethod
    def _summary(counter: Counter[str]) -> str:
        return _("created %(created)s, updated %(updated)s, unchanged %(unchanged)s") % {
            outcome: counter[outcome] for outcome in OUTCOMES
        }

    def lines(self) -> list[str]:
        lines = [f"{label}: {self._summary(counter)}" for label, counter in self.counts.items()]
        totals = Counter({outcome: self.total(outcome) for outcome in OUTCOMES})
        lines.append(_("Total: %s") % self._summary(totals))
        lines += [
            _("Skipped %(count)s: %(reason)s") % {"count": count, "reason": reason}
            for reason, count in self.skipped.items()
        ]
        lines += self.notes
        lines.append(_("Took %(seconds).1f s.") % {"seconds": self.seconds})
        return lines

    def as_dict(self) -> dict[str, Any]:
        """Flat, JSON-able: the job page lists it as key → value."""
        result: dict[str, Any] = {outcome: self.total(outcome) for outcome in OUTCOMES}
        for label, counter in self.counts.items():
            result[label] = self._summary(counter)
        for reason, count in self.skipped.items():
            result[_("skipped: %s") % reason] = count
        if self.notes:
            result["notes"] = " ".join(self.notes)
        result["seconds"] = round(self.seconds, 1)
        return result


def timed_write(write: Callable[[], ImportReport]) -> ImportReport:
    started = time.monotonic()
    report = write()
    report.seconds = time.monotonic() - started
    return report
