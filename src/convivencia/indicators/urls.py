from django.urls import path

from convivencia.indicators import views

app_name = "indicators"
urlpatterns = [
    # Public: crime indicators are official statistics (no login).
    path("", views.explorer_page, name="explorer"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("export.dhis2.json", views.export_dhis2, name="export_dhis2"),
    path("dhis2/", views.dhis2_check, name="dhis2_check"),
]
