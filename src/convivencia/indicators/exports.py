"""The explorer's selection as files: CSV and XLSX of the table, DHIS2 data values.

CSV and XLSX hold exactly the rows of the explorer's table (each territory,
then the parent's total), built by ``table_rows`` from the same ``Choropleth``
the page shows, with every column a reader needs to check a rate: numerator,
denominator, population source and year, interval, warnings.

DHIS2 (``dataValueSets`` in JSON, XML or CSV)
---------------------------------------------

The one DHIS2 exporter. It carries the stored data values behind the table (the
numerator's current values below the parent, for the chosen source and range),
not rates: DHIS2 computes its own indicators from data values. JSON and XML
declare the id schemes they use, so ``importers.dhis2`` reads the file back to
the same values (and so does DHIS2, given the same uids and codes); CSV has no
place for them, so it is read back with the same ``--org-unit-scheme``.

- ``dataElement``: the element's ``dhis2_uid``; an element without one is sent
  by its code, and the payload says ``dataElementIdScheme: CODE``.
- ``period``: DHIS2's format: ``2024``, ``2024Q1``, ``202403``, ``2024W5``, ``20240315``.
- ``orgUnit``: the territory's code under the ``dhis2`` scheme (an organisation
  unit uid), or with ``org_unit_scheme=divipola`` (or iso, inegi, ibge) its code
  under that scheme, sent with ``orgUnitIdScheme: CODE``: the receiving instance
  must hold those codes on its organisation units.
- ``categoryOptionCombo`` from sex and age group (``importers.dhis2.COMBO_CODES``),
  sent by code (``categoryOptionComboIdScheme: CODE``). A value without sex or
  age group has none, which DHIS2 reads as its default combination. The
  receiving instance needs category option combinations with these codes. Weapon
  and crime subtype have no category here: values differing only in those are
  summed, since DHIS2 would otherwise keep only the last of them.

In the ids of the mapping table (``ids=mapping``): a user exporting *to* their own
DHIS2 needs its identifiers, which the DHIS2 mapping table (``Dhis2Mapping``) holds
for imports. Each kind of identifier is written under one id scheme of the table
(the one that names every data element, organisation unit or category option combo
the export needs; UID first, then CODE, NAME, attributes), declared in the file's
``dataElementIdScheme``, ``orgUnitIdScheme`` and ``categoryOptionComboIdScheme``, so
that ``importers.dhis2`` reads the file back through the same table to the same
values. CSV declares no schemes: it takes UID rows only. Anything the table does not
name refuses the whole export (``Unmapped``, naming each one): nothing half-written.

Nothing is dropped silently: ``dhis2_check`` lists every territory without a
code under the chosen scheme, every element without a uid and every
disaggregation without a combination, and the download refuses (400) while a
value cannot be placed, unless the user, having read the list, asks for those
values to be left out (``exclude_missing=1``); the response then says how many
were left out (``X-Excluded-Values``).
"""

from __future__ import annotations

import io
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO, Any

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _
from openpyxl import Workbook

from convivencia.core.spreadsheets import CsvDictWriter, append_row
from convivencia.indicators.choices import AgeGroup, Dhis2Kind, PeriodType, Sex, Source
from convivencia.indicators.explorer import Choropleth
from convivencia.indicators.importers import dhis2, dhis2_format
from convivencia.indicators.models import DataElement, DataValue, Dhis2Mapping, Indicator
from convivencia.indicators.periods import Period, parse
from convivencia.indicators.rates import Rate
from convivencia.territories.choices import Scheme
from convivencia.territories.models import Territory, TerritoryCode

COLUMNS = [
    "territory_code",
    "territory_scheme",
    "territory_name",
    "period",
    "indicator",
    "numerator",
    "denominator",
    "population_source",
    "population_year",
    "value",
    "ci_low",
    "ci_high",
    "source",
    "warnings",
]
# A territory's code in the CSV: the national scheme first (it is what national
# statistics use), then ISO 3166, then DHIS2; the internal id only when none is set.
CODE_PREFERENCE = [Scheme.DIVIPOLA, Scheme.INEGI, Scheme.IBGE, Scheme.ISO, Scheme.DHIS2]
WARNING_SEPARATOR = " | "

ORG_UNIT_SCHEMES = [Scheme.DHIS2, Scheme.DIVIPOLA, Scheme.ISO, Scheme.INEGI, Scheme.IBGE]
# The one table of category option combo codes, shared with the importer that reads them.
CATEGORY_OPTION_COMBOS = dhis2.COMBO_CODES
DHIS2_ENCODINGS = (dhis2_format.JSON, dhis2_format.XML, dhis2_format.CSV)


