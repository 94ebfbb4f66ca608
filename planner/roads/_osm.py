"""Read OSM files (``.osm`` XML, ``.osm.pbf``) into an edge table with pyosmium (streaming).

Ways tagged ``highway=*`` are mapped onto the OpenMapTiles class vocabulary used for vector
tiles (:data:`planner.roads.graph.ROAD_CLASSES`), so both sources give the same graph model: links
become ``<class>`` with ``ramp=True``; ``unclassified``, ``residential``, ``living_street`` and
``road`` become ``minor``; ``footway``, ``cycleway``, ``path``, ``bridleway``, ``steps`` become
``path``. Node keys are OSM node ids, so graph node ids are OSM ids (as in osmnx).
Oneway follows osmnx: ``oneway=yes|true|1`` along the way, ``-1|reverse`` against it, and
``junction=roundabout`` is one-way along the way. The ``highway`` tag and the way id are kept
(columns ``highway`` and ``osmid``) for osmnx-compatible exports.

Ways tagged ``route=ferry`` become class ``ferry`` (a river crossing; :mod:`planner.roads.speeds` gives
it a boarding wait and service hours). A ferry that carries no cars (``motorcar=no`` or
``motor_vehicle=no``) is left out and counted in the log: the graph has no per-edge access, so
keeping a boat for people and motorbikes would let cars cross on it.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
import osmium
import pandas as pd

from planner.errors import PlannerInputError
from planner.roads.graph import EDGE_COLUMNS

log = logging.getLogger(__name__)

#: OSM ``highway`` value -> OpenMapTiles class (ramps are the ``*_link`` values).
HIGHWAY_CLASSES = {
    "motorway": "motorway",
    "trunk": "trunk",
    "primary": "primary",
    "secondary": "secondary",
    "tertiary": "tertiary",
    "unclassified": "minor",
    "residential": "minor",
    "living_street": "minor",
    "road": "minor",
    "minor": "minor",
    "service": "service",
    "track": "track",
    "path": "path",
    "footway": "path",
    "cycleway": "path",
    "bridleway": "path",
    "steps": "path",
    "corridor": "path",
}
_ONEWAY_ALONG = {"yes", "true", "1"}
_ONEWAY_AGAINST = {"-1", "reverse"}
_MAXSPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$", re.IGNORECASE)
_MPH_KPH = 1.609344


def highway_class(highway: str) -> tuple[str | None, bool]:
    """Map an OSM ``highway`` value to ``(class, is_ramp)``; ``(None, False)`` if not a road.

    Examples
    --------
    >>> highway_class("primary_link"), highway_class("residential"), highway_class("platform")
    (('primary', True), ('minor', False), (None, False))
    """
    base = highway.removesuffix("_link")
    cls = HIGHWAY_CLASSES.get(base)
    ramp = cls is not None and highway.endswith("_link")
    return cls, ramp


def parse_maxspeed_kph(value: str | None) -> float:
    """Parse an OSM ``maxspeed`` value (``"50"``, ``"30 mph"``) to km/h; NaN if not numeric.

    Examples
    --------
    >>> parse_maxspeed_kph("60"), round(parse_maxspeed_kph("30 mph"), 1), parse_maxspeed_kph("VN:urban")
    (60.0, 48.3, nan)
    """
    match = _MAXSPEED.match(value or "")
    if not match:
        return float("nan")
    kph = float(match.group(1))
    return kph * _MPH_KPH if (match.group(2) or "").lower() == "mph" else kph


def read_osm(path: str | Path) -> pd.DataFrame:
    """Read the road ways of an OSM XML or PBF file as an edge table.

    Parameters
    ----------
    path
        ``.osm`` (XML, optionally ``.bz2``/``.gz``) or ``.osm.pbf`` file with its nodes.

    Returns
    -------
    pandas.DataFrame
        One row per road or ferry way, columns :data:`planner.roads.graph.EDGE_COLUMNS` (``key`` = OSM
        node ids, ``osmid`` = the way id).

    Raises
    ------
    PlannerInputError
        Missing or unreadable file, or no road way in it; the message names the file.

    Examples
    --------
    >>> from planner.config import data_file
    >>> edges = read_osm(data_file("fixtures/van_mieu_osm.osm"))
    >>> int((edges["class"] == "primary").sum()) > 0
    True
    """
    path = Path(path)
    if not path.is_file():
        raise PlannerInputError(
            "the OSM file does not exist", file=path, hint="give an .osm or .osm.pbf file"
        )
    rows = []
    no_cars = 0
    try:
        processor = (
            osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.KeyFilter("highway", "route"))
        )
        for way in processor:
            if not isinstance(way, osmium.osm.Way):
                continue
            if way.tags.get("route") == "ferry" and not _carries_cars(way.tags):
                no_cars += 1
                continue
            row = _way_row(way)
            if row is not None:
                rows.append(row)
    except (RuntimeError, osmium.InvalidLocationError) as exc:
        raise PlannerInputError(
            f"cannot be read as OSM data ({exc})",
            file=path,
            hint="give a complete .osm (XML) or .osm.pbf extract with the nodes of its ways",
        ) from exc
    if not rows:
        raise PlannerInputError(
            "holds no road (no way tagged highway=* of a known road class)",
            file=path,
            hint="check that the extract covers your area",
        )
    table = pd.DataFrame.from_records(rows, columns=list(EDGE_COLUMNS))
    table["oneway"] = table["oneway"].astype(np.int8)
    table["osmid"] = table["osmid"].astype(np.int64)
    log.info("read %d road ways from %s", len(table), path)
    if no_cars:
        log.info("left out %d ferry way(s) that carry no cars (motorcar/motor_vehicle=no)", no_cars)
    return table


def _carries_cars(tags: osmium.osm.TagList) -> bool:
    return tags.get("motorcar", tags.get("motor_vehicle", "yes")) != "no"


def _way_row(way: osmium.osm.Way) -> tuple | None:
    tags = way.tags
    highway = tags.get("highway") or ""
    cls: str | None = "ferry"
    ramp = False
    if tags.get("route") != "ferry":
        cls, ramp = highway_class(highway)
    if cls is None or tags.get("area") == "yes":
        return None
    nodes = way.nodes
    if len(nodes) < 2:
        return None
    key = np.fromiter((n.ref for n in nodes), dtype=np.int64, count=len(nodes))
    lon = np.fromiter((n.lon for n in nodes), dtype=np.float64, count=len(nodes))
    lat = np.fromiter((n.lat for n in nodes), dtype=np.float64, count=len(nodes))
    oneway_tag = tags.get("oneway", "")
    if oneway_tag in _ONEWAY_ALONG or tags.get("junction") == "roundabout":
        oneway = 1
    elif oneway_tag in _ONEWAY_AGAINST:
        oneway = -1
    else:
        oneway = 0
    brunnel = next((b for b in ("bridge", "tunnel", "ford") if tags.get(b, "no") != "no"), "")
    return (
        key,
        lon,
        lat,
        cls,
        oneway,
        ramp,
        brunnel,
        tags.get("service", "") if cls == "service" else "",
        tags.get("name", ""),
        parse_maxspeed_kph(tags.get("maxspeed")),
        highway,
        way.id,
    )
