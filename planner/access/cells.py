"""Access from where people live: travel times from every populated cell, coverage, zonal statistics.

The population grid (:mod:`planner.places.population`) cuts the raster cells by the units' areas into
pieces; each piece is a point (inside the piece) with its people and its unit. Every piece is
snapped to the road graph like a facility and timed to every regional hospital in both
directions with :func:`planner.travel.matrix.travel_time_matrices` (road lengths are not summed: not
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

from planner._vn import district_key
from planner.config import CRS_LONLAT
from planner.errors import PlannerInputError
from planner.places.population import PopulationGrid, population_grid, voronoi_areas
from planner.places.sites import DEFAULT_SITE_RULE, choose_sites, hospital_sites, take_sites
from planner.roads.graph import TravelGraph
from planner.travel.matrix import check_directions, travel_time_matrices

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
#: Default coverage thresholds, minutes.
DEFAULT_MINUTES = (15, 30, 45, 60, 90, 120)
#: A cell farther than this from the mode's roads is not reached (mountain, lake, river bar).
DEFAULT_CELL_SNAP_M = 5000.0
#: Every hour of the day, ``"00:00"`` to ``"23:00"`` (:func:`cell_access_sweep`'s default).
EVERY_HOUR = tuple(f"{hour:02d}:00" for hour in range(24))
#: A unit's point misleads when its time is this many minutes off its people's mean.
MISLED_MINUTES = 5
_MISLED_LISTED = 10
#: Quantile of the population-weighted times reported besides the mean.
QUANTILE = 0.9
_COVERAGE_COLUMNS = (
    "minutes",
    "population",
    "within_sister",
    "share_sister",
    "within_nearest",
    "share_nearest",
    "share_sister_points",
    "share_nearest_points",
)
_ZONAL_COLUMNS = (
    "population",
    "population_not_reached",
    "mean_time_to_sister_s",
    "p90_time_to_sister_s",
    "max_time_to_sister_s",
    "mean_time_to_nearest_s",
    "p90_time_to_nearest_s",
    "points_mean_time_to_sister_s",
    "points_minus_cells_s",
)


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
        (columns: hospital ids), to the site ``site_rule`` chose for that piece.
    units
        One row per unit owning grid pieces: ``unit_id``, ``district``, ``population``,
        ``sister_hospital_id``, ``point_time_to_sister_s``, ``point_nearest_hospital_id``,
        ``point_time_to_nearest_s``: the same figures from the unit's facility point.
    mode, depart
        Travel mode and departure time ``HH:MM`` (``None``: the default).
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
    site_rule
        Which site of a hospital the pieces' times are to (:mod:`planner.places.sites`).
    times_from_site_s, times_to_site_s
        The two trips between every piece and every site (columns: site ids), whichever the
        rule chose: what a pairing matrix of sites needs (:func:`demand_matrix`).

    Examples
    --------
    >>> import warnings
    >>> from planner.places.hanoi import hanoi_facilities
    >>> from planner.roads.network import hanoi_network
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     fac = hanoi_facilities(scheme="2025")
    >>> access = cell_access(hanoi_network(), fac, district_units=False)
    >>> len(access.cells), access.hospital_times_s.columns.tolist()
    (6409, ['hn-reg-heart', 'hn-reg-oncology', 'hn-reg-obgyn', 'hn-reg-xanhpon'])
    >>> access.summary()["population"]  # the 2019 census, spread over the cells
    8053663.0
    """

    cells: gpd.GeoDataFrame
    hospital_times_s: pd.DataFrame
    units: pd.DataFrame
    mode: str
    depart: str | None
    grid: PopulationGrid
    times_from_hospital_s: pd.DataFrame = field(default_factory=pd.DataFrame)
    times_to_hospital_s: pd.DataFrame = field(default_factory=pd.DataFrame)
    point_times_s: pd.DataFrame = field(default_factory=pd.DataFrame)
    facilities: pd.DataFrame | None = None
    site_rule: str = DEFAULT_SITE_RULE
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
            "mode": self.mode,
            "depart": self.depart,
            "directions": "both",
            "site_rule": self.site_rule,
            "pieces": len(self.cells),
            "population": float(self.cells["population"].sum()),
            "population_not_reached": float(self.cells.loc[~reached, "population"].sum()),
            "population_grid": self.grid.summary(),
        }


