"""A form made elsewhere, read through its mapping: field names in, item answers out.

A questionnaire imported from an XLSForm written in KoBoToolbox or ODK keeps one
``FieldMapping`` per field of the form (``importers.xlsform`` writes them, the
coordinator edits them on the mapping page). Every path that receives answers to
such a form — a KoBoToolbox or ODK Central export, an OpenRosa instance — turns
its ``{field name: value}`` through ``translate`` (or ``raw_submission``) before
``collection.validate``: the respondent code, the values of analysed fields by
item code with each option name turned into the value the coordinator gave it, and
the fields kept raw (dates, places, photos…) as they came, and a repeat as one
{question: answer} per instance, however the source flattened it.

A questionnaire without mappings (one Convivencia wrote) is read as it always was:
values keyed by item code.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from convivencia.accounts import audit
from convivencia.core.text import fold
from convivencia.panels.choices import ANALYSED_USES, MISSING_CODES, FieldUse, ItemType, Provider
from convivencia.panels.collection import RawSubmission
from convivencia.panels.models import Answer, Choice, FieldMapping, Questionnaire

# KoBoToolbox writes "group/question" (XML values) or "group.question" (some exports),
# ODK Central "group-question"; OpenRosa instances nest elements.
_PATH_SEPARATOR = re.compile(r"[/.:]")
# "[2]" after a repeat's name in a flattened export.
_INDEX = re.compile(r"\[\d+\]")
_INDEX_NUMBER = re.compile(r"\[(\d+)\]")
REPEAT_KINDS = frozenset({"repeat", "loop"})
# Between a question and its option in a per-option column (ODK Central writes "-").
_OPTION_SEPARATOR = re.compile(r"[/.:-]")


def field_key(name: str) -> str:
    """A field name as every source may write it: lower case, groups joined by "/"."""
    return "/".join(part for part in _PATH_SEPARATOR.split(str(name).strip().lower()) if part)


@dataclass(frozen=True)
class MappedField:
    """One field of the form, read once per batch."""

    name: str
    use: str
    item_code: str
    item_type: str
    # Option name (as written, folded, and each label folded) → value.
    options: dict[str, int]
    # Labels of the options, folded, longest first: a "labels" export of a multiple
    # choice joins labels that themselves hold spaces ("Robos y hurtos Grupos armados").
    labels: tuple[tuple[str, int], ...]
    label_texts: tuple[str, ...] = ()
    kind: str = ""


@dataclass
class FormMapping:
    """A questionnaire's mapping, looked up by any spelling of a field name."""

    questionnaire_id: int
    fields: list[MappedField]
    by_key: dict[str, MappedField] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._labels: dict[str, MappedField] = {}
        for mapped in self.fields:
            for label in mapped.label_texts:
                self._labels.setdefault(fold(label), mapped)
        last: dict[str, list[MappedField]] = {}
        for mapped in self.fields:
            key = field_key(mapped.name)
            self.by_key[key] = mapped
            last.setdefault(key.rsplit("/", 1)[-1], []).append(mapped)
        # A bare question name stands for its grouped field when only one field has it.
        for name, candidates in last.items():
            if len(candidates) == 1:
                self.by_key.setdefault(name, candidates[0])

    def __bool__(self) -> bool:
        return bool(self.fields)

    def find(self, name: str) -> MappedField | None:
        key = field_key(name)
        found = self.by_key.get(key)
        if found is not None:
            return found
        # A repeat's flattened columns ("children[1]/childs_name") belong to the repeat.
        parts = _INDEX.sub("", key).split("/")
        for end in range(len(parts) - 1, 0, -1):
            found = self.by_key.get("/".join(parts[:end]))
            if found is not None and found.kind in REPEAT_KINDS:
                return found
        return None

    def by_label(self) -> dict[str, MappedField]:
        """Fields by their label in any language, folded (KoBoToolbox's "labels" export)."""
        return self._labels

    def option(self, header: str) -> tuple[MappedField, int] | None:
        """(multiple-choice field, option value) of a per-option 0/1 column such as
        "problemas/robos", "grupo.problemas.robos" or "Problemas/Robos y hurtos"."""
        text = str(header).strip()
        for at in sorted({m.start() for m in _OPTION_SEPARATOR.finditer(text)}, reverse=True):
            question, option = text[:at], text[at + 1 :]
            mapped = self.find(question) or self._labels.get(fold(question))
            if mapped is None or mapped.item_type != ItemType.MULTIPLE:
                continue
            value = mapped.options.get(option.strip())
            if value is None:
                value = mapped.options.get(fold(option))
            if value is not None:
                return mapped, value
        return None

    @property
    def respondent_field(self) -> MappedField | None:
        return next((f for f in self.fields if f.use == FieldUse.RESPONDENT), None)


