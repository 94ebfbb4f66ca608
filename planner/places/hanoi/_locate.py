"""Locating the Hanoi units by name: named points (OSM health facilities, People's
Committees, primary schools, places) matched to the units in their area, else the
population-weighted centre of their area (rules 1-3 of :mod:`planner.places.hanoi`).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planner._vn import fold, split_unit_type
from planner.config import CRS_METRIC
from planner.places.hanoi._geometry import utm_points
from planner.places.population import population_centres
from planner.roads import read_tile_layers

log = logging.getLogger(__name__)


#: A commune's POI may lie this far outside its area.
AREA_NEAR_M = 200.0


_STATION_PREFIX = re.compile(r"^(diem )?(tram y te|tram xa) ")


_SITE_SUFFIX = re.compile(r" co so \d+$")


_COMMITTEE = re.compile(r"(?:^|\s)(?:ubnd|uy ban nhan dan) (.+)$")


_SCHOOL = re.compile(r"^(?:truong )?tieu hoc (.+?)(?: [a-d])?$")


_PLACE_PREFIX = re.compile(r"^(?:thon|lang|xom|ap|khu pho|to dan pho) ")


NOT_NAMED = "no mapped station, People's Committee, primary school or place of its name"


class Pois(NamedTuple):
    """Named points that can locate a unit, each with ``name``, ``type``, ``core`` (the folded
    name without its unit type), ``lon``, ``lat``, ``osm_id`` (health only) and ``xy`` (UTM)."""

    health: pd.DataFrame  # OSM health facilities file, then the tiles' health POIs
    town_hall: pd.DataFrame
    school: pd.DataFrame
    place: pd.DataFrame


def load_pois(paths: dict[str, Path]) -> Pois:
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
    return Pois(
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
    return table.reset_index(drop=True).assign(xy=utm_points(table["lon"], table["lat"]))


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


def named_stations(health: pd.DataFrame) -> pd.DataFrame:
    """The health POIs named as commune stations ("Trạm y tế xã X"), with type and core name."""
    stations = health[health["key"].str.match(_STATION_PREFIX)]
    parsed = (
        stations["key"]
        .str.replace(_STATION_PREFIX, "", regex=True)
        .str.replace(_SITE_SUFFIX, "", regex=True)
    )
    unit_type, core = zip(*parsed.map(split_unit_type), strict=True)
    return stations.assign(type=list(unit_type), core=list(core)).reset_index(drop=True)


def locate_by_name(
    units: pd.DataFrame, areas_m: np.ndarray, pois: Pois, *, level: str
) -> pd.DataFrame:
    """Rules 1-2 of the module doc: a mapped OSM station, else the People's Committee, primary
    school or place of the unit's name, in (or near) its area. ``units`` has ``commune`` (the
    name) and ``lat``/``lon`` (its centroid, which breaks ties); ``areas_m`` are UTM polygons."""
    units = units.reset_index(drop=True).copy()
    unit_type, unit_core = zip(*units["commune"].map(split_unit_type), strict=True)
    refs = utm_points(units["lon"], units["lat"])
    located = np.zeros(len(units), dtype=bool)
    steps = [("osm", named_stations(pois.health)), ("town_hall", pois.town_hall),
             ("school", pois.school), ("place", pois.place)]  # fmt: skip
    for source, candidates in steps:
        todo = np.flatnonzero(~located)
        pairs = _match(
            [unit_type[i] for i in todo],
            [unit_core[i] for i in todo],
            areas_m[todo],
            refs[todo],
            candidates,
            near_m=AREA_NEAR_M,
        )
        for k, j in pairs.items():
            i = todo[k]
            hit = candidates.iloc[j]
            units.loc[i, ["lat", "lon", "location_source"]] = [hit["lat"], hit["lon"], source]
            units.loc[i, "location_note"] = location_note(source, hit)
            if source == "osm":
                units.loc[i, "osm_id"] = hit["osm_id"]
                units.loc[i, "name"] = hit["name"]
            located[i] = True
        log.debug("%s units located by %s: %d", level, source, len(pairs))
    return units


def place_at_centres(
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


def location_note(source: str, hit: pd.Series) -> str | None:
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