@dataclass(frozen=True)
class Coverage:
    """Population within thresholds of its sister and of its nearest hospital.

    Each table has ``minutes``, ``population``, ``within_sister``, ``share_sister``,
    ``within_nearest``, ``share_nearest`` (people on the grid) and ``share_sister_points``,
    ``share_nearest_points`` (the same shares counting each unit's census at its point).
    ``per_hospital`` counts, for ``hospital_id``, the people it is sister to (sister columns)
    and the people it is nearest to (nearest columns).

    Attributes
    ----------
    minutes
        The thresholds.
    overall, per_hospital, per_district, per_unit
        Coverage tables (the last three keyed by ``hospital_id``, ``district``, ``unit_id``).
    zonal
        :func:`zonal_statistics` by ``"overall"``, ``"hospital"``, ``"district"`` and ``"unit"``.
    attribution
        Credit line of the population data.

    Examples
    --------
    >>> import warnings
    >>> from planner.places.hanoi import hanoi_facilities
    >>> from planner.roads.network import hanoi_network
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     fac = hanoi_facilities(scheme="2025")
    >>> cover = coverage(cell_access(hanoi_network(), fac, district_units=False), minutes=[30, 60])
    >>> cover.minutes, sorted(cover.zonal)
    ((30.0, 60.0), ['district', 'hospital', 'overall', 'unit'])
    """

    minutes: tuple[float, ...]
    overall: pd.DataFrame
    per_hospital: pd.DataFrame
    per_district: pd.DataFrame
    per_unit: pd.DataFrame
    zonal: dict[str, pd.DataFrame] = field(default_factory=dict)
    attribution: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary for ``scores.json``: overall coverage and zonal figures."""
        overall = self.zonal["overall"].iloc[0]
        curve = self.overall[
            ["minutes", "share_sister", "share_nearest", "share_sister_points",
             "share_nearest_points"]
        ]  # fmt: skip
        return {
            "coverage": [{k: float(v) for k, v in row.items()} for row in curve.to_dict("records")],
            **{k: float(overall[k]) for k in _ZONAL_COLUMNS},
            "attribution": self.attribution,
        }


def cell_access(
    graph: TravelGraph,
    facilities: pd.DataFrame,
    pairings: pd.DataFrame | None = None,
    *,
    grid: PopulationGrid | None = None,
    mode: str = "car",
    depart: str | dt.time | None = None,
    max_snap_m: float = DEFAULT_CELL_SNAP_M,
    district_units: bool = True,
    speeds: pd.DataFrame | None = None,
    site_rule: str = DEFAULT_SITE_RULE,
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
    mode, depart, speeds
        As for :func:`planner.travel.matrix.travel_time_matrix`.
    max_snap_m
        Pieces farther than this from the mode's roads are not reached.
    district_units
        Also time each piece to its district unit (both ways); ``False`` skips those searches.
    site_rule
        Which site of a hospital of several sites a piece's time is to: ``"nearest"``
        (default) or ``"main"`` (:mod:`planner.places.sites`).

    Returns
    -------
    CellAccess

    Examples
    --------
    >>> import warnings
    >>> from planner.places.hanoi import hanoi_facilities
    >>> from planner.roads.network import hanoi_network
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     fac = hanoi_facilities(scheme="2025")
    >>> access = cell_access(hanoi_network(), fac, district_units=False)
    >>> bool((access.cells["time_to_nearest_s"] > 0).all())
    True
    """
    request = _prepare(graph, facilities, grid)
    options = {"mode": mode, "max_snap_m": max_snap_m, "speeds": speeds}
    (times,) = _hospital_times(graph, request, departs=[depart], **options).values()
    district_s = None
    if district_units:
        district_s = _district_unit_times(graph, request, depart=depart, **options)
    return _assemble(
        request, times, pairings, mode=mode, depart=depart, district_s=district_s,
        max_snap_m=max_snap_m, site_rule=site_rule,
    )  # fmt: skip


def cell_access_sweep(
    graph: TravelGraph,
    facilities: pd.DataFrame,
    pairings: pd.DataFrame | None = None,
    *,
    modes: Sequence[str] = ("car",),
    departs: Sequence[str | dt.time] = EVERY_HOUR,
    grid: PopulationGrid | None = None,
    max_snap_m: float = DEFAULT_CELL_SNAP_M,
    district_units: bool = False,
    speeds: pd.DataFrame | None = None,
    site_rule: str = DEFAULT_SITE_RULE,
) -> dict[tuple[str, str], CellAccess]:
    """:func:`cell_access` for several modes and departure times, sharing what they share.

    The grid, the pieces and the sister hospitals are prepared once; each mode snaps the
    pieces once (a snap depends on the mode's roads, not on the hour); departures with the
    same per-edge times (:func:`planner.roads.speeds.time_profile_key`) share one search. Every
    result equals what :func:`cell_access` returns for that mode and departure.

    Parameters
    ----------
    graph, facilities, pairings, grid, max_snap_m, speeds, site_rule
        As for :func:`cell_access`.
    modes
        Travel modes (default car).
    departs
        Departure times (default every hour, ``"00:00"`` to ``"23:00"``).
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
    >>> import warnings
    >>> from planner.places.hanoi import hanoi_facilities
    >>> from planner.roads.network import hanoi_network
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     fac = hanoi_facilities(scheme="2025")
    >>> sweep = cell_access_sweep(hanoi_network(), fac, departs=["07:00", "10:00"])
    >>> sorted(sweep)
    [('car', '07:00'), ('car', '10:00')]
    """
    request = _prepare(graph, facilities, grid)
    out: dict[tuple[str, str], CellAccess] = {}
    for mode in modes:
        options = {"mode": mode, "max_snap_m": max_snap_m, "speeds": speeds}
        by_depart = _hospital_times(graph, request, departs=departs, **options)
        for depart, times in by_depart.items():
            district_s = None
            if district_units:
                district_s = _district_unit_times(graph, request, depart=depart, **options)
            access = _assemble(
                request, times, pairings, mode=mode, depart=depart, district_s=district_s,
                max_snap_m=max_snap_m, site_rule=site_rule,
            )  # fmt: skip
            out[(mode, str(access.depart))] = access
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
        from planner.places.hanoi import hanoi_population_grid

        scheme = schemes.pop()
        return _for_registry_part(hanoi_population_grid(scheme=scheme), facilities, scheme)
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
        within = _buffered_hull(finest, 5000.0)
    areas = voronoi_areas(pd.DataFrame(finest), within=within)
    has_census = (
        "population" in finest
        and pd.to_numeric(finest["population"], errors="coerce").notna().all()
    )
    if not has_census:
        log.info("no population for every unit: the grid keeps the raw raster values (WorldPop)")
    return population_grid(areas, population="population" if has_census else None, raster=raster)


