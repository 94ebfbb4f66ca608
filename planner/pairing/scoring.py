"""Score any sister-hospital pairing on a travel-time matrix: times, coverage, loads, balance.

A pairing is a table with one row per unit (``unit_id``, ``hospital_id``; see
``docs/architecture.md``). :func:`score_pairings` looks each pair up in the long travel-time
matrix of :func:`planner.travel.matrix.travel_time_matrix` and returns a frozen
:class:`PairingScores` with the overall figures (the keys of ``scores.json``), one row per
hospital and one row per pair.

Which time is "the" travel time of a pair
    Rows ``hospital -> unit`` (origin a hospital) are the staff rotation trip; rows
    ``unit -> hospital`` are the referral trip. The choice is explicit, the trip rule's ``directions`` (:class:`~planner.requests.TripRule`):
    ``"both"`` (default: the mean of the two trips, half the round trip), ``"to_unit"``
    (hospital -> unit only) or ``"to_hospital"`` (unit -> hospital only). A matrix without a
    direction the choice needs is an error, never a silent fallback:
    :func:`planner.travel.matrix.pair_travel_times` computes both. :func:`pair_costs` applies the rule
    for scoring, for :func:`planner.pairing.propose.propose_pairings` and for the baselines alike, and
    the peak figures follow the same rule as the main ones.

Hospitals with several sites
    The matrix holds the trips to every site of a hospital (the regional rows of the facility
    table, grouped by ``hospital_id``); a pair is scored on the one site the trip rule's ``site_rule`` chooses
    (:mod:`planner.places.sites`: the pair's fastest site by default, or the hospital's main site),
    and ``per_pair["site_id"]`` names it. Loads, balance and every per-hospital figure count
    hospitals, not sites; :attr:`PairingScores.per_site` shows how the trips spread over the
    sites.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from planner._json import json_safe
from planner._stats import weighted_mean
from planner._vn import district_key
from planner.errors import PlannerInputError
from planner.pairing.costs import PairCosts, pair_costs
from planner.places.sites import HospitalSites, hospital_sites
from planner.requests import DEFAULT_TRIP, TripRule

log = logging.getLogger(__name__)

#: Travel-time thresholds (minutes) for the coverage shares.
COVERAGE_MINUTES = (30, 60, 90)

__all__ = [
    "COVERAGE_MINUTES",
    "PairingScores",
    "counted_population",
    "gini",
    "population_weights",
    "score_pairings",
    "time_figures",
]


@dataclass(frozen=True, eq=False)
class PairingScores:
    """The scores of one pairing.

    Attributes
    ----------
    overall
        Headline figures (the keys of ``scores.json``), see :func:`score_pairings`.
    per_hospital
        One row per hospital: units, districts, population, load share, staff travel
        hours per month, mean/max travel time and spread.
    per_pair
        One row per unit: both directions, the pair's travel time, distance, peak time,
        the site its trips use (``site_id``), the nearest hospital and the regret against it.
    per_site
        One row per hospital site: ``site_id``, ``hospital_id``, ``site_role``,
        ``site_name``, the ``units`` whose trips use it, their ``population`` and
        ``mean_travel_time_s``; None when the hospitals were not given.

    Examples
    --------
    >>> m = pd.DataFrame({"origin_id": ["h1", "u1", "h1", "u2"],
    ...                   "destination_id": ["u1", "h1", "u2", "h1"],
    ...                   "travel_time_s": [600.0, 800.0, 1200.0, 1200.0]})
    >>> pairings = pd.DataFrame({"unit_id": ["u1", "u2"], "hospital_id": ["h1", "h1"]})
    >>> scores = score_pairings(pairings, m)
    >>> scores.overall["units"], scores.overall["mean_travel_time_s"]
    (2, 950.0)
    >>> scores.per_pair["travel_time_s"].tolist(), scores.per_site is None
    ([700.0, 1200.0], True)
    """

    overall: dict[str, Any]
    per_hospital: pd.DataFrame
    per_pair: pd.DataFrame
    per_site: pd.DataFrame | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return ``overall`` plus ``per_hospital`` (and ``per_site``) records, JSON-safe
        (NaN/inf -> None)."""
        doc = dict(self.overall)
        doc["per_hospital"] = self.per_hospital.to_dict(orient="records")
        if self.per_site is not None:
            doc["per_site"] = self.per_site.to_dict(orient="records")
        return json_safe(doc)


