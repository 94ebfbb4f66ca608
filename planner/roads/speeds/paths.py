"""Given paths re-timed: the ferries a path takes, and its time with the band moving on.

Matrices and routes cost a whole trip at its departure band; :func:`path_travel_time_s`
re-times a path edge by edge at the band in force when the trip reaches each edge, to measure
what that simplification leaves out (``docs/data-truth.md``). :mod:`planner.roads.speeds`
exports the public names.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from planner._clock import parse_depart
from planner.errors import PlannerInputError
from planner.roads.graph import TravelGraph
from planner.roads.speeds.edges import edge_travel_times, ferry_edges
from planner.roads.speeds.tables import load_congestion_table, load_ferry_table

_DAY_S = 24 * 3600


def path_ferries(
    graph: TravelGraph,
    node_ids: Sequence[int],
    *,
    mode: str = "car",
    depart: str | dt.time | dt.datetime | None = None,
    speeds: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the ferry crossings on a path (e.g. a :class:`planner.travel.matrix.Route`'s nodes).

    Parameters
    ----------
    graph
        The road graph the path runs on.
    node_ids
        Graph ``node_id`` of each node on the path, in order (``Route.node_ids``).
    mode, depart, speeds
        The profile the path was routed with (it picks among parallel edges).

    Returns
    -------
    pandas.DataFrame
        One row per crossing, in path order: ``from_lat``, ``from_lon``, ``to_lat``, ``to_lon``,
        ``length_m``, ``time_s`` (boarding wait plus crossing). Empty when no ferry is used.

    Examples
    --------
    >>> from planner.roads.network import hanoi_network
    >>> from planner.roads.speeds import path_ferries
    >>> from planner.travel import route
    >>> graph = hanoi_network()
    >>> r = route(graph, (21.1330, 105.7180), (21.0940, 105.7170), depart="10:00")  # Mê Linh, Ô Diên
    >>> len(path_ferries(graph, r.node_ids, depart="10:00"))
    1
    """
    seconds = edge_travel_times(graph, mode=mode, depart=depart, speeds=speeds)
    edges = _path_edges(graph, node_ids, seconds)
    edges = edges[ferry_edges(graph)[edges]]
    frm, to = graph.edge_from[edges], graph.edge_to[edges]
    return pd.DataFrame(
        {
            "from_lat": graph.node_lat[frm],
            "from_lon": graph.node_lon[frm],
            "to_lat": graph.node_lat[to],
            "to_lon": graph.node_lon[to],
            "length_m": graph.edge_length_m[edges],
            "time_s": seconds[edges],
        }
    )


