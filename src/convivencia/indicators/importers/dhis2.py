"""DHIS2 data value sets (JSON, XML or CSV), as ``/api/dataValueSets`` exports and accepts them.

    {"dataSet": "…", "orgUnitIdScheme": "CODE", "dataValues": [
        {"dataElement": "homicides", "period": "202403", "orgUnit": "19001",
         "categoryOptionCombo": "SEX_F_AGE_18P", "attributeOptionCombo": "HllvX50cXC0",
         "value": "12", "comment": "…"}]}

The encodings are read by ``dhis2_format`` (XML with DHIS2's namespace, CSV in
its documented column order, with or without a header row). Identifiers are
read under the id schemes the file declares — ``dataElementIdScheme``,
``orgUnitIdScheme``, ``categoryOptionComboIdScheme``, else ``idScheme``, else
UID, as DHIS2 does; UID, CODE, NAME and ATTRIBUTE:<uid> — and looked up first
in the DHIS2 mapping table (``Dhis2Mapping``: what another instance's
identifiers mean here), then:

- ``dataElement``: UID or CODE: the element's DHIS2 uid or its code; NAME: its
  name in any language; ATTRIBUTE: the mapping table only.
- ``orgUnit``: the scheme the import names (--org-unit-scheme: dhis2, divipola,
  inegi, ibge, iso) when it names one; else UID: the territory's ``dhis2`` code;
  CODE: its code in one of the national schemes (divipola, inegi, ibge, iso),
  refused when two territories share it; NAME: its name; ATTRIBUTE: the mapping.
- ``period``: DHIS2 periods: 2024, 2024S1, 2024Q1, 202403, 2024W5, 20240315.
- ``categoryOptionCombo``: empty, "default" or DHIS2's default uid HllvX50cXC0
  mean not disaggregated; otherwise the codes our export writes (``COMBO_CODES``:
  SEX_F, AGE_18P, SEX_F_AGE_18P…) or sex and age group in words (case, accents
  and punctuation ignored, one or two parts separated by commas: female, male,
  unknown sex; 0-11, 12-17, 18+, unknown age; in Spanish too). Any other uid
  needs a row in the mapping table.
- ``attributeOptionCombo``: only the default can be stored.
- ``value``: a number with a decimal point, as DHIS2 writes it.
- A value-less entry, or one marked ``deleted`` (true), deletes the value of its
  cell, as in DHIS2; the report counts them.
- Top-level ``period``, ``orgUnit`` and ``attributeOptionCombo`` apply to the
  values that leave them out.

DHIS2 imports merge into what is stored: a file's values replace those of the
same cells in the dataset, the dataset's other values stay, and deletions remove
theirs. The dataset is "dhis2:" and the file's ``dataSet`` (or its name),
unless the import names it; the source is not in the file: the import names it
(--source). ``indicators.exports`` writes values back in this shape (one
exporter), declaring the schemes it uses so that this importer reads them back
identically.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from convivencia.core.reading import (
    BadFile,
    Problem,
    Progress,
    decode_text,
    display_name,
    no_progress,
    read_bounded_bytes,
)
from convivencia.core.text import fold
from convivencia.indicators import periods, presets
from convivencia.indicators.choices import AgeGroup, Dhis2Kind, Sex, Source, id_scheme
from convivencia.indicators.importers import dhis2_format
from convivencia.indicators.importers.common import (
    AGE_WORDS,
    COMMENT_MAX,
    SEX_WORDS,
    Collector,
    Elements,
    Options,
    Plan,
    Planned,
    Territories,
    checksum,
    current_extraction,
    finish,
    source_code,
)
from convivencia.indicators.models import DataElement, DataValue, Dhis2Mapping
from convivencia.indicators.revisions import Cell
from convivencia.territories.choices import Scheme
from convivencia.territories.models import Territory

FORMAT = "dhis2"
DEFAULT_COMBO_UID = "HllvX50cXC0"  # DHIS2's built-in "default" category option combo
_DEFAULT_COMBOS = {"", "default", fold(DEFAULT_COMBO_UID)}
MAX_VALUE = Decimal(10) ** 12
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
# The national schemes a CODE org unit may be in when the import names none.
NATIONAL_SCHEMES = (Scheme.DIVIPOLA, Scheme.INEGI, Scheme.IBGE, Scheme.ISO)

# The category option combo codes of our disaggregations, as the export writes them
# with ``categoryOptionComboIdScheme: CODE`` and this importer reads them back:
# "SEX_F", "AGE_18P", "SEX_F_AGE_18P"; neither sex nor age group → the default.
SEX_OPTIONS: dict[str, str] = {Sex.FEMALE: "F", Sex.MALE: "M", Sex.UNKNOWN: "NR"}
AGE_OPTIONS: dict[str, str] = {
    AgeGroup.CHILDREN: "0011",
    AgeGroup.ADOLESCENTS: "1217",
    AgeGroup.ADULTS: "18P",
    AgeGroup.UNKNOWN: "NR",
}


def _combination(sex: str, age_group: str) -> str | None:
    parts = []
    if sex:
        parts.append(f"SEX_{SEX_OPTIONS[sex]}")
    if age_group:
        parts.append(f"AGE_{AGE_OPTIONS[age_group]}")
    return "_".join(parts) or None


COMBO_CODES: dict[tuple[str, str], str | None] = {
    (sex, age): _combination(sex, age) for sex in ["", *SEX_OPTIONS] for age in ["", *AGE_OPTIONS]
}
_COMBOS_BY_CODE = {code: key for key, code in COMBO_CODES.items() if code is not None}

_SEX_ONLY = {"unknown sex": Sex.UNKNOWN}
_AGE_ONLY = {"unknown age": AgeGroup.UNKNOWN, "18 plus": AgeGroup.ADULTS}


def combo(text: str) -> tuple[str, str]:
    """(sex, age group) of a category option combo's code or words; ValueError if unknown."""
    if fold(text) in _DEFAULT_COMBOS:
        return "", ""
    if text.strip().upper() in _COMBOS_BY_CODE:
        return _COMBOS_BY_CODE[text.strip().upper()]
    sex = age = ""
    for part in text.split(","):
        folded = fold(part)
        if folded in _SEX_ONLY and not sex:
            sex = _SEX_ONLY[folded]
        elif folded in _AGE_ONLY and not age:
            age = _AGE_ONLY[folded]
        elif folded in SEX_WORDS and folded not in ("unknown",) and not sex:
            sex = SEX_WORDS[folded]
        elif folded in AGE_WORDS and folded not in ("unknown",) and not age:
            age = AGE_WORDS[folded]
        else:
            raise ValueError(
                _(
                    "“%(value)s” is not a category option combo this importer can map: use "
                    "default, a code such as SEX_F or SEX_F_AGE_18P, a sex (female, male), an "
                    "age group (0-11, 12-17, 18+) or both separated by a comma, or add its "
                    "identifier to the DHIS2 mapping table"
                )
                % {"value": text}
            )
    return sex, age


