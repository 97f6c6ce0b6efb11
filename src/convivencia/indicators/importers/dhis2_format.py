"""DHIS2 ``dataValueSets`` in its three encodings, read and written the same way.

DHIS2's web API ("Data values") exchanges a data value set as

- JSON: ``{"dataSet": …, "period": …, "orgUnit": …, "dataElementIdScheme": …,
  "dataValues": [{"dataElement": …, "period": …, "orgUnit": …,
  "categoryOptionCombo": …, "attributeOptionCombo": …, "value": …, …}]}``;
- XML, its own default: ``<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0"
  …header attributes…><dataValue dataElement="…" …/></dataValueSet>``;
- CSV in the documented column order: dataelement, period, orgunit,
  categoryoptioncombo, attributeoptioncombo, value, storedby, lastupdated,
  comment, followup, deleted — with a header row (DHIS2's default,
  ``firstRowIsHeader``) or without one. A CSV file has no header attributes:
  its id schemes are the importer's defaults.

``read`` turns any of them into a ``ValueSet`` (header attributes and one dict
per value, keyed by the JSON names); ``write_json``, ``write_xml`` and
``write_csv`` write one back, so what we export is what we read.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.utils.translation import gettext as _

from convivencia.core.reading import BadFile, Problem

DXF_NS = "http://dhis2.org/schema/dxf/2.0"
JSON, XML, CSV = "json", "xml", "csv"
CONTENT_TYPES = {
    JSON: "application/json",
    XML: "application/xml; charset=utf-8",
    CSV: "text/csv; charset=utf-8",
}

# The value keys, in DHIS2's CSV order; the CSV header names are these in lower case.
VALUE_KEYS = (
    "dataElement",
    "period",
    "orgUnit",
    "categoryOptionCombo",
    "attributeOptionCombo",
    "value",
    "storedBy",
    "lastUpdated",
    "comment",
    "followup",
    "deleted",
)
# Header names DHIS2 has used for the same CSV columns over its versions.
_CSV_ALIASES = {
    "catoptcombo": "categoryOptionCombo",
    "attroptcombo": "attributeOptionCombo",
    "timestamp": "lastUpdated",
    "created": "created",
}
_CSV_NAMES = {key.lower(): key for key in VALUE_KEYS} | _CSV_ALIASES
# Header attributes the importer reads; DHIS2 has more (completeDate, …), kept as given.
ID_SCHEME_KEYS = (
    "idScheme",
    "dataElementIdScheme",
    "orgUnitIdScheme",
    "categoryOptionComboIdScheme",
)


@dataclass
class ValueSet:
    """A data value set in any encoding: header attributes and the values as dicts."""

    encoding: str
    header: dict[str, Any] = field(default_factory=dict)
    values: list[Any] = field(default_factory=list)
    first_line: int = 1  # CSV: the line of the first value (2 after a header row)

    def where(self, index: int) -> tuple[int | None, str]:
        """(row, part) naming a value as its file's reader finds it."""
        if self.encoding == CSV:
            return None, _("line %(number)s") % {"number": self.first_line + index}
        if self.encoding == XML:
            return None, f"dataValue[{index + 1}]"
        return None, f"dataValues[{index}]"


