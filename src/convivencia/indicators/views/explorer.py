"""The public indicator explorer and its exports (no login: official statistics).

Every page reads its selection from the query string through ``ExplorerForm``,
so any view can be shared as a link: indicator, parent territory (a country or
a region: the table lists its children), period type, range and source. The
table is rendered on the server and works without JavaScript; the chart and
the map draw the same numbers. Numbers come from ``explorer`` (batched
``rates.compute``), in a number of queries that does not grow with the number
of territories.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from convivencia.core.htmx import wants_fragment
from convivencia.indicators import caching, explorer, exports, perception, rates
from convivencia.indicators import services as manage_services
from convivencia.indicators.choices import PeriodType
from convivencia.indicators.forms import PERIOD_HINTS, ExplorerForm
from convivencia.indicators.importers import dhis2_format
from convivencia.indicators.models import Indicator, Total
from convivencia.indicators.periods import Period, parse
from convivencia.territories.choices import Level, Scheme
from convivencia.territories.models import Territory

# Query parameters that make a selection; "source" may be empty (first available).
REQUIRED = ("indicator", "parent", "type", "from", "to")
DEFAULT_INDICATOR = "homicide_rate"


@dataclass
class Selection:
    """A valid explorer selection, with the source resolved to one."""

    indicator: Indicator
    parent: Territory
    period_type: str
    periods: list[Period]
    span: Period
    source: str | None
    chosen_source: str  # "" when the first available source was taken
    query: QueryDict

    @property
    def label(self) -> str:
        return period_label(self.span, self.periods)


def period_label(whole: Period, periods: list[Period]) -> str:
    if len(periods) == 1 or "/" not in whole.code:
        return whole.code
    return f"{periods[0].code} – {periods[-1].code}"


def _selection(form: ExplorerForm) -> Selection:
    data = form.cleaned_data
    indicator = form.indicators[data["indicator"]]
    parent = form.parents[data["parent"]]
    whole = explorer.span(data["periods"][0], data["periods"][-1])
    source = data["source"] or None
    if source is None:
        available = rates.available_sources(indicator.numerator_id, parent, whole)
        source = available[0] if available else None
    return Selection(
        indicator=indicator,
        parent=parent,
        period_type=data["type"],
        periods=data["periods"],
        span=whole,
        source=source,
        chosen_source=data["source"],
        query=form.canonical(),
    )


def _defaults() -> QueryDict:
    """The latest year with data, month by month, for the country where it was recorded."""
    query = QueryDict(mutable=True)
    # Two scans of the totals (~30 ms on 10 M values): kept until the data change.
    found = caching.cached("explorer-defaults", (), _default_selection)
    if found is None:
        return query
    code, parent, year = found
    query["indicator"] = code
    if parent is not None:
        query["parent"] = parent
    query.update({"type": PeriodType.MONTH, "from": f"{year}-01", "to": f"{year}-12"})
    return query


def _default_selection() -> tuple[str, str | None, int] | None:
    """(indicator code, country id, year) for ``_defaults``; None without indicators."""
    with_data = Indicator.objects.filter(numerator_id__in=Total.objects.values("element_id"))
    # The homicide rate first: it is the headline indicator of citizen security.
    indicator = (
        with_data.filter(code=DEFAULT_INDICATOR).first()
        or with_data.order_by("code").first()
        or Indicator.objects.order_by("code").first()
    )
    if indicator is None:
        return None
    latest = (
        Total.objects.filter(element_id=indicator.numerator_id)
        .order_by("-end")
        .values_list("end", "territory__path")
        .first()
    )
    if latest is not None:
        end, path = latest
        return indicator.code, path.strip("/").split("/")[0], end.year
    country = Territory.objects.countries().order_by("name").first()
    parent = str(country.pk) if country is not None else None
    return indicator.code, parent, timezone.localdate().year - 1


def _url(path: str, query: QueryDict) -> str:
    return f"{path}?{query.urlencode()}" if query else path


def _complete(query: QueryDict) -> bool:
    """Fill the selection's missing parameters with defaults; True when any was filled."""
    missing = [key for key in REQUIRED if not query.get(key)]
    if not missing:
        return False
    defaults = _defaults()
    filled = False
    for key in missing:
        if key in defaults:
            query.setlist(key, defaults.getlist(key))
            filled = True
    return filled


