"""Snapping facilities to the road graph, travel-time matrices and routes.

Facilities snap to the nearest node (k-d tree in UTM 48N metres) of the largest strongly
connected component of the roads the mode may use, so every snapped pair is reachable both
ways unless a time limit says otherwise. Matrices run scipy's compiled Dijkstra from the
unique origin nodes, in batches, on a CSR matrix built once per (graph, mode, departure band,
speed table). For more than a few origins the matrix is first reduced exactly for the snapped
nodes (dead-end trees peeled off, pass-through chains contracted; see ``planner._routing``),
cached per node set, and large origin sets are split over two threads. The road distance of
each pair is summed along the fastest path's predecessors, so it is the length of exactly the
path whose time is reported.

The snap leg (facility to its node, straight line) is added to the door-to-door time at the
mode's ``snap`` speed of the speed table (about 10 km/h: driving or walking through grounds
and alleys, where the straight line understates the real way).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import weakref
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from shapely.geometry import LineString

from planner import network
from planner._routing import RoutingGraph, many_to_many, reduce_graph, routing_graph
from planner.config import CRS_LONLAT, CRS_METRIC, DEFAULT_MAX_SNAP_M
from planner.errors import PlannerInputError
from planner.graph import TravelGraph
from planner.speeds import (
    edge_travel_times,
    load_speed_table,
    snap_speed_kph,
    time_profile_key,
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
SNAP_COLUMNS = ("facility_id", "node", "node_id", "snap_distance_m", "status", "reason")

# Up to this many origins search the whole graph: reducing it (about 0.5 s on Hanoi) costs
# more than it saves. Beyond, or once reduced for the same nodes, the reduced graph is used.
_WHOLE_GRAPH_SOURCES = 16
# Reduced graphs kept per router (one per set of snapped nodes), most recent last.
_REDUCED_KEPT = 4
_TO_METRIC = Transformer.from_crs(CRS_LONLAT, CRS_METRIC, always_xy=True)

# Per-graph memos that die with the graph: (mode, usable-edges digest) -> snapper,
# speeds.time_profile_key -> router.
_SNAPPERS: weakref.WeakKeyDictionary[TravelGraph, dict[tuple, _Snapper]] = (
    weakref.WeakKeyDictionary()
)
_ROUTERS: weakref.WeakKeyDictionary[TravelGraph, dict[tuple, _Router]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Route:
    """The fastest road path between two points, for maps and checks.

    Attributes
    ----------
    geometry
        The path as a WGS 84 ``LineString`` through the edge geometries, in order.
    node_ids
        Graph ``node_id`` of each node on the path, origin first.
    network_time_s, distance_m
        Time and length on the roads, from the origin node to the destination node.
    travel_time_s
        Door-to-door time: the network time plus both snap legs.
    origin_snap_m, destination_snap_m
        Straight-line snap legs from the points to their nodes.
    """

    geometry: LineString
    node_ids: tuple[int, ...]
    network_time_s: float
    travel_time_s: float
    distance_m: float
    origin_snap_m: float
    destination_snap_m: float


@dataclass(frozen=True, eq=False)
class _Snapper:
    nodes: np.ndarray  # node indices of the largest strongly connected component
    tree: cKDTree  # on their UTM coordinates
    labels: np.ndarray  # strongly connected component of every node
    other_nodes: np.ndarray  # nodes of the smaller components (usable roads only)
    other_tree: cKDTree | None  # on their UTM coordinates


@dataclass(frozen=True, eq=False)
class _Router:
    graph: RoutingGraph  # the mode's usable roads, fastest of parallel edges
    keys: np.ndarray  # from * n + to of each stored entry, sorted
    edge: np.ndarray  # graph edge index behind each entry
    snap_mps: float  # snap-leg speed, m/s
    # digest of a terminal node set -> (reduced graph, node index into it)
    reduced: dict[str, tuple[RoutingGraph, np.ndarray]] = field(default_factory=dict)


def snap_facilities(
    graph: TravelGraph,
    facilities: pd.DataFrame,
    *,
    mode: str = "car",
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    speeds: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Snap each facility to the nearest node the mode can both leave and reach.

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
        Facilities farther than this from their node are flagged ``not_snapped``.
    speeds
        Speed table from :func:`planner.speeds.load_speed_table` (its ``usable`` column
        decides the roads); ``None`` uses ours.

    Returns
    -------
    pandas.DataFrame
        One row per facility, in input order: ``facility_id``, ``node`` (node index),
        ``node_id``, ``snap_distance_m``, ``status`` (``ok`` or ``not_snapped``), ``reason``.
        Flagged facilities keep their nearest node and distance for inspection; none is dropped.

    Examples
    --------
    >>> import pandas as pd
    >>> from planner.network import hanoi_network
    >>> from planner.travel import snap_facilities
    >>> xanh_pon = pd.DataFrame({"facility_id": ["xp"], "lat": [21.03126], "lon": [105.83518]})
    >>> snap_facilities(hanoi_network(), xanh_pon)["status"].tolist()
    ['ok']
    """
    ids, lat, lon = _facility_columns(facilities)
    snapper = _snapper(graph, mode, speeds)
    x, y = _TO_METRIC.transform(lon, lat)
    located = np.isfinite(x) & np.isfinite(y)
    dist = np.full(len(ids), np.nan)
    node = np.full(len(ids), -1, dtype=np.int64)
    if located.any():
        d, k = snapper.tree.query(np.column_stack([x[located], y[located]]))
        dist[located] = d
        node[located] = snapper.nodes[k]
    far = located & (dist > max_snap_m)
    reason = np.full(len(ids), "", dtype=object)
    shared = _snap_to_shared_pieces(snapper, x, y, far, max_snap_m)
    for i, (k, d) in shared.items():
        node[i], dist[i], far[i] = k, d, False
        reason[i] = (
            f"on a separate {mode} road piece shared with other facilities of this request; "
            "reachable only from them"
        )
    reason[~located] = "no valid coordinates"
    reason[far] = [
        f"nearest {mode} road node is {d:,.0f} m away (more than max_snap_m={max_snap_m:,.0f})"
        for d in dist[far]
    ]
    status = np.where(located & ~far, "ok", "not_snapped")
    if (status != "ok").any():
        bad = [str(i) for i in ids[status != "ok"]]
        log.warning(
            "%d of %d facilities not snapped to the %s network: %s%s",
            len(bad), len(ids), mode, ", ".join(bad[:5]), " ..." if len(bad) > 5 else "",
        )  # fmt: skip
    return pd.DataFrame(
        {
            "facility_id": ids,
            "node": pd.array(np.where(node >= 0, node, None), dtype="Int64"),
            "node_id": pd.array(
                np.where(node >= 0, graph.node_id[np.maximum(node, 0)], None), dtype="Int64"
            ),
            "snap_distance_m": dist,
            "status": status,
            "reason": reason,
        }
    )


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
) -> pd.DataFrame:
    """Return door-to-door travel times and road distances between facilities (long table).

    Parameters
    ----------
    graph
        The road graph.
    origins, destinations
        Facility tables (``facility_id``, ``lat``, ``lon``); ``destinations=None`` means
        the origins themselves (all pairs).
    mode
        ``car``, ``motorbike`` or ``ambulance``.
    depart
        Departure time ``"HH:MM"`` (selects the congestion band); ``None`` is the default.
    max_snap_m
        Facilities farther than this from the mode's roads are ``not_snapped``.
    limit_s
        Stop searching beyond this network time; farther pairs are ``unreachable``.
    speeds
        Speed table from :func:`planner.speeds.load_speed_table` (e.g. a user's own file);
        ``None`` uses ours.

    Returns
    -------
    pandas.DataFrame
        One row per (origin, destination), origins outer and destinations inner, in input
        order, with columns ``MATRIX_COLUMNS``: node ids of the snapped nodes,
        ``network_time_s`` (node to node), ``travel_time_s`` (plus both snap legs),
        ``distance_m`` (road length of that fastest path, snap legs excluded: they are in
        ``origin_snap_m``/``destination_snap_m``), ``status`` (``ok``, ``unreachable``,
        ``not_snapped``) and ``reason``. Times and distances are NaN unless ``ok``.

    Examples
    --------
    >>> import pandas as pd
    >>> from planner.network import hanoi_network
    >>> from planner.travel import travel_time_matrix
    >>> sites = pd.DataFrame({"facility_id": ["xanh-pon", "ba-vi"],
    ...                       "lat": [21.03126, 21.2164], "lon": [105.83518, 105.4100]})
    >>> m = travel_time_matrix(hanoi_network(), sites, mode="car", depart="10:00")
    >>> m.loc[1, ["origin_id", "destination_id", "status"]].tolist()
    ['xanh-pon', 'ba-vi', 'ok']
    """
    same = destinations is None
    snap = {"mode": mode, "max_snap_m": max_snap_m, "speeds": speeds}
    if same:
        o_snap = d_snap = snap_facilities(graph, origins, **snap)
    else:
        o_snap, d_snap = _snap_together(graph, origins, destinations, **snap)
    router = _router(graph, mode, depart, speeds)
    limit = np.inf if limit_s is None else float(limit_s)

    o_ok = (o_snap["status"] == "ok").to_numpy()
    d_ok = (d_snap["status"] == "ok").to_numpy()
    o_node = o_snap["node"].to_numpy(dtype=np.int64, na_value=-1)
    d_node = d_snap["node"].to_numpy(dtype=np.int64, na_value=-1)
    sources, o_row = np.unique(o_node[o_ok], return_inverse=True)
    targets, d_col = np.unique(d_node[d_ok], return_inverse=True)
    time_s, dist_m = _node_matrix(router, sources, targets, limit)

    n_o, n_d = len(o_snap), len(d_snap)
    net_t = np.full((n_o, n_d), np.nan)
    net_d = np.full((n_o, n_d), np.nan)
    sub = np.ix_(np.flatnonzero(o_ok), np.flatnonzero(d_ok))
    net_t[sub] = time_s[np.ix_(o_row, d_col)]
    net_d[sub] = dist_m[np.ix_(o_row, d_col)]
    o_m = o_snap["snap_distance_m"].to_numpy()
    d_m = d_snap["snap_distance_m"].to_numpy()
    door = net_t + (o_m[:, None] + d_m[None, :]) / router.snap_mps
    if same:  # a facility to itself is no trip at all
        np.fill_diagonal(door, np.where(o_ok, 0.0, np.nan))

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
    graph
        The road graph.
    origin, destination
        ``(lat, lon)`` tuples or facility rows (with ``lat`` and ``lon``).
    mode, depart, max_snap_m, speeds
        As for :func:`travel_time_matrix`.

    Raises
    ------
    PlannerInputError
        If either point is farther than ``max_snap_m`` from the mode's roads, or has no
        road path to the other.

    Examples
    --------
    >>> from planner.network import hanoi_network
    >>> from planner.travel import route
    >>> r = route(hanoi_network(), (21.03126, 105.83518), (21.2164, 105.4100), depart="10:00")
    >>> 3600 <= r.travel_time_s <= 7200
    True
    """
    points = pd.DataFrame(
        [_lat_lon(origin, "origin"), _lat_lon(destination, "destination")],
        columns=["lat", "lon"],
    ).assign(facility_id=["origin", "destination"])
    snaps = snap_facilities(graph, points, mode=mode, max_snap_m=max_snap_m, speeds=speeds)
    for row in snaps.itertuples():
        if row.status != "ok":
            raise PlannerInputError(
                f"the {row.facility_id} cannot be placed on the {mode} roads: {row.reason}",
                field=row.facility_id,
                hint="check the coordinates (lat, lon order) or raise max_snap_m",
            )
    router = _router(graph, mode, depart, speeds)
    src, dst = (int(v) for v in snaps["node"])
    time_s, pred = dijkstra(router.graph.matrix, indices=src, return_predecessors=True)
    if not np.isfinite(time_s[dst]):
        raise PlannerInputError(
            f"no {mode} road path from the origin to the destination",
            field="destination",
            hint="try another mode (motorbikes use more roads)",
        )
    path = [dst]
    while path[-1] != src:
        path.append(int(pred[path[-1]]))
    nodes = np.asarray(path[::-1], dtype=np.int64)
    entries = np.searchsorted(router.keys, nodes[:-1] * graph.n_nodes + nodes[1:])
    edges = router.edge[entries]
    lon, lat = _path_coordinates(graph, edges, nodes)
    snap_m = snaps["snap_distance_m"].to_numpy()
    return Route(
        geometry=LineString(np.column_stack([lon, lat])),
        node_ids=tuple(int(i) for i in graph.node_id[nodes]),
        network_time_s=float(time_s[dst]),
        travel_time_s=float(time_s[dst] + snap_m.sum() / router.snap_mps),
        distance_m=float(router.graph.length_m[entries].sum()),
        origin_snap_m=float(snap_m[0]),
        destination_snap_m=float(snap_m[1]),
    )


def _snap_together(
    graph: TravelGraph, origins: pd.DataFrame, destinations: pd.DataFrame, **snap: Any
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Snap origins and destinations in one call, so that facilities sharing a separate road
    piece see each other; return each side's snap table in its own order."""
    o_ids, o_lat, o_lon = _facility_columns(origins)
    d_ids, d_lat, d_lon = _facility_columns(destinations)
    points = pd.DataFrame(
        {
            "facility_id": np.concatenate([o_ids, d_ids]),
            "lat": np.concatenate([o_lat, d_lat]),
            "lon": np.concatenate([o_lon, d_lon]),
        }
    ).drop_duplicates("facility_id")
    snaps = snap_facilities(graph, points, **snap).set_index("facility_id", drop=False)
    return (
        snaps.loc[o_ids].reset_index(drop=True),
        snaps.loc[d_ids].reset_index(drop=True),
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
    two of them share (an island, a gated campus): {facility index: (node, distance m)}."""
    if not far.any() or snapper.other_tree is None:
        return {}
    idx = np.flatnonzero(far)
    d, k = snapper.other_tree.query(np.column_stack([x[idx], y[idx]]))
    near = d <= max_snap_m
    nodes = snapper.other_nodes[k]
    pieces, counts = np.unique(snapper.labels[nodes[near]], return_counts=True)
    shared = set(pieces[counts >= 2].tolist())
    return {
        int(i): (int(n), float(dd))
        for i, n, dd, ok in zip(idx, nodes, d, near, strict=True)
        if ok and int(snapper.labels[n]) in shared
    }


def _snapper(graph: TravelGraph, mode: str, speeds: pd.DataFrame | None) -> _Snapper:
    usable = np.isfinite(edge_travel_times(graph, mode=mode, speeds=speeds))
    memo = _SNAPPERS.setdefault(graph, {})
    key = (mode, hash(np.packbits(usable).tobytes()))
    if key not in memo:
        nodes, other, labels = _components(graph, usable, mode)
        x, y = _TO_METRIC.transform(graph.node_lon[nodes], graph.node_lat[nodes])
        ox_, oy = _TO_METRIC.transform(graph.node_lon[other], graph.node_lat[other])
        memo[key] = _Snapper(
            nodes=nodes,
            tree=cKDTree(np.column_stack([x, y])),
            labels=labels,
            other_nodes=other,
            other_tree=cKDTree(np.column_stack([ox_, oy])) if len(other) else None,
        )
    return memo[key]


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


def _router(
    graph: TravelGraph, mode: str, depart: str | dt.time | None, speeds: pd.DataFrame | None
) -> _Router:
    table = load_speed_table() if speeds is None else speeds
    memo = _ROUTERS.setdefault(graph, {})
    key = time_profile_key(mode, depart, speeds=table)
    if key not in memo:
        memo[key] = _build_router(graph, mode, depart, table)
    return memo[key]


def _build_router(
    graph: TravelGraph, mode: str, depart: str | dt.time | None, speeds: pd.DataFrame
) -> _Router:
    seconds = edge_travel_times(graph, mode=mode, depart=depart, speeds=speeds)
    n = graph.n_nodes
    # Every usable road: facilities on a smaller shared piece route within it.
    keep = np.flatnonzero(np.isfinite(seconds))
    u, v = graph.edge_from[keep], graph.edge_to[keep]
    routing, picked = routing_graph(n, u, v, seconds[keep], graph.edge_length_m[keep])
    return _Router(
        graph=routing,
        keys=u[picked].astype(np.int64) * n + v[picked],
        edge=keep[picked],
        snap_mps=snap_speed_kph(mode=mode, speeds=speeds) / 3.6,
    )


def _node_matrix(
    router: _Router, sources: np.ndarray, targets: np.ndarray, limit: float
) -> tuple[np.ndarray, np.ndarray]:
    """Fastest times and their road lengths between node sets, shape (sources, targets)."""
    terminals = np.union1d(sources, targets)
    digest = hashlib.blake2b(terminals.tobytes(), digest_size=16).hexdigest()
    if digest not in router.reduced and len(sources) <= _WHOLE_GRAPH_SOURCES:
        return many_to_many(router.graph, sources, targets, limit_s=limit)
    if digest not in router.reduced:
        router.reduced[digest] = reduce_graph(router.graph, terminals)
        log.debug(
            "reduced the routing graph for %d nodes: %d of %d nodes left",
            len(terminals), router.reduced[digest][0].n_nodes, router.graph.n_nodes,
        )  # fmt: skip
        while len(router.reduced) > _REDUCED_KEPT:
            router.reduced.pop(next(iter(router.reduced)))
    reduced, index = router.reduced[digest]
    return many_to_many(reduced, index[sources], index[targets], limit_s=limit)


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
    o_bad = (o_snap["status"] != "ok").to_numpy()
    d_bad = (d_snap["status"] != "ok").to_numpy()
    o_text = np.where(o_bad, "origin " + o_snap["facility_id"] + ": " + o_snap["reason"], "")
    d_text = np.where(d_bad, "destination " + d_snap["facility_id"] + ": " + d_snap["reason"], "")
    glue = np.where(o_bad[:, None] & d_bad[None, :], "; ", "")
    reason = o_text.astype(object)[:, None] + glue.astype(object) + d_text.astype(object)[None, :]
    unreachable = status == "unreachable"
    reason[unreachable] = (
        f"no {mode} road path between the snapped nodes"
        if limit_s is None
        else f"no {mode} road path within limit_s={limit_s:,.0f} s"
    )
    return reason


def _path_coordinates(
    graph: TravelGraph, edges: np.ndarray, nodes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    if len(edges) == 0:  # origin and destination share a node: a degenerate two-point line
        lon, lat = graph.node_lon[nodes[[0, 0]]], graph.node_lat[nodes[[0, 0]]]
        return lon, lat
    pieces = [
        np.arange(graph.edge_geom_offsets[e], graph.edge_geom_offsets[e + 1])[(i > 0) :]
        for i, e in enumerate(edges)
    ]  # each edge's polyline without the node it shares with the previous edge
    take = np.concatenate(pieces)
    return graph.geom_lon[take], graph.geom_lat[take]
