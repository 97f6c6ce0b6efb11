"""Cells for CSV and XLSX files that a spreadsheet program never runs as formulas.

Every file the product writes for people to open in Excel or LibreOffice goes
through here, because its cells hold text typed by providers, leaders and
coordinators: a commitment titled ``=HYPERLINK("http://…","x")`` must reach the
reader as that text, not as a live link or a command.

The rule is OWASP's for CSV injection: a text cell that begins with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return gets a single quote (``'``) in
front, so spreadsheet programs read it as text; the original follows the quote
unchanged. Numbers, dates and booleans are written as they are (a negative
number stays a number), and so is text that is nothing but a signed decimal
number (``-5``, ``+2.5``): a spreadsheet reads it as that number and nothing
else, and a quote would make an answer of ``-5`` text that no longer reads as one.

In XLSX, openpyxl stores a string that begins with ``=`` as a formula; after
``safe_cell`` no string does, so every text is stored as a string cell.

A workbook that programs read back (an XLSForm goes to pyxform, KoBoToolbox and
ODK) must keep its texts exactly: ``append_verbatim_row`` writes dangerous text
unchanged as a string cell marked "quote prefix", the flag Excel sets when a
person types ``'=…``: the cell shows and stays text, even when edited, and
programs read the text without a quote.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from openpyxl.cell import WriteOnlyCell

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"

# Written as they are; anything else is text (a model instance, a lazy translation…), as
# csv.writer would write it with str().
_NOT_TEXT = (int, float, Decimal, datetime.date, datetime.time, datetime.timedelta, type(None))

# Only ASCII digits: a spreadsheet may not read other scripts' digits as a number.
_SIGNED_NUMBER = re.compile(r"[+-][0-9]+(?:\.[0-9]+)?", re.ASCII)


def is_dangerous(text: str) -> bool:
    """Whether a spreadsheet program could run ``text`` as a formula."""
    return text.startswith(DANGEROUS_STARTS) and not _SIGNED_NUMBER.fullmatch(text)


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet may show it: dangerous text behind a quote, the rest as is."""
    if isinstance(value, _NOT_TEXT):
        return value
    text = str(value)
    return QUOTE + text if is_dangerous(text) else text


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]


class _Stream(Protocol):
    def write(self, text: str, /) -> Any: ...


def _quoting_line_breaks(writer: Any) -> Any:
    """``writer``, once sure that it quotes a cell holding a line break.

    csv quotes a cell that holds a character of the line terminator, and only those:
    with "\\n" alone, a cell "'\\r=1+1" would go out bare and a spreadsheet would start
    a new row at "=1+1". CRLF, the format's own (RFC 4180), quotes both.
    """
    terminator = writer.dialect.lineterminator
    if not {"\r", "\n"} <= set(terminator):
        raise ValueError(
            f"lineterminator {terminator!r} must hold both \\r and \\n, so that a cell "
            "with a line break is quoted"
        )
    return writer


class CsvWriter:
    """``csv.writer`` whose cells go through ``safe_cell``.

    ``writerow`` returns what the stream's ``write`` returns, so a stream that
    echoes its input turns the writer into a line generator for streaming responses.
    """

    def __init__(self, stream: _Stream, **options: Any) -> None:
        self._writer = _quoting_line_breaks(csv.writer(stream, **options))

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


# csv.DictWriter takes a type argument only from Python 3.12; the checker needs it now.
if TYPE_CHECKING:
    _DictWriter = csv.DictWriter[str]
else:
    _DictWriter = csv.DictWriter


class CsvDictWriter(_DictWriter):
    """``csv.DictWriter`` whose cells go through ``safe_cell``."""

    def __init__(self, stream: _Stream, fieldnames: Collection[str], **options: Any) -> None:
        super().__init__(stream, fieldnames, **options)
        _quoting_line_breaks(self.writer)

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({key: safe_cell(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for rowdict in rowdicts:
            self.writerow(rowdict)


class Echo:
    """A stream whose ``write`` returns what it is given: ``CsvWriter(Echo())`` yields lines."""

    def write(self, text: str) -> str:
        return text


def _verbatim_cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, _NOT_TEXT):
        return value
    text = str(value)
    if not is_dangerous(text):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl made "=…" a formula
    cell.quotePrefix = True
    return cell


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    """Append ``values`` to an openpyxl worksheet (normal or write-only) as ``safe_cell``s."""
    sheet.append(safe_row(values))


def append_verbatim_row(sheet: Any, values: Iterable[Any]) -> None:
    """Append ``values`` with texts unchanged, dangerous ones in quote-prefixed string cells.

    For workbooks that programs read back; a person opening one still sees text, not formulas.
    """
    sheet.append([_verbatim_cell(sheet, value) for value in values])
