"""The territory page's link to the territory's municipal briefs."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from convivencia.reports.models import Brief


def brief_summary(territory, user=None) -> dict[str, Any]:
    """Context keys for ``reports/_territory_slot.html``: the briefs page and the latest
    public brief stored, if any."""
    latest = (
        Brief.objects.filter(territory=territory, audience="public")
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    return {
        "brief_summary": {
            "url": reverse("reports:briefs", args=[territory.pk]),
            "latest": f"{latest:%Y-%m}" if latest else "",
            "latest_url": reverse("reports:brief", args=[territory.pk, f"{latest:%Y-%m}"])
            if latest
            else "",
        }
    }
