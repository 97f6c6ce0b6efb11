"""The reports' pages, mounted at /reports/."""

from django.urls import path

from convivencia.reports import views

app_name = "reports"

urlpatterns = [
    path("overview/", views.overview_page, name="overview"),
    path("overview/export.<str:fmt>", views.overview_export, name="overview_export"),
    path("exchange/", views.data_exchange, name="exchange"),
    path("briefs/<int:pk>/", views.briefs, name="briefs"),
    path("briefs/<int:pk>/<str:period>/", views.brief, name="brief"),
    path("briefs/<int:pk>/<str:period>/brief.pdf", views.brief_pdf, name="brief_pdf"),
    path("briefs/<int:pk>/<str:period>/generate/", views.generate, name="generate"),
]
