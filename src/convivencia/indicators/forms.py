"""Forms of the management pages: data elements and indicators.

Names are stored as {"es": …, "en": …, "pt": …}; the forms show one field per language
(Spanish required: it is the users' language and what other languages fall back to).
Saving goes through ``manage_services`` (audit log, the explorer's data version).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator, validate_slug
from django.utils.translation import gettext_lazy as _

from convivencia.indicators import manage_services
from convivencia.indicators.choices import DenominatorKind
from convivencia.indicators.models import DataElement, Indicator

LANGUAGES = [code for code, _name in settings.LANGUAGES]
NAME_LABELS = {
    "es": _("Name in Spanish"),
    "en": _("Name in English"),
    "pt": _("Name in Portuguese"),
}

code_validator = RegexValidator(
    r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$",
    _(
        "Use lower-case letters without accents, digits, and “_” or “-” between them, "
        "e.g. threats_to_leaders."
    ),
    code="code_format",
)


class DefinitionForm(forms.ModelForm):
    """What data elements and indicators share: a code and a name in each language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = self.instance.name or {}
        for language in LANGUAGES:
            self.fields[f"name_{language}"] = forms.CharField(
                label=NAME_LABELS.get(language, language),
                max_length=200,
                required=language == "es",
                initial=names.get(language, ""),
            )
        code = self.fields["code"]
        # One message of ours instead of the generic slug one (which allows capitals).
        code.validators = [*(v for v in code.validators if v is not validate_slug), code_validator]
        code.help_text = _(
            "Importers, exports, the API and shared links know it by this code. "
            "It cannot change once values exist."
        )
        self.code_fixed = manage_services.code_is_fixed(self.instance)
        if self.code_fixed:
            code.disabled = True
            code.help_text = _("Values were imported under this code: it can no longer change.")
        self.order_fields(["code", *[f"name_{language}" for language in LANGUAGES]])

    def clean_code(self) -> str:
        if self.code_fixed:
            return self.instance.code
        return self.cleaned_data["code"].strip()

    def names(self) -> dict[str, str]:
        return {
            language: text
            for language in LANGUAGES
            if (text := (self.cleaned_data.get(f"name_{language}") or "").strip())
        }

    def save_with(self, *, actor) -> DataElement | Indicator:
        """Save through ``manage_services.save`` (audit log, explorer refreshed)."""
        before = manage_services.snapshot(self.instance) if self.instance.pk else None
        obj = super().save(commit=False)
        obj.name = self.names()
        manage_services.save(obj, before=before, actor=actor)
        return obj


class DataElementForm(DefinitionForm):
    class Meta:
        model = DataElement
        fields = ["code", "value_type", "aggregation_type", "dhis2_uid", "description"]
        labels = {
            "code": _("Code"),
            "value_type": _("Value type"),
            "aggregation_type": _("How values are combined"),
            "dhis2_uid": _("DHIS2 uid"),
            "description": _("Description"),
        }
        help_texts = {
            "aggregation_type": _("Summed over territories and periods (counts), or averaged."),
            "dhis2_uid": _(
                "Eleven characters, when the element also exists in a DHIS2 "
                "instance; used by the DHIS2 exchange."
            ),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_dhis2_uid(self) -> str:
        uid = (self.cleaned_data.get("dhis2_uid") or "").strip()
        if uid and (len(uid) != 11 or not uid.isalnum() or not uid[0].isalpha()):
            raise forms.ValidationError(
                _("A DHIS2 uid is 11 letters and digits, starting with a letter."), code="dhis2_uid"
            )
        return uid


class ElementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: DataElement) -> str:
        return f"{obj} ({obj.code})"


class IndicatorForm(DefinitionForm):
    numerator = ElementChoiceField(
        label=_("Numerator: the data element counted"),
        queryset=DataElement.objects.order_by("code"),
    )
    denominator = ElementChoiceField(
        label=_("Denominator element"),
        queryset=DataElement.objects.order_by("code"),
        required=False,
        help_text=_("Only when the denominator is another data element."),
    )

    class Meta:
        model = Indicator
        fields = ["code", "numerator", "denominator_kind", "denominator", "factor", "description"]
        labels = {
            "code": _("Code"),
            "denominator_kind": _("Divided by"),
            "factor": _("Multiplier"),
            "description": _("How it is computed"),
        }
        help_texts = {
            "denominator_kind": _(
                "The population of the territory and year (a rate), "
                "another data element (a ratio), or nothing (a count)."
            ),
            "factor": _(
                "e.g. 100000 for a rate per 100,000 inhabitants, 100 for a "
                "percentage, 1 for a count."
            ),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The model's integer column makes an IntegerField; form.fields only says Field.
        cast(forms.IntegerField, self.fields["factor"]).min_value = 1
        self.fields["factor"].widget.attrs["min"] = 1
        if self.code_fixed:
            # The code stays because the numerator's values exist; so does the numerator,
            # or the code would name a different count in links already shared.
            self.fields["numerator"].disabled = True
            self.fields["numerator"].help_text = _("Fixed with the code, since its values exist.")

    def clean_factor(self) -> int:
        factor = self.cleaned_data["factor"]
        if factor < 1:
            raise forms.ValidationError(_("The multiplier is at least 1."), code="factor")
        return factor

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        kind, denominator = cleaned.get("denominator_kind"), cleaned.get("denominator")
        if kind == DenominatorKind.ELEMENT:
            if denominator is None and "denominator" not in self.errors:
                self.add_error("denominator", _("Choose the data element to divide by."))
            elif denominator is not None and denominator == cleaned.get("numerator"):
                self.add_error("denominator", _("The denominator must differ from the numerator."))
        elif denominator is not None:
            self.add_error(
                "denominator",
                _("Leave it empty, or choose “Another data element” as what it is divided by."),
            )
        return cleaned
