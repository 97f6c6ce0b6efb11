"""The dialogues section of a territory page: its processes and open commitments.

The territory page is rendered without the user (``user=None``: what the public
sees, published processes only); for a signed-in visitor htmx then fetches the
version of the section that includes what their roles let them see, as the panel
section does. Kept light: ``territories.services`` imports this for every page.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from convivencia.dialogues import permissions

SHOWN = 5


def dialogue_summary(territory, user=None) -> dict[str, Any]:
    """Context keys for ``dialogues/_territory_slot.html``."""
    viewer = user if user is not None else AnonymousUser()
    processes = (
        permissions.visible_processes(viewer)
        .filter(territory__path__startswith=territory.path)
        .select_related("territory")
        .order_by("-created_at")
    )
    commitments = (
        permissions.visible_commitments(viewer)
        .filter(territory__path__startswith=territory.path)
        .open()
        .select_related("responsible", "status")
    )
    today = timezone.localdate()
    overdue = commitments.overdue(today).order_by("due_date", "reference")
    return {
        "dialogue_summary": {
            "processes": list(processes[:SHOWN]),
            "process_count": processes.count(),
            "open_count": commitments.count(),
            "overdue": list(overdue[:SHOWN]),
            "overdue_count": overdue.count(),
            "today": today,
            "url": reverse("dialogues:territory", args=[territory.pk]),
            "board_url": reverse("dialogues:board", args=[territory.pk]),
            "upgrade_url": reverse("dialogues:territory_slot", args=[territory.pk])
            if user is None
            else "",
        }
    }
