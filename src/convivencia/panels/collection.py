"""The one validation path every answer goes through: web form, file import, OpenRosa.

``validate`` checks a batch and says, per submission, every problem (respondent,
item, value) without writing anything. ``store`` writes accepted submissions and
their answers and updates the aggregates in the same transaction. ``accept`` is
the usual entry point: all or nothing, unless the caller explicitly accepts the
valid rows, in which case the rejected ones are returned (never dropped).
"""

from __future__ import annotations

import datetime
import functools
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from convivencia.core import versioning
from convivencia.core.bulk import insert_rows
from convivencia.core.text import fold
from convivencia.panels import aggregates
from convivencia.panels.choices import DONT_KNOW, MISSING_CODES, NO_ANSWER, ItemType
from convivencia.panels.models import (
    BREAKDOWN_ATTRIBUTES,
    Answer,
    Choice,
    FormVersion,
    Item,
    Respondent,
    Submission,
    Wave,
    breakdown_keys,
)


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = _("row %(row)s") % {"row": self.row} if self.row is not None else ""
        column = f" [{self.column}]" if self.column else ""
        return f"{where}{column}: {self.message}".strip(": ")


@dataclass
class RawSubmission:
    """What arrived: a respondent code, values keyed by item code (any case), an id."""

    respondent_code: str
    values: dict[str, Any]
    instance_id: str
    submitted_at: datetime.datetime | None = None
    row: int | None = None
    # Answers to fields that are not analysed (panels.mapping), stored as they came.
    raw_values: dict[str, Any] = field(default_factory=dict)
    review_status: str = ""  # choices.ReviewStatus, as the source reviewed it


@dataclass(frozen=True)
class CleanAnswer:
    item: Item
    number: float | None = None
    missing: int | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class Member:
    """A respondent as a batch needs one, read as plain values: building the roster's
    model instances was a twentieth of an import."""

    id: int
    code: str
    from_period: datetime.date | None
    until_period: datetime.date | None
    keys: list[str]

    def breakdown_keys(self) -> list[str]:
        return self.keys


def _roster(panel_id: int) -> dict[str, Member]:
    """The panel's respondents by lower-case code."""
    rows = Respondent.objects.filter(panel_id=panel_id).values_list(
        "id", "code", "from_period", "until_period", *BREAKDOWN_ATTRIBUTES
    )
    return {
        code.lower(): Member(pk, code, since, until, breakdown_keys(*attributes))
        for pk, code, since, until, *attributes in rows
    }


@dataclass
class CleanSubmission:
    raw: RawSubmission
    respondent: Member
    answers: list[CleanAnswer]


@dataclass
class Checked:
    """The verdict on a batch, before anything is written."""

    accepted: list[CleanSubmission] = field(default_factory=list)
    rejected: list[tuple[RawSubmission, list[Problem]]] = field(default_factory=list)
    duplicates: list[RawSubmission] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return [problem for _raw, problems in self.rejected for problem in problems]


@dataclass
class Stored:
    created: int
    duplicates: int
    rejected: list[tuple[RawSubmission, list[Problem]]]


class Refused(Exception):
    """The batch has problems and the caller did not accept partial imports."""

    def __init__(self, checked: Checked) -> None:
        self.checked = checked
        super().__init__("; ".join(str(p) for p in checked.problems[:20]))


# questionnaire id → (form token, its items in order, each item's choice look-up).
# Reading and preparing them was an eighth of an import batch of one wave; they
# change rarely, and every change replaces the token (see FormVersion).
_FORMS: dict[int, tuple[str, list[Item], dict[int, dict[str, int]]]] = {}
MAX_FORMS = 64


def _form(wave: Wave) -> tuple[list[Item], dict[int, dict[str, int]]]:
    """The items the panel's form asks (see xlsform.included_items), and their look-ups."""
    from convivencia.panels.importers.xlsform import asked_by

    questionnaire_id = wave.panel.questionnaire_id
    # The token before the items: a change committed in between makes the items
    # newer than the token, so the next batch reads them again; never the reverse.
    token = versioning.token(FormVersion)
    kept = _FORMS.get(questionnaire_id)
    if token is not None and kept is not None and kept[0] == token:
        _token, items, lookups = kept
    else:
        items = list(
            Item.objects.filter(questionnaire_id=questionnaire_id)
            .select_related("relevant_item")
            .order_by("position", "pk")
        )
        lookups = _choice_lookups(items)
        if token is not None:
            if len(_FORMS) >= MAX_FORMS:
                _FORMS.clear()
            _FORMS[questionnaire_id] = (token, items, lookups)
    return asked_by(items, wave.panel), lookups


