"""/api/v1/panels/: perception panels, their waves and their results (aggregates only).

The same rules as the pages: login required (401 otherwise); a panel outside
the caller's scope answers 404 like one that does not exist; cells with fewer
than MIN_CELL_SIZE respondents are suppressed except for coordinators of the
panel's territory. Results come from the aggregates through the same functions
the dashboard uses; only the paired change test reads answers.
"""

# No `from __future__ import annotations` here: ninja reads the endpoint
# signatures at import time and cannot resolve string annotations.
import math
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from convivencia.accounts import audit
from convivencia.accounts.choices import AuditAction
from convivencia.api.auth import LOGIN_REQUIRED
from convivencia.api.errors import ApiError, ErrorBody, invalid
from convivencia.api.pagination import PageNumberPagination
from convivencia.panels import analysis, charts
from convivencia.panels.models import Panel, Wave, period_of
from convivencia.territories.api import TerritoryRef

router = Router(tags=["panels"], auth=LOGIN_REQUIRED)

ERRORS = {400: ErrorBody, 401: ErrorBody, 404: ErrorBody}


class QuestionnaireRef(Schema):
    code: str
    version: int


class PanelOut(Schema):
    code: str
    name: str
    territory: TerritoryRef
    questionnaire: QuestionnaireRef
    waves_count: int = Field(description="Waves opened so far.")
    latest_wave: str | None = Field(description="The most recent wave, as YYYY-MM.")
    url: str = Field(description="The panel's dashboard on the website.")

    @staticmethod
    def resolve_name(panel: Panel) -> str:
        return str(panel)

    @staticmethod
    def resolve_latest_wave(panel: Panel) -> str | None:
        latest = getattr(panel, "latest_period", None)
        return latest.strftime("%Y-%m") if latest else None

    @staticmethod
    def resolve_url(panel: Panel, context: dict[str, Any]) -> str:
        return context["request"].build_absolute_uri(reverse("panels:dashboard", args=[panel.code]))


class WaveOut(Schema):
    period: str = Field(description="The month, as YYYY-MM.")
    status: str = Field(description="`open` (still collecting) or `closed`.")
    responses: int = Field(description="Submissions received.")


class PanelDetailOut(PanelOut):
    local_provider_name: str
    waves: list[WaveOut] = Field(description="Ordered by month.")

    @staticmethod
    def resolve_waves(panel: Panel) -> list[dict[str, Any]]:
        return [
            {"period": wave.label, "status": wave.status, "responses": wave.responses}
            for wave in charts.waves_of(panel)
        ]


class ChangeOut(Schema):
    test: str = Field(description="`wilcoxon` (scales) or `mcnemar` (yes/no items).")
    p_value: float | None
    p_adjusted: float | None = Field(
        description="Benjamini–Hochberg across the items compared in this wave."
    )
    flagged: bool = Field(description="True when the adjusted p-value is below 0.05.")
    n_pairs: int = Field(description="Respondents who answered the item in both waves.")
    mean_change_0_100: float | None
    pct_trust_change: float | None = Field(
        description="Change in the share favourable among the same respondents, in points "
        "(when `paired` is false: the difference of the two waves' published shares)."
    )
    paired: bool = Field(
        description="False when the pairs leave out fewer than MIN_CELL_SIZE respondents of "
        "a wave: the verdict (`flagged`) is the paired test's, but the p-values are withheld "
        "and the changes are the plain differences of the two waves' published figures, "
        "since the pairs' own means would reveal the respondents left out."
    )


class ResultOut(Schema):
    item: str
    provider: str = Field(description="The institution a trust item is about (else empty).")
    n: int | None = Field(
        description="Answers, excluding don't know (88) and no answer (98); null when suppressed."
    )
    n_missing: int | None
    suppressed: bool = Field(
        description=f"The figures, counts included, are withheld: fewer than MIN_CELL_SIZE "
        f"({settings.MIN_CELL_SIZE}) answers, a wave still collecting, or a group that the "
        "other published groups would reveal by subtraction (complementary suppression)."
    )
    pct_trust: float | None = Field(description="% favourable (trusting, feeling safe), 0–100.")
    pct_trust_ci_low: float | None = Field(description="Wilson 95% interval.")
    pct_trust_ci_high: float | None
    mean_0_100: float | None = Field(description="Mean score rescaled to 0–100.")
    mean_ci_low: float | None = Field(description="t 95% interval.")
    mean_ci_high: float | None
    counts: dict[str, int] | None = Field(
        description="Answers per code (multiple choice: respondents per option)."
    )
    change: ChangeOut | None = Field(
        description="Paired change since the previous wave, for the whole panel; null for "
        "breakdowns, without a previous wave, or among fewer than MIN_CELL_SIZE pairs."
    )


class ResultsOut(Schema):
    panel: str
    wave: str
    wave_status: str = Field(description="`open`: the figures are provisional.")
    previous_wave: str | None
    breakdown: str
    caveat: str
    min_cell_size: int
    results: list[ResultOut]


class ResultsQuery(Schema):
    wave: str | None = Field(
        None,
        description="YYYY-MM. If absent: the latest closed wave with answers (an open "
        "wave's figures are provisional), else the latest wave with answers.",
    )
    breakdown: str = Field(
        "all",
        description="`all`, or `attribute:value` with attribute one of sex, age_band, "
        "role, area (e.g. `sex:female`).",
    )


