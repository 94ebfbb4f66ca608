"""Congestion by departure band: the band's factor, the ferry wait, and each edge's share.

A departure time falls in one band of the congestion table (a speed factor) and one of the
ferry table (a boarding wait, or closed). An edge suffers the band's slowdown in proportion to
its area's and class's exposure: ``1 - exposure * (1 - band factor)``.
:mod:`planner.roads.speeds` exports the public names.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Sequence

import numpy as np
import pandas as pd

from planner._clock import parse_depart
from planner.errors import PlannerInputError
from planner.roads._areas import AREAS, edge_areas
from planner.roads.graph import TravelGraph
from planner.roads.speeds.tables import (
    check_mode,
    load_congestion_table,
    load_exposure_table,
    load_ferry_table,
    ramp_base,
)

# graph -> (its edge areas, flat (area, class) cell of every edge); dies with the graph.
_CELLS: weakref.WeakKeyDictionary[TravelGraph, tuple[np.ndarray, np.ndarray]] = (
    weakref.WeakKeyDictionary()
)


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
        One of :data:`planner.requests.MODES`.
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
        One of :data:`planner.requests.MODES`.
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
        One of :data:`planner.requests.MODES`.
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
    >>> from planner.config import data_file
    >>> from planner.roads.network import load_network
    >>> from planner.roads.speeds import edge_congestion_factors
    >>> graph = load_network(data_file("fixtures/van_mieu_osm.osm"))  # the streets by Văn Miếu
    >>> factors = edge_congestion_factors(graph, mode="car", depart="08:00")
    >>> float(factors.min()), float(factors.max())
    (0.6, 1.0)
    """
    return cell_factors(graph, mode, depart, congestion, exposure).ravel()[edge_cells(graph)]


def _band_value(
    bands: pd.DataFrame,
    depart: str | dt.time | dt.datetime | None,
    *,
    mode: str,
    what: str,
    column: str,
) -> float:
    """A column of the band (congestion, ferries) in force at a departure time."""
    check_mode(mode)
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


def area_class_factors(
    classes: Sequence[str],
    *,
    mode: str,
    depart: str | dt.time | dt.datetime | None,
    congestion: pd.DataFrame | None = None,
    exposure: pd.DataFrame | None = None,
) -> np.ndarray:
    """Return the share of free-flow speed per area type and road class at a departure time.

    The factor every edge of that area and class gets (:func:`edge_congestion_factors`):
    ``1 - exposure[area, class] * (1 - band factor)``; what the report shows as the traffic
    that ran.

    Parameters
    ----------
    classes : sequence of str
        Road classes (``"primary"``, ``"minor"``, ``"ferry"``, slip roads as ``<class>_link``).
    mode : str
        One of :data:`planner.requests.MODES`.
    depart : str, datetime.time, datetime.datetime or None
        The departure time, as for :func:`congestion_factor`.
    congestion, exposure : pandas.DataFrame, optional
        Tables from :func:`load_congestion_table` / :func:`load_exposure_table`; ``None`` uses
        ours.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(AREAS), len(classes))``: rows in the order of :data:`AREAS`.

    Examples
    --------
    >>> from planner.roads import AREAS
    >>> factors = area_class_factors(["primary", "minor"], mode="car", depart="08:00")
    >>> dict(zip(AREAS, factors[:, 0].round(2).tolist()))
    {'core': 0.6, 'suburban': 0.8, 'rural': 0.9, 'other': 0.8}
    """
    factor = congestion_factor(depart, mode=mode, table=congestion)
    table = load_exposure_table() if exposure is None else exposure
    return 1.0 - _exposure_matrix(tuple(classes), table) * (1.0 - factor)


