"""What an uploaded file really is, read from its first bytes, not from its name.

People attach attendance sheets, minutes, photos and spreadsheets; nobody needs to attach a
program. ``check_document`` (a form field validator) accepts PDF, PNG, JPEG, GIF, WebP,
the Office Open XML and OpenDocument text, spreadsheet and presentation formats (zips
recognised by their declared content), and CSV or plain text (no NUL or other control
bytes); anything else, an ``.exe`` renamed ``.pdf`` included, is refused with its reason.
The name's extension must also agree with the content, so that a download opens in the
program its name promises.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HEAD_BYTES = 64 * 1024  # enough to see a text file's bytes without reading it all


@dataclass(frozen=True)
class Kind:
    """A kind of file people may attach: its name for people and its extensions."""

    label: Any  # lazy text
    extensions: frozenset[str]


PDF = Kind(gettext_lazy("PDF document"), frozenset({".pdf"}))
PNG = Kind(gettext_lazy("PNG image"), frozenset({".png"}))
JPEG = Kind(gettext_lazy("JPEG image"), frozenset({".jpg", ".jpeg"}))
GIF = Kind(gettext_lazy("GIF image"), frozenset({".gif"}))
WEBP = Kind(gettext_lazy("WebP image"), frozenset({".webp"}))
DOCX = Kind(gettext_lazy("Word document"), frozenset({".docx"}))
XLSX = Kind(gettext_lazy("Excel spreadsheet"), frozenset({".xlsx"}))
PPTX = Kind(gettext_lazy("PowerPoint presentation"), frozenset({".pptx"}))
ODT = Kind(gettext_lazy("OpenDocument text"), frozenset({".odt"}))
ODS = Kind(gettext_lazy("OpenDocument spreadsheet"), frozenset({".ods"}))
ODP = Kind(gettext_lazy("OpenDocument presentation"), frozenset({".odp"}))
TEXT = Kind(gettext_lazy("text or CSV file"), frozenset({".txt", ".csv", ".tsv"}))

# Office Open XML: the part [Content_Types].xml declares for the main document.
OOXML_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
}
# OpenDocument: the first entry, "mimetype", holds the type uncompressed.
ODF_TYPES = {
    "application/vnd.oasis.opendocument.text": ODT,
    "application/vnd.oasis.opendocument.spreadsheet": ODS,
    "application/vnd.oasis.opendocument.presentation": ODP,
}
ALLOWED = (PDF, PNG, JPEG, GIF, WEBP, DOCX, XLSX, PPTX, ODT, ODS, ODP, TEXT)
# Bytes a text file never holds: NUL and the C0 controls other than tab, LF, FF, CR
# (and ESC, which some exports of old systems keep).
CONTROL_BYTES = bytes(set(range(32)) - {9, 10, 12, 13, 27})


def sniff(handle: IO[bytes]) -> Kind | None:
    """The kind of the file's content, or None when it is none of the allowed kinds.

    The handle is read from its start and left at its start.
    """
    handle.seek(0)
    head = handle.read(HEAD_BYTES)
    handle.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head[:6] in (b"GIF87a", b"GIF89a"):
            return GIF
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            return WEBP
        if head.startswith(b"PK\x03\x04"):
            return _zipped(handle)
        if head and head.translate(None, CONTROL_BYTES) == head:
            return TEXT if _decodes(head) else None
        return None
    finally:
        handle.seek(0)


def _zipped(handle: IO[bytes]) -> Kind | None:
    """An Office Open XML or OpenDocument file by what the archive declares inside."""
    try:
        with zipfile.ZipFile(handle) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if declared in ODF_TYPES:
                    return ODF_TYPES[declared]
            if "[Content_Types].xml" in names:
                info = archive.getinfo("[Content_Types].xml")
                if info.file_size > 1024 * 1024:  # a real one is a few kilobytes
                    return None
                types = archive.read(info).decode("utf-8", "replace")
                for content_type, kind in OOXML_MAIN_TYPES.items():
                    if content_type in types:
                        return kind
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return None
    return None


def _decodes(head: bytes) -> bool:
    """UTF-8 (a character cut at the end of the sample is fine) or Windows-1252 text."""
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:
            return True
    try:
        head.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def allowed_list() -> str:
    return ", ".join(str(kind.label) for kind in ALLOWED)


def check_document(upload: Any) -> None:
    """A form field validator: a document, image or spreadsheet, by content and by name."""
    if upload is None:
        return
    name = getattr(upload, "name", "") or ""
    kind = sniff(upload)
    if kind is None:
        raise ValidationError(
            _(
                "“%(name)s” is not a file we accept: attach a document, image or "
                "spreadsheet (%(allowed)s). Programs and archives are refused."
            )
            % {"name": name, "allowed": allowed_list()},
            code="file_type",
        )
    extension = PurePath(name).suffix.lower()
    if extension not in kind.extensions:
        raise ValidationError(
            _(
                "“%(name)s” is a %(kind)s by its content, but its name ends in "
                "“%(extension)s”: rename it to end in %(expected)s."
            )
            % {
                "name": name,
                "kind": kind.label,
                "extension": extension or _("nothing"),
                "expected": " / ".join(sorted(kind.extensions)),
            },
            code="file_name",
        )
