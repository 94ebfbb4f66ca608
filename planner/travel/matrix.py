"""Snapping facilities to the road graph, travel-time matrices and routes.

Facilities snap to the nearest point of the nearest road edge the mode may use (an STRtree of
the edge geometries in the metric CRS of the graph's own area, :func:`planner.config.metric_crs`)
within the largest strongly connected component of those roads, so every snapped pair is
reachable both ways unless a time limit says otherwise. The snap leg, the straight line from
the facility to that point, is added at the mode's ``snap`` speed of the speed table (about
10 km/h: driving or walking through grounds and alleys, where the straight line understates
the real way). From the snap point the trip follows the edge to its end node, at the edge's
speed for the part of the edge driven; on a two-way road either way, on a one-way road only
forward. A point that falls on a node is that node.

Matrices run scipy's compiled Dijkstra on a CSR matrix built once per (graph, mode, departure
band, speed table), with each snap point inserted into its edge as a node of its own. A few
origins or destinations search the whole graph from the smaller side (the reversed graph
when destinations are fewer); many of both first reduce the graph exactly for the snap points
(see :mod:`planner.travel._routing`) and search the small core that is left, on two threads. The road
distance of each pair is summed along the fastest path's predecessors, so it is the length of
exactly the path whose time is reported.

On large graphs the snaps and the matrices are kept in the cache (``planner._cache``), keyed
by the graph's content, the snapped points, the mode, the departure band and the speed table,
so a repeated request (another CLI command on the same data) reads them back in milliseconds.
Routes (:func:`routes`) draw many paths with one search per facility of the smaller side.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import LineString

from planner._cache import cache_key, cached
from planner.config import CRS_LONLAT, DEFAULT_MAX_SNAP_M, DIRECTIONS, metric_crs
from planner.errors import PlannerInputError
from planner.roads import network
from planner.roads.graph import TravelGraph
from planner.roads.speeds import (
    edge_travel_times,
    ferry_edges,
    load_speed_table,
    path_ferries,
    snap_speed_kph,
    time_profile_key,
)
from planner.travel._routing import (
    RoutingGraph,
    csr_graph,
    many_to_many,
    progress,
    reduce_graph,
    reverse_graph,
    routing_graph,
    spans,
)

log = logging.getLogger(__name__)

MATRIX_COLUMNS = (
    "origin_id",
    "destination_id",
    "origin_node",
    "destination_node",
    "network_time_s",
    "travel_time_s",
    "distance_m",
    "origin_snap_m",
    "destination_snap_m",
    "status",
    "reason",
)
SNAP_COLUMNS = (
    "facility_id",
    "node",
    "node_id",
    "snap_distance_m",
    "status",
    "reason",
    "edge",
    "edge_fraction",
    "snap_lon",
    "snap_lat",
)
ROUTE_COLUMNS = (
    "origin_id",
    "destination_id",
    "network_time_s",
    "travel_time_s",
    "distance_m",
    "origin_snap_m",
    "destination_snap_m",
    "status",
    "reason",
    "geometry",
)

# Up to this many facilities on the smaller side search the whole graph: reducing it (about
# 1.5 s on Hanoi) costs more than it saves. Beyond, or once reduced for the same points, the
# reduced graph is used.
_WHOLE_GRAPH_SOURCES = 16
# Graphs for terminal sets kept per router (with their reductions), most recent last.
_TERMINAL_GRAPHS_KEPT = 4
# A snap point closer than this to an end of its edge is that node.
_AT_NODE_M = 0.01
# Graphs from this many nodes keep their snaps and matrices in the disk cache; smaller ones
# compute them in milliseconds.
_DISK_CACHE_MIN_NODES = 20_000
# Shortest-path trees grown at once for routes: trees x nodes cells (float64 + int32).
_TREE_BATCH_CELLS = 4_000_000

# Per-graph memos that die with the graph: (mode, usable-edges digest) -> snapper,
# times key (speeds.time_profile_key) -> router, and the graph's content digest.
_SNAPPERS: weakref.WeakKeyDictionary[TravelGraph, dict[tuple, _Snapper]] = (
    weakref.WeakKeyDictionary()
)
_ROUTERS: weakref.WeakKeyDictionary[TravelGraph, dict[tuple, _Router]] = weakref.WeakKeyDictionary()
_DIGESTS: weakref.WeakKeyDictionary[TravelGraph, str] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Route:
    """The fastest road path between two points, for maps and checks.

    Attributes
    ----------
    geometry
        The path as a WGS 84 ``LineString``: the snap leg from the origin to its road, the
        road geometry in order, and the snap leg to the destination.
    node_ids
        Graph ``node_id`` of each graph node on the path, in order (snap points on an edge
        are not nodes and are not listed).
    network_time_s, distance_m
        Time and length on the roads, from the origin's snap point to the destination's.
    travel_time_s
        Door-to-door time: the network time plus both snap legs.
    origin_snap_m, destination_snap_m
        Straight-line snap legs from the points to their roads.
    ferry_crossings
        River ferries the path takes (each costs a boarding wait; see
        :func:`planner.roads.speeds.path_ferries` for where they are).

    Examples
    --------
    From the Temple of Literature (Văn Miếu) westwards, on the OSM fixture of its streets:

    >>> from planner.config import data_dir
    >>> from planner.roads.network import load_network
    >>> graph = load_network(data_dir() / "fixtures" / "van_mieu_osm.osm")
    >>> r = route(graph, (21.0285, 105.8355), (21.0300, 105.8260))
    >>> r.geometry.geom_type, r.ferry_crossings, round(r.distance_m / 100) * 100
    ('LineString', 0, 1300)
    >>> bool(r.travel_time_s > r.network_time_s)  # plus the two snap legs
    True
    """

    geometry: LineString
    node_ids: tuple[int, ...]
    network_time_s: float
    travel_time_s: float
    distance_m: float
    origin_snap_m: float
    destination_snap_m: float
    ferry_crossings: int = 0


@dataclass(frozen=True, eq=False)
class _Snapper:
    to_metric: Transformer  # lon/lat -> the graph's metric CRS
    to_lonlat: Transformer
    lines: np.ndarray  # metric geometry of every indexed edge (main component, then others)
    edges: np.ndarray  # the graph edge of each line (one of each two-way pair)
    main: int  # lines[:main] are on the largest strongly connected component
    tree: shapely.STRtree  # on lines[:main]
    other_tree: shapely.STRtree | None  # on lines[main:]
    labels: np.ndarray  # strongly connected component of every node
    edge_from: np.ndarray  # the graph's edge sources


@dataclass(eq=False)
class _TerminalGraph:
    """The routing graph with a set of snap points inserted into their edges as nodes."""

    graph: RoutingGraph
    edge: np.ndarray  # per entry: the graph edge it runs along
    start: np.ndarray  # per entry: the fractions of that edge it spans
    end: np.ndarray
    reverse: RoutingGraph | None = None
    reduced: tuple[RoutingGraph, np.ndarray] | None = None
    reduced_reverse: RoutingGraph | None = None


@dataclass(frozen=True, eq=False)
class _Router:
    graph: RoutingGraph  # the mode's usable roads, fastest of parallel edges
    edge: np.ndarray  # graph edge behind each entry
    seconds: np.ndarray  # travel time of every graph edge (inf where unusable)
    snap_mps: float  # snap-leg speed, m/s
    # digest of a terminal set -> the graph with its snap points (and its reductions)
    terminals: dict[str, _TerminalGraph] = field(default_factory=dict)


@dataclass(frozen=True)
class _Terminals:
    """Where the snapped facilities of a request enter the network, deduplicated.

    ``node`` is the graph node of each terminal, or -1 for a point inside an edge, which is
    then given by ``edge`` (a graph edge) and ``fraction`` (0..1 along its geometry).
    """

    node: np.ndarray
    edge: np.ndarray
    fraction: np.ndarray

    def __len__(self) -> int:
        return len(self.node)

    def digest(self) -> str:
        h = hashlib.blake2b(digest_size=16)
        for a in (self.node, self.edge, self.fraction):
            h.update(np.ascontiguousarray(a).tobytes())
        return h.hexdigest()


def snap_facilities(
    graph: TravelGraph,
    facilities: pd.DataFrame,
    *,
    mode: str = "car",
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    speeds: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Snap each facility to the nearest point of a road the mode can both leave and reach.

    Parameters
    ----------
    graph
        The road graph.
    facilities
        Facility table with ``facility_id``, ``lat``, ``lon`` (a GeoDataFrame per the
        facilities contract, or a plain DataFrame).
    mode
        Transport mode; decides which roads (and so which component) count.
    max_snap_m
        Facilities farther than this from the roads are flagged ``not_snapped``.
    speeds
        Speed table from :func:`planner.roads.speeds.load_speed_table` (its ``usable`` column
        decides the roads); ``None`` uses ours.

    Returns
    -------
    pandas.DataFrame
        One row per facility, in input order, with columns ``SNAP_COLUMNS``: ``facility_id``;
        ``node`` (node index) and ``node_id``: the end of the snapped edge nearer to the snap
        point; ``snap_distance_m`` (straight line to the road, metres in the graph's metric
        CRS); ``status`` (``ok`` or ``not_snapped``); ``reason``; ``edge`` (graph edge index)
        and ``edge_fraction`` (where the point lies along it, 0 at its first node, 1 at its
        last); ``snap_lon``/``snap_lat`` (the point on the road). Flagged facilities keep
        their nearest road and distance for inspection; none is dropped.

    Examples
    --------
    >>> import pandas as pd
    >>> from planner.roads.network import hanoi_network
    >>> from planner.travel.matrix import snap_facilities
    >>> xanh_pon = pd.DataFrame({"facility_id": ["xp"], "lat": [21.03126], "lon": [105.83518]})
    >>> snap_facilities(hanoi_network(), xanh_pon)["status"].tolist()
    ['ok']
    """
    ids, lat, lon = _facility_columns(facilities)
    snaps = _snap_table(graph, ids, lat, lon, mode=mode, max_snap_m=max_snap_m, speeds=speeds)
    return snaps[list(SNAP_COLUMNS)]


