"""Access to briefs: a territory is public, so its public brief is too; a stored version
of the coordinators' edition is for the territory's coordinators (404 for anyone else,
like a version that does not exist)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from convivencia.reports import services
from convivencia.reports.choices import Audience
from convivencia.reports.models import Brief
from convivencia.territories.models import Territory


def territory_or_404(user, pk: int) -> tuple[Territory, bool]:
    """(territory, may generate briefs of it)."""
    territory = get_object_or_404(Territory, pk=pk)
    return territory, services.may_generate(user, territory)


def brief_or_404(user, territory: Territory, period, language: str, version: int) -> Brief:
    brief = (
        Brief.objects.filter(territory=territory, period=period, language=language, version=version)
        .filter(audience=services.audience_for(user, territory))
        .first()
    )
    if brief is None:
        raise Http404
    return brief


def may_see(user, brief: Brief) -> bool:
    return brief.audience == Audience.PUBLIC or (
        services.audience_for(user, brief.territory) == Audience.COORDINATOR
    )