# How people and tools write the missing codes when no choice row spells them out.
MISSING_WORDS = {
    DONT_KNOW: ("no sabe", "ns", "dont know", "don t know", "do not know", "nao sabe", "dk"),
    NO_ANSWER: ("no responde", "nr", "no answer", "nao respondeu", "nao responde", "refused"),
}


@functools.lru_cache(maxsize=4096)
def _folded(text: str) -> str:
    """``fold`` remembered: every batch folds the same few hundred choice labels."""
    return fold(text)


def _choice_lookup(choices: Iterable[tuple[int, dict[str, str]]]) -> dict[str, int]:
    """Accepted spellings of each option: its code and its labels in any language.

    ``choices`` are (value, labels by language) pairs of one item.
    """
    lookup: dict[str, int] = {}
    for value, labels in choices:
        lookup[str(value)] = value
        for label in labels.values():
            lookup.setdefault(_folded(str(label)), value)
    for code in MISSING_CODES:
        lookup.setdefault(str(code), code)
        for word in MISSING_WORDS[code]:
            lookup.setdefault(word, code)
    return lookup


def _choice_lookups(items: list[Item]) -> dict[int, dict[str, int]]:
    """{item id: lookup} in one query of plain values (no Choice instances)."""
    choices: dict[int, list[tuple[int, dict[str, str]]]] = defaultdict(list)
    rows = Choice.objects.filter(item__in=items).order_by("item_id", "position", "pk")
    for item_id, value, label in rows.values_list("item_id", "value", "label"):
        choices[item_id].append((value, label))
    return {item.pk: _choice_lookup(choices[item.pk]) for item in items}


def _as_code(raw: Any, lookup: dict[str, int]) -> int | None:
    # Most values are already a code (an int, or its digits as text): one look-up.
    # Anything else, or a miss, takes the general path below, which gives the same answer.
    if type(raw) is int or type(raw) is str:
        code = lookup.get(str(raw))
        if code is not None:
            return code
    if isinstance(raw, bool):
        raw = int(raw)
    if isinstance(raw, int | float):
        if float(raw).is_integer():
            raw = str(int(raw))
        else:
            return None
    text = str(raw).strip()
    if text.endswith(".0") and text[:-2].lstrip("-").isdigit():
        text = text[:-2]
    if text in lookup:
        return lookup[text]
    return lookup.get(fold(text))


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "") or value == []


def _clean_value(item: Item, raw: Any, lookup: dict[str, int]) -> tuple[list[CleanAnswer], str]:
    """The answers one cell holds, or an error message."""
    if item.type == ItemType.TEXT:
        return [CleanAnswer(item, text=str(raw).strip()[:5000])], ""
    if item.type == ItemType.NUMBER:
        try:
            number = float(str(raw).strip().replace(",", "."))
        except ValueError:
            return [], _("%(value)r is not a number") % {"value": raw}
        if int(number) in MISSING_CODES and number.is_integer() and item.scale_max is None:
            return [CleanAnswer(item, missing=int(number))], ""
        if (item.scale_min is not None and number < item.scale_min) or (
            item.scale_max is not None and number > item.scale_max
        ):
            return [], _("%(value)s is outside %(low)s–%(high)s") % {
                "value": raw,
                "low": item.scale_min,
                "high": item.scale_max,
            }
        return [CleanAnswer(item, number=number)], ""
    if item.type == ItemType.MULTIPLE:
        parts = raw if isinstance(raw, list) else str(raw).replace(",", " ").split()
        codes = []
        for part in parts:
            code = _as_code(part, lookup)
            if code is None:
                return [], _("%(value)r is not an option of %(item)s") % {
                    "value": part,
                    "item": item.code,
                }
            codes.append(code)
        if any(code in MISSING_CODES for code in codes):
            if len(codes) > 1:
                return [], _("'don't know' or 'no answer' cannot be combined with other options")
            return [CleanAnswer(item, missing=codes[0])], ""
        return [CleanAnswer(item, number=float(code)) for code in sorted(set(codes))], ""
    code = _as_code(raw, lookup)
    if code is None and item.type == ItemType.SCALE and item.scale_min is not None:
        scale_number: float | None
        try:
            scale_number = float(str(raw).strip())
        except ValueError:
            scale_number = None
        if scale_number is not None and scale_number.is_integer():
            code = int(scale_number)
    if code is None:
        return [], _("%(value)r is not an answer %(item)s accepts") % {
            "value": raw,
            "item": item.code,
        }
    if code in MISSING_CODES:
        return [CleanAnswer(item, missing=code)], ""
    if item.type == ItemType.SCALE and item.scale_min is not None and item.scale_max is not None:
        if not item.scale_min <= code <= item.scale_max:
            return [], _("%(value)s is outside the scale %(low)s–%(high)s") % {
                "value": code,
                "low": item.scale_min,
                "high": item.scale_max,
            }
    elif str(code) not in lookup:
        return [], _("%(value)s is not an option of %(item)s") % {"value": code, "item": item.code}
    return [CleanAnswer(item, number=float(code))], ""


