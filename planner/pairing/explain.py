"""Explain a pairing and compare it: per-unit reasons, sensitivity re-solves and the baselines.

The baselines are defined here once and used everywhere (the proposal's gaps, ``plan()``, the
map's comparison layer, the report):

* **nearest**: every group goes to its nearest hospital (for a district group, the hospital of
  least population-weighted travel time over its units); nobody is pinned, no balance.
* **pilot**: the pilot's pins hold (:func:`pilot_pins`; the Hanoi pilot pins every unit of
  Ba Vì to Xanh Pon), every other group goes to its nearest hospital; the user's own pins play
  no part in it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from planner._vn import district_key
from planner.errors import InfeasibleError, PlannerInputError
from planner.pairing._model import PairingModel, build_model, fair_shares
from planner.pairing._objectives import Solution, optimise, status_text
from planner.places.hanoi.ids import registry_scheme

# The pilot is a fact of the Hanoi registry; re-exported for the pairing's users.
from planner.places.pilot import HANOI_PILOT as HANOI_PILOT
from planner.places.pilot import PILOT_DISTRICT as PILOT_DISTRICT
from planner.places.pilot import PILOT_HOSPITAL_ID as PILOT_HOSPITAL_ID
from planner.places.sites import hospital_sites
from planner.requests import DEFAULT_TRIP, NearestBy, PairingRequest, TripRule

SENSITIVITY_COLUMNS = ("scenario", "status", "objective_value", "units_changed", "note")
#: Budget of each sensitivity re-solve (s), at most the main solve's: enough for every
#: hierarchical case (under 0.2 s) while one district's communes at a tight balance, whose
#: proof can take minutes, report the best found with its gap.
SENSITIVITY_TIME_LIMIT_S = 5.0


def pilot_pins(
    units: pd.DataFrame, pilot: Iterable[tuple[str, str]] = HANOI_PILOT
) -> dict[str, str]:
    """Return a pilot as pins: every unit of each pilot district -> that district's hospital.

    The pilot covers the district's facilities at every level (the district-level unit and its
    communes in the 2024 scheme; in the 2025 scheme the units formed from the former
    district), so it holds in hierarchical and in unit mode alike. Districts match whatever
    the case, accents form or "Huyện"/"Quận"/"Thị xã" prefix.

    Parameters
    ----------
    units
        The units (``facility_id``, ``district``).
    pilot
        ``(district, hospital_id)`` pairs; default :data:`HANOI_PILOT` (Ba Vì with Xanh Pon).

    Returns
    -------
    dict
        ``{unit_id: hospital_id}``, empty when no unit lies in a pilot district.

    Examples
    --------
    >>> units = pd.DataFrame({"facility_id": ["hn-dist-271", "hn-com-09619", "hn-dist-250"],
    ...                       "district": ["Huyện Ba Vì", "huyện ba vì", "Huyện Đông Anh"]})
    >>> pilot_pins(units)
    {'hn-dist-271': 'hn-reg-xanhpon', 'hn-com-09619': 'hn-reg-xanhpon'}
    """
    if "district" not in units.columns:
        return {}
    keys = units["district"].map(district_key)
    pins: dict[str, str] = {}
    for district, hospital_id in pilot:
        chosen = units.loc[(keys == district_key(district)).to_numpy(), "facility_id"]
        pins.update({str(u): str(hospital_id) for u in chosen})
    return pins


def hanoi_pilot_pins(units: pd.DataFrame) -> dict[str, str]:
    """Return the Ba Vì pilot as pins: every unit of Ba Vì -> Xanh Pon (:data:`HANOI_PILOT`).

    Parameters
    ----------
    units : pandas.DataFrame
        The units (``facility_id``, ``district``), e.g. the district and commune rows of
        :func:`planner.places.hanoi.hanoi_facilities`.

    Returns
    -------
    dict
        ``{unit_id: "hn-reg-xanhpon"}`` for every unit of Ba Vì; empty when there is none.

    See Also
    --------
    pilot_pins : the same for any pilot.

    Examples
    --------
    >>> from planner.places.hanoi import hanoi_facilities
    >>> fac = hanoi_facilities(scheme="2024")
    >>> pins = hanoi_pilot_pins(fac[fac.level != "regional"])
    >>> len(pins), set(pins.values())  # Ba Vì's district unit and its 31 communes
    (32, {'hn-reg-xanhpon'})
    """
    return pilot_pins(units, HANOI_PILOT)


def baseline_grouping(units: pd.DataFrame, nearest_by: NearestBy | None = None) -> NearestBy:
    """What the baselines send to its nearest hospital: each ``"group"`` or each ``"unit"``.

    Asked for (``nearest_by``), that; otherwise each unit for Hanoi's 2025 units (their groups
    are former districts, no longer a level of the city: "if every unit went to its nearest
    hospital"), each group for every other table (a 2024 district moves with its communes).

    Parameters
    ----------
    units
        The units (``facility_id``, ``scheme``), or the pairing rows (``unit_id``).
    nearest_by
        The request's choice, if it made one.

    Returns
    -------
    str
        ``"group"`` or ``"unit"``.

    Examples
    --------
    >>> units = pd.DataFrame({"facility_id": ["hn-com25-00004"], "scheme": ["2025"]})
    >>> baseline_grouping(units), baseline_grouping(units, "group")
    ('unit', 'group')
    >>> baseline_grouping(pd.DataFrame({"facility_id": ["clinic-7"], "scheme": ["own"]}))
    'group'
    """
    if nearest_by is not None:
        return nearest_by
    return "unit" if registry_scheme(units) == "2025" else "group"


def nearest_pairings(
    units: pd.DataFrame,
    hospitals: pd.DataFrame,
    matrix: pd.DataFrame,
    *,
    trip: TripRule = DEFAULT_TRIP,
    hierarchical: bool = True,
) -> pd.DataFrame:
    """Return the nearest-hospital baseline: each group to its nearest hospital, no balance.

    In hierarchical mode "nearest" for a district group is the hospital with the smallest
    population-weighted travel time over the group's units (the pop-time optimum without
    balance, pins or limits); in unit mode each unit goes to its own nearest hospital.
    Units no hospital reaches are left unassigned (``hospital_id`` NA).

    Parameters
    ----------
    units, hospitals
        The units and the regional hospitals (as for
        :func:`planner.pairing.propose.propose_pairings`).
    matrix
        Long travel-time matrix with the trips the trip rule needs.
    trip
        How a pair is timed (:class:`~planner.requests.TripRule`): its ``directions`` and
        ``site_rule`` (see :func:`planner.pairing.costs.pair_costs`).
    hierarchical
        District groups (communes follow their district) or every unit on its own.

    Returns
    -------
    pandas.DataFrame
        The pairing table (:data:`planner.pairing.propose.PAIRING_COLUMNS`), nobody pinned.

    Examples
    --------
    >>> units = pd.DataFrame({"facility_id": ["u1"], "name": ["U1"], "level": ["district"],
    ...                       "district": ["D"], "population": [100.0]})
    >>> hospitals = pd.DataFrame({"facility_id": ["h1", "h2"], "name": ["H1", "H2"]})
    >>> m = pd.DataFrame({"origin_id": ["h1", "h2"], "destination_id": ["u1", "u1"],
    ...                   "travel_time_s": [900.0, 600.0]})
    >>> from planner.requests import TripRule
    >>> to_unit = TripRule(directions="to_unit")
    >>> nearest_pairings(units, hospitals, m, trip=to_unit)["hospital_id"].tolist()
    ['h2']
    """
    model = _baseline_model(units, hospitals, matrix, {}, hierarchical, trip)
    return nearest_baseline(model)


def pilot_pairings(
    units: pd.DataFrame,
    hospitals: pd.DataFrame,
    matrix: pd.DataFrame,
    *,
    pins: Mapping[str, str] | None = None,
    others: str = "nearest",
    trip: TripRule = DEFAULT_TRIP,
    hierarchical: bool = True,
) -> pd.DataFrame:
    """Return the pilot baseline: pinned pairs hold, every other group goes to its nearest.

    Parameters
    ----------
    units, hospitals, matrix, trip, hierarchical
        As for :func:`nearest_pairings`.
    pins
        The pilot's pairs ``{unit_id: hospital_id}``; default :func:`hanoi_pilot_pins`
        (every unit of Ba Vì -> Xanh Pon).
    others
        ``"nearest"`` (default: the pilot extended by nearest-hospital assignment, so it can
        be compared with a full proposal) or ``"none"`` (only the pilot's units are paired,
        the rest have ``hospital_id`` NA).

    Returns
    -------
    pandas.DataFrame
        The pairing table (:data:`planner.pairing.propose.PAIRING_COLUMNS`), the pilot's units
        pinned.

    Examples
    --------
    >>> from planner.places.hanoi import hanoi_facilities
    >>> from planner.roads.network import hanoi_network
    >>> from planner.travel.matrix import pair_travel_times
    >>> fac = hanoi_facilities(scheme="2025")
    >>> hospitals, units = fac[fac.level == "regional"], fac[fac.level != "regional"]
    >>> matrix = pair_travel_times(hanoi_network(), hospitals, units)
    >>> pilot = pilot_pairings(units, hospitals, matrix, hierarchical=False)
    >>> pilot.loc[pilot["pinned"], "hospital_id"].value_counts().to_dict()
    {'hn-reg-xanhpon': 9}
    """
    if others not in ("nearest", "none"):
        raise PlannerInputError(
            f"unknown value {others!r}", field="others", hint="use 'nearest' or 'none'"
        )
    pins = hanoi_pilot_pins(units) if pins is None else pins
    model = _baseline_model(units, hospitals, matrix, pins, hierarchical, trip)
    if others == "none":
        return model.frame(
            np.where(model.pilot >= 0, model.pilot, -1), model.reachable, model.pilot
        )
    return pilot_baseline(model)


def _baseline_model(
    units: pd.DataFrame,
    hospitals: pd.DataFrame,
    matrix: pd.DataFrame,
    pilot: Mapping[str, str],
    hierarchical: bool,
    trip: TripRule,
) -> PairingModel:
    # a baseline: the request's groups only (no balance, pins or forbidden pairs)
    request = PairingRequest(hierarchical=hierarchical)
    return build_model(units, hospitals, matrix, trip=trip, request=request, pilot=pilot)


def nearest_baseline(model: PairingModel) -> pd.DataFrame:
    """The nearest-hospital baseline of a model: nobody pinned (see the module docstring).

    Parameters
    ----------
    model : planner.pairing._model.PairingModel
        The pairing model (as :func:`planner.pairing.propose.propose_pairings` builds it); its pins
        and pilot play no part.

    Returns
    -------
    pandas.DataFrame
        The pairing table (:data:`planner.pairing.propose.PAIRING_COLUMNS`): each group at the
        hospital of least population-weighted travel time, ``pinned`` all False.

    See Also
    --------
    nearest_pairings : the same from the facility tables and a matrix.

    Examples
    --------
    Three districts, two hospitals, hospital -> unit times in seconds; H1 is nearest to all:

    >>> from planner.pairing._model import build_model
    >>> from planner.requests import TripRule
    >>> units = pd.DataFrame({"facility_id": ["u1", "u2", "u3"], "name": ["U1", "U2", "U3"],
    ...                       "level": "district", "district": ["D1", "D2", "D3"],
    ...                       "population": [100.0, 100.0, 200.0]})
    >>> hospitals = pd.DataFrame({"facility_id": ["h1", "h2"], "name": ["H1", "H2"]})
    >>> m = pd.DataFrame({"origin_id": ["h1"] * 3 + ["h2"] * 3,
    ...                   "destination_id": ["u1", "u2", "u3"] * 2,
    ...                   "travel_time_s": [600.0, 900.0, 700.0, 1200.0, 1500.0, 1000.0]})
    >>> model = build_model(units, hospitals, m, trip=TripRule(directions="to_unit"), pilot={"u2": "h2"})
    >>> base = nearest_baseline(model)
    >>> base["hospital_id"].tolist(), base["travel_time_s"].tolist(), bool(base["pinned"].any())
    (['h1', 'h1', 'h1'], [600.0, 900.0, 700.0], False)
    """
    nobody = np.full(len(model.group_labels), -1)
    return model.frame(model.nearest_choice(), model.reachable, nobody)


def pilot_baseline(model: PairingModel) -> pd.DataFrame | None:
    """The pilot baseline of a model (its pilot's pins, nearest for the rest), or None when
    the model has no pilot.

    Parameters
    ----------
    model : planner.pairing._model.PairingModel
        The pairing model (as :func:`planner.pairing.propose.propose_pairings` builds it) with its
        pilot's pins; the user's own pins play no part.

    Returns
    -------
    pandas.DataFrame or None
        The pairing table (:data:`planner.pairing.propose.PAIRING_COLUMNS`): the pilot's groups at
        their pilot hospital (``pinned`` True), every other group at its nearest hospital;
        ``None`` when no group has a pilot pin.

    See Also
    --------
    pilot_pairings : the same from the facility tables and a matrix.

    Examples
    --------
    The pilot pins U2 to H2, though H1 is nearer to every unit:

    >>> from planner.pairing._model import build_model
    >>> from planner.requests import TripRule
    >>> units = pd.DataFrame({"facility_id": ["u1", "u2", "u3"], "name": ["U1", "U2", "U3"],
    ...                       "level": "district", "district": ["D1", "D2", "D3"],
    ...                       "population": [100.0, 100.0, 200.0]})
    >>> hospitals = pd.DataFrame({"facility_id": ["h1", "h2"], "name": ["H1", "H2"]})
    >>> m = pd.DataFrame({"origin_id": ["h1"] * 3 + ["h2"] * 3,
    ...                   "destination_id": ["u1", "u2", "u3"] * 2,
    ...                   "travel_time_s": [600.0, 900.0, 700.0, 1200.0, 1500.0, 1000.0]})
    >>> model = build_model(units, hospitals, m, trip=TripRule(directions="to_unit"), pilot={"u2": "h2"})
    >>> pilot = pilot_baseline(model)
    >>> pilot["hospital_id"].tolist(), pilot["pinned"].tolist()
    (['h1', 'h2', 'h1'], [False, True, False])
    >>> pilot_baseline(build_model(units, hospitals, m, trip=TripRule(directions="to_unit"))) is None
    True
    """
    if not (model.pilot >= 0).any():
        return None
    return model.frame(model.nearest_choice(model.pilot), model.reachable, model.pilot)


def explain(
    model: PairingModel, choice: np.ndarray, objective: str, max_travel_time_s: float | None
) -> pd.DataFrame:
    """Per unit: why this hospital, the nearest one, the next best and what switching costs.

    Parameters
    ----------
    model : planner.pairing._model.PairingModel
        The pairing model the choice was made on.
    choice : numpy.ndarray
        The hospital index chosen per group (``-1``: unassigned), as the solver returns it.
    objective : str
        The objective the choice optimises (``"pop-time"``, ``"max-time"`` or
        ``"balanced"``); with ``"max-time"`` the objective change of a switch is the change
        of the largest travel time.
    max_travel_time_s : float or None
        The largest travel time allowed, seconds (pairs slower than it are not offered as the
        next best); ``None``: no limit.

    Returns
    -------
    pandas.DataFrame
        One row per unit: ``unit_id``, ``group``, ``hospital_id``, ``travel_time_s``,
        ``nearest_hospital_id``, ``nearest_travel_time_s``, ``next_best_hospital_id``,
        ``next_best_travel_time_s``, ``switch_cost_s`` (the unit's extra seconds if its group
        switched to the next best), ``switch_objective_delta`` (the objective's change, seconds
        of population-weighted mean time, or of the largest time for ``"max-time"``),
        ``pinned`` and ``reason`` (in words).

    Examples
    --------
    With balance ±20 % one hospital cannot take everyone: the solver sends U1 (and the pilot's
    U2) to H2, though H1 is nearer.

    >>> from planner.pairing._model import build_model
    >>> from planner.requests import TripRule
    >>> units = pd.DataFrame({"facility_id": ["u1", "u2", "u3"], "name": ["U1", "U2", "U3"],
    ...                       "level": "district", "district": ["D1", "D2", "D3"],
    ...                       "population": [100.0, 100.0, 200.0]})
    >>> hospitals = pd.DataFrame({"facility_id": ["h1", "h2"], "name": ["H1", "H2"]})
    >>> m = pd.DataFrame({"origin_id": ["h1"] * 3 + ["h2"] * 3,
    ...                   "destination_id": ["u1", "u2", "u3"] * 2,
    ...                   "travel_time_s": [600.0, 900.0, 700.0, 1200.0, 1500.0, 1000.0]})
    >>> model = build_model(units, hospitals, m, trip=TripRule(directions="to_unit"), pilot={"u2": "h2"})
    >>> from planner.pairing._objectives import optimise
    >>> from planner.requests import PairingRequest
    >>> request = PairingRequest(balance=0.2, specialty_weight_s=0.0, time_limit_s=10.0)
    >>> solution = optimise(model, request)
    >>> why = explain(model, solution.choice, "pop-time", None)
    >>> why[["unit_id", "hospital_id", "nearest_hospital_id", "switch_cost_s"]].values.tolist()
    [['u1', 'h2', 'h1', -600.0], ['u2', 'h2', 'h1', -600.0], ['u3', 'h1', 'h1', 300.0]]
    >>> why["reason"].tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['+10 min over the nearest (H1) to meet the load balance or other constraints',
     'pinned (the pilot)', 'nearest hospital']
    """
    allowed = model.allowed(max_travel_time_s, pins=False)
    frame = model.frame(choice, allowed, model.pinned)
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
        delta = _max_time_delta(model, choice, nxt, nc)
    group_near = model.nearest_choice()
    # Hanoi's 2025 units lie in former districts, no longer a level of the city
    former = registry_scheme(model.inputs.units) == "2025"
    reasons = [
        _reason(model, u, h[u], near[u], group_near[g[u]], objective, former=former)
        for u in range(len(g))
    ]
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


def _max_time_delta(
    model: PairingModel, choice: np.ndarray, nxt: np.ndarray, nc: np.ndarray
) -> np.ndarray:
    """Change of the largest travel time if each unit's group switched to its next best."""
    g = model.group
    n_h = len(model.hospital_ids)
    current = np.nanmax(np.where(choice[:, None] == np.arange(n_h), model.gmax, np.nan))
    chosen = {k: model.gmax[k, choice[k]] for k in range(len(choice)) if choice[k] >= 0}
    # The largest time over every other group: what remains if this group moves.
    others = np.array(
        [
            np.nanmax(np.concatenate([[-np.inf], [t for k, t in chosen.items() if k != gg]]))
            for gg in range(len(choice))
        ]
    )
    return np.where(nxt >= 0, np.maximum(model.gmax[g, nc], others[g]) - current, np.nan)


def _reason(
    model: PairingModel,
    u: int,
    h: int,
    near: int,
    group_near: int,
    objective: str,
    *,
    former: bool = False,
) -> str:
    """Why unit ``u`` goes to hospital ``h``, in words."""
    if model.stranded[u]:
        if h >= 0:
            return "no hospital reaches this unit: follows its group, time unknown"
        return "no hospital reaches this unit: unassigned"
    if h < 0:
        return "unassigned"
    g = model.group[u]
    if model.pinned[g] >= 0:
        return "pinned (the pilot)" if model.pinned[g] == model.pilot[g] else "pinned"
    if near == h:
        return "nearest hospital"
    if group_near == h:
        if former:
            return "follows its former district (nearest for the people of its units)"
        return "follows its district (nearest for the district's population)"
    time = model.costs.time_s
    extra = (time[u, h] - time[u, near]) / 60
    why = "the min-max objective" if objective == "max-time" else "other constraints"
    return (
        f"{extra:+.0f} min over the nearest ({model.hospital_names[near]}) to meet "
        f"the load balance or {why}"
    )


def baseline_gaps(
    name: str, pairings: pd.DataFrame, base: pd.DataFrame | None, model: PairingModel
) -> dict[str, Any]:
    """Gap of the proposal to a baseline: population-weighted mean and max travel time.

    Parameters
    ----------
    name : str
        The baseline's name in the keys (``"nearest"``, ``"pilot"``).
    pairings : pandas.DataFrame
        The proposal's pairing table (``travel_time_s`` per unit, in the model's unit order).
    base : pandas.DataFrame or None
        The baseline's pairing table (same units and order), or ``None`` when there is none.
    model : planner.pairing._model.PairingModel
        The model both were made on (its population weights).

    Returns
    -------
    dict
        ``gap_vs_<name>_s`` (the proposal's population-weighted mean travel time minus the
        baseline's, seconds), ``gap_vs_<name>_rel`` (that gap over the baseline's mean),
        ``gap_vs_<name>_max_s`` (the difference of the largest times, seconds) and
        ``<name>_pop_weighted_mean_travel_time_s``; the three gaps are ``None`` without a
        baseline (and the baseline's mean is then left out).

    Examples
    --------
    >>> from planner.pairing._model import build_model
    >>> from planner.requests import TripRule
    >>> units = pd.DataFrame({"facility_id": ["u1", "u2", "u3"], "name": ["U1", "U2", "U3"],
    ...                       "level": "district", "district": ["D1", "D2", "D3"],
    ...                       "population": [100.0, 100.0, 200.0]})
    >>> hospitals = pd.DataFrame({"facility_id": ["h1", "h2"], "name": ["H1", "H2"]})
    >>> m = pd.DataFrame({"origin_id": ["h1"] * 3 + ["h2"] * 3,
    ...                   "destination_id": ["u1", "u2", "u3"] * 2,
    ...                   "travel_time_s": [600.0, 900.0, 700.0, 1200.0, 1500.0, 1000.0]})
    >>> model = build_model(units, hospitals, m, trip=TripRule(directions="to_unit"))
    >>> proposal = model.frame(np.array([1, 0, 0]), model.reachable, model.pinned)  # U1 to H2
    >>> gaps = baseline_gaps("nearest", proposal, nearest_baseline(model), model)
    >>> {key: round(value, 3) for key, value in gaps.items()}  # doctest: +NORMALIZE_WHITESPACE
    {'gap_vs_nearest_s': 150.0, 'gap_vs_nearest_rel': 0.207, 'gap_vs_nearest_max_s': 300.0,
     'nearest_pop_weighted_mean_travel_time_s': 725.0}
    >>> baseline_gaps("pilot", proposal, pilot_baseline(model), model)
    {'gap_vs_pilot_s': None, 'gap_vs_pilot_rel': None, 'gap_vs_pilot_max_s': None}
    """
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


def sensitivity_table(
    model: PairingModel,
    solution: Solution,
    request: PairingRequest,
    *,
    matrix_peak: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Re-solve under the peak matrix and balance 0.1/0.3; count units that change hospital.

    Parameters
    ----------
    model : planner.pairing._model.PairingModel
        The model the solution was found on.
    solution : planner.pairing._objectives.Solution
        The solution to compare with (its ``choice`` per group).
    request : planner.requests.PairingRequest
        The request it answers; each scenario changes one thing of it (a balance equal to the
        request's own is not re-solved).
    matrix_peak : pandas.DataFrame or None
        The peak-hour travel-time matrix; ``None`` leaves out the ``"peak"`` scenario.

    Returns
    -------
    pandas.DataFrame
        One row per scenario (:data:`SENSITIVITY_COLUMNS`): ``scenario`` (``"peak"``,
        ``"balance=0.1"``, ``"balance=0.3"``), the solver's ``status`` (``"infeasible"``
        with the reason in ``note``; ``"time_limit"`` when the re-solve's budget, at most
        :data:`SENSITIVITY_TIME_LIMIT_S`, ran out first, the proven gap in ``note``), its
        ``objective_value`` and ``units_changed``: the units whose hospital differs from the
        solution's.

    Examples
    --------
    At the peak the road from H2 to U3 is slow, so the groups swap hospitals:

    >>> from planner.pairing._model import build_model
    >>> from planner.requests import TripRule
    >>> units = pd.DataFrame({"facility_id": ["u1", "u2", "u3"], "name": ["U1", "U2", "U3"],
    ...                       "level": "district", "district": ["D1", "D2", "D3"],
    ...                       "population": [100.0, 100.0, 200.0]})
    >>> hospitals = pd.DataFrame({"facility_id": ["h1", "h2"], "name": ["H1", "H2"]})
    >>> m = pd.DataFrame({"origin_id": ["h1"] * 3 + ["h2"] * 3,
    ...                   "destination_id": ["u1", "u2", "u3"] * 2,
    ...                   "travel_time_s": [600.0, 900.0, 700.0, 1200.0, 1500.0, 1000.0]})
    >>> model = build_model(units, hospitals, m, trip=TripRule(directions="to_unit"))
    >>> from planner.pairing._objectives import optimise
    >>> from planner.requests import PairingRequest
    >>> request = PairingRequest(balance=0.2, specialty_weight_s=0.0, time_limit_s=10.0)
    >>> solution = optimise(model, request)
    >>> peak = m.assign(travel_time_s=[600.0, 900.0, 700.0, 1200.0, 1500.0, 3000.0])
    >>> table = sensitivity_table(model, solution, request, matrix_peak=peak)
    >>> table[["scenario", "status", "units_changed"]].values.tolist()
    [['peak', 'optimal', 3], ['balance=0.1', 'optimal', 0], ['balance=0.3', 'optimal', 0]]
    """
    # The what-ifs are context, not the decision: each gets a bounded budget, so a hard
    # balance on a few indivisible units (one district's communes) cannot hold a run for minutes.
    request = replace(request, time_limit_s=min(request.time_limit_s, SENSITIVITY_TIME_LIMIT_S))
    scenarios: list[tuple[str, PairingModel, PairingRequest]] = []
    if matrix_peak is not None:
        scenarios.append(("peak", model.with_matrix(matrix_peak), request))
    for b in (0.1, 0.3):
        if request.balance != b:
            scenarios.append((f"balance={b:g}", model, replace(request, balance=b)))
    rows = []
    base = solution.choice[model.group]
    for name, m, req in scenarios:
        try:
            other = optimise(m, req)
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
        note = (
            ""
            if other.status == "optimal"
            else status_text(other.status, other.mip_gap, req.time_limit_s)
        )
        rows.append(
            {
                "scenario": name,
                "status": other.status,
                "objective_value": other.objective_value,
                "units_changed": changed,
                "note": note,
            }
        )
    return pd.DataFrame(rows, columns=list(SENSITIVITY_COLUMNS))


def load_limits(
    loads: Mapping[str, float], hospitals: pd.DataFrame, *, balance: float
) -> pd.DataFrame:
    """Return each hospital's load limits under the balance rule the pairing was solved with.

    A hospital's load lies within ``(1 +- balance) x`` its fair share: the total load divided
    equally among the hospitals, or in proportion to their capacity when every hospital has
    one (as :func:`planner.pairing.propose.propose_pairings` applies it).

    Parameters
    ----------
    loads : mapping
        ``{hospital_id: load}`` of the pairing (``scores.json``'s ``load`` for population
        loads, ``units_per_hospital`` for unit counts); a hospital missing has load 0.
    hospitals : pandas.DataFrame
        The regional rows of the facility table (``facility_id``, and ``hospital_id``,
        ``capacity`` when present).
    balance : float
        The balance tolerance ``b`` (0.2 is ±20 %).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``hospital_id``: ``load``, ``fair``, ``lower`` and ``upper``.

    Examples
    --------
    >>> hospitals = pd.DataFrame({"facility_id": ["h1", "h2"], "name": ["H1", "H2"]})
    >>> load_limits({"h1": 300.0, "h2": 100.0}, hospitals, balance=0.2).round(1).values.tolist()
    [[300.0, 200.0, 160.0, 240.0], [100.0, 200.0, 160.0, 240.0]]
    """
    sites = hospital_sites(hospitals)
    ids = list(sites.hospital_ids)
    load = pd.Series({h: float(loads.get(h, 0.0)) for h in ids}, dtype=float)
    fair = fair_shares(sites) * float(load.sum())
    return pd.DataFrame(
        {
            "load": load.to_numpy(),
            "fair": fair,
            "lower": (1 - balance) * fair,
            "upper": (1 + balance) * fair,
        },
        index=pd.Index(ids, name="hospital_id"),
    )


def empty_sensitivity() -> pd.DataFrame:
    """The sensitivity table with no scenario (``sensitivity=False``).

    Returns
    -------
    pandas.DataFrame
        No rows; the columns of :data:`SENSITIVITY_COLUMNS`.

    Examples
    --------
    >>> table = empty_sensitivity()
    >>> len(table), table.columns.tolist()
    (0, ['scenario', 'status', 'objective_value', 'units_changed', 'note'])
    """
    return pd.DataFrame(columns=list(SENSITIVITY_COLUMNS))
