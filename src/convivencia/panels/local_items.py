"""Local items: questions a territory's community adds to its panel's questionnaire.

A questionnaire version is never edited once answered (answers point at its
items). ``add_local_items`` therefore creates a new version for the panel's
territory — a copy of the current one plus the new items, marked ``is_local`` —
and switches the panel to it. Results are matched by item code across versions
(``charts``), so trends run on and a local item simply starts with the first
wave that asked it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from convivencia.accounts import access, audit
from convivencia.accounts.choices import AuditAction, Role
from convivencia.panels import charts
from convivencia.panels.choices import DONT_KNOW, NO_ANSWER, ItemType, Provider
from convivencia.panels.models import Choice, Item, Panel, Questionnaire

# XLSForm names: the forms built from a questionnaire need valid field names.
CODE_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")
CHOICE_TYPES = (ItemType.SINGLE, ItemType.MULTIPLE, ItemType.YES_NO, ItemType.SCALE)
MISSING_LABELS: tuple[tuple[int, dict[str, str]], ...] = (
    (DONT_KNOW, {"es": "No sabe", "en": "Don't know", "pt": "Não sabe"}),
    (NO_ANSWER, {"es": "No responde", "en": "No answer", "pt": "Não respondeu"}),
)
YES_NO_CHOICES: tuple[tuple[int, dict[str, str]], ...] = (
    (1, {"es": "Sí", "en": "Yes", "pt": "Sim"}),
    (0, {"es": "No", "en": "No", "pt": "Não"}),
)


@dataclass
class LocalItem:
    """What a new local item needs; ``choices`` are (value, {language: label}) pairs."""

    code: str
    type: str
    wording: dict[str, str]
    choices: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    provider: str = ""
    scale_min: int | None = None
    scale_max: int | None = None
    top_min: int | None = None
    reverse_coded: bool = False
    required: bool = False
    # (code of an earlier item, answers to it that show this one)
    relevant: tuple[str, list[int]] | None = None

    @classmethod
    def from_spec(cls, spec: LocalItem | Mapping[str, Any]) -> LocalItem:
        if isinstance(spec, LocalItem):
            return spec
        values = dict(spec)
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValidationError(
                _("Unknown fields in a local item: %(fields)s.")
                % {"fields": ", ".join(sorted(unknown))}
            )
        values["choices"] = [
            (int(value), dict(label)) for value, label in values.get("choices", [])
        ]
        return cls(**values)


def _problems(items: list[LocalItem], taken: set[str], current: set[str]) -> list[str]:
    """Every problem with the new items. ``taken``: codes the panel ever used (lower case);
    ``current``: codes of the current questionnaire, which a new item may depend on."""
    problems = []
    seen: set[str] = set()
    for item in items:
        name = item.code or "?"
        if not CODE_PATTERN.match(item.code or ""):
            problems.append(
                _("%(code)s: a code is a letter or _ then letters, digits or _ (at most 40).")
                % {"code": name}
            )
        # Submissions match item codes whatever the case, so B18 and b18 would collide.
        folded = (item.code or "").lower()
        if folded in taken or folded in seen:
            problems.append(
                _(
                    "%(code)s: this code is already used by the panel's "
                    "questionnaire or its history."
                )
                % {"code": name}
            )
        seen.add(folded)
        if item.type not in ItemType.values:
            problems.append(
                _("%(code)s: “%(type)s” is not an item type.") % {"code": name, "type": item.type}
            )
        if not any(text.strip() for text in item.wording.values()):
            problems.append(_("%(code)s: the wording is empty.") % {"code": name})
        if item.provider and item.provider not in Provider.values:
            problems.append(
                _("%(code)s: “%(provider)s” is not a provider.")
                % {"code": name, "provider": item.provider}
            )
        if item.type == ItemType.SCALE:
            if (
                item.scale_min is None
                or item.scale_max is None
                or (item.scale_min >= item.scale_max)
            ):
                problems.append(
                    _("%(code)s: a scale needs a minimum below its maximum.") % {"code": name}
                )
            elif item.top_min is not None and not item.scale_min <= item.top_min <= (
                item.scale_max
            ):
                problems.append(
                    _("%(code)s: the lowest favourable answer must lie on the scale.")
                    % {"code": name}
                )
        if item.type in (ItemType.SINGLE, ItemType.MULTIPLE) and not item.choices:
            problems.append(_("%(code)s: a choice item needs its options.") % {"code": name})
        if item.relevant is not None:
            source = item.relevant[0].lower()
            if source not in current and source not in seen - {folded}:
                problems.append(
                    _("%(code)s: it depends on %(other)s, which does not come before it.")
                    % {"code": name, "other": item.relevant[0]}
                )
    return problems


def _local_code(current: Questionnaire, panel: Panel) -> str:
    """The territory's own line of versions: "confianza-popayan" beside "confianza"."""
    if current.territory_id == panel.territory_id:
        return current.code
    return slugify(f"{current.code}-{panel.territory.name}")[:60].strip("-")


