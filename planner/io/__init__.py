"""Reading and writing the planner's files: atomic writes, spreadsheet-safe CSV, pairing files.

A foundation (it imports no stage). Every output goes through :func:`atomic_path`
(:mod:`planner.io.atomic`): it is written to a temporary file beside the target, flushed to
disk (``fsync``) and renamed onto it only once complete, so a failure or a power cut never
leaves a half-written file and readers never see one.

CSV files are read by one reader (:func:`read_csv_table`, :mod:`planner.io.csv_reader`: UTF-8
with or without a byte-order mark, comma, semicolon or tab separated, as Excel saves them) and
written by one writer (:func:`write_csv`, :mod:`planner.io.spreadsheet`), which keeps text
cells inert in spreadsheets (:func:`spreadsheet_safe`). Numbers in text cells are read by
:mod:`planner.io.numbers`, pairing files by :mod:`planner.io.pairings`. This package
re-exports their public names: ``from planner.io import write_csv``.
"""

from __future__ import annotations

from planner.io.atomic import (
    STDOUT,
    atomic_path,
    fsync_dir,
    fsync_file,
    is_stdout,
    json_text,
    write_json,
    write_layers_atomic,
    write_text_atomic,
    write_vector_atomic,
)
from planner.io.csv_reader import read_csv_table, true_cells
from planner.io.numbers import NumberError, decimal_cells, parse_count, parse_decimal
from planner.io.pairings import PAIRING_ID_COLUMNS, detect_scheme, read_pairings
from planner.io.spreadsheet import (
    is_id_column,
    spreadsheet_safe,
    spreadsheet_safe_table,
    spreadsheet_unsafe,
    spreadsheet_unsafe_table,
    write_csv,
)

__all__ = [
    "PAIRING_ID_COLUMNS",
    "STDOUT",
    "NumberError",
    "atomic_path",
    "decimal_cells",
    "detect_scheme",
    "fsync_dir",
    "fsync_file",
    "is_id_column",
    "is_stdout",
    "json_text",
    "parse_count",
    "parse_decimal",
    "read_csv_table",
    "read_pairings",
    "spreadsheet_safe",
    "spreadsheet_safe_table",
    "spreadsheet_unsafe",
    "spreadsheet_unsafe_table",
    "true_cells",
    "write_csv",
    "write_json",
    "write_layers_atomic",
    "write_text_atomic",
    "write_vector_atomic",
]
