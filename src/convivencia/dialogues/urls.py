from django.urls import path

from convivencia.dialogues import views, views_commitments, views_sessions

app_name = "dialogues"
urlpatterns = [
    path("", views.index, name="index"),
    # Per territory
    path("territory/<int:pk>/", views.territory, name="territory"),
    path("territory/<int:pk>/new/", views.process_create, name="process_create"),
    path("territory/<int:pk>/calendar/", views.session_calendar, name="calendar"),
    path("territory/<int:pk>/sessions/", views.session_list, name="session_list"),
    path("territory/<int:pk>/board/", views.territory_board, name="board"),
    path("territory/<int:pk>/slot/", views.territory_slot, name="territory_slot"),
    path("organisation/<int:pk>/board/", views.organisation_board, name="organisation_board"),
    # Processes
    path("process/<int:pk>/", views.process_detail, name="process"),
    path("process/<int:pk>/edit/", views.process_edit, name="process_edit"),
    path("process/<int:pk>/sessions/new/", views_sessions.session_create, name="session_create"),
    path("process/<int:pk>/concerns/new/", views.concern_create, name="concern_create"),
    path("process/<int:pk>/plans/new/", views.plan_create, name="plan_create"),
    path("process/<int:pk>/uptake/new/", views.uptake_create, name="uptake_create"),
    path("process/<int:pk>/commitments/", views.commitment_list, name="commitment_list"),
    path(
        "process/<int:pk>/commitments/new/",
        views_commitments.commitment_create,
        name="commitment_create",
    ),
    path("process/<int:pk>/export/<str:what>.csv", views.export_csv, name="export_csv"),
    path("process/<int:pk>/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("process/<int:pk>/print/", views.print_view, name="print"),
    path("concern/<int:pk>/edit/", views.concern_edit, name="concern_edit"),
    path("concern/<int:pk>/monitor/", views.concern_monitor, name="concern_monitor"),
    path("plan/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("uptake/<int:pk>/", views.uptake_detail, name="uptake"),
    # Sessions
    path("session/<int:pk>/", views_sessions.session_detail, name="session"),
    path("session/<int:pk>/edit/", views_sessions.session_edit, name="session_edit"),
    path("session/<int:pk>/report/", views_sessions.session_report, name="session_report"),
    path("session/<int:pk>/register/", views_sessions.register, name="register"),
    path(
        "session/<int:pk>/cancel/", views_sessions.cancel_registration, name="cancel_registration"
    ),
    path("session/<int:pk>/participants/", views_sessions.participants, name="participants"),
    path(
        "session/<int:pk>/attachments/", views_sessions.attachment_upload, name="attachment_upload"
    ),
    path("session/<int:pk>/agenda/new/", views_sessions.agenda_create, name="agenda_create"),
    path("session/<int:pk>/agenda/propose/", views_sessions.agenda_propose, name="agenda_propose"),
    path("session/<int:pk>/ballot/", views_sessions.ballot, name="ballot"),
    path("session/<int:pk>/priorities/", views_sessions.priorities_results, name="priorities"),
    path(
        "participation/<int:pk>/attendance/",
        views_sessions.participant_attendance,
        name="attendance",
    ),
    path(
        "participation/<int:pk>/remove/",
        views_sessions.participant_remove,
        name="participant_remove",
    ),
    path("participation/<int:pk>/scores/", views_sessions.participant_scores, name="scores"),
    path("attachment/<int:pk>/", views_sessions.attachment_download, name="attachment"),
    path("agenda/<int:pk>/edit/", views_sessions.agenda_edit, name="agenda_edit"),
    path("agenda/<int:pk>/<str:decision>/", views_sessions.agenda_decide, name="agenda_decide"),
    # Commitments
    path("commitment/<int:pk>/", views_commitments.commitment_detail, name="commitment"),
    path("commitment/<int:pk>/edit/", views_commitments.commitment_edit, name="commitment_edit"),
    path("commitment/<int:pk>/update/", views_commitments.post_update, name="post_update"),
    path("commitment/<int:pk>/verify/", views_commitments.verify, name="verify"),
    path("commitment/<int:pk>/cancel/", views_commitments.cancel, name="cancel"),
    path("commitment/<int:pk>/follow/", views_commitments.follow, name="follow"),
    path("evidence/<int:pk>/", views_commitments.evidence_download, name="evidence"),
]
