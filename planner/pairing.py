"""Propose sister-hospital pairings by exact optimisation, explain them, and build the baselines.

:func:`propose_pairings` solves a mixed-integer linear programme with
:func:`scipy.optimize.milp` (HiGHS, sparse constraints, fixed options so runs repeat exactly):

* **Decision.** Hierarchical mode (default): one binary per (district group, hospital); every
  unit sharing a ``district`` value goes with its group, so communes follow their district-level
  unit (a unit without a district is a group of its own). Unit mode: one binary per (unit,
  hospital).
* **Cost of a pair.** The pair's travel time of :func:`planner.scoring.pair_costs`: the mean of
  hospital -> unit (staff rotation) and unit -> hospital (referral) when the matrix has both
  directions, else the direction it has.
* **Objectives.** ``pop-time`` minimises the population-weighted mean travel time;
  ``max-time`` minimises the largest unit travel time, then (lexicographically, among those
  optima) the population-weighted mean; ``balanced`` minimises
  ``(1 - w) x pop_time / pop_time_nearest + w x sum_h |load_h - fair_h| / total_load`` with
  ``w = balance_weight``. Population is counted once
  (:func:`planner.scoring.population_weights`): a district unit listed with its communes
  weighs 0, its people being counted through the communes.
* **Constraints.** Each hospital's load (population, unit count, or the units' ``capacity``
  column) lies within ``(1 +- balance) x`` its fair share (total / hospitals, or proportional to
  the hospitals' ``capacity`` when every hospital has one); pinned pairs; forbidden pairs;
  pairs slower than ``max_travel_time_s`` are forbidden; unreachable (NaN) pairs are forbidden.

A unit no hospital can reach is reported (``PairingResult.unreachable`` and an
:class:`~planner.errors.UnreachableWarning`): in hierarchical mode it still follows its group
(its time is unknown), otherwise it is left unassigned. A request no assignment satisfies raises
:class:`~planner.errors.InfeasibleError` naming the constraint and by how much it is missed
(for balance: the smallest feasible tolerance, found by a MILP that minimises it).
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp
from shapely.geometry import LineString

from planner._vn import district_key
from planner.errors import InfeasibleError, PlannerError, PlannerInputError, UnreachableWarning
from planner.scoring import PairCosts, pair_costs, population_weights, score_pairings

log = logging.getLogger(__name__)

OBJECTIVES = ("pop-time", "max-time", "balanced")
LOADS = ("population", "units", "capacity")
#: The pilot: Ba Vì district paired with Xanh Pon General Hospital.
PILOT_HOSPITAL_ID = "hn-reg-xanhpon"
PILOT_DISTRICT = "Huyện Ba Vì"
PAIRING_COLUMNS = (
    "unit_id",
    "unit_name",
    "unit_level",
    "district",
    "hospital_id",
    "hospital_name",
    "travel_time_s",
    "distance_m",
    "population",
    "pinned",
    "next_best_hospital_id",
    "switch_cost_s",
)
#: HiGHS options: fixed so that the same input gives the same answer.
_MIP_REL_GAP = 1e-6
#: Time allowed to explain an infeasible balance (finding the smallest feasible tolerance).
_DIAGNOSIS_TIME_S = 10.0


@dataclass(frozen=True, eq=False)
class PairingResult:
    """An optimised pairing with its scores, solver status and explanations.

    Attributes
    ----------
    pairings
        One row per unit, columns :data:`PAIRING_COLUMNS` in that order.
    scores
        :meth:`planner.scoring.PairingScores.to_dict` of the pairing plus ``objective``,
        ``objective_value``, ``status``, ``mip_gap``, ``gap_vs_nearest_*``, ``gap_vs_pilot_*``,
        ``unreachable_units`` (JSON-safe).
    status
        ``"optimal"`` (proven within a relative gap of 1e-6) or ``"time_limit"`` (best found
        when the time limit struck; ``mip_gap`` is its proven relative gap).
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
        The baselines' pairings (``pilot`` is None without pins).
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
            unit to its hospital; the unit rows have ``feature`` = ``"unit"``.
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
        hosp = table["hospital_id"].map(where)
        ok = hosp.notna().to_numpy()
        lines = [LineString([p, h]) for p, h in zip(points[ok], hosp[ok], strict=True)]
        link_rows = gpd.GeoDataFrame(table[ok].assign(feature="link"), geometry=lines, crs=fac.crs)
        return gpd.GeoDataFrame(pd.concat([units, link_rows], ignore_index=True), crs=fac.crs)


@dataclass(frozen=True, eq=False)
class _Model:
    """The pairing problem as arrays: units (rows), groups, hospitals (columns)."""

    units: pd.DataFrame  # unit_id, unit_name, unit_level, district, population
    hospital_ids: list[str]
    hospital_names: list[str]
    costs: PairCosts
    group: np.ndarray  # unit -> group index
    group_labels: list[str]
    weight: np.ndarray  # per unit objective weight (population)
    group_load: np.ndarray  # per group load
    share: np.ndarray  # per hospital fair-share fraction
    stranded: np.ndarray  # per unit: no hospital reachable
    active: np.ndarray  # per group: has a unit some hospital reaches
    reachable: np.ndarray  # (G, H): every reachable unit of g reaches h
    gcost: np.ndarray  # (G, H): sum of weight x time over the group's units
    gtime: np.ndarray  # (G, H): sum of time (tie-break)
    gmax: np.ndarray  # (G, H): largest unit time
    pinned: np.ndarray  # per group: pinned hospital index or -1
    pin_text: dict[int, str]
    forbidden: np.ndarray  # (G, H) user-forbidden
    bonus: np.ndarray  # (G, H) specialty need share matched

    @property
    def total_weight(self) -> float:
        return float(self.weight[~self.stranded].sum())


@dataclass(frozen=True)
class _Solution:
    choice: np.ndarray  # per group hospital index (-1: unassigned)
    status: str
    mip_gap: float
    objective_value: float


