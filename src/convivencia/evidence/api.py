"""/api/v1/interventions/: the published evidence registry.

The filters are the dashboard's (``InterventionFilterForm``): the same query
string gives the same rows on the page, in the exports and here. Each result
carries every field of the exports (``exports.COLUMNS``).
"""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError
from ninja.pagination import paginate
from pydantic import create_model

from convivencia.api.errors import ApiError, ErrorBody
from convivencia.api.pagination import PageNumberPagination
from convivencia.evidence import exports
from convivencia.evidence.filters import (
    CodesField,
    CountryField,
    InterventionFilterForm,
    choice_pairs,
)
from convivencia.evidence.models import Evaluation, Intervention, Outcome
from convivencia.territories.models import Territory

router = Router(tags=["evidence"])

PAGINATION_PARAMETERS = {"page", "page_size"}


def _describe(field: forms.Field) -> str:
    parts = [str(field.label) + "."]
    if field.help_text:
        parts.append(str(field.help_text))
    if isinstance(field, CodesField):
        parts.append("Several values: repeat the parameter or separate them with commas.")
    # Fixed vocabularies only: territories and countries are looked up, not listed.
    if isinstance(field, CodesField | forms.ChoiceField) and not isinstance(
        field, CountryField | forms.ModelChoiceField
    ):
        codes = ", ".join(f"`{value}`" for value, _label in choice_pairs(field))
        parts.append(f"One of: {codes}.")
    return " ".join(parts)


def _filters_schema() -> type[Schema]:
    """The query parameters, documented from the form (which alone validates them)."""
    fields: dict[str, Any] = {}
    with translation.override("en"):
        for name, field in InterventionFilterForm.base_fields.items():
            many = isinstance(field, forms.MultipleChoiceField)
            annotation = list[str] | None if many else str | None
            fields[name] = (annotation, Field(None, description=_describe(field)))
    return create_model("InterventionFilters", __base__=Schema, **fields)


InterventionFilters = _filters_schema()
_export_fields: dict[str, Any] = {
    column.name: (column.type, Field(description=column.description)) for column in exports.COLUMNS
}
InterventionOut = create_model("InterventionOut", __base__=Schema, **_export_fields)


class OutcomeOut(Schema):
    outcome: str
    direction: str
    effect_size: float | None
    effect_measure: str


class EvaluationOut(Schema):
    citation: str
    url: str
    doi: str
    year: int
    design: str
    sms_level: int = Field(description="Maryland Scientific Methods Scale, 1 to 5.")
    independent: bool
    country: str | None = Field(description="ISO 3166-1 alpha-2 of the study's country.")
    outcomes: list[OutcomeOut]


class RatingOut(Schema):
    outcome: str
    rating: str = Field(description="The rating in force: the reviewer's if any, else computed.")
    computed: str = Field(description="What the documented rule gives.")
    override: str = Field(description="The reviewer's rating (empty: none).")
    override_reason: str
    best_sms: int | None
    studies: int
    independent_studies: int
    context: str = Field(description="Where the evidence comes from.")
    explanation: str


class ExternalRatingOut(Schema):
    source: str
    label: str = Field(description="Their rating, in their words.")
    url: str
    outcome: str
    mapped_rating: str | None = Field(description="Where their label sits on our scale.")


# InterventionOut is built from the export columns at import, hence no static type.
class InterventionDetailOut(InterventionOut):  # type: ignore[misc, valid-type]
    evaluations: list[EvaluationOut]
    ratings: list[RatingOut]
    external_ratings: list[ExternalRatingOut]


class InterventionPagination(PageNumberPagination):
    """The project's pagination, each intervention turned into its export row."""

    def paginate_queryset(
        self,
        queryset: QuerySet[Any] | Sequence[Any],
        pagination: Any,
        request: HttpRequest,
        **params: Any,
    ) -> dict[str, Any]:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        url_for = exports.detail_url_maker(request.build_absolute_uri)
        page["results"] = exports.rows_for(page["results"], url_for)
        return page


