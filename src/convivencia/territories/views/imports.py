"""The upload page for territory files; the import itself runs as a job."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from convivencia.accounts.access import is_administrator
from convivencia.jobs import services as jobs
from convivencia.territories.forms import ImportForm
from convivencia.territories.importers import FORMATS
from convivencia.territories.jobs import IMPORT_JOB


def _params(key: str) -> dict[str, str]:
    kind, _dash, scheme = key.partition("-")
    if kind in ("boundaries", "population"):
        return {"format": kind, "scheme": scheme}
    return {"format": key}


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    if not is_administrator(request.user):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["format"]
        upload = form.cleaned_data["file"]
        job = jobs.enqueue(
            IMPORT_JOB,
            _("Import %(format)s: %(file)s") % {"format": FORMATS[key].label, "file": upload.name},
            _params(key),
            user=request.user,
            upload=upload,
        )
        return redirect("jobs:detail", job_id=job.pk)
    return render(request, "territories/import.html", {"form": form})