def travel_time_matrix(
    graph: TravelGraph,
    origins: pd.DataFrame,
    destinations: pd.DataFrame | None = None,
    *,
    mode: str = "car",
    depart: str | dt.time | None = None,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    limit_s: float | None = None,
    speeds: pd.DataFrame | None = None,
    cache: bool = True,
    distances: bool = True,
) -> pd.DataFrame:
    """Return door-to-door travel times and road distances between facilities (long table).

    Parameters
    ----------
    graph
        The road graph.
    origins, destinations
        Facility tables (``facility_id``, ``lat``, ``lon``); ``destinations=None`` means
        the origins themselves (all pairs). A ``facility_id`` on both sides must have the
        same coordinates on both.
    mode
        ``car``, ``motorbike`` or ``ambulance``.
    depart
        Departure time ``"HH:MM"`` (selects the congestion band); ``None`` is the default.
    max_snap_m
        Facilities farther than this from the mode's roads are ``not_snapped``.
    limit_s
        Stop searching beyond this network time; farther pairs are ``unreachable``.
    speeds
        Speed table from :func:`planner.roads.speeds.load_speed_table` (e.g. a user's own file);
        ``None`` uses ours.
    cache
        On large graphs, keep the snaps and the matrix in the cache and reuse them for the
        same graph, points, mode, departure band and speed table (``False``: compute afresh
        and store nothing).
    distances
        Also sum the road length of each fastest path (``distance_m``); ``False`` leaves it
        NaN and saves about a third of the search (e.g. for thousands of population cells).

    Returns
    -------
    pandas.DataFrame
        One row per (origin, destination), origins outer and destinations inner, in input
        order, with columns ``MATRIX_COLUMNS``: ``origin_node``/``destination_node`` (the
        ``node_id`` of the snapped edge's end nearer to the snap point), ``network_time_s``
        (snap point to snap point along the roads), ``travel_time_s`` (plus both snap legs),
        ``distance_m`` (road length of that fastest path, snap legs excluded: they are in
        ``origin_snap_m``/``destination_snap_m``), ``status`` (``ok``, ``unreachable``,
        ``not_snapped``) and ``reason``. Times and distances are NaN unless ``ok``.

    Raises
    ------
    PlannerInputError
        A table without ``facility_id``, ``lat`` or ``lon``; an id twice on one side; an id
        on both sides at two different places.

    Examples
    --------
    >>> import pandas as pd
    >>> from planner.roads.network import hanoi_network
    >>> from planner.travel.matrix import travel_time_matrix
    >>> sites = pd.DataFrame({"facility_id": ["xanh-pon", "ba-vi"],
    ...                       "lat": [21.03126, 21.2164], "lon": [105.83518, 105.4100]})
    >>> m = travel_time_matrix(hanoi_network(), sites, mode="car", depart="10:00")
    >>> m.loc[1, ["origin_id", "destination_id", "status"]].tolist()
    ['xanh-pon', 'ba-vi', 'ok']
    """
    request = _snap_request(
        graph, origins, destinations, mode=mode, max_snap_m=max_snap_m, speeds=speeds, cache=cache
    )
    table = load_speed_table() if speeds is None else speeds
    limit = np.inf if limit_s is None else float(limit_s)
    time_s, dist_m = _terminal_matrix(
        graph, mode, depart, table, request.sources, request.targets, limit,
        cache=cache, distances=distances,
    )  # fmt: skip
    return _matrix_frame(request, time_s, dist_m, mode=mode, table=table, limit_s=limit_s)


def travel_time_matrices(
    graph: TravelGraph,
    origins: pd.DataFrame,
    destinations: pd.DataFrame | None = None,
    *,
    departs: Iterable[str | dt.time | None],
    mode: str = "car",
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    limit_s: float | None = None,
    speeds: pd.DataFrame | None = None,
    cache: bool = True,
    distances: bool = True,
) -> dict[str | dt.time | None, pd.DataFrame]:
    """Return :func:`travel_time_matrix` at several departure times, snapping once.

    Where a facility snaps depends on the roads the mode may use, never on the hour, so the
    points are snapped once for all departures; departures whose per-edge times are the same
    (:func:`planner.roads.speeds.time_profile_key`: the same congestion band) share one search. Each
    matrix equals the one :func:`travel_time_matrix` returns for that departure.

    Parameters
    ----------
    graph, origins, destinations, mode, max_snap_m, limit_s, speeds, cache, distances
        As for :func:`travel_time_matrix`.
    departs
        The departure times (``"HH:MM"`` or :class:`datetime.time`; ``None`` is the default).

    Returns
    -------
    dict
        Each departure as given -> its long matrix (a frame of its own).

    Examples
    --------
    >>> import pandas as pd
    >>> from planner.roads.network import hanoi_network
    >>> sites = pd.DataFrame({"facility_id": ["xanh-pon", "ba-vi"],
    ...                       "lat": [21.03126, 21.2164], "lon": [105.83518, 105.4100]})
    >>> by_hour = travel_time_matrices(hanoi_network(), sites, departs=["07:00", "10:00"])
    >>> bool(by_hour["07:00"].loc[1, "travel_time_s"] >= by_hour["10:00"].loc[1, "travel_time_s"])
    True
    """
    departs = list(dict.fromkeys(departs))
    request = _snap_request(
        graph, origins, destinations, mode=mode, max_snap_m=max_snap_m, speeds=speeds, cache=cache
    )
    table = load_speed_table() if speeds is None else speeds
    limit = np.inf if limit_s is None else float(limit_s)
    frames: dict[tuple, pd.DataFrame] = {}
    out: dict[str | dt.time | None, pd.DataFrame] = {}
    for depart in departs:
        key = _times_key(mode, depart, table)
        if key not in frames:
            time_s, dist_m = _terminal_matrix(
                graph, mode, depart, table, request.sources, request.targets, limit,
                cache=cache, distances=distances,
            )  # fmt: skip
            frames[key] = _matrix_frame(
                request, time_s, dist_m, mode=mode, table=table, limit_s=limit_s
            )
            out[depart] = frames[key]
        else:
            out[depart] = frames[key].copy()
    return out


@dataclass(frozen=True, eq=False)
class _Request:
    """The snapped sides of a matrix request and their distinct terminals."""

    o_snap: pd.DataFrame
    d_snap: pd.DataFrame
    same: bool  # destinations are the origins (all pairs)
    o_ok: np.ndarray
    d_ok: np.ndarray
    sources: _Terminals
    targets: _Terminals
    o_row: np.ndarray  # each snapped origin's source terminal
    d_col: np.ndarray


def _snap_request(
    graph: TravelGraph,
    origins: pd.DataFrame,
    destinations: pd.DataFrame | None,
    **snap: Any,
) -> _Request:
    """Snap both sides of a matrix request (once) and find their terminals."""
    same = destinations is None
    if same:
        ids, lat, lon = _facility_columns(origins)
        o_snap = d_snap = _snap_table(graph, ids, lat, lon, **snap)
    else:
        o_snap, d_snap = _snap_together(graph, origins, destinations, **snap)
    o_ok = (o_snap["status"] == "ok").to_numpy()
    d_ok = (d_snap["status"] == "ok").to_numpy()
    sources, o_row = _terminals(o_snap[o_ok])
    targets, d_col = _terminals(d_snap[d_ok])
    return _Request(o_snap, d_snap, same, o_ok, d_ok, sources, targets, o_row, d_col)


