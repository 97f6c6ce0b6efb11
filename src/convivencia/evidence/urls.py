"""The evidence registry: public pages at /evidence/, curation at /evidence/manage/."""

from django.urls import include, path, re_path

from convivencia.evidence.views import curation, public

# Curation pages for signed-in curators, at /evidence/manage/.
curation_patterns = [
    path("", curation.curation_list, name="list"),
    path("new/", curation.intervention_create, name="create"),
    path("import/", curation.import_upload, name="import"),
    path("import/confirm/", curation.import_confirm, name="import_confirm"),
    path("territories/", curation.territory_search, name="territory_search"),
    path("<int:pk>/", curation.intervention_detail, name="detail"),
    path("<int:pk>/edit/", curation.intervention_edit, name="edit"),
    path("<int:pk>/curation/<slug:action>/", curation.transition, name="transition"),
    path("<int:pk>/evaluations/new/", curation.evaluation_create, name="evaluation_create"),
    path(
        "<int:pk>/evaluations/<int:evaluation_pk>/",
        curation.evaluation_edit,
        name="evaluation_edit",
    ),
    path(
        "<int:pk>/evaluations/<int:evaluation_pk>/delete/",
        curation.evaluation_delete,
        name="evaluation_delete",
    ),
    path(
        "<int:pk>/external-ratings/", curation.external_rating_create, name="external_rating_create"
    ),
    path(
        "<int:pk>/external-ratings/<int:rating_pk>/delete/",
        curation.external_rating_delete,
        name="external_rating_delete",
    ),
    path("<int:pk>/ratings/<int:rating_pk>/", curation.rating_override, name="rating_override"),
]

app_name = "evidence"
urlpatterns = [
    # Public pages (published interventions only, no login).
    path("", public.dashboard, name="dashboard"),
    path("<int:pk>/", public.detail, name="detail"),
    path("gap-map/", public.gap_map, name="gap_map"),
    re_path(r"^export\.(?P<fmt>csv|xlsx|json)$", public.export, name="export"),
    # Curation (login required).
    path("manage/", include((curation_patterns, "curation"))),
]