def hanoi_pilot_pins(units: pd.DataFrame) -> dict[str, str]:
    """Return the Ba Vì pilot as pins: the Ba Vì district unit -> Xanh Pon.

    With a district-level unit of Ba Vì (2024 scheme) the pin is that unit (its communes
    follow it in hierarchical mode); without one (2025 scheme) every unit whose ``district``
    is Ba Vì is pinned. Districts match whatever the case, accents form or "Huyện" prefix.

    Examples
    --------
    >>> units = pd.DataFrame({"facility_id": ["hn-dist-271", "hn-com-09619"],
    ...                       "level": ["district", "commune"],
    ...                       "district": ["Huyện Ba Vì", "Huyện Ba Vì"]})
    >>> hanoi_pilot_pins(units)
    {'hn-dist-271': 'hn-reg-xanhpon'}
    """
    if "district" not in units.columns:
        return {}
    want = district_key(PILOT_DISTRICT)
    in_ba_vi = units["district"].map(district_key) == want
    heads = units[in_ba_vi & (units.get("level", pd.Series(index=units.index)) == "district")]
    chosen = heads if len(heads) else units[in_ba_vi]
    return {str(u): PILOT_HOSPITAL_ID for u in chosen["facility_id"]}


def propose_pairings(
    units: pd.DataFrame,
    hospitals: pd.DataFrame,
    matrix: pd.DataFrame,
    *,
    objective: str = "pop-time",
    balance: float | None = 0.2,
    load: str = "population",
    hierarchical: bool = True,
    pins: Mapping[str, str] | None = None,
    forbidden: Iterable[tuple[str, str]] = (),
    max_travel_time_s: float | None = None,
    balance_weight: float = 0.5,
    specialty_need: pd.DataFrame | None = None,
    specialty_weight_s: float = 300.0,
    time_limit_s: float = 60.0,
    matrix_peak: pd.DataFrame | None = None,
    sensitivity: bool = True,
) -> PairingResult:
    """Propose the optimal sister-hospital pairing under load balance and pins.

    Parameters
    ----------
    units
        District and commune units (``facility_id``, ``name``, ``level``, ``district``,
        ``population``; ``capacity`` for ``load="capacity"``).
    hospitals
        Regional hospitals (``facility_id``, ``name``; ``capacity`` for proportional fair
        shares; ``specialty`` for the specialty option).
    matrix
        Long travel-time matrix hospital -> unit, unit -> hospital or both (see
        :func:`planner.scoring.pair_costs` for the rule).
    objective
        ``"pop-time"`` (default), ``"max-time"`` or ``"balanced"``.
    balance
        Load tolerance ``b``: each hospital's load within ``(1 +- b) x`` its fair share;
        ``None`` drops the constraint.
    load
        What a hospital's load counts: ``"population"``, ``"units"`` or the units'
        ``"capacity"`` column.
    hierarchical
        Pair district groups (communes follow their district) or every unit on its own.
    pins
        ``{unit_id: hospital_id}`` pairs that must hold; in hierarchical mode a pin moves its
        whole group. :func:`hanoi_pilot_pins` gives the Ba Vì pilot.
    forbidden
        ``(unit_id, hospital_id)`` pairs that must not be used (in hierarchical mode the
        unit's whole group may not use that hospital).
    max_travel_time_s
        Pairs slower than this are forbidden.
    balance_weight
        Weight of the load deviation in the ``balanced`` objective (0..1).
    specialty_need
        Optional table ``district``, ``specialty``, ``need`` (e.g. births a year for
        ``obstetrics_gynecology``). A group paired with a hospital of that ``specialty``
        earns ``specialty_weight_s x`` its share of that specialty's total need off the
        objective: matching all the need is worth ``specialty_weight_s`` seconds of
        population-weighted mean travel time. Off by default.
    specialty_weight_s
        See ``specialty_need``.
    time_limit_s
        Solver time limit; when struck the best solution found is returned with status
        ``"time_limit"`` and its proven gap.
    matrix_peak
        Peak-hour matrix, for the sensitivity re-solve and peak scores.
    sensitivity
        Re-solve with the peak matrix and with balance 0.1 and 0.3 to report how many units
        change hospital.

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
    >>> from planner.hanoi import hanoi_facilities
    >>> from planner.network import hanoi_network
    >>> from planner.travel import travel_time_matrix
    >>> fac = hanoi_facilities(scheme="2024")
    >>> hospitals, units = fac[fac.level == "regional"], fac[fac.level != "regional"]
    >>> matrix = travel_time_matrix(hanoi_network(), hospitals, units)
    >>> result = propose_pairings(units, hospitals, matrix, pins=hanoi_pilot_pins(units))
    >>> result.status
    'optimal'
    >>> bool(result.scores["load_ratio_max_min"] <= 1.2 / 0.8)
    True
    """
    _check_options(objective, balance, load, balance_weight, max_travel_time_s)
    model = _build_model(
        units,
        hospitals,
        matrix,
        hierarchical=hierarchical,
        load=load,
        pins=pins or {},
        forbidden=forbidden,
        specialty_need=specialty_need,
    )
    _warn_unreachable(model)
    request = {
        "objective": objective,
        "balance": balance,
        "max_travel_time_s": max_travel_time_s,
        "balance_weight": balance_weight,
        "specialty_weight_s": specialty_weight_s if specialty_need is not None else 0.0,
        "time_limit_s": time_limit_s,
    }
    solution = _optimise(model, **request)
    pairings = _pairings_frame(model, solution.choice, _allowed(model, max_travel_time_s))
    nearest = _pairings_frame(model, _nearest_choice(model), model.reachable)
    pilot = None
    if (model.pinned >= 0).any():
        pilot = _pairings_frame(model, _nearest_choice(model, pinned=True), model.reachable)
    scores = score_pairings(
        pairings, matrix, units=units, hospitals=hospitals, matrix_peak=matrix_peak
    ).to_dict()
    scores.update(
        {
            "objective": objective,
            "objective_value": solution.objective_value,
            "status": solution.status,
            "mip_gap": solution.mip_gap,
            "gap_to_optimal": solution.mip_gap,
            "balance": balance,
            "load_kind": load,
            "hierarchical": hierarchical,
            "unreachable_units": [str(u) for u in model.units["unit_id"][model.stranded]],
        }
    )
    for name, base in (("nearest", nearest), ("pilot", pilot)):
        scores.update(_gaps(name, pairings, base, model))
    sens = (
        _sensitivity(
            model,
            solution,
            request,
            units,
            hospitals,
            matrix_peak,
            hierarchical,
            load,
            pins,
            forbidden,
            specialty_need,
        )
        if sensitivity
        else _empty_sensitivity()
    )
    return PairingResult(
        pairings=pairings,
        scores=scores,
        status=solution.status,
        mip_gap=solution.mip_gap,
        objective=objective,
        objective_value=solution.objective_value,
        explanations=_explanations(model, solution.choice, objective, max_travel_time_s),
        sensitivity=sens,
        unreachable=tuple(str(u) for u in model.units["unit_id"][model.stranded]),
        nearest=nearest,
        pilot=pilot,
        options={**request, "load": load, "hierarchical": hierarchical},
    )


