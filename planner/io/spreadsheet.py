"""Spreadsheet-safe CSV: text cells kept inert in spreadsheets, and the one CSV writer.

:func:`write_csv` writes every CSV of the planner (deterministic, atomic); text cells a
spreadsheet would run as a formula get a leading apostrophe (:func:`spreadsheet_safe`, the
OWASP "CSV injection" rule), which :func:`spreadsheet_unsafe` removes again on reading. Id
columns (:func:`is_id_column`) are kept exactly as they are. A file people open starts with a
UTF-8 byte-order mark (:data:`BOM`), without which Excel on Windows reads the Vietnamese names
as another encoding and garbles them; the planner's reader (:func:`planner.io.read_csv_table`)
reads files with or without it.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from planner.io.atomic import STDOUT, atomic_path, is_stdout

# Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"); a
# leading apostrophe makes it text. Apostrophes already in front are part of the rule, so that
# reading back removes exactly what writing added (the mapping is one-to-one).
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")


_GUARDED = re.compile(r"^'+[=+\-@\t\r]")


_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")

#: The UTF-8 byte-order mark that starts a CSV meant for people: Excel (Windows) reads a CSV
#: without it in the system's code page, so "Ba Vì" shows as "Ba VÃ¬".
BOM = "\ufeff"


def is_id_column(name: object) -> bool:
    """Whether a column holds identifiers, which CSV files keep exactly as they are.

    Parameters
    ----------
    name : object
        A column name (compared as stripped, lower-case text).

    Returns
    -------
    bool
        ``True`` for ``id`` and names ending in ``_id``.

    Examples
    --------
    >>> [is_id_column(c) for c in ("facility_id", "unit_id", "id", "unit_name")]
    [True, True, True, False]
    """
    text = str(name).strip().lower()
    return text == "id" or text.endswith("_id")


def spreadsheet_safe(value: object) -> object:
    """Return a text cell that a spreadsheet shows as text, never runs as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (after any
    apostrophes) gets one leading apostrophe, as OWASP recommends; plain numbers such as
    ``-3`` and every other value are returned unchanged. :func:`spreadsheet_unsafe` undoes it.

    Parameters
    ----------
    value : object
        A cell value; only text is ever changed.

    Returns
    -------
    object
        ``value``, with a leading apostrophe when it is text a spreadsheet would run.

    Examples
    --------
    >>> spreadsheet_safe("=SUM(A1:A9)"), spreadsheet_safe("-3"), spreadsheet_safe("Ba Vì")
    ("'=SUM(A1:A9)", '-3', 'Ba Vì')
    """
    if isinstance(value, str) and _FORMULA.match(value) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def spreadsheet_unsafe(value: object) -> object:
    """Undo :func:`spreadsheet_safe`: drop the one apostrophe it added (the planner's own files
    read back unchanged).

    Parameters
    ----------
    value : object
        A cell value as read from a CSV file; only text is ever changed.

    Returns
    -------
    object
        ``value`` without the apostrophe in front of a formula character, if it had one.

    Examples
    --------
    >>> spreadsheet_unsafe("'=1+1"), spreadsheet_unsafe("''=1+1"), spreadsheet_unsafe("'tis")
    ('=1+1', "'=1+1", "'tis")
    """
    if isinstance(value, str) and _GUARDED.match(value):
        return value[1:]
    return value


def _map_text_columns(table: pd.DataFrame, function: Any) -> pd.DataFrame:
    """Apply ``function`` to the text cells of every column but the id columns."""
    out = table.copy()
    for column in out.columns:
        if is_id_column(column):
            continue
        values = out[column]
        if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
            out[column] = values.map(function)
    return out


def spreadsheet_safe_table(table: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``table`` with :func:`spreadsheet_safe` applied to its text cells
    (id columns, see :func:`is_id_column`, are left exactly as they are).

    Parameters
    ----------
    table : pandas.DataFrame
        The table; it is not changed.

    Returns
    -------
    pandas.DataFrame
        A copy whose text columns (other than id columns) are spreadsheet-safe.

    Examples
    --------
    >>> table = pd.DataFrame({"unit_id": ["=u1"], "note": ["=1+1"], "population": [-3]})
    >>> spreadsheet_safe_table(table).to_dict("records")
    [{'unit_id': '=u1', 'note': "'=1+1", 'population': -3}]
    """
    return _map_text_columns(table, spreadsheet_safe)


def spreadsheet_unsafe_table(table: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`spreadsheet_safe_table` (id columns untouched).

    Parameters
    ----------
    table : pandas.DataFrame
        A table as read from a CSV file the planner wrote; it is not changed.

    Returns
    -------
    pandas.DataFrame
        A copy with the added apostrophes removed from its text columns.

    Examples
    --------
    >>> table = pd.DataFrame({"unit_id": ["'=u1"], "note": ["'=1+1"]})
    >>> spreadsheet_unsafe_table(table).to_dict("records")
    [{'unit_id': "'=u1", 'note': '=1+1'}]
    """
    return _map_text_columns(table, spreadsheet_unsafe)


def write_csv(
    table: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    float_format: str | None = "%.3f",
    bom: bool = True,
) -> Path:
    """Write ``table`` as spreadsheet-safe UTF-8 CSV, atomically; ``"-"`` writes to stdout.

    Deterministic (no index, fixed float format, ``\\n`` line ends). Text cells that a
    spreadsheet would run as a formula are written with a leading apostrophe (see
    :func:`spreadsheet_safe`); :func:`read_csv_table` removes it again. A file starts with
    the UTF-8 byte-order mark (:data:`BOM`) so that Excel shows its Vietnamese text; standard
    output never does (it goes to another program).

    Parameters
    ----------
    table
        The table to write.
    path
        Target file, or ``"-"`` for standard output.
    float_format
        ``printf`` format of floats (default 3 decimals); ``None`` writes them in full.
    bom
        Start the file with the byte-order mark (default: every file people open; ``False``
        for a file only programs read, such as ``planner matrix --out``).

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> table = pd.DataFrame({"unit_id": ["=u1"], "unit_name": ["=cmd"]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     data = write_csv(table, pathlib.Path(folder) / "p.csv").read_bytes()
    >>> data[:3] == BOM.encode()  # the byte-order mark, then the table
    True
    >>> print(data.decode("utf-8-sig"))
    unit_id,unit_name
    =u1,'=cmd
    <BLANKLINE>
    """
    safe = spreadsheet_safe_table(table)
    options: dict[str, Any] = {"index": False, "float_format": float_format, "lineterminator": "\n"}
    if is_stdout(path):
        safe.to_csv(sys.stdout, **options)
        return Path(STDOUT)
    with atomic_path(path) as tmp:
        # utf-8-sig: the mark, then UTF-8 (pandas writes it once, at the start)
        safe.to_csv(tmp, encoding="utf-8-sig" if bom else "utf-8", **options)
    return Path(path)
