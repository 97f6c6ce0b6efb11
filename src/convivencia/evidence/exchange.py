"""The evidence registry's exports on the data exchange page (``core.slots.DATA_EXCHANGE``)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from convivencia.core.exchange import Export, Filters, Link


def exports(user, filters: Filters) -> list[Export]:
    """Published interventions: public, so everyone gets the same files."""
    query = {}
    if filters.territory is not None:
        query["territory"] = filters.territory.pk
    if filters.year is not None:
        query["year_from"] = query["year_to"] = filters.year
    suffix = f"?{urlencode(query)}" if query else ""
    return [
        Export(
            section=_("Evidence registry"),
            title=_("Interventions and their evaluations"),
            description=_(
                "Every field of every published intervention: focus, problems, populations, "
                "evaluations and evidence ratings; one row per intervention."
            ),
            standard=_("Tidy table (CSV, XLSX) and JSON"),
            links=[
                Link(fmt.upper(), reverse("evidence:export", args=[fmt]) + suffix)
                for fmt in ("csv", "xlsx", "json")
            ],
            audience=_("Public"),
        )
    ]