def cell_factors(
    graph: TravelGraph,
    mode: str,
    depart: str | dt.time | dt.datetime | None,
    congestion: pd.DataFrame | None,
    exposure: pd.DataFrame | None,
) -> np.ndarray:
    """Speed factor per (area code, class code) at a departure time.

    :func:`area_class_factors` for the graph's road classes; indexed with :func:`edge_cells`
    it gives every edge's factor (:func:`edge_congestion_factors`, and the congested speeds
    of :func:`planner.roads.speeds.edge_speeds_kph`).

    Parameters
    ----------
    graph : TravelGraph
        The road graph (its ``class_names`` give the columns).
    mode : str
        One of :data:`planner.requests.MODES`.
    depart : str, datetime.time, datetime.datetime or None
        The departure time, as for :func:`congestion_factor`.
    congestion, exposure : pandas.DataFrame or None
        Tables from :func:`load_congestion_table` / :func:`load_exposure_table`; ``None`` uses
        ours.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(AREAS), len(graph.class_names))``: the share of free-flow speed (0 to 1)
        per area (rows in the order of :data:`AREAS`) and class code.

    Examples
    --------
    >>> import numpy as np
    >>> from planner.roads.graph import TravelGraph
    >>> # one primary edge in Hoàn Kiếm (core area), one minor edge in Ba Vì (rural area)
    >>> lon, lat = np.array([105.85, 105.86, 105.40, 105.41]), np.array([21.03, 21.03, 21.1, 21.1])
    >>> graph = TravelGraph(node_lon=lon, node_lat=lat, node_id=np.arange(4),
    ...     indptr=np.array([0, 1, 1, 2, 2]), edge_from=np.array([0, 2]), edge_to=np.array([1, 3]),
    ...     edge_length_m=np.array([1000.0, 1000.0]), edge_class=np.array([0, 1]),
    ...     class_names=("primary", "minor"), edge_geom_offsets=np.array([0, 2, 4]),
    ...     geom_lon=lon, geom_lat=lat, source="two edges")
    >>> factors = cell_factors(graph, "car", "08:00", None, None)
    >>> factors.shape, dict(zip(graph.class_names, factors[AREAS.index("core")].tolist()))
    ((4, 2), {'primary': 0.6, 'minor': 0.8})
    """
    return area_class_factors(
        graph.class_names, mode=mode, depart=depart, congestion=congestion, exposure=exposure
    )


def edge_cells(graph: TravelGraph) -> np.ndarray:
    """Each edge's (area, class) cell as a flat index into an (areas, classes) array.

    The cell is ``area code * len(graph.class_names) + class code``, so that
    ``cell_factors(...).ravel()[edge_cells(graph)]`` is every edge's factor. Memoised per
    graph (recomputed when its edge areas change, i.e. a new version of the area data).

    Parameters
    ----------
    graph : TravelGraph
        The road graph; an edge's area is the area of its middle point.

    Returns
    -------
    numpy.ndarray
        One integer per edge, in edge order.

    Examples
    --------
    >>> import numpy as np
    >>> from planner.roads.graph import TravelGraph
    >>> # one primary edge in Hoàn Kiếm (core area), one minor edge in Ba Vì (rural area)
    >>> lon, lat = np.array([105.85, 105.86, 105.40, 105.41]), np.array([21.03, 21.03, 21.1, 21.1])
    >>> graph = TravelGraph(node_lon=lon, node_lat=lat, node_id=np.arange(4),
    ...     indptr=np.array([0, 1, 1, 2, 2]), edge_from=np.array([0, 2]), edge_to=np.array([1, 3]),
    ...     edge_length_m=np.array([1000.0, 1000.0]), edge_class=np.array([0, 1]),
    ...     class_names=("primary", "minor"), edge_geom_offsets=np.array([0, 2, 4]),
    ...     geom_lon=lon, geom_lat=lat, source="two edges")
    >>> edge_cells(graph).tolist()  # core x primary: 0 * 2 + 0; rural x minor: 2 * 2 + 1
    [0, 5]
    >>> cell_factors(graph, "car", "08:00", None, None).ravel()[edge_cells(graph)].tolist()
    [0.6, 1.0]
    """
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
        base = ramp_base(name)
        base = name if base is None else base
        for a, area in enumerate(AREAS):
            out[a, code] = given.get((area, base), 1.0)
    return out
