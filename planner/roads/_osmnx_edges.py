"""osmnx edges in: one osmnx edge's attributes read into the planner's edge table
(:func:`planner.roads.interop.from_osmnx`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyproj

from planner.roads._graphml import BRUNNEL_KINDS
from planner.roads._osm import highway_class, parse_maxspeed_kph
from planner.roads._simplify import class_code, haversine_m
from planner.roads.graph import CLASS_NAMES

# --------------------------------------------------------------------------- osmnx edges in


def osmnx_edge(data: dict[str, Any], ends: np.ndarray) -> tuple | None:
    """One osmnx edge's row for :func:`from_osmnx`, or ``None`` if it is no road."""
    code, tag = _osmnx_class(data.get("road_class"), data.get("highway"))
    if code is None and data.get("route") == "ferry":  # osmnx keeps route=ferry ways untagged
        code = CLASS_NAMES.index("ferry")
    if code is None:
        return None
    geom = data.get("geometry")
    coords = np.asarray(geom.coords, dtype=np.float64)[:, :2] if geom is not None else ends
    length = _as_float(data.get("length"))
    if not np.isfinite(length):
        length = float(
            haversine_m(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1]).sum()
        )
    if "maxspeed_kph" in data:  # our GraphML before it wrote OSM's maxspeed
        maxspeed = _as_float(data["maxspeed_kph"])
    else:
        maxspeed = min(
            (parse_maxspeed_kph(str(s)) for s in _values(data.get("maxspeed"))),
            default=float("nan"),
            key=lambda s: (s != s, s),  # NaN last
        )
    return (
        length,
        code,
        coords,
        _joined(data.get("name")),
        any(_as_bool(v) for v in _values(data.get("oneway"))),
        next((k for k in BRUNNEL_KINDS if _flag(data.get(k))), ""),
        _joined(data.get("service")),
        maxspeed,
        tag,
        _osmnx_way_ids(data.get("osmid")),
    )


def _osmnx_class(road_class: Any, highway: Any) -> tuple[int | None, str]:
    """Class code and OSM ``highway`` tag of an edge, by the rules of :func:`from_osmnx`."""
    tags = sorted({str(v) for v in _values(highway)})
    codes = {tag: _tag_class(tag) for tag in tags}
    if isinstance(road_class, str) and road_class in CLASS_NAMES:
        code: int | None = CLASS_NAMES.index(road_class)
    else:
        code = max((c for c in codes.values() if c is not None), default=None)
    if code is None:
        return None, ""
    tag = next((t for t in tags if codes[t] == code), "")
    return code, tag


def _tag_class(value: str) -> int | None:
    if value in CLASS_NAMES:  # our class names, as our GraphML had them before road_class
        return CLASS_NAMES.index(value)
    cls, is_ramp = highway_class(value)
    return None if cls is None else class_code(cls, is_ramp)


def _osmnx_way_ids(osmid: Any) -> list[int]:
    ids = set()
    for value in _values(osmid):
        try:
            ids.add(int(value))
        except (TypeError, ValueError):
            continue
    return sorted(ids)


def _values(value: Any) -> list[Any]:
    """The items of a list-valued osmnx attribute, or the one value (none for missing/NaN)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return list(value) if isinstance(value, list | tuple | set) else [value]


def _joined(value: Any) -> str:
    return "; ".join(sorted({str(v) for v in _values(value) if str(v)}))


def _flag(value: Any) -> bool:
    return any(str(v).strip().lower() not in ("", "no", "false", "0") for v in _values(value))


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1")
    return bool(value)


def _as_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def is_lonlat(crs: object) -> bool:
    try:
        return bool(pyproj.CRS.from_user_input(crs).is_geographic)
    except pyproj.exceptions.CRSError:
        return True
