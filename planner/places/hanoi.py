"""The Hanoi registry: every unit of the health network, located and weighted, in both schemes.

``hanoi_facilities(scheme="2024")`` gives the 4 regional hospitals (one row per site: 7 sites,
``geodata/regional_hospitals.csv``), the 30 district-level units and the 579 commune health
stations of 2020-2024; ``scheme="2025"`` keeps the regional and
district units (the district units become area health centres) and gives one health station to
each of the 126 commune-level units in force since 1 July 2025. Everything is built from the data
folder (see ``SOURCES.md`` there) and the authored ``geodata/`` tables, and cached.

**Areas.** The 2025 units are the OSM polygons. The 30 districts of 2024 are polygonized from the
district (admin level 6) and province (level 4) boundary lines of the road tiles, closed by the
province boundary. The tiles carry only part of the district boundaries: 8 districts come out
whole, the rest share two faces, which are split along the 2025 unit polygons (a unit formed
from communes of one former district lies in that district) and, inside the units formed from
several, by the Voronoi cells of the districts' commune centroids (see :func:`hanoi_areas`). A
commune of 2024 gets the part of its district nearest to its site (its own geocoded centroid, or
where it was located), within the 2025 unit(s) it went to.

**Locations**, in this order (``location_source``):

1. ``osm``: a mapped OSM health station, centre or hospital with the unit's name, in its area
   (the OSM health facilities file, then the health POIs of the road tiles);
2. ``town_hall``, ``school``, ``place``: the unit's People's Committee (tiles POI "UBND xã X"),
   else its primary school ("Trường Tiểu học X"), else an OSM place named like it, in its area:
   commune health stations stand in or beside the commune's centre;
3. ``population_centre``: the population-weighted centre of its area on the WorldPop grid;
4. ``commune_centroid`` / ``district_centroid``: the geocoded centroid (no people in the area).

Each POI locates at most one unit (the one whose centroid is nearest). District units follow the
same order with their district hospital or health centre, then the district People's Committee.

**Population**: the 2019 census, joined by commune name with the district as key; communes merged
or renamed since 2019, and the 2025 units, are joined through the official old→new unit lists of
the ``vietnamadminunits`` package. Every census row and commune that could not be joined is listed
in ``gdf.attrs["unmatched"]`` and logged. :func:`hanoi_population_grid` places the census people
on the WorldPop grid inside each unit's area.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from planner._cache import cache_key, cached
from planner._vn import core_name, fold, split_unit_type
from planner.config import CRS_LONLAT, CRS_METRIC, SCHEMES, authored_dir, data_file
from planner.errors import PlannerInputError
from planner.places.facilities import FACILITY_COLUMNS, LOCATION_SOURCES, validate_facilities
from planner.places.population import (
    WORLDPOP_FILE,
    PopulationGrid,
    population_centres,
    population_grid,
    split_by_population,
    split_by_sites,
)
from planner.roads._mvt import read_tile_layers

log = logging.getLogger(__name__)

#: The official 2019 census total for Hanoi (GSO), the sum of the census table.
CENSUS_2019_TOTAL = 8_053_663
#: Where a unit's location comes from, best first (``location_source``; see the module doc):
#: the facility vocabulary without the positions only a user gives (``official``, ``manual``).
LOCATION_ORDER = tuple(s for s in LOCATION_SOURCES if s not in ("official", "manual"))

_FILES = {
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
_REGIONAL_FILE = "regional_hospitals.csv"
_DISTRICT_AREAS_FILE = "district_areas.csv"
#: A district unit may lie this far outside its district's polygon (boundaries drawn differently).
_DISTRICT_NEAR_M = 1000.0
#: A commune's POI may lie this far outside its area.
_AREA_NEAR_M = 200.0
#: A district is "approximate" when less than this share of its area is bounded by real lines.
_EXACT_SHARE = 0.99
# Where a district polygon's pieces come from: whole faces of the tiles' boundary lines, whole
# 2025 units formed from one former district, Voronoi cells of commune centroids.
_PIECE_KINDS = ("tiles", "2025 units", "Voronoi")
# Ứng Hòa's district hospital is named after its seat, the town of Vân Đình; Long Biên's general
# hospital is Đức Giang General Hospital, in Đức Giang ward (addr:district Long Biên in OSM).
_DISTRICT_HOSPITAL_SEATS = {"ung hoa": "van dinh", "long bien": "duc giang"}
_STATION_PREFIX = re.compile(r"^(diem )?(tram y te|tram xa) ")
_SITE_SUFFIX = re.compile(r" co so \d+$")
_COMMITTEE = re.compile(r"(?:^|\s)(?:ubnd|uy ban nhan dan) (.+)$")
_SCHOOL = re.compile(r"^(?:truong )?tieu hoc (.+?)(?: [a-d])?$")
_PLACE_PREFIX = re.compile(r"^(?:thon|lang|xom|ap|khu pho|to dan pho) ")
_COMMUNE_TYPES = ("xa", "phuong", "thi tran")
_DISTRICT_TYPES = ("quan", "huyen", "thi xa")
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


class _Registry(NamedTuple):
    table: pd.DataFrame
    unmatched: list[dict[str, Any]]
    areas: gpd.GeoDataFrame  # the communes' (2024) or units' (2025) areas, EPSG:4326


def hanoi_facilities(*, scheme: str = "2024", cache: bool = True) -> gpd.GeoDataFrame:
    """Return the Hanoi health units of one administrative scheme, in the facility contract.

    Parameters
    ----------
    scheme
        ``"2024"``: the 4 regional hospitals at their 7 sites (one row per site, its
        ``hospital_id`` naming the hospital: Hanoi Heart Hospital has 2 sites, Hanoi Obstetrics
        and Gynecology Hospital 3), 30 district units (``hn-dist-<GSO district code>``),
        579 commune stations (``hn-com-<GSO commune code>``). ``"2025"``: the same regional and
        district units and 126 stations (``hn-com25-<unit code>``).
    cache
        Reuse the cached registry (keyed by the input files' content); ``False`` rebuilds.

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`~planner.places.facilities.FACILITY_COLUMNS`, then ``population_source``,
        ``location_note`` (where a location comes from when it is not a mapped facility),
        ``unit_code``, ``district_code``, ``osm_id``, ``name_en``, ``address``, ``source``.
        ``location_source`` follows :data:`LOCATION_ORDER`. ``attrs["unmatched"]`` lists (as
        dicts) every census row or unit the population join could not match.

    Warns
    -----
    ApproximateLocationWarning
        Units not mapped by name sit at the population centre of their area.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     reg = hanoi_facilities(scheme="2024")
    >>> reg["level"].value_counts().to_dict()
    {'commune': 579, 'district': 30, 'regional': 7}
    >>> reg.loc[reg["level"] == "regional", "hospital_id"].nunique()
    4
    >>> reg.set_index("facility_id").loc["hn-dist-271", "name"]
    'Bệnh viện Đa khoa Ba Vì'
    """
    registry = _registry(scheme, cache=cache)
    gdf = validate_facilities(registry.table, file=f"Hanoi registry ({scheme})")
    gdf.attrs["unmatched"] = registry.unmatched
    return gdf


def hanoi_boundary() -> BaseGeometry:
    """Return the Hanoi province boundary (OSM relation 1903516) as a shapely polygon, EPSG:4326.

    Returns
    -------
    shapely.geometry.base.BaseGeometry
        The province's (multi)polygon in longitude/latitude degrees.

    Raises
    ------
    PlannerInputError
        If the boundary file is missing from the data folder.

    Examples
    --------
    The area in km², and Xanh Pon hospital (in Ba Đình) inside the boundary:

    >>> import shapely
    >>> round(gpd.GeoSeries([hanoi_boundary()], crs="EPSG:4326").to_crs(CRS_METRIC).area[0] / 1e6)
    3352
    >>> hanoi_boundary().contains(shapely.Point(105.83518, 21.03126))
    True
    """
    return _boundary(str(data_file(_FILES["boundary"])))


def hanoi_areas(*, scheme: str = "2024") -> gpd.GeoDataFrame:
    """Return the areas served by the district units (2024) or the commune units (2025).

    ``"2025"``: the 126 commune-level polygons from OSM (``facility_id`` ``hn-com25-<code>``,
    ``approximate`` False). ``"2024"``: the 30 districts (``facility_id`` ``hn-dist-<code>``),
    polygonized from the road tiles' boundary lines and the province boundary. Where the tiles
    lack a boundary between two districts, the face holding both is split along the 2025 unit
    polygons (a unit formed from one former district's communes lies in it) and, inside a unit
    formed from several districts' communes, by the Voronoi cells of their commune centroids.

    Columns (2024): ``facility_id``, ``district``, ``district_code``, ``area_km2``,
    ``exact_share`` (share of the area bounded by real lines: tile boundaries or whole 2025
    units), ``approximate`` (``exact_share`` below 0.99), ``boundary_source``,
    ``official_area_km2`` and ``official_area_source`` (where a published figure was found,
    ``geodata/district_areas.csv``), ``geometry``.

    Parameters
    ----------
    scheme : str, default "2024"
        ``"2024"`` for the 30 districts, ``"2025"`` for the 126 commune-level units.

    Returns
    -------
    geopandas.GeoDataFrame
        One polygon row per area (EPSG:4326) with the columns above; for ``"2025"``:
        ``facility_id``, ``name``, ``unit_code``, ``population_osm_2025``, ``geometry`` and
        ``approximate``.

    Raises
    ------
    PlannerInputError
        If ``scheme`` is not one of ``config.SCHEMES``, or a data file is missing.

    Examples
    --------
    >>> areas = hanoi_areas(scheme="2024")
    >>> len(areas), int(areas["approximate"].sum()) < 30
    (30, True)
    >>> ba_vi = areas.set_index("district").loc["Huyện Ba Vì"]
    >>> ba_vi["boundary_source"], round(ba_vi["area_km2"])
    ('tiles', 416)
    >>> len(hanoi_areas(scheme="2025"))
    126
    """
    _check_scheme(scheme)
    paths = _paths()
    if scheme == "2025":
        units = _units_2025(paths["units_2025"], paths["polygons_2025"])
        out = units[["facility_id", "name", "unit_code", "population_osm_2025", "geometry"]]
        return out.assign(approximate=False)
    districts = _district_polygons_cached(paths)
    official = pd.read_csv(authored_dir() / _DISTRICT_AREAS_FILE)
    official = official.set_index("district")
    return districts.assign(
        official_area_km2=districts["district"].map(official["official_area_km2"]),
        official_area_source=districts["district"].map(official["source"]),
    )


def hanoi_unit_areas(*, scheme: str = "2024", cache: bool = True) -> gpd.GeoDataFrame:
    """Return the area of every commune-level unit, for placing people on the population grid.

    ``"2025"``: the OSM polygons of the 126 units. ``"2024"``: each of the 579 communes gets the
    part of its district polygon (:func:`hanoi_areas`) nearest to its site (its own geocoded
    centroid, else the point it was located at), and only within the 2025 unit(s) its territory
    went to; communes that share a site (merged in January 2025, none located on its own) share
    its area. The areas are approximations for spreading people, not legal boundaries.

    Parameters
    ----------
    scheme : str, default "2024"
        ``"2024"`` for the 579 communes, ``"2025"`` for the 126 commune-level units.
    cache : bool, default True
        Reuse the cached registry (keyed by the input files' content); ``False`` rebuilds.

    Returns
    -------
    geopandas.GeoDataFrame
        ``facility_id``, ``district``, ``population`` (census), ``geometry`` (EPSG:4326).

    Examples
    --------
    >>> areas = hanoi_unit_areas(scheme="2024")
    >>> len(areas), int(areas["population"].sum())
    (579, 8053663)
    """
    _check_scheme(scheme)
    registry = _registry(scheme, cache=cache)
    info = registry.table.set_index("facility_id")
    areas = registry.areas
    return gpd.GeoDataFrame(
        {
            "facility_id": areas["facility_id"].to_numpy(),
            "district": areas["facility_id"].map(info["district"]).to_numpy(),
            "population": areas["facility_id"].map(info["population"]).to_numpy(dtype=float),
        },
        geometry=areas.geometry.to_numpy(),
        crs=CRS_LONLAT,
    )


def hanoi_population_grid(*, scheme: str = "2024", cache: bool = True) -> PopulationGrid:
    """Return the census 2019 population placed on the WorldPop 2020 grid, unit by unit.

    Each raster cell is cut by the commune-level areas of the scheme
    (:func:`hanoi_unit_areas`) and every unit's pieces are scaled to its census population,
    in whole people (rules in :mod:`planner.places.population`): every unit's total is its census to
    the person and the grid's total is the census total, 8,053,663.

    Parameters
    ----------
    scheme : str, default "2024"
        ``"2024"`` spreads the people over the 579 communes' areas, ``"2025"`` over the 126
        units' areas.
    cache : bool, default True
        Reuse the cached grid (keyed by the registry's inputs and the raster); ``False``
        rebuilds it.

    Returns
    -------
    PopulationGrid
        The pieces of raster cells with their people (``cells``), calibrated to the census.

    Examples
    --------
    >>> grid = hanoi_population_grid(scheme="2025")
    >>> int(grid.total), grid.calibrated, grid.cells["cell_id"].nunique() > 4000
    (8053663, True, True)
    """
    _check_scheme(scheme)
    paths = _paths()
    key = cache_key(_registry_key(paths, scheme), paths["worldpop"])

    def build() -> PopulationGrid:
        return population_grid(
            hanoi_unit_areas(scheme=scheme, cache=cache), raster=paths["worldpop"]
        )

    if not cache:
        return build()
    return cached("population", key, build=build, save=_save_grid, load=_load_grid)


# -- building ---------------------------------------------------------------------------------


def _check_scheme(scheme: str) -> None:
    if scheme not in SCHEMES:
        raise PlannerInputError(
            f"unknown scheme '{scheme}'", field="scheme", hint=f"use one of {', '.join(SCHEMES)}"
        )


def _paths() -> dict[str, Path]:
    return {name: data_file(file) for name, file in _FILES.items()}


def _code_files() -> list[Path]:
    # The registry's format is this code's: its source files are part of the key.
    from planner import _vn
    from planner.places import population
    from planner.roads import _mvt

    return [Path(__file__), *(Path(str(m.__file__)) for m in (_vn, _mvt, population))]


def _registry_key(paths: dict[str, Path], scheme: str) -> str:
    regional = authored_dir() / _REGIONAL_FILE
    return cache_key(*paths.values(), regional, *_code_files(), scheme, _package_version())


def _registry(scheme: str, *, cache: bool) -> _Registry:
    _check_scheme(scheme)
    paths = _paths()
    regional = authored_dir() / _REGIONAL_FILE
    if not cache:
        return _build(paths, regional, scheme)
    return cached(
        "registry",
        _registry_key(paths, scheme),
        build=lambda: _build(paths, regional, scheme),
        save=_save,
        load=_load,
    )


def _build(paths: dict[str, Path], regional_path: Path, scheme: str) -> _Registry:
    communes = pd.read_csv(paths["communes_2024"], dtype=str)
    legacy = pd.read_csv(paths["communes_legacy"], dtype=str)
    districts = pd.read_csv(paths["districts"], dtype=str)
    census = _census(paths["census"], districts)
    census, unmatched = _census_to_2024(census, communes)
    polygons = _district_polygons_cached(paths)
    pois = _pois(paths)
    regional = _regional(regional_path, scheme)
    district_units = _district_units(districts, census, polygons, pois, paths["worldpop"], scheme)
    if scheme == "2024":
        local, areas = _commune_units_2024(
            paths, communes, legacy, districts, census, polygons, pois
        )
        unmatched += [
            {"table": "hanoi_communes_2020_579", "district": r.district, "commune": r.commune,
             "population": None, "reason": "no 2019 census row matched this commune"}
            for r in local[local["population"].isna()].itertuples()
        ]  # fmt: skip
    else:
        local, areas, lost = _commune_units_2025(paths, census, legacy, polygons, pois)
        unmatched += lost
    table = pd.concat([regional, district_units, local], ignore_index=True)
    for row in unmatched:
        log.warning("Hanoi registry (%s): unmatched %s", scheme, row)
    _log_locations(table, scheme)
    columns = [*FACILITY_COLUMNS, *_EXTRA_COLUMNS]
    columns += [c for c in table.columns if c not in columns]
    return _Registry(table.reindex(columns=columns), unmatched, areas)


def location_summary(facilities: pd.DataFrame) -> pd.DataFrame:
    """Count units per level and ``location_source``, and the communes sharing a point.

    Parameters
    ----------
    facilities : pandas.DataFrame
        A facility table with ``level``, ``location_source``, ``lat`` and ``lon`` (e.g. from
        :func:`hanoi_facilities`).

    Returns
    -------
    pandas.DataFrame
        One row per level with a column per location source (every one of
        :data:`LOCATION_ORDER`, then any other found) and ``shared_point`` (communes whose
        point another commune also has).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     summary = location_summary(hanoi_facilities(scheme="2024"))
    >>> int(summary.loc["district", "district_centroid"])
    0
    """
    counts = pd.crosstab(facilities["level"], facilities["location_source"])
    others = [c for c in counts.columns if c not in LOCATION_ORDER]
    counts = counts.reindex(columns=[*LOCATION_ORDER, *others], fill_value=0)
    communes = facilities[facilities["level"] == "commune"]
    shared = int(communes.duplicated(["lat", "lon"], keep=False).sum())
    counts["shared_point"] = 0
    if "commune" in counts.index:
        counts.loc["commune", "shared_point"] = shared
    return counts


def _log_locations(table: pd.DataFrame, scheme: str) -> None:
    summary = location_summary(table)
    for level, row in summary.iterrows():
        counts = ", ".join(f"{source} {int(n)}" for source, n in row.items() if n)
        log.info("Hanoi registry (%s): %s units located by %s", scheme, level, counts)


def _census(path: Path, districts: pd.DataFrame) -> pd.DataFrame:
    census = pd.read_csv(path, dtype={"district": str, "commune": str})
    # The census spells one district "Huyện ứng Hòa": use the official names from here on.
    official = {core_name(d): d for d in districts["district"]}
    census["district"] = census["district"].map(lambda d: official.get(core_name(d), d))
    return census


# -- locating units ------------------------------------------------------------------------------


_NOT_NAMED = "no mapped station, People's Committee, primary school or place of its name"


class _Pois(NamedTuple):
    """Named points that can locate a unit, each with ``name``, ``type``, ``core`` (the folded
    name without its unit type), ``lon``, ``lat``, ``osm_id`` (health only) and ``xy`` (UTM)."""

    health: pd.DataFrame  # OSM health facilities file, then the tiles' health POIs
    town_hall: pd.DataFrame
    school: pd.DataFrame
    place: pd.DataFrame


def _pois(paths: dict[str, Path]) -> _Pois:
    osm = _osm_health(paths["health_osm"])
    layers = read_tile_layers(paths["tiles"], ["poi", "place"])
    poi, place = layers["poi"], layers["place"]
    name = poi["name:latin"].map(fold)
    tiles_health = poi[(poi["class"] == "hospital") & (name != "")]
    health = pd.concat(
        [
            pd.DataFrame({"name": osm["name"], "key": osm["key"], "lon": osm["lon"],
                          "lat": osm["lat"], "osm_id": osm["osm_id"], "origin": "osm"}),
            pd.DataFrame({"name": tiles_health["name:latin"], "key": name[tiles_health.index],
                          "lon": tiles_health.geometry.x, "lat": tiles_health.geometry.y,
                          "osm_id": None, "origin": "tiles"}),
        ],
        ignore_index=True,
    )  # fmt: skip
    committee = name.str.extract(_COMMITTEE, expand=False)
    school = name.str.extract(_SCHOOL, expand=False)
    place_name = place["name:latin"].map(fold).str.replace(_PLACE_PREFIX, "", regex=True)
    return _Pois(
        health=_with_xy(health),
        town_hall=_named(poi[committee.notna()], committee.dropna()),
        school=_named(poi[school.notna()], school.dropna()),
        place=_named(place[place_name != ""], place_name[place_name != ""], kind=place["class"]),
    )


def _named(
    features: gpd.GeoDataFrame, folded: pd.Series, *, kind: pd.Series | None = None
) -> pd.DataFrame:
    unit_type, core = zip(*folded.map(split_unit_type), strict=True) if len(folded) else ((), ())
    table = pd.DataFrame(
        {
            "name": features["name:latin"].to_numpy(),
            "type": list(unit_type),
            "core": list(core),
            "lon": features.geometry.x.to_numpy(),
            "lat": features.geometry.y.to_numpy(),
            "kind": (kind[features.index] if kind is not None else features["class"]).to_numpy(),
        }
    )
    return _with_xy(table)


def _with_xy(table: pd.DataFrame) -> pd.DataFrame:
    return table.reset_index(drop=True).assign(xy=_metric(table["lon"], table["lat"]))


def _match(
    unit_type: list[str],
    unit_core: list[str],
    areas: np.ndarray,
    refs: np.ndarray,
    pois: pd.DataFrame,
    *,
    near_m: float,
) -> dict[int, int]:
    """Match units to POIs of the same name lying in (or ``near_m`` of) their area.

    A POI with a unit type ("xã", "phường") matches only units of that type. When several match,
    the unit and POI nearest to each other pair first; each POI and unit pairs at most once.
    ``areas`` and ``refs`` (the units' reference points) are UTM geometries.
    """
    by_core: dict[str, list[int]] = {}
    for j, core in enumerate(pois["core"]):
        by_core.setdefault(core, []).append(j)
    xy = pois["xy"].to_numpy()
    candidates = []
    for i, (t, core) in enumerate(zip(unit_type, unit_core, strict=True)):
        for j in by_core.get(core, []):
            if pois["type"].iat[j] in ("", t) and shapely.dwithin(areas[i], xy[j], near_m):
                candidates.append((shapely.distance(refs[i], xy[j]), i, j))
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for _, i, j in sorted(candidates):
        if i not in pairs and j not in used:
            pairs[i] = j
            used.add(j)
    return pairs


def _stations(health: pd.DataFrame) -> pd.DataFrame:
    """The health POIs named as commune stations ("Trạm y tế xã X"), with type and core name."""
    stations = health[health["key"].str.match(_STATION_PREFIX)]
    parsed = (
        stations["key"]
        .str.replace(_STATION_PREFIX, "", regex=True)
        .str.replace(_SITE_SUFFIX, "", regex=True)
    )
    unit_type, core = zip(*parsed.map(split_unit_type), strict=True)
    return stations.assign(type=list(unit_type), core=list(core)).reset_index(drop=True)


def _locate_by_name(
    units: pd.DataFrame, areas_m: np.ndarray, pois: _Pois, *, level: str
) -> pd.DataFrame:
    """Rules 1-2 of the module doc: a mapped OSM station, else the People's Committee, primary
    school or place of the unit's name, in (or near) its area. ``units`` has ``commune`` (the
    name) and ``lat``/``lon`` (its centroid, which breaks ties); ``areas_m`` are UTM polygons."""
    units = units.reset_index(drop=True).copy()
    unit_type, unit_core = zip(*units["commune"].map(split_unit_type), strict=True)
    refs = _metric(units["lon"], units["lat"])
    located = np.zeros(len(units), dtype=bool)
    steps = [("osm", _stations(pois.health)), ("town_hall", pois.town_hall),
             ("school", pois.school), ("place", pois.place)]  # fmt: skip
    for source, candidates in steps:
        todo = np.flatnonzero(~located)
        pairs = _match(
            [unit_type[i] for i in todo],
            [unit_core[i] for i in todo],
            areas_m[todo],
            refs[todo],
            candidates,
            near_m=_AREA_NEAR_M,
        )
        for k, j in pairs.items():
            i = todo[k]
            hit = candidates.iloc[j]
            units.loc[i, ["lat", "lon", "location_source"]] = [hit["lat"], hit["lon"], source]
            units.loc[i, "location_note"] = _location_note(source, hit)
            if source == "osm":
                units.loc[i, "osm_id"] = hit["osm_id"]
                units.loc[i, "name"] = hit["name"]
            located[i] = True
        log.debug("%s units located by %s: %d", level, source, len(pairs))
    return units


def _place_at_centres(
    units: pd.DataFrame, areas_m: np.ndarray, *, raster: Path, what: str
) -> pd.DataFrame:
    """Rule 3: units still at a centroid go to the population-weighted centre of their area."""
    units = units.copy()
    todo = np.flatnonzero(units["location_source"].str.endswith("_centroid").to_numpy())
    centres = _population_centres(areas_m[todo], units["facility_id"].to_numpy()[todo], raster)
    for i in todo:
        centre = centres.get(units.at[i, "facility_id"])
        if centre is not None:
            units.loc[i, ["lat", "lon", "location_source"]] = [*centre, "population_centre"]
            units.loc[i, "location_note"] = (
                f"{what}: at the population-weighted centre of its area (WorldPop 2020)"
            )
    return units


def _location_note(source: str, hit: pd.Series) -> str | None:
    if source == "osm":
        return (
            None
            if hit["origin"] == "osm"
            else (f"health POI '{hit['name']}' of the OSM road tiles (2021), which carry no OSM id")
        )
    what = {"town_hall": "its People's Committee", "school": "its primary school",
            "place": f"the OSM place ({hit['kind']}) of its name"}[source]  # fmt: skip
    return f"no mapped health station: at {what}, '{hit['name']}' (OSM road tiles, 2021)"


def _population_centres(
    areas_m: np.ndarray, ids: np.ndarray, raster: Path
) -> dict[str, tuple[float, float]]:
    """(lat, lon) of each area's population-weighted centre, for the areas holding people."""
    areas = gpd.GeoDataFrame({"facility_id": ids}, geometry=list(areas_m), crs=CRS_METRIC)
    areas = areas[~areas.geometry.is_empty]
    centres = population_centres(areas, raster=raster, crs=CRS_METRIC)
    centres = centres[centres["lat"].notna()]
    return {r.unit_id: (r.lat, r.lon) for r in centres.itertuples()}


def _district_units(
    districts: pd.DataFrame,
    census: pd.DataFrame,
    polygons: gpd.GeoDataFrame,
    pois: _Pois,
    raster: Path,
    scheme: str,
) -> pd.DataFrame:
    """One unit per district: its general hospital or health centre in OSM, else its People's
    Committee, else the population centre of the district, else its centroid."""
    population = census.groupby(census["district"].map(core_name))["population"].sum()
    area = polygons.set_index("district_code").to_crs(CRS_METRIC).geometry
    health_xy = pois.health["xy"].to_numpy()
    halls = pois.town_hall[pois.town_hall["type"].isin(("", *_DISTRICT_TYPES))]
    rows = []
    for d in districts.itertuples():
        core = core_name(d.district)
        polygon = area[d.districtCode]
        near = shapely.dwithin(polygon, health_xy, _DISTRICT_NEAR_M)
        seat = _DISTRICT_HOSPITAL_SEATS.get(core, core)
        keys = pois.health["key"]
        hospital = keys.str.fullmatch(rf"benh vien da khoa ({re.escape(core)}|{re.escape(seat)})")
        centre = keys.str.fullmatch(rf"trung tam y te (quan |huyen |thi xa )?{re.escape(core)}")
        row = {
            "facility_id": f"hn-dist-{d.districtCode}",
            "level": "district",
            "district": d.district,
            "district_code": d.districtCode,
            "unit_code": d.districtCode,
            "scheme": scheme,
            "population": float(population.get(core, np.nan)),
            "population_source": "census2019 (district total)",
            "name": f"Trung tâm Y tế {_lower_type(d.district)}",
            "kind": "health_centre",
            "lat": float(d.districtLat),
            "lon": float(d.districtLon),
            "location_source": "district_centroid",
            "location_note": "no district hospital, health centre or People's Committee in OSM "
            "and no people in the district's area: at the district centroid",
        }
        for match, kind in ((hospital & near, "hospital"), (centre & near, "health_centre")):
            if match.any():  # the health file first, then the tiles' POIs
                hit = pois.health[match].iloc[0]
                row |= {"name": hit["name"], "kind": kind, "lat": hit["lat"], "lon": hit["lon"],
                        "location_source": "osm", "osm_id": hit["osm_id"],
                        "location_note": _location_note("osm", hit)}  # fmt: skip
                break
        else:
            hall = halls[
                (halls["core"] == core)
                & shapely.dwithin(polygon, halls["xy"].to_numpy(), _AREA_NEAR_M)
            ]
            if len(hall):
                hit = hall.iloc[0]
                row |= {"lat": hit["lat"], "lon": hit["lon"], "location_source": "town_hall",
                        "location_note": "its health centre is not in OSM: at the district "
                        f"People's Committee, '{hit['name']}' (OSM road tiles, 2021)"}  # fmt: skip
        rows.append(row)
    table = _place_at_centres(
        pd.DataFrame(rows),
        area[[r["district_code"] for r in rows]].to_numpy(),
        raster=raster,
        what="its health centre and People's Committee are not in OSM",
    )
    for r in table[table["location_source"] != "osm"].itertuples():
        log.info("district unit of %s not in OSM: %s", r.district, r.location_source)
    return table


def _commune_units_2024(
    paths: dict[str, Path],
    communes: pd.DataFrame,
    legacy: pd.DataFrame,
    districts: pd.DataFrame,
    census: pd.DataFrame,
    polygons: gpd.GeoDataFrame,
    pois: _Pois,
) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    from vietnamadminunits import ParseMode, parse_address

    population = census.groupby("commune_code")["population"].sum()
    census_source = census.groupby("commune_code")["population_source"].agg(
        lambda s: "; ".join(sorted(set(s)))
    )
    legacy_by_code = legacy.set_index("wardCode")
    legacy_by_name = {(r.districtCode, fold(r.ward)): r for r in legacy.itertuples()}
    district_xy = districts.set_index("districtCode")[["districtLat", "districtLon"]].astype(float)
    rows = []
    for c in communes.itertuples():
        hit = legacy_by_name.get((c.district_code, fold(c.commune)))
        if hit is not None:
            lat, lon, source = float(hit.wardLat), float(hit.wardLon), "commune_centroid"
            note = "no mapped station and no people in its area: at the commune's geocoded centroid"
        else:
            # Merged in January 2025: the package's list of former names gives the successor.
            unit = parse_address(
                f"{c.commune}, {c.district}, Hà Nội", mode=ParseMode.LEGACY, level=3
            )
            if unit.ward_code in legacy_by_code.index:
                successor = legacy_by_code.loc[unit.ward_code]
                lat, lon = float(successor["wardLat"]), float(successor["wardLon"])
                source = "commune_centroid"
                note = f"merged into {successor['ward']} in January 2025: at that unit's centroid"
            else:
                lat, lon = district_xy.loc[c.district_code]
                source = "district_centroid"
                note = "commune not in the 2025 centroid list: at its district's centroid"
        rows.append(
            {"facility_id": f"hn-com-{c.commune_code}", "name": f"Trạm y tế {_lower_type(c.commune)}",
             "level": "commune", "kind": "health_station", "district": c.district,
             "commune": c.commune, "scheme": "2024", "lat": lat, "lon": lon,
             "location_source": source, "location_note": note, "unit_code": c.commune_code,
             "district_code": c.district_code,
             "population": float(population.get(c.commune_code, np.nan)),
             "population_source": census_source.get(c.commune_code)}
        )  # fmt: skip
    units = pd.DataFrame(rows)
    district_m = polygons.set_index("district_code").to_crs(CRS_METRIC).geometry
    within = district_m[units["district_code"]].to_numpy()
    # Rules 1-2 with the district as the area; rule 3 needs the communes' own areas, which are
    # split from the district around each commune's site: its own centroid, else where rules
    # 1-2 placed it (communes merged in January 2025 share their successor's centroid).
    named = _locate_by_name(units, within, pois, level="commune (2024)")
    centroid = units[["lat", "lon"]]
    shared = centroid.duplicated(keep=False).to_numpy()
    by_name = named["location_source"].isin(["osm", "town_hall", "school", "place"]).to_numpy()
    site = np.where((shared & by_name)[:, None], named[["lat", "lon"]], centroid)
    areas_m = _commune_areas(paths, units, census, district_m, site)
    areas_m, notes = _split_shared_sites(named, areas_m, site, by_name, paths["worldpop"])
    located = _place_at_centres(named, areas_m, raster=paths["worldpop"], what=_NOT_NAMED)
    for i, note in notes.items():
        if located.at[i, "location_source"] == "population_centre":
            located.loc[i, "location_note"] = note
    areas = _valid_lonlat(
        gpd.GeoDataFrame(
            {"facility_id": units["facility_id"]}, geometry=list(areas_m), crs=CRS_METRIC
        )
    )
    return located, areas


def _commune_areas(
    paths: dict[str, Path],
    units: pd.DataFrame,
    census: pd.DataFrame,
    district_m: gpd.GeoSeries,
    site: np.ndarray,
) -> np.ndarray:
    """Each 2024 commune's area (UTM): its district split around the communes' sites, within
    the 2025 unit(s) its census rows went to."""
    legacy = pd.read_csv(paths["communes_legacy"], dtype=str)
    units25 = _units_2025(paths["units_2025"], paths["polygons_2025"])
    shares, _ = _census_to_2025(census, legacy, units25)
    commune_of_row = census["commune_code"].to_numpy()
    went_to: dict[str, set[str]] = {}
    for r in shares.itertuples():
        code = commune_of_row[r.row]
        if isinstance(code, str):
            went_to.setdefault(r.unit_code, set()).add(f"hn-com-{code}")
    unit_m = dict(zip(units25["unit_code"], units25.to_crs(CRS_METRIC).geometry, strict=True))
    site_m = _metric(pd.Series(site[:, 1]), pd.Series(site[:, 0]))
    ids = units["facility_id"].to_numpy()
    parts: dict[str, list[BaseGeometry]] = {}
    for code, district in district_m.items():
        mine = units["district_code"].to_numpy() == code
        pieces = _split_area(
            district,
            unit_m,
            {u: [i for i in members if i in set(ids[mine])] for u, members in went_to.items()},
            site_m[mine],
            ids[mine],
        )
        for label, geom, _ in pieces:
            parts.setdefault(label, []).append(geom)
    return np.array(
        [_polygonal(shapely.union_all(parts[i])) if i in parts else shapely.Polygon() for i in ids],
        dtype=object,
    )


def _split_shared_sites(
    units: pd.DataFrame,
    areas_m: np.ndarray,
    site: np.ndarray,
    by_name: np.ndarray,
    raster: Path,
) -> tuple[np.ndarray, dict[int, str]]:
    """Communes still sharing one site (merged in January 2025, none located by name) share one
    area: split it around its population clusters, matched to the communes by census size.
    Returns the new areas and a location note per commune whose area was split."""
    areas_m = areas_m.copy()
    notes: dict[int, str] = {}
    frame = pd.DataFrame({"lat": site[:, 0], "lon": site[:, 1]})[~by_name]
    for members in frame.groupby(["lat", "lon"]).groups.values():
        members = np.asarray(members)
        if len(members) < 2:
            continue
        shared = shapely.union_all(areas_m[members])
        shares = units.loc[members, "population"].fillna(0).tolist()
        parts = split_by_population(_lonlat_geom(shared), shares, raster=raster, crs=CRS_METRIC)
        names = units.loc[members, "commune"].tolist()
        for i, part in zip(members, parts, strict=True):
            areas_m[i] = _polygonal(_metric_geom(part))
            others = ", ".join(n for n in names if n != units.at[i, "commune"])
            notes[int(i)] = (
                f"merged in January 2025 with {others}; {_NOT_NAMED}: the area they share is "
                "split around its population clusters (matched to the communes by census size); "
                "at the population-weighted centre of its part (WorldPop 2020)"
            )
        log.info("split the area shared by %s around its population clusters", ", ".join(names))
    return areas_m, notes


def _commune_units_2025(
    paths: dict[str, Path],
    census: pd.DataFrame,
    legacy: pd.DataFrame,
    polygons: gpd.GeoDataFrame,
    pois: _Pois,
) -> tuple[pd.DataFrame, gpd.GeoDataFrame, list[dict[str, Any]]]:
    units = _units_2025(paths["units_2025"], paths["polygons_2025"])
    shares, unmatched = _census_to_2025(census, legacy, units)
    census_district = pd.DataFrame(
        {"row": range(len(census)), "district": census["district"].to_numpy()}
    )
    population = shares.groupby("unit_code")["population"].sum()
    split = shares[shares["split"]].groupby("unit_code").size()
    metric = units.to_crs(CRS_METRIC).geometry
    centroid = metric.centroid
    inside = metric.contains(centroid)
    point = gpd.GeoSeries(np.where(inside, centroid, metric.representative_point()), crs=CRS_METRIC)
    lonlat = point.to_crs(CRS_LONLAT)
    # The former district that gave the unit most of its people; the district polygon holding
    # its centroid only for a unit no census commune maps to.
    by_area = pd.Series(
        gpd.sjoin_nearest(
            gpd.GeoDataFrame(geometry=point), polygons.to_crs(CRS_METRIC)[["district", "geometry"]]
        )
        .pipe(lambda j: j[~j.index.duplicated()])["district"]
        .to_numpy(),
        index=units.index,
    )
    main = (
        shares.merge(census_district, on="row")
        .groupby(["unit_code", "district"])["population"]
        .sum()
        .sort_values(ascending=False)
        .reset_index()
        .drop_duplicates("unit_code")
        .set_index("unit_code")["district"]
    )
    district = units["unit_code"].map(main).fillna(by_area)
    if (district != by_area).any():
        log.info(
            "%d 2025 units: main former district differs from the district holding the centroid",
            int((district != by_area).sum()),
        )
    district_code = district.map(
        dict(zip(polygons["district"], polygons["district_code"], strict=True))
    )
    table = pd.DataFrame(
        {
            "facility_id": units["facility_id"],
            "name": [f"Trạm y tế {_lower_type(n)}" for n in units["name"]],
            "level": "commune",
            "kind": "health_station",
            "district": district,
            "commune": units["name"],
            "scheme": "2025",
            "lat": lonlat.y.to_numpy(),
            "lon": lonlat.x.to_numpy(),
            "location_source": "commune_centroid",
            "location_note": np.where(
                inside,
                "no mapped station and no people in its area: at the unit's polygon centroid",
                "no mapped station and no people in its area: at a point inside its polygon",
            ),
            "unit_code": units["unit_code"],
            "district_code": district_code,
            "population": units["unit_code"].map(population).astype(float).to_numpy(),
            "population_source": [
                "census2019 communes mapped to 2025 units by vietnamadminunits"
                + (f" ({split.get(code)} former commune(s) split by area)" if code in split else "")
                for code in units["unit_code"]
            ],
            "population_osm_2025": units["population_osm_2025"],
        }
    )
    for r in table[table["population"].isna()].itertuples():
        unmatched.append(
            {"table": "hanoi_communes_2025_126", "district": r.district, "commune": r.commune,
             "population": None, "reason": "no 2019 census commune maps to this unit"}
        )  # fmt: skip
    named = _locate_by_name(table, metric.to_numpy(), pois, level="commune (2025)")
    located = _place_at_centres(named, metric.to_numpy(), raster=paths["worldpop"], what=_NOT_NAMED)
    areas = units[["facility_id", "geometry"]].reset_index(drop=True)
    return located, areas, unmatched


# -- district polygons -----------------------------------------------------------------------------


def _district_polygons_cached(paths: dict[str, Path]) -> gpd.GeoDataFrame:
    inputs = [paths[k] for k in ("tiles", "boundary", "districts", "communes_legacy",
                                 "communes_2024", "units_2025", "polygons_2025", "census")]  # fmt: skip
    key = cache_key(*inputs, *_code_files(), _package_version())
    return cached(
        "districts",
        key,
        build=lambda: _district_polygons(paths),
        save=lambda gdf, folder: _write_geo_csv(gdf, folder / "districts.csv"),
        load=lambda folder: _read_geo_csv(folder / "districts.csv"),
    )


def _district_polygons(paths: dict[str, Path]) -> gpd.GeoDataFrame:
    """The 30 districts of 2024 from the tiles' boundary lines (see :func:`hanoi_areas`)."""
    districts = pd.read_csv(paths["districts"], dtype=str)
    legacy = pd.read_csv(paths["communes_legacy"], dtype=str)
    province = _metric_geom(_boundary(str(paths["boundary"])))
    lines = read_tile_layers(paths["tiles"], ["boundary"])["boundary"]
    level = pd.to_numeric(lines.get("admin_level"), errors="coerce")
    lines = lines[level.isin([4, 6]).to_numpy()]
    if lines.empty:
        raise PlannerInputError(
            "the road tiles hold no province or district boundary (admin_level 4 or 6)",
            file=paths["tiles"],
            field="boundary",
            hint="use OpenMapTiles-schema tiles with the boundary layer",
        )
    rings = shapely.get_parts(shapely.boundary(province))
    noded = shapely.union_all(np.concatenate([lines.to_crs(CRS_METRIC).geometry.to_numpy(), rings]))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    faces = faces[shapely.contains(province, shapely.point_on_surface(faces))]
    # Each district's home face: the face holding most of its communes' centroids (a stray
    # geocoded centroid across a boundary does not pull a district into a neighbour's face).
    site = _metric(legacy["wardLon"].astype(float), legacy["wardLat"].astype(float))
    site_code = legacy["districtCode"].to_numpy()
    face_of, site_of = shapely.STRtree(faces).query(site, predicate="within")[::-1]
    votes = Counter(zip(site_code[site_of], face_of, strict=True))
    home: dict[int, list[str]] = {}
    for code in districts["districtCode"]:
        counts = {f: n for (c, f), n in votes.items() if c == code}
        if not counts:
            raise PlannerInputError(
                f"district {code} has no commune centroid inside the province",
                file=paths["communes_legacy"],
                field="districtCode",
                hint="restore the commune centroid list from the data folder",
            )
        home.setdefault(max(counts, key=lambda f: (counts[f], -f)), []).append(code)
    units25, went_to = _units_2025_districts(paths, districts)
    unit_m = dict(zip(units25["unit_code"], units25.to_crs(CRS_METRIC).geometry, strict=True))
    pieces: list[tuple[str, BaseGeometry, str]] = []
    for f, face in enumerate(faces):
        codes = home.get(f, [])
        if len(codes) == 1:
            pieces.append((codes[0], face, "tiles"))
            continue
        codes = codes or list(districts["districtCode"])  # a sliver no district calls home
        mine = np.isin(site_code, codes)
        candidates = {u: [c for c in cs if c in codes] for u, cs in went_to.items()}
        pieces += _split_area(face, unit_m, candidates, site[mine], site_code[mine])
    rows = []
    for code, name in zip(districts["districtCode"], districts["district"], strict=True):
        parts = [(g, kind) for c, g, kind in pieces if c == code]
        geom = _polygonal(shapely.union_all([g for g, _ in parts]))
        share = {k: sum(g.area for g, kk in parts if kk == k) / geom.area for k in _PIECE_KINDS}
        exact = min(share["tiles"] + share["2025 units"], 1.0)
        rows.append(
            {
                "facility_id": f"hn-dist-{code}",
                "district": name,
                "district_code": code,
                "area_km2": geom.area / 1e6,
                "exact_share": exact,
                "approximate": exact < _EXACT_SHARE,
                # sources holding at least 1 % of the area (slivers between sources aside)
                "boundary_source": ", ".join(k for k in _PIECE_KINDS if share[k] >= 0.01),
                "geometry": geom,
            }
        )
    out = _valid_lonlat(gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS_METRIC))
    log.info(
        "district polygons: %d from the tiles' lines alone, %d completed with the 2025 units "
        "(%.0f km² in all)", int((out["boundary_source"] == "tiles").sum()),
        int((out["boundary_source"] != "tiles").sum()), out["area_km2"].sum(),
    )  # fmt: skip
    return out


def _units_2025_districts(
    paths: dict[str, Path], districts: pd.DataFrame
) -> tuple[gpd.GeoDataFrame, dict[str, list[str]]]:
    """The 2025 units and, for each, the codes of the former districts its communes came from."""
    communes = pd.read_csv(paths["communes_2024"], dtype=str)
    legacy = pd.read_csv(paths["communes_legacy"], dtype=str)
    census, _ = _census_to_2024(_census(paths["census"], districts), communes)
    units = _units_2025(paths["units_2025"], paths["polygons_2025"])
    shares, _ = _census_to_2025(census, legacy, units)
    code_of = dict(zip(districts["district"], districts["districtCode"], strict=True))
    row_code = census["district"].map(code_of).to_numpy()
    went_to: dict[str, list[str]] = {}
    for r in shares.itertuples():
        went_to.setdefault(r.unit_code, [])
        if row_code[r.row] not in went_to[r.unit_code]:
            went_to[r.unit_code].append(row_code[r.row])
    return units, went_to


def _split_area(
    area: BaseGeometry,
    units: dict[str, BaseGeometry],
    candidates: dict[str, list[str]],
    sites: np.ndarray,
    labels: np.ndarray,
) -> list[tuple[str, BaseGeometry, str]]:
    """Share ``area`` (UTM) among labels: the part of each 2025 unit goes to the labels that
    unit was formed from (``candidates``; all labels when none is here), split between several
    by the Voronoi cells of their ``sites``; the part outside every unit is split among all.

    Returns ``(label, part, kind)`` triples: kind ``"2025 units"`` for a unit's part with a
    single candidate (bounded by real lines only), else ``"Voronoi"``.
    """
    labels = np.asarray(labels).astype(str)
    out: list[tuple[str, BaseGeometry, str]] = []
    covered = []
    tree_ids = list(units)
    geoms = np.array([units[u] for u in tree_ids], dtype=object)
    for k in shapely.STRtree(geoms).query(area, predicate="intersects"):
        part = shapely.intersection(geoms[k], area)
        if part.area < 1.0:
            continue
        covered.append(part)
        names = [c for c in candidates.get(tree_ids[k], []) if c in set(labels)] or list(
            dict.fromkeys(labels)
        )
        if len(names) == 1:
            out.append((names[0], part, "2025 units"))
            continue
        keep = np.isin(labels, names)
        out += [
            (lab, g, "Voronoi")
            for lab, g in split_by_sites(part, sites[keep], labels[keep]).items()
        ]
    rest = shapely.difference(area, shapely.union_all(covered)) if covered else area
    if rest.area >= 1.0:
        out += [(lab, g, "Voronoi") for lab, g in split_by_sites(rest, sites, labels).items()]
    return out


def _write_geo_csv(gdf: gpd.GeoDataFrame, path: Path) -> None:
    table = pd.DataFrame(gdf.drop(columns="geometry"))
    table["geometry"] = gdf.to_crs(CRS_LONLAT).geometry.to_wkb(hex=True).to_numpy()
    table.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def _read_geo_csv(path: Path, dtypes: dict[str, Any] | None = None) -> gpd.GeoDataFrame:
    table = pd.read_csv(path, dtype=dtypes or {"district_code": str, "facility_id": str})
    geometry = gpd.GeoSeries.from_wkb(table.pop("geometry").map(bytes.fromhex), crs=CRS_LONLAT)
    return gpd.GeoDataFrame(table, geometry=geometry.to_numpy(), crs=CRS_LONLAT)


# -- inputs and small helpers ---------------------------------------------------------------


def _regional(path: Path, scheme: str) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table[["lat", "lon"]] = table[["lat", "lon"]].astype(float)
    return table.assign(scheme=scheme, population=np.nan, population_source=None)


def _census_to_2024(
    census: pd.DataFrame, communes: pd.DataFrame
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Give each census row the GSO code of its 2020-2024 commune.

    Names are matched within the district after folding; rows of communes merged or renamed in
    2020 are resolved through the package's list of former names.
    """
    from vietnamadminunits import ParseMode, parse_address

    by_name = {
        (core_name(r.district), fold(r.commune)): r.commune_code for r in communes.itertuples()
    }
    by_core: dict[tuple[str, str], list[str]] = {}
    for r in communes.itertuples():
        by_core.setdefault((core_name(r.district), core_name(r.commune)), []).append(r.commune_code)
    names = communes.set_index("commune_code")["commune"]
    codes, sources, unmatched = [], [], []
    for r in census.itertuples():
        district = core_name(r.district)
        code = by_name.get((district, fold(r.commune)))
        if code is None and len(by_core.get((district, core_name(r.commune)), [])) == 1:
            code = by_core[(district, core_name(r.commune))][0]
        source = "census2019"
        if code is None:
            unit = parse_address(
                f"{r.commune}, {r.district}, Hà Nội", mode=ParseMode.LEGACY, level=3
            )
            if unit.ward_code in names.index and fold(names[unit.ward_code]) == fold(unit.ward):
                code = unit.ward_code
                source = f"census2019 ({r.commune} merged into {unit.ward} in 2020, per vietnamadminunits)"
        if code is None:
            unmatched.append(
                {"table": "hanoi_population_commune_census2019", "district": r.district,
                 "commune": r.commune, "population": int(r.population),
                 "reason": "no 2020-2024 commune of that name in its district"}
            )  # fmt: skip
        codes.append(code)
        sources.append(source)
    return census.assign(commune_code=codes, population_source=sources), unmatched


def _census_to_2025(
    census: pd.DataFrame, legacy: pd.DataFrame, units: gpd.GeoDataFrame
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Spread each census row over the 2025 unit(s) that took its territory.

    The package's official lists say which unit(s) each former commune went to. Most went whole
    into one unit; a commune divided between several is shared among them by the area of its
    bounding box inside each (no former commune polygons are in the data), else given whole to the
    package's default successor. Only the package's tables are read (``convert_address`` may geocode
    online when it thinks an address has a street).
    """
    from vietnamadminunits import ParseMode, parse_address
    from vietnamadminunits.converter.converter_2025 import (
        DICT_PROVINCE_WARD_DIVIDED,
        DICT_PROVINCE_WARD_NO_DIVIDED,
    )

    whole = {
        old: new
        for new, olds in DICT_PROVINCE_WARD_NO_DIVIDED["thanhphohanoi"].items()
        for old in olds
    }
    divided = DICT_PROVINCE_WARD_DIVIDED.get("thanhphohanoi", {})
    unit_by_key = {
        fold(n).replace(" ", ""): c for n, c in zip(units["name"], units["unit_code"], strict=True)
    }
    polygon = dict(zip(units["unit_code"], units.to_crs(CRS_METRIC).geometry, strict=True))
    bounds = {r.wardCode: _bbox(r.wardBounds) for r in legacy.itertuples()}
    rows, unmatched = [], []
    for row, r in enumerate(census.itertuples()):
        old = parse_address(f"{r.commune}, {r.district}, Hà Nội", mode=ParseMode.LEGACY, level=3)
        old_key = f"{old.province_key}_{old.district_key}_{old.ward_key}"
        shares = _divided_shares(
            divided.get(old_key, []), unit_by_key, polygon, bounds.get(old.ward_code)
        )
        if old_key in whole:
            shares = {unit_by_key.get(whole[old_key]): 1.0}
        for code, share in shares.items():
            if code is None:
                continue
            rows.append(
                {
                    "row": row,
                    "unit_code": code,
                    "population": r.population * share,
                    "split": len(shares) > 1,
                }
            )
        if not shares or None in shares:
            unmatched.append(
                {"table": "hanoi_population_commune_census2019", "district": r.district,
                 "commune": r.commune, "population": int(r.population),
                 "reason": f"vietnamadminunits maps it to no 2025 unit of the registry ({old_key})"}
            )  # fmt: skip
    return pd.DataFrame(rows, columns=["row", "unit_code", "population", "split"]), unmatched


def _divided_shares(
    candidates: list[dict[str, Any]],
    unit_by_key: dict[str, str],
    polygon: dict[str, BaseGeometry],
    box: BaseGeometry | None,
) -> dict[str | None, float]:
    """Shares of a divided former commune per 2025 unit code, by bounding-box overlap."""
    if not candidates:
        return {}
    codes = [unit_by_key.get(c["newWardKey"]) for c in candidates]
    known = [c for c in codes if c is not None]
    if box is not None and len(known) == len(codes):
        box_m = gpd.GeoSeries([box], crs=CRS_LONLAT).to_crs(CRS_METRIC).iloc[0]
        overlap = np.array([polygon[c].intersection(box_m).area for c in known])
        if overlap.sum() > 0:
            return {
                c: float(v) for c, v in zip(known, overlap / overlap.sum(), strict=True) if v > 0
            }
    default = next(
        (c for c, d in zip(codes, candidates, strict=True) if d["isDefaultNewWard"]), codes[0]
    )
    return {default: 1.0}


def _osm_health(path: Path) -> gpd.GeoDataFrame:
    osm = gpd.read_file(path, engine="pyogrio")
    osm = osm[osm["name"].notna() & osm.geometry.notna()].reset_index(drop=True)
    point = osm.geometry.representative_point()
    return osm.assign(
        key=osm["name"].map(fold),
        lat=point.y,
        lon=point.x,
        osm_id=osm["element"].astype(str) + "/" + osm["id"].astype(str),
    )


def _units_2025(centroids_path: Path, polygons_path: Path) -> gpd.GeoDataFrame:
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


@functools.lru_cache(maxsize=4)
def _boundary(path: str) -> BaseGeometry:
    shapes = gpd.read_file(path, engine="pyogrio").geometry
    return shapely.union_all(shapes.to_numpy())


def _metric(lon: pd.Series, lat: pd.Series) -> np.ndarray:
    """Points in UTM 48N (metres) as a shapely array."""
    return gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=CRS_LONLAT).to_crs(CRS_METRIC).to_numpy()


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The valid polygonal part of a geometry (overlay operations leave slivers of lines)."""
    geom = shapely.make_valid(shapely.set_precision(geom, 1e-2 if _is_metric(geom) else 1e-7))
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polygons = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polygons) if polygons else shapely.Polygon()


def _is_metric(geom: BaseGeometry) -> bool:
    """Whether coordinates are metres (UTM) rather than degrees."""
    return geom.is_empty or abs(geom.bounds[0]) > 360


def _valid_lonlat(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to lon/lat and repair what rounding breaks (spikes crossing themselves)."""
    out = gdf.to_crs(CRS_LONLAT)
    return out.set_geometry([_polygonal(g) for g in out.geometry], crs=CRS_LONLAT)


def _lonlat_geom(geom: BaseGeometry) -> BaseGeometry:
    return gpd.GeoSeries([geom], crs=CRS_METRIC).to_crs(CRS_LONLAT).iloc[0]


def _metric_geom(geom: BaseGeometry) -> BaseGeometry:
    return gpd.GeoSeries([geom], crs=CRS_LONLAT).to_crs(CRS_METRIC).iloc[0]


def _bbox(text: str) -> BaseGeometry | None:
    """Parse ``"lat1,lon1 – lat2,lon2"`` into a box (EPSG:4326)."""
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", str(text))]
    if len(numbers) != 4:
        return None
    lat1, lon1, lat2, lon2 = numbers
    return shapely.box(min(lon1, lon2), min(lat1, lat2), max(lon1, lon2), max(lat1, lat2))


def _lower_type(name: str) -> str:
    """'Huyện Ba Vì' → 'huyện Ba Vì', as unit types read inside a facility name."""
    for unit_type in ("Thị trấn", "Thị xã", "Phường", "Quận", "Huyện", "Xã"):
        if name.startswith(unit_type + " "):
            return unit_type.lower() + name[len(unit_type) :]
    return name


def _package_version() -> str:
    from importlib.metadata import version

    return version("vietnamadminunits")


# -- cache files -----------------------------------------------------------------------------------


def _save(value: _Registry, folder: Path) -> None:
    value.table.to_csv(folder / "registry.csv", index=False, encoding="utf-8", lineterminator="\n")
    (folder / "unmatched.json").write_text(
        json.dumps(value.unmatched, ensure_ascii=False, indent=1)
    )
    _write_geo_csv(value.areas, folder / "areas.csv")


def _load(folder: Path) -> _Registry:
    numeric = {"population", "capacity", "lat", "lon", "population_osm_2025"}
    header = pd.read_csv(folder / "registry.csv", nrows=0).columns
    table = pd.read_csv(
        folder / "registry.csv",
        dtype={c: (float if c in numeric else str) for c in header},
        keep_default_na=False,
        na_values={c: [""] for c in header},
    )
    unmatched = json.loads((folder / "unmatched.json").read_text())
    return _Registry(table, unmatched, _read_geo_csv(folder / "areas.csv"))


def _save_grid(grid: PopulationGrid, folder: Path) -> None:
    _write_geo_csv(grid.cells, folder / "cells.csv")
    meta = {k: getattr(grid, k) for k in ("calibrated", "census_total", "raster", "attribution")}
    (folder / "grid.json").write_text(json.dumps(meta | {"notes": list(grid.notes)}, indent=1))


def _load_grid(folder: Path) -> PopulationGrid:
    cells = _read_geo_csv(folder / "cells.csv", {"cell_id": str, "unit_id": str})
    meta = json.loads((folder / "grid.json").read_text())
    return PopulationGrid(cells=cells, notes=tuple(meta.pop("notes")), **meta)