# Pages


def explorer_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.copy()
    form = ExplorerForm(query)
    context: dict[str, Any] = {
        "form": form,
        "period_hints": PERIOD_HINTS,
        "may_manage": manage_services.may_read(request.user),
    }
    if not form.indicators:
        context["no_indicators"] = True
        return render(request, "indicators/explorer.html", context)
    if not form.parents:
        # A fresh installation has the standard indicators but nothing to choose "within".
        context["no_territories"] = True
        return render(request, "indicators/explorer.html", context)
    fragment = wants_fragment(request)
    # The form reads ``query`` when it is validated, so defaults filled in now count.
    if _complete(query) and not fragment:
        return HttpResponseRedirect(_url(request.path, query))
    status = 200
    if form.is_valid():
        selection = _selection(form)
        if not fragment and selection.query.urlencode() != request.GET.urlencode():
            # Converted ends or reordered parameters: show the URL that names this view.
            return HttpResponseRedirect(_url(request.path, selection.query))
        context.update(results(request, selection))
    else:
        status = 400
    template = "indicators/_explorer.html" if fragment else "indicators/explorer.html"
    response = render(request, template, context, status=status)
    if fragment and form.is_valid():
        response["HX-Push-Url"] = _url(request.path, form.canonical())
    return response


def results(request: HttpRequest, selection: Selection) -> dict[str, Any]:
    """Table, chart, map and perception for a selection."""
    indicator, parent = selection.indicator, selection.parent
    result = explorer.choropleth(indicator, parent, selection.span, selection.source)
    over_time = explorer.trend(indicator, parent, selection.periods, selection.source)
    decimals = _decimals([rate.value for rate in [*result.rates, *over_time, result.total]])
    rows = []
    values: dict[str, dict[str, Any]] = {}
    for territory, rate, colour_class in result.rows():
        drill = None
        if territory.level == Level.REGION:
            drill = _url(request.path, _with(selection.query, parent=str(territory.pk)))
        url = reverse("territories:detail", args=[territory.pk])
        rows.append(
            {
                "territory": territory,
                "rate": rate,
                "class": colour_class,
                "colour": result.classes[colour_class].colour if colour_class is not None else None,
                "drill": drill,
                "url": url,
            }
        )
        values[str(territory.pk)] = {
            "name": territory.label,
            "class": colour_class,
            "url": drill or url,
            "label": _tooltip(territory.label, rate, decimals),
        }
    year = selection.span.end.year
    comparisons = _perception(selection, result, year)
    return {
        "selection": selection,
        "result": result,
        "rows": rows,
        "decimals": f"{decimals}g",
        "trend": over_time,
        "trend_chart": {
            **explorer.trend_chart(over_time),
            "title": _("Rate in %(place)s") % {"place": parent.label},
            "interval": _("95% interval"),
        },
        "map_data": {
            "boundary_url": reverse("territories:boundary", args=[parent.pk]),
            "values": values,
            "colours": [item.colour for item in result.classes],
            "no_data": explorer.NO_DATA_COLOUR,
        },
        "legend": [
            {"colour": item.colour, "low": item.low, "high": item.high} for item in result.classes
        ],
        "no_data_count": sum(1 for rate in result.rates if rate.value is None),
        "ancestors": [
            {
                "territory": ancestor,
                "url": _url(request.path, _with(selection.query, parent=str(ancestor.pk))),
            }
            for ancestor in parent.ancestors()
        ],
        "source_label": exports.source_label(selection.source),
        "sub_year": selection.period_type != PeriodType.YEAR,
        "person_years": (
            f"{selection.span.start.year}–{selection.span.end.year}"
            if selection.span.start.year != selection.span.end.year
            else ""
        ),
        # The rest is rendered once per data version, language and address; the
        # perception beside it follows the panels' submissions and is rendered each time.
        "fragment_timeout": caching.TIMEOUT,
        "data_version": caching.version(),
        "perception": comparisons,
        "perception_year": year,
        "min_cell_size": settings.MIN_CELL_SIZE,
        "exports": {
            "csv": _url(reverse("indicators:export_csv"), selection.query),
            "xlsx": _url(reverse("indicators:export_xlsx"), selection.query),
            "dhis2": _url(reverse("indicators:dhis2_check"), selection.query),
            "api": _api_example(selection),
        },
    }


