"""The figures of a municipal brief, read from the domain apps' public functions.

Every figure here comes from the function the dashboards and the API use for the same
thing, so a brief never disagrees with them and never applies a rule of its own:

- the panel's cells from ``panels.charts.results_by_wave`` (which applies
  ``panels.suppression`` for a reader who may not see small cells), the changes through
  ``panels.charts.visible_change``, the concerns from ``panels.charts.top_concerns``;
- the official rates from ``indicators.explorer.trend`` and the panel's victimisation
  answers beside them from ``indicators.perception`` (public by design);
- the commitments from ``dialogues.permissions`` (what the audience may see) and
  ``dialogues.services`` (flags and the community's verdicts).

The result is plain data (numbers, strings, lists, dicts): it is hashed to tell whether a
brief changed, stored with each version and returned by the API as it is.
"""

from __future__ import annotations

import calendar
import datetime
import importlib
from collections import Counter
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Max, Q
from django.utils import timezone

from convivencia.dialogues import permissions as dialogue_permissions
from convivencia.dialogues import services as dialogue_services
from convivencia.dialogues.choices import SessionStatus, Verdict
from convivencia.dialogues.models import (
    Commitment,
    CommitmentStatus,
    Concern,
    Process,
    Session,
)
from convivencia.indicators import perception
from convivencia.indicators.models import Indicator, Total
from convivencia.indicators.periods import parse
from convivencia.indicators.presets import INDICATORS
from convivencia.panels import charts
from convivencia.panels.choices import WaveStatus
from convivencia.panels.models import Panel, Wave
from convivencia.reports.choices import LIST_LIMIT, TREND_WAVES, Audience
from convivencia.territories.choices import source_name
from convivencia.territories.models import Territory


def _round(value: float | None, digits: int = 1) -> float | None:
    if value is None or value != value:  # NaN is unequal to itself
        return None
    return round(float(value), digits)


def month_end(period: datetime.date) -> datetime.date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def as_of(period: datetime.date) -> datetime.date:
    """The day the brief's status figures are read at: the month's last day, or today
    while the month runs. Fixed once the month is over, so a brief regenerated later
    from the same data says the same thing."""
    return min(month_end(period), timezone.localdate())


# --- the panels ------------------------------------------------------------------------------


def _cell(result: Any) -> dict[str, Any]:
    if result is None:
        return {"n": None, "suppressed": False, "missing": True}
    return {
        "n": result.n,
        "suppressed": bool(result.suppressed),
        "missing": False,
        "pct": _round(result.pct_trust),
        "pct_low": _round(result.pct_trust_ci_low),
        "pct_high": _round(result.pct_trust_ci_high),
        "mean": _round(result.mean_0_100),
        "mean_low": _round(result.mean_ci_low),
        "mean_high": _round(result.mean_ci_high),
    }


def _change(change: Any) -> dict[str, Any] | None:
    if change is None:
        return None
    return {
        "test": change.test,
        "n_pairs": change.n_pairs,
        "pct_change": _round(change.pct_trust_change),
        "mean_change": _round(change.mean_change_0_100),
        "p_adjusted": _round(change.p_adjusted, 3),
        "paired": bool(change.paired),
        "flagged": bool(change.flagged),
    }