def nearest_pairings(
    units: pd.DataFrame,
    hospitals: pd.DataFrame,
    matrix: pd.DataFrame,
    *,
    hierarchical: bool = True,
) -> pd.DataFrame:
    """Return the nearest-hospital baseline: each group to its nearest hospital, no balance.

    In hierarchical mode "nearest" for a district group is the hospital with the smallest
    population-weighted travel time over the group's units (the pop-time optimum without
    balance, pins or limits); in unit mode each unit goes to its own nearest hospital.
    Units no hospital reaches are left unassigned (``hospital_id`` NA).

    Examples
    --------
    >>> units = pd.DataFrame({"facility_id": ["u1"], "name": ["U1"], "level": ["district"],
    ...                       "district": ["D"], "population": [100.0]})
    >>> hospitals = pd.DataFrame({"facility_id": ["h1", "h2"], "name": ["H1", "H2"]})
    >>> m = pd.DataFrame({"origin_id": ["h1", "h2"], "destination_id": ["u1", "u1"],
    ...                   "travel_time_s": [900.0, 600.0]})
    >>> nearest_pairings(units, hospitals, m)["hospital_id"].tolist()
    ['h2']
    """
    model = _build_model(
        units,
        hospitals,
        matrix,
        hierarchical=hierarchical,
        load="population",
        pins={},
        forbidden=(),
        specialty_need=None,
    )
    return _pairings_frame(model, _nearest_choice(model), model.reachable)


def pilot_pairings(
    units: pd.DataFrame,
    hospitals: pd.DataFrame,
    matrix: pd.DataFrame,
    *,
    pins: Mapping[str, str] | None = None,
    others: str = "nearest",
    hierarchical: bool = True,
) -> pd.DataFrame:
    """Return the pilot baseline: pinned pairs hold, every other group goes to its nearest.

    Parameters
    ----------
    pins
        The pilot's pairs; default :func:`hanoi_pilot_pins` (Ba Vì -> Xanh Pon).
    others
        ``"nearest"`` (default: the pilot extended by nearest-hospital assignment, so it can
        be compared with a full proposal) or ``"none"`` (only the pilot's units are paired,
        the rest have ``hospital_id`` NA).
    """
    if others not in ("nearest", "none"):
        raise PlannerInputError(
            f"unknown value {others!r}", field="others", hint="use 'nearest' or 'none'"
        )
    pins = hanoi_pilot_pins(units) if pins is None else pins
    model = _build_model(
        units,
        hospitals,
        matrix,
        hierarchical=hierarchical,
        load="population",
        pins=pins,
        forbidden=(),
        specialty_need=None,
    )
    choice = _nearest_choice(model, pinned=True)
    if others == "none":
        choice = np.where(model.pinned >= 0, model.pinned, -1)
    return _pairings_frame(model, choice, model.reachable)


# --- model building -------------------------------------------------------------------------


def _check_options(
    objective: str,
    balance: float | None,
    load: str,
    balance_weight: float,
    max_travel_time_s: float | None,
) -> None:
    if objective not in OBJECTIVES:
        raise PlannerInputError(
            f"unknown objective {objective!r}",
            field="objective",
            hint=f"use one of {', '.join(OBJECTIVES)}",
        )
    if load not in LOADS:
        raise PlannerInputError(
            f"unknown load {load!r}", field="load", hint=f"use one of {', '.join(LOADS)}"
        )
    if balance is not None and not (0 <= balance < 10):
        raise PlannerInputError(
            f"balance {balance} is out of range",
            field="balance",
            hint="give a tolerance such as 0.2 (each hospital within ±20% of its fair share)",
        )
    if not 0 <= balance_weight <= 1:
        raise PlannerInputError(
            f"balance_weight {balance_weight} is not within 0..1", field="balance_weight"
        )
    if max_travel_time_s is not None and not max_travel_time_s > 0:
        raise PlannerInputError(
            f"max_travel_time_s {max_travel_time_s} is not positive", field="max_travel_time_s"
        )


