"""Reading a facility file into text cells named as the contract's columns: CSV through the one
CSV reader, vector layers (GeoJSON, GeoPackage, Shapefile) with their coordinate system, and
headers recognised in English and Vietnamese (a column that looks meant for a contract column
but is not recognised is an error).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planner._vn import fold
from planner.config import CRS_LONLAT
from planner.errors import PlannerInputError
from planner.io.csv_reader import read_csv_table
from planner.io.spreadsheet import spreadsheet_unsafe_table
from planner.places.facility_schema import HEADER_ALIASES

_TEXT_SUFFIXES = (".csv", ".tsv", ".txt")


_VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip")


# Words that mark a column as meant for a contract column although its header is not one of
# the aliases ("Dân số 2019", "population_2025"): such a column is an error, never ignored.
_LOOKS_LIKE: dict[str, tuple[str, ...]] = {
    "population": ("dan so", "population", "so dan"),
    "capacity": ("capacity", "giuong", "beds", "cong suat"),
    "district": ("district", "quan huyen", "huyen"),
    "level": ("level", "tuyen"),
}


def read_table(path: Path, *, columns: dict[str, str | None], encoding: str | None) -> pd.DataFrame:
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
    return coordinates_from_geometry(gdf, table, file=path)


def coordinates_from_geometry(
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
