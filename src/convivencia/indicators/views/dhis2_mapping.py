"""The DHIS2 mapping table (mounted at /indicators/manage/dhis2/): what another DHIS2
instance's data element, organisation unit and category option combo identifiers mean
here, read by the DHIS2 importer before anything else.

Who may do what is as on the other management pages (``manage``): administrators,
coordinators and analysts read the table, administrators and coordinators add, change
and delete rows (an analyst gets 403), anyone else 404 and anonymous visitors the login
page. The DHIS2 import's report links here, with the file's unmapped identifier filled in.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from convivencia.indicators import services
from convivencia.indicators.choices import Dhis2Kind
from convivencia.indicators.forms import Dhis2MappingForm
from convivencia.indicators.models import Dhis2Mapping
from convivencia.indicators.views.manage import editor_required, reader_required

INDEX = "indicators:manage:dhis2_index"
ADD_LABELS = {
    Dhis2Kind.DATA_ELEMENT: gettext_lazy("Map a data element"),
    Dhis2Kind.ORG_UNIT: gettext_lazy("Map an organisation unit"),
    Dhis2Kind.CATEGORY_OPTION_COMBO: gettext_lazy("Map a category option combo"),
}


def add_url(kind: str, scheme: str = "", identifier: str = "") -> str:
    """The page adding a row of this kind, with the file's scheme and identifier filled in."""
    url = reverse("indicators:manage:dhis2_create", args=[kind])
    query = {
        name: value for name, value in (("scheme", scheme), ("identifier", identifier)) if value
    }
    return f"{url}?{urlencode(query)}" if query else url


@reader_required
def index(request: HttpRequest) -> HttpResponse:
    """Every row, by kind, with what it maps to."""
    kind = request.GET.get("kind", "")
    rows = Dhis2Mapping.objects.select_related("element", "territory").order_by(
        "kind", "scheme", "identifier"
    )
    if kind in Dhis2Kind.values:
        rows = rows.filter(kind=kind)
    else:
        kind = ""
    return render(
        request,
        "indicators/manage/dhis2_index.html",
        {
            "rows": [(row, services.mapping_target(row)) for row in rows],
            "kinds": [
                (value, label, add_url(value), ADD_LABELS[Dhis2Kind(value)])
                for value, label in Dhis2Kind.choices
            ],
            "kind": kind,
            "may_edit": services.may_edit(request.user),
        },
    )


def _page(request: HttpRequest, form: Dhis2MappingForm, status: int = 200) -> HttpResponse:
    mapping = form.instance
    return render(
        request,
        "indicators/manage/dhis2_form.html",
        {
            "form": form,
            "kind_label": Dhis2Kind(form.kind).label,
            "add_label": ADD_LABELS[Dhis2Kind(form.kind)],
            "mapping": mapping if mapping.pk else None,
        },
        status=status,
    )


def _edit(request: HttpRequest, kind: str, mapping: Dhis2Mapping | None) -> HttpResponse:
    if request.method != "POST":
        initial = {}
        if mapping is None:
            initial = {
                "scheme": request.GET.get("scheme", "").strip()[:60] or "UID",
                "identifier": request.GET.get("identifier", "").strip()[:230],
            }
        return _page(request, Dhis2MappingForm(instance=mapping, kind=kind, initial=initial))
    form = Dhis2MappingForm(request.POST, instance=mapping, kind=kind)
    if not form.is_valid():
        return _page(request, form, status=400)
    saved = form.save_with(actor=request.user)
    messages.success(
        request,
        _("Saved: %(scheme)s “%(identifier)s” means %(target)s.")
        % {
            "scheme": saved.scheme,
            "identifier": saved.identifier,
            "target": services.mapping_target(saved),
        },
    )
    return redirect(INDEX)


@editor_required
def create(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in Dhis2Kind.values:
        raise Http404
    return _edit(request, kind, None)


@editor_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    mapping = get_object_or_404(Dhis2Mapping.objects.select_related("element", "territory"), pk=pk)
    return _edit(request, mapping.kind, mapping)


@editor_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    mapping = get_object_or_404(Dhis2Mapping, pk=pk)
    shown = f"{mapping.scheme} “{mapping.identifier}”"
    services.delete_mapping(mapping, actor=request.user)
    messages.success(request, _("Deleted from the mapping table: %(row)s.") % {"row": shown})
    return redirect(INDEX)
