"""The one definition of how published interventions are filtered and sorted.

The dashboard, the gap map, the exports and the API all read their query
string through ``InterventionFilterForm``, so a URL means the same thing
everywhere: ``/evidence/?country=CO&focus=policing`` shows the rows that
``/evidence/export.csv?country=CO&focus=policing`` and
``/api/v1/interventions/?country=CO&focus=policing`` return.

Rules: AND across fields, OR within a field. Several values are given as
repeated parameters (``focus=policing&focus=youth``) or separated by commas
(``focus=policing,youth``). A value that is not valid is a form error (a
message on the page, a 400 in the API), never a silently ignored filter.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from convivencia.evidence import geo
from convivencia.evidence.choices import (
    Design,
    Focus,
    ImplementerType,
    Population,
    Problem,
    Rating,
    Status,
    TagKind,
)
from convivencia.evidence.models import (
    YEAR_VALIDATORS,
    EvidenceRating,
    Intervention,
    InterventionQuerySet,
)
from convivencia.territories.models import Territory

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MIN_YEAR = YEAR_VALIDATORS[0].limit_value
MAX_YEAR = YEAR_VALIDATORS[1].limit_value

# Every sort ends with the primary key, so that pages never overlap or skip rows.
# Unknown years and budgets go last whichever way the column is sorted.
SORTS: dict[str, tuple[StrOrPromise, list[str | OrderBy]]] = {
    "-start_year": (
        _("Start year (newest first)"),
        [F("start_year").desc(nulls_last=True), "name", "pk"],
    ),
    "start_year": (
        _("Start year (oldest first)"),
        [F("start_year").asc(nulls_last=True), "name", "pk"],
    ),
    "name": (_("Name (A–Z)"), ["name", "pk"]),
    "-name": (_("Name (Z–A)"), ["-name", "-pk"]),
    "-budget_usd": (
        _("Budget (largest first)"),
        [F("budget_usd").desc(nulls_last=True), "name", "pk"],
    ),
    "budget_usd": (
        _("Budget (smallest first)"),
        [F("budget_usd").asc(nulls_last=True), "name", "pk"],
    ),
    "country_code": (_("Country (A–Z by code)"), ["country_code", "name", "pk"]),
    "-country_code": (_("Country (Z–A by code)"), ["-country_code", "name", "pk"]),
}
DEFAULT_SORT = "-start_year"


def choice_pairs(field: forms.ChoiceField) -> list[tuple[Any, Any]]:
    """A choice field's (value, label) pairs."""
    # Django turns whatever choices were given into pairs when they are set; the stubs
    # type the attribute as everything the setter accepts.
    return list(cast(Iterable[tuple[Any, Any]], field.choices))


class CodesField(forms.MultipleChoiceField):
    """Several codes from a vocabulary: repeated parameters, or separated by commas."""

    widget: type[forms.Widget] = forms.CheckboxSelectMultiple

    def to_python(self, value: Any) -> list[str]:
        codes: list[str] = []
        for item in super().to_python(value):
            for part in item.split(","):
                code = self.normalise(part.strip())
                if code and code not in codes:
                    codes.append(code)
        return codes

    def normalise(self, code: str) -> str:
        return code

    def prepare_value(self, value: Any) -> Any:
        # So that ?focus=policing,youth ticks both boxes on the page.
        if isinstance(value, list | tuple):
            return [self.normalise(part.strip()) for item in value for part in str(item).split(",")]
        return value


class CountryField(CodesField):
    """ISO 3166-1 alpha-2 codes. Any existing country is valid, listed or not."""

    widget = forms.SelectMultiple
    default_error_messages = {
        "invalid_choice": _("%(value)s is not an ISO 3166-1 alpha-2 country code (e.g. CO)."),
    }

    def normalise(self, code: str) -> str:
        return code.upper()

    def valid_value(self, value: str) -> bool:
        return geo.is_country_code(value)


class TerritoryField(forms.ModelChoiceField):
    default_error_messages = {
        "invalid_choice": _("No territory has this id."),
    }

    def label_from_instance(self, territory: Territory) -> str:
        return territory.name


