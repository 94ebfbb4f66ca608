"""The pairing problem as arrays, built once from a cost matrix (private to the pairing modules).

Rows are units, gathered into groups (a district group in hierarchical mode, one unit each in
unit mode); columns are hospitals (not their sites: the cost of a pair is that of the site the
``site_rule`` chooses, :func:`planner.pairing.scoring.pair_costs`). Every objective builder (:mod:`planner.pairing._objectives`), the
explanations and the baselines (:mod:`planner.pairing.explain`) read the same :class:`PairingModel`.
"""

from __future__ import annotations

import difflib
import logging
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from planner._vn import district_key
from planner.errors import PlannerInputError, UnreachableWarning
from planner.pairing.costs import PairCosts, pair_costs
from planner.pairing.scoring import population_weights
from planner.places.sites import HospitalSites, hospital_sites
from planner.requests import DEFAULT_REQUEST, DEFAULT_TRIP, PairingRequest, TripRule

log = logging.getLogger(__name__)

PAIRING_COLUMNS = (
    "unit_id",
    "unit_name",
    "unit_level",
    "district",
    "hospital_id",
    "hospital_name",
    "site_id",
    "travel_time_s",
    "distance_m",
    "population",
    "pinned",
    "next_best_hospital_id",
    "switch_cost_s",
)


@dataclass(frozen=True, eq=False)
class ModelInputs:
    """What a model was built from, so that it can be rebuilt on another matrix (the peak)."""

    units: pd.DataFrame
    hospitals: pd.DataFrame
    trip: TripRule
    request: PairingRequest
    pilot: Mapping[str, str]
    specialty_need: pd.DataFrame | None