class _Problems:
    """Problems placed where the file's reader finds them (dataValues[3], line 4)."""

    def __init__(self, file: str, value_set: dhis2_format.ValueSet | None = None) -> None:
        self.file = file
        self.value_set = value_set
        self.items: list[Problem] = []

    def add(self, index: int | None, key: str | None, message: str) -> None:
        row, part = (None, "")
        if index is not None and self.value_set is not None:
            row, part = self.value_set.where(index)
        self.items.append(Problem(self.file, row, key, message, part=part))

    def raise_if_any(self) -> None:
        if self.items:
            raise BadFile(self.items)


def _load(path: Path, file: str) -> dhis2_format.ValueSet:
    data = read_bounded_bytes(path, file)
    return dhis2_format.read(decode_text(data, file, tabular=False), file)


def schemes(header: dict[str, Any]) -> dict[str, str]:
    """The id scheme of each kind of identifier, as DHIS2 resolves them; ValueError."""
    general = header.get("idScheme") or "UID"
    return {
        kind: id_scheme(str(header.get(key) or general))
        for kind, key in (
            (Dhis2Kind.DATA_ELEMENT, "dataElementIdScheme"),
            (Dhis2Kind.ORG_UNIT, "orgUnitIdScheme"),
            (Dhis2Kind.CATEGORY_OPTION_COMBO, "categoryOptionComboIdScheme"),
        )
    }


