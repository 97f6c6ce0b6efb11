"""Template filters of the territories: sources of figures as a reader sees them."""

from __future__ import annotations

from django import template

from convivencia.territories.choices import source_name as _source_name

register = template.Library()


@register.filter
def source_name(source: str | None) -> str:
    """``{{ rate.population_source|source_name }}``: our own sources in the reader's language."""
    return _source_name(source)
