"""Facility tables: the shared schema, loading user files (CSV, GeoJSON, GeoPackage, Shapefile), validation.

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

import functools
import json
import logging
import math
import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from planner._vn import fold
from planner.config import CRS_LONLAT, THOUSANDS
from planner.errors import ApproximateLocationWarning, PlannerInputError, collapse_problems
from planner.io import (
    NumberError,
    is_stdout,
    parse_count,
    parse_decimal,
    read_csv_table,
    spreadsheet_unsafe_table,
    write_csv,
    write_vector_atomic,
)

log = logging.getLogger(__name__)

#: The facility contract (docs/architecture.md), in order; extra columns follow them.
FACILITY_COLUMNS: tuple[str, ...] = (
    "facility_id",
    "name",
    "level",
    "kind",
    "specialty",
    "population",
    "capacity",
    "district",
    "commune",
    "scheme",
    "location_source",
    "lat",
    "lon",
    "hospital_id",
    "site_role",
    "site_name",
)
#: Levels of the health network, from the top.
LEVELS: tuple[str, ...] = ("regional", "district", "commune")
#: Where a location comes from (the Hanoi registry's order of preference is
#: ``planner.places.hanoi.LOCATION_ORDER``): a mapped facility (``osm``), an official or user position,
#: the unit's People's Committee, primary school or place of its name, the population-weighted
#: centre of its area, or a centroid. The last three are approximate (a warning, not an error).
LOCATION_SOURCES: tuple[str, ...] = (
    "osm",
    "official",
    "manual",
    "town_hall",
    "school",
    "place",
    "population_centre",
    "commune_centroid",
    "district_centroid",
)
APPROXIMATE_SOURCES: tuple[str, ...] = (
    "population_centre",
    "commune_centroid",
    "district_centroid",
)
#: The kind a unit gets when its file does not say.
DEFAULT_KIND = {"regional": "hospital", "district": "health_centre", "commune": "health_station"}
#: What a regional row is to its hospital: the ``main`` site (staff rotate from it under the
#: ``site_rule="main"`` rule) or another ``site``.
SITE_ROLES: tuple[str, ...] = ("main", "site")
#: ``site_role`` values recognised besides the English ones, after folding ("Cơ sở chính").
SITE_ROLE_ALIASES: dict[str, str] = {
    "chinh": "main",
    "co so chinh": "main",
    "co so": "site",
    "phu": "site",
    "co so phu": "site",
}
#: Columns a file must have (coordinates are found separately, ``level`` may be given as an option).
REQUIRED_COLUMNS: tuple[str, ...] = ("facility_id", "name", "level")

_TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
_VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip")
#: Header names recognised for each contract column, English and Vietnamese, compared after
#: folding (:func:`planner._vn.fold`: no accents or case, punctuation as spaces), so "Dân số",
#: "dan_so" and "DÂN SỐ" are all population and "Quận/Huyện" is the district.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "lat": ("lat", "latitude", "y", "vi do", "vido", "lat deg", "wardlat"),
    "lon": ("lon", "lng", "long", "longitude", "x", "kinh do", "kinhdo", "lon deg", "wardlon"),
    "facility_id": ("facility id", "facilityid", "id", "ma", "ma co so", "code", "unit id"),
    "name": ("name", "ten", "ten co so", "facility name", "name vi"),
    "level": ("level", "cap", "tuyen", "tuyen ky thuat"),
    "population": ("population", "pop", "dan so", "so dan", "tong dan so"),
    "capacity": ("capacity", "beds", "so giuong", "giuong benh", "so giuong benh", "cong suat"),
    "district": ("district", "quan huyen", "huyen", "quan", "ten quan huyen", "ten huyen"),
    "commune": ("commune", "ward", "xa phuong", "phuong xa", "xa", "phuong", "ten xa"),
    "kind": ("kind", "loai", "loai hinh"),
    "specialty": ("specialty", "chuyen khoa"),
    "hospital_id": ("hospital id", "hospitalid", "ma benh vien"),
    "site_role": ("site role", "siterole", "vai tro co so"),
    "site_name": ("site name", "sitename"),
}
#: ``level`` values recognised besides the English ones, after folding ("Tuyến huyện" is
#: district). The four regional hospitals are city-level ("tuyến thành phố") or "vùng".
LEVEL_ALIASES: dict[str, str] = {
    **{
        v: "regional"
        for v in ("vung", "tuyen vung", "tinh", "tuyen tinh", "thanh pho", "tuyen thanh pho")
    },
    **{v: "district" for v in ("huyen", "quan", "quan huyen", "tuyen huyen", "thi xa")},
    **{v: "commune" for v in ("xa", "phuong", "xa phuong", "tuyen xa", "thi tran")},
}
# Words that mark a column as meant for a contract column although its header is not one of
# the aliases ("Dân số 2019", "population_2025"): such a column is an error, never ignored.
_LOOKS_LIKE: dict[str, tuple[str, ...]] = {
    "population": ("dan so", "population", "so dan"),
    "capacity": ("capacity", "giuong", "beds", "cong suat"),
    "district": ("district", "quan huyen", "huyen"),
    "level": ("level", "tuyen"),
}


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
        _raise_first(problems)
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
        table = _read_table(path, columns=columns, encoding=encoding)
        if level is not None and "level" not in table.columns:
            table["level"] = level
        elif level is not None:
            table["level"] = table["level"].mask(table["level"].map(_blank), level)
        return _validate(
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
        table = _coordinates_from_geometry(gdf, table, file=file, crs_required=True)
    result, problems = _validate(table, file=file, area=area, thousands=thousands)
    if result is None:
        _raise_first(problems)
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
            frame = _coordinates_from_geometry(gdf, frame, file=path, crs_required=True)
        write_csv(frame[[c for c in columns if c in frame.columns]], path, float_format=None)
    else:
        out = gpd.GeoDataFrame(gdf[[c for c in columns if c in gdf.columns]], geometry=gdf.geometry)
        write_vector_atomic(out, path, layer="facilities" if suffix == ".gpkg" else None)
    log.info("wrote %d facilities to %s", len(gdf), path)
    return path


# -- reading ---------------------------------------------------------------------------------


def _read_table(
    path: Path, *, columns: dict[str, str | None], encoding: str | None
) -> pd.DataFrame:
    """Read a facility file into a DataFrame of text cells with contract column names."""
    if not path.is_file():
        raise PlannerInputError(
            "the file does not exist", file=path, hint="check the path and its spelling"
        )
    suffix = path.suffix.lower()
    if suffix in _TEXT_SUFFIXES:
        table = read_csv_table(path, encoding=encoding)
    elif suffix in _VECTOR_SUFFIXES:
        table = _read_vector(path)
    else:
        raise PlannerInputError(
            f"unsupported facility file type '{suffix or '(none)'}'",
            file=path,
            hint="use .csv (or .tsv), .geojson, .gpkg or .shp",
        )
    renamed = _rename_columns(table, file=path, given=columns)
    # the spreadsheet-safety apostrophes of write_csv, known only once id columns are named
    return spreadsheet_unsafe_table(renamed) if suffix in _TEXT_SUFFIXES else renamed


def _read_vector(path: Path) -> pd.DataFrame:
    if path.stat().st_size == 0:
        raise PlannerInputError("the file is empty", file=path, hint="export the layer again")
    if path.suffix.lower() in (".geojson", ".json"):
        try:
            json.loads(path.read_bytes())
        except UnicodeDecodeError:
            raise PlannerInputError(
                "the GeoJSON text is not UTF-8",
                file=path,
                hint="GeoJSON must be UTF-8 (RFC 7946): export it again as UTF-8",
            ) from None
        except json.JSONDecodeError as exc:
            raise PlannerInputError(
                f"broken GeoJSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
                file=path,
                hint="the file is truncated or hand-edited; export it again or fix the JSON",
            ) from None
    try:
        gdf = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises its own error types for unreadable sources
        raise PlannerInputError(
            f"the file cannot be read as a vector layer ({str(exc).strip()[:200]})",
            file=path,
            hint="check that it is a complete GeoJSON, GeoPackage or Shapefile (with its .shx/.dbf)",
        ) from None
    if gdf.empty:
        raise PlannerInputError(
            "the file has no features", file=path, hint="export the layer with its facilities"
        )
    if gdf.crs is None and path.suffix.lower() not in (".geojson", ".json"):
        # GeoJSON is lon/lat by definition (RFC 7946); any other format must say its CRS.
        prj = path.with_suffix(".prj")
        raise PlannerInputError(
            "the coordinate reference system cannot be read"
            + (f" (its {prj.name} is not a valid CRS)" if prj.exists() else f" (no {prj.name})"),
            file=path,
            field="crs",
            hint="export the layer again with its CRS (the .prj file of a Shapefile), or as "
            "GeoJSON, which is always longitude/latitude",
        )
    table = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).astype(object)
    table = table.map(
        lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
    )
    return _coordinates_from_geometry(gdf, table, file=path)


def _coordinates_from_geometry(
    gdf: gpd.GeoDataFrame,
    table: pd.DataFrame,
    *,
    file: str | os.PathLike[str] | None,
    crs_required: bool = False,
) -> pd.DataFrame:
    """Put ``lat``/``lon`` from point geometry into ``table`` (kept as is where already filled).

    With ``crs_required``, geometry without a CRS is an error when the coordinates would come
    from it (a GeoDataFrame's points are never assumed to be lon/lat).
    """
    geometry = gdf.geometry
    uses_geometry = not {"lat", "lon"} <= set(table.columns)
    if geometry.crs is None and crs_required and uses_geometry:
        raise PlannerInputError(
            "the geometry has no CRS, so its coordinates cannot be read",
            file=file,
            field="crs",
            hint="set it, e.g. gdf.set_crs('EPSG:4326') for longitude/latitude",
        )
    if geometry.crs is not None and not geometry.crs.equals(CRS_LONLAT):
        geometry = geometry.to_crs(CRS_LONLAT)
    for position, geom in enumerate(geometry):
        if geom is not None and not geom.is_empty and geom.geom_type != "Point":
            raise PlannerInputError(
                f"the geometry is a {geom.geom_type}, not a point",
                file=file,
                row=position + 1,
                field="geometry",
                hint="give each facility a point location (use a centroid for areas)",
            )
    valid = geometry.notna() & ~geometry.is_empty
    if not valid.all() and not {"lat", "lon"} <= set(table.columns):
        raise PlannerInputError(
            "the feature has no geometry",
            file=file,
            row=int(np.flatnonzero(~valid.to_numpy())[0]) + 1,
            field="geometry",
            hint="give each facility a point location",
        )
    lon = np.where(valid, shapely.get_x(geometry.array), np.nan)
    lat = np.where(valid, shapely.get_y(geometry.array), np.nan)
    table = table.drop(columns=[geometry.name], errors="ignore")
    for name, values in (("lat", lat), ("lon", lon)):
        if name not in table.columns:
            table[name] = values
    return table


def _rename_columns(
    table: pd.DataFrame, *, file: str | Path, given: dict[str, str | None]
) -> pd.DataFrame:
    """Rename recognised or user-named columns to contract names."""
    renames: dict[str, str] = {}
    found = list(table.columns)
    for target, column in given.items():
        if column is None:
            continue
        if column not in found:
            raise PlannerInputError(
                f"the column '{column}' given for {target} is not in the file (columns: "
                f"{', '.join(map(str, found))})",
                file=file,
                field=column,
                hint=f"pass one of the file's columns as the {target} column",
            )
        renames[column] = target
    folded = {fold(c): c for c in found}
    for target, aliases in HEADER_ALIASES.items():
        if target in renames.values() or target in found:
            continue
        column = next((folded[a] for a in aliases if a in folded), None)
        if column is not None and column not in renames:
            renames[column] = target
    for target, words in _LOOKS_LIKE.items():
        if target in renames.values() or target in found:
            continue
        for column in found:
            if column in renames:
                continue
            padded = f" {fold(column)} "
            if any(f" {word} " in padded for word in words):
                raise PlannerInputError(
                    f"the column '{column}' looks like {target} but is not read as it (the "
                    f"planner would ignore it)",
                    file=file,
                    field=column,
                    hint=f"rename it to '{target}' (or one of "
                    f"{', '.join(repr(a) for a in HEADER_ALIASES[target][1:4])}), or remove it",
                )
    renamed = table.rename(columns=renames)
    renamed.attrs["found_columns"] = [str(c) for c in found]  # named in "missing columns" errors
    return renamed


# -- validation ------------------------------------------------------------------------------


def _validate(
    table: pd.DataFrame,
    *,
    file: str | os.PathLike[str] | None,
    area: BaseGeometry | None,
    thousands: str | None = None,
    candidate_sites: bool = False,
) -> tuple[gpd.GeoDataFrame | None, list[PlannerInputError]]:
    """Return the contract table and the row problems (file-level problems raise at once)."""
    file = None if file is None else str(file)
    if len(table) == 0:
        raise PlannerInputError(
            "the table has a header but no facilities",
            file=file,
            hint="add one row per facility under the header",
        )
    if thousands is not None and thousands not in THOUSANDS:
        raise PlannerInputError(
            f"unknown thousands separator {thousands!r}",
            field="thousands",
            hint=f"use one of {', '.join(repr(t) for t in THOUSANDS)}",
        )
    missing = [c for c in (*REQUIRED_COLUMNS, "lat", "lon") if c not in table.columns]
    if missing:
        raise PlannerInputError(
            f"missing required column(s) {', '.join(missing)}; found: "
            f"{', '.join(table.attrs.get('found_columns', map(str, table.columns))) or '(none)'}",
            file=file,
            field=missing[0],
            hint="rename the columns (facility_id, name, level, lat, lon), or name them with "
            "id_col=/name_col=/lat_col=/lon_col= (CLI: --id-col ...), or pass level= for all rows",
        )
    problems: list[tuple[int, int, PlannerInputError]] = []

    def report(row: int, order: int, problem: str, field: str, hint: str) -> None:
        problems.append(
            (row, order, PlannerInputError(problem, file=file, row=row + 1, field=field, hint=hint))
        )

    ids = table["facility_id"].map(lambda v: "" if _blank(v) else str(v).strip())
    names = table["name"].map(lambda v: "" if _blank(v) else str(v).strip())
    levels = table["level"].map(_level)
    lat = _numbers(table["lat"], "lat", "latitude", report, parse=parse_decimal, order=0)
    lon = _numbers(table["lon"], "lon", "longitude", report, parse=parse_decimal, order=1)
    _check_coordinates(lat, lon, area, report)
    first_row: dict[str, int] = {}
    for i, (fid, name, level) in enumerate(zip(ids, names, levels, strict=True)):
        if not fid:
            report(i, 3, "facility_id is blank", "facility_id", "give every facility a unique id")
        elif fid in first_row:
            report(
                i,
                5,
                f"facility_id '{fid}' is also used by row {first_row[fid] + 1}",
                "facility_id",
                "give each facility its own id (or delete the duplicate row)",
            )
        else:
            first_row[fid] = i
        if not name:
            report(i, 2, "name is blank", "name", "write the facility's name")
        if level not in LEVELS:
            report(
                i,
                4,
                f"unknown level '{level}'" if level else "level is blank",
                "level",
                f"use one of {', '.join(LEVELS)} (or their Vietnamese names: vùng, huyện, xã; "
                "or pass level= for a file of one level)",
            )
    counts: dict[str, np.ndarray] = {}
    for column in ("population", "capacity"):
        if column in table.columns:
            parse = functools.partial(parse_count, thousands=thousands)
            values = _numbers(table[column], column, column, report, parse=parse, order=6)
            for negative in np.flatnonzero(values < 0):
                row = int(negative)
                report(row, 6, f"{column} {values[row]:g} is negative", column, "use 0 or more")
            counts[column] = values
    sources = (
        table["location_source"].map(lambda v: "" if _blank(v) else str(v).strip())
        if "location_source" in table.columns
        else pd.Series("", index=table.index)
    )
    for i, source in enumerate(sources):
        if source and source not in LOCATION_SOURCES:
            report(
                i,
                7,
                f"unknown location_source '{source}'",
                "location_source",
                f"use one of {', '.join(LOCATION_SOURCES)} or leave it blank (manual)",
            )
    if candidate_sites:  # new sites of hospitals listed elsewhere: their hospital_id as given
        named = zip(_text_column(table, "site_name"), names, strict=True)
        sites: dict[str, list[str | None]] = {
            "hospital_id": [h or None for h in _text_column(table, "hospital_id")],
            "site_role": ["site"] * len(ids),
            "site_name": [given or name for given, name in named],
        }
    else:
        sites = _sites(table, ids, names, levels, report)
    if problems:
        ordered = [p for _, _, p in sorted(problems, key=lambda t: (t[0], t[1]))]
        return None, collapse_problems(ordered)
    return _assemble(table, ids, names, levels, lat, lon, sources, counts, sites), []


def _sites(
    table: pd.DataFrame,
    ids: Sequence[str],
    names: Sequence[str],
    levels: Sequence[str],
    report: Callable[[int, int, str, str, str], None],
) -> dict[str, list[str | None]]:
    """``hospital_id``, ``site_role`` and ``site_name`` of every row, checked and filled.

    A regional row is one site of the hospital its ``hospital_id`` names (default: its own
    ``facility_id``, a hospital of one site). The sites of a hospital share its name and
    specialty; exactly one is its ``main`` site: the one marked so, else the one whose
    ``facility_id`` is the hospital's id, else the only one. District and commune rows have none
    of the three.
    """
    ids, names, levels = list(ids), list(names), list(levels)  # positions, not labels
    given = _text_column(table, "hospital_id")
    role_text = _text_column(table, "site_role")
    site_name = _text_column(table, "site_name")
    specialty = _text_column(table, "specialty")
    roles = [_site_role(v) for v in role_text]
    regional = [level == "regional" for level in levels]
    row_of: dict[str, int] = {}
    for i, fid in enumerate(ids):
        row_of.setdefault(fid, i)
    hospital = [(given[i] or ids[i]) if regional[i] else "" for i in range(len(ids))]
    for i, level in enumerate(levels):
        if level in ("district", "commune"):
            for column, value in (
                ("hospital_id", given[i]),
                ("site_role", role_text[i]),
                ("site_name", site_name[i]),
            ):
                if value:
                    report(
                        i,
                        8,
                        f"{column} '{value}' is given for a {level} unit; only the sites of a "
                        "regional hospital have one",
                        column,
                        f"leave {column} blank for district and commune units (or set "
                        "level=regional if the row is a site of a regional hospital)",
                    )
        elif regional[i] and roles[i] not in ("", *SITE_ROLES):
            report(
                i,
                8,
                f"unknown site_role '{role_text[i]}'",
                "site_role",
                "use main (the hospital's main site, where its staff rotate from) or site "
                "(another site), or leave it blank",
            )
    groups: dict[str, list[int]] = {}
    for row in np.flatnonzero(regional).tolist():
        groups.setdefault(hospital[row], []).append(row)
    for hospital_id, rows in groups.items():
        first = rows[0]
        owner = row_of.get(hospital_id)
        if owner is not None and not regional[owner]:
            report(
                first,
                9,
                f"hospital_id '{hospital_id}' is the facility_id of a {levels[owner]} unit "
                f"(row {owner + 1})",
                "hospital_id",
                "name the hospital by its main site's facility_id, or by an id no unit uses",
            )
        elif owner is not None and hospital[owner] != hospital_id:
            report(
                first,
                9,
                f"hospital_id '{hospital_id}' is the facility_id of a site of another hospital, "
                f"'{hospital[owner]}' (row {owner + 1})",
                "hospital_id",
                "give each hospital its own id: the facility_id of one of its own sites, or an "
                "id no facility uses",
            )
        for i in rows[1:]:
            if fold(names[i]) != fold(names[first]):
                report(
                    i,
                    9,
                    f"site '{ids[i]}' of hospital '{hospital_id}' is named '{names[i]}', its site "
                    f"on row {first + 1} '{names[first]}'",
                    "name",
                    "give every site of a hospital the hospital's name and put what tells the "
                    "sites apart in site_name (or give separate hospitals their own hospital_id)",
                )
            if specialty[i].lower() != specialty[first].lower():
                report(
                    i,
                    9,
                    f"site '{ids[i]}' of hospital '{hospital_id}' has specialty "
                    f"'{specialty[i] or '(blank)'}', its site on row {first + 1} "
                    f"'{specialty[first] or '(blank)'}'",
                    "specialty",
                    "give every site of a hospital the hospital's specialty (or give separate "
                    "hospitals their own hospital_id)",
                )
        mains = [i for i in rows if roles[i] == "main"]
        if len(mains) > 1:
            report(
                mains[1],
                9,
                f"hospital '{hospital_id}' has two main sites (rows {mains[0] + 1} and "
                f"{mains[1] + 1})",
                "site_role",
                "mark one site main (where its staff rotate from) and the others site",
            )
        elif not mains:
            implicit = [
                i for i in rows if not roles[i] and (ids[i] == hospital_id or len(rows) == 1)
            ]
            if implicit:
                roles[implicit[0]] = "main"
            else:
                listed = ", ".join(str(i + 1) for i in rows)
                report(
                    first,
                    9,
                    f"hospital '{hospital_id}' has {len(rows)} site(s) (rows {listed}) and none "
                    "is its main site",
                    "site_role",
                    "write site_role=main on the site its staff rotate from (or give that site "
                    "the hospital's id as its facility_id)",
                )
        for i in rows:
            roles[i] = roles[i] or "site"
    return {
        "hospital_id": [hospital[i] if regional[i] else None for i in range(len(ids))],
        "site_role": [roles[i] if regional[i] else None for i in range(len(ids))],
        "site_name": [(site_name[i] or names[i]) if regional[i] else None for i in range(len(ids))],
    }


def _site_role(value: str) -> str:
    """A ``site_role`` cell in the contract's words (Vietnamese ones translated)."""
    text = value.strip().lower()
    return text if text in SITE_ROLES or not text else SITE_ROLE_ALIASES.get(fold(text), text)


def _level(value: object) -> str:
    """A ``level`` cell in the contract's words (Vietnamese ones translated), else as written."""
    if _blank(value):
        return ""
    text = str(value).strip().lower()
    return text if text in LEVELS else LEVEL_ALIASES.get(fold(text), text)


def _assemble(
    table: pd.DataFrame,
    ids: pd.Series,
    names: pd.Series,
    levels: pd.Series,
    lat: np.ndarray,
    lon: np.ndarray,
    sources: pd.Series,
    counts: dict[str, np.ndarray],
    sites: dict[str, list[str | None]],
) -> gpd.GeoDataFrame:
    out = pd.DataFrame(index=range(len(table)))
    out["facility_id"] = ids.to_numpy(dtype=object)
    out["name"] = names.to_numpy(dtype=object)
    out["level"] = levels.to_numpy(dtype=object)
    kind = _text_column(table, "kind")
    out["kind"] = [k if k else DEFAULT_KIND[lv] for k, lv in zip(kind, out["level"], strict=True)]
    out["specialty"] = [v or None for v in _text_column(table, "specialty")]
    for column in ("population", "capacity"):
        out[column] = counts.get(column, np.nan)
    out["district"] = [v or None for v in _text_column(table, "district")]
    out["commune"] = [v or None for v in _text_column(table, "commune")]
    out["scheme"] = [v or "custom" for v in _text_column(table, "scheme")]
    out["location_source"] = [v or "manual" for v in sources]
    out["lat"] = lat
    out["lon"] = lon
    for column, values in sites.items():
        out[column] = values
    extras = [c for c in table.columns if c not in FACILITY_COLUMNS]
    for column in extras:
        out[column] = table[column].to_numpy()
    gdf = gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(lon, lat), crs=CRS_LONLAT)
    _warn_approximate(gdf)
    return gdf


