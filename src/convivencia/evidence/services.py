"""Domain operations on the registry: saving with history, curation, ratings, budgets.

Every change goes through here and is written to the audit log, which is also
the intervention's public change history.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from convivencia.accounts import access, audit
from convivencia.accounts.choices import AuditAction, Role
from convivencia.evidence import ratings
from convivencia.evidence.choices import TAG_CHOICES, Curation, Rating
from convivencia.evidence.models import (
    Evaluation,
    EvidenceRating,
    ExchangeRate,
    Intervention,
    InterventionTag,
    Outcome,
    Source,
)

EDITOR_ROLES = (Role.ADMINISTRATOR, Role.COORDINATOR, Role.ANALYST)
REVIEWER_ROLES = (Role.ADMINISTRATOR, Role.COORDINATOR)
CENT = Decimal("0.01")


def can_edit(user) -> bool:
    return bool(access.roles(user) & set(EDITOR_ROLES))


def can_review(user) -> bool:
    return bool(access.roles(user) & set(REVIEWER_ROLES))


def snapshot(intervention: Intervention) -> dict[str, Any]:
    """A JSON-able picture of an intervention, for diffs in the history."""
    fields = {}
    for field in Intervention._meta.concrete_fields:
        if field.name in {"id", "created_at", "updated_at"}:
            continue
        value = getattr(intervention, field.attname)
        if isinstance(value, Decimal):
            value = str(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        fields[field.name] = value
    if intervention.pk:
        for kind in TAG_CHOICES:
            fields[f"tags_{kind}"] = intervention.codes(kind)
        fields["territories"] = sorted(intervention.territories.values_list("pk", flat=True))
        fields["sources"] = sorted(
            f"{s.citation} {s.url}".strip() for s in intervention.sources.all()
        )
    return fields


def budget_in_usd(amount: Decimal | None, currency: str, year: int | None) -> Decimal | None:
    """The amount in US dollars at the year's average rate; None when no rate is known."""
    if amount is None or not currency or year is None:
        return None
    if currency == "USD":
        return amount.quantize(CENT)
    rate = ExchangeRate.objects.filter(currency=currency, year=year).first()
    if rate is None or not rate.per_usd:
        return None
    return (amount / rate.per_usd).quantize(CENT, rounding=ROUND_HALF_UP)


@transaction.atomic
def save_intervention(
    intervention: Intervention,
    *,
    tags: dict[str, list[str]] | None = None,
    territories: list | None = None,
    sources: list[dict[str, str]] | None = None,
    actor=None,
) -> Intervention:
    """Validate and save an intervention with its tags, territories and sources."""
    creating = intervention.pk is None
    before = {} if creating else snapshot(Intervention.objects.get(pk=intervention.pk))
    country = intervention.country
    intervention.country_code = (country.code("iso") or "") if country else ""
    intervention.budget_usd = budget_in_usd(
        intervention.budget_amount, intervention.budget_currency, intervention.budget_year
    )
    intervention.full_clean(exclude=["territories"])
    intervention.save()
    if tags is not None:
        _set_tags(intervention, tags)
    if territories is not None:
        intervention.territories.set(territories)
    if sources is not None:
        intervention.sources.all().delete()
        Source.objects.bulk_create(
            Source(intervention=intervention, citation=s.get("citation", ""), url=s.get("url", ""))
            for s in sources
            if s.get("citation") or s.get("url")
        )
    intervention = Intervention.objects.prefetch_related("tags", "sources").get(pk=intervention.pk)
    changes = audit.diff(before, snapshot(intervention))
    if changes:
        audit.record(
            AuditAction.CREATE if creating else AuditAction.UPDATE,
            intervention,
            actor=actor,
            changes=changes,
        )
    return intervention


def _set_tags(intervention: Intervention, tags: dict[str, list[str]]) -> None:
    for kind, codes in tags.items():
        vocabulary = TAG_CHOICES[kind]
        unknown = sorted(set(codes) - set(vocabulary.values))
        if unknown:
            message = _("Unknown codes: %(codes)s") % {"codes": ", ".join(unknown)}
            raise ValidationError({kind: message})
        InterventionTag.objects.filter(intervention=intervention, kind=kind).exclude(
            code__in=codes
        ).delete()
        held = set(
            InterventionTag.objects.filter(intervention=intervention, kind=kind).values_list(
                "code", flat=True
            )
        )
        InterventionTag.objects.bulk_create(
            InterventionTag(intervention=intervention, kind=kind, code=code)
            for code in sorted(set(codes) - held)
        )


def back_to_draft_if_changed(intervention: Intervention, *, changed: bool) -> bool:
    """Send a submitted, reviewed or published intervention whose content changed back to
    draft: what is public has been reviewed. Call it before ``save_intervention``, so
    that the change of state is written in the same history entry as the content.
    Returns whether it was sent back.
    """
    if not changed or intervention.pk is None or intervention.curation == Curation.DRAFT:
        return False
    intervention.curation = Curation.DRAFT
    return True


def _transition(intervention: Intervention, to: str, actor, **stamps: Any) -> Intervention:
    before = intervention.curation
    intervention.curation = to
    for field, value in stamps.items():
        setattr(intervention, field, value)
    intervention.save(update_fields=["curation", *stamps, "updated_at"])
    audit.record(AuditAction.UPDATE, intervention, actor=actor, changes={"curation": [before, to]})
    return intervention