def _for_registry_part(
    grid: PopulationGrid, facilities: pd.DataFrame, scheme: str
) -> PopulationGrid:
    """The Hanoi grid for (a part of) the registry: a commune not among the facilities gives
    its people to its district unit when that is there; people of no given unit are left out,
    and the grid says so in its notes (and the log)."""
    ids = set(facilities["facility_id"].astype(str))
    unit_of = grid.cells["unit_id"].astype(str)
    if unit_of.isin(ids).all():
        return grid
    from planner.places.hanoi import hanoi_facilities  # the registry's districts of its communes

    registry = hanoi_facilities(scheme=scheme)
    given = facilities[facilities["level"] == "district"]
    # districts matched by the one district normaliser: a user's copy may spell them otherwise
    district_unit = dict(
        zip(given["district"].map(district_key), given["facility_id"].astype(str), strict=True)
    )
    district_of = dict(
        zip(
            registry["facility_id"].astype(str),
            registry["district"].map(district_key),
            strict=True,
        )
    )
    owner = unit_of.where(unit_of.isin(ids), unit_of.map(district_of).map(district_unit))
    kept = owner.notna()
    cells = grid.cells.loc[kept].assign(unit_id=owner[kept]).reset_index(drop=True)
    notes = list(grid.notes)
    moved = int((kept & ~unit_of.isin(ids)).sum())
    if moved:
        notes.append(
            f"{moved} cell pieces of communes not among the facilities counted in their "
            "district unit"
        )
    left_out = float(grid.cells.loc[~kept, "population"].sum())
    if left_out:
        notes.append(
            f"{left_out:,.0f} people live in units that are not among the facilities "
            "(nor is their district unit): left out of the population cells"
        )
    for note in notes[len(grid.notes) :]:
        log.info("population grid: %s", note)
    if cells.empty:
        raise PlannerInputError(
            "none of the facilities' units has a Hanoi area with people",
            field="facility_id",
            hint="give district or commune units of the Hanoi registry, or cells=False",
        )
    census = int(cells["population"].sum()) if grid.census_total is not None else None
    return dataclasses.replace(grid, cells=cells, census_total=census, notes=tuple(notes))


def coverage(access: CellAccess, *, minutes: Sequence[float] = DEFAULT_MINUTES) -> Coverage:
    """Coverage tables and zonal statistics of a :class:`CellAccess`.

    Parameters
    ----------
    access : CellAccess
        From :func:`cell_access`, with the sister hospitals of a pairing.
    minutes : sequence of float
        Coverage thresholds in minutes (default :data:`DEFAULT_MINUTES`: 15 to 120).

    Returns
    -------
    Coverage
        The coverage tables overall, per hospital, district and unit, the zonal statistics
        and the population data's credit line.

    Raises
    ------
    PlannerInputError
        No threshold, or a negative one.

    Examples
    --------
    >>> import warnings
    >>> from planner.places.hanoi import hanoi_facilities
    >>> from planner.roads.network import hanoi_network
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     fac = hanoi_facilities(scheme="2025")
    >>> cov = coverage(cell_access(hanoi_network(), fac, district_units=False), minutes=[30, 60])
    >>> cov.overall["share_nearest"].is_monotonic_increasing
    True
    """
    thresholds = tuple(float(m) for m in minutes)
    if not thresholds or any(m < 0 for m in thresholds):
        raise PlannerInputError(
            "coverage needs one or more thresholds of 0 minutes or more",
            field="minutes",
            hint="e.g. 15, 30, 45, 60, 90, 120",
        )
    return Coverage(
        minutes=thresholds,
        overall=coverage_table(access, minutes=thresholds),
        per_hospital=coverage_table(access, minutes=thresholds, by="hospital"),
        per_district=coverage_table(access, minutes=thresholds, by="district"),
        per_unit=coverage_table(access, minutes=thresholds, by="unit"),
        zonal={
            by: zonal_statistics(access, by=by)
            for by in ("overall", "hospital", "district", "unit")
        },
        attribution=access.attribution,
    )