def score_pairings(
    pairings: pd.DataFrame,
    matrix: pd.DataFrame,
    *,
    units: pd.DataFrame | None = None,
    hospitals: pd.DataFrame | None = None,
    matrix_peak: pd.DataFrame | None = None,
    matrix_back: pd.DataFrame | None = None,
    trip: TripRule | None = None,
    visits_per_month: float = 4,
    optimum: Any = None,
) -> PairingScores:
    """Score a pairing (unit -> regional hospital) on a travel-time matrix.

    Parameters
    ----------
    pairings
        One row per unit with ``unit_id`` and ``hospital_id`` (NA: unassigned). Columns
        ``population``, ``district``, ``unit_level``, ``unit_name`` are used when present,
        else taken from ``units``. Population is counted once (see
        :func:`population_weights`): a district unit listed with its communes weighs 0.
    matrix
        Long travel-time matrix holding the trips the trip rule's ``directions`` needs (see
        :func:`pair_costs`; :func:`planner.travel.matrix.pair_travel_times` computes both),
        computed at ``trip.depart``.
    units, hospitals
        The facility tables (``facility_id``, ``name``, ``level``, ``district``,
        ``population``). ``hospitals`` are the regional rows, one per site (grouped by
        ``hospital_id``, :mod:`planner.places.sites`); they fix the set of hospitals for the
        nearest-hospital regret and the loads (a hospital with no unit then has load 0).
    matrix_peak
        A second matrix at another departure time (the comparison, e.g. the 08:00 peak) for
        the ``*_peak*`` figures, computed at ``trip.peak_depart``, timed by the same rule.
    matrix_back
        Unit -> hospital matrix when it is a separate table.
    trip
        How a pair is timed (:class:`~planner.requests.TripRule`): its ``directions`` (which
        trips make a pair's time: ``"both"``, the mean of hospital -> unit and unit ->
        hospital; ``"to_unit"``; ``"to_hospital"``) and ``site_rule`` (which site of a
        hospital a pair's trips use: ``"nearest"``, its fastest site for that pair, or
        ``"main"``; :mod:`planner.places.sites`); its ``depart`` and ``peak_depart`` (the
        times the matrices were computed for) are recorded in the scores so labels can name
        them. ``None``: the default rule (both trips, the nearest site), the matrices' times
        not stated (``depart`` and ``peak_depart`` None: not guessed).
    visits_per_month
        Staff visits each unit receives a month; the staff travel load of a hospital is
        ``visits_per_month x sum of its units' round trips`` (hospital -> unit -> hospital),
        in hours.
    optimum
        The optimum under the same constraints, for ``gap_to_optimal``: a
        :class:`planner.pairing.propose.PairingResult` (its objective decides what is compared;
        scoring its own pairing reports the solver's proven gap and merges its status,
        objective and baseline gaps) or a number (the optimal population-weighted mean
        travel time, s).

    Returns
    -------
    PairingScores
        ``overall`` keys: ``objective``, ``status``, ``units``, ``unassigned_units``,
        ``pairs_without_time``, ``mean_travel_time_s``, ``median_travel_time_s``,
        ``p90_travel_time_s``, ``max_travel_time_s``, ``pop_weighted_mean_travel_time_s``,
        ``share_units_within_{30,60,90}min``, ``share_population_within_{30,60,90}min``,
        the same with ``_peak`` when ``matrix_peak`` is given, ``load`` (population per
        hospital), ``units_per_hospital``, ``load_ratio_max_min``, ``gini_load``,
        ``regret_vs_nearest_s`` (population-weighted mean extra time against each unit's
        nearest hospital), ``mean_regret_vs_nearest_s``, ``gap_to_optimal``,
        ``hierarchy_consistency`` (share of communes with the same hospital as their
        district's district-level unit; None without such communes),
        ``staff_travel_hours_per_month``, ``visits_per_month``, ``directions``,
        ``site_rule``, ``depart`` and ``peak_depart`` (``"HH:MM"``, None when not stated;
        ``peak_depart`` None without ``matrix_peak``).

    Examples
    --------
    Two districts and one hospital, times both ways in seconds; U2's pair time is over an hour:

    >>> from planner.pairing.explain import nearest_pairings
    >>> units = pd.DataFrame({"facility_id": ["u1", "u2"], "name": ["U1", "U2"],
    ...                       "level": "district", "district": ["D1", "D2"],
    ...                       "population": [300.0, 100.0]})
    >>> hospitals = pd.DataFrame({"facility_id": ["h1"], "name": ["H1"]})
    >>> m = pd.DataFrame({"origin_id": ["h1", "u1", "h1", "u2"],
    ...                   "destination_id": ["u1", "h1", "u2", "h1"],
    ...                   "travel_time_s": [600.0, 800.0, 3600.0, 4000.0]})
    >>> scores = score_pairings(nearest_pairings(units, hospitals, m), m,
    ...                         units=units, hospitals=hospitals)
    >>> overall = scores.overall
    >>> overall["share_population_within_60min"], overall["pop_weighted_mean_travel_time_s"]
    (0.75, 1475.0)
    >>> overall["directions"], overall["depart"]
    ('both', None)
    """
    for column in ("unit_id", "hospital_id"):
        if column not in pairings.columns:
            raise PlannerInputError(
                f"the pairings table has no {column} column",
                field=column,
                hint="a pairing needs one row per unit with unit_id and hospital_id",
            )
    table = _unit_attributes(pairings, units)
    sites = hospital_sites(hospitals if hospitals is not None else _hospital_ids(table))
    stated, trip = trip is not None, trip or DEFAULT_TRIP
    costs = pair_costs(matrix, table["unit_id"], sites, trip=trip, matrix_back=matrix_back)
    hospital_ids = list(costs.hospital_ids)
    assigned, safe_col = _columns(table, costs)
    rows = np.arange(len(table))

    def pick(values: np.ndarray) -> np.ndarray:
        return np.where(assigned, values[rows, safe_col], np.nan)

    time_s = pick(costs.time_s)
    pop = table["population"].to_numpy(float)
    nearest_s = _nanmin_rows(costs.time_s)
    per_pair = pd.DataFrame(
        {
            "unit_id": table["unit_id"],
            "hospital_id": table["hospital_id"],
            "travel_time_out_s": pick(costs.out_s),
            "travel_time_back_s": pick(costs.back_s),
            "travel_time_s": time_s,
            "distance_m": pick(costs.distance_m),
            "site_id": np.where(assigned, costs.site_ids[rows, safe_col], np.array(None, object)),
            "population": pop,
            "nearest_hospital_id": _argmin_labels(costs.time_s, hospital_ids),
            "nearest_travel_time_s": nearest_s,
            "regret_s": time_s - nearest_s,
        }
    )
    overall: dict[str, Any] = {"objective": None, "status": "scored"}
    overall["units"] = len(table)
    overall["unassigned_units"] = int((~assigned).sum())
    overall["pairs_without_time"] = int((assigned & np.isnan(time_s)).sum())
    overall["directions"] = trip.directions
    overall["site_rule"] = trip.site_rule
    overall["depart"] = trip.depart if stated else None
    overall["peak_depart"] = trip.peak_depart if stated and matrix_peak is not None else None
    overall.update(_time_figures(time_s[assigned], pop[assigned], suffix=""))
    if matrix_peak is not None:
        peak = pair_costs(matrix_peak, table["unit_id"], sites, trip=trip)
        per_pair["travel_time_peak_s"] = pick(peak.time_s)
        overall.update(
            _time_figures(
                per_pair["travel_time_peak_s"].to_numpy()[assigned], pop[assigned], "_peak"
            )
        )
    per_hospital = _per_hospital(
        table,
        per_pair,
        hospital_ids,
        sites.table if hospitals is not None else None,
        visits_per_month,
    )
    loads = per_hospital["population"].to_numpy(float)
    overall["load"] = dict(zip(per_hospital["hospital_id"], loads.tolist(), strict=True))
    overall["units_per_hospital"] = dict(
        zip(per_hospital["hospital_id"], per_hospital["units"].tolist(), strict=True)
    )
    overall["load_ratio_max_min"] = _ratio(loads.max(), loads.min()) if len(loads) else math.nan
    overall["gini_load"] = gini(loads)
    regret = per_pair["regret_s"].to_numpy()
    ok = assigned & np.isfinite(regret)
    overall["regret_vs_nearest_s"] = weighted_mean(regret[ok], pop[ok], zero_weights="mean")
    overall["mean_regret_vs_nearest_s"] = float(regret[ok].mean()) if ok.any() else math.nan
    overall["hierarchy_consistency"] = _hierarchy_consistency(table)
    overall["staff_travel_hours_per_month"] = float(
        per_hospital["staff_travel_hours_per_month"].sum()
    )
    overall["visits_per_month"] = visits_per_month
    overall["gap_to_optimal"] = None
    overall.update(_against_optimum(table, overall, optimum))
    per_site = _per_site(per_pair, sites) if hospitals is not None else None
    return PairingScores(
        overall=overall, per_hospital=per_hospital, per_pair=per_pair, per_site=per_site
    )