def _build_model(
    units: pd.DataFrame,
    hospitals: pd.DataFrame,
    matrix: pd.DataFrame,
    *,
    hierarchical: bool,
    load: str,
    pins: Mapping[str, str],
    forbidden: Iterable[tuple[str, str]],
    specialty_need: pd.DataFrame | None,
) -> _Model:
    table = _unit_table(units, load)
    hosp_ids, hosp_names, share = _hospital_table(hospitals)
    costs = pair_costs(matrix, table["unit_id"], hosp_ids)
    n_units, n_hosp = len(table), len(hosp_ids)
    time = costs.time_s
    stranded = ~np.isfinite(time).any(axis=1)

    if hierarchical:
        key = table["district"].map(district_key).where(lambda k: k.notna(), table["unit_id"])
        key = key.map(lambda d: str(d))
    else:
        key = table["unit_id"]
    labels, group = np.unique(key.to_numpy(dtype=str), return_inverse=True)
    # Keep groups in order of first appearance, so outputs follow the input's order.
    first = pd.Series(np.arange(n_units)).groupby(group).min().to_numpy()
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    group = rank[group]
    labels = [str(labels[i]) for i in order]
    n_groups = len(labels)

    # A district unit listed with its communes would count its district twice.
    weight = population_weights(table["unit_level"], table["district"], table["population"])
    if not (weight[~stranded] > 0).any():
        log.warning("no unit has a population: every unit weighs 1 in the objective")
        weight = np.ones(n_units)
    unit_load = table["load"].to_numpy(float)

    member = sp.csr_matrix(
        (np.ones(n_units), (group, np.arange(n_units))), shape=(n_groups, n_units)
    )
    live = member @ (~stranded).astype(float)
    active = live > 0
    # Stranded units do not restrict their group's hospitals nor add to its cost.
    t0 = np.where(stranded[:, None], 0.0, time)
    gcost = member @ (weight[:, None] * t0)
    gtime = member @ t0
    blocked = member @ (~np.isfinite(t0)).astype(float)
    reachable = (blocked == 0) & active[:, None]
    gmax = (
        pd.DataFrame(np.where(stranded[:, None], -np.inf, np.nan_to_num(time, nan=np.inf)))
        .groupby(group)
        .max()
        .reindex(range(n_groups))
        .to_numpy()
    )
    gmax = np.where(reachable, gmax, np.nan)
    gcost = np.where(reachable, gcost, np.nan)
    group_load = member @ unit_load

    unit_index = pd.Index(table["unit_id"])
    hosp_index = pd.Index(hosp_ids)
    pinned = np.full(n_groups, -1)
    pin_text: dict[int, str] = {}
    for unit_id, hospital_id in pins.items():
        u, h = _locate(unit_index, unit_id, "pins"), _locate(hosp_index, hospital_id, "pins")
        g = group[u]
        if pinned[g] >= 0 and pinned[g] != h:
            raise PlannerInputError(
                f"group {labels[g]!r} is pinned to two hospitals "
                f"({hosp_ids[pinned[g]]} and {hospital_id})",
                field="pins",
                hint="pin a district (and its communes) to one hospital only",
            )
        pinned[g] = h
        pin_text[g] = f"{table['unit_name'].iloc[u]} -> {hosp_names[h]}"
    banned = np.zeros((n_groups, n_hosp), dtype=bool)
    for pair in forbidden:
        unit_id, hospital_id = pair
        banned[
            group[_locate(unit_index, unit_id, "forbidden")],
            _locate(hosp_index, hospital_id, "forbidden"),
        ] = True

    bonus = np.zeros((n_groups, n_hosp))
    if specialty_need is not None:
        bonus = _specialty_bonus(table, hospitals, hosp_ids, specialty_need, member, weight)
    return _Model(
        units=table,
        hospital_ids=hosp_ids,
        hospital_names=hosp_names,
        costs=costs,
        group=group,
        group_labels=labels,
        weight=weight,
        group_load=group_load,
        share=share,
        stranded=stranded,
        active=active,
        reachable=reachable,
        gcost=gcost,
        gtime=gtime,
        gmax=gmax,
        pinned=pinned,
        pin_text=pin_text,
        forbidden=banned,
        bonus=bonus,
    )


def _unit_table(units: pd.DataFrame, load: str) -> pd.DataFrame:
    if "facility_id" not in units.columns:
        raise PlannerInputError(
            "the units table has no facility_id column",
            field="facility_id",
            hint="pass facilities as returned by load_facilities or hanoi_facilities",
        )
    ids = units["facility_id"].astype(str).reset_index(drop=True)
    dup = ids.duplicated()
    if dup.any():
        row = int(dup.to_numpy().argmax())
        raise PlannerInputError(
            f"unit id {ids[row]!r} appears twice",
            row=row + 1,
            field="facility_id",
            hint="give every unit a unique facility_id",
        )

    def column(name: str, default: Any) -> pd.Series:
        if name in units.columns:
            return units[name].reset_index(drop=True)
        return pd.Series([default] * len(units), dtype=object)

    table = pd.DataFrame(
        {
            "unit_id": ids,
            "unit_name": column("name", None).fillna(ids),
            "unit_level": column("level", None),
            "district": column("district", None),
            "population": pd.to_numeric(column("population", np.nan), errors="coerce"),
        }
    )
    if load == "population":
        table["load"] = population_weights(
            table["unit_level"], table["district"], table["population"]
        )
    elif load == "units":
        table["load"] = 1.0
    else:
        if "capacity" not in units.columns:
            raise PlannerInputError(
                "load='capacity' needs a capacity column on the units",
                field="capacity",
                hint="add the units' capacity or use load='population'",
            )
        table["load"] = pd.to_numeric(column("capacity", np.nan), errors="coerce").fillna(0.0)
    return table


def _hospital_table(hospitals: pd.DataFrame) -> tuple[list[str], list[str], np.ndarray]:
    if "facility_id" not in hospitals.columns or len(hospitals) == 0:
        raise PlannerInputError(
            "no hospitals given (or no facility_id column)",
            field="facility_id",
            hint="pass the regional hospitals (level=regional)",
        )
    ids = [str(h) for h in hospitals["facility_id"]]
    if len(set(ids)) < len(ids):
        raise PlannerInputError(
            "a hospital id appears twice", field="facility_id", hint="make hospital ids unique"
        )
    names = (
        [str(n) for n in hospitals["name"].fillna(pd.Series(ids, index=hospitals.index))]
        if "name" in hospitals.columns
        else ids
    )
    share = np.full(len(ids), 1.0 / len(ids))
    if "capacity" in hospitals.columns:
        cap = pd.to_numeric(hospitals["capacity"], errors="coerce").to_numpy(float)
        if np.isfinite(cap).all() and (cap > 0).all():
            share = cap / cap.sum()
    return ids, names, share


def _locate(index: pd.Index, value: str, option: str) -> int:
    where = index.get_indexer([str(value)])[0]
    if where < 0:
        raise PlannerInputError(
            f"unknown id {value!r}",
            field=option,
            hint="use facility ids of the units and hospitals passed (check the scheme)",
        )
    return int(where)