def coverage_table(
    access: CellAccess, *, minutes: Sequence[float] = DEFAULT_MINUTES, by: str | None = None
) -> pd.DataFrame:
    """People within each threshold of their sister and of their nearest hospital.

    Parameters
    ----------
    access
        From :func:`cell_access`.
    minutes
        Thresholds in minutes (any list).
    by
        ``None`` (overall), ``"hospital"``, ``"district"`` or ``"unit"``.

    Returns
    -------
    pandas.DataFrame
        ``[key,] minutes, population, within_sister, share_sister, within_nearest,
        share_nearest, share_sister_points, share_nearest_points`` (see :class:`Coverage`).
        A person not reached counts as not within any threshold.

    Raises
    ------
    PlannerInputError
        An unknown ``by``.

    Examples
    --------
    A pairing that sends every unit to Xanh Pon leaves fewer people near their sister than
    near their nearest hospital:

    >>> import warnings
    >>> from planner.places.hanoi import hanoi_facilities
    >>> from planner.roads.network import hanoi_network
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     fac = hanoi_facilities(scheme="2025")
    >>> units = fac[fac.level != "regional"]
    >>> everyone_to_xanhpon = pd.DataFrame({"unit_id": units.facility_id,
    ...                                     "hospital_id": "hn-reg-xanhpon"})
    >>> access = cell_access(hanoi_network(), fac, everyone_to_xanhpon, district_units=False)
    >>> table = coverage_table(access, minutes=[30, 60])
    >>> table[["minutes", "share_sister", "share_nearest"]].round(2).values.tolist()
    [[30.0, 0.57, 0.71], [60.0, 0.92, 0.96]]
    >>> coverage_table(access, minutes=[60], by="hospital")["hospital_id"].tolist()
    ['hn-reg-heart', 'hn-reg-oncology', 'hn-reg-obgyn', 'hn-reg-xanhpon']
    """
    cells, units = access.cells, access.units
    thresholds = np.asarray([float(m) for m in minutes])
    limit = thresholds * 60.0
    pop = cells["population"].to_numpy()
    sister = cells["time_to_sister_s"].to_numpy()
    nearest = cells["time_to_nearest_s"].to_numpy()
    upop = units["population"].to_numpy()
    usister = units["point_time_to_sister_s"].to_numpy()
    unearest = units["point_time_to_nearest_s"].to_numpy()
    keys: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
    if by is None:
        keys["all"] = (np.ones(len(cells), bool),) * 2 + (np.ones(len(units), bool),) * 2
    elif by == "hospital":
        for h in access.hospital_times_s.columns:
            keys[h] = (
                (cells["sister_hospital_id"] == h).to_numpy(),
                (cells["nearest_hospital_id"] == h).to_numpy(),
                (units["sister_hospital_id"] == h).to_numpy(),
                (units["point_nearest_hospital_id"] == h).to_numpy(),
            )
    elif by in ("district", "unit"):
        column = "district" if by == "district" else "unit_id"
        # index arrays from one grouping (masks per key would cost keys x cells)
        c_rows, u_rows = _rows_by(cells[column]), _rows_by(units[column])
        none = np.zeros(0, dtype=np.int64)
        for key in pd.unique(cells[column].dropna()):
            c, u = c_rows[key], u_rows.get(key, none)
            keys[key] = (c, c, u, u)
    else:
        raise PlannerInputError(
            f"unknown grouping {by!r}", field="by", hint="use hospital, district or unit"
        )
    rows = []
    for key, (cs, cn, us, un) in keys.items():
        within_s = (sister[cs, None] <= limit[None, :]) * pop[cs, None]
        within_n = (nearest[cn, None] <= limit[None, :]) * pop[cn, None]
        points_s = (usister[us, None] <= limit[None, :]) * upop[us, None]
        points_n = (unearest[un, None] <= limit[None, :]) * upop[un, None]
        total_s, total_n = pop[cs].sum(), pop[cn].sum()
        for k, m in enumerate(thresholds):
            rows.append(
                {
                    "key": key,
                    "minutes": m,
                    "population": total_s,
                    "within_sister": within_s[:, k].sum(),
                    "share_sister": _share(within_s[:, k].sum(), total_s),
                    "within_nearest": within_n[:, k].sum(),
                    "share_nearest": _share(within_n[:, k].sum(), total_n),
                    "share_sister_points": _share(points_s[:, k].sum(), upop[us].sum()),
                    "share_nearest_points": _share(points_n[:, k].sum(), upop[un].sum()),
                }
            )
    table = pd.DataFrame(rows, columns=["key", *_COVERAGE_COLUMNS])
    if by is None:
        return table.drop(columns="key")
    if by == "hospital":  # the population a hospital is sister to, and nearest to
        table.insert(3, "population_nearest", [pop[keys[k][1]].sum() for k in table["key"]])
    name = {"hospital": "hospital_id", "district": "district", "unit": "unit_id"}[by]
    return table.rename(columns={"key": name})


