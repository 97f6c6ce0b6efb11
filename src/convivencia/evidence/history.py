"""The public change history of an intervention, read from the audit log.

Who acted is shown as their organisation (or "curator"), never a username, and
bookkeeping fields are left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from convivencia.accounts.models import AuditEntry, Membership
from convivencia.evidence.choices import TAG_CHOICES, Problem, Rating, TagKind
from convivencia.evidence.models import Intervention
from convivencia.territories.models import Territory

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Fields of the history that are nobody's business (user ids) or mere bookkeeping.
PRIVATE_HISTORY_FIELDS = {
    "submitted_by",
    "reviewed_by",
    "published_by",
    "is_demo",
    "best_rating",
    "country_code",
    "budget_usd",
}

HISTORY_LABELS = {
    "tags_focus": TagKind.FOCUS.label,
    "tags_problem": TagKind.PROBLEM.label,
    "tags_population": TagKind.POPULATION.label,
    "territories": gettext_lazy("territories"),
    "sources": gettext_lazy("sources"),
    "reason": gettext_lazy("reason"),
}


def history(intervention: Intervention) -> list[dict[str, Any]]:
    """The audit log about an intervention, readable by the public.

    Who acted is shown as their organisation (or "curator"): never a username.
    """
    entries = list(AuditEntry.objects.about(intervention).order_by("-at", "-pk"))
    actor_ids = {entry.actor_id for entry in entries if entry.actor_id}
    organisations: dict[int | None, set[str]] = {}
    for user_id, name in Membership.objects.filter(user_id__in=actor_ids).values_list(
        "user_id", "organisation__name"
    ):
        organisations.setdefault(user_id, set()).add(name)
    territory_ids = set()
    for entry in entries:
        for field, change in entry.changes.items():
            if field in ("territories", "country") and isinstance(change, list):
                for value in change:
                    territory_ids.update(value if isinstance(value, list) else [value])
    territory_names = dict(
        Territory.objects.filter(
            pk__in=[pk for pk in territory_ids if isinstance(pk, int)]
        ).values_list("pk", "name")
    )
    return [
        {
            "at": entry.at,
            "action": entry.get_action_display(),
            "by": ", ".join(sorted(organisations.get(entry.actor_id, ()))) or _("curator"),
            "changes": [
                change
                for field, values in entry.changes.items()
                if (change := _describe_change(field, values, territory_names)) is not None
            ],
        }
        for entry in entries
    ]


def _describe_change(
    field: str, values: Any, territory_names: dict[int, str]
) -> dict[str, str] | None:
    if field in PRIVATE_HISTORY_FIELDS or field.endswith("_by"):
        return None
    if field == "reason":
        return {"field": str(HISTORY_LABELS["reason"]), "old": "", "new": _shorten(values)}
    if not isinstance(values, list) or len(values) != 2:
        return None
    old, new = values
    if field.startswith("rating_"):
        outcome = field.removeprefix("rating_")
        label = _("rating: %(outcome)s") % {
            "outcome": Problem(outcome).label if outcome in Problem.values else outcome
        }
        return {"field": label, "old": _rating_label(old), "new": _rating_label(new)}
    old_text = _history_value(field, old, territory_names)
    new_text = _history_value(field, new, territory_names)
    if old_text == new_text:
        return None  # e.g. "" where there was nothing, on creation
    return {"field": str(_history_label(field)), "old": old_text, "new": new_text or "—"}


def _history_label(field: str) -> StrOrPromise:
    if field in HISTORY_LABELS:
        return HISTORY_LABELS[field]
    try:
        model_field = Intervention._meta.get_field(field)
    except Exception:
        return field
    # A reverse relation has no verbose name of its own.
    return model_field.verbose_name if isinstance(model_field, models.Field) else field


def _rating_label(value: Any) -> str:
    return str(Rating(value).label) if value in Rating.values else _shorten(value)


def _history_value(field: str, value: Any, territory_names: dict[int, str]) -> str:
    if value in (None, "", [], {}):
        return ""
    if field == "territories":
        return ", ".join(territory_names.get(pk, str(pk)) for pk in value)
    if field == "country":
        return territory_names.get(value, str(value))
    if field.startswith("tags_"):
        vocabulary = TAG_CHOICES.get(field.removeprefix("tags_"))
        if vocabulary is not None:
            return ", ".join(
                str(vocabulary(code).label) if code in vocabulary.values else str(code)
                for code in value
            )
    try:
        model_field = Intervention._meta.get_field(field)
    except Exception:
        model_field = None
    # A reverse relation has no choices.
    if isinstance(model_field, models.Field) and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, list):
        return ", ".join(_shorten(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_shorten(item)}" for key, item in value.items())
    return _shorten(value)


def _shorten(value: Any) -> str:
    return Truncator(str(value)).chars(120)
