"""Travel-time matrices: door-to-door times and road distances between facilities.

Both sides are snapped to the roads (:mod:`planner.travel.snap`); a pair's time is the snap leg
from the origin, the fastest road path between the snap points, and the snap leg to the
destination. From a snap point the trip follows its edge to an end, at the edge's speed for the
part driven; on a two-way road either way, on a one-way road only forward.

Matrices run scipy's compiled Dijkstra on a CSR matrix built once per (graph, mode, departure
band, speed table), with each snap point inserted into its edge as a node of its own
(:mod:`planner.travel._routers`). A few origins or destinations search the whole graph from the
smaller side (the reversed graph when destinations are fewer); many of both first reduce the
graph exactly for the snap points (see :mod:`planner.travel._routing`) and search the small core
that is left, on two threads. The road distance of each pair is summed along the fastest path's
predecessors, so it is the length of exactly the path whose time is reported. On large graphs the
matrices are kept in the disk cache (:mod:`planner.travel._store`).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from planner.config import DEFAULT_MAX_SNAP_M
from planner.requests import DIRECTIONS, check_choice
from planner.roads.graph import TravelGraph
from planner.roads.speeds.edges import snap_speed_kph
from planner.roads.speeds.tables import load_speed_table
from planner.travel._reasons import matrix_reasons
from planner.travel._routers import (
    TerminalGraph,
    Terminals,
    merge_terminals,
    router_for,
    terminal_graph,
    terminal_index,
    terminals_of,
    times_key,
)
from planner.travel._routing import (
    many_to_many,
    reduce_graph,
    reverse_graph,
)
from planner.travel._snapping import facility_columns, snap_table, snap_together
from planner.travel._store import (
    cached_matrix,
    kept_on_disk,
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
# Up to this many facilities on the smaller side search the whole graph: reducing it (about
# 1.5 s on Hanoi) costs more than it saves. Beyond, or once reduced for the same points, the
# reduced graph is used.
_WHOLE_GRAPH_SOURCES = 16


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
    >>> from planner.config import data_file
    >>> from planner.roads.network import load_network
    >>> from planner.travel.matrix import travel_time_matrix
    >>> graph = load_network(data_file("fixtures/van_mieu_osm.osm"))  # the streets by Văn Miếu
    >>> sites = pd.DataFrame({"facility_id": ["xanh-pon", "cat-linh"],
    ...                       "lat": [21.03126, 21.0290], "lon": [105.83518, 105.8283]})
    >>> m = travel_time_matrix(graph, sites, mode="car", depart="10:00")
    >>> m.loc[1, ["origin_id", "destination_id", "status"]].tolist()
    ['xanh-pon', 'cat-linh', 'ok']
    >>> m["travel_time_s"].round().tolist()  # seconds; a facility to itself is no trip
    [0.0, 233.0, 234.0, 0.0]
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
    >>> from planner.config import data_file
    >>> from planner.roads.network import load_network
    >>> graph = load_network(data_file("fixtures/van_mieu_osm.osm"))  # the streets by Văn Miếu
    >>> sites = pd.DataFrame({"facility_id": ["xanh-pon", "cat-linh"],
    ...                       "lat": [21.03126, 21.0290], "lon": [105.83518, 105.8283]})
    >>> by_hour = travel_time_matrices(graph, sites, departs=["07:00", "10:00"])
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
        key = times_key(mode, depart, table)
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
    >>> import pandas as pd
    >>> from planner.config import data_file
    >>> from planner.roads.network import load_network
    >>> graph = load_network(data_file("fixtures/van_mieu_osm.osm"))  # the streets by Văn Miếu
    >>> hospital = pd.DataFrame({"facility_id": ["xanh-pon"], "lat": [21.03126], "lon": [105.83518]})
    >>> units = pd.DataFrame({"facility_id": ["cat-linh", "van-mieu"],
    ...                       "lat": [21.0290, 21.0255], "lon": [105.8283, 105.8320]})
    >>> m = pair_travel_times(graph, hospital, units, depart="10:00")
    >>> m[["origin_id", "destination_id"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['xanh-pon', 'cat-linh'], ['xanh-pon', 'van-mieu'],
     ['cat-linh', 'xanh-pon'], ['van-mieu', 'xanh-pon']]
    """
    check_choice("directions", directions, DIRECTIONS)
    matrix = functools.partial(travel_time_matrix, graph, mode=mode, depart=depart, speeds=speeds)
    parts = []
    if directions in ("both", "to_unit"):
        parts.append(matrix(hospitals, units))
    if directions in ("both", "to_hospital"):
        parts.append(matrix(units, hospitals))
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True, eq=False)
class _Request:
    """The snapped sides of a matrix request and their distinct terminals."""

    o_snap: pd.DataFrame
    d_snap: pd.DataFrame
    same: bool  # destinations are the origins (all pairs)
    o_ok: np.ndarray
    d_ok: np.ndarray
    sources: Terminals
    targets: Terminals
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
        ids, lat, lon = facility_columns(origins)
        o_snap = d_snap = snap_table(graph, ids, lat, lon, **snap)
    else:
        o_snap, d_snap = snap_together(graph, origins, destinations, **snap)
    o_ok = (o_snap["status"] == "ok").to_numpy()
    d_ok = (d_snap["status"] == "ok").to_numpy()
    sources, o_row = terminals_of(o_snap[o_ok])
    targets, d_col = terminals_of(d_snap[d_ok])
    return _Request(o_snap, d_snap, same, o_ok, d_ok, sources, targets, o_row, d_col)


