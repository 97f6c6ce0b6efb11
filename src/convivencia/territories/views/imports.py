"""The upload page for territory files; the import itself runs as a job."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from convivencia.accounts.access import is_administrator
from convivencia.core.limits import check_upload_size
from convivencia.jobs import services as jobs
from convivencia.territories.importers import FORMATS
from convivencia.territories.jobs import IMPORT_JOB

# What the page offers; the registry has a few more for the API and commands.
UPLOAD_FORMATS = (
    "divipola",
    "inegi",
    "ibge",
    "boundaries-divipola",
    "population-dane",
    "population-worldbank",
)


class ImportForm(forms.Form):
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[(key, FORMATS[key].label) for key in UPLOAD_FORMATS],
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        validators=[check_upload_size],
        help_text=gettext_lazy(
            "CSV (UTF-8 or Latin-1; comma, semicolon or tab), .xlsx, .xls, TopoJSON or GeoJSON."
        ),
    )


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
