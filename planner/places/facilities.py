"""Facility tables: loading user files (CSV, GeoJSON, GeoPackage, Shapefile), checking, writing.

The public face of the facility contract: the names of its schema (:mod:`planner.places.facility_schema`)
are re-exported here; reading files is :mod:`planner.places._facility_files`'s job, the row rules
:mod:`planner.places._facility_rules`'s.

Every facility table the planner uses, whether the Hanoi registry or a user's spreadsheet, goes
through :func:`validate_facilities`, so it has the columns of :data:`FACILITY_COLUMNS` in that
order, point geometry in EPSG:4326 and a unique text ``facility_id``. Loading is all-or-nothing:
a problem raises :class:`~planner.errors.PlannerInputError` naming the file, the 1-based data row
(header excluded) and the field, and no partial table is ever returned.

Text files must be UTF-8 (with or without a byte-order mark). Other encodings are not guessed:
Latin-1 decodes any bytes into plausible-looking garbage, which would put wrong Vietnamese names on a
map without anyone noticing. Pass ``encoding=`` when the encoding is known (e.g. ``"cp1258"``).

Nothing is guessed silently: headers are recognised in English and Vietnamese (:data:`HEADER_ALIASES`),
a column that looks like population, capacity, district or level but is not recognised is an error,
population and capacity with thousands separators are read only where the form is unambiguous
(:func:`planner.io.parse_count`, or ``thousands=``), and a vector file without a readable CRS is an
error (GeoJSON is lon/lat by definition). Problems repeated row after row come as one message listing
the rows.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from planner.errors import PlannerInputError
from planner.io.atomic import is_stdout, write_vector_atomic
from planner.io.spreadsheet import write_csv
from planner.places._facility_files import coordinates_from_geometry, read_table
from planner.places._facility_rules import is_blank, raise_first, validate_table
from planner.places.facility_schema import (
    FACILITY_COLUMNS,
)

__all__ = ["facility_problems", "load_facilities", "validate_facilities", "write_facilities"]

log = logging.getLogger(__name__)


def load_facilities(
    path: str | os.PathLike[str],
    *,
    lat_col: str | None = None,
    lon_col: str | None = None,
    id_col: str | None = None,
    name_col: str | None = None,
    level: str | None = None,
    area: BaseGeometry | None = None,
    encoding: str | None = None,
    thousands: str | None = None,
    candidate_sites: bool = False,
) -> gpd.GeoDataFrame:
    """Read a facility file and return it validated, in the facility contract.

    Parameters
    ----------
    path
        A CSV (comma, semicolon or tab separated; UTF-8), GeoJSON, GeoPackage or Shapefile.
    lat_col, lon_col, id_col, name_col
        Column names when they are not one of the recognised ones (``lat``/``latitude``/``y``/
        ``vĩ độ``, ``lon``/``lng``/``longitude``/``x``/``kinh độ``, ``facility_id``/``id``/``mã``,
        ``name``/``tên``; all in :data:`HEADER_ALIASES`, with ``dân số``, ``quận/huyện``,
        ``tuyến``...). Vector files take coordinates from their point geometry.
    level
        The level of every row (``regional``, ``district`` or ``commune``) when the file has no
        ``level`` column; a ``level`` column wins where it is filled. Vietnamese values are
        understood (:data:`LEVEL_ALIASES`: ``vùng``, ``huyện``, ``xã``...).
    area
        A polygon in EPSG:4326 (e.g. the road network's area); points outside it are errors.
    encoding
        Text encoding of a CSV when it is not UTF-8 (e.g. ``"cp1258"``).
    thousands
        The thousands separator of ``population`` and ``capacity`` (``","``, ``"."`` or
        ``"space"``) when the file uses one; without it only unambiguous forms are read
        (``12 345``, ``1.234.567``), and ``12,345`` or ``12.345`` is an error
        (:func:`planner.io.parse_count`).
    candidate_sites
        The file holds candidate new sites of hospitals listed elsewhere
        (:mod:`planner.pairing.siting`): ``hospital_id`` is kept as given, unchecked against
        the file's other rows, and ``site_role`` is ``site``.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`FACILITY_COLUMNS` then the file's other columns, point geometry, EPSG:4326.

    Raises
    ------
    PlannerInputError
        On the first problem found (file, 1-based data row, field, and how to fix it); when
        there are more, the message says how many. :func:`facility_problems` lists them all.

    Warns
    -----
    ApproximateLocationWarning
        When some rows are placed at a population centre or a centroid.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     f = pathlib.Path(folder) / "units.csv"
    ...     _ = f.write_text("id;tên;vĩ độ;kinh độ\\nbv1;Bệnh viện Đa khoa Ba Vì;21,2164;105,41\\n")
    ...     units = load_facilities(f, level="district")
    >>> units[["facility_id", "kind", "lat", "lon"]]
      facility_id           kind      lat     lon
    0         bv1  health_centre  21.2164  105.41
    """
    table, problems = _load(
        Path(path),
        columns={"lat": lat_col, "lon": lon_col, "facility_id": id_col, "name": name_col},
        level=level,
        area=area,
        encoding=encoding,
        thousands=thousands,
        candidate_sites=candidate_sites,
    )
    if table is None:
        raise_first(problems)
    return table


def facility_problems(
    path: str | os.PathLike[str],
    *,
    lat_col: str | None = None,
    lon_col: str | None = None,
    id_col: str | None = None,
    name_col: str | None = None,
    level: str | None = None,
    area: BaseGeometry | None = None,
    encoding: str | None = None,
    thousands: str | None = None,
) -> list[PlannerInputError]:
    """Return every problem of a facility file (an empty list when it loads cleanly).

    Takes the options of :func:`load_facilities`. File-level problems (unreadable, empty, missing
    columns) stop the check, so they come alone; row problems are all listed, in row order, a
    problem repeated row after row as one error listing its rows.

    Parameters
    ----------
    path : str or os.PathLike
        A CSV (comma, semicolon or tab separated; UTF-8), GeoJSON, GeoPackage or Shapefile.
    lat_col, lon_col, id_col, name_col : str, optional
        Column names when they are not one of the recognised ones (as for
        :func:`load_facilities`).
    level : str, optional
        The level of every row (``regional``, ``district`` or ``commune``) when the file has no
        ``level`` column.
    area : shapely.geometry.base.BaseGeometry, optional
        A polygon in EPSG:4326; points outside it are problems.
    encoding : str, optional
        Text encoding of a CSV when it is not UTF-8 (e.g. ``"cp1258"``).
    thousands : str, optional
        The thousands separator of ``population`` and ``capacity`` (``","``, ``"."`` or
        ``"space"``) when the file uses one.

    Returns
    -------
    list of PlannerInputError
        Every problem (file, 1-based data row, field, and how to fix it), in row order; empty
        when the file loads cleanly.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     f = pathlib.Path(folder) / "units.csv"
    ...     _ = f.write_text("id,name,level,lat,lon\\na,A,commune,abc,105.8\\na,B,town,21.0,105.9\\n")
    ...     for p in facility_problems(f):
    ...         print(p)  # doctest: +ELLIPSIS
    /.../units.csv, row 1, field lat: latitude 'abc' is not a number. Fix: ...
    /.../units.csv, row 2, field level: unknown level 'town'. Fix: ...
    /.../units.csv, row 2, field facility_id: facility_id 'a' is also used by row 1. Fix: ...
    """
    return _load(
        Path(path),
        columns={"lat": lat_col, "lon": lon_col, "facility_id": id_col, "name": name_col},
        level=level,
        area=area,
        encoding=encoding,
        thousands=thousands,
    )[1]


def _load(
    path: Path,
    *,
    columns: dict[str, str | None],
    level: str | None,
    area: BaseGeometry | None,
    encoding: str | None,
    thousands: str | None,
    candidate_sites: bool = False,
) -> tuple[gpd.GeoDataFrame | None, list[PlannerInputError]]:
    """Read and validate: the table, or None and every problem found."""
    try:
        table = read_table(path, columns=columns, encoding=encoding)
        if level is not None and "level" not in table.columns:
            table["level"] = level
        elif level is not None:
            table["level"] = table["level"].mask(table["level"].map(is_blank), level)
        return validate_table(
            table, file=path, area=area, thousands=thousands, candidate_sites=candidate_sites
        )
    except PlannerInputError as exc:
        return None, [exc]


def validate_facilities(
    gdf: pd.DataFrame,
    *,
    file: str | os.PathLike[str] | None = None,
    area: BaseGeometry | None = None,
    thousands: str | None = None,
) -> gpd.GeoDataFrame:
    """Check a facility table against the contract and return it complete and in order.

    Shared by :func:`load_facilities` and the Hanoi registry. Missing optional columns are filled
    (``kind`` from the level, ``scheme`` ``"custom"``, ``location_source`` ``"manual"``);
    coordinates come from ``lat``/``lon`` columns, else from point geometry.

    Parameters
    ----------
    gdf
        A DataFrame or GeoDataFrame with at least ``facility_id``, ``name``, ``level`` and
        coordinates.
    file
        The file it came from, named in error messages.
    area
        A polygon in EPSG:4326; points outside it are errors.
    thousands
        Thousands separator of text ``population``/``capacity`` cells (see
        :func:`load_facilities`).

    Returns
    -------
    geopandas.GeoDataFrame
        A new table; the input is not modified.

    Raises
    ------
    PlannerInputError
        On the first problem (see :func:`load_facilities`).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"facility_id": ["x"], "name": ["Trạm y tế"], "level": ["commune"],
    ...                   "lat": [21.0], "lon": [105.8]})
    >>> list(validate_facilities(t).columns[:4])
    ['facility_id', 'name', 'level', 'kind']
    """
    table = pd.DataFrame(gdf).copy()
    if isinstance(gdf, gpd.GeoDataFrame) and gdf.geometry.name in table.columns:
        table = coordinates_from_geometry(gdf, table, file=file, crs_required=True)
    result, problems = validate_table(table, file=file, area=area, thousands=thousands)
    if result is None:
        raise_first(problems)
    return result


def write_facilities(gdf: gpd.GeoDataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a facility table atomically as CSV (UTF-8), GeoJSON or GeoPackage, by suffix
    (``"-"``: CSV on standard output).

    The previous file, if any, stays intact when writing fails. CSV text cells are
    spreadsheet-safe (:func:`planner.io.write_csv`); :func:`load_facilities` reads them back
    unchanged.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        A facility table (e.g. from :func:`load_facilities`); a CSV takes its points from
        ``lat``/``lon``, else from the point geometry.
    path : str or os.PathLike
        The file to write, ending in ``.csv``, ``.geojson`` or ``.gpkg``; ``"-"`` writes CSV to
        standard output.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    PlannerInputError
        Another suffix, or a CSV of points that have no coordinates.

    Examples
    --------
    The seven sites of Hanoi's regional hospitals, written and read back:

    >>> import tempfile, pathlib, warnings
    >>> from planner.places.hanoi import hanoi_facilities
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # units placed at population centres
    ...     fac = hanoi_facilities(scheme="2025")
    >>> regional = fac[fac["level"] == "regional"]
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = write_facilities(regional, pathlib.Path(folder) / "regional.csv")
    ...     back = load_facilities(out)
    >>> out.name, len(back), back["facility_id"].tolist() == regional["facility_id"].tolist()
    ('regional.csv', 7, True)
    """
    path = Path(path)
    suffix = ".csv" if is_stdout(path) else path.suffix.lower()
    if suffix not in (".csv", ".geojson", ".gpkg"):
        raise PlannerInputError(
            f"cannot write facilities as '{suffix or path.name}'",
            file=path,
            hint="use a file name ending in .csv, .geojson or .gpkg",
        )
    columns = [*FACILITY_COLUMNS, *(c for c in gdf.columns if c not in FACILITY_COLUMNS)]
    if suffix == ".csv":
        frame = pd.DataFrame(gdf).drop(columns=[gdf.geometry.name], errors="ignore")
        if not {"lat", "lon"} <= set(frame.columns):  # a CSV carries its points as lat/lon
            frame = coordinates_from_geometry(gdf, frame, file=path, crs_required=True)
        write_csv(frame[[c for c in columns if c in frame.columns]], path, float_format=None)
    else:
        out = gpd.GeoDataFrame(gdf[[c for c in columns if c in gdf.columns]], geometry=gdf.geometry)
        write_vector_atomic(out, path, layer="facilities" if suffix == ".gpkg" else None)
    log.info("wrote %d facilities to %s", len(gdf), path)
    return path
