"""Crime indicators: the public explorer, and the upload and management pages below it."""

from django.urls import include, path

from convivencia.indicators.views import dhis2_mapping, explorer, imports, manage

# The crime-data upload page, at /indicators/import/.
import_patterns = [
    path("", imports.upload, name="upload"),
    path("confirm/", imports.confirm, name="confirm"),
]

# Data elements and indicators, for coordinators, at /indicators/manage/.
manage_patterns = [
    path("", manage.index, name="index"),
    path("elements/new/", manage.element_create, name="element_create"),
    path("elements/<slug:code>/", manage.element_edit, name="element_edit"),
    path("elements/<slug:code>/delete/", manage.element_delete, name="element_delete"),
    path("indicators/new/", manage.indicator_create, name="indicator_create"),
    path("indicators/<slug:code>/", manage.indicator_edit, name="indicator_edit"),
    path("indicators/<slug:code>/delete/", manage.indicator_delete, name="indicator_delete"),
    # The DHIS2 mapping table: what another instance's identifiers mean here.
    path("dhis2/", dhis2_mapping.index, name="dhis2_index"),
    path("dhis2/new/<str:kind>/", dhis2_mapping.create, name="dhis2_create"),
    path("dhis2/<int:pk>/", dhis2_mapping.edit, name="dhis2_edit"),
    path("dhis2/<int:pk>/delete/", dhis2_mapping.delete, name="dhis2_delete"),
]

app_name = "indicators"
urlpatterns = [
    # Public: crime indicators are official statistics (no login).
    path("", explorer.explorer_page, name="explorer"),
    path("export.csv", explorer.export_csv, name="export_csv"),
    path("export.xlsx", explorer.export_xlsx, name="export_xlsx"),
    path("export.dhis2.json", explorer.export_dhis2, {"encoding": "json"}, name="export_dhis2"),
    path("export.dhis2.xml", explorer.export_dhis2, {"encoding": "xml"}, name="export_dhis2_xml"),
    path("export.dhis2.csv", explorer.export_dhis2, {"encoding": "csv"}, name="export_dhis2_csv"),
    path("dhis2/", explorer.dhis2_check, name="dhis2_check"),
    path("import/", include((import_patterns, "import"))),
    path("manage/", include((manage_patterns, "manage"))),
]
