"""The dialogues' exports on the data exchange page (``core.slots.DATA_EXCHANGE``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from convivencia.core.exchange import Export, Filters, Link
from convivencia.dialogues import permissions


def exports(user, filters: Filters) -> list[Export]:
    """One entry per process the reader sees: its commitments and updates."""
    processes = permissions.visible_processes(user).select_related("territory")
    if filters.territory is not None:
        processes = processes.filter(territory__path__startswith=filters.territory.path)
    if filters.year is not None:
        processes = processes.filter(commitments__due_date__year=filters.year).distinct()
    found = []
    for process in processes.order_by("territory__name", "title")[:200]:
        found.append(
            Export(
                section=_("Dialogues and commitments"),
                title=_("%(process)s (%(territory)s)")
                % {"process": process.title, "territory": process.territory.name},
                description=_("Commitments with their status and due dates, and their updates."),
                standard=_("Tidy table (CSV, XLSX)"),
                links=[
                    Link(
                        _("Commitments (CSV)"),
                        reverse("dialogues:export_csv", args=[process.pk, "commitments"]),
                    ),
                    Link(
                        _("Updates (CSV)"),
                        reverse("dialogues:export_csv", args=[process.pk, "updates"]),
                    ),
                    Link(_("Workbook (XLSX)"), reverse("dialogues:export_xlsx", args=[process.pk])),
                ],
                audience=_("Public")
                if process.is_published
                else _("People with a role in the territory"),
            )
        )
    return found
