"""Reading KoBoToolbox and ODK Central exports into submissions for ``collection``.

This module only reads files: which column is the respondent, the submission id,
the time, and which item each column answers. Every answer is then checked by
``collection.validate`` / ``collection.accept``, the one validation path.

What it reads:

- CSV with ``;`` or ``,`` (UTF-8 with or without BOM, or Latin-1), .xlsx and .xls,
  through ``core.reading.read_table``; row numbers are those a
  spreadsheet shows (the header is row 1), empty rows are skipped;
- item columns by code, case-insensitively, with group prefixes stripped
  (``grupo_confianza/B18`` from KoBoToolbox, ``grupo_confianza-B18`` from ODK
  Central), or by the question's wording in any site language (KoBoToolbox's
  "labels" export), folded so that case, accents and punctuation do not matter;
- multiple choice as one space-separated column, or as one 0/1 column per option
  (``PROBLEMS/1``, ``PROBLEMS/extortion`` or ``<question text>/<option label>``);
- metadata columns (``_id``, ``start``, ``SubmitterName``…) are ignored and listed;
  any other unknown column is reported as a warning, never silently dropped;
- a form made elsewhere is read through its mapping (``panels.mapping``): columns by
  field name with groups joined by ``/``, ``.`` or ``-``, or by label in any form
  language; option names or labels turned into the values the coordinator gave them;
  fields kept raw stored as they came; a repeat's flattened columns
  (``children[1]/childs_name``, ``children[2]/childs_name``…) gathered into one
  {question: answer} per instance, as OpenRosa submissions keep them; in a
  KoBoToolbox XLSX export, a repeat's own sheet (named after it) joined to its
  submissions by ``_parent_index``;
- multiple choice: when a question has per-option 0/1 columns they are read (they are
  unambiguous) and its single column is listed as ignored: a "labels" export joins
  labels that hold spaces themselves ("Robos y hurtos Grupos armados");
- review statuses: KoBoToolbox's ``_validation_status`` and ODK Central's
  ``ReviewState``. Rows rejected in the source ("Not Approved", "rejected") are
  skipped and counted unless the importer asks for them; the others keep their
  status on the submission;
- two columns with the same name refuse the file, naming the column: which of the
  two holds the answers cannot be told.

Submission ids. KoBoToolbox's ``_uuid`` is a bare UUID; ODK's ``meta/instanceID``
and ODK Central's ``KEY`` carry a ``uuid:`` prefix. Every id that is a UUID is
stored as ``uuid:<lower-case UUID>`` (the OpenRosa form, which the web form and
ODK Collect use too), so one submission exported by both tools, or sent by ODK
Collect and later imported from a file, is recognised as the same and stored
once. Ids that are not UUIDs are kept exactly as written.
"""

from __future__ import annotations

import datetime
import io
import json
import re
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from convivencia.core.reading import Problems, Row, Table, read_table
from convivencia.core.reading.bounded import delimiter
from convivencia.core.spreadsheets import CsvWriter
from convivencia.core.text import fold
from convivencia.panels import collection, mapping
from convivencia.panels.choices import (
    ANALYSED_USES,
    MISSING_CODES,
    FieldUse,
    ItemType,
    ReviewStatus,
    SubmissionSource,
)
from convivencia.panels.importers.xlsform import _RESPONDENT_LABEL, RESPONDENT_FIELD
from convivencia.panels.models import Item, Panel, Wave
from convivencia.panels.questionnaire_default import LOCAL_PROVIDER_PLACEHOLDER

Problem = collection.Problem

# Header of the column the error file adds to the rejected rows.
PROBLEMS_COLUMN = "problems"

# Names (lower case, after group prefixes are stripped) of the respondent column.
RESPONDENT_NAMES = frozenset({RESPONDENT_FIELD, "respondent_code", "respondent_id"})
# ...and the question's label, for KoBoToolbox's "labels" export.
RESPONDENT_LABELS = frozenset(fold(label) for label in _RESPONDENT_LABEL.values()) | {
    "respondent",
    "respondent code",
    "codigo del respondiente",
    "codigo do respondente",
}