def _valid_form(request: HttpRequest) -> InterventionFilterForm:
    known = set(InterventionFilterForm.base_fields) | PAGINATION_PARAMETERS
    errors = [
        {"loc": ("query", name), "msg": _("Unknown parameter."), "type": "value_error"}
        for name in request.GET
        if name not in known
    ]
    form = InterventionFilterForm(request.GET)
    if not form.is_valid():
        errors += [
            {"loc": tuple(detail["loc"]), "msg": detail["message"], "type": "value_error"}
            for detail in form.errors_as_details()
        ]
    if errors:
        raise ValidationError(errors)
    return form


@router.get(
    # InterventionOut is built from the export columns at import, hence no static type.
    "/",
    response={200: list[InterventionOut], 400: ErrorBody, 401: ErrorBody},  # type: ignore[valid-type]
    url_name="intervention-list",
    summary="List and filter published interventions",
)
@paginate(InterventionPagination)
def list_interventions(
    # InterventionFilters is built from the filter form at import, hence no static type.
    request: HttpRequest,
    filters: Query[InterventionFilters],  # type: ignore[valid-type]
) -> QuerySet[Intervention]:
    """Published interventions matching every filter given (AND across parameters, OR
    within one), e.g. `?country=CO&focus=policing,youth&rating=effective`.

    The same query string filters the dashboard at `/evidence/` and its CSV, XLSX
    and JSON exports.
    """
    return _valid_form(request).results()


@router.get(
    "/{int:intervention_id}/",
    response={200: InterventionDetailOut, 401: ErrorBody, 404: ErrorBody},
    url_name="intervention-detail",
    summary="One published intervention with its evidence",
)
def get_intervention(request: HttpRequest, intervention_id: int) -> dict[str, Any]:
    """Every field of the list, plus its evaluations (with their outcomes), the evidence
    rating per outcome and the ratings given by other clearinghouses."""
    queryset = (
        Intervention.objects.published()
        .filter(pk=intervention_id)
        .prefetch_related(
            "external_ratings",
            Prefetch(
                "evaluations",
                queryset=Evaluation.objects.prefetch_related(
                    Prefetch("country", queryset=Territory.objects.prefetch_related("codes")),
                    Prefetch("outcomes", queryset=Outcome.objects.order_by("outcome")),
                ).order_by("-year", "citation"),
            ),
        )
    )
    intervention = queryset.first()
    if intervention is None:
        raise ApiError(
            404, _("No published intervention has the id %(id)d.") % {"id": intervention_id}
        )
    url_for = exports.detail_url_maker(request.build_absolute_uri)
    return {
        **exports.rows_for([intervention], url_for)[0],
        "evaluations": [_evaluation(e) for e in intervention.evaluations.all()],
        "ratings": [
            {
                "outcome": r.outcome,
                "rating": r.value,
                "computed": r.computed,
                "override": r.override,
                "override_reason": r.override_reason,
                "best_sms": r.best_sms,
                "studies": r.studies,
                "independent_studies": r.independent_studies,
                "context": r.context,
                "explanation": r.explanation,
            }
            for r in intervention.ratings.order_by("outcome")
        ],
        "external_ratings": [
            {
                "source": x.source,
                "label": x.label,
                "url": x.url,
                "outcome": x.outcome,
                "mapped_rating": x.mapped_rating,
            }
            for x in intervention.external_ratings.all()
        ],
    }


def _evaluation(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "citation": evaluation.citation,
        "url": evaluation.url,
        "doi": evaluation.doi,
        "year": evaluation.year,
        "design": evaluation.design,
        "sms_level": evaluation.sms_level,
        "independent": evaluation.independent,
        "country": evaluation.country.code("iso") if evaluation.country else None,
        "outcomes": [
            {
                "outcome": o.outcome,
                "direction": o.direction,
                "effect_size": o.effect_size,
                "effect_measure": o.effect_measure,
            }
            for o in evaluation.outcomes.all()
        ],
    }