def zonal_statistics(access: CellAccess, *, by: str = "unit") -> pd.DataFrame:
    """Population-weighted travel-time statistics from the cells, beside the units' points.

    Parameters
    ----------
    access
        From :func:`cell_access`.
    by
        ``"overall"``, ``"hospital"`` (the people a hospital is sister to), ``"district"`` or
        ``"unit"``.

    Returns
    -------
    pandas.DataFrame
        ``[key,] population, population_not_reached, mean_time_to_sister_s,
        p90_time_to_sister_s, max_time_to_sister_s, mean_time_to_nearest_s,
        p90_time_to_nearest_s, points_mean_time_to_sister_s, points_minus_cells_s``: means and
        the 90th percentile (the least time within which 90 % of the reached people live) over
        the reached people; the ``points_`` figure weighs each unit's census by its point's
        time, and ``points_minus_cells_s`` is how much the points understate (negative) or
        overstate (positive) the cells' mean.

    Raises
    ------
    PlannerInputError
        An unknown ``by``.

    Examples
    --------
    Every unit paired with Xanh Pon: the people's mean trip to it, and to their nearest
    hospital, in minutes; the units' points understate the trip to Xanh Pon:

    >>> import warnings
    >>> from planner.places.hanoi import hanoi_facilities
    >>> from planner.roads.network import hanoi_network
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     fac = hanoi_facilities(scheme="2025")
    >>> units = fac[fac.level != "regional"]
    >>> everyone_to_xanhpon = pd.DataFrame({"unit_id": units.facility_id,
    ...                                     "hospital_id": "hn-reg-xanhpon"})
    >>> access = cell_access(hanoi_network(), fac, everyone_to_xanhpon, district_units=False)
    >>> overall = zonal_statistics(access, by="overall").iloc[0]
    >>> round(overall["mean_time_to_sister_s"] / 60), round(overall["mean_time_to_nearest_s"] / 60)
    (30, 23)
    >>> bool(overall["points_minus_cells_s"] < 0)
    True
    >>> len(zonal_statistics(access, by="district"))
    30
    """
    cells, units = access.cells, access.units
    if by == "overall":
        groups = {"all": (np.ones(len(cells), bool), np.ones(len(units), bool))}
        name = None
    elif by in ("hospital", "district", "unit"):
        column = {"hospital": "sister_hospital_id", "district": "district", "unit": "unit_id"}[by]
        c_rows, u_rows = _rows_by(cells[column]), _rows_by(units[column])
        none = np.zeros(0, dtype=np.int64)
        groups = {
            key: (c_rows[key], u_rows.get(key, none)) for key in pd.unique(cells[column].dropna())
        }
        name = {"hospital": "hospital_id", "district": "district", "unit": "unit_id"}[by]
    else:
        raise PlannerInputError(
            f"unknown grouping {by!r}", field="by", hint="use overall, hospital, district or unit"
        )
    pop = cells["population"].to_numpy()
    reached = cells["reached"].to_numpy()
    all_sister = cells["time_to_sister_s"].to_numpy()
    all_nearest = cells["time_to_nearest_s"].to_numpy()
    unit_times = units["point_time_to_sister_s"].to_numpy()
    unit_people = units["population"].to_numpy()
    rows = []
    for key, (c, u) in groups.items():
        c = np.flatnonzero(c) if c.dtype == bool else c
        r = c[reached[c]]
        sister = all_sister[r]
        nearest = all_nearest[r]
        weight = pop[r]
        points_t = unit_times[u]
        points_w = unit_people[u]
        ok = np.isfinite(points_t)
        row = {
            "key": key,
            "population": pop[c].sum(),
            "population_not_reached": pop[c[~reached[c]]].sum(),
            "mean_time_to_sister_s": _weighted_mean(sister, weight),
            "p90_time_to_sister_s": _weighted_quantile(sister, weight, QUANTILE),
            "max_time_to_sister_s": float(np.nanmax(sister))
            if np.isfinite(sister).any()
            else np.nan,
            "mean_time_to_nearest_s": _weighted_mean(nearest, weight),
            "p90_time_to_nearest_s": _weighted_quantile(nearest, weight, QUANTILE),
            "points_mean_time_to_sister_s": _weighted_mean(points_t[ok], points_w[ok]),
        }
        row["points_minus_cells_s"] = (
            row["points_mean_time_to_sister_s"] - row["mean_time_to_sister_s"]
        )
        rows.append(row)
    table = pd.DataFrame(rows, columns=["key", *_ZONAL_COLUMNS])
    if name is None:
        return table.drop(columns="key")
    return table.rename(columns={"key": name}).sort_values(name, ignore_index=True)


def unit_cell_times(access: CellAccess, *, directions: str = "both") -> pd.DataFrame:
    """Each unit's population-weighted mean time to every hospital, from its cells.

    The cost a planner would use to pair units by where their people live rather than by
    their points (a long table like a travel-time matrix). Only the reached pieces weigh.

    Parameters
    ----------
    access
        From :func:`cell_access`.
    directions
        ``"both"`` (default: the mean of the two trips, as for a pair), ``"to_unit"``
        (hospital → where the people live) or ``"to_hospital"`` (their trip to the hospital).

    Returns
    -------
    pandas.DataFrame
        ``unit_id``, ``hospital_id``, ``travel_time_s`` (NaN when none of the unit's people is
        reached), ``population``.

    Examples
    --------
    The people's mean trip to Xanh Pon is more than 5 minutes off the point's for some unit:

    >>> import warnings
    >>> from planner.places.hanoi import hanoi_facilities
    >>> from planner.roads.network import hanoi_network
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     fac = hanoi_facilities(scheme="2025")
    >>> access = cell_access(hanoi_network(), fac, district_units=False)
    >>> times = unit_cell_times(access)
    >>> people = times[times["hospital_id"] == "hn-reg-xanhpon"].set_index("unit_id")
    >>> point = access.point_times_s["hn-reg-xanhpon"]
    >>> len(people), bool((people["travel_time_s"] - point).abs().max() > 5 * 60)
    (126, True)
    """
    check_directions(directions)
    times = {
        "both": access.hospital_times_s,
        "to_unit": access.times_from_hospital_s,
        "to_hospital": access.times_to_hospital_s,
    }[directions]
    return _people_times(access, times, column="hospital_id")


