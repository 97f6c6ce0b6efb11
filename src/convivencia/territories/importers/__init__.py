"""Territory importers: one module per publisher, one registry for pages and jobs.

Each format has a ``check`` (read everything, write nothing, raise BadFile with
every problem) and a ``write`` (to be called inside one transaction).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from convivencia.core.reading import BadFile, ImportReport
from convivencia.territories.importers import (
    boundaries,
    divipola,
    ibge,
    inegi,
    population,
    writer,
)
from convivencia.territories.services import TerritoryConflict


@dataclass(frozen=True)
class Format:
    key: str
    label: str | Promise
    check: Callable[..., Any]  # (path, *, name, progress) -> plan
    write: Callable[..., ImportReport]  # (plan, progress) -> report


FORMATS: dict[str, Format] = {
    item.key: item
    for item in [
        Format(
            "divipola",
            _("DIVIPOLA: departments and municipalities (DANE, Colombia)"),
            divipola.check,
            writer.write_territories,
        ),
        Format(
            "inegi",
            _("INEGI: states or municipalities (Mexico)"),
            inegi.check,
            writer.write_territories,
        ),
        Format(
            "ibge",
            _("IBGE: states or municipalities (Brazil)"),
            ibge.check,
            writer.write_territories,
        ),
        Format(
            "boundaries-divipola",
            _("Boundaries with DIVIPOLA codes (TopoJSON or GeoJSON)"),
            partial(boundaries.check, scheme="divipola"),
            boundaries.write,
        ),
        Format(
            "boundaries-inegi",
            _("Boundaries with INEGI codes (TopoJSON or GeoJSON)"),
            partial(boundaries.check, scheme="inegi"),
            boundaries.write,
        ),
        Format(
            "boundaries-ibge",
            _("Boundaries with IBGE codes (TopoJSON or GeoJSON)"),
            partial(boundaries.check, scheme="ibge"),
            boundaries.write,
        ),
        Format(
            "population-dane",
            _("Population: DANE municipal projections"),
            population.check_dane,
            population.write,
        ),
        Format(
            "population-worldbank",
            _("Population: World Bank country totals"),
            population.check_world_bank,
            population.write,
        ),
    ]
}


def run(
    check: Callable[[], Any],
    write: Callable[[Any], ImportReport],
) -> ImportReport:
    """Check, then write in one transaction; any problem becomes a CommandError."""
    try:
        plan = check()
    except BadFile as exc:
        raise CommandError(exc.summary()) from exc
    try:
        with transaction.atomic():
            return write(plan)
    except TerritoryConflict as exc:
        raise CommandError(str(exc)) from exc
