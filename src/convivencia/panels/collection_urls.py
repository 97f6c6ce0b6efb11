"""Collecting answers: the web form, uploads, waves and the OpenRosa server of each panel.

Mounted at /panels/collect/. ODK Collect's server URL for a panel is
``/panels/collect/<panel>/openrosa``: Collect appends ``formList`` and ``submission``.
"""

from django.urls import path

from convivencia.panels import collection_views, openrosa

app_name = "panels_collection"

urlpatterns = [
    path("", collection_views.panel_list, name="list"),
    path("<slug:code>/", collection_views.panel_home, name="panel"),
    path("<slug:code>/waves/open/", collection_views.open_wave, name="open_wave"),
    path("<slug:code>/waves/<str:period>/close/", collection_views.close_wave, name="close_wave"),
    path("<slug:code>/form/", collection_views.web_form, name="form"),
    path("<slug:code>/upload/", collection_views.upload, name="upload"),
    path("<slug:code>/upload/confirm/", collection_views.confirm, name="confirm"),
    path(
        "<slug:code>/imports/<uuid:job_id>/rejected.csv",
        collection_views.rejected_rows,
        name="rejected_rows",
    ),
    # OpenRosa: exact names, no trailing slash, as ODK Collect builds them.
    path("<slug:panel_code>/openrosa/formList", openrosa.form_list, name="formlist"),
    path(
        "<slug:panel_code>/openrosa/forms/<str:form_id>.xml", openrosa.form_download, name="xform"
    ),
    path("<slug:panel_code>/openrosa/submission", openrosa.submission, name="submission"),
]
