"""The file-reading toolkit every importer shares.

``tables`` reads a CSV, .xlsx or .xls table within the bounds of ``core.limits`` (through
the streaming readers of ``bounded``) and names every problem by file, row and column;
``report`` counts what an import did. Importers take the names below from here.
"""

from convivencia.core.reading.report import (
    OUTCOMES,
    ImportReport,
    Progress,
    no_progress,
    timed_write,
)
from convivencia.core.reading.tables import (
    MAX_LISTED_PROBLEMS,
    BadFile,
    Column,
    Problem,
    Problems,
    Row,
    Table,
    check_file_size,
    check_workbook_bytes,
    decode_text,
    display_name,
    find_columns,
    present,
    read_bounded_bytes,
    read_grid,
    read_table,
    table_from_grid,
)

__all__ = [
    "MAX_LISTED_PROBLEMS",
    "OUTCOMES",
    "BadFile",
    "Column",
    "ImportReport",
    "Problem",
    "Problems",
    "Progress",
    "Row",
    "Table",
    "check_file_size",
    "check_workbook_bytes",
    "decode_text",
    "display_name",
    "find_columns",
    "no_progress",
    "present",
    "read_bounded_bytes",
    "read_grid",
    "read_table",
    "table_from_grid",
    "timed_write",
]
