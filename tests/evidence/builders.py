"""Interventions built in code, through the same services the curators use."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.utils import timezone

from convivencia.evidence import services
from convivencia.evidence.choices import Curation, Design, Direction, Scale, Status
from convivencia.evidence.models import Evaluation, Intervention, Outcome
from convivencia.territories.models import Territory
from convivencia.territories.services import ensure_country

GOOD, NULL, BAD, MIXED = Direction.DESIRABLE, Direction.NULL, Direction.UNDESIRABLE, Direction.MIXED
# Two independent RCTs with desirable findings: "effective" under the rule.
EFFECTIVE = [GOOD, GOOD]
PROMISING = [GOOD]
WEAK = [(GOOD, 2)]  # one study below SMS 3: "insufficient evidence"

Finding = str | tuple[str, int]


def make_intervention(
    name: str,
    country: str | None = "CO",
    *,
    focus: Sequence[str] = (),
    problem: Sequence[str] = (),
    population: Sequence[str] = (),
    rating_findings: Mapping[str, Iterable[Finding]] | None = None,
    published: bool = True,
    budget_usd: int | Decimal | None = None,
    start_year: int | None = 2015,
    end_year: int | None = None,
    status: str = Status.COMPLETED,
    territories: Sequence[Territory] = (),
    sources: Sequence[dict[str, str]] = ({"citation": "Registry test source"},),
    **fields,
) -> Intervention:
    """An intervention; ``rating_findings`` maps an outcome to its studies' directions.

    A finding is a direction (an independent RCT at SMS 4) or (direction, SMS level).
    """
    country_territory = ensure_country(country) if country else None
    intervention = Intervention(
        name=name,
        country=country_territory,
        scale=Scale.NATIONAL if country else Scale.MULTI_COUNTRY,
        status=status,
        start_year=start_year,
        end_year=end_year,
        **fields,
    )
    if budget_usd is not None:
        intervention.budget_amount = Decimal(budget_usd)
        intervention.budget_currency = "USD"
        intervention.budget_year = start_year or 2015
    intervention = services.save_intervention(
        intervention,
        tags={"focus": list(focus), "problem": list(problem), "population": list(population)},
        territories=list(territories),
        sources=list(sources),
    )
    for outcome, findings in (rating_findings or {}).items():
        for finding in findings:
            direction, sms = (finding, 4) if isinstance(finding, str) else finding
            add_evaluation(intervention, outcome, direction, sms=sms)
    if rating_findings:
        services.recompute_ratings(intervention)
    if published:
        publish(intervention)
    intervention.refresh_from_db()
    return intervention


def add_evaluation(
    intervention: Intervention,
    outcome: str,
    direction: str,
    *,
    sms: int = 4,
    design: str = Design.RCT,
    independent: bool = True,
    citation: str = "An evaluation",
    year: int = 2018,
) -> Evaluation:
    evaluation = Evaluation.objects.create(
        intervention=intervention,
        citation=citation,
        year=year,
        design=design,
        sms_level=sms,
        independent=independent,
        country=intervention.country,
    )
    Outcome.objects.create(evaluation=evaluation, outcome=outcome, direction=direction)
    return evaluation


def publish(intervention: Intervention) -> None:
    """Straight to published (the curation workflow has its own tests)."""
    Intervention.objects.filter(pk=intervention.pk).update(
        curation=Curation.PUBLISHED, published_at=timezone.now()
    )
