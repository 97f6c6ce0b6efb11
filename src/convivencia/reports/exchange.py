"""The reports' own exports on the data exchange page, and the page's listing."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from convivencia.core import slots
from convivencia.core.exchange import Export, Filters, Link


def report_exports(user, filters: Filters) -> list[Export]:
    query: dict[str, str | int] = {}
    if filters.territory is not None:
        query["territory"] = filters.territory.pk
    if filters.year is not None:
        query["year"] = filters.year
    suffix = f"?{urlencode(query)}" if query else ""
    found = [
        Export(
            section=_("Reports"),
            title=_("Regional overview"),
            description=_(
                "Trust index per provider type, crime rates, commitment completion and the "
                "evidence registry's counts, per territory; small cells withheld."
            ),
            standard=_("Tidy table (CSV, XLSX); PDF"),
            links=[
                Link("CSV", reverse("reports:overview_export", args=["csv"]) + suffix),
                Link("XLSX", reverse("reports:overview_export", args=["xlsx"]) + suffix),
                Link("PDF", reverse("reports:overview_export", args=["pdf"]) + suffix),
            ],
            audience=_("Public; coordinators see their territories' small cells"),
        )
    ]
    if filters.territory is not None:
        found.append(
            Export(
                section=_("Reports"),
                title=_("Municipal briefs of %(territory)s") % {"territory": filters.territory},
                description=_("The monthly brief: HTML and PDF, stored versions."),
                standard="HTML, PDF (PDF/UA)",
                links=[Link(_("Briefs"), reverse("reports:briefs", args=[filters.territory.pk]))],
                audience=_("Public edition for everyone; coordinators' edition for coordinators"),
            )
        )
    return found


def all_exports(user, filters: Filters) -> list[Export]:
    """Every export registered by the apps, as this reader may have them."""
    return slots.listing(slots.DATA_EXCHANGE, user, filters)
