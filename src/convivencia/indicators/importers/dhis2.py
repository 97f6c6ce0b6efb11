"""DHIS2 data value sets (JSON), as ``/api/dataValueSets`` exports and accepts them.

    {"dataSet": "…", "dataValues": [
        {"dataElement": "homicides", "period": "202403", "orgUnit": "19001",
         "categoryOptionCombo": "female, 18+", "attributeOptionCombo": "default",
         "value": "12", "comment": "…"}]}

- ``dataElement``: a data element's DHIS2 uid or its code.
- ``orgUnit``: a territory's code under the scheme the import names
  (--org-unit-scheme: dhis2, the default, for uids; or divipola, inegi, ibge, iso).
- ``period``: DHIS2 periods: 2024, 2024S1, 2024Q1, 202403, 2024W5, 20240315.
- ``categoryOptionCombo``: sex and age group by this mapping (case, accents and
  punctuation ignored): "default", empty or DHIS2's default uid HllvX50cXC0 mean
  not disaggregated; otherwise one or two parts separated by commas, each a sex
  (female, male, unknown; femenino, masculino, mujer, hombre, F, M) or an age
  group (0-11, 12-17, 18+; children, adolescents, adults; menores, adolescentes,
  adultos). Anything else is a problem: say it with these words.
- ``attributeOptionCombo``: only the default can be stored.
- ``value``: a number with a decimal point, as DHIS2 writes it.
- Values marked ``"deleted": true`` are skipped. Top-level ``period``, ``orgUnit``
  and ``attributeOptionCombo`` apply to the values that leave them out.

The source is not in the file: the import names it (--source). The dataset is
"dhis2:" and the file's ``dataSet`` (or its name), unless the import names it.
``export`` writes stored values back in this shape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
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
from convivencia.indicators import periods
from convivencia.indicators.choices import AgeGroup, PeriodType, Sex, Source
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
    finish,
    source_code,
)
from convivencia.indicators.models import DataValue
from convivencia.indicators.revisions import Cell
from convivencia.territories.choices import Scheme
from convivencia.territories.models import TerritoryCode

FORMAT = "dhis2"
DEFAULT_COMBO_UID = "HllvX50cXC0"  # DHIS2's built-in "default" category option combo
_DEFAULT_COMBOS = {"", "default", fold(DEFAULT_COMBO_UID)}
MAX_VALUE = Decimal(10) ** 12
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")

# How ``export`` writes sex and age groups (and ``combo`` reads them back).
SEX_LABELS: dict[str, str] = {Sex.FEMALE: "female", Sex.MALE: "male", Sex.UNKNOWN: "unknown sex"}
AGE_LABELS: dict[str, str] = {
    AgeGroup.CHILDREN: "0-11",
    AgeGroup.ADOLESCENTS: "12-17",
    AgeGroup.ADULTS: "18+",
    AgeGroup.UNKNOWN: "unknown age",
}
_SEX_ONLY = {"unknown sex": Sex.UNKNOWN}
_AGE_ONLY = {"unknown age": AgeGroup.UNKNOWN, "18 plus": AgeGroup.ADULTS}


def combo(text: str) -> tuple[str, str]:
    """(sex, age group) of a category option combo; raises ValueError if unknown."""
    if fold(text) in _DEFAULT_COMBOS:
        return "", ""
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
                    "default, a sex (female, male), an age group (0-11, 12-17, 18+) or both "
                    "separated by a comma"
                )
                % {"value": text}
            )
    return sex, age


def combo_text(sex: str, age_group: str) -> str:
    parts = [label for label in (SEX_LABELS.get(sex), AGE_LABELS.get(age_group)) if label]
    return ", ".join(parts) or "default"


class _Problems:
    """Problems placed at dataValues[index] and a key, as DHIS2 users read them."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Problem] = []

    def add(self, index: int | None, key: str | None, message: str) -> None:
        part = f"dataValues[{index}]" if index is not None else ""
        self.items.append(Problem(self.file, None, key, message, part=part))

    def raise_if_any(self) -> None:
        if self.items:
            raise BadFile(self.items)


