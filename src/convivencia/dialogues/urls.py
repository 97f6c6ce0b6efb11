from django.urls import path

from convivencia.dialogues.views import commitments, processes, sessions

app_name = "dialogues"
urlpatterns = [
    path("", processes.index, name="index"),
    # Per territory
    path("territory/<int:pk>/", processes.territory, name="territory"),
    path("territory/<int:pk>/new/", processes.process_create, name="process_create"),
    path("territory/<int:pk>/calendar/", processes.session_calendar, name="calendar"),
    path("territory/<int:pk>/sessions/", processes.session_list, name="session_list"),
    path("territory/<int:pk>/board/", processes.territory_board, name="board"),
    path("territory/<int:pk>/slot/", processes.territory_slot, name="territory_slot"),
    path("organisation/<int:pk>/board/", processes.organisation_board, name="organisation_board"),
    # Processes
    path("process/<int:pk>/", processes.process_detail, name="process"),
    path("process/<int:pk>/edit/", processes.process_edit, name="process_edit"),
    path("process/<int:pk>/sessions/new/", sessions.session_create, name="session_create"),
    path("process/<int:pk>/concerns/new/", processes.concern_create, name="concern_create"),
    path("process/<int:pk>/plans/new/", processes.plan_create, name="plan_create"),
    path("process/<int:pk>/uptake/new/", processes.uptake_create, name="uptake_create"),
    path("process/<int:pk>/commitments/", processes.commitment_list, name="commitment_list"),
    path(
        "process/<int:pk>/commitments/new/",
        commitments.commitment_create,
        name="commitment_create",
    ),
    path("process/<int:pk>/export/<str:what>.csv", processes.export_csv, name="export_csv"),
    path("process/<int:pk>/export.xlsx", processes.export_xlsx, name="export_xlsx"),
    path("process/<int:pk>/print/", processes.print_view, name="print"),
    path("concern/<int:pk>/edit/", processes.concern_edit, name="concern_edit"),
    path("concern/<int:pk>/monitor/", processes.concern_monitor, name="concern_monitor"),
    path("plan/<int:pk>/edit/", processes.plan_edit, name="plan_edit"),
    path("uptake/<int:pk>/", processes.uptake_detail, name="uptake"),
    # Sessions
    path("session/<int:pk>/", sessions.session_detail, name="session"),
    path("session/<int:pk>/edit/", sessions.session_edit, name="session_edit"),
    path("session/<int:pk>/report/", sessions.session_report, name="session_report"),
    path("session/<int:pk>/register/", sessions.register, name="register"),
    path("session/<int:pk>/cancel/", sessions.cancel_registration, name="cancel_registration"),
    path("session/<int:pk>/participants/", sessions.participants, name="participants"),
    path("session/<int:pk>/attachments/", sessions.attachment_upload, name="attachment_upload"),
    path("session/<int:pk>/agenda/new/", sessions.agenda_create, name="agenda_create"),
    path("session/<int:pk>/agenda/propose/", sessions.agenda_propose, name="agenda_propose"),
    path("session/<int:pk>/ballot/", sessions.ballot, name="ballot"),
    path("session/<int:pk>/priorities/", sessions.priorities_results, name="priorities"),
    path(
        "participation/<int:pk>/attendance/",
        sessions.participant_attendance,
        name="attendance",
    ),
    path(
        "participation/<int:pk>/remove/",
        sessions.participant_remove,
        name="participant_remove",
    ),
    path("participation/<int:pk>/scores/", sessions.participant_scores, name="scores"),
    path("attachment/<int:pk>/", sessions.attachment_download, name="attachment"),
    path("agenda/<int:pk>/edit/", sessions.agenda_edit, name="agenda_edit"),
    path("agenda/<int:pk>/<str:decision>/", sessions.agenda_decide, name="agenda_decide"),
    # Commitments
    path("commitment/<int:pk>/", commitments.commitment_detail, name="commitment"),
    path("commitment/<int:pk>/edit/", commitments.commitment_edit, name="commitment_edit"),
    path("commitment/<int:pk>/update/", commitments.post_update, name="post_update"),
    path("commitment/<int:pk>/verify/", commitments.verify, name="verify"),
    path("commitment/<int:pk>/cancel/", commitments.cancel, name="cancel"),
    path("commitment/<int:pk>/follow/", commitments.follow, name="follow"),
    path("evidence/<int:pk>/", commitments.evidence_download, name="evidence"),
]
