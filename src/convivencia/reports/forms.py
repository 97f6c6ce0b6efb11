"""The reports' forms: which brief to make, and the overview's and exchange page's filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from convivencia.reports.choices import LANGUAGES
from convivencia.territories.choices import Level
from convivencia.territories.models import Territory

LANGUAGE_LABELS = {"es": _("Spanish"), "pt": _("Portuguese"), "en": _("English")}


class BriefForm(forms.Form):
    """A month and a language, as the brief pages and the generate button take them."""

    period = forms.RegexField(
        label=_("Month"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        error_messages={"invalid": _("Write the month as YYYY-MM, e.g. 2024-03.")},
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[(code, LANGUAGE_LABELS[code]) for code in LANGUAGES]
    )


class FilterForm(forms.Form):
    """A territory (and what lies within it) and a year; both optional."""

    territory = forms.ModelChoiceField(
        label=_("Territory"),
        queryset=Territory.objects.all(),
        required=False,
        empty_label=_("Every country"),
        error_messages={"invalid_choice": _("No territory has this id.")},
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The list offers countries and regions (a few hundred at most); any territory,
        # a municipality too, is accepted by id from a link.
        offered = list(
            Territory.objects.filter(level__lte=Level.REGION).order_by("path", "name")[:500]
        )
        chosen = self.data.get("territory") if self.is_bound else None
        if chosen and str(chosen).isdigit() and all(t.pk != int(chosen) for t in offered):
            offered += list(Territory.objects.filter(pk=int(chosen)))
        field = self.fields["territory"]
        assert isinstance(field, forms.ModelChoiceField)
        field.widget.choices = [("", field.empty_label or "")] + [
            (territory.pk, f"{'— ' * territory.level}{territory.name}") for territory in offered
        ]
