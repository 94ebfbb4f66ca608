"""Pivot a long travel-time matrix into unit x hospital cost arrays, one site per pair.

:func:`pair_costs` is where the ``directions`` rule (which trips make a pair's time) and the
``site_rule`` (which site of a hospital the trips use) are applied, once for the optimiser
(:mod:`planner.pairing._model`), the baselines and the scores (:mod:`planner.pairing.scoring`)
alike. A matrix without a direction the rule needs is an error, never a silent fallback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.errors import PlannerInputError
from planner.places.sites import HospitalSites, choose_sites, hospital_sites, take_sites
from planner.requests import DEFAULT_TRIP, TripRule


@dataclass(frozen=True, eq=False)
class PairCosts:
    """Travel times and distances between units (rows) and hospitals (columns).

    Attributes
    ----------
    unit_ids, hospital_ids
        Row and column labels (hospitals, not sites).
    out_s
        Hospital -> unit travel time (staff rotation), s, from the pair's site; NaN when
        unreachable or absent.
    back_s
        Unit -> hospital travel time (referral), s, to the pair's site; NaN when unreachable or
        absent.
    time_s
        The pair's travel time by the trip rule's ``directions``; NaN if a needed direction
        is unreachable.
    distance_m
        Road distance, same rule as ``time_s``.
    site_ids
        The site (``facility_id``) each pair's trips use, chosen by the trip rule's
        ``site_rule`` (object array; None where the rule finds no reachable site).
    trip
        The trip rule the costs follow (:class:`~planner.requests.TripRule`: its
        ``directions`` and ``site_rule``).

    Examples
    --------
    >>> m = pd.DataFrame({"origin_id": ["h1", "u1", "h1", "u2"],
    ...                   "destination_id": ["u1", "h1", "u2", "h1"],
    ...                   "travel_time_s": [600.0, 800.0, 1200.0, 1200.0]})
    >>> costs = pair_costs(m, ["u1", "u2"], ["h1"])
    >>> costs.unit_ids, costs.hospital_ids, costs.time_s.ravel().tolist()
    (('u1', 'u2'), ('h1',), [700.0, 1200.0])
    """

    unit_ids: tuple[str, ...]
    hospital_ids: tuple[str, ...]
    out_s: np.ndarray
    back_s: np.ndarray
    time_s: np.ndarray
    distance_m: np.ndarray
    site_ids: np.ndarray
    trip: TripRule


def pair_costs(
    matrix: pd.DataFrame,
    unit_ids: Sequence[str],
    hospitals: Sequence[str] | pd.DataFrame | HospitalSites,
    *,
    trip: TripRule = DEFAULT_TRIP,
    matrix_back: pd.DataFrame | None = None,
) -> PairCosts:
    """Pivot a long travel-time matrix into unit x hospital arrays, one site per pair.

    The matrix holds the trips to every site of a hospital; a pair's time is that of the site
    the trip rule's ``site_rule`` chooses (:mod:`planner.places.sites`): the site of least time
    by its ``directions`` (``"nearest"``), or the hospital's main site (``"main"``). Both trips
    of a pair use the same site.

    Parameters
    ----------
    matrix
        Long matrix (``origin_id``, ``destination_id``, ``travel_time_s``, optionally
        ``distance_m``) with rows in either or both directions, between the units and the
        hospitals' sites.
    unit_ids
        The units (rows) wanted.
    hospitals
        The hospitals (columns): their ids (one site each, the id itself), or the regional
        rows of a facility table, one per site, grouped by ``hospital_id`` (or their
        :func:`planner.places.sites.hospital_sites`).
    trip
        How a pair is timed (:class:`~planner.requests.TripRule`): its ``directions`` (which
        trips make a pair's time: ``"both"``, their mean; ``"to_unit"``, hospital -> unit;
        ``"to_hospital"``, unit -> hospital) and its ``site_rule`` (which site of a hospital a
        pair's trips use: ``"nearest"`` or ``"main"``).
    matrix_back
        Optional second matrix, appended to ``matrix`` (e.g. the unit -> hospital one).

    Returns
    -------
    PairCosts
        Arrays of shape ``(len(unit_ids), number of hospitals)``; pairs absent from the
        matrix are NaN.

    Raises
    ------
    PlannerInputError
        A required column is missing, a pair appears twice, or the matrix has no row in a
        direction the trip rule needs (the message names it and how to compute it).

    Examples
    --------
    >>> from planner.requests import TripRule
    >>> m = pd.DataFrame({"origin_id": ["h1", "u1"], "destination_id": ["u1", "h1"],
    ...                   "travel_time_s": [600.0, 800.0], "distance_m": [5e3, 6e3]})
    >>> pair_costs(m, ["u1"], ["h1"]).time_s
    array([[700.]])
    >>> pair_costs(m, ["u1"], ["h1"], trip=TripRule(directions="to_hospital")).time_s
    array([[800.]])

    A hospital of two sites: the nearest one, or the main one.

    >>> sites = pd.DataFrame({"facility_id": ["h1", "h1-b"], "hospital_id": "h1",
    ...                       "site_role": ["main", "site"]})
    >>> m2 = pd.DataFrame({"origin_id": ["h1", "h1-b"], "destination_id": "u1",
    ...                    "travel_time_s": [600.0, 400.0]})
    >>> to_unit = TripRule(directions="to_unit")
    >>> costs = pair_costs(m2, ["u1"], sites, trip=to_unit)
    >>> costs.time_s, costs.site_ids
    (array([[400.]]), array([['h1-b']], dtype=object))
    >>> pair_costs(m2, ["u1"], sites, trip=TripRule(directions="to_unit", site_rule="main")).time_s
    array([[600.]])
    """
    directions = trip.directions
    sites = hospital_sites(hospitals)
    table = matrix if matrix_back is None else pd.concat([matrix, matrix_back], ignore_index=True)
    for column in ("origin_id", "destination_id", "travel_time_s"):
        if column not in table.columns:
            raise PlannerInputError(
                f"the travel-time matrix has no {column} column",
                field=column,
                hint="pass the long table returned by planner.travel.matrix.travel_time_matrix",
            )
    units = pd.Index([str(u) for u in unit_ids])
    site_index = pd.Index(sites.site_ids)
    origin = table["origin_id"].astype(str)
    destination = table["destination_id"].astype(str)
    time = pd.to_numeric(table["travel_time_s"], errors="coerce").to_numpy(float)
    dist = (
        pd.to_numeric(table["distance_m"], errors="coerce").to_numpy(float)
        if "distance_m" in table.columns
        else np.full(len(table), np.nan)
    )
    if "status" in table.columns:
        # A pair the matrix marks as not ok is unreachable, whatever number it carries.
        bad = table["status"].fillna("ok").astype(str).to_numpy() != "ok"
        time = np.where(bad, np.nan, time)
        dist = np.where(bad, np.nan, dist)

    def pivot(rows: pd.Index, cols: pd.Index, r: pd.Series, c: pd.Series) -> tuple:
        i = rows.get_indexer(r)
        j = cols.get_indexer(c)
        keep = (i >= 0) & (j >= 0)
        t = np.full((len(rows), len(cols)), np.nan)
        d = np.full((len(rows), len(cols)), np.nan)
        flat = i[keep] * len(cols) + j[keep]
        if len(np.unique(flat)) < len(flat):
            where = np.flatnonzero(keep)[pd.Series(flat).duplicated().to_numpy()][0]
            raise PlannerInputError(
                f"pair {origin.iloc[where]} -> {destination.iloc[where]} appears twice "
                "in the travel-time matrix",
                row=int(where) + 1,
                field="origin_id",
                hint="keep one row per (origin_id, destination_id)",
            )
        t.flat[flat] = time[keep]
        d.flat[flat] = dist[keep]
        return t, d, bool(keep.any())

    out_t, out_d, has_out = pivot(units, site_index, destination, origin)
    back_t, back_d, has_back = pivot(units, site_index, origin, destination)
    if len(units) and len(site_index):
        if directions in ("both", "to_unit") and not has_out:
            _missing_direction("hospital -> unit", "staff rotation", trip, "to_hospital")
        if directions in ("both", "to_hospital") and not has_back:
            _missing_direction("unit -> hospital", "referral", trip, "to_unit")
    if directions == "both":
        time_s, distance_m = (out_t + back_t) / 2.0, (out_d + back_d) / 2.0
    elif directions == "to_hospital":
        time_s, distance_m = back_t, back_d
    else:
        time_s, distance_m = out_t, out_d
    chosen = choose_sites(time_s, sites, trip.site_rule)
    site_ids = np.array([*sites.site_ids, None], dtype=object)[chosen]  # -1: None
    return PairCosts(
        unit_ids=tuple(units),
        hospital_ids=sites.hospital_ids,
        out_s=take_sites(out_t, chosen),
        back_s=take_sites(back_t, chosen),
        time_s=take_sites(time_s, chosen),
        distance_m=take_sites(distance_m, chosen),
        site_ids=site_ids,
        trip=trip,
    )


def _missing_direction(way: str, purpose: str, trip: TripRule, other: str) -> None:
    raise PlannerInputError(
        f"the travel-time matrix has no {way} rows ({purpose} trips), which "
        f"directions={trip.directions!r} needs",
        field="directions",
        hint="compute both directions with planner.travel.matrix.pair_travel_times(graph, hospitals, "
        f"units), or choose directions={other!r} if those are the trips the matrix holds",
    )
