"""Municipal briefs: build, render (HTML, PDF), store versions.

Called alike by the pages, the API, the ``convivencia brief`` command and the monthly
job. A brief is the figures of ``figures.brief_data`` for a territory, a month, a
language and an audience; its ``content_hash`` is the SHA-256 of those figures, so the
same data give the same hash whatever the day it is generated (the generation date is
printed on the cover but is not part of the figures). ``generate`` stores a new version
only when the hash changed.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from convivencia.accounts import access, audit
from convivencia.accounts.choices import AuditAction, Role
from convivencia.core import dates
from convivencia.reports import figures, svg
from convivencia.reports.choices import LANGUAGES, Audience, Format
from convivencia.reports.models import Brief
from convivencia.territories.models import Territory, TerritoryCode

# Who may see the coordinators' brief of a territory (small cells, breakdowns, venues).
REVEAL_ROLES: tuple[str, ...] = (Role.COORDINATOR,)
# Who may store a new version of a brief (the page's button, the API's POST).
GENERATE_ROLES: tuple[str, ...] = (Role.COORDINATOR, Role.ANALYST)


class BriefError(ValueError):
    """A brief asked for with a bad territory, month, language or format, in words."""


def audience_for(user, territory: Territory) -> str:
    """The fullest brief this reader may see of the territory."""
    if user is not None and access.has_role(user, territory, *REVEAL_ROLES):
        return Audience.COORDINATOR
    return Audience.PUBLIC


def may_generate(user, territory: Territory) -> bool:
    return user is not None and access.has_role(user, territory, *GENERATE_ROLES)


def parse_period(text: str) -> datetime.date:
    try:
        return dates.parse_month(text.strip())
    except (ValueError, TypeError) as error:
        raise BriefError(
            _("“%(value)s” is not a month: write it as YYYY-MM, e.g. 2024-03.") % {"value": text}
        ) from error


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise BriefError(
            _("“%(value)s” is not a language of the briefs: %(choices)s.")
            % {"value": language, "choices": ", ".join(LANGUAGES)}
        )
    return language


def check_format(kind: str) -> str:
    if kind not in Format.values:
        raise BriefError(
            _("“%(value)s” is not a format of the briefs: %(choices)s.")
            % {"value": kind, "choices": ", ".join(Format.values)}
        )
    return kind


def territory_by_code(text: str) -> Territory:
    """``SCHEME:CODE`` (``divipola:19001``) to its territory."""
    scheme, sep, code = text.partition(":")
    if not sep or not scheme or not code:
        raise BriefError(
            _("“%(value)s” is not SCHEME:CODE, e.g. divipola:19001.") % {"value": text}
        )
    found = (
        TerritoryCode.objects.filter(scheme=scheme.strip().lower(), code=code.strip())
        .select_related("territory")
        .first()
    )
    if found is None:
        raise BriefError(_("No territory has the code %(code)s.") % {"code": text})
    return found.territory


def content_hash(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class Rendered:
    """A brief built for a reader, not (yet) stored."""

    territory: Territory
    period: datetime.date
    language: str
    audience: str
    data: dict[str, Any]
    content_hash: str
    generated_at: datetime.datetime

    @property
    def month(self) -> str:
        return f"{self.period:%Y-%m}"


def build(territory: Territory, period: datetime.date, language: str, audience: str) -> Rendered:
    check_language(language)
    with translation.override(language):
        data = figures.brief_data(territory, period, audience)
    return Rendered(
        territory=territory,
        period=period,
        language=language,
        audience=audience,
        data=data,
        content_hash=content_hash(data),
        generated_at=timezone.now(),
    )


def charts_of(data: dict[str, Any]) -> dict[str, Any]:
    """The SVG charts of a brief, drawn from its figures (so they follow its hash)."""
    panels = []
    for number, panel in enumerate(data["panels"]):
        trend = panel.get("trend")
        chart = None
        if trend and trend["series"]:
            chart = svg.line_chart(
                _("Trust per institution, %% trusting (5–7), panel %(panel)s")
                % {"panel": panel["name"]},
                _("One line per institution, one point per monthly wave; gaps are withheld cells."),
                trend["labels"],
                [svg.Series(serie["label"], serie["values"]) for serie in trend["series"]],
                ident=f"trend-{number}",
            )
        panels.append(chart)
    statuses = data["dialogues"]["statuses"]
    commitments = (
        svg.bar_chart(
            _("Commitments by status"),
            _("How many commitments are in each status."),
            [(row["label"], row["count"]) for row in statuses],
            ident="commitments",
        )
        if statuses
        else None
    )
    return {"panels": panels, "commitments": commitments}


def document_context(rendered: Rendered | Brief, *, version: int | None = None) -> dict[str, Any]:
    charts = charts_of(rendered.data)
    return {
        "data": rendered.data,
        "charts": charts,
        "panel_views": list(zip(rendered.data["panels"], charts["panels"], strict=True)),
        "generated_at": rendered.generated_at,
        "content_hash": rendered.content_hash,
        "language": rendered.language,
        "audience": Audience(rendered.audience),
        "version": version,
        "is_public": rendered.audience == Audience.PUBLIC,
        "min_cell_size": settings.MIN_CELL_SIZE,
    }


def render_html(rendered: Rendered | Brief, *, version: int | None = None) -> str:
    """The brief as a standalone HTML document (its styles inside): what the PDF is made of."""
    with translation.override(rendered.language):
        return render_to_string(
            "reports/brief_document.html", document_context(rendered, version=version)
        )


def render_pdf(html: str) -> bytes:
    """A4, tagged PDF (PDF/UA-1) from the standalone HTML."""
    import weasyprint  # loads Pango: only where a PDF is made

    return weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)


def generate(
    territory: Territory,
    period: datetime.date,
    language: str,
    audience: str,
    *,
    user=None,
    with_pdf: bool = False,
) -> tuple[Brief, bool]:
    """Store the brief unless its latest version has the same figures: (brief, created)."""
    rendered = build(territory, period, language, audience)
    latest = Brief.objects.of(territory, period, language, audience).latest_versions().first()
    if latest is not None and latest.content_hash == rendered.content_hash:
        if with_pdf:
            pdf_of(latest)
        return latest, False
    version = (latest.version if latest else 0) + 1
    html = render_html(rendered, version=version)
    brief = Brief(
        territory=territory,
        period=period,
        language=language,
        audience=audience,
        version=version,
        content_hash=rendered.content_hash,
        data=rendered.data,
        html=html,
        pdf=render_pdf(html) if with_pdf else None,
        generated_at=rendered.generated_at,
        generated_by=user if user is not None and user.is_authenticated else None,
    )
    try:
        with transaction.atomic():
            brief.save()
            audit.record(
                AuditAction.CREATE,
                brief,
                actor=brief.generated_by,
                changes={"version": version, "hash": brief.content_hash, "audience": audience},
            )
    except IntegrityError:
        # Someone stored the same version a moment ago: theirs stands.
        return Brief.objects.of(territory, period, language, audience).latest_versions()[0], False
    return brief, True


def pdf_of(brief: Brief) -> bytes:
    """The stored PDF, made from the stored HTML the first time it is asked for."""
    if brief.pdf:
        return bytes(brief.pdf)
    pdf = render_pdf(brief.html)
    Brief.objects.filter(pk=brief.pk).update(pdf=pdf)
    brief.pdf = pdf
    return pdf


def visible_briefs(user, territory: Territory):
    """The stored versions the reader may open: public ones, and the coordinators' for
    coordinators of the territory."""
    briefs = Brief.objects.filter(territory=territory).defer("html", "pdf", "data")
    if audience_for(user, territory) != Audience.COORDINATOR:
        briefs = briefs.filter(audience=Audience.PUBLIC)
    return briefs.order_by("-period", "language", "audience", "-version")


def latest_stored(territory: Territory) -> datetime.date | None:
    return Brief.objects.filter(territory=territory).aggregate(latest=Max("period"))["latest"]


def filename(territory: Territory, period: datetime.date, language: str, kind: str) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in territory.name.lower()).strip("-")
    return f"brief-{slug}-{period:%Y-%m}-{language}.{kind}"