# The table: CSV and XLSX


def territory_code(territory: Territory, codes: dict[str, str] | None = None) -> tuple[str, str]:
    """(code, scheme) by CODE_PREFERENCE; ("<id>", "id") when the territory has no code.

    ``codes`` (scheme → code) when they were read already, else the territory's own.
    """
    if codes is None:
        codes = {code.scheme: code.code for code in territory.codes.all()}
    for scheme in CODE_PREFERENCE:
        if scheme in codes:
            return codes[scheme], str(scheme)
    return str(territory.pk), "id"


def _row(
    territory: Territory, rate: Rate, indicator: Indicator, codes: dict[str, str]
) -> dict[str, Any]:
    code, scheme = territory_code(territory, codes)
    return {
        "territory_code": code,
        "territory_scheme": scheme,
        "territory_name": territory.name,
        "period": rate.period,
        "indicator": indicator.code,
        "numerator": rate.numerator,
        "denominator": rate.denominator,
        "population_source": rate.population_source,
        "population_year": rate.population_year,
        "value": rate.value,
        "ci_low": rate.ci_low,
        "ci_high": rate.ci_high,
        "source": rate.source,
        "warnings": WARNING_SEPARATOR.join(rate.warnings),
    }


def table_rows(result: Choropleth, indicator: Indicator) -> list[dict[str, Any]]:
    """The explorer table's rows, in its order: each territory, then the parent's total.

    The codes of every territory are read in one query here: a choropleth does not
    prefetch them, since the page and the API do not show them and prefetching costs
    a queryset per territory (a third of a 1,122-municipality map).
    """
    territories = [*result.territories, result.parent]
    codes: dict[int, dict[str, str]] = defaultdict(dict)
    for territory_id, scheme, code in TerritoryCode.objects.filter(
        territory_id__in=[territory.pk for territory in territories]
    ).values_list("territory_id", "scheme", "code"):
        codes[territory_id][scheme] = code
    rows = [
        _row(territory, rate, indicator, codes[territory.pk])
        for territory, rate, _class in result.rows()
    ]
    rows.append(_row(result.parent, result.total, indicator, codes[result.parent.pk]))
    return rows


def _cell(value: Any) -> Any:
    return "" if value is None else value