def _matrix_frame(
    request: _Request,
    time_s: np.ndarray,
    dist_m: np.ndarray,
    *,
    mode: str,
    table: pd.DataFrame,
    limit_s: float | None,
) -> pd.DataFrame:
    """The long matrix (``MATRIX_COLUMNS``) of a request from its terminal-to-terminal times."""
    o_snap, d_snap, o_ok, d_ok = request.o_snap, request.d_snap, request.o_ok, request.d_ok
    n_o, n_d = len(o_snap), len(d_snap)
    net_t = np.full((n_o, n_d), np.nan)
    net_d = np.full((n_o, n_d), np.nan)
    sub = np.ix_(np.flatnonzero(o_ok), np.flatnonzero(d_ok))
    net_t[sub] = time_s[np.ix_(request.o_row, request.d_col)]
    net_d[sub] = dist_m[np.ix_(request.o_row, request.d_col)]
    o_m = o_snap["snap_distance_m"].to_numpy()
    d_m = d_snap["snap_distance_m"].to_numpy()
    snap_mps = snap_speed_kph(mode=mode, speeds=table) / 3.6
    door = net_t + (o_m[:, None] + d_m[None, :]) / snap_mps
    if request.same:  # a facility to itself is no trip at all
        np.fill_diagonal(door, np.where(o_ok, 0.0, np.nan))
        np.fill_diagonal(net_t, np.where(o_ok, 0.0, np.nan))
        np.fill_diagonal(net_d, np.where(o_ok, 0.0, np.nan))

    both = o_ok[:, None] & d_ok[None, :]
    reached = both & np.isfinite(net_t)
    status = np.where(reached, "ok", np.where(both, "unreachable", "not_snapped"))
    reason = _matrix_reasons(status, o_snap, d_snap, mode, limit_s)
    if (status == "unreachable").any():
        log.warning(
            "%d of %d pairs unreachable by %s",
            int((status == "unreachable").sum()),
            status.size,
            mode,
        )
    o_ids, d_ids = _node_ids(o_snap, o_ok), _node_ids(d_snap, d_ok)
    return pd.DataFrame(
        {
            "origin_id": np.repeat(o_snap["facility_id"].to_numpy(), n_d),
            "destination_id": np.tile(d_snap["facility_id"].to_numpy(), n_o),
            "origin_node": pd.arrays.IntegerArray(*(np.repeat(a, n_d) for a in o_ids)),
            "destination_node": pd.arrays.IntegerArray(*(np.tile(a, n_o) for a in d_ids)),
            "network_time_s": np.where(reached, net_t, np.nan).ravel(),
            "travel_time_s": np.where(reached, door, np.nan).ravel(),
            "distance_m": np.where(reached, net_d, np.nan).ravel(),
            "origin_snap_m": np.repeat(o_m, n_d),
            "destination_snap_m": np.tile(d_m, n_o),
            "status": status.ravel(),
            "reason": reason.ravel(),
        },
        columns=list(MATRIX_COLUMNS),
    )


def routes(
    graph: TravelGraph,
    origins: pd.DataFrame,
    destinations: pd.DataFrame,
    *,
    pairs: Iterable[tuple[str, str]] | pd.DataFrame | None = None,
    mode: str = "car",
    depart: str | dt.time | None = None,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    speeds: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Return the fastest road path of many (origin, destination) pairs, with its figures.

    One shortest-path tree is grown per facility of the smaller side: from each origin, or,
    when destinations are fewer (units to their hospitals), from each destination on the
    reversed graph. Every path is then read off its tree, so drawing the routes of 600 units
    to 4 hospitals costs four searches.

    Parameters
    ----------
    graph
        The road graph.
    origins, destinations
        Facility tables (``facility_id``, ``lat``, ``lon``).
    pairs
        The ``(origin_id, destination_id)`` pairs wanted (a sequence of tuples or a table
        with ``origin_id`` and ``destination_id`` columns); ``None`` is every pair.
    mode, depart, max_snap_m, speeds
        As for :func:`travel_time_matrix`; the figures equal its figures.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per pair, in the order asked, with columns ``ROUTE_COLUMNS`` (the figures and
        ``status``/``reason`` as in the matrix) and the path as a WGS 84 ``LineString`` from
        the origin through its snap leg, the roads and the destination's snap leg (``None``
        unless ``ok``).

    Raises
    ------
    PlannerInputError
        A pair naming an unknown origin or destination, or the table errors of
        :func:`travel_time_matrix`.

    Examples
    --------
    >>> import pandas as pd
    >>> from planner.roads.network import hanoi_network
    >>> from planner.travel.matrix import routes
    >>> hospital = pd.DataFrame({"facility_id": ["xanh-pon"], "lat": [21.03126], "lon": [105.83518]})
    >>> units = pd.DataFrame({"facility_id": ["ba-vi", "son-tay"],
    ...                       "lat": [21.2164, 21.1386], "lon": [105.4100, 105.5042]})
    >>> r = routes(hanoi_network(), units, hospital, depart="10:00")
    >>> r["status"].tolist(), [len(line.coords) > 100 for line in r.geometry]
    (['ok', 'ok'], [True, True])
    """
    o_snap, d_snap = _snap_together(
        graph, origins, destinations, mode=mode, max_snap_m=max_snap_m, speeds=speeds, cache=True
    )
    o_at, d_at = _pair_positions(pairs, o_snap["facility_id"], d_snap["facility_id"])
    found = _pair_routes(graph, o_snap, d_snap, o_at, d_at, mode=mode, depart=depart, speeds=speeds)
    net_t, net_d, geometry, status, snap_mps = found[:5]
    o_m = o_snap["snap_distance_m"].to_numpy()[o_at]
    d_m = d_snap["snap_distance_m"].to_numpy()[d_at]
    reason = _pair_reasons(status, o_snap.iloc[o_at], d_snap.iloc[d_at], mode)
    return gpd.GeoDataFrame(
        {
            "origin_id": o_snap["facility_id"].to_numpy()[o_at],
            "destination_id": d_snap["facility_id"].to_numpy()[d_at],
            "network_time_s": net_t,
            "travel_time_s": net_t + (o_m + d_m) / snap_mps,
            "distance_m": net_d,
            "origin_snap_m": o_m,
            "destination_snap_m": d_m,
            "status": status,
            "reason": reason,
        },
        geometry=gpd.GeoSeries(geometry, crs=CRS_LONLAT),
        crs=CRS_LONLAT,
    )


def route(
    graph: TravelGraph,
    origin: tuple[float, float] | pd.Series,
    destination: tuple[float, float] | pd.Series,
    *,
    mode: str = "car",
    depart: str | dt.time | None = None,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    speeds: pd.DataFrame | None = None,
) -> Route:
    """Return the fastest road path between two points or facilities.

    Parameters
    ----------
    graph : TravelGraph
        The road graph.
    origin, destination : tuple of float or pandas.Series
        ``(lat, lon)`` tuples or facility rows (with ``lat`` and ``lon``).
    mode : str, default "car"
        ``car``, ``motorbike`` or ``ambulance``.
    depart : str, datetime.time or None, optional
        Departure time ``"HH:MM"`` (selects the congestion band); ``None`` is the default.
    max_snap_m : float, default config.DEFAULT_MAX_SNAP_M
        The farthest, in metres, a point may be from the mode's roads (1000 m by default).
    speeds : pandas.DataFrame, optional
        Speed table from :func:`planner.roads.speeds.load_speed_table`; ``None`` uses ours.

    Returns
    -------
    Route
        The path's geometry and nodes, its door-to-door ``travel_time_s`` (seconds),
        ``distance_m`` on the roads (metres), both snap legs and its ferry crossings.

    Raises
    ------
    PlannerInputError
        If either point is farther than ``max_snap_m`` from the mode's roads, or has no
        road path to the other.

    Examples
    --------
    >>> from planner.roads.network import hanoi_network
    >>> from planner.travel.matrix import route
    >>> r = route(hanoi_network(), (21.03126, 105.83518), (21.2164, 105.4100), depart="10:00")
    >>> 3000 <= r.travel_time_s <= 7200  # about an hour for ~53 km
    True
    """
    points = [_lat_lon(origin, "origin"), _lat_lon(destination, "destination")]
    snaps = _snap_together(
        graph,
        *(pd.DataFrame({"facility_id": [name], "lat": [lat], "lon": [lon]})
          for name, (lat, lon) in zip(("origin", "destination"), points, strict=True)),
        mode=mode,
        max_snap_m=max_snap_m,
        speeds=speeds,
        cache=False,
    )  # fmt: skip
    for snap in snaps:
        if snap["status"].iloc[0] != "ok":
            name = snap["facility_id"].iloc[0]
            raise PlannerInputError(
                f"the {name} cannot be placed on the {mode} roads: {snap['reason'].iloc[0]}",
                field=name,
                hint="check the coordinates (lat, lon order) or raise max_snap_m",
            )
    at = np.zeros(1, dtype=np.int64)
    found = _pair_routes(graph, *snaps, at, at, mode=mode, depart=depart, speeds=speeds)
    net_t, net_d, geometry, status, snap_mps, nodes = found
    if status[0] != "ok":
        raise PlannerInputError(
            f"no {mode} road path from the origin to the destination",
            field="destination",
            hint="try another mode (motorbikes use more roads)",
        )
    o_m, d_m = (float(snap["snap_distance_m"].iloc[0]) for snap in snaps)
    node_ids = tuple(int(i) for i in graph.node_id[nodes[0]])
    ferries = path_ferries(graph, node_ids, mode=mode, depart=depart, speeds=speeds)
    return Route(
        geometry=geometry[0],
        node_ids=node_ids,
        network_time_s=float(net_t[0]),
        travel_time_s=float(net_t[0] + (o_m + d_m) / snap_mps),
        distance_m=float(net_d[0]),
        origin_snap_m=o_m,
        destination_snap_m=d_m,
        ferry_crossings=len(ferries),
    )


# --------------------------------------------------------------------------- snapping


def _snap_together(
    graph: TravelGraph,
    origins: pd.DataFrame,
    destinations: pd.DataFrame,
    **snap: Any,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Snap origins and destinations in one call, so that facilities sharing a separate road
    piece see each other; return each side's snap table in its own order.

    A ``facility_id`` on both sides is one facility: it must be at one place.
    """
    o_ids, o_lat, o_lon = _facility_columns(origins)
    d_ids, d_lat, d_lon = _facility_columns(destinations)
    _check_same_places(o_ids, o_lat, o_lon, d_ids, d_lat, d_lon)
    ids = np.concatenate([o_ids, d_ids])
    first = ~pd.Index(ids).duplicated()
    lat, lon = np.concatenate([o_lat, d_lat])[first], np.concatenate([o_lon, d_lon])[first]
    snaps = _snap_table(graph, ids[first], lat, lon, **snap)
    at = pd.Index(ids[first])
    return (
        snaps.iloc[at.get_indexer(o_ids)].reset_index(drop=True),
        snaps.iloc[at.get_indexer(d_ids)].reset_index(drop=True),
    )