def _door_times(
    request: _Request, time_s: np.ndarray, *, mode: str, table: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Network and door-to-door times, origins x destinations, and which pairs are reached
    (both snapped, a route found): the one computation behind the long matrix and the arrays."""
    o_ok, d_ok = request.o_ok, request.d_ok
    net_t = np.full((len(request.o_snap), len(request.d_snap)), np.nan)
    net_t[np.ix_(np.flatnonzero(o_ok), np.flatnonzero(d_ok))] = time_s[
        np.ix_(request.o_row, request.d_col)
    ]
    o_m = request.o_snap["snap_distance_m"].to_numpy()
    d_m = request.d_snap["snap_distance_m"].to_numpy()
    snap_mps = snap_speed_kph(mode=mode, speeds=table) / 3.6
    door = net_t + (o_m[:, None] + d_m[None, :]) / snap_mps
    if request.same:  # a facility to itself is no trip at all
        np.fill_diagonal(door, np.where(o_ok, 0.0, np.nan))
        np.fill_diagonal(net_t, np.where(o_ok, 0.0, np.nan))
    reached = o_ok[:, None] & d_ok[None, :] & np.isfinite(net_t)
    return net_t, door, reached


def travel_time_arrays(
    graph: TravelGraph,
    origins: pd.DataFrame,
    destinations: pd.DataFrame,
    *,
    departs: Iterable[str | dt.time | None],
    mode: str = "car",
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    speeds: pd.DataFrame | None = None,
    cache: bool = True,
) -> dict[str | dt.time | None, tuple[np.ndarray, np.ndarray]]:
    """Door-to-door times as arrays, per departure: what :func:`travel_time_matrices`'
    ``travel_time_s`` holds, without building its long frame (for the population cells'
    thousands of points, where the frame's text columns cost more than the routing).

    Parameters
    ----------
    graph, origins, destinations, departs, mode, max_snap_m, speeds, cache
        As for :func:`travel_time_matrices`.

    Returns
    -------
    dict
        Each departure -> ``(times, destination_snap_m)``: times in seconds, shape
        (origins, destinations), NaN where not reached; each destination's snap distance (m).

    Examples
    --------
    >>> import pandas as pd
    >>> from planner.config import data_file
    >>> from planner.roads.network import load_network
    >>> graph = load_network(data_file("fixtures/van_mieu_osm.osm"))  # the streets by Văn Miếu
    >>> sites = pd.DataFrame({"facility_id": ["xanh-pon", "cat-linh"],
    ...                       "lat": [21.03126, 21.0290], "lon": [105.83518, 105.8283]})
    >>> (times, snap_m), = travel_time_arrays(graph, sites, sites, departs=["10:00"]).values()
    >>> long = travel_time_matrices(graph, sites, sites, departs=["10:00"])["10:00"]
    >>> bool((times.ravel() == long["travel_time_s"].to_numpy()).all()), times.shape
    (True, (2, 2))
    """
    request = _snap_request(
        graph, origins, destinations, mode=mode, max_snap_m=max_snap_m, speeds=speeds, cache=cache
    )
    table = load_speed_table() if speeds is None else speeds
    d_m = request.d_snap["snap_distance_m"].to_numpy()
    by_profile: dict[tuple, np.ndarray] = {}  # departures in one congestion band: one search
    out: dict[str | dt.time | None, tuple[np.ndarray, np.ndarray]] = {}
    for depart in dict.fromkeys(departs):
        key = times_key(mode, depart, table)
        if key not in by_profile:
            time_s, _ = _terminal_matrix(
                graph, mode, depart, table, request.sources, request.targets, np.inf,
                cache=cache, distances=False,
            )  # fmt: skip
            _, door, reached = _door_times(request, time_s, mode=mode, table=table)
            by_profile[key] = np.where(reached, door, np.nan)
            out[depart] = (by_profile[key], d_m)
        else:  # an array of its own, as travel_time_matrices gives each its own frame
            out[depart] = (by_profile[key].copy(), d_m)
    return out


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
    net_t, door, reached = _door_times(request, time_s, mode=mode, table=table)
    net_d = np.full((n_o, n_d), np.nan)
    net_d[np.ix_(np.flatnonzero(o_ok), np.flatnonzero(d_ok))] = dist_m[
        np.ix_(request.o_row, request.d_col)
    ]
    if request.same:  # a facility to itself is no trip at all
        np.fill_diagonal(net_d, np.where(o_ok, 0.0, np.nan))
    o_m = o_snap["snap_distance_m"].to_numpy()
    d_m = d_snap["snap_distance_m"].to_numpy()
    both = o_ok[:, None] & d_ok[None, :]
    status = np.where(reached, "ok", np.where(both, "unreachable", "not_snapped"))
    reason = matrix_reasons(status, o_snap, d_snap, mode, limit_s)
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


def _node_ids(snaps: pd.DataFrame, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Node ids (int64) of the snapped facilities and a mask of those not routed."""
    return snaps["node_id"].to_numpy(dtype=np.int64, na_value=-1), ~ok


def _terminal_matrix(
    graph: TravelGraph,
    mode: str,
    depart: str | dt.time | None,
    table: pd.DataFrame,
    sources: Terminals,
    targets: Terminals,
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
        router = router_for(graph, mode, depart, table)
        everything = merge_terminals(sources, targets)
        tg = terminal_graph(router, graph, everything)
        src = terminal_index(graph, everything, sources)
        dst = terminal_index(graph, everything, targets)
        return _search(tg, src, dst, limit, lengths=distances)

    if not cache or not kept_on_disk(graph):
        return compute()
    return cached_matrix(
        graph,
        compute,
        times_key=times_key(mode, depart, table),
        sources=sources.digest(),
        targets=targets.digest(),
        limit=limit,
        distances=distances,
    )


def _search(
    tg: TerminalGraph,
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
