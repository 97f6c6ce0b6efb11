"""What every crime-data importer shares: the plan of values, the lookups, one write.

An import has two phases, as for every importer (``core.reading``):
``check`` reads the whole file and collects every problem without writing; then
``write`` stores the plan in one transaction as a new ``Extraction``. A newer
file of the same dataset replaces the values of the current extraction: they
are soft-deleted and the new extraction points at the old one, so the change
between the two can be shown (``revisions``). The identical file (same SHA-256)
changes nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from convivencia.accounts import audit
from convivencia.accounts.choices import AuditAction
from convivencia.core.bulk import insert_rows
from convivencia.core.fields import max_length
from convivencia.core.reading import BadFile, ImportReport, Problem, Progress, no_progress
from convivencia.core.text import fold
from convivencia.indicators import presets, revisions, rollup
from convivencia.indicators.choices import AgeGroup, Sex, Source, ValueType
from convivencia.indicators.models import DataElement, DataValue, Extraction
from convivencia.indicators.periods import Period
from convivencia.indicators.revisions import Cell
from convivencia.territories.choices import Scheme
from convivencia.territories.data import CODE_WIDTHS
from convivencia.territories.models import TerritoryCode

DATASET_MAX = max_length(Extraction, "dataset")
NOTE_MAX = max_length(Extraction, "note")
COMMENT_MAX = max_length(DataValue, "comment")
WEAPON_MAX = max_length(DataValue, "weapon")
SUBTYPE_MAX = max_length(DataValue, "subtype")


# --- options and plan --------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """What the person importing says about a file that the file does not say itself."""

    source: str | None = None  # Source code; each format has its default
    element: str | None = None  # data element code for single-element files
    dataset: str | None = None  # to name (and so replace) a dataset explicitly
    org_unit_scheme: str | None = None  # DHIS2: the scheme orgUnit codes are in
    through: str | None = None  # SESNSP: the last month the figures cover, "2025-06"

    def as_params(self) -> dict[str, str]:
        """JSON-able, for a job's params (only what was given)."""
        return {key: value for key, value in asdict(self).items() if value}

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Options:
        """The options among a job's params (which also hold the format and file name)."""
        names = {option.name for option in fields(cls)}
        return cls(
            **{
                key: str(value)
                for key, value in params.items()
                if key in names and value not in (None, "")
            }
        )


@dataclass
class Planned:
    """One value to store, and where in the file it came from (for messages)."""

    period: Period
    value: Decimal
    comment: str = ""
    row: int | None = None
    column: str | None = None
    part: str = ""


@dataclass
class Plan:
    """Everything a checked file would store; nothing is written yet."""

    format: str
    file: str
    checksum: str
    dataset: str = ""
    note: str = ""
    values: dict[Cell, Planned] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    current_id: int | None = None  # the extraction of this dataset it would replace
    identical: bool = False  # the current extraction is this very file

    @property
    def total(self) -> Decimal:
        return sum((planned.value for planned in self.values.values()), Decimal(0))

    @property
    def elements(self) -> set[str]:
        return {cell.element for cell in self.values}

    @property
    def sources(self) -> set[str]:
        return {cell.source for cell in self.values}

    @property
    def start(self) -> datetime.date:
        return min(planned.period.start for planned in self.values.values())

    @property
    def end(self) -> datetime.date:
        return max(planned.period.end for planned in self.values.values())

    def cell_values(self) -> dict[Cell, float]:
        return {cell: float(planned.value) for cell, planned in self.values.items()}


def checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def display(number: float | Decimal | int) -> str:
    """A figure in the reader's language: 13.555 in Spanish, 13,555 in English."""
    whole_decimal = (
        isinstance(number, Decimal) and number.is_finite() and (number == number.to_integral())
    )
    whole_float = isinstance(number, float) and number.is_integer()
    if whole_decimal or whole_float:
        number = int(number)
    return number_format(number, force_grouping=True)


# --- collecting values --------------------------------------------------------------------


class Collector:
    """Values by cell; a second value for a cell is summed or reported, as the format says."""

    def __init__(self, problems: list[Problem], file: str) -> None:
        self.problems = problems
        self.file = file
        self.values: dict[Cell, Planned] = {}

    def add(self, cell: Cell, planned: Planned, *, accumulate: bool = False) -> None:
        existing = self.values.get(cell)
        if existing is None:
            self.values[cell] = planned
            return
        if accumulate:
            # The Policía's rows are single days: a month's value is their sum.
            existing.value += planned.value
            return
        where = existing.part or (
            _("row %(number)s") % {"number": existing.row} if existing.row else ""
        )
        self.problems.append(
            Problem(
                self.file,
                planned.row,
                planned.column,
                _(
                    "a second value for the same data element, territory, period, source and "
                    "disaggregation (first in %(where)s)"
                )
                % {"where": where},
                part=planned.part,
            )
        )


