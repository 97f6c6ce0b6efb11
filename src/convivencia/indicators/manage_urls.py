"""Management pages for data elements and indicators; mounted at /indicators/manage/."""

from django.urls import path

from convivencia.indicators import manage_views as views

app_name = "indicators_manage"
urlpatterns = [
    path("", views.index, name="index"),
    path("elements/new/", views.element_create, name="element_create"),
    path("elements/<slug:code>/", views.element_edit, name="element_edit"),
    path("elements/<slug:code>/delete/", views.element_delete, name="element_delete"),
    path("indicators/new/", views.indicator_create, name="indicator_create"),
    path("indicators/<slug:code>/", views.indicator_edit, name="indicator_edit"),
    path("indicators/<slug:code>/delete/", views.indicator_delete, name="indicator_delete"),
]
