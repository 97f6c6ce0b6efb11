from django.urls import path

from convivencia.studies import views

app_name = "studies"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.study, name="study"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/team/", views.team, name="team"),
    path("<int:pk>/codebook/", views.codebook, name="codebook"),
    path("<int:pk>/codebook/import/", views.codebook_import, name="codebook_import"),
    path("<int:pk>/codebook.qdc", views.codebook_export, name="codebook_export"),
    path("<int:pk>/project.qdpx", views.project_export, name="project_export"),
    path("<int:pk>/segments.csv", views.segments_csv, name="segments_csv"),
    path("<int:pk>/segments.xlsx", views.segments_xlsx, name="segments_xlsx"),
    path("<int:pk>/documents/new/", views.document_upload, name="document_upload"),
    path("<int:pk>/analysis/", views.analysis_page, name="analysis"),
    path("<int:pk>/findings/new/", views.finding_create, name="finding_create"),
    path("code/<int:pk>/", views.code_edit, name="code_edit"),
    path("document/<int:pk>/", views.document, name="document"),
    path("document/<int:pk>/deidentify/", views.deidentify, name="deidentify"),
    path("document/<int:pk>/original/", views.original, name="original"),
    path("document/<int:pk>/segments/", views.segment_create, name="segment_create"),
    path("segment/<int:pk>/delete/", views.segment_delete, name="segment_delete"),
    path("finding/<int:pk>/", views.finding_edit, name="finding_edit"),
]