def mapping_for(questionnaire: Questionnaire | int) -> FormMapping:
    """The questionnaire's mapping (empty for a questionnaire Convivencia wrote)."""
    questionnaire_id = questionnaire if isinstance(questionnaire, int) else questionnaire.pk
    rows = (
        FieldMapping.objects.filter(questionnaire_id=questionnaire_id)
        .select_related("item")
        .prefetch_related("item__choices")
        .order_by("position", "pk")
    )
    fields = []
    for row in rows:
        options: dict[str, int] = {}
        labels: dict[str, int] = {}
        if row.item is not None:
            for choice in row.item.choices.all():
                for label in choice.label.values():
                    labels.setdefault(fold(str(label)), choice.value)
                if choice.name:
                    options.setdefault(choice.name, choice.value)
        for name, value in (row.options or {}).items():
            options[str(name)] = int(value)
        for name, value in list(options.items()):
            options.setdefault(fold(name), value)
        for label, value in labels.items():
            options.setdefault(label, value)
        fields.append(
            MappedField(
                name=row.name,
                use=row.use,
                item_code=row.item.code if row.item is not None else "",
                item_type=row.item.type if row.item is not None else "",
                options=options,
                labels=tuple(sorted(labels.items(), key=lambda pair: -len(pair[0]))),
                label_texts=tuple(str(text) for text in (row.label or {}).values() if text),
                kind=row.kind,
            )
        )
    return FormMapping(questionnaire_id, fields)


@dataclass
class Mapped:
    """A submission read through the mapping."""

    respondent_code: str
    values: dict[str, Any]  # by item code, ready for collection.validate
    raw: dict[str, Any]  # by field name, as they came
    unknown: list[str]  # field names the form does not have


def _option(text: str, mapped: MappedField) -> Any:
    """The value an option name or label stands for; the text itself when unknown
    (validation then names it)."""
    stripped = text.strip()
    value = mapped.options.get(stripped)
    if value is None:
        value = mapped.options.get(fold(stripped))
    return stripped if value is None else value


def split_labels(text: str, mapped: MappedField) -> list[str] | None:
    """A "labels" export's multiple-choice cell split into option labels, or None.

    Labels may hold spaces, so the cell is cut where whole labels match, longest
    first; None when the words do not read as labels of this question.
    """
    words = fold(text).split()
    known = dict(mapped.labels)
    # Fewest pieces that cover every word, each a whole label (dynamic programming over
    # word positions: a label never spans part of a word).
    best: list[list[str] | None] = [None] * (len(words) + 1)
    best[0] = []
    for end in range(1, len(words) + 1):
        for start in range(end):
            previous = best[start]
            piece = " ".join(words[start:end])
            if previous is not None and piece in known:
                candidate = [*previous, piece]
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    return best[len(words)]


def _multiple(value: Any, mapped: MappedField) -> Any:
    if isinstance(value, list):
        return [_option(str(part), mapped) for part in value]
    text = str(value).strip()
    parts = text.split()
    if all(part in mapped.options or fold(part) in mapped.options for part in parts):
        return [_option(part, mapped) for part in parts]
    whole = mapped.options.get(fold(text))
    if whole is not None:
        return [whole]
    labels = split_labels(text, mapped)
    if labels is not None:
        return [dict(mapped.labels)[label] for label in labels]
    return parts  # validation names the part that is not an option


def read_value(value: Any, mapped: MappedField) -> Any:
    """One cell of a mapped field as validation takes it (option names turned into values)."""
    if value is None or (isinstance(value, str) and not value.strip()) or value == []:
        return value
    if mapped.item_type == ItemType.MULTIPLE:
        return _multiple(value, mapped)
    if mapped.options and not isinstance(value, list | dict):
        return _option(str(value), mapped)
    return value


def repeat_position(repeat_name: str, header: str) -> tuple[int, str] | None:
    """(instance number, question inside the instance) of a repeat's flattened column.

    KoBoToolbox and ODK write one column per instance and question, the instance's
    number in brackets after the repeat (or a group around it): ``children[2]/childs_name``
    for the repeat ``children``, ``children[2]/child/name`` or ``children/child[2]/name``
    for the repeat ``child`` inside the group ``children``. A column without a number is
    the first instance. None when the header is the repeat itself or not inside it.
    """
    repeat_parts = field_key(repeat_name).split("/")
    parts = field_key(header).split("/")
    number = 1
    for position, wanted in enumerate(repeat_parts):
        if position >= len(parts) or _INDEX.sub("", parts[position]) != wanted:
            return None
        found = _INDEX_NUMBER.search(parts[position])
        if found is not None:
            number = int(found.group(1))
    inside = parts[len(repeat_parts) :]
    if not inside:
        return None
    return number, "/".join(inside)


