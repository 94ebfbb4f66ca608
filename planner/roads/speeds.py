"""Speeds per road class and mode, congestion by area, road class and hour, ferries, and travel
time per edge.

Four tables we author in ``geodata/`` drive every travel time, each figure with its reason:

* ``speeds.csv``: free-flow ``speed_kph`` and ``usable`` per road ``class`` (OpenMapTiles
  vocabulary, plus ``ferry``) and ``mode``, and two special classes: ``ramp`` (slip roads, used
  for any class named ``<class>_ramp`` or ``<class>_link``, capped at the speed of ``<class>``)
  and ``snap`` (the straight-line leg from a facility to its nearest road node).
* ``congestion.csv``: a speed ``factor`` per departure-time band (``start`` inclusive, ``end``
  exclusive, ``HH:MM``) and mode, every mode's bands covering the day exactly once: the share of
  free-flow speed on the city proper's main roads.
* ``congestion_by_area.csv``: the ``exposure`` of each area type (:data:`AREAS`: ``core``,
  ``suburban``, ``rural``, ``other`` where no area data exists) and road class to a band's
  slowdown. An edge's factor is ``1 - exposure * (1 - band factor)``: the whole slowdown on the
  core's main roads, none on village roads. The area of an edge comes from Hanoi's 2025 units
  (see :mod:`planner.roads._areas`); roads outside them (a network elsewhere) count as ``other``.
* ``ferries.csv``: per band and mode, whether ferries run and the boarding wait (minutes);
  a ferry edge costs the wait plus its crossing at the ``ferry`` speed, and is unusable while
  closed (at night).

Any table can be replaced by a user file of the same columns (validated; errors name the file,
row and field). Travel times are derived per (graph, mode, time profile) in one vector
operation and memoised, so one cached graph serves every mode and hour;
:func:`time_profile_key` names the profile of a mode and departure time.

A trip is costed at the band of its departure time from start to finish (matrices and routes).
:func:`path_travel_time_s` re-times a given path with the band following the trip's progress,
to measure what that simplification leaves out (``docs/data-truth.md``).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import logging
import os
import re
import weakref
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from planner.config import DEFAULT_DEPART, MODES, authored_dir
from planner.errors import PlannerInputError
from planner.roads._areas import AREAS, data_version, edge_areas
from planner.roads.graph import ROAD_CLASSES, TravelGraph

log = logging.getLogger(__name__)

__all__ = [
    "AREAS",
    "CONGESTION_COLUMNS",
    "EXPOSURE_COLUMNS",
    "FERRY_COLUMNS",
    "SPEED_COLUMNS",
    "congestion_factor",
    "edge_areas",
    "edge_congestion_factors",
    "edge_speeds_kph",
    "edge_travel_times",
    "ferry_edges",
    "ferry_wait_s",
    "load_congestion_table",
    "load_exposure_table",
    "load_ferry_table",
    "load_speed_table",
    "parse_depart",
    "path_ferries",
    "path_travel_time_s",
    "snap_speed_kph",
    "table_digest",
    "time_profile_key",
]

SPEED_COLUMNS = ("class", "mode", "speed_kph", "usable", "reason")
CONGESTION_COLUMNS = ("start", "end", "mode", "factor", "reason")
EXPOSURE_COLUMNS = ("area", "classes", "exposure", "reason")
FERRY_COLUMNS = ("start", "end", "mode", "in_service", "wait_min", "reason")
#: Suffixes that mark a slip road of a class (``motorway_link``, ``primary_ramp``).
RAMP_SUFFIXES = ("_ramp", "_link")
FERRY = "ferry"

_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}
_HHMM = re.compile(r"^(\d{1,2})[:hH](\d{2})$")  # "17:30", or "17h30" as written in Vietnam
_DAY_S = 24 * 3600

# graph -> (its edge areas, flat (area, class) cell of every edge); dies with the graph.
_CELLS: weakref.WeakKeyDictionary[TravelGraph, tuple[np.ndarray, np.ndarray]] = (
    weakref.WeakKeyDictionary()
)
# graph -> {time profile key: read-only seconds per edge}; dies with the graph.
_TIMES_MEMO: weakref.WeakKeyDictionary[TravelGraph, dict[tuple, np.ndarray]] = (
    weakref.WeakKeyDictionary()
)


def load_speed_table(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read and validate a speed table (default: the authored ``geodata/speeds.csv``).

    Parameters
    ----------
    path
        A CSV with columns ``class, mode, speed_kph, usable, reason``; ``None`` reads ours.

    Returns
    -------
    pandas.DataFrame
        One row per (class, mode): ``speed_kph`` float, ``usable`` bool, ``reason`` str.

    Raises
    ------
    PlannerInputError
        Missing file or column, unknown mode, speed not a positive number on a usable row,
        ``usable`` not true/false, duplicate (class, mode), missing reason or ``snap`` row.

    Examples
    --------
    >>> from planner.roads.speeds import load_speed_table
    >>> table = load_speed_table()
    >>> table.set_index(["class", "mode"]).loc[("primary", "car"), "speed_kph"]
    np.float64(45.0)
    """
    return _load("speeds", path)