def _perception(
    selection: Selection, result: explorer.Choropleth, year: int
) -> list[perception.Perception]:
    """Panels among the parent and its children, each beside its official rate for ``year``.

    Panels are few (one per municipality that runs one), so rates.compute per
    panel territory is cheap; when the table already shows that year, its rates
    are reused.
    """
    found = perception.for_territories([selection.parent, *result.territories], year)
    if not found:
        return []
    shown = {rate.territory_id: rate for rate in [*result.rates, result.total]}
    same_year = selection.span.code == str(year)
    comparisons = []
    for pk, comparison in sorted(found.items(), key=lambda item: item[1].territory.label):
        if same_year:
            rate = shown[pk]
        else:
            rate = rates.compute(
                selection.indicator, comparison.territory, parse(str(year)), selection.source
            )
        comparison.official = [(str(selection.indicator.numerator), rate)]
        comparisons.append(comparison)
    return comparisons


def _with(query: QueryDict, **changes: str) -> QueryDict:
    changed = query.copy()
    for key, value in changes.items():
        changed[key] = value
    return changed


def _decimals(values: list[float | None]) -> int:
    """One number of decimals for the whole table, from its largest rate."""
    largest = max((value for value in values if value is not None), default=0)
    if largest >= 100:
        return 0
    if largest >= 10:
        return 1
    return 2


def _number(value: float | None, decimals: int) -> str:
    if value is None:
        return "–"
    return number_format(value, decimals, use_l10n=True, force_grouping=True)


def _tooltip(name: str, rate: rates.Rate, decimals: int) -> str:
    if rate.value is None:
        return _("%(name)s: no data") % {"name": name}
    return _("%(name)s: %(value)s (95%% interval %(low)s–%(high)s); %(count)s recorded") % {
        "name": name,
        "value": _number(rate.value, decimals),
        "low": _number(rate.ci_low, decimals),
        "high": _number(rate.ci_high, decimals),
        "count": _number(rate.numerator, 0),
    }


def _api_example(selection: Selection) -> str | None:
    """The API call for the parent's total, when the parent has a code the API takes."""
    for scheme in (Scheme.DIVIPOLA, Scheme.ISO):
        code = selection.parent.code(scheme)
        if code and (scheme == Scheme.DIVIPOLA or selection.parent.level == Level.COUNTRY):
            query = QueryDict(mutable=True)
            query["territory"] = f"{scheme}:{code}"
            query["period"] = (
                selection.span.code
                if "/" not in selection.span.code
                else selection.periods[-1].code
            )
            if selection.source:
                query["source"] = selection.source
            return _url(reverse("api-v1:indicator-values", args=[selection.indicator.code]), query)
    return None


# Exports


def _export_selection(request: HttpRequest) -> tuple[Selection | None, HttpResponse | None]:
    form: ExplorerForm | None = ExplorerForm(request.GET)
    if form is not None and not form.indicators:
        form = None
    if form is None or not form.is_valid():
        lines = [_("The selection is not valid:")]
        if form is not None:
            lines += [
                f"{field}: {message}"
                for field, messages in form.errors.items()
                for message in messages
            ]
        return None, HttpResponse(
            "\n".join(lines), status=400, content_type="text/plain; charset=utf-8"
        )
    return _selection(form), None


def _filename(selection: Selection, extension: str) -> str:
    parent = exports.territory_code(selection.parent)[0]
    period = selection.span.code.replace("/", "_")
    return f"{selection.indicator.code}-{parent}-{period}.{extension}"


