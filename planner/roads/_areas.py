"""Area type of every road edge: the city proper, its fringe, or the countryside.

Congestion differs between Hoàn Kiếm and Ba Vì's hills, so :mod:`planner.roads.speeds` scales each
edge's slowdown by the area it lies in. The area comes from data, the 126 commune-level units of
Hanoi in force since July 2025 (OSM polygons, ``hanoi_communes_2025_osm.geojson``):

``core``
    A ward (*phường*) formed mostly from wards of the 12 former urban districts (*quận*): most of
    the former communes it took whole, or as their main successor, were in a *quận* (the official
    conversion tables of the ``vietnamadminunits`` package). The city proper.
``suburban``
    The other wards (the towns of Sơn Tây and Chương Mỹ, and fringe wards formed from the former
    rural districts), and every rural commune (*xã*) that shares a border with a ``core`` ward:
    the city's edge, which the gateway roads cross.
``rural``
    Every other rural commune.
``other``
    No area data: outside Hanoi's units (the neighbouring provinces' roads kept by the Hanoi
    graph's 2 km buffer, or a road network elsewhere). The congestion tables say how it is treated.

An edge takes the area of the middle vertex of its geometry (coarse, like the tables it feeds).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import weakref
from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planner._cache import cache_key, cached
from planner._vn import fold
from planner.config import CRS_METRIC, data_file
from planner.errors import PlannerInputError
from planner.roads.graph import TravelGraph

log = logging.getLogger(__name__)

#: Area types, in the order of their codes (``edge_areas`` returns indices into this).
AREAS = ("core", "suburban", "rural", "other")
#: The area of edges with no area data.
NO_DATA = "other"

_UNITS_FILE = "hanoi_communes_2025_osm.geojson"
_PROVINCE = "thanhphohanoi"
# Polygons closer than this share a border (OSM neighbours share their boundary ways exactly).
_TOUCH_M = 1.0

# graph -> (area code per edge, read-only); dies with the graph.
_EDGE_AREAS: weakref.WeakKeyDictionary[TravelGraph, tuple[str, np.ndarray]] = (
    weakref.WeakKeyDictionary()
)


def unit_areas() -> gpd.GeoDataFrame:
    """Return Hanoi's 2025 units with their area type (EPSG:4326), or an empty frame.

    Returns
    -------
    geopandas.GeoDataFrame
        ``name``, ``area_type`` (``core``, ``suburban`` or ``rural``), ``rule`` (why), ``geometry``.
        Empty (logged) when the data folder has no units file.
    """
    try:
        path = data_file(_UNITS_FILE)
    except PlannerInputError:
        # normal outside Hanoi (no data folder needed there); a Hanoi run fails louder on
        # its registry, which needs the same folder
        log.info("no Hanoi area data (%s not found): every road counts as area %r",
                 _UNITS_FILE, NO_DATA)  # fmt: skip
        return gpd.GeoDataFrame(
            {"name": [], "area_type": [], "rule": []}, geometry=[], crs="EPSG:4326"
        )
    stat = path.stat()
    return _unit_areas_cached(path.resolve(), stat.st_mtime_ns, stat.st_size).copy()


def data_version() -> str:
    """A short stamp of the area data (file size and time), for memo keys."""
    try:
        stat = data_file(_UNITS_FILE).stat()
    except PlannerInputError:
        return "none"
    return f"{stat.st_size}-{stat.st_mtime_ns}"


def point_areas(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Return the area code (index into :data:`AREAS`) of each WGS 84 point.

    Examples
    --------
    >>> import numpy as np
    >>> codes = point_areas(np.array([105.8520, 105.4100, 2.35]), np.array([21.0285, 21.2164, 48.85]))
    >>> [AREAS[c] for c in codes]  # Hoàn Kiếm, Ba Vì, Paris
    ['core', 'rural', 'other']
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    codes = np.full(lon.shape, AREAS.index(NO_DATA), dtype=np.int8)
    units = unit_areas()
    for geom, area in zip(units.geometry.to_numpy(), units["area_type"], strict=True):
        x0, y0, x1, y1 = geom.bounds
        todo = (codes == AREAS.index(NO_DATA)) & (lon >= x0) & (lon <= x1) & (lat >= y0)
        todo &= lat <= y1
        if todo.any():  # bounding boxes first: each polygon tests only the points near it
            idx = np.flatnonzero(todo)
            codes[idx[shapely.contains_xy(geom, lon[idx], lat[idx])]] = AREAS.index(area)
    return codes


def edge_areas(graph: TravelGraph) -> np.ndarray:
    """Return the area code (index into :data:`AREAS`) of every edge, read-only, memoised.

    Examples
    --------
    >>> from planner.config import data_file
    >>> from planner.roads.network import load_network
    >>> codes = edge_areas(load_network(data_file("fixtures/van_mieu_osm.osm")))
    >>> sorted(AREAS[c] for c in np.unique(codes))  # the streets by Văn Miếu: the urban core
    ['core']
    """
    version = data_version()
    hit = _EDGE_AREAS.get(graph)
    if hit is not None and hit[0] == version:
        return hit[1]
    offsets = graph.edge_geom_offsets
    middle = (offsets[:-1] + offsets[1:] - 1) // 2
    lon, lat = graph.geom_lon[middle], graph.geom_lat[middle]
    codes = _cached_point_areas(lon, lat)
    codes.setflags(write=False)
    _EDGE_AREAS[graph] = (version, codes)
    counts = np.bincount(codes, minlength=len(AREAS))
    no_data = counts[AREAS.index(NO_DATA)]
    if no_data == len(codes):
        log.info(
            "no area data covers this road network (%s): congestion uses the %r area everywhere",
            graph.source or "unnamed", NO_DATA,
        )  # fmt: skip
    else:
        log.info(
            "edges by area: %s",
            ", ".join(f"{a} {n:,}" for a, n in zip(AREAS, counts, strict=True)),
        )
    return codes


def _cached_point_areas(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """:func:`point_areas` kept in the cache: half a million polygon tests take most of a
    second, and every process planning on the Hanoi graph needs the same answer."""
    try:
        units_file: Path | str = data_file(_UNITS_FILE)
    except PlannerInputError:
        return point_areas(lon, lat)  # no area data: every point is "other", nothing to keep
    points = hashlib.blake2b(digest_size=16)
    for values in (lon, lat):
        points.update(np.ascontiguousarray(values, dtype=np.float64).tobytes())
    key = cache_key(units_file, points.hexdigest())
    return cached(
        "edge-areas", key, build=lambda: point_areas(lon, lat), save=_save_codes, load=_load_codes
    )


def _save_codes(codes: np.ndarray, folder: Path) -> None:
    np.save(folder / "codes.npy", codes)


def _load_codes(folder: Path) -> np.ndarray:
    return np.load(folder / "codes.npy")


@functools.lru_cache(maxsize=2)
def _unit_areas_cached(path: Path, _mtime_ns: int, _size: int) -> gpd.GeoDataFrame:
    units = gpd.read_file(path, engine="pyogrio")
    if "name" not in units.columns or units.empty:
        raise PlannerInputError(
            "holds no named units", file=path, field="name",
            hint="restore the 2025 units file from the data folder",
        )  # fmt: skip
    names = units["name"].astype(str)
    ward = names.str.startswith("Phường").to_numpy()
    commune = names.str.startswith("Xã").to_numpy()
    if not (ward | commune).all():
        odd = names[~(ward | commune)].iloc[0]
        raise PlannerInputError(
            f"unit {odd!r} is neither a ward (Phường) nor a commune (Xã)", file=path,
            field="name", hint="every 2025 unit's name starts with its type",
        )  # fmt: skip
    urban_share = _former_urban_share(names)
    core = ward & (urban_share > 0.5)
    metric = units.to_crs(CRS_METRIC).geometry
    core_union = shapely.union_all(metric[core].to_numpy())
    fringe = commune & shapely.dwithin(metric.to_numpy(), core_union, _TOUCH_M)
    area = np.where(core, "core", np.where(ward | fringe, "suburban", "rural"))
    rule = np.select(
        [core, ward, fringe],
        [
            "ward formed mostly from wards of the former urban districts (quận)",
            "ward formed mostly from the former rural districts or a town",
            "rural commune bordering the city proper",
        ],
        "rural commune",
    )
    log.debug("Hanoi 2025 units by area: %s", dict(Counter(area.tolist())))
    return gpd.GeoDataFrame(
        {"name": names.to_numpy(), "area_type": area, "rule": rule},
        geometry=units.geometry.to_numpy(),
        crs=units.crs,
    )


def _former_urban_share(names: pd.Series) -> np.ndarray:
    """Share of each unit's main former communes that lay in an urban district (quận).

    A unit's main former communes are those it took whole and those divided between units of
    which it is the default successor (the official conversion tables of vietnamadminunits); a
    unit that is no one's main successor counts every former commune it took a part of.
    """
    from vietnamadminunits.converter.converter_2025 import (
        DICT_PROVINCE_WARD_DIVIDED,
        DICT_PROVINCE_WARD_NO_DIVIDED,
    )

    main: dict[str, Counter[str]] = {}
    parts: dict[str, Counter[str]] = {}
    for new, olds in DICT_PROVINCE_WARD_NO_DIVIDED[_PROVINCE].items():
        for old in olds:
            main.setdefault(new, Counter())[_district_type(old)] += 1
    for old, successors in DICT_PROVINCE_WARD_DIVIDED[_PROVINCE].items():
        for successor in successors:
            key = successor["newWardKey"]
            parts.setdefault(key, Counter())[_district_type(old)] += 1
            if successor["isDefaultNewWard"]:
                main.setdefault(key, Counter())[_district_type(old)] += 1
    share = np.zeros(len(names))
    for i, name in enumerate(names):
        key = fold(name).replace(" ", "")
        counts = main.get(key) or parts.get(key)
        if counts:
            share[i] = counts["quan"] / sum(counts.values())
        else:
            log.warning("2025 unit %s is not in the conversion tables: not counted as core", name)
    return share


def _district_type(old_key: str) -> str:
    """``quan``, ``huyen`` or ``thixa`` from a key ``thanhphohanoi_<district>_<commune>``."""
    district = old_key.split("_")[1]
    return next((t for t in ("quan", "huyen", "thixa") if district.startswith(t)), district)