def path_travel_time_s(
    graph: TravelGraph,
    node_ids: Sequence[int],
    *,
    mode: str = "car",
    depart: str | dt.time | dt.datetime | None = None,
    speeds: pd.DataFrame | None = None,
    congestion: pd.DataFrame | None = None,
    exposure: pd.DataFrame | None = None,
    ferries: pd.DataFrame | None = None,
) -> float:
    """Return the time along a given path with the band following the trip's progress (s).

    Matrices and routes cost a whole trip at its departure band. This re-times one path
    (routed at the departure band) edge by edge: each edge costs what it costs at the moment
    the trip enters it, so a trip that runs into the morning peak slows down there. ``inf``
    when the path takes a ferry that has closed by the time the trip reaches it.

    Parameters
    ----------
    graph : TravelGraph
        The road graph the path runs on.
    node_ids : sequence of int
        Graph ``node_id`` of each node on the path, in order (``Route.node_ids``).
    mode : str, default "car"
        One of :data:`planner.requests.MODES`.
    depart : str, datetime.time, datetime.datetime or None, optional
        When the trip leaves the first node (as for :func:`congestion_factor`); ``None`` is
        ``config.DEFAULT_DEPART``.
    speeds, congestion, exposure, ferries : pandas.DataFrame, optional
        Tables as for :func:`edge_travel_times`; ``None`` uses ours.

    Returns
    -------
    float
        The time in seconds from the first node to the last along the roads (no snap legs),
        ``inf`` if a ferry on the path is closed when the trip reaches it.

    Examples
    --------
    Cát Linh to Xanh Pôn, on the OSM fixture of the streets by Văn Miếu: leaving at 06:55 the
    trip ends before 07:00; leaving at 06:59 it runs into the morning peak:

    >>> from planner.config import data_file
    >>> from planner.roads.network import load_network
    >>> from planner.roads.speeds import path_travel_time_s
    >>> from planner.travel import route
    >>> graph = load_network(data_file("fixtures/van_mieu_osm.osm"))
    >>> r = route(graph, (21.0290, 105.8283), (21.03126, 105.83518), depart="06:59")
    >>> [round(path_travel_time_s(graph, r.node_ids, depart=t)) for t in ("06:55", "06:59")]
    [170, 208]
    """
    tables = {"speeds": speeds, "congestion": congestion, "exposure": exposure, "ferries": ferries}
    start = parse_depart(depart)
    clock = float(start.hour * 3600 + start.minute * 60 + start.second)
    edges = _path_edges(
        graph, node_ids, edge_travel_times(graph, mode=mode, depart=depart, **tables)
    )
    bounds = _band_starts_s(
        load_congestion_table() if congestion is None else congestion,
        load_ferry_table() if ferries is None else ferries,
        mode,
    )
    done = 0  # edges already costed
    elapsed = 0.0
    while done < len(edges):
        at = (clock + elapsed) % _DAY_S
        seconds = edge_travel_times(graph, mode=mode, depart=_time_of_day(at), **tables)[
            edges[done:]
        ]
        # entry time of each remaining edge if the current band held to the end
        entry = elapsed + np.concatenate([[0.0], np.cumsum(seconds)[:-1]])
        next_change = elapsed + _until_next(bounds, at)
        later = np.flatnonzero(entry >= next_change)
        stop = len(seconds) if not len(later) else int(later[0])
        elapsed += float(seconds[:stop].sum())
        done += stop
        if not np.isfinite(elapsed):
            return float("inf")
    return elapsed


def _band_starts_s(congestion: pd.DataFrame, ferries: pd.DataFrame, mode: str) -> np.ndarray:
    """Every time of day (s) at which the mode's congestion band or ferry service changes."""
    starts = [t[t["mode"] == mode]["start_min"].to_numpy() for t in (congestion, ferries)]
    return np.unique(np.concatenate(starts)).astype(float) * 60


def _until_next(starts_s: np.ndarray, at_s: float) -> float:
    """Seconds from ``at_s`` to the next band change strictly after it (next day included)."""
    ahead = np.concatenate([starts_s, starts_s + _DAY_S])
    return float(ahead[ahead > at_s][0] - at_s)


def _time_of_day(seconds: float) -> dt.time:
    whole = int(seconds) % _DAY_S
    return dt.time(whole // 3600, whole % 3600 // 60, whole % 60)


def _path_edges(graph: TravelGraph, node_ids: Sequence[int], seconds: np.ndarray) -> np.ndarray:
    """The edge behind each step of a path of node ids: the fastest (then shortest) of
    parallel edges at the given times, as the router picks them."""
    ids = np.asarray(node_ids, dtype=np.int64)
    nodes = pd.Index(graph.node_id).get_indexer(ids)
    if (nodes < 0).any():
        raise PlannerInputError(
            f"node id {int(ids[np.argmax(nodes < 0)])} is not in the graph",
            field="node_ids",
            hint="give the node ids of a path on this graph (Route.node_ids)",
        )
    edges = np.empty(max(len(nodes) - 1, 0), dtype=np.int64)
    for i, (u, v) in enumerate(itertools.pairwise(nodes)):
        out = np.arange(graph.indptr[u], graph.indptr[u + 1])
        out = out[graph.edge_to[out] == v]
        if not len(out):
            raise PlannerInputError(
                f"no edge from node {int(ids[i])} to node {int(ids[i + 1])}",
                field="node_ids",
                hint="give the node ids of a path on this graph (Route.node_ids)",
            )
        edges[i] = out[np.lexsort((graph.edge_length_m[out], seconds[out]))[0]]
    return edges