class InterventionFilterForm(forms.Form):
    """What a visitor, an export or an API client may filter published interventions by."""

    q = forms.CharField(
        label=_("Name contains"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    country = CountryField(label=_("Country"), required=False)
    territory = TerritoryField(
        label=_("Within territory"),
        queryset=Territory.objects.all(),
        required=False,
        widget=forms.HiddenInput,
        help_text=_("A territory id: interventions in it or anywhere within it."),
    )
    focus = CodesField(label=_("Focus"), choices=Focus.choices, required=False)
    problem = CodesField(label=_("Problem addressed"), choices=Problem.choices, required=False)
    population = CodesField(
        label=_("Target population"), choices=Population.choices, required=False
    )
    outcome = CodesField(
        label=_("Evaluated outcome"),
        choices=Problem.choices,
        required=False,
        help_text=_("Interventions with an evidence rating for this outcome."),
    )
    rating = CodesField(
        label=_("Evidence rating"),
        choices=Rating.choices,
        required=False,
        help_text=_("For any outcome, or for the evaluated outcomes chosen."),
    )
    design = CodesField(label=_("Evaluation design"), choices=Design.choices, required=False)
    implementer_type = CodesField(
        label=_("Implementer type"), choices=ImplementerType.choices, required=False
    )
    year_from = forms.IntegerField(
        label=_("Active from (year)"), min_value=MIN_YEAR, max_value=MAX_YEAR, required=False
    )
    year_to = forms.IntegerField(
        label=_("Active until (year)"), min_value=MIN_YEAR, max_value=MAX_YEAR, required=False
    )
    budget_min = forms.DecimalField(
        label=_("Budget at least (USD)"),
        min_value=0,
        max_digits=16,
        decimal_places=2,
        required=False,
    )
    budget_max = forms.DecimalField(
        label=_("Budget at most (USD)"),
        min_value=0,
        max_digits=16,
        decimal_places=2,
        required=False,
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(key, label) for key, (label, _order) in SORTS.items()],
    )

    # Fields that narrow the set (``sort`` only orders it).
    FILTERS = (
        "q",
        "country",
        "territory",
        "focus",
        "problem",
        "population",
        "outcome",
        "rating",
        "design",
        "implementer_type",
        "year_from",
        "year_to",
        "budget_min",
        "budget_max",
    )

    def __init__(self, data: QueryDict | dict[str, Any] | None = None, **kwargs: Any) -> None:
        # Always bound: no parameters at all is a valid, empty filter.
        super().__init__(data if data is not None else {}, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        year_from, year_to = cleaned.get("year_from"), cleaned.get("year_to")
        if year_from is not None and year_to is not None and year_from > year_to:
            self.add_error("year_to", _("The last year must not be before the first."))
        low, high = cleaned.get("budget_min"), cleaned.get("budget_max")
        if low is not None and high is not None and low > high:
            self.add_error("budget_max", _("The maximum must not be below the minimum."))
        return cleaned

    # What the form does once valid.

    def filter(self, queryset: InterventionQuerySet | None = None) -> InterventionQuerySet:
        """The published interventions that match, unordered."""
        if not self.is_valid():
            raise ValueError("filter() needs a valid form")
        data = self.cleaned_data
        interventions = Intervention.objects.published() if queryset is None else queryset
        if data["q"]:
            interventions = interventions.filter(name__icontains=data["q"])
        if data["country"]:
            interventions = interventions.filter(country_code__in=data["country"])
        if data["territory"] is not None:
            interventions = interventions.filter(_within(data["territory"]))
        for kind in (TagKind.FOCUS, TagKind.PROBLEM, TagKind.POPULATION):
            if data[kind]:
                interventions = interventions.tagged(kind, data[kind])
        if data["outcome"]:
            interventions = interventions.filter(_rated_for(data["outcome"], data["rating"]))
        elif data["rating"]:
            interventions = interventions.rated(data["rating"])
        if data["design"]:
            interventions = interventions.with_design(data["design"])
        if data["implementer_type"]:
            interventions = interventions.filter(implementer_type__in=data["implementer_type"])
        if data["year_from"] is not None:
            interventions = interventions.filter(_active_since(data["year_from"]))
        if data["year_to"] is not None:
            interventions = interventions.filter(start_year__lte=data["year_to"])
        if data["budget_min"] is not None:
            interventions = interventions.filter(budget_usd__gte=data["budget_min"])
        if data["budget_max"] is not None:
            interventions = interventions.filter(budget_usd__lte=data["budget_max"])
        return interventions

    def sorted(self, queryset: QuerySet[Intervention]) -> QuerySet[Intervention]:
        return queryset.order_by(*SORTS[self.sort_key][1])

    def results(self) -> QuerySet[Intervention]:
        """Filtered and sorted: what a table or an export lists."""
        return self.sorted(self.filter())

    def choice_groups(self) -> list[forms.BoundField]:
        """The vocabularies shown as groups of checkboxes."""
        names = (
            "focus",
            "problem",
            "population",
            "outcome",
            "rating",
            "design",
            "implementer_type",
        )
        return [self[name] for name in names]

    @property
    def sort_key(self) -> str:
        data = getattr(self, "cleaned_data", {})
        return data.get("sort") or DEFAULT_SORT

    @property
    def is_filtered(self) -> bool:
        """Whether any filter narrows the published set (what the cleaned values say:
        ``?focus=policing&focus=`` narrows it although its last value is empty)."""
        if self.is_valid():
            return any(self.cleaned_data[name] not in (None, "", []) for name in self.FILTERS)
        return any(self.data.get(name) not in (None, "", []) for name in self.FILTERS)

    def errors_as_details(self) -> list[dict[str, Any]]:
        """Form errors as API error ``details`` (``loc`` names the query parameter)."""
        details: list[dict[str, Any]] = []
        for field, messages in self.errors.items():
            loc = ["query", field] if field != NON_FIELD_ERRORS else ["query"]
            details.extend({"loc": loc, "message": str(message)} for message in messages)
        return details

    def chips(self, query: QueryDict) -> list[dict[str, str]]:
        """Each value in force, labelled, with the link that removes just that value."""
        if not self.is_valid():
            return []
        chips: list[dict[str, str]] = []

        def without(name: str, remaining: list[str]) -> str:
            link = query.copy()
            link.pop("page", None)
            if remaining:
                link.setlist(name, remaining)
            else:
                link.pop(name, None)
            return f"?{link.urlencode()}"

        for name in self.FILTERS:
            field, value = self.fields[name], self.cleaned_data[name]
            if value in (None, "", []):
                continue
            if isinstance(field, CodesField):
                labels = dict(choice_pairs(field))
                for code in value:
                    if isinstance(field, CountryField):
                        label = f"{field.label}: {geo.country_name(code)}"
                    else:
                        label = f"{field.label}: {labels.get(code, code)}"
                    remaining = [other for other in value if other != code]
                    chips.append({"label": label, "url": without(name, remaining)})
            elif isinstance(field, TerritoryField):
                chips.append({"label": f"{field.label}: {value.name}", "url": without(name, [])})
            else:
                shown = self.data.get(name)
                chips.append({"label": f"{field.label}: {shown}", "url": without(name, [])})
        return chips


def _within(territory: Territory) -> Q:
    """Tagged with the territory or one below it; or, for a country, located in it."""
    through = Intervention.territories.through
    tagged = Exists(
        through.objects.filter(
            intervention_id=OuterRef("pk"), territory__path__startswith=territory.path
        )
    )
    return Q(tagged) | Q(country=territory)


def _rated_for(outcomes: list[str], ratings: list[str]) -> Q:
    """Has a rating for one of ``outcomes`` (one of ``ratings``, when given)."""
    wanted = EvidenceRating.objects.filter(outcome__in=outcomes)
    if ratings:
        wanted = wanted.filter(value__in=ratings)
    return Q(pk__in=wanted.values("intervention_id"))


def _active_since(year: int) -> Q:
    """Still running in ``year``: ended then or later, or no end year and ongoing or started."""
    return (
        Q(end_year__gte=year)
        | Q(end_year__isnull=True, start_year__gte=year)
        | Q(end_year__isnull=True, start_year__isnull=False, status=Status.ONGOING)
    )
