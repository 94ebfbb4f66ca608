"""The snapper: the index of a mode's roads, and the snap tables of facilities.

Per (graph, mode, usable roads) an STRtree indexes the roads in the metric CRS of the graph's
area, the main strongly connected component apart from the smaller pieces; it lives as long as
the graph. A point snaps to the nearest point of the nearest main road (or of a smaller piece it
shares with another facility of the request) within ``max_snap_m``; a point closer than 1 cm to
an end of its edge is that node. On large graphs the snap tables are kept in the disk cache
(:mod:`planner.travel._store`). Also here: reading the facility columns, and each two-way
road's opposite edge (:func:`twins`), which the terminal graphs need too.
"""

from __future__ import annotations

import functools
import logging
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from planner.config import CRS_LONLAT, metric_crs
from planner.errors import PlannerInputError
from planner.roads import network
from planner.roads.graph import TravelGraph
from planner.roads.speeds.edges import edge_travel_times, ferry_edges
from planner.roads.speeds.tables import load_speed_table
from planner.travel._routing import (
    progress,
    spans,
)
from planner.travel._store import (
    cached_snaps,
    kept_on_disk,
    usable_digest,
)

log = logging.getLogger(__name__)


# A snap point closer than this to an end of its edge is that node.
_AT_NODE_M = 0.01
# Per-graph memos that die with the graph: (mode, usable-edges digest) -> snapper; below,
# each edge's twin and the transformers to the graph's metric CRS.
_SNAPPERS: weakref.WeakKeyDictionary[TravelGraph, dict[tuple, _Snapper]] = (
    weakref.WeakKeyDictionary()
)


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


def snap_together(
    graph: TravelGraph,
    origins: pd.DataFrame,
    destinations: pd.DataFrame,
    **snap: Any,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Snap origins and destinations in one call, so that facilities sharing a separate road
    piece see each other; return each side's snap table in its own order.

    A ``facility_id`` on both sides is one facility: it must be at one place.
    """
    o_ids, o_lat, o_lon = facility_columns(origins)
    d_ids, d_lat, d_lon = facility_columns(destinations)
    _check_same_places(o_ids, o_lat, o_lon, d_ids, d_lat, d_lon)
    ids = np.concatenate([o_ids, d_ids])
    first = ~pd.Index(ids).duplicated()
    lat, lon = np.concatenate([o_lat, d_lat])[first], np.concatenate([o_lon, d_lon])[first]
    snaps = snap_table(graph, ids[first], lat, lon, **snap)
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


def snap_table(
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
    if cache and kept_on_disk(graph) and len(ids):
        snaps = cached_snaps(
            graph, build, mode=mode, table=table, max_snap_m=max_snap_m, ids=ids, lat=lat, lon=lon
        )
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


def facility_columns(facilities: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


def lat_lon(point: tuple[float, float] | pd.Series, name: str) -> tuple[float, float]:
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
    key = (mode, usable_digest(graph, mode, table))
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
        twin = twins(graph)
        ids = np.arange(graph.n_edges)
        # one line per road: a two-way road's second direction is its twin's reversed line
        first = (twin < 0) | (ids < twin) | ~usable[np.maximum(twin, 0)]
        main = np.flatnonzero(snappable & first & in_main[u] & in_main[v])
        other = np.flatnonzero(snappable & first & ~in_main[u] & (labels[u] == labels[v]))
        edges = np.concatenate([main, other])
        to_metric, to_lonlat = _metric_transformers(graph)
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


def _metric_transformers(graph: TravelGraph) -> tuple[Transformer, Transformer]:
    """Transformers to and from the metric CRS of the graph's own area (its UTM zone)."""
    if graph not in _METRIC:
        crs = metric_crs(graph.node_lon, graph.node_lat)
        _METRIC[graph] = (
            Transformer.from_crs(CRS_LONLAT, crs, always_xy=True),
            Transformer.from_crs(crs, CRS_LONLAT, always_xy=True),
        )
    return _METRIC[graph]


def twins(graph: TravelGraph) -> np.ndarray:
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
