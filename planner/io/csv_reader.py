"""The one CSV reader: every CSV the planner reads, as Excel and others save them.

:func:`read_csv_table` reads UTF-8 with or without a byte-order mark (or a given encoding),
comma, semicolon or tab separated, into a table of stripped text cells; wrongly decoded text,
unknown separators and malformed rows are errors that say where and how to fix them.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pandas as pd

from planner.errors import PlannerInputError

_DELIMITERS = (",", ";", "\t")


# Byte sequences that appear when UTF-8 Vietnamese was decoded as Latin-1/cp1252 and saved again.
_MOJIBAKE = re.compile("Ã[\u0080-\u009f\u00a1-\u00bf]|á»|áº|Ä‘|Æ°|Ä\u0090")


def read_csv_table(path: str | os.PathLike[str], *, encoding: str | None = None) -> pd.DataFrame:
    """Read a CSV file as the planner reads every CSV: a table of stripped text cells.

    UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8"), or the ``encoding`` given;
    comma, semicolon (Excel in locales with a decimal comma) or tab separated, detected from
    the first lines. Nothing is converted: every cell is text, blank cells are ``""``.
    Spreadsheet-safety apostrophes added by :func:`write_csv` are *not* removed here (callers
    know which columns are ids): see :func:`spreadsheet_unsafe_table`.

    Parameters
    ----------
    path
        The CSV file.
    encoding
        Its text encoding when not UTF-8 (e.g. ``"cp1258"``); other encodings are never
        guessed, since Latin-1 decodes any bytes into plausible-looking garbage.

    Returns
    -------
    pandas.DataFrame
        Text cells, column names stripped.

    Raises
    ------
    PlannerInputError
        Missing or empty file, text that is not valid in the encoding or looks wrongly
        decoded, an unknown separator, a row with more fields than the header, a header
        column without a name.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     f = pathlib.Path(folder) / "excel.csv"
    ...     _ = f.write_bytes("\\ufeffunit_id;hospital_id\\nu1;h1\\n".encode())
    ...     read_csv_table(f)
      unit_id hospital_id
    0      u1          h1
    """
    path = Path(path)
    if not path.is_file():
        raise PlannerInputError(
            "the file does not exist", file=path, hint="check the path and its spelling"
        )
    data = path.read_bytes()
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise PlannerInputError(
            "the file is empty", file=path, hint="export the table again with a header row"
        )
    text = _decode(data, file=path, encoding=encoding)
    if "\n" not in text:  # old Mac line ends (CR only)
        text = text.replace("\r", "\n")
    header = text.splitlines()[0]
    delimiter = _sniff_delimiter(text, header, file=path)
    try:
        table = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            # rows end at LF (CRLF: the CR is stripped with the cell); a CR inside a cell,
            # which CSV writers leave unquoted, stays in its cell
            lineterminator="\n",
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
            skip_blank_lines=True,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if match:
            expected, line, saw = (int(g) for g in match.groups())
            raise PlannerInputError(
                f"the row has {saw} fields but the header has {expected}",
                file=path,
                row=line - 1,
                hint=f"quote cells that contain the separator {delimiter!r}, or remove the extra separators",
            ) from None
        raise PlannerInputError(
            f"the table cannot be parsed ({exc})", file=path, hint="check quotes and separators"
        ) from None
    table.columns = [str(c).strip() for c in table.columns]
    if any(c.startswith("Unnamed: ") for c in table.columns):
        position = next(i for i, c in enumerate(table.columns) if c.startswith("Unnamed: "))
        raise PlannerInputError(
            f"column {position + 1} of the header has no name",
            file=path,
            hint="give every column a name in the first row",
        )
    return table.apply(lambda col: col.str.strip())


def true_cells(cells: pd.Series) -> pd.Series:
    """Yes/no text cells as booleans: ``true``, ``1`` or ``yes`` (any case) are true, anything
    else false (how the planner reads back the flags it writes, ``True``/``False``).

    Parameters
    ----------
    cells : pandas.Series
        Text cells, e.g. a ``pinned`` column from :func:`read_csv_table`.

    Returns
    -------
    pandas.Series
        Booleans, same index.

    Examples
    --------
    >>> true_cells(pd.Series(["True", "false", "YES", ""])).tolist()
    [True, False, True, False]
    """
    return cells.str.lower().isin(("true", "1", "yes"))


def _decode(data: bytes, *, file: str | Path, encoding: str | None) -> str:
    tried = [encoding] if encoding else ["utf-8", "utf-8-sig"]
    try:
        text = data.decode(encoding or "utf-8-sig")  # utf-8-sig also reads plain UTF-8
    except LookupError:
        raise PlannerInputError(
            f"unknown text encoding '{encoding}'",
            file=file,
            field="encoding",
            hint="use a Python codec name such as 'utf-8', 'cp1258' or 'utf-16'",
        ) from None
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n")  # 1-based data row: header is line 0
        raise PlannerInputError(
            f"the text is not valid {' or '.join(tried)} (byte 0x{data[exc.start]:02x} at "
            f"position {exc.start}); it may be in another encoding",
            file=file,
            row=row if row > 0 else None,
            hint="save the file as 'CSV UTF-8' (Excel: Save As > CSV UTF-8), or pass the "
            "encoding you know it uses, e.g. encoding='cp1258' (CLI: planner facilities --validate FILE --encoding cp1258 --out fixed.csv writes a UTF-8 copy)",
        ) from None
    bad = _MOJIBAKE.search(text)
    if bad:
        row = text[: bad.start()].count("\n")
        raise PlannerInputError(
            f"the text looks wrongly decoded ('{bad.group()}' in "
            f"'{_line_at(text, bad.start())[:40]}' is typical of UTF-8 Vietnamese read as "
            f"Latin-1; tried {', '.join(tried)})",
            file=file,
            row=row if row > 0 else None,
            hint="open the original file as UTF-8 and save it again as 'CSV UTF-8'"
            + (", or drop the encoding= option" if encoding else ""),
        )
    return text.lstrip("\ufeff")


def _line_at(text: str, position: int) -> str:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return text[start : end if end >= 0 else len(text)].strip()


def _sniff_delimiter(text: str, header: str, *, file: str | Path) -> str:
    """Pick , ; or tab: the one that splits the header into the most columns consistently."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        pass
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(counts, key=counts.__getitem__)
    if counts[best] > 0:
        return best
    other = next((ch for ch in "|:#/" if ch in header), None)
    if other:
        raise PlannerInputError(
            f"the header '{header[:60]}' seems to use '{other}' to separate columns",
            file=file,
            hint="separate columns with commas, semicolons or tabs (save as CSV from the spreadsheet)",
        )
    return ","  # a one-column file: reported by the caller as missing columns
