"""The joint siting and pairing model: which candidate sites open, and who pairs with whom
(private to :mod:`planner.pairing.siting`).

A candidate is a new site of an existing hospital. With the ``"nearest"`` site rule a unit's
time to a hospital is that of the hospital's fastest *open* site, so the cost of a pair depends
on which of that hospital's candidates are open. The model is exact for any set of open sites:
its columns are *options* ``(hospital h, set S of h's candidates open)``, each costed by
:func:`planner.pairing._model.build_model` on the network with ``h``'s sites plus ``S`` (every
unit of a group then takes its own fastest site, as in a plain run). One binary ``w[h, S]`` per
option of a hospital with candidates says which set is open (one per hospital), a group may use
an option only if it is open (``x[g, (h, S)] <= w[h, S]``), and ``y_c = sum_{S contains c} w[h, S]``
counts the open candidates (``sum_c y_c = K``, or each ``y_c`` fixed). Loads and balance count
hospitals (:attr:`PairingModel.column_hospital`); the objectives are those of
:mod:`planner.pairing._objectives`, the same builders, with these rows and columns added.

The sets are enumerated per hospital (``2^n`` options for ``n`` candidates of one hospital), so
a hospital may have at most :data:`MAX_PER_HOSPITAL` candidates; the columns of every option come
from ``2^max(n)`` model builds (the ``l``-th build opens the ``l``-th set of every hospital, or
all its candidates when it has fewer sets: the last build opens every candidate).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from planner.errors import InfeasibleError, PlannerInputError
from planner.pairing._model import PairingModel, build_model
from planner.pairing._objectives import (
    Milp,
    Solution,
    check_request,
    solve,
    solve_request,
)
from planner.pairing.costs import PairCosts
from planner.requests import PairingRequest

#: Candidates one hospital may have (its options are every subset of them).
MAX_PER_HOSPITAL = 6
#: The threshold of the "people within" figure, s (the issue's 60 minutes).
WITHIN_S = 3600.0


@dataclass(frozen=True, eq=False)
class JointModel:
    """The option model, the network with every candidate open, and what each option opens."""

    model: PairingModel  # one column per option
    plain: PairingModel  # the hospitals without candidates
    every_open: PairingModel  # the hospitals with all their candidates (diagnosis)
    option_hospital: np.ndarray  # per option its hospital
    option_open: list[tuple[int, ...]]  # per option the candidates it opens (positions)
    n_candidates: int


@dataclass(frozen=True)
class Joint:
    """One joint solve: the option per group, the candidates opened, and the figures."""

    solution: Solution
    opened: tuple[int, ...]
    mean_s: float  # population-weighted mean travel time
    people_within: float  # population within the threshold of its pair


def with_sites(hospitals: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    """The hospital sites plus candidate site rows (in the hospital table's own type)."""
    frame = pd.concat([pd.DataFrame(hospitals), sites], ignore_index=True)
    if "geometry" in getattr(hospitals, "columns", ()) and len(sites):
        import geopandas as gpd

        points = gpd.points_from_xy(frame["lon"], frame["lat"], crs="EPSG:4326")
        return gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=points, crs="EPSG:4326")
    return frame


