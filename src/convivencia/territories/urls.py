from django.urls import path

from convivencia.territories.views import imports, pages

app_name = "territories"
urlpatterns = [
    path("", pages.search, name="search"),
    path("<int:pk>/", pages.detail, name="detail"),
    path("<int:pk>/boundary.geojson", pages.boundary, name="boundary"),
    path("import/", imports.upload, name="import"),
]
