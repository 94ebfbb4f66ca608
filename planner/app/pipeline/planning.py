"""Planning a run: the options, the travel-time matrices, the proposal, its baselines and scores.

:func:`plan` computes the travel-time matrices (at the departure time and at the comparison
time, 08:00 by default, both directions), proposes the optimal pairing with its
nearest-hospital and pilot baselines, and scores all three by one definition of a pair's time
(``PlanOptions.directions``); it also places the people where they live (the population cells
of :mod:`planner.access.cells`, :func:`population_access`) for coverage from cells, and may
pair by them (``PlanOptions.demand``), comparing with the pairing under the other demand
(:func:`demand_comparison`). :class:`PlanningRun` holds everything a run computed.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from planner._json import json_safe
from planner.app.pipeline._deferred import Deferred
from planner.app.pipeline.inputs import RunInputs, load_inputs, road_network, split_levels
from planner.config import DEFAULT_SCHEME
from planner.errors import PlannerInputError
from planner.pairing.costs import PairCosts
from planner.pairing.explain import pilot_pins
from planner.pairing.scoring import PairingScores
from planner.places.pilot import HANOI_PILOT
from planner.requests import (
    DEFAULT_TRIP,
    PAIRING_FIELDS,
    TRIP_FIELDS,
    PairingRequest,
    TripRule,
    requests_from,
)
from planner.roads.graph import TravelGraph

if TYPE_CHECKING:
    from planner.access.cells import CellAccess
    from planner.access.zonal import Coverage
    from planner.pairing.propose import PairingResult

log = logging.getLogger(__name__)


@dataclass(frozen=True, init=False)
class PlanOptions:
    """What to plan: the scheme, the trip rule, the pairing request and where people live.

    A run is described by two typed requests built once here and passed down whole:
    ``trip`` (:class:`~planner.requests.TripRule`: mode, departure and comparison times,
    directions, site rule) and ``request`` (:class:`~planner.requests.PairingRequest`:
    objective, balance, load, hierarchy, pins, forbidden pairs, maximum time, time limit).
    Their fields may also be given flat, as keywords (``PlanOptions(mode="motorbike",
    balance=0.1)``), and read flat (``options.mode``), a convenience at the edge.

    ``pilot_pairs`` is the pilot as ``(district, hospital_id)`` pairs (default the Ba Vì pilot
    with Xanh Pon, :data:`planner.pairing.explain.HANOI_PILOT`): every unit of those districts is
    pinned, in hierarchical and unit mode, and the pilot baseline is built from them;
    ``pilot=False`` (``--no-pilot``) removes all of them. The request's ``pins`` are the
    user's own; they win over the pilot's where both pin a group. Pins and the pilot name
    hospitals; the trip's ``site_rule`` says which site of a hospital a pair's trips use
    (``"nearest"``, the pair's fastest site, or ``"main"``; :mod:`planner.places.sites`).

    Where people live: with ``cells`` (default) the run places the population on the
    population raster (``population``; default WorldPop 2020 of Vietnam, calibrated to the
    census for the Hanoi registry) and times every populated cell (:mod:`planner.access.cells`) for
    the coverage figures, the map's travel-time surface and the report; a user's facilities
    that no raster covers are planned without them (said in a warning and in
    ``scores.json``). ``demand`` is what a unit costs when pairing: ``"points"`` (its point's
    trips) or ``"cells"`` (the population-weighted trips of its people, where they live:
    :func:`planner.access.cells.demand_matrix`); the run also proposes the pairing under the other
    demand and says how they differ.

    ``capacity`` is a capacity file (``hospital_id, capacity, measure, source``:
    :func:`planner.places.capacity.read_capacity`) put on the hospitals, whose fair shares then
    follow it; with ``load="capacity"`` and the Hanoi registry, the figures found with a source
    (``geodata/hospital_capacity.csv``) when no file is given.

    Examples
    --------
    >>> options = PlanOptions(scheme="2025", depart="07:30", balance=0.1)
    >>> options.trip.mode, options.trip.depart, options.request.balance
    ('car', '07:30', 0.1)
    >>> options.depart == options.trip.depart  # flat reads, for convenience
    True
    """

    trip: TripRule
    request: PairingRequest
    scheme: str
    pilot: bool
    pilot_pairs: tuple[tuple[str, str], ...]
    specialty_need: str | Path | None
    demand: str
    cells: bool
    population: str | Path | None
    capacity: str | Path | None

    def __init__(
        self,
        *,
        trip: TripRule | None = None,
        request: PairingRequest | None = None,
        scheme: str = DEFAULT_SCHEME,
        pilot: bool = True,
        pilot_pairs: tuple[tuple[str, str], ...] = HANOI_PILOT,
        specialty_need: str | Path | None = None,
        demand: str = "points",
        cells: bool = True,
        population: str | Path | None = None,
        capacity: str | Path | None = None,
        **changes: Any,
    ) -> None:
        trip, request = requests_from(changes, trip=trip, request=request, caller="PlanOptions")
        values = {
            "trip": trip,
            "request": request,
            "scheme": scheme,
            "pilot": pilot,
            "pilot_pairs": tuple(pilot_pairs),
            "specialty_need": specialty_need,
            "demand": demand,
            "cells": cells,
            "population": population,
            "capacity": capacity,
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        # Only reached for names that are not fields: the requests' fields, read flat.
        if name in TRIP_FIELDS:
            return getattr(self.trip, name)
        if name in PAIRING_FIELDS:
            return getattr(self.request, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


@dataclass(frozen=True)
class PlanningRun:
    """Everything one planning run computed (inputs, matrices, pairings, scores).

    ``matrix`` (at ``options.trip.depart``) and ``matrix_peak`` (at ``options.trip.peak_depart``) hold the
    trips ``options.trip.directions`` needs (both directions by default,
    :func:`planner.travel.matrix.pair_travel_times`); the proposal, the baselines and every score
    use them with the same directions rule. ``hospitals`` are the regional rows, one per site
    (the matrices hold every site; pairs use the site of ``options.trip.site_rule``). With
    ``options.demand == "cells"`` they hold the people's times
    (:func:`planner.access.cells.demand_matrix`), which the proposal and the scores then use.

    ``inputs`` says where the roads and facilities came from (:class:`RunInputs`), what the
    run's ``scenario.toml`` names (:mod:`planner.app.pipeline.scenario`).

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
    cells_note: str | None = None
    #: the hospitals' capacity put on them (:func:`planner.places.capacity.read_capacity`),
    #: ``None`` when the run used none
    capacity: pd.DataFrame | None = None
    #: the demand comparison and the coverage, computed when first read (None without cells)
    deferred: Deferred | None = field(default=None, repr=False, compare=False)
    #: where the roads, facilities (and a growth run's candidates) came from: the scenario's
    inputs: RunInputs = field(default_factory=RunInputs)

    @property
    def coverage(self) -> Coverage | None:
        """Coverage and zonal statistics of :attr:`access` (``None`` without cells)."""
        return None if self.deferred is None else self.deferred.coverage

    @property
    def demand_alternative(self) -> PairingResult | None:
        """The proposal under the other demand, no sensitivity re-solves (``None`` without cells)."""
        return None if self.deferred is None else self.deferred.alternative

    @property
    def demand_comparison(self) -> dict[str, Any] | None:
        """How the proposal and :attr:`demand_alternative` differ (``None`` without cells)."""
        return None if self.deferred is None else self.deferred.comparison


def pairing_arguments(options: PlanOptions, units: pd.DataFrame) -> dict[str, Any]:
    """What a pairing solve is given by a run's options: the two requests, the pilot's pins
    on these units and the specialty need read from its file.

    Parameters
    ----------
    options
        The run's options.
    units
        The run's units (the pilot's districts are pinned unit by unit).

    Returns
    -------
    dict
        ``request``, ``trip``, ``pilot`` and ``specialty_need``, the keywords of
        :func:`planner.pairing.propose.propose_pairings` and
        :func:`planner.pairing.siting.propose_with_candidates`.

    Examples
    --------
    >>> from planner.places.hanoi import hanoi_facilities
    >>> units = hanoi_facilities(scheme="2024").query("level != 'regional'")
    >>> asked = pairing_arguments(PlanOptions(balance=0.1), units)
    >>> asked["request"].balance, len(asked["pilot"]) > 1, asked["specialty_need"] is None
    (0.1, True, True)
    """
    return {
        "request": options.request,
        "trip": options.trip,
        "pilot": pilot_pins(units, options.pilot_pairs) if options.pilot else None,
        "specialty_need": read_specialty_need(options.specialty_need),
    }


def plan(
    options: PlanOptions | None = None,
    *,
    facilities: str | os.PathLike[str] | gpd.GeoDataFrame | None = None,
    source: str | os.PathLike[str] | None = None,
    graph: TravelGraph | None = None,
    matrices: tuple[pd.DataFrame, pd.DataFrame] | None = None,
    cells: tuple[CellAccess | None, str | None] | None = None,
    inputs: RunInputs | None = None,
) -> PlanningRun:
    """Run the whole planning job and return everything it computed.

    Parameters
    ----------
    options
        Scheme, mode, departure time and pairing request (defaults: 2025 scheme, car,
        10:00, population-weighted time, balance ±0.2, the Ba Vì pilot pinned).
    facilities
        A facility file or GeoDataFrame; default the Hanoi registry of ``options.scheme``.
        Facilities elsewhere on Earth work with their own roads (``source``): see
        :func:`planner.app.pipeline.inputs.load_inputs`.
    source
        Road network file; default the Hanoi MBTiles. Ignored when ``graph`` is given.
    graph
        An already loaded :class:`planner.roads.graph.TravelGraph`.
    matrices
        The matrices of these facilities at ``options.trip.depart`` and ``options.trip.peak_depart``
        (:func:`planner.travel.matrix.pair_travel_times` with the options' mode and directions),
        when already computed (:class:`planner.app.interactive.session.Session` keeps them); ``None``
        computes them.
    cells
        What :func:`population_access` returned for these options and facilities, when
        already computed (:class:`planner.app.interactive.session.Session` keeps it); ``None`` computes it.
    inputs
        Where ``facilities`` and ``graph`` came from when they are given loaded (the command
        line, a session); default: read from ``facilities`` and ``source`` as given
        (:meth:`RunInputs.of`). The run's scenario names them.

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
    inputs = inputs or RunInputs.of(facilities=facilities, source=source, graph=graph)
    graph, fac = load_inputs(
        scheme=options.scheme, facilities=facilities, source=source, graph=graph
    )
    fac, capacity = hospital_capacity(options, fac)
    hospitals, units = split_levels(fac)

    log.info(
        "travel times: %d hospitals (%d sites) x %d units (%s, %s and %s, directions %s)",
        hospitals["hospital_id"].nunique() if "hospital_id" in hospitals else len(hospitals),
        len(hospitals),
        len(units),
        options.trip.mode,
        options.trip.depart,
        options.trip.peak_depart,
        options.trip.directions,
    )
    if matrices is None and cells is None and options.cells and "roads" not in inputs.unknown:
        _cells_ahead(options, graph, fac, inputs.source)
    points, points_peak = matrices or pairing_matrices(graph, hospitals, units, trip=options.trip)
    access, cells_note = cells or population_access(options, graph, fac)
    people = people_peak = None
    if access is not None:
        from planner.access.cells import cell_access
        from planner.access.demand import demand_matrix

        people = demand_matrix(access, points)
        if options.demand == "cells":
            at_peak = cell_access(
                graph, fac, grid=access.grid, district_units=False,
                trip=dataclasses.replace(options.trip, depart=options.trip.peak_depart),
            )  # fmt: skip
            people_peak = demand_matrix(at_peak, points_peak)
    if options.demand == "cells":
        assert people is not None and people_peak is not None  # _cells raises otherwise
        matrix, matrix_peak = people, people_peak
    else:
        matrix, matrix_peak = points, points_peak

    asked = pairing_arguments(options, units)
    proposal = propose_pairings(units, hospitals, matrix, matrix_peak=matrix_peak, **asked)
    # The baselines are the proposal's: one definition (planner.pairing.explain), the same model.
    nearest, pilot = proposal.nearest, proposal.pilot

    def score(pairings: pd.DataFrame):
        return score_pairings(
            pairings,
            matrix,
            units=units,
            hospitals=hospitals,
            matrix_peak=matrix_peak,
            trip=options.trip,
            optimum=proposal,
        )

    deferred = None
    if access is not None and people is not None:
        from planner.access.zonal import coverage

        # the same request under the other demand (no peak re-solves: a comparison); computed
        # when scores.json or the report reads it, not on every re-plan
        other = points if options.demand == "cells" else people
        access = cells_run = access.with_pairings(proposal.pairings)
        people_matrix = people  # narrowed to a DataFrame, for the lambdas
        deferred = Deferred(
            alternative=lambda: propose_pairings(units, hospitals, other, sensitivity=False, **asked),
            compare=lambda alternative: demand_comparison(
                proposal, alternative, demand=options.demand, points=points, people=people_matrix,
                units=units, hospitals=hospitals, trip=options.trip,
            ),
            cover=lambda: coverage(cells_run),
        )  # fmt: skip

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
        cells_note=cells_note,
        capacity=capacity,
        deferred=deferred,
        inputs=inputs,
    )


def hospital_capacity(
    options: PlanOptions, facilities: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, pd.DataFrame | None]:
    """The facilities with the hospitals' capacity the options ask for, and its table.

    ``options.capacity`` (a file) when given; else, for ``load="capacity"`` on the Hanoi
    registry, the figures found with a source (``geodata/hospital_capacity.csv``); else the
    facilities as they are (their own ``capacity`` column, if any).

    Parameters
    ----------
    options : PlanOptions
        Uses ``capacity``, ``request.load``.
    facilities : geopandas.GeoDataFrame
        The run's facilities.

    Returns
    -------
    tuple
        The facilities (a copy when a capacity was put on them) and the capacity table
        (:func:`planner.places.capacity.read_capacity`), or ``None``.

    Examples
    --------
    >>> _, fac = load_inputs(scheme="2025")
    >>> fac2, table = hospital_capacity(PlanOptions(scheme="2025", load="capacity"), fac)
    >>> table["capacity"].tolist(), fac2.loc[fac2.level == "regional", "capacity"].sum()
    ([380.0, 600.0, 750.0, 870.0], np.float64(2600.0))
    >>> hospital_capacity(PlanOptions(scheme="2025"), fac)[1] is None
    True
    """
    from planner.app.pipeline.inputs import is_hanoi_registry
    from planner.places.capacity import hanoi_capacity_path, read_capacity, with_capacity

    path = options.capacity
    if path is None and options.request.load == "capacity" and is_hanoi_registry(facilities):
        path = hanoi_capacity_path()
    if path is None:
        return facilities, None
    table = read_capacity(path, hospitals=facilities)
    return with_capacity(facilities, table), table


def _check_demand(options: PlanOptions) -> None:
    """Refuse a demand the run cannot meet, before any work."""
    from planner.access.demand import DEMANDS

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


def _cells_ahead(
    options: PlanOptions,
    graph: TravelGraph,
    facilities: gpd.GeoDataFrame,
    source: str | None,
) -> None:
    """On a graph this process has just built, time the population cells in a helper process
    while this one computes the pair matrices.

    Nothing computed on a new graph is in the cache, and the cells' searches (about 5 s on
    Hanoi) would wait for the matrices' (as long) on one core while the other idles: the helper
    fills the cache on the second core, and :func:`population_access` reads its entries back,
    computing itself whatever the helper has not reached (waiting on the lock of an entry it
    is building). Only where the graph's matrices are kept on disk, so a helper's work is kept,
    and for the graph of ``source`` (the run's :class:`RunInputs`), which the helper reads back.
    """
    from planner._workers import claim_fresh, start_helper
    from planner.roads.graph import graph_digest
    from planner.travel import kept_on_disk

    if claim_fresh(graph) and kept_on_disk(graph):
        start_helper(_time_cells, options, facilities, source, graph_digest(graph))


def _time_cells(
    options: PlanOptions, facilities: gpd.GeoDataFrame, source: str | None, digest: str
) -> None:
    """The helper's work (:func:`_cells_ahead`): :func:`population_access` into the cache, on
    the very graph its parent has (else nothing)."""
    from planner.roads.graph import graph_digest

    graph = road_network(source)
    if graph_digest(graph) == digest:
        population_access(options, graph, facilities)


def population_access(
    options: PlanOptions, graph: TravelGraph, facilities: gpd.GeoDataFrame
) -> tuple[CellAccess | None, str | None]:
    """Times from every populated cell to the hospitals (no pairing yet), or why there are none.

    What :func:`plan` computes for ``options.cells``: the population grid of the facilities
    (:func:`planner.access.cells.default_grid`, or ``options.population``) timed by
    :func:`planner.access.cells.cell_access` at ``options.trip.depart`` with the options' mode and site
    rule. A :class:`planner.app.interactive.session.Session` keeps it between plans.

    Parameters
    ----------
    options : PlanOptions
        Uses ``cells``, ``population``, ``demand`` and the trip rule (``mode``, ``depart``,
        ``site_rule``).
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
    from planner.access.cells import cell_access, default_grid

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
    access = cell_access(graph, facilities, grid=grid, trip=options.trip)
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
    trip: TripRule = DEFAULT_TRIP,
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
    units, hospitals, trip
        As for :func:`planner.pairing.scoring.score_pairings` (the run's own rules).

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
    >>> to_unit = TripRule(directions="to_unit")
    >>> options = dict(trip=to_unit, balance=None, sensitivity=False)
    >>> proposal = propose_pairings(units, hospitals, points, **options)
    >>> alternative = propose_pairings(units, hospitals, people, **options)
    >>> diff = demand_comparison(proposal, alternative, demand="points", points=points,
    ...                          people=people, units=units, hospitals=hospitals, trip=to_unit)
    >>> diff["other"], diff["changed_unit_ids"], diff["districts_changed"]
    ('cells', ['u2'], ['D2'])
    >>> [diff[name]["cells_mean_travel_time_s"] for name in ("proposal", "alternative")]
    [1100.0, 900.0]
    >>> [diff[name]["points_mean_travel_time_s"] for name in ("proposal", "alternative")]
    [750.0, 800.0]
    """
    from planner.pairing.costs import pair_costs
    from planner.pairing.scoring import time_figures

    mine = proposal.pairings.set_index("unit_id")["hospital_id"].astype(object)
    theirs = alternative.pairings.set_index("unit_id")["hospital_id"].astype(object)
    theirs = theirs.reindex(mine.index)
    changed = mine.index[(mine.fillna("") != theirs.fillna("")).to_numpy()]
    districts = proposal.pairings.set_index("unit_id")["district"].reindex(changed)

    costs: dict[tuple, PairCosts] = {}  # one pivot per matrix and set of units

    def figures(result: PairingResult) -> dict[str, Any]:
        out: dict[str, Any] = {"objective_value": result.objective_value}
        ids = tuple(result.pairings["unit_id"].astype(str))
        for name, matrix in (("points", points), ("cells", people)):
            if (name, ids) not in costs:
                costs[name, ids] = pair_costs(matrix, ids, hospitals, trip=trip)
            times = time_figures(result.pairings, costs[name, ids], units=units)
            out[f"{name}_mean_travel_time_s"] = times["pop_weighted_mean_travel_time_s"]
            out[f"{name}_share_within_60min"] = times["share_population_within_60min"]
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


def pairing_matrices(
    graph: TravelGraph,
    hospitals: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame,
    *,
    trip: TripRule,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The matrices a pairing is planned and scored on, at the trip rule's ``depart`` and at its
    ``peak_depart``, each with the trips its ``directions`` need (the same rule for both).

    What :func:`plan` and :func:`planner.app.pipeline.scored.score_pairings_file` time: every hospital
    site with every unit (:func:`planner.travel.matrix.pair_travel_times`).

    Parameters
    ----------
    graph : TravelGraph
        The road graph.
    hospitals, units : geopandas.GeoDataFrame
        The regional rows (one per site) and the units (:func:`planner.app.pipeline.inputs.split_levels`).
    trip : TripRule
        The travel mode, the main and the comparison departure times, and which trips a
        pair's time is made of.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The matrix at ``trip.depart`` and the matrix at ``trip.peak_depart``.

    Examples
    --------
    >>> from planner.app.pipeline.inputs import facilities_for
    >>> from planner.roads.network import hanoi_network
    >>> hospitals, units = split_levels(facilities_for("2025"))
    >>> at_ten, at_eight = pairing_matrices(hanoi_network(), hospitals, units, trip=TripRule())
    >>> len(at_ten) == len(at_eight) == 2 * len(hospitals) * len(units)
    True
    """
    from planner.travel.matrix import pair_travel_times

    # the travel stage's boundary: a matrix is timed by mode and departure time
    options = {"mode": trip.mode, "directions": trip.directions}
    return (
        pair_travel_times(graph, hospitals, units, depart=trip.depart, **options),
        pair_travel_times(graph, hospitals, units, depart=trip.peak_depart, **options),
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
    from planner.io.csv_reader import read_csv_table
    from planner.io.numbers import NumberError, parse_count

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
