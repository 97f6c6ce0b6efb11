"""The reports' pages: a territory's briefs, one brief (HTML, PDF), the regional overview and
the data exchange page. Thin: an access helper, one service call, a render."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from openpyxl import Workbook

from convivencia.accounts import access, audit
from convivencia.accounts.choices import AuditAction
from convivencia.core.exchange import Filters
from convivencia.core.spreadsheets import CsvWriter, append_row
from convivencia.reports import exchange, overview, permissions, services
from convivencia.reports.choices import Audience
from convivencia.reports.forms import BriefForm, FilterForm
from convivencia.reports.models import Brief


def _text_error(message: str) -> HttpResponseBadRequest:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _language(request: HttpRequest) -> str:
    return request.GET.get("lang") or translation.get_language() or "es"


@require_safe
def briefs(request: HttpRequest, pk: int) -> HttpResponse:
    territory, may_generate = permissions.territory_or_404(request.user, pk)
    latest = timezone.localdate().replace(day=1)
    form = BriefForm(
        request.GET or None,
        initial={"period": f"{latest:%Y-%m}", "language": translation.get_language()},
    )
    if form.is_bound and form.is_valid():
        return redirect(
            reverse("reports:brief", args=[territory.pk, form.cleaned_data["period"]])
            + f"?lang={form.cleaned_data['language']}"
        )
    audience = services.audience_for(request.user, territory)
    return render(
        request,
        "reports/brief_list.html",
        {
            "territory": territory,
            "form": form,
            "stored": services.visible_briefs(request.user, territory)[:200],
            "may_generate": may_generate,
            "audience": Audience(audience),
        },
        status=400 if form.is_bound else 200,
    )


def _requested(
    request: HttpRequest, pk: int, period: str
) -> tuple[Any, Any, str, str, Brief | None]:
    """(territory, month, language, audience, stored version or None) from the URL."""
    territory, _may_generate = permissions.territory_or_404(request.user, pk)
    month = services.parse_period(period)
    language = services.check_language(_language(request))
    audience = services.audience_for(request.user, territory)
    edition = request.GET.get("edition") or audience
    if edition not in Audience.values or (
        edition == Audience.COORDINATOR and audience != Audience.COORDINATOR
    ):
        raise Http404
    stored = None
    version = request.GET.get("version")
    if version:
        if not version.isdigit():
            raise Http404
        stored = (
            Brief.objects.of(territory, month, language, edition).filter(version=version).first()
        )
        if stored is None:
            raise Http404
    return territory, month, language, edition, stored


@require_safe
def brief(request: HttpRequest, pk: int, period: str) -> HttpResponse:
    try:
        territory, month, language, audience, stored = _requested(request, pk, period)
    except services.BriefError as error:
        return _text_error(str(error))
    shown: Brief | services.Rendered = stored or services.build(
        territory, month, language, audience
    )
    context = services.document_context(shown, version=stored.version if stored else None)
    with translation.override(language):
        body = render_to_string("reports/_brief_body.html", context, request=request)
    return render(
        request,
        "reports/brief_page.html",
        {
            "territory": territory,
            "period": f"{month:%Y-%m}",
            "language": language,
            "audience": Audience(audience),
            "stored": stored,
            "body": body,
            "may_generate": services.may_generate(request.user, territory),
            "pdf_url": reverse("reports:brief_pdf", args=[territory.pk, f"{month:%Y-%m}"])
            + "?"
            + request.GET.urlencode(),
        },
    )


@require_safe
def brief_pdf(request: HttpRequest, pk: int, period: str) -> HttpResponseBase:
    try:
        territory, month, language, audience, stored = _requested(request, pk, period)
    except services.BriefError as error:
        return _text_error(str(error))
    if stored is not None:
        pdf = services.pdf_of(stored)
    else:
        rendered = services.build(territory, month, language, audience)
        pdf = services.render_pdf(services.render_html(rendered))
    if audience == Audience.COORDINATOR:
        audit.record(
            AuditAction.EXPORT,
            territory,
            request=request,
            changes={"brief": f"{month:%Y-%m}", "edition": audience, "format": "pdf"},
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = services.filename(territory, month, language, "pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@login_required
@require_POST
def generate(request: HttpRequest, pk: int, period: str) -> HttpResponseBase:
    territory, may_generate = permissions.territory_or_404(request.user, pk)
    if not may_generate:
        # People working in the territory are told no; anyone else learns nothing.
        if access.scope(request.user).covers(territory):
            raise PermissionDenied
        raise Http404
    try:
        month = services.parse_period(period)
        language = services.check_language(request.POST.get("language", ""))
    except services.BriefError as error:
        return _text_error(str(error))
    stored: dict[str, Brief] = {
        str(audience): services.generate(territory, month, language, audience, user=request.user)[0]
        for audience in (Audience.PUBLIC, Audience.COORDINATOR)
    }
    edition = services.audience_for(request.user, territory)
    shown = stored[edition]
    messages.success(
        request, _("Brief stored as version %(version)s.") % {"version": shown.version}
    )
    query = f"?lang={language}&edition={edition}&version={shown.version}"
    return redirect(reverse("reports:brief", args=[territory.pk, f"{month:%Y-%m}"]) + query)


# --- the regional overview -------------------------------------------------------------------


def _overview_or_error(request: HttpRequest) -> overview.Overview | HttpResponseBadRequest:
    form = FilterForm(request.GET)
    if not form.is_valid():
        lines = [_("The filters are not valid:")]
        lines += [f"{name}: {error}" for name, errors in form.errors.items() for error in errors]
        return _text_error("\n".join(lines))
    return overview.build(request.user, form.cleaned_data["territory"], form.cleaned_data["year"])


def _overview_context(request: HttpRequest, found: overview.Overview) -> dict[str, Any]:
    from convivencia.reports import svg

    rows = [row for row in found.rows if row.rate is not None]
    return {
        "overview": found,
        "form": FilterForm(request.GET or None),
        "header": overview.header(found),
        # On the page, a trust column is named by its institution (the caption says what).
        "display_header": [
            *overview.header(found)[:2],
            *[_("Trust: %(provider)s") % {"provider": p} for p in found.providers],
            *overview.header(found)[2 + len(found.providers) :],
        ],
        "table": overview.table(found),
        "query": request.GET.urlencode(),
        "rate_chart": svg.bar_chart(
            _("%(rate)s, %(year)s") % {"rate": found.rate_label, "year": found.year},
            _("One bar per territory: the rate per 100,000 inhabitants."),
            [(row.territory.name, row.rate or 0.0) for row in rows],
            ident="rates",
        )
        if rows
        else None,
        "evidence_chart": svg.bar_chart(
            _("Published interventions by focus"),
            _("How many published interventions address each focus."),
            found.by_focus,
            ident="focus",
        )
        if found.by_focus
        else None,
        "generated_at": timezone.now(),
    }


@require_safe
def overview_page(request: HttpRequest) -> HttpResponse:
    found = _overview_or_error(request)
    if isinstance(found, HttpResponse):
        return found
    return render(request, "reports/overview.html", _overview_context(request, found))


@require_safe
def overview_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    found = _overview_or_error(request)
    if isinstance(found, HttpResponse):
        return found
    name = f"overview-{found.year}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = CsvWriter(buffer)
        writer.writerow(overview.header(found))
        writer.writerows(overview.table(found))
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet(_("Territories")[:31])
        append_row(sheet, overview.header(found))
        for line in overview.table(found):
            append_row(sheet, line)
        evidence = book.create_sheet(_("Evidence")[:31])
        append_row(evidence, [_("focus"), _("published interventions")])
        for label, count in found.by_focus:
            append_row(evidence, [label, count])
        append_row(evidence, [])
        append_row(evidence, [_("rating"), _("published interventions")])
        for label, count in found.by_rating:
            append_row(evidence, [label, count])
        buffer_bytes = io.BytesIO()
        book.save(buffer_bytes)
        response = HttpResponse(
            buffer_bytes.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt == "pdf":
        html = render_to_string(
            "reports/overview_document.html", _overview_context(request, found), request=request
        )
        response = HttpResponse(services.render_pdf(html), content_type="application/pdf")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


# --- the data exchange page ------------------------------------------------------------------


@require_safe
def data_exchange(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    filters = Filters()
    if form.is_bound and form.is_valid():
        filters = Filters(territory=form.cleaned_data["territory"], year=form.cleaned_data["year"])
    exports = exchange.all_exports(request.user, filters)
    sections: dict[str, list[Any]] = {}
    for export in exports:
        sections.setdefault(str(export.section), []).append(export)
    return render(
        request,
        "reports/exchange.html",
        {"form": form, "filters": filters, "sections": sections, "count": len(exports)},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
