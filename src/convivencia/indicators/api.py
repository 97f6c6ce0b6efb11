"""/api/v1/indicators/: the indicator catalogue and reproducible values.

Crime indicators are official statistics: both endpoints answer anonymous
callers. Each value carries what is needed to check it: numerator,
denominator, population source and year, interval, warnings and a sentence
saying how it was computed (``rates.compute``, the one way rates are computed).
"""

# No `from __future__ import annotations` here: ninja reads the endpoint
# signatures at import time and cannot resolve string annotations such as Query[...].
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from convivencia.api.errors import ApiError, ErrorBody, invalid
from convivencia.api.pagination import PageNumberPagination
from convivencia.indicators import rates
from convivencia.indicators.choices import DenominatorKind, Source
from convivencia.indicators.models import Indicator
from convivencia.indicators.periods import parse
from convivencia.territories.choices import Scheme
from convivencia.territories.models import Territory

router = Router(tags=["indicators"])

VALUE_EXAMPLE = {
    "indicator": "homicide_rate",
    "territory": {"id": 12, "name": "Popayán", "scheme": "divipola", "code": "19001"},
    "period": "2024",
    "source": "police",
    "value": 21.87,
    "numerator": 75.0,
    "denominator": 343000.0,
    "ci_low": 17.2,
    "ci_high": 27.41,
    "population_source": "DANE projections (CNPV 2018)",
    "population_year": 2024,
    "warnings": [],
    "method": "75 homicides (police, 1 territories with data) / 343,000 inhabitants "
    "(DANE projections (CNPV 2018), 2024) × 100,000; exact Poisson 95% interval.",
}


class IndicatorOut(Schema):
    code: str = Field(examples=["homicide_rate"])
    name: str = Field(
        description="In the language of the request.",
        examples=["Homicide rate per 100,000 inhabitants"],
    )
    numerator: str = Field(
        description="The code of the data element counted.", examples=["homicides"]
    )
    denominator: str = Field(
        description="`population` (the territory's population), `none` (a count) or the "
        "code of another data element.",
        examples=["population"],
    )
    factor: int = Field(description="The ratio is multiplied by this.", examples=[100000])
    description: str = Field(examples=["Intentional homicides / population × 100,000."])

    @staticmethod
    def resolve_name(indicator: Indicator) -> str:
        return str(indicator)

    @staticmethod
    def resolve_numerator(indicator: Indicator) -> str:
        return indicator.numerator.code

    @staticmethod
    def resolve_denominator(indicator: Indicator) -> str:
        if indicator.denominator_kind == DenominatorKind.ELEMENT and indicator.denominator:
            return indicator.denominator.code
        return str(indicator.denominator_kind)


class TerritoryRefOut(Schema):
    id: int
    name: str
    scheme: str
    code: str


class IndicatorValueOut(Schema):
    indicator: str
    territory: TerritoryRefOut
    period: str = Field(description="The period asked for, normalised (`202403` → `2024-03`).")
    source: str | None = Field(description="The source counted; null when there is no data.")
    value: float | None = Field(
        description="numerator / denominator × factor; null without data or population."
    )
    numerator: float | None
    denominator: float | None = Field(
        description="Population (person-years across a span of years)."
    )
    ci_low: float | None = Field(description="Exact Poisson 95% interval, lower bound.")
    ci_high: float | None = Field(description="Exact Poisson 95% interval, upper bound.")
    population_source: str | None
    population_year: int | None
    warnings: list[str] = Field(
        description="Missing months, small counts, a population of "
        "another year… in the request's language."
    )
    method: str = Field(description="How this value was computed, in one sentence.")


class ValueQuery(Schema):
    territory: str = Field(
        description="`<scheme>:<code>`: `iso` for countries (`iso:CO`), `divipola` for "
        "Colombian departments and municipalities (`divipola:19`, "
        "`divipola:19001`); `inegi`, `ibge` and `dhis2` codes work too.",
        examples=["divipola:19001"],
    )
    period: str = Field(
        description="A year (`2024`), quarter (`2024Q1`), month (`2024-03` or `202403`), ISO "
        "week (`2024W05`) or day (`2024-03-15`).",
        examples=["2024"],
    )
    source: Source | None = Field(
        None,
        description="Count only this source. Default: the first available, in the "
        "order police, forensic, prosecutor, health, community, survey.",
    )