def panel_figures(panel: Panel, period: datetime.date, audience: str) -> dict[str, Any]:
    """One panel's part of the brief: the month's wave against the one before it."""
    reveal = audience == Audience.COORDINATOR
    waves = [wave for wave in charts.waves_of(panel) if wave.period <= period]
    wave = next((w for w in waves if w.period == period), None)
    figures: dict[str, Any] = {
        "code": panel.code,
        "name": panel.name or panel.code,
        "territory": panel.territory.name,
        "wave": None,
    }
    if wave is None or not getattr(wave, "responses", 0):
        return figures
    answered = charts.answered(waves)
    earlier = [w for w in answered if w.period < period]
    previous = earlier[-1] if earlier else None
    trend_waves = answered[-TREND_WAVES:]
    items = charts.items_by_code(panel)
    primary = charts.trust_items(items, primary_only=True)
    results = charts.results_by_wave(
        trend_waves, reveal_small=reveal, codes=[item.code for item in primary], with_counts=False
    )
    # The two waves compared, every item with its counts, as the dashboard reads them.
    results.update(
        charts.results_by_wave([w for w in (wave, previous) if w is not None], reveal_small=reveal)
    )
    changes = charts.changes_between(wave, previous) if previous is not None else None
    rows = charts.comparison(
        panel,
        items,
        results[wave.pk],
        results[previous.pk] if previous else None,
        changes,
        reveal_small=reveal,
    )
    figures["wave"] = {
        "label": wave.label,
        "closed": wave.status == WaveStatus.CLOSED,
        "previous": previous.label if previous else None,
    }
    figures["headline"] = [
        {
            "label": row.label,
            "text": row.text,
            "now": _cell(row.current),
            "before": _cell(row.previous),
            "change": _change(row.change),
            "difference": _round(row.pct_change),
        }
        for row in rows
        if row.is_trust
    ]
    figures["other_items"] = [
        {
            "label": row.text,
            "now": _cell(row.current),
            "before": _cell(row.previous),
            "change": _change(row.change),
            "difference": _round(row.pct_change),
        }
        for row in rows
        if not row.is_trust
    ]
    trend = charts.trend_series(panel, primary, trend_waves, results)
    figures["trend"] = {
        "labels": trend["labels"],
        "series": [{"label": serie["label"], "values": serie["pct"]} for serie in trend["series"]],
    }
    concerns = charts.top_concerns(panel, items, results[wave.pk])
    if not reveal:
        # A public brief names a concern only when at least k leaders chose it: a count
        # below k describes a handful of people.
        concerns = [c for c in concerns if c.count >= settings.MIN_CELL_SIZE]
    figures["concerns"] = [
        {"label": c.label, "count": c.count, "share": _round(c.share)} for c in concerns
    ]
    retention = {row.wave: row for row in charts.retention(panel, answered)}.get(wave.label)
    if retention is not None and not reveal and retention.responded < settings.MIN_CELL_SIZE:
        # How many answered a wave is a count of people: withheld below k, like a cell.
        retention = None
    figures["retention"] = (
        {
            "members": retention.members,
            "responded": retention.responded,
            "response_rate": _round(retention.response_rate),
            "retention_rate": _round(retention.retention_rate),
        }
        if retention
        else None
    )
    figures["breakdowns"] = _breakdowns(panel, wave, primary) if reveal else []
    return figures


def _breakdowns(panel: Panel, wave: Wave, primary: list[Any]) -> list[dict[str, Any]]:
    """% trusting per group of respondents, for the coordinators' brief only."""
    codes = [item.code for item in primary]
    labels = {item.code: charts.item_label(item, panel) for item in primary}
    tables = []
    for group in charts.breakdown_options(panel):
        rows = []
        for option in group["options"]:
            results = charts.results_by_wave(
                [wave], option["key"], reveal_small=True, codes=codes, with_counts=False
            )[wave.pk]
            rows.append(
                {
                    "group": option["label"],
                    "cells": [_cell(results.get(code)) for code in codes],
                }
            )
        tables.append(
            {"label": group["label"], "columns": [labels[c] for c in codes], "rows": rows}
        )
    return tables


# --- official records ------------------------------------------------------------------------


def _indicator_order(indicator: Indicator) -> tuple[int, str]:
    order = list(INDICATORS)
    return (order.index(indicator.code) if indicator.code in order else len(order), indicator.code)


