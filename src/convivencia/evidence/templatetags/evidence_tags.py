"""Small template helpers for the evidence pages: labels for codes, shares, budgets."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from convivencia.evidence import geo
from convivencia.evidence.choices import (
    TAG_CHOICES,
    Design,
    Direction,
    EvidenceContext,
    Focus,
    ImplementerType,
    Population,
    PreventionLevel,
    Problem,
    Rating,
    Scale,
    Status,
)
from convivencia.evidence.models import Intervention

register = template.Library()

VOCABULARIES = {
    "focus": Focus,
    "problem": Problem,
    "population": Population,
    "rating": Rating,
    "design": Design,
    "direction": Direction,
    "context": EvidenceContext,
    "implementer_type": ImplementerType,
    "prevention_level": PreventionLevel,
    "scale": Scale,
    "status": Status,
}


@register.filter
def country_name(code: str) -> str:
    return geo.country_name(code)


@register.filter
def choice_label(code: str, vocabulary: str) -> str:
    """``{{ "policing"|choice_label:"focus" }}`` → "Policing and law enforcement"."""
    choices = VOCABULARIES[vocabulary]
    return str(choices(code).label) if code in choices.values else code


@register.filter
def percent_of(part: int, whole: int) -> str:
    """``{{ 3|percent_of:40 }}`` → "8%" (rounded; empty when the whole is zero)."""
    if not whole:
        return ""
    return f"{round(Decimal(part) * 100 / Decimal(whole))}%"


@register.filter
def usd(amount: Decimal | None) -> str:
    """A budget in whole US dollars with the language's digit grouping."""
    if amount is None:
        return ""
    return f"US${floatformat(amount, '0g')}"


@register.filter
def tag_labels(intervention: Intervention, kind: str) -> str:
    """The labels of an intervention's (prefetched) tags of one kind, comma-separated."""
    vocabulary = TAG_CHOICES[kind]
    return ", ".join(
        str(vocabulary(code).label) if code in vocabulary.values else code
        for code in intervention.codes(kind)
    )


@register.filter
def usd_short(amount: Decimal | None) -> str:
    """A budget rounded for a table: "US$10.6 M", "US$150 k" (decimal mark of the language)."""
    if amount is None:
        return ""
    for scale, unit in ((10**9, _("bn")), (10**6, _("M")), (10**3, _("k"))):
        if amount >= scale:
            value = Decimal(amount) / scale
            return f"US${floatformat(value, -1 if value < 100 else 0)} {unit}"
    return f"US${floatformat(amount, 0)}"
