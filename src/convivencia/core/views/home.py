from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from convivencia.accounts.access import is_administrator
from convivencia.core import setup as first_run
from convivencia.territories.models import Territory


def home(request: HttpRequest) -> HttpResponse:
    countries = Territory.objects.countries().filter(children__isnull=False).distinct()
    return render(
        request,
        "core/home.html",
        {
            "countries": countries,
            # A fresh installation (no territory yet) points its administrator to the checklist.
            "needs_setup": is_administrator(request.user) and first_run.needs_setup(),
        },
    )


def setup(request: HttpRequest) -> HttpResponse:
    """The first-run checklist, for administrators (anyone else: 404)."""
    if not is_administrator(request.user):
        raise Http404
    return render(request, "core/setup.html", {"steps": first_run.steps()})


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
