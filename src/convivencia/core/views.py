from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from convivencia.territories.models import Territory


def home(request: HttpRequest) -> HttpResponse:
    countries = Territory.objects.countries().filter(children__isnull=False).distinct()
    return render(request, "core/home.html", {"countries": countries})


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
