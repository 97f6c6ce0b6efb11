"""Roster pages, mounted at /panels/roster/."""

from django.urls import path

from convivencia.panels import roster_views

app_name = "panels_roster"

urlpatterns = [
    path("<slug:code>/", roster_views.roster, name="roster"),
    path("<slug:code>/entities.csv", roster_views.entity_list, name="entities"),
    path(
        "<slug:code>/respondents/<int:pk>/contact/", roster_views.respondent_contact, name="contact"
    ),
]
