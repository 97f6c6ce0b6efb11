"""The one validation path every answer goes through: web form, file import, OpenRosa.

``validate`` checks a batch and says, per submission, every problem (respondent,
item, value) without writing anything. ``store`` writes accepted submissions and
their answers and updates the aggregates in the same transaction. ``accept`` is
the usual entry point: all or nothing, unless the caller explicitly accepts the
valid rows, in which case the rejected ones are returned (never dropped).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from convivencia.panels import aggregates
from convivencia.panels.choices import DONT_KNOW, MISSING_CODES, NO_ANSWER, ItemType
from convivencia.panels.models import Answer, Item, Respondent, Submission, Wave
from convivencia.territories.text import fold


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


@dataclass(frozen=True)
class CleanAnswer:
    item: Item
    number: float | None = None
    missing: int | None = None
    text: str = ""


@dataclass
class CleanSubmission:
    raw: RawSubmission
    respondent: Respondent
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


def _items(wave: Wave) -> list[Item]:
    """The items the panel's form actually asks (see xlsform.included_items)."""
    from convivencia.panels.xlsform import included_items

    return included_items(wave.panel.questionnaire, wave.panel)


# How people and tools write the missing codes when no choice row spells them out.
MISSING_WORDS = {
    DONT_KNOW: ("no sabe", "ns", "dont know", "don t know", "do not know", "nao sabe", "dk"),
    NO_ANSWER: ("no responde", "nr", "no answer", "nao respondeu", "nao responde", "refused"),
}


def _choice_lookup(item: Item) -> dict[str, int]:
    """Accepted spellings of each option: its code and its labels in any language."""
    lookup: dict[str, int] = {}
    for choice in item.choices.all():
        lookup[str(choice.value)] = choice.value
        for label in choice.label.values():
            lookup.setdefault(fold(str(label)), choice.value)
    for code in MISSING_CODES:
        lookup.setdefault(str(code), code)
        for word in MISSING_WORDS[code]:
            lookup.setdefault(word, code)
    return lookup


def _as_code(raw: Any, lookup: dict[str, int]) -> int | None:
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
                "value": raw, "low": item.scale_min, "high": item.scale_max}
        return [CleanAnswer(item, number=number)], ""
    if item.type == ItemType.MULTIPLE:
        parts = raw if isinstance(raw, list) else str(raw).replace(",", " ").split()
        codes = []
        for part in parts:
            code = _as_code(part, lookup)
            if code is None:
                return [], _("%(value)r is not an option of %(item)s") % {
                    "value": part, "item": item.code}
            codes.append(code)
        if any(code in MISSING_CODES for code in codes):
            if len(codes) > 1:
                return [], _("'don't know' or 'no answer' cannot be combined with other options")
            return [CleanAnswer(item, missing=codes[0])], ""
        return [CleanAnswer(item, number=float(code)) for code in sorted(set(codes))], ""
    code = _as_code(raw, lookup)
    if code is None and item.type == ItemType.SCALE and item.scale_min is not None:
        try:
            number = float(str(raw).strip())
        except ValueError:
            number = None
        if number is not None and number.is_integer():
            code = int(number)
    if code is None:
        return [], _("%(value)r is not an answer %(item)s accepts") % {
            "value": raw, "item": item.code}
    if code in MISSING_CODES:
        return [CleanAnswer(item, missing=code)], ""
    if item.type == ItemType.SCALE and item.scale_min is not None and item.scale_max is not None:
        if not item.scale_min <= code <= item.scale_max:
            return [], _("%(value)s is outside the scale %(low)s–%(high)s") % {
                "value": code, "low": item.scale_min, "high": item.scale_max}
    elif str(code) not in lookup:
        return [], _("%(value)s is not an option of %(item)s") % {"value": code, "item": item.code}
    return [CleanAnswer(item, number=float(code))], ""


def _relevant(item: Item, chosen: dict[int, set[int]]) -> bool:
    if item.relevant_item_id is None:
        return True
    wanted = {int(v) for v in item.relevant_values}
    return bool(chosen.get(item.relevant_item_id, set()) & wanted)


