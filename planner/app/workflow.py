"""The whole planning job in a few calls: the one pipeline behind ``planner demo``, the CLI and
the notebooks.

:func:`load_inputs` loads the roads and the facilities (the Hanoi registry, or the user's file
checked against the roads' own area, anywhere on Earth). :func:`plan` computes the travel-time
matrices (at the departure time and at the comparison time, 08:00 by default, both directions),
proposes the optimal pairing with its nearest-hospital and pilot baselines, and scores all three
by one definition of a pair's time (``PlanOptions.directions``); it also places the people where
they live (the population cells of :mod:`planner.access.cells`) for coverage from cells, and may pair
by them (``PlanOptions.demand``). :func:`write_outputs` writes ``pairings.csv``,
``pairings.geojson``, ``scores.json``, ``access_cells.csv``, ``coverage.csv`` and, on request,
``map.html`` and ``report.html`` — each atomically, after everything has been computed, so a failed
run leaves earlier outputs intact. :func:`score_pairings_file` scores a pairing made elsewhere.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from planner._json import json_safe
from planner.config import (
    CRS_LONLAT,
    DEFAULT_DEPART,
    DEFAULT_MAX_SNAP_M,
    DEFAULT_SCHEME,
    PEAK_DEPART,
    metric_crs,
)
from planner.errors import PlannerInputError
from planner.io import read_pairings, write_csv, write_json, write_vector_atomic
from planner.outputs.i18n import DEFAULT_LANG
from planner.pairing.explain import HANOI_PILOT, pilot_pins
from planner.pairing.scoring import PairingScores
from planner.places.sites import DEFAULT_SITE_RULE
from planner.roads.graph import TravelGraph

if TYPE_CHECKING:
    import folium

    from planner.access import CellAccess, Coverage
    from planner.outputs.maps import WhatIf
    from planner.pairing.propose import PairingResult

log = logging.getLogger(__name__)

#: ``source`` values meaning the Hanoi default (the MBTiles in the data folder).
HANOI_SOURCE_KEYWORDS = ("hanoi", "mbtiles")


@dataclass(frozen=True)
class PlanOptions:
    """What to plan: scheme, travel assumptions and the pairing request.

    ``pilot_pairs`` is the pilot as ``(district, hospital_id)`` pairs (default the Ba Vì pilot
    with Xanh Pon, :data:`planner.pairing.explain.HANOI_PILOT`): every unit of those districts is
    pinned, in hierarchical and unit mode, and the pilot baseline is built from them;
    ``pilot=False`` (``--no-pilot``) removes all of them. ``pins`` are the user's own pins;
    they win over the pilot's where both pin a group. Pins and the pilot name hospitals;
    ``site_rule`` says which site of a hospital a pair's trips use (``"nearest"``, the pair's
    fastest site, or ``"main"``; :mod:`planner.places.sites`).

    Where people live: with ``cells`` (default) the run places the population on the
    population raster (``population``; default WorldPop 2020 of Vietnam, calibrated to the
    census for the Hanoi registry) and times every populated cell (:mod:`planner.access.cells`) for
    the coverage figures, the map's travel-time surface and the report; a user's facilities
    that no raster covers are planned without them (said in a warning and in
    ``scores.json``). ``demand`` is what a unit costs when pairing: ``"points"`` (its point's
    trips) or ``"cells"`` (the population-weighted trips of its people, where they live:
    :func:`planner.access.cells.demand_matrix`); the run also proposes the pairing under the other
    demand and says how they differ.

    Examples
    --------
    >>> PlanOptions(scheme="2025", depart="07:30").mode
    'car'
    """

    scheme: str = DEFAULT_SCHEME
    mode: str = "car"
    depart: str = DEFAULT_DEPART
    objective: str = "pop-time"
    balance: float = 0.2
    load: str = "population"
    hierarchical: bool = True
    pins: Mapping[str, str] = field(default_factory=dict)
    forbidden: tuple[tuple[str, str], ...] = ()
    max_travel_time_s: float | None = None
    pilot: bool = True
    pilot_pairs: tuple[tuple[str, str], ...] = HANOI_PILOT
    time_limit_s: float = 60.0
    specialty_need: str | Path | None = None
    directions: str = "both"
    peak_depart: str = PEAK_DEPART
    site_rule: str = DEFAULT_SITE_RULE
    demand: str = "points"
    cells: bool = True
    population: str | Path | None = None


@dataclass(frozen=True)
class PlanningRun:
    """Everything one planning run computed (inputs, matrices, pairings, scores).

    ``matrix`` (at ``options.depart``) and ``matrix_peak`` (at ``options.peak_depart``) hold the
    trips ``options.directions`` needs (both directions by default,
    :func:`planner.travel.matrix.pair_travel_times`); the proposal, the baselines and every score
    use them with the same directions rule. ``hospitals`` are the regional rows, one per site
    (the matrices hold every site; pairs use the site of ``options.site_rule``). With
    ``options.demand == "cells"`` they hold the people's times
    (:func:`planner.access.cells.demand_matrix`), which the proposal and the scores then use.

    ``access`` holds the times from every populated cell with the proposal's sister
    hospitals, ``coverage`` its coverage and zonal statistics (both ``None`` without cells:
    ``cells_note`` says why); ``demand_alternative`` is the proposal under the other demand
    (no sensitivity re-solves) and ``demand_comparison`` how the two differ (units that
    change hospital, objective and headline figures under both costs).

    Examples
    --------
    >>> run = plan(PlanOptions(scheme="2025", cells=False))
    >>> len(run.hospitals), len(run.units), run.proposal.status, run.access is None
    (7, 156, 'optimal', True)
    >>> run.cells_note
    'not asked for (cells=False)'
    """

    options: PlanOptions
    graph: TravelGraph
    facilities: gpd.GeoDataFrame
    hospitals: gpd.GeoDataFrame
    units: gpd.GeoDataFrame
    matrix: pd.DataFrame
    matrix_peak: pd.DataFrame
    proposal: PairingResult
    nearest: pd.DataFrame
    pilot: pd.DataFrame | None
    scores: PairingScores
    nearest_scores: PairingScores
    pilot_scores: PairingScores | None
    access: CellAccess | None = None
    coverage: Coverage | None = None
    demand_alternative: PairingResult | None = None
    demand_comparison: dict[str, Any] | None = None
    cells_note: str | None = None


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
        from planner.places.hanoi import hanoi_boundary

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
    graph = graph if graph is not None else road_network(source)
    area = None
    if facilities is not None and not isinstance(facilities, gpd.GeoDataFrame):
        area = study_area(graph)
    return graph, facilities_for(scheme, facilities, area=area, thousands=thousands)


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
    from planner.places.hanoi import hanoi_facilities

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


def plan(
    options: PlanOptions | None = None,
    *,
    facilities: str | os.PathLike[str] | gpd.GeoDataFrame | None = None,
    source: str | os.PathLike[str] | None = None,
    graph: TravelGraph | None = None,
    matrices: tuple[pd.DataFrame, pd.DataFrame] | None = None,
    cells: tuple[CellAccess | None, str | None] | None = None,
) -> PlanningRun:
    """Run the whole planning job and return everything it computed.

    Parameters
    ----------
    options
        Scheme, mode, departure time and pairing request (defaults: 2024 scheme, car,
        10:00, population-weighted time, balance ±0.2, the Ba Vì pilot pinned).
    facilities
        A facility file or GeoDataFrame; default the Hanoi registry of ``options.scheme``.
        Facilities elsewhere on Earth work with their own roads (``source``): see
        :func:`load_inputs`.
    source
        Road network file; default the Hanoi MBTiles. Ignored when ``graph`` is given.
    graph
        An already loaded :class:`planner.roads.graph.TravelGraph`.
    matrices
        The matrices of these facilities at ``options.depart`` and ``options.peak_depart``
        (:func:`planner.travel.matrix.pair_travel_times` with the options' mode and directions),
        when already computed (:class:`planner.app.session.Session` keeps them); ``None``
        computes them.
    cells
        What :func:`population_access` returned for these options and facilities, when
        already computed (:class:`planner.app.session.Session` keeps it); ``None`` computes it.

    Returns
    -------
    PlanningRun
        Inputs, matrices, the proposal, the baselines and their scores.

    Examples
    --------
    >>> run = plan(PlanOptions(scheme="2024"))
    >>> run.proposal.status
    'optimal'
    >>> bool(run.scores.overall["share_population_within_60min"] > 0.8)
    True
    """
    from planner.pairing.propose import propose_pairings
    from planner.pairing.scoring import score_pairings

    options = options or PlanOptions()
    _check_demand(options)
    graph, fac = load_inputs(
        scheme=options.scheme, facilities=facilities, source=source, graph=graph
    )
    hospitals, units = split_levels(fac)

    log.info(
        "travel times: %d hospitals (%d sites) x %d units (%s, %s and %s, directions %s)",
        hospitals["hospital_id"].nunique() if "hospital_id" in hospitals else len(hospitals),
        len(hospitals),
        len(units),
        options.mode,
        options.depart,
        options.peak_depart,
        options.directions,
    )
    points, points_peak = matrices or _pairing_matrices(
        graph,
        hospitals,
        units,
        mode=options.mode,
        depart=options.depart,
        peak_depart=options.peak_depart,
        directions=options.directions,
    )
    access, cells_note = cells or population_access(options, graph, fac)
    people = people_peak = None
    if access is not None:
        from planner.access import cell_access, demand_matrix

        people = demand_matrix(access, points)
        if options.demand == "cells":
            at_peak = cell_access(
                graph, fac, grid=access.grid, mode=options.mode, depart=options.peak_depart,
                district_units=False, site_rule=options.site_rule,
            )  # fmt: skip
            people_peak = demand_matrix(at_peak, points_peak)
    if options.demand == "cells":
        assert people is not None and people_peak is not None  # _cells raises otherwise
        matrix, matrix_peak = people, people_peak
    else:
        matrix, matrix_peak = points, points_peak

    request: dict[str, Any] = {
        "objective": options.objective,
        "balance": options.balance,
        "load": options.load,
        "hierarchical": options.hierarchical,
        "pins": options.pins,
        "pilot": pilot_pins(units, options.pilot_pairs) if options.pilot else None,
        "forbidden": options.forbidden,
        "max_travel_time_s": options.max_travel_time_s,
        "time_limit_s": options.time_limit_s,
        "specialty_need": read_specialty_need(options.specialty_need),
        "directions": options.directions,
        "site_rule": options.site_rule,
    }
    proposal = propose_pairings(units, hospitals, matrix, matrix_peak=matrix_peak, **request)
    # The baselines are the proposal's: one definition (planner.pairing.explain), the same model.
    nearest, pilot = proposal.nearest, proposal.pilot

    def score(pairings: pd.DataFrame):
        return score_pairings(
            pairings,
            matrix,
            units=units,
            hospitals=hospitals,
            matrix_peak=matrix_peak,
            directions=options.directions,
            depart=options.depart,
            peak_depart=options.peak_depart,
            optimum=proposal,
            site_rule=options.site_rule,
        )

    alternative = comparison = cover = None
    if access is not None and people is not None:
        from planner.access import coverage

        # the same request under the other demand (no peak re-solves: a comparison)
        other = points if options.demand == "cells" else people
        alternative = propose_pairings(units, hospitals, other, sensitivity=False, **request)
        comparison = demand_comparison(
            proposal, alternative, demand=options.demand, points=points, people=people,
            units=units, hospitals=hospitals, directions=options.directions,
        )  # fmt: skip
        access = access.with_pairings(proposal.pairings)
        cover = coverage(access)

    return PlanningRun(
        options=options,
        graph=graph,
        facilities=fac,
        hospitals=hospitals,
        units=units,
        matrix=matrix,
        matrix_peak=matrix_peak,
        proposal=proposal,
        nearest=nearest,
        pilot=pilot,
        scores=score(proposal.pairings),
        nearest_scores=score(nearest),
        pilot_scores=None if pilot is None else score(pilot),
        access=access,
        coverage=cover,
        demand_alternative=alternative,
        demand_comparison=comparison,
        cells_note=cells_note,
    )


def _check_demand(options: PlanOptions) -> None:
    """Refuse a demand the run cannot meet, before any work."""
    from planner.access import DEMANDS

    if options.demand not in DEMANDS:
        raise PlannerInputError(
            f"unknown demand {options.demand!r}",
            field="demand",
            hint="use 'points' (each unit's point) or 'cells' (where its people live)",
        )
    if options.demand == "cells" and not options.cells:
        raise PlannerInputError(
            "demand='cells' needs the population cells",
            field="cells",
            hint="leave cells on (drop --no-cells) or use demand='points'",
        )


def population_access(
    options: PlanOptions, graph: TravelGraph, facilities: gpd.GeoDataFrame
) -> tuple[CellAccess | None, str | None]:
    """Times from every populated cell to the hospitals (no pairing yet), or why there are none.

    What :func:`plan` computes for ``options.cells``: the population grid of the facilities
    (:func:`planner.access.cells.default_grid`, or ``options.population``) timed by
    :func:`planner.access.cells.cell_access` at ``options.depart`` with the options' mode and site
    rule. A :class:`planner.app.session.Session` keeps it between plans.

    Parameters
    ----------
    options : PlanOptions
        Uses ``cells``, ``population``, ``demand``, ``mode``, ``depart`` and ``site_rule``.
    graph : TravelGraph
        The road graph.
    facilities : geopandas.GeoDataFrame
        The run's facilities (hospitals and units).

    Returns
    -------
    tuple
        ``(access, None)``, or ``(None, note)`` saying why there are no cells: not asked for,
        or no population raster covers the facilities (an error instead when the pairing
        needs the cells: ``demand="cells"`` or an explicit ``population`` raster).

    Examples
    --------
    >>> from planner.roads.network import hanoi_network
    >>> _, fac = load_inputs(scheme="2025")
    >>> access, note = population_access(PlanOptions(scheme="2025"), hanoi_network(), fac)
    >>> int(access.cells["population"].sum()), note
    (8053663, None)
    >>> population_access(PlanOptions(scheme="2025", cells=False), hanoi_network(), fac)
    (None, 'not asked for (cells=False)')
    """
    from planner.access import cell_access, default_grid

    if not options.cells:
        return None, "not asked for (cells=False)"
    try:
        grid = default_grid(facilities, graph=graph, raster=options.population)
    except PlannerInputError as exc:
        if options.demand == "cells" or options.population is not None:
            raise
        note = f"no population raster covers these facilities ({exc.problem})"
        log.warning(
            "%s: planned without the population cells; give a raster of people per cell "
            "(--population FILE, e.g. a WorldPop 'ppp' file) for coverage from where people "
            "live", note,
        )  # fmt: skip
        return None, note
    access = cell_access(
        graph,
        facilities,
        grid=grid,
        mode=options.mode,
        depart=options.depart,
        site_rule=options.site_rule,
    )
    return access, None


def demand_comparison(
    proposal: PairingResult,
    alternative: PairingResult,
    *,
    demand: str,
    points: pd.DataFrame,
    people: pd.DataFrame,
    units: pd.DataFrame,
    hospitals: pd.DataFrame,
    directions: str = "both",
) -> dict[str, Any]:
    """How the proposal differs from the one planned under the other demand (JSON-ready).

    Parameters
    ----------
    proposal, alternative
        The run's proposal (under ``demand``) and the proposal under the other demand.
    demand
        ``"points"`` or ``"cells"``: what the proposal's costs are.
    points, people
        The pairing matrices from the units' points and from where their people live
        (:func:`planner.access.cells.demand_matrix`).
    units, hospitals, directions
        As for :func:`planner.pairing.scoring.score_pairings`.

    Returns
    -------
    dict
        ``demand`` and ``other`` (the two demands), ``units`` and ``units_changed`` (units
        whose sister hospital differs, with ``changed_unit_ids`` and the ``districts_changed``
        they lie in), and for ``proposal`` and ``alternative`` each: the solver's
        ``objective_value`` (under its own demand), the population-weighted mean trip and the
        share within 60 minutes under both costs (``points_*`` and ``cells_*``).

    Examples
    --------
    Two units and two hospitals (hospital -> unit times, seconds): U2's point is nearer H1,
    but its people live nearer H2.

    >>> from planner.pairing.propose import propose_pairings
    >>> units = pd.DataFrame({"facility_id": ["u1", "u2"], "name": ["U1", "U2"],
    ...                       "level": "district", "district": ["D1", "D2"],
    ...                       "population": [100.0, 100.0]})
    >>> hospitals = pd.DataFrame({"facility_id": ["h1", "h2"], "name": ["H1", "H2"]})
    >>> def matrix(times):
    ...     return pd.DataFrame({"origin_id": ["h1", "h1", "h2", "h2"],
    ...                          "destination_id": ["u1", "u2", "u1", "u2"],
    ...                          "travel_time_s": times})
    >>> points = matrix([600.0, 900.0, 1200.0, 1000.0])
    >>> people = matrix([700.0, 1500.0, 1300.0, 1100.0])
    >>> options = dict(directions="to_unit", balance=None, sensitivity=False)
    >>> proposal = propose_pairings(units, hospitals, points, **options)
    >>> alternative = propose_pairings(units, hospitals, people, **options)
    >>> diff = demand_comparison(proposal, alternative, demand="points", points=points,
    ...                          people=people, units=units, hospitals=hospitals,
    ...                          directions="to_unit")
    >>> diff["other"], diff["changed_unit_ids"], diff["districts_changed"]
    ('cells', ['u2'], ['D2'])
    >>> [diff[name]["cells_mean_travel_time_s"] for name in ("proposal", "alternative")]
    [1100.0, 900.0]
    >>> [diff[name]["points_mean_travel_time_s"] for name in ("proposal", "alternative")]
    [750.0, 800.0]
    """
    from planner.pairing.scoring import score_pairings

    mine = proposal.pairings.set_index("unit_id")["hospital_id"].astype(object)
    theirs = alternative.pairings.set_index("unit_id")["hospital_id"].astype(object)
    theirs = theirs.reindex(mine.index)
    changed = mine.index[(mine.fillna("") != theirs.fillna("")).to_numpy()]
    districts = proposal.pairings.set_index("unit_id")["district"].reindex(changed)

    def figures(result: PairingResult) -> dict[str, Any]:
        out: dict[str, Any] = {"objective_value": result.objective_value}
        for name, matrix in (("points", points), ("cells", people)):
            overall = score_pairings(
                result.pairings, matrix, units=units, hospitals=hospitals, directions=directions
            ).overall
            out[f"{name}_mean_travel_time_s"] = overall.get("pop_weighted_mean_travel_time_s")
            out[f"{name}_share_within_60min"] = overall.get("share_population_within_60min")
        return out

    return json_safe(
        {
            "demand": demand,
            "other": "points" if demand == "cells" else "cells",
            "units": len(mine),
            "units_changed": len(changed),
            "changed_unit_ids": [str(u) for u in changed],
            "districts_changed": sorted({str(d) for d in districts.dropna()}),
            "proposal": figures(proposal),
            "alternative": figures(alternative),
        }
    )


def _pairing_matrices(
    graph: TravelGraph,
    hospitals: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame,
    *,
    mode: str,
    depart: str,
    peak_depart: str,
    directions: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The matrices a pairing is planned and scored on, at ``depart`` and at ``peak_depart``,
    each with the trips ``directions`` needs (the same rule for both)."""
    from planner.travel import pair_travel_times

    options = {"mode": mode, "directions": directions}
    return (
        pair_travel_times(graph, hospitals, units, depart=depart, **options),
        pair_travel_times(graph, hospitals, units, depart=peak_depart, **options),
    )


def read_specialty_need(path: str | os.PathLike[str] | None) -> pd.DataFrame | None:
    """Read a specialty-need table (``district``, ``specialty``, ``need``), or ``None``.

    Read like every CSV (:func:`planner.io.read_csv_table`); ``need`` is a count
    (:func:`planner.io.parse_count`: ``12 345`` is read, an ambiguous ``12.345`` is an error).

    Parameters
    ----------
    path : str or os.PathLike or None
        A CSV file with ``district``, ``specialty`` and ``need`` (e.g. births a year for
        ``obstetrics_gynecology``), or ``None``.

    Returns
    -------
    pandas.DataFrame or None
        The table with ``need`` as numbers (NaN where blank); ``None`` without a path.

    Raises
    ------
    PlannerInputError
        An unreadable file, or a ``need`` that is not a count (with its row).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "need.csv"
    ...     _ = path.write_text("district,specialty,need\\nHuyện Ba Vì,obstetrics_gynecology,"
    ...                         '"4 120"\\n', encoding="utf-8")
    ...     table = read_specialty_need(path)
    >>> table.to_dict("records")
    [{'district': 'Huyện Ba Vì', 'specialty': 'obstetrics_gynecology', 'need': 4120.0}]
    >>> read_specialty_need(None) is None
    True
    """
    from planner.io import NumberError, parse_count, read_csv_table

    if path is None:
        return None
    table = read_csv_table(path)
    if "need" in table.columns:
        need = []
        for i, value in enumerate(table["need"], start=1):
            try:
                need.append(parse_count(value) if value else float("nan"))
            except NumberError as exc:
                raise PlannerInputError(
                    f"need {exc.problem}", file=path, row=i, field="need", hint=exc.hint
                ) from None
        table["need"] = need
    return table


def scores_document(run: PlanningRun) -> dict[str, Any]:
    """The content of ``scores.json``: the proposal's scores and its gaps to the baselines.

    Top-level ``depart`` and ``peak_depart`` say when the main and the ``*_peak*`` figures
    leave, ``directions`` which trips a pair's time averages; ``per_pair`` holds each unit's
    time at both departures (the report's decision table); ``options`` the run's settings.

    Parameters
    ----------
    run : PlanningRun
        What :func:`plan` returned.

    Returns
    -------
    dict
        The proposal's scores (:meth:`planner.pairing.scoring.PairingScores.to_dict`) with
        ``baselines`` (``nearest`` and, with a pilot, ``pilot``: their scores), ``per_pair``,
        ``options`` and ``cells`` (:func:`cells_document`).

    Examples
    --------
    >>> doc = scores_document(plan(PlanOptions(scheme="2025", cells=False)))
    >>> doc["status"], doc["depart"], doc["peak_depart"], sorted(doc["baselines"])
    ('optimal', '10:00', '08:00', ['nearest', 'pilot'])
    >>> doc["options"]["pilot"], len(doc["per_pair"])
    ([{'district': 'Huyện Ba Vì', 'hospital_id': 'hn-reg-xanhpon'}], 156)
    >>> doc["cells"]
    {'skipped': 'not asked for (cells=False)'}
    """
    doc = dict(run.scores.to_dict())
    doc["baselines"] = {"nearest": run.nearest_scores.to_dict()}
    if run.pilot_scores is not None:
        doc["baselines"]["pilot"] = run.pilot_scores.to_dict()
    doc["per_pair"] = _per_pair_times(run.scores)
    doc["options"] = {
        "scheme": run.options.scheme,
        "mode": run.options.mode,
        "depart": run.options.depart,
        "peak_depart": run.options.peak_depart,
        "directions": run.options.directions,
        "site_rule": run.options.site_rule,
        "objective": run.options.objective,
        "balance": run.options.balance,
        "load": run.options.load,
        "hierarchical": run.options.hierarchical,
        "pilot_pinned": run.options.pilot,
        "pilot": [
            {"district": district, "hospital_id": hospital_id}
            for district, hospital_id in (run.options.pilot_pairs if run.options.pilot else ())
        ],
        "pins": dict(run.options.pins),
        "specialty_need": None
        if run.options.specialty_need is None
        else str(run.options.specialty_need),
        "demand": run.options.demand,
        **({} if run.options.population is None else {"population": str(run.options.population)}),
        **_roads_and_region(run.graph.source, run.facilities),
    }
    doc["cells"] = cells_document(run)
    return doc


def cells_document(run: PlanningRun) -> dict[str, Any]:
    """``scores.json``'s ``cells`` section: coverage and zonal figures from where people live.

    :func:`planner.access.cells.cells_summary` of the run (the WorldPop attribution, whether the
    grid is calibrated to the census, coverage at 15 to 120 minutes, population-weighted mean
    and 90th percentile, the coverage curve and the table per district) with ``demand``: how
    the proposal differs from the one planned under the other demand
    (:func:`demand_comparison`). Without cells: ``{"skipped": <why>}``.

    Parameters
    ----------
    run : PlanningRun
        What :func:`plan` returned.

    Returns
    -------
    dict
        JSON-ready: the cell figures and ``demand``, or ``{"skipped": <why>}``.

    Examples
    --------
    >>> doc = cells_document(plan(PlanOptions(scheme="2025")))
    >>> doc["calibrated"], doc["census_total"], len(doc["per_district"])
    (True, 8053663, 30)
    >>> doc["demand"]["other"], doc["demand"]["units_changed"]  # planned by cells instead
    ('cells', 7)
    """
    if run.access is None or run.coverage is None:
        return {"skipped": run.cells_note or "no population cells"}
    from planner.access import cells_summary

    document = cells_summary(run.access, run.coverage)
    document["demand"] = run.demand_comparison
    return document


def _per_pair_times(scores: PairingScores) -> list[dict[str, Any]]:
    """Each unit's time at both departures, for the report's decision table."""
    per_pair = scores.per_pair
    times = [c for c in ("travel_time_s", "travel_time_peak_s") if c in per_pair]
    return json_safe(per_pair[["unit_id", *times]].to_dict(orient="records"))


def _roads_and_region(source: str, facilities: gpd.GeoDataFrame) -> dict[str, Any]:
    """Where the roads came from (and the date of their data), and the region, for titles."""
    from planner.outputs.report import road_data_date

    return {
        "roads": source or None,
        "roads_date": road_data_date(source),
        "region": "Hanoi" if is_hanoi_registry(facilities) else None,
    }


def write_outputs(
    run: PlanningRun,
    out_dir: str | Path,
    *,
    map: bool = True,
    report: bool = True,
    lang: str = DEFAULT_LANG,
    whatif: bool = True,
) -> dict[str, Path]:
    """Write a run's files into ``out_dir`` and return their paths by name.

    Everything is rendered in memory first; each file is then written atomically, so an
    error leaves the previous outputs intact. ``pairings.csv`` is spreadsheet-safe
    (:func:`planner.io.write_csv`); ``pairings.gpkg`` holds the same tables as layers for a GIS
    office (:mod:`planner.outputs.geopackage`). With the run's population cells, ``access_cells.csv`` and
    ``coverage.csv`` (:func:`planner.access.cells.access_tables`) too, and the map gets the
    travel-time surface. With the report, ``approximate_locations.csv`` lists the units placed
    at a population centre or a centroid (the report shows their count per district).

    Parameters
    ----------
    run
        What :func:`plan` returned.
    out_dir
        The output folder (created if needed).
    map, report
        Also write ``map.html`` and ``report.html``.
    lang
        Language of the map and the report: ``"vi"`` (default) or ``"en"``.
    whatif
        Let the map's readers reassign units and see the scores move, offline
        (:class:`planner.outputs.maps.WhatIf`, from the run's two matrices).

    Returns
    -------
    dict
        File name -> path, in the order written.

    Examples
    --------
    A run without cells, files without the map and the report (a run with cells also writes
    ``access_cells.csv`` and ``coverage.csv``):

    >>> import os, tempfile
    >>> run = plan(PlanOptions(scheme="2025", cells=False))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     paths = write_outputs(run, folder, map=False, report=False)
    ...     list(paths), sorted(os.listdir(folder))  # doctest: +NORMALIZE_WHITESPACE
    (['pairings.csv', 'pairings.geojson', 'scores.json', 'pairings.gpkg'],
     ['pairings.csv', 'pairings.geojson', 'pairings.gpkg', 'scores.json'])
    """
    out = Path(out_dir)
    pairings = run.proposal.pairings
    scores = scores_document(run)
    geo = run.proposal.to_geodataframe(run.facilities)
    rendered_map = run_map(run, lang=lang, whatif=whatif) if map or report else None
    tables = {}
    if run.access is not None and run.coverage is not None:
        from planner.access import access_tables

        tables = access_tables(run.access, run.coverage)
    from planner.outputs.geopackage import geopackage_layers, write_geopackage
    from planner.places.hanoi import hanoi_areas

    areas = hanoi_areas(scheme=run.options.scheme) if is_hanoi_registry(run.facilities) else None
    layers = geopackage_layers(pairings, run.facilities, areas=areas, cells=run.access)  # for GIS
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "pairings.csv": write_csv(pairings, out / "pairings.csv"),
        "pairings.geojson": write_vector_atomic(geo, out / "pairings.geojson"),
        "scores.json": write_json(scores, out / "scores.json"),
        **{name: write_csv(table, out / name) for name, table in tables.items()},
    }
    paths["pairings.gpkg"] = write_geopackage(out / "pairings.gpkg", layers)
    if map and rendered_map is not None:
        from planner.outputs.maps import save_map

        paths["map.html"] = save_map(rendered_map, out / "map.html")
    if report:
        from planner.outputs.report import APPROXIMATE_CSV, write_report

        paths["report.html"] = write_report(
            out / "report.html",
            pairings=pairings,
            scores=scores,
            facilities=run.facilities,
            map=rendered_map,
            compare=run.nearest,
            lang=lang,
        )
        if (out / APPROXIMATE_CSV).exists():
            paths[APPROXIMATE_CSV] = out / APPROXIMATE_CSV
    return paths