@dataclass(frozen=True, eq=False)
class PairingModel:
    """The pairing problem as arrays: units (rows), groups, hospitals (columns)."""

    inputs: ModelInputs
    units: pd.DataFrame  # unit_id, unit_name, unit_level, district, population, load
    hospital_ids: list[str]
    hospital_names: list[str]
    costs: PairCosts
    group: np.ndarray  # unit -> group index
    group_labels: list[str]
    weight: np.ndarray  # per unit objective weight (population)
    group_weight: np.ndarray  # per group: weight of its reachable units
    group_load: np.ndarray  # per group load
    share: np.ndarray  # per hospital fair-share fraction
    stranded: np.ndarray  # per unit: no hospital reachable
    active: np.ndarray  # per group: has a unit some hospital reaches
    reachable: np.ndarray  # (G, H): every reachable unit of g reaches h
    gcost: np.ndarray  # (G, H): sum of weight x time over the group's units
    gtime: np.ndarray  # (G, H): sum of time (tie-break)
    gmax: np.ndarray  # (G, H): largest unit time
    pinned: np.ndarray  # per group: pinned hospital index or -1 (the user's pins, then the pilot's)
    pilot: np.ndarray  # per group: the pilot's hospital index or -1 (the pilot baseline's pins)
    pin_text: dict[int, str]
    forbidden: np.ndarray  # (G, H) user-forbidden
    bonus: np.ndarray  # (G, H) specialty need share matched
    # Per column its hospital (loads and balance count hospitals) when the columns are options
    # of hospitals (:mod:`planner.pairing.siting`: a hospital with a set of candidate sites
    # open); None: the columns are the hospitals.
    column_hospital: np.ndarray | None = None

    @property
    def total_weight(self) -> float:
        return float(self.weight[~self.stranded].sum())

    @property
    def hospital_of_column(self) -> np.ndarray:
        """Per column, the position of its hospital in :attr:`share`."""
        if self.column_hospital is None:
            return np.arange(len(self.hospital_ids))
        return self.column_hospital

    def with_matrix(self, matrix: pd.DataFrame) -> PairingModel:
        """The same problem (units, groups, pins, forbidden pairs) on another matrix."""
        i = self.inputs
        return build_model(
            i.units,
            i.hospitals,
            matrix,
            trip=i.trip,
            request=i.request,
            pilot=i.pilot,
            specialty_need=i.specialty_need,
        )

    def allowed(self, max_travel_time_s: float | None, *, pins: bool = True) -> np.ndarray:
        """(G, H): the pairs a solution may use (reachable, not forbidden, fast enough, pinned)."""
        allowed = self.reachable & ~self.forbidden
        if max_travel_time_s is not None:
            allowed &= np.nan_to_num(self.gmax, nan=np.inf) <= max_travel_time_s
        if pins:
            g = np.flatnonzero(self.pinned >= 0)
            keep = np.zeros_like(allowed)
            keep[g, self.pinned[g]] = True
            allowed[g] &= keep[g]
        return allowed

    def nearest_choice(self, pinned: np.ndarray | None = None) -> np.ndarray:
        """Per group the hospital of least population-weighted time; ``pinned`` (a hospital
        index per group, -1 for none) overrides it."""
        rank = np.where(self.reachable, self.gcost + 1e-9 * self.gtime, np.inf)
        choice = np.where(self.active, np.argmin(rank, axis=1), -1)
        if pinned is not None:
            choice = np.where(pinned >= 0, pinned, choice)
        return choice

    def pop_time(self, choice: np.ndarray) -> float:
        """Population-weighted mean travel time (s) of a choice per group."""
        total_w = self.total_weight or 1.0
        return float(np.nansum(self.gcost[choice >= 0, choice[choice >= 0]])) / total_w

    def frame(self, choice: np.ndarray, allowed: np.ndarray, pinned: np.ndarray) -> pd.DataFrame:
        """One row per unit in the contract's column order (next best among ``allowed``;
        ``pinned`` per group, as in :attr:`pinned`, marks the pinned units)."""
        units = self.units
        g = self.group
        h = choice[g]
        rows = np.arange(len(units))
        ok = h >= 0
        hc = np.where(ok, h, 0)
        time = self.costs.time_s
        rank = np.where(allowed, self.gcost + 1e-9 * self.gtime, np.inf)[g]
        rank[rows, hc] = np.inf
        nxt = rank.argmin(axis=1)
        has_next = ok & np.isfinite(rank[rows, nxt])
        ids = np.array(self.hospital_ids, dtype=object)
        names = np.array(self.hospital_names, dtype=object)
        none = np.array(None, dtype=object)
        frame = pd.DataFrame(
            {
                "unit_id": units["unit_id"],
                "unit_name": units["unit_name"],
                "unit_level": units["unit_level"],
                "district": units["district"],
                "hospital_id": pd.array(np.where(ok, ids[hc], none), dtype="string"),
                "hospital_name": np.where(ok, names[hc], none),
                "site_id": np.where(ok, self.costs.site_ids[rows, hc], none),
                "travel_time_s": np.where(ok, time[rows, hc], np.nan),
                "distance_m": np.where(ok, self.costs.distance_m[rows, hc], np.nan),
                "population": units["population"],
                "pinned": pinned[g] >= 0,
                "next_best_hospital_id": pd.array(
                    np.where(has_next, ids[nxt], none), dtype="string"
                ),
                "switch_cost_s": np.where(has_next, time[rows, nxt] - time[rows, hc], np.nan),
            }
        )
        return frame[list(PAIRING_COLUMNS)]

    def group_noun(self, g: int) -> str:
        return "district" if (self.group == g).sum() > 1 else "unit"

    def warn_unreachable(self) -> None:
        """Warn (log and :class:`UnreachableWarning`) about units no hospital reaches."""
        if self.stranded.any():
            ids = self.units["unit_id"][self.stranded].tolist()
            message = (
                f"{len(ids)} unit(s) cannot be reached from any hospital and have no travel "
                f"time: {', '.join(ids[:10])}{' ...' if len(ids) > 10 else ''}"
            )
            log.warning(message)
            warnings.warn(message, UnreachableWarning, stacklevel=3)


