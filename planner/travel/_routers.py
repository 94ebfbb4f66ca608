"""The routing memo: per graph and time profile a router, and its graphs for terminal sets.

A router holds the CSR graph of a mode's usable roads at one time profile
(:func:`planner.roads.speeds.time_profile_key`), built once and kept as long as the graph.
A request's snap points (its terminals, deduplicated) are inserted into their edges as nodes of
their own; the resulting terminal graph, with its reductions and reversed graphs, is memoised per
terminal set (the few most recent), so matrices and routes on the same points share it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import weakref
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner.roads.graph import TravelGraph
from planner.roads.speeds.edges import edge_travel_times, snap_speed_kph, time_profile_key
from planner.roads.speeds.tables import load_speed_table
from planner.travel._routing import (
    RoutingGraph,
    csr_graph,
    routing_graph,
)
from planner.travel._snapping import twins

# Graphs for terminal sets kept per router (with their reductions), most recent last.
_TERMINAL_GRAPHS_KEPT = 4
# Per-graph memo that dies with the graph: times key (speeds.time_profile_key) -> router.
_ROUTERS: weakref.WeakKeyDictionary[TravelGraph, dict[tuple, Router]] = weakref.WeakKeyDictionary()


@dataclass(eq=False)
class TerminalGraph:
    """The routing graph with a set of snap points inserted into their edges as nodes."""

    graph: RoutingGraph
    edge: np.ndarray  # per entry: the graph edge it runs along
    start: np.ndarray  # per entry: the fractions of that edge it spans
    end: np.ndarray
    reverse: RoutingGraph | None = None
    reduced: tuple[RoutingGraph, np.ndarray] | None = None
    reduced_reverse: RoutingGraph | None = None


@dataclass(frozen=True, eq=False)
class Router:
    graph: RoutingGraph  # the mode's usable roads, fastest of parallel edges
    edge: np.ndarray  # graph edge behind each entry
    seconds: np.ndarray  # travel time of every graph edge (inf where unusable)
    snap_mps: float  # snap-leg speed, m/s
    # digest of a terminal set -> the graph with its snap points (and its reductions)
    terminals: dict[str, TerminalGraph] = field(default_factory=dict)


@dataclass(frozen=True)
class Terminals:
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


def times_key(mode: str, depart: str | dt.time | None, table: pd.DataFrame) -> tuple:
    """What the edge times of a (mode, departure, speed table) depend on
    (:func:`planner.roads.speeds.time_profile_key`): routers and cached matrices are shared by every
    departure with the same per-edge times."""
    return time_profile_key(mode, depart, speeds=table)


def router_for(
    graph: TravelGraph, mode: str, depart: str | dt.time | None, speeds: pd.DataFrame | None
) -> Router:
    table = load_speed_table() if speeds is None else speeds
    memo = _ROUTERS.setdefault(graph, {})
    key = times_key(mode, depart, table)
    if key not in memo:
        memo[key] = _build_router(graph, mode, depart, table)
    return memo[key]


def _build_router(
    graph: TravelGraph, mode: str, depart: str | dt.time | None, speeds: pd.DataFrame
) -> Router:
    seconds = edge_travel_times(graph, mode=mode, depart=depart, speeds=speeds)
    # Every usable road: facilities on a smaller shared piece route within it.
    keep = np.flatnonzero(np.isfinite(seconds))
    u, v = graph.edge_from[keep], graph.edge_to[keep]
    routing, picked = routing_graph(graph.n_nodes, u, v, seconds[keep], graph.edge_length_m[keep])
    return Router(
        graph=routing,
        edge=keep[picked],
        seconds=seconds,
        snap_mps=snap_speed_kph(mode=mode, speeds=speeds) / 3.6,
    )


def terminals_of(snaps: pd.DataFrame) -> tuple[Terminals, np.ndarray]:
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
        return Terminals(empty, empty, np.zeros(0)), empty
    unique, inverse = np.unique(rows, axis=0, return_inverse=True)
    terms = Terminals(unique[:, 0].copy(), unique[:, 1].copy(), unique[:, 2].view(float).copy())
    return terms, inverse.ravel()


def merge_terminals(a: Terminals, b: Terminals) -> Terminals:
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
    return Terminals(rows[:, 0].copy(), rows[:, 1].copy(), rows[:, 2].view(float).copy())


def terminal_index(graph: TravelGraph, everything: Terminals, some: Terminals) -> np.ndarray:
    """Node of each terminal of ``some`` in the graph with ``everything``'s snap points: graph
    nodes keep their index, snap points inside edges follow, in ``everything``'s order."""
    ref = np.column_stack([everything.node, everything.edge, everything.fraction.view(np.int64)])
    ask = np.column_stack([some.node, some.edge, some.fraction.view(np.int64)])
    _, inverse = np.unique(np.vstack([ref, ask]), axis=0, return_inverse=True)
    # ref is sorted and unique, so a row's rank is its position; snap points (node -1) sort
    # first, so their position is also their rank among the snap points
    position = inverse.ravel()[len(ref) :]
    return np.where(some.node >= 0, some.node, graph.n_nodes + position).astype(np.int64)


def terminal_graph(router: Router, graph: TravelGraph, terms: Terminals) -> TerminalGraph:
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
    memo[digest] = TerminalGraph(rg, edge[picked], start[picked], end[picked])
    while len(memo) > _TERMINAL_GRAPHS_KEPT:
        memo.pop(next(iter(memo)))
    return memo[digest]


def _split_entries(
    router: Router, graph: TravelGraph, terms: Terminals, inside: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Entries joining snap points to their edges' ends and to each other along an edge:
    (from, to, graph edge, start fraction, end fraction)."""
    n = graph.n_nodes
    point = n + np.arange(len(inside))
    edge, fraction = terms.edge[inside], terms.fraction[inside]
    twin = twins(graph)[edge]
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
