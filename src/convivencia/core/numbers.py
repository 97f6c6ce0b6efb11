"""Numbers and numeric codes as publishers and people write them: one reader.

``parse_number(text, decimal=…, ambiguous=…, whole=…)`` reads every number an importer
takes; the locale rule is a parameter, never a guess made twice in two places.

- ``decimal=","`` or ``"."``: the file (or the column, see ``decide``) writes decimals so;
  the other separator groups thousands, in threes ("1.234.567,5" / "1,234,567.5").
- ``decimal="auto"``: the value says it itself (see ``reveals``): with both separators the
  last is decimal; one repeated groups thousands; one alone not followed by exactly
  three digits is decimal ("12,5", "0.123"). What is left, one separator alone after
  one to three digits (not "0") and before exactly three ("1.200", "1,200"), is
  *ambiguous* and decided by ``ambiguous``: ``"thousands"`` (1200), ``"decimal"`` (1.2)
  or ``"refuse"`` (AmbiguousNumber, a ValueError naming both readings).

Always accepted: spaces around; a space, no-break space, narrow no-break space or
apostrophe between thousands groups ("1 200", "1'200"); a sign "+", "-" or the typographic
minus "−" (U+2212) in front. Always refused with a message: empty, "-", "N/A", words,
percentages ("12%"), the accounting form "(12)", NaN and infinity, digits of other
scripts, a space that does not group thousands ("1 2"). ``whole=True`` refuses fractions
("12.0", a spreadsheet's float, is whole).

What the four readers did before they became this one (issue 13; "ref." = refused):

=========== ================ ================== ================== ===================
input       area km² (terr.) integers (terr.)   tidy crime values  budgets (evidence)
=========== ================ ================== ================== ===================
"1.200"     1.2              1200               ref.; 1200 counts  1200 (COP); ref.
"1,200"     1.2              1200               ref.; 1200 counts  1200 (COP); ref.
"1.200,5"   1200.5           ref.               1200.5             1200.5
"1,200.5"   1200.5           ref.               1200.5             1200.5
"12,5"      12.5             ref.               12.5               12.5
"−3"        ref.             ref.               ref.               ref.
" 1 200 "   1200             1200               1200               1200
"1 2"       **12**           **12**             ref.               ref.
"1.200.000" ref.             1200000            1200000            1200000
"(12)", "12%", "", "N/A", "-": refused by all four.
=========== ================ ================== ================== ===================

Integers are years, populations (DANE, World Bank, CONAPO) and counts (Policía, SESNSP);
tidy values were read under the column's decided separator, a "1.200"-like value
being thousands only in a count; a budget's "1.200" was thousands when the currency
has at most two decimals. The rules each caller now passes reproduce those readings,
with these changes: a space that groups nothing ("1 2" read as 12, a silent bug in
population figures, crime counts and areas) is refused; exponents ("1e3", read as 1000
by the old area and integer readers) are refused; the typographic minus is read as a
minus; an area grouped in thousands ("1.200.000", refused before) is read. The area
keeps its lone-separator-is-decimal rule: DANE's MGN writes km² with three decimals
("374.831"). A DANE population "1.200" is 1200, as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final, Literal

from django.utils import formats
from django.utils.translation import gettext as _

COMMA: Final = ","
POINT: Final = "."
Separator = Literal[",", "."]
DecimalRule = Literal[",", ".", "auto"]
AmbiguousRule = Literal["thousands", "decimal", "refuse"]

# Spaces (also non-breaking) and apostrophes group thousands in some locales: 1 234, 1'234.
_GROUPING = re.compile(r"(?<=[0-9])[ \u00a0\u202f'](?=[0-9]{3}(?![0-9]))")
_SHAPE = re.compile(r"[+-]?[0-9.,]+")
_MINUS = "\u2212"


class AmbiguousNumber(ValueError):
    """ "1.200"-like text under ``ambiguous="refuse"``: both readings, for the caller's advice."""

    def __init__(self, text: str, thousands: Decimal, decimal: Decimal) -> None:
        self.text = text
        self.thousands = thousands
        self.decimal = decimal
        super().__init__(
            _("“%(value)s” is ambiguous: %(thousands)s or %(decimal)s?")
            % {"value": text, "thousands": thousands, "decimal": decimal}
        )


def _clean(text: str) -> str:
    return _GROUPING.sub("", text.strip().replace(_MINUS, "-"))


def _other(separator: str) -> str:
    return POINT if separator == COMMA else COMMA


def reveals(text: str) -> Separator | None:
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
            return COMMA if separator == POINT else POINT  # repeated: it groups thousands
        if count == 1:
            before, after = digits.split(separator)
            # Only "1.234"-like values could be thousands: 1 to 3 leading digits, not 0.
            if len(after) != 3 or not 1 <= len(before) <= 3 or before == "0":
                return COMMA if separator == COMMA else POINT
    return None


@dataclass(frozen=True)
class Decision:
    """A column's decimal separator (None: no value says) or why it cannot be decided."""

    decimal: Separator | None
    problem: str = ""


