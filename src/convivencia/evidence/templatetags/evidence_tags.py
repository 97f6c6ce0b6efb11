"""Small template helpers for the evidence pages: labels for codes, shares, budgets."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
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


# The filter form lists about a hundred choices, on every dashboard and gap map page.
# The template language spends some 20 µs on each variable (six per checkbox); these
# two tags write the same markup in Python, about a tenth of the page's function calls.

CHECKED = mark_safe(" checked")
SELECTED = mark_safe(" selected")


def _chosen(selected: Iterable[Any] | None) -> set[str]:
    return {str(value) for value in selected or ()}


@register.simple_tag
def choice_items(field: Any, selected: Iterable[Any] | None) -> SafeString:
    """The ``<li>`` checkboxes of a vocabulary field, ``selected`` ones checked."""
    chosen = _chosen(selected)
    name = field.html_name
    return format_html_join(
        "\n",
        '<li><input type="checkbox" name="{}" value="{}" id="id_{}_{}"{}>'
        '<label for="id_{}_{}">{}</label></li>',
        (
            (name, value, name, index, CHECKED if str(value) in chosen else "", name, index, label)
            for index, (value, label) in enumerate(field.field.choices)
        ),
    )


@register.simple_tag
def option_items(choices: Iterable[tuple[Any, Any]], selected: Iterable[Any] | None) -> SafeString:
    """``<option>`` elements, ``selected`` ones selected."""
    chosen = _chosen(selected)
    return SafeString(
        "".join(
            format_html(
                '<option value="{}"{}>{}</option>',
                value,
                SELECTED if str(value) in chosen else "",
                label,
            )
            for value, label in choices
        )
    )
