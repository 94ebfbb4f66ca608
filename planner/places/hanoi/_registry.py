"""Building the Hanoi registry of a scheme and keeping it in the cache: the regional
hospitals, the district units and the commune stations with their areas, and what the census
join could not match; keyed by the input files' content and this package's code.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd

from planner._cache import cache_key, cached
from planner.config import authored_dir
from planner.places.facility_schema import FACILITY_COLUMNS
from planner.places.hanoi._census import census_to_2024, read_census
from planner.places.hanoi._data import (
    check_scheme,
    code_files,
    data_paths,
    package_version,
    read_geo_csv,
    write_geo_csv,
)
from planner.places.hanoi._districts import cached_district_polygons
from planner.places.hanoi._locate import load_pois
from planner.places.hanoi._units import (
    build_commune_units_2024,
    build_commune_units_2025,
    build_district_units,
)
from planner.places.hanoi.locations import location_summary

log = logging.getLogger(__name__)


_REGIONAL_FILE = "regional_hospitals.csv"


_EXTRA_COLUMNS = (
    "population_source",
    "location_note",
    "unit_code",
    "district_code",
    "osm_id",
    "name_en",
    "address",
    "source",
)


class Registry(NamedTuple):
    table: pd.DataFrame
    unmatched: list[dict[str, Any]]
    areas: gpd.GeoDataFrame  # the communes' (2024) or units' (2025) areas, EPSG:4326


def registry_key(paths: dict[str, Path], scheme: str) -> str:
    regional = authored_dir() / _REGIONAL_FILE
    return cache_key(*paths.values(), regional, *code_files(), scheme, package_version())


def load_registry(scheme: str, *, cache: bool) -> Registry:
    check_scheme(scheme)
    paths = data_paths()
    regional = authored_dir() / _REGIONAL_FILE
    if not cache:
        return _build(paths, regional, scheme)
    return cached(
        "registry",
        registry_key(paths, scheme),
        build=lambda: _build(paths, regional, scheme),
        save=_save,
        load=_load,
    )


def _build(paths: dict[str, Path], regional_path: Path, scheme: str) -> Registry:
    communes = pd.read_csv(paths["communes_2024"], dtype=str)
    legacy = pd.read_csv(paths["communes_legacy"], dtype=str)
    districts = pd.read_csv(paths["districts"], dtype=str)
    census = read_census(paths["census"], districts)
    census, unmatched = census_to_2024(census, communes)
    polygons = cached_district_polygons(paths)
    pois = load_pois(paths)
    regional = _regional(regional_path, scheme)
    district_units = build_district_units(
        districts, census, polygons, pois, paths["worldpop"], scheme
    )
    if scheme == "2024":
        local, areas = build_commune_units_2024(
            paths, communes, legacy, districts, census, polygons, pois
        )
        unmatched += [
            {"table": "hanoi_communes_2020_579", "district": r.district, "commune": r.commune,
             "population": None, "reason": "no 2019 census row matched this commune"}
            for r in local[local["population"].isna()].itertuples()
        ]  # fmt: skip
    else:
        local, areas, lost = build_commune_units_2025(paths, census, legacy, polygons, pois)
        unmatched += lost
    table = pd.concat([regional, district_units, local], ignore_index=True)
    for row in unmatched:
        log.warning("Hanoi registry (%s): unmatched %s", scheme, row)
    _log_locations(table, scheme)
    columns = [*FACILITY_COLUMNS, *_EXTRA_COLUMNS]
    columns += [c for c in table.columns if c not in columns]
    return Registry(table.reindex(columns=columns), unmatched, areas)


def _log_locations(table: pd.DataFrame, scheme: str) -> None:
    summary = location_summary(table)
    for level, row in summary.iterrows():
        counts = ", ".join(f"{source} {int(n)}" for source, n in row.items() if n)
        log.info("Hanoi registry (%s): %s units located by %s", scheme, level, counts)


def _regional(path: Path, scheme: str) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table[["lat", "lon"]] = table[["lat", "lon"]].astype(float)
    return table.assign(scheme=scheme, population=np.nan, population_source=None)


def _save(value: Registry, folder: Path) -> None:
    value.table.to_csv(folder / "registry.csv", index=False, encoding="utf-8", lineterminator="\n")
    (folder / "unmatched.json").write_text(
        json.dumps(value.unmatched, ensure_ascii=False, indent=1)
    )
    write_geo_csv(value.areas, folder / "areas.csv")


def _load(folder: Path) -> Registry:
    numeric = {"population", "capacity", "lat", "lon", "population_osm_2025"}
    header = pd.read_csv(folder / "registry.csv", nrows=0).columns
    table = pd.read_csv(
        folder / "registry.csv",
        dtype={c: (float if c in numeric else str) for c in header},
        keep_default_na=False,
        na_values={c: [""] for c in header},
    )
    unmatched = json.loads((folder / "unmatched.json").read_text())
    return Registry(table, unmatched, read_geo_csv(folder / "areas.csv"))
