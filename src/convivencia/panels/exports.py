"""A panel's data as files: tidy long CSV, wide CSV and XLSX with labels, aggregates CSV.

Respondent-level files (long, wide) carry respondent codes: coordinators only,
and every download is written to the audit log. The aggregates file is for
coordinators and analysts, with cells below MIN_CELL_SIZE blanked for analysts.

CSV files stream: rows are read with ``iterator(chunk_size=…)`` and written as
they come, so memory stays flat however many waves the panel has.
"""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from convivencia.accounts import audit
from convivencia.accounts.choices import AuditAction
from convivencia.core.i18n import translated
from convivencia.core.spreadsheets import CsvWriter, Echo, append_row
from convivencia.panels import analysis, charts, suppression
from convivencia.panels.choices import BREAKDOWNS, DONT_KNOW, NO_ANSWER, ItemType
from convivencia.panels.models import Aggregate, Answer, FieldMapping, Item, Panel, Submission
from convivencia.territories.choices import Scheme

CHUNK_SIZE = 2000
LIST_SEPARATOR = " | "
RESPONDENT_LEVEL = {"long.csv", "wide.csv", "wide.xlsx"}
KINDS = {*RESPONDENT_LEVEL, "aggregates.csv"}

LONG_COLUMNS = ["respondent", "territory", "wave", "item", "value"]
WIDE_FIXED = ["respondent", "territory", "wave", "submitted_at", *BREAKDOWNS]
# For a form made elsewhere: its review in KoBoToolbox / ODK Central and the answers kept
# raw (dates, places, repeats…), which are in no chart but belong to the data.
WIDE_RAW = ["review_status", "raw_values"]


def has_raw_fields(panel: Panel) -> bool:
    """The panel's form was made elsewhere (it has a field mapping, see panels.mapping)."""
    return FieldMapping.objects.filter(questionnaire_id=panel.questionnaire_id).exists()


AGGREGATE_COLUMNS = [
    "panel",
    "territory",
    "wave",
    "item",
    "provider",
    "breakdown",
    "n",
    "n_missing",
    "suppressed",
    "pct_trust",
    "pct_trust_ci_low",
    "pct_trust_ci_high",
    "mean_0_100",
    "mean_ci_low",
    "mean_ci_high",
    "counts",
]


def territory_label(territory) -> str:
    """The territory's code in the first scheme it has (DIVIPOLA for Colombia), else its name."""
    codes = {code.scheme: code.code for code in territory.codes.all()}
    for scheme in (Scheme.DIVIPOLA, *Scheme.values):
        if scheme in codes:
            return codes[scheme]
    return territory.name


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


# Tidy long: one row per answer (multiple choice: one per option), codes not labels.


def long_rows(panel: Panel) -> Iterator[list[Any]]:
    territory = territory_label(panel.territory)
    answers = (
        Answer.objects.filter(submission__wave__panel=panel)
        .order_by(
            "submission__wave__period", "submission__respondent__code", "item__position", "number"
        )
        .values_list(
            "submission__respondent__code",
            "submission__wave__period",
            "item__code",
            "number",
            "missing",
            "text",
        )
    )
    for respondent, period, item, number, missing, text in answers.iterator(chunk_size=CHUNK_SIZE):
        if missing is not None:
            value: Any = missing  # 88 / 98 stay codes: analysts decide what they mean
        elif number is not None:
            value = _number(number)
        else:
            value = text
        yield [respondent, territory, period.strftime("%Y-%m"), item, value]


# Wide: one row per submission, one column per item, labels in the active language.


def _missing_label(code: int) -> str:
    return {DONT_KNOW: _("Don't know"), NO_ANSWER: _("No answer")}.get(code, str(code))


class Labeller:
    """Turns a submission's answers to one item into the text a spreadsheet shows."""

    def __init__(self, items: dict[str, Item]) -> None:
        self.items = items
        self.labels = {
            code: {choice.value: translated(choice.label) for choice in item.choices.all()}
            for code, item in items.items()
        }

    def cell(self, code: str, answers: list[Answer]) -> Any:
        if not answers:
            return ""
        item, labels = self.items.get(code), self.labels.get(code, {})
        parts = []
        for answer in answers:
            if answer.missing is not None:
                parts.append(labels.get(answer.missing) or _missing_label(answer.missing))
            elif answer.number is not None:
                number = _number(answer.number)
                if item is not None and item.type == ItemType.NUMBER:
                    return number
                parts.append(labels.get(int(answer.number)) or str(number))
            else:
                parts.append(answer.text)
        return LIST_SEPARATOR.join(parts)


def wide_header(items: dict[str, Item], raw: bool = False) -> list[str]:
    return [*WIDE_FIXED, *items, *(WIDE_RAW if raw else [])]


