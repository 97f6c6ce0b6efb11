"""Background jobs of the evidence registry (registered when the app is ready)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from convivencia.accounts import access
from convivencia.core.bulk import local_copy
from convivencia.core.reading import BadFile
from convivencia.evidence import services
from convivencia.evidence.importers import interventions as importer
from convivencia.jobs.services import JobContext, JobFailed, handler


@handler("evidence.import")
def import_interventions(context: JobContext) -> dict[str, Any]:
    """Import an uploaded spreadsheet of interventions: check everything, then write it all.

    The check runs outside the transaction so its progress shows on the job page;
    the file is checked again here (not trusted from the dry run) because the
    registry may have changed in between.
    """
    job = context.job
    user = job.created_by
    publish = bool(context.params.get("publish"))
    # Roles may have been withdrawn since the upload: ask again.
    if user is None or not services.can_edit(user):
        raise JobFailed(_("Only editors of the evidence registry can import interventions."))
    if publish and not access.is_administrator(user):
        raise JobFailed(_("Only administrators can import rows as published."))
    stored_name = job.upload.name
    if not stored_name:
        raise JobFailed(_("The job has no file to import."))
    name = context.params.get("file_name") or stored_name
    with local_copy(job.upload.storage, stored_name) as path:
        try:
            plan = importer.check(path, name=name, publish=publish, progress=context.progress)
        except BadFile as exc:
            raise JobFailed(exc.summary()) from exc
    with context.writing():
        report = importer.write(plan, actor=user, progress=context.progress)
    return report.as_dict()