def time_figures(
    pairings: pd.DataFrame,
    costs: PairCosts,
    *,
    units: pd.DataFrame | None = None,
) -> dict[str, float]:
    """The travel-time figures of :func:`score_pairings` alone, on costs already pivoted.

    For comparing several pairings of the same units on one matrix: :func:`pair_costs` once,
    then this per pairing, instead of a whole :func:`score_pairings` each time.

    Parameters
    ----------
    pairings
        One row per unit (``unit_id``, ``hospital_id``), the units of ``costs`` in its order.
    costs
        :func:`pair_costs` of the matrix for these units, with the hospitals and the trip rule
        wanted.
    units
        As for :func:`score_pairings` (population, level and district of the units).

    Returns
    -------
    dict
        ``mean_travel_time_s``, ``median_travel_time_s``, ``p90_travel_time_s``,
        ``max_travel_time_s``, ``pop_weighted_mean_travel_time_s`` and the
        ``share_{units,population}_within_{30,60,90}min``: equal to :func:`score_pairings`'s.

    Examples
    --------
    >>> m = pd.DataFrame({"origin_id": ["h1", "u1", "h1", "u2"],
    ...                   "destination_id": ["u1", "h1", "u2", "h1"],
    ...                   "travel_time_s": [600.0, 800.0, 1200.0, 1200.0]})
    >>> pairings = pd.DataFrame({"unit_id": ["u1", "u2"], "hospital_id": ["h1", "h1"]})
    >>> figures = time_figures(pairings, pair_costs(m, ["u1", "u2"], ["h1"]))
    >>> figures["mean_travel_time_s"] == score_pairings(pairings, m).overall["mean_travel_time_s"]
    True
    """
    table = _unit_attributes(pairings, units)
    if tuple(table["unit_id"]) != tuple(costs.unit_ids):
        raise ValueError("the pairing's units are not the rows of the costs, in their order")
    assigned, col = _columns(table, costs)
    time_s = costs.time_s[np.arange(len(table)), col]
    return _time_figures(time_s[assigned], table["population"].to_numpy(float)[assigned], "")


