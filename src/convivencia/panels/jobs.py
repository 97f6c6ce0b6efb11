"""Background import of an uploaded KoBoToolbox / ODK export, through the jobs app.

The upload page has already shown the dry run; the job reads the file again (it
may have been checked minutes ago, and the wave may have changed since), then
stores the answers in one transaction with ``context.writing()``. With
``accept_valid`` the rejected rows are written to an error file kept with the job;
its storage name is ``result["error_file"]`` and the page that serves it
(only to the job's owner) is ``result["error_file_url"]``.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from convivencia.accounts import access
from convivencia.accounts.choices import Role
from convivencia.core.reading import BadFile
from convivencia.jobs.services import JobContext, JobFailed, handler
from convivencia.panels.importers import answers as file_import
from convivencia.panels.models import Panel, Wave, period_of

IMPORT_JOB = "panels.import_responses"
ERROR_FILES = "panels/rejected"
COLLECTOR_ROLES = (Role.ENUMERATOR, Role.COORDINATOR)
LISTED_PROBLEMS = 100


def error_file_name(job_id: Any, file_name: str) -> str:
    stem = Path(file_name or "responses").stem[:60] or "responses"
    return f"{ERROR_FILES}/{job_id}/{stem}-rejected.csv"


def describe_refusal(report: file_import.Report) -> str:
    """Why nothing was imported, row by row, in words for the job page."""
    problems = report.problems
    lines = [
        _("%(count)s problem(s) in %(rows)s row(s); nothing was imported.")
        % {"count": len(problems), "rows": len(report.rejected)}
    ]
    lines += [f"- {problem}" for problem in problems[:LISTED_PROBLEMS]]
    if len(problems) > LISTED_PROBLEMS:
        lines.append(_("…and %(count)s more.") % {"count": len(problems) - LISTED_PROBLEMS})
    lines.append(_("Correct the file, or import the valid rows and download the rejected ones."))
    return "\n".join(lines)


@handler(IMPORT_JOB)
def import_responses(context: JobContext) -> dict[str, Any]:
    params = context.params
    panel = (
        Panel.objects.select_related("territory", "questionnaire")
        .filter(code=params.get("panel", ""))
        .first()
    )
    if panel is None:
        raise JobFailed(_("Panel “%(panel)s” does not exist.") % {"panel": params.get("panel")})
    user = context.job.created_by
    # The page checked the role when the job was queued; a role revoked since then wins.
    if user is None or not access.has_role(user, panel.territory, *COLLECTOR_ROLES):
        raise JobFailed(
            _("You no longer collect answers for panel %(panel)s.") % {"panel": panel.code}
        )
    try:
        wave = Wave.objects.select_related("panel").get(
            panel=panel, period=period_of(str(params.get("wave", "")))
        )
    except (ValueError, Wave.DoesNotExist) as exc:
        raise JobFailed(
            _("Panel %(panel)s has no wave %(wave)s.")
            % {"panel": panel.code, "wave": params.get("wave")}
        ) from exc
    stored_name = context.job.upload.name
    if not stored_name:
        raise JobFailed(_("The job has no uploaded file."))
    file_name = str(params.get("file_name") or Path(stored_name).name)
    context.progress(0, 0, _("Reading the file…"))
    try:
        export = file_import.read_export(
            Path(context.job.upload.path),
            panel,
            name=file_name,
            include_rejected=bool(params.get("include_rejected")),
        )
    except BadFile as exc:
        raise JobFailed(exc.summary()) from exc
    context.progress(0, len(export.raws), _("Checking the answers…"))
    try:
        with context.writing(_("Saving the answers…")):
            report = file_import.import_rows(
                wave, export, accept_valid=bool(params.get("accept_valid")), enumerator=user
            )
    except file_import.ImportRefused as exc:
        raise JobFailed(describe_refusal(exc.report)) from exc
    result = report.as_dict()
    if report.rejected:
        # Written after the commit: a rolled-back import leaves no error file behind.
        name = default_storage.save(
            error_file_name(context.job.pk, file_name),
            ContentFile(file_import.error_file_bytes(report, export)),
        )
        result["error_file"] = name
        # Without the collection pages mounted there is no page to link to.
        with contextlib.suppress(NoReverseMatch):
            result["error_file_url"] = reverse(
                "panels:collection:rejected_rows", args=[panel.code, context.job.pk]
            )
    return result
