from django.urls import path

from convivencia.core.views import home, notifications

app_name = "core"
urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.healthz, name="healthz"),
    path("setup/", home.setup, name="setup"),
    path("notifications/", notifications.inbox, name="notifications"),
    path("notifications/<int:pk>/read/", notifications.mark_read, name="notification_read"),
]
