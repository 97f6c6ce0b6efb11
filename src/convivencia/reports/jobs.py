"""The monthly briefs: one job per month (or per territory when its wave closes).

After a wave closes, the briefs of every territory with a closed wave that month are
generated in the default language, public edition and coordinators' edition, and stored
when their figures changed (``services.generate``). The HTML is stored; the PDF is made
from it the first time someone downloads it, so 1,122 municipalities fit in the job's
time budget (``bench/reports.py``).

Each territory's briefs are written in their own transaction, not all at the end: a brief
depends on nothing but its own figures, so a job stopped half-way leaves finished briefs
that are complete, and running it again skips them (same hash, no new version).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from convivencia.jobs.services import JobContext, JobFailed, enqueue, handler
from convivencia.panels.choices import WaveStatus
from convivencia.panels.models import Wave
from convivencia.reports import services
from convivencia.reports.choices import Audience
from convivencia.territories.models import Territory

MONTHLY_JOB = "reports.monthly_briefs"


def active_territories(period: datetime.date) -> list[Territory]:
    """Territories with a closed wave in the month: those a brief has news for."""
    ids = set(
        Wave.objects.filter(period=period, status=WaveStatus.CLOSED).values_list(
            "panel__territory_id", flat=True
        )
    )
    return list(Territory.objects.filter(pk__in=ids).order_by("path"))


def enqueue_monthly(
    period: datetime.date, territories: list[Territory] | None = None, *, user=None
):
    params: dict[str, Any] = {"period": f"{period:%Y-%m}"}
    label = _("Monthly briefs %(period)s") % {"period": params["period"]}
    if territories is not None:
        params["territories"] = [territory.pk for territory in territories]
        if len(territories) == 1:
            label = _("Briefs of %(territory)s, %(period)s") % {
                "territory": territories[0],
                "period": params["period"],
            }
    return enqueue(MONTHLY_JOB, label, params, user=user)


def briefs_after_wave_closed(wave: Wave) -> None:
    """Wave-close hook (``panels.services.WAVE_CLOSED_HOOKS``): the panel's territory's
    briefs for the wave's month."""
    enqueue_monthly(wave.period, [wave.panel.territory])


def generate_month(
    period: datetime.date,
    territories: list[Territory],
    *,
    language: str | None = None,
    progress=None,
) -> dict[str, int]:
    language = language or settings.LANGUAGE_CODE
    created = unchanged = 0
    for done, territory in enumerate(territories):
        for audience in (Audience.PUBLIC, Audience.COORDINATOR):
            _brief, is_new = services.generate(territory, period, language, audience)
            created += is_new
            unchanged += not is_new
        if progress is not None:
            progress(done + 1, len(territories), territory.name)
    return {"territories": len(territories), "created": created, "unchanged": unchanged}


@handler(MONTHLY_JOB)
def monthly_briefs(context: JobContext) -> dict[str, Any]:
    try:
        period = services.parse_period(str(context.params.get("period", "")))
    except services.BriefError as error:
        raise JobFailed(str(error)) from error
    ids = context.params.get("territories")
    territories = (
        list(Territory.objects.filter(pk__in=ids).order_by("path"))
        if ids is not None
        else active_territories(period)
    )
    context.progress(0, len(territories), _("Writing the briefs…"))
    return generate_month(period, territories, progress=context.progress)
