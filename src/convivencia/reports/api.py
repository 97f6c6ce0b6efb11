"""/api/v1/reports/: municipal briefs, the regional overview and the list of exports.

The same services and the same rules as the pages: a brief's figures are those of the
edition the caller may read (public for everyone; coordinators' for the territory's
coordinators); storing a version needs a coordinator or analyst of the territory.
"""

# No `from __future__ import annotations` here: ninja reads the endpoint
# signatures at import time and cannot resolve string annotations.
import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from convivencia.accounts import access
from convivencia.api.auth import LOGIN_REQUIRED
from convivencia.api.errors import ApiError, ErrorBody
from convivencia.core.exchange import Filters
from convivencia.reports import exchange, overview, services
from convivencia.reports.choices import Audience
from convivencia.reports.models import Brief
from convivencia.territories.models import Territory

router = Router(tags=["reports"])

ERRORS = {400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody}


class BriefOut(Schema):
    territory_id: int
    period: str
    language: str
    audience: str
    content_hash: str
    html_url: str
    pdf_url: str
    data: dict[str, Any]


class StoredOut(Schema):
    id: int
    territory_id: int
    period: str
    language: str
    audience: str
    version: int
    content_hash: str
    generated_at: datetime.datetime
    html_url: str
    pdf_url: str


class OverviewRowOut(Schema):
    territory_id: int
    territory: str
    trust: dict[str, float | None]
    panels: int
    rate: float | None
    rate_low: float | None
    rate_high: float | None
    recorded: float | None
    commitments: int
    completed: int
    overdue: int
    completion_rate: float | None


class OverviewOut(Schema):
    year: int | None
    parent_id: int | None
    rate: str
    rows: list[OverviewRowOut]
    evidence_by_focus: dict[str, int]
    evidence_by_rating: dict[str, int]


class LinkOut(Schema):
    label: str
    url: str


class ExportOut(Schema):
    section: str
    title: str
    description: str
    standard: str
    audience: str
    links: list[LinkOut]


def _territory(territory_id: int) -> Territory:
    return get_object_or_404(Territory, pk=territory_id)


def _checked(period: str, lang: str) -> tuple[datetime.date, str]:
    try:
        return services.parse_period(period), services.check_language(lang)
    except services.BriefError as error:
        raise ApiError(400, str(error), code="bad_request") from error


def _urls(request: HttpRequest, territory: Territory, month: str, query: str) -> dict[str, str]:
    return {
        "html_url": request.build_absolute_uri(
            reverse("reports:brief", args=[territory.pk, month]) + query
        ),
        "pdf_url": request.build_absolute_uri(
            reverse("reports:brief_pdf", args=[territory.pk, month]) + query
        ),
    }


def _stored(request: HttpRequest, brief: Brief) -> dict[str, Any]:
    query = f"?lang={brief.language}&edition={brief.audience}&version={brief.version}"
    return {
        "id": brief.pk,
        "territory_id": brief.territory_id,
        "period": brief.month,
        "language": brief.language,
        "audience": brief.audience,
        "version": brief.version,
        "content_hash": brief.content_hash,
        "generated_at": brief.generated_at,
        **_urls(request, brief.territory, brief.month, query),
    }


@router.get(
    "/briefs/{territory_id}/{period}",
    response={200: BriefOut, **ERRORS},
    url_name="brief",
    summary="A municipal brief's figures, made now",
)
def get_brief(request: HttpRequest, territory_id: int, period: str, lang: str = "es"):
    """Every figure of the brief for the territory and month (YYYY-MM), in the edition you
    may read, with its content hash: the same data give the same hash."""
    territory = _territory(territory_id)
    month, language = _checked(period, lang)
    audience = services.audience_for(request.user, territory)
    rendered = services.build(territory, month, language, audience)
    return {
        "territory_id": territory.pk,
        "period": rendered.month,
        "language": language,
        "audience": audience,
        "content_hash": rendered.content_hash,
        "data": rendered.data,
        **_urls(request, territory, rendered.month, f"?lang={language}"),
    }


@router.post(
    "/briefs/{territory_id}/{period}",
    response={200: list[StoredOut], **ERRORS},
    url_name="brief-store",
    auth=LOGIN_REQUIRED,
    summary="Store a brief (both editions) as a new version when its figures changed",
)
def store_brief(request: HttpRequest, territory_id: int, period: str, lang: str = "es"):
    territory = _territory(territory_id)
    if not services.may_generate(request.user, territory):
        if access.scope(request.user).covers(territory):
            raise ApiError(403, "Only coordinators and analysts of the territory store briefs.")
        raise ApiError(404, "Not found.")
    month, language = _checked(period, lang)
    stored = [
        services.generate(territory, month, language, audience, user=request.user)[0]
        for audience in (Audience.PUBLIC, Audience.COORDINATOR)
    ]
    return [_stored(request, brief) for brief in stored]


@router.get(
    "/briefs/{territory_id}",
    response={200: list[StoredOut], **ERRORS},
    url_name="brief-list",
    summary="The stored versions of a territory's briefs you may read",
)
def list_briefs(request: HttpRequest, territory_id: int):
    territory = _territory(territory_id)
    briefs = services.visible_briefs(request.user, territory).select_related("territory")
    return [_stored(request, brief) for brief in briefs[:500]]


def _check_year(year: int | None) -> None:
    # The pages' forms take the same range; a year outside it names no data we hold (and
    # SQLite's date functions fail on it).
    if year is not None and not 1990 <= year <= 2100:
        raise ApiError(400, _("Give a year between 1990 and 2100."))


@router.get(
    "/overview",
    response={200: OverviewOut, **ERRORS},
    url_name="overview",
    summary="The regional overview",
)
def get_overview(request: HttpRequest, territory: int | None = None, year: int | None = None):
    """One row per country, or per subdivision of ``territory``, for ``year``."""
    _check_year(year)
    parent = _territory(territory) if territory is not None else None
    found = overview.build(request.user, parent, year)
    return {
        "year": found.year,
        "parent_id": parent.pk if parent else None,
        "rate": found.rate_label,
        "rows": [
            {
                "territory_id": row.territory.pk,
                "territory": row.territory.name,
                "trust": row.trust,
                "panels": row.trust_panels,
                "rate": row.rate,
                "rate_low": row.rate_low,
                "rate_high": row.rate_high,
                "recorded": row.rate_count,
                "commitments": row.commitments,
                "completed": row.completed,
                "overdue": row.overdue,
                "completion_rate": row.completion_rate,
            }
            for row in found.rows
        ],
        "evidence_by_focus": dict(found.by_focus),
        "evidence_by_rating": dict(found.by_rating),
    }


@router.get(
    "/exchange",
    response={200: list[ExportOut], **ERRORS},
    url_name="exchange",
    summary="Every export you may download",
)
def list_exports(request: HttpRequest, territory: int | None = None, year: int | None = None):
    _check_year(year)
    filters = Filters(territory=_territory(territory) if territory is not None else None, year=year)
    return [
        {
            "section": str(export.section),
            "title": str(export.title),
            "description": str(export.description),
            "standard": str(export.standard),
            "audience": str(export.audience),
            "links": [
                {"label": str(link.label), "url": request.build_absolute_uri(link.url)}
                for link in export.links
            ],
        }
        for export in exchange.all_exports(request.user, filters)
    ]
