"""Every field of a published intervention as one flat row: CSV, XLSX, JSON and the API.

``COLUMNS`` is the one list of fields (their order is the CSV's and the
spreadsheet's column order; their types document the API) and ``row()`` the
one function that fills them. Many-valued fields are lists; CSV and XLSX join
them with ``|``.

Exports stream: rows are read with ``iterator(chunk_size=CHUNK_SIZE)``, and
the related rows (tags, territories, ratings, sources) are prefetched chunk
by chunk, so memory stays flat however many rows match.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.db.models import Count, QuerySet
from django.urls import reverse
from openpyxl import Workbook

from convivencia.core.spreadsheets import CsvWriter, Echo, append_row
from convivencia.evidence import geo
from convivencia.evidence.choices import Problem, TagKind
from convivencia.evidence.models import (
    Evaluation,
    EvidenceRating,
    Intervention,
    InterventionTag,
    Source,
)
from convivencia.territories.choices import Scheme
from convivencia.territories.models import TerritoryCode

CHUNK_SIZE = 500
OUTCOMES = Problem.values
LIST_SEPARATOR = "|"
NAME_LANGUAGES = ("es", "en", "pt")


@dataclass(frozen=True)
class Column:
    name: str
    type: Any
    description: str


COLUMNS: list[Column] = [
    Column("id", int, "Our identifier (stable)."),
    Column("external_id", str | None, "Identifier in the source spreadsheet."),
    Column("name", str, "Name in its original language."),
    Column("name_language", str, "Language of `name`."),
    *(
        Column(f"name_{language}", str | None, f"Name in {language}, where known.")
        for language in NAME_LANGUAGES
    ),
    Column("summary", str, "What was done."),
    Column("country", str | None, "ISO 3166-1 alpha-2; empty for multi-country interventions."),
    Column("country_name", str | None, "The country's name in the request's language."),
    Column("territories", list[str], "Codes of the territories (ISO 3166-2 where known)."),
    Column("territory_names", list[str], "Names of the territories, in the same order."),
    Column("scale", str, "multi_country, national, regional, municipal or neighbourhood."),
    Column("focus", list[str], "Focus codes."),
    Column("problem", list[str], "Problems addressed (codes)."),
    Column("population", list[str], "Target populations (codes)."),
    Column("prevention_level", str, "primary, secondary or tertiary (may be empty)."),
    Column("implementer_name", str, "Who implemented it."),
    Column("implementer_type", str, "Implementer type (code)."),
    Column("funder_name", str, "Who paid for it."),
    Column("funder_type", str, "Funder type (code)."),
    Column("start_year", int | None, "First year."),
    Column("end_year", int | None, "Last year (empty while ongoing or unknown)."),
    Column("status", str, "planned, ongoing, completed or discontinued."),
    Column("budget_amount", float | None, "Budget in the original currency."),
    Column("budget_currency", str, "ISO 4217 code of the original currency."),
    Column("budget_year", int | None, "Year of the budget's prices."),
    Column("budget_usd", float | None, "Budget in US dollars at the budget year's average rate."),
    Column("best_rating", str, "The best evidence rating over all outcomes."),
    *(
        Column(f"rating_{outcome}", str | None, f"Evidence rating for {outcome} (empty: none).")
        for outcome in Problem.values
    ),
    Column("evaluations_count", int, "Number of evaluations recorded."),
    Column("sources", list[str], "Where the information comes from (citation and link)."),
    Column("curation", str, "Curation status (always published here)."),
    Column("published_at", datetime | None, "When it was published."),
    Column("url", str, "Its page on this site."),
]
FIELDS = [column.name for column in COLUMNS]

UrlFor = Callable[[int], str]


def detail_url_maker(build_absolute_uri: Callable[[str], str]) -> UrlFor:
    """A function giving an intervention's absolute URL, reversing the route only once."""
    prefix, suffix = build_absolute_uri(reverse("evidence:detail", args=[0])).rsplit("/0/", 1)
    return lambda pk: f"{prefix}/{pk}/{suffix}"


@dataclasses.dataclass
class Related:
    """What ``row()`` needs beyond the intervention's own columns, for a batch of them.

    Read with one small query per kind for the whole batch (values, not model
    instances): for an export this is several times faster than
    ``prefetch_related``, which builds a queryset per row and relation.
    """

    tags: dict[int, dict[str, list[str]]]
    sources: dict[int, list[str]]
    ratings: dict[int, dict[str, str]]
    territories: dict[int, list[tuple[str, str]]]  # (code, name)
    evaluations: dict[int, int]

    @classmethod
    def load(cls, ids: list[int]) -> Related:
        tags: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for pk, kind, code in (
            InterventionTag.objects.filter(intervention_id__in=ids)
            .order_by("code")
            .values_list("intervention_id", "kind", "code")
        ):
            tags[pk][kind].append(code)
        sources: dict[int, list[str]] = defaultdict(list)
        for pk, citation, url in (
            Source.objects.filter(intervention_id__in=ids)
            .order_by("pk")
            .values_list("intervention_id", "citation", "url")
        ):
            sources[pk].append(" ".join(part for part in (citation, url) if part))
        ratings: dict[int, dict[str, str]] = defaultdict(dict)
        for pk, outcome, value in EvidenceRating.objects.filter(
            intervention_id__in=ids
        ).values_list("intervention_id", "outcome", "value"):
            ratings[pk][outcome] = value
        evaluations = dict(
            Evaluation.objects.filter(intervention_id__in=ids)
            .order_by()
            .values_list("intervention_id")
            .annotate(n=Count("pk"))
        )
        return cls(tags, sources, ratings, _territories(ids), evaluations)