@dataclass(frozen=True)
class Rule:
    """One item as the validation loop needs it, prepared once per batch."""

    item: Item
    key: str  # the code in lower case, as the submitted values are keyed
    lookup: dict[str, int]
    # Skip logic: the item applies when the answer to ``condition`` is one of ``wanted``.
    condition: int | None
    wanted: frozenset[int]
    # Another item's skip logic reads this one's answer, so it is remembered.
    remembered: bool
    # The answers already worked out in this batch, by the value's text (see check_one).
    ready: dict[str, CleanAnswer] = field(default_factory=dict)
    # Single choice, scale, yes/no: _clean_value's answer to an int is its answer to the
    # int's digits, and depends on nothing but the item, that text and ``lookup``.
    memoised: bool = False


# Types whose values _clean_value reads other than through _as_code alone.
FREE_TYPES = (ItemType.TEXT, ItemType.NUMBER, ItemType.MULTIPLE)


def rules_for(items: list[Item], lookups: dict[int, dict[str, int]]) -> list[Rule]:
    """The batch's items with what checking a value needs worked out once, not per row."""
    conditions = {item.relevant_item_id for item in items if item.relevant_item_id is not None}
    return [
        Rule(
            item=item,
            key=item.code.lower(),
            lookup=lookups[item.pk],
            condition=item.relevant_item_id,
            wanted=frozenset(int(value) for value in item.relevant_values or ()),
            remembered=item.pk in conditions,
            memoised=item.type not in FREE_TYPES,
        )
        for item in items
    ]


NOTHING_CHOSEN: frozenset[int] = frozenset()


def _normalised(key: object) -> str:
    return str(key).strip().lower()


def check_one(
    raw: RawSubmission, rules: list[Rule], keys: dict[object, str] | None = None
) -> tuple[list[CleanAnswer], list[Problem]]:
    """``keys``: column names already normalised in this batch (every row of a file has
    the same columns, so each is stripped and lower-cased once, not once per row)."""
    if keys is None:
        keys = {}
    values = {}
    for key, value in raw.values.items():
        name = keys.get(key)
        if name is None:
            name = keys[key] = _normalised(key)
        values[name] = value
    answers: list[CleanAnswer] = []
    problems: list[Problem] = []
    chosen: dict[int, set[int]] = {}
    for rule in rules:  # in questionnaire order, so skip logic sees earlier answers
        item = rule.item
        value = values.get(rule.key)
        relevant = rule.condition is None or bool(
            chosen.get(rule.condition, NOTHING_CHOSEN) & rule.wanted
        )
        if _is_blank(value):
            if item.required and relevant:
                problems.append(Problem(raw.row, item.code, _("an answer is required")))
            continue
        if not relevant:
            problems.append(
                Problem(
                    raw.row,
                    item.code,
                    _("answered although the question does not apply (see %(item)s)")
                    % {"item": item.relevant_item.code if item.relevant_item else ""},
                )
            )
            continue
        # Most values of a batch are one of a few codes: each distinct one is checked
        # once per batch, its answer remembered by its text (an int or a str; bool is
        # neither). CleanAnswer is frozen, so one instance stands for every respondent's.
        memo_key = (
            str(value) if rule.memoised and (type(value) is int or type(value) is str) else None
        )
        ready = rule.ready.get(memo_key) if memo_key is not None else None
        if ready is not None:
            answers.append(ready)
            if rule.remembered:
                chosen[item.pk] = {int(ready.number)} if ready.number is not None else set()
            continue
        cleaned, error = _clean_value(item, value, rule.lookup)
        if error:
            problems.append(Problem(raw.row, item.code, error))
            continue
        if memo_key is not None and len(cleaned) == 1:
            rule.ready[memo_key] = cleaned[0]
        answers.extend(cleaned)
        if rule.remembered:
            chosen[item.pk] = {int(a.number) for a in cleaned if a.number is not None}
    return answers, problems