def load_congestion_table(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read and validate a congestion table (default: the authored ``geodata/congestion.csv``).

    Parameters
    ----------
    path
        A CSV with columns ``start, end, mode, factor, reason`` (times ``HH:MM``, ``end`` may be
        ``24:00``); each mode's bands must cover the day without gap or overlap.

    Returns
    -------
    pandas.DataFrame
        The bands, with ``start_min`` and ``end_min`` (minutes after midnight) added.

    Examples
    --------
    >>> from planner.roads.speeds import load_congestion_table
    >>> bands = load_congestion_table()
    >>> sorted(bands["mode"].unique())
    ['ambulance', 'car', 'motorbike']
    """
    return _load("congestion", path)


def load_exposure_table(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read and validate an exposure table (default: ``geodata/congestion_by_area.csv``).

    Parameters
    ----------
    path
        A CSV with columns ``area, classes, exposure, reason``: ``area`` and ``classes`` are
        space-separated lists (areas of :data:`AREAS`, classes of
        :data:`planner.roads.graph.ROAD_CLASSES`), ``exposure`` the share (0 to 1) of a band's slowdown
        those roads suffer. Every (area, class) pair must be given exactly once.

    Returns
    -------
    pandas.DataFrame
        The rows as read, ``exposure`` as float.

    Examples
    --------
    >>> from planner.roads.speeds import load_exposure_table
    >>> table = load_exposure_table()
    >>> float(table.loc[table["area"] == "core", "exposure"].max())
    1.0
    """
    return _load("exposure", path)


def load_ferry_table(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read and validate a ferry service table (default: ``geodata/ferries.csv``).

    Parameters
    ----------
    path
        A CSV with columns ``start, end, mode, in_service, wait_min, reason``: bands as in the
        congestion table (each mode's covering the day once), whether ferries run, and the
        boarding wait in minutes while they do.

    Returns
    -------
    pandas.DataFrame
        The bands with ``start_min``/``end_min`` and ``wait_s`` (``inf`` while closed) added.

    Examples
    --------
    >>> from planner.roads.speeds import load_ferry_table
    >>> bands = load_ferry_table()
    >>> bool(bands["in_service"].any() and not bands["in_service"].all())
    True
    """
    return _load("ferries", path)


def parse_depart(depart: str | dt.time | dt.datetime | None) -> dt.time:
    """Return a departure time from ``"HH:MM"``, a ``time``/``datetime``, or ``None`` (default).

    Parameters
    ----------
    depart : str, datetime.time, datetime.datetime or None
        A 24-hour ``"HH:MM"`` (``"17h30"``, as written in Vietnam, is read too), a time of
        day, a date and time (its time of day is used), or ``None`` for
        ``config.DEFAULT_DEPART``.

    Returns
    -------
    datetime.time
        The time of day the trip leaves.

    Raises
    ------
    PlannerInputError
        If a string is not a time of day (``"25:00"``, ``"7.30"``).

    Examples
    --------
    >>> from planner.roads.speeds import parse_depart
    >>> parse_depart("7:30"), parse_depart("17h30")
    (datetime.time(7, 30), datetime.time(17, 30))
    >>> parse_depart(None)  # config.DEFAULT_DEPART
    datetime.time(10, 0)
    """
    if depart is None:
        depart = DEFAULT_DEPART
    if isinstance(depart, dt.datetime):
        return depart.time()
    if isinstance(depart, dt.time):
        return depart
    match = _HHMM.match(str(depart).strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise PlannerInputError(
            f"departure time {depart!r} is not a time of day",
            field="depart",
            hint='write 24-hour "HH:MM", e.g. "07:30" or "17:45"',
        )
    return dt.time(int(match[1]), int(match[2]))


def congestion_factor(
    depart: str | dt.time | dt.datetime | None,
    *,
    mode: str,
    table: pd.DataFrame | None = None,
) -> float:
    """Return the band's speed factor for a departure time and mode.

    This is the share of free-flow speed on the city proper's main roads; other roads and areas
    suffer part of the slowdown only (:func:`edge_congestion_factors`).

    Parameters
    ----------
    depart : str, datetime.time, datetime.datetime or None
        ``"HH:MM"``, a ``datetime.time``/``datetime``, or ``None`` for ``config.DEFAULT_DEPART``.
    mode : str
        One of ``config.MODES``.
    table : pandas.DataFrame, optional
        A congestion table from :func:`load_congestion_table`; ``None`` uses ours.

    Returns
    -------
    float
        The share of free-flow speed (0 to 1; 1 is free flow) in the band holding ``depart``.

    Examples
    --------
    >>> from planner.roads.speeds import congestion_factor
    >>> congestion_factor("08:00", mode="car") < congestion_factor("03:00", mode="car")
    True
    >>> congestion_factor("08:00", mode="car"), congestion_factor("03:00", mode="car")
    (0.6, 1.0)
    """
    bands = load_congestion_table() if table is None else table
    return _band_value(bands, depart, mode=mode, what="congestion", column="factor")


def ferry_wait_s(
    depart: str | dt.time | dt.datetime | None,
    *,
    mode: str,
    table: pd.DataFrame | None = None,
) -> float:
    """Return the boarding wait at a ferry (seconds) for a departure time, ``inf`` if closed.

    Parameters
    ----------
    depart : str, datetime.time, datetime.datetime or None
        The departure time, as for :func:`congestion_factor`.
    mode : str
        One of ``config.MODES``.
    table : pandas.DataFrame, optional
        A ferry table from :func:`load_ferry_table`; ``None`` uses ours.

    Returns
    -------
    float
        The wait in seconds before boarding; ``inf`` while ferries do not run for the mode.

    Examples
    --------
    >>> from planner.roads.speeds import ferry_wait_s
    >>> ferry_wait_s("10:00", mode="car"), ferry_wait_s("23:00", mode="ambulance")
    (600.0, inf)
    """
    bands = load_ferry_table() if table is None else table
    return _band_value(bands, depart, mode=mode, what="ferry", column="wait_s")


def edge_congestion_factors(
    graph: TravelGraph,
    *,
    mode: str,
    depart: str | dt.time | dt.datetime | None = None,
    congestion: pd.DataFrame | None = None,
    exposure: pd.DataFrame | None = None,
) -> np.ndarray:
    """Return every edge's share of free-flow speed at a departure time (by area and class).

    ``1 - exposure[area, class] * (1 - band factor)``: the band's whole slowdown on the city
    proper's main roads, part of it elsewhere (``geodata/congestion_by_area.csv``).

    Parameters
    ----------
    graph : TravelGraph
        The road graph.
    mode : str
        One of ``config.MODES``.
    depart : str, datetime.time, datetime.datetime or None, optional
        The departure time, as for :func:`congestion_factor`; ``None`` is
        ``config.DEFAULT_DEPART``.
    congestion, exposure : pandas.DataFrame, optional
        Tables from :func:`load_congestion_table` / :func:`load_exposure_table`; ``None`` uses
        ours.

    Returns
    -------
    numpy.ndarray
        One float per edge, in edge order: the share of free-flow speed (0 to 1) left at that
        time.

    Examples
    --------
    >>> from planner.roads.network import hanoi_network
    >>> from planner.roads.speeds import edge_congestion_factors
    >>> factors = edge_congestion_factors(hanoi_network(), mode="car", depart="08:00")
    >>> float(factors.min()), float(factors.max())
    (0.6, 1.0)
    """
    return _cell_factors(graph, mode, depart, congestion, exposure).ravel()[_edge_cells(graph)]


def edge_speeds_kph(
    graph: TravelGraph,
    *,
    mode: str,
    depart: str | dt.time | dt.datetime | None = None,
    speeds: pd.DataFrame | None = None,
    congestion: pd.DataFrame | None = None,
    exposure: pd.DataFrame | None = None,
    ferries: pd.DataFrame | None = None,
) -> np.ndarray:
    """Return the speed of every edge (km/h) for a mode and departure time; NaN where unusable.

    A ferry's speed is its crossing speed (the boarding wait is not in it); NaN while closed.

    Parameters
    ----------
    graph : TravelGraph
        The road graph.
    mode : str
        One of ``config.MODES``.
    depart : str, datetime.time, datetime.datetime or None, optional
        Departure time (see :func:`congestion_factor`); ``None`` is ``config.DEFAULT_DEPART``.
    speeds, congestion, exposure, ferries : pandas.DataFrame, optional
        Tables from :func:`load_speed_table`, :func:`load_congestion_table`,
        :func:`load_exposure_table`, :func:`load_ferry_table`; ``None`` uses ours.

    Returns
    -------
    numpy.ndarray
        One float per edge, in edge order: its speed in km/h at that time, NaN where the mode
        may not use it (and on ferries while they are closed).

    Examples
    --------
    >>> from planner.roads.network import hanoi_network
    >>> from planner.roads.speeds import edge_speeds_kph
    >>> kph = edge_speeds_kph(hanoi_network(), mode="car", depart="03:00")
    >>> float(np.nanmax(kph))
    80.0
    """
    table = load_speed_table() if speeds is None else speeds
    # per (area, class) cell first, then one gather over the edges
    cell_kph = _class_speeds_kph(graph.class_names, table, mode)[None, :] * _cell_factors(
        graph, mode, depart, congestion, exposure
    )
    kph = cell_kph.ravel()[_edge_cells(graph)]
    if not np.isfinite(ferry_wait_s(depart, mode=mode, table=ferries)):
        kph[ferry_edges(graph)] = np.nan
    return kph


def edge_travel_times(
    graph: TravelGraph,
    *,
    mode: str,
    depart: str | dt.time | dt.datetime | None = None,
    speeds: pd.DataFrame | None = None,
    congestion: pd.DataFrame | None = None,
    exposure: pd.DataFrame | None = None,
    ferries: pd.DataFrame | None = None,
) -> np.ndarray:
    """Return the travel time of every edge in seconds; ``inf`` where the mode may not use it.

    Road edges: length over the class speed times the edge's congestion factor. Ferry edges:
    the boarding wait plus the crossing. Memoised per (graph, :func:`time_profile_key`):
    repeated calls for departures with the same profile return the same read-only array.

    Parameters
    ----------
    graph, mode, depart, speeds, congestion, exposure, ferries
        As for :func:`edge_speeds_kph`.

    Returns
    -------
    numpy.ndarray
        float64, shape ``(graph.n_edges,)``, read-only.

    Examples
    --------
    >>> from planner.roads.network import hanoi_network
    >>> from planner.roads.speeds import edge_travel_times
    >>> graph = hanoi_network()
    >>> peak = edge_travel_times(graph, mode="car", depart="08:00")
    >>> night = edge_travel_times(graph, mode="car", depart="03:00")
    >>> usable = np.isfinite(peak) & np.isfinite(night)
    >>> bool(peak[usable].sum() > night[usable].sum())
    True
    """
    key = time_profile_key(
        mode, depart, speeds=speeds, congestion=congestion, exposure=exposure, ferries=ferries
    )
    memo = _TIMES_MEMO.setdefault(graph, {})
    if key not in memo:
        tables = _tables(speeds, congestion, exposure, ferries)
        kph = edge_speeds_kph(graph, mode=mode, depart=depart, **tables)
        usable = np.isfinite(kph)
        # zero-length edges (joins at tile borders) cost 0 s; unusable edges cost inf
        seconds = np.full(graph.n_edges, np.inf)
        seconds[usable] = graph.edge_length_m[usable] / (kph[usable] / 3.6)
        seconds[ferry_edges(graph) & usable] += ferry_wait_s(
            depart, mode=mode, table=tables["ferries"]
        )
        seconds.setflags(write=False)
        memo[key] = seconds
    return memo[key]


def time_profile_key(
    mode: str,
    depart: str | dt.time | dt.datetime | None = None,
    *,
    speeds: pd.DataFrame | None = None,
    congestion: pd.DataFrame | None = None,
    exposure: pd.DataFrame | None = None,
    ferries: pd.DataFrame | None = None,
) -> tuple:
    """Return a hashable naming the per-edge travel times of a mode at a departure time.

    Two departures with equal keys give identical :func:`edge_travel_times` on any graph (the
    same band factor, ferry wait, speed and exposure tables, and area data), so memos of
    anything derived from edge times (routers, reduced graphs) can share them.

    Parameters
    ----------
    mode : str
        One of ``config.MODES``.
    depart : str, datetime.time, datetime.datetime or None, optional
        The departure time, as for :func:`congestion_factor`; ``None`` is
        ``config.DEFAULT_DEPART``.
    speeds, congestion, exposure, ferries : pandas.DataFrame, optional
        Tables from :func:`load_speed_table`, :func:`load_congestion_table`,
        :func:`load_exposure_table`, :func:`load_ferry_table`; ``None`` uses ours.

    Returns
    -------
    tuple
        The mode, the band's congestion factor, the ferry wait in seconds, digests of the speed
        and exposure tables, and the version of the area data.

    Raises
    ------
    PlannerInputError
        If ``mode`` is not one of ``config.MODES``.

    Examples
    --------
    >>> from planner.roads.speeds import time_profile_key
    >>> time_profile_key("car", "08:00") == time_profile_key("car", "08:45")  # one band
    True
    >>> time_profile_key("car", "08:00") == time_profile_key("car", "10:00")
    False
    """
    _check_mode(mode)
    return (
        mode,
        congestion_factor(depart, mode=mode, table=congestion),
        ferry_wait_s(depart, mode=mode, table=ferries),
        _digest(speeds, "speeds"),
        _digest(exposure, "exposure"),
        data_version(),
    )


def snap_speed_kph(*, mode: str, speeds: pd.DataFrame | None = None) -> float:
    """Return the speed of the straight-line snap leg for a mode (the ``snap`` row), km/h.

    Parameters
    ----------
    mode : str
        One of ``config.MODES``.
    speeds : pandas.DataFrame, optional
        A speed table from :func:`load_speed_table`; ``None`` uses ours.

    Returns
    -------
    float
        The speed in km/h at which the leg from a facility to its nearest road is covered.

    Raises
    ------
    PlannerInputError
        If ``mode`` is unknown or the table has no ``snap`` row for it.

    Examples
    --------
    >>> from planner.roads.speeds import snap_speed_kph
    >>> snap_speed_kph(mode="car")
    10.0
    """
    _check_mode(mode)
    table = load_speed_table() if speeds is None else speeds
    row = table[(table["class"] == "snap") & (table["mode"] == mode)]
    if row.empty:
        raise PlannerInputError(
            f"the speed table has no snap row for mode {mode!r}",
            field="class",
            hint=f"add a row 'snap,{mode},<speed_kph>,true,<reason>'",
        )
    return float(row["speed_kph"].iloc[0])


def table_digest(table: pd.DataFrame) -> str:
    """Return a short content hash of a table (keys memoised travel times and caches).

    Parameters
    ----------
    table : pandas.DataFrame
        Any table, e.g. a speed table from :func:`load_speed_table`. Its values and column
        names are hashed; its index is not (rows count by position).

    Returns
    -------
    str
        16 hexadecimal characters, equal for tables of equal content.

    Examples
    --------
    >>> from planner.roads.speeds import load_speed_table, table_digest
    >>> table = load_speed_table()
    >>> digest = table_digest(table)
    >>> len(digest), digest == table_digest(table.copy())
    (16, True)
    >>> faster = table.assign(speed_kph=table["speed_kph"] * 1.1)
    >>> table_digest(faster) == digest
    False
    """
    hashed = pd.util.hash_pandas_object(table.reset_index(drop=True), index=True).to_numpy()
    return hashlib.sha256(hashed.tobytes() + ",".join(table.columns).encode()).hexdigest()[:16]


def ferry_edges(graph: TravelGraph) -> np.ndarray:
    """Return a boolean mask of the graph's ferry edges (river crossings).

    Parameters
    ----------
    graph : TravelGraph
        The road graph.

    Returns
    -------
    numpy.ndarray
        One bool per edge, True on the edges of class ``ferry`` (all False when the graph has
        none).

    Examples
    --------
    >>> from planner.roads.network import hanoi_network
    >>> from planner.roads.speeds import ferry_edges
    >>> int(ferry_edges(hanoi_network()).sum()) > 0
    True
    """
    if FERRY not in graph.class_names:
        return np.zeros(graph.n_edges, dtype=bool)
    return graph.edge_class == graph.class_names.index(FERRY)


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
    >>> from planner.travel.matrix import route
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
        One of ``config.MODES``.
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
    >>> from planner.roads.network import hanoi_network
    >>> from planner.roads.speeds import path_travel_time_s
    >>> from planner.travel.matrix import route
    >>> graph = hanoi_network()
    >>> r = route(graph, (21.2164, 105.4100), (21.03126, 105.83518), depart="06:55")
    >>> static = r.network_time_s  # the whole trip at the 06:00-07:00 band
    >>> bool(path_travel_time_s(graph, r.node_ids, depart="06:55") > static)
    True
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


def _tables(
    speeds: pd.DataFrame | None,
    congestion: pd.DataFrame | None,
    exposure: pd.DataFrame | None,
    ferries: pd.DataFrame | None,
) -> dict[str, pd.DataFrame]:
    """The four tables, ours where none is given."""
    return {
        "speeds": load_speed_table() if speeds is None else speeds,
        "congestion": load_congestion_table() if congestion is None else congestion,
        "exposure": load_exposure_table() if exposure is None else exposure,
        "ferries": load_ferry_table() if ferries is None else ferries,
    }


def _load(kind: str, path: str | os.PathLike[str] | None) -> pd.DataFrame:
    """A table of ``kind`` from ``path`` (ours if None), parsed once per version of the file."""
    name, parse = _AUTHORED[kind]
    path = Path(path) if path is not None else authored_dir() / name
    return parse(path.resolve(), *_stamp(path)).copy()


def _digest(table: pd.DataFrame | None, kind: str) -> str:
    """The table's digest; ours is hashed once per version of its file."""
    if table is not None:
        return table_digest(table)
    path = authored_dir() / _AUTHORED[kind][0]
    return _authored_digest(kind, path.resolve(), *_stamp(path))


@functools.lru_cache(maxsize=16)
def _authored_digest(kind: str, path: Path, _mtime_ns: int, _size: int) -> str:
    return table_digest(_load(kind, path))


def _band_value(
    bands: pd.DataFrame,
    depart: str | dt.time | dt.datetime | None,
    *,
    mode: str,
    what: str,
    column: str,
) -> float:
    """A column of the band (congestion, ferries) in force at a departure time."""
    _check_mode(mode)
    mine = bands["mode"].to_numpy() == mode
    if not mine.any():
        raise PlannerInputError(
            f"the {what} table has no bands for mode {mode!r}",
            field="mode",
            hint=f"add rows for {mode} covering 00:00-24:00",
        )
    t = parse_depart(depart)
    minute = t.hour * 60 + t.minute
    hit = mine & (bands["start_min"].to_numpy() <= minute) & (minute < bands["end_min"].to_numpy())
    return float(bands[column].to_numpy()[np.argmax(hit)])


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


def _cell_factors(
    graph: TravelGraph,
    mode: str,
    depart: str | dt.time | dt.datetime | None,
    congestion: pd.DataFrame | None,
    exposure: pd.DataFrame | None,
) -> np.ndarray:
    """Speed factor per (area code, class code) at a departure time."""
    factor = congestion_factor(depart, mode=mode, table=congestion)
    table = load_exposure_table() if exposure is None else exposure
    return 1.0 - _exposure_matrix(graph.class_names, table) * (1.0 - factor)


def _edge_cells(graph: TravelGraph) -> np.ndarray:
    """Each edge's (area, class) cell as a flat index into an (areas, classes) array."""
    areas = edge_areas(graph)
    hit = _CELLS.get(graph)
    if hit is None or hit[0] is not areas:
        cells = areas.astype(np.intp) * len(graph.class_names) + graph.edge_class
        hit = _CELLS[graph] = (areas, cells)
    return hit[1]


def _exposure_pairs(table: pd.DataFrame) -> dict[tuple[str, str], float]:
    """{(area, class): exposure} from the rows' space-separated lists."""
    rows = zip(table["area"], table["classes"], table["exposure"], strict=True)
    return {
        (a, c): float(x)
        for areas, classes, x in rows
        for a in areas.split()
        for c in classes.split()
    }


def _exposure_matrix(class_names: tuple[str, ...], table: pd.DataFrame) -> np.ndarray:
    """Exposure per (area code, class code); slip roads follow their class, unknown classes
    (unusable by every mode) take the whole slowdown."""
    given = _exposure_pairs(table)
    out = np.ones((len(AREAS), len(class_names)))
    for code, name in enumerate(class_names):
        base = next((name[: -len(s)] for s in RAMP_SUFFIXES if name.endswith(s)), name)
        for a, area in enumerate(AREAS):
            out[a, code] = given.get((area, base), 1.0)
    return out


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise PlannerInputError(
            f"unknown mode {mode!r}",
            field="mode",
            hint=f"use one of {', '.join(MODES)}",
        )


def _class_speeds_kph(class_names: tuple[str, ...], table: pd.DataFrame, mode: str) -> np.ndarray:
    """Free-flow speed per class code for a mode, NaN where the mode may not use the class."""
    _check_mode(mode)
    rows = table[table["mode"] == mode]
    if rows.empty:
        raise PlannerInputError(
            f"the speed table has no rows for mode {mode!r}",
            field="mode",
            hint=f"add rows for {mode} (one per road class) to the speed table",
        )
    kph = dict(zip(rows["class"], np.where(rows["usable"], rows["speed_kph"], np.nan), strict=True))
    out = np.full(len(class_names), np.nan)
    for code, name in enumerate(class_names):
        base = next((name[: -len(s)] for s in RAMP_SUFFIXES if name.endswith(s)), None)
        if name in kph:
            out[code] = kph[name]
        elif base is not None and base in kph and "ramp" in kph:
            # a slip road is no faster than its road: NaN (unusable) wins through fmin's NaN rule
            out[code] = np.nan if np.isnan(kph[base]) else np.fmin(kph["ramp"], kph[base])
        else:
            log.warning(
                "road class %r has no speed for mode %s: its edges are treated as unusable",
                name,
                mode,
            )
    return out


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError as exc:
        raise PlannerInputError(
            "the table file cannot be read",
            file=path,
            hint="check the path (a CSV with a header row)",
        ) from exc
    return st.st_mtime_ns, st.st_size


def _read_csv(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise PlannerInputError(
            f"the table is not a readable CSV ({exc})", file=path, hint="save it as UTF-8 CSV"
        ) from exc
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise PlannerInputError(
            f"missing column(s) {', '.join(missing)}",
            file=path,
            field=missing[0],
            hint=f"the header must be {','.join(columns)}",
        )
    if frame.empty:
        raise PlannerInputError("the table has no rows", file=path, hint="add data rows")
    frame = frame.apply(lambda col: col.str.strip())
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        if not row.reason:
            raise PlannerInputError(
                "every figure needs its reason", file=path, row=i, field="reason",
                hint="say where the figure comes from",
            )  # fmt: skip
        if "mode" in columns and row.mode not in MODES:
            raise PlannerInputError(
                f"unknown mode {row.mode!r}", file=path, row=i, field="mode",
                hint=f"use one of {', '.join(MODES)}",
            )  # fmt: skip
    return frame


def _number(value: str, *, path: Path, row: int, field: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not np.isfinite(number) or number < 0:
        raise PlannerInputError(
            f"{value!r} is not a non-negative number", file=path, row=row, field=field,
            hint="write a plain decimal number, e.g. 45",
        )  # fmt: skip
    return number


@functools.lru_cache(maxsize=8)
def _load_speed_table_cached(path: Path, _mtime_ns: int, _size: int) -> pd.DataFrame:
    frame = _read_csv(path, SPEED_COLUMNS)
    speed, usable = [], []
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        flag = row.usable.lower()
        if flag not in _TRUE | _FALSE:
            raise PlannerInputError(
                f"usable is {row.usable!r}", file=path, row=i, field="usable",
                hint="write true or false",
            )  # fmt: skip
        kph = _number(row.speed_kph or "0", path=path, row=i, field="speed_kph")
        if flag in _TRUE and kph <= 0:
            raise PlannerInputError(
                "a usable road class needs a positive speed", file=path, row=i,
                field="speed_kph", hint="give the speed in km/h, or set usable to false",
            )  # fmt: skip
        speed.append(kph)
        usable.append(flag in _TRUE)
    frame["speed_kph"] = np.asarray(speed, dtype=float)
    frame["usable"] = np.asarray(usable, dtype=bool)
    dup = frame.duplicated(["class", "mode"], keep="first").to_numpy()
    if dup.any():
        i = int(np.argmax(dup)) + 1
        raise PlannerInputError(
            f"class {frame['class'].iloc[i - 1]!r} is given twice for mode "
            f"{frame['mode'].iloc[i - 1]!r}", file=path, row=i, field="class",
            hint="keep one row per (class, mode)",
        )  # fmt: skip
    for mode in frame["mode"].unique():
        snap = frame[(frame["mode"] == mode) & (frame["class"] == "snap")]
        if snap.empty or not snap["usable"].iloc[0]:
            raise PlannerInputError(
                f"mode {mode!r} has no usable snap row", file=path, field="class",
                hint=f"add 'snap,{mode},<speed_kph>,true,<reason>' (speed of the leg to the road)",
            )  # fmt: skip
    return frame


def _minutes(value: str, *, path: Path, row: int, field: str) -> int:
    match = _HHMM.match(value)
    minutes = int(match[1]) * 60 + int(match[2]) if match and int(match[2]) < 60 else -1
    if not 0 <= minutes <= 24 * 60:
        raise PlannerInputError(
            f"{value!r} is not a time of day", file=path, row=row, field=field,
            hint='write "HH:MM" between 00:00 and 24:00',
        )  # fmt: skip
    return minutes


def _check_bands(frame: pd.DataFrame, path: Path) -> None:
    """Every band ends after it starts, and each mode's bands cover the day exactly once."""
    for i in range(len(frame)):
        if frame["end_min"].iloc[i] <= frame["start_min"].iloc[i]:
            raise PlannerInputError(
                "the band ends before it starts", file=path, row=i + 1, field="end",
                hint="split a band across midnight into ...-24:00 and 00:00-...",
            )  # fmt: skip
    for mode, bands in frame.groupby("mode", sort=False):
        bands = bands.sort_values("start_min")
        edges = np.r_[0, bands["end_min"].to_numpy()]
        gaps = np.flatnonzero(bands["start_min"].to_numpy() != edges[:-1])
        if gaps.size or edges[-1] != 24 * 60:
            at = bands.index[gaps[0]] + 1 if gaps.size else bands.index[-1] + 1
            raise PlannerInputError(
                f"the bands of mode {mode!r} leave a gap or overlap", file=path, row=int(at),
                field="start", hint="each band must start where the previous ends, 00:00 to 24:00",
            )  # fmt: skip


def _read_bands(path: Path, columns: tuple[str, ...]) -> tuple[pd.DataFrame, list]:
    """A band table with ``start_min`` and ``end_min`` added (not yet checked for coverage)."""
    frame = _read_csv(path, columns)
    rows = list(enumerate(frame.itertuples(index=False), start=1))
    frame["start_min"] = [_minutes(r.start, path=path, row=i, field="start") for i, r in rows]
    frame["end_min"] = [_minutes(r.end, path=path, row=i, field="end") for i, r in rows]
    return frame, rows


@functools.lru_cache(maxsize=8)
def _load_congestion_table_cached(path: Path, _mtime_ns: int, _size: int) -> pd.DataFrame:
    frame, rows = _read_bands(path, CONGESTION_COLUMNS)
    factors = [_number(r.factor, path=path, row=i, field="factor") for i, r in rows]
    frame["factor"] = np.asarray(factors, dtype=float)
    for i, r in rows:
        if not 0 < frame["factor"].iloc[i - 1] <= 2:
            raise PlannerInputError(
                f"factor {r.factor} is out of range", file=path, row=i, field="factor",
                hint="a share of free-flow speed, above 0 and at most 2",
            )  # fmt: skip
    _check_bands(frame, path)
    return frame


@functools.lru_cache(maxsize=8)
def _load_ferry_table_cached(path: Path, _mtime_ns: int, _size: int) -> pd.DataFrame:
    frame, rows = _read_bands(path, FERRY_COLUMNS)
    running, wait = [], []
    for i, r in rows:
        flag = r.in_service.lower()
        if flag not in _TRUE | _FALSE:
            raise PlannerInputError(
                f"in_service is {r.in_service!r}", file=path, row=i, field="in_service",
                hint="write true or false",
            )  # fmt: skip
        running.append(flag in _TRUE)
        if flag in _TRUE and not r.wait_min:
            raise PlannerInputError(
                "a band in service needs its boarding wait", file=path, row=i,
                field="wait_min", hint="give the average wait in minutes, e.g. 10",
            )  # fmt: skip
        minutes = _number(r.wait_min, path=path, row=i, field="wait_min") if running[-1] else 0
        wait.append(minutes * 60 if running[-1] else np.inf)
    frame["in_service"] = np.asarray(running, dtype=bool)
    frame["wait_s"] = np.asarray(wait, dtype=float)
    _check_bands(frame, path)
    return frame


@functools.lru_cache(maxsize=8)
def _load_exposure_table_cached(path: Path, _mtime_ns: int, _size: int) -> pd.DataFrame:
    frame = _read_csv(path, EXPOSURE_COLUMNS)
    seen: dict[tuple[str, str], int] = {}
    shares = []
    for i, r in enumerate(frame.itertuples(index=False), start=1):
        share = _number(r.exposure, path=path, row=i, field="exposure")
        if share > 1:
            raise PlannerInputError(
                f"exposure {r.exposure} is out of range", file=path, row=i, field="exposure",
                hint="a share of the band's slowdown, from 0 (none) to 1 (all of it)",
            )  # fmt: skip
        shares.append(share)
        for field, names, known in (("area", r.area, AREAS), ("classes", r.classes, ROAD_CLASSES)):
            unknown = [n for n in names.split() if n not in known]
            if unknown or not names.split():
                raise PlannerInputError(
                    f"unknown {field} {unknown[0]!r}" if unknown else f"no {field} given",
                    file=path, row=i, field=field,
                    hint=f"space-separated names among {', '.join(known)}",
                )  # fmt: skip
        for pair in ((a, c) for a in r.area.split() for c in r.classes.split()):
            if pair in seen:
                raise PlannerInputError(
                    f"area {pair[0]!r} and class {pair[1]!r} are given twice (also row "
                    f"{seen[pair]})", file=path, row=i, field="classes",
                    hint="give each (area, class) pair once",
                )  # fmt: skip
            seen[pair] = i
    missing = [(a, c) for a in AREAS for c in ROAD_CLASSES if (a, c) not in seen]
    if missing:
        raise PlannerInputError(
            f"no exposure for area {missing[0][0]!r} and class {missing[0][1]!r} "
            f"({len(missing)} pair(s) missing)", file=path, field="classes",
            hint=f"every area ({', '.join(AREAS)}) needs every class ({', '.join(ROAD_CLASSES)})",
        )  # fmt: skip
    frame["exposure"] = np.asarray(shares, dtype=float)
    return frame


# our tables: file name in geodata/ and the parser of a file (cached per file version), by kind
_AUTHORED = {
    "speeds": ("speeds.csv", _load_speed_table_cached),
    "congestion": ("congestion.csv", _load_congestion_table_cached),
    "exposure": ("congestion_by_area.csv", _load_exposure_table_cached),
    "ferries": ("ferries.csv", _load_ferry_table_cached),
}