def check_one(
    raw: RawSubmission, items: list[Item], lookups: dict[int, dict[str, int]]
) -> tuple[list[CleanAnswer], list[Problem]]:
    values = {str(key).strip().lower(): value for key, value in raw.values.items()}
    answers: list[CleanAnswer] = []
    problems: list[Problem] = []
    chosen: dict[int, set[int]] = {}
    for item in items:  # in questionnaire order, so skip logic sees earlier answers
        value = values.get(item.code.lower())
        relevant = _relevant(item, chosen)
        if _is_blank(value):
            if item.required and relevant:
                problems.append(Problem(raw.row, item.code, _("an answer is required")))
            continue
        if not relevant:
            problems.append(Problem(
                raw.row, item.code,
                _("answered although the question does not apply (see %(item)s)")
                % {"item": item.relevant_item.code},
            ))
            continue
        cleaned, error = _clean_value(item, value, lookups[item.pk])
        if error:
            problems.append(Problem(raw.row, item.code, error))
            continue
        answers.extend(cleaned)
        chosen[item.pk] = {int(a.number) for a in cleaned if a.number is not None}
    return answers, problems


def validate(wave: Wave, raws: Iterable[RawSubmission]) -> Checked:
    """Check a batch against the wave, its roster and its questionnaire. Writes nothing."""
    raws = list(raws)
    checked = Checked()
    items = _items(wave)
    lookups = {item.pk: _choice_lookup(item) for item in items}
    respondents = {
        r.code.lower(): r for r in Respondent.objects.filter(panel=wave.panel)
    }
    ids = [raw.instance_id for raw in raws if raw.instance_id]
    stored_ids = set(
        Submission.objects.filter(instance_id__in=ids).values_list("instance_id", flat=True)
    )
    answered = set(
        Submission.objects.filter(wave=wave).values_list("respondent__code", flat=True)
    )
    answered = {code.lower() for code in answered}
    seen_ids: set[str] = set()
    for raw in raws:
        problems: list[Problem] = []
        if raw.instance_id in stored_ids or raw.instance_id in seen_ids:
            checked.duplicates.append(raw)
            continue
        if not raw.instance_id:
            problems.append(Problem(raw.row, "instanceID", _("the submission has no id")))
        if not wave.is_open:
            problems.append(Problem(
                raw.row, "wave", _("wave %(wave)s is closed") % {"wave": wave.label}
            ))
        code = str(raw.respondent_code or "").strip()
        respondent = respondents.get(code.lower())
        if respondent is None:
            problems.append(Problem(
                raw.row, "respondent",
                _("unknown respondent code %(code)r in panel %(panel)s")
                % {"code": code, "panel": wave.panel.code},
            ))
        elif code.lower() in answered:
            problems.append(Problem(
                raw.row, "respondent",
                _("respondent %(code)s already answered wave %(wave)s")
                % {"code": code, "wave": wave.label},
            ))
        elif (respondent.until_period and respondent.until_period < wave.period) or (
            respondent.from_period and respondent.from_period > wave.period
        ):
            problems.append(Problem(
                raw.row, "respondent",
                _("respondent %(code)s is not a panel member in %(wave)s")
                % {"code": code, "wave": wave.label},
            ))
        answers, answer_problems = check_one(raw, items, lookups)
        problems.extend(answer_problems)
        if problems:
            checked.rejected.append((raw, problems))
            continue
        seen_ids.add(raw.instance_id)
        answered.add(code.lower())
        checked.accepted.append(CleanSubmission(raw, respondent, answers))
    return checked


@transaction.atomic
def store(wave: Wave, accepted: list[CleanSubmission], source: str, enumerator=None) -> int:
    """Write accepted submissions and their answers; update the aggregates with them."""
    if not accepted:
        return 0
    now = timezone.now()
    submissions = Submission.objects.bulk_create([
        Submission(
            wave=wave, respondent=clean.respondent, instance_id=clean.raw.instance_id,
            source=source, submitted_at=clean.raw.submitted_at or now, received_at=now,
            enumerator=enumerator,
        )
        for clean in accepted
    ])
    if any(s.pk is None for s in submissions):  # backends that return no ids
        by_id = dict(Submission.objects.filter(
            instance_id__in=[c.raw.instance_id for c in accepted]
        ).values_list("instance_id", "pk"))
        for submission in submissions:
            submission.pk = by_id[submission.instance_id]
    Answer.objects.bulk_create(
        (
            Answer(submission_id=submission.pk, item=answer.item, number=answer.number,
                   missing=answer.missing, text=answer.text)
            for submission, clean in zip(submissions, accepted, strict=True)
            for answer in clean.answers
        ),
        batch_size=5000,
    )
    aggregates.add(wave, [(clean.respondent, clean.answers) for clean in accepted])
    return len(submissions)


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
        wave = Wave.objects.select_for_update().select_related("panel__questionnaire").get(
            pk=wave.pk
        )
        checked = validate(wave, raws)
        if checked.rejected and not accept_valid:
            raise Refused(checked)
        created = store(wave, checked.accepted, source, enumerator)
    return Stored(created=created, duplicates=len(checked.duplicates), rejected=checked.rejected)