def build_model(
    units: pd.DataFrame,
    hospitals: pd.DataFrame,
    matrix: pd.DataFrame,
    *,
    trip: TripRule = DEFAULT_TRIP,
    request: PairingRequest = DEFAULT_REQUEST,
    pilot: Mapping[str, str] | None = None,
    specialty_need: pd.DataFrame | None = None,
) -> PairingModel:
    """Build the pairing model from the facility tables and a long travel-time matrix.

    ``hospitals`` are the regional rows, one per site (:mod:`planner.places.sites`); the trip
    rule says how a pair is timed (:func:`~planner.pairing.costs.pair_costs`), the request
    gives the groups (``hierarchical``), the load, the user's pins and the forbidden pairs;
    ``pilot`` and the request's pins are ``{unit_id: hospital_id}`` naming hospitals, not
    sites; both hold in a solution, the user's pins winning over the pilot's for a group
    they share.
    """
    pilot = dict(pilot or {})
    pins, load, hierarchical = dict(request.pins), request.load, request.hierarchical
    forbidden = request.forbidden
    inputs = ModelInputs(units, hospitals, trip, request, pilot, specialty_need)
    table = _unit_table(units, load)
    sites = hospital_sites(hospitals)
    hosp_ids, hosp_names, share = _hospital_table(sites, load)
    costs = pair_costs(matrix, table["unit_id"], sites, trip=trip)
    n_units, n_hosp = len(table), len(hosp_ids)
    time = costs.time_s
    stranded = ~np.isfinite(time).any(axis=1)
    group, labels = _groups(table, hierarchical)
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
    group_weight = member @ np.where(stranded, 0.0, weight)

    unit_index = pd.Index(table["unit_id"])
    hosp_index = pd.Index(hosp_ids)
    site_of = sites.hospital_of_site
    pilot_at, pilot_text = _pinned_groups(
        table, hosp_names, pilot, "pilot", group, labels, hosp_index, site_of
    )
    user_at, user_text = _pinned_groups(
        table, hosp_names, pins, "pins", group, labels, hosp_index, site_of
    )
    pinned = np.where(user_at >= 0, user_at, pilot_at)
    pin_text = {**pilot_text, **user_text}
    banned = np.zeros((n_groups, n_hosp), dtype=bool)
    for unit_id, hospital_id in forbidden:
        banned[
            group[_locate(unit_index, unit_id, "forbidden", table["unit_name"])],
            _locate(hosp_index, hospital_id, "forbidden", pd.Series(hosp_names), site_of),
        ] = True

    bonus = np.zeros((n_groups, n_hosp))
    if specialty_need is not None:
        bonus = _specialty_bonus(table, sites.table, hosp_ids, specialty_need, member, weight)
    return PairingModel(
        inputs=inputs,
        units=table,
        hospital_ids=hosp_ids,
        hospital_names=hosp_names,
        costs=costs,
        group=group,
        group_labels=labels,
        weight=weight,
        group_weight=group_weight,
        group_load=group_load,
        share=share,
        stranded=stranded,
        active=active,
        reachable=reachable,
        gcost=gcost,
        gtime=gtime,
        gmax=gmax,
        pinned=pinned,
        pilot=pilot_at,
        pin_text=pin_text,
        forbidden=banned,
        bonus=bonus,
    )