def _territories(ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    links = list(
        Intervention.territories.through.objects.filter(intervention_id__in=ids)
        .order_by("territory__level", "territory__name")
        .values_list("intervention_id", "territory_id", "territory__name")
    )
    codes: dict[int, dict[str, str]] = defaultdict(dict)
    for territory_id, scheme, code in TerritoryCode.objects.filter(
        territory_id__in={territory_id for _pk, territory_id, _name in links}
    ).values_list("territory_id", "scheme", "code"):
        codes[territory_id][scheme] = code
    territories: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for pk, territory_id, name in links:
        territories[pk].append((territory_code(territory_id, codes[territory_id]), name))
    return territories


def territory_code(territory_id: int, codes: dict[str, str]) -> str:
    """The territory's code in the first scheme it has, ISO first; its id otherwise."""
    for scheme in Scheme.values:
        if scheme in codes:
            return codes[scheme]
    return str(territory_id)


def name_in(intervention: Intervention, language: str) -> str | None:
    if intervention.name_language == language:
        return intervention.name
    return intervention.name_translations.get(language) or None


def row(intervention: Intervention, related: Related, url_for: UrlFor) -> dict[str, Any]:
    """Every field of one intervention; ``related`` must have been loaded for it."""
    pk = intervention.pk
    tags = related.tags.get(pk, {})
    ratings = related.ratings.get(pk, {})
    territories = related.territories.get(pk, [])
    return {
        "id": pk,
        "external_id": intervention.external_id,
        "name": intervention.name,
        "name_language": intervention.name_language,
        **{f"name_{language}": name_in(intervention, language) for language in NAME_LANGUAGES},
        "summary": intervention.summary,
        "country": intervention.country_code or None,
        "country_name": geo.country_name(intervention.country_code) or None,
        "territories": [code for code, _name in territories],
        "territory_names": [name for _code, name in territories],
        "scale": intervention.scale,
        "focus": tags.get(TagKind.FOCUS, []),
        "problem": tags.get(TagKind.PROBLEM, []),
        "population": tags.get(TagKind.POPULATION, []),
        "prevention_level": intervention.prevention_level,
        "implementer_name": intervention.implementer_name,
        "implementer_type": intervention.implementer_type,
        "funder_name": intervention.funder_name,
        "funder_type": intervention.funder_type,
        "start_year": intervention.start_year,
        "end_year": intervention.end_year,
        "status": intervention.status,
        "budget_amount": intervention.budget_amount,
        "budget_currency": intervention.budget_currency,
        "budget_year": intervention.budget_year,
        "budget_usd": intervention.budget_usd,
        "best_rating": intervention.best_rating,
        **{f"rating_{outcome}": ratings.get(outcome) for outcome in OUTCOMES},
        "evaluations_count": related.evaluations.get(pk, 0),
        "sources": related.sources.get(pk, []),
        "curation": intervention.curation,
        "published_at": intervention.published_at,
        "url": url_for(pk),
    }


def rows_for(interventions: list[Intervention], url_for: UrlFor) -> list[dict[str, Any]]:
    """Rows for a list already in memory (a page of the API)."""
    related = Related.load([intervention.pk for intervention in interventions])
    return [row(intervention, related, url_for) for intervention in interventions]


def rows(queryset: QuerySet[Intervention], url_for: UrlFor) -> Iterator[dict[str, Any]]:
    """Rows for every intervention in ``queryset``, read CHUNK_SIZE at a time.

    Memory holds one chunk: the main query is read with a chunked cursor
    (``iterator``), and the related rows are loaded per chunk.
    """
    chunk: list[Intervention] = []
    for intervention in queryset.iterator(chunk_size=CHUNK_SIZE):
        chunk.append(intervention)
        if len(chunk) == CHUNK_SIZE:
            yield from rows_for(chunk, url_for)
            chunk = []
    if chunk:
        yield from rows_for(chunk, url_for)


# Formats


def _flat(value: Any) -> Any:
    """A cell for CSV and XLSX: lists joined, dates as ISO 8601, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def json_value(value: Any) -> Any:
    """For ``json.dumps``: decimals as numbers, dates as ISO 8601."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def csv_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    writer = CsvWriter(Echo())
    yield writer.writerow(FIELDS)
    for values in rows:
        yield writer.writerow([_flat(values[name]) for name in FIELDS])


def json_chunks(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A JSON array, one object per line, written as the rows arrive."""
    yield "["
    separator = "\n"
    for values in rows:
        yield separator + json.dumps(values, default=json_value, ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


def _xlsx_cell(value: Any) -> Any:
    value = _flat(value)
    return float(value) if isinstance(value, Decimal) else value


def xlsx_file(rows: Iterable[dict[str, Any]], title: str) -> IO[bytes]:
    """A spreadsheet of the rows in a temporary file (write-only mode keeps memory flat)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    append_row(sheet, FIELDS)
    for values in rows:
        append_row(sheet, [_xlsx_cell(values[name]) for name in FIELDS])
    output = tempfile.TemporaryFile()  # noqa: SIM115  (closed by the response)
    workbook.save(output)
    output.seek(0)
    return output