def _specialty_bonus(
    table: pd.DataFrame,
    hospitals: pd.DataFrame,
    hosp_ids: list[str],
    need: pd.DataFrame,
    member: sp.csr_matrix,
    weight: np.ndarray,
) -> np.ndarray:
    """Per (group, hospital): the group's share of the need for the hospital's specialty."""
    for column in ("district", "specialty", "need"):
        if column not in need.columns:
            raise PlannerInputError(
                f"the specialty need table has no {column} column",
                field=column,
                hint="give columns district, specialty, need",
            )
    if "specialty" not in hospitals.columns:
        raise PlannerInputError(
            "the hospitals have no specialty column",
            field="specialty",
            hint="add each regional hospital's specialty",
        )
    need = need.assign(key=need["district"].map(district_key))
    totals = need.groupby("specialty")["need"].sum()
    unit_district = table["district"].map(district_key)
    # A district's need is split among its units by population.
    district_weight = pd.Series(weight).groupby(unit_district.to_numpy()).transform("sum")
    unit_frac = np.where(district_weight > 0, weight / district_weight.to_numpy(), 0.0)
    bonus = np.zeros((member.shape[0], len(hosp_ids)))
    for j, spec in enumerate(hospitals["specialty"].astype(object)):
        if pd.isna(spec) or spec not in totals.index or totals[spec] <= 0:
            continue
        by_district = need[need["specialty"] == spec].groupby("key")["need"].sum()
        unit_need = unit_district.map(by_district).fillna(0.0).to_numpy(float) * unit_frac
        bonus[:, j] = member @ (unit_need / totals[spec])
    return bonus


def _warn_unreachable(model: _Model) -> None:
    if model.stranded.any():
        ids = model.units["unit_id"][model.stranded].tolist()
        message = (
            f"{len(ids)} unit(s) cannot be reached from any hospital and have no travel time: "
            f"{', '.join(ids[:10])}{' ...' if len(ids) > 10 else ''}"
        )
        log.warning(message)
        warnings.warn(message, UnreachableWarning, stacklevel=3)


# --- optimisation ---------------------------------------------------------------------------


def _allowed(model: _Model, max_travel_time_s: float | None, *, pins: bool = True) -> np.ndarray:
    allowed = model.reachable & ~model.forbidden
    if max_travel_time_s is not None:
        allowed &= np.nan_to_num(model.gmax, nan=np.inf) <= max_travel_time_s
    if pins:
        g = np.flatnonzero(model.pinned >= 0)
        keep = np.zeros_like(allowed)
        keep[g, model.pinned[g]] = True
        allowed[g] &= keep[g]
    return allowed


def _optimise(
    model: _Model,
    *,
    objective: str,
    balance: float | None,
    max_travel_time_s: float | None,
    balance_weight: float,
    specialty_weight_s: float,
    time_limit_s: float,
) -> _Solution:
    """Check, solve and, when infeasible, diagnose; return the chosen hospital per group."""
    allowed = _allowed(model, max_travel_time_s)
    _check_groups(model, allowed, max_travel_time_s)
    if balance is not None:
        _check_loads(model, allowed, balance, time_limit_s)
    opts = {"balance": balance, "time_limit_s": time_limit_s}

    def checked(solution: _Solution) -> _Solution:
        if solution.status != "infeasible":
            return solution
        if balance is not None:
            _raise_balance(model, allowed, balance, time_limit_s)
        raise InfeasibleError(
            "constraints", "no assignment meets the pins, forbidden pairs and max time together"
        )

    if objective == "max-time":
        first = checked(_solve(model, allowed, "max-time", **opts, weight=0.0, bonus=0.0))
        # Lexicographic: among min-max optima, the best population-weighted time.
        cap = first.objective_value * (1 + 1e-9) + 1e-6
        capped = allowed & (np.nan_to_num(model.gmax, nan=np.inf) <= cap)
        second = checked(
            _solve(model, capped, "pop-time", **opts, weight=0.0, bonus=specialty_weight_s)
        )
        status = "optimal" if first.status == second.status == "optimal" else "time_limit"
        return _Solution(
            second.choice, status, max(first.mip_gap, second.mip_gap), first.objective_value
        )
    return checked(
        _solve(model, allowed, objective, **opts, weight=balance_weight, bonus=specialty_weight_s)
    )


