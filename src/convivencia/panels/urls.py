"""Panel pages, mounted at /panels/.

The fixed paths come before ``<slug:code>/``: "map", "provider" and "territory"
cannot be panel codes. The roster and collection pages of the other panel
modules declare their own top-level namespaces (``panels_roster``…), so the site
URLconf mounts them beside this module rather than inside it.
"""

from django.urls import path

from convivencia.panels import views

app_name = "panels"

urlpatterns = [
    path("", views.index, name="index"),
    path("map/", views.map_view, name="map"),
    path("map/data.geojson", views.map_data, name="map_data"),
    path("provider/", views.provider, name="provider"),
    path("territory/<int:pk>/", views.territory_slot, name="territory_slot"),
    path("<slug:code>/", views.dashboard, name="dashboard"),
    path("<slug:code>/export/<str:kind>", views.export, name="export"),
]
