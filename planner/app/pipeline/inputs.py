"""A run's inputs: the roads and the facilities, Hanoi's or anyone's, anywhere on Earth.

:func:`road_network` loads the roads (a file or folder, or the Hanoi MBTiles);
:func:`study_area` is the area a user's facilities must lie in (the roads' own area);
:func:`load_inputs` and :func:`facilities_for` give the facilities (the Hanoi registry of a
scheme, or a user's file checked against that area); :func:`split_levels` parts them into
regional hospitals and the units they pair with; :func:`is_hanoi_registry` tells the Hanoi
registry from a user's facilities. :class:`RunInputs` says where a run's roads, facilities and
candidate sites came from, so that its scenario (:mod:`planner.app.pipeline.scenario`) can name
them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from planner.config import CRS_LONLAT, DEFAULT_MAX_SNAP_M, DEFAULT_SCHEME, metric_crs
from planner.errors import PlannerInputError
from planner.roads.graph import TravelGraph

T = TypeVar("T")

#: ``source`` values meaning the Hanoi default (the MBTiles in the data folder).
HANOI_SOURCE_KEYWORDS = ("hanoi", "mbtiles")


def is_hanoi_source(source: str | os.PathLike[str] | None) -> bool:
    """Whether ``source`` means the Hanoi roads (``None``, ``"hanoi"`` or ``"mbtiles"``).

    Parameters
    ----------
    source : str or os.PathLike or None
        Where the roads come from, as given to :func:`road_network`: a file or folder, a
        keyword of :data:`HANOI_SOURCE_KEYWORDS`, or ``None``.

    Returns
    -------
    bool
        True for ``None`` and the Hanoi keywords, False for anything else (a file or folder).

    Examples
    --------
    >>> is_hanoi_source(None), is_hanoi_source("roads.osm.pbf")
    (True, False)
    """
    return source is None or str(source) in HANOI_SOURCE_KEYWORDS


@dataclass(frozen=True)
class RunInputs:
    """Where a run's data came from, beyond its options: what its ``scenario.toml`` names.

    Attributes
    ----------
    facilities
        The facility file (an absolute path); ``None``: the Hanoi registry of the run's scheme.
    source
        The road file or folder (an absolute path); ``None``: the Hanoi MBTiles.
    thousands
        The thousands separator the facility file was read with.
    candidates
        A growth run's candidate sites (an absolute path); ``None``: none.
    k
        How many candidates the growth run opened (several: the run opened the last).
    robust
        The departure times a growth run's pairing holds at; ``None``: the main one only.
    unknown
        Inputs given in memory (``"facilities"``, ``"roads"``, ``"candidates"``), which no
        file names: a scenario with any cannot be replayed.

    Examples
    --------
    >>> inputs = RunInputs.of(facilities="tests/data/west_oakland/facilities.csv")
    >>> inputs.facilities.endswith("tests/data/west_oakland/facilities.csv"), inputs.source
    (True, None)
    """

    facilities: str | None = None
    source: str | None = None
    thousands: str | None = None
    candidates: str | None = None
    k: tuple[int, ...] = ()
    robust: tuple[str, ...] | None = None
    unknown: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        *,
        facilities: str | os.PathLike[str] | gpd.GeoDataFrame | None = None,
        source: str | os.PathLike[str] | None = None,
        graph: TravelGraph | None = None,
        thousands: str | None = None,
        candidates: object = None,
        k: int | Sequence[int] = (),
        robust: Sequence[str] | None = None,
    ) -> RunInputs:
        """The inputs as a run was given them: files as absolute paths; a table, or a graph
        loaded elsewhere, is unknown (the Hanoi graph excepted: it has one source)."""
        unknown: list[str] = []
        fac = None
        if isinstance(facilities, gpd.GeoDataFrame):
            unknown.append("facilities")
        elif facilities is not None:
            fac = str(Path(facilities).resolve())
        roads = None
        if not is_hanoi_source(source):
            roads = str(Path(str(source)).resolve())
        elif graph is not None and not graph.source.endswith(" (Hanoi)"):
            unknown.append("roads")  # hanoi_network's graph has one source; any other does not
        sites = None
        if isinstance(candidates, str | os.PathLike):
            sites = str(Path(candidates).resolve())
        elif candidates is not None:
            unknown.append("candidates")
        return cls(
            facilities=fac,
            source=roads,
            thousands=thousands,
            candidates=sites,
            k=(k,) if isinstance(k, int) else tuple(int(x) for x in k),
            robust=None if robust is None else tuple(robust),
            unknown=tuple(unknown),
        )


def road_network(source: str | os.PathLike[str] | None = None) -> TravelGraph:
    """Load a road network: a file or folder (see :func:`planner.roads.network.load_network`), or
    ``None``/``"hanoi"``/``"mbtiles"`` for the whole-Hanoi network.

    Parameters
    ----------
    source : str or os.PathLike or None
        An OSM file (``.osm``, ``.osm.pbf``, ``.osm.bz2``), a folder of them, or ``None``,
        ``"hanoi"`` or ``"mbtiles"`` for the Hanoi MBTiles in the data folder.

    Returns
    -------
    TravelGraph
        The road graph (cached on disk after the first build).

    Examples
    --------
    >>> road_network().n_nodes > 100_000
    True
    """
    from planner.roads.network import load_network

    return load_network(None if is_hanoi_source(source) else source)


def study_area(
    graph: TravelGraph | None = None, *, source: str | os.PathLike[str] | None = None
) -> BaseGeometry:
    """Return the area a user's facilities must lie in (EPSG:4326): the roads' own area.

    With a graph, the convex hull of its junctions widened by the snap threshold
    (:data:`planner.config.DEFAULT_MAX_SNAP_M`, measured in the data's own UTM zone): a
    facility outside it could not reach a road, wherever on Earth the roads are. Without one,
    the Hanoi province boundary for the Hanoi roads (no need to load them to check a file).

    Parameters
    ----------
    graph
        The road network; needed unless ``source`` is the Hanoi default.
    source
        Where the roads came from, as given to :func:`road_network`.

    Returns
    -------
    shapely.geometry.base.BaseGeometry
        A polygon in longitude/latitude.

    Raises
    ------
    ValueError
        No graph for a road network other than Hanoi's.

    Examples
    --------
    >>> from planner.config import data_file
    >>> area = study_area(road_network(data_file("fixtures/van_mieu_osm.osm")))
    >>> area.contains(shapely.Point(105.8355, 21.0285)), area.contains(shapely.Point(105.9, 21.0))
    (True, False)
    """
    if graph is None:
        if not is_hanoi_source(source):
            raise ValueError("study_area needs the graph of a road network other than Hanoi's")
        from planner.places.hanoi.areas import hanoi_boundary

        return hanoi_boundary()
    crs = metric_crs(graph.node_lon, graph.node_lat)
    to_metric = pyproj.Transformer.from_crs(CRS_LONLAT, crs, always_xy=True)
    to_lonlat = pyproj.Transformer.from_crs(crs, CRS_LONLAT, always_xy=True)
    x, y = to_metric.transform(graph.node_lon, graph.node_lat)
    hull = shapely.MultiPoint(np.column_stack([x, y])).convex_hull.buffer(DEFAULT_MAX_SNAP_M)
    return shapely.transform(hull, lambda xy: np.column_stack(to_lonlat.transform(*xy.T)))


def load_inputs(
    *,
    scheme: str = DEFAULT_SCHEME,
    facilities: str | os.PathLike[str] | gpd.GeoDataFrame | None = None,
    source: str | os.PathLike[str] | None = None,
    graph: TravelGraph | None = None,
    thousands: str | None = None,
) -> tuple[TravelGraph, gpd.GeoDataFrame]:
    """Load the road network and the facilities of a run.

    Parameters
    ----------
    scheme
        Administrative scheme of the Hanoi registry (used when ``facilities`` is ``None``).
    facilities
        A facility file (checked against the roads' :func:`study_area`, so it may lie anywhere
        on Earth and needs no Hanoi file), a facility GeoDataFrame, or ``None`` for the Hanoi
        registry.
    source
        Road network (see :func:`road_network`); ignored when ``graph`` is given.
    graph
        An already loaded road network.
    thousands
        Thousands separator of the facility file's population and capacity
        (see :func:`planner.places.facilities.load_facilities`).

    Returns
    -------
    (TravelGraph, geopandas.GeoDataFrame)
        The roads and the facilities (the facility contract).

    Examples
    --------
    >>> graph, fac = load_inputs(scheme="2025")
    >>> regional = fac[fac["level"] == "regional"]
    >>> len(regional), regional["hospital_id"].nunique()  # 4 hospitals at 7 sites
    (7, 4)
    """
    if graph is None and facilities is None:
        # The roads and the registry are independent: on a cold cache both are built (about
        # 12 s and 8 s here), the registry on a second thread (GEOS, numpy and the tile
        # decoder's processes leave the interpreter free much of the time).
        registry = _in_background(facilities_for, scheme)
        graph = road_network(source)
        return graph, registry.result()
    graph = graph if graph is not None else road_network(source)
    area = None
    if facilities is not None and not isinstance(facilities, gpd.GeoDataFrame):
        area = study_area(graph)
    return graph, facilities_for(scheme, facilities, area=area, thousands=thousands)


def _in_background(function: Callable[..., T], *args: Any) -> Future[T]:
    """Run ``function(*args)`` on a daemon thread: an interrupt (Ctrl-C) of the caller does not
    wait for it (a cache entry it was writing is never half-valid: :mod:`planner._cache`)."""
    future: Future[T] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(function(*args))
        except BaseException as exc:  # handed to the caller, which re-raises it
            future.set_exception(exc)

    threading.Thread(target=run, name=f"planner-{function.__name__}", daemon=True).start()
    return future


def facilities_for(
    scheme: str = DEFAULT_SCHEME,
    facilities: str | os.PathLike[str] | gpd.GeoDataFrame | None = None,
    *,
    area: BaseGeometry | None = None,
    thousands: str | None = None,
) -> gpd.GeoDataFrame:
    """Return the Hanoi registry of ``scheme``, or the user's facilities when given.

    Parameters
    ----------
    scheme
        Scheme of the registry.
    facilities
        A facility file (read by :func:`planner.places.facilities.load_facilities`) or GeoDataFrame
        (returned as is); ``None`` for the registry.
    area
        The area a file's facilities must lie in (see :func:`study_area`); ``None``: any.
    thousands
        Thousands separator of a file's population and capacity.

    Returns
    -------
    geopandas.GeoDataFrame

    Examples
    --------
    >>> len(facilities_for("2025"))  # 7 hospital sites, 30 district units, 126 communes
    163
    """
    if isinstance(facilities, gpd.GeoDataFrame):
        return facilities
    if facilities is not None:
        from planner.places.facilities import load_facilities

        return load_facilities(facilities, area=area, thousands=thousands)
    from planner.places.hanoi.registry import hanoi_facilities

    return hanoi_facilities(scheme=scheme)


def split_levels(fac: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Split facilities into regional hospitals (one row per site) and the units they pair
    with.

    Parameters
    ----------
    fac : geopandas.GeoDataFrame
        The facilities (contract of :mod:`planner.places.facilities`), with their ``level``.

    Returns
    -------
    (geopandas.GeoDataFrame, geopandas.GeoDataFrame)
        The ``regional`` rows (one per site) and the other rows (district and commune units).

    Raises
    ------
    PlannerInputError
        No regional hospital, or no unit.

    Examples
    --------
    >>> hospitals, units = split_levels(facilities_for("2025"))
    >>> len(hospitals), hospitals["hospital_id"].nunique(), len(units)  # 4 hospitals, 7 sites
    (7, 4, 156)
    """
    hospitals = fac[fac["level"] == "regional"]
    units = fac[fac["level"] != "regional"]
    if hospitals.empty:
        raise PlannerInputError(
            "no regional hospital among the facilities",
            field="level",
            hint="mark the hospitals that take sister units with level=regional",
        )
    if units.empty:
        raise PlannerInputError(
            "no district or commune unit among the facilities",
            field="level",
            hint="add units with level=district or level=commune",
        )
    return hospitals, units


def is_hanoi_registry(fac: gpd.GeoDataFrame) -> bool:
    """Whether the facilities are (a part of) the Hanoi registry (every id starts ``hn-``).

    Parameters
    ----------
    fac : geopandas.GeoDataFrame
        The facilities (``facility_id``).

    Returns
    -------
    bool

    Examples
    --------
    >>> is_hanoi_registry(facilities_for("2025"))
    True
    >>> import pandas as pd
    >>> is_hanoi_registry(pd.DataFrame({"facility_id": ["hn-reg-xanhpon", "clinic-7"]}))
    False
    """
    return bool(fac["facility_id"].astype(str).str.startswith("hn-").all())