# --- lookups ------------------------------------------------------------------------------


class Territories:
    """Territory ids by code under one scheme, read once per import."""

    def __init__(self, scheme: str, level: int | None = None) -> None:
        self.scheme = scheme
        rows = TerritoryCode.objects.filter(scheme=scheme)
        if level is not None:
            rows = rows.filter(territory__level=level)
        self.ids: dict[str, int] = dict(rows.values_list("code", "territory_id"))

    def __bool__(self) -> bool:
        return bool(self.ids)

    def normalise(self, code: str) -> str:
        """Codes as stored: ISO in capitals; numeric codes with the zeros a spreadsheet
        dropped put back (5001 → 05001)."""
        code = code.strip()
        if re.fullmatch(r"[0-9]+\.0+", code):
            code = code.split(".")[0]
        if self.scheme == Scheme.ISO:
            return code.upper()
        widths = CODE_WIDTHS.get(self.scheme)
        if widths and code.isdigit() and len(code) not in widths:
            wider = [width for width in widths if width > len(code)]
            if wider:
                return code.zfill(min(wider))
        return code

    def get(self, code: str) -> int | None:
        return self.ids.get(self.normalise(code))


class Elements:
    """Data elements by code or DHIS2 uid, including the standard ones not yet created.

    A standard element (``presets.ELEMENTS``) is created when the first file using
    it is written, so a fresh installation can import without a setup step.
    """

    def __init__(self) -> None:
        self.codes: dict[str, str] = {}
        self.types: dict[str, str] = {}
        for code in presets.ELEMENTS:
            self.codes[code] = code
            self.types[code] = ValueType.INTEGER
        for code, uid, value_type in DataElement.objects.values_list(
            "code", "dhis2_uid", "value_type"
        ):
            self.codes[code] = code
            self.types[code] = value_type
            if uid:
                self.codes[uid] = code

    def get(self, text: str) -> str | None:
        text = text.strip()
        return self.codes.get(text) or self.codes.get(text.lower())

    def is_integer(self, code: str) -> bool:
        return self.types.get(code) == ValueType.INTEGER

    def known(self) -> str:
        return ", ".join(sorted(set(self.codes.values())))


def source_code(text: str) -> str | None:
    """A Source from its code, its English label or the usual Spanish/Portuguese word."""
    folded = fold(text)
    for source in Source:
        if folded in (source.value, fold(str(source.label))):
            return source.value
    return _SOURCE_WORDS.get(folded)


_SOURCE_WORDS = {
    "policia": Source.POLICE,
    "policia nacional": Source.POLICE,
    "dijin": Source.POLICE,
    "fiscalia": Source.PROSECUTOR,
    "ministerio publico": Source.PROSECUTOR,
    "sesnsp": Source.PROSECUTOR,
    "medicina legal": Source.FORENSIC,
    "inmlcf": Source.FORENSIC,
    "forense": Source.FORENSIC,
    "salud": Source.HEALTH,
    "sivigila": Source.HEALTH,
    "encuesta": Source.SURVEY,
    "comunidad": Source.COMMUNITY,
    "comunitario": Source.COMMUNITY,
    "policia militar": Source.POLICE,
}

