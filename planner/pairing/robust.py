"""Pairings that hold at every hour: the worst time of a pair over several departure times.

A pair planned on the 10:00 matrix may be slow at the 17:30 peak. :func:`worst_case_matrix`
turns the matrices of several departure times into one whose every trip takes its longest time
(NaN when unreachable at any of them), so a pairing proposed on it, and a ``max_travel_time_s``
on it, holds at all those hours (:func:`planner.pairing.propose.propose_pairings` takes it as
any matrix). :func:`robust_pairs` tells, per pair, its time at each hour, its worst time and
whether the hours break it: within the max time at the main departure, over it at another.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from planner.errors import PlannerInputError
from planner.pairing.costs import pair_costs
from planner.requests import DEFAULT_REQUEST, DEFAULT_TRIP, PairingRequest, TripRule

_KEY = ["origin_id", "destination_id"]


def hour_column(depart: str) -> str:
    """The ``robust.csv`` column of a departure time's travel time.

    Parameters
    ----------
    depart : str
        ``"HH:MM"``.

    Returns
    -------
    str

    Examples
    --------
    >>> hour_column("17:30")
    'time_1730_s'
    """
    return f"time_{depart.replace(':', '')}_s"


def worst_case_matrix(matrices: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Return the matrix whose every trip takes its longest time over ``matrices``.

    Parameters
    ----------
    matrices
        Long travel-time matrices (``origin_id``, ``destination_id``, ``travel_time_s``;
        ``status``) by departure time, over the same trips.

    Returns
    -------
    pandas.DataFrame
        The first matrix's rows with ``travel_time_s`` the element maximum over all of them
        (per origin and destination); NaN, with ``status`` ``unreachable``, where a trip is
        unreachable (or absent) at any of them.

    Raises
    ------
    PlannerInputError
        No matrix, or a trip twice in one.

    Examples
    --------
    >>> at = {h: pd.DataFrame({"origin_id": ["h1", "h1"], "destination_id": ["u1", "u2"],
    ...                        "travel_time_s": t})
    ...       for h, t in {"10:00": [600.0, 900.0], "17:30": [800.0, np.nan]}.items()}
    >>> worst_case_matrix(at)["travel_time_s"].tolist()
    [800.0, nan]
    """
    frames = list(matrices.values())
    if not frames:
        raise PlannerInputError(
            "no matrix to take the worst time of", field="depart", hint="give departure times"
        )
    base = frames[0].reset_index(drop=True)
    index = pd.MultiIndex.from_frame(base[_KEY].astype(str))
    worst = np.full(len(base), -np.inf)
    for matrix in frames:
        keys = pd.MultiIndex.from_frame(matrix[_KEY].astype(str))
        if keys.has_duplicates:
            raise PlannerInputError(
                "a trip appears twice in a travel-time matrix",
                field="origin_id",
                hint="keep one row per (origin_id, destination_id)",
            )
        time = pd.to_numeric(matrix["travel_time_s"], errors="coerce").to_numpy(float)
        if "status" in matrix.columns:
            time = np.where(matrix["status"].fillna("ok").astype(str) == "ok", time, np.nan)
        # np.maximum keeps NaN: a trip unreachable (or absent) at any hour is unreachable
        worst = np.maximum(worst, pd.Series(time, keys).reindex(index).to_numpy(float))
    out = base.copy()
    out["travel_time_s"] = worst
    if "status" in out.columns:
        lost = np.isnan(worst) & (out["status"].fillna("ok").astype(str) == "ok").to_numpy()
        out.loc[lost, "status"] = "unreachable"
        if "reason" in out.columns:
            out.loc[lost, "reason"] = "unreachable at one of the departure times"
    return out


def robust_pairs(
    pairs: pd.DataFrame,
    matrices: Mapping[str, pd.DataFrame],
    hospitals: pd.DataFrame,
    *,
    trip: TripRule = DEFAULT_TRIP,
    request: PairingRequest = DEFAULT_REQUEST,
) -> pd.DataFrame:
    """Return each pair's time at every departure time, its worst time and whether it breaks.

    Parameters
    ----------
    pairs
        ``unit_id``, ``hospital_id`` (a pairing, or several pairings' pairs); other columns
        are kept.
    matrices
        The matrices by departure time (``"HH:MM"``), ``trip.depart`` among them.
    hospitals
        The hospital sites (as for :func:`planner.pairing.costs.pair_costs`).
    trip
        The pairing's trip rule: its ``depart`` is the main departure time (the one a plain
        run plans on); its ``directions`` and ``site_rule`` time the pairs.
    request
        The pairing's request: its ``max_travel_time_s`` is the time a pair must hold
        (``None``: no pair breaks).

    Returns
    -------
    pandas.DataFrame
        ``pairs``' columns, then :func:`hour_column` of each departure time (the pair's time
        then, on that hour's fastest site), ``worst_s`` (the pair's time on
        :func:`worst_case_matrix`, at least each hour's) and ``breaks``: within
        ``max_travel_time_s`` at the main departure, over it at another hour.

    Examples
    --------
    >>> at = {h: pd.DataFrame({"origin_id": ["h1", "h1"], "destination_id": ["u1", "u2"],
    ...                        "travel_time_s": t})
    ...       for h, t in {"10:00": [600.0, 900.0], "17:30": [800.0, 1300.0]}.items()}
    >>> pairs = pd.DataFrame({"unit_id": ["u1", "u2"], "hospital_id": ["h1", "h1"]})
    >>> from planner.requests import PairingRequest, TripRule
    >>> table = robust_pairs(pairs, at, pd.DataFrame({"facility_id": ["h1"]}),
    ...                      trip=TripRule(depart="10:00", directions="to_unit"),
    ...                      request=PairingRequest(max_travel_time_s=1200.0))
    >>> table[["unit_id", "time_1730_s", "worst_s", "breaks"]].values.tolist()
    [['u1', 800.0, 800.0, False], ['u2', 1300.0, 1300.0, True]]
    """
    main, max_travel_time_s = trip.depart, request.max_travel_time_s
    if main not in matrices:
        raise PlannerInputError(
            f"the main departure time {main} is not among the matrices",
            field="depart",
            hint="include the main departure time",
        )
    out = pairs.reset_index(drop=True).copy()
    units = out["unit_id"].astype(str)
    unit_ids = list(dict.fromkeys(units))

    def times(matrix: pd.DataFrame) -> np.ndarray:
        costs = pair_costs(matrix, unit_ids, hospitals, trip=trip)
        row = pd.Index(costs.unit_ids).get_indexer(units)
        col = pd.Index(costs.hospital_ids).get_indexer(out["hospital_id"].astype(str))
        ok = (row >= 0) & (col >= 0)
        return np.where(ok, costs.time_s[np.maximum(row, 0), np.maximum(col, 0)], np.nan)

    hours = {depart: times(matrix) for depart, matrix in matrices.items()}
    for depart, time in hours.items():
        out[hour_column(depart)] = time
    out["worst_s"] = times(worst_case_matrix(matrices))
    if max_travel_time_s is None:
        out["breaks"] = False
    else:
        over = np.column_stack(
            [np.nan_to_num(t, nan=np.inf) > max_travel_time_s for t in hours.values()]
        )
        out["breaks"] = (hours[main] <= max_travel_time_s) & over.any(axis=1)
    return out


__all__ = ["hour_column", "robust_pairs", "worst_case_matrix"]