def run_map(
    run: PlanningRun,
    *,
    lang: str = DEFAULT_LANG,
    whatif: bool = True,
    areas: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """The map of a run (what :func:`write_outputs` saves as ``map.html``): the proposal beside
    the nearest-hospital option, titled with the run's scenario, with the what-if panel.

    Parameters
    ----------
    run
        What :func:`plan` returned.
    lang
        ``"vi"`` (default) or ``"en"``.
    whatif
        Add the what-if panel (:func:`run_whatif`).
    areas
        The Hanoi areas of the run's scheme when already loaded (default: loaded here, for
        the Hanoi registry only).

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> m = run_map(plan(PlanOptions(scheme="2025", cells=False)), lang="en", whatif=False)
    >>> html = m.get_root().render()
    >>> html.split("<title>")[1].split(" — ")[0]
    'Sister hospitals, Hanoi'
    >>> "Units whose sister hospital differs in the nearest-hospital option" in html
    True
    """
    from planner.outputs.formatting import map_title, scenario_parts
    from planner.outputs.i18n import Translator
    from planner.outputs.maps import pairing_map

    options = scores_document(run)["options"]
    if areas is None and is_hanoi_registry(run.facilities):
        from planner.places.hanoi import hanoi_areas

        areas = hanoi_areas(scheme=run.options.scheme)
    return pairing_map(
        run.proposal.pairings,
        run.facilities,
        areas=areas,
        compare=run.nearest,
        compare_label=Translator(lang)("map.nearest"),
        graph=run.graph,
        mode=run.options.mode,
        depart=run.options.depart,
        title=map_title(options, lang=lang),
        subtitle=" · ".join(scenario_parts(options, lang=lang)),
        self_contained=True,
        lang=lang,
        whatif=run_whatif(run) if whatif else None,
        surface=run.access,
    )


def run_whatif(run: PlanningRun) -> WhatIf:
    """What a map of the run needs for its what-if panel: the run's two matrices and rules.

    Parameters
    ----------
    run : PlanningRun
        What :func:`plan` returned.

    Returns
    -------
    planner.outputs.maps.WhatIf
        The run's matrices at its departure and peak times, with its directions, grouping
        and site rule.

    Examples
    --------
    >>> run_whatif(plan(PlanOptions(scheme="2025", cells=False))).peak_depart
    '08:00'
    """
    from planner.outputs.maps import WhatIf

    return WhatIf(
        run.matrix,
        matrix_peak=run.matrix_peak,
        depart=run.options.depart,
        peak_depart=run.options.peak_depart,
        directions=run.options.directions,
        hierarchical=run.options.hierarchical,
        site_rule=run.options.site_rule,
    )


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
    >>> is_hanoi_registry(pd.DataFrame({"facility_id": ["hn-reg-xanhpon", "clinic-7"]}))
    False
    """
    return bool(fac["facility_id"].astype(str).str.startswith("hn-").all())


@dataclass(frozen=True)
class ScoredPairing:
    """A pairing read from a file, completed from the facilities and scored.

    Attributes
    ----------
    pairings
        The pairing in the contract's columns (names, levels, districts, population from the
        facilities where the file leaves them blank; travel times and distances as scored).
    scores
        Its :class:`planner.pairing.scoring.PairingScores`.
    facilities
        The facilities it was checked against.
    scheme
        The administrative scheme used (detected from the ids when not given).
    mode, depart, peak_depart
        The travel mode and the two departure times scored.
    directions
        Which trips a pair's time is made of (see :func:`planner.pairing.scoring.pair_costs`).
    site_rule
        Which site of a hospital a pair's trips use (:mod:`planner.places.sites`).
    nearest, nearest_scores
        The nearest-hospital baseline on the same units, and its scores.
    roads
        Where the roads it was scored on came from (``TravelGraph.source``).
    matrix, matrix_peak
        The matrices it was scored on (at ``depart`` and ``peak_depart``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "officials.csv"
    ...     _ = path.write_text("unit_id,hospital_id\\nhn-dist-271,hn-reg-xanhpon\\n")
    ...     scored = score_pairings_file(path)
    >>> scored.scheme, scored.pairings["hospital_id"].tolist()
    ('2024', ['hn-reg-xanhpon'])
    >>> scored.nearest["hospital_id"].tolist()  # the baseline: Ba Vì's nearest hospital
    ['hn-reg-obgyn']
    """

    pairings: pd.DataFrame
    scores: PairingScores
    facilities: gpd.GeoDataFrame
    scheme: str
    mode: str = "car"
    depart: str = DEFAULT_DEPART
    peak_depart: str = PEAK_DEPART
    directions: str = "both"
    site_rule: str = DEFAULT_SITE_RULE
    nearest: pd.DataFrame | None = None
    nearest_scores: PairingScores | None = None
    roads: str = ""
    matrix: pd.DataFrame | None = None
    matrix_peak: pd.DataFrame | None = None


def score_pairings_file(
    pairings_path: str | os.PathLike[str],
    *,
    scheme: str | None = None,
    mode: str = "car",
    depart: str = DEFAULT_DEPART,
    peak_depart: str = PEAK_DEPART,
    directions: str = "both",
    facilities: str | os.PathLike[str] | gpd.GeoDataFrame | None = None,
    source: str | os.PathLike[str] | None = None,
    graph: TravelGraph | None = None,
    site_rule: str = DEFAULT_SITE_RULE,
) -> ScoredPairing:
    """Score a pairing file made elsewhere (by hand, in Excel, by an earlier run).

    The figures are at ``depart`` and (the ``*_peak*`` ones) at ``peak_depart``, a pair's time
    by the ``directions`` rule, exactly as :func:`plan` scores its proposal; the scores record
    all three (``depart``, ``peak_depart``, ``directions``).

    Parameters
    ----------
    pairings_path
        A CSV with ``unit_id`` and ``hospital_id`` at least (read by
        :func:`planner.io.read_pairings`: UTF-8 with or without BOM, ``,`` or ``;``).
    scheme
        Scheme of the Hanoi registry; ``None`` detects it from the ids
        (:func:`planner.io.detect_scheme`). Ignored with ``facilities``.
    mode, depart, peak_depart
        Travel mode and the two departure times of the scores.
    directions
        Which trips a pair's time is made of: ``"both"`` (default), ``"to_unit"`` or
        ``"to_hospital"``.
    facilities, source, graph
        The facilities and roads, as for :func:`load_inputs`.
    site_rule
        Which site of a hospital a pair's trips use: ``"nearest"`` (default) or ``"main"``.
        The file's ``hospital_id`` names hospitals; a ``site_id`` column, if any, is checked
        and replaced by the rule's choice (a warning says where they differ).

    Returns
    -------
    ScoredPairing

    Raises
    ------
    PlannerInputError
        Unreadable file, missing columns, unknown ids (with their rows), a unit paired twice.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     f = pathlib.Path(folder) / "officials.csv"
    ...     _ = f.write_text("unit_id,hospital_id\\nhn-dist-271,hn-reg-xanhpon\\n")
    ...     scored = score_pairings_file(f)
    >>> scored.pairings.loc[0, ["unit_name", "hospital_name"]].tolist()
    ['Bệnh viện Đa khoa Ba Vì', 'Bệnh viện Đa khoa Xanh Pôn']
    """
    from planner.io import detect_scheme
    from planner.pairing.propose import nearest_pairings
    from planner.pairing.scoring import score_pairings

    if facilities is None and scheme is None:
        scheme = detect_scheme(pairings_path, DEFAULT_SCHEME)
    scheme = scheme or DEFAULT_SCHEME
    graph, fac = load_inputs(scheme=scheme, facilities=facilities, source=source, graph=graph)
    table = read_pairings(pairings_path, fac)
    hospitals, units = split_levels(fac)
    units = units[units["facility_id"].isin(table["unit_id"])]
    matrix, peak = _pairing_matrices(
        graph,
        hospitals,
        units,
        mode=mode,
        depart=depart,
        peak_depart=peak_depart,
        directions=directions,
    )

    def score(pairings: pd.DataFrame) -> PairingScores:
        return score_pairings(
            pairings,
            matrix,
            units=units,
            hospitals=hospitals,
            matrix_peak=peak,
            directions=directions,
            depart=depart,
            peak_depart=peak_depart,
            site_rule=site_rule,
        )

    scores = score(table)
    nearest = nearest_pairings(units, hospitals, matrix, directions=directions, site_rule=site_rule)
    return ScoredPairing(
        pairings=_completed(table, fac, scores),
        scores=scores,
        facilities=fac,
        scheme=scheme,
        mode=mode,
        depart=depart,
        peak_depart=peak_depart,
        directions=directions,
        site_rule=site_rule,
        nearest=nearest,
        nearest_scores=score(nearest),
        roads=graph.source,
        matrix=matrix,
        matrix_peak=peak,
    )


def scored_document(scored: ScoredPairing) -> dict[str, Any]:
    """The ``scores.json`` of a scored pairing file: its scores, the nearest-hospital baseline
    and the options used (as :func:`scores_document` for a proposal).

    Parameters
    ----------
    scored : ScoredPairing
        What :func:`score_pairings_file` returned.

    Returns
    -------
    dict
        The scores (:meth:`planner.pairing.scoring.PairingScores.to_dict`) with ``baselines``
        (``nearest``), ``options`` (scheme, mode, departures, directions, site rule, roads)
        and ``per_pair``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     f = pathlib.Path(folder) / "p.csv"
    ...     _ = f.write_text("unit_id,hospital_id\\nhn-dist-271,hn-reg-xanhpon\\n")
    ...     doc = scored_document(score_pairings_file(f))
    >>> doc["status"], doc["options"]["depart"], "nearest" in doc["baselines"]
    ('scored', '10:00', True)
    """
    doc = dict(scored.scores.to_dict())
    if scored.nearest_scores is not None:
        doc["baselines"] = {"nearest": scored.nearest_scores.to_dict()}
    doc["options"] = {
        "scheme": scored.scheme,
        "mode": scored.mode,
        "depart": scored.depart,
        "peak_depart": scored.peak_depart,
        "directions": scored.directions,
        "site_rule": scored.site_rule,
        **_roads_and_region(scored.roads, scored.facilities),
    }
    doc["per_pair"] = _per_pair_times(scored.scores)
    return doc


def write_scored(scored: ScoredPairing, out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Write a scored pairing as a folder :func:`planner.outputs.report.write_report` (``planner
    report``) can render: the completed ``pairings.csv`` and ``scores.json``, atomically.

    Parameters
    ----------
    scored
        What :func:`score_pairings_file` returned.
    out_dir
        The output folder (created if needed).

    Returns
    -------
    dict
        File name -> path.

    Examples
    --------
    >>> import os, pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "officials.csv"
    ...     _ = path.write_text("unit_id,hospital_id\\nhn-dist-271,hn-reg-xanhpon\\n")
    ...     paths = write_scored(score_pairings_file(path), pathlib.Path(folder) / "scored")
    ...     list(paths), sorted(os.listdir(paths["scores.json"].parent))
    (['pairings.csv', 'scores.json'], ['pairings.csv', 'scores.json'])
    """
    out = Path(out_dir)
    document = scored_document(scored)  # everything computed before anything is written
    out.mkdir(parents=True, exist_ok=True)
    return {
        "pairings.csv": write_csv(scored.pairings, out / "pairings.csv"),
        "scores.json": write_json(document, out / "scores.json"),
    }


def _completed(table: pd.DataFrame, fac: gpd.GeoDataFrame, scores: PairingScores) -> pd.DataFrame:
    """The pairing in the contract's columns (:data:`SCORED_COLUMNS`): facility attributes
    where the file has none, travel times and distances as scored."""
    from planner.pairing.propose import PAIRING_COLUMNS
    from planner.places.sites import hospital_sites

    info = fac.set_index("facility_id")
    hospital_names = hospital_sites(fac[fac["level"] == "regional"]).table.set_index("hospital_id")[
        "name"
    ]
    per_pair = scores.per_pair.set_index("unit_id")
    completed = table.copy()
    from_facilities = {
        "unit_name": completed["unit_id"].map(info["name"]),
        "unit_level": completed["unit_id"].map(info["level"]),
        "district": completed["unit_id"].map(info["district"]),
        "hospital_name": completed["hospital_id"].map(hospital_names),
        "population": completed["unit_id"].map(info["population"]),
    }
    for column, values in from_facilities.items():
        completed[column] = (
            completed[column].fillna(values) if column in completed.columns else values
        )
    scored_site = completed["unit_id"].map(per_pair["site_id"])
    if "site_id" in completed.columns:
        given = completed["site_id"].astype(object)
        differ = given.notna() & (given != scored_site)
        if differ.any():
            log.warning(
                "%d unit(s) of the pairing file name another site than the site rule "
                "chooses (e.g. %s: %s, scored with %s); the scores use the rule's site",
                int(differ.sum()),
                completed.loc[differ, "unit_id"].iloc[0],
                given[differ].iloc[0],
                scored_site[differ].iloc[0],
            )
    completed["site_id"] = scored_site
    completed["travel_time_s"] = completed["unit_id"].map(per_pair["travel_time_s"])
    completed["distance_m"] = completed["unit_id"].map(per_pair["distance_m"])
    order = [c for c in PAIRING_COLUMNS if c in completed.columns]
    return completed[order + [c for c in completed.columns if c not in order]]


#: The columns a scored pairing file carries (and a report needs) besides the two ids.
SCORED_COLUMNS = (
    "unit_name",
    "unit_level",
    "district",
    "hospital_name",
    "travel_time_s",
    "distance_m",
    "population",
)


@dataclass(frozen=True)
class _ReportFolder:
    """``pairings.csv`` and ``scores.json`` of a folder written by ``propose`` or ``score``."""

    pairings: pd.DataFrame
    scores: dict[str, Any]
    facilities: gpd.GeoDataFrame
    scheme: str


def _check_hanoi_run(folder: Path, scores_path: Path) -> None:
    """A run recorded as not on the Hanoi registry needs its own facilities and roads: say so
    (with the roads it used) rather than ask for a Hanoi data file."""
    try:
        options = json.loads(scores_path.read_text(encoding="utf-8")).get("options") or {}
    except (OSError, ValueError, UnicodeDecodeError, AttributeError):
        return  # a missing or unreadable file is reported where it is read
    if "region" not in options or options["region"] is not None:
        return
    roads = options.get("roads")
    source = f" --source {shlex.quote(str(roads))}" if roads else " --source ROADS"
    raise PlannerInputError(
        "this run's facilities are not the Hanoi registry, and the report needs them",
        file=folder,
        hint=f"give the facility file the run used: `planner report {shlex.quote(str(folder))} "
        f"--facilities FILE{source}`",
    )


def _read_report_folder(
    folder: Path,
    *,
    scheme: str,
    facilities: str | os.PathLike[str] | None,
    source: str | os.PathLike[str] | None,
    thousands: str | None,
) -> _ReportFolder:
    """Read a report folder; a folder holding only a pairing (made by hand, or without its
    scores) is refused with the exact ``planner score`` command that completes it."""
    pairings_path = folder / "pairings.csv"
    scores_path = folder / "scores.json"
    if not pairings_path.exists():
        raise PlannerInputError(
            "file not found",
            file=pairings_path,
            hint=f"run `planner propose --out {shlex.quote(str(folder))}` first, or put a "
            "pairing there and score it with `planner score`",
        )
    from planner.io import detect_scheme

    if facilities is None:
        _check_hanoi_run(folder, scores_path)
        scheme = detect_scheme(pairings_path, scheme)
    fac = facilities_for(scheme, facilities, thousands=thousands)  # already checked when scored
    table = read_pairings(pairings_path, fac)
    incomplete = [c for c in SCORED_COLUMNS if c not in table.columns]
    if incomplete or not scores_path.exists():
        missing = (
            f"{scores_path.name} is missing" if not scores_path.exists() else "it is incomplete"
        )
        command = _score_command(folder, scheme=scheme, facilities=facilities, source=source)
        raise PlannerInputError(
            f"the folder holds a pairing but {missing}"
            + (f" (no {', '.join(incomplete)} in {pairings_path.name})" if incomplete else ""),
            file=folder,
            hint=f"score it first, then make the report: `{command} && planner report "
            f"{shlex.quote(str(folder))}`",
        )
    try:
        scores = json.loads(scores_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise PlannerInputError(
            f"not valid JSON ({exc})",
            file=scores_path,
            hint="re-run `planner propose` (or `planner score ... --out DIR`) to rewrite it",
        ) from None
    if not isinstance(scores, dict):
        raise PlannerInputError(
            "not a scores document", file=scores_path, hint="re-run `planner propose`"
        )
    return _ReportFolder(table, scores, fac, scheme)


def report_dir(
    out_dir: str | os.PathLike[str],
    *,
    scheme: str = DEFAULT_SCHEME,
    facilities: str | os.PathLike[str] | None = None,
    source: str | os.PathLike[str] | None = None,
    thousands: str | None = None,
    compare: str | os.PathLike[str] | None = None,
    compare_name: str | None = None,
    lang: str = DEFAULT_LANG,
) -> Path:
    """Write ``report.html`` from a folder holding ``pairings.csv`` and ``scores.json``.

    With ``compare`` (another such folder: another time, scheme, or a hand-made pairing) the
    report shows both scenarios side by side and the units that change; ``compare_name``
    names the other one (default: what differs in its settings, else its folder name). The
    main roads come from ``source`` (default: the Hanoi roads, for Hanoi runs).

    Parameters
    ----------
    out_dir : str or os.PathLike
        The folder (written by ``planner propose``, :func:`write_outputs` or
        :func:`write_scored`); ``report.html`` is written into it.
    scheme : str
        Scheme of the Hanoi registry when the ids do not tell (detected from them otherwise).
    facilities : str or os.PathLike or None
        The facility file the pairing was made with; ``None``: the Hanoi registry.
    source : str or os.PathLike or None
        Road network for the map's main roads (see :func:`road_network`); ``None``: the Hanoi
        roads for the Hanoi registry, none otherwise.
    thousands : str or None
        Thousands separator of the facility file's numbers.
    compare : str or os.PathLike or None
        Another such folder to show side by side.
    compare_name : str or None
        The other scenario's name in the report.
    lang : str
        ``"vi"`` (default) or ``"en"``.

    Returns
    -------
    pathlib.Path
        The path of ``report.html``.

    Raises
    ------
    PlannerInputError
        No ``pairings.csv``; a pairing without its scores (the message gives the
        ``planner score`` command that completes it); an unreadable ``scores.json``.

    Examples
    --------
    Score a hand-made pairing into a folder, then make its report:

    >>> import os, pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "officials.csv"
    ...     _ = path.write_text("unit_id,hospital_id\\nhn-dist-271,hn-reg-xanhpon\\n")
    ...     out = pathlib.Path(folder) / "scored"
    ...     _ = write_scored(score_pairings_file(path), out)
    ...     report_dir(out, lang="en").name, sorted(os.listdir(out))
    ('report.html', ['pairings.csv', 'report.html', 'scores.json'])
    """
    from planner.outputs.formatting import map_title, scenario_difference, scenario_parts
    from planner.outputs.maps import pairing_map
    from planner.outputs.report import write_report
    from planner.places.hanoi import hanoi_areas

    out = Path(out_dir)
    read = functools.partial(
        _read_report_folder,
        scheme=scheme,
        facilities=facilities,
        source=source,
        thousands=thousands,
    )
    main = read(out)
    options = main.scores.get("options") or {}
    other = None
    if compare is not None:
        other = read(Path(compare))
        compare_name = compare_name or scenario_difference(
            other.scores.get("options") or {}, relative_to=options, lang=lang
        )
        compare_name = compare_name or Path(compare).resolve().name
    hanoi = facilities is None and is_hanoi_registry(main.facilities)
    graph = road_network(source) if (source is not None or hanoi) else None
    same_units = other is not None and set(other.pairings["unit_id"].astype(str)) == set(
        main.pairings["unit_id"].astype(str)
    )
    surface = None
    cells = main.scores.get("cells")
    if graph is not None and isinstance(cells, dict) and cells.get("curve"):
        from planner.access import cell_access, default_grid

        # the same cells as the run's (read back from the cache after a run on these data)
        surface = cell_access(
            graph,
            main.facilities,
            main.pairings,
            grid=default_grid(main.facilities, graph=graph, raster=options.get("population")),
            mode=cells.get("mode") or options.get("mode") or "car",
            depart=cells.get("depart") or options.get("depart"),
            district_units=False,
            site_rule=cells.get("site_rule") or options.get("site_rule") or DEFAULT_SITE_RULE,
        )
    m = pairing_map(
        main.pairings,
        main.facilities,
        areas=hanoi_areas(scheme=main.scheme) if hanoi else None,
        compare=other.pairings if other is not None and same_units else None,
        compare_label=compare_name,
        graph=graph,
        depart=main.scores.get("depart") or options.get("depart"),
        title=map_title(options, lang=lang),
        subtitle=" · ".join(scenario_parts(options, lang=lang)),
        self_contained=True,
        lang=lang,
        surface=surface,
    )
    return write_report(
        out / "report.html",
        pairings=main.pairings,
        scores=main.scores,
        facilities=main.facilities,
        map=m,
        compare=other.pairings if other is not None else None,
        compare_scores=other.scores if other is not None else None,
        compare_name=compare_name,
        lang=lang,
    )


def _score_command(
    folder: Path,
    *,
    scheme: str,
    facilities: str | os.PathLike[str] | None,
    source: str | os.PathLike[str] | None,
) -> str:
    """The ``planner score`` command that turns a folder's pairing into a report folder."""
    words = ["planner", "score", str(folder / "pairings.csv"), "--out", str(folder)]
    if facilities is not None:
        words += ["--facilities", str(facilities)]
    elif scheme != DEFAULT_SCHEME:
        words += ["--scheme", scheme]
    if source is not None:
        words += ["--source", str(source)]
    return shlex.join(words)