def indicator_figures(territory: Territory, period: datetime.date) -> dict[str, Any]:
    """The latest complete year up to the brief's year (else that year so far), as rates."""
    from convivencia.indicators import explorer

    rows = Total.objects.filter(
        territory__path__startswith=territory.path, end__lte=month_end(period)
    )
    found = rows.aggregate(
        complete=Max("end", filter=Q(end__month=12, end__day=31)), any=Max("end")
    )
    latest = found["complete"] or found["any"]
    figures: dict[str, Any] = {"year": None, "rows": [], "perception": None, "official": []}
    if latest is None:
        return figures
    year = latest.year
    figures["year"] = year
    span = parse(str(year))
    present = Total.objects.filter(
        territory__path__startswith=territory.path, start__gte=span.start, end__lte=span.end
    ).values("element_id")
    indicators = Indicator.objects.filter(numerator_id__in=present).select_related("numerator")
    for indicator in sorted(indicators, key=_indicator_order):
        rate = explorer.trend(indicator, territory, [span], None)[0]
        figures["rows"].append(
            {
                "code": indicator.code,
                "label": str(indicator),
                "element": indicator.numerator.code,
                "value": _round(rate.value),
                "low": _round(rate.ci_low),
                "high": _round(rate.ci_high),
                "count": rate.numerator,
                "population": rate.denominator,
                # A source this code writes (the demo's) in the brief's language.
                "population_source": source_name(rate.population_source),
                "population_year": rate.population_year,
                "factor": rate.factor,
                "warnings": [str(warning) for warning in rate.warnings],
            }
        )
    seen = perception.for_territory(territory, year)
    if seen is not None:
        figures["perception"] = {
            "year": seen.year,
            "waves": seen.waves,
            "victims": _share(seen.victims),
            "not_reporting": _share(seen.not_reporting),
            "multiplier": {
                "value": _round(seen.multiplier.value),
                "low": _round(seen.multiplier.low),
                "high": _round(seen.multiplier.high),
                "suppressed": seen.multiplier.suppressed,
            },
        }
        figures["official"] = [
            row["label"] for row in figures["rows"] if row["element"] in perception.ASKED_ABOUT
        ]
    return figures


def _share(share: Any) -> dict[str, Any]:
    return {
        "n": share.n,
        "count": share.count,
        "percent": _round(share.percent),
        "low": _round(share.ci_low),
        "high": _round(share.ci_high),
        "suppressed": share.suppressed,
    }


# --- dialogues -------------------------------------------------------------------------------


def _viewer(audience: str) -> Any:
    """Whose eyes the dialogue records are read with: the public's, or the territory's
    coordinators' (who see every process of their territory)."""
    return AnonymousUser() if audience == Audience.PUBLIC else None


def _commitments(territory: Territory, audience: str) -> Any:
    viewer = _viewer(audience)
    base = (
        Commitment.objects.all()
        if viewer is None
        else dialogue_permissions.visible_commitments(viewer)
    )
    return base.filter(territory__path__startswith=territory.path)


def is_completed(status: CommitmentStatus) -> bool:
    """A final status that is not a cancellation: done."""
    return status.is_final and status.default_progress == 100