def csv_text(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = CsvDictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return buffer.getvalue()


def xlsx_file(rows: list[dict[str, Any]], notes: list[tuple[str, str]]) -> IO[bytes]:
    """The rows on a first sheet, the selection and the method on a second."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Rates"))
    append_row(sheet, COLUMNS)
    for row in rows:
        append_row(sheet, [row[column] for column in COLUMNS])
    about = workbook.create_sheet(_("About"))
    for label, text in notes:
        append_row(about, [label, text])
    # Spooled: small files stay in memory, a large one goes to disk.
    stream = tempfile.SpooledTemporaryFile(max_size=5 * 1024 * 1024)  # noqa: SIM115
    workbook.save(stream)
    stream.seek(0)
    return stream


# DHIS2


def dhis2_period(code: str) -> str:
    """Our period code in DHIS2's format."""
    period = parse(code)
    if period.type == PeriodType.MONTH:
        return period.start.strftime("%Y%m")
    if period.type == PeriodType.DAY:
        return period.start.strftime("%Y%m%d")
    if period.type == PeriodType.WEEK:
        year, week = period.code.split("W")
        return f"{year}W{int(week)}"
    return period.code


def _number(value: float) -> str:
    # DHIS2 stores values as text; whole numbers without a trailing ".0".
    return str(int(value)) if float(value).is_integer() else repr(float(value))


@dataclass
class Dhis2Check:
    """What a DHIS2 export of the selection would hold, and what would stop it."""

    scheme: str
    element: DataElement
    values: int = 0
    territories: int = 0
    missing_territories: list[Territory] = field(default_factory=list)
    missing_values: int = 0
    unmapped: list[tuple[str, str, int]] = field(default_factory=list)  # (sex, age, values)
    levels: list[int] = field(default_factory=list)

    @property
    def element_without_uid(self) -> bool:
        return not self.element.dhis2_uid

    @property
    def blocking(self) -> bool:
        return bool(self.missing_territories or self.unmapped)

    @property
    def several_levels(self) -> bool:
        return len(self.levels) > 1


def _grouped_values(
    indicator: Indicator, parent: Territory, period: Period, source: str
) -> QuerySet[DataValue, Any]:
    """The values behind the selection, summed over weapon and subtype (DHIS2 has no such
    category here), one row per territory, period, sex and age group."""
    return (
        DataValue.objects.current()
        .filter(
            element_id=indicator.numerator_id,
            source=source,
            start__gte=period.start,
            end__lte=period.end,
            territory__path__startswith=parent.path,
        )
        .values("territory_id", "territory__level", "period", "sex", "age_group")
        .annotate(total=Sum("value"))
        .order_by("territory_id", "period", "sex", "age_group")
    )


def _codes(territory_ids: set[int], scheme: str) -> dict[int, str]:
    return dict(
        TerritoryCode.objects.filter(territory_id__in=territory_ids, scheme=scheme).values_list(
            "territory_id", "code"
        )
    )


def dhis2_check(
    indicator: Indicator, parent: Territory, period: Period, source: str, scheme: str
) -> Dhis2Check:
    """Everything the DHIS2 export would leave out or send by code, listed (three queries)."""
    check = Dhis2Check(scheme=scheme, element=indicator.numerator)
    rows = list(_grouped_values(indicator, parent, period, source))
    territory_ids = {row["territory_id"] for row in rows}
    codes = _codes(territory_ids, scheme)
    unmapped: dict[tuple[str, str], int] = defaultdict(int)
    missing_ids: set[int] = set()
    for row in rows:
        key = (row["sex"], row["age_group"])
        if key not in CATEGORY_OPTION_COMBOS:
            unmapped[key] += 1
        if row["territory_id"] not in codes:
            missing_ids.add(row["territory_id"])
            check.missing_values += 1
    check.values = len(rows)
    check.territories = len(territory_ids)
    check.levels = sorted({row["territory__level"] for row in rows})
    check.missing_territories = list(
        Territory.objects.filter(pk__in=missing_ids).order_by("level", "name")
    )
    check.unmapped = [(sex, age, count) for (sex, age), count in sorted(unmapped.items())]
    return check


def dhis2_payload(
    indicator: Indicator, parent: Territory, period: Period, source: str, scheme: str
) -> tuple[dict[str, Any], int]:
    """The ``dataValueSets`` body and how many values were left out (no code, no combination).

    Call ``dhis2_check`` first: the view refuses to leave values out unless asked.
    """
    element = indicator.numerator
    data_element = element.dhis2_uid or element.code
    rows = list(_grouped_values(indicator, parent, period, source))
    codes = _codes({row["territory_id"] for row in rows}, scheme)
    values: list[dict[str, str]] = []
    excluded = 0
    for row in rows:
        key = (row["sex"], row["age_group"])
        org_unit = codes.get(row["territory_id"])
        if org_unit is None or key not in CATEGORY_OPTION_COMBOS:
            excluded += 1
            continue
        value = {
            "dataElement": data_element,
            "period": dhis2_period(row["period"]),
            "orgUnit": org_unit,
            "value": _number(row["total"]),
        }
        combination = CATEGORY_OPTION_COMBOS[key]
        if combination is not None:
            value["categoryOptionCombo"] = combination
        values.append(value)
    payload: dict[str, Any] = {
        "dataElementIdScheme": "UID" if element.dhis2_uid else "CODE",
        "orgUnitIdScheme": "UID" if scheme == Scheme.DHIS2 else "CODE",
        "categoryOptionComboIdScheme": "CODE",
        "dataValues": values,
    }
    return payload, excluded


# The ``ids`` choices of the DHIS2 export: our own codes and uids, or the mapping table's.
IDS_OURS = "ours"
IDS_MAPPING = "mapping"
IDS_CHOICES = (IDS_OURS, IDS_MAPPING)
# Which of the mapping table's schemes is taken when several name everything.
_SCHEME_ORDER = ("UID", "CODE", "NAME")
_SCHEME_KEYS = {
    Dhis2Kind.DATA_ELEMENT: "dataElementIdScheme",
    Dhis2Kind.ORG_UNIT: "orgUnitIdScheme",
    Dhis2Kind.CATEGORY_OPTION_COMBO: "categoryOptionComboIdScheme",
}


class Unmapped(ValueError):
    """The mapping table does not name everything the export needs: nothing is written."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__("; ".join(missing))


def _scheme_rank(scheme: str) -> tuple[int, str]:
    return (
        _SCHEME_ORDER.index(scheme) if scheme in _SCHEME_ORDER else len(_SCHEME_ORDER),
        scheme,
    )


def _pick_scheme(
    rows: list[tuple[str, Any, str]], needed: set[Any], *, uid_only: bool
) -> tuple[str, dict[Any, str]]:
    """(scheme, target → identifier) of the scheme naming most of ``needed``.

    ``rows`` are the table's (scheme, target, identifier) rows of one kind, in the
    table's order; the first row of a scheme for a target is taken.
    """
    by_scheme: dict[str, dict[Any, str]] = defaultdict(dict)
    for scheme, target, identifier in rows:
        if target in needed and not (uid_only and scheme != "UID"):
            by_scheme[scheme].setdefault(target, identifier)
    if not by_scheme:
        return "UID", {}
    best = min(by_scheme, key=lambda scheme: (-len(by_scheme[scheme]), _scheme_rank(scheme)))
    return best, by_scheme[best]


def _combination_label(sex: str, age_group: str) -> str:
    sex_label = str(Sex(sex).label) if sex in Sex.values else (sex or "–")
    age_label = str(AgeGroup(age_group).label) if age_group in AgeGroup.values else "–"
    return _("sex %(sex)s, age group %(age)s") % {"sex": sex_label, "age": age_label}


def dhis2_mapped_payload(
    indicator: Indicator, parent: Territory, period: Period, source: str, encoding: str
) -> dict[str, Any]:
    """The ``dataValueSets`` body in the DHIS2 mapping table's identifiers.

    Raises ``Unmapped`` naming every data element, organisation unit and category
    option combo the table does not name (under one scheme per kind; UID only for
    CSV, which cannot declare schemes).
    """
    element = indicator.numerator
    rows = list(_grouped_values(indicator, parent, period, source))
    uid_only = encoding == dhis2_format.CSV
    table = list(
        Dhis2Mapping.objects.order_by("pk").values_list(
            "kind", "scheme", "identifier", "element_id", "territory_id", "sex", "age_group"
        )
    )
    territory_ids = {row["territory_id"] for row in rows}
    combinations = {(row["sex"], row["age_group"]) for row in rows} - {("", "")}
    element_scheme, elements = _pick_scheme(
        [(r[1], r[3], r[2]) for r in table if r[0] == Dhis2Kind.DATA_ELEMENT],
        {element.pk},
        uid_only=uid_only,
    )
    unit_scheme, units = _pick_scheme(
        [(r[1], r[4], r[2]) for r in table if r[0] == Dhis2Kind.ORG_UNIT],
        territory_ids,
        uid_only=uid_only,
    )
    combo_scheme, combos = _pick_scheme(
        [(r[1], (r[5], r[6]), r[2]) for r in table if r[0] == Dhis2Kind.CATEGORY_OPTION_COMBO],
        combinations,
        uid_only=uid_only,
    )
    missing: list[str] = []
    if rows and element.pk not in elements:
        missing.append(
            _("data element %(code)s (%(name)s) has no row under %(scheme)s")
            % {"code": element.code, "name": element, "scheme": element_scheme}
        )
    for territory in Territory.objects.filter(pk__in=territory_ids - set(units)).order_by(
        "level", "name"
    ):
        missing.append(
            _("organisation unit %(name)s (#%(id)s) has no row under %(scheme)s")
            % {"name": territory.name, "id": territory.pk, "scheme": unit_scheme}
        )
    for sex, age_group in sorted(combinations - set(combos)):
        missing.append(
            _("category option combo %(combination)s has no row under %(scheme)s")
            % {"combination": _combination_label(sex, age_group), "scheme": combo_scheme}
        )
    if missing:
        raise Unmapped(missing)
    values: list[dict[str, str]] = []
    for row in rows:
        value = {
            "dataElement": elements[element.pk],
            "period": dhis2_period(row["period"]),
            "orgUnit": units[row["territory_id"]],
            "value": _number(row["total"]),
        }
        key = (row["sex"], row["age_group"])
        if key != ("", ""):
            value["categoryOptionCombo"] = combos[key]
        values.append(value)
    payload: dict[str, Any] = {
        _SCHEME_KEYS[Dhis2Kind.DATA_ELEMENT]: element_scheme,
        _SCHEME_KEYS[Dhis2Kind.ORG_UNIT]: unit_scheme,
    }
    if combinations:
        payload[_SCHEME_KEYS[Dhis2Kind.CATEGORY_OPTION_COMBO]] = combo_scheme
    payload["dataValues"] = values
    return payload


def dhis2_document(payload: dict[str, Any], encoding: str) -> bytes:
    """The payload in one of DHIS2's encodings (``DHIS2_ENCODINGS``)."""
    header = {key: value for key, value in payload.items() if key != "dataValues"}
    return dhis2_format.write(encoding, header, payload["dataValues"])


def source_label(source: str | None) -> str:
    return str(Source(source).label) if source in Source.values else (source or "")