def _load(path: Path, file: str) -> dict[str, Any]:
    data = read_bounded_bytes(path, file)
    text = decode_text(data, file, tabular=False)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadFile(
            [
                Problem(
                    file,
                    exc.lineno,
                    None,
                    _("is not valid JSON: %(error)s (column %(column)s)")
                    % {"error": exc.msg, "column": exc.colno},
                )
            ]
        ) from exc
    if not isinstance(document, dict) or not isinstance(document.get("dataValues"), list):
        raise BadFile(
            [
                Problem(
                    file,
                    None,
                    "dataValues",
                    _("is not a DHIS2 data value set: it needs an object with a “dataValues” list"),
                )
            ]
        )
    return document


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
    document = _load(path, file)
    problems = _Problems(file)
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
    scheme = options.org_unit_scheme or Scheme.DHIS2
    if scheme not in Scheme.values:
        problems.add(
            None,
            None,
            _("“%(value)s” is not a code scheme (%(known)s)")
            % {"value": scheme, "known": ", ".join(Scheme.values)},
        )
    problems.raise_if_any()
    assert source is not None

    reader = _Reader(file, problems, source, Territories(scheme), document)
    values = document["dataValues"]
    for index, item in enumerate(values):
        if index and index % 2000 == 0:
            progress(
                index,
                len(values),
                _("Checked %(done)s of %(total)s values") % {"done": index, "total": len(values)},
            )
        reader.read(index, item)
    data_set = str(document.get("dataSet") or "").strip()
    stem = fold(Path(file).stem).replace(" ", "-")
    plan = Plan(
        format=FORMAT,
        file=file,
        checksum=checksum(path),
        dataset=options.dataset or f"{FORMAT}:{data_set or stem}",
        values=reader.collector.values,
    )
    if reader.skipped:
        plan.notes.append(
            _("%(count)s values marked as deleted were skipped.") % {"count": reader.skipped}
        )
    return finish(plan, problems.items, progress)


class _Reader:
    def __init__(
        self,
        file: str,
        problems: _Problems,
        source: str,
        territories: Territories,
        document: dict[str, Any],
    ) -> None:
        self.problems = problems
        self.source = source
        self.territories = territories
        self.elements = Elements()
        self.defaults = {
            key: document.get(key) for key in ("period", "orgUnit", "attributeOptionCombo")
        }
        self.collector = Collector(problems.items, file)
        self.skipped = 0

    def _text(self, item: dict[str, Any], key: str) -> str:
        value = item.get(key, self.defaults.get(key))
        return "" if value is None else str(value).strip()

    def read(self, index: int, item: Any) -> None:
        add = self.problems.add
        if not isinstance(item, dict):
            add(index, None, _("is not an object"))
            return
        if item.get("deleted") is True:
            self.skipped += 1
            return
        element = self.elements.get(self._text(item, "dataElement"))
        if element is None:
            add(
                index,
                "dataElement",
                _("no data element has the DHIS2 uid or code “%(value)s”")
                % {"value": self._text(item, "dataElement")},
            )
        org_unit = self._text(item, "orgUnit")
        territory = self.territories.get(org_unit) if org_unit else None
        if territory is None:
            add(
                index,
                "orgUnit",
                _("no territory has the %(scheme)s code “%(code)s”")
                % {"scheme": self.territories.scheme, "code": org_unit},
            )
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
            sex, age_group = combo(self._text(item, "categoryOptionCombo"))
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
        value = self._value(index, item)
        comment = " ".join(self._text(item, "comment").split())
        if len(comment) > COMMENT_MAX:
            add(
                index,
                "comment",
                _("the comment is longer than %(max)s characters") % {"max": COMMENT_MAX},
            )
        parts = (element, territory, period, sex, age_group, value)
        if any(part is None for part in parts) or len(comment) > COMMENT_MAX:
            return
        assert period is not None and value is not None and territory is not None  # mypy
        cell = Cell(element or "", territory, period.code, self.source, sex or "", age_group or "")
        self.collector.add(cell, Planned(period, value, comment, part=f"dataValues[{index}]"))

    def _value(self, index: int, item: dict[str, Any]) -> Decimal | None:
        raw = item.get("value")
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


# --- export -------------------------------------------------------------------------------


def dhis2_period(code: str, kind: str) -> str:
    """Our period code as DHIS2 writes it: 2024-03 → 202403, 2024-03-15 → 20240315."""
    if kind in (PeriodType.MONTH, PeriodType.DAY):
        return code.replace("-", "")
    if kind == PeriodType.WEEK:
        year, week = code.split("W")
        return f"{year}W{int(week)}"
    return code


def export(values: Iterable[DataValue], org_unit_scheme: str = Scheme.DHIS2) -> dict[str, Any]:
    """Values as a data value set. Weapons and subtypes have no place in the mapping: a
    value carrying one raises ValueError rather than being merged silently."""
    rows = list(values)
    codes = dict(
        TerritoryCode.objects.filter(
            scheme=org_unit_scheme, territory_id__in={row.territory_id for row in rows}
        ).values_list("territory_id", "code")
    )
    data_values = []
    for row in rows:
        if row.weapon or row.subtype:
            raise ValueError(f"value {row.pk} has a weapon or subtype, which DHIS2 cannot hold")
        if row.territory_id not in codes:
            raise ValueError(f"territory {row.territory_id} has no {org_unit_scheme} code")
        item = {
            "dataElement": row.element.dhis2_uid or row.element.code,
            "period": dhis2_period(row.period, row.period_type),
            "orgUnit": codes[row.territory_id],
            "categoryOptionCombo": combo_text(row.sex, row.age_group),
            "attributeOptionCombo": "default",
            "value": _value_text(row.value),
        }
        if row.comment:
            item["comment"] = row.comment
        data_values.append(item)
    return {"dataValues": data_values}


def _value_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