def check(
    path: Path,
    *,
    name: str | None = None,
    options: Options | None = None,
    progress: Progress = no_progress,
) -> Plan:
    """Read and check a data value set; raises BadFile listing every problem."""
    options = options or Options()
    file = display_name(path, name)
    value_set = _load(path, file)
    problems = _Problems(file, value_set)
    source = source_code(options.source) if options.source else None
    if source is None:
        problems.add(
            None,
            None,
            _("say which source the values come from (--source: %(known)s)")
            % {"known": ", ".join(Source.values)}
            if not options.source
            else _("“%(value)s” is not a source") % {"value": options.source},
        )
    if options.org_unit_scheme and options.org_unit_scheme not in Scheme.values:
        problems.add(
            None,
            None,
            _("“%(value)s” is not a code scheme (%(known)s)")
            % {"value": options.org_unit_scheme, "known": ", ".join(Scheme.values)},
        )
    try:
        kinds = schemes(value_set.header)
    except ValueError as exc:
        kinds = {}
        problems.add(None, None, str(exc))
    problems.raise_if_any()
    assert source is not None

    data_set = str(value_set.header.get("dataSet") or "").strip()
    stem = fold(Path(file).stem).replace(" ", "-")
    dataset = options.dataset or f"{FORMAT}:{data_set or stem}"
    reader = _Reader(file, problems, source, _Lookups(kinds, options.org_unit_scheme), value_set)
    values = value_set.values
    for index, item in enumerate(values):
        if index and index % 2000 == 0:
            progress(
                index,
                len(values),
                _("Checked %(done)s of %(total)s values") % {"done": index, "total": len(values)},
            )
        reader.read(index, item)
    plan = Plan(
        format=FORMAT,
        file=file,
        checksum=checksum(path),
        dataset=dataset,
        values=reader.collector.values,
    )
    if not problems.items:
        _merge(plan, reader.deletions)
    return finish(plan, problems.items, progress)


def _merge(plan: Plan, deletions: dict[Cell, str]) -> None:
    """DHIS2's import strategy: the file's values over the dataset's current ones, its
    deletions removing theirs. Counted in the plan's notes for the report."""
    current = current_extraction(plan.dataset)
    stored: dict[Cell, Planned] = {}
    if current is not None:
        rows = DataValue.objects.filter(extraction=current, deleted_at__isnull=True).values_list(
            "element__code",
            "territory_id",
            "period",
            "source",
            "sex",
            "age_group",
            "weapon",
            "subtype",
            "value",
            "comment",
        )
        for row in rows.iterator(chunk_size=10_000):
            cell, value, comment = Cell(*row[:8]), row[8], row[9]
            stored[cell] = Planned(periods.parse(cell.period), Decimal(str(value)), comment)
    deleted = [cell for cell in deletions if cell in stored and cell not in plan.values]
    kept = {
        cell: planned
        for cell, planned in stored.items()
        if cell not in plan.values and cell not in deletions
    }
    plan.values = {**kept, **plan.values}
    if deletions:
        plan.notes.append(
            _(
                "%(count)s values were deleted (value-less or marked deleted); "
                "%(missing)s deletions matched no stored value."
            )
            % {"count": len(deleted), "missing": len(deletions) - len(deleted)}
        )
    if kept:
        plan.notes.append(
            _("%(count)s values of the dataset not in this file are kept, as in DHIS2.")
            % {"count": len(kept)}
        )


