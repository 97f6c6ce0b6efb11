"""Workbooks built in code for the readers' tests: formulas with cached values, zip bombs.

openpyxl writes formulas but not their computed values (only a spreadsheet program
calculates them), so formula cells are written into the sheet's XML directly, as
Excel and LibreOffice save them: ``<c><f>1+1</f><v>2</v></c>``.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET = "xl/worksheets/sheet1.xml"

_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
        '<sheet name="Hoja1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ),
}


def cell(reference: str, value: str | int | float | None = None, formula: str | None = None) -> str:
    """One cell's XML: text inline, a number, or a formula with (or without) its value."""
    if formula is not None:
        cached = "" if value is None else f"<v>{value}</v>"
        kind = ' t="str"' if isinstance(value, str) else ""
        return f'<c r="{reference}"{kind}><f>{formula}</f>{cached}</c>'
    if isinstance(value, str):
        return f'<c r="{reference}" t="inlineStr"><is><t>{value}</t></is></c>'
    return f'<c r="{reference}"><v>{value}</v></c>'


def sheet_xml(rows: list[list[str]]) -> bytes:
    """A worksheet whose rows are lists of ``cell`` XML strings."""
    body = "".join(
        f'<row r="{number}">{"".join(cells)}</row>' for number, cells in enumerate(rows, 1)
    )
    return f'<worksheet xmlns="{MAIN}"><sheetData>{body}</sheetData></worksheet>'.encode()


def write_xlsx(path: Path, sheet: bytes, extra: dict[str, bytes] | None = None) -> Path:
    """A minimal workbook with one sheet holding ``sheet`` as its XML."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        archive.writestr(SHEET, sheet)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def write_zip_bomb(path: Path, head: bytes, block: bytes, repeats: int, tail: bytes) -> int:
    """A workbook whose sheet is ``head + block × repeats + tail``; returns its unpacked size.

    Deflating gigabytes takes seconds, so the block is compressed once, after a full
    flush (which makes it independent of what came before), and its bytes repeated:
    a valid deflate stream, a valid zip (CRC and sizes right), built in a moment.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head_data = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block_data = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail_data = compressor.compress(tail) + compressor.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _repeat in range(repeats):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(block) * repeats + len(tail)
    compressed = len(head_data) + len(block_data) * repeats + len(tail_data)
    if size >= 2**32:
        raise ValueError("keep the bomb under 4 GB: this writer makes no zip64 records")

    members: list[tuple[bytes, int, int, int, int]] = []  # name, crc, sizes, offset
    with path.open("wb") as out:
        for name, text in _PARTS.items():
            data = text.encode()
            packed = zlib.compress(data, 9)[2:-4]  # raw deflate: no zlib header or checksum
            members.append(_local(out, name.encode(), zlib.crc32(data), packed, len(data)))
        offset = out.tell()
        out.write(_local_header(SHEET.encode(), crc, compressed, size))
        out.write(head_data)
        for _repeat in range(repeats):
            out.write(block_data)
        out.write(tail_data)
        members.append((SHEET.encode(), crc, compressed, size, offset))
        directory = out.tell()
        for name, member_crc, packed_size, member_size, member_offset in members:
            out.write(
                struct.pack(
                    "<4s6H3L5H2L",
                    b"PK\x01\x02",
                    20,
                    20,
                    0,
                    8,
                    0,
                    0x21,
                    member_crc,
                    packed_size,
                    member_size,
                    len(name),
                    0,
                    0,
                    0,
                    0,
                    0,
                    member_offset,
                )
                + name
            )
        end = out.tell()
        out.write(
            struct.pack(
                "<4s4H2LH",
                b"PK\x05\x06",
                0,
                0,
                len(members),
                len(members),
                end - directory,
                directory,
                0,
            )
        )
    return size


def _local_header(name: bytes, crc: int, compressed: int, size: int) -> bytes:
    return (
        struct.pack(
            "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, compressed, size, len(name), 0
        )
        + name
    )


def _local(out, name: bytes, crc: int, packed: bytes, size: int) -> tuple:
    offset = out.tell()
    out.write(_local_header(name, crc, len(packed), size))
    out.write(packed)
    return name, crc, len(packed), size, offset
