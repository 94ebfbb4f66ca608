"""Open candidate sites and pair, together and optimally: which new sites to open.

A *candidate* is a possible new site of an existing regional hospital (``facility_id``,
``name``, ``hospital_id`` naming the hospital that would run it, ``lat``, ``lon``; optional
``capacity``). :func:`propose_with_candidates` decides which ``k`` candidates to open together
with the pairing in one MILP (:mod:`planner.pairing._siting`), under the same balance, pins,
pilot, site rule and max time as :func:`planner.pairing.propose.propose_pairings`, and returns a
frozen :class:`SitingResult`: the proposal on the network with the opened sites (a
:class:`~planner.pairing.propose.PairingResult`), which candidates opened, and per candidate the
objective with it alone opened and its gain against the network without candidates (minutes of
population-weighted mean travel time, people within 60 minutes). A range of ``k`` gives the
"what each extra site buys" table (:attr:`SitingResult.by_k`).

Rules, stated:

* exactly ``k`` candidates open (opening a site never lengthens a pair's time, so "at most
  ``k``" has the same optimum, and "exactly" names ``k`` sites);
* site rule ``"nearest"`` only: a pair's time is that of the hospital's fastest *open* site,
  modelled exactly; with ``"main"`` a candidate changes no time, which is an error;
* objectives ``pop-time`` and ``max-time`` (lexicographic, as in a plain run); ``balanced``
  divides by the time of the nearest hospitals, which opening a site changes, so its values for
  different sets of sites are not comparable: an error;
* a candidate's ``capacity`` does not move the hospitals' fair shares (they would then depend
  on which sites open, which a linear model cannot state): a hospital's share is that of its
  existing sites.

The matrix must hold the trips between the units and every site, candidates included
(:func:`planner.travel.matrix.pair_travel_times` on the hospitals and the candidate sites, e.g.
with :func:`candidate_sites`).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from planner.errors import ApproximateLocationWarning, InfeasibleError, PlannerInputError
from planner.pairing._siting import (
    MAX_PER_HOSPITAL,
    Joint,
    JointModel,
    build_joint,
    hospital_choice,
    opened_model,
    solve_joint,
    with_sites,
)
from planner.pairing.propose import PairingResult, pairing_result
from planner.places.sites import hospital_of, hospital_sites
from planner.requests import PairingRequest, TripRule, requests_from

if TYPE_CHECKING:
    import geopandas as gpd

log = logging.getLogger(__name__)

#: Columns of ``siting.csv`` (:meth:`SitingResult.table`).
SITING_COLUMNS = (
    "facility_id",
    "hospital_id",
    "opened",
    "objective_alone_s",
    "gain_min",
    "gain_people_60",
)
#: Columns of ``siting_by_k.csv`` (:attr:`SitingResult.by_k`).
BY_K_COLUMNS = ("k", "opened", "objective_value", "mean_min", "people_within_60")
#: Columns of :attr:`SitingResult.candidates` (``siting.csv``'s, and the name and place).
_CANDIDATE_COLUMNS = (*SITING_COLUMNS[:1], "name", *SITING_COLUMNS[1:], "lat", "lon")


@dataclass(frozen=True, eq=False)
class SitingFigures:
    """What a growth run says of its candidates: what the report and the map show, and what
    ``scores.json`` keeps (``"siting"``) so a report rebuilt from the folder says it too.

    Attributes
    ----------
    k, opened, candidates, by_k, baseline
        As for :class:`SitingResult`.

    Examples
    --------
    >>> figures = propose_with_candidates(*_toy(), k=1, sensitivity=False).figures
    >>> again = SitingFigures.from_dict(figures.to_dict())
    >>> again.opened, again.candidates["name"].tolist(), again.baseline == figures.baseline
    (('c2',), ['West', 'North'], True)
    """

    k: int
    opened: tuple[str, ...]
    candidates: pd.DataFrame
    by_k: pd.DataFrame
    baseline: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (NaN -> None): ``k``, ``opened``, ``baseline``, ``candidates`` and
        ``by_k`` as records."""
        from planner._json import json_safe

        return json_safe(
            {
                "k": self.k,
                "opened": list(self.opened),
                "baseline": dict(self.baseline),
                "candidates": self.candidates[list(_CANDIDATE_COLUMNS)].to_dict("records"),
                "by_k": self.by_k[list(BY_K_COLUMNS)].to_dict("records"),
            }
        )

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> SitingFigures:
        """Read back what :meth:`to_dict` wrote (``scores.json``'s ``"siting"``).

        Raises
        ------
        PlannerInputError
            A key or a column missing (the message names it).
        """
        try:
            candidates = pd.DataFrame(list(doc["candidates"]), columns=list(_CANDIDATE_COLUMNS))
            numbers = ["objective_alone_s", "gain_min", "gain_people_60", "lat", "lon"]
            candidates[numbers] = candidates[numbers].apply(pd.to_numeric)
            candidates["opened"] = candidates["opened"].astype(bool)
            by_k = pd.DataFrame(list(doc["by_k"]), columns=list(BY_K_COLUMNS))
            by_k[list(BY_K_COLUMNS[2:])] = by_k[list(BY_K_COLUMNS[2:])].apply(pd.to_numeric)
            return cls(
                k=int(doc["k"]),
                opened=tuple(str(c) for c in doc["opened"]),
                candidates=candidates,
                by_k=by_k,
                baseline={
                    key: math.nan if value is None else float(value)
                    for key, value in doc["baseline"].items()
                },
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise PlannerInputError(
                f"the siting record is incomplete ({exc})",
                field="siting",
                hint="re-run `planner propose --candidates FILE --open K` to rewrite scores.json",
            ) from None


@dataclass(frozen=True, eq=False)
class SitingResult:
    """Which candidate sites to open, and the pairing with them.

    Attributes
    ----------
    proposal
        The pairing on the network with the opened sites (every table and score of a plain
        run; ``objective_value`` is the joint optimum).
    k
        How many candidates were opened (the last of a range).
    opened
        The ``facility_id`` of the opened candidates, in the candidates' order.
    hospitals
        The hospital sites of the proposal: the existing ones, then the opened candidates.
    candidates
        One row per candidate: ``facility_id``, ``name``, ``hospital_id``, ``opened``,
        ``objective_alone_s`` (the objective with that candidate alone opened; NaN if no
        pairing meets the constraints then), ``gain_min`` (how many minutes of
        population-weighted mean travel time it saves, alone, against no candidate) and
        ``gain_people_60`` (how many more people it brings within 60 minutes of their pair);
        ``lat``, ``lon`` (where it is, for the map and the GeoPackage).
    by_k
        One row per ``k`` asked for (:data:`BY_K_COLUMNS`): the candidates opened
        (``;``-separated), the objective, the mean travel time in minutes and the people within
        60 minutes.
    baseline
        The same figures without any candidate: ``objective_value``, ``mean_min``,
        ``people_within_60`` (NaN when no pairing meets the constraints without one).

    Examples
    --------
    >>> result = propose_with_candidates(*_toy(), k=1, sensitivity=False)
    >>> result.opened, result.table()["opened"].tolist()
    (('c2',), [False, True])
    """

    proposal: PairingResult
    k: int
    opened: tuple[str, ...]
    hospitals: pd.DataFrame
    candidates: pd.DataFrame
    by_k: pd.DataFrame
    baseline: dict[str, float]

    @property
    def objective_value(self) -> float:
        """The joint optimum (the proposal's objective value)."""
        return self.proposal.objective_value

    def table(self) -> pd.DataFrame:
        """The ``siting.csv`` table: :data:`SITING_COLUMNS`, one row per candidate."""
        return self.candidates[list(SITING_COLUMNS)].copy()

    @property
    def figures(self) -> SitingFigures:
        """What the report, the map and ``scores.json`` say of the candidates."""
        return SitingFigures(self.k, self.opened, self.candidates, self.by_k, self.baseline)


def candidate_sites(hospitals: pd.DataFrame, candidates: pd.DataFrame) -> pd.DataFrame:
    """Return the candidates as site rows of their hospitals, checked.

    Parameters
    ----------
    hospitals
        The regional rows, one per existing site (``facility_id``, ``name``; ``hospital_id``
        for a hospital of several sites).
    candidates
        ``facility_id``, ``hospital_id``, ``lat``, ``lon``; ``name`` (the site's own name,
        default its id) and ``capacity`` optional.

    Returns
    -------
    pandas.DataFrame
        One row per candidate in the facility contract of a site: ``facility_id``, ``name``
        and ``specialty`` (the hospital's), ``level`` (``regional``), ``capacity`` (0 when the
        hospitals carry capacities, so the fair shares stay theirs; else NaN), ``lat``,
        ``lon``, ``hospital_id``, ``site_role`` (``site``), ``site_name`` (the candidate's
        name) and ``candidate_capacity`` (as given).

    Raises
    ------
    PlannerInputError
        A column missing, a ``hospital_id`` that names no hospital, a ``facility_id`` twice or
        already a site's, more than :data:`~planner.pairing._siting.MAX_PER_HOSPITAL`
        candidates of one hospital (the message names the row and the field).

    Examples
    --------
    >>> hospitals = pd.DataFrame({"facility_id": ["h1"], "name": ["H1"]})
    >>> sites = candidate_sites(hospitals, pd.DataFrame({"facility_id": ["c1"],
    ...     "name": ["North"], "hospital_id": ["h1"], "lat": [21.0], "lon": [105.8]}))
    >>> sites[["facility_id", "name", "hospital_id", "site_role", "site_name"]].values.tolist()
    [['c1', 'H1', 'h1', 'site', 'North']]
    >>> candidate_sites(hospitals, sites)["site_name"].tolist()  # its own rows: kept
    ['North']
    >>> candidate_sites(hospitals, pd.DataFrame({"facility_id": ["c1"], "hospital_id": ["h9"],
    ...     "lat": [21.0], "lon": [105.8]}))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    planner.errors.PlannerInputError: row 1, field hospital_id: ... names no hospital...
    """
    for column in ("facility_id", "hospital_id", "lat", "lon"):
        if column not in candidates.columns:
            raise PlannerInputError(
                f"the candidate sites have no {column} column",
                field=column,
                hint="give facility_id, name, hospital_id (the hospital that would run the "
                "site), lat, lon and optionally capacity",
            )
    sites = hospital_sites(hospitals)
    table = sites.table.set_index("hospital_id")
    frame = pd.DataFrame(candidates).reset_index(drop=True)
    ids = frame["facility_id"].astype(str)
    owner = frame["hospital_id"].astype(object)
    taken = set(sites.site_ids) | set(hospital_of(pd.DataFrame(hospitals)))
    for i, (fid, hid) in enumerate(zip(ids, owner, strict=True)):
        if pd.isna(hid) or str(hid) not in table.index:
            valid = ", ".join(f"{h} ({table.loc[h, 'name']})" for h in table.index)
            raise PlannerInputError(
                f"candidate {fid!r}: hospital_id {hid!r} names no hospital",
                row=i + 1,
                field="hospital_id",
                hint=f"name the regional hospital that would run the site: {valid}",
            )
        if fid in taken or (ids.iloc[:i] == fid).any():
            raise PlannerInputError(
                f"candidate id {fid!r} is already a site's or another candidate's",
                row=i + 1,
                field="facility_id",
                hint="give every candidate a facility_id of its own",
            )
    counts = owner.astype(str).value_counts()
    if len(counts) and counts.max() > MAX_PER_HOSPITAL:
        hid = str(counts.index[0])
        raise PlannerInputError(
            f"hospital {hid!r} has {counts.max()} candidate sites; at most "
            f"{MAX_PER_HOSPITAL} per hospital",
            row=int(np.flatnonzero((owner.astype(str) == hid).to_numpy())[MAX_PER_HOSPITAL]) + 1,
            field="hospital_id",
            hint="keep the most promising candidates of each hospital",
        )
    # this function's own rows again (a caller that checked them first) keep their site's
    # name and capacity: their ``name`` and ``capacity`` are the hospital's by then
    own = "candidate_capacity" in frame.columns and "site_name" in frame.columns
    given = frame["capacity"] if "capacity" in frame.columns else pd.Series(np.nan, frame.index)
    capacity = 0.0 if sites.sites["capacity"].notna().any() else np.nan
    names = frame["name"] if "name" in frame.columns else ids
    if own:
        given, names = frame["candidate_capacity"], frame["site_name"]
    hospital = owner.astype(str)
    return pd.DataFrame(
        {
            "facility_id": ids,
            "name": hospital.map(table["name"]),
            "level": "regional",
            "specialty": hospital.map(table["specialty"]),
            "capacity": capacity,
            "lat": pd.to_numeric(frame["lat"], errors="coerce"),
            "lon": pd.to_numeric(frame["lon"], errors="coerce"),
            "hospital_id": hospital,
            "site_role": "site",
            "site_name": names.astype(object).where(names.notna(), ids),
            "candidate_capacity": pd.to_numeric(given, errors="coerce"),
        }
    )


def propose_with_candidates(
    units: pd.DataFrame,
    hospitals: pd.DataFrame,
    candidates: pd.DataFrame,
    matrix: pd.DataFrame,
    request: PairingRequest | None = None,
    *,
    k: int | Sequence[int] = 1,
    trip: TripRule | None = None,
    pilot: Mapping[str, str] | None = None,
    specialty_need: pd.DataFrame | None = None,
    matrix_peak: pd.DataFrame | None = None,
    sensitivity: bool = True,
    **changes: Any,
) -> SitingResult:
    """Decide which ``k`` candidate sites to open together with the pairing, optimally.

    Parameters
    ----------
    units, hospitals
        As for :func:`planner.pairing.propose.propose_pairings` (``hospitals``: the existing
        sites).
    candidates
        The candidate sites (see :func:`candidate_sites`).
    matrix
        Long travel-time matrix between the units and every site, the candidates' included.
    k
        How many candidates to open; a sequence (e.g. ``range(1, 4)``) solves for each and
        returns the proposal of the last, with :attr:`SitingResult.by_k` for all.
    request, trip, pilot, specialty_need, matrix_peak, sensitivity, **changes
        As for :func:`planner.pairing.propose.propose_pairings` (``matrix_peak`` holds the
        candidates' trips too). The objective is ``"pop-time"`` or ``"max-time"``
        (``"balanced"`` is refused: see the module docstring); the trip's site rule is
        ``"nearest"`` (the only rule under which a candidate changes a time).

    Returns
    -------
    SitingResult

    Raises
    ------
    PlannerInputError
        A bad candidate table, ``k`` out of range, site rule ``"main"``, objective
        ``"balanced"``, or any error of a plain run.
    InfeasibleError
        No pairing meets the constraints even with every candidate open, or with ``k`` of them.

    Examples
    --------
    Two units, one hospital far from the second unit; a candidate site near it opens:

    >>> units, hospitals, candidates, matrix = _toy()
    >>> result = propose_with_candidates(units, hospitals, candidates, matrix, k=[0, 1, 2],
    ...                                  balance=None, sensitivity=False)
    >>> result.by_k[["k", "opened", "objective_value"]].values.tolist()
    [[0, '', 1100.0], [1, 'c2', 650.0], [2, 'c1;c2', 650.0]]
    >>> result.table()[["facility_id", "objective_alone_s", "gain_min"]].values.tolist()
    [['c1', 1100.0, 0.0], ['c2', 650.0, 7.5]]
    """
    ks = [int(k)] if isinstance(k, int | np.integer) else [int(v) for v in k]
    trip, request = requests_from(
        changes, trip=trip, request=request, caller="propose_with_candidates"
    )
    site_rule, objective = trip.site_rule, request.objective
    if site_rule != "nearest":
        raise PlannerInputError(
            f"with site rule {site_rule!r} every trip uses a hospital's main site, so a new site "
            "changes no travel time",
            field="site_rule",
            hint="plan candidate sites with site_rule='nearest' (each pair uses the hospital's "
            "fastest open site)",
        )
    if objective == "balanced":
        raise PlannerInputError(
            "the balanced objective divides by the nearest hospitals' time, which opening a "
            "site changes, so its values for different sets of sites cannot be compared",
            field="objective",
            hint="use objective 'pop-time' or 'max-time' with candidate sites (the balance "
            "constraint holds as usual)",
        )
    sites = candidate_sites(hospitals, candidates)
    if not ks or min(ks) < 0 or max(ks) > len(sites):
        raise PlannerInputError(
            f"cannot open {ks} of {len(sites)} candidate site(s)",
            field="open",
            hint=f"give a number of sites to open between 0 and {len(sites)}",
        )
    build = {"trip": trip, "request": request, "pilot": pilot, "specialty_need": specialty_need}
    joint = build_joint(units, hospitals, sites, matrix, build)
    joint.model.warn_unreachable()
    if specialty_need is None:  # no need, no bonus
        request = dataclasses.replace(request, specialty_weight_s=0.0)
    ids = sites["facility_id"].tolist()
    runs = [solve_joint(joint, request, k=v) for v in ks]
    none = _open_exactly(joint, request, ())
    alone = [_open_exactly(joint, request, (c,)) for c in range(len(ids))]
    last = runs[-1]
    chosen = with_sites(hospitals, sites.iloc[list(last.opened)].drop(columns="candidate_capacity"))
    model = opened_model(joint, last.opened, chosen)
    proposal = pairing_result(
        model,
        hospital_choice(joint, last.solution),
        request,
        matrix=matrix,
        matrix_peak=matrix_peak,
        sensitivity=sensitivity,
    )
    log.info("opened %s of %d candidate site(s)", [ids[c] for c in last.opened], len(ids))
    return SitingResult(
        proposal=proposal,
        k=ks[-1],
        opened=tuple(ids[c] for c in last.opened),
        hospitals=chosen,
        candidates=_candidate_table(sites, last, none, alone),
        by_k=pd.DataFrame(
            [
                _figures(run, ";".join(ids[c] for c in run.opened), v)
                for v, run in zip(ks, runs, strict=True)
            ],
            columns=list(BY_K_COLUMNS),
        ),
        baseline={
            key: float(value)  # type: ignore[arg-type]
            for key, value in _figures(none, "", 0).items()
            if key not in ("k", "opened")
        },
    )


def _open_exactly(
    joint: JointModel, request: PairingRequest, opened: tuple[int, ...]
) -> Joint | None:
    """The joint solve with those candidates open, or None when no pairing meets the
    constraints with them."""
    try:
        return solve_joint(joint, request, exactly=opened)
    except InfeasibleError:
        return None


def _figures(run: Joint | None, opened: str, k: int) -> dict[str, object]:
    nan = math.nan
    return {
        "k": k,
        "opened": opened,
        "objective_value": run.solution.objective_value if run else nan,
        "mean_min": run.mean_s / 60.0 if run else nan,
        "people_within_60": run.people_within if run else nan,
    }


def _candidate_table(
    sites: pd.DataFrame, last: Joint, none: Joint | None, alone: list[Joint | None]
) -> pd.DataFrame:
    nan = math.nan

    def gain(run: Joint | None, get: Callable[[Joint], float]) -> float:
        return get(none) - get(run) if run is not None and none is not None else nan

    return pd.DataFrame(
        {
            "facility_id": sites["facility_id"],
            "name": sites["site_name"],
            "hospital_id": sites["hospital_id"],
            "opened": [c in last.opened for c in range(len(sites))],
            "objective_alone_s": [r.solution.objective_value if r else nan for r in alone],
            "gain_min": [gain(r, lambda j: j.mean_s) / 60.0 for r in alone],
            "gain_people_60": [gain(r, lambda j: -j.people_within) for r in alone],
            "lat": sites["lat"].astype(float),
            "lon": sites["lon"].astype(float),
        }
    )


def facilities_with_sites(facilities: pd.DataFrame, sites: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return a facility table with candidate sites added as sites of their hospitals.

    Parameters
    ----------
    facilities
        The facility table (the facility contract, e.g. the Hanoi registry).
    sites
        Candidate site rows from :func:`candidate_sites` (e.g. the opened ones).

    Returns
    -------
    geopandas.GeoDataFrame
        The facilities and then the sites, validated as one facility table (the units'
        approximate-location warning is not repeated: it was said when they were loaded).

    Examples
    --------
    >>> units, hospitals, candidates, _ = _toy()
    >>> table = facilities_with_sites(hospitals.assign(level="regional"),
    ...                               candidate_sites(hospitals, candidates[:1]))
    >>> table[["facility_id", "hospital_id", "site_role"]].values.tolist()
    [['h1', 'h1', 'main'], ['c1', 'h1', 'site']]
    """
    from planner.places.facilities import validate_facilities

    rows = sites.drop(columns="candidate_capacity", errors="ignore")
    frame = pd.concat([pd.DataFrame(facilities).drop(columns="geometry", errors="ignore"), rows])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximateLocationWarning)
        return validate_facilities(frame.reset_index(drop=True))


def _toy() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Two units, one hospital and two candidates (for the examples)."""
    units = pd.DataFrame({"facility_id": ["u1", "u2"], "name": ["U1", "U2"], "level": "district",
                          "district": ["D1", "D2"], "population": [100.0, 100.0]})  # fmt: skip
    hospitals = pd.DataFrame({"facility_id": ["h1"], "name": ["H1"], "lat": 21.0, "lon": 105.8})
    candidates = pd.DataFrame({"facility_id": ["c1", "c2"], "name": ["West", "North"],
                               "hospital_id": "h1", "lat": 21.1, "lon": 105.9})  # fmt: skip
    out = pd.DataFrame({"origin_id": ["h1", "h1", "c1", "c1", "c2", "c2"],
                        "destination_id": ["u1", "u2"] * 3,
                        "travel_time_s": [600.0, 1600.0, 900.0, 1700.0, 1200.0, 700.0]})  # fmt: skip
    back = out.assign(origin_id=out["destination_id"], destination_id=out["origin_id"])
    return units, hospitals, candidates, pd.concat([out, back], ignore_index=True)


__all__ = [
    "BY_K_COLUMNS",
    "SITING_COLUMNS",
    "SitingFigures",
    "SitingResult",
    "candidate_sites",
    "facilities_with_sites",
    "propose_with_candidates",
]