class _Lookups:
    """Identifiers → our data elements, territories and disaggregations, by id scheme."""

    def __init__(self, kinds: dict[str, str], org_unit_scheme: str | None) -> None:
        self.kinds = kinds
        self.org_unit_scheme = org_unit_scheme
        self.elements = Elements()
        self.mapped: dict[tuple[str, str, str], Dhis2Mapping] = {
            (row.kind, row.scheme, row.identifier): row
            for row in Dhis2Mapping.objects.select_related("element")
        }
        self._territories: dict[str, Territories] = {}
        self._element_names: dict[str, str] | None = None
        self._territory_names: dict[str, list[int]] | None = None

    def scheme(self, kind: str) -> str:
        return self.kinds.get(kind, "UID")

    def _mapping(self, kind: str, text: str) -> Dhis2Mapping | None:
        return self.mapped.get((kind, self.scheme(kind), text))

    def territories(self, scheme: str) -> Territories:
        if scheme not in self._territories:
            self._territories[scheme] = Territories(scheme)
        return self._territories[scheme]

    def element(self, text: str) -> str | None:
        mapping = self._mapping(Dhis2Kind.DATA_ELEMENT, text)
        if mapping is not None and mapping.element is not None:
            return mapping.element.code
        scheme = self.scheme(Dhis2Kind.DATA_ELEMENT)
        if scheme in ("UID", "CODE"):
            return self.elements.get(text)
        if scheme == "NAME":
            if self._element_names is None:
                names = dict(presets.ELEMENTS.items())
                names.update(DataElement.objects.values_list("code", "name"))
                self._element_names = {
                    fold(str(label)): code
                    for code, labels in names.items()
                    for label in (labels or {}).values()
                }
            return self._element_names.get(fold(text))
        return None

    def territory(self, text: str) -> tuple[int | None, str]:
        """(territory id, '') or (None, why not)."""
        mapping = self._mapping(Dhis2Kind.ORG_UNIT, text)
        if mapping is not None and mapping.territory_id is not None:
            return mapping.territory_id, ""
        scheme = self.scheme(Dhis2Kind.ORG_UNIT)
        if self.org_unit_scheme and scheme in ("UID", "CODE"):
            found = self.territories(self.org_unit_scheme).get(text)
            return found, "" if found else self._missing(self.org_unit_scheme, text)
        if scheme == "UID":
            found = self.territories(Scheme.DHIS2).get(text)
            return found, "" if found else self._missing(Scheme.DHIS2, text)
        if scheme == "CODE":
            matches = {
                national: found
                for national in NATIONAL_SCHEMES
                if (found := self.territories(national).get(text)) is not None
            }
            if len(set(matches.values())) == 1:
                return next(iter(matches.values())), ""
            if matches:
                return None, _(
                    "the code “%(code)s” is a territory's in several schemes (%(schemes)s): "
                    "say which with --org-unit-scheme"
                ) % {"code": text, "schemes": ", ".join(matches)}
            return None, _(
                "no territory has the code “%(code)s” in any national scheme (%(schemes)s) "
                "nor in the DHIS2 mapping table"
            ) % {"code": text, "schemes": ", ".join(NATIONAL_SCHEMES)}
        if scheme == "NAME":
            if self._territory_names is None:
                self._territory_names = defaultdict(list)
                for pk, folded in Territory.objects.values_list("pk", "search_name"):
                    self._territory_names[folded].append(pk)
            ids = self._territory_names.get(fold(text), [])
            if len(ids) == 1:
                return ids[0], ""
            return None, (
                _("several territories are named “%(name)s”: map it in the DHIS2 mapping table")
                if ids
                else _("no territory is named “%(name)s”")
            ) % {"name": text}
        return None, _("“%(code)s” under %(scheme)s is not in the DHIS2 mapping table") % {
            "code": text,
            "scheme": scheme,
        }

    @staticmethod
    def _missing(scheme: str, code: str) -> str:
        return _("no territory has the %(scheme)s code “%(code)s”") % {
            "scheme": scheme,
            "code": code,
        }

    def combo(self, text: str) -> tuple[str, str]:
        """(sex, age group); raises ValueError with the message."""
        mapping = self._mapping(Dhis2Kind.CATEGORY_OPTION_COMBO, text)
        if mapping is not None:
            return mapping.sex, mapping.age_group
        if self.scheme(Dhis2Kind.CATEGORY_OPTION_COMBO).startswith("ATTRIBUTE:"):
            if fold(text) in _DEFAULT_COMBOS:
                return "", ""
            raise ValueError(_("“%(value)s” is not in the DHIS2 mapping table") % {"value": text})
        return combo(text)