def _columns(table: pd.DataFrame, costs: PairCosts) -> tuple[np.ndarray, np.ndarray]:
    """Per row: whether it is paired with one of the costs' hospitals, and that column (0 if not)."""
    col = pd.Index(costs.hospital_ids).get_indexer(table["hospital_id"].fillna("").astype(str))
    assigned = table["hospital_id"].notna().to_numpy() & (col >= 0)
    return assigned, np.where(col >= 0, col, 0)


def population_weights(level: pd.Series, district: pd.Series, population: pd.Series) -> np.ndarray:
    """Return each unit's population counted once (NaN -> 0).

    A district-level unit carries its whole district's population (the registry's
    convention); when communes of the same district with a population are in the table too,
    the people are counted through the communes and the district unit weighs 0, so a
    district group is never counted twice.

    Parameters
    ----------
    level : pandas.Series
        Each unit's level (``district`` or ``commune``; others count their own population).
    district : pandas.Series
        Each unit's district name (spellings of one district match, see
        :func:`planner._vn.district_key`).
    population : pandas.Series
        Each unit's population (people); missing or non-numeric values count as 0.

    Returns
    -------
    numpy.ndarray
        One float per unit, in input order: the people it stands for in weighted scores.

    Examples
    --------
    >>> population_weights(pd.Series(["district", "commune", "commune"]),
    ...                    pd.Series(["D", "D", "D"]), pd.Series([300.0, 100.0, 200.0]))
    array([  0., 100., 200.])
    """
    pop = pd.to_numeric(pd.Series(population).reset_index(drop=True), errors="coerce").fillna(0.0)
    level = pd.Series(level).reset_index(drop=True).astype("string")
    district = pd.Series(district).reset_index(drop=True).map(district_key)
    commune_pop = pop.where(level == "commune", 0.0).groupby(district).sum()
    covered = district.map(commune_pop).fillna(0.0) > 0
    return np.where((level == "district") & covered, 0.0, pop.to_numpy(float))


