"""The perception panels' exports on the data exchange page (``core.slots.DATA_EXCHANGE``).

Only what the reader may download: aggregates for the panel's coordinators and analysts,
respondent-level files and the ODK Entity roster for its coordinators (and the roster's
collectors), the XForm for those who collect. Nothing of a panel is listed to others.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from convivencia.accounts import access
from convivencia.core.exchange import Export, Filters, Link
from convivencia.panels import charts, openrosa
from convivencia.panels.choices import WaveStatus
from convivencia.panels.models import Panel

COLLECTOR_ROLES = openrosa.COLLECTOR_ROLES


def exports(user, filters: Filters) -> list[Export]:
    if user is None or not user.is_authenticated:
        return []
    panels = Panel.objects.visible_to(
        user, *charts.AGGREGATE_EXPORT_ROLES, *COLLECTOR_ROLES
    ).select_related("territory")
    if filters.territory is not None:
        panels = panels.filter(territory__path__startswith=filters.territory.path)
    if filters.year is not None:
        panels = panels.filter(
            waves__period__year=filters.year, waves__status=WaveStatus.CLOSED
        ).distinct()
    found = []
    for panel in panels.order_by("territory__name", "code"):
        links = []
        if access.has_role(user, panel.territory, *charts.AGGREGATE_EXPORT_ROLES):
            links.append(
                Link(
                    _("Aggregates (CSV)"),
                    reverse("panels:export", args=[panel.code, "aggregates.csv"]),
                )
            )
        if access.has_role(user, panel.territory, *charts.RESPONDENT_EXPORT_ROLES):
            for kind, label in (
                ("long.csv", _("Answers, long (CSV)")),
                ("wide.csv", _("Answers, wide (CSV)")),
                ("wide.xlsx", _("Answers, wide (XLSX)")),
            ):
                links.append(Link(label, reverse("panels:export", args=[panel.code, kind])))
        if access.has_role(user, panel.territory, *COLLECTOR_ROLES):
            links.append(
                Link(
                    _("ODK Entity list (roster CSV)"),
                    reverse("panels:roster:entities", args=[panel.code]),
                )
            )
            links.append(
                Link(_("XLSForm"), reverse("panels:collection:xlsform", args=[panel.code]))
            )
        if links:
            found.append(
                Export(
                    section=_("Perception panels"),
                    title=_("Panel %(panel)s (%(territory)s)")
                    % {"panel": panel.name or panel.code, "territory": panel.territory.name},
                    description=_(
                        "Aggregates per item, wave and group; respondent-level answers under "
                        "pseudonymous codes; the roster as an ODK Entity list."
                    ),
                    standard=_("Tidy long and wide tables (CSV, XLSX); ODK Entities; XLSForm"),
                    links=links,
                    audience=_("The panel's coordinators, analysts and collectors"),
                )
            )
    return found