def encoding_of(text: str) -> str:
    """JSON, XML or CSV, by the file's first character (DHIS2 files carry no other mark)."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("{", "[")):
        return JSON
    if stripped.startswith("<"):
        return XML
    return CSV


def read(text: str, file: str) -> ValueSet:
    """Any encoding; raises BadFile saying what is wrong with the document itself."""
    encoding = encoding_of(text)
    if encoding == JSON:
        return _read_json(text, file)
    if encoding == XML:
        return _read_xml(text, file)
    return _read_csv(text, file)


def _not_a_value_set(file: str, what: str) -> BadFile:
    return BadFile([Problem(file, None, None, what)])


def _read_json(text: str, file: str) -> ValueSet:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadFile(
            [
                Problem(
                    file,
                    exc.lineno,
                    None,
                    _("is not valid JSON: %(error)s (column %(column)s)")
                    % {"error": exc.msg, "column": exc.colno},
                )
            ]
        ) from exc
    if not isinstance(document, dict) or not isinstance(document.get("dataValues"), list):
        raise BadFile(
            [
                Problem(
                    file,
                    None,
                    "dataValues",
                    _("is not a DHIS2 data value set: it needs an object with a “dataValues” list"),
                )
            ]
        )
    header = {key: value for key, value in document.items() if key != "dataValues"}
    return ValueSet(JSON, header, document["dataValues"])


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _read_xml(text: str, file: str) -> ValueSet:
    try:
        root = fromstring(text.lstrip("\ufeff").encode("utf-8"))
    # LookupError: a declaration naming an encoding Python does not know ("tf-8").
    except (ParseError, DefusedXmlException, LookupError) as exc:
        raise _not_a_value_set(file, _("is not valid XML: %(error)s") % {"error": exc}) from exc
    if _local(root.tag) != "dataValueSet":
        raise _not_a_value_set(
            file,
            _("is not a DHIS2 data value set: its root element is “%(name)s”, not “dataValueSet”")
            % {"name": _local(root.tag)},
        )
    values: list[Any] = []
    for child in root.iter():
        if child is root or _local(child.tag) != "dataValue":
            continue
        value: dict[str, Any] = dict(child.attrib)
        # DHIS2 also accepts the value and comment as child elements.
        for part in child:
            name = _local(part.tag)
            if name in ("value", "comment") and name not in value:
                value[name] = part.text or ""
        values.append(value)
    return ValueSet(XML, dict(root.attrib), values)


def _read_csv(text: str, file: str) -> ValueSet:
    try:
        # newline="": the reader itself takes \r, \n and \r\n as the end of a record,
        # and quoted fields keep theirs.
        rows = [
            row for row in csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")) if any(row)
        ]
    except csv.Error as exc:
        raise _not_a_value_set(file, _("is not a readable CSV: %s") % exc) from exc
    if not rows:
        raise _not_a_value_set(file, _("is empty"))
    first = [cell.strip().lower() for cell in rows[0]]
    if first and first[0] in ("dataelement", "de"):
        names = [_CSV_NAMES.get(cell, cell) for cell in first]
        unknown = [rows[0][i] for i, name in enumerate(names) if name not in _CSV_NAMES.values()]
        if unknown:
            raise _not_a_value_set(
                file,
                _("the CSV header has columns DHIS2 does not define: %(names)s")
                % {"names": ", ".join(unknown)},
            )
        body, first_line = rows[1:], 2
    else:
        names, body, first_line = list(VALUE_KEYS), rows, 1
    values: list[Any] = []
    for row in body:
        value: dict[str, Any] = dict(zip(names, row, strict=False))
        if len(row) > len(names):
            value["__extra"] = row[len(names) :]
        values.append(value)
    return ValueSet(CSV, {}, values, first_line)


def is_true(value: Any) -> bool:
    """DHIS2's booleans: true in JSON, "true" in XML and CSV."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


# --- writing ------------------------------------------------------------------------------


def write_json(header: dict[str, str], values: Sequence[dict[str, str]]) -> bytes:
    return json.dumps({**header, "dataValues": list(values)}, ensure_ascii=False).encode("utf-8")


def write_xml(header: dict[str, str], values: Sequence[dict[str, str]]) -> bytes:
    root = Element("dataValueSet", {"xmlns": DXF_NS, **header})
    for value in values:
        SubElement(root, "dataValue", {key: value[key] for key in VALUE_KEYS if key in value})
    return tostring(root, encoding="utf-8", xml_declaration=True)


def write_csv(values: Sequence[dict[str, str]]) -> bytes:
    """The documented columns with a header row; CSV has no place for id schemes."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([key.lower() for key in VALUE_KEYS])
    for value in values:
        writer.writerow([value.get(key, "") for key in VALUE_KEYS])
    return stream.getvalue().encode("utf-8")


def write(encoding: str, header: dict[str, str], values: Sequence[dict[str, str]]) -> bytes:
    if encoding == XML:
        return write_xml(header, values)
    if encoding == CSV:
        return write_csv(values)
    return write_json(header, values)