def _copy_items(source: Questionnaire, target: Questionnaire) -> dict[str, Item]:
    copies: dict[str, Item] = {}
    originals = source.items.select_related("relevant_item").prefetch_related("choices")
    for original in originals.order_by("position"):
        copy = Item.objects.create(
            questionnaire=target,
            code=original.code,
            position=original.position,
            type=original.type,
            wording=original.wording,
            provider=original.provider,
            scale_min=original.scale_min,
            scale_max=original.scale_max,
            top_min=original.top_min,
            reverse_coded=original.reverse_coded,
            relevant_item=copies.get(original.relevant_item.code.lower())
            if original.relevant_item
            else None,
            relevant_values=original.relevant_values,
            required=original.required,
            is_local=original.is_local,
        )
        Choice.objects.bulk_create(
            Choice(item=copy, value=choice.value, label=choice.label, position=choice.position)
            for choice in original.choices.all()
        )
        copies[copy.code.lower()] = copy
    return copies


def _create_local(
    target: Questionnaire, spec: LocalItem, position: int, existing: dict[str, Item]
) -> Item:
    scale_min, scale_max = spec.scale_min, spec.scale_max
    choices = list(spec.choices)
    if spec.type == ItemType.YES_NO:
        scale_min, scale_max = 0, 1
        choices = choices or list(YES_NO_CHOICES)
    if spec.type == ItemType.SCALE and not choices:
        if scale_min is None or scale_max is None:
            raise ValueError(f"the scale item {spec.code} has no bounds and no choices")
        choices = [
            (value, {"es": str(value), "en": str(value), "pt": str(value)})
            for value in range(scale_min, scale_max + 1)
        ]
    if spec.type in CHOICE_TYPES:
        # Every choice item offers "don't know" and "no answer", as the default ones do.
        present = {value for value, _label in choices}
        choices += [(value, label) for value, label in MISSING_LABELS if value not in present]
    relevant_item = existing[spec.relevant[0].lower()] if spec.relevant else None
    item = Item.objects.create(
        questionnaire=target,
        code=spec.code,
        position=position,
        type=spec.type,
        wording=spec.wording,
        provider=spec.provider,
        scale_min=scale_min,
        scale_max=scale_max,
        top_min=spec.top_min,
        reverse_coded=spec.reverse_coded,
        relevant_item=relevant_item,
        relevant_values=list(spec.relevant[1]) if spec.relevant else [],
        required=spec.required,
        is_local=True,
    )
    Choice.objects.bulk_create(
        Choice(item=item, value=value, label=label, position=index)
        for index, (value, label) in enumerate(choices)
    )
    return item


@transaction.atomic
def add_local_items(
    panel: Panel, items_spec: Iterable[LocalItem | Mapping[str, Any]], actor
) -> Questionnaire:
    """A new questionnaire version for the panel's territory with the local items added.

    ``actor`` must coordinate the panel's territory (None: the system, e.g. a command).
    Raises ValidationError listing every problem; nothing is written then.
    """
    panel = (
        Panel.objects.select_for_update(of=("self",))  # not the shared questionnaire
        .select_related("questionnaire", "territory")
        .get(pk=panel.pk)
    )
    if actor is not None and not access.has_role(actor, panel.territory, Role.COORDINATOR):
        raise PermissionDenied(_("Only a coordinator of the territory may add local items."))
    specs = [LocalItem.from_spec(spec) for spec in items_spec]
    if not specs:
        raise ValidationError(_("Name at least one local item."))
    current = panel.questionnaire
    taken = {code.lower() for code in charts.items_by_code(panel)}
    current_codes = {code.lower() for code in current.items.values_list("code", flat=True)}
    problems = _problems(specs, taken, current_codes)
    if problems:
        raise ValidationError(problems)
    code = _local_code(current, panel)
    latest = Questionnaire.objects.filter(code=code).aggregate(Max("version"))["version__max"]
    new = Questionnaire.objects.create(
        code=code,
        version=(latest or 0) + 1,
        title=current.title,
        territory=panel.territory,
        based_on=current,
    )
    existing = _copy_items(current, new)
    position = max((item.position for item in existing.values()), default=0)
    for spec in specs:
        position += 1
        existing[spec.code.lower()] = _create_local(new, spec, position, existing)
    panel.questionnaire = new
    panel.save(update_fields=["questionnaire"])
    added = [spec.code for spec in specs]
    audit.record(
        AuditAction.CREATE,
        new,
        actor=actor,
        changes={"based_on": str(current), "local_items": added},
    )
    audit.record(
        AuditAction.UPDATE,
        panel,
        actor=actor,
        changes={"questionnaire": [str(current), str(new)], "local_items": added},
    )
    return new
