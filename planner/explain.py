"""Explain a pairing and compare it: per-unit reasons, sensitivity re-solves and the baselines.

The baselines are defined here once and used everywhere (the proposal's gaps, ``plan()``, the
map's comparison layer, the report):

* **nearest**: every group goes to its nearest hospital (for a district group, the hospital of
  least population-weighted travel time over its units); nobody is pinned, no balance.
* **pilot**: the pilot's pins hold (:func:`hanoi_pilot_pins`: Ba Vì with Xanh Pon), every
  other group goes to its nearest hospital.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from planner._objectives import Request, Solution, optimise
from planner._pairing_model import PairingModel, _district_key, build_model
from planner.errors import InfeasibleError, PlannerInputError

#: The pilot: Ba Vì district paired with Xanh Pon General Hospital.
PILOT_HOSPITAL_ID = "hn-reg-xanhpon"
PILOT_DISTRICT = "Huyện Ba Vì"
SENSITIVITY_COLUMNS = ("scenario", "status", "objective_value", "units_changed", "note")


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
    want = _district_key(PILOT_DISTRICT)
    in_ba_vi = units["district"].map(_district_key) == want
    heads = units[in_ba_vi & (units.get("level", pd.Series(index=units.index)) == "district")]
    chosen = heads if len(heads) else units[in_ba_vi]
    return {str(u): PILOT_HOSPITAL_ID for u in chosen["facility_id"]}


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
    model = _baseline_model(units, hospitals, matrix, {}, hierarchical)
    return nearest_baseline(model)


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
    model = _baseline_model(units, hospitals, matrix, pins, hierarchical)
    if others == "none":
        choice = np.where(model.pinned >= 0, model.pinned, -1)
        return model.frame(choice, model.reachable)
    return pilot_baseline(model)


def _baseline_model(
    units: pd.DataFrame,
    hospitals: pd.DataFrame,
    matrix: pd.DataFrame,
    pins: Mapping[str, str],
    hierarchical: bool,
) -> PairingModel:
    return build_model(
        units,
        hospitals,
        matrix,
        hierarchical=hierarchical,
        load="population",
        pins=pins,
        forbidden=(),
        specialty_need=None,
    )


def nearest_baseline(model: PairingModel) -> pd.DataFrame:
    """The nearest-hospital baseline of a model (see the module docstring)."""
    return model.frame(model.nearest_choice(), model.reachable)


def pilot_baseline(model: PairingModel) -> pd.DataFrame | None:
    """The pilot baseline of a model, or None when nothing is pinned."""
    if not (model.pinned >= 0).any():
        return None
    return model.frame(model.nearest_choice(pinned=True), model.reachable)


def explain(
    model: PairingModel, choice: np.ndarray, objective: str, max_travel_time_s: float | None
) -> pd.DataFrame:
    """Per unit: why this hospital, the nearest one, the next best and what switching costs."""
    allowed = model.allowed(max_travel_time_s, pins=False)
    frame = model.frame(choice, allowed)
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
    reasons = [_reason(model, u, h[u], near[u], group_near[g[u]], objective) for u in range(len(g))]
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


def _reason(model: PairingModel, u: int, h: int, near: int, group_near: int, objective: str) -> str:
    """Why unit ``u`` goes to hospital ``h``, in words."""
    if model.stranded[u]:
        if h >= 0:
            return "no hospital reaches this unit: follows its group, time unknown"
        return "no hospital reaches this unit: unassigned"
    if h < 0:
        return "unassigned"
    if model.pinned[model.group[u]] >= 0:
        return "pinned"
    if near == h:
        return "nearest hospital"
    if group_near == h:
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


def sensitivity_table(
    model: PairingModel,
    solution: Solution,
    request: Request,
    *,
    matrix_peak: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Re-solve under the peak matrix and balance 0.1/0.3; count units that change hospital."""
    scenarios: list[tuple[str, PairingModel, Request]] = []
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
        rows.append(
            {
                "scenario": name,
                "status": other.status,
                "objective_value": other.objective_value,
                "units_changed": changed,
                "note": "",
            }
        )
    return pd.DataFrame(rows, columns=list(SENSITIVITY_COLUMNS))


def empty_sensitivity() -> pd.DataFrame:
    """The sensitivity table with no scenario (``sensitivity=False``)."""
    return pd.DataFrame(columns=list(SENSITIVITY_COLUMNS))
