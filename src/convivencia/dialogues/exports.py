"""Commitments and their updates as CSV and XLSX: one list of columns, one row function.

No names of people: the organisation that posted an update is given, never the
person, so the same file can go to the public for a published process.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.db.models import Count, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook

from convivencia.core.spreadsheets import CsvWriter, Echo, append_row
from convivencia.dialogues import services
from convivencia.dialogues.choices import Verdict
from convivencia.dialogues.models import Commitment, Process, Update, Verification


@dataclass(frozen=True)
class Column:
    name: str
    value: Callable[[Any, dict[str, Any]], Any]


def _date(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


COMMITMENT_COLUMNS = [
    Column("reference", lambda c, x: c.reference),
    Column("title", lambda c, x: c.title),
    Column("process", lambda c, x: c.process.title),
    Column("territory", lambda c, x: c.territory.name),
    Column("territory_code", lambda c, x: c.territory.code("divipola") or ""),
    Column("responsible", lambda c, x: str(c.responsible)),
    Column("co_responsible", lambda c, x: "|".join(str(o) for o in c.co_responsible.all())),
    Column("concern", lambda c, x: c.concern.title if c.concern else ""),
    Column("action_plan", lambda c, x: c.action_plan.title if c.action_plan else ""),
    Column("made_in", lambda c, x: c.made_in.title if c.made_in else ""),
    Column("parent", lambda c, x: c.parent.reference if c.parent else ""),
    Column("start_date", lambda c, x: _date(c.start_date)),
    Column("due_date", lambda c, x: _date(c.due_date)),
    Column("status", lambda c, x: c.status.code),
    Column("status_name", lambda c, x: str(c.status)),
    Column("progress", lambda c, x: c.progress),
    Column("overdue", lambda c, x: services.flags(c, x["today"]).overdue),
    Column("days_overdue", lambda c, x: services.flags(c, x["today"]).days_overdue),
    Column("stalled", lambda c, x: services.flags(c, x["today"]).stalled),
    Column("verification_state", lambda c, x: x["states"].get(c.pk) or ""),
    Column("last_update_at", lambda c, x: _date(c.last_update_at)),
    Column("how_verified", lambda c, x: c.verification),
    Column("indicator", lambda c, x: c.indicator.code if c.indicator else ""),
    Column("panel_item", lambda c, x: c.panel_item_code),
    Column("weight", lambda c, x: c.weight),
]

UPDATE_COLUMNS = [
    Column("commitment", lambda u, x: u.commitment.reference),
    Column("posted_at", lambda u, x: _date(u.posted_at)),
    Column("organisation", lambda u, x: str(u.organisation) if u.organisation else ""),
    Column("status", lambda u, x: u.status.code),
    Column("progress", lambda u, x: u.progress),
    Column("what_was_done", lambda u, x: u.description),
    Column("evidence_files", lambda u, x: u.evidence_count),
    Column("confirmed_by", lambda u, x: x["verdicts"][u.pk][Verdict.CONFIRMED]),
    Column("disputed_by", lambda u, x: x["verdicts"][u.pk][Verdict.DISPUTED]),
]


def prepared(commitments: QuerySet[Commitment]) -> QuerySet[Commitment]:
    return (
        commitments.select_related(
            "process",
            "territory",
            "responsible",
            "status",
            "concern",
            "action_plan",
            "made_in",
            "parent",
            "indicator",
        )
        .prefetch_related("co_responsible", "territory__codes")
        .order_by("reference")
    )


def updates_of(commitments: QuerySet[Commitment]) -> QuerySet[Update]:
    return (
        Update.objects.filter(commitment__in=commitments.values("pk"))
        .select_related("commitment", "organisation", "status")
        .annotate(evidence_count=Count("evidence"))
        .order_by("commitment__reference", "posted_at", "pk")
    )


def commitment_rows(commitments: QuerySet[Commitment]) -> Iterator[list[Any]]:
    rows = list(prepared(commitments))
    context = {"today": timezone.localdate(), "states": services.verification_states(rows)}
    for commitment in rows:
        yield [column.value(commitment, context) for column in COMMITMENT_COLUMNS]


def update_rows(commitments: QuerySet[Commitment]) -> Iterator[list[Any]]:
    updates = list(updates_of(commitments))
    verdicts: dict[int, Counter] = {update.pk: Counter() for update in updates}
    for update_id, verdict in Verification.objects.filter(
        update__in=[update.pk for update in updates]
    ).values_list("update_id", "verdict"):
        verdicts[update_id][verdict] += 1
    context = {"verdicts": verdicts}
    for update in updates:
        yield [column.value(update, context) for column in UPDATE_COLUMNS]


def file_name(process: Process, what: str, extension: str) -> str:
    return f"{slugify(process.title)[:60] or 'process'}-{what}.{extension}"


def csv_response(
    process: Process, commitments: QuerySet[Commitment], what: str
) -> StreamingHttpResponse:
    """``commitments``: those of the process the user may see."""
    columns, rows = (
        (COMMITMENT_COLUMNS, commitment_rows(commitments))
        if what == "commitments"
        else (UPDATE_COLUMNS, update_rows(commitments))
    )
    writer = CsvWriter(Echo())

    def lines() -> Iterator[str]:
        # A byte-order mark, so that spreadsheet programs read the accents right.
        yield "\ufeff"
        yield writer.writerow([column.name for column in columns])
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_name(process, what, "csv")}"'
    return response


def xlsx_response(process: Process, commitments: QuerySet[Commitment]) -> HttpResponse:
    workbook = Workbook(write_only=True)
    for title, columns, rows in (
        ("commitments", COMMITMENT_COLUMNS, commitment_rows(commitments)),
        ("updates", UPDATE_COLUMNS, update_rows(commitments)),
    ):
        sheet = workbook.create_sheet(title)
        append_row(sheet, [column.name for column in columns])
        for row in rows:
            append_row(sheet, row)
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{file_name(process, "commitments", "xlsx")}"'
    )
    return response