# Words publishers use for sex and age groups, folded (see ``core.text.fold``).
SEX_WORDS: dict[str, str] = {
    "female": Sex.FEMALE,
    "f": Sex.FEMALE,
    "femenino": Sex.FEMALE,
    "mujer": Sex.FEMALE,
    "mujeres": Sex.FEMALE,
    "feminino": Sex.FEMALE,
    "mulher": Sex.FEMALE,
    "male": Sex.MALE,
    "m": Sex.MALE,
    "masculino": Sex.MALE,
    "hombre": Sex.MALE,
    "hombres": Sex.MALE,
    "homem": Sex.MALE,
    "unknown": Sex.UNKNOWN,
    "no reporta": Sex.UNKNOWN,
    "no reportado": Sex.UNKNOWN,
    "sin dato": Sex.UNKNOWN,
    "sin informacion": Sex.UNKNOWN,
    "no identificado": Sex.UNKNOWN,
    "no informa": Sex.UNKNOWN,
    "not recorded": Sex.UNKNOWN,
    "ignorado": Sex.UNKNOWN,
}
AGE_WORDS: dict[str, str] = {
    "0 11": AgeGroup.CHILDREN,
    "children": AgeGroup.CHILDREN,
    "ninos": AgeGroup.CHILDREN,
    "menores": AgeGroup.CHILDREN,
    "ninas y ninos": AgeGroup.CHILDREN,
    "criancas": AgeGroup.CHILDREN,
    "12 17": AgeGroup.ADOLESCENTS,
    "adolescents": AgeGroup.ADOLESCENTS,
    "adolescentes": AgeGroup.ADOLESCENTS,
    "18 plus": AgeGroup.ADULTS,
    "18": AgeGroup.ADULTS,
    "adults": AgeGroup.ADULTS,
    "adultos": AgeGroup.ADULTS,
    "adulto": AgeGroup.ADULTS,
    "mayores de edad": AgeGroup.ADULTS,
    "unknown": AgeGroup.UNKNOWN,
    "no reporta": AgeGroup.UNKNOWN,
    "no reportado": AgeGroup.UNKNOWN,
    "sin dato": AgeGroup.UNKNOWN,
    "sin informacion": AgeGroup.UNKNOWN,
    "not recorded": AgeGroup.UNKNOWN,
    "no identificado": AgeGroup.UNKNOWN,
    "ignorado": AgeGroup.UNKNOWN,
}
for _choice in Sex:
    SEX_WORDS.setdefault(fold(str(_choice.label)), _choice.value)
for _group in AgeGroup:
    AGE_WORDS.setdefault(fold(_group.value), _group.value)
    AGE_WORDS.setdefault(fold(str(_group.label)), _group.value)


def sex_code(text: str) -> str:
    """'' for an empty cell; raises ValueError for a word that is not a sex."""
    if not text.strip():
        return ""
    code = SEX_WORDS.get(fold(text))
    if code is None:
        raise ValueError(
            _("“%(value)s” is not a sex this importer knows (%(known)s)")
            % {
                "value": text,
                "known": ", ".join(Sex.values),
            }
        )
    return code


def age_group_code(text: str) -> str:
    """'' for an empty cell; an age in years goes to its group; ValueError otherwise."""
    if not text.strip():
        return ""
    folded = fold(text)
    if folded.isdigit() and len(folded) <= 3:
        # An age in years ("EDAD" columns). "18" alone also names the adults' group.
        age = int(folded)
        if age < 12:
            return AgeGroup.CHILDREN
        return AgeGroup.ADOLESCENTS if age < 18 else AgeGroup.ADULTS
    code = AGE_WORDS.get(folded)
    if code is None:
        raise ValueError(
            _("“%(value)s” is not an age group this importer knows (%(known)s)")
            % {"value": text, "known": ", ".join(AgeGroup.values)}
        )
    return code


def slug(text: str, max_length: int) -> str:
    """A folded slug of a publisher's wording: 'ARMA BLANCA / CORTOPUNZANTE' →
    'arma-blanca-cortopunzante'. Kept as the file says it, so nothing is reclassified."""
    value = fold(text).replace(" ", "-")
    if len(value) > max_length:
        raise ValueError(
            _("“%(value)s” is longer than %(max)s characters")
            % {
                "value": text,
                "max": max_length,
            }
        )
    return value


# --- finishing the check --------------------------------------------------------------------


def current_extraction(dataset: str) -> Extraction | None:
    """The dataset's newest extraction that no other has replaced."""
    return (
        Extraction.objects.filter(dataset=dataset, replaced_by__isnull=True)
        .order_by("-imported_at", "-pk")
        .first()
    )


def finish(plan: Plan, problems: list[Problem], progress: Progress = no_progress) -> Plan:
    """The checks every format shares, after its own; raises BadFile with all problems."""
    if problems:
        raise BadFile(problems)
    if not plan.values:
        raise BadFile([Problem(plan.file, None, None, _("has no values to import"))])
    if not plan.dataset or len(plan.dataset) > DATASET_MAX:
        raise BadFile(
            [
                Problem(
                    plan.file,
                    None,
                    None,
                    _("the dataset name must have 1 to %(max)s characters") % {"max": DATASET_MAX},
                )
            ]
        )
    progress(0, 0, _("Comparing with the values already stored…"))
    current = current_extraction(plan.dataset)
    plan.current_id = current.pk if current else None
    plan.identical = current is not None and current.checksum == plan.checksum
    problems.extend(_conflicts(plan))
    if problems:
        raise BadFile(problems)
    return plan