def _text_column(table: pd.DataFrame, column: str) -> list[str]:
    if column not in table.columns:
        return [""] * len(table)
    return ["" if _blank(v) else str(v).strip() for v in table[column]]


def _warn_approximate(gdf: gpd.GeoDataFrame) -> None:
    approximate = gdf["location_source"].isin(APPROXIMATE_SOURCES)
    if approximate.any():
        examples = ", ".join(gdf.loc[approximate, "facility_id"].head(3))
        warnings.warn(
            f"{int(approximate.sum())} of {len(gdf)} facilities are placed at a population "
            f"centre or a centroid (e.g. {examples}); their travel times are approximate",
            ApproximateLocationWarning,
            stacklevel=4,
        )


def _numbers(
    values: pd.Series,
    field: str,
    label: str,
    report: Callable[[int, int, str, str, str], None],
    *,
    parse: Callable[[str], float],
    order: int,
) -> np.ndarray:
    """Parse a column of numbers with ``parse``; report text, and blanks of coordinates."""
    out = np.full(len(values), np.nan)
    for i, value in enumerate(values):
        if _blank(value):
            if field in ("lat", "lon"):
                report(
                    i,
                    order,
                    f"{label} is missing",
                    field,
                    f"fill in the {label} in decimal degrees (e.g. 21.0285, 105.8542)",
                )
            continue
        if isinstance(value, int | float | np.integer | np.floating) and not isinstance(
            value, bool
        ):
            number = float(value)
        else:
            try:
                number = parse(str(value))
            except NumberError as exc:
                report(i, order, f"{label} {exc.problem}", field, exc.hint)
                continue
        if not math.isfinite(number):
            report(i, order, f"{label} {number} is not a finite number", field, "write a number")
            continue
        out[i] = number
    return out