def repeat_instances(cells: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """A repeat's answers by instance number, as stored: one {question: answer} per
    instance that has an answer, in the instances' order (as OpenRosa instances are kept)."""
    instances = []
    for number in sorted(cells):
        answered = {
            question: value
            for question, value in cells[number].items()
            if value is not None and not (isinstance(value, str) and not value.strip())
        }
        if answered:
            instances.append(answered)
    return instances


def translate(mapping: FormMapping, values: dict[str, Any]) -> Mapped:
    """Read one submission's ``{field name: value}`` through the mapping.

    Without a mapping the values are returned as they are (keyed by item code) and
    the respondent is read from a "respondent" key.
    """
    if not mapping:
        code = next((str(v).strip() for k, v in values.items() if field_key(k) == "respondent"), "")
        rest = {k: v for k, v in values.items() if field_key(k) != "respondent"}
        return Mapped(code, rest, {}, [])
    respondent = ""
    answers: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    unknown: list[str] = []
    # Repeat name → instance number → {question: answer}, from flattened columns.
    repeats: dict[str, dict[int, dict[str, Any]]] = {}
    for name, value in values.items():
        mapped = mapping.find(name)
        if mapped is None:
            unknown.append(str(name))
            continue
        position = None
        if mapped.kind in REPEAT_KINDS and mapped.use != FieldUse.IGNORED:
            position = repeat_position(mapped.name, str(name))
        if position is not None:
            number, question = position
            repeats.setdefault(mapped.name, {}).setdefault(number, {})[question] = value
            continue
        if mapped.use == FieldUse.RESPONDENT:
            respondent = "" if value is None else str(value).strip()
        elif mapped.use in ANALYSED_USES and mapped.item_code:
            answers[mapped.item_code] = read_value(value, mapped)
        elif mapped.use != FieldUse.IGNORED:
            raw[mapped.name] = value
    for name, cells in repeats.items():
        instances = repeat_instances(cells)
        if instances:
            raw[name] = instances
    return Mapped(respondent, answers, raw, unknown)


def raw_submission(
    mapping: FormMapping,
    values: dict[str, Any],
    *,
    instance_id: str,
    submitted_at: datetime.datetime | None = None,
    row: int | None = None,
    review_status: str = "",
) -> RawSubmission:
    """What ``collection.validate`` takes, from a submission of a mapped form."""
    mapped = translate(mapping, values)
    return RawSubmission(
        respondent_code=mapped.respondent_code,
        values=mapped.values,
        instance_id=instance_id,
        submitted_at=submitted_at,
        row=row,
        raw_values=mapped.raw,
        review_status=review_status,
    )


# --- the mapping page's service --------------------------------------------------------------


@dataclass
class FieldChoice:
    """What the coordinator said of one field on the mapping page."""

    use: str
    provider: str = ""
    top_min: int | None = None
    # Choice id → the value that option means (88 don't know, 98 no answer).
    values: dict[int, int] = field(default_factory=dict)


def _problem(mapped: FieldMapping, message: str) -> str:
    return f"{mapped.name}: {message}"


def save_mapping(questionnaire: Questionnaire, said: dict[int, FieldChoice], actor) -> None:
    """Save the coordinator's mapping of a questionnaire's fields (``said`` by mapping id).

    Refuses (``ValidationError`` listing every problem, nothing saved) a mapping without
    exactly one respondent field, an unanalysable field marked as an item, a trust item
    without its institution, two options meaning the same answer, a favourable threshold
    that is not one of the answers, and a change of meaning for an item that already has
    answers (they were stored with the earlier meaning).
    """
    rows = list(
        FieldMapping.objects.filter(questionnaire=questionnaire)
        .select_related("item")
        .prefetch_related("item__choices")
        .order_by("position", "pk")
    )
    problems: list[str] = []
    respondents = [
        row for row in rows if said.get(row.pk, FieldChoice(row.use)).use == FieldUse.RESPONDENT
    ]
    if len(respondents) != 1:
        problems.append(
            _("exactly one field must hold the respondent code (now: %(count)s)")
            % {"count": len(respondents)}
        )
    answered = set(
        Answer.objects.filter(item__questionnaire=questionnaire)
        .values_list("item_id", flat=True)
        .distinct()
    )
    plans: list[tuple[FieldMapping, FieldChoice]] = []
    for row in rows:
        choice = said.get(row.pk)
        if choice is None:
            continue
        if choice.use not in FieldUse.values:
            problems.append(_problem(row, _("unknown use “%(use)s”") % {"use": choice.use}))
            continue
        if choice.use in ANALYSED_USES and row.item is None:
            problems.append(
                _problem(
                    row,
                    _("a question of type “%(kind)s” cannot be analysed: keep it raw or ignore it")
                    % {"kind": row.kind},
                )
            )
            continue
        if choice.use == FieldUse.TRUST and choice.provider not in Provider.values:
            problems.append(_problem(row, _("say which institution this trust item is about")))
            continue
        if row.item is not None and choice.use in ANALYSED_USES:
            problems.extend(_check_values(row, choice, answered))
        plans.append((row, choice))
    if problems:
        raise ValidationError(problems)
    changes: dict[str, Any] = {}
    with transaction.atomic():
        for row, choice in plans:
            before = (row.use, row.options)
            _apply(row, choice)
            if (row.use, row.options) != before:
                changes[row.name] = [before[0], row.use]
        audit.record(
            "panels.mapping_saved", questionnaire, actor=actor, changes={"fields": changes}
        )


def _check_values(row: FieldMapping, choice: FieldChoice, answered: set[int]) -> list[str]:
    item = row.item
    if item is None:  # a raw field: nothing to check
        return []
    problems: list[str] = []
    choices = list(item.choices.all())
    values = {c.pk: choice.values.get(c.pk, c.value) for c in choices}
    seen: dict[int, str] = {}
    for option in choices:
        value = values[option.pk]
        if value not in range(-32768, 32768):
            problems.append(
                _problem(row, _("%(value)s is not a possible answer value") % {"value": value})
            )
        elif value in seen:
            problems.append(
                _problem(
                    row,
                    _("options “%(first)s” and “%(second)s” would mean the same answer (%(value)s)")
                    % {"first": seen[value], "second": option.name or option.value, "value": value},
                )
            )
        seen.setdefault(value, str(option.name or option.value))
    scored = sorted(v for v in values.values() if v not in MISSING_CODES)
    if choice.top_min is not None and choice.top_min not in scored:
        problems.append(
            _problem(
                row,
                _("the lowest answer meaning trust (%(top)s) is not one of the answers %(values)s")
                % {"top": choice.top_min, "values": ", ".join(map(str, scored))},
            )
        )
    meaning_changes = any(values[c.pk] != c.value for c in choices) or (
        choice.top_min is not None and choice.top_min != item.top_min
    )
    if meaning_changes and item.pk in answered:
        problems.append(
            _problem(
                row,
                _(
                    "answers are already stored with the options' earlier meaning; import the "
                    "form again as a new version to change it"
                ),
            )
        )
    return problems


def _apply(row: FieldMapping, choice: FieldChoice) -> None:
    row.use = choice.use
    item = row.item
    if item is not None:
        choices = list(item.choices.all())
        values = {c.pk: choice.values.get(c.pk, c.value) for c in choices}
        if any(values[c.pk] != c.value for c in choices):
            # Through values no answer uses, so that (item, value) stays unique throughout.
            for offset, option in enumerate(choices):
                Choice.objects.filter(pk=option.pk).update(value=-30000 - offset)
            for option in choices:
                option.value = values[option.pk]
                Choice.objects.filter(pk=option.pk).update(value=option.value)
        row.options = {(c.name or str(c.value)): c.value for c in choices}
        scored = sorted(c.value for c in choices if c.value not in MISSING_CODES)
        analysed = choice.use in ANALYSED_USES
        item.provider = choice.provider if choice.use == FieldUse.TRUST else ""
        if analysed and item.type in (ItemType.SINGLE, ItemType.SCALE, ItemType.YES_NO) and scored:
            if choice.use == FieldUse.VICTIMIZATION and scored == [0, 1]:
                item.type = ItemType.YES_NO
            elif choice.use == FieldUse.TRUST or item.type == ItemType.SCALE:
                item.type = ItemType.SCALE
            item.scale_min, item.scale_max = scored[0], scored[-1]
            item.top_min = choice.top_min if choice.top_min is not None else item.top_min
        if not analysed:
            # Kept raw: the item is no longer asked of anyone through validation.
            item.required = False
        item.save()
    row.save(update_fields=["use", "options"])
