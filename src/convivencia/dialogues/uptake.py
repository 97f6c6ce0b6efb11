"""Policy uptake: a lesson or commitment carried into a policy instrument, stage by stage.

The stages are proposed → included → adopted → implemented. Each is recorded with
its date and the document that shows it (a decree, the plan's annex, a protocol
number). Stages come in order: one cannot be recorded before the stages ahead of it,
and a later stage cannot predate an earlier one (nor an earlier one postdate a later
one, when a date is corrected).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from convivencia.accounts import audit
from convivencia.accounts.choices import AuditAction
from convivencia.dialogues import services
from convivencia.dialogues.choices import UptakeStage
from convivencia.dialogues.models import PolicyUptake, UptakeStep

STAGES: list[str] = list(UptakeStage.values)


def current_stage(uptake: PolicyUptake) -> str | None:
    """The furthest stage reached, or None before the first step."""
    reached = {step.stage for step in uptake.steps.all()}
    furthest = [stage for stage in STAGES if stage in reached]
    return furthest[-1] if furthest else None


def next_stage(uptake: PolicyUptake) -> str | None:
    stage = current_stage(uptake)
    if stage is None:
        return STAGES[0]
    index = STAGES.index(stage)
    return STAGES[index + 1] if index + 1 < len(STAGES) else None


@transaction.atomic
def record_step(
    uptake: PolicyUptake,
    actor,
    *,
    stage: str,
    date: datetime.date,
    document: str = "",
    note: str = "",
) -> UptakeStep:
    if not services.can_run(actor, uptake.process):
        raise PermissionDenied
    if stage not in STAGES:
        raise ValidationError(_("Choose a stage."))
    steps = {step.stage: step for step in uptake.steps.all()}
    index = STAGES.index(stage)
    missing = [name for name in STAGES[:index] if name not in steps]
    if missing:
        raise ValidationError(
            _("Record the stage “%(stage)s” first: stages come in order.")
            % {"stage": UptakeStage(missing[0]).label}
        )
    for earlier in STAGES[:index]:
        if date < steps[earlier].date:
            raise ValidationError(
                _("“%(stage)s” cannot predate “%(earlier)s” (%(date)s).")
                % {
                    "stage": UptakeStage(stage).label,
                    "earlier": UptakeStage(earlier).label,
                    "date": steps[earlier].date.isoformat(),
                }
            )
    for later in STAGES[index + 1 :]:
        if later in steps and date > steps[later].date:
            raise ValidationError(
                _("“%(stage)s” cannot come after “%(later)s” (%(date)s).")
                % {
                    "stage": UptakeStage(stage).label,
                    "later": UptakeStage(later).label,
                    "date": steps[later].date.isoformat(),
                }
            )
    existing = steps.get(stage)
    step, created = UptakeStep.objects.update_or_create(
        uptake=uptake,
        stage=stage,
        defaults={"date": date, "document": document.strip(), "note": note.strip()},
    )
    changes: dict[str, Any] = {
        "stage": stage,
        "date": date.isoformat(),
        "document": document.strip(),
    }
    if existing is not None:
        changes["date"] = [existing.date.isoformat(), date.isoformat()]
    audit.record(
        AuditAction.CREATE if created else AuditAction.UPDATE, uptake, actor=actor, changes=changes
    )
    return step
