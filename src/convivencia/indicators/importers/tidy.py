"""Tidy table: one value per row, for any data element, territory, period and source.

Columns (headers in any case, with or without accents; Spanish names accepted):

  territory_code  required  the territory's code under ``scheme`` (19001, CO-CAU, 09…);
                            numeric codes may lose their leading zeros (5001 = 05001)
  scheme          required  divipola, inegi, ibge, iso or dhis2
  period          required  2024, 2024S1, 2024Q1, 2024-03 (or 202403), 2024W05, 2024-03-15
  data_element    required  a data element's code (homicides, theft…) or DHIS2 uid
  value           required  a number; see below for separators
  sex             optional  female, male, unknown (also femenino/masculino, F/M)
  age_group       optional  0_11, 12_17, 18_plus, unknown (also menores, adolescentes…)
  weapon          optional  free text, stored as a slug ("Arma de fuego" → arma-de-fuego)
  subtype         optional  free text, stored as a slug (e.g. the kind of theft)
  source          required  police, prosecutor, forensic, survey, community, health
                            (or their Spanish names); may be left out when the import
                            names the source (--source), which then fills empty cells
  comment         optional  up to 300 characters, kept with the value

The file is CSV (UTF-8 or Latin-1, comma or semicolon separated) or .xlsx.
Numbers may group thousands and use a decimal comma or point, but one way per
file: "1.234" and "1,234" are both read as 1234 in a column of counts, and
"1.234,5" is 1234.5; a column that mixes "1.234,5" and "0.5" is refused, and
so is "1.234" where decimals are possible and nothing says which is meant.

Each row is one cell: a second row for the same data element, territory,
period, source and disaggregation is a problem, not a sum. Every problem is
listed with its row and column; nothing is imported until there is none.

The dataset (what a later file replaces) is "tidy:" and the file's name,
unless the import names it (--dataset).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _

from convivencia.core import numbers
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
from convivencia.indicators.choices import Source
from convivencia.indicators.importers.common import (
    COMMENT_MAX,
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
    finish,
    sex_code,
    slug,
    source_code,
)
from convivencia.indicators.revisions import Cell
from convivencia.territories.choices import Scheme

FORMAT = "tidy"
MAX_VALUE = Decimal(10) ** 12  # no crime count or rate comes near; beyond is a typing error

COLUMNS = [
    Column(
        "territory_code",
        ("territory_code", "codigo_territorio", "código", "codigo", "code", "territory"),
    ),
    Column("scheme", ("scheme", "esquema", "sistema_de_codigos")),
    Column("period", ("period", "periodo", "período")),
    Column("data_element", ("data_element", "elemento", "data element", "dataElement", "delito")),
    Column("value", ("value", "valor", "cantidad")),
    Column("sex", ("sex", "sexo", "genero", "género"), required=False),
    Column("age_group", ("age_group", "grupo_edad", "grupo de edad", "edad"), required=False),
    Column("weapon", ("weapon", "arma", "arma_medio", "armas medios"), required=False),
    Column("subtype", ("subtype", "subtipo", "modalidad"), required=False),
    Column("source", ("source", "fuente"), required=False),
    Column("comment", ("comment", "comentario", "nota", "observaciones"), required=False),
]


def check(
    path: Path,
    *,
    name: str | None = None,
    options: Options | None = None,
    progress: Progress = no_progress,
) -> Plan:
    """Read and check a tidy table; raises BadFile listing every problem."""
    options = options or Options()
    table = read_table(path, name=name)
    problems = Problems(table.file)
    columns = find_columns(table, COLUMNS, problems)
    default_source = source_code(options.source) if options.source else None
    if options.source and default_source is None:
        problems.add(None, "source", _("“%(value)s” is not a source") % {"value": options.source})
    if columns["source"] is None and not options.source:
        problems.add(
            table.header_row,
            "source",
            _("missing column (also accepted: fuente); or name the source of every row (--source)"),
        )
    if not table.rows:
        problems.add(None, None, _("has a header but no rows"))
    problems.raise_if_any()

    dataset = options.dataset or f"tidy:{fold(Path(table.file).stem).replace(' ', '-')}"
    plan = Plan(
        format=FORMAT,
        file=table.file,
        checksum=checksum(path),
        dataset=dataset,
        notes=list(table.notes),
    )
    reader = _Reader(table.file, columns, problems, default_source)
    decision = numbers.decide((row.number, row.get(columns["value"])) for row in table.rows)
    if decision.problem:
        problems.add(table.header_row, columns["value"], decision.problem)
    for done, row in enumerate(table.rows, start=1):
        if done % 2000 == 0:
            progress(
                done,
                len(table.rows),
                _("Checked %(done)s of %(total)s rows") % {"done": done, "total": len(table.rows)},
            )
        reader.read(row, decision.decimal if not decision.problem else None)
    plan.values = reader.collector.values
    return finish(plan, problems.items, progress)


class _Reader:
    """Reads rows into cells; each bad cell becomes a problem at its row and column."""

    def __init__(
        self,
        file: str,
        columns: dict[str, str | None],
        problems: Problems,
        default_source: str | None,
    ) -> None:
        self.columns = columns
        self.problems = problems
        self.default_source = default_source
        self.elements = Elements()
        self.territories: dict[str, Territories] = {}
        self.collector = Collector(problems.items, file)
        # Per column, each distinct text's parsed value or problem. A file of 100,000
        # rows holds a handful of sexes, age groups, sources and elements: folding and
        # looking each one up once per row was a third of a check. Memoised within
        # one check only, because the words read depend on the active language.
        self.parsed: dict[str, dict[str, tuple[str | None, str | None]]] = defaultdict(dict)
        self.places: dict[tuple[str, str], tuple[int | None, str | None, str | None]] = {}
        # The decimal separator is decided once per file, so text and kind fix the value.
        self.numbers: dict[tuple[str, bool], tuple[Decimal | None, str | None]] = {}

    def _cell(
        self, row: Row, key: str, parse: Callable[[str], str], *, memoise: bool = True
    ) -> str | None:
        header = self.columns[key]
        text = row.get(header)
        known = self.parsed[key]
        found = known.get(text) if memoise else None
        if found is None:
            try:
                found = (parse(text), None)
            except ValueError as exc:
                found = (None, str(exc))
            if memoise:
                known[text] = found
        value, problem = found
        if problem is not None:
            self.problems.add(row.number, header, problem)
        return value

    def read(self, row: Row, decimal: numbers.Separator | None) -> None:
        element = self._cell(row, "data_element", self._element)
        territory = self._territory(row)
        period = self._period(row)
        source = self._cell(row, "source", self._source)
        sex = self._cell(row, "sex", sex_code)
        age_group = self._cell(row, "age_group", age_group_code)
        weapon = self._cell(row, "weapon", lambda text: slug(text, WEAPON_MAX))
        subtype = self._cell(row, "subtype", lambda text: slug(text, SUBTYPE_MAX))
        # Comments are mostly distinct: nothing to gain from remembering them.
        comment = self._cell(row, "comment", _comment, memoise=False)
        value = self._value(row, decimal, element)
        parts = (
            element,
            territory,
            period,
            source,
            sex,
            age_group,
            weapon,
            subtype,
            comment,
            value,
        )
        if any(part is None for part in parts):
            return
        assert period is not None and value is not None and territory is not None  # for mypy
        cell = Cell(
            element or "",
            territory,
            period.code,
            source or "",
            sex or "",
            age_group or "",
            weapon or "",
            subtype or "",
        )
        self.collector.add(cell, Planned(period, value, comment or "", row.number))

    def _element(self, text: str) -> str:
        if not text.strip():
            raise ValueError(_("the data element is empty"))
        code = self.elements.get(text)
        if code is None:
            raise ValueError(
                _("no data element has the code or DHIS2 uid “%(value)s” (known: %(known)s)")
                % {"value": text, "known": self.elements.known()}
            )
        return code

    def _territory(self, row: Row) -> int | None:
        scheme_header, code_header = self.columns["scheme"], self.columns["territory_code"]
        key = (row.get(scheme_header), row.get(code_header))
        if key not in self.places:
            self.places[key] = self._find_territory(*key)
        territory, header, problem = self.places[key]
        if problem is not None:
            self.problems.add(row.number, header, problem)
        return territory

    def _find_territory(
        self, scheme_text: str, code_text: str
    ) -> tuple[int | None, str | None, str | None]:
        """The territory's id, or the column and text of the problem."""
        scheme_header, code_header = self.columns["scheme"], self.columns["territory_code"]
        scheme = fold(scheme_text)
        if scheme not in Scheme.values:
            return (
                None,
                scheme_header,
                _("“%(value)s” is not a code scheme (%(known)s)")
                % {"value": scheme_text, "known": ", ".join(Scheme.values)},
            )
        code = code_text.strip()
        if not code:
            return None, code_header, _("the code is empty")
        if scheme not in self.territories:
            self.territories[scheme] = Territories(scheme)
        territory = self.territories[scheme].get(code)
        if territory is None:
            return (
                None,
                code_header,
                _("no territory has the %(scheme)s code %(code)s")
                % {"scheme": scheme, "code": code},
            )
        return territory, None, None

    def _period(self, row: Row) -> periods.Period | None:
        header = self.columns["period"]
        try:
            return periods.parse(row.get(header))
        except ValueError:
            self.problems.add(
                row.number,
                header,
                _(
                    "“%(value)s” is not a period: use 2024, 2024S1, 2024Q1, 2024-03, 2024W05 "
                    "or 2024-03-15"
                )
                % {"value": row.get(header)},
            )
            return None

    def _source(self, text: str) -> str:
        if not text.strip():
            if self.default_source:
                return self.default_source
            raise ValueError(_("the source is empty"))
        code = source_code(text)
        if code is None:
            raise ValueError(
                _("“%(value)s” is not a source (%(known)s)")
                % {"value": text, "known": ", ".join(Source.values)}
            )
        return code

    def _value(
        self, row: Row, decimal: numbers.Separator | None, element: str | None
    ) -> Decimal | None:
        header = self.columns["value"]
        whole = element is None or self.elements.is_integer(element)
        text = row.get(header)
        # Counts repeat (most are small numbers): each distinct text is read once.
        key = (text, whole)
        if key not in self.numbers:
            self.numbers[key] = _number(text, decimal, whole)
        value, problem = self.numbers[key]
        if problem is not None:
            self.problems.add(row.number, header, problem)
        return value


