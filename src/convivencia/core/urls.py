from django.urls import path

from convivencia.core import notification_views, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("setup/", views.setup, name="setup"),
    path("notifications/", notification_views.inbox, name="notifications"),
    path("notifications/<int:pk>/read/", notification_views.mark_read, name="notification_read"),
]
