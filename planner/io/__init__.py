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
exports their public names (``__init__.pyi``): ``from planner.io import write_csv``.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)