def build_joint(
    units: pd.DataFrame,
    hospitals: pd.DataFrame,
    sites: pd.DataFrame,
    matrix: pd.DataFrame,
    build: dict[str, Any],
) -> JointModel:
    """The option model of :mod:`planner.pairing._siting` (``sites``: the candidates as hospital
    site rows, each with its ``hospital_id``; ``build``: the keywords of ``build_model``)."""
    plain = build_model(units, hospitals, matrix, **build)
    owner = pd.Index(plain.hospital_ids).get_indexer(sites["hospital_id"].astype(str))
    per_h = [np.flatnonzero(owner == h) for h in range(len(plain.hospital_ids))]
    n_layers = max(2 ** len(c) for c in per_h)

    def opened(h: int, mask: int) -> tuple[int, ...]:
        return tuple(int(c) for j, c in enumerate(per_h[h]) if mask >> j & 1)

    layers = [plain]
    for layer in range(1, n_layers):
        rows = [c for h in range(len(per_h)) for c in opened(h, min(layer, 2 ** len(per_h[h]) - 1))]
        layers.append(build_model(units, with_sites(hospitals, sites.iloc[rows]), matrix, **build))
    for built in layers:
        moved = built.stranded != plain.stranded
        if moved.any():
            ids = ", ".join(plain.units["unit_id"][moved].head(5))
            raise PlannerInputError(
                f"unit(s) {ids} are reached only through a candidate site",
                field="hospital_id",
                hint="check the units' and the candidates' positions on the roads: the "
                "existing network must reach every unit the candidates reach",
            )
    options = [(h, mask) for h in range(len(per_h)) for mask in range(2 ** len(per_h[h]))]
    hosp = np.array([h for h, _ in options], dtype=int)
    layer_of = np.array([mask for _, mask in options], dtype=int)

    def take(get: Callable[[PairingModel], np.ndarray]) -> np.ndarray:
        return np.stack([get(layers[m])[:, h] for h, m in options], axis=1)

    costs = PairCosts(
        unit_ids=plain.costs.unit_ids,
        hospital_ids=tuple(f"{plain.hospital_ids[h]}+{m}" for h, m in options),
        out_s=take(lambda m: m.costs.out_s),
        back_s=take(lambda m: m.costs.back_s),
        time_s=take(lambda m: m.costs.time_s),
        distance_m=take(lambda m: m.costs.distance_m),
        site_ids=take(lambda m: m.costs.site_ids),
        trip=plain.costs.trip,
    )
    # Pins name hospitals: a pinned group may use any option of its hospital, none other.
    forbidden = plain.forbidden[:, hosp].copy()
    pinned = np.flatnonzero(plain.pinned >= 0)
    forbidden[pinned] |= hosp[None, :] != plain.pinned[pinned, None]
    model = dataclasses.replace(
        plain,
        hospital_ids=list(costs.hospital_ids),
        hospital_names=[plain.hospital_names[h] for h in hosp],
        costs=costs,
        reachable=take(lambda m: m.reachable),
        gcost=take(lambda m: m.gcost),
        gtime=take(lambda m: m.gtime),
        gmax=take(lambda m: m.gmax),
        pinned=np.full(len(plain.group_labels), -1),
        pilot=np.full(len(plain.group_labels), -1),
        pin_text={},
        forbidden=forbidden,
        bonus=plain.bonus[:, hosp],
        column_hospital=hosp,
    )
    return JointModel(
        model=model,
        plain=plain,
        every_open=layers[-1],
        option_hospital=hosp,
        option_open=[opened(h, m) for h, m in zip(hosp, layer_of, strict=True)],
        n_candidates=len(sites),
    )


def solve_joint(
    joint: JointModel,
    request: PairingRequest,
    *,
    k: int | None = None,
    exactly: Collection[int] = (),
) -> Joint:
    """Open ``k`` candidates (or ``exactly`` those, when ``k`` is None) and pair, optimally."""
    model = joint.model
    check_request(joint.every_open, joint.every_open.allowed(request.max_travel_time_s), request)

    def checked(problem: Milp) -> Solution:
        solution = solve(
            model, _with_sites(joint, problem, k, exactly), time_limit_s=request.time_limit_s
        )
        if solution.status == "infeasible":
            what = f"{k} candidate site(s)" if k is not None else "the candidate sites given"
            raise InfeasibleError(
                "constraints",
                f"no pairing with {what} open meets the pins, forbidden pairs, balance and max "
                "time together",
            )
        return solution

    solution = solve_request(model, model.allowed(request.max_travel_time_s), request, checked)
    assert solution.values is not None
    n_w = len(_flexible(joint))
    w = solution.values[len(solution.values) - n_w :] > 0.5
    opened = sorted(
        {c for o, on in zip(_flexible(joint), w, strict=True) if on for c in joint.option_open[o]}
    )
    choice = solution.choice
    time = model.costs.time_s
    rows = np.arange(len(model.units))
    own = choice[model.group]
    t = np.where(own >= 0, time[rows, np.where(own >= 0, own, 0)], np.nan)
    within = (~model.stranded) & (np.nan_to_num(t, nan=np.inf) <= WITHIN_S)
    return Joint(
        solution=solution,
        opened=tuple(opened),
        mean_s=model.pop_time(choice),
        people_within=float(model.weight[within].sum()),
    )