@transaction.atomic
def submit(intervention: Intervention, actor) -> Intervention:
    if not can_edit(actor):
        raise PermissionDenied
    if intervention.curation != Curation.DRAFT:
        raise ValidationError(_("Only a draft can be submitted for review."))
    if not intervention.sources.exists():
        raise ValidationError(
            _("Add at least one source (a link or a citation) before submitting.")
        )
    return _transition(
        intervention, Curation.SUBMITTED, actor, submitted_by=actor, submitted_at=timezone.now()
    )


@transaction.atomic
def review(intervention: Intervention, actor) -> Intervention:
    if not can_review(actor):
        raise PermissionDenied
    if intervention.curation != Curation.SUBMITTED:
        raise ValidationError(_("Only a submitted intervention can be reviewed."))
    if intervention.submitted_by_id == actor.pk and not actor.is_superuser:
        raise ValidationError(_("Someone other than the person who submitted it must review it."))
    return _transition(
        intervention, Curation.REVIEWED, actor, reviewed_by=actor, reviewed_at=timezone.now()
    )


@transaction.atomic
def publish(intervention: Intervention, actor) -> Intervention:
    if not can_review(actor):
        raise PermissionDenied
    if intervention.curation != Curation.REVIEWED:
        raise ValidationError(_("Only a reviewed intervention can be published."))
    return _transition(
        intervention, Curation.PUBLISHED, actor, published_by=actor, published_at=timezone.now()
    )


@transaction.atomic
def unpublish(intervention: Intervention, actor) -> Intervention:
    if not can_review(actor):
        raise PermissionDenied
    return _transition(intervention, Curation.DRAFT, actor)


@transaction.atomic
def recompute_ratings(intervention: Intervention) -> list[EvidenceRating]:
    """Re-derive every outcome's rating from the evaluations; reviewers' overrides stay."""
    findings: dict[str, list[ratings.Finding]] = defaultdict(list)
    outcomes = Outcome.objects.filter(evaluation__intervention=intervention).select_related(
        "evaluation__country"
    )
    country_codes: dict[int | None, str] = {}
    for outcome in outcomes:
        evaluation = outcome.evaluation
        country = evaluation.country
        if country is not None and country.pk not in country_codes:
            country_codes[country.pk] = country.code("iso") or ""
        findings[outcome.outcome].append(
            ratings.Finding(
                direction=outcome.direction,
                sms_level=evaluation.sms_level,
                design=evaluation.design,
                independent=evaluation.independent,
                country_code=country_codes.get(evaluation.country_id, ""),
            )
        )
    kept = []
    for outcome_code, outcome_findings in findings.items():
        verdict = ratings.rate(outcome_findings, intervention.country_code)
        rating, _created = EvidenceRating.objects.get_or_create(
            intervention=intervention,
            outcome=outcome_code,
            defaults={"computed": verdict.rating},
        )
        rating.computed = verdict.rating
        rating.best_sms = verdict.best_sms
        rating.studies = verdict.studies
        rating.independent_studies = verdict.independent_studies
        rating.context = verdict.context
        rating.explanation = verdict.explanation[:300]
        rating.save()
        kept.append(rating)
    intervention.ratings.exclude(outcome__in=list(findings)).filter(override="").delete()
    remaining = list(intervention.ratings.all())
    best = ratings.best(r.value for r in remaining)
    if intervention.best_rating != best:
        intervention.best_rating = best
        intervention.save(update_fields=["best_rating"])
    return remaining


@transaction.atomic
def override_rating(rating: EvidenceRating, value: str, reason: str, actor) -> EvidenceRating:
    if not can_review(actor):
        raise PermissionDenied
    if value and value not in Rating.values:
        raise ValidationError(_("Unknown rating."))
    if value and not reason.strip():
        raise ValidationError(_("Say why you rate it differently from the rule."))
    before = rating.value
    rating.override = value
    rating.override_reason = reason.strip() if value else ""
    rating.overridden_by = actor if value else None
    rating.save()
    audit.record(
        AuditAction.UPDATE,
        rating.intervention,
        actor=actor,
        changes={f"rating_{rating.outcome}": [before, rating.value], "reason": reason},
    )
    recompute_ratings(rating.intervention)
    return rating


def describe_evaluation(evaluation: Evaluation) -> str:
    """One line for the history: the study and what it found."""
    findings = ", ".join(
        f"{outcome.outcome}:{outcome.direction}" for outcome in evaluation.outcomes.all()
    )
    return f"{evaluation.citation} ({evaluation.year}, SMS {evaluation.sms_level}) {findings}"


@transaction.atomic
def evaluation_saved(evaluation: Evaluation, before: str, actor) -> list[EvidenceRating]:
    """After an evaluation and its outcomes are saved: the history entry (``before`` is
    ``describe_evaluation`` of it as it was, "" for a new one), and the ratings again."""
    intervention = evaluation.intervention
    audit.record(
        AuditAction.UPDATE,
        intervention,
        actor=actor,
        changes={"evaluation": [before, describe_evaluation(evaluation)]},
    )
    return recompute_ratings(intervention)


@transaction.atomic
def delete_evaluation(evaluation: Evaluation, actor) -> list[EvidenceRating]:
    """Delete an evaluation with its outcomes, write it to the history, rate again."""
    intervention = evaluation.intervention
    before = describe_evaluation(evaluation)
    evaluation.delete()
    audit.record(
        AuditAction.UPDATE, intervention, actor=actor, changes={"evaluation": [before, ""]}
    )
    return recompute_ratings(intervention)