def parse_value(text: str, decimal: numbers.Separator | None, *, whole: bool) -> Decimal:
    """A value under the column's decimal separator (``numbers.decide``; None: no value
    says). A "1.234"-like value is thousands in a count and refused where decimals are
    possible. Raises ValueError."""
    try:
        return numbers.parse_number(
            text,
            decimal=decimal or "auto",
            ambiguous="thousands" if whole else "refuse",
            whole=whole,
        )
    except numbers.AmbiguousNumber as exc:
        separator = next(s for s in (numbers.POINT, numbers.COMMA) if s in text)
        other = numbers.COMMA if separator == numbers.POINT else numbers.POINT
        raise ValueError(
            _(
                "“%(value)s” is ambiguous: %(thousands)s or %(decimal)s? No other value "
                "in the column shows the decimal separator; write it with decimals "
                "(e.g. %(example)s)"
            )
            % {
                "value": text,
                "thousands": exc.thousands,
                "decimal": exc.decimal,
                "example": f"{text.strip()}{other}0",
            }
        ) from exc


def _number(
    text: str, decimal: numbers.Separator | None, whole: bool
) -> tuple[Decimal | None, str | None]:
    """A cell's value, or why it is refused."""
    try:
        value = parse_value(text, decimal, whole=whole)
    except ValueError as exc:
        return None, str(exc)
    if value < 0:
        return None, _("%(value)s is negative") % {"value": text}
    if value > MAX_VALUE:
        return None, _("%(value)s is not a plausible value") % {"value": text}
    return value, None


def _comment(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > COMMENT_MAX:
        raise ValueError(_("the comment is longer than %(max)s characters") % {"max": COMMENT_MAX})
    return text
