from django.urls import path

from convivencia.territories import views, views_import

app_name = "territories"
urlpatterns = [
    path("", views.search, name="search"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/boundary.geojson", views.boundary, name="boundary"),
    path("import/", views_import.upload, name="import"),
]
