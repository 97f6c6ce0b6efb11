"""Every field of a published intervention as one flat row: CSV, XLSX, JSON and the API.

``COLUMNS`` is the one list of fields (their order is the CSV's and the
spreadsheet's column order; their types document the API) and ``row()`` the
one function that fills them. Many-valued fields are lists; CSV and XLSX join
them with ``|``.

Exports stream, so memory stays flat however many rows match: the
interventions are read with one chunked cursor, and each related table (tags,
territories, ratings, sources) with one more, sorted in the interventions'
order, so that each intervention's related rows are next in line when it is
written (a merge, as a database joins sorted inputs). All of them read one
snapshot of the registry. Work that is the same for many rows (a country's
name, the URL's prefix, a territory's code) is done once per export.
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

from django.db import connection, transaction
from django.db.models import Count, F, Model, OrderBy, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
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
    """What ``row()`` needs beyond the interventions' own columns, for a page of them.

    For a list already in memory (a page of the API): one small query per kind
    for the whole page (values, not model instances), never one per row. The
    streamed exports read the same tables in order instead (``rows``).
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
        .order_by("territory__level", "territory__name", "territory_id")
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


# The intervention's own fields that ``row()`` reads (``pk`` first).
OWN_FIELDS = (
    "pk",
    "external_id",
    "name",
    "name_language",
    "name_translations",
    "summary",
    "country_code",
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
    "budget_usd",
    "best_rating",
    "curation",
    "published_at",
)


@dataclass
class Extras:
    """One intervention's related rows, as ``row()`` needs them."""

    tags: dict[str, list[str]]
    ratings: dict[str, str]
    territories: list[tuple[str, str]]  # (code, name)
    sources: list[str]
    evaluations: int


def row(own: dict[str, Any], extras: Extras, country_name: str | None, url: str) -> dict[str, Any]:
    """Every field of one intervention, from its own fields (``OWN_FIELDS``) and ``extras``."""
    translations = own["name_translations"]
    names = {
        f"name_{language}": (
            own["name"] if own["name_language"] == language else translations.get(language) or None
        )
        for language in NAME_LANGUAGES
    }
    tags, ratings, territories = extras.tags, extras.ratings, extras.territories
    return {
        "id": own["pk"],
        "external_id": own["external_id"],
        "name": own["name"],
        "name_language": own["name_language"],
        **names,
        "summary": own["summary"],
        "country": own["country_code"] or None,
        "country_name": country_name,
        "territories": [code for code, _name in territories],
        "territory_names": [name for _code, name in territories],
        "scale": own["scale"],
        "focus": tags.get(TagKind.FOCUS, []),
        "problem": tags.get(TagKind.PROBLEM, []),
        "population": tags.get(TagKind.POPULATION, []),
        "prevention_level": own["prevention_level"],
        "implementer_name": own["implementer_name"],
        "implementer_type": own["implementer_type"],
        "funder_name": own["funder_name"],
        "funder_type": own["funder_type"],
        "start_year": own["start_year"],
        "end_year": own["end_year"],
        "status": own["status"],
        "budget_amount": own["budget_amount"],
        "budget_currency": own["budget_currency"],
        "budget_year": own["budget_year"],
        "budget_usd": own["budget_usd"],
        "best_rating": own["best_rating"],
        **{f"rating_{outcome}": ratings.get(outcome) for outcome in OUTCOMES},
        "evaluations_count": extras.evaluations,
        "sources": extras.sources,
        "curation": own["curation"],
        "published_at": own["published_at"],
        "url": url,
    }


class CountryNames(dict[str, str | None]):
    """A country's name in the current language, worked out once per code."""

    def __missing__(self, code: str) -> str | None:
        name = geo.country_name(code) or None
        self[code] = name
        return name


def rows_for(interventions: list[Intervention], url_for: UrlFor) -> list[dict[str, Any]]:
    """Rows for a list already in memory (a page of the API): six queries, whatever its size."""
    related = Related.load([intervention.pk for intervention in interventions])
    country_names = CountryNames()
    result = []
    for intervention in interventions:
        pk = intervention.pk
        own = {name: getattr(intervention, name) for name in OWN_FIELDS}
        extras = Extras(
            tags=related.tags.get(pk, {}),
            ratings=related.ratings.get(pk, {}),
            territories=related.territories.get(pk, []),
            sources=related.sources.get(pk, []),
            evaluations=related.evaluations.get(pk, 0),
        )
        country_name = country_names[own["country_code"]] if own["country_code"] else None
        result.append(row(own, extras, country_name, url_for(pk)))
    return result


def rows(queryset: QuerySet[Intervention], url_for: UrlFor) -> Iterator[dict[str, Any]]:
    """Rows for every intervention in ``queryset``, in its order, streamed.

    Six queries whatever the number of rows: the interventions (with their
    evaluations counted in a subquery), their tags, sources, ratings and
    territory links, each read through a chunked cursor in the interventions'
    order, and the codes of the territories they name. One transaction holds
    them to one snapshot (REPEATABLE READ on PostgreSQL; SQLite's read
    transactions are snapshots), so that every stream lists the same interventions.
    """
    ordering = _total_ordering(queryset)
    selected = queryset.order_by().values("pk")
    # Inside a transaction already (a test, a job), that transaction's snapshot is used.
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield from _merged_rows(queryset.order_by(*ordering), selected, ordering, url_for)