def _conflicts(plan: Plan) -> Iterator[Problem]:
    """Cells already held by another dataset (or typed in by hand).

    One cell has one current value; silently replacing another dataset's value
    would make that dataset's extraction wrong, so the file is refused instead.
    """
    rows = (
        DataValue.objects.current()
        .filter(
            element__code__in=plan.elements,
            source__in=plan.sources,
            start__gte=plan.start,
            end__lte=plan.end,
        )
        .exclude(Q(extraction_id=plan.current_id) if plan.current_id else Q(pk__in=[]))
        .values_list(
            "element__code",
            "territory_id",
            "period",
            "source",
            "sex",
            "age_group",
            "weapon",
            "subtype",
            "extraction_id",
            "extraction__dataset",
            "extraction__file_name",
        )
    )
    for row in rows.iterator(chunk_size=10_000):
        cell = Cell(*row[:8])
        planned = plan.values.get(cell)
        if planned is None:
            continue
        extraction_id, dataset, file_name = row[8:]
        if extraction_id is None:
            message = _("this cell already has a value entered by hand; delete it before importing")
        else:
            message = _(
                "this cell already has a value from dataset “%(dataset)s” (extraction "
                "%(id)s, file %(file)s); to replace that dataset, import under its name "
                "(--dataset %(dataset)s)"
            ) % {"dataset": dataset, "id": extraction_id, "file": file_name}
        yield Problem(plan.file, planned.row, planned.column, message, part=planned.part)


# --- preview and writing ----------------------------------------------------------------------


def preview(plan: Plan, limit: int = 20) -> dict[str, Any]:
    """What writing the plan would do, for a dry run: counts and the largest differences."""
    current = Extraction.objects.filter(pk=plan.current_id).first() if plan.current_id else None
    old = revisions.cells(current) if current else {}
    new = plan.cell_values()
    return {
        "dataset": plan.dataset,
        "values": len(new),
        "total": plan.total,
        "current": current,
        "identical": plan.identical,
        "summary": revisions.summary(old, new),
        "differences": (
            revisions.compare(old, new, disaggregated=False, limit=limit) if current else []
        ),
    }


@dataclass
class Outcome:
    """What ``write`` did: the report, the extraction now current, and what it replaced."""

    report: ImportReport
    extraction: Extraction
    replaced: Extraction | None
    changed: bool

    def as_dict(self) -> dict[str, Any]:
        result = self.report.as_dict()
        result["extraction"] = self.extraction.pk
        result["dataset"] = self.extraction.dataset
        result["values"] = self.extraction.values
        result["total"] = self.extraction.total
        result["changed"] = self.changed
        if self.replaced is not None:
            result["replaces"] = self.replaced.pk
        return result

    def lines(self) -> list[str]:
        return self.report.lines()


def write(plan: Plan, *, user=None, progress: Progress = no_progress) -> Outcome:
    """Store the plan as one extraction (in one transaction); see the module docstring."""
    started = time.monotonic()
    outcome = _write(plan, user, progress)
    outcome.report.seconds = time.monotonic() - started
    return outcome