# Review status columns: KoBoToolbox, ODK Central.
REVIEW_NAMES = ("_validation_status", "reviewstate")
# How the sources write a review (folded): KoBoToolbox's labels and uids, ODK's states.
REVIEW_WORDS = {
    "approved": ReviewStatus.APPROVED,
    "validation status approved": ReviewStatus.APPROVED,
    "aprobado": ReviewStatus.APPROVED,
    "not approved": ReviewStatus.REJECTED,
    "validation status not approved": ReviewStatus.REJECTED,
    "no aprobado": ReviewStatus.REJECTED,
    "rejected": ReviewStatus.REJECTED,
    "rechazado": ReviewStatus.REJECTED,
    "on hold": ReviewStatus.ON_HOLD,
    "validation status on hold": ReviewStatus.ON_HOLD,
    "en espera": ReviewStatus.ON_HOLD,
    "hasissues": ReviewStatus.HAS_ISSUES,
    "has issues": ReviewStatus.HAS_ISSUES,
    "con problemas": ReviewStatus.HAS_ISSUES,
    "edited": ReviewStatus.EDITED,
    "editado": ReviewStatus.EDITED,
}

# Submission id and time columns, best first.
ID_NAMES = ("_uuid", "instanceid", "key")
TIME_NAMES = ("_submission_time", "submissiondate", "end")
# KoBoToolbox writes _submission_time in UTC without saying so.
UTC_TIME_NAMES = frozenset({"_submission_time"})

# Metadata that KoBoToolbox and ODK Central add to exports (lower case).
META_NAMES = frozenset(
    {
        # KoBoToolbox
        "_id",
        "_uuid",
        "_index",
        "_submission_time",
        "_validation_status",
        "_notes",
        "_status",
        "_submitted_by",
        "_tags",
        "_attachments",
        "_geolocation",
        "__version__",
        "_version_",
        "_xform_id_string",
        "_parent_table_name",
        "_parent_index",
        "_submission__id",
        "_submission__uuid",
        "_media_all_received",
        "_total_media",
        "_attachments_count",
        # form metadata fields (ODK and KoBoToolbox)
        "start",
        "end",
        "today",
        "deviceid",
        "username",
        "email",
        "simserial",
        "subscriberid",
        "phonenumber",
        "audit",
        "instanceid",
        "instancename",
        "rootuuid",
        "deprecatedid",
        "formhub/uuid",
        "uuid",
        # ODK Central
        "key",
        "submissiondate",
        "submitterid",
        "submittername",
        "attachmentspresent",
        "attachmentsexpected",
        "status",
        "reviewstate",
        "edits",
        "formversion",
        "updatedat",
        "parent_key",
    }
)
# Groups that only ever hold metadata.
META_GROUPS = frozenset({"meta", "formhub", "__system"})

# A 0/1 cell of a per-option column. Spreadsheets in Spanish or Portuguese write
# booleans as VERDADERO / FALSO / VERDADEIRO.
SELECTED = frozenset({"1", "true", "verdadero", "verdadeiro"})
NOT_SELECTED = frozenset({"", "0", "false", "falso"})

NOT_APPLICABLE = "n/a"

# KoBoToolbox's XLSX export: a submission's number on the first sheet, and the number
# of the submission an instance of a repeat belongs to on the repeat's own sheet.
PARENT_INDEX_OF_MAIN = "_index"
REPEAT_PARENT_INDEX = "_parent_index"

MAX_ID_LENGTH = 100  # Submission.instance_id

_SEPARATOR = re.compile(r"[/-]")
_TIME_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y/%m/%d %H:%M:%S")


# --- ids and times -------------------------------------------------------------------------


def normalise_instance_id(value: str) -> str:
    """``uuid:<lower-case UUID>`` for any spelling of a UUID; other ids as written."""
    text = str(value or "").strip()
    body = text[5:] if text[:5].lower() == "uuid:" else text
    try:
        return f"uuid:{uuid.UUID(body.strip())}"
    except ValueError:
        return text


def parse_timestamp(text: str, *, assume_utc: bool = False) -> datetime.datetime | None:
    """An aware datetime from the ways exports write times; None when not understood.

    A time without an offset is in UTC when ``assume_utc`` (KoBoToolbox's submission
    time), else in the site's time zone (what an enumerator's phone shows).
    """
    text = str(text or "").strip()
    if not text:
        return None
    value: datetime.datetime | None = None
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        for pattern in _TIME_FORMATS:
            try:
                # Naive here; given a time zone below.
                value = datetime.datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
    if value is None:
        return None
    if timezone.is_naive(value):
        zone = datetime.UTC if assume_utc else timezone.get_default_timezone()
        value = value.replace(tzinfo=zone)
    return value


