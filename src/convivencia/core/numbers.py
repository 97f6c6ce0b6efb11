"""Numbers and numeric codes as publishers write them in their files."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

_DIGITS = re.compile(r"[0-9]+")
_SPREADSHEET_INTEGER = re.compile(r"([0-9]+)\.0+")
_THOUSANDS = re.compile(r"[0-9]{1,3}([.,' ][0-9]{3})+")


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
        raise ValueError(_("“%(code)s” has more than %(width)s digits") % {
            "code": text, "width": width,
        })
    return text.zfill(width)


def parse_decimal(text: str) -> Decimal:
    """A number written with a decimal point or a decimal comma. Raises ValueError."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if "," in cleaned and "." in cleaned:
        # Whichever separator comes last is the decimal one: 1.234,5 or 1,234.5.
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    else:
        cleaned = cleaned.replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not cleaned:
        raise ValueError(_("“%(value)s” is not a number") % {"value": text})
    return number


def parse_integer(text: str) -> int:
    """A whole number; thousands separators and a spreadsheet's “.0” are accepted."""
    cleaned = text.strip().replace("\u00a0", " ")
    if _THOUSANDS.fullmatch(cleaned):
        cleaned = re.sub(r"[.,' ]", "", cleaned)
    try:
        number = parse_decimal(cleaned)
    except ValueError:
        number = None
    if number is None or number != number.to_integral_value():
        raise ValueError(_("“%(value)s” is not a whole number") % {"value": text})
    return int(number)

