"""Aggregates kept in step with the answers, and proof that they match.

For each item × wave × breakdown ("all", "sex:female", "role:jac", …) a row holds
n, sums and counts of scores, so pages never read raw answers. ``add`` applies a
batch of new submissions; ``rebuild`` recomputes from the raw answers;
``mismatches`` compares the two.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain

from django.db import connection, transaction

from convivencia.core.bulk import insert_rows
from convivencia.panels.choices import ItemType
from convivencia.panels.models import Aggregate, Answer, Item, Respondent, Submission, Wave

NUMERIC_TYPES = (ItemType.SCALE, ItemType.YES_NO, ItemType.SINGLE)

# Aggregate columns written by ``add`` and ``rebuild``, in the order of their tuples.
AGGREGATE_COLUMNS = ("wave", "item", "item_code", "territory", "period", "breakdown",
                     "n", "n_missing", "n_top", "total", "total_sq", "counts")
SUM_COLUMNS = ("n", "n_missing", "n_top", "total", "total_sq", "counts")


@dataclass
class Cell:
    n: int = 0
    n_missing: int = 0
    n_top: int = 0
    total: float = 0.0
    total_sq: float = 0.0
    counts: Counter = field(default_factory=Counter)


def _scored(item: Item) -> bool:
    """Items whose answers are summed: scales, yes/no, and single choices with a range."""
    return item.type in NUMERIC_TYPES and item.scale_min is not None


# How an answer to an item is summed (see _respondent_sums).
_SCORED, _MULTIPLE, _NUMBER, _COUNTED = range(4)


def _kind(item: Item) -> int:
    if item.type == ItemType.MULTIPLE:
        return _MULTIPLE
    if _scored(item):
        return _SCORED
    if item.type == ItemType.NUMBER:
        return _NUMBER
    return _COUNTED


def _scoring(item: Item) -> tuple[int, float | None, float | None]:
    """(kind, scale_min + scale_max when reverse-coded, top_min): Item.score and
    Item.is_top worked out once per item instead of per answer."""
    flip = (item.scale_min + item.scale_max
            if item.reverse_coded and item.scale_min is not None and item.scale_max is not None
            else None)
    return _kind(item), flip, item.top_min


def _respondent_sums(answers: Iterable, scorings: dict[int, tuple], items: dict[int, Item]
                     ) -> dict[int, list]:
    """{item id: [n, n_missing, n_top, total, total_sq, [count keys]]} for one respondent.

    ``n`` is 1 per item answered (a multiple choice counts once); ``count keys`` has
    one entry per option chosen, or the missing code.
    """
    per_item: dict[int, list] = {}
    for answer in answers:
        item = answer.item
        item_id = item.id  # not .pk: a property, and this runs once per answer
        sums = per_item.get(item_id)
        if sums is None:
            sums = per_item[item_id] = [0, 0, 0, 0.0, 0.0, []]
            if item_id not in scorings:
                scorings[item_id] = _scoring(item)
                items[item_id] = item
        missing = answer.missing
        if missing is not None:
            sums[1] = 1
            sums[5].append(str(missing))
            continue
        number = answer.number
        sums[0] = 1
        if number is None:  # free text: counted, not summed
            continue
        sums[5].append(str(int(number)))
        kind, flip, top_min = scorings[item_id]
        if kind == _SCORED:
            score = number if flip is None else flip - number
            sums[3] += score
            sums[4] += score * score
            if top_min is not None and score >= top_min:
                sums[2] += 1
        elif kind == _NUMBER:
            sums[3] += number
            sums[4] += number * number
    return per_item


def _sum_cells(answers_by_respondent: Iterable[tuple[Respondent, Iterable]]
               ) -> tuple[dict[tuple[int, str], list], dict[int, Item]]:
    """The cells of a batch as [n, n_missing, n_top, total, total_sq, counts], and the items.

    Each respondent's sums per item are collected under every breakdown the respondent
    belongs to, then each cell is summed with the built-in ``sum``: a wave of 50
    respondents × 17 items × 5 breakdowns is ~4,000 additions, and adding field by
    field in Python was most of their cost. Sums of integer scores are exact in
    floating point, and the order of the additions is the respondents' order anyway.
    """
    collected: dict[tuple[int, str], list[list]] = defaultdict(list)
    scorings: dict[int, tuple] = {}
    items: dict[int, Item] = {}
    for respondent, answers in answers_by_respondent:
        per_item = _respondent_sums(answers, scorings, items)
        keys = respondent.breakdown_keys()
        for item_id, sums in per_item.items():
            for key in keys:
                collected[(item_id, key)].append(sums)
    cells: dict[tuple[int, str], list] = {}
    for cell, rows in collected.items():
        if len(rows) == 1:  # a breakdown with one respondent: common, and no sums to make
            n, n_missing, n_top, total, total_sq, codes = rows[0]
            cells[cell] = [n, n_missing, n_top, total, total_sq, dict(Counter(codes))]
            continue
        n, n_missing, n_top, total, total_sq, codes = zip(*rows, strict=True)
        cells[cell] = [sum(n), sum(n_missing), sum(n_top), sum(total, 0.0), sum(total_sq, 0.0),
                       dict(Counter(chain.from_iterable(codes)))]
    return cells, items


def contributions(answers_by_respondent: Iterable[tuple[Respondent, Iterable]]) -> dict:
    """{(item, breakdown): Cell} for a batch of (respondent, answers) pairs.

    ``answers`` are objects with ``item``, ``number`` and ``missing`` (CleanAnswer or
    Answer). A multiple-choice item counts once per respondent in ``n`` and once
    per option chosen in ``counts``.
    """
    cells, _items = _sum_cells(answers_by_respondent)
    return {
        key: Cell(n, n_missing, n_top, total, total_sq, Counter(counts))
        for key, (n, n_missing, n_top, total, total_sq, counts) in cells.items()
    }


def _json(counts: dict[str, int]) -> str:
    """The counts as JSON text for the column, as ``json.dumps`` writes them.

    Written by hand because ``json.dumps`` was a tenth of an import's aggregate
    step, for a hundred thousand small objects. The keys are an integer's digits
    (an answer or missing code, see _respondent_sums) and the values counts, so
    nothing needs escaping; anything else goes through ``json.dumps``.
    """
    parts = []
    for code, count in counts.items():
        if type(count) is not int or not code.lstrip("-").isdigit():
            return json.dumps(counts)
        parts.append(f'"{code}": {count}')
    return "{" + ", ".join(parts) + "}"


def _insert_cells(wave: Wave, cells: Iterable[tuple[tuple[int, str], list]],
                  codes: dict[int, str]) -> None:
    territory_id, period = wave.panel.territory_id, wave.period
    insert_rows(Aggregate, AGGREGATE_COLUMNS, (
        (wave.pk, item_id, codes[item_id], territory_id, period, breakdown,
         n, n_missing, n_top, total, total_sq, _json(counts))
        for (item_id, breakdown), (n, n_missing, n_top, total, total_sq, counts) in cells
    ))


@transaction.atomic
def add(wave: Wave, batch: list[tuple[Respondent, Iterable]]) -> None:
    """Fold a batch of new submissions into the wave's aggregate rows."""
    cells, items = _sum_cells(batch)
    if not cells:
        return
    existing = {
        (item_id, breakdown): (pk, sums)
        for pk, item_id, breakdown, *sums in Aggregate.objects.select_for_update()
        .filter(wave=wave).values_list("pk", "item_id", "breakdown", *SUM_COLUMNS)
    }
    to_create, to_update = [], []
    for key, cell in cells.items():
        found = existing.get(key)
        if found is None:
            to_create.append((key, cell))
            continue
        pk, (n, n_missing, n_top, total, total_sq, counts) = found
        merged = Counter(counts)
        merged.update(cell[5])
        to_update.append((
            n + cell[0], n_missing + cell[1], n_top + cell[2], total + cell[3],
            total_sq + cell[4], _json(dict(merged)), pk,
        ))
    _insert_cells(wave, to_create, {item_id: item.code for item_id, item in items.items()})
    if to_update:
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(name)} = %s" for name in SUM_COLUMNS)
        if connection.vendor == "postgresql":  # the JSON text into a jsonb column
            assignments = assignments.replace(f"{quote('counts')} = %s",
                                              f"{quote('counts')} = %s::jsonb")
        with connection.cursor() as cursor:
            # Names come from the model's meta, quoted; values are parameters.
            table = quote(Aggregate._meta.db_table)
            sql = f"UPDATE {table} SET {assignments} WHERE id = %s"  # noqa: S608
            cursor.executemany(sql, to_update)


