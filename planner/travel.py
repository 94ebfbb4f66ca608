"""Snapping facilities to the road graph, travel-time matrices and routes.

Facilities snap to the nearest node (k-d tree in UTM 48N metres) of the largest strongly
connected component of the roads the mode may use, so every snapped pair is reachable both
ways unless a time limit says otherwise. Matrices run scipy's compiled Dijkstra from the
unique origin nodes, in batches, on a CSR matrix built once per (graph, mode, departure band);
the road distance of each pair is summed along the fastest path's predecessors, so it is the
length of exactly the path whose time is reported.

The snap leg (facility to its node, straight line) is added to the door-to-door time at the
mode's ``snap`` speed of the speed table (about 10 km/h: driving or walking through grounds
and alleys, where the straight line understates the real way).
"""

from __future__ import annotations

import datetime as dt
import logging
import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from pyproj import Transformer
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from shapely.geometry import LineString

from planner import network
from planner.config import CRS_LONLAT, CRS_METRIC, DEFAULT_MAX_SNAP_M
from planner.errors import PlannerInputError
from planner.network import TravelGraph
from planner.speeds import (
    congestion_factor,
    edge_travel_times,
    load_speed_table,
    snap_speed_kph,
    table_digest,
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

# Dijkstra batch size: sources x nodes cells held at once (float64 times + int32 predecessors).
_BATCH_CELLS = 8_000_000
_TO_METRIC = Transformer.from_crs(CRS_LONLAT, CRS_METRIC, always_xy=True)

# Per-graph memos that die with the graph: (mode, usable-edges digest) -> snapper,
# (mode, factor, speeds digest) -> router.
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


@dataclass(frozen=True, eq=False)
class _Router:
    matrix: sp.csr_matrix  # fastest time between adjacent nodes (parallel edges: minimum)
    keys: np.ndarray  # from * n + to of each stored entry, sorted
    length_m: np.ndarray  # length of the edge behind each entry
    edge: np.ndarray  # graph edge index behind each entry
    in_ptr: np.ndarray  # entries again, grouped by target node: in_ptr[v]:in_ptr[v+1] ...
    in_from: np.ndarray  # ... their source nodes ...
    in_length_m: np.ndarray  # ... and lengths, for stepping back along predecessors
    snap_mps: float  # snap-leg speed, m/s


def snap_facilities(
    graph: TravelGraph,
    facilities: pd.DataFrame,
    *,
    mode: str = "car",
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
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
    snapper = _snapper(graph, mode)
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
    o_snap = snap_facilities(graph, origins, mode=mode, max_snap_m=max_snap_m)
    d_snap = (
        o_snap if same else snap_facilities(graph, destinations, mode=mode, max_snap_m=max_snap_m)
    )
    router = _router(graph, mode, depart)
    limit = np.inf if limit_s is None else float(limit_s)

    o_ok = (o_snap["status"] == "ok").to_numpy()
    d_ok = (d_snap["status"] == "ok").to_numpy()
    o_node = o_snap["node"].to_numpy(dtype=np.int64, na_value=-1)
    d_node = d_snap["node"].to_numpy(dtype=np.int64, na_value=-1)
    sources, o_row = np.unique(o_node[o_ok], return_inverse=True)
    targets, d_col = np.unique(d_node[d_ok], return_inverse=True)
    time_s, dist_m = _node_matrix(graph, router, sources, targets, limit)

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
) -> Route:
    """Return the fastest road path between two points or facilities.

    Parameters
    ----------
    graph
        The road graph.
    origin, destination
        ``(lat, lon)`` tuples or facility rows (with ``lat`` and ``lon``).
    mode, depart, max_snap_m
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
    snaps = snap_facilities(graph, points, mode=mode, max_snap_m=max_snap_m)
    for row in snaps.itertuples():
        if row.status != "ok":
            raise PlannerInputError(
                f"the {row.facility_id} cannot be placed on the {mode} roads: {row.reason}",
                field=row.facility_id,
                hint="check the coordinates (lat, lon order) or raise max_snap_m",
            )
    router = _router(graph, mode, depart)
    src, dst = (int(v) for v in snaps["node"])
    time_s, pred = dijkstra(router.matrix, indices=src, return_predecessors=True)
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
        distance_m=float(router.length_m[entries].sum()),
        origin_snap_m=float(snap_m[0]),
        destination_snap_m=float(snap_m[1]),
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


def _snapper(graph: TravelGraph, mode: str) -> _Snapper:
    usable = np.isfinite(edge_travel_times(graph, mode=mode))
    memo = _SNAPPERS.setdefault(graph, {})
    key = (mode, hash(np.packbits(usable).tobytes()))
    if key not in memo:
        nodes = _largest_component(graph, usable, mode)
        x, y = _TO_METRIC.transform(graph.node_lon[nodes], graph.node_lat[nodes])
        memo[key] = _Snapper(nodes=nodes, tree=cKDTree(np.column_stack([x, y])))
    return memo[key]


def _largest_component(graph: TravelGraph, usable: np.ndarray, mode: str) -> np.ndarray:
    """Node indices of the largest strongly connected component of the usable edges."""
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
            "%d smaller pieces are not used for snapping",
            mode, sizes[largest], int(touched.sum()), n_other,
        )  # fmt: skip
    return np.flatnonzero(touched & (labels == largest))


def _router(graph: TravelGraph, mode: str, depart: str | dt.time | None) -> _Router:
    speeds = load_speed_table()
    memo = _ROUTERS.setdefault(graph, {})
    key = (mode, congestion_factor(depart, mode=mode), table_digest(speeds))
    if key not in memo:
        memo[key] = _build_router(graph, mode, depart)
    return memo[key]


def _build_router(graph: TravelGraph, mode: str, depart: str | dt.time | None) -> _Router:
    seconds = edge_travel_times(graph, mode=mode, depart=depart)
    n = graph.n_nodes
    in_component = np.zeros(n, dtype=bool)
    in_component[_snapper(graph, mode).nodes] = True
    keep = np.flatnonzero(
        np.isfinite(seconds)
        & in_component[graph.edge_from]
        & in_component[graph.edge_to]
        & (graph.edge_from != graph.edge_to)  # a loop never shortens a path
    )
    u = graph.edge_from[keep].astype(np.int64)
    v = graph.edge_to[keep].astype(np.int64)
    # parallel edges: keep the fastest (then shortest) one of each (from, to)
    order = np.lexsort((graph.edge_length_m[keep], seconds[keep], v, u))
    keys = u[order] * n + v[order]
    first = np.r_[True, keys[1:] != keys[:-1]]
    edge = keep[order][first]
    keys = keys[first]
    rows = graph.edge_from[edge]
    indptr = np.searchsorted(rows, np.arange(n + 1)).astype(np.int64)
    # explicit zeros (zero-length joins) are kept as edges by csgraph
    matrix = sp.csr_matrix((seconds[edge], graph.edge_to[edge], indptr), shape=(n, n))
    by_target = np.argsort(graph.edge_to[edge], kind="stable")
    return _Router(
        matrix=matrix,
        keys=keys,
        length_m=graph.edge_length_m[edge],
        edge=edge,
        in_ptr=np.searchsorted(graph.edge_to[edge][by_target], np.arange(n + 1)).astype(np.int64),
        in_from=rows[by_target].astype(np.int64),
        in_length_m=graph.edge_length_m[edge][by_target],
        snap_mps=snap_speed_kph(mode=mode) / 3.6,
    )


def _node_matrix(
    graph: TravelGraph, router: _Router, sources: np.ndarray, targets: np.ndarray, limit: float
) -> tuple[np.ndarray, np.ndarray]:
    """Fastest times and their road lengths between node sets, shape (sources, targets)."""
    time_s = np.full((len(sources), len(targets)), np.inf)
    dist_m = np.full((len(sources), len(targets)), np.nan)
    batch = max(1, _BATCH_CELLS // max(graph.n_nodes, 1))
    for start in range(0, len(sources), batch):
        src = sources[start : start + batch]
        times, pred = dijkstra(router.matrix, indices=src, return_predecessors=True, limit=limit)
        block = times[:, targets]
        time_s[start : start + len(src)] = block
        dist_m[start : start + len(src)] = _path_lengths(router, pred, src, targets, block)
    return time_s, dist_m


def _path_lengths(
    router: _Router, pred: np.ndarray, src: np.ndarray, targets: np.ndarray, block: np.ndarray
) -> np.ndarray:
    """Road length of each fastest path, summed edge by edge back along the predecessors.

    All (source, target) pairs step back together, one edge per step, so the Python loop
    runs as many times as the longest path has edges, each step a vector operation.
    """
    n = pred.shape[1]
    flat = pred.ravel()
    out = np.full(block.shape, np.nan)
    row, col = np.nonzero(np.isfinite(block))
    out[row, col] = 0.0
    cur = targets[col].astype(np.int64)
    live = cur != src[row]
    row, col, cur = row[live], col[live], cur[live]
    total = np.zeros(len(row))
    while len(row):
        prev = flat[row * n + cur].astype(np.int64)
        # the entry prev -> cur among cur's few incoming ones (faster than a global search)
        pos = router.in_ptr[cur]
        miss = np.flatnonzero(router.in_from[pos] != prev)
        while miss.size:
            pos[miss] += 1
            miss = miss[router.in_from[pos[miss]] != prev[miss]]
        total += router.in_length_m[pos]
        done = prev == src[row]
        out[row[done], col[done]] = total[done]
        keep = ~done
        row, col, cur, total = row[keep], col[keep], prev[keep], total[keep]
    return out


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