# --- matching headers ----------------------------------------------------------------------


def _suffixes(header: str) -> list[str]:
    """The header and what follows each group separator: 'g1/g2-B18' → [.., 'g2-B18', 'B18']."""
    suffixes = [header]
    suffixes += [header[match.end() :] for match in _SEPARATOR.finditer(header)]
    return [suffix.strip() for suffix in suffixes if suffix.strip()]


def _splits(header: str) -> list[tuple[str, str]]:
    """(question, option) at each separator, the last separator first."""
    matches = list(_SEPARATOR.finditer(header))
    return [
        (header[: match.start()].strip(), header[match.end() :].strip())
        for match in reversed(matches)
    ]


def _is_meta(header: str) -> bool:
    if any(suffix.lower() in META_NAMES for suffix in _suffixes(header)):
        return True
    first = _SEPARATOR.split(header, maxsplit=1)[0].strip().lower()
    # KoBoToolbox's own columns start with "_"; groups such as meta/ hold only metadata.
    return first.startswith("_") or (first in META_GROUPS and first != header.strip().lower())


class _Questions:
    """Finds the item a header names, by code or by wording."""

    def __init__(self, panel: Panel) -> None:
        self.items = list(
            panel.questionnaire.items.prefetch_related("choices").order_by("position", "pk")
        )
        self.by_code = {item.code.lower(): item for item in self.items}
        self.by_wording: dict[str, Item] = {}
        for item in self.items:
            for text in item.wording.values():
                for variant in self._variants(str(text), panel.local_provider_name):
                    folded = fold(variant)
                    self.by_wording.setdefault(folded, item)
                    # Some forms put the code before the question: "B18. ¿Hasta qué…?"
                    self.by_wording.setdefault(f"{fold(item.code)} {folded}", item)
        self.options: dict[int, dict[str, int]] = {}
        for item in self.items:
            lookup = {str(code): code for code in MISSING_CODES}
            for choice in item.choices.all():
                lookup[str(choice.value)] = choice.value
                for label in choice.label.values():
                    lookup.setdefault(fold(str(label)), choice.value)
            self.options[item.pk] = lookup

    @staticmethod
    def _variants(text: str, local_provider: str) -> list[str]:
        # Forms sent to the field carry the panel's provider name instead of the placeholder.
        if LOCAL_PROVIDER_PLACEHOLDER in text and local_provider:
            return [text.replace(LOCAL_PROVIDER_PLACEHOLDER, local_provider), text]
        return [text]

    def item(self, header: str) -> Item | None:
        for suffix in _suffixes(header):
            item = self.by_code.get(suffix.lower())
            if item is not None:
                return item
        for suffix in _suffixes(header):
            item = self.by_wording.get(fold(suffix))
            if item is not None:
                return item
        return None

    def option(self, header: str) -> tuple[Item, int] | None:
        """(multiple-choice item, option value) of a per-option 0/1 column."""
        for question, option in _splits(header):
            item = self.item(question) if question else None
            if item is None or item.type != ItemType.MULTIPLE:
                continue
            lookup = self.options[item.pk]
            value = lookup.get(option.strip())
            if value is None:
                value = lookup.get(fold(option))
            if value is not None:
                return item, value
        return None


def _named(header: str, names: Iterable[str]) -> str | None:
    """Which of ``names`` the header is, group prefixes aside."""
    wanted = set(names)
    for suffix in _suffixes(header):
        if suffix.lower() in wanted:
            return suffix.lower()
    return None


# --- reading -------------------------------------------------------------------------------


@dataclass
class Columns:
    """What each header of the file was taken for."""

    respondent: str | None = None
    instance_id: str | None = None
    submitted_at: str | None = None
    items: dict[str, Item] = field(default_factory=dict)  # header → item
    options: dict[str, tuple[Item, int]] = field(default_factory=dict)  # header → (item, value)
    review: str | None = None
    # Through the questionnaire's mapping: header → field, and raw fields' headers → name.
    mapped: dict[str, mapping.MappedField] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    # A repeat's flattened columns: header → (repeat's field name, instance number, question).
    repeats: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    # A workbook's repeat sheets: repeat's field name → the main sheet's _index → instances.
    sheets: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