def _check_same_places(
    o_ids: np.ndarray,
    o_lat: np.ndarray,
    o_lon: np.ndarray,
    d_ids: np.ndarray,
    d_lat: np.ndarray,
    d_lon: np.ndarray,
) -> None:
    """Refuse an id given at two places (as origin and as destination): which one is meant?"""
    d_at = pd.Index(d_ids).get_indexer(o_ids)
    o_pos = np.flatnonzero(d_at >= 0)
    d_pos = d_at[o_pos]
    a = np.column_stack([o_lat[o_pos], o_lon[o_pos]])
    b = np.column_stack([d_lat[d_pos], d_lon[d_pos]])
    # the same place: equal to about a centimetre (1e-7 degrees), or both missing
    same = np.isclose(a, b, rtol=0.0, atol=1e-7) | (np.isnan(a) & np.isnan(b))
    bad = np.flatnonzero(~same.all(axis=1))
    if len(bad):
        i, j = int(o_pos[bad[0]]), int(d_pos[bad[0]])
        raise PlannerInputError(
            f"facility_id {o_ids[i]!r} names two places: lat {o_lat[i]}, lon {o_lon[i]} among "
            f"the origins (row {i + 1}) and lat {d_lat[j]}, lon {d_lon[j]} among the "
            f"destinations (row {j + 1})"
            + (f"; {len(bad) - 1} more ids likewise" if len(bad) > 1 else ""),
            row=j + 1,
            field="facility_id",
            hint="give each place its own facility_id, or the same coordinates on both sides",
        )


def _snap_table(
    graph: TravelGraph,
    ids: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    *,
    mode: str,
    max_snap_m: float,
    speeds: pd.DataFrame | None,
    cache: bool = True,
) -> pd.DataFrame:
    """The snap table (``SNAP_COLUMNS`` and the facility's ``lon``/``lat``), from the disk
    cache on large graphs."""
    table = load_speed_table() if speeds is None else speeds
    build = functools.partial(
        _snap_points, graph, ids, lat, lon, mode=mode, max_snap_m=max_snap_m, table=table
    )
    if cache and graph.n_nodes >= _DISK_CACHE_MIN_NODES and len(ids):
        key = cache_key(
            "travel-snap",
            _code_digest(),
            _graph_digest(graph),
            mode,
            _usable_digest(graph, mode, table),
            float(max_snap_m),
            _array_digest(ids.astype(str), lat, lon),
        )
        snaps = cached("snap", key, build=build, save=_save_frame, load=_load_frame)
    else:
        snaps = build()
    bad = snaps.loc[snaps["status"] != "ok", "facility_id"].astype(str).tolist()
    if bad:
        log.warning(
            "%d of %d facilities not snapped to the %s network: %s%s",
            len(bad), len(snaps), mode, ", ".join(bad[:5]), " ..." if len(bad) > 5 else "",
        )  # fmt: skip
    return snaps


def _snap_points(
    graph: TravelGraph,
    ids: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    *,
    mode: str,
    max_snap_m: float,
    table: pd.DataFrame,
) -> pd.DataFrame:
    """Snap points to the nearest point of the nearest usable edge (see :func:`snap_facilities`)."""
    snapper = _snapper(graph, mode, table)
    x, y = snapper.to_metric.transform(lon, lat)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    located = np.isfinite(x) & np.isfinite(y)
    dist = np.full(len(ids), np.nan)
    line = np.full(len(ids), -1, dtype=np.int64)
    if located.any():
        where = np.flatnonzero(located)
        (at, k), d = snapper.tree.query_nearest(
            shapely.points(x[where], y[where]), return_distance=True, all_matches=False
        )
        line[where[at]], dist[where[at]] = k, d
    far = located & (dist > max_snap_m)
    reason = np.full(len(ids), "", dtype=object)
    shared = _snap_to_shared_pieces(snapper, x, y, far, max_snap_m)
    for i, (k, d) in shared.items():
        line[i], dist[i], far[i] = k, d, False
        reason[i] = (
            f"on a separate {mode} road piece shared with other facilities of this request; "
            "reachable only from them"
        )
    reason[~located] = "no valid coordinates"
    reason[far] = [
        f"nearest {mode} road is {d:,.0f} m away (more than max_snap_m={max_snap_m:,.0f})"
        for d in dist[far]
    ]
    status = np.where(located & ~far, "ok", "not_snapped")

    edge = np.full(len(ids), -1, dtype=np.int64)
    fraction = np.full(len(ids), np.nan)
    snap_lon, snap_lat = np.full(len(ids), np.nan), np.full(len(ids), np.nan)
    node = np.full(len(ids), -1, dtype=np.int64)
    placed = np.flatnonzero(line >= 0)
    if len(placed):
        lines = snapper.lines[line[placed]]
        points = shapely.points(x[placed], y[placed])
        along = shapely.line_locate_point(lines, points)
        length = shapely.length(lines)
        f = np.divide(along, length, out=np.zeros(len(placed)), where=length > 0)
        f = np.where(along <= _AT_NODE_M, 0.0, np.where(length - along <= _AT_NODE_M, 1.0, f))
        on_road = shapely.get_coordinates(shapely.line_interpolate_point(lines, f * length))
        snap_lon[placed], snap_lat[placed] = snapper.to_lonlat.transform(
            on_road[:, 0], on_road[:, 1]
        )
        edge[placed] = snapper.edges[line[placed]]
        fraction[placed] = f
        node[placed] = np.where(
            f <= 0.5, graph.edge_from[edge[placed]], graph.edge_to[edge[placed]]
        )
    has = node >= 0
    return pd.DataFrame(
        {
            "facility_id": ids,
            "node": pd.arrays.IntegerArray(np.maximum(node, 0), ~has),
            "node_id": pd.arrays.IntegerArray(graph.node_id[np.maximum(node, 0)], ~has),
            "snap_distance_m": dist,
            "status": status,
            "reason": reason,
            "edge": pd.arrays.IntegerArray(np.maximum(edge, 0), ~has),
            "edge_fraction": fraction,
            "snap_lon": snap_lon,
            "snap_lat": snap_lat,
            "lon": np.asarray(lon, dtype=float),
            "lat": np.asarray(lat, dtype=float),
        }
    )


