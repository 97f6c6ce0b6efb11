"""SESNSP (Mexico): victims of intentional homicide by state and year.

Columns: the year (``n_year``, año), the state's INEGI code (``cve_ent``), its
name (optional, for messages) and the victims (``n_victimas``). The file's own
``rate`` and ``implied_pop`` are not imported: rates are computed from the
populations stored in the application, which say their source.

The national row (code 00, "Nacional") is not stored, but the states must add
up to it each year, or the file is refused with both numbers.

SESNSP publishes the current year to date (the 2015–2025 file's 2025 is January
to June). A part of a year must not be stored as the whole year, so the import
says through which month the figures run (--through 2025-06): the last year is
then stored as the period it covers (2025S1: January–June), with a comment.
Only spans that are one period can be stored: the whole year, January–June
(S1), January–March (Q1) or January alone.

The dataset is "sesnsp-mx:<element>": each new file replaces the previous one.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _

from convivencia.core.numbers import parse_code, parse_integer
from convivencia.core.reading import (
    Column,
    Problems,
    Progress,
    Row,
    find_columns,
    no_progress,
    read_table,
)
from convivencia.core.text import fold
from convivencia.indicators import periods
from convivencia.indicators.choices import PeriodType, Source
from convivencia.indicators.importers.common import (
    Collector,
    Elements,
    Options,
    Plan,
    Planned,
    Territories,
    checksum,
    display,
    finish,
    source_code,
)
from convivencia.indicators.revisions import Cell
from convivencia.territories.choices import Level, Scheme

FORMAT = "sesnsp-mx"
DEFAULT_ELEMENT = "homicides"
# SESNSP compiles the state prosecutors' (fiscalías) investigation files, the
# "carpetas de investigación", not police records: its figures are the prosecutors'.
DEFAULT_SOURCE = Source.PROSECUTOR
NATIONAL_CODE = "00"

COLUMNS = [
    Column("year", ("n_year", "year", "anio", "año", "ano")),
    Column(
        "code",
        ("cve_ent", "clave_ent", "cve_entidad", "clave_entidad", "clave de la entidad", "inegi"),
    ),
    Column("name", ("nombre_estado", "entidad", "estado", "nom_ent"), required=False),
    Column(
        "value",
        (
            "n_victimas",
            "victimas",
            "víctimas",
            "numero de victimas",
            "homicidios",
            "value",
            "valor",
        ),
    ),
]

# The spans from January that one period code can hold, by the last month covered.
_SPANS = {12: "{year}", 6: "{year}S1", 3: "{year}Q1", 1: "{year}-01"}


def check(
    path: Path,
    *,
    name: str | None = None,
    options: Options | None = None,
    progress: Progress = no_progress,
) -> Plan:
    """Read and check a SESNSP victims file; raises BadFile listing every problem."""
    options = options or Options()
    table = read_table(path, name=name)
    problems = Problems(table.file)
    columns = find_columns(table, COLUMNS, problems)
    element = Elements().get(options.element or DEFAULT_ELEMENT)
    if element is None:
        problems.add(
            None, None, _("“%(value)s” is not a data element") % {"value": options.element}
        )
    source = source_code(options.source) if options.source else DEFAULT_SOURCE
    if source is None:
        problems.add(None, None, _("“%(value)s” is not a source") % {"value": options.source})
    through = _through(options, problems)
    states = Territories(Scheme.INEGI, Level.REGION)
    if not states:
        problems.add(
            None,
            None,
            _(
                "there are no Mexican states in the database; import them first "
                "(import_territories inegi)"
            ),
        )
    problems.raise_if_any()
    assert element is not None and source is not None and through is not None  # checked

    collector = Collector(problems.items, table.file)
    national: dict[int, tuple[int, int]] = {}  # year → (row, value)
    state_sums: dict[int, int] = defaultdict(int)
    for done, row in enumerate(table.rows, start=1):
        if done % 100 == 0:
            progress(
                done,
                len(table.rows),
                _("Checked %(done)s of %(total)s rows") % {"done": done, "total": len(table.rows)},
            )
        year = _year(row, columns["year"], problems)
        value = _value(row, columns["value"], problems)
        code = _code(row, columns, problems)
        if year is None or value is None or code is None:
            continue
        if code == NATIONAL_CODE:
            if year in national:
                problems.add(
                    row.number,
                    columns["code"],
                    _("a second national row for %(year)s (first in row %(row)s)")
                    % {"year": year, "row": national[year][0]},
                )
            national[year] = (row.number, value)
            continue
        territory = states.get(code)
        if territory is None:
            problems.add(
                row.number,
                columns["code"],
                _("no state has the INEGI code %(code)s%(name)s")
                % {
                    "code": code,
                    "name": f" ({row.get(columns['name'])})" if row.get(columns["name"]) else "",
                },
            )
            continue
        state_sums[year] += value
        period = periods.parse(str(year))
        collector.add(
            Cell(element, territory, period.code, source),
            Planned(period, Decimal(value), row=row.number),
        )
    if not table.rows:
        problems.add(None, None, _("has a header but no rows"))

    for year, (row_number, value) in sorted(national.items()):
        if state_sums[year] != value:
            problems.add(
                row_number,
                columns["value"],
                _(
                    "the states add up to %(states)s in %(year)s but the national row says "
                    "%(national)s"
                )
                % {"states": display(state_sums[year]), "year": year, "national": display(value)},
            )

    plan = Plan(
        format=FORMAT,
        file=table.file,
        checksum=checksum(path),
        notes=list(table.notes),
        dataset=options.dataset or f"{FORMAT}:{element}",
        values=collector.values,
    )
    years = sorted({planned.period.year for planned in collector.values.values()})
    if years:
        _store_last_year(plan, years[-1], through, problems, table.header_row, columns["year"])
    plan.note = _("Figures through %(month)s.") % {"month": periods.describe_span(through)}
    plan.notes.append(
        _(
            "%(values)s state-years from %(first)s to %(last)s; the states add up to the national "
            "row in %(checked)s of them."
        )
        % {
            "values": display(len(plan.values)),
            "first": years[0] if years else "—",
            "last": years[-1] if years else "—",
            "checked": len(national),
        }
    )
    return finish(plan, problems.items, progress)


def _through(options: Options, problems: Problems) -> periods.Period | None:
    if not options.through:
        problems.add(
            None,
            None,
            _(
                "say through which month the figures run (--through, e.g. 2025-06): SESNSP "
                "publishes the current year to date, and part of a year must not be stored "
                "as the whole year"
            ),
        )
        return None
    try:
        through = periods.parse(options.through)
    except ValueError:
        through = None
    if through is None or through.type != PeriodType.MONTH:
        problems.add(
            None, None, _("“%(value)s” is not a month such as 2025-06") % {"value": options.through}
        )
        return None
    return through


def _store_last_year(
    plan: Plan,
    last_year: int,
    through: periods.Period,
    problems: Problems,
    header_row: int,
    year_header: str | None,
) -> None:
    """Re-label the last year as the span the figures cover (2025 → 2025S1)."""
    if through.year != last_year:
        problems.add(
            header_row,
            year_header,
            _(
                "the file's last year is %(year)s but the figures are said to run through "
                "%(through)s"
            )
            % {"year": last_year, "through": through.code},
        )
        return
    month = through.end.month
    if month not in _SPANS:
        problems.add(
            header_row,
            year_header,
            _(
                "%(span)s cannot be stored as one period; the figures of an unfinished year "
                "can be stored when they run through January, March, June or December"
            )
            % {
                "span": periods.describe_span(
                    periods.Period(
                        "", PeriodType.MONTH, periods.parse(str(last_year)).start, through.end
                    )
                )
            },
        )
        return
    if month == 12:
        return
    period = periods.parse(_SPANS[month].format(year=last_year))
    comment = _("%(span)s only: SESNSP publishes the current year to date.") % {
        "span": periods.describe_span(period)
    }
    relabelled = {}
    for cell, planned in plan.values.items():
        if planned.period.year == last_year:
            cell = Cell(cell.element, cell.territory_id, period.code, cell.source)
            planned.period, planned.comment = period, comment
        relabelled[cell] = planned
    plan.values = relabelled
    plan.notes.append(
        _("%(year)s is stored as %(period)s (%(span)s), as the file covers it.")
        % {"year": last_year, "period": period.code, "span": periods.describe_span(period)}
    )


def _year(row: Row, header: str | None, problems: Problems) -> int | None:
    try:
        year = parse_integer(row.get(header))
    except ValueError as exc:
        problems.add(row.number, header, str(exc))
        return None
    if not 1900 <= year <= 2200:
        problems.add(row.number, header, _("%(year)s is not a plausible year") % {"year": year})
        return None
    return year


def _value(row: Row, header: str | None, problems: Problems) -> int | None:
    try:
        value = parse_integer(row.get(header))
    except ValueError as exc:
        problems.add(row.number, header, str(exc))
        return None
    if value < 0:
        problems.add(row.number, header, _("%(value)s is negative") % {"value": value})
        return None
    return value


def _code(row: Row, columns: dict[str, str | None], problems: Problems) -> str | None:
    header = columns["code"]
    if fold(row.get(columns["name"])) in ("nacional", "total", "total nacional"):
        return NATIONAL_CODE
    try:
        return parse_code(row.get(header), 2)
    except ValueError as exc:
        problems.add(row.number, header, str(exc))
        return None