def decide(values: Iterable[tuple[int, str]]) -> Decision:
    """Decide a column's decimal separator from (row number, text) pairs.

    A file writes all its numbers one way: a column revealing both separators is refused,
    since guessing would turn 1.234 into 1234 in one row and into 1.234 in the next.
    """
    rows: dict[str, list[int]] = {COMMA: [], POINT: []}
    for number, text in values:
        separator = reveals(text)
        if separator is not None:
            rows[separator].append(number)
    if rows[COMMA] and rows[POINT]:
        return Decision(
            None,
            _(
                "the column mixes decimal commas (rows %(commas)s) and decimal points "
                "(rows %(points)s); write every number the same way"
            )
            % {"commas": _rows(rows[COMMA]), "points": _rows(rows[POINT])},
        )
    if rows[COMMA]:
        return Decision(COMMA)
    if rows[POINT]:
        return Decision(POINT)
    return Decision(None)


def _rows(numbers: list[int], limit: int = 5) -> str:
    shown = ", ".join(str(number) for number in numbers[:limit])
    return f"{shown}, …" if len(numbers) > limit else shown


def parse_number(
    text: str,
    *,
    decimal: DecimalRule,
    ambiguous: AmbiguousRule = "refuse",
    whole: bool = False,
) -> Decimal:
    """The value of ``text`` under the locale rule (see the module). Raises ValueError."""
    if decimal not in (COMMA, POINT, "auto"):
        raise TypeError(f"decimal must be ',', '.' or 'auto', not {decimal!r}")
    if ambiguous not in ("thousands", "decimal", "refuse"):
        raise TypeError(f"ambiguous must be 'thousands', 'decimal' or 'refuse', not {ambiguous!r}")
    cleaned = _clean(text)
    if not cleaned:
        raise ValueError(_("the value is empty"))
    if not _SHAPE.fullmatch(cleaned) or not any(ch.isdigit() for ch in cleaned):
        raise ValueError(_("“%(value)s” is not a number") % {"value": text})
    sign = "-" if cleaned.startswith("-") else ""
    digits = cleaned.lstrip("+-")
    separator: str | None = decimal
    if decimal == "auto":
        separator = reveals(cleaned)
        if separator is None:
            separator = _lone(text, sign, digits, ambiguous)
    if separator is None:
        return _decimal(sign + digits, text, whole)
    thousands = _other(separator)
    pattern = (
        rf"(?:[0-9]{{1,3}}(?:{re.escape(thousands)}[0-9]{{3}})+|[0-9]+)"
        rf"(?:{re.escape(separator)}[0-9]+)?"
    )
    if not re.fullmatch(pattern, digits):
        raise ValueError(
            _(
                "“%(value)s” is not a number written with “%(decimal)s” for decimals and "
                "“%(thousands)s” for thousands"
            )
            % {"value": text, "decimal": separator, "thousands": thousands}
        )
    plain = digits.replace(thousands, "").replace(separator, ".")
    return _decimal(sign + plain, text, whole)


def _lone(text: str, sign: str, digits: str, ambiguous: AmbiguousRule) -> str | None:
    """The decimal separator of a value that reveals none: None for plain digits, else the
    reading ``ambiguous`` chooses for "1.200"-like text."""
    lone = next((s for s in (POINT, COMMA) if s in digits), None)
    if lone is None:
        return None
    if ambiguous == "decimal":
        return lone
    if ambiguous == "thousands":
        return _other(lone)
    raise AmbiguousNumber(
        text, Decimal(sign + digits.replace(lone, "")), Decimal(sign + digits.replace(lone, "."))
    )


def _decimal(plain: str, text: str, whole: bool) -> Decimal:
    try:
        number = Decimal(plain)
    except InvalidOperation as exc:
        raise ValueError(_("“%(value)s” is not a number") % {"value": text}) from exc
    if whole and number != number.to_integral_value():
        raise ValueError(_("“%(value)s” is not a whole number") % {"value": text})
    return number


def parse_integer(text: str) -> int:
    """A whole number as the integer columns of published files write it: thousands
    grouped by ".", ",", space or apostrophe, and a spreadsheet's "2015.0".
    A lone "1.200" is 1200 (a population, a count, a year). Raises ValueError."""
    try:
        number = parse_number(text, decimal="auto", ambiguous="thousands", whole=True)
    except ValueError as exc:
        raise ValueError(_("“%(value)s” is not a whole number") % {"value": text}) from exc
    return int(number)


_DIGITS = re.compile(r"[0-9]+")
_SPREADSHEET_INTEGER = re.compile(r"([0-9]+)\.0+")


def parse_code(text: str, width: int) -> str:
    """A numeric code, padded back to ``width`` digits if a spreadsheet dropped zeros.

    Raises ValueError with a message for the user.
    """
    text = text.strip()
    match = _SPREADSHEET_INTEGER.fullmatch(text)
    if match:
        text = match.group(1)
    if not text:
        raise ValueError(_("the code is empty"))
    if not _DIGITS.fullmatch(text):
        raise ValueError(_("“%(code)s” is not a numeric code") % {"code": text})
    if len(text) > width:
        raise ValueError(
            _("“%(code)s” has more than %(width)s digits")
            % {
                "code": text,
                "width": width,
            }
        )
    return text.zfill(width)


def written(number: float | None, places: int = 1) -> str:
    """``number`` as ``floatformat:places`` writes it, "" for None.

    Half up, with the active language's decimal separator and no grouping. For tables of
    hundreds of figures (a national map, a 36-wave trend): the filter's per-call work
    was most of those pages' rendering.
    """
    if number is None:
        return ""
    step = Decimal(1).scaleb(-places)
    rounded = Decimal(repr(number)).quantize(step, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # floatformat writes "0.0", never "-0.0"
    return str(rounded).replace(".", formats.get_format("DECIMAL_SEPARATOR"))