def validate(wave: Wave, raws: Iterable[RawSubmission]) -> Checked:
    """Check a batch against the wave, its roster and its questionnaire. Writes nothing."""
    raws = list(raws)
    checked = Checked()
    items, lookups = _form(wave)
    rules = rules_for(items, lookups)
    respondents = _roster(wave.panel_id)
    ids = [raw.instance_id for raw in raws if raw.instance_id]
    stored_ids = set(
        Submission.objects.filter(instance_id__in=ids).values_list("instance_id", flat=True)
    )
    # By id: the roster is in hand, and a join to the respondents cost a query plan.
    answered = set(Submission.objects.filter(wave=wave).values_list("respondent_id", flat=True))
    seen_ids: set[str] = set()
    keys: dict[object, str] = {}
    for raw in raws:
        problems: list[Problem] = []
        if raw.instance_id in stored_ids or raw.instance_id in seen_ids:
            checked.duplicates.append(raw)
            continue
        if not raw.instance_id:
            problems.append(Problem(raw.row, "instanceID", _("the submission has no id")))
        if not wave.is_open:
            problems.append(
                Problem(raw.row, "wave", _("wave %(wave)s is closed") % {"wave": wave.label})
            )
        code = str(raw.respondent_code or "").strip()
        respondent = respondents.get(code.lower())
        if not code:
            problems.append(Problem(raw.row, "respondent", _("no respondent code")))
        elif respondent is None:
            problems.append(
                Problem(
                    raw.row,
                    "respondent",
                    _("unknown respondent code %(code)r in panel %(panel)s")
                    % {"code": code, "panel": wave.panel.code},
                )
            )
        elif respondent.id in answered:
            problems.append(
                Problem(
                    raw.row,
                    "respondent",
                    _("respondent %(code)s already answered wave %(wave)s")
                    % {"code": code, "wave": wave.label},
                )
            )
        elif (respondent.until_period and respondent.until_period < wave.period) or (
            respondent.from_period and respondent.from_period > wave.period
        ):
            problems.append(
                Problem(
                    raw.row,
                    "respondent",
                    _("respondent %(code)s is not a panel member in %(wave)s")
                    % {"code": code, "wave": wave.label},
                )
            )
        answers, answer_problems = check_one(raw, rules, keys)
        problems.extend(answer_problems)
        if problems or respondent is None:  # no respondent always comes with its problem
            checked.rejected.append((raw, problems))
            continue
        seen_ids.add(raw.instance_id)
        answered.add(respondent.id)
        checked.accepted.append(CleanSubmission(raw, respondent, answers))
    return checked


SUBMISSION_COLUMNS = (
    "wave",
    "respondent",
    "instance_id",
    "source",
    "submitted_at",
    "received_at",
    "enumerator",
    "raw_values",
    "review_status",
)
ANSWER_COLUMNS = ("submission", "item", "number", "missing", "text")


@transaction.atomic
def store(wave: Wave, accepted: list[CleanSubmission], source: str, enumerator=None) -> int:
    """Write accepted submissions and their answers; update the aggregates with them."""
    if not accepted:
        return 0
    now = timezone.now()
    # Plain tuples, not model instances, for submissions and answers (~17 rows per
    # submission): building and saving instances was most of the time of storing.
    moments = Submission._meta.get_field("submitted_at")
    received = moments.get_db_prep_save(now, connection)
    enumerator_id = enumerator.pk if enumerator is not None else None
    insert_rows(
        Submission,
        SUBMISSION_COLUMNS,
        [
            (
                wave.pk,
                clean.respondent.id,
                clean.raw.instance_id,
                source,
                moments.get_db_prep_save(clean.raw.submitted_at or now, connection),
                received,
                enumerator_id,
                json.dumps(clean.raw.raw_values, ensure_ascii=False, default=str),
                clean.raw.review_status,
            )
            for clean in accepted
        ],
    )
    # The wave's submissions, not an IN list of ids: a file can hold thousands of rows.
    ids = dict(Submission.objects.filter(wave=wave).values_list("instance_id", "pk"))
    rows: list[tuple] = []
    for clean in accepted:
        submission_id = ids[clean.raw.instance_id]
        # item.id, not item.pk (a property): this runs once per answer.
        rows.extend(
            (submission_id, answer.item.id, answer.number, answer.missing, answer.text)
            for answer in clean.answers
        )
    insert_rows(Answer, ANSWER_COLUMNS, rows)
    aggregates.add(wave, [(clean.respondent, clean.answers) for clean in accepted])
    return len(accepted)


def accept(
    wave: Wave,
    raws: Iterable[RawSubmission],
    source: str,
    *,
    enumerator=None,
    accept_valid: bool = False,
) -> Stored:
    """Validate and store a batch: all or nothing unless ``accept_valid``."""
    with transaction.atomic():
        # The wave's row alone (of=self): a join's rows would be locked too, and every
        # panel shares its questionnaire's, so one long import held every submission of
        # every panel until it committed (both web workers waited, the site stalled).
        wave = (
            Wave.objects.select_for_update(of=("self",))
            .select_related("panel__questionnaire")
            .get(pk=wave.pk)
        )
        checked = validate(wave, raws)
        if checked.rejected and not accept_valid:
            raise Refused(checked)
        created = store(wave, checked.accepted, source, enumerator)
    return Stored(created=created, duplicates=len(checked.duplicates), rejected=checked.rejected)