@dataclass
class Export:
    """A read export: submissions for ``collection``, and what could not be read."""

    file: str
    table: Table
    delimiter: str
    columns: Columns
    raws: list[collection.RawSubmission]
    # Cells that are not answers at all (a 0/1 column holding "maybe"): the row is rejected.
    row_problems: dict[int, list[Problem]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    # Rows the source rejected (KoBoToolbox "Not Approved", ODK Central "rejected"),
    # left out unless the import asked for them.
    skipped_rejected: list[int] = field(default_factory=list)

    @property
    def rows_by_number(self) -> dict[int, Row]:
        return {row.number: row for row in self.table.rows}


def read_export(
    path: Path, panel: Panel, *, name: str | None = None, include_rejected: bool = False
) -> Export:
    """Read a KoBoToolbox or ODK Central export for ``panel``.

    Raises ``BadFile`` (every problem with the file as a whole: unreadable, a
    duplicate column, no respondent column, no id column) before any row is looked
    at. Rows rejected in the source are skipped (and counted) unless
    ``include_rejected``.
    """
    table = read_table(path, name=name)
    problems = Problems(table.file)
    form = mapping.mapping_for(panel.questionnaire_id)
    columns = _map_columns(table, _Questions(panel), problems, form)
    unread_sheets: list[str] = []
    columns.sheets = _repeat_sheets(path, table, form, problems, unread_sheets, name=name)
    problems.raise_if_any()
    export = Export(
        file=table.file, table=table, delimiter=_file_delimiter(path), columns=columns, raws=[]
    )
    export.warnings.extend(Problem(None, "", note) for note in table.notes)
    for header in columns.unknown:
        export.warnings.append(
            Problem(
                table.header_row,
                header,
                _(
                    "unknown column: it is neither a question of this questionnaire nor export "
                    "metadata, and was not read"
                ),
            )
        )
    for sheet in unread_sheets:
        export.warnings.append(
            Problem(
                None,
                "",
                _(
                    "the sheet “%(sheet)s” is not a repeat of this form and was not read "
                    "(only the first sheet and the repeats' sheets are)"
                )
                % {"sheet": sheet},
            )
        )
    for row in table.rows:
        raw = _submission(row, columns, export)
        if raw.review_status == ReviewStatus.REJECTED and not include_rejected:
            export.skipped_rejected.append(row.number)
            continue
        export.raws.append(raw)
    return export


def _sheet_names(path: Path) -> list[str]:
    """A workbook's sheets in order ([] for a CSV); read once the main sheet passed the
    reading limits."""
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == b"PK\x03\x04":
        import openpyxl

        workbook = openpyxl.load_workbook(path, read_only=True)
        try:
            return list(workbook.sheetnames)
        finally:
            workbook.close()
    if magic == b"\xd0\xcf\x11\xe0":
        import xlrd

        return list(xlrd.open_workbook(str(path), on_demand=True).sheet_names())
    return []


def _repeat_sheets(
    path: Path,
    table: Table,
    form: mapping.FormMapping,
    problems: Problems,
    unread: list[str],
    *,
    name: str | None = None,
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The instances of each repeat a KoBoToolbox XLSX export puts on its own sheet.

    KoBoToolbox writes the submissions on the first sheet and each repeat on a sheet
    named after it: one row per instance, its questions, ``_index`` and
    ``_parent_index`` (the submission's ``_index`` on the first sheet). Returns, per
    repeat field, the instances (one {question: answer} each, in the sheet's order)
    by their submission's ``_index``; other sheets are added to ``unread``.
    """
    repeats = {
        mapping.field_key(mapped.name).rsplit("/", 1)[-1][:31]: mapped
        for mapped in form.fields
        if mapped.kind in mapping.REPEAT_KINDS and mapped.use != FieldUse.IGNORED
    }
    sheets = _sheet_names(path)[1:]
    found: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for sheet in sheets:
        mapped = repeats.get(sheet.strip().lower())
        if mapped is None:
            unread.append(sheet)
            continue
        if PARENT_INDEX_OF_MAIN not in table.headers:
            problems.add(
                table.header_row,
                PARENT_INDEX_OF_MAIN,
                _(
                    "the repeat “%(repeat)s” is on the sheet “%(sheet)s”, but the first sheet "
                    "has no “_index” column to join its rows to their submissions"
                )
                % {"repeat": mapped.name, "sheet": sheet},
            )
            continue
        repeat_table = read_table(path, name=name, sheet=sheet)
        if REPEAT_PARENT_INDEX not in repeat_table.headers:
            problems.add(
                repeat_table.header_row,
                REPEAT_PARENT_INDEX,
                _(
                    "the sheet “%(sheet)s” of the repeat “%(repeat)s” has no “_parent_index” "
                    "column: its rows cannot be joined to their submissions"
                )
                % {"sheet": sheet, "repeat": mapped.name},
            )
            continue
        questions = {
            header: _repeat_question(mapped.name, header)
            for header in repeat_table.headers
            if header and not _is_meta(header)
        }
        by_parent: dict[str, list[dict[str, Any]]] = {}
        for row in repeat_table.rows:
            cells = {
                question: row.get(header)
                for header, question in questions.items()
                if row.get(header) not in ("", NOT_APPLICABLE)
            }
            if cells:
                by_parent.setdefault(row.get(REPEAT_PARENT_INDEX), []).append(cells)
        found[mapped.name] = by_parent
    return found


def _repeat_question(repeat: str, header: str) -> str:
    """A repeat sheet's column as the question inside the instance: "children/childs_name"
    (with the group hierarchy) and "childs_name" are both "childs_name"."""
    position = mapping.repeat_position(repeat, header)
    return position[1] if position is not None else header.strip()


def review_status(cell: str) -> str | None:
    """A ReviewStatus from how KoBoToolbox or ODK Central write it; "" for none, None
    when not understood. KoBoToolbox's JSON export writes {"uid": "validation_status_…"}."""
    text = str(cell or "").strip()
    if text in ("", "{}", "null", "None"):
        return ""
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return None
        text = str(data.get("uid") or data.get("label") or "") if isinstance(data, dict) else ""
        if not text:
            return ""
    return REVIEW_WORDS.get(fold(text))


def _file_delimiter(path: Path) -> str:
    """The CSV's delimiter, for an error file the user's spreadsheet opens the same way."""
    with path.open("rb") as handle:
        start = handle.read(8192)
    if start.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return ","  # a workbook: the error file is a plain CSV
    # Delimiters are ASCII: Latin-1 decodes any byte, so the header line is never lost.
    return delimiter(start.decode("latin-1"))


def _map_columns(
    table: Table,
    questions: _Questions,
    problems: Problems,
    form: mapping.FormMapping | None = None,
) -> Columns:
    columns = Columns()
    ids: dict[str, str] = {}
    times: dict[str, str] = {}
    answered: dict[int, str] = {}  # item pk → the header its single column is read from
    option_headers: list[tuple[str, Item, int]] = []
    for header, count in Counter(h for h in table.headers if h).items():
        if count > 1:
            problems.add(
                table.header_row,
                header,
                _(
                    "the column “%(name)s” appears %(count)s times: which one holds the answers "
                    "cannot be told; rename or remove the others"
                )
                % {"name": header, "count": count},
            )
    by_label = form.by_label() if form else {}
    for header in table.headers:
        if not header:
            continue
        if _named(header, REVIEW_NAMES) is not None:
            if columns.review is None:
                columns.review = header
            else:
                columns.ignored.append(header)
            continue
        if form:
            mapped = (
                form.find(header)
                or form.find(header.replace("-", "/"))
                or by_label.get(fold(header))
            )
            if mapped is not None and _take_mapped(header, mapped, columns, questions, answered):
                continue
        folded = fold(header)
        if (
            _named(header, RESPONDENT_NAMES)
            or folded in RESPONDENT_LABELS
            or any(fold(suffix) in RESPONDENT_LABELS for suffix in _suffixes(header))
        ):
            if columns.respondent is None:
                columns.respondent = header
            else:
                columns.ignored.append(header)
            continue
        id_name = _named(header, ID_NAMES)
        if id_name is not None:
            ids.setdefault(id_name, header)
            continue
        time_name = _named(header, TIME_NAMES)
        if time_name is not None:
            times.setdefault(time_name, header)
            continue
        if _is_meta(header):
            columns.ignored.append(header)
            continue
        item = questions.item(header)
        if item is not None:
            if item.pk in answered:
                # Two columns for one question (its code and its label): the first is read.
                columns.ignored.append(header)
            else:
                answered[item.pk] = header
                columns.items[header] = item
            continue
        option = questions.option(header)
        if option is None and form:
            found = form.option(header)
            if found is not None and found[0].item_code.lower() in questions.by_code:
                option = (questions.by_code[found[0].item_code.lower()], found[1])
        if option is not None:
            option_headers.append((header, *option))
            continue
        columns.unknown.append(header)
    # Per-option 0/1 columns are unambiguous: when a question has them they are read,
    # and its single column (labels joined by spaces) is listed as ignored.
    with_options = {item.pk for _header, item, _value in option_headers}
    for header, item in list(columns.items.items()):
        if item.pk in with_options:
            del columns.items[header]
            columns.mapped.pop(header, None)
            columns.ignored.append(header)
    for header, item, value in option_headers:
        columns.options[header] = (item, value)
    columns.instance_id = next((ids[name] for name in ID_NAMES if name in ids), None)
    columns.submitted_at = next((times[name] for name in TIME_NAMES if name in times), None)
    used = {columns.instance_id, columns.submitted_at}
    columns.ignored += [h for h in [*ids.values(), *times.values()] if h not in used]
    if columns.respondent is None:
        problems.add(
            table.header_row,
            RESPONDENT_FIELD,
            _(
                "no respondent column (expected “respondent” or “respondent_code”, possibly "
                "inside a group such as “group/respondent”)"
            ),
        )
    if columns.instance_id is None:
        problems.add(
            table.header_row,
            "_uuid",
            _(
                "no submission id column (expected “_uuid” from KoBoToolbox, “KEY” or "
                "“meta/instanceID” from ODK)"
            ),
        )
    if not columns.items and not columns.options:
        problems.add(
            table.header_row,
            None,
            _("no column matches a question of questionnaire %(questionnaire)s")
            % {"questionnaire": questions.items[0].questionnaire if questions.items else "—"},
        )
    return columns


def _take_mapped(
    header: str,
    mapped: mapping.MappedField,
    columns: Columns,
    questions: _Questions,
    answered: dict[int, str],
) -> bool:
    """Take a column the mapping knows; False to let the usual matching try it."""
    if mapped.use == FieldUse.RESPONDENT:
        if columns.respondent is None:
            columns.respondent = header
        else:
            columns.ignored.append(header)
        return True
    if mapped.use == FieldUse.IGNORED:
        columns.ignored.append(header)
        return True
    if mapped.use in ANALYSED_USES and mapped.item_code:
        item = questions.by_code.get(mapped.item_code.lower())
        if item is None:
            return False
        if item.pk in answered:
            columns.ignored.append(header)
        else:
            answered[item.pk] = header
            columns.items[header] = item
            columns.mapped[header] = mapped
        return True
    # A repeat's flattened columns ("children[2]/childs_name") are gathered per instance.
    position = None
    if mapped.kind in mapping.REPEAT_KINDS:
        # ODK Central joins groups with "-": "children-child[2]-name".
        position = mapping.repeat_position(mapped.name, header) or mapping.repeat_position(
            mapped.name, header.replace("-", "/")
        )
    if position is None:
        exact = mapping.field_key(header) == mapping.field_key(mapped.name)
        columns.raw[header] = mapped.name if exact else header
    else:
        columns.repeats[header] = (mapped.name, *position)
    return True


def _respondent_code(cell: str) -> str:
    # A "labels" export writes the roster choice's label, "R001 · Junta de Acción Comunal".
    return cell.split(" · ", 1)[0].strip()


def _submission(row: Row, columns: Columns, export: Export) -> collection.RawSubmission:
    # KoBoToolbox's older exports write "n/a" for a question that was not asked.
    row = Row(row.number, {k: "" if v == NOT_APPLICABLE else v for k, v in row.cells.items()})
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for header, item in columns.items.items():
        cell = row.get(header)
        if cell != "":
            mapped = columns.mapped.get(header)
            values[item.code] = mapping.read_value(cell, mapped) if mapped else cell
    raw_values: dict[str, Any] = {
        name: row.get(header) for header, name in columns.raw.items() if row.get(header) != ""
    }
    repeats: dict[str, dict[int, dict[str, Any]]] = {}
    for header, (repeat, number, question) in columns.repeats.items():
        repeats.setdefault(repeat, {}).setdefault(number, {})[question] = row.get(header)
    for repeat, cells in repeats.items():
        instances = mapping.repeat_instances(cells)
        if instances:
            raw_values[repeat] = instances
    for repeat, by_parent in columns.sheets.items():
        instances = by_parent.get(row.get(PARENT_INDEX_OF_MAIN), [])
        if instances:
            raw_values[repeat] = instances
    status = ""
    if columns.review:
        cell = row.get(columns.review)
        understood = review_status(cell)
        if understood is None:
            export.warnings.append(
                Problem(
                    row.number,
                    columns.review,
                    _("%(value)r is not a review status this import knows; it is not kept")
                    % {"value": cell},
                )
            )
        else:
            status = understood
    chosen: dict[str, list[str]] = {}
    for header, (item, value) in columns.options.items():
        cell = row.get(header)
        flag = cell.strip().lower()
        if flag.endswith(".0"):
            flag = flag[:-2]
        if flag in SELECTED:
            chosen.setdefault(item.code, []).append(str(value))
        elif flag in NOT_SELECTED:
            if cell != "":
                chosen.setdefault(item.code, [])
        else:
            problems.append(
                Problem(
                    row.number,
                    header,
                    _("%(value)r should be 1 (chosen) or 0 (not chosen)") % {"value": cell},
                )
            )
    # All options 0: nothing chosen, which collection treats as no answer.
    values.update(chosen)
    instance_id = normalise_instance_id(row.get(columns.instance_id))
    if len(instance_id) > MAX_ID_LENGTH:
        problems.append(
            Problem(
                row.number,
                columns.instance_id or "",
                _("the submission id is longer than %(max)s characters") % {"max": MAX_ID_LENGTH},
            )
        )
    submitted_at = None
    if columns.submitted_at:
        text = row.get(columns.submitted_at)
        name = _named(columns.submitted_at, TIME_NAMES)
        submitted_at = parse_timestamp(text, assume_utc=name in UTC_TIME_NAMES)
        if text and submitted_at is None:
            export.warnings.append(
                Problem(
                    row.number,
                    columns.submitted_at,
                    _("%(value)r is not a time this import understands; the import time is used")
                    % {"value": text},
                )
            )
    if problems:
        export.row_problems[row.number] = problems
    return collection.RawSubmission(
        respondent_code=_respondent_code(row.get(columns.respondent)),
        values=values,
        instance_id=instance_id,
        submitted_at=submitted_at,
        row=row.number,
        raw_values=raw_values,
        review_status=status,
    )


# --- checking and importing ----------------------------------------------------------------


@dataclass
class Rejected:
    raw: collection.RawSubmission
    problems: list[Problem]

    @property
    def row(self) -> int | None:
        return self.raw.row


@dataclass
class Report:
    """What an import did, or on a dry run would do."""

    file: str
    wave: str
    rows: int
    valid: int  # rows that pass (and on a real run were stored)
    created: int
    duplicates: int
    rejected: list[Rejected]
    ignored_columns: list[str]
    unknown_columns: list[str]
    warnings: list[Problem]
    dry_run: bool
    skipped_rejected: int = 0  # rows rejected in KoBoToolbox / ODK Central, left out

    @property
    def problems(self) -> list[Problem]:
        return [problem for entry in self.rejected for problem in entry.problems]

    def as_dict(self) -> dict[str, Any]:
        """Flat and JSON-able, for a job's result."""
        return {
            "file": self.file,
            "wave": self.wave,
            "rows": self.rows,
            "created": self.created,
            "duplicates": self.duplicates,
            "rejected": len(self.rejected),
            "skipped_rejected_in_source": self.skipped_rejected,
            "ignored_columns": ", ".join(self.ignored_columns) or "—",
            "unknown_columns": ", ".join(self.unknown_columns) or "—",
        }


class ImportRefused(Exception):
    """Some rows are wrong and the caller asked for all or nothing: nothing was stored."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__("; ".join(str(problem) for problem in report.problems[:20]))


def _combine(export: Export, checked: collection.Checked) -> tuple[int, int, list[Rejected]]:
    """(valid, duplicates, rejected): collection's verdict joined with the read problems."""
    duplicate_rows = {raw.row for raw in checked.duplicates}
    rejected = {raw.row: Rejected(raw, list(problems)) for raw, problems in checked.rejected}
    raws = {raw.row: raw for raw in export.raws}
    for number, problems in export.row_problems.items():
        if number in duplicate_rows:
            continue  # stored already: its cells no longer matter
        entry = rejected.setdefault(number, Rejected(raws[number], []))
        entry.problems[:0] = problems
    valid = sum(1 for clean in checked.accepted if clean.raw.row not in export.row_problems)
    ordered = sorted(rejected.values(), key=lambda entry: entry.row or 0)
    return valid, len(checked.duplicates), ordered


def _report(
    export: Export, wave: Wave, checked: collection.Checked, *, dry_run: bool, created: int = 0
) -> Report:
    valid, duplicates, rejected = _combine(export, checked)
    return Report(
        file=export.file,
        wave=wave.label,
        rows=len(export.table.rows),
        valid=valid,
        created=created,
        duplicates=duplicates,
        rejected=rejected,
        ignored_columns=list(export.columns.ignored),
        unknown_columns=list(export.columns.unknown),
        warnings=list(export.warnings),
        dry_run=dry_run,
        skipped_rejected=len(export.skipped_rejected),
    )


def check(panel: Panel, period: datetime.date, export: Export) -> Report:
    """The dry run: every problem by row and column. Writes nothing.

    A month without a wave yet is checked against one opened in a transaction that
    is rolled back, so the dry run sees exactly what the real run will.
    """
    wave = Wave.objects.filter(panel=panel, period=period).select_related("panel").first()
    if wave is not None:
        return _report(export, wave, collection.validate(wave, export.raws), dry_run=True)
    try:
        with transaction.atomic():
            wave = Wave.objects.create(panel=panel, period=period)
            report = _report(export, wave, collection.validate(wave, export.raws), dry_run=True)
            transaction.set_rollback(True)
    except IntegrityError:
        # Someone opened the month meanwhile: check against the real wave.
        wave = Wave.objects.select_related("panel").get(panel=panel, period=period)
        return _report(export, wave, collection.validate(wave, export.raws), dry_run=True)
    return report


def import_rows(
    wave: Wave,
    export: Export,
    *,
    accept_valid: bool = False,
    enumerator=None,
    source: str = SubmissionSource.FILE,
) -> Report:
    """Store the export's submissions in ``wave`` through ``collection.accept``.

    All or nothing (``ImportRefused`` with the full report) unless ``accept_valid``,
    in which case the valid rows are stored and the report lists the rejected ones.
    """
    if export.row_problems and not accept_valid:
        checked = collection.validate(wave, export.raws)
        raise ImportRefused(_report(export, wave, checked, dry_run=False))
    withheld = [raw for raw in export.raws if raw.row in export.row_problems]
    clean = [raw for raw in export.raws if raw.row not in export.row_problems]
    # Rows with unreadable cells are never stored; checking them tells their other problems.
    before = collection.validate(wave, withheld) if withheld else collection.Checked()
    try:
        stored = collection.accept(
            wave, clean, source, enumerator=enumerator, accept_valid=accept_valid
        )
    except collection.Refused as exc:
        raise ImportRefused(_report(export, wave, exc.checked, dry_run=False)) from exc
    verdict = collection.Checked(
        rejected=[*stored.rejected, *before.rejected], duplicates=before.duplicates
    )
    report = _report(export, wave, verdict, dry_run=False, created=stored.created)
    report.valid = stored.created
    report.duplicates += stored.duplicates
    return report


# --- the error file ------------------------------------------------------------------------


def write_error_file(report: Report, export: Export, stream: TextIO) -> int:
    """The rejected rows as they were read, plus a ``problems`` column; returns the count.

    Same columns and delimiter as the uploaded file, so the user can correct the rows
    and import the error file itself once the problems column is deleted (or not:
    it is reported as an unknown column and otherwise ignored). A cell a spreadsheet could
    run as a formula (``=…``, ``+…``, ``@…``) gets a quote in front, like every export.
    """
    headers = export.table.headers
    rows = export.rows_by_number
    writer = CsvWriter(stream, delimiter=export.delimiter, lineterminator="\r\n")
    writer.writerow([*headers, PROBLEMS_COLUMN])
    for entry in report.rejected:
        row = rows.get(entry.row) if entry.row is not None else None
        cells = [row.get(header) if row else "" for header in headers]
        described = " | ".join(
            f"[{problem.column}] {problem.message}" if problem.column else problem.message
            for problem in entry.problems
        )
        writer.writerow([*cells, described])
    return len(report.rejected)


def error_file_bytes(report: Report, export: Export) -> bytes:
    # UTF-8 with a BOM: what Excel needs to show accents, whatever the upload's encoding.
    buffer = io.StringIO()
    write_error_file(report, export, buffer)
    return buffer.getvalue().encode("utf-8-sig")
