from django.urls import path

from convivencia.network import views

app_name = "network"

urlpatterns = [
    path("", views.events, name="events"),
    path("events/calendar.ics", views.calendar_ics, name="calendar_ics"),
    path("events/<int:pk>/", views.event, name="event"),
    path("events/<int:pk>/calendar.ics", views.event_ics, name="event_ics"),
    path("events/<int:pk>/register/", views.register, name="register"),
    path("specialists/", views.specialists, name="specialists"),
    path("specialists/export.csv", views.specialists_csv, name="specialists_csv"),
    path("specialists/<int:pk>/", views.specialist, name="specialist"),
    path("organisations/<int:pk>/", views.organisation, name="organisation"),
    path("practices/", views.practices, name="practices"),
    path("practices/<int:pk>/", views.practice, name="practice"),
    path("publications/", views.publications, name="publications"),
    path("ask/", views.ask, name="ask"),
    path("me/", views.own_profile, name="own_profile"),
]