def counted_population(pairings: pd.DataFrame) -> np.ndarray:
    """Each row's population counted once, from a pairing table's own columns.

    :func:`population_weights` of ``unit_level``, ``district`` and ``population``; a table
    without levels or districts counts each row's own population (missing -> 0).

    Parameters
    ----------
    pairings : pandas.DataFrame
        Rows with ``population`` and, to count districts once, ``unit_level`` and ``district``.

    Returns
    -------
    numpy.ndarray
        One float per row, in order.

    Examples
    --------
    >>> counted_population(pd.DataFrame({"unit_level": ["district", "commune"],
    ...                                  "district": ["D", "D"], "population": [300, 100]}))
    array([  0., 100.])
    >>> counted_population(pd.DataFrame({"population": [5, None]}))
    array([5., 0.])
    """
    pop = pairings["population"] if "population" in pairings else pd.Series(np.nan, pairings.index)
    if "unit_level" not in pairings or "district" not in pairings:
        return pd.to_numeric(pop, errors="coerce").fillna(0.0).to_numpy(float)
    return population_weights(pairings["unit_level"], pairings["district"], pop)


def gini(values: np.ndarray) -> float:
    """Return the Gini coefficient of non-negative loads (0 = equal, 1 = all on one).

    Parameters
    ----------
    values : numpy.ndarray
        Non-negative loads, e.g. the people each hospital serves.

    Returns
    -------
    float
        The mean absolute difference over twice the mean (at most ``1 - 1/n`` for ``n``
        values); NaN when there is no value or they sum to 0.

    Examples
    --------
    >>> gini(np.array([1.0, 1.0, 1.0]))
    0.0
    >>> round(gini(np.array([0.0, 0.0, 3.0])), 4)
    0.6667
    >>> gini(np.array([0.0, 0.0]))
    nan
    """
    x = np.asarray(values, dtype=float)
    if len(x) == 0 or x.sum() <= 0:
        return math.nan
    diff = np.abs(x[:, None] - x[None, :]).sum()
    return float(diff / (2.0 * len(x) ** 2 * x.mean()))


def _unit_attributes(pairings: pd.DataFrame, units: pd.DataFrame | None) -> pd.DataFrame:
    """Return the pairing with ``unit_name``, ``unit_level``, ``district``, ``population``."""
    table = pairings.copy()
    table["unit_id"] = table["unit_id"].astype(str)
    table["hospital_id"] = table["hospital_id"].astype("string")
    wanted = {"unit_name": "name", "unit_level": "level", "district": "district"}
    wanted["population"] = "population"
    if units is not None:
        info = pd.DataFrame(units).drop_duplicates("facility_id").set_index("facility_id")
        info.index = info.index.astype(str)
        for column, source in wanted.items():
            if (column not in table.columns or table[column].isna().all()) and source in info:
                table[column] = table["unit_id"].map(info[source])
    for column in wanted:
        if column not in table.columns:
            table[column] = np.nan
    table = table.reset_index(drop=True)
    table["population"] = population_weights(
        table["unit_level"], table["district"], table["population"]
    )
    return table


