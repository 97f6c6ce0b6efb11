"""Panel pages, mounted at /panels/.

The fixed paths come before ``<slug:code>/``: "map", "provider", "territory", "collect",
"roster" and "questionnaires" cannot be panel codes (``services.RESERVED_PANEL_CODES``).
ODK Collect's server URL for a panel is ``/panels/collect/<panel>/openrosa``: Collect
appends ``formList`` and ``submission``.
"""

from django.urls import include, path

from convivencia.panels import openrosa
from convivencia.panels.views import (
    collection,
    dashboards,
    mapping,
    odk_password,
    questionnaires,
    roster,
)

# Collecting answers: the web form, uploads, waves and the OpenRosa server of each panel.
collection_patterns = [
    path("", collection.panel_list, name="list"),
    path("<slug:code>/", collection.panel_home, name="panel"),
    path("<slug:code>/waves/open/", collection.open_wave, name="open_wave"),
    path("<slug:code>/waves/<str:period>/close/", collection.close_wave, name="close_wave"),
    path("<slug:code>/form/", collection.web_form, name="form"),
    path("<slug:code>/form.xlsx", collection.xlsform, name="xlsform"),
    path("<slug:code>/odk-password/", odk_password.collect_password, name="collect_password"),
    path("<slug:code>/upload/", collection.upload, name="upload"),
    path("<slug:code>/upload/confirm/", collection.confirm, name="confirm"),
    path("<slug:code>/mapping/", mapping.field_mapping, name="mapping"),
    path(
        "<slug:code>/imports/<uuid:job_id>/rejected.csv",
        collection.rejected_rows,
        name="rejected_rows",
    ),
    # OpenRosa: exact names, no trailing slash, as ODK Collect builds them.
    path("<slug:panel_code>/openrosa/formList", openrosa.form_list, name="formlist"),
    path(
        "<slug:panel_code>/openrosa/forms/<str:form_id>.xml", openrosa.form_download, name="xform"
    ),
    path("<slug:panel_code>/openrosa/submission", openrosa.submission, name="submission"),
]

# A panel's roster and its ODK Entity list.
roster_patterns = [
    path("<slug:code>/", roster.roster, name="roster"),
    path("<slug:code>/entities.csv", roster.entity_list, name="entities"),
    path("<slug:code>/respondents/<int:pk>/contact/", roster.respondent_contact, name="contact"),
]

# XLSForms made elsewhere, brought in from the web, and panels made of them (issue 14).
questionnaire_patterns = [
    path("import/", questionnaires.import_form, name="import"),
    path("<int:pk>/", questionnaires.questionnaire, name="detail"),
    path("<int:pk>/panel/", questionnaires.create_panel, name="create_panel"),
]

app_name = "panels"

urlpatterns = [
    path("", dashboards.index, name="index"),
    path("map/", dashboards.map_view, name="map"),
    path("map/data.geojson", dashboards.map_data, name="map_data"),
    path("provider/", dashboards.provider, name="provider"),
    path("territory/<int:pk>/", dashboards.territory_slot, name="territory_slot"),
    path("collect/", include((collection_patterns, "collection"))),
    path("roster/", include((roster_patterns, "roster"))),
    path("questionnaires/", include((questionnaire_patterns, "questionnaires"))),
    path("<slug:code>/", dashboards.dashboard, name="dashboard"),
    path("<slug:code>/export/<str:kind>", dashboards.export, name="export"),
]
