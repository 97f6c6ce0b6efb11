"""A form made elsewhere, read through its mapping: field names in, item answers out.

A questionnaire imported from an XLSForm written in KoBoToolbox or ODK keeps one
``FieldMapping`` per field of the form (``importers.xlsform`` writes them, the
coordinator edits them on the mapping page). Every path that receives answers to
such a form — a KoBoToolbox or ODK Central export, an OpenRosa instance — turns
its ``{field name: value}`` through ``translate`` (or ``raw_submission``) before
``collection.validate``: the respondent code, the values of analysed fields by
item code with each option name turned into the value the coordinator gave it, and
the fields kept raw (dates, places, photos, repeats…) as they came.

A questionnaire without mappings (one Convivencia wrote) is read as it always was:
values keyed by item code.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from convivencia.core.text import fold
from convivencia.panels.choices import ANALYSED_USES, FieldUse, ItemType
from convivencia.panels.collection import RawSubmission
from convivencia.panels.models import FieldMapping, Questionnaire

# KoBoToolbox writes "group/question" (XML values) or "group.question" (some exports),
# ODK Central "group-question"; OpenRosa instances nest elements.
_PATH_SEPARATOR = re.compile(r"[/.:]")


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


@dataclass
class FormMapping:
    """A questionnaire's mapping, looked up by any spelling of a field name."""

    questionnaire_id: int
    fields: list[MappedField]
    by_key: dict[str, MappedField] = field(default_factory=dict)

    def __post_init__(self) -> None:
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
        return self.by_key.get(field_key(name))

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


def _value(value: Any, mapped: MappedField) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()) or value == []:
        return value
    if mapped.item_type == ItemType.MULTIPLE:
        return _multiple(value, mapped)
    if mapped.options and not isinstance(value, list | dict):
        return _option(str(value), mapped)
    return value


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
    for name, value in values.items():
        mapped = mapping.find(name)
        if mapped is None:
            unknown.append(str(name))
            continue
        if mapped.use == FieldUse.RESPONDENT:
            respondent = "" if value is None else str(value).strip()
        elif mapped.use in ANALYSED_USES and mapped.item_code:
            answers[mapped.item_code] = _value(value, mapped)
        elif mapped.use != FieldUse.IGNORED:
            raw[mapped.name] = value
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