def opened_model(
    joint: JointModel, opened: tuple[int, ...], hospitals: pd.DataFrame
) -> PairingModel:
    """The plain model (a column per hospital) of the network with the ``opened`` candidates
    (``hospitals``: its site rows), taken from the option model's columns."""
    options = [
        o for o, on in enumerate(joint.option_open) if set(on) == set(opened) & set(_own(joint, o))
    ]
    plain = joint.plain
    model = joint.model
    return dataclasses.replace(
        plain,
        inputs=dataclasses.replace(plain.inputs, hospitals=hospitals),
        costs=dataclasses.replace(
            model.costs,
            hospital_ids=plain.costs.hospital_ids,
            out_s=model.costs.out_s[:, options],
            back_s=model.costs.back_s[:, options],
            time_s=model.costs.time_s[:, options],
            distance_m=model.costs.distance_m[:, options],
            site_ids=model.costs.site_ids[:, options],
        ),
        reachable=model.reachable[:, options],
        gcost=model.gcost[:, options],
        gtime=model.gtime[:, options],
        gmax=model.gmax[:, options],
    )


def _own(joint: JointModel, option: int) -> tuple[int, ...]:
    """The candidates of an option's hospital (those of its option with every one open)."""
    h = joint.option_hospital[option]
    return max((joint.option_open[o] for o in np.flatnonzero(joint.option_hospital == h)), key=len)


def hospital_choice(joint: JointModel, solution: Solution) -> Solution:
    """The joint solution with a hospital (not an option) per group."""
    choice = np.where(solution.choice >= 0, joint.option_hospital[solution.choice], -1)
    return dataclasses.replace(solution, choice=choice, values=None)


def _flexible(joint: JointModel) -> np.ndarray:
    """The options of the hospitals that have candidates (the others have one option, open)."""
    n_options = np.bincount(joint.option_hospital)
    return np.flatnonzero(n_options[joint.option_hospital] > 1)


def _with_sites(joint: JointModel, problem: Milp, k: int | None, exactly: Collection[int]) -> Milp:
    """``problem`` with one binary ``w`` per option of a hospital with candidates and the rows
    that tie the pairs and the count of open candidates to them."""
    n_var = len(problem.c)
    flex = _flexible(joint)
    n_w = len(flex)
    col = np.full(len(joint.option_hospital), -1)
    col[flex] = n_var + np.arange(n_w)
    total = n_var + n_w
    blocks: list[tuple[sp.spmatrix, np.ndarray, np.ndarray]] = []
    # each hospital with candidates has one open set
    hosp = joint.option_hospital[flex]
    _, one = np.unique(hosp, return_inverse=True)
    n_h = int(one.max()) + 1 if n_w else 0
    blocks.append((_coo(np.ones(n_w), one, col[flex], (n_h, total)), np.ones(n_h), np.ones(n_h)))
    # a pair may use an option only if it is open: x - w <= 0
    pairs = np.flatnonzero(col[problem.hj] >= 0)
    n_p = len(pairs)
    link = _coo(
        np.concatenate([np.ones(n_p), -np.ones(n_p)]),
        np.concatenate([np.arange(n_p), np.arange(n_p)]),
        np.concatenate([pairs, col[problem.hj[pairs]]]),
        (n_p, total),
    )
    blocks.append((link, np.full(n_p, -np.inf), np.zeros(n_p)))
    # y_c = sum of the w that open c: their count is k, or each is fixed
    member = [(c, o) for o in flex for c in joint.option_open[o]]
    cand = np.array([c for c, _ in member], dtype=int)
    wcol = np.array([col[o] for _, o in member], dtype=int)
    if k is not None:
        count = _coo(np.ones(len(member)), np.zeros(len(member), int), wcol, (1, total))
        blocks.append((count, np.array([float(k)]), np.array([float(k)])))
    else:
        n_c = joint.n_candidates
        fixed = np.zeros(n_c)
        fixed[list(exactly)] = 1.0
        blocks.append((_coo(np.ones(len(member)), cand, wcol, (n_c, total)), fixed, fixed))
    old = sp.hstack([problem.rows, sp.csr_matrix((problem.rows.shape[0], n_w))])
    return dataclasses.replace(
        problem,
        c=np.concatenate([problem.c, np.zeros(n_w)]),
        rows=sp.vstack([old, *(b[0] for b in blocks)]).tocsr(),
        lower=np.concatenate([problem.lower, *(b[1] for b in blocks)]),
        upper=np.concatenate([problem.upper, *(b[2] for b in blocks)]),
        integral=np.concatenate([problem.integrality(), np.ones(n_w)]),
        bound=np.concatenate([problem.upper_bounds(), np.ones(n_w)]),
    )


def _coo(
    values: np.ndarray, row: np.ndarray, column: np.ndarray, shape: tuple[int, int]
) -> sp.coo_matrix:
    return sp.coo_matrix((values, (row, column)), shape=shape)
