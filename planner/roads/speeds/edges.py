"""Per-edge speeds and travel times of a mode at a departure time, and their profile key.

Travel times are derived per (graph, mode, time profile) in one vector operation and
memoised, so one cached graph serves every mode and hour; :func:`time_profile_key` names the
profile of a mode and departure time. :mod:`planner.roads.speeds` exports the public names.
"""

from __future__ import annotations

import datetime as dt
import logging
import weakref

import numpy as np
import pandas as pd

from planner.errors import PlannerInputError
from planner.roads._areas import data_version
from planner.roads.graph import TravelGraph
from planner.roads.speeds.bands import cell_factors, congestion_factor, edge_cells, ferry_wait_s
from planner.roads.speeds.tables import (
    FERRY,
    check_mode,
    load_speed_table,
    profile_digest,
    ramp_base,
    tables_or_ours,
)

log = logging.getLogger(__name__)


# graph -> {time profile key: read-only seconds per edge}; dies with the graph.
_TIMES_MEMO: weakref.WeakKeyDictionary[TravelGraph, dict[tuple, np.ndarray]] = (
    weakref.WeakKeyDictionary()
)


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
        One of :data:`planner.requests.MODES`.
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
    >>> from planner.config import data_file
    >>> from planner.roads.network import load_network
    >>> from planner.roads.speeds import edge_speeds_kph
    >>> graph = load_network(data_file("fixtures/van_mieu_osm.osm"))  # the streets by Văn Miếu
    >>> night = edge_speeds_kph(graph, mode="car", depart="03:00")
    >>> peak = edge_speeds_kph(graph, mode="car", depart="08:00")
    >>> float(np.nanmax(night)), float(np.nanmax(peak))
    (45.0, 27.0)
    """
    table = load_speed_table() if speeds is None else speeds
    # per (area, class) cell first, then one gather over the edges
    cell_kph = _class_speeds_kph(graph.class_names, table, mode)[None, :] * cell_factors(
        graph, mode, depart, congestion, exposure
    )
    kph = cell_kph.ravel()[edge_cells(graph)]
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
    >>> from planner.config import data_file
    >>> from planner.roads.network import load_network
    >>> from planner.roads.speeds import edge_travel_times
    >>> graph = load_network(data_file("fixtures/van_mieu_osm.osm"))
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
        tables = tables_or_ours(speeds, congestion, exposure, ferries)
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
        One of :data:`planner.requests.MODES`.
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
    check_mode(mode)
    return (
        mode,
        congestion_factor(depart, mode=mode, table=congestion),
        ferry_wait_s(depart, mode=mode, table=ferries),
        profile_digest(speeds, "speeds"),
        profile_digest(exposure, "exposure"),
        data_version(),
    )


def snap_speed_kph(*, mode: str, speeds: pd.DataFrame | None = None) -> float:
    """Return the speed of the straight-line snap leg for a mode (the ``snap`` row), km/h.

    Parameters
    ----------
    mode : str
        One of :data:`planner.requests.MODES`.
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
    check_mode(mode)
    table = load_speed_table() if speeds is None else speeds
    row = table[(table["class"] == "snap") & (table["mode"] == mode)]
    if row.empty:
        raise PlannerInputError(
            f"the speed table has no snap row for mode {mode!r}",
            field="class",
            hint=f"add a row 'snap,{mode},<speed_kph>,true,<reason>'",
        )
    return float(row["speed_kph"].iloc[0])


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


def _class_speeds_kph(class_names: tuple[str, ...], table: pd.DataFrame, mode: str) -> np.ndarray:
    """Free-flow speed per class code for a mode, NaN where the mode may not use the class."""
    check_mode(mode)
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
        base = ramp_base(name)
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
