"""The Hanoi data files: where they are, the checks and cache keys of what is built from them,
and the geometry tables kept in the cache.

:data:`FILES` names the data folder's files (see ``SOURCES.md`` there); :func:`data_paths`
finds them; :func:`code_files` and :func:`package_version` are part of every cache key (the
cached tables' format is this package's code); :func:`read_units_2025` reads the 126 units of
2025 with their polygons.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from planner._vn import fold
from planner.config import CRS_LONLAT, SCHEMES, data_file
from planner.errors import PlannerInputError
from planner.places.population import WORLDPOP_FILE

FILES = {
    "boundary": "hanoi_boundary_osm.geojson",
    "communes_2024": "hanoi_communes_2020_579.csv",
    "communes_legacy": "hanoi_communes_legacy_526_centroids.csv",
    "districts": "hanoi_districts_30_centroids.csv",
    "units_2025": "hanoi_communes_2025_126_centroids.csv",
    "polygons_2025": "hanoi_communes_2025_osm.geojson",
    "health_osm": "hanoi_health_facilities_osm.geojson",
    "census": "hanoi_population_commune_census2019.csv",
    "tiles": "hanoi_osm_2021-08_z14.mbtiles",
    "worldpop": WORLDPOP_FILE,
}


def check_scheme(scheme: str) -> None:
    if scheme not in SCHEMES:
        raise PlannerInputError(
            f"unknown scheme '{scheme}'", field="scheme", hint=f"use one of {', '.join(SCHEMES)}"
        )


def data_paths() -> dict[str, Path]:
    return {name: data_file(file) for name, file in FILES.items()}


def code_files() -> list[Path]:
    # The registry's format is this code's: its source files (every module of this package,
    # whatever their names) are part of the key.
    import inspect

    from planner import _vn
    from planner.places import population
    from planner.roads import read_tile_layers

    own = sorted(Path(__file__).parent.glob("*.py"))
    tiles = inspect.getsourcefile(read_tile_layers)  # the tile reader's module, wherever it lives
    return [*own, Path(str(_vn.__file__)), Path(str(tiles)), Path(str(population.__file__))]


def write_geo_csv(gdf: gpd.GeoDataFrame, path: Path) -> None:
    table = pd.DataFrame(gdf.drop(columns="geometry"))
    table["geometry"] = gdf.to_crs(CRS_LONLAT).geometry.to_wkb(hex=True).to_numpy()
    table.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def read_geo_csv(path: Path, dtypes: dict[str, Any] | None = None) -> gpd.GeoDataFrame:
    table = pd.read_csv(path, dtype=dtypes or {"district_code": str, "facility_id": str})
    geometry = gpd.GeoSeries.from_wkb(table.pop("geometry").map(bytes.fromhex), crs=CRS_LONLAT)
    return gpd.GeoDataFrame(table, geometry=geometry.to_numpy(), crs=CRS_LONLAT)


def read_units_2025(centroids_path: Path, polygons_path: Path) -> gpd.GeoDataFrame:
    """The 126 units with their GSO code and OSM polygon, matched by name."""
    units = pd.read_csv(centroids_path, dtype={"wardCode": str})
    polygons = gpd.read_file(polygons_path, engine="pyogrio")
    polygons = polygons.assign(key=polygons["name"].map(fold)).drop_duplicates("key")
    merged = units.assign(key=units["ward"].map(fold)).merge(
        polygons[["key", "population", "geometry"]], on="key", how="left", validate="one_to_one"
    )
    missing = merged[merged["geometry"].isna()]
    if len(missing):
        raise PlannerInputError(
            f"{len(missing)} units of the 2025 list have no polygon (e.g. {missing['ward'].iloc[0]})",
            file=polygons_path,
            field="name",
            hint="restore the OSM polygons file from the data folder",
        )
    return gpd.GeoDataFrame(
        {
            "facility_id": "hn-com25-" + merged["wardCode"],
            "name": merged["ward"],
            "unit_code": merged["wardCode"],
            "population_osm_2025": pd.to_numeric(merged["population"], errors="coerce"),
        },
        geometry=merged["geometry"].to_numpy(),
        crs=CRS_LONLAT,
    )


def package_version() -> str:
    from importlib.metadata import version

    return version("vietnamadminunits")