def _people_times(access: CellAccess, times: pd.DataFrame, *, column: str) -> pd.DataFrame:
    """Each unit's population-weighted mean of ``times`` (pieces x hospitals or sites)."""
    cells = access.cells
    ok = cells["reached"].to_numpy()
    weight = cells["population"].to_numpy() * ok
    frame = times.mul(weight, axis=0).fillna(0.0).assign(unit_id=cells["unit_id"].to_numpy())
    sums = frame.groupby("unit_id").sum()
    people = pd.Series(weight).groupby(cells["unit_id"].to_numpy()).sum()
    mean = sums.div(people.replace(0, np.nan), axis=0)
    out = mean.reset_index().melt(id_vars="unit_id", var_name=column, value_name="travel_time_s")
    out["population"] = out["unit_id"].map(cells.groupby("unit_id")["population"].sum())
    return out


#: What a unit's cost to a hospital is when pairing: its point's trips, or its people's.
DEMANDS = ("points", "cells")


def demand_matrix(access: CellAccess, matrix: pd.DataFrame) -> pd.DataFrame:
    """A pairing matrix whose unit times are those of the people, where they live.

    Every hospital (site) → unit row of ``matrix`` takes the population-weighted mean of the
    site → piece times over the unit's reached pieces, every unit → site row the mean of the
    piece → site times; the mean of the two is then the mean of the people's pair
    times to that site (:func:`unit_cell_times` per site), so every ``directions`` rule of
    :func:`planner.pairing.scoring.pair_costs` applies as to points. A unit with no people of its own
    on the grid (a district health centre whose people are counted in its communes) or none
    reached keeps its point's times. Only ``travel_time_s`` changes (distances, nodes and
    snaps stay the points').

    Parameters
    ----------
    access
        From :func:`cell_access` at the matrix's departure time and mode.
    matrix
        A pairing matrix (:func:`planner.travel.matrix.pair_travel_times`).

    Returns
    -------
    pandas.DataFrame
        A copy of ``matrix`` with the people's times.

    Examples
    --------
    >>> import warnings
    >>> from planner.places.hanoi import hanoi_facilities
    >>> from planner.roads.network import hanoi_network
    >>> from planner.travel.matrix import pair_travel_times
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     fac = hanoi_facilities(scheme="2025")
    >>> graph = hanoi_network()
    >>> points = pair_travel_times(graph, fac[fac.level == "regional"], fac[fac.level != "regional"])
    >>> people = demand_matrix(cell_access(graph, fac, district_units=False), points)
    >>> bool((people["travel_time_s"] - points["travel_time_s"]).abs().max() > 5 * 60)
    True
    """
    # the matrix's rows are per site (a hospital of several sites has one row per site)
    sites = set(access.times_from_site_s.columns)
    out = matrix.copy()
    origin = out["origin_id"].astype(str)
    destination = out["destination_id"].astype(str)
    for trips, mask, unit, site in (
        (access.times_from_site_s, origin.isin(sites), destination, origin),
        (access.times_to_site_s, destination.isin(sites), origin, destination),
    ):
        times = _people_times(access, trips, column="site_id").set_index(["unit_id", "site_id"])[
            "travel_time_s"
        ]
        keys = pd.MultiIndex.from_arrays([unit[mask], site[mask]])
        people = times.reindex(keys).to_numpy()
        rows = np.flatnonzero(mask.to_numpy())
        known = np.isfinite(people)
        column = out.columns.get_loc("travel_time_s")
        out.iloc[rows[known], column] = people[known]
    return out


def cells_summary(
    access: CellAccess,
    cover: Coverage,
    *,
    curve_minutes: Sequence[float] = tuple(range(0, 181, 5)),
) -> dict[str, Any]:
    """The cell-based figures of a run, JSON-ready (``scores.json``'s ``cells`` section).

    Parameters
    ----------
    access, cover
        From :func:`cell_access` (with the run's pairing) and :func:`coverage`.
    curve_minutes
        Where to sample the coverage curve (the report's chart).

    Returns
    -------
    dict
        What was computed (:meth:`CellAccess.summary`: mode, departure, pieces, people, the
        grid and whether it is ``calibrated`` to the census), the coverage at each threshold
        (people on the grid and at the units' points), the population-weighted mean and 90th
        percentile from cells, ``curve`` (the share of people within each minute of
        ``curve_minutes`` of their sister and of their nearest hospital, from cells and from
        the points), ``per_district`` (the zonal table: people, mean and p90 from cells, the
        share within 60 minutes, the points' mean and the difference), ``units_misled`` (how
        many units' points are more than :data:`MISLED_MINUTES` off their people's mean, and
        the units where they are most) and the data's ``attribution``.

    Examples
    --------
    >>> import warnings
    >>> from planner.places.hanoi import hanoi_facilities
    >>> from planner.roads.network import hanoi_network
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     fac = hanoi_facilities(scheme="2025")
    >>> units = fac[fac.level != "regional"]
    >>> everyone_to_xanhpon = pd.DataFrame({"unit_id": units.facility_id,
    ...                                     "hospital_id": "hn-reg-xanhpon"})
    >>> access = cell_access(hanoi_network(), fac, everyone_to_xanhpon, district_units=False)
    >>> summary = cells_summary(access, coverage(access), curve_minutes=[30, 60])
    >>> summary["calibrated"], summary["census_total"], len(summary["per_district"])
    (True, 8053663, 30)
    >>> [(row["minutes"], round(row["share_sister"], 2)) for row in summary["curve"]]
    [(30.0, 0.57), (60.0, 0.92)]
    """
    from planner._json import json_safe

    curve = coverage_table(access, minutes=curve_minutes)[
        ["minutes", "share_sister", "share_nearest", "share_sister_points",
         "share_nearest_points"]
    ]  # fmt: skip
    overall = cover.overall.copy()
    districts = zonal_statistics(access, by="district")
    within = coverage_table(access, minutes=[60], by="district").set_index("district")
    districts["share_sister_60min"] = districts["district"].map(within["share_sister"])
    districts["share_sister_points_60min"] = districts["district"].map(
        within["share_sister_points"]
    )
    units = zonal_statistics(access, by="unit")
    off = units["points_minus_cells_s"].abs()
    worst = units.loc[off.sort_values(ascending=False).index[:_MISLED_LISTED]]
    misled = {
        "minutes": MISLED_MINUTES,
        "units": int(off.notna().sum()),
        "count": int((off > 60.0 * MISLED_MINUTES).sum()),
        "worst": worst[["unit_id", "population", "mean_time_to_sister_s",
                        "points_mean_time_to_sister_s", "points_minus_cells_s"]].to_dict("records"),
    }  # fmt: skip
    summary = access.summary()
    grid = summary["population_grid"]
    document = {
        **summary,
        **cover.to_dict(),
        "coverage": overall.to_dict("records"),
        "calibrated": grid["calibrated"],
        "census_total": grid["census_total"],
        "curve": curve.to_dict("records"),
        "per_district": districts.to_dict("records"),
        "units_misled": misled,
        "attribution": access.attribution,
    }
    return json_safe(document)