@transaction.atomic
def _write(plan: Plan, user, progress: Progress) -> Outcome:
    label = _("Values")
    current = current_extraction(plan.dataset)
    if current is not None and current.checksum == plan.checksum:
        report = ImportReport(
            notes=[
                _(
                    "This file was already imported as extraction %(id)s on %(date)s; "
                    "nothing changed."
                )
                % {"id": current.pk, "date": current.imported_at.date().isoformat()}
            ]
        )
        report.add(label, "unchanged", current.values)
        audit.record(
            AuditAction.IMPORT,
            current,
            actor=user,
            changes={
                "file": plan.file,
                "checksum": plan.checksum,
                "unchanged": True,
            },
        )
        return Outcome(report, current, None, changed=False)

    element_ids = _ensure_elements(plan.elements)
    old = revisions.cells(current) if current else {}
    extraction = Extraction.objects.create(
        dataset=plan.dataset,
        format=plan.format,
        file_name=plan.file[:255],
        checksum=plan.checksum,
        note=plan.note[:NOTE_MAX],
        values=len(plan.values),
        total=float(plan.total),
        replaces=current,
        imported_by=user,
    )
    old_range: tuple[datetime.date, datetime.date] | None = None
    old_elements: set[int] = set()
    old_sources: set[str] = set()
    if current is not None:
        replaced = DataValue.objects.filter(extraction=current, deleted_at__isnull=True)
        for element_id, source, start, end in replaced.values_list(
            "element_id", "source", "start", "end"
        ).distinct():
            old_elements.add(element_id)
            old_sources.add(source)
            old_range = (
                min(start, old_range[0]) if old_range else start,
                max(end, old_range[1]) if old_range else end,
            )
        replaced.update(deleted_at=timezone.now())

    progress(0, len(plan.values), _("Saving values…"))
    now = timezone.now()
    user_id = user.pk if user is not None else None
    rows = [
        (
            element_ids[cell.element],
            cell.territory_id,
            planned.period.code,
            planned.period.type,
            planned.period.start,
            planned.period.end,
            cell.source,
            cell.sex,
            cell.age_group,
            cell.weapon,
            cell.subtype,
            float(planned.value),
            planned.comment[:COMMENT_MAX],
            extraction.pk,
            user_id,
            now,
            None,
        )
        for cell, planned in plan.values.items()
    ]
    insert_values(rows)

    report = ImportReport(notes=list(plan.notes))
    new = plan.cell_values()
    counts = revisions.summary(old, new)
    report.add(label, "created", int(counts[revisions.ADDED]))
    report.add(label, "updated", int(counts[revisions.CHANGED]))
    report.add(label, "unchanged", int(counts[revisions.UNCHANGED]))
    report.notes.append(
        _("Extraction %(id)s of “%(dataset)s”: %(values)s values adding up to %(total)s.")
        % {
            "id": extraction.pk,
            "dataset": plan.dataset,
            "values": display(len(new)),
            "total": display(plan.total),
        }
    )
    if current is not None:
        report.notes.append(
            _(
                "It replaces extraction %(id)s (total %(old)s); %(removed)s of its values are "
                "not in the new file."
            )
            % {
                "id": current.pk,
                "old": display(counts["old_total"]),
                "removed": display(counts[revisions.REMOVED]),
            }
        )

    progress(len(plan.values), len(plan.values), _("Updating totals…"))
    start, end = plan.start, plan.end
    if old_range is not None:
        start, end = min(start, old_range[0]), max(end, old_range[1])
    rollup.refresh(set(element_ids.values()) | old_elements, plan.sources | old_sources, start, end)
    audit.record(
        AuditAction.IMPORT,
        extraction,
        actor=user,
        changes={
            "dataset": plan.dataset,
            "format": plan.format,
            "file": plan.file,
            "checksum": plan.checksum,
            "values": len(new),
            "total": float(plan.total),
            "replaces": current.pk if current else None,
        },
    )
    return Outcome(report, extraction, current, changed=True)


# The columns ``insert_values`` fills, in the order of its tuples.
INSERT_FIELDS = (
    "element",
    "territory",
    "period",
    "period_type",
    "start",
    "end",
    "source",
    "sex",
    "age_group",
    "weapon",
    "subtype",
    "value",
    "comment",
    "extraction",
    "stored_by",
    "stored_at",
    "deleted_at",
)


def insert_values(rows: list[tuple[Any, ...]]) -> None:
    """Insert DataValue rows given as plain tuples (``INSERT_FIELDS`` order).

    A file holds up to hundreds of thousands of values: see ``core.bulk.insert_rows``.
    """
    if not rows:
        return
    date = connection.ops.adapt_datefield_value
    moment = connection.ops.adapt_datetimefield_value
    dates: dict[datetime.date, Any] = {}
    moments: dict[datetime.datetime, Any] = {}

    def adapted(row: Sequence[Any]) -> tuple[Any, ...]:
        # A file has a few dozen distinct dates and one import time: adapt each once.
        start, end, stored_at = row[4], row[5], row[15]
        if start not in dates:
            dates[start] = date(start)
        if end not in dates:
            dates[end] = date(end)
        if stored_at not in moments:
            moments[stored_at] = moment(stored_at)
        return (*row[:4], dates[start], dates[end], *row[6:15], moments[stored_at], row[16])

    insert_rows(DataValue, INSERT_FIELDS, rows, adapt=adapted)


def _ensure_elements(codes: Iterable[str]) -> dict[str, int]:
    """Element ids by code, creating the standard elements a file is the first to use."""
    codes = set(codes)
    found = dict(DataElement.objects.filter(code__in=codes).values_list("code", "pk"))
    for code in codes - found.keys():
        element = DataElement.objects.create(code=code, name=presets.ELEMENTS[code])
        found[code] = element.pk
    return found
