"""Management pages for data elements and indicators (mounted at /indicators/manage/).

Who may do what (``manage_services``): anonymous visitors go to the login page; people
without an administrator, coordinator or analyst role get 404, as everywhere; analysts
read the list; administrators and coordinators also create, edit and delete, and an
analyst who asks for those pages gets 403 (they see the list, so nothing is hidden).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from convivencia.core.text import fold
from convivencia.indicators import services
from convivencia.indicators.forms import DataElementForm, DefinitionForm, IndicatorForm
from convivencia.indicators.models import DataElement, Indicator

View = Callable[..., HttpResponse]


def reader_required(view: View) -> View:
    """Logged in (else the login page), with a role that reads definitions (else 404)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not services.may_read(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def editor_required(view: View) -> View:
    """A reader who may also change definitions (else 403)."""

    @reader_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not services.may_edit(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _matches(query: str, *texts: str) -> bool:
    # Accent- and case-tolerant ("extorsion" finds "Extorsión"), in Python: there are tens
    # of definitions, and names are JSON, stored escaped on SQLite.
    return query in fold(" ".join(texts))


def _texts(obj: DataElement | Indicator) -> list[str]:
    return [obj.code, *obj.name.values(), obj.description]


@reader_required
def index(request: HttpRequest) -> HttpResponse:
    """Every data element and indicator, with its formula and how many values it has."""
    query = request.GET.get("q", "").strip()[:100]
    elements = list(DataElement.objects.order_by("code"))
    indicators = list(Indicator.objects.select_related("numerator", "denominator").order_by("code"))
    folded = fold(query)
    if folded:
        elements = [
            element for element in elements if _matches(folded, *_texts(element), element.dhis2_uid)
        ]
        indicators = [
            indicator
            for indicator in indicators
            if _matches(folded, *_texts(indicator), *_texts(indicator.numerator))
        ]
    counts = services.value_counts(elements)
    return render(
        request,
        "indicators/manage/index.html",
        {
            "query": query,
            "elements": [(element, counts[element.pk]) for element in elements],
            "indicators": indicators,
            "may_edit": services.may_edit(request.user),
        },
    )


def _form_page(
    request: HttpRequest, form: DefinitionForm, kind: str, status: int = 200
) -> HttpResponse:
    obj = form.instance
    return render(
        request,
        "indicators/manage/form.html",
        {
            "form": form,
            "kind": kind,
            "obj": obj if obj.pk else None,
            "refusal": services.refusal(obj) if obj.pk else "",
        },
        status=status,
    )


def _edit(
    request: HttpRequest,
    form_class: type[DefinitionForm],
    kind: str,
    obj: DataElement | Indicator | None,
) -> HttpResponse:
    if request.method != "POST":
        return _form_page(request, form_class(instance=obj), kind)
    form = form_class(request.POST, instance=obj)
    if not form.is_valid():
        return _form_page(request, form, kind, status=400)
    saved = form.save_with(actor=request.user)
    messages.success(
        request, _("Saved: %(name)s (%(code)s).") % {"name": saved, "code": saved.code}
    )
    return redirect("indicators:manage:index")


@editor_required
def element_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, DataElementForm, "element", None)


@editor_required
def element_edit(request: HttpRequest, code: str) -> HttpResponse:
    return _edit(request, DataElementForm, "element", get_object_or_404(DataElement, code=code))


@editor_required
def indicator_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, IndicatorForm, "indicator", None)


@editor_required
def indicator_edit(request: HttpRequest, code: str) -> HttpResponse:
    indicator = get_object_or_404(Indicator.objects.select_related("numerator"), code=code)
    return _edit(request, IndicatorForm, "indicator", indicator)


def _delete(
    request: HttpRequest, obj: DataElement | Indicator, form: DefinitionForm, kind: str
) -> HttpResponse:
    name, code = str(obj), obj.code
    try:
        services.delete(obj, actor=request.user)
    except services.StillUsed:
        messages.error(request, _("%(name)s was not deleted.") % {"name": name})
        # 409: the definition is as it was; the page says why.
        return _form_page(request, form, kind, status=409)
    messages.success(request, _("Deleted: %(name)s (%(code)s).") % {"name": name, "code": code})
    return redirect("indicators:manage:index")


@editor_required
@require_POST
def element_delete(request: HttpRequest, code: str) -> HttpResponse:
    element = get_object_or_404(DataElement, code=code)
    return _delete(request, element, DataElementForm(instance=element), "element")


@editor_required
@require_POST
def indicator_delete(request: HttpRequest, code: str) -> HttpResponse:
    indicator = get_object_or_404(Indicator.objects.select_related("numerator"), code=code)
    return _delete(request, indicator, IndicatorForm(instance=indicator), "indicator")