def wide_rows(panel: Panel, items: dict[str, Item], raw: bool = False) -> Iterator[list[Any]]:
    territory = territory_label(panel.territory)
    labeller = Labeller(items)
    attribute_labels = {
        attribute: dict(choices.choices) for attribute, choices in BREAKDOWNS.items()
    }
    answers = (
        Answer.objects.select_related("item")
        .only("submission_id", "number", "missing", "text", "item__code")
        .order_by("item__position", "number")
    )
    submissions = (
        Submission.objects.filter(wave__panel=panel)
        .select_related("respondent", "wave")
        .prefetch_related(Prefetch("answers", queryset=answers))
        .order_by("wave__period", "respondent__code")
    )
    for submission in submissions.iterator(chunk_size=500):
        by_code: dict[str, list[Answer]] = defaultdict(list)
        for answer in submission.answers.all():
            by_code[answer.item.code].append(answer)
        respondent = submission.respondent
        yield [
            respondent.code,
            territory,
            submission.wave.label,
            timezone.localtime(submission.submitted_at).isoformat(timespec="minutes"),
            *(
                str(attribute_labels[attribute].get(getattr(respondent, attribute), ""))
                for attribute in BREAKDOWNS
            ),
            *(labeller.cell(code, by_code.get(code, [])) for code in items),
            *(
                [
                    submission.get_review_status_display() if submission.review_status else "",
                    json.dumps(submission.raw_values, ensure_ascii=False, sort_keys=True)
                    if submission.raw_values
                    else "",
                ]
                if raw
                else []
            ),
        ]


def codebook_rows(panel: Panel, items: dict[str, Item]) -> Iterator[list[Any]]:
    for code, item in items.items():
        yield [
            code,
            charts.item_text(item, panel),
            item.get_type_display(),
            charts.provider_label(item.provider, panel) if item.provider else "",
            _("yes") if item.is_local else "",
            "; ".join(f"{c.value} = {translated(c.label)}" for c in item.choices.all()),
        ]


# Aggregates: one row per item × wave × breakdown, suppression applied.


def _figure(value: float | None) -> Any:
    return "" if value is None else round(value, 2)


def aggregate_rows(panel: Panel, *, reveal_small: bool) -> Iterator[list[Any]]:
    territory = territory_label(panel.territory)
    rows = (
        Aggregate.objects.filter(wave__panel=panel)
        .select_related("item")
        .order_by("period", "item_code")
    )
    allowed: dict[tuple[int, str], set[str]] = {}
    open_waves: set[int] = set()
    if not reveal_small:  # decided per wave and item, as on the pages and in the API
        waves = list(panel.waves.all())
        open_waves = {wave.pk for wave in waves if wave.is_open}
        allowed = suppression.publishable_breakdowns(
            [wave for wave in waves if wave.pk not in open_waves]
        )
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        # "all" among the groups in alphabetical order, as one row each.
        for breakdown in sorted([*row.breakdowns, "all"]):
            result = analysis.result_from(row.item, row.cell(breakdown), reveal_small=reveal_small)
            if (
                not reveal_small
                and not result.suppressed
                and (
                    row.wave_id in open_waves
                    or breakdown not in allowed.get((row.wave_id, row.item_code), ())
                )
            ):
                suppression.withhold(result)
            yield [
                panel.code,
                territory,
                row.period.strftime("%Y-%m"),
                row.item_code,
                row.item.provider,
                breakdown,
                "" if result.suppressed else result.n,
                "" if result.suppressed else result.n_missing,
                int(result.suppressed),
                _figure(result.pct_trust),
                _figure(result.pct_trust_ci_low),
                _figure(result.pct_trust_ci_high),
                _figure(result.mean_0_100),
                _figure(result.mean_ci_low),
                _figure(result.mean_ci_high),
                json.dumps(result.counts, sort_keys=True) if result.counts else "",
            ]


# Formats


def csv_lines(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    writer = CsvWriter(Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def xlsx_file(panel: Panel, items: dict[str, Item]) -> IO[bytes]:
    """The wide table and a codebook sheet (write-only mode keeps memory flat)."""
    workbook = Workbook(write_only=True)
    data = workbook.create_sheet(title=_("Answers")[:31])
    raw = has_raw_fields(panel)
    append_row(data, wide_header(items, raw))
    for row in wide_rows(panel, items, raw):
        append_row(data, row)
    codebook = workbook.create_sheet(title=_("Items")[:31])
    append_row(
        codebook, [_("Item"), _("Wording"), _("Type"), _("Provider"), _("Local item"), _("Answers")]
    )
    for row in codebook_rows(panel, items):
        append_row(codebook, row)
    output = tempfile.TemporaryFile()  # noqa: SIM115  (closed by the response)
    workbook.save(output)
    output.seek(0)
    return output


def _in_language(lines: Iterator[str], language: str) -> Iterator[str]:
    """A streamed body is written after the view returns: keep the request's language."""
    with translation.override(language):
        yield from lines


def response(
    request: HttpRequest, panel: Panel, kind: str, *, reveal_small: bool
) -> HttpResponseBase:
    """The file ``kind`` for ``panel``; respondent-level downloads are audited first."""
    if kind not in KINDS:
        raise Http404
    stem = f"{panel.code}-{kind.split('.')[0]}-{timezone.localdate():%Y-%m-%d}"
    if kind in RESPONDENT_LEVEL:
        audit.record(AuditAction.EXPORT, panel, request=request, changes={"format": kind})
    if kind == "wide.xlsx":
        return FileResponse(
            xlsx_file(panel, charts.items_by_code(panel)),
            as_attachment=True,
            filename=f"{stem}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    if kind == "long.csv":
        lines = csv_lines(LONG_COLUMNS, long_rows(panel))
    elif kind == "wide.csv":
        items = charts.items_by_code(panel)
        raw = has_raw_fields(panel)
        lines = csv_lines(wide_header(items, raw), wide_rows(panel, items, raw))
    else:
        lines = csv_lines(AGGREGATE_COLUMNS, aggregate_rows(panel, reveal_small=reveal_small))
    return StreamingHttpResponse(
        _in_language(lines, translation.get_language()),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{stem}.csv"'},
    )