def access_tables(access: CellAccess, cover: Coverage) -> dict[str, pd.DataFrame]:
    """The tables of ``access_cells.csv`` and ``coverage.csv``, as written.

    ``access_cells.csv``: :data:`ACCESS_COLUMNS`, one row per populated piece, coordinates
    to 6 decimals, whole people when calibrated. ``coverage.csv``: ``minutes``,
    ``share_sister``, ``share_nearest`` (of the people on the grid), then the people counted
    (``population``, ``within_sister``, ``within_nearest``) and the same shares counting each
    unit's people at its point (``share_sister_points``, ``share_nearest_points``).

    Parameters
    ----------
    access : CellAccess
        From :func:`cell_access`, with the sister hospitals of a pairing.
    cover : Coverage
        Its :func:`coverage`.

    Returns
    -------
    dict
        ``{"access_cells.csv": table, "coverage.csv": table}`` (pandas DataFrames, the
        shares as text with 6 decimals).

    Examples
    --------
    >>> import warnings
    >>> from planner.places.hanoi import hanoi_facilities
    >>> from planner.roads.network import hanoi_network
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     fac = hanoi_facilities(scheme="2025")
    >>> units = fac[fac.level != "regional"]
    >>> everyone_to_xanhpon = pd.DataFrame({"unit_id": units.facility_id,
    ...                                     "hospital_id": "hn-reg-xanhpon"})
    >>> access = cell_access(hanoi_network(), fac, everyone_to_xanhpon, district_units=False)
    >>> tables = access_tables(access, coverage(access, minutes=[30, 60]))
    >>> len(tables["access_cells.csv"]), tables["access_cells.csv"].loc[0, "lat"]
    (6409, '21.383859')
    >>> tables["coverage.csv"][["minutes", "share_sister", "population"]].values.tolist()
    [[30, '0.567896', 8053663], [60, '0.923705', 8053663]]
    """
    cells = access.table()
    for column in ("lat", "lon"):
        cells[column] = cells[column].map("{:.6f}".format)
    overall = cover.overall.copy()
    if access.grid.calibrated:
        cells["population"] = cells["population"].round().astype("int64")
        for column in ("population", "within_sister", "within_nearest"):
            overall[column] = overall[column].round().astype("int64")
    minutes = overall["minutes"].to_numpy()
    if np.all(minutes == np.round(minutes)):
        overall["minutes"] = minutes.astype("int64")
    for column in [c for c in overall.columns if c.startswith("share_")]:
        # finer than the CSV's default; empty where there is no one to share
        overall[column] = overall[column].map(lambda v: f"{v:.6f}" if np.isfinite(v) else "")
    first = ["minutes", "share_sister", "share_nearest"]
    overall = overall[first + [c for c in overall.columns if c not in first]]
    return {"access_cells.csv": cells, "coverage.csv": overall}