def _hospital_ids(table: pd.DataFrame) -> list[str]:
    """The hospitals of a pairing scored without its hospital table: one site each."""
    return sorted(table["hospital_id"].dropna().astype(str).unique())


def _time_figures(time_s: np.ndarray, pop: np.ndarray, suffix: str) -> dict[str, float]:
    """Mean, median, p90, max, population-weighted mean and coverage shares (NaN: not covered)."""
    ok = np.isfinite(time_s)
    t = time_s[ok]
    out: dict[str, float] = {}
    out[f"mean_travel_time{suffix}_s"] = float(t.mean()) if len(t) else math.nan
    out[f"median_travel_time{suffix}_s"] = float(np.median(t)) if len(t) else math.nan
    out[f"p90_travel_time{suffix}_s"] = float(np.percentile(t, 90)) if len(t) else math.nan
    out[f"max_travel_time{suffix}_s"] = float(t.max()) if len(t) else math.nan
    out[f"pop_weighted_mean_travel_time{suffix}_s"] = weighted_mean(t, pop[ok], zero_weights="mean")
    total_pop = pop.sum()
    for minutes in COVERAGE_MINUTES:
        within = ok & (np.nan_to_num(time_s, nan=np.inf) <= minutes * 60.0)
        out[f"share_units_within_{minutes}min{suffix}"] = (
            float(within.mean()) if len(time_s) else math.nan
        )
        out[f"share_population_within_{minutes}min{suffix}"] = (
            float(pop[within].sum() / total_pop) if total_pop > 0 else math.nan
        )
    return out


def _per_hospital(
    table: pd.DataFrame,
    per_pair: pd.DataFrame,
    hospital_ids: list[str],
    hospitals: pd.DataFrame | None,
    visits_per_month: float,
) -> pd.DataFrame:
    """One row per hospital (``hospitals``: :attr:`planner.places.sites.HospitalSites.table`, None
    when the pairing was scored without its hospitals: no names, one site each)."""
    frame = per_pair.assign(district=table["district"].to_numpy())
    # A round trip is out + back; with one direction known, twice that direction.
    round_trip = frame["travel_time_out_s"].fillna(frame["travel_time_back_s"]) + frame[
        "travel_time_back_s"
    ].fillna(frame["travel_time_out_s"])
    frame = frame.assign(round_trip_h=round_trip / 3600.0)
    groups = frame.dropna(subset=["hospital_id"]).groupby("hospital_id", sort=False)
    # each column's own groupby method: the kernels named aggregation calls, without its
    # bookkeeping (a third of a scoring's time, and a run scores about ten pairings)
    times = groups["travel_time_s"]
    agg = pd.DataFrame(
        {
            "units": groups.size(),
            "districts": groups["district"].nunique(),
            "population": groups["population"].sum(),
            "mean_travel_time_s": times.mean(),
            "median_travel_time_s": times.median(),
            "max_travel_time_s": times.max(),
            "round_trip_h": groups["round_trip_h"].sum(),
        }
    )
    names: dict[str, Any] = {}
    site_counts: dict[str, int] = {}
    if hospitals is not None:
        names = dict(zip(hospitals["hospital_id"], hospitals["name"], strict=True))
        site_counts = dict(zip(hospitals["hospital_id"], hospitals["sites"], strict=True))
    ids = list(dict.fromkeys([*hospital_ids, *agg.index.astype(str)]))
    agg = agg.reindex(ids)
    out = pd.DataFrame(
        {
            "hospital_id": ids,
            "hospital_name": [names.get(h) for h in ids],
            "units": agg["units"].fillna(0).astype(int).to_numpy(),
            "districts": agg["districts"].fillna(0).astype(int).to_numpy(),
            "population": agg["population"].fillna(0.0).to_numpy(),
        }
    )
    total = out["population"].sum()
    out["load_share"] = out["population"] / total if total > 0 else math.nan
    out["staff_travel_hours_per_month"] = visits_per_month * agg["round_trip_h"].fillna(
        0.0
    ).to_numpy(float)
    out["mean_travel_time_s"] = agg["mean_travel_time_s"].to_numpy(float)
    out["median_travel_time_s"] = agg["median_travel_time_s"].to_numpy(float)
    out["max_travel_time_s"] = agg["max_travel_time_s"].to_numpy(float)
    out["spread"] = out["max_travel_time_s"] / out["mean_travel_time_s"]
    out["sites"] = [int(site_counts.get(h, 1)) for h in ids]
    return out