class _Reader:
    def __init__(
        self,
        file: str,
        problems: _Problems,
        source: str,
        lookups: _Lookups,
        value_set: dhis2_format.ValueSet,
    ) -> None:
        self.problems = problems
        self.source = source
        self.lookups = lookups
        self.defaults = {
            key: value_set.header.get(key) for key in ("period", "orgUnit", "attributeOptionCombo")
        }
        self.collector = Collector(problems.items, file)
        self.deletions: dict[Cell, str] = {}
        self.value_set = value_set

    def _text(self, item: dict[str, Any], key: str) -> str:
        value = item.get(key)
        if value is None or value == "":
            value = self.defaults.get(key)
        return "" if value is None else str(value).strip()

    def read(self, index: int, item: Any) -> None:
        add = self.problems.add
        if not isinstance(item, dict):
            add(index, None, _("is not an object"))
            return
        if item.get("__extra"):
            add(index, None, _("has more columns than DHIS2's CSV defines"))
            return
        raw = item.get("value")
        deleting = dhis2_format.is_true(item.get("deleted")) or raw is None or raw == ""
        element = self.lookups.element(self._text(item, "dataElement"))
        if element is None:
            add(
                index,
                "dataElement",
                _("no data element has the DHIS2 %(scheme)s “%(value)s”")
                % {
                    "scheme": self.lookups.scheme(Dhis2Kind.DATA_ELEMENT),
                    "value": self._text(item, "dataElement"),
                },
            )
        territory, why = self.lookups.territory(self._text(item, "orgUnit"))
        if territory is None:
            add(index, "orgUnit", why)
        try:
            period: periods.Period | None = periods.parse(self._text(item, "period"))
        except ValueError:
            period = None
            add(
                index,
                "period",
                _("“%(value)s” is not a DHIS2 period") % {"value": self._text(item, "period")},
            )
        sex: str | None
        age_group: str | None
        try:
            sex, age_group = self.lookups.combo(self._text(item, "categoryOptionCombo"))
        except ValueError as exc:
            sex = age_group = None
            add(index, "categoryOptionCombo", str(exc))
        if fold(self._text(item, "attributeOptionCombo")) not in _DEFAULT_COMBOS:
            add(
                index,
                "attributeOptionCombo",
                _("“%(value)s”: only the default attribute option combo can be stored")
                % {"value": self._text(item, "attributeOptionCombo")},
            )
        value = None if deleting else self._value(index, raw)
        comment = " ".join(self._text(item, "comment").split())
        if len(comment) > COMMENT_MAX:
            add(
                index,
                "comment",
                _("the comment is longer than %(max)s characters") % {"max": COMMENT_MAX},
            )
        parts = (element, territory, period, sex, age_group)
        if any(part is None for part in parts) or len(comment) > COMMENT_MAX:
            return
        assert period is not None and territory is not None  # mypy
        cell = Cell(element or "", territory, period.code, self.source, sex or "", age_group or "")
        _row, where = self.value_set.where(index)
        if deleting:
            if cell in self.collector.values:
                add(index, "deleted", _("deletes a value this file also gives"))
            self.deletions.setdefault(cell, where)
            return
        if value is None:
            return
        if cell in self.deletions:
            add(index, "value", _("gives a value this file also deletes"))
            return
        self.collector.add(cell, Planned(period, value, comment, part=where))

    def _value(self, index: int, raw: Any) -> Decimal | None:
        text = "" if raw is None or isinstance(raw, bool) else str(raw).strip()
        if not _NUMBER.fullmatch(text):
            self.problems.add(
                index,
                "value",
                _("“%(value)s” is not a number") % {"value": "" if raw is None else raw},
            )
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            self.problems.add(index, "value", _("“%(value)s” is not a number") % {"value": raw})
            return None
        if not 0 <= value <= MAX_VALUE:
            self.problems.add(
                index, "value", _("%(value)s is not a plausible value") % {"value": raw}
            )
            return None
        return value


@dataclass(frozen=True)
class Unmapped:
    """An identifier of a file that neither our definitions nor the mapping table resolve."""

    kind: str  # Dhis2Kind
    scheme: str
    identifier: str
    values: int  # how many entries of the file use it


def unmapped(
    path: Path, *, name: str | None = None, options: Options | None = None
) -> list[Unmapped]:
    """The data element, org unit and category option combo identifiers of a data value
    set that cannot be placed, under the id schemes the file declares, each once with
    how many entries use it: what a row of the DHIS2 mapping table would resolve.

    Raises BadFile when the file cannot be read, ValueError for an unknown id scheme.
    """
    options = options or Options()
    file = display_name(path, name)
    value_set = _load(path, file)
    lookups = _Lookups(schemes(value_set.header), options.org_unit_scheme)
    # A top-level orgUnit applies to the entries that leave theirs out.
    default_org_unit = value_set.header.get("orgUnit") or ""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for item in value_set.values:
        if not isinstance(item, dict):
            continue
        element = str(item.get("dataElement") or "").strip()
        org_unit = str(item.get("orgUnit") or default_org_unit).strip()
        combo_text = str(item.get("categoryOptionCombo") or "").strip()
        if element and lookups.element(element) is None:
            counts[(Dhis2Kind.DATA_ELEMENT, element)] += 1
        if org_unit and lookups.territory(org_unit)[0] is None:
            counts[(Dhis2Kind.ORG_UNIT, org_unit)] += 1
        if combo_text:
            try:
                lookups.combo(combo_text)
            except ValueError:
                counts[(Dhis2Kind.CATEGORY_OPTION_COMBO, combo_text)] += 1
    order = list(Dhis2Kind.values)
    return [
        Unmapped(kind, lookups.scheme(kind), identifier, counts[(kind, identifier)])
        for kind, identifier in sorted(counts, key=lambda key: (order.index(key[0]), key[1]))
    ]
