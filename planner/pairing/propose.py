"""Propose sister-hospital pairings by exact optimisation.

:func:`propose_pairings` solves a mixed-integer linear programme with
:func:`scipy.optimize.milp` (HiGHS, sparse constraints, fixed options so runs repeat exactly),
in the spopt manner: the model is built once from the cost matrix
(:mod:`planner.pairing._model`), each objective is a small builder of MILP pieces
(:mod:`planner.pairing._objectives`), one solve returns the choice, and :class:`PairingResult` gathers
it with the explanations, sensitivity and baselines of :mod:`planner.pairing.explain` (whose
:func:`~planner.pairing.explain.nearest_pairings`, :func:`~planner.pairing.explain.pilot_pairings` and
:func:`~planner.pairing.explain.hanoi_pilot_pins` are importable from here too).

* **Decision.** Hierarchical mode (default): one binary per (district group, hospital); every
  unit sharing a ``district`` value goes with its group, so communes follow their district-level
  unit (a unit without a district is a group of its own). Unit mode: one binary per (unit,
  hospital).
* **Cost of a pair.** The pair's travel time of :func:`planner.pairing.scoring.pair_costs` by the
  ``directions`` choice: by default the mean of hospital -> unit (staff rotation) and unit ->
  hospital (referral), i.e. half the round trip; ``"to_unit"`` or ``"to_hospital"`` take one
  trip. The same rule scores the pairing and builds the baselines.
* **Hospitals, not sites.** Units pair with hospitals; a hospital of several sites (regional
  rows sharing a ``hospital_id``) is one column, its pair time that of the site ``site_rule``
  chooses (:mod:`planner.places.sites`: the pair's fastest site by default, or the hospital's main
  site), named per unit in ``site_id``. Loads, balance, pins and the baselines count hospitals.
* **Objectives.** ``pop-time`` minimises the population-weighted mean travel time;
  ``max-time`` minimises the largest unit travel time, then (lexicographically, among those
  optima) the population-weighted mean; ``balanced`` minimises
  ``(1 - w) x pop_time / pop_time_nearest + w x sum_h |load_h - fair_h| / total_load`` with
  ``w = balance_weight``. Population is counted once
  (:func:`planner.pairing.scoring.population_weights`): a district unit listed with its communes
  weighs 0, its people being counted through the communes.
* **Constraints.** Each hospital's load (population or unit count) lies within
  ``(1 +- balance) x`` its fair share (total / hospitals, or proportional to the hospitals'
  ``capacity`` when every hospital has one; ``load="capacity"``: people, proportional to the
  capacity, which every hospital must then have); pinned pairs; forbidden pairs;
  pairs slower than ``max_travel_time_s`` are forbidden; unreachable (NaN) pairs are forbidden.
  The pilot's pins (``pilot=``) hold like the user's ``pins``, which win where both pin a group.
* **Optimality.** A solution is ``"optimal"`` only when HiGHS proves it within a relative gap of
  1e-9 (no absolute-gap shortcut); a solve stopped by ``time_limit_s`` is "best found" with the
  gap proven so far (:attr:`PairingResult.status_text`).

A unit no hospital can reach is reported (``PairingResult.unreachable`` and an
:class:`~planner.errors.UnreachableWarning`): in hierarchical mode it still follows its group
(its time is unknown), otherwise it is left unassigned. A request no assignment satisfies raises
:class:`~planner.errors.InfeasibleError` naming the constraint and by how much it is missed
(for balance: the smallest feasible tolerance, found by a MILP that minimises it).
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planner.errors import PlannerInputError
from planner.pairing._model import PairingModel, build_model
from planner.pairing._objectives import (
    Solution,
    optimise,
    status_text,
)
from planner.pairing.explain import (
    baseline_gaps,
    baseline_grouping,
    empty_sensitivity,
    explain,
    nearest_baseline,
    pilot_baseline,
    sensitivity_table,
)
from planner.pairing.scoring import score_pairings
from planner.requests import PairingRequest, TripRule, requests_from

log = logging.getLogger(__name__)

__all__ = ["PairingResult", "propose_pairings"]


@dataclass(frozen=True, eq=False)
class PairingResult:
    """An optimised pairing with its scores, solver status and explanations.

    Attributes
    ----------
    pairings
        One row per unit, columns :data:`PAIRING_COLUMNS` in that order.
    scores
        :meth:`planner.pairing.scoring.PairingScores.to_dict` of the pairing plus ``objective``,
        ``objective_value``, ``status``, ``status_text``, ``mip_gap``, ``gap_vs_nearest_*``,
        ``gap_vs_pilot_*``, ``unreachable_units`` (JSON-safe).
    status
        ``"optimal"``: proven within a relative gap of
        :data:`~planner.pairing._objectives.OPTIMALITY_GAP` (1e-9); ``"time_limit"``: the best
        pairing found when the time limit struck, ``mip_gap`` its proven relative gap.
        :attr:`status_text` says it in words.
    mip_gap
        Proven relative gap between the solution and the best bound.
    objective
        The objective used, and ``objective_value`` its value (seconds for ``pop-time`` and
        ``max-time``, dimensionless for ``balanced``).
    explanations
        Per unit: chosen hospital and time, nearest hospital, next-best hospital, time and
        objective deltas of switching, and a reason in words.
    sensitivity
        One row per re-solve (peak-hour matrix, balance 0.1 and 0.3): status, objective and
        how many units change hospital.
    unreachable
        Ids of the units no hospital can reach.
    nearest, pilot
        The baselines' pairings (:func:`planner.pairing.explain.nearest_baseline`: nobody pinned;
        :func:`planner.pairing.explain.pilot_baseline`: the pilot's pins, nearest for the rest;
        ``pilot`` is None without a pilot).
    """

    pairings: pd.DataFrame
    scores: dict[str, Any]
    status: str
    mip_gap: float
    objective: str
    objective_value: float
    explanations: pd.DataFrame
    sensitivity: pd.DataFrame
    unreachable: tuple[str, ...] = ()
    nearest: pd.DataFrame | None = None
    pilot: pd.DataFrame | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def status_text(self) -> str:
        """The status in words: "optimal (proven within a relative gap of 1e-09)" or
        "best found in 60 s, within 0.0012 % of the optimum"."""
        return status_text(self.status, self.mip_gap, self.options.get("time_limit_s", math.nan))

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the pairings table."""
        return self.pairings.copy()

    def to_geodataframe(
        self, facilities: gpd.GeoDataFrame, *, links: bool = True
    ) -> gpd.GeoDataFrame:
        """Return the pairings as points (units) and, with ``links``, straight unit-hospital lines.

        Parameters
        ----------
        facilities
            A facility GeoDataFrame holding the units (and the hospitals, for the links),
            with ``facility_id`` and point geometry (or ``lat``/``lon``).
        links
            Add one ``LineString`` row per paired unit (``feature`` = ``"link"``) from the
            unit to the site of its hospital its trips use (``site_id``); the unit rows have
            ``feature`` = ``"unit"``.
        """
        fac = _points(facilities)
        where = fac.set_index("facility_id").geometry
        table = self.pairings.copy()
        points = table["unit_id"].map(where)
        if points.isna().any():
            missing = table.loc[points.isna(), "unit_id"].iloc[0]
            raise PlannerInputError(
                f"unit {missing!r} is not among the facilities given",
                field="facility_id",
                hint="pass the facility table the pairing was made from",
            )
        units = gpd.GeoDataFrame(table.assign(feature="unit"), geometry=list(points), crs=fac.crs)
        if not links:
            return units
        hosp = table["site_id"].fillna(table["hospital_id"]).map(where)
        ok = hosp.notna().to_numpy()
        ends = np.stack(
            [shapely.get_coordinates(list(points[ok])), shapely.get_coordinates(list(hosp[ok]))],
            axis=1,
        )
        lines = shapely.linestrings(ends)  # (n, 2 ends, x y): one vectorised call
        link_rows = gpd.GeoDataFrame(table[ok].assign(feature="link"), geometry=lines, crs=fac.crs)
        return gpd.GeoDataFrame(pd.concat([units, link_rows], ignore_index=True), crs=fac.crs)


