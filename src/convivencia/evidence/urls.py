from django.urls import path, re_path

from convivencia.evidence import views

app_name = "evidence"
urlpatterns = [
    # Public pages (published interventions only, no login).
    path("", views.dashboard, name="dashboard"),
    path("<int:pk>/", views.detail, name="detail"),
    path("gap-map/", views.gap_map, name="gap_map"),
    re_path(r"^export\.(?P<fmt>csv|xlsx|json)$", views.export, name="export"),
    # Curation (login required) goes below.
]
