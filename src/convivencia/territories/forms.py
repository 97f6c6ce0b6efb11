"""The territories' upload form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from convivencia.core.limits import check_upload_size
from convivencia.territories.importers import FORMATS

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


# What the page offers; the registry has a few more for the API and commands.
