"""Writing many rows fast, and reading uploads from any storage: shared by the importers.

Imports write hundreds of thousands of rows (panel answers, crime data values).
``bulk_create`` builds a model instance per row and has Django prepare every field
of every row; most of an import's write was that Python, not the database.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.files.storage import Storage
from django.db import connection, models

from convivencia.core.limits import ImportLimits


def column_name(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise ValueError(f"{model._meta.label}.{name} is not a column of its table")
    return field.column


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    adapt: Callable[[Sequence[Any]], Sequence[Any]] | None = None,
) -> None:
    """Insert plain tuples of column values: ``COPY`` on PostgreSQL, multi-row ``INSERT`` elsewhere.

    Values must already be what the column takes (ids not instances, JSON as text).
    psycopg adapts dates and datetimes itself; for the other drivers ``adapt`` turns
    a row's dates into the database's text (``connection.ops.adapt_*``).
    """
    meta = model._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column_name(model, name)) for name in fields)
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        rows = [adapt(row) for row in rows] if adapt else list(rows)
        # Many rows per statement, as many as the driver's parameters allow: SQLite
        # inserts twice as fast as with executemany, which runs a statement per row.
        size = max(1, connection.ops.bulk_batch_size(list(fields), rows))
        row_marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
        # Names come from the model's meta, quoted; values are parameters.
        insert = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
        full = insert + ", ".join([row_marks] * size)
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            sql = full if len(chunk) == size else insert + ", ".join([row_marks] * len(chunk))
            cursor.execute(sql, [value for row in chunk for value in row])


@contextmanager
def local_copy(storage: Storage, name: str) -> Iterator[Path]:
    """A path on disk for the file readers, whichever storage holds the upload.

    The temporary copy keeps the name's suffix: the readers tell CSV from XLSX by it.
    A copy stops one byte past IMPORT_MAX_FILE_MB: the reader refuses it by its size
    with the limit's message, and a huge remote file never fills the local disk.
    """
    try:
        local: Path | None = Path(storage.path(name))
    except NotImplementedError:  # remote storage (S3, Azure, GCS) has no path: copy it
        local = None
    if local is not None:
        yield local
        return
    with (
        tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as copy,
        storage.open(name, "rb") as source,
    ):
        room = ImportLimits.current().max_file_bytes + 1
        for chunk in source.chunks():
            copy.write(chunk[:room])
            room -= len(chunk)
            if room <= 0:
                break
        copy.flush()
        yield Path(copy.name)
