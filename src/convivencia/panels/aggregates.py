"""Aggregates kept in step with the answers, and proof that they match.

For each item × wave × breakdown ("all", "sex:female", "role:jac", …) a row holds
n, sums and counts of scores, so pages never read raw answers. ``add`` applies a
batch of new submissions; ``rebuild`` recomputes from the raw answers;
``mismatches`` compares the two.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from convivencia.panels.choices import ItemType
from convivencia.panels.models import Aggregate, Answer, Item, Respondent, Wave

NUMERIC_TYPES = (ItemType.SCALE, ItemType.YES_NO, ItemType.SINGLE)


@dataclass
class Cell:
    n: int = 0
    n_missing: int = 0
    n_top: int = 0
    total: float = 0.0
    total_sq: float = 0.0
    counts: Counter = field(default_factory=Counter)

    def merge(self, other: Cell) -> None:
        self.n += other.n
        self.n_missing += other.n_missing
        self.n_top += other.n_top
        self.total += other.total
        self.total_sq += other.total_sq
        self.counts.update(other.counts)


def _scored(item: Item) -> bool:
    """Items whose answers are summed: scales, yes/no, and single choices with a range."""
    return item.type in NUMERIC_TYPES and item.scale_min is not None


def contributions(answers_by_respondent: Iterable[tuple[Respondent, Iterable]]) -> dict:
    """{(item, breakdown): Cell} for a batch of (respondent, answers) pairs.

    ``answers`` are objects with ``item``, ``number`` and ``missing`` (CleanAnswer or
    Answer). A multiple-choice item counts once per respondent in ``n`` and once
    per option chosen in ``counts``.
    """
    cells: dict[tuple[int, str], Cell] = defaultdict(Cell)
    items: dict[int, Item] = {}
    for respondent, answers in answers_by_respondent:
        per_item: dict[int, Cell] = defaultdict(Cell)
        for answer in answers:
            item = answer.item
            items[item.pk] = item
            cell = per_item[item.pk]
            if answer.missing is not None:
                cell.n_missing = 1
                cell.counts[str(answer.missing)] += 1
                continue
            if answer.number is None:  # free text: counted, not summed
                cell.n = 1
                continue
            cell.counts[str(int(answer.number))] += 1
            if item.type == ItemType.MULTIPLE:
                cell.n = 1
                continue
            cell.n = 1
            if _scored(item):
                score = item.score(answer.number)
                cell.total += score
                cell.total_sq += score * score
                cell.n_top += int(item.is_top(score))
            elif item.type == ItemType.NUMBER:
                cell.total += answer.number
                cell.total_sq += answer.number * answer.number
        for key in respondent.breakdown_keys():
            for item_id, cell in per_item.items():
                cells[(item_id, key)].merge(cell)
    return cells


@transaction.atomic
def add(wave: Wave, batch: list[tuple[Respondent, Iterable]]) -> None:
    """Fold a batch of new submissions into the wave's aggregate rows."""
    cells = contributions(batch)
    if not cells:
        return
    existing = {
        (row.item_id, row.breakdown): row
        for row in Aggregate.objects.select_for_update().filter(wave=wave)
    }
    codes = dict(Item.objects.filter(pk__in={k[0] for k in cells}).values_list("pk", "code"))
    to_create, to_update = [], []
    for (item_id, breakdown), cell in cells.items():
        row = existing.get((item_id, breakdown))
        if row is None:
            to_create.append(Aggregate(
                wave=wave, item_id=item_id, item_code=codes[item_id],
                territory_id=wave.panel.territory_id, period=wave.period, breakdown=breakdown,
                n=cell.n, n_missing=cell.n_missing, n_top=cell.n_top, total=cell.total,
                total_sq=cell.total_sq, counts=dict(cell.counts),
            ))
            continue
        row.n += cell.n
        row.n_missing += cell.n_missing
        row.n_top += cell.n_top
        row.total += cell.total
        row.total_sq += cell.total_sq
        merged = Counter(row.counts)
        merged.update(cell.counts)
        row.counts = dict(merged)
        to_update.append(row)
    Aggregate.objects.bulk_create(to_create, batch_size=2000)
    Aggregate.objects.bulk_update(
        to_update, ["n", "n_missing", "n_top", "total", "total_sq", "counts"], batch_size=2000
    )


def _from_raw(wave: Wave) -> dict:
    answers = (
        Answer.objects.filter(submission__wave=wave)
        .select_related("item", "submission__respondent")
        .order_by("submission_id")
    )
    grouped: dict[int, tuple[Respondent, list]] = {}
    for answer in answers.iterator(chunk_size=5000):
        respondent = answer.submission.respondent
        grouped.setdefault(answer.submission_id, (respondent, []))[1].append(answer)
    return contributions(grouped.values())


@transaction.atomic
def rebuild(waves: Iterable[Wave]) -> int:
    """Recompute the aggregates of these waves from the raw answers."""
    count = 0
    for wave in waves:
        Aggregate.objects.filter(wave=wave).delete()
        cells = _from_raw(wave)
        codes = dict(Item.objects.filter(pk__in={k[0] for k in cells}).values_list("pk", "code"))
        Aggregate.objects.bulk_create(
            [
                Aggregate(
                    wave=wave, item_id=item_id, item_code=codes[item_id],
                    territory_id=wave.panel.territory_id, period=wave.period,
                    breakdown=breakdown, n=cell.n, n_missing=cell.n_missing, n_top=cell.n_top,
                    total=cell.total, total_sq=cell.total_sq, counts=dict(cell.counts),
                )
                for (item_id, breakdown), cell in cells.items()
            ],
            batch_size=2000,
        )
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