def propose_pairings(
    units: pd.DataFrame,
    hospitals: pd.DataFrame,
    matrix: pd.DataFrame,
    request: PairingRequest | None = None,
    *,
    trip: TripRule | None = None,
    pilot: Mapping[str, str] | None = None,
    specialty_need: pd.DataFrame | None = None,
    matrix_peak: pd.DataFrame | None = None,
    sensitivity: bool = True,
    **changes: Any,
) -> PairingResult:
    """Propose the optimal sister-hospital pairing under load balance and pins.

    Parameters
    ----------
    units
        District and commune units (``facility_id``, ``name``, ``level``, ``district``,
        ``population``).
    hospitals
        Regional hospitals, one row per site (``facility_id``, ``name``; ``hospital_id`` and
        ``site_role`` for a hospital of several sites, :mod:`planner.places.sites`; ``capacity`` for
        proportional fair shares, a hospital's being the sum of its sites', needed for every
        hospital with ``load="capacity"``; ``specialty`` for the specialty option).
    matrix
        Long travel-time matrix with the trips ``directions`` needs (both directions by
        default: :func:`planner.travel.matrix.pair_travel_times` computes them).
    request
        What the pairing is asked for (:class:`~planner.requests.PairingRequest`: objective,
        balance, load, hierarchy, pins, forbidden pairs, maximum time, balance weight,
        specialty weight, time limit); the default request when ``None``. Pins name
        hospitals (not sites); in hierarchical mode a pin moves its whole group and a
        forbidden pair bars the group; user pins win over the pilot's where both pin a group.
        Each solve gets ``request.time_limit_s``: a pairing is ``"optimal"`` only when proven
        within a relative gap of 1e-9 within it; otherwise the best found is returned with
        status ``"time_limit"`` and its proven gap (``status_text``); sensitivity re-solves get
        at most :data:`~planner.pairing.explain.SENSITIVITY_TIME_LIMIT_S`.
    trip
        How a pair's time is measured (:class:`~planner.requests.TripRule`); the pairing uses
        its ``directions`` (``"both"``: the mean of hospital -> unit and unit -> hospital,
        half the round trip; ``"to_unit"``, the staff rotation trip; ``"to_hospital"``, the
        referral trip) and ``site_rule`` (``"nearest"``: the pair's fastest site; ``"main"``:
        the hospital's main site, :mod:`planner.places.sites`), for the objective, the scores
        and the baselines alike. A matrix without a needed direction raises
        :class:`~planner.errors.PlannerInputError`.
    pilot
        The pins of a pairing already in place, ``{unit_id: hospital_id}``
        (:func:`hanoi_pilot_pins` gives the Ba Vì pilot: every unit of Ba Vì with Xanh Pon).
        They hold like the request's pins, and they define the pilot baseline
        (:attr:`PairingResult.pilot`: the pilot's pins, every other group at its nearest
        hospital). ``None``: no pilot.
    specialty_need
        Optional table ``district``, ``specialty``, ``need`` (e.g. births a year for
        ``obstetrics_gynecology``). A group paired with a hospital of that ``specialty``
        earns ``request.specialty_weight_s x`` its share of that specialty's total need off
        the objective: matching all the need is worth that many seconds of
        population-weighted mean travel time. Off by default.
    matrix_peak
        Peak-hour matrix, for the sensitivity re-solve and peak scores.
    sensitivity
        Re-solve with the peak matrix and with balance 0.1 and 0.3 to report how many units
        change hospital.
    **changes
        Fields of the request or the trip rule as keywords, a convenience at the edge
        (``balance=0.1``, ``directions="to_unit"``): they change ``request`` and ``trip``.

    Returns
    -------
    PairingResult

    Raises
    ------
    InfeasibleError
        No assignment meets the constraints; the message names the constraint and the
        shortfall (e.g. the smallest feasible balance).
    PlannerInputError
        Unknown ids in pins or forbidden pairs, bad options, duplicate unit ids.

    Examples
    --------
    Three districts, two hospitals, hospital -> unit times in seconds; H1 is nearest to all,
    but the pilot pins U2 to H2 and the load balance (±20 %) sends U1 there too:

    >>> units = pd.DataFrame({"facility_id": ["u1", "u2", "u3"], "name": ["U1", "U2", "U3"],
    ...                       "level": "district", "district": ["D1", "D2", "D3"],
    ...                       "population": [100.0, 100.0, 200.0]})
    >>> hospitals = pd.DataFrame({"facility_id": ["h1", "h2"], "name": ["H1", "H2"]})
    >>> m = pd.DataFrame({"origin_id": ["h1"] * 3 + ["h2"] * 3,
    ...                   "destination_id": ["u1", "u2", "u3"] * 2,
    ...                   "travel_time_s": [600.0, 900.0, 700.0, 1200.0, 1500.0, 1000.0]})
    >>> result = propose_pairings(units, hospitals, m, directions="to_unit", pilot={"u2": "h2"})
    >>> result.status, result.pairings["hospital_id"].tolist()
    ('optimal', ['h2', 'h2', 'h1'])
    >>> bool(result.scores["load_ratio_max_min"] <= 1.2 / 0.8)
    True
    """
    trip, request = requests_from(changes, trip=trip, request=request, caller="propose_pairings")
    model = build_model(
        units, hospitals, matrix, trip=trip, request=request, pilot=pilot,
        specialty_need=specialty_need,
    )  # fmt: skip
    model.warn_unreachable()
    if specialty_need is None:  # no need, no bonus
        request = dataclasses.replace(request, specialty_weight_s=0.0)
    solution = optimise(model, request)
    return pairing_result(
        model,
        solution,
        request,
        matrix=matrix,
        matrix_peak=matrix_peak,
        sensitivity=sensitivity,
    )


