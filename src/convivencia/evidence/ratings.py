"""The evidence rating rule, in one place.

For one intervention and one outcome, take every evaluation outcome recorded:

1. No evaluation at all → **Not evaluated**.
2. Only studies below Maryland SMS level 3, or qualitative designs →
   **Insufficient evidence** (they cannot separate the effect from other causes).
3. Among the robust studies (SMS ≥ 3, not qualitative), count findings that are
   desirable (D), null (N), undesirable (U) and mixed (M):
   - D = 0 and U > 0 → **Harmful**;
   - D = 0, U = 0, M = 0 (all null) → **No effect**;
   - D > 0 with no other finding → **Effective** when there are at least two such
     studies, at least one at SMS ≥ 4 and at least one independent; otherwise
     **Promising**;
   - D > 0, U = 0 and D > N + M (a clear preponderance) → **Promising**;
   - anything else → **Mixed**.

A reviewer may override the computed rating, always with a written reason; the
computed one is kept beside it. Strength of evidence is reported as the best SMS
level and the number of (independent) studies. Where the evidence comes from:
the same country as the intervention, the same region (Latin America and the
Caribbean), elsewhere, or unknown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from convivencia.core.text import fold
from convivencia.evidence.choices import (
    RATING_RANK,
    Design,
    Direction,
    EvidenceContext,
    ExternalSource,
    Rating,
)

ROBUST_SMS = 3

LATIN_AMERICA_AND_CARIBBEAN = frozenset(
    "AG AI AR AW BB BO BQ BR BS BZ CL CO CR CU CW DM DO EC GD GF GP GT GY HN HT JM KN KY LC "
    "MQ MS MX NI PA PE PR PY SR SV SX TC TT UY VC VE VG VI".split()
)


@dataclass(frozen=True)
class Finding:
    """One evaluation's result for one outcome."""

    direction: str
    sms_level: int
    design: str
    independent: bool
    country_code: str = ""


@dataclass(frozen=True)
class Verdict:
    rating: str
    best_sms: int | None
    studies: int
    independent_studies: int
    context: str
    explanation: str


def rate(findings: Iterable[Finding], intervention_country: str = "") -> Verdict:
    findings = list(findings)
    best_sms = max((f.sms_level for f in findings), default=None)
    studies = len(findings)
    independent = sum(1 for f in findings if f.independent)
    robust = [f for f in findings if f.sms_level >= ROBUST_SMS and f.design != Design.QUALITATIVE]
    context = _context(robust or findings, intervention_country)

    def verdict(rating: str, why: str) -> Verdict:
        return Verdict(rating, best_sms, studies, independent, context, why)

    if not findings:
        return verdict(Rating.NOT_EVALUATED, _("No evaluation recorded."))
    if not robust:
        return verdict(
            Rating.INSUFFICIENT,
            _("No study at Maryland SMS level 3 or above."),
        )
    counts = dict.fromkeys(Direction.values, 0)
    for finding in robust:
        counts[finding.direction] += 1
    desirable, null = counts[Direction.DESIRABLE], counts[Direction.NULL]
    undesirable, mixed = counts[Direction.UNDESIRABLE], counts[Direction.MIXED]
    if desirable == 0 and undesirable > 0:
        return verdict(
            Rating.HARMFUL, _("Robust studies found undesirable effects and none desirable.")
        )
    if desirable == 0 and mixed == 0:
        return verdict(Rating.NO_EFFECT, _("Robust studies found no significant effect."))
    if desirable > 0 and null == undesirable == mixed == 0:
        strong = any(f.sms_level >= 4 for f in robust)
        independent_robust = any(f.independent for f in robust)
        if desirable >= 2 and strong and independent_robust:
            return verdict(
                Rating.EFFECTIVE,
                _(
                    "Two or more robust studies, one at SMS 4 or above and one independent, "
                    "all found desirable effects."
                ),
            )
        return verdict(
            Rating.PROMISING,
            _(
                "Robust studies found desirable effects, "
                "but not yet enough of them to call it effective."
            ),
        )
    if desirable > 0 and undesirable == 0 and desirable > null + mixed:
        return verdict(Rating.PROMISING, _("Most robust studies found desirable effects."))
    return verdict(Rating.MIXED, _("Robust studies disagree."))


def _context(findings: list[Finding], intervention_country: str) -> str:
    countries = {f.country_code for f in findings if f.country_code}
    if not countries:
        return EvidenceContext.UNKNOWN
    if intervention_country and intervention_country in countries:
        return EvidenceContext.SAME_COUNTRY
    if countries & LATIN_AMERICA_AND_CARIBBEAN:
        return EvidenceContext.SAME_REGION
    return EvidenceContext.ELSEWHERE


def best(ratings: Iterable[str]) -> str:
    """The rating a dashboard shows first for an intervention rated on several outcomes."""
    return min(ratings, key=lambda rating: RATING_RANK[rating], default=Rating.NOT_EVALUATED)


# Each clearinghouse's own labels (folded) and where they sit on our scale.
EXTERNAL_LABELS: dict[str, dict[str, str]] = {
    ExternalSource.CRIMESOLUTIONS: {
        "effective": Rating.EFFECTIVE,
        "promising": Rating.PROMISING,
        "no effects": Rating.NO_EFFECT,
        "inconclusive evidence": Rating.INSUFFICIENT,
    },
    ExternalSource.CRIME_REDUCTION_TOOLKIT: {
        "overall reduced crime": Rating.EFFECTIVE,
        "some studies suggest a reduction in crime": Rating.PROMISING,
        "overall no impact on crime": Rating.NO_EFFECT,
        "some studies suggest an increase in crime": Rating.MIXED,
        "overall increased crime": Rating.HARMFUL,
    },
    ExternalSource.IDB: {
        "effective": Rating.EFFECTIVE,
        "promising": Rating.PROMISING,
        "not effective": Rating.NO_EFFECT,
        "inconclusive": Rating.INSUFFICIENT,
        "harmful": Rating.HARMFUL,
    },
    ExternalSource.BLUEPRINTS: {
        "model plus": Rating.EFFECTIVE,
        "model": Rating.EFFECTIVE,
        "promising": Rating.PROMISING,
    },
}


def map_external(source: str, label: str) -> str | None:
    """Our rating for another clearinghouse's label, or None when it does not map."""
    return EXTERNAL_LABELS.get(source, {}).get(fold(label))