def export_csv(request: HttpRequest) -> HttpResponse:
    selection, error = _export_selection(request)
    if error is not None:
        return error
    assert selection is not None
    result = explorer.choropleth(
        selection.indicator, selection.parent, selection.span, selection.source
    )
    response = HttpResponse(
        exports.csv_text(exports.table_rows(result, selection.indicator)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(selection, "csv")}"'
    return response


def export_xlsx(request: HttpRequest) -> HttpResponseBase:
    selection, error = _export_selection(request)
    if error is not None:
        return error
    assert selection is not None
    result = explorer.choropleth(
        selection.indicator, selection.parent, selection.span, selection.source
    )
    notes = [
        (_("Indicator"), f"{selection.indicator.code}: {selection.indicator}"),
        (_("How it is computed"), selection.indicator.description),
        (_("Territories within"), selection.parent.label),
        (_("Period"), selection.label),
        (_("Source"), exports.source_label(selection.source)),
        (_("Interval"), _("Exact Poisson 95% interval of the count, divided by the population.")),
        (
            _("Link"),
            request.build_absolute_uri(_url(reverse("indicators:explorer"), selection.query)),
        ),
        (_("Exported"), timezone.now().isoformat(timespec="seconds")),
    ]
    return FileResponse(
        exports.xlsx_file(exports.table_rows(result, selection.indicator), notes),
        as_attachment=True,
        filename=_filename(selection, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# How many unmapped identifiers a message lists (the JSON refusal lists them all).
MAX_LISTED_UNMAPPED = 20


def _org_unit_scheme(request: HttpRequest) -> str | None:
    scheme = request.GET.get("org_unit_scheme") or Scheme.DHIS2
    return scheme if scheme in exports.ORG_UNIT_SCHEMES else None


def dhis2_check(request: HttpRequest) -> HttpResponse:
    """What a DHIS2 export of the selection would hold, listed before the download."""
    selection, error = _export_selection(request)
    if error is not None:
        return error
    assert selection is not None
    scheme = _org_unit_scheme(request)
    if scheme is None:
        return HttpResponse(
            _("Unknown organisation unit scheme."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    check = None
    if selection.source is not None:
        check = exports.dhis2_check(
            selection.indicator, selection.parent, selection.span, selection.source, scheme
        )
    download = _with(selection.query, org_unit_scheme=scheme)
    mapped = _with(selection.query, ids=exports.IDS_MAPPING)
    # What an export in the mapping table's ids would lack (JSON and XML declare their
    # schemes; CSV, which cannot, is checked when it is downloaded).
    mapping_missing: list[str] = []
    if check is not None and selection.source is not None:
        try:
            exports.dhis2_mapped_payload(
                selection.indicator,
                selection.parent,
                selection.span,
                selection.source,
                dhis2_format.JSON,
            )
        except exports.Unmapped as unmapped:
            mapping_missing = unmapped.missing
    return render(
        request,
        "indicators/explorer_dhis2.html",
        {
            "selection": selection,
            "check": check,
            "scheme": scheme,
            "scheme_label": Scheme(scheme).label,
            "schemes": [(value, Scheme(value).label) for value in exports.ORG_UNIT_SCHEMES],
            "explorer_url": _url(reverse("indicators:explorer"), selection.query),
            "download_url": _url(reverse("indicators:export_dhis2"), download),
            "download_xml_url": _url(reverse("indicators:export_dhis2_xml"), download),
            "download_csv_url": _url(reverse("indicators:export_dhis2_csv"), download),
            "download_partial_url": _url(
                reverse("indicators:export_dhis2"), _with(download, exclude_missing="1")
            ),
            "mapping_missing": mapping_missing[:MAX_LISTED_UNMAPPED],
            "mapping_missing_more": max(0, len(mapping_missing) - MAX_LISTED_UNMAPPED),
            # Only for those who may open it (the table is a management page).
            "mapping_url": reverse("indicators:manage:dhis2_index")
            if manage_services.may_read(request.user)
            else "",
            "mapped_json_url": _url(reverse("indicators:export_dhis2"), mapped),
            "mapped_xml_url": _url(reverse("indicators:export_dhis2_xml"), mapped),
            "mapped_csv_url": _url(reverse("indicators:export_dhis2_csv"), mapped),
            "combinations": [
                (sex, age, code)
                for (sex, age), code in exports.CATEGORY_OPTION_COMBOS.items()
                if code is not None
            ],
        },
    )


def export_dhis2(request: HttpRequest, encoding: str = "json") -> HttpResponse:
    """The selection's values as a DHIS2 data value set in JSON, XML or CSV."""
    selection, error = _export_selection(request)
    if error is not None:
        return error
    assert selection is not None
    ids = request.GET.get("ids") or exports.IDS_OURS
    if ids not in exports.IDS_CHOICES:
        return JsonResponse(
            {
                "error": _("Unknown ids “%(ids)s”: use %(choices)s.")
                % {"ids": ids, "choices": ", ".join(exports.IDS_CHOICES)}
            },
            status=400,
        )
    if ids == exports.IDS_MAPPING:
        return _export_dhis2_mapped(request, selection, encoding)
    scheme = _org_unit_scheme(request)
    if scheme is None or selection.source is None:
        message = (
            _("Unknown organisation unit scheme.")
            if scheme is None
            else _("There is no data for this selection.")
        )
        return JsonResponse({"error": message}, status=400)
    check = exports.dhis2_check(
        selection.indicator, selection.parent, selection.span, selection.source, scheme
    )
    if check.blocking and request.GET.get("exclude_missing") != "1":
        # Never drop values silently: say which ones cannot be placed and how to proceed.
        return JsonResponse(
            {
                "error": _(
                    "Some values cannot be placed in DHIS2. Review them on the check page, "
                    "then download again with exclude_missing=1 to leave them out."
                ),
                "check_url": request.build_absolute_uri(
                    _url(
                        reverse("indicators:dhis2_check"),
                        _with(selection.query, org_unit_scheme=scheme),
                    )
                ),
                "territories_without_code": [
                    {"id": territory.pk, "name": territory.name}
                    for territory in check.missing_territories
                ],
                "values_without_combination": [
                    {"sex": sex, "age_group": age, "values": count}
                    for sex, age, count in check.unmapped
                ],
            },
            status=400,
        )
    payload, excluded = exports.dhis2_payload(
        selection.indicator, selection.parent, selection.span, selection.source, scheme
    )
    return _dhis2_response(selection, payload, encoding, excluded)


def _dhis2_response(
    selection: Selection, payload: dict[str, Any], encoding: str, excluded: int
) -> HttpResponse:
    response = HttpResponse(
        exports.dhis2_document(payload, encoding),
        content_type=dhis2_format.CONTENT_TYPES[encoding],
    )
    filename = _filename(selection, f"dhis2.{encoding}")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Excluded-Values"] = str(excluded)
    return response


def _listed(missing: list[str]) -> str:
    """The first unmapped identifiers, and how many more (a country holds 1,122 units)."""
    listed = "; ".join(missing[:MAX_LISTED_UNMAPPED])
    more = len(missing) - MAX_LISTED_UNMAPPED
    if more > 0:
        listed += " " + _("(and %(count)s more)") % {"count": more}
    return listed


def _export_dhis2_mapped(request: HttpRequest, selection: Selection, encoding: str) -> HttpResponse:
    """The export in the DHIS2 mapping table's ids, or a refusal naming what it lacks."""
    if selection.source is None:
        return JsonResponse({"error": _("There is no data for this selection.")}, status=400)
    try:
        payload = exports.dhis2_mapped_payload(
            selection.indicator, selection.parent, selection.span, selection.source, encoding
        )
    except exports.Unmapped as unmapped:
        return JsonResponse(
            {
                "error": _(
                    "The DHIS2 mapping table does not name everything this export holds, so "
                    "nothing was written. Add these rows to the mapping table (%(url)s), or "
                    "export with our own codes: %(missing)s"
                )
                % {
                    "url": request.build_absolute_uri(reverse("indicators:manage:dhis2_index")),
                    "missing": _listed(unmapped.missing),
                },
                "unmapped": unmapped.missing,
            },
            status=400,
        )
    return _dhis2_response(selection, payload, encoding, 0)