def _merged_rows(
    queryset: QuerySet[Intervention],
    selected: QuerySet[Intervention, Any],
    ordering: list[Any],
    url_for: UrlFor,
) -> Iterator[dict[str, Any]]:
    evaluations = (
        Evaluation.objects.filter(intervention=OuterRef("pk"))
        .order_by()
        .values("intervention")
        .annotate(n=Count("pk"))
        .values("n")
    )
    interventions = queryset.annotate(evaluations_n=Coalesce(Subquery(evaluations), 0)).values(
        *OWN_FIELDS, "evaluations_n"
    )
    tags = _Following(
        _in_order(InterventionTag, selected, ordering, "kind", "code").values_list(
            "intervention_id", "kind", "code"
        )
    )
    sources = _Following(
        _in_order(Source, selected, ordering, "pk").values_list(
            "intervention_id", "citation", "url"
        )
    )
    ratings = _Following(
        _in_order(EvidenceRating, selected, ordering).values_list(
            "intervention_id", "outcome", "value"
        )
    )
    through = Intervention.territories.through
    links = _Following(
        _in_order(
            through, selected, ordering, "territory__level", "territory__name", "territory_id"
        ).values_list("intervention_id", "territory_id", "territory__name")
    )
    codes = _territory_codes(through.objects.filter(intervention__in=selected))
    country_names = CountryNames()
    for own in interventions.iterator(chunk_size=CHUNK_SIZE):
        pk = own["pk"]
        by_kind: dict[str, list[str]] = defaultdict(list)
        for _pk, kind, code in tags.take(pk):
            by_kind[kind].append(code)
        extras = Extras(
            tags=by_kind,
            ratings={outcome: value for _pk, outcome, value in ratings.take(pk)},
            territories=[
                (codes.get(territory_id) or str(territory_id), name)
                for _pk, territory_id, name in links.take(pk)
            ],
            sources=[
                " ".join(part for part in (citation, url) if part)
                for _pk, citation, url in sources.take(pk)
            ],
            evaluations=own["evaluations_n"],
        )
        country_name = country_names[own["country_code"]] if own["country_code"] else None
        yield row(own, extras, country_name, url_for(pk))
    for stream in (tags, sources, ratings, links):
        stream.check_finished()


def _total_ordering(queryset: QuerySet[Intervention]) -> list[Any]:
    """The queryset's ordering, ending with the primary key so that no two rows tie."""
    ordering = list(queryset.query.order_by)
    if not any(isinstance(item, str) and item.lstrip("-") in ("pk", "id") for item in ordering):
        ordering.append("pk")
    return ordering


def _through_intervention(item: Any) -> str | OrderBy:
    """An intervention's sort term, as seen from a table with a foreign key to it."""
    if isinstance(item, str):
        descending = item.startswith("-")
        return f"{'-' if descending else ''}intervention__{item.lstrip('-')}"
    if isinstance(item, OrderBy) and isinstance(item.expression, F):
        # The stubs do not declare F.name, the field it names.
        field = item.expression.name  # type: ignore[attr-defined]
        return OrderBy(
            F(f"intervention__{field}"),
            descending=item.descending,
            nulls_first=item.nulls_first,
            nulls_last=item.nulls_last,
        )
    raise ValueError(f"an export cannot be sorted by {item!r}")


def _in_order(
    model: type[Model],
    selected: QuerySet[Intervention, Any],
    ordering: list[Any],
    *then: str,
) -> QuerySet[Any]:
    """``model``'s rows of the selected interventions in their order, then by ``then``."""
    terms = [_through_intervention(item) for item in ordering]
    return model._default_manager.filter(intervention__in=selected).order_by(*terms, *then)


class _Following:
    """A related table's rows read in the interventions' order, taken one intervention at a time."""

    def __init__(self, queryset: QuerySet[Any]) -> None:
        self._rows = queryset.iterator(chunk_size=CHUNK_SIZE)
        self._next: tuple[Any, ...] | None = next(self._rows, None)

    def take(self, pk: int) -> list[tuple[Any, ...]]:
        """The rows of intervention ``pk``: those at the head of the stream that name it."""
        taken = []
        while self._next is not None and self._next[0] == pk:
            taken.append(self._next)
            self._next = next(self._rows, None)
        return taken

    def check_finished(self) -> None:
        if self._next is not None:
            raise RuntimeError(
                f"intervention {self._next[0]} has related rows out of the export's order"
            )


def _territory_codes(links: QuerySet[Any]) -> dict[int, str]:
    """The code each linked territory is exported with (``territory_code``), read once."""
    codes: dict[int, dict[str, str]] = defaultdict(dict)
    for territory_id, scheme, code in TerritoryCode.objects.filter(
        territory_id__in=links.values("territory_id")
    ).values_list("territory_id", "scheme", "code"):
        codes[territory_id][scheme] = code
    return {
        territory_id: territory_code(territory_id, found) for territory_id, found in codes.items()
    }


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