def _facility_columns(facilities: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    missing = [c for c in ("facility_id", "lat", "lon") if c not in facilities.columns]
    if missing:
        raise PlannerInputError(
            f"the facilities table has no {missing[0]} column",
            field=missing[0],
            hint="give facility_id, lat and lon (WGS 84 degrees) for each facility",
        )
    ids = facilities["facility_id"].astype(str).to_numpy()
    dup = pd.Index(ids).duplicated()
    if dup.any():
        raise PlannerInputError(
            f"facility_id {ids[dup][0]!r} appears more than once",
            row=int(np.argmax(dup)) + 1,
            field="facility_id",
            hint="give each facility its own id",
        )
    lat = pd.to_numeric(facilities["lat"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(facilities["lon"], errors="coerce").to_numpy(dtype=float)
    return ids, lat, lon


def _lat_lon(point: tuple[float, float] | pd.Series, name: str) -> tuple[float, float]:
    if isinstance(point, pd.Series | dict):
        return float(point["lat"]), float(point["lon"])
    try:
        lat, lon = (float(v) for v in point)
    except (TypeError, ValueError) as exc:
        raise PlannerInputError(
            f"{point!r} is not a (lat, lon) pair", field=name, hint="e.g. (21.03126, 105.83518)"
        ) from exc
    return lat, lon


def _snap_to_shared_pieces(
    snapper: _Snapper, x: np.ndarray, y: np.ndarray, far: np.ndarray, max_snap_m: float
) -> dict[int, tuple[int, float]]:
    """Facilities too far from the main network but near a smaller road piece that at least
    two of them share (an island, a gated campus): {facility index: (line, distance m)}."""
    if not far.any() or snapper.other_tree is None:
        return {}
    idx = np.flatnonzero(far)
    (at, k), d = snapper.other_tree.query_nearest(
        shapely.points(x[idx], y[idx]), return_distance=True, all_matches=False
    )
    idx, line = idx[at], k + snapper.main
    near = d <= max_snap_m
    piece = snapper.labels[_edge_from(snapper, line)]
    pieces, counts = np.unique(piece[near], return_counts=True)
    shared = set(pieces[counts >= 2].tolist())
    return {
        int(i): (int(n), float(dd))
        for i, n, dd, ok, p in zip(idx, line, d, near, piece, strict=True)
        if ok and int(p) in shared
    }


def _edge_from(snapper: _Snapper, line: np.ndarray) -> np.ndarray:
    return snapper.edge_from[snapper.edges[line]]


def _snapper(graph: TravelGraph, mode: str, table: pd.DataFrame) -> _Snapper:
    memo = _SNAPPERS.setdefault(graph, {})
    key = (mode, _usable_digest(graph, mode, table))
    if key not in memo:
        memo[key] = _build_snapper(graph, mode, table)
    return memo[key]


def _build_snapper(graph: TravelGraph, mode: str, table: pd.DataFrame) -> _Snapper:
    usable = np.isfinite(edge_travel_times(graph, mode=mode, speeds=table))
    # a facility is never placed on a ferry's line across the river
    snappable = usable & ~ferry_edges(graph)
    with progress(3, f"indexing the {mode} roads") as bar:
        nodes, _, labels = _components(graph, usable, mode)
        bar.update()
        in_main = np.zeros(graph.n_nodes, dtype=bool)
        in_main[nodes] = True
        u, v = graph.edge_from, graph.edge_to
        twin = _twins(graph)
        ids = np.arange(graph.n_edges)
        # one line per road: a two-way road's second direction is its twin's reversed line
        first = (twin < 0) | (ids < twin) | ~usable[np.maximum(twin, 0)]
        main = np.flatnonzero(snappable & first & in_main[u] & in_main[v])
        other = np.flatnonzero(snappable & first & ~in_main[u] & (labels[u] == labels[v]))
        edges = np.concatenate([main, other])
        to_metric, to_lonlat = _metric(graph)
        sizes = graph.edge_geom_offsets[edges + 1] - graph.edge_geom_offsets[edges]
        take = spans(graph.edge_geom_offsets[edges], graph.edge_geom_offsets[edges + 1])
        x, y = to_metric.transform(graph.geom_lon[take], graph.geom_lat[take])
        lines = shapely.linestrings(
            np.column_stack([x, y]), indices=np.repeat(np.arange(len(edges)), sizes)
        )
        bar.update()
        tree = shapely.STRtree(lines[: len(main)])
        other_tree = shapely.STRtree(lines[len(main) :]) if len(other) else None
        bar.update()
    log.debug("snap index for %s: %d roads", mode, len(edges))
    return _Snapper(
        to_metric=to_metric,
        to_lonlat=to_lonlat,
        lines=lines,
        edges=edges,
        main=len(main),
        tree=tree,
        other_tree=other_tree,
        labels=labels,
        edge_from=graph.edge_from,
    )


def _components(
    graph: TravelGraph, usable: np.ndarray, mode: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The usable roads' strongly connected components: nodes of the largest, nodes of the
    others, and every node's component label."""
    _, labels = network.strong_components(graph, usable=usable)
    touched = np.zeros(graph.n_nodes, dtype=bool)
    touched[graph.edge_from[usable]] = True
    touched[graph.edge_to[usable]] = True
    if not touched.any():
        raise PlannerInputError(
            f"the road network has no road usable by {mode}",
            file=graph.source or None,
            field="mode",
            hint="check the speed table's usable column or the road classes of the source",
        )
    sizes = np.bincount(labels[touched])
    largest = int(np.argmax(sizes))
    n_other = int((sizes > 0).sum()) - 1
    if n_other:
        log.info(
            "%s network: largest strongly connected component has %d of %d nodes; "
            "%d smaller pieces are used only by facilities that share one",
            mode, sizes[largest], int(touched.sum()), n_other,
        )  # fmt: skip
    main = touched & (labels == largest)
    return np.flatnonzero(main), np.flatnonzero(touched & ~main), labels


_TWINS: weakref.WeakKeyDictionary[TravelGraph, np.ndarray] = weakref.WeakKeyDictionary()
_METRIC: weakref.WeakKeyDictionary[TravelGraph, tuple[Transformer, Transformer]] = (
    weakref.WeakKeyDictionary()
)


def _metric(graph: TravelGraph) -> tuple[Transformer, Transformer]:
    """Transformers to and from the metric CRS of the graph's own area (its UTM zone)."""
    if graph not in _METRIC:
        crs = metric_crs(graph.node_lon, graph.node_lat)
        _METRIC[graph] = (
            Transformer.from_crs(CRS_LONLAT, crs, always_xy=True),
            Transformer.from_crs(crs, CRS_LONLAT, always_xy=True),
        )
    return _METRIC[graph]


def _twins(graph: TravelGraph) -> np.ndarray:
    """For each edge, the edge of the opposite direction of the same two-way road, else -1.

    Readers store a two-way road as two edges between the same nodes, of the same length,
    with reversed geometry; a one-way road has no such partner.
    """
    if graph not in _TWINS:
        u, v = graph.edge_from.astype(np.int64), graph.edge_to.astype(np.int64)
        mm = np.round(graph.edge_length_m * 1000).astype(np.int64)
        ids = np.arange(graph.n_edges)
        up = pd.DataFrame({"a": u, "b": v, "mm": mm, "e": ids})[u < v]
        down = pd.DataFrame({"a": v, "b": u, "mm": mm, "e": ids})[u > v]
        pairs = up.drop_duplicates(["a", "b", "mm"]).merge(
            down.drop_duplicates(["a", "b", "mm"]), on=["a", "b", "mm"]
        )
        twin = np.full(graph.n_edges, -1, dtype=np.int64)
        twin[pairs["e_x"].to_numpy()] = pairs["e_y"].to_numpy()
        twin[pairs["e_y"].to_numpy()] = pairs["e_x"].to_numpy()
        _TWINS[graph] = twin
    return _TWINS[graph]


# --------------------------------------------------------------------------- keys


def _times_key(mode: str, depart: str | dt.time | None, table: pd.DataFrame) -> tuple:
    """What the edge times of a (mode, departure, speed table) depend on
    (:func:`planner.roads.speeds.time_profile_key`): routers and cached matrices are shared by every
    departure with the same per-edge times."""
    return time_profile_key(mode, depart, speeds=table)


def _graph_digest(graph: TravelGraph) -> str:
    """Content hash of a graph (every array and attribute), memoised per graph."""
    if graph not in _DIGESTS:
        h = hashlib.blake2b(digest_size=16)
        for name, value in sorted(vars(graph).items()):
            h.update(name.encode())
            if isinstance(value, np.ndarray) and value.dtype != object:
                h.update(str(value.dtype).encode())
                h.update(np.ascontiguousarray(value).data)  # the buffer itself: no copy
            elif isinstance(value, np.ndarray):  # text: hashed in C, no conversion
                h.update(pd.util.hash_array(value).tobytes())
            else:
                h.update(repr(value).encode())
        _DIGESTS[graph] = h.hexdigest()
    return _DIGESTS[graph]


@functools.cache
def _code_digest() -> str:
    """Hash of the code that computes, saves and loads snaps and matrices (this module, the
    router, the speeds): a changed module never reads what an older one cached, so no
    hand-kept format number is needed."""
    from planner.roads import speeds
    from planner.travel import _routing

    h = hashlib.blake2b(digest_size=16)
    for module in (__file__, _routing.__file__, speeds.__file__):
        h.update(Path(module).read_bytes())
    return h.hexdigest()


def _usable_digest(graph: TravelGraph, mode: str, table: pd.DataFrame) -> str:
    usable = np.isfinite(edge_travel_times(graph, mode=mode, speeds=table))
    return hashlib.blake2b(np.packbits(usable).tobytes(), digest_size=16).hexdigest()


def _array_digest(*arrays: np.ndarray) -> str:
    h = hashlib.blake2b(digest_size=16)
    for a in arrays:
        h.update(str(a.dtype).encode() + np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


# --------------------------------------------------------------------------- routing


def _router(
    graph: TravelGraph, mode: str, depart: str | dt.time | None, speeds: pd.DataFrame | None
) -> _Router:
    table = load_speed_table() if speeds is None else speeds
    memo = _ROUTERS.setdefault(graph, {})
    key = _times_key(mode, depart, table)
    if key not in memo:
        memo[key] = _build_router(graph, mode, depart, table)
    return memo[key]


def _build_router(
    graph: TravelGraph, mode: str, depart: str | dt.time | None, speeds: pd.DataFrame
) -> _Router:
    seconds = edge_travel_times(graph, mode=mode, depart=depart, speeds=speeds)
    # Every usable road: facilities on a smaller shared piece route within it.
    keep = np.flatnonzero(np.isfinite(seconds))
    u, v = graph.edge_from[keep], graph.edge_to[keep]
    routing, picked = routing_graph(graph.n_nodes, u, v, seconds[keep], graph.edge_length_m[keep])
    return _Router(
        graph=routing,
        edge=keep[picked],
        seconds=seconds,
        snap_mps=snap_speed_kph(mode=mode, speeds=speeds) / 3.6,
    )


def _terminals(snaps: pd.DataFrame) -> tuple[_Terminals, np.ndarray]:
    """The distinct terminals of snapped facilities, and each facility's terminal."""
    edge = snaps["edge"].to_numpy(dtype=np.int64, na_value=-1)
    fraction = snaps["edge_fraction"].to_numpy(dtype=float, na_value=np.nan)
    node = snaps["node"].to_numpy(dtype=np.int64, na_value=-1)
    inside = (fraction > 0) & (fraction < 1)
    rows = np.column_stack(
        [
            np.where(inside, -1, node),
            np.where(inside, edge, -1),
            np.where(inside, fraction, 0.0).view(np.int64),  # positive floats sort as ints
        ]
    )
    if not len(rows):
        empty = np.zeros(0, dtype=np.int64)
        return _Terminals(empty, empty, np.zeros(0)), empty
    unique, inverse = np.unique(rows, axis=0, return_inverse=True)
    terms = _Terminals(unique[:, 0].copy(), unique[:, 1].copy(), unique[:, 2].view(float).copy())
    return terms, inverse.ravel()


def _merge_terminals(a: _Terminals, b: _Terminals) -> _Terminals:
    rows = np.unique(
        np.column_stack(
            [
                np.r_[a.node, b.node],
                np.r_[a.edge, b.edge],
                np.r_[a.fraction, b.fraction].view(np.int64),
            ]
        ),
        axis=0,
    )
    return _Terminals(rows[:, 0].copy(), rows[:, 1].copy(), rows[:, 2].view(float).copy())


def _terminal_index(graph: TravelGraph, everything: _Terminals, some: _Terminals) -> np.ndarray:
    """Node of each terminal of ``some`` in the graph with ``everything``'s snap points: graph
    nodes keep their index, snap points inside edges follow, in ``everything``'s order."""
    ref = np.column_stack([everything.node, everything.edge, everything.fraction.view(np.int64)])
    ask = np.column_stack([some.node, some.edge, some.fraction.view(np.int64)])
    _, inverse = np.unique(np.vstack([ref, ask]), axis=0, return_inverse=True)
    # ref is sorted and unique, so a row's rank is its position; snap points (node -1) sort
    # first, so their position is also their rank among the snap points
    position = inverse.ravel()[len(ref) :]
    return np.where(some.node >= 0, some.node, graph.n_nodes + position).astype(np.int64)


def _terminal_graph(router: _Router, graph: TravelGraph, terms: _Terminals) -> _TerminalGraph:
    """The router's graph with the snap points of ``terms`` inserted into their edges (memoised).

    Each point inside an edge becomes a node: the edge (and the opposite edge of a two-way
    road) is cut there into pieces that carry their share of its time and length; several
    points on one edge follow each other along it. The whole edge stays too (the same time
    end to end), so paths that pass by are unchanged.
    """
    digest = terms.digest()
    memo = router.terminals
    if digest in memo:
        memo[digest] = memo.pop(digest)  # most recent last
        return memo[digest]
    base = router.graph.matrix.tocoo()
    n = graph.n_nodes
    entries: list[tuple[np.ndarray, ...]] = [
        (
            base.row.astype(np.int64),
            base.col.astype(np.int64),
            router.edge,
            np.zeros(len(router.edge)),
            np.ones(len(router.edge)),
        )
    ]
    inside = np.flatnonzero(terms.node < 0)
    if len(inside):
        entries.append(_split_entries(router, graph, terms, inside))
    u, v, edge, start, end = (np.concatenate(parts) for parts in zip(*entries, strict=True))
    share = end - start
    # the new entries all touch a snap point: none is parallel to a road's, nor to another
    picked = np.argsort(u * (n + len(inside)) + v, kind="stable")
    rg = csr_graph(
        n + len(inside),
        u[picked],
        v[picked],
        (share * router.seconds[edge])[picked],
        (share * graph.edge_length_m[edge])[picked],
    )
    memo[digest] = _TerminalGraph(rg, edge[picked], start[picked], end[picked])
    while len(memo) > _TERMINAL_GRAPHS_KEPT:
        memo.pop(next(iter(memo)))
    return memo[digest]


def _split_entries(
    router: _Router, graph: TravelGraph, terms: _Terminals, inside: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Entries joining snap points to their edges' ends and to each other along an edge:
    (from, to, graph edge, start fraction, end fraction)."""
    n = graph.n_nodes
    point = n + np.arange(len(inside))
    edge, fraction = terms.edge[inside], terms.fraction[inside]
    twin = _twins(graph)[edge]
    back = np.flatnonzero((twin >= 0) & np.isfinite(router.seconds[np.maximum(twin, 0)]))
    on = np.r_[edge, twin[back]]  # the directed edges the points lie on
    at = np.r_[fraction, 1.0 - fraction[back]]  # their position along each
    node = np.r_[point, point[back]]
    order = np.lexsort((at, on))
    on, at, node = on[order], at[order], node[order]
    first = np.r_[True, on[1:] != on[:-1]]
    last = np.r_[on[1:] != on[:-1], True]
    before = np.r_[-1, node[:-1]]  # the previous point on the same edge, unless first
    before_at = np.r_[0.0, at[:-1]]
    return (
        np.r_[np.where(first, graph.edge_from[on], before), node[last]],
        np.r_[node, graph.edge_to[on[last]]],
        np.r_[on, on[last]],
        np.r_[np.where(first, 0.0, before_at), at[last]],
        np.r_[at, np.ones(int(last.sum()))],
    )


def _terminal_matrix(
    graph: TravelGraph,
    mode: str,
    depart: str | dt.time | None,
    table: pd.DataFrame,
    sources: _Terminals,
    targets: _Terminals,
    limit: float,
    *,
    cache: bool,
    distances: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Fastest times and their road lengths between terminals, shape (sources, targets); from
    the disk cache on large graphs. Without ``distances`` the lengths are NaN."""
    if not len(sources) or not len(targets):
        return np.zeros((len(sources), len(targets))), np.zeros((len(sources), len(targets)))

    def compute() -> tuple[np.ndarray, np.ndarray]:
        router = _router(graph, mode, depart, table)
        everything = _merge_terminals(sources, targets)
        tg = _terminal_graph(router, graph, everything)
        src = _terminal_index(graph, everything, sources)
        dst = _terminal_index(graph, everything, targets)
        return _search(tg, src, dst, limit, lengths=distances)

    if not cache or graph.n_nodes < _DISK_CACHE_MIN_NODES:
        return compute()
    key = cache_key(
        "travel-matrix",
        _code_digest(),
        _graph_digest(graph),
        _times_key(mode, depart, table),
        sources.digest(),
        targets.digest(),
        None if not np.isfinite(limit) else limit,
        *(() if distances else ("times only",)),
    )
    return cached("matrix", key, build=compute, save=_save_matrix, load=_load_matrix)


def _search(
    tg: _TerminalGraph,
    sources: np.ndarray,
    targets: np.ndarray,
    limit: float,
    *,
    lengths: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Fastest times and lengths (NaN without ``lengths``) between nodes of a terminal graph,
    from the smaller side."""
    backwards = len(targets) < len(sources)
    if tg.reduced is None and min(len(sources), len(targets)) <= _WHOLE_GRAPH_SOURCES:
        graph, index = tg.graph, None
        if backwards:
            if tg.reverse is None:
                tg.reverse = reverse_graph(tg.graph)
            graph = tg.reverse
    else:
        if tg.reduced is None:
            # the terminal graph is made for this request's points: sources and targets
            # together are all of them, so the reduction serves it whatever the direction
            terminals = np.unique(np.r_[sources, targets])
            tg.reduced = reduce_graph(tg.graph, terminals)
            log.debug(
                "reduced the routing graph for %d terminals: %d of %d nodes left",
                len(terminals), tg.reduced[0].n_nodes, tg.graph.n_nodes,
            )  # fmt: skip
        graph, index = tg.reduced
        if backwards:
            if tg.reduced_reverse is None:
                tg.reduced_reverse = reverse_graph(graph)
            graph = tg.reduced_reverse
        sources, targets = index[sources], index[targets]
    if backwards:
        time_s, dist_m = many_to_many(graph, targets, sources, limit_s=limit, lengths=lengths)
        return time_s.T.copy(), dist_m.T.copy()
    return many_to_many(graph, sources, targets, limit_s=limit, lengths=lengths)


# --------------------------------------------------------------------------- routes


def _pair_positions(
    pairs: Iterable[tuple[str, str]] | pd.DataFrame | None,
    origin_ids: pd.Series,
    destination_ids: pd.Series,
) -> tuple[np.ndarray, np.ndarray]:
    """Positions of each asked pair's origin and destination in their snap tables."""
    n_o, n_d = len(origin_ids), len(destination_ids)
    if pairs is None:
        return np.repeat(np.arange(n_o), n_d), np.tile(np.arange(n_d), n_o)
    if isinstance(pairs, pd.DataFrame):
        asked = pairs[["origin_id", "destination_id"]].astype(str)
    else:
        asked = pd.DataFrame(
            [(str(a), str(b)) for a, b in pairs], columns=["origin_id", "destination_id"]
        )
    o_at = pd.Index(origin_ids).get_indexer(asked["origin_id"])
    d_at = pd.Index(destination_ids).get_indexer(asked["destination_id"])
    for at, side, name in ((o_at, "origin", "origins"), (d_at, "destination", "destinations")):
        if (at < 0).any():
            row = int(np.argmax(at < 0))
            raise PlannerInputError(
                f"pair {row + 1} names {side} {asked.iloc[row][f'{side}_id']!r}, "
                f"which is not among the {name}",
                row=row + 1,
                field=f"{side}_id",
                hint=f"ask only for pairs of the given {name}",
            )
    return o_at.astype(np.int64), d_at.astype(np.int64)


def _pair_routes(
    graph: TravelGraph,
    o_snap: pd.DataFrame,
    d_snap: pd.DataFrame,
    o_at: np.ndarray,
    d_at: np.ndarray,
    *,
    mode: str,
    depart: str | dt.time | None,
    speeds: pd.DataFrame | None,
) -> tuple[np.ndarray, np.ndarray, list[LineString | None], np.ndarray, float, list[np.ndarray]]:
    """Figures, geometry, status and graph nodes of the fastest path of each asked pair."""
    table = load_speed_table() if speeds is None else speeds
    router = _router(graph, mode, depart, table)
    o_ok = (o_snap["status"] == "ok").to_numpy()
    d_ok = (d_snap["status"] == "ok").to_numpy()
    both = o_ok[o_at] & d_ok[d_at]
    sources, s_row = _terminals(o_snap[o_ok])
    targets, t_row = _terminals(d_snap[d_ok])
    everything = _merge_terminals(sources, targets)
    tg = _terminal_graph(router, graph, everything)
    s_node = np.full(len(o_snap), -1, dtype=np.int64)
    t_node = np.full(len(d_snap), -1, dtype=np.int64)
    s_node[o_ok] = _terminal_index(graph, everything, sources)[s_row]
    t_node[d_ok] = _terminal_index(graph, everything, targets)[t_row]
    asked = np.flatnonzero(both)
    paths, times = _tree_paths(tg, s_node[o_at[asked]], t_node[d_at[asked]])

    n = len(o_at)
    net_t, net_d = np.full(n, np.nan), np.full(n, np.nan)
    geometry: list[LineString | None] = [None] * n
    nodes: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * n
    o_xy = o_snap[["lon", "lat"]].to_numpy()
    d_xy = d_snap[["lon", "lat"]].to_numpy()
    on_road = o_snap[["snap_lon", "snap_lat"]].to_numpy()
    vertices = np.column_stack([graph.geom_lon, graph.geom_lat])
    for k, path, time_s in zip(asked, paths, times, strict=True):
        if path is None:
            continue
        entries = np.searchsorted(tg.graph.keys, path[:-1] * tg.graph.n_nodes + path[1:])
        net_t[k] = time_s
        net_d[k] = float(tg.graph.length_m[entries].sum())
        nodes[k] = path[path < graph.n_nodes]
        road = (
            _entries_coordinates(graph, tg, entries, vertices)
            if len(entries)
            else on_road[o_at[k]][None, :]  # both at one point
        )
        coords = np.vstack([o_xy[o_at[k]], road, d_xy[d_at[k]]])
        coords = coords[np.r_[True, np.any(np.diff(coords, axis=0) != 0, axis=1)]]
        geometry[k] = LineString(coords if len(coords) > 1 else np.vstack([coords, coords]))
    status = np.where(both & np.isfinite(net_t), "ok", np.where(both, "unreachable", "not_snapped"))
    return net_t, net_d, geometry, status, router.snap_mps, nodes


def _tree_paths(
    tg: _TerminalGraph, sources: np.ndarray, targets: np.ndarray
) -> tuple[list[np.ndarray | None], np.ndarray]:
    """Node path and time of each (source, target) pair, from one shortest-path tree per
    distinct node of the smaller side (grown on the reversed graph for targets)."""
    forward = len(np.unique(sources)) <= len(np.unique(targets))
    if forward:
        graph, roots, ends = tg.graph, sources, targets
    else:
        if tg.reverse is None:
            tg.reverse = reverse_graph(tg.graph)
        graph, roots, ends = tg.reverse, targets, sources
    paths: list[np.ndarray | None] = [None] * len(sources)
    times = np.full(len(sources), np.inf)
    unique, row = np.unique(roots, return_inverse=True)
    batch = max(1, _TREE_BATCH_CELLS // max(graph.n_nodes, 1))
    with progress(len(unique), "routes", unit="tree") as bar:
        for start in range(0, len(unique), batch):
            block = unique[start : start + batch]
            dist, pred = dijkstra(graph.matrix, indices=block, return_predecessors=True)
            pairs = np.flatnonzero((row >= start) & (row < start + len(block)))
            r = row[pairs] - start
            times[pairs] = dist[r, ends[pairs]]
            reached = np.isfinite(times[pairs])
            for k, steps in zip(
                pairs[reached], _walk(pred, r[reached], ends[pairs[reached]]), strict=True
            ):
                # a forward tree is walked from the target back to the source
                paths[k] = steps[::-1] if forward else steps
            bar.update(len(block))
    return paths, times


def _walk(pred: np.ndarray, rows: np.ndarray, starts: np.ndarray) -> list[np.ndarray]:
    """Follow predecessors from each start to its tree's root, all walks a step at a time."""
    n = pred.shape[1]
    flat = pred.ravel()
    steps_pair, steps_node = [np.arange(len(rows))], [starts.astype(np.int64)]
    live = np.arange(len(rows))
    cur = starts.astype(np.int64)
    while len(live):
        nxt = flat[rows[live] * n + cur].astype(np.int64)
        going = nxt >= 0  # -9999: the root itself
        live, cur = live[going], nxt[going]
        steps_pair.append(live)
        steps_node.append(cur)
    pair = np.concatenate(steps_pair)
    node = np.concatenate(steps_node)
    order = np.argsort(pair, kind="stable")  # each pair's nodes in walking order
    bounds = np.searchsorted(pair[order], np.arange(len(rows) + 1))
    node = node[order]
    return [node[bounds[i] : bounds[i + 1]] for i in range(len(rows))]


def _entries_coordinates(
    graph: TravelGraph, tg: _TerminalGraph, entries: np.ndarray, coords: np.ndarray
) -> np.ndarray:
    """The road geometry along consecutive entries of a terminal graph, (k, 2) lon/lat
    (``coords``: the graph's geometry vertices, (lon, lat) rows)."""
    edge, start, end = tg.edge[entries], tg.start[entries], tg.end[entries]
    offsets = graph.edge_geom_offsets
    # each whole edge's vertices, without the one it shares with the previous entry
    skip = np.r_[0, np.ones(len(entries) - 1, dtype=np.int64)]
    partial = np.flatnonzero((start > 0) | (end < 1))  # at snap points: few per path
    pieces, done = [], 0
    for i in [*partial.tolist(), len(entries)]:
        if i > done:  # a run of whole edges
            pieces.append(
                coords[spans(offsets[edge[done:i]] + skip[done:i], offsets[edge[done:i] + 1])]
            )
        if i < len(entries):
            pieces.append(
                _edge_piece(graph, int(edge[i]), float(start[i]), float(end[i]))[skip[i] :]
            )
        done = i + 1
    return np.vstack(pieces)


def _edge_piece(graph: TravelGraph, edge: int, start: float, end: float) -> np.ndarray:
    """The part of an edge's geometry between two fractions of its length (for drawing: the
    lengths along it are taken in a local plane, equal to its metric ones within 0.1 %)."""
    idx = np.arange(graph.edge_geom_offsets[edge], graph.edge_geom_offsets[edge + 1])
    lon, lat = graph.geom_lon[idx], graph.geom_lat[idx]
    x = (lon - lon[0]) * np.cos(np.radians(lat.mean()))
    along = np.r_[0.0, np.cumsum(np.hypot(np.diff(x), np.diff(lat - lat[0])))]
    at = np.array([start, end]) * along[-1]
    ends = np.column_stack([np.interp(at, along, lon), np.interp(at, along, lat)])
    between = (along > at[0]) & (along < at[1])
    return np.vstack([ends[:1], np.column_stack([lon, lat])[between], ends[1:]])


# --------------------------------------------------------------------------- tables


def _node_ids(snaps: pd.DataFrame, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Node ids (int64) of the snapped facilities and a mask of those not routed."""
    return snaps["node_id"].to_numpy(dtype=np.int64, na_value=-1), ~ok


def _matrix_reasons(
    status: np.ndarray,
    o_snap: pd.DataFrame,
    d_snap: pd.DataFrame,
    mode: str,
    limit_s: float | None,
) -> np.ndarray:
    """Why each pair is not ok, for a matrix (origins outer, destinations inner)."""
    o_text, o_bad = _snap_reasons(o_snap, "origin")
    d_text, d_bad = _snap_reasons(d_snap, "destination")
    return _reasons(
        status, o_text[:, None], o_bad[:, None], d_text[None, :], d_bad[None, :], mode, limit_s
    )


def _pair_reasons(
    status: np.ndarray, o_snap: pd.DataFrame, d_snap: pd.DataFrame, mode: str
) -> np.ndarray:
    """Why each pair is not ok, for aligned origin and destination rows."""
    o_text, o_bad = _snap_reasons(o_snap, "origin")
    d_text, d_bad = _snap_reasons(d_snap, "destination")
    return _reasons(status, o_text, o_bad, d_text, d_bad, mode, None)


def _snap_reasons(snaps: pd.DataFrame, side: str) -> tuple[np.ndarray, np.ndarray]:
    bad = (snaps["status"] != "ok").to_numpy()
    text = np.where(bad, side + " " + snaps["facility_id"] + ": " + snaps["reason"], "")
    return text.astype(object), bad


def _reasons(
    status: np.ndarray,
    o_text: np.ndarray,
    o_bad: np.ndarray,
    d_text: np.ndarray,
    d_bad: np.ndarray,
    mode: str,
    limit_s: float | None,
) -> np.ndarray:
    glue = np.where(o_bad & d_bad, "; ", "").astype(object)
    reason = np.asarray(o_text + glue + d_text, dtype=object)
    reason = np.broadcast_to(reason, status.shape).copy()
    reason[status == "unreachable"] = (
        f"no {mode} road path between the snapped points"
        if limit_s is None
        else f"no {mode} road path within limit_s={limit_s:,.0f} s"
    )
    return reason


# --------------------------------------------------------------------------- cache files


def _save_matrix(value: tuple[np.ndarray, np.ndarray], folder: Path) -> None:
    np.save(folder / "time_s.npy", value[0], allow_pickle=False)
    np.save(folder / "distance_m.npy", value[1], allow_pickle=False)


def _load_matrix(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.load(folder / "time_s.npy", allow_pickle=False),
        np.load(folder / "distance_m.npy", allow_pickle=False),
    )


def _save_frame(frame: pd.DataFrame, folder: Path) -> None:
    arrays = {}
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.Int64Dtype):
            arrays[name] = column.to_numpy(dtype=np.int64, na_value=-1)
            arrays[f"{name}__na"] = column.isna().to_numpy()
        elif column.dtype.kind == "f":
            arrays[name] = column.to_numpy()
        else:  # text (object or string dtype): fixed-width unicode, loadable without pickle
            arrays[name] = column.astype(str).to_numpy(dtype=str)
    np.savez(folder / "frame.npz", **arrays)


def _load_frame(folder: Path) -> pd.DataFrame:
    with np.load(folder / "frame.npz", allow_pickle=False) as data:
        columns: dict[str, Any] = {}
        for name in data.files:
            if name.endswith("__na"):
                continue
            values = data[name]
            if f"{name}__na" in data.files:
                columns[name] = pd.arrays.IntegerArray(values, data[f"{name}__na"])
            elif values.dtype.kind == "U":
                columns[name] = values.astype(object)
            else:
                columns[name] = values
    return pd.DataFrame(columns)


def check_directions(directions: str) -> None:
    """Raise :class:`~planner.errors.PlannerInputError` unless ``directions`` is valid.

    Parameters
    ----------
    directions : str
        Which trips a pair makes: one of ``config.DIRECTIONS`` (``"both"``, ``"to_unit"``,
        ``"to_hospital"``).

    Raises
    ------
    PlannerInputError
        If ``directions`` is not one of them.

    Examples
    --------
    >>> from planner.travel.matrix import check_directions
    >>> check_directions("to_unit")
    >>> check_directions("there")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    planner.errors.PlannerInputError: field directions: unknown directions 'there'. Fix: ...
    """
    if directions not in DIRECTIONS:
        raise PlannerInputError(
            f"unknown directions {directions!r}",
            field="directions",
            hint=f"use one of {', '.join(DIRECTIONS)}",
        )


def pair_travel_times(
    graph: TravelGraph,
    hospitals: pd.DataFrame,
    units: pd.DataFrame,
    *,
    mode: str = "car",
    depart: str | dt.time | None = None,
    directions: str = "both",
    speeds: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the travel-time matrix a pairing needs: hospital -> unit and unit -> hospital.

    :func:`planner.pairing.propose.propose_pairings` and :func:`planner.pairing.scoring.score_pairings` take a
    pair's time as the mean of both trips by default (``directions="both"``); this computes
    exactly the rows they need with :func:`travel_time_matrix`, one call per direction.

    Parameters
    ----------
    graph
        The road graph.
    hospitals, units
        Facility tables (``facility_id``, ``lat``, ``lon``).
    mode
        ``car``, ``motorbike`` or ``ambulance``.
    depart
        Departure time ``"HH:MM"`` of both trips; ``None`` is the default (10:00).
    directions
        ``"both"`` (default), ``"to_unit"`` (hospital -> unit rows only) or ``"to_hospital"``
        (unit -> hospital rows only).
    speeds
        A speed table as for :func:`travel_time_matrix`; ``None`` uses ours.

    Returns
    -------
    pandas.DataFrame
        The long matrix of :func:`travel_time_matrix`: the hospital -> unit rows, then the
        unit -> hospital rows.

    Examples
    --------
    >>> import warnings
    >>> from planner.places.hanoi import hanoi_facilities
    >>> from planner.roads.network import hanoi_network
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # units placed at population centres
    ...     fac = hanoi_facilities(scheme="2024")
    >>> hospitals, units = fac[fac.level == "regional"], fac[fac.level != "regional"]
    >>> m = pair_travel_times(hanoi_network(), hospitals, units, depart="10:00")
    >>> len(m) == 2 * len(hospitals) * len(units)
    True
    """
    check_directions(directions)
    matrix = functools.partial(travel_time_matrix, graph, mode=mode, depart=depart, speeds=speeds)
    parts = []
    if directions in ("both", "to_unit"):
        parts.append(matrix(hospitals, units))
    if directions in ("both", "to_hospital"):
        parts.append(matrix(units, hospitals))
    return pd.concat(parts, ignore_index=True)
