"""The crime-data upload page; the lead mounts it at /indicators/import/."""

from django.urls import path

from convivencia.indicators import import_views as views

app_name = "indicators_import"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("confirm/", views.confirm, name="confirm"),
]
