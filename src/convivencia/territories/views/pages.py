from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control

from convivencia.core.htmx import is_htmx
from convivencia.territories import basemaps, services
from convivencia.territories.models import Territory


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    results = (
        Territory.objects.search(query)
        .select_related("parent")
        .prefetch_related("codes")
        .order_by("level", "name")
    )
    page = Paginator(results, 25).get_page(request.GET.get("page"))
    template = "territories/_results.html" if is_htmx(request) else "territories/search.html"
    return render(request, template, {"query": query, "page": page})


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    territory = get_object_or_404(
        Territory.objects.select_related("parent").prefetch_related("codes", "names"), pk=pk
    )
    return render(request, "territories/detail.html", services.page_context(territory))


def boundary(request: HttpRequest, pk: int) -> JsonResponse:
    """The territory and its children as a GeoJSON FeatureCollection, for the map."""
    territory = get_object_or_404(Territory, pk=pk)
    return JsonResponse(services.feature_collection(territory))


def context(request: HttpRequest, pk: int) -> JsonResponse:
    """The territory's country and its regions, drawn under a map as its setting."""
    territory = get_object_or_404(Territory, pk=pk)
    return JsonResponse(services.context_collection(territory))


# Private: the names follow the reader's language, which a shared cache would not know.
@cache_control(private=True, max_age=86400)
def world(request: HttpRequest) -> JsonResponse:
    """The world's countries (Natural Earth), named in the reader's language."""
    return JsonResponse(basemaps.world(get_language() or "es"))
