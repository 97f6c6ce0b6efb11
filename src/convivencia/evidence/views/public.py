"""The public evidence pages: dashboard, intervention detail, gap map and exports.

No login: only published interventions exist here. Every page reads its
filters through ``InterventionFilterForm``; the figures it shows come from
``reporting`` (counts, charts, map, gap map) and ``history``.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    HttpResponseRedirect,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from convivencia.core.forms import choice_field
from convivencia.core.htmx import is_htmx, wants_fragment
from convivencia.evidence import caching, exports, geo, history, reporting
from convivencia.evidence.choices import RATING_RANK, TAG_CHOICES, TagKind
from convivencia.evidence.filters import SORTS, InterventionFilterForm
from convivencia.evidence.models import (
    Evaluation,
    EvidenceRating,
    Intervention,
    InterventionTag,
    Outcome,
)
from convivencia.evidence.ratings import ROBUST_SMS
from convivencia.evidence.reporting import RATING_COLOURS
from convivencia.territories.models import Territory

PAGE_SIZE = 25
# The fields the results table shows (display_name needs the three name fields).
TABLE_COLUMNS = (
    "pk",
    "name",
    "name_language",
    "name_translations",
    "country_code",
    "start_year",
    "end_year",
    "budget_usd",
    "best_rating",
)
# Table columns that sort, with the direction they sort first.
SORTABLE = {
    "name": "name",
    "country": "country_code",
    "years": "-start_year",
    "budget": "-budget_usd",
}


# Pages


def dashboard(request: HttpRequest) -> HttpResponse:
    form = InterventionFilterForm(request.GET)
    query = _clean_query(request.GET)
    if _needs_tidying(request, query):
        return HttpResponseRedirect(_url(request.path, query))
    # Read once: the cached parts of the page all belong to this version of the registry.
    version = caching.current_version()
    choice_field(form, "country").choices = geo.country_choices(
        reporting.published_countries(version)
    )
    context: dict[str, Any] = {
        "form": form,
        "query": query,
        "rating_colours": RATING_COLOURS,
        **caching.fragment_context(version),
    }
    if form.is_valid():
        context["chips"] = form.chips(query)
        interventions = form.filter()
        summary = reporting.summarise(
            interventions, query, cache_version=None if form.is_filtered else version
        )
        listed = summary.pop("listed")
        context.update(summary)
        context["page"] = _page(form.sorted(listed), summary["total"], request)
        context["sort_links"] = _sort_links(query, form.sort_key)
        context["sort_label"] = SORTS[form.sort_key][0]
    template = "evidence/_results.html" if wants_fragment(request) else "evidence/dashboard.html"
    response = render(request, template, context, status=200 if form.is_valid() else 400)
    if template == "evidence/_results.html":
        response["HX-Push-Url"] = _url(request.path, query)
    return response


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = get_object_or_404(
        Intervention.objects.published().prefetch_related(
            "tags",
            "sources",
            "external_ratings",
            Prefetch("ratings", queryset=EvidenceRating.objects.order_by("outcome")),
            Prefetch("territories", queryset=Territory.objects.order_by("level", "name")),
            Prefetch(
                "evaluations",
                queryset=Evaluation.objects.select_related("country")
                .prefetch_related(
                    Prefetch("outcomes", queryset=Outcome.objects.order_by("outcome"))
                )
                .order_by("-year", "citation"),
            ),
        ),
        pk=pk,
    )
    ratings = sorted(intervention.ratings.all(), key=lambda r: (RATING_RANK[r.value], r.outcome))
    return render(
        request,
        "evidence/detail.html",
        {
            "intervention": intervention,
            "country_name": geo.country_name(intervention.country_code),
            "tags": {
                kind: [TAG_CHOICES[kind](code).label for code in intervention.codes(kind)]
                for kind in TAG_CHOICES
            },
            "ratings": ratings,
            "evaluations": intervention.evaluations.all(),
            "external_ratings": intervention.external_ratings.all(),
            "history": history.history(intervention),
            "rating_colours": RATING_COLOURS,
            "robust_sms": ROBUST_SMS,
            "api_url": reverse("api-v1:intervention-detail", args=[intervention.pk]),
        },
    )


def gap_map(request: HttpRequest) -> HttpResponse:
    form = InterventionFilterForm(request.GET)
    query = _clean_query(request.GET)
    if _needs_tidying(request, query):
        return HttpResponseRedirect(_url(request.path, query))
    version = caching.current_version()
    choice_field(form, "country").choices = geo.country_choices(
        reporting.published_countries(version)
    )
    context: dict[str, Any] = {
        "form": form,
        "query": query,
        "legend": reporting.legend(),
        "rating_colours": RATING_COLOURS,
        **caching.fragment_context(version),
    }
    if form.is_valid():
        context.update(reporting.gap_matrix(form, query, version))
    status = 200 if form.is_valid() else 400
    return render(request, "evidence/gap_map.html", context, status=status)


def export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """Every field of every matching intervention, as CSV, XLSX or JSON."""
    form = InterventionFilterForm(request.GET)
    if not form.is_valid():
        lines = [_("The filters are not valid:")]
        lines += [
            f"{field}: {message}" for field, messages in form.errors.items() for message in messages
        ]
        return HttpResponseBadRequest("\n".join(lines), content_type="text/plain; charset=utf-8")
    rows = exports.rows(form.results(), exports.detail_url_maker(request.build_absolute_uri))
    filename = f"interventions-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "xlsx":
        return FileResponse(
            exports.xlsx_file(rows, title=_("Interventions")),
            as_attachment=True,
            filename=filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    if fmt == "csv":
        stream, content_type = exports.csv_lines(rows), "text/csv; charset=utf-8"
    else:
        stream, content_type = exports.json_chunks(rows), "application/json"
    return StreamingHttpResponse(
        stream,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# Helpers


def _clean_query(params: QueryDict) -> QueryDict:
    """The query string without empty values and the default sort: the URL to share."""
    query = QueryDict(mutable=True)
    for key, values in params.lists():
        kept = [value for value in values if value.strip()]
        if kept and not (key == "sort" and kept == ["-start_year"]):
            query.setlist(key, kept)
    return query


def _url(path: str, query: QueryDict) -> str:
    return f"{path}?{query.urlencode()}" if query else path


def _needs_tidying(request: HttpRequest, query: QueryDict) -> bool:
    """A plain GET with empty parameters (a submitted form) goes to the tidy URL."""
    if is_htmx(request):
        return False
    return len(request.GET.urlencode()) != len(query.urlencode())


def _page(interventions: QuerySet[Intervention], total: int, request: HttpRequest) -> Page:
    # Only what the table shows (_results.html): the summaries and other JSON need not
    # be read and decoded, nor the tags other than the focus. A third of the time
    # of reading the page.
    rows = interventions.only(*TABLE_COLUMNS).prefetch_related(
        Prefetch("tags", queryset=InterventionTag.objects.filter(kind=TagKind.FOCUS))
    )
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = total  # already counted with the aggregates: no second COUNT
    return paginator.get_page(request.GET.get("page"))


def _sort_links(query: QueryDict, current: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the link that sorts by it, and aria-sort."""
    links = {}
    for column, first in SORTABLE.items():
        ascending = first.lstrip("-")
        active = current in (ascending, f"-{ascending}")
        target = first
        if active:  # the other direction
            target = ascending if current.startswith("-") else f"-{ascending}"
        link = query.copy()
        link["sort"] = target
        link.pop("page", None)
        direction = "none"
        if active:
            direction = "descending" if current.startswith("-") else "ascending"
        links[column] = {"url": f"?{link.urlencode()}", "aria_sort": direction}
    return links
