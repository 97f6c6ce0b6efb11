"""Population figures: DANE's municipal projections and the World Bank's country totals.

Each figure is stored with its source, so a rate can say which denominator it
used (DANE's Colombia 2024 is 52,695,952; the World Bank's is 52,886,363).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from convivencia.core.numbers import parse_code, parse_integer
from convivencia.core.reading import (
    Column,
    ImportReport,
    Problems,
    Progress,
    Row,
    find_columns,
    no_progress,
    read_table,
    timed_write,
)
from convivencia.core.text import fold
from convivencia.territories.choices import Level, Scheme
from convivencia.territories.data import CODE_WIDTHS
from convivencia.territories.models import Population, Territory, TerritoryCode, TerritoryName

DANE_SOURCE = "DANE — proyecciones de población municipal (CNPV 2018)"
WORLD_BANK_SOURCE = "World Bank SP.POP.TOTL"
FIRST_YEAR, LAST_YEAR = 1800, 2200
MAX_POPULATION = 20_000_000_000


@dataclass
class PopulationPlan:
    file: str
    source: str
    values: dict[tuple[int, int], int] = field(default_factory=dict)  # (territory, year) →
    levels: dict[int, int] = field(default_factory=dict)  # territory id → level
    skipped: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)


def _year(row: Row, header: str | None, problems: Problems) -> int | None:
    try:
        year = parse_integer(row.get(header))
    except ValueError as exc:
        problems.add(row.number, header, str(exc))
        return None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        problems.add(row.number, header, _("%(year)s is not a plausible year") % {"year": year})
        return None
    return year


def _value(row: Row, header: str | None, problems: Problems) -> int | None:
    try:
        value = parse_integer(row.get(header))
    except ValueError as exc:
        problems.add(row.number, header, str(exc))
        return None
    if not 0 <= value <= MAX_POPULATION:
        problems.add(
            row.number,
            header,
            _("%(value)s is not a plausible population")
            % {
                "value": value,
            },
        )
        return None
    return value


class _Names:
    """Territories of one level under one country, by folded name and alternative names."""

    def __init__(self, level: int, country: Territory) -> None:
        within = Territory.objects.filter(level=level, path__startswith=country.path)
        self.parent: dict[int, int | None] = {}
        self.ids: dict[str, set[int]] = {}
        for pk, folded, parent_id in within.values_list("pk", "search_name", "parent_id"):
            self.parent[pk] = parent_id
            self.ids.setdefault(folded, set()).add(pk)
        alternatives = TerritoryName.objects.filter(
            territory__level=level, territory__path__startswith=country.path
        ).values_list("territory_id", "folded")
        for pk, folded in alternatives:
            self.ids.setdefault(folded, set()).add(pk)

    def find(self, name: str, parent: int | None = None) -> set[int]:
        found = self.ids.get(fold(name), set())
        if parent is not None:
            found = {pk for pk in found if self.parent.get(pk) == parent}
        return found


# --- DANE --------------------------------------------------------------------------------

_DANE_COLUMNS = [
    Column(
        "code",
        (
            "cod_mpio",
            "municipio_code",
            "Código Municipio",
            "MPIO_CCNCT",
            "DPMP",
            "codigo_municipio",
            "cod_municipio",
        ),
        required=False,
    ),
    Column(
        "name",
        ("nom_mpio", "municipio", "Nombre Municipio", "MPIO_CNMBR", "nombre_municipio"),
        required=False,
    ),
    Column(
        "region_code",
        (
            "cod_dpto",
            "departamento_code",
            "Código Departamento",
            "DPTO_CCDGO",
            "DP",
            "codigo_departamento",
        ),
        required=False,
    ),
    Column(
        "region_name",
        ("nom_dpto", "departamento", "Nombre Departamento", "DPTO_CNMBR", "nombre_departamento"),
        required=False,
    ),
    Column("year", ("anio", "year", "año", "periodo", "vigencia")),
    Column("value", ("poblacion", "población", "Total", "población total", "value", "valor")),
]


def check_dane(
    path: Path,
    *,
    name: str | None = None,
    sheet: str | None = None,
    progress: Progress = no_progress,
) -> PopulationPlan:
    """Municipal rows, plus department and national sums where a year is complete."""
    table = read_table(path, name=name, sheet=sheet)
    problems = Problems(table.file)
    columns = find_columns(table, _DANE_COLUMNS, problems)
    if not problems and columns["code"] is None and columns["name"] is None:
        problems.add(
            table.header_row,
            _DANE_COLUMNS[0].names[0],
            _("missing column: give the municipality code (%(codes)s) or its name (%(names)s)")
            % {
                "codes": ", ".join(_DANE_COLUMNS[0].names),
                "names": ", ".join(_DANE_COLUMNS[1].names),
            },
        )
    country = (
        Territory.objects.countries().with_code(Scheme.ISO, "CO").first() if not problems else None
    )
    municipalities = dict(
        TerritoryCode.objects.filter(
            scheme=Scheme.DIVIPOLA, territory__level=Level.MUNICIPALITY
        ).values_list("code", "territory_id")
    )
    if not problems and (country is None or not municipalities):
        problems.add(
            None,
            None,
            _(
                "there are no Colombian municipalities in the database; run "
                "“import_territories divipola” first"
            ),
        )
    problems.raise_if_any()
    assert country is not None  # checked just above

    plan = PopulationPlan(file=table.file, source=DANE_SOURCE, notes=list(table.notes))
    departments = dict(
        TerritoryCode.objects.filter(
            scheme=Scheme.DIVIPOLA, territory__level=Level.REGION
        ).values_list("code", "territory_id")
    )
    region_width, municipality_width = CODE_WIDTHS[Scheme.DIVIPOLA]
    municipality_names = _Names(Level.MUNICIPALITY, country)
    department_names = _Names(Level.REGION, country)
    first_row: dict[tuple[int, int], int] = {}
    for done, row in enumerate(table.rows, start=1):
        if done % 1000 == 0:
            progress(
                done,
                len(table.rows),
                _("Checked %(done)s of %(total)s rows")
                % {
                    "done": done,
                    "total": len(table.rows),
                },
            )
        year = _year(row, columns["year"], problems)
        value = _value(row, columns["value"], problems)
        territory_id = _dane_municipality(
            row,
            columns,
            problems,
            municipalities,
            departments,
            municipality_names,
            department_names,
            (region_width, municipality_width),
        )
        if year is None or value is None or territory_id is None:
            continue
        key = (territory_id, year)
        if key in first_row:
            problems.add(
                row.number,
                columns["year"],
                _("a second figure for the same municipality and year (first in row %(row)s)")
                % {"row": first_row[key]},
            )
            continue
        first_row[key] = row.number
        plan.values[key] = value
        plan.levels[territory_id] = Level.MUNICIPALITY
    if not table.rows:
        problems.add(None, None, _("has a header but no rows"))
    problems.raise_if_any()
    _add_sums(plan, country, municipality_names.parent)
    return plan


def _dane_municipality(
    row: Row,
    columns: dict[str, str | None],
    problems: Problems,
    municipalities: dict[str, int],
    departments: dict[str, int],
    municipality_names: _Names,
    department_names: _Names,
    widths: tuple[int, int],
) -> int | None:
    region_width, municipality_width = widths
    code_header = columns["code"]
    text = row.get(code_header).strip()
    if text:
        try:
            code = parse_code(text, municipality_width)
        except ValueError as exc:
            problems.add(row.number, code_header, str(exc))
            return None
        if len(text.split(".")[0]) <= region_width:
            problems.add(
                row.number,
                code_header,
                _(
                    "%(code)s is a department code; this file needs one row per municipality "
                    "(department and national totals are computed from them)"
                )
                % {"code": text},
            )
            return None
        territory_id = municipalities.get(code)
        if territory_id is None:
            problems.add(
                row.number,
                code_header,
                _("no municipality has the DIVIPOLA code %(code)s") % {"code": code},
            )
        return territory_id

    # No code: the municipality's name, within its department when one is given.
    name = row.get(columns["name"])
    if not name:
        problems.add(
            row.number, code_header or columns["name"], _("neither a municipality code nor a name")
        )
        return None
    department = None
    region_text = row.get(columns["region_code"])
    if region_text:
        try:
            department = departments.get(parse_code(region_text, region_width))
        except ValueError as exc:
            problems.add(row.number, columns["region_code"], str(exc))
            return None
        if department is None:
            problems.add(
                row.number,
                columns["region_code"],
                _("no department has the DIVIPOLA code %(code)s") % {"code": region_text},
            )
            return None
    elif row.get(columns["region_name"]):
        found = department_names.find(row.get(columns["region_name"]))
        if len(found) != 1:
            problems.add(
                row.number,
                columns["region_name"],
                _("no single department is called “%(name)s”")
                % {"name": row.get(columns["region_name"])},
            )
            return None
        department = found.pop()
    found = municipality_names.find(name, department)
    if len(found) == 1:
        return found.pop()
    problems.add(
        row.number,
        columns["name"],
        _("no municipality is called “%(name)s”") % {"name": name}
        if not found
        else _("%(count)s municipalities are called “%(name)s”; give the code or the department")
        % {"count": len(found), "name": name},
    )
    return None


def _add_sums(plan: PopulationPlan, country: Territory, parent: dict[int, int | None]) -> None:
    """Department and national totals, for the years the file covers completely.

    A sum over an incomplete year would be a wrong figure that looks right, so
    a department (or the country) missing any municipality that year is left out.
    """
    municipalities_of: dict[int, set[int]] = {}
    for municipality, department in parent.items():
        if department is not None:
            municipalities_of.setdefault(department, set()).add(municipality)
    by_year: dict[int, dict[int, int]] = {}
    for (territory_id, year), value in plan.values.items():
        by_year.setdefault(year, {})[territory_id] = value
    complete_departments = 0
    national_years: list[int] = []
    partial: dict[int, list[int]] = {}  # department → years it is only partly covered
    for year, values in sorted(by_year.items()):
        national = 0
        every_department = True
        for department, members in municipalities_of.items():
            covered = members & values.keys()
            if covered == members:
                plan.values[(department, year)] = sum(values[m] for m in members)
                plan.levels[department] = Level.REGION
                national += plan.values[(department, year)]
                complete_departments += 1
            else:
                every_department = False
                if covered:
                    partial.setdefault(department, []).append(year)
        if every_department:
            plan.values[(country.pk, year)] = national
            plan.levels[country.pk] = Level.COUNTRY
            national_years.append(year)
    plan.notes.append(
        _(
            "Department and national totals are sums of the municipal figures: "
            "%(departments)s department-years and %(years)s national years."
        )
        % {"departments": complete_departments, "years": len(national_years)}
    )
    if partial:
        names = dict(Territory.objects.filter(pk__in=partial).values_list("pk", "name"))
        described = "; ".join(
            f"{names[pk]} ({', '.join(map(str, years))})"
            for pk, years in sorted(partial.items(), key=lambda item: names[item[0]])
        )
        plan.notes.append(
            _("No total for %(departments)s: the file lacks some of their municipalities.")
            % {"departments": described}
        )
    missing_years = sorted(set(by_year) - set(national_years))
    if missing_years:
        plan.notes.append(
            _("No national total for %(years)s: the file does not cover every municipality.")
            % {"years": ", ".join(map(str, missing_years))}
        )


# --- World Bank --------------------------------------------------------------------------

_WORLD_BANK_COLUMNS = [
    Column("code", ("Country Code", "country_code", "iso3", "iso_a3", "alpha_3"), required=False),
    Column("name", ("Country Name", "country", "country_name", "pais"), required=False),
    Column("year", ("Year", "anio", "año", "date")),
    Column("value", ("Value", "SP.POP.TOTL", "population", "poblacion")),
]


def check_world_bank(
    path: Path, *, name: str | None = None, progress: Progress = no_progress
) -> PopulationPlan:
    """Country totals for the countries in the database; the rest is counted as skipped."""
    import pycountry

    table = read_table(path, name=name)
    problems = Problems(table.file)
    columns = find_columns(table, _WORLD_BANK_COLUMNS, problems)
    if not problems and columns["code"] is None and columns["name"] is None:
        problems.add(
            table.header_row,
            "Country Code",
            _(
                "missing column: give the ISO alpha-3 code (Country Code) "
                "or the name (Country Name)"
            ),
        )
    problems.raise_if_any()

    countries = dict(
        TerritoryCode.objects.filter(scheme=Scheme.ISO, territory__level=Level.COUNTRY).values_list(
            "code", "territory_id"
        )
    )
    names: dict[str, set[int]] = {}
    for pk, folded in Territory.objects.countries().values_list("pk", "search_name"):
        names.setdefault(folded, set()).add(pk)
    for pk, folded in TerritoryName.objects.filter(territory__level=Level.COUNTRY).values_list(
        "territory_id", "folded"
    ):
        names.setdefault(folded, set()).add(pk)

    plan = PopulationPlan(file=table.file, source=WORLD_BANK_SOURCE, notes=list(table.notes))
    first_row: dict[tuple[int, int], int] = {}
    # Counted once per country, not per row: "212 countries", not "13,780 rows".
    aggregates: set[str] = set()
    absent: set[str] = set()
    no_figure = _("rows without a figure")
    for done, row in enumerate(table.rows, start=1):
        if done % 2000 == 0:
            progress(
                done,
                len(table.rows),
                _("Checked %(done)s of %(total)s rows")
                % {
                    "done": done,
                    "total": len(table.rows),
                },
            )
        year = _year(row, columns["year"], problems)
        value_text = row.get(columns["value"]).strip()
        if value_text in ("", "..", "NA", "n/a"):
            plan.skipped[no_figure] += 1
            continue
        value = _value(row, columns["value"], problems)
        code = row.get(columns["code"]).strip().upper()
        if code:
            record = pycountry.countries.get(alpha_3=code) if len(code) == 3 else None
            if record is None:
                aggregates.add(code)
                continue
            territory_id = countries.get(record.alpha_2)
            if territory_id is None:
                absent.add(code)
                continue
        else:
            country_name = row.get(columns["name"])
            found = names.get(fold(country_name), set())
            if len(found) != 1:
                absent.add(country_name)
                continue
            territory_id = next(iter(found))
        if year is None or value is None:
            continue
        key = (territory_id, year)
        if key in first_row:
            problems.add(
                row.number,
                columns["year"],
                _("a second figure for the same country and year (first in row %(row)s)")
                % {"row": first_row[key]},
            )
            continue
        first_row[key] = row.number
        plan.values[key] = value
        plan.levels[territory_id] = Level.COUNTRY
    problems.raise_if_any()
    if aggregates:
        plan.skipped[_("aggregates and codes that are not ISO countries (World, Arab World…)")] = (
            len(aggregates)
        )
    if absent:
        plan.skipped[_("countries not in the database")] = len(absent)
    return plan


# --- writing -----------------------------------------------------------------------------


def write(plan: PopulationPlan, progress: Progress = no_progress) -> ImportReport:
    return timed_write(lambda: _write(plan, progress))


def _write(plan: PopulationPlan, progress: Progress) -> ImportReport:
    report = ImportReport(notes=list(plan.notes))
    for reason, count in plan.skipped.items():
        report.skip(reason, count)
    existing = {
        (row.territory_id, row.year): row
        for row in Population.objects.filter(source=plan.source, territory_id__in=list(plan.levels))
    }
    to_create, to_update = [], []
    for (territory_id, year), value in plan.values.items():
        label = Level(plan.levels[territory_id]).label
        row = existing.get((territory_id, year))
        if row is None:
            to_create.append(
                Population(
                    territory_id=territory_id,
                    year=year,
                    value=value,
                    source=plan.source,
                )
            )
            report.add(label, "created")
        elif row.value != value:
            row.value = value
            to_update.append(row)
            report.add(label, "updated")
        else:
            report.add(label, "unchanged")
    Population.objects.bulk_create(to_create, batch_size=1000)
    Population.objects.bulk_update(to_update, ["value"], batch_size=1000)
    progress(len(plan.values), len(plan.values), _("Population figures saved"))
    return report
