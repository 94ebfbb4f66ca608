"""Reading and writing the planner's files: atomic writes, spreadsheet-safe CSV, pairing files.

Every output goes through :func:`atomic_path`: it is written to a temporary file beside the
target, flushed to disk (``fsync``) and renamed onto it only once complete, so a failure or a
power cut never leaves a half-written file and readers never see one.

CSV files are read by one reader (:func:`read_csv_table`: UTF-8 with or without a byte-order
mark, comma, semicolon or tab separated, as Excel saves them) and written by one writer
(:func:`write_csv`), which keeps text cells inert in spreadsheets (:func:`spreadsheet_safe`).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from planner._json import json_safe
from planner.config import DEFAULT_SCHEME, THOUSANDS
from planner.errors import PlannerInputError, collapse_problems


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` only on success.

    A failure inside the block removes the temporary file and leaves any previous
    ``target`` untouched, so readers never see a half-written file.

    Parameters
    ----------
    target : str or os.PathLike
        The file to write; its folder is created when missing.

    Yields
    ------
    pathlib.Path
        A temporary file in the same folder (so the final rename stays on one file system),
        to be written inside the ``with`` block. On a clean exit it is flushed to disk and
        renamed onto ``target``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = pathlib.Path(folder) / "a.txt"
    ...     with atomic_path(out) as tmp:
    ...         _ = tmp.write_text("done")
    ...     out.read_text(), sorted(p.name for p in out.parent.iterdir())
    ('done', ['a.txt'])

    A failure keeps the previous file and leaves no temporary file behind:

    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = pathlib.Path(folder) / "a.txt"
    ...     _ = out.write_text("old")
    ...     try:
    ...         with atomic_path(out) as tmp:
    ...             _ = tmp.write_text("half")
    ...             raise RuntimeError("power cut")
    ...     except RuntimeError:
    ...         pass
    ...     out.read_text(), sorted(p.name for p in out.parent.iterdir())
    ('old', ['a.txt'])
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp makes the file private (0600); outputs are shared, so follow the umask instead.
    os.chmod(tmp, 0o666 & ~_umask())
    try:
        yield tmp
        fsync_file(tmp)  # the content is on disk before the name points at it
        os.replace(tmp, target)
        fsync_dir(target.parent)
    finally:
        if tmp.exists():
            tmp.unlink()


def fsync_file(path: Path) -> None:
    """Flush a written file's content to disk (before renaming it into place).

    Parameters
    ----------
    path : pathlib.Path
        A file that exists and may be opened for writing; its content is not changed.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     f = pathlib.Path(folder) / "pairings.csv"
    ...     _ = f.write_text("unit_id,hospital_id\\n")
    ...     fsync_file(f)
    ...     f.read_text()
    'unit_id,hospital_id\\n'
    """
    # "r+b": Windows' fsync (_commit) needs a handle open for writing; nothing is truncated.
    with open(path, "r+b") as fh:
        os.fsync(fh.fileno())


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (the rename) where the platform can; Windows cannot open one.

    Where the folder cannot be opened or flushed (Windows, some network shares) this does
    nothing: the rename has happened, only its durability after a power cut is not assured.

    Parameters
    ----------
    folder : pathlib.Path
        The folder whose entries to flush.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     fsync_dir(pathlib.Path(folder))
    ...     fsync_dir(pathlib.Path(folder) / "missing")  # silently ignored
    """
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems (network shares) refuse; the rename still happened
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomic(target: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` atomically and return the path.

    Parameters
    ----------
    target : str or os.PathLike
        The file to write (replaced whole, see :func:`atomic_path`).
    text : str
        The text, written as UTF-8 without a byte-order mark.

    Returns
    -------
    pathlib.Path
        ``target`` as a path.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = write_text_atomic(pathlib.Path(folder) / "note.txt", "Xanh Pôn\\n")
    ...     out.name, out.read_bytes()
    ('note.txt', b'Xanh P\\xc3\\xb4n\\n')
    """
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_vector_atomic(
    gdf: Any, target: str | os.PathLike[str], *, layer: str | None = None
) -> Path:
    """Write a GeoDataFrame as GeoJSON or GeoPackage (by suffix), atomically.

    GeoJSON is serialised as text (RFC 7946 member order, no file name inside it), so the
    same table always gives the same bytes; GeoPackage goes through the GDAL driver.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The table to write (GeoJSON expects lon/lat degrees, EPSG:4326).
    target : str or os.PathLike
        The file: ``.geojson`` or ``.json`` for GeoJSON, ``.gpkg`` for GeoPackage; any other
        suffix lets GDAL pick the driver.
    layer : str, optional
        The GeoPackage layer name (ignored for GeoJSON).

    Returns
    -------
    pathlib.Path
        ``target`` as a path.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> xanh_pon = gpd.GeoDataFrame(
    ...     {"facility_id": ["hn-reg-xanhpon"]}, geometry=[Point(105.83518, 21.03126)],
    ...     crs="EPSG:4326")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = write_vector_atomic(xanh_pon, pathlib.Path(folder) / "h.geojson")
    ...     feature = json.loads(out.read_text())["features"][0]
    >>> feature["properties"], feature["geometry"]["coordinates"]
    ({'facility_id': 'hn-reg-xanhpon'}, [105.83518, 21.03126])
    """
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix in (".geojson", ".json"):
        return write_text_atomic(target, gdf.to_json(drop_id=True, ensure_ascii=False) + "\n")
    with atomic_path(target) as tmp:
        # GDAL wants its own suffix and no placeholder file: write beside, then move.
        named = tmp.with_name(tmp.stem + suffix)
        try:
            gdf.to_file(named, driver="GPKG" if suffix == ".gpkg" else None, layer=layer)
            os.replace(named, tmp)
        finally:
            named.unlink(missing_ok=True)
    return target


#: The ``--out`` value meaning standard output.
STDOUT = "-"


def is_stdout(path: object) -> bool:
    """Whether ``path`` is ``"-"``, the usual name of standard output on a command line.

    Parameters
    ----------
    path : object
        A path or command-line value (compared as text).

    Returns
    -------
    bool
        ``True`` only for ``"-"`` (also ``pathlib.Path("-")``).

    Examples
    --------
    >>> is_stdout("-"), is_stdout("out/pairings.csv")
    (True, False)
    """
    return str(path) == STDOUT


def json_text(data: Mapping[str, Any]) -> str:
    """Return ``data`` as the planner writes JSON: indented UTF-8 text, NaN as null.

    Parameters
    ----------
    data : Mapping
        JSON-like data; NaN and infinities become ``null``, NumPy and pandas values plain
        JSON values (:func:`planner._json.json_safe`). Keys keep their order.

    Returns
    -------
    str
        Two-space indented JSON, non-ASCII characters written as they are, ending in a
        newline.

    Examples
    --------
    >>> print(json_text({"hospital": "Bệnh viện Đa khoa Xanh Pôn", "time_s": float("nan")}))
    {
      "hospital": "Bệnh viện Đa khoa Xanh Pôn",
      "time_s": null
    }
    <BLANKLINE>
    """
    return json.dumps(json_safe(data), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write_json(data: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write ``data`` as indented UTF-8 JSON, atomically (NaN becomes null); ``"-"``: stdout.

    Parameters
    ----------
    data : Mapping
        JSON-like data (written as :func:`json_text` gives it).
    path : str or os.PathLike
        The file to write, or ``"-"`` for standard output.

    Returns
    -------
    pathlib.Path
        The path written (``Path("-")`` for standard output).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = write_json({"a": float("nan")}, pathlib.Path(folder) / "s.json")
    ...     out.read_text()
    '{\\n  "a": null\\n}\\n'
    >>> str(write_json({"units": 126}, "-"))
    {
      "units": 126
    }
    '-'
    """
    if is_stdout(path):
        sys.stdout.write(json_text(data))
        return Path(STDOUT)
    return write_text_atomic(path, json_text(data))


# -- spreadsheet-safe CSV --------------------------------------------------------------------

# Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"); a
# leading apostrophe makes it text. Apostrophes already in front are part of the rule, so that
# reading back removes exactly what writing added (the mapping is one-to-one).
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")
_GUARDED = re.compile(r"^'+[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


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
    table: pd.DataFrame, path: str | os.PathLike[str], *, float_format: str | None = "%.3f"
) -> Path:
    """Write ``table`` as spreadsheet-safe UTF-8 CSV, atomically; ``"-"`` writes to stdout.

    Deterministic (no index, fixed float format, ``\\n`` line ends). Text cells that a
    spreadsheet would run as a formula are written with a leading apostrophe (see
    :func:`spreadsheet_safe`); :func:`read_csv_table` removes it again.

    Parameters
    ----------
    table
        The table to write.
    path
        Target file, or ``"-"`` for standard output.
    float_format
        ``printf`` format of floats (default 3 decimals); ``None`` writes them in full.

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> table = pd.DataFrame({"unit_id": ["=u1"], "unit_name": ["=cmd"]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     print(write_csv(table, pathlib.Path(folder) / "p.csv").read_text())
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
        safe.to_csv(tmp, encoding="utf-8", **options)
    return Path(path)


# -- reading CSV -------------------------------------------------------------------------------

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


# -- numbers in text cells ---------------------------------------------------------------------

_SPACES = "\u0020\u00a0\u2009\u202f"
_DECIMAL = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
_SPACE_GROUPED = re.compile(rf"^[+-]?\d{{1,3}}([{_SPACES}]\d{{3}})+([.,]\d+)?$")
_AMBIGUOUS = re.compile(r"^[+-]?[1-9]\d{0,2}[.,]\d{3}$")


class NumberError(ValueError):
    """A text cell that is not a number (or not unambiguously one): what is wrong, and the fix.

    Attributes
    ----------
    problem : str
        What is wrong with the cell (also the exception's message).
    hint : str
        How to write the number instead.

    Examples
    --------
    >>> try:
    ...     parse_count("12.345")
    ... except NumberError as exc:
    ...     print(exc.hint)
    write the numbers without separators, or say which the file uses with thousands='.' (CLI: --thousands .)
    """

    def __init__(self, problem: str, hint: str) -> None:
        self.problem = problem
        self.hint = hint
        super().__init__(problem)


def parse_decimal(text: str) -> float:
    """Read a decimal number with ``.`` or ``,`` as the decimal mark (coordinates, times).

    Parameters
    ----------
    text : str
        The cell; surrounding spaces are ignored. No thousands separators, units or signs
        other than a leading ``+``/``-``.

    Returns
    -------
    float

    Raises
    ------
    NumberError
        The text is not a plain decimal number (with the fix).

    Examples
    --------
    >>> parse_decimal("21,0285"), parse_decimal("-105.85"), parse_decimal("1e3")
    (21.0285, -105.85, 1000.0)
    >>> parse_decimal("21.03°")
    Traceback (most recent call last):
    ...
    planner.io.NumberError: '21.03°' is not a number
    """
    value = text.strip()
    if not _DECIMAL.match(value):
        raise NumberError(
            f"'{value[:30]}' is not a number",
            "write a plain decimal number (e.g. 21.0285), without units or degree signs",
        )
    return float(value.replace(",", "."))


def parse_count(text: str, *, thousands: str | None = None) -> float:
    """Read a count (population, capacity) that may have thousands separators.

    Rules, so that no number is ever read wrongly in silence:

    * groups of three digits separated by spaces (``12 345``, also no-break and thin spaces)
      are thousands: there is no decimal space;
    * with ``thousands`` given (``","``, ``"."`` or ``"space"``), that character separates
      thousands and must group digits by three; the other mark is the decimal mark;
    * without it, a number is read only where its form decides: ``12345``, ``12.5``,
      ``0,345``, ``1.234.567``, ``1,234.5``, ``1.234,5``. One separator followed by exactly
      three digits (``12,345`` or ``12.345``: twelve thousand or twelve?) is an error that
      says to pass ``thousands``.

    Parameters
    ----------
    text
        The cell.
    thousands
        The file's thousands separator, when it has one.

    Returns
    -------
    float

    Raises
    ------
    NumberError
        Not a number, or ambiguous (with the fix).

    Examples
    --------
    >>> parse_count("12 345"), parse_count("1.234.567"), parse_count("12,5")
    (12345.0, 1234567.0, 12.5)
    >>> parse_count("12.345", thousands="."), parse_count("12,345", thousands=",")
    (12345.0, 12345.0)
    >>> parse_count("12.345")
    Traceback (most recent call last):
    ...
    planner.io.NumberError: '12.345' is ambiguous: 12345 with '.' separating thousands, or 12.345
    """
    value = text.strip()
    if thousands not in (None, *THOUSANDS):
        raise NumberError(
            f"unknown thousands separator {thousands!r}",
            f"use one of {', '.join(repr(t) for t in THOUSANDS)}",
        )
    if _SPACE_GROUPED.match(value):
        return parse_decimal(re.sub(f"[{_SPACES}]", "", value))
    if thousands in (",", "."):
        decimal = "." if thousands == "," else ","
        sep = re.escape(thousands)
        if re.match(rf"^[+-]?\d{{1,3}}({sep}\d{{3}})+({re.escape(decimal)}\d+)?$", value):
            return float(value.replace(thousands, "").replace(",", "."))
        if thousands in value:
            raise NumberError(
                f"'{value[:30]}' does not group its digits by three around {thousands!r}",
                f"with thousands={thousands!r} write e.g. 12{thousands}345 (or 12345)",
            )
        return parse_decimal(value)
    if thousands == "space":
        return parse_decimal(value)
    for sep, decimal in ((",", "."), (".", ",")):
        grouped = rf"^[+-]?[1-9]\d{{0,2}}({re.escape(sep)}\d{{3}})"
        # two or more groups, or a group then the other mark: the separator must be thousands
        if re.match(grouped + r"{2,}$", value) or re.match(
            grouped + rf"+{re.escape(decimal)}\d+$", value
        ):
            return float(value.replace(sep, "").replace(",", "."))
    if _AMBIGUOUS.match(value):
        sep = "," if "," in value else "."
        plain = value.replace(sep, "")
        raise NumberError(
            f"'{value}' is ambiguous: {plain.lstrip('+')} with '{sep}' separating thousands, "
            f"or {value.replace(',', '.').lstrip('+')}",
            f"write the numbers without separators, or say which the file uses with "
            f"thousands='{sep}' (CLI: --thousands {sep})",
        )
    try:
        return parse_decimal(value)
    except NumberError:
        raise NumberError(
            f"'{value[:30]}' is not a number",
            "write a plain number (e.g. 12345), without units or words",
        ) from None


# -- pairing files -----------------------------------------------------------------------------

#: Columns every pairing file has; the planner's own also carry names, times and more.
PAIRING_ID_COLUMNS = ("unit_id", "hospital_id")
# Numbers of the planner's pairing files (written with "." decimals, no thousands).
_PAIRING_NUMBERS = (
    "travel_time_s",
    "distance_m",
    "population",
    "switch_cost_s",
    "travel_time_peak_s",
)


def read_pairings(
    path: str | os.PathLike[str], fac: gpd.GeoDataFrame | None = None
) -> pd.DataFrame:
    """Read a pairing file (at least ``unit_id``, ``hospital_id``) and check its ids.

    Read like a facility file (:func:`read_csv_table`: UTF-8 with or without BOM, ``,``/``;``/
    tab); the spreadsheet-safety apostrophes of :func:`write_csv` are removed, so the planner
    reads its own ``pairings.csv`` back unchanged. Known numeric columns (``travel_time_s``,
    ``distance_m``, ``population``...) become numbers, ``pinned`` a boolean; blank
    ``hospital_id`` means "not paired" (NA).

    Parameters
    ----------
    path
        The pairing CSV.
    fac
        The facilities the ids must belong to (the registry or the user's file); ``None``
        skips the id check.

    Returns
    -------
    pandas.DataFrame
        The pairing table, in file order.

    Raises
    ------
    PlannerInputError
        Unreadable file, missing columns, numbers that are not numbers, unknown ids (every
        row listed), a unit paired twice.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     f = pathlib.Path(folder) / "officials.csv"
    ...     _ = f.write_text("unit_id;hospital_id\\nhn-dist-271;hn-reg-xanhpon\\n")
    ...     read_pairings(f).to_dict("records")
    [{'unit_id': 'hn-dist-271', 'hospital_id': 'hn-reg-xanhpon'}]
    """
    path = Path(path)
    table = spreadsheet_unsafe_table(read_csv_table(path))
    missing = [c for c in PAIRING_ID_COLUMNS if c not in table.columns]
    if missing:
        raise PlannerInputError(
            f"missing column(s) {', '.join(missing)}; found {', '.join(map(str, table.columns))}",
            file=path,
            field=missing[0],
            hint="a pairings file needs one row per unit with unit_id and hospital_id",
        )
    problems: list[PlannerInputError] = []
    for column in (c for c in _PAIRING_NUMBERS if c in table.columns):
        numbers = []
        for i, value in table[column].items():
            try:
                numbers.append(parse_decimal(value) if value else math.nan)
            except NumberError as exc:
                numbers.append(math.nan)
                problems.append(
                    PlannerInputError(
                        f"{column} {exc.problem}",
                        file=path,
                        row=int(i) + 1,
                        field=column,
                        hint=f"{exc.hint}, or leave the cell empty",
                    )
                )
        table[column] = numbers
    if "pinned" in table.columns:
        table["pinned"] = table["pinned"].str.lower().isin(("true", "1", "yes"))
    # blank text cells are missing values, as pandas reads them (a blank hospital: unpaired)
    for column in table.columns:
        if table[column].dtype == object:
            table[column] = table[column].mask(table[column] == "", None)
    if fac is not None:
        problems += _pairing_id_problems(table, fac, path)
    if problems:
        first = collapse_problems(sorted(problems, key=lambda p: p.row or 0))[0]
        raise first
    dup = table["unit_id"].duplicated(keep=False)
    if dup.any():
        rows = [int(i) + 1 for i in dup.to_numpy().nonzero()[0]]
        raise PlannerInputError(
            f"unit {table.loc[dup, 'unit_id'].iloc[0]!r} is paired more than once",
            file=path,
            rows=rows,
            field="unit_id",
            hint="keep one row per unit",
        )
    return table


def _pairing_id_problems(
    table: pd.DataFrame, fac: pd.DataFrame, path: Path
) -> list[PlannerInputError]:
    """Unknown ids of a pairing file: units are facilities; ``hospital_id`` names a hospital
    (not one of its sites); a ``site_id`` is a site of its row's hospital."""
    known = set(fac["facility_id"].astype(str))
    site_of: dict[str, str] = {}
    hospitals = known
    if "hospital_id" in fac.columns and "level" in fac.columns:
        regional = fac[fac["level"] == "regional"]
        hospital = (
            regional["hospital_id"]
            .astype(object)
            .where(regional["hospital_id"].notna(), regional["facility_id"])
        )
        site_of = dict(zip(regional["facility_id"].astype(str), hospital.astype(str), strict=True))
        hospitals = set(site_of.values())
    problems = []

    def problem(i: Any, column: str, text: str, hint: str) -> None:
        problems.append(PlannerInputError(text, file=path, row=int(i) + 1, field=column, hint=hint))

    unknown_hint = (
        "use facility ids from `planner facilities` (check --scheme, or give your facility "
        "file with --facilities)"
    )
    for i, value in table["unit_id"].items():
        if value is not None and value not in known:
            problem(i, "unit_id", f"unknown id {value!r}", unknown_hint)
    for i, value in table["hospital_id"].items():
        if value is None or value in hospitals:
            continue
        if value in site_of:
            problem(
                i,
                "hospital_id",
                f"{value!r} is a site of hospital {site_of[value]!r}, not a hospital",
                f"write the hospital ({site_of[value]}) in hospital_id; the site a pair's trips "
                "use follows the site rule (--site-rule nearest or main)",
            )
        elif value in known:
            hint = "pair units with the regional hospitals (level=regional)"
            problem(i, "hospital_id", f"{value!r} is not a regional hospital", hint)
        else:
            problem(i, "hospital_id", f"unknown id {value!r}", unknown_hint)
    if "site_id" in table.columns and site_of:
        for i, (site, hospital) in enumerate(
            zip(table["site_id"], table["hospital_id"], strict=True)
        ):
            if site is not None and hospital in hospitals and site_of.get(site) != hospital:
                problem(
                    table.index[i],
                    "site_id",
                    f"{site!r} is not a site of hospital {hospital!r}",
                    f"leave site_id blank or use one of the sites of {hospital}: "
                    + ", ".join(s for s, h in site_of.items() if h == hospital),
                )
    return problems


def detect_scheme(path: str | os.PathLike[str], default: str = DEFAULT_SCHEME) -> str:
    """Return the administrative scheme of a pairing file from its ids.

    ``hn-com25-`` ids (2025 units) mean ``"2025"``; otherwise ``default``. The file must be
    readable: a file that cannot be read raises instead of silently falling back.

    Parameters
    ----------
    path : str or os.PathLike
        The pairing CSV (read as :func:`read_csv_table` reads it).
    default : str
        The scheme when no id is a 2025 unit (default :data:`planner.config.DEFAULT_SCHEME`).

    Returns
    -------
    str
        ``"2025"`` or ``default``.

    Raises
    ------
    PlannerInputError
        The file is missing, unreadable or has no ``unit_id`` column.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     f = pathlib.Path(folder) / "p.csv"
    ...     _ = f.write_text("unit_id,hospital_id\\nhn-com25-00004,hn-reg-heart\\n")
    ...     detect_scheme(f)
    '2025'
    """
    table = read_csv_table(path)
    if "unit_id" not in table.columns:
        raise PlannerInputError(
            f"missing column unit_id; found {', '.join(map(str, table.columns))}",
            file=path,
            field="unit_id",
            hint="a pairings file needs one row per unit with unit_id and hospital_id",
        )
    return "2025" if table["unit_id"].str.startswith("hn-com25-").any() else default