def _from_raw(wave: Wave) -> dict:
    return contributions(_raw_answers(wave))


@dataclass(slots=True)
class _StoredAnswer:
    """An answer read as plain values, with its item (see contributions)."""

    item: Item
    number: float | None
    missing: int | None


def _raw_answers(wave: Wave) -> list[tuple[Respondent, list[_StoredAnswer]]]:
    """The wave's answers grouped by submission, read as plain values.

    Three model instances per answer (answer, item, respondent) were most of the time
    of check_aggregates and rebuild_aggregates; items and respondents are loaded once.
    """
    # By explicit submission ids rather than a join on the wave: without fresh
    # statistics PostgreSQL may plan the join as a walk over every answer in the table.
    submissions = dict(
        Submission.objects.filter(wave=wave).values_list("pk", "respondent_id")
    )
    rows = list(
        Answer.objects.filter(submission_id__in=list(submissions))
        .order_by("submission_id", "pk")
        .values_list("submission_id", "item_id", "number", "missing")
    ) if submissions else []
    respondents = Respondent.objects.in_bulk(set(submissions.values()))
    items = Item.objects.in_bulk({row[1] for row in rows})
    grouped: dict[int, tuple[Respondent, list[_StoredAnswer]]] = {}
    for submission_id, item_id, number, missing in rows:
        item = items[item_id]
        entry = grouped.get(submission_id)
        if entry is None:
            entry = grouped[submission_id] = (respondents[submissions[submission_id]], [])
        entry[1].append(_StoredAnswer(item, number, missing))
    return list(grouped.values())