@router.get(
    "/",
    response={200: list[IndicatorOut], 400: ErrorBody, 401: ErrorBody, 404: ErrorBody},
    url_name="indicator-list",
    summary="List indicators",
)
@paginate(PageNumberPagination)
def list_indicators(request: HttpRequest) -> QuerySet[Indicator]:
    """Every indicator with what it counts, what it divides by and the factor."""
    return Indicator.objects.select_related("numerator", "denominator").order_by("code")


def _territory(text: str) -> Territory:
    scheme, separator, code = text.partition(":")
    scheme, code = scheme.strip().lower(), code.strip()
    if not separator or not code or scheme not in Scheme.values:
        raise invalid(
            ("query", "territory"),
            _("Use <scheme>:<code> with a scheme among %(schemes)s, e.g. divipola:19001.")
            % {"schemes": ", ".join(Scheme.values)},
        )
    if scheme == Scheme.ISO:
        code = code.upper()
    territory = Territory.objects.with_code(scheme, code).first()
    if territory is None:
        raise ApiError(
            404,
            _("No territory has the code %(scheme)s:%(code)s.") % {"scheme": scheme, "code": code},
        )
    # The code the caller asked by, read back below for the answer; not model fields.
    territory.api_scheme, territory.api_code = scheme, code  # type: ignore[attr-defined]
    return territory


def _documented(description: str, example: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"example": example}}}


@router.get(
    "/{code}/values",
    response={200: IndicatorValueOut, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody},
    url_name="indicator-values",
    summary="One indicator value, with how it was computed",
    # Keyed by int like ninja's own responses, so each entry is merged into the one ninja
    # wrote (schema kept); "200" as a string would be a second, duplicate "200" key in JSON.
    openapi_extra={
        "responses": {
            200: _documented("OK", VALUE_EXAMPLE),
            400: _documented(
                "A parameter is not valid",
                {
                    "error": {
                        "code": "validation_error",
                        "message": "The request is not valid.",
                        "details": [
                            {
                                "loc": ["query", "period"],
                                "message": "2024-13 is not a period: use 2024, 2024Q1, 2024-03, "
                                "2024W05 or 2024-03-15.",
                            }
                        ],
                    }
                },
            ),
            404: _documented(
                "No such indicator or territory",
                {
                    "error": {
                        "code": "not_found",
                        "message": "No territory has the code divipola:99999.",
                        "details": [],
                    }
                },
            ),
        }
    },
)
def indicator_values(request: HttpRequest, code: str, query: Query[ValueQuery]) -> dict[str, Any]:
    """The indicator for one territory and period: value, interval and provenance.

    A territory's own figures are used when it has any for the period, otherwise its
    children's are summed; sources are never mixed. Example:
    `GET /api/v1/indicators/homicide_rate/values?territory=divipola:19001&period=2024`.
    """
    indicator = Indicator.objects.select_related("numerator").filter(code=code).first()
    if indicator is None:
        raise ApiError(404, _("No indicator has the code %(code)s.") % {"code": code})
    try:
        period = parse(query.period)
    except ValueError as exc:
        raise invalid(
            ("query", "period"),
            _("%(text)s is not a period: use 2024, 2024Q1, 2024-03, 2024W05 or 2024-03-15.")
            % {"text": query.period},
        ) from exc
    territory = _territory(query.territory)
    rate = rates.compute(indicator, territory, period, query.source.value if query.source else None)
    return {
        "indicator": indicator.code,
        "territory": {
            "id": territory.pk,
            "name": territory.name,
            # Set from the caller's code above; not model fields.
            "scheme": territory.api_scheme,  # type: ignore[attr-defined]
            "code": territory.api_code,  # type: ignore[attr-defined]
        },
        "period": rate.period,
        "source": rate.source,
        "value": rate.value,
        "numerator": rate.numerator,
        "denominator": rate.denominator,
        "ci_low": rate.ci_low,
        "ci_high": rate.ci_high,
        "population_source": rate.population_source,
        "population_year": rate.population_year,
        "warnings": rate.warnings,
        "method": rate.method,
    }
