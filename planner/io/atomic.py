"""Writing files whole: atomic writes of text, JSON and vector files, and ``-`` for stdout.

Every output goes through :func:`atomic_path`: it is written to a temporary file beside the
target, flushed to disk (``fsync``) and renamed onto it only once complete, so a failure or a
power cut never leaves a half-written file and readers never see one.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from planner._json import json_safe


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
    if target.suffix.lower() in (".geojson", ".json"):
        return write_text_atomic(target, gdf.to_json(drop_id=True, ensure_ascii=False) + "\n")
    return write_layers_atomic({layer: gdf}, target)


def write_layers_atomic(
    layers: Mapping[str, Any] | Mapping[str | None, Any],
    target: str | os.PathLike[str],
    *,
    finish: Callable[[Path], None] | None = None,
) -> Path:
    """Write GeoDataFrames as the layers of one GDAL file (GeoPackage by its suffix), atomically.

    Parameters
    ----------
    layers : mapping
        Layer name (``None``: the driver's default) -> GeoDataFrame, written in this order.
    target : str or os.PathLike
        The file, replaced whole (see :func:`atomic_path`); its suffix picks the driver.
    finish : callable, optional
        Called with the written file's temporary path before it is renamed into place, to add
        what the layers do not hold (a GeoPackage's ``layer_styles`` table): an error there
        leaves the previous file as it was, like any other.

    Returns
    -------
    pathlib.Path
        ``target`` as a path.

    Examples
    --------
    >>> import pathlib, tempfile, pyogrio
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> site = gpd.GeoDataFrame({"name": ["Xanh Pôn"]}, geometry=[Point(105.835, 21.031)],
    ...                         crs="EPSG:4326")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = write_layers_atomic({"a": site, "b": site}, pathlib.Path(folder) / "x.gpkg")
    ...     [name for name, _ in pyogrio.list_layers(out)]
    ['a', 'b']
    """
    import pyogrio

    target = Path(target)
    suffix = target.suffix.lower()
    # SQLite (GeoPackage) would flush each layer's transaction to disk; atomic_path flushes the
    # finished file once before renaming it into place, which is what a crash needs.
    before = pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS")
    pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": "OFF"})
    try:
        with atomic_path(target) as tmp:
            # GDAL wants its own suffix and no placeholder file: write beside, then move.
            named = tmp.with_name(tmp.stem + suffix)
            try:
                for name, gdf in layers.items():
                    gdf.to_file(
                        named,
                        driver="GPKG" if suffix == ".gpkg" else None,
                        layer=name,
                        engine="pyogrio",
                    )
                if finish is not None:
                    finish(named)
                os.replace(named, tmp)
            finally:
                named.unlink(missing_ok=True)
    finally:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": before})
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