def _solve(
    model: _Model,
    allowed: np.ndarray,
    objective: str,
    *,
    balance: float | None,
    time_limit_s: float,
    weight: float,
    bonus: float,
    minimise_balance: bool = False,
) -> _Solution:
    """Build and solve one MILP. Variables: x per allowed (group, hospital), then extras."""
    act = np.flatnonzero(model.active)
    gi, hj = np.nonzero(allowed[act])
    gi = act[gi]
    n_x, n_h, n_g = len(gi), len(model.hospital_ids), len(act)
    total_w = model.total_weight or 1.0
    fair = model.share * model.group_load[act].sum()
    row_of = np.full(len(model.group_labels), -1)
    row_of[act] = np.arange(n_g)

    pop_cost = model.gcost[gi, hj] / total_w
    # A tiny time tie-break keeps zero-population groups at sensible hospitals.
    tie = 1e-6 * model.gtime[gi, hj] / max(1.0, len(model.units))
    extra_names: list[str] = []
    c_x = pop_cost + tie - bonus * model.bonus[gi, hj]
    if objective == "max-time":
        c_x = np.zeros(n_x)
        extra_names = ["z"]
    elif objective == "balanced":
        ref = float(np.nansum(np.nanmin(model.gcost[act], axis=1))) / total_w or 1.0
        c_x = (1 - weight) * (pop_cost + tie - bonus * model.bonus[gi, hj]) / ref
        extra_names = [f"d{h}" for h in range(n_h)]
    if minimise_balance:
        c_x = np.zeros(n_x)
        extra_names = ["b"]
    n_var = n_x + len(extra_names)
    c = np.concatenate([c_x, np.zeros(len(extra_names))])

    rows: list[sp.coo_matrix] = []
    lo: list[np.ndarray] = []
    hi: list[np.ndarray] = []
    # Each active group goes to exactly one hospital.
    rows.append(sp.coo_matrix((np.ones(n_x), (row_of[gi], np.arange(n_x))), shape=(n_g, n_var)))
    lo.append(np.ones(n_g))
    hi.append(np.ones(n_g))
    load_x = sp.coo_matrix((model.group_load[gi], (hj, np.arange(n_x))), shape=(n_h, n_var))
    if minimise_balance:
        # load - F b <= F and load + F b >= F, minimise b.
        c[-1] = 1.0
        b_col = sp.coo_matrix((fair, (np.arange(n_h), np.full(n_h, n_var - 1))), (n_h, n_var))
        rows += [load_x - b_col, load_x + b_col]
        lo += [np.full(n_h, -np.inf), fair]
        hi += [fair, np.full(n_h, np.inf)]
    elif balance is not None:
        rows.append(load_x)
        lo.append((1 - balance) * fair)
        hi.append((1 + balance) * fair)
    if objective == "max-time" and not minimise_balance:
        c[-1] = 1.0
        # z >= the time of the group's largest unit at its hospital.
        t = sp.coo_matrix((-model.gmax[gi, hj], (row_of[gi], np.arange(n_x))), (n_g, n_var))
        z = sp.coo_matrix((np.ones(n_g), (np.arange(n_g), np.full(n_g, n_var - 1))), (n_g, n_var))
        rows.append(t + z)
        lo.append(np.zeros(n_g))
        hi.append(np.full(n_g, np.inf))
    if objective == "balanced" and not minimise_balance:
        total = float(model.group_load[act].sum()) or 1.0
        c[n_x:] = weight / total
        d_col = sp.coo_matrix((np.ones(n_h), (np.arange(n_h), n_x + np.arange(n_h))), (n_h, n_var))
        rows += [load_x - d_col, load_x + d_col]
        lo += [np.full(n_h, -np.inf), fair]
        hi += [fair, np.full(n_h, np.inf)]

    integrality = np.concatenate([np.ones(n_x), np.zeros(len(extra_names))])
    upper = np.concatenate([np.ones(n_x), np.full(len(extra_names), np.inf)])
    res = milp(
        c,
        integrality=integrality,
        bounds=Bounds(np.zeros(n_var), upper),
        constraints=LinearConstraint(
            sp.vstack(rows).tocsr(), np.concatenate(lo), np.concatenate(hi)
        ),
        options={
            "disp": False,
            "presolve": True,
            "time_limit": float(time_limit_s),
            "mip_rel_gap": _MIP_REL_GAP,
        },
    )
    log.debug("milp %s: %s (%s)", objective, res.status, res.message)
    if res.status == 2:
        return _Solution(np.array([]), "infeasible", math.nan, math.nan)
    if res.x is None:
        raise PlannerError(
            f"the solver found no pairing within the time limit of {time_limit_s:g} s "
            f"({res.message}); raise time_limit_s"
        )
    x = res.x[:n_x] > 0.5
    choice = np.full(len(model.group_labels), -1)
    choice[gi[x]] = hj[x]
    status = "optimal" if res.status == 0 else "time_limit"
    gap = float(res.mip_gap) if res.mip_gap is not None else math.nan
    if status == "optimal":
        gap = max(0.0, gap) if math.isfinite(gap) else 0.0
    if status == "time_limit" and not minimise_balance:  # the diagnosis says so itself
        log.warning(
            "time limit of %g s reached: best pairing found, proven gap %.3g", time_limit_s, gap
        )
    value = float(res.fun)
    if objective == "pop-time" and not minimise_balance:
        value = float(np.nansum(model.gcost[choice >= 0, choice[choice >= 0]])) / total_w
    return _Solution(choice, status, gap, value)


def _check_groups(model: _Model, allowed: np.ndarray, max_travel_time_s: float | None) -> None:
    """Raise when some group has no hospital it may use, saying which constraint bars it."""
    for g in np.flatnonzero(model.active & ~allowed.any(axis=1)):
        label = model.group_labels[g]
        reach = model.reachable[g]
        gmax = np.where(reach, model.gmax[g], np.inf)
        if model.pinned[g] >= 0:
            h = model.pinned[g]
            name = model.hospital_names[h]
            if not reach[h]:
                why, short = f"some of its units cannot reach {name} on the roads", None
                constraint = "pin"
            elif model.forbidden[g, h]:
                why, short, constraint = "that pair is also forbidden", None, "pin"
            else:
                short = float(gmax[h] - max_travel_time_s)
                why = (
                    f"its farthest unit is {gmax[h] / 60:.0f} min from {name}, "
                    f"max is {max_travel_time_s / 60:.0f} min"
                )
                constraint = "pin"
            raise InfeasibleError(constraint, f"pin {model.pin_text[g]}: {why}", shortfall=short)
        if not reach.any():
            raise InfeasibleError("reachability", f"{label}: no hospital reaches all its units")
        free = reach & ~model.forbidden[g]
        if not free.any():
            raise InfeasibleError(
                "forbidden", f"{label}: every hospital that reaches it is forbidden"
            )
        best = float(np.min(np.where(free, gmax, np.inf)))
        raise InfeasibleError(
            "max_travel_time",
            f"{_group_noun(model, g)} {label}: nearest allowed hospital is {best / 60:.0f} min "
            f"away (its farthest unit), max is {max_travel_time_s / 60:.0f} min",
            shortfall=best - max_travel_time_s,
        )


