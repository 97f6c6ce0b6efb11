"""Background imports of crime data, through the jobs app (registered when the app is ready).

The same importers as the ``import_crime`` command: the file is checked outside
any transaction (progress shows on the job page meanwhile), then written in one
transaction by ``context.writing()``. The file is checked again here rather than
trusted from the dry run: the database may have changed in between.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from convivencia.core.bulk import local_copy
from convivencia.core.reading import BadFile
from convivencia.indicators import importers
from convivencia.indicators.importers.common import Options, write
from convivencia.jobs.services import JobContext, JobFailed, handler

IMPORT_JOB = "indicators.import_crime"


@handler(IMPORT_JOB)
def import_crime(context: JobContext) -> dict[str, Any]:
    # Problems and notes are read by the person who uploaded the file: in their language.
    with translation.override(context.params.get("language") or None):
        return _import_crime(context)


def _import_crime(context: JobContext) -> dict[str, Any]:
    job = context.job
    user = job.created_by
    # Roles may have been withdrawn since the upload: ask again.
    if user is None or not user.is_active or not importers.may_import(user):
        raise JobFailed(_("Only coordinators, analysts and administrators can import crime data."))
    key = str(context.params.get("format", ""))
    if key not in importers.FORMATS:
        raise JobFailed(_("Unknown import format “%(format)s”.") % {"format": key})
    stored_name = job.upload.name
    if not stored_name:
        raise JobFailed(_("The job has no file to import."))
    name = context.params.get("file_name") or Path(stored_name).name
    options = Options.from_params(context.params)
    context.progress(0, 0, _("Checking the file…"))
    with local_copy(job.upload.storage, stored_name) as path:
        try:
            plan = importers.check(key, path, name=name, options=options, progress=context.progress)
        except BadFile as exc:
            raise JobFailed(exc.summary()) from exc
    with context.writing():
        outcome = write(plan, user=user, progress=context.progress)
    return outcome.as_dict()
