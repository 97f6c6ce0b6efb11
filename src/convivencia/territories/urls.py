from django.urls import path

from convivencia.territories.views import imports, pages

app_name = "territories"
urlpatterns = [
    path("", pages.search, name="search"),
    path("<int:pk>/", pages.detail, name="detail"),
    path("<int:pk>/boundary.geojson", pages.boundary, name="boundary"),
    path("<int:pk>/context.geojson", pages.context, name="context"),
    path("world.geojson", pages.world, name="world"),
    path("import/", imports.upload, name="import"),
]