def _check_loads(model: _Model, allowed: np.ndarray, balance: float, time_limit_s: float) -> None:
    """Raise when pins or forced pairs break a hospital's load bounds, or balance is too tight."""
    act = model.active
    fair = model.share * model.group_load[act].sum()
    upper, lower = (1 + balance) * fair, (1 - balance) * fair
    only = act & (allowed.sum(axis=1) == 1)
    forced = np.zeros(len(fair))
    np.add.at(forced, allowed[only].argmax(axis=1), model.group_load[only])
    can = (allowed[act] * model.group_load[act, None]).sum(axis=0)
    problem = None
    # Over-full hospitals first: a pin that overloads one also starves the others.
    over = np.flatnonzero(forced > upper + 1e-9)
    short = np.flatnonzero(can < lower - 1e-9)
    if len(over):
        h = over[0]
        name = model.hospital_names[h]
        pins = [
            model.pin_text[g] for g in np.flatnonzero(only & allowed[:, h]) if g in model.pin_text
        ]
        what = f"pin {'; '.join(pins)}" if pins else "pairs with no alternative"
        problem = (
            "pin" if pins else "balance",
            f"{what} put {forced[h]:,.0f} load on {name}; its upper bound at balance "
            f"±{balance:g} is {upper[h]:,.0f} (over by {forced[h] - upper[h]:,.0f})",
            float(forced[h] - upper[h]),
        )
    elif len(short):
        h = short[0]
        problem = (
            "balance",
            f"{model.hospital_names[h]} can take at most {can[h]:,.0f} load (pins, forbidden "
            f"pairs and max time allowing) but its lower bound at balance ±{balance:g} is "
            f"{lower[h]:,.0f} (short by {lower[h] - can[h]:,.0f})",
            float(lower[h] - can[h]),
        )
    if problem is None:
        return
    constraint, text, short = problem
    raise InfeasibleError(
        constraint,
        f"{text}; {_smallest_balance_text(model, allowed, time_limit_s)[0]}",
        shortfall=short,
    )


def _smallest_balance(model: _Model, allowed: np.ndarray, time_limit_s: float) -> _Solution:
    """The smallest tolerance b for which the load bounds can hold (exact, by MILP).

    The search gets at most :data:`_DIAGNOSIS_TIME_S`: an explanation should not take
    longer than the request it explains. The solution's status says whether b is proven.
    """
    return _solve(
        model,
        allowed,
        "pop-time",
        balance=None,
        time_limit_s=min(time_limit_s, _DIAGNOSIS_TIME_S),
        weight=0.0,
        bonus=0.0,
        minimise_balance=True,
    )


def _smallest_balance_text(
    model: _Model, allowed: np.ndarray, time_limit_s: float
) -> tuple[str, float]:
    """Say what balance would be feasible: proven smallest, or the best found in time."""
    try:
        found = _smallest_balance(model, allowed, time_limit_s)
    except PlannerError:  # no feasible tolerance found within the diagnosis time
        return "no feasible balance was found quickly; loosen the balance", math.nan
    smallest = found.objective_value
    if found.status == "optimal":
        return f"the smallest feasible balance is ±{smallest:.4g}", smallest
    return (
        f"balance ±{smallest:.4g} is feasible (search stopped after {_DIAGNOSIS_TIME_S:g} s)",
        smallest,
    )


def _raise_balance(model: _Model, allowed: np.ndarray, balance: float, time_limit_s: float) -> None:
    unit = "districts" if len(model.group_labels) < len(model.units) else "units"
    text, smallest = _smallest_balance_text(model, allowed, time_limit_s)
    raise InfeasibleError(
        "balance",
        f"balance ±{balance:g} cannot be met with indivisible {unit} (and the pins, "
        f"forbidden pairs and max time given); {text}",
        shortfall=smallest - balance,
    )


def _group_noun(model: _Model, g: int) -> str:
    return "district" if (model.group == g).sum() > 1 else "unit"


# --- outputs --------------------------------------------------------------------------------


def _nearest_choice(model: _Model, *, pinned: bool = False) -> np.ndarray:
    rank = np.where(model.reachable, model.gcost + 1e-9 * model.gtime, np.inf)
    choice = np.where(model.active, np.argmin(rank, axis=1), -1)
    if pinned:
        choice = np.where(model.pinned >= 0, model.pinned, choice)
    return choice


def _pairings_frame(model: _Model, choice: np.ndarray, allowed: np.ndarray) -> pd.DataFrame:
    """One row per unit in the contract's column order (next best among ``allowed``)."""
    units = model.units
    g = model.group
    h = choice[g]
    rows = np.arange(len(units))
    ok = h >= 0
    hc = np.where(ok, h, 0)
    time = model.costs.time_s
    rank = np.where(allowed, model.gcost + 1e-9 * model.gtime, np.inf)[g]
    rank[rows, hc] = np.inf
    nxt = rank.argmin(axis=1)
    has_next = ok & np.isfinite(rank[rows, nxt])
    ids = np.array(model.hospital_ids, dtype=object)
    names = np.array(model.hospital_names, dtype=object)
    frame = pd.DataFrame(
        {
            "unit_id": units["unit_id"],
            "unit_name": units["unit_name"],
            "unit_level": units["unit_level"],
            "district": units["district"],
            "hospital_id": pd.array(np.where(ok, ids[hc], None), dtype="string"),
            "hospital_name": np.where(ok, names[hc], None),
            "travel_time_s": np.where(ok, time[rows, hc], np.nan),
            "distance_m": np.where(ok, model.costs.distance_m[rows, hc], np.nan),
            "population": units["population"],
            "pinned": model.pinned[g] >= 0,
            "next_best_hospital_id": pd.array(np.where(has_next, ids[nxt], None), dtype="string"),
            "switch_cost_s": np.where(has_next, time[rows, nxt] - time[rows, hc], np.nan),
        }
    )
    return frame[list(PAIRING_COLUMNS)]


