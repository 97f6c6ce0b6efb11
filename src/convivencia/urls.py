from django.contrib import admin
from django.urls import include, path

from convivencia.api.api import api

urlpatterns = [
    path("", include("convivencia.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("convivencia.accounts.urls")),
    path("territories/", include("convivencia.territories.urls")),
    path("indicators/", include("convivencia.indicators.urls")),
    path("evidence/", include("convivencia.evidence.urls")),
    path("panels/", include("convivencia.panels.urls")),
    path("jobs/", include("convivencia.jobs.urls")),
    path("dialogues/", include("convivencia.dialogues.urls")),
    path("studies/", include("convivencia.studies.urls")),
    path("network/", include("convivencia.network.urls")),
    path("reports/", include("convivencia.reports.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

# Uploaded files are never served by URL, not even by the development server: rosters,
# answer files and attendance sheets name people, and every download goes through a view
# that checks who is asking (the attachment, evidence, import and export views).
