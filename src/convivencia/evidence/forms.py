"""Forms of the curation pages: interventions, their sources, evaluations and ratings.

Forms only check and collect; saving goes through ``evidence.services`` so that
every change is validated the same way and written to the audit log.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet, BaseInlineFormSet, formset_factory, inlineformset_factory
from django.forms.formsets import DELETION_FIELD_NAME
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from convivencia.core.limits import check_upload_size
from convivencia.evidence import services
from convivencia.evidence.choices import (
    Focus,
    Population,
    Problem,
    Rating,
    TagKind,
)
from convivencia.evidence.importers import interventions as importer
from convivencia.evidence.models import Evaluation, ExternalRating, Intervention, Outcome
from convivencia.territories.choices import Scheme
from convivencia.territories.models import Territory

LANGUAGE_NAMES = dict(settings.LANGUAGES)
TAG_FIELDS = {"focus": TagKind.FOCUS, "problem": TagKind.PROBLEM, "population": TagKind.POPULATION}


class CountryChoiceField(forms.ModelChoiceField):
    """Countries of the territory tree, shown with their ISO 3166 alpha-2 code."""

    def __init__(self, **kwargs: Any) -> None:
        queryset = (
            Territory.objects.countries()
            .filter(codes__scheme=Scheme.ISO)
            .prefetch_related("codes")
            .order_by("name")
            .distinct()
        )
        super().__init__(queryset=queryset, **kwargs)

    def label_from_instance(self, obj: Territory) -> str:
        return f"{obj.name} ({obj.code(Scheme.ISO)})"


def _currency(value: str) -> str:
    try:
        return importer.parse_currency(value)
    except ValueError as exc:
        raise ValidationError(
            _("“%(value)s” is not an ISO 4217 currency code (e.g. COP, USD, EUR)."),
            code="unknown_currency",
            params={"value": value},
        ) from exc


class InterventionForm(forms.ModelForm):
    """An intervention's own fields, its tags and territories; sources come in a formset."""

    name_es = forms.CharField(label=_("Name in Spanish"), max_length=300, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=300, required=False)
    name_pt = forms.CharField(label=_("Name in Portuguese"), max_length=300, required=False)
    summary_es = forms.CharField(
        label=_("Summary in Spanish"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    summary_en = forms.CharField(
        label=_("Summary in English"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    summary_pt = forms.CharField(
        label=_("Summary in Portuguese"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    country = CountryChoiceField(
        label=_("Country"),
        required=False,
        empty_label=_("— several countries —"),
        help_text=_("Leave empty for a multi-country intervention."),
    )
    territories = forms.CharField(
        label=_("Territories"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text=_(
            "Codes such as divipola:19001 or names such as Popayán, separated by “;”. "
            "Any level: regions, municipalities, localities."
        ),
    )
    focus = forms.MultipleChoiceField(
        label=_("Focus"),
        choices=Focus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    problem = forms.MultipleChoiceField(
        label=_("Problems addressed"),
        choices=Problem.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    population = forms.MultipleChoiceField(
        label=_("Target population"),
        choices=Population.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    budget_amount = forms.DecimalField(
        label=_("Budget"),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        error_messages={"min_value": _("A budget cannot be negative.")},
        help_text=_("In the currency it was decided in; it is converted to US dollars."),
    )
    budget_currency = forms.CharField(
        label=_("Currency"),
        required=False,
        max_length=3,
        widget=forms.TextInput(attrs={"list": "currency-codes", "autocomplete": "off", "size": 5}),
        help_text=_("ISO 4217 code: COP, MXN, BRL, USD…"),
    )

    class Meta:
        model = Intervention
        fields = [
            "name",
            "name_language",
            "summary",
            "country",
            "scale",
            "prevention_level",
            "implementer_name",
            "implementer_type",
            "funder_name",
            "funder_type",
            "start_year",
            "end_year",
            "status",
            "budget_amount",
            "budget_currency",
            "budget_year",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.resolved_territories: list[Territory] = []
        instance = self.instance
        for code in LANGUAGE_NAMES:
            self.fields[f"name_{code}"].initial = instance.name_translations.get(code, "")
            self.fields[f"summary_{code}"].initial = instance.summary_translations.get(code, "")
        if instance.pk:
            for field_name, kind in TAG_FIELDS.items():
                self.fields[field_name].initial = instance.codes(kind)
            self.fields["territories"].initial = "; ".join(
                importer.territory_token(territory)
                for territory in instance.territories.prefetch_related("codes")
            )
        self.order_fields(
            [
                "name",
                "name_language",
                "name_es",
                "name_en",
                "name_pt",
                "summary",
                "summary_es",
                "summary_en",
                "summary_pt",
                "country",
                "territories",
                "scale",
                "focus",
                "problem",
                "population",
                "prevention_level",
            ]
        )

    def clean_budget_currency(self) -> str:
        value = self.cleaned_data.get("budget_currency", "").strip()
        return _currency(value) if value else ""

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("start_year"), cleaned.get("end_year")
        if start and end and end < start:
            self.add_error("end_year", _("The end year cannot be before the start year."))
        if cleaned.get("budget_amount") is not None:
            if not cleaned.get("budget_currency") and "budget_currency" not in self.errors:
                self.add_error("budget_currency", _("Give the currency of the budget."))
            if not cleaned.get("budget_year") and "budget_year" not in self.errors:
                self.add_error("budget_year", _("Give the year the budget amount is expressed in."))
        self._clean_translations(cleaned)
        self._clean_territories(cleaned)
        return cleaned

    def _clean_translations(self, cleaned: dict[str, Any]) -> None:
        language = cleaned.get("name_language")
        own = cleaned.get(f"name_{language}")
        if own and own.strip() != (cleaned.get("name") or "").strip():
            self.add_error(
                f"name_{language}",
                _(
                    "The name is already in this language: change the name itself, "
                    "or leave this empty."
                ),
            )

    def _clean_territories(self, cleaned: dict[str, Any]) -> None:
        country = cleaned.get("country")
        alpha2 = (country.code(Scheme.ISO) or "") if country else ""
        found, errors = importer.TerritoryResolver().resolve_all(
            cleaned.get("territories") or "", alpha2
        )
        for message in errors:
            self.add_error("territories", capfirst(message))
        self.resolved_territories = found

    def translations(self, base: str) -> dict[str, str]:
        """{language: text} for the other languages, e.g. for name_translations."""
        language = self.cleaned_data.get("name_language")
        return {
            code: text.strip()
            for code in LANGUAGE_NAMES
            if code != language
            and (text := self.cleaned_data.get(f"{base}_{code}") or "")
            and text.strip()
        }

    def tags(self) -> dict[str, list[str]]:
        return {kind: list(self.cleaned_data.get(name) or []) for name, kind in TAG_FIELDS.items()}

    def save_with(self, *, sources: list[dict[str, str]], actor) -> Intervention:
        """Save through services.save_intervention (validation, history)."""
        intervention = super().save(commit=False)
        intervention.name_translations = self.translations("name")
        intervention.summary_translations = self.translations("summary")
        return services.save_intervention(
            intervention,
            tags=self.tags(),
            territories=self.resolved_territories,
            sources=sources,
            actor=actor,
        )


class SourceForm(forms.Form):
    citation = forms.CharField(label=_("Citation"), max_length=500, required=False)
    url = forms.URLField(label=_("Link"), max_length=500, required=False, assume_scheme="https")

    def source(self) -> dict[str, str] | None:
        data = getattr(self, "cleaned_data", None) or {}
        citation, url = data.get("citation", "").strip(), data.get("url", "").strip()
        return {"citation": citation, "url": url} if citation or url else None


class BaseSourceFormSet(BaseFormSet):
    """Sources of an intervention. A draft may have none; a submission needs one."""

    require_one = False

    def clean(self) -> None:
        if any(self.errors):
            return
        if self.require_one and not self.sources():
            raise ValidationError(
                _("Add at least one source (a link or a citation) before submitting for review."),
                code="no_source",
            )

    def sources(self) -> list[dict[str, str]]:
        return [source for form in self.forms if (source := form.source())]


SourceFormSet = formset_factory(SourceForm, formset=BaseSourceFormSet, extra=2, max_num=50)


def source_formset(
    data: Any = None, intervention: Intervention | None = None, *, require_one: bool = False
) -> BaseSourceFormSet:
    initial = []
    if intervention is not None and intervention.pk:
        initial = [{"citation": s.citation, "url": s.url} for s in intervention.sources.all()]
    # formset_factory builds a subclass of the formset= class; its stub says BaseFormSet.
    formset = cast(BaseSourceFormSet, SourceFormSet(data, initial=initial, prefix="sources"))
    formset.require_one = require_one
    return formset


class EvaluationForm(forms.ModelForm):
    url = forms.URLField(label=_("Link"), max_length=500, required=False, assume_scheme="https")
    country = CountryChoiceField(
        label=_("Country of the study"),
        required=False,
        empty_label=_("— unknown —"),
        help_text=_("Where the study took place: it says whether the evidence is local."),
    )

    class Meta:
        model = Evaluation
        fields = ["citation", "url", "doi", "year", "design", "sms_level", "independent", "country"]


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ["outcome", "direction", "effect_size", "effect_measure"]


class BaseOutcomeFormSet(BaseInlineFormSet):
    """What an evaluation found: at least one outcome, each outcome once."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get(DELETION_FIELD_NAME, False)
        ]
        if not kept:
            raise ValidationError(
                _(
                    "Record at least one outcome: what the study measured and the direction "
                    "of the effect."
                ),
                code="no_outcome",
            )
        seen: set[str] = set()
        for form in kept:
            outcome = form.cleaned_data["outcome"]
            if outcome in seen:
                form.add_error("outcome", _("This outcome is already recorded above."))
            seen.add(outcome)


OutcomeFormSet = inlineformset_factory(
    Evaluation,
    Outcome,
    form=OutcomeForm,
    formset=BaseOutcomeFormSet,
    extra=3,
    can_delete=True,
    max_num=len(Problem.values),
    validate_max=True,
)


class ExternalRatingForm(forms.ModelForm):
    url = forms.URLField(label=_("Link"), max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = ExternalRating
        fields = ["source", "label", "outcome", "url"]
        help_texts = {"label": _("Exactly as the clearinghouse writes it, e.g. “Promising”.")}


class RatingOverrideForm(forms.Form):
    """A reviewer's rating for one outcome; empty goes back to the rule's rating."""

    rating = forms.ChoiceField(
        label=_("Reviewer's rating"),
        required=False,
        choices=[("", _("— the rule's rating —")), *Rating.choices],
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you rate it differently from the rule. It is public."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("rating") and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Say why you rate it differently from the rule."))
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        validators=[check_upload_size],
        help_text=_("CSV (UTF-8 or Latin-1, comma or semicolon), .xlsx or .xls."),
    )
    publish = forms.BooleanField(
        label=_("Publish the rows (trusted source)"),
        required=False,
        help_text=_(
            "Administrators only. The rows are reviewed and published in your name, "
            "without another person's review."
        ),
    )

    def __init__(self, *args: Any, may_publish: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_publish:
            del self.fields["publish"]