def _explanations(
    model: _Model, choice: np.ndarray, objective: str, max_travel_time_s: float | None
) -> pd.DataFrame:
    """Per unit: why this hospital, the nearest one, the next best and what switching costs."""
    allowed = _allowed(model, max_travel_time_s, pins=False)
    frame = _pairings_frame(model, choice, allowed)
    g = model.group
    time = model.costs.time_s
    rows = np.arange(len(g))
    h = choice[g]
    hc = np.where(h >= 0, h, 0)
    near = np.where(np.isfinite(time), time, np.inf).argmin(axis=1)
    ids = np.array(model.hospital_ids, dtype=object)
    nxt = pd.Index(model.hospital_ids).get_indexer(frame["next_best_hospital_id"].fillna(""))
    nc = np.where(nxt >= 0, nxt, 0)
    total_w = model.total_weight or 1.0
    delta = np.where(nxt >= 0, (model.gcost[g, nc] - model.gcost[g, hc]) / total_w, np.nan)
    if objective == "max-time":
        current = np.nanmax(np.where(choice[:, None] == np.arange(len(ids)), model.gmax, np.nan))
        others = np.array(
            [
                np.nanmax(
                    np.concatenate(
                        [
                            [-np.inf],
                            [
                                model.gmax[k, choice[k]]
                                for k in range(len(choice))
                                if k != gg and choice[k] >= 0
                            ],
                        ]
                    )
                )
                for gg in range(len(choice))
            ]
        )
        delta = np.where(nxt >= 0, np.maximum(model.gmax[g, nc], others[g]) - current, np.nan)
    reasons = []
    group_near = _nearest_choice(model)
    for u in rows:
        if model.stranded[u]:
            reasons.append(
                "no hospital reaches this unit: follows its group, time unknown"
                if h[u] >= 0
                else "no hospital reaches this unit: unassigned"
            )
        elif h[u] < 0:
            reasons.append("unassigned")
        elif model.pinned[g[u]] >= 0:
            reasons.append("pinned")
        elif near[u] == h[u]:
            reasons.append("nearest hospital")
        elif group_near[g[u]] == h[u]:
            reasons.append("follows its district (nearest for the district's population)")
        else:
            extra = (time[u, hc[u]] - time[u, near[u]]) / 60
            reasons.append(
                f"{extra:+.0f} min over the nearest ({model.hospital_names[near[u]]}) to meet "
                f"the load balance or {'the min-max objective' if objective == 'max-time' else 'other constraints'}"
            )
    return pd.DataFrame(
        {
            "unit_id": frame["unit_id"],
            "group": [model.group_labels[k] for k in g],
            "hospital_id": frame["hospital_id"],
            "travel_time_s": frame["travel_time_s"],
            "nearest_hospital_id": np.where(model.stranded, None, ids[near]),
            "nearest_travel_time_s": np.where(model.stranded, np.nan, time[rows, near]),
            "next_best_hospital_id": frame["next_best_hospital_id"],
            "next_best_travel_time_s": np.where(nxt >= 0, time[rows, nc], np.nan),
            "switch_cost_s": frame["switch_cost_s"],
            "switch_objective_delta": delta,
            "pinned": frame["pinned"],
            "reason": reasons,
        }
    )


def _gaps(name: str, pairings: pd.DataFrame, base: pd.DataFrame | None, model: _Model) -> dict:
    """Gap of the proposal to a baseline: population-weighted mean and max travel time."""
    if base is None:
        return {f"gap_vs_{name}_s": None, f"gap_vs_{name}_rel": None, f"gap_vs_{name}_max_s": None}

    def figures(frame: pd.DataFrame) -> tuple[float, float]:
        t = frame["travel_time_s"].to_numpy(float)
        ok = np.isfinite(t)
        w = model.weight[ok]
        mean = float(np.average(t[ok], weights=w)) if w.sum() > 0 else math.nan
        return mean, float(t[ok].max()) if ok.any() else math.nan

    mine, theirs = figures(pairings), figures(base)
    return {
        f"gap_vs_{name}_s": mine[0] - theirs[0],
        f"gap_vs_{name}_rel": (mine[0] - theirs[0]) / theirs[0] if theirs[0] else None,
        f"gap_vs_{name}_max_s": mine[1] - theirs[1],
        f"{name}_pop_weighted_mean_travel_time_s": theirs[0],
    }


def _sensitivity(
    model: _Model,
    solution: _Solution,
    request: dict[str, Any],
    units: pd.DataFrame,
    hospitals: pd.DataFrame,
    matrix_peak: pd.DataFrame | None,
    hierarchical: bool,
    load: str,
    pins: Mapping[str, str] | None,
    forbidden: Iterable[tuple[str, str]],
    specialty_need: pd.DataFrame | None,
) -> pd.DataFrame:
    """Re-solve under the peak matrix and balance 0.1/0.3; count units that change hospital."""
    scenarios: list[tuple[str, _Model, dict[str, Any]]] = []
    forbidden = list(forbidden)
    if matrix_peak is not None:
        peak = _build_model(
            units,
            hospitals,
            matrix_peak,
            hierarchical=hierarchical,
            load=load,
            pins=pins or {},
            forbidden=forbidden,
            specialty_need=specialty_need,
        )
        scenarios.append(("peak", peak, request))
    for b in (0.1, 0.3):
        if request["balance"] != b:
            scenarios.append((f"balance={b:g}", model, {**request, "balance": b}))
    rows = []
    base = solution.choice[model.group]
    for name, m, req in scenarios:
        try:
            other = _optimise(m, **req)
        except InfeasibleError as exc:
            rows.append(
                {
                    "scenario": name,
                    "status": "infeasible",
                    "objective_value": math.nan,
                    "units_changed": None,
                    "note": exc.explanation,
                }
            )
            continue
        changed = int(((other.choice[m.group] != base) & (base >= 0)).sum())
        rows.append(
            {
                "scenario": name,
                "status": other.status,
                "objective_value": other.objective_value,
                "units_changed": changed,
                "note": "",
            }
        )
    return pd.DataFrame(rows, columns=_empty_sensitivity().columns)


def _empty_sensitivity() -> pd.DataFrame:
    return pd.DataFrame(columns=["scenario", "status", "objective_value", "units_changed", "note"])


def _points(facilities: pd.DataFrame) -> gpd.GeoDataFrame:
    if isinstance(facilities, gpd.GeoDataFrame) and facilities.geometry is not None:
        return facilities.to_crs("EPSG:4326") if facilities.crs else facilities
    return gpd.GeoDataFrame(
        facilities,
        geometry=gpd.points_from_xy(facilities["lon"], facilities["lat"]),
        crs="EPSG:4326",
    )
