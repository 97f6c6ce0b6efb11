"""Forms of the management pages: data elements and indicators.

Names are stored as {"es": …, "en": …, "pt": …}; the forms show one field per language
(Spanish required: it is the users' language and what other languages fall back to).
Saving goes through ``manage_services`` (audit log, the explorer's data version).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator, validate_slug
from django.http import (
    QueryDict,
)
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from convivencia.core.forms import choice_field
from convivencia.core.limits import check_upload_size
from convivencia.core.text import fold
from convivencia.indicators import caching, explorer, importers
from convivencia.indicators import services as manage_services
from convivencia.indicators.choices import (
    AgeGroup,
    DenominatorKind,
    Dhis2Kind,
    PeriodType,
    Sex,
    Source,
    id_scheme,
)
from convivencia.indicators.importers.common import Options
from convivencia.indicators.models import DataElement, Dhis2Mapping, Indicator
from convivencia.indicators.periods import parse
from convivencia.indicators.presets import ELEMENTS
from convivencia.territories.choices import Level, Scheme
from convivencia.territories.models import Territory, TerritoryCode

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

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


def _element_choices() -> list[tuple[str, StrOrPromise]]:
    codes = set(ELEMENTS) | set(DataElement.objects.values_list("code", flat=True))
    choices = [(code, code) for code in sorted(codes)]
    return [("", gettext_lazy("The format's default (homicides)")), *choices]


class ImportForm(forms.Form):
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[(key, entry.label) for key, entry in importers.FORMATS.items()],
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        validators=[check_upload_size],
        help_text=gettext_lazy("As published: .xls, .xlsx, CSV (UTF-8 or Latin-1) or JSON."),
    )
    element = forms.ChoiceField(
        label=gettext_lazy("Data element"),
        required=False,
        help_text=gettext_lazy("For files of one crime (Policía, SESNSP)."),
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Source"),
        required=False,
        choices=[("", gettext_lazy("The format's default")), *Source.choices],
        help_text=gettext_lazy("Required for DHIS2 files; a tidy table may give it per row."),
    )
    through = forms.RegexField(
        label=gettext_lazy("Figures run through (month)"),
        required=False,
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2025-06"}),
        help_text=gettext_lazy("SESNSP: the last month the file covers, e.g. 2025-06."),
        error_messages={"invalid": gettext_lazy("Give a month as YYYY-MM.")},
    )
    org_unit_scheme = forms.ChoiceField(
        label=gettext_lazy("Organisation unit codes"),
        required=False,
        choices=[("", gettext_lazy("DHIS2 uids")), *Scheme.choices],
        help_text=gettext_lazy("DHIS2: the scheme of the orgUnit codes."),
    )
    dataset = forms.CharField(
        label=gettext_lazy("Dataset"),
        required=False,
        max_length=120,
        help_text=gettext_lazy(
            "Leave empty to use the format's name for it. A file of an existing dataset "
            "replaces its values."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "element").choices = _element_choices()

    def options(self) -> Options:
        data = self.cleaned_data
        return Options(
            source=data.get("source") or None,
            element=data.get("element") or None,
            dataset=(data.get("dataset") or "").strip() or None,
            org_unit_scheme=data.get("org_unit_scheme") or None,
            through=data.get("through") or None,
        )


class ExplorerForm(forms.Form):
    indicator = forms.ChoiceField(label=gettext_lazy("Indicator"))
    parent = forms.TypedChoiceField(label=gettext_lazy("Territories within"), coerce=int)
    type = forms.ChoiceField(
        label=gettext_lazy("Periods"),
        choices=[(kind.value, kind.label) for kind in explorer.PERIOD_TYPES],
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Source"),
        required=False,
        choices=[("", gettext_lazy("First available")), *Source.choices],
        help_text=gettext_lazy("Sources are never mixed: one source for the whole table."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: the range's fields cannot be declared above.
        self.fields["from"] = forms.CharField(label=_("From"), max_length=12)
        self.fields["to"] = forms.CharField(label=_("To"), max_length=12)
        self.indicators = {
            indicator.code: indicator
            for indicator in Indicator.objects.select_related("numerator").order_by("code")
        }
        choice_field(self, "indicator").choices = [
            (code, str(indicator)) for code, indicator in self.indicators.items()
        ]
        # Every country and region with their codes and names, ~300 rows read and sorted
        # twice per visit to the explorer (its redirect, then the page): kept until the
        # territories change.
        self.parents, choice_field(self, "parent").choices = caching.cached(
            "explorer-parents", (), _parents
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        period_type = cleaned.get("type")
        ends = {}
        for name in ("from", "to"):
            text = cleaned.get(name)
            if text is None or period_type is None:
                continue
            try:
                period = parse(text)
            except ValueError:
                self.add_error(
                    name,
                    _("%(text)s is not a period. %(hint)s.")
                    % {"text": text, "hint": PERIOD_HINTS[period_type]},
                )
                continue
            # Another granularity is converted, not refused: "2024" as months starts
            # at 2024-01 and ends at 2024-12. The view then shows the converted URL.
            day = period.start if name == "from" else period.end
            ends[name] = explorer.containing(day, period_type)
        if len(ends) == 2:
            if ends["from"].start > ends["to"].start:
                self.add_error("to", _("The range ends before it starts."))
            else:
                try:
                    cleaned["periods"] = explorer.periods_between(ends["from"], ends["to"])
                except ValueError:
                    self.add_error(
                        "to",
                        _("At most %(n)s periods can be shown at once.")
                        % {"n": explorer.MAX_PERIODS},
                    )
        cleaned.update({f"{name}_period": period for name, period in ends.items()})
        return cleaned

    def canonical(self) -> QueryDict:
        """The query string of the cleaned selection: the URL to share."""
        query = QueryDict(mutable=True)
        query["indicator"] = self.cleaned_data["indicator"]
        query["parent"] = str(self.cleaned_data["parent"])
        query["type"] = self.cleaned_data["type"]
        query["from"] = self.cleaned_data["from_period"].code
        query["to"] = self.cleaned_data["to_period"].code
        if self.cleaned_data["source"]:
            query["source"] = self.cleaned_data["source"]
        return query


def _parents() -> tuple[dict[int, Territory], list[Any]]:
    """(countries and regions by id, the parent field's choices in the active language)."""
    parents = {
        territory.pk: territory
        for territory in Territory.objects.filter(level__lte=Level.REGION)
        .prefetch_related("codes")
        .order_by("level", "name")
    }
    return parents, _parent_choices(parents.values())


def _parent_choices(territories: Any) -> list[Any]:
    """Countries, each followed by its regions, grouped under the country's name."""
    countries = sorted(
        (territory for territory in territories if territory.level == Level.COUNTRY),
        key=lambda country: fold(country.label),  # in the reader's language
    )
    regions: dict[int, list[Territory]] = {}
    for territory in territories:
        if territory.level == Level.REGION:
            regions.setdefault(territory.parent_id, []).append(territory)
    choices: list[Any] = []
    for country in countries:
        options = [(country.pk, _("%(country)s (whole country)") % {"country": country.label})]
        options += [(region.pk, region.name) for region in regions.get(country.pk, [])]
        choices.append((country.label, options))
    return choices


PERIOD_HINTS = {
    PeriodType.YEAR: gettext_lazy("A year: 2024"),
    PeriodType.QUARTER: gettext_lazy("A quarter: 2024Q1"),
    PeriodType.MONTH: gettext_lazy("A month: 2024-03"),
}


# --- the DHIS2 mapping table ---------------------------------------------------------------------

# Territory code schemes, national ones first: an edited org unit row shows its territory by
# the first of these it has a code in.
TERRITORY_SCHEMES = [Scheme.DIVIPOLA, Scheme.INEGI, Scheme.IBGE, Scheme.ISO, Scheme.DHIS2]


class Dhis2MappingForm(forms.ModelForm):
    """One row of the DHIS2 mapping table, of one kind (fixed by the page): the file's
    identifier under its id scheme, and what it means here — a data element, a territory
    (named by its code in one of our schemes), or a sex and age group."""

    element = ElementChoiceField(
        label=gettext_lazy("Data element here"),
        queryset=DataElement.objects.order_by("code"),
        required=False,
    )
    territory_scheme = forms.ChoiceField(
        label=gettext_lazy("Territory code scheme"),
        choices=[(scheme.value, scheme.label) for scheme in TERRITORY_SCHEMES],
        required=False,
    )
    territory_code = forms.CharField(
        label=gettext_lazy("Territory code"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("The territory this organisation unit is, e.g. DIVIPOLA 19001."),
    )

    class Meta:
        model = Dhis2Mapping
        fields = ["scheme", "identifier", "element", "sex", "age_group"]
        labels = {
            "scheme": _("Id scheme in the file"),
            "identifier": _("Identifier in the file"),
            "sex": _("Sex"),
            "age_group": _("Age group"),
        }
        help_texts = {
            "scheme": _(
                "UID, CODE, NAME or ATTRIBUTE:<attribute uid>: the scheme the file declares "
                "for this kind of identifier (dataElementIdScheme, orgUnitIdScheme, "
                "categoryOptionComboIdScheme, else idScheme; UID when it declares none)."
            ),
            "identifier": _("Exactly as written in the file."),
        }

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.kind = kind
        self.kind = kind
        scheme = self.fields["scheme"]
        scheme.widget = forms.TextInput(attrs={"list": "dhis2-id-schemes", "autocomplete": "off"})
        choice_field(self, "sex").choices = [("", _("Not disaggregated by sex")), *Sex.choices]
        choice_field(self, "age_group").choices = [
            ("", _("Not disaggregated by age")),
            *AgeGroup.choices,
        ]
        wanted = {
            Dhis2Kind.DATA_ELEMENT: ["element"],
            Dhis2Kind.ORG_UNIT: ["territory_scheme", "territory_code"],
            Dhis2Kind.CATEGORY_OPTION_COMBO: ["sex", "age_group"],
        }[Dhis2Kind(kind)]
        for name in ["element", "territory_scheme", "territory_code", "sex", "age_group"]:
            if name not in wanted:
                del self.fields[name]
        if kind == Dhis2Kind.DATA_ELEMENT:
            self.fields["element"].required = True
        if kind == Dhis2Kind.ORG_UNIT:
            self.fields["territory_scheme"].required = True
            self.fields["territory_code"].required = True
            territory = self.instance.territory if self.instance.territory_id else None
            if territory is not None:
                codes = {code.scheme: code.code for code in territory.codes.all()}
                for known in TERRITORY_SCHEMES:
                    if known in codes:
                        self.initial.setdefault("territory_scheme", known.value)
                        self.initial.setdefault("territory_code", codes[known])
                        break

    def clean_scheme(self) -> str:
        try:
            return id_scheme(self.cleaned_data.get("scheme") or "")
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="scheme") from exc

    def clean_identifier(self) -> str:
        return (self.cleaned_data.get("identifier") or "").strip()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.kind == Dhis2Kind.ORG_UNIT:
            scheme, code = cleaned.get("territory_scheme"), (cleaned.get("territory_code") or "")
            code = code.strip()
            if scheme and code:
                found = TerritoryCode.objects.filter(
                    scheme=scheme, code=code.upper() if scheme == Scheme.ISO else code
                ).first()
                if found is None:
                    self.add_error(
                        "territory_code",
                        _("No territory has the %(scheme)s code “%(code)s”.")
                        % {"scheme": Scheme(scheme).label, "code": code},
                    )
                else:
                    self.instance.territory_id = found.territory_id
        scheme, identifier = cleaned.get("scheme"), cleaned.get("identifier")
        if scheme and identifier:
            probe = Dhis2Mapping(
                pk=self.instance.pk, kind=self.kind, scheme=scheme, identifier=identifier
            )
            existing = manage_services.duplicate_mapping(probe)
            if existing is not None:
                self.add_error(
                    "identifier",
                    _(
                        "%(scheme)s “%(identifier)s” is already in the mapping table, as "
                        "%(target)s: edit that row instead."
                    )
                    % {
                        "scheme": scheme,
                        "identifier": identifier,
                        "target": manage_services.mapping_target(existing),
                    },
                )
        return cleaned

    def _update_errors(self, errors: forms.ValidationError) -> None:
        # The model asks for a territory; this form asks for its code, which says already
        # when no territory has it.
        if hasattr(errors, "error_dict") and "territory" in errors.error_dict:
            messages = errors.error_dict.pop("territory")
            if "territory_code" not in self.errors:
                errors.error_dict["territory_code"] = messages
        super()._update_errors(errors)  # type: ignore[misc]  # ModelForm's, not in the stubs

    def validate_unique(self) -> None:
        # ``clean`` says which row holds the identifier; the constraint's own generic
        # message would repeat it in other words.
        if "identifier" not in self.errors:
            super().validate_unique()

    def save_with(self, *, actor) -> Dhis2Mapping:
        """Save through ``manage_services.save_mapping`` (audited)."""
        before = None
        if self.instance.pk is not None:
            before = manage_services.mapping_snapshot(Dhis2Mapping.objects.get(pk=self.instance.pk))
        mapping = super().save(commit=False)
        manage_services.save_mapping(mapping, before=before, actor=actor)
        return mapping
