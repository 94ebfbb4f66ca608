"""Access from where people live: travel times from every populated cell, coverage, zonal statistics.

The population grid (:mod:`planner.places.population`) cuts the raster cells by the units' areas into
pieces; each piece is a point (inside the piece) with its people and its unit. Every piece is
snapped to the road graph like a facility and timed to every regional hospital in both
directions with :func:`planner.travel.matrix.travel_time_arrays` (the door-to-door times of
:func:`~planner.travel.matrix.travel_time_matrices` as arrays; road lengths are not summed: not
needed); a piece's time to a hospital is, as for a pair, the mean of hospital → piece and piece
→ hospital, to the hospital's site the ``site_rule`` chooses (its nearest site by default,
:mod:`planner.places.sites`). The cost grows with the number of hospitals, not of cells: the searches start from
the few hospitals. :func:`cell_access_sweep` does it for many departure times and modes at once:
the pieces are snapped once per mode and departures in the same congestion band share one
search.

Per piece: its unit, the unit's sister hospital (from a pairing; a commune missing from the
pairing follows its district unit) and the time to it, the nearest regional hospital and the
time to it, and the time to the unit's own district-level unit. Coverage counts the people
within given minutes of their sister and of their nearest hospital; zonal statistics give
population-weighted means and 90th percentiles per unit, district or hospital, beside the same
figures computed from the units' points, so a planner sees where points mislead. The people's
times also make a pairing matrix (:func:`demand_matrix`): each unit costs what its people's trips
cost, for :func:`planner.pairing.propose.propose_pairings` (``planner propose --demand cells``).

This module times the cells (:func:`cell_access`, :func:`cell_access_sweep`) on the default
population grid (:func:`default_grid`); :mod:`planner.access.zonal` derives coverage and
zonal statistics, :mod:`planner.access.demand` the people's pairing matrix and
:mod:`planner.access.tables` the tables and files.

This is the vector counterpart of AccessMod's accessibility and coverage analyses: AccessMod
(WHO) accumulates travel cost over a friction raster (a cost-distance spread from each facility
over land-cover cells, walking off road), whereas the planner routes on the road graph itself
and adds a straight snap leg from each cell to its nearest road at the mode's snap speed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planner._clock import depart_text
from planner.access._grid import buffered_hull, for_registry_part
from planner.config import CRS_LONLAT
from planner.errors import PlannerInputError
from planner.places.population import PopulationGrid, population_grid, voronoi_areas
from planner.places.sites import choose_sites, hospital_sites, take_sites
from planner.requests import DEFAULT_TRIP, Mode, TripRule
from planner.roads.graph import TravelGraph
from planner.travel.matrix import travel_time_arrays

log = logging.getLogger(__name__)


#: Columns of ``access_cells.csv`` (:meth:`CellAccess.table`).
ACCESS_COLUMNS = (
    "cell_id",
    "lat",
    "lon",
    "population",
    "unit_id",
    "sister_hospital_id",
    "time_to_sister_s",
    "nearest_hospital_id",
    "time_to_nearest_s",
    "time_to_district_unit_s",
)
#: A cell farther than this from the mode's roads is not reached (mountain, lake, river bar).
DEFAULT_CELL_SNAP_M = 5000.0
#: Every hour of the day, ``"00:00"`` to ``"23:00"`` (:func:`cell_access_sweep`'s default).
EVERY_HOUR = tuple(f"{hour:02d}:00" for hour in range(24))


@dataclass(frozen=True, eq=False)
class CellAccess:
    """Travel times from every populated cell piece to the hospitals and its district unit.

    Attributes
    ----------
    cells
        One row per populated (cell, unit) piece: :data:`ACCESS_COLUMNS`, then ``district``,
        ``snap_distance_m``, ``reached`` (snapped and timed to every hospital both ways) and
        ``geometry`` (the piece, EPSG:4326). Times are seconds, each the mean of the two
        directions; NaN where not reached.
    hospital_times_s
        Pair time (s) of every piece (rows, aligned with ``cells``) to every regional hospital
        (columns: hospital ids), to the site the trip rule's ``site_rule`` chose for that piece.
    units
        One row per unit owning grid pieces: ``unit_id``, ``district``, ``population``,
        ``sister_hospital_id``, ``point_time_to_sister_s``, ``point_nearest_hospital_id``,
        ``point_time_to_nearest_s``: the same figures from the unit's facility point.
    trip
        The trip rule the times follow (:class:`~planner.requests.TripRule`): its ``mode``,
        ``depart`` and ``site_rule`` (which site of a hospital the pieces' times are to,
        :mod:`planner.places.sites`). A piece's time is the mean of its two trips whatever the
        rule's ``directions`` (both trips are kept, for :func:`demand_matrix`).
    grid
        The population grid the people come from (calibration, attribution, notes).
    times_from_hospital_s, times_to_hospital_s
        The two trips behind ``hospital_times_s``: hospital → piece (staff visits) and
        piece → hospital (referrals), s, same layout.
    point_times_s
        Pair time (s) of every unit's point (index ``unit_id``, the rows of ``units``) to
        every hospital.
    facilities
        The facility table the pieces' units come from (for :meth:`with_pairings`).
    times_from_site_s, times_to_site_s
        The two trips between every piece and every site (columns: site ids), whichever the
        rule chose: what a pairing matrix of sites needs (:func:`demand_matrix`).

    Examples
    --------
    Two hospitals and three wards on the OSM fixture of the streets by Văn Miếu (the wards'
    people in round figures):

    >>> import pandas as pd
    >>> from planner.config import data_file
    >>> from planner.roads.network import load_network
    >>> graph = load_network(data_file("fixtures/van_mieu_osm.osm"))
    >>> fac = pd.DataFrame(
    ...     {"facility_id": ["xanh-pon", "trang-an", "cat-linh", "van-mieu", "dien-bien"],
    ...      "level": ["regional"] * 2 + ["commune"] * 3,
    ...      "district": ["Ba Đình", "Đống Đa", "Đống Đa", "Đống Đa", "Ba Đình"],
    ...      "lat": [21.0313, 21.0257, 21.0290, 21.0255, 21.0330],
    ...      "lon": [105.8352, 105.8350, 105.8283, 105.8320, 105.8380],
    ...      "population": [None, None, 12_000, 9_000, 10_000]})
    >>> access = cell_access(graph, fac)
    >>> len(access.cells), access.hospital_times_s.columns.tolist()
    (16, ['xanh-pon', 'trang-an'])
    >>> access.summary()["population"]  # the wards' census, spread over the cells
    31000.0
    """

    cells: gpd.GeoDataFrame
    hospital_times_s: pd.DataFrame
    units: pd.DataFrame
    trip: TripRule
    grid: PopulationGrid
    times_from_hospital_s: pd.DataFrame = field(default_factory=pd.DataFrame)
    times_to_hospital_s: pd.DataFrame = field(default_factory=pd.DataFrame)
    point_times_s: pd.DataFrame = field(default_factory=pd.DataFrame)
    facilities: pd.DataFrame | None = None
    times_from_site_s: pd.DataFrame = field(default_factory=pd.DataFrame)
    times_to_site_s: pd.DataFrame = field(default_factory=pd.DataFrame)

    def with_pairings(self, pairings: pd.DataFrame | None) -> CellAccess:
        """The same times with the sister hospitals of another pairing (no routing).

        Parameters
        ----------
        pairings
            ``unit_id``, ``hospital_id`` (a unit missing from it follows its district unit's
            hospital); ``None`` empties the sister columns.

        Returns
        -------
        CellAccess
        """
        if self.facilities is None:
            raise PlannerInputError(
                "this CellAccess does not know its facilities",
                field="facilities",
                hint="compute it with cell_access(...)",
            )
        info = _indexed(self.facilities)
        sister = _sister_of(self.cells["unit_id"], info, pairings)
        cells = self.cells.assign(
            sister_hospital_id=sister.to_numpy(),
            time_to_sister_s=_pick(self.hospital_times_s, sister),
        )
        unit_sister = _sister_of(self.units["unit_id"], info, pairings)
        units = self.units.assign(
            sister_hospital_id=unit_sister.to_numpy(),
            point_time_to_sister_s=_pick(self.point_times_s.reset_index(drop=True), unit_sister),
        )
        return dataclasses.replace(self, cells=cells, units=units)

    @property
    def attribution(self) -> str:
        """The population data's credit line (show it wherever the cells are shown)."""
        return self.grid.attribution

    def table(self) -> pd.DataFrame:
        """The ``access_cells.csv`` table: :data:`ACCESS_COLUMNS`, one row per piece."""
        return pd.DataFrame(self.cells[list(ACCESS_COLUMNS)])

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary: what was computed and from what."""
        reached = self.cells["reached"]
        return {
            "mode": self.trip.mode,
            "depart": self.trip.depart,
            "directions": "both",  # a piece's time is the mean of its two trips
            "site_rule": self.trip.site_rule,
            "pieces": len(self.cells),
            "population": float(self.cells["population"].sum()),
            "population_not_reached": float(self.cells.loc[~reached, "population"].sum()),
            "population_grid": self.grid.summary(),
        }


def cell_access(
    graph: TravelGraph,
    facilities: pd.DataFrame,
    pairings: pd.DataFrame | None = None,
    *,
    grid: PopulationGrid | None = None,
    trip: TripRule = DEFAULT_TRIP,
    max_snap_m: float = DEFAULT_CELL_SNAP_M,
    district_units: bool = True,
    speeds: pd.DataFrame | None = None,
) -> CellAccess:
    """Time every populated cell piece to the regional hospitals and to its district unit.

    Parameters
    ----------
    graph
        The road graph.
    facilities
        The facilities (contract of :mod:`planner.places.facilities`): the regional hospitals and the
        units the grid's pieces belong to.
    pairings
        A pairing (``unit_id``, ``hospital_id``); ``None`` leaves the sister columns empty
        (:meth:`CellAccess.with_pairings` fills them later without routing again). A unit
        missing from it follows its district unit's hospital.
    grid
        The population grid; ``None`` builds the default (:func:`default_grid`).
    trip
        How the pieces travel (:class:`~planner.requests.TripRule`): its ``mode`` and
        ``depart`` (as for :func:`planner.travel.matrix.travel_time_matrix`) and its
        ``site_rule`` (which site of a hospital of several sites a piece's time is to:
        ``"nearest"`` or ``"main"``, :mod:`planner.places.sites`).
    max_snap_m
        Pieces farther than this from the mode's roads are not reached.
    district_units
        Also time each piece to its district unit (both ways); ``False`` skips those searches.
    speeds
        A speed table, as for :func:`planner.travel.matrix.travel_time_matrix`.

    Returns
    -------
    CellAccess

    Examples
    --------
    Two hospitals and three wards on the OSM fixture of the streets by Văn Miếu (the wards'
    people in round figures):

    >>> import pandas as pd
    >>> from planner.config import data_file
    >>> from planner.roads.network import load_network
    >>> graph = load_network(data_file("fixtures/van_mieu_osm.osm"))
    >>> fac = pd.DataFrame(
    ...     {"facility_id": ["xanh-pon", "trang-an", "cat-linh", "van-mieu", "dien-bien"],
    ...      "level": ["regional"] * 2 + ["commune"] * 3,
    ...      "district": ["Ba Đình", "Đống Đa", "Đống Đa", "Đống Đa", "Ba Đình"],
    ...      "lat": [21.0313, 21.0257, 21.0290, 21.0255, 21.0330],
    ...      "lon": [105.8352, 105.8350, 105.8283, 105.8320, 105.8380],
    ...      "population": [None, None, 12_000, 9_000, 10_000]})
    >>> access = cell_access(graph, fac)
    >>> bool((access.cells["time_to_nearest_s"] > 0).all())
    True
    >>> round(float(access.cells["time_to_nearest_s"].max()) / 60, 1)  # minutes, the farthest
    6.9
    """
    request = _prepare(graph, facilities, grid)
    options = {"mode": trip.mode, "max_snap_m": max_snap_m, "speeds": speeds}
    (times,) = _hospital_times(graph, request, departs=[trip.depart], **options).values()
    district_s = None
    if district_units:
        district_s = _district_unit_times(graph, request, departs=[trip.depart], **options)
    return _assemble(
        request, times, pairings, trip=trip, district_s=district_s, max_snap_m=max_snap_m
    )


def cell_access_sweep(
    graph: TravelGraph,
    facilities: pd.DataFrame,
    pairings: pd.DataFrame | None = None,
    *,
    modes: Sequence[Mode] = ("car",),
    departs: Sequence[str | dt.time] = EVERY_HOUR,
    grid: PopulationGrid | None = None,
    max_snap_m: float = DEFAULT_CELL_SNAP_M,
    district_units: bool = False,
    speeds: pd.DataFrame | None = None,
    trip: TripRule = DEFAULT_TRIP,
) -> dict[tuple[str, str], CellAccess]:
    """:func:`cell_access` for several modes and departure times, sharing what they share.

    The grid, the pieces and the sister hospitals are prepared once; each mode snaps the
    pieces once (a snap depends on the mode's roads, not on the hour); departures with the
    same per-edge times (:func:`planner.roads.speeds.time_profile_key`) share one search. Every
    result equals what :func:`cell_access` returns for that mode and departure.

    Parameters
    ----------
    graph, facilities, pairings, grid, max_snap_m, speeds
        As for :func:`cell_access`.
    modes
        Travel modes (default car).
    departs
        Departure times (default every hour, ``"00:00"`` to ``"23:00"``).
    trip
        The trip rule every result shares but for its mode and departure (its
        ``site_rule``); each result's :attr:`CellAccess.trip` has its own mode and time.
    district_units
        Also time each piece to its district unit at every mode and departure (off by
        default: 30 searches each way for the Hanoi districts).

    Returns
    -------
    dict
        ``(mode, "HH:MM") -> CellAccess``.

    Notes
    -----
    The routers of every time profile stay in memory with the graph (about 100 MB each on
    Hanoi: 3 modes x 24 hours are 22 profiles), so later calls at those times are quick.

    Examples
    --------
    Two hospitals and three wards on the OSM fixture of the streets by Văn Miếu (the wards'
    people in round figures):

    >>> import pandas as pd
    >>> from planner.config import data_file
    >>> from planner.roads.network import load_network
    >>> graph = load_network(data_file("fixtures/van_mieu_osm.osm"))
    >>> fac = pd.DataFrame(
    ...     {"facility_id": ["xanh-pon", "trang-an", "cat-linh", "van-mieu", "dien-bien"],
    ...      "level": ["regional"] * 2 + ["commune"] * 3,
    ...      "district": ["Ba Đình", "Đống Đa", "Đống Đa", "Đống Đa", "Ba Đình"],
    ...      "lat": [21.0313, 21.0257, 21.0290, 21.0255, 21.0330],
    ...      "lon": [105.8352, 105.8350, 105.8283, 105.8320, 105.8380],
    ...      "population": [None, None, 12_000, 9_000, 10_000]})
    >>> sweep = cell_access_sweep(graph, fac, departs=["07:00", "10:00"])
    >>> sorted(sweep)
    [('car', '07:00'), ('car', '10:00')]
    >>> [round(a.cells["time_to_nearest_s"].mean()) for a in sweep.values()]  # seconds
    [312, 276]
    """
    request = _prepare(graph, facilities, grid)
    out: dict[tuple[str, str], CellAccess] = {}
    for mode in modes:
        options = {"mode": mode, "max_snap_m": max_snap_m, "speeds": speeds}
        by_depart = _hospital_times(graph, request, departs=departs, **options)
        for depart, times in by_depart.items():
            district_s = None
            if district_units:
                district_s = _district_unit_times(graph, request, departs=[depart], **options)
            at = dataclasses.replace(trip, mode=mode, depart=depart_text(depart) or trip.depart)
            access = _assemble(
                request, times, pairings, trip=at, district_s=district_s, max_snap_m=max_snap_m
            )
            out[(mode, at.depart)] = access
    return out


def default_grid(
    facilities: pd.DataFrame,
    *,
    graph: TravelGraph | None = None,
    raster: str | Path | None = None,
) -> PopulationGrid:
    """The population grid for a set of facilities.

    The Hanoi registry (ids ``hn-``) uses :func:`planner.places.hanoi.hanoi_population_grid` of its
    scheme; for a part of the registry, the people of a commune not among the facilities count
    in its district unit when that is there, and people of no given unit are left out (the
    grid's ``notes`` and the log say how many). Other facilities: the areas are the Voronoi cells of the finest level of units
    (communes if any, else districts) within the road graph's convex hull (or 5 km around the
    units without a graph); the grid is calibrated to the units' ``population`` when every one
    has it, else it keeps the raw raster values (and says so).

    Parameters
    ----------
    facilities : pandas.DataFrame
        The facilities (contract of :mod:`planner.places.facilities`): ``facility_id``, ``level``,
        ``lat``, ``lon``, and ``population`` (the census) for calibration.
    graph : TravelGraph or None
        The road graph: its junctions' convex hull bounds the units' areas (other facilities
        than the Hanoi registry only); ``None``: 5 km around the units.
    raster : str or pathlib.Path or None
        A raster of people per cell (e.g. a WorldPop ``ppp`` GeoTIFF); ``None``: the default
        WorldPop 2020 raster of Vietnam.

    Returns
    -------
    PopulationGrid
        The raster cells cut by the units' areas, each piece with its people and its unit.

    Raises
    ------
    PlannerInputError
        No district or commune unit to spread the population over, or no raster covers them.

    Examples
    --------
    >>> import warnings
    >>> from planner.places.hanoi import hanoi_facilities
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     grid = default_grid(hanoi_facilities(scheme="2025"))
    >>> grid.calibrated, int(grid.total)
    (True, 8053663)
    """
    ids = facilities["facility_id"].astype(str)
    schemes = set(facilities.get("scheme", pd.Series(dtype=str)).dropna().astype(str))
    if ids.str.startswith("hn-").all() and len(schemes) == 1 and schemes <= {"2024", "2025"}:
        from planner.places.hanoi.grid import hanoi_population_grid

        scheme = schemes.pop()
        return for_registry_part(hanoi_population_grid(scheme=scheme), facilities, scheme)
    units = facilities[facilities["level"] != "regional"]
    finest = units[
        units["level"] == ("commune" if (units["level"] == "commune").any() else "district")
    ]
    if finest.empty:
        raise PlannerInputError(
            "no district or commune unit to spread the population over",
            field="level",
            hint="add units with level=district or level=commune",
        )
    if graph is not None:
        within = shapely.convex_hull(
            shapely.multipoints(np.column_stack([graph.node_lon, graph.node_lat]))
        )
    else:
        within = buffered_hull(finest, 5000.0)
    areas = voronoi_areas(pd.DataFrame(finest), within=within)
    has_census = (
        "population" in finest
        and pd.to_numeric(finest["population"], errors="coerce").notna().all()
    )
    if not has_census:
        log.info("no population for every unit: the grid keeps the raw raster values (WorldPop)")
    return population_grid(areas, population="population" if has_census else None, raster=raster)


@dataclass(frozen=True, eq=False)
class _Request:
    """What every mode and departure of a cell-access request shares."""

    grid: PopulationGrid
    facilities: pd.DataFrame
    info: pd.DataFrame  # the facilities indexed by facility_id
    hospitals: pd.DataFrame
    pieces: gpd.GeoDataFrame  # the populated pieces, with their district
    unit_ids: pd.Index  # the units owning pieces
    points: pd.DataFrame  # the pieces, then the units' points: facility_id, lat, lon


@dataclass(frozen=True, eq=False)
class _Times:
    """Hospital -> point and point -> hospital times (s), shape (points, hospitals)."""

    go: np.ndarray
    come: np.ndarray
    snap_m: np.ndarray  # each point's snap distance


def _indexed(facilities: pd.DataFrame) -> pd.DataFrame:
    return facilities.assign(facility_id=facilities["facility_id"].astype(str)).set_index(
        "facility_id"
    )


def _prepare(graph: TravelGraph, facilities: pd.DataFrame, grid: PopulationGrid | None) -> _Request:
    """Check the inputs and lay out the points to time: the populated pieces, then the units."""
    hospitals = facilities[facilities["level"] == "regional"]
    if hospitals.empty:
        raise PlannerInputError(
            "no regional hospital among the facilities",
            field="level",
            hint="mark the hospitals with level=regional",
        )
    grid = grid if grid is not None else default_grid(facilities, graph=graph)
    info = _indexed(facilities)
    pieces = grid.cells[grid.cells["population"] > 0].reset_index(drop=True)
    unknown = ~pieces["unit_id"].isin(info.index)
    if unknown.any():
        raise PlannerInputError(
            f"grid unit {pieces.loc[unknown, 'unit_id'].iloc[0]!r} is not among the facilities",
            field="unit_id",
            hint="build the grid from the same facilities (default_grid does)",
        )
    district = pieces["unit_id"].map(info["district"]) if "district" in info else None
    pieces = pieces.assign(district=district)
    unit_ids = pd.Index(pieces["unit_id"].unique())
    points = pd.concat(
        [
            pd.DataFrame({"facility_id": "cell:" + pieces.index.astype(str),
                          "lat": pieces["lat"], "lon": pieces["lon"]}),
            pd.DataFrame({"facility_id": unit_ids, "lat": info.loc[unit_ids, "lat"].to_numpy(),
                          "lon": info.loc[unit_ids, "lon"].to_numpy()}),
        ],
        ignore_index=True,
    )  # fmt: skip
    return _Request(grid, facilities, info, hospitals, pieces, unit_ids, points)


def _hospital_times(
    graph: TravelGraph, request: _Request, *, departs: Sequence[Any], **options: Any
) -> dict[Any, _Times]:
    """Both trips between the hospitals and every point, per departure: the points snapped
    once, one search per hospital and direction per distinct time profile."""
    return {
        depart: _Times(go, come, snap)
        for depart, (go, come, snap) in _both_ways(
            graph, request.hospitals, request.points, departs=departs, **options
        ).items()
    }


def _both_ways(
    graph: TravelGraph,
    hospitals: pd.DataFrame,
    points: pd.DataFrame,
    *,
    departs: Sequence[Any],
    **options: Any,
) -> dict[Any, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Hospital -> point and point -> hospital times, shape (points, hospitals), and each
    point's snap distance, per departure (road lengths are not summed: not needed)."""
    out = travel_time_arrays(graph, hospitals, points, departs=departs, **options)
    back = travel_time_arrays(graph, points, hospitals, departs=departs, **options)
    return {depart: (go.T, back[depart][0], snap_m) for depart, (go, snap_m) in out.items()}


def _assemble(
    request: _Request,
    times: _Times,
    pairings: pd.DataFrame | None,
    *,
    trip: TripRule,
    district_s: np.ndarray | None,
    max_snap_m: float,
) -> CellAccess:
    """A :class:`CellAccess` from the times of one mode and departure."""
    pieces, info, unit_ids = request.pieces, request.info, request.unit_ids
    n = len(pieces)
    sites = hospital_sites(request.hospitals)
    # both trips of a piece use the one site the rule chooses for it (as for a pair)
    chosen = choose_sites((times.go + times.come) / 2.0, sites, trip.site_rule)
    go, come = take_sites(times.go, chosen), take_sites(times.come, chosen)
    columns = list(sites.hospital_ids)
    site_columns = list(sites.site_ids)
    pair = (go + come) / 2.0
    hospital_times = pd.DataFrame(pair[:n], columns=columns)
    point_times = pd.DataFrame(pair[n:], index=unit_ids, columns=columns)
    nearest_id, nearest_s = _nearest(hospital_times)
    reached = np.isfinite(hospital_times.to_numpy()).all(axis=1)
    cells = gpd.GeoDataFrame(
        {
            "cell_id": pieces["cell_id"],
            "lat": pieces["lat"],
            "lon": pieces["lon"],
            "population": pieces["population"],
            "unit_id": pieces["unit_id"],
            "sister_hospital_id": None,
            "time_to_sister_s": np.nan,
            "nearest_hospital_id": nearest_id,
            "time_to_nearest_s": nearest_s,
            "time_to_district_unit_s": np.full(n, np.nan) if district_s is None else district_s,
            "district": pieces["district"],
            "snap_distance_m": times.snap_m[:n],
            "reached": reached,
        },
        geometry=pieces.geometry.to_numpy(),
        crs=CRS_LONLAT,
    )
    point_nearest_id, point_nearest_s = _nearest(point_times)
    totals = pieces.groupby("unit_id")["population"].sum()
    units = pd.DataFrame(
        {
            "unit_id": unit_ids,
            "district": info.loc[unit_ids, "district"].to_numpy() if "district" in info else None,
            "population": totals.reindex(unit_ids).to_numpy(),
            "sister_hospital_id": None,
            "point_time_to_sister_s": np.nan,
            "point_nearest_hospital_id": point_nearest_id,
            "point_time_to_nearest_s": point_nearest_s,
        }
    )
    not_reached = cells.loc[~reached, "population"].sum()
    log.info(
        "cell access (%s, depart %s): %d pieces, %s people; %s not reached (farther than %.0f m "
        "from a %s road or cut off)", trip.mode, trip.depart, n,
        f"{cells['population'].sum():,.0f}", f"{not_reached:,.0f}", max_snap_m, trip.mode,
    )  # fmt: skip
    access = CellAccess(
        cells=cells,
        hospital_times_s=hospital_times,
        units=units,
        trip=trip,
        grid=request.grid,
        times_from_hospital_s=pd.DataFrame(go[:n], columns=columns),
        times_to_hospital_s=pd.DataFrame(come[:n], columns=columns),
        point_times_s=point_times,
        facilities=request.facilities,
        times_from_site_s=pd.DataFrame(times.go[:n], columns=site_columns),
        times_to_site_s=pd.DataFrame(times.come[:n], columns=site_columns),
    )
    return access.with_pairings(pairings)


def _district_unit_times(
    graph: TravelGraph, request: _Request, *, departs: Sequence[Any], **options: Any
) -> np.ndarray:
    """Each piece's pair time to the district-level unit of its district (NaN when none)."""
    pieces, facilities = request.pieces, request.facilities
    out = np.full(len(pieces), np.nan)
    district_units = facilities[facilities["level"] == "district"]
    if district_units.empty or pieces["district"].isna().all():
        return out
    by_district = district_units.drop_duplicates("district").set_index("district")["facility_id"]
    target = pieces["district"].map(by_district)
    wanted = district_units[district_units["facility_id"].isin(set(target.dropna()))]
    if wanted.empty:
        return out
    points = request.points.iloc[: len(pieces)].reset_index(drop=True)
    ((go, come, _),) = _both_ways(graph, wanted, points, departs=departs, **options).values()
    pair = (go + come) / 2.0
    column = pd.Index(wanted["facility_id"].astype(str)).get_indexer(target.astype(str))
    has = column >= 0
    out[has] = pair[np.flatnonzero(has), column[has]]
    return out


def _sister_of(unit_ids: pd.Series, info: pd.DataFrame, pairings: pd.DataFrame | None) -> pd.Series:
    """Each unit's sister hospital: its own pair, else its district unit's (NA when none)."""
    if pairings is None:
        return pd.Series(pd.NA, index=unit_ids.index, dtype=object)
    pairs = dict(
        zip(pairings["unit_id"].astype(str), pairings["hospital_id"].astype(str), strict=True)
    )
    sister = unit_ids.astype(str).map(pairs)
    missing = sister.isna()
    if missing.any() and "district" in info and "level" in info:
        district_units = info[info["level"] == "district"]
        by_district = {
            d: pairs[i]
            for i, d in zip(district_units.index, district_units["district"], strict=True)
            if i in pairs
        }
        sister[missing] = unit_ids[missing].map(info["district"]).map(by_district)
    return sister.astype(object).where(sister.notna(), None)


def _nearest(times: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    values = times.to_numpy()
    finite = np.isfinite(values)
    best = np.where(finite, values, np.inf).argmin(axis=1)
    time_s = np.where(finite.any(axis=1), values[np.arange(len(values)), best], np.nan)
    ids = times.columns.to_numpy()[best].astype(object)
    ids[~finite.any(axis=1)] = None
    return ids, time_s


def _pick(times: pd.DataFrame, hospital: pd.Series) -> np.ndarray:
    column = times.columns.get_indexer(hospital.astype(object).where(hospital.notna(), ""))
    out = np.full(len(times), np.nan)
    has = column >= 0
    out[has] = times.to_numpy()[np.flatnonzero(has), column[has]]
    return out