def dialogue_figures(territory: Territory, period: datetime.date, audience: str) -> dict[str, Any]:
    day = as_of(period)
    commitments = list(
        _commitments(territory, audience)
        .filter(created_at__date__lte=day)
        .select_related("status", "responsible", "process")
        .order_by("due_date", "reference")
    )
    states = dialogue_services.verification_states(commitments)
    statuses = list(CommitmentStatus.objects.order_by("position"))
    by_status = Counter(commitment.status_id for commitment in commitments)
    overdue, disputed, confirmed = [], [], []
    completed = cancelled = 0
    for commitment in commitments:
        state = states.get(commitment.pk)
        entry = {
            "reference": commitment.reference,
            "title": commitment.title,
            "responsible": str(commitment.responsible),
            "due": commitment.due_date.isoformat(),
            "status": str(commitment.status),
            "process": commitment.process.title,
        }
        flags = dialogue_services.flags(commitment, day)
        if flags.overdue:
            overdue.append({**entry, "days_overdue": flags.days_overdue})
        if state == Verdict.DISPUTED:
            disputed.append(entry)
        if is_completed(commitment.status):
            completed += 1
            if state == Verdict.CONFIRMED:
                confirmed.append(entry)
        elif commitment.status.is_final:
            cancelled += 1
    considered = len(commitments) - cancelled
    overdue.sort(key=lambda entry: (-entry["days_overdue"], entry["reference"]))
    viewer = _viewer(audience)
    sessions = (
        Session.objects.all() if viewer is None else dialogue_permissions.visible_sessions(viewer)
    )
    upcoming = (
        sessions.filter(
            process__territory__path__startswith=territory.path,
            starts_at__date__gt=day,
        )
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("process")
        .order_by("starts_at")[:LIST_LIMIT]
    )
    processes = (
        Process.objects.all() if viewer is None else dialogue_permissions.visible_processes(viewer)
    )
    raised = (
        Concern.objects.filter(
            process__in=processes.filter(territory__path__startswith=territory.path)
        )
        .annotate(votes_cast=Count("votes"))
        .order_by("-votes_cast", "title")[:LIST_LIMIT]
    )
    return {
        "as_of": day.isoformat(),
        "total": len(commitments),
        "statuses": [
            {"label": str(status), "count": by_status.get(status.pk, 0)}
            for status in statuses
            if by_status.get(status.pk)
        ],
        "completed": completed,
        "completed_confirmed": len(confirmed),
        "completion_rate": _round(completed / considered * 100) if considered else None,
        "overdue_count": len(overdue),
        "disputed_count": len(disputed),
        "confirmed": confirmed[:LIST_LIMIT],
        "overdue": overdue[:LIST_LIMIT],
        "disputed": disputed[:LIST_LIMIT],
        "sessions": [
            {
                "title": session.title,
                "kind": session.get_kind_display(),
                "date": timezone.localtime(session.starts_at).date().isoformat(),
                "process": session.process.title,
                # Where leaders under threat will meet is not for the public.
                "venue": session.venue if audience == Audience.COORDINATOR else "",
            }
            for session in upcoming
        ],
        "concerns": [
            {
                "title": concern.title,
                "priority": concern.get_priority_display(),
                "votes": concern.votes_cast,
                "process": concern.process.title,
            }
            for concern in raised
        ],
    }


# --- studies ---------------------------------------------------------------------------------


def study_findings(territory: Territory) -> list[dict[str, Any]]:
    """The findings of the characterisation studies of the territory, when the studies app
    is installed (``studies.summary.brief_findings``); none otherwise."""
    if not apps.is_installed("convivencia.studies"):
        return []
    summary = importlib.import_module("convivencia.studies.summary")
    findings = []
    for finding in summary.brief_findings(territory):
        findings.append(
            {
                "statement": str(finding.get("statement", "")),
                "root_cause": bool(finding.get("root_cause")),
                "codes": [str(code) for code in finding.get("codes", []) or []],
                "concerns": [str(concern) for concern in finding.get("concerns", []) or []],
                "study": str(finding.get("study", "") or ""),
            }
        )
    return findings


# --- everything ------------------------------------------------------------------------------


def brief_data(territory: Territory, period: datetime.date, audience: str) -> dict[str, Any]:
    """Every figure of the brief, in the active language (call inside
    ``translation.override``)."""
    panels = (
        Panel.objects.filter(territory__path__startswith=territory.path)
        .select_related("territory", "questionnaire")
        .order_by("territory__name", "code")
    )
    panel_parts = [panel_figures(panel, period, audience) for panel in panels]
    indicators = indicator_figures(territory, period)
    sources = sorted(
        {
            (row["population_source"], row["population_year"])
            for row in indicators["rows"]
            if row["population_source"]
        },
        key=lambda pair: (pair[0], pair[1] or 0),
    )
    return {
        "territory": {
            "id": territory.pk,
            "name": territory.name,
            "level": territory.get_level_display(),
            "within": [ancestor.name for ancestor in territory.ancestors()],
            "codes": [
                f"{code.scheme}:{code.code}"
                for code in sorted(territory.codes.all(), key=lambda code: code.scheme)
            ],
        },
        "period": f"{period:%Y-%m}",
        "audience": audience,
        "panels": panel_parts,
        "indicators": indicators,
        "dialogues": dialogue_figures(territory, period, audience),
        "findings": study_findings(territory),
        "methods": {
            "min_cell_size": settings.MIN_CELL_SIZE,
            "caveat": charts.caveat(),
            "population_sources": [{"source": source, "year": year} for source, year in sources],
            "reveal": audience == Audience.COORDINATOR,
        },
    }
