"""Policía Nacional de Colombia (DIJIN): the yearly crime files, as published.

The homicide file (and the theft, injuries, domestic violence, sexual crimes,
extortion and kidnapping files, which share its shape) is read without hand edits:

- a preamble (ministry, directorate, crime, "PERÍODO DEL 01 DE ENERO AL 31 DE
  DICIEMBRE DEL 2023"); the header row is found by its column names, not by
  counting lines, and dates outside the announced period are refused;
- padded headers ("CANTIDAD ") and the usual variants: DEPARTAMENTO, MUNICIPIO,
  CODIGO DANE, FECHA HECHO or FECHA, GENERO or SEXO, ARMAS MEDIOS or ARMA
  EMPLEADA, AGRUPA EDAD PERSONA or EDAD, CANTIDAD;
- dates as Excel dates or serial numbers (45009 = 2023-03-24), ISO or dd/mm/yyyy;
- CODIGO DANE of 8 digits: the municipality (5) and the populated centre (3),
  cut to the municipality; capitals' names carry " (CT)", dropped in messages;
- a TOTAL row: not imported, but the rows must add up to it, or the file is
  refused with both numbers;
- a footer with the source and the extraction date ("DATOS EXTRAIDOS EL DIA 1
  DE MAYO DE 2024"; the figures are subject to change), kept as the
  extraction's revision note.

Stored as monthly values by municipality, sex, age group and weapon (and the
crime's subtype where the file has one), summed over the days of each month.
The dataset is "policia-co:<element>:<year>", so a later extraction of the same
year replaces the earlier one.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _

from convivencia.core.dates import parse_date
from convivencia.core.numbers import parse_integer
from convivencia.core.reading import (
    BadFile,
    Column,
    Problem,
    Problems,
    Progress,
    Row,
    find_columns,
    no_progress,
    read_grid,
    table_from_grid,
)
from convivencia.core.text import fold
from convivencia.indicators import periods
from convivencia.indicators.choices import Source
from convivencia.indicators.importers.common import (
    NOTE_MAX,
    SUBTYPE_MAX,
    WEAPON_MAX,
    Collector,
    Elements,
    Options,
    Plan,
    Planned,
    Territories,
    age_group_code,
    checksum,
    display,
    finish,
    sex_code,
    slug,
    source_code,
)
from convivencia.indicators.revisions import Cell
from convivencia.territories.choices import Level, Scheme

FORMAT = "policia-co"
DEFAULT_ELEMENT = "homicides"

COLUMNS = [
    Column("department", ("DEPARTAMENTO", "DEPTO", "DPTO"), required=False),
    Column("municipality", ("MUNICIPIO", "MPIO"), required=False),
    Column(
        "code",
        (
            "CODIGO DANE",
            "CÓDIGO DANE",
            "COD DANE",
            "COD_DANE",
            "CODIGO_DANE",
            "DIVIPOLA",
            "CODIGO DIVIPOLA",
            "COD_MUNI",
        ),
    ),
    Column("date", ("FECHA HECHO", "FECHA", "FECHA_HECHO", "FECHA DEL HECHO")),
    Column("sex", ("GENERO", "GÉNERO", "SEXO"), required=False),
    Column(
        "age",
        ("AGRUPA EDAD PERSONA", "AGRUPA_EDAD_PERSONA", "EDAD", "GRUPO ETARIO", "GRUPO EDAD"),
        required=False,
    ),
    Column(
        "weapon",
        ("ARMAS MEDIOS", "ARMAS_MEDIOS", "ARMA EMPLEADA", "ARMA MEDIO", "ARMA_EMPLEADA"),
        required=False,
    ),
    Column(
        "subtype",
        ("DESCRIPCION CONDUCTA", "DESCRIPCIÓN CONDUCTA", "CONDUCTA", "TIPO DE HURTO", "DELITO"),
        required=False,
    ),
    Column("quantity", ("CANTIDAD", "CASOS", "NUMERO DE HECHOS")),
]
_COLUMN = {column.key: column for column in COLUMNS}

MONTHS = {
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "septiembre": 9,
    "setiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
}
_MONTH_NAMES = "|".join(MONTHS)
# "periodo del 01 de enero al 31 de diciembre del 2023" (folded); the first year may be left out.
_PERIOD = re.compile(
    rf"del (\d{{1,2}}) de ({_MONTH_NAMES})(?: de(?:l)? (\d{{4}}))? "
    rf"al (\d{{1,2}}) de ({_MONTH_NAMES}) de(?:l)? (\d{{4}})"
)
_SPANISH_DATE = re.compile(rf"(\d{{1,2}}) de ({_MONTH_NAMES}) de(?:l)? (\d{{4}})")
# Footer lines that say when the figures were extracted, or that they may change.
_REVISION_LINE = re.compile(r"extraid|extraccion|sujetas? a (variacion|cambio)|fecha de corte")
# The crime a preamble names (folded), and the standard data elements that fit it. The
# 2023 homicide file says "HOMICIDO INTENCIONAL", hence the short stem.
_CRIMES = [
    (re.compile(r"\bhomici"), ("homicides", "femicide")),
    (re.compile(r"\bhurto"), ("theft", "robbery")),
    (re.compile(r"\blesiones"), ("injuries",)),
    (re.compile(r"violencia intrafamiliar"), ("domestic_violence",)),
    (re.compile(r"\bsexual"), ("sexual_violence",)),
    (re.compile(r"\bextorsion"), ("extortion",)),
    (re.compile(r"\bsecuestro"), ("kidnapping",)),
]
_CAPITAL = re.compile(r"\s*\(CT\)\s*$", re.IGNORECASE)


def check(
    path: Path,
    *,
    name: str | None = None,
    options: Options | None = None,
    progress: Progress = no_progress,
) -> Plan:
    """Read and check a Policía file; raises BadFile listing every problem."""
    options = options or Options()
    file, grid = read_grid(path, name=name)
    header_index = _header_index(grid)
    if header_index is None:
        raise BadFile(
            [
                Problem(
                    file,
                    None,
                    None,
                    _("no header row with the Policía's columns (%(columns)s) was found")
                    % {
                        "columns": ", ".join(
                            column.names[0] for column in COLUMNS if column.required
                        )
                    },
                )
            ]
        )
    preamble = [" ".join(cell for cell in row if cell.strip()) for row in grid[:header_index]]
    # Rows above the header are blanked, not removed, so row numbers stay the spreadsheet's.
    table = table_from_grid(
        [[] for _row in grid[:header_index]] + grid[header_index:], file, grid.notes
    )
    problems = Problems(file)
    columns = find_columns(table, COLUMNS, problems)
    element, source = _element_and_source(options, problems)
    territories = Territories(Scheme.DIVIPOLA, Level.MUNICIPALITY)
    if not territories:
        problems.add(
            None,
            None,
            _(
                "there are no Colombian municipalities in the database; import them first "
                "(import_territories divipola)"
            ),
        )
    problems.raise_if_any()
    assert element is not None and source is not None  # checked just above

    _check_crime(preamble, element, problems)
    announced = _announced_period(preamble)
    reader = _Reader(file, columns, problems, territories, element, source, announced)
    for done, row in enumerate(table.rows, start=1):
        if done % 2000 == 0:
            progress(
                done,
                len(table.rows),
                _("Checked %(done)s of %(total)s rows") % {"done": done, "total": len(table.rows)},
            )
        reader.read(row)
    reader.check_total()
    if not reader.rows_read:
        problems.add(None, None, _("has no data rows"))

    first, last = announced or reader.date_range() or (datetime.date.today(),) * 2
    year = str(first.year) if first.year == last.year else f"{first.year}-{last.year}"
    plan = Plan(
        format=FORMAT,
        file=file,
        checksum=checksum(path),
        dataset=options.dataset or f"{FORMAT}:{element}:{year}",
        note=_revision_note(reader.footer),
        values=reader.collector.values,
    )
    _mark_partial_months(plan, announced)
    plan.notes.extend(table.notes + reader.notes(plan))
    return finish(plan, problems.items, progress)


def _header_index(grid: list[list[str]]) -> int | None:
    """The first row naming the code and the quantity columns (any accepted variant)."""
    code, quantity = _COLUMN["code"].folded_names(), _COLUMN["quantity"].folded_names()
    for index, row in enumerate(grid):
        folded = {fold(cell) for cell in row}
        if folded & code and folded & quantity:
            return index
    return None


def _element_and_source(options: Options, problems: Problems) -> tuple[str | None, str | None]:
    element_text = options.element or DEFAULT_ELEMENT
    element = Elements().get(element_text)
    if element is None:
        problems.add(None, None, _("“%(value)s” is not a data element") % {"value": element_text})
    source = source_code(options.source) if options.source else Source.POLICE
    if source is None:
        problems.add(None, None, _("“%(value)s” is not a source") % {"value": options.source})
    return element, source


def _check_crime(preamble: list[str], element: str, problems: Problems) -> None:
    """Refuse to store a theft file as homicides: the preamble names the crime, and a
    standard data element must fit it (an element of the installation's own is trusted)."""
    standard = {code for _pattern, codes in _CRIMES for code in codes}
    if element not in standard:
        return
    for line in preamble:
        folded = fold(line)
        for pattern, codes in _CRIMES:
            if pattern.search(folded):
                if element not in codes:
                    problems.add(
                        None,
                        None,
                        _(
                            "the file is about “%(crime)s”, not %(element)s; choose the data "
                            "element (--element %(codes)s)"
                        )
                        % {
                            "crime": " ".join(line.split()),
                            "element": element,
                            "codes": " or ".join(codes),
                        },
                    )
                return


def _spanish_date(day: str, month: str, year: str) -> datetime.date | None:
    try:
        return datetime.date(int(year), MONTHS[month], int(day))
    except ValueError:
        return None


def _announced_period(preamble: list[str]) -> tuple[datetime.date, datetime.date] | None:
    """The period the preamble announces ("PERÍODO DEL 01 DE ENERO AL 31 DE DICIEMBRE DEL
    2023"), or None when it announces none."""
    for line in preamble:
        match = _PERIOD.search(fold(line))
        if match is None:
            continue
        day1, month1, year1, day2, month2, year2 = match.groups()
        end = _spanish_date(day2, month2, year2)
        start = _spanish_date(day1, month1, year1 or year2)
        if start and end and start <= end:
            return start, end
    return None


def _revision_note(footer: list[str]) -> str:
    """The footer's lines about the extraction, as printed (spaces collapsed)."""
    lines = [" ".join(line.split()) for line in footer if _REVISION_LINE.search(fold(line))]
    note = " ".join(lines)
    return note if len(note) <= NOTE_MAX else note[: NOTE_MAX - 1] + "…"


def extraction_date(note: str) -> datetime.date | None:
    """The date in a revision note such as "DATOS EXTRAIDOS EL DIA 1 DE MAYO DE 2024"."""
    match = _SPANISH_DATE.search(fold(note))
    return _spanish_date(*match.groups()) if match else None


def municipality_code(text: str) -> str:
    """CODIGO DANE to the 5-digit municipality: 8 digits are municipality + populated
    centre; 4 or 7 digits are codes whose leading zero a spreadsheet dropped."""
    digits = text.strip()
    if re.fullmatch(r"[0-9]+\.0+", digits):
        digits = digits.split(".")[0]
    if not digits:
        raise ValueError(_("the code is empty"))
    if not digits.isdigit():
        raise ValueError(_("“%(code)s” is not a numeric code") % {"code": text})
    if len(digits) in (4, 5):
        return digits.zfill(5)
    if len(digits) in (7, 8):
        return digits.zfill(8)[:5]
    raise ValueError(
        _(
            "“%(code)s” is neither a municipality code (5 digits) nor a populated-centre "
            "code (8 digits)"
        )
        % {"code": text}
    )


@dataclass
class _Total:
    row: int
    value: int


class _Reader:
    """Reads data rows into monthly cells; remembers the TOTAL row and the footer."""

    def __init__(
        self,
        file: str,
        columns: dict[str, str | None],
        problems: Problems,
        territories: Territories,
        element: str,
        source: str,
        announced: tuple[datetime.date, datetime.date] | None,
    ) -> None:
        self.file = file
        self.columns = columns
        self.problems = problems
        self.territories = territories
        self.element = element
        self.source = source
        self.announced = announced
        self.collector = Collector(problems.items, file)
        self.total: _Total | None = None
        self.rows_sum = 0
        self.rows_read = 0
        self.footer: list[str] = []
        self.first_date: datetime.date | None = None
        self.last_date: datetime.date | None = None
        self.capitals = 0
        self.populated_centres = 0

    def read(self, row: Row) -> None:
        get = {key: row.get(header).strip() for key, header in self.columns.items()}
        if self._is_total(row):
            self._read_total(row, get["quantity"])
            return
        if self.total is not None or not (get["code"] or get["date"] or get["quantity"]):
            # Below the TOTAL row, or a line of text: the footer (source, extraction date,
            # notes on age groups, who prepared the file). Kept for the revision note.
            self.footer.append(" ".join(row.cells.values()))
            return
        self.rows_read += 1
        quantity = self._quantity(row, get["quantity"])
        territory = self._territory(row, get)
        day = self._date(row, get["date"])
        sex = self._parsed(row, "sex", sex_code)
        # The Policía's "MENORES" are 0–12 and "ADOLESCENTES" 13–17 (footnote of the file,
        # after Ley 1098 de 2006); they are stored as the closest groups, 0–11 and 12–17.
        age = self._parsed(row, "age", age_group_code)
        weapon = self._parsed(row, "weapon", lambda text: slug(text, WEAPON_MAX))
        subtype = self._parsed(row, "subtype", lambda text: slug(text, SUBTYPE_MAX))
        if quantity is not None:
            self.rows_sum += quantity
        parts = (quantity, territory, day, sex, age, weapon, subtype)
        if any(part is None for part in parts):
            return
        assert day is not None and territory is not None and quantity is not None  # mypy
        period = periods.month(day.year, day.month)
        cell = Cell(
            self.element,
            territory,
            period.code,
            self.source,
            sex or "",
            age or "",
            weapon or "",
            subtype or "",
        )
        self.collector.add(
            cell, Planned(period, Decimal(quantity), row=row.number), accumulate=True
        )

    def _is_total(self, row: Row) -> bool:
        # Plain lower() rather than fold(): this runs on every cell of every row.
        return any(cell.lower() in ("total", "total general") for cell in row.cells.values())

    def _read_total(self, row: Row, text: str) -> None:
        header = self.columns["quantity"]
        if self.total is not None:
            self.problems.add(
                row.number,
                header,
                _("a second TOTAL row (the first is row %(row)s)") % {"row": self.total.row},
            )
            return
        try:
            self.total = _Total(row.number, parse_integer(text))
        except ValueError as exc:
            self.problems.add(row.number, header, str(exc))
            self.total = _Total(row.number, -1)

    def _quantity(self, row: Row, text: str) -> int | None:
        header = self.columns["quantity"]
        try:
            quantity = parse_integer(text)
        except ValueError as exc:
            self.problems.add(row.number, header, str(exc))
            return None
        if quantity < 0:
            self.problems.add(row.number, header, _("%(value)s is negative") % {"value": text})
            return None
        return quantity

    def _territory(self, row: Row, get: dict[str, str]) -> int | None:
        header = self.columns["code"]
        try:
            code = municipality_code(get["code"])
        except ValueError as exc:
            self.problems.add(row.number, header, str(exc))
            return None
        territory = self.territories.get(code)
        if territory is None:
            place = ", ".join(
                part for part in (_CAPITAL.sub("", get["municipality"]), get["department"]) if part
            )
            self.problems.add(
                row.number,
                header,
                _("no municipality has the DIVIPOLA code %(code)s%(place)s")
                % {"code": code, "place": f" ({place})" if place else ""},
            )
            return None
        if _CAPITAL.search(get["municipality"]):
            self.capitals += 1
        if len(get["code"]) == 8 and not get["code"].endswith("000"):
            self.populated_centres += 1
        return territory

    def _date(self, row: Row, text: str) -> datetime.date | None:
        header = self.columns["date"]
        try:
            # Colombian files write dates day first: 22/03/2023.
            day = parse_date(text, day_first=True)
        except ValueError as exc:
            self.problems.add(row.number, header, str(exc))
            return None
        if self.announced and not self.announced[0] <= day <= self.announced[1]:
            self.problems.add(
                row.number,
                header,
                _("%(date)s is outside the period the file announces (%(start)s to %(end)s)")
                % {
                    "date": day.isoformat(),
                    "start": self.announced[0].isoformat(),
                    "end": self.announced[1].isoformat(),
                },
            )
            return None
        self.first_date = min(day, self.first_date or day)
        self.last_date = max(day, self.last_date or day)
        return day

    def _parsed(self, row: Row, key: str, parse) -> str | None:
        header = self.columns[key]
        try:
            return parse(row.get(header))
        except ValueError as exc:
            self.problems.add(row.number, header, str(exc))
            return None

    def check_total(self) -> None:
        if self.total is None or self.total.value < 0:
            return
        if self.total.value != self.rows_sum:
            self.problems.add(
                self.total.row,
                self.columns["quantity"],
                _(
                    "the rows add up to %(rows)s but the TOTAL row says %(total)s; the file is "
                    "not as published, or a row is missing"
                )
                % {"rows": display(self.rows_sum), "total": display(self.total.value)},
            )

    def date_range(self) -> tuple[datetime.date, datetime.date] | None:
        if self.first_date is None or self.last_date is None:
            return None
        return self.first_date, self.last_date

    def notes(self, plan: Plan) -> list[str]:
        notes = [
            _("%(rows)s rows read, stored as %(values)s monthly values.")
            % {"rows": display(self.rows_read), "values": display(len(plan.values))}
        ]
        if self.total is not None:
            notes.append(
                _("The rows add up to the file's TOTAL row: %(total)s.")
                % {"total": display(self.total.value)}
            )
        else:
            notes.append(_("The file has no TOTAL row: its sum could not be checked."))
        if plan.note:
            extracted = extraction_date(plan.note)
            notes.append(
                _("Extraction: %(note)s")
                % {"note": extracted.isoformat() if extracted else plan.note}
            )
        else:
            notes.append(_("The footer gives no extraction date."))
        if self.populated_centres:
            notes.append(
                _("%(count)s rows name a populated centre; they are counted in its municipality.")
                % {"count": display(self.populated_centres)}
            )
        return notes


def _mark_partial_months(plan: Plan, announced: tuple[datetime.date, datetime.date] | None) -> None:
    """Say so on the values of a month the announced period covers only in part."""
    if announced is None:
        return
    start, end = announced
    for planned in plan.values.values():
        month = planned.period
        if month.start < start <= month.end or month.start <= end < month.end:
            planned.comment = _("Only %(start)s to %(end)s: the file's period.") % {
                "start": max(start, month.start).isoformat(),
                "end": min(end, month.end).isoformat(),
            }
