"""Background imports of uploaded territory files, through the jobs app.

The same importers as the management commands: the file is read and checked
outside any transaction (progress is visible on the job page meanwhile), then
written in one transaction by ``context.writing()``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from convivencia.core.reading import BadFile
from convivencia.jobs.services import JobContext, JobFailed, handler
from convivencia.territories.importers import FORMATS
from convivencia.territories.services import TerritoryConflict

IMPORT_JOB = "territories.import"


def format_key(params: dict[str, Any]) -> str:
    """The registry key for a job's params: {"format": "boundaries", "scheme": "divipola"}
    and {"format": "boundaries-divipola"} name the same thing."""
    key = str(params.get("format", ""))
    scheme = params.get("scheme")
    if scheme and key in ("boundaries", "population"):
        key = f"{key}-{scheme}"
    return key


@handler(IMPORT_JOB)
def import_upload(context: JobContext) -> dict[str, Any]:
    key = format_key(context.params)
    entry = FORMATS.get(key)
    if entry is None:
        raise JobFailed(_("Unknown import format “%(format)s”.") % {"format": key})
    upload = context.job.upload
    if not upload:
        raise JobFailed(_("The job has no uploaded file."))
    path = Path(upload.path)
    context.progress(0, 0, _("Checking the file…"))
    try:
        plan = entry.check(path, name=path.name, progress=context.progress)
    except BadFile as exc:
        raise JobFailed(exc.summary()) from exc
    try:
        with context.writing():
            report = entry.write(plan, context.progress)
    except TerritoryConflict as exc:
        raise JobFailed(str(exc)) from exc
    return report.as_dict()
