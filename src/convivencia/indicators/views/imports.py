"""The upload page for crime data: choose a file, read the dry run, confirm; a job imports.

Step 1 (GET) offers the formats with their descriptions. Step 2 (POST) keeps the
upload, checks it without writing and shows every problem by row and column, or
what the import would create or replace (with the largest differences from the
current extraction). Step 3 (POST confirm) hands the kept file to a background
job, whose page shows the outcome.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from convivencia.core.bulk import local_copy
from convivencia.core.reading import BadFile, Problem
from convivencia.indicators import importers, services
from convivencia.indicators.choices import Dhis2Kind
from convivencia.indicators.forms import ImportForm
from convivencia.indicators.importers import dhis2
from convivencia.indicators.importers.common import Options, preview
from convivencia.indicators.jobs import IMPORT_JOB
from convivencia.indicators.views.dhis2_mapping import add_url
from convivencia.jobs import services as jobs

if TYPE_CHECKING:
    pass

STAGED = "indicators_staged_import"  # session key: the upload between dry run and confirm
PREVIEW_ROWS = 20


def importer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in (else the login page), and a coordinator, analyst or administrator
    somewhere (else 404: others should not learn the page exists)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not importers.may_import(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _page(request: HttpRequest, form: ImportForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "indicators/import.html",
        {
            "form": form,
            "formats": importers.FORMATS.values(),
        },
        status=status,
    )


@importer_required
def upload(request: HttpRequest) -> HttpResponse:
    """Step 1: choose a file. Step 2 (POST): the dry run's report, and a confirm button."""
    if request.method != "POST":
        return _page(request, ImportForm())
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    key = form.cleaned_data["format"]
    options = form.options()
    upload_file: UploadedFile = form.cleaned_data["file"]
    token = _stage(request, upload_file, key, options)
    staged = request.session[STAGED][token]
    problems: list[Problem] = []
    plan = None
    unmapped: list[dhis2.Unmapped] = []
    with local_copy(default_storage, staged["storage_name"]) as path:
        try:
            plan = importers.check(key, path, name=upload_file.name, options=options)
        except BadFile as exc:
            problems = exc.problems
            if key == dhis2.FORMAT:
                unmapped = _unmapped(path, upload_file.name, options)
    if problems:
        _unstage(request)  # nothing to confirm: the file has to be corrected first
    return render(
        request,
        "indicators/import_report.html",
        {
            "file_name": upload_file.name,
            "format": importers.FORMATS[key],
            "problems": problems,
            "plan": plan,
            "preview": preview(plan, limit=PREVIEW_ROWS) if plan else None,
            "token": "" if problems else token,
            "unmapped": [
                (
                    entry,
                    Dhis2Kind(entry.kind).label,
                    add_url(entry.kind, entry.scheme, entry.identifier),
                )
                for entry in unmapped
            ],
            "may_map": services.may_edit(request.user),
        },
        status=200,
    )


def _unmapped(path: Path, name: str | None, options: Options) -> list[dhis2.Unmapped]:
    """The identifiers a DHIS2 file's check could not place, for links to the mapping
    table; none when the file itself cannot be read (its problems say so already)."""
    try:
        return dhis2.unmapped(path, name=name, options=options)
    except (BadFile, ValueError):
        return []


@importer_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    """Step 3: the checked file becomes a background job; its page shows the outcome."""
    token = request.POST.get("token", "")
    staged = request.session.get(STAGED, {}).get(token)
    # A checked file left unconfirmed is deleted after a day (jobs.retention).
    if staged is None or not default_storage.exists(staged["storage_name"]):
        if staged is not None:
            _unstage(request)
        messages.error(request, _("That upload is no longer available; choose the file again."))
        return redirect("indicators:import:upload")
    key = staged["format"]
    with default_storage.open(staged["storage_name"], "rb") as handle:
        job = jobs.enqueue(
            IMPORT_JOB,
            _("Import of crime data (%(format)s): %(file)s")
            % {"format": importers.FORMATS[key].label, "file": staged["name"]},
            {
                "format": key,
                "file_name": staged["name"],
                "language": translation.get_language(),
                **staged["options"],
            },
            user=request.user,
            upload=UploadedFile(handle, name=staged["name"]),
        )
    _unstage(request)
    return redirect("jobs:detail", job_id=job.pk)


def _stage(request: HttpRequest, upload_file: UploadedFile, key: str, options: Options) -> str:
    """Keep the upload between the dry run and the confirmation; one per user at a time."""
    _unstage(request)
    token = uuid.uuid4().hex
    suffix = Path(upload_file.name or "").suffix.lower()[:6]
    storage_name = default_storage.save(f"indicators/staged/{token}{suffix}", upload_file)
    request.session[STAGED] = {
        token: {
            "storage_name": storage_name,
            "name": upload_file.name,
            "format": key,
            "options": options.as_params(),
        }
    }
    return token


def _unstage(request: HttpRequest) -> None:
    for entry in request.session.pop(STAGED, {}).values():
        if default_storage.exists(entry["storage_name"]):
            default_storage.delete(entry["storage_name"])