def pairing_result(
    model: PairingModel,
    solution: Solution,
    request: PairingRequest,
    *,
    matrix: pd.DataFrame,
    matrix_peak: pd.DataFrame | None = None,
    sensitivity: bool = True,
) -> PairingResult:
    """Gather a solution with its pairings, scores, explanations, sensitivity and baselines.

    :func:`propose_pairings` ends with it; :func:`planner.pairing.siting.propose_with_candidates`
    calls it with the pairing its joint model chose, on the network with the opened sites.

    Parameters
    ----------
    model : planner.pairing._model.PairingModel
        The model the solution is a choice on (one column per hospital).
    solution : planner.pairing._objectives.Solution
        The chosen hospital per group, the solver's status, gap and objective value.
    request : planner.requests.PairingRequest
        What was optimised (the objective, balance, max time, time limit).
    matrix, matrix_peak
        The matrices the model was built from, and the peak one (for the peak scores and
        the sensitivity re-solve), as for :func:`propose_pairings`.
    sensitivity
        Re-solve with the peak matrix and balance 0.1 and 0.3 (see :func:`propose_pairings`).

    Returns
    -------
    PairingResult

    Examples
    --------
    >>> from planner.pairing._model import build_model
    >>> from planner.pairing._objectives import optimise
    >>> from planner.requests import PairingRequest, TripRule
    >>> units = pd.DataFrame({"facility_id": ["u1", "u2"], "name": ["U1", "U2"],
    ...                       "level": "district", "district": ["D1", "D2"],
    ...                       "population": [100.0, 100.0]})
    >>> hospitals = pd.DataFrame({"facility_id": ["h1", "h2"], "name": ["H1", "H2"]})
    >>> m = pd.DataFrame({"origin_id": ["h1", "h1", "h2", "h2"],
    ...                   "destination_id": ["u1", "u2", "u1", "u2"],
    ...                   "travel_time_s": [600.0, 900.0, 1200.0, 700.0]})
    >>> model = build_model(units, hospitals, m, trip=TripRule(directions="to_unit"))
    >>> request = PairingRequest(balance=None, specialty_weight_s=0.0)
    >>> result = pairing_result(model, optimise(model, request), request, matrix=m,
    ...                         sensitivity=False)
    >>> result.pairings["hospital_id"].tolist(), result.objective_value
    (['h1', 'h2'], 650.0)
    """
    i = model.inputs
    units, hospitals, trip = i.units, i.hospitals, i.trip
    objective, load, hierarchical = request.objective, i.request.load, i.request.hierarchical
    time_limit_s, max_travel_time_s, balance = (
        request.time_limit_s,
        request.max_travel_time_s,
        request.balance,
    )
    pairings = model.frame(solution.choice, model.allowed(max_travel_time_s), model.pinned)
    nearest_by = baseline_grouping(units, request.nearest_by)
    baseline_model = model
    if nearest_by == "unit" and i.request.hierarchical:
        # the baselines of every unit on its own (the proposal's groups bind only it)
        alone = dataclasses.replace(i.request, hierarchical=False)
        baseline_model = build_model(
            units, hospitals, matrix, trip=trip, request=alone, pilot=i.pilot
        )
    nearest = nearest_baseline(baseline_model)
    pilot_frame = pilot_baseline(baseline_model)
    scores = score_pairings(
        pairings,
        matrix,
        units=units,
        hospitals=hospitals,
        matrix_peak=matrix_peak,
        trip=trip,
    ).to_dict()
    unreachable = [str(u) for u in model.units["unit_id"][model.stranded]]
    scores.update(
        {
            "objective": objective,
            "objective_value": solution.objective_value,
            "status": solution.status,
            "status_text": status_text(solution.status, solution.mip_gap, time_limit_s),
            "mip_gap": solution.mip_gap,
            "gap_to_optimal": solution.mip_gap,
            "balance": balance,
            "load_kind": load,
            "hierarchical": hierarchical,
            "unreachable_units": unreachable,
        }
    )
    for name, base in (("nearest", nearest), ("pilot", pilot_frame)):
        scores.update(baseline_gaps(name, pairings, base, model))
    return PairingResult(
        pairings=pairings,
        scores=scores,
        status=solution.status,
        mip_gap=solution.mip_gap,
        objective=objective,
        objective_value=solution.objective_value,
        explanations=explain(model, solution.choice, objective, max_travel_time_s),
        sensitivity=(
            sensitivity_table(model, solution, request, matrix_peak=matrix_peak)
            if sensitivity
            else empty_sensitivity()
        ),
        unreachable=tuple(unreachable),
        nearest=nearest,
        pilot=pilot_frame,
        options={
            "objective": request.objective,
            "balance": request.balance,
            "max_travel_time_s": request.max_travel_time_s,
            "balance_weight": request.balance_weight,
            "specialty_weight_s": request.specialty_weight_s,
            "time_limit_s": request.time_limit_s,
            "load": load,
            "hierarchical": hierarchical,
            "directions": trip.directions,
            "site_rule": trip.site_rule,
            "nearest_by": nearest_by,
        },
    )


def _points(facilities: pd.DataFrame) -> gpd.GeoDataFrame:
    if isinstance(facilities, gpd.GeoDataFrame) and facilities.geometry is not None:
        return facilities.to_crs("EPSG:4326") if facilities.crs else facilities
    return gpd.GeoDataFrame(
        facilities,
        geometry=gpd.points_from_xy(facilities["lon"], facilities["lat"]),
        crs="EPSG:4326",
    )
