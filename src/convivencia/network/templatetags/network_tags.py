"""Labels of the network's codes in the reader's language."""

from __future__ import annotations

from django import template

from convivencia.core import countries
from convivencia.network.choices import Expertise, Language
from convivencia.network.models import Specialist

register = template.Library()


@register.filter
def codes(specialist: Specialist, kind: str) -> list[str]:
    return specialist.codes(kind)


@register.filter
def country_name(code: str) -> str:
    try:
        return countries.name(code)
    except countries.UnknownCountry:
        return code


@register.filter
def expertise_label(code: str) -> str:
    return str(Expertise(code).label) if code in Expertise.values else code


@register.filter
def language_label(code: str) -> str:
    return str(Language(code).label) if code in Language.values else code
