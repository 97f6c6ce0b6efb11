"""Analysis of a study's coding: frequencies by case attribute, co-occurrence and the
agreement between two coders.

The unit of analysis is the **paragraph** of a de-identified document (text between
blank lines, or between line breaks when a document has no blank lines: one turn of an
interview). A coder "applied code C to a unit" when any of their segments carrying C
overlaps the unit by at least one character. Agreement between two coders is computed
over every unit of the documents both have coded, per code (a 2×2 table of yes/no for
that code) and overall (one 2×2 table pooling every unit × code decision), with
statsmodels' Cohen's kappa. Co-occurrence counts the units where two codes were both
applied (by anyone). Frequencies count segments, and the documents they come from.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
from statsmodels.stats.inter_rater import cohens_kappa

from convivencia.studies.choices import ATTRIBUTE_CHOICES, CASE_ATTRIBUTES
from convivencia.studies.models import Code, Document, Segment, Study

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def units(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each paragraph unit of ``text``, blank ones left out."""
    breaks = _PARAGRAPH_BREAK if _PARAGRAPH_BREAK.search(text) else re.compile(r"\n")
    spans = []
    start = 0
    for match in breaks.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _overlaps(unit: tuple[int, int], start: int, end: int) -> bool:
    return start < unit[1] and end > unit[0]


def coded_units(document: Document, segments: list[Segment]) -> dict[tuple[int, int], set[int]]:
    """For each unit of the document, the ids of the codes applied to it by ``segments``."""
    result: dict[tuple[int, int], set[int]] = {unit: set() for unit in units(document.text)}
    for segment in segments:
        code_ids = {code.pk for code in segment.codes.all()}
        for unit in result:
            if _overlaps(unit, segment.start, segment.end):
                result[unit] |= code_ids
    return result


@dataclass
class Agreement:
    """Cohen's kappa between two coders; ``kappa`` is None when it is undefined (both
    coders gave one and the same answer for every unit: chance agreement is 1)."""

    code: Code | None  # None for the overall figure
    kappa: float | None
    observed: float
    table: list[list[int]] = field(default_factory=list)  # [[both yes, A only], [B only, neither]]


def _kappa(table: list[list[int]], code: Code | None) -> Agreement:
    total = sum(sum(row) for row in table)
    observed = (table[0][0] + table[1][1]) / total if total else 0.0
    a_yes = (table[0][0] + table[0][1]) / total if total else 0.0
    b_yes = (table[0][0] + table[1][0]) / total if total else 0.0
    expected = a_yes * b_yes + (1 - a_yes) * (1 - b_yes)
    if not total or expected >= 1:
        return Agreement(code, None, observed, table)
    # statsmodels also computes a z test whose variance can be 0 on a tiny table; only
    # the kappa is used here, so its division warning is silenced.
    with np.errstate(divide="ignore", invalid="ignore"):
        result = cohens_kappa(np.array(table))
    return Agreement(code, float(result.kappa), observed, table)


def agreement(study: Study, coder_a, coder_b) -> tuple[list[Agreement], Agreement, int]:
    """Kappa per code and overall between two coders, over the documents both coded; also
    the number of units compared."""
    codes = list(study.codes.all())
    both = (
        Document.objects.filter(study=study, segments__coder=coder_a)
        .filter(segments__coder=coder_b)
        .distinct()
    )
    tables = {code.pk: [[0, 0], [0, 0]] for code in codes}
    unit_count = 0
    for document in both:
        segments = list(document.segments.prefetch_related("codes"))
        by_a = coded_units(document, [s for s in segments if s.coder_id == coder_a.pk])
        by_b = coded_units(document, [s for s in segments if s.coder_id == coder_b.pk])
        unit_count += len(by_a)
        for unit, a_codes in by_a.items():
            b_codes = by_b[unit]
            for code in codes:
                row = 0 if code.pk in a_codes else 1
                column = 0 if code.pk in b_codes else 1
                tables[code.pk][row][column] += 1
    per_code = [_kappa(tables[code.pk], code) for code in codes]
    pooled = [[0, 0], [0, 0]]
    for table in tables.values():
        for i in range(2):
            for j in range(2):
                pooled[i][j] += table[i][j]
    return per_code, _kappa(pooled, None), unit_count


def coders(study: Study) -> list[Any]:
    """The people who coded segments in the study."""
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(study_segments__document__study=study)
        .distinct()
        .order_by("username")
    )


def frequencies(study: Study, attribute: str) -> dict[str, Any]:
    """Segments per code for each value of a case attribute (locality, actor type, sex,
    age band), with the documents each count comes from."""
    if attribute not in CASE_ATTRIBUTES:
        raise ValueError(f"not a case attribute: {attribute}")
    choices = ATTRIBUTE_CHOICES.get(attribute)
    labels: dict[str, str] = dict(choices.choices) if choices else {}
    segments = Segment.objects.filter(document__study=study).prefetch_related("codes")
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    documents: dict[tuple[int, str], set[int]] = defaultdict(set)
    values: set[str] = set()
    for segment in segments.select_related("document"):
        value = getattr(segment.document, attribute) or ""
        values.add(value)
        for code in segment.codes.all():
            counts[code.pk][value] += 1
            documents[(code.pk, value)].add(segment.document_id)
    columns = sorted(values)
    rows = []
    for code in study.codes.all():
        cells = [
            {"segments": counts[code.pk][value], "documents": len(documents[(code.pk, value)])}
            for value in columns
        ]
        rows.append({"code": code, "cells": cells, "total": sum(counts[code.pk].values())})
    return {
        "attribute": attribute,
        "columns": [str(labels.get(value, value)) if value else "—" for value in columns],
        "rows": rows,
    }


def cooccurrence(study: Study) -> list[tuple[Code, Code, int]]:
    """Pairs of codes applied in the same unit (by anyone), most frequent first."""
    pairs: Counter[tuple[int, int]] = Counter()
    for document in Document.objects.filter(study=study).prefetch_related("segments__codes"):
        coded = coded_units(document, list(document.segments.all()))
        for code_ids in coded.values():
            for pair in combinations(sorted(code_ids), 2):
                pairs[pair] += 1
    codes = {code.pk: code for code in study.codes.all()}
    return [(codes[a], codes[b], n) for (a, b), n in pairs.most_common()]


def segments_by_code(study: Study) -> list[tuple[Code, list[Segment]]]:
    """Each code with the segments that carry it (codes without any left out)."""
    segments = (
        Segment.objects.filter(document__study=study)
        .select_related("document", "coder")
        .prefetch_related("codes")
        .order_by("document__title", "start", "pk")
    )
    by_code: dict[int, list[Segment]] = defaultdict(list)
    for segment in segments:
        for code in segment.codes.all():
            by_code[code.pk].append(segment)
    return [(code, by_code[code.pk]) for code in study.codes.all() if by_code[code.pk]]
