"""Curation pages, mounted at /evidence/manage/ (the public registry lives at /evidence/)."""

from django.urls import path

from convivencia.evidence import curation_views as views

app_name = "evidence_curation"
urlpatterns = [
    path("", views.curation_list, name="list"),
    path("new/", views.intervention_create, name="create"),
    path("import/", views.import_upload, name="import"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
    path("territories/", views.territory_search, name="territory_search"),
    path("<int:pk>/", views.intervention_detail, name="detail"),
    path("<int:pk>/edit/", views.intervention_edit, name="edit"),
    path("<int:pk>/curation/<slug:action>/", views.transition, name="transition"),
    path("<int:pk>/evaluations/new/", views.evaluation_create, name="evaluation_create"),
    path(
        "<int:pk>/evaluations/<int:evaluation_pk>/", views.evaluation_edit, name="evaluation_edit"
    ),
    path(
        "<int:pk>/evaluations/<int:evaluation_pk>/delete/",
        views.evaluation_delete,
        name="evaluation_delete",
    ),
    path("<int:pk>/external-ratings/", views.external_rating_create, name="external_rating_create"),
    path(
        "<int:pk>/external-ratings/<int:rating_pk>/delete/",
        views.external_rating_delete,
        name="external_rating_delete",
    ),
    path("<int:pk>/ratings/<int:rating_pk>/", views.rating_override, name="rating_override"),
]