def _panels(request: HttpRequest) -> QuerySet[Panel]:
    return charts.visible_panels(request.user).annotate(
        waves_count=Count("waves", distinct=True), latest_period=Max("waves__period")
    )


def _panel_or_404(request: HttpRequest, code: str) -> Panel:
    panel = _panels(request).filter(code=code).first()
    if panel is None:
        raise ApiError(404, _("No panel has the code %(code)s.") % {"code": code})
    return panel


@router.get(
    "/",
    response={200: list[PanelOut], **ERRORS},
    url_name="panel-list",
    summary="The panels you may see",
)
@paginate(PageNumberPagination)
def list_panels(request: HttpRequest) -> QuerySet[Panel]:
    """Panels in the territories where you are a coordinator, analyst, provider or
    community leader, ordered by code."""
    return _panels(request).order_by("code")


@router.get(
    "/{code}/",
    response={200: PanelDetailOut, **ERRORS},
    url_name="panel-detail",
    summary="One panel and its waves",
)
def get_panel(request: HttpRequest, code: str) -> Panel:
    return _panel_or_404(request, code)


def _number(value: float | None) -> float | None:
    if value is None or math.isnan(value):
        return None
    return value


def _result(result: analysis.ItemResult, change: analysis.Change | None) -> dict[str, Any]:
    return {
        "item": result.item,
        "provider": result.provider,
        "n": result.n,
        "n_missing": None if result.suppressed else result.n_missing,
        "suppressed": result.suppressed,
        "pct_trust": _number(result.pct_trust),
        "pct_trust_ci_low": _number(result.pct_trust_ci_low),
        "pct_trust_ci_high": _number(result.pct_trust_ci_high),
        "mean_0_100": _number(result.mean_0_100),
        "mean_ci_low": _number(result.mean_ci_low),
        "mean_ci_high": _number(result.mean_ci_high),
        "counts": result.counts,
        "change": None
        if change is None
        else {
            "test": change.test,
            "p_value": _number(change.p_value),
            "p_adjusted": _number(change.p_adjusted),
            "flagged": change.flagged,
            "n_pairs": change.n_pairs,
            "mean_change_0_100": _number(change.mean_change_0_100),
            "pct_trust_change": _number(change.pct_trust_change),
            "paired": change.paired,
        },
    }


def _wave(panel: Panel, waves: Sequence[Wave], text: str | None) -> Wave | None:
    if text is None:
        return None
    try:
        period = period_of(text)
    except ValueError:
        raise invalid(("query", "wave"), _("Write the wave as YYYY-MM, e.g. 2024-03.")) from None
    wave = next((wave for wave in waves if wave.period == period), None)
    if wave is None:
        raise ApiError(
            404, _("Panel %(panel)s has no wave %(wave)s.") % {"panel": panel.code, "wave": text}
        )
    return wave


@router.get(
    "/{code}/results",
    response={200: ResultsOut, **ERRORS},
    url_name="panel-results",
    summary="Results of one wave, with the change since the previous one",
)
def get_results(request: HttpRequest, code: str, query: Query[ResultsQuery]) -> dict[str, Any]:
    """Per item asked in the wave: n, % favourable with its Wilson interval, the 0–100 mean
    with its t-interval and, for the whole panel, the paired change since the previous
    wave (Wilcoxon signed-rank or McNemar, Benjamini–Hochberg adjusted).

    A panel of ~50 purposively chosen leaders is a key-informant panel, not a probability
    sample: `caveat` says so, and so should anything built on these numbers.
    """
    panel = _panel_or_404(request, code)
    if not charts.valid_breakdown(query.breakdown):
        raise invalid(
            ("query", "breakdown"),
            _("“%(value)s” is not a breakdown.") % {"value": query.breakdown},
        )
    waves = charts.waves_of(panel)
    wave, previous = charts.latest_pair(waves, _wave(panel, waves, query.wave))
    if wave is None:
        raise ApiError(404, _("Panel %(panel)s has no answers yet.") % {"panel": panel.code})
    reveal = charts.reveals_small_cells(request.user, panel)
    if reveal:
        # Cells of one or two people are as good as their answers: a coordinator's read
        # of them is audited like a read of the roster.
        audit.record(
            AuditAction.READ_PERSONAL,
            panel,
            request=request,
            changes={"results": wave.label, "breakdown": query.breakdown},
        )
    pair = [w for w in (wave, previous) if w is not None]
    results = charts.results_by_wave(pair, query.breakdown, reveal_small=reveal)
    asked = charts.asked_codes([wave])[wave.pk]
    items = charts.item_access(request.user).filter(panel, charts.items_by_code(panel))
    changes: dict[str, analysis.Change] = {}
    if previous is not None and query.breakdown == "all":
        changes = charts.changes_between(wave, previous)
    rows = []
    # Items the wave asked, in questionnaire order; a breakdown without answers is n = 0.
    for item_code in [c for c in items if c in asked]:
        result = results[wave.pk].get(item_code) or analysis.result_from(
            items[item_code], None, reveal_small=reveal
        )
        before = results[previous.pk].get(item_code) if previous is not None else None
        change = charts.visible_change(changes.get(item_code), result, before, reveal)
        rows.append(_result(result, change))
    return {
        "panel": panel.code,
        "wave": wave.label,
        "wave_status": wave.status,
        "previous_wave": previous.label if previous else None,
        "breakdown": query.breakdown,
        "caveat": charts.caveat(),
        "min_cell_size": charts.min_cell_size(),
        "results": rows,
    }