def _per_site(per_pair: pd.DataFrame, sites: HospitalSites) -> pd.DataFrame:
    """Per hospital site: the units whose trips use it, their people and mean time."""
    used = per_pair.dropna(subset=["site_id"]).groupby("site_id", sort=False)
    agg = pd.DataFrame(
        {
            "units": used.size(),
            "population": used["population"].sum(),
            "mean_travel_time_s": used["travel_time_s"].mean(),
        }
    ).reindex(list(sites.site_ids))
    out = sites.sites[["site_id", "hospital_id", "site_role", "site_name"]].copy()
    out["units"] = agg["units"].fillna(0).astype(int).to_numpy()
    out["population"] = agg["population"].fillna(0.0).to_numpy(float)
    out["mean_travel_time_s"] = agg["mean_travel_time_s"].to_numpy(float)
    return out


def _hierarchy_consistency(table: pd.DataFrame) -> float | None:
    """Share of communes paired like the district-level unit of their district."""
    table = table.assign(district=table["district"].map(district_key))
    level = table["unit_level"].astype("string")
    heads = table[level == "district"].dropna(subset=["district"])
    if heads.empty:
        return None
    head_hospital = heads.drop_duplicates("district").set_index("district")["hospital_id"]
    communes = table[(level == "commune") & table["district"].isin(head_hospital.index)]
    if communes.empty:
        return None
    mine = communes["hospital_id"].astype(object).fillna("")
    theirs = communes["district"].map(head_hospital).astype(object).fillna("")
    same = (mine.to_numpy() == theirs.to_numpy()) & (mine.to_numpy() != "")
    return float(np.mean(same))


def _against_optimum(table: pd.DataFrame, overall: dict[str, Any], optimum: Any) -> dict:
    """``gap_to_optimal`` (relative) and, when scoring the optimum itself, its solver facts."""
    if optimum is None:
        return {}
    if isinstance(optimum, int | float):
        return {"gap_to_optimal": _relative(overall["pop_weighted_mean_travel_time_s"], optimum)}
    mine = dict(zip(table["unit_id"], table["hospital_id"].astype(object), strict=True))
    theirs = optimum.pairings
    same = len(theirs) == len(mine) and all(
        mine.get(u) == (None if pd.isna(h) else h) or (pd.isna(mine.get(u)) and pd.isna(h))
        for u, h in zip(theirs["unit_id"], theirs["hospital_id"], strict=True)
    )
    if same:
        keys = (
            "objective",
            "objective_value",
            "status",
            "status_text",
            "mip_gap",
            "unreachable_units",
        )
        merged = {k: optimum.scores[k] for k in keys if k in optimum.scores}
        merged.update({k: v for k, v in optimum.scores.items() if k.startswith("gap_vs_")})
        merged["gap_to_optimal"] = optimum.mip_gap
        return merged
    key = (
        "max_travel_time_s"
        if optimum.objective == "max-time"
        else "pop_weighted_mean_travel_time_s"
    )
    return {"gap_to_optimal": _relative(overall[key], optimum.scores.get(key, math.nan))}


def _relative(value: float, reference: float) -> float:
    if reference is None or not np.isfinite(reference) or reference == 0:
        return math.nan
    return float((value - reference) / reference)


def _ratio(high: float, low: float) -> float:
    return float(high / low) if low > 0 else math.inf


def _nanmin_rows(values: np.ndarray) -> np.ndarray:
    finite = np.where(np.isfinite(values), values, np.inf)
    low = finite.min(axis=1, initial=np.inf)
    return np.where(np.isfinite(low), low, np.nan)


def _argmin_labels(values: np.ndarray, labels: Sequence[str]) -> list[str | None]:
    finite = np.where(np.isfinite(values), values, np.inf)
    best = finite.argmin(axis=1) if values.shape[1] else np.zeros(len(values), int)
    return [
        labels[j] if values.shape[1] and np.isfinite(finite[i, j]) else None
        for i, j in enumerate(best)
    ]