@transaction.atomic
def rebuild(waves: Iterable[Wave]) -> int:
    """Recompute the aggregates of these waves from the raw answers."""
    count = 0
    for wave in waves:
        Aggregate.objects.filter(wave=wave).delete()
        cells, items = _sum_cells(_raw_answers(wave))
        _insert_cells(wave, cells.items(), {item_id: item.code for item_id, item in items.items()})
        count += len(cells)
    return count


def mismatches(waves: Iterable[Wave], tolerance: float = 1e-6) -> list[str]:
    """Every difference between the stored aggregates and a fresh computation."""
    problems = []
    for wave in waves:
        fresh = _from_raw(wave)
        stored = {(row.item_id, row.breakdown): row for row in Aggregate.objects.filter(wave=wave)}
        for key in sorted(set(fresh) | set(stored), key=str):
            cell, row = fresh.get(key), stored.get(key)
            label = f"{wave} item {key[0]} {key[1]}"
            if cell is None or row is None:
                problems.append(f"{label}: {'missing' if row is None else 'unexpected'} row")
                continue
            same = (
                (row.n, row.n_missing, row.n_top) == (cell.n, cell.n_missing, cell.n_top)
                and abs(row.total - cell.total) <= tolerance * max(1.0, abs(cell.total))
                and abs(row.total_sq - cell.total_sq) <= tolerance * max(1.0, abs(cell.total_sq))
                and Counter(row.counts) == cell.counts
            )
            if not same:
                problems.append(f"{label}: stored n={row.n} sum={row.total}, "
                                f"raw n={cell.n} sum={cell.total}")
    return problems