def _check_coordinates(lat: np.ndarray, lon: np.ndarray, area: BaseGeometry | None, report) -> None:
    both = ~np.isnan(lat) & ~np.isnan(lon)
    inside = swapped_inside = np.ones(len(lat), dtype=bool)
    if area is not None:
        inside = shapely.contains_xy(area, np.nan_to_num(lon), np.nan_to_num(lat))
        swapped_inside = shapely.contains_xy(area, np.nan_to_num(lat), np.nan_to_num(lon))
    for i in np.flatnonzero(both):
        y, x = lat[i], lon[i]
        looks_swapped = (abs(y) > 90 and abs(x) <= 90) or (
            area is not None and not inside[i] and swapped_inside[i]
        )
        if looks_swapped:
            report(
                int(i),
                1,
                f"latitude and longitude look swapped (lat={y:g}, lon={x:g})",
                "lat",
                f"exchange the two columns (this point would then be lat={x:g}, lon={y:g})",
            )
        elif abs(y) > 90:
            report(int(i), 0, f"latitude {y:g} is outside -90..90", "lat", "use decimal degrees")
        elif abs(x) > 180:
            report(int(i), 1, f"longitude {x:g} is outside -180..180", "lon", "use decimal degrees")
        elif not inside[i]:
            report(
                int(i),
                1,
                f"the point (lat={y:g}, lon={x:g}) lies outside the road network's area",
                "lat",
                "check the coordinates, or use a road network that covers this facility",
            )


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, str) and not value.strip()


def _raise_first(errors: list[PlannerInputError]) -> NoReturn:
    """Raise the first problem, saying how many more there are."""
    first = errors[0]
    if len(errors) > 1:
        first = PlannerInputError(
            f"{first.problem} (and {len(errors) - 1} more problem(s); `planner facilities "
            "--validate FILE` lists them all)",
            file=first.file,
            rows=first.rows,
            field=first.field,
            hint=first.hint,
        )
    raise first
