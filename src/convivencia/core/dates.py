"""Dates and months as publishers' files write them: one reader, the day order a parameter.

``parse_date(text, day_first=…)`` reads, in this order:

- an ISO date, alone or with a time after it ("2023-03-22", "2023-03-22T00:00:00": what
  ``core.reading`` makes of a workbook's date and datetime cells);
- a date with slashes, "22/03/2023" when ``day_first`` (Colombian and Mexican files),
  "03/22/2023" otherwise, a time after it ignored ("22/03/2023 00:00");
- an Excel serial number ("45009", "45009.0": a date cell saved as a plain number), in
  the 1900 date system, when ``serial`` (the 1904 one is only used by old Mac workbooks,
  and a CSV does not say which one it came from).

``parse_month(text)`` reads a month "YYYY-MM" as the date of its first day; with
``cell=True`` also the first day itself ("2024-03-01", "2024-03-01T00:00:00"), which
is what a spreadsheet makes of a typed "2024-03".

Both raise ValueError with a message for the user. DHIS2 period codes ("2024Q1",
"2024W05") are another language, read by ``indicators.periods``.
"""

from __future__ import annotations

import datetime
import re

from django.utils.translation import gettext as _

_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\s.*)?")
_SERIAL = re.compile(r"\d{4,6}(?:\.0+)?")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_MONTH_CELL = re.compile(r"(\d{4})-(\d{2})(?:-01(?:[T ]00:00:00)?)?")


def parse_date(text: str, *, day_first: bool, serial: bool = True) -> datetime.date:
    """A date written as the module says; ``day_first`` decides "03/04/2023". Raises
    ValueError."""
    text = text.strip()
    if not text:
        raise ValueError(_("the date is empty"))
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        pass
    match = _SLASHED.fullmatch(text)
    if match:
        first, second, year = (int(part) for part in match.groups())
        day, month = (first, second) if day_first else (second, first)
        try:
            return datetime.date(year, month, day)
        except ValueError:
            pass
    if serial and _SERIAL.fullmatch(text):
        date = _from_serial(float(text))
        if date is not None:
            return date
    example = "22/03/2023" if day_first else "03/22/2023"
    if serial:
        message = _("“%(value)s” is not a date (e.g. 2023-03-22, %(example)s or an Excel date)")
    else:
        message = _("“%(value)s” is not a date (e.g. 2023-03-22 or %(example)s)")
    raise ValueError(message % {"value": text, "example": example})


def _from_serial(number: float) -> datetime.date | None:
    import xlrd

    try:
        return xlrd.xldate.xldate_as_datetime(number, 0).date()
    except (ValueError, OverflowError, xlrd.xldate.XLDateError):
        return None


def parse_month(text: str, *, cell: bool = False) -> datetime.date:
    """'2024-03' → 2024-03-01 (and, from a spreadsheet ``cell``, '2024-03-01' too). Raises
    ValueError."""
    match = (_MONTH_CELL if cell else _MONTH).fullmatch(text.strip())
    if match:
        year, month = (int(part) for part in match.groups())
        try:
            return datetime.date(year, month, 1)
        except ValueError:
            pass  # month 13, or year 0
    raise ValueError(_("“%(value)s” is not a month written YYYY-MM") % {"value": text})