def write_access(access: CellAccess, cover: Coverage, out: str | Path) -> dict[str, Path]:
    """Write ``access_cells.csv``, ``coverage.csv`` and ``access.json`` into a folder.

    ``access_cells.csv`` has :data:`ACCESS_COLUMNS` (one row per cell piece; coordinates to
    6 decimals, whole people when calibrated); ``coverage.csv`` the overall coverage table;
    ``access.json`` what was computed, the zonal figures and the population data's credit line.
    Every file is written atomically.

    Parameters
    ----------
    access : CellAccess
        From :func:`cell_access`, with the sister hospitals of a pairing.
    cover : Coverage
        Its :func:`coverage`.
    out : str or pathlib.Path
        The output folder (created if needed).

    Returns
    -------
    dict
        File name → path.

    Examples
    --------
    >>> import os, tempfile
    >>> import warnings
    >>> from planner.places.hanoi import hanoi_facilities
    >>> from planner.roads.network import hanoi_network
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     fac = hanoi_facilities(scheme="2025")
    >>> units = fac[fac.level != "regional"]
    >>> everyone_to_xanhpon = pd.DataFrame({"unit_id": units.facility_id,
    ...                                     "hospital_id": "hn-reg-xanhpon"})
    >>> access = cell_access(hanoi_network(), fac, everyone_to_xanhpon, district_units=False)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     paths = write_access(access, coverage(access), folder)
    ...     sorted(os.listdir(folder)), list(paths)  # doctest: +NORMALIZE_WHITESPACE
    (['access.json', 'access_cells.csv', 'coverage.csv'],
     ['access_cells.csv', 'coverage.csv', 'access.json'])
    """
    from planner.io import write_csv, write_json

    out = Path(out)
    tables = access_tables(access, cover)
    document = {
        "access": access.summary(),
        "coverage": cover.to_dict(),
        "zonal_by_district": cover.zonal["district"].to_dict("records"),
        "attribution": [access.attribution, "© OpenStreetMap contributors"],
    }
    paths = {name: write_csv(table, out / name) for name, table in tables.items()}
    return {**paths, "access.json": write_json(document, out / "access.json")}


# -- helpers -------------------------------------------------------------------------------------


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
    n_h, n_p = len(hospitals), len(points)
    out = travel_time_matrices(graph, hospitals, points, departs=departs, distances=False,
                               **options)  # fmt: skip
    back = travel_time_matrices(graph, points, hospitals, departs=departs, distances=False,
                                **options)  # fmt: skip
    return {
        depart: (
            out[depart]["travel_time_s"].to_numpy().reshape(n_h, n_p).T,
            back[depart]["travel_time_s"].to_numpy().reshape(n_p, n_h),
            out[depart]["destination_snap_m"].to_numpy().reshape(n_h, n_p)[0],
        )
        for depart in out
    }


def _assemble(
    request: _Request,
    times: _Times,
    pairings: pd.DataFrame | None,
    *,
    mode: str,
    depart: str | dt.time | None,
    district_s: np.ndarray | None,
    max_snap_m: float,
    site_rule: str,
) -> CellAccess:
    """A :class:`CellAccess` from the times of one mode and departure."""
    pieces, info, unit_ids = request.pieces, request.info, request.unit_ids
    n = len(pieces)
    sites = hospital_sites(request.hospitals)
    # both trips of a piece use the one site the rule chooses for it (as for a pair)
    chosen = choose_sites((times.go + times.come) / 2.0, sites, site_rule)
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
    depart_text = _hhmm(depart)
    not_reached = cells.loc[~reached, "population"].sum()
    log.info(
        "cell access (%s, depart %s): %d pieces, %s people; %s not reached (farther than %.0f m "
        "from a %s road or cut off)", mode, depart_text or "default", n,
        f"{cells['population'].sum():,.0f}", f"{not_reached:,.0f}", max_snap_m, mode,
    )  # fmt: skip
    access = CellAccess(
        cells=cells,
        hospital_times_s=hospital_times,
        units=units,
        mode=mode,
        depart=depart_text,
        grid=request.grid,
        times_from_hospital_s=pd.DataFrame(go[:n], columns=columns),
        times_to_hospital_s=pd.DataFrame(come[:n], columns=columns),
        point_times_s=point_times,
        facilities=request.facilities,
        site_rule=site_rule,
        times_from_site_s=pd.DataFrame(times.go[:n], columns=site_columns),
        times_to_site_s=pd.DataFrame(times.come[:n], columns=site_columns),
    )
    return access.with_pairings(pairings)


def _district_unit_times(
    graph: TravelGraph, request: _Request, *, depart: str | dt.time | None, **options: Any
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
    ((go, come, _),) = _both_ways(graph, wanted, points, departs=[depart], **options).values()
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


def _rows_by(values: pd.Series) -> dict[Any, np.ndarray]:
    """Row positions of each distinct value (missing values left out)."""
    return {
        k: np.asarray(v)
        for k, v in values.reset_index(drop=True).groupby(values.to_numpy()).indices.items()
    }


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


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    total = weights.sum()
    return float((values * weights).sum() / total) if total > 0 else float("nan")


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The least value within which at least ``q`` of the weight lies (no interpolation)."""
    if weights.sum() <= 0:
        return float("nan")
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    k = int(np.searchsorted(cumulative, q * cumulative[-1] - 1e-9 * cumulative[-1]))
    return float(values[order][min(k, len(order) - 1)])


def _share(part: float, whole: float) -> float:
    return float(part / whole) if whole > 0 else float("nan")


def _hhmm(depart: str | dt.time | None) -> str | None:
    if depart is None:
        return None
    return depart.strftime("%H:%M") if isinstance(depart, dt.time) else str(depart)


def _buffered_hull(units: pd.DataFrame, metres: float) -> shapely.Geometry:
    from planner.config import metric_crs

    crs = metric_crs(units["lon"], units["lat"])
    points = gpd.GeoSeries(gpd.points_from_xy(units["lon"], units["lat"]), crs=CRS_LONLAT).to_crs(
        crs
    )
    hull = shapely.convex_hull(shapely.union_all(points.to_numpy())).buffer(metres)
    return gpd.GeoSeries([hull], crs=crs).to_crs(CRS_LONLAT).iloc[0]
