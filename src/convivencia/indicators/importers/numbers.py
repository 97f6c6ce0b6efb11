"""Numbers as people type them: 1234, 1.234, 1,234, 1.234,5, 1,234.5, 1 234.

A file writes all its numbers one way, so the decimal separator is decided once
per column, from the values that reveal it: "12,5", "0,25" or "1.234,5" say the
comma is the decimal separator; "12.5" or "1,234.5" say the point is; "1.234.567"
says the point groups thousands. A column revealing both is refused: guessing
would turn 1.234 into 1234 in one row and into 1.234 in the next.

A value that reveals nothing ("1.234": one thousand and more, or one and a bit?)
is read with thousands only where a whole number is expected (a count of crimes);
elsewhere it is refused as ambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

COMMA, POINT = ",", "."

# Spaces (also non-breaking) and apostrophes group thousands in some locales: 1 234, 1'234.
_GROUPING = re.compile(r"(?<=[0-9])[ \u00a0\u202f'](?=[0-9]{3}(?![0-9]))")
_SHAPE = re.compile(r"[+-]?[0-9.,]+")


def _clean(text: str) -> str:
    return _GROUPING.sub("", text.strip())


def _other(separator: str) -> str:
    return POINT if separator == COMMA else COMMA


def reveals(text: str) -> str | None:
    """The decimal separator this value shows, or None if it shows none."""
    cleaned = _clean(text)
    if not _SHAPE.fullmatch(cleaned):
        return None
    digits = cleaned.lstrip("+-")
    points, commas = digits.count(POINT), digits.count(COMMA)
    if points and commas:
        return COMMA if digits.rfind(COMMA) > digits.rfind(POINT) else POINT
    for separator, count in ((POINT, points), (COMMA, commas)):
        if count > 1:
            return _other(separator)  # repeated: it groups thousands
        if count == 1:
            before, after = digits.split(separator)
            # Only "1.234"-like values could be thousands: 1 to 3 leading digits, not 0.
            if len(after) != 3 or not 1 <= len(before) <= 3 or before == "0":
                return separator
    return None


@dataclass(frozen=True)
class Decision:
    """The column's decimal separator (None: no value says) or why it cannot be decided."""

    decimal: str | None
    problem: str = ""


def decide(values: Iterable[tuple[int, str]]) -> Decision:
    """Decide a column's decimal separator from (row number, text) pairs."""
    rows: dict[str, list[int]] = {COMMA: [], POINT: []}
    for number, text in values:
        separator = reveals(text)
        if separator is not None:
            rows[separator].append(number)
    if rows[COMMA] and rows[POINT]:
        return Decision(None, _(
            "the column mixes decimal commas (rows %(commas)s) and decimal points "
            "(rows %(points)s); write every number the same way"
        ) % {"commas": _rows(rows[COMMA]), "points": _rows(rows[POINT])})
    if rows[COMMA]:
        return Decision(COMMA)
    if rows[POINT]:
        return Decision(POINT)
    return Decision(None)


def _rows(numbers: list[int], limit: int = 5) -> str:
    shown = ", ".join(str(number) for number in numbers[:limit])
    return f"{shown}, …" if len(numbers) > limit else shown


def parse(text: str, decimal: str | None, *, whole: bool) -> Decimal:
    """The value of ``text`` under the column's decimal separator. Raises ValueError."""
    cleaned = _clean(text)
    if not cleaned:
        raise ValueError(_("the value is empty"))
    if not _SHAPE.fullmatch(cleaned):
        raise ValueError(_("“%(value)s” is not a number") % {"value": text})
    sign = "-" if cleaned.startswith("-") else ""
    digits = cleaned.lstrip("+-")
    if decimal is None:
        separator = next((s for s in (POINT, COMMA) if s in digits), None)
        if separator is not None:
            # Nothing in the column says which separator is decimal, so this value is
            # "1.234"-like (see ``reveals``): a thousands group, unless decimals are possible.
            if not whole:
                raise ValueError(_(
                    "“%(value)s” is ambiguous: %(thousands)s or %(decimal)s? No other value "
                    "in the column shows the decimal separator; write it with decimals "
                    "(e.g. %(example)s)"
                ) % {"value": text, "thousands": digits.replace(separator, ""),
                     "decimal": digits.replace(separator, "."),
                     "example": f"{digits}{_other(separator)}0"})
            digits = digits.replace(separator, "")
        return _decimal(sign + digits, text, whole)
    thousands = _other(decimal)
    pattern = (
        rf"(?:[0-9]{{1,3}}(?:{re.escape(thousands)}[0-9]{{3}})+|[0-9]+)"
        rf"(?:{re.escape(decimal)}[0-9]+)?"
    )
    if not re.fullmatch(pattern, digits):
        raise ValueError(_(
            "“%(value)s” is not a number written with “%(decimal)s” for decimals and "
            "“%(thousands)s” for thousands, as the rest of the column"
        ) % {"value": text, "decimal": decimal, "thousands": thousands})
    plain = digits.replace(thousands, "").replace(decimal, ".")
    return _decimal(sign + plain, text, whole)


def _decimal(plain: str, text: str, whole: bool) -> Decimal:
    try:
        number = Decimal(plain)
    except InvalidOperation as exc:
        raise ValueError(_("“%(value)s” is not a number") % {"value": text}) from exc
    if whole and number != number.to_integral_value():
        raise ValueError(_("“%(value)s” is not a whole number, and this data element counts "
                           "whole things") % {"value": text})
    return number