def _pinned_groups(
    table: pd.DataFrame,
    hosp_names: list[str],
    pins: Mapping[str, str],
    option: str,
    group: np.ndarray,
    labels: list[str],
    hosp_index: pd.Index,
    site_of: Mapping[str, str],
) -> tuple[np.ndarray, dict[int, str]]:
    """Per group the hospital its pins ask for (-1: none) and the pins in words, per group."""
    unit_index = pd.Index(table["unit_id"])
    at = np.full(len(labels), -1)
    pinned_units: dict[int, list[int]] = {}
    for unit_id, hospital_id in pins.items():
        u = _locate(unit_index, unit_id, option, table["unit_name"])
        h = _locate(hosp_index, hospital_id, option, pd.Series(hosp_names), site_of)
        g = group[u]
        if at[g] >= 0 and at[g] != h:
            raise PlannerInputError(
                f"group {labels[g]!r} is pinned to two hospitals "
                f"({hosp_index[at[g]]} and {hospital_id})",
                field=option,
                hint="pin a district (and its communes) to one hospital only",
            )
        at[g] = h
        pinned_units.setdefault(int(g), []).append(int(u))
    text = {}
    for g, members in pinned_units.items():
        size = int((group == g).sum())
        if size > 1 and len(members) == size:
            who = f"{labels[g]} (all {size} units)"
        else:
            who = str(table["unit_name"].iloc[members[0]])
            who += f" and {len(members) - 1} more" if len(members) > 1 else ""
        text[g] = f"{who} -> {hosp_names[at[g]]}"
    return at, text


def _groups(table: pd.DataFrame, hierarchical: bool) -> tuple[np.ndarray, list[str]]:
    """Group index per unit and the group labels, groups in order of first appearance."""
    if hierarchical:
        # one district however it is spelt ("huyện Ba Vì", "Huyện Ba Vì"); a unit without one
        # is a group of its own
        key = table["district"].map(district_key).where(lambda k: k.notna(), table["unit_id"])
        shown = table["district"].astype(object).where(table["district"].notna(), table["unit_id"])
    else:
        key = shown = table["unit_id"]
    _, group = np.unique(key.map(str).to_numpy(dtype=str), return_inverse=True)
    # Keep groups in order of first appearance, so outputs follow the input's order; a group
    # is labelled by its first unit's spelling.
    first = pd.Series(np.arange(len(table))).groupby(group).min().to_numpy()
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[group], [str(shown.iloc[first[i]]) for i in order]


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
    if load in ("population", "capacity"):
        # capacity: a hospital's people, held to its share of the hospitals' capacity
        table["load"] = population_weights(
            table["unit_level"], table["district"], table["population"]
        )
    else:
        table["load"] = 1.0
    return table


def _capacities(values: pd.Series, *, positive: bool) -> tuple[np.ndarray, np.ndarray]:
    """Capacities as numbers, and which are missing, not numbers or out of range."""
    number = pd.to_numeric(values, errors="coerce").to_numpy(float)
    ok = np.isfinite(number) & ((number > 0) if positive else (number >= 0))
    return number, ~ok


def _rows_text(bad: np.ndarray, ids: pd.Series, noun: str, shown: int = 10) -> str:
    """'2 of 609 units (rows 3, 7: a, b)': the 1-based rows at fault in one message."""
    rows = np.flatnonzero(bad)
    more = f" and {len(rows) - shown} more" if len(rows) > shown else ""
    listed = ", ".join(str(r + 1) for r in rows[:shown])
    names = ", ".join(str(ids.iloc[r]) for r in rows[:shown])
    where = "row" if len(rows) == 1 else "rows"
    return f"{len(rows)} of {len(bad)} {noun} ({where} {listed}{more}: {names})"


def _hospital_table(
    sites: HospitalSites, load: str = "population"
) -> tuple[list[str], list[str], np.ndarray]:
    """The hospitals' ids, names and fair-share fractions (a hospital's capacity is the sum of
    its sites'); ``load="capacity"`` needs every hospital's capacity."""
    ids = list(sites.hospital_ids)
    names = [str(n) for n in sites.table["name"]]
    if load == "capacity":
        _, bad = _capacities(sites.table["capacity"], positive=True)
        if bad.any():
            missing = ", ".join(f"{ids[i]} ({names[i]})" for i in np.flatnonzero(bad))
            raise PlannerInputError(
                f"load='capacity' holds each hospital to its share of the hospitals' capacity, "
                f"so every hospital needs one (a number > 0, the sum over its sites); "
                f"{int(bad.sum())} of {len(ids)} hospitals have none: {missing}",
                field="capacity",
                hint="give their figures in a capacity file (--capacity FILE: hospital_id, "
                "capacity, measure, source; the Hanoi figures found with a source are in "
                "geodata/hospital_capacity.csv), or a capacity column on the hospitals' rows "
                "of --facilities; or use --load population",
            )
    return ids, names, fair_shares(sites)


