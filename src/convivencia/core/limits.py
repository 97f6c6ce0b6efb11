"""How much an uploaded file may hold before an importer refuses it.

A 4 MB zip-bomb workbook or a 200 MB CSV once ran an import to gigabytes of memory
before the server killed it, without a word to the person who uploaded it. Every
reader checks these bounds while it reads, and stops at the first one passed, so
a refusal costs a few megabytes however large the file claims to be.

The defaults take a national file (1,122 municipalities × years of DANE or Policía
data, 100,000 interventions, a panel wave of national size) and refuse what would
exhaust a two-core server. Each is a setting read from the environment variable
of the same name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class ImportLimits:
    """The bounds in force, read from the settings at the moment a file is read."""

    max_file_mb: int
    max_rows: int
    max_columns: int
    max_cell_chars: int
    max_unpacked_mb: int
    max_zip_ratio: int
    max_seconds: int

    @classmethod
    def current(cls) -> ImportLimits:
        return cls(
            max_file_mb=settings.IMPORT_MAX_FILE_MB,
            max_rows=settings.IMPORT_MAX_ROWS,
            max_columns=settings.IMPORT_MAX_COLUMNS,
            max_cell_chars=settings.IMPORT_MAX_CELL_CHARS,
            max_unpacked_mb=settings.IMPORT_MAX_UNPACKED_MB,
            max_zip_ratio=settings.IMPORT_MAX_ZIP_RATIO,
            max_seconds=settings.IMPORT_MAX_SECONDS,
        )

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * MEGABYTE

    @property
    def max_unpacked_bytes(self) -> int:
        return self.max_unpacked_mb * MEGABYTE

    @property
    def max_line_chars(self) -> int:
        """The longest physical line a CSV within the cell and column bounds can have."""
        return self.max_columns * (self.max_cell_chars + 3)

    # Each message names the limit and the setting that raises it.

    def file_too_large(self, size: int) -> str:
        return _(
            "is %(size)s MB, larger than the %(limit)s MB allowed "
            "(setting IMPORT_MAX_FILE_MB). Split the file, or ask an administrator."
        ) % {"size": _megabytes(size), "limit": self.max_file_mb}

    def too_many_rows(self) -> str:
        return _(
            "has more than %(limit)s rows, the most an import reads "
            "(setting IMPORT_MAX_ROWS). Split the file."
        ) % {"limit": f"{self.max_rows:,}"}

    def too_many_columns(self, found: int) -> str:
        return _(
            "has %(found)s columns, more than the %(limit)s allowed (setting IMPORT_MAX_COLUMNS)."
        ) % {"found": f"{found:,}", "limit": f"{self.max_columns:,}"}

    def cell_too_long(self, length: int | None = None) -> str:
        if length is None:  # measured in a workbook's XML, where only bytes are known
            return _(
                "holds a value longer than the %(limit)s characters allowed "
                "(setting IMPORT_MAX_CELL_CHARS)."
            ) % {"limit": f"{self.max_cell_chars:,}"}
        return _(
            "holds a value of %(length)s characters, longer than the %(limit)s allowed "
            "(setting IMPORT_MAX_CELL_CHARS)."
        ) % {"length": f"{length:,}", "limit": f"{self.max_cell_chars:,}"}

    def line_too_long(self) -> str:
        return _(
            "has a line longer than %(limit)s characters: more columns or longer values "
            "than allowed (settings IMPORT_MAX_COLUMNS and IMPORT_MAX_CELL_CHARS)."
        ) % {"limit": f"{self.max_line_chars:,}"}

    def unpacked_too_large(self, size: int) -> str:
        return _(
            "would unpack to %(size)s MB, more than the %(limit)s MB allowed "
            "(setting IMPORT_MAX_UNPACKED_MB)."
        ) % {"size": _megabytes(size), "limit": self.max_unpacked_mb}

    def compressed_too_far(self, member: str, ratio: float) -> str:
        return _(
            "is compressed %(ratio)s times in “%(member)s”, more than the %(limit)s times "
            "a real workbook is (setting IMPORT_MAX_ZIP_RATIO); it looks like a zip bomb."
        ) % {"ratio": f"{ratio:,.0f}", "member": member, "limit": self.max_zip_ratio}

    def too_slow(self) -> str:
        return _(
            "took longer than %(limit)s seconds to read, the most an import may take "
            "(setting IMPORT_MAX_SECONDS). Split the file."
        ) % {"limit": self.max_seconds}


def _megabytes(size: int) -> str:
    return f"{size / MEGABYTE:,.1f}"


def check_upload_size(upload: UploadedFile[Any] | Any) -> None:
    """A form field validator: refuse an upload over IMPORT_MAX_FILE_MB before it is staged."""
    limits = ImportLimits.current()
    size = getattr(upload, "size", None)
    if size is not None and size > limits.max_file_bytes:
        raise ValidationError(
            _("“%(name)s” %(problem)s")
            % {"name": upload.name, "problem": limits.file_too_large(size)},
            code="too_large",
        )