def fair_shares(sites: HospitalSites) -> np.ndarray:
    """Each hospital's fraction of the total load, in the order of ``sites.hospital_ids``:
    equal, or following the hospitals' capacity when every hospital has one."""
    table = sites.table
    ids = list(sites.hospital_ids)
    share = np.full(len(ids), 1.0 / len(ids))
    # Fair shares follow the hospitals' capacity when every hospital has one; a column left
    # empty means equal shares; a partly filled or invalid one is an error, never a guess.
    if sites.sites["capacity"].notna().any():
        cap, bad = _capacities(table["capacity"], positive=True)
        if bad.any():
            raise PlannerInputError(
                "fair shares follow the hospitals' capacity only when every hospital has one, "
                f"a number > 0 (the sum over its sites); "
                f"{_rows_text(bad, pd.Series(ids), 'hospitals')} have none or an invalid one",
                row=int(np.flatnonzero(bad)[0]) + 1 if bad.sum() == 1 else None,
                field="capacity",
                hint="fill in every hospital site's capacity, or leave the column empty for "
                "equal shares",
            )
        share = cap / cap.sum()
    return share


def _locate(
    index: pd.Index,
    value: str,
    option: str,
    names: pd.Series,
    site_of: Mapping[str, str] | None = None,
) -> int:
    """Position of an id among the units or hospitals; an unknown id lists the valid ones, and
    the site of a hospital names its hospital."""
    where = index.get_indexer([str(value)])[0]
    if where < 0 and site_of and str(value) in site_of:
        hospital = site_of[str(value)]
        raise PlannerInputError(
            f"{value!r} is a site of hospital {hospital!r}, not a hospital",
            field=option,
            hint=f"name the hospital ({hospital}): units pair with hospitals, and the site a "
            "pair's trips use follows the site rule (site_rule='nearest' or 'main')",
        )
    if where < 0:
        raise PlannerInputError(
            f"unknown id {value!r}",
            field=option,
            hint=_valid_ids_hint(index, names, str(value), option),
        )
    return int(where)


def _valid_ids_hint(index: pd.Index, names: pd.Series, value: str, option: str) -> str:
    """The valid ids: all of them when few (the hospitals), else the closest few."""
    ids = [str(i) for i in index]
    label = dict(zip(ids, names.astype(str), strict=True))
    if len(ids) <= 12:
        listed = ids
        lead = "valid ids"
    else:
        listed = difflib.get_close_matches(value, ids, n=5, cutoff=0.5) or ids[:5]
        lead = f"{len(ids)} valid ids, the closest"
    shown = ", ".join(f"{i} ({label[i]})" for i in listed)
    fix = "; or run with --no-pilot (pilot=None)" if option == "pilot" else ""
    return f"{lead}: {shown} (check the scheme){fix}"


def _specialty_bonus(
    table: pd.DataFrame,
    hospitals: pd.DataFrame,
    hosp_ids: list[str],
    need: pd.DataFrame,
    member: sp.csr_matrix,
    weight: np.ndarray,
) -> np.ndarray:
    """Per (group, hospital): the group's share of the need for the hospital's specialty
    (``hospitals``: one row per hospital, :attr:`planner.places.sites.HospitalSites.table`)."""
    for column in ("district", "specialty", "need"):
        if column not in need.columns:
            raise PlannerInputError(
                f"the specialty need table has no {column} column",
                field=column,
                hint="give columns district, specialty, need",
            )
    if hospitals["specialty"].isna().all():  # one row per hospital, NaN where not given
        raise PlannerInputError(
            "the hospitals have no specialty",
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
