"""The objectives as small MILP builders over one :class:`~planner.pairing._model.PairingModel`,
one solve, and the diagnosis of infeasible requests (private to the pairing modules).

Every builder returns a :class:`Milp`: one binary column per allowed (group, hospital) pair, then
the objective's own continuous columns, and the rows of :func:`scipy.optimize.milp`. The shared
rows (each active group goes to one hospital; each hospital's load within its bounds) come from
:func:`_assignment`; each builder adds its cost vector and its own rows.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import get_args

import numpy as np
import scipy.sparse as sp

from planner.errors import InfeasibleError, PlannerError
from planner.pairing._model import PairingModel
from planner.requests import Objective, PairingRequest

log = logging.getLogger(__name__)

OBJECTIVES: tuple[str, ...] = get_args(Objective)
#: The relative gap at which a solution is called optimal: HiGHS searches until the proven
#: gap between the solution and the best bound is at most this (1e-9 of a 30-minute mean is
#: under 2 microseconds), and no absolute-gap shortcut ends the search earlier. Solutions
#: stopped by the time limit are "best found" with their proven gap.
OPTIMALITY_GAP = 1e-9
#: Time allowed to explain an infeasible balance (finding the smallest feasible tolerance).
DIAGNOSIS_TIME_S = 10.0


@dataclass(frozen=True)
class Solution:
    choice: np.ndarray  # per group hospital index (-1: unassigned)
    status: str
    mip_gap: float
    objective_value: float
    values: np.ndarray | None = None  # every column's value (the pairs', then the extra ones)


@dataclass(frozen=True, eq=False)
class Milp:
    """One MILP: ``min c x`` subject to ``lower <= rows x <= upper``; the first ``len(gi)``
    columns are the binary pairs ``(gi, hj)``, the rest continuous and non-negative (unless
    ``integral`` and ``bound`` say otherwise per column: extensions add binary columns)."""

    kind: str
    gi: np.ndarray
    hj: np.ndarray
    c: np.ndarray
    rows: sp.csr_matrix
    lower: np.ndarray
    upper: np.ndarray
    integral: np.ndarray | None = None  # per column 1 (integer) or 0
    bound: np.ndarray | None = None  # per column upper bound

    def integrality(self) -> np.ndarray:
        """Per column 1 (integer) or 0: ``integral``, else the pairs integer, the rest not."""
        if self.integral is not None:
            return self.integral
        n_x = len(self.gi)
        return np.concatenate([np.ones(n_x), np.zeros(len(self.c) - n_x)])

    def upper_bounds(self) -> np.ndarray:
        """Per column upper bound: ``bound``, else 1 for the pairs and none for the rest."""
        if self.bound is not None:
            return self.bound
        n_x = len(self.gi)
        return np.concatenate([np.ones(n_x), np.full(len(self.c) - n_x, np.inf)])


@dataclass(frozen=True, eq=False)
class _Rows:
    """The pair columns and the rows every objective shares."""

    gi: np.ndarray
    hj: np.ndarray
    row_of: np.ndarray  # group -> its row among the active groups
    n_g: int
    n_var: int
    fair: np.ndarray  # per hospital fair load
    assign: sp.coo_matrix  # each active group to exactly one hospital
    load: sp.coo_matrix  # per hospital load of the chosen pairs

    @property
    def n_x(self) -> int:
        return len(self.gi)

    def extra(self, values: np.ndarray, row: np.ndarray, column: np.ndarray) -> sp.coo_matrix:
        """A block on the extra columns (``column`` counts from the first extra column)."""
        shape = (int(row.max()) + 1 if len(row) else 0, self.n_var)
        return sp.coo_matrix((values, (row, self.n_x + column)), shape=shape)


def _assignment(model: PairingModel, allowed: np.ndarray, n_extra: int) -> _Rows:
    act = np.flatnonzero(model.active)
    gi, hj = np.nonzero(allowed[act])
    gi = act[gi]
    n_x, n_h, n_g = len(gi), len(model.share), len(act)
    n_var = n_x + n_extra
    row_of = np.full(len(model.group_labels), -1)
    row_of[act] = np.arange(n_g)
    return _Rows(
        gi=gi,
        hj=hj,
        row_of=row_of,
        n_g=n_g,
        n_var=n_var,
        fair=model.share * model.group_load[act].sum(),
        assign=sp.coo_matrix((np.ones(n_x), (row_of[gi], np.arange(n_x))), shape=(n_g, n_var)),
        load=sp.coo_matrix(
            (model.group_load[gi], (model.hospital_of_column[hj], np.arange(n_x))),
            shape=(n_h, n_var),
        ),
    )


def _milp(
    kind: str,
    base: _Rows,
    c: np.ndarray,
    balance: float | None,
    extra: Sequence[tuple[sp.spmatrix, np.ndarray, np.ndarray]] = (),
) -> Milp:
    """Assemble: the assignment rows, the balance rows (when ``balance``), then ``extra``."""
    blocks = [(base.assign, np.ones(base.n_g), np.ones(base.n_g))]
    if balance is not None:
        blocks.append((base.load, (1 - balance) * base.fair, (1 + balance) * base.fair))
    blocks += list(extra)
    return Milp(
        kind=kind,
        gi=base.gi,
        hj=base.hj,
        c=c,
        rows=sp.vstack([b[0] for b in blocks]).tocsr(),
        lower=np.concatenate([b[1] for b in blocks]),
        upper=np.concatenate([b[2] for b in blocks]),
    )


def _time_cost(model: PairingModel, base: _Rows, specialty_weight_s: float) -> np.ndarray:
    """Per pair: population-weighted mean time share, a tiny time tie-break for the groups
    without population, minus the bonus."""
    pop_cost = model.gcost[base.gi, base.hj] / (model.total_weight or 1.0)
    # The tie-break sends groups without population (district units whose people are counted
    # through their communes) to their nearest allowed hospital; it is left off the others,
    # whose near-ties would otherwise have to be resolved to the optimality gap for nothing.
    unweighted = model.group_weight[base.gi] <= 0
    tie = np.where(unweighted, 1e-6 * model.gtime[base.gi, base.hj] / max(1.0, len(model.units)), 0)
    return pop_cost + tie - specialty_weight_s * model.bonus[base.gi, base.hj]


def pop_time(
    model: PairingModel, allowed: np.ndarray, *, balance: float | None, specialty_weight_s: float
) -> Milp:
    """Minimise the population-weighted mean travel time."""
    base = _assignment(model, allowed, 0)
    return _milp("pop-time", base, _time_cost(model, base, specialty_weight_s), balance)


def max_time(model: PairingModel, allowed: np.ndarray, *, balance: float | None) -> Milp:
    """Minimise ``z``, the largest unit travel time: ``z >= gmax[g, h] x[g, h]`` per group."""
    base = _assignment(model, allowed, 1)
    c = np.concatenate([np.zeros(base.n_x), [1.0]])
    n_g = base.n_g
    t = sp.coo_matrix(
        (-model.gmax[base.gi, base.hj], (base.row_of[base.gi], np.arange(base.n_x))),
        (n_g, base.n_var),
    )
    z = base.extra(np.ones(n_g), np.arange(n_g), np.zeros(n_g, int))
    return _milp("max-time", base, c, balance, [(t + z, np.zeros(n_g), np.full(n_g, np.inf))])


def balanced(
    model: PairingModel,
    allowed: np.ndarray,
    *,
    balance: float | None,
    balance_weight: float,
    specialty_weight_s: float,
) -> Milp:
    """Minimise ``(1 - w) x time / time of the nearest + w x sum_h |load_h - fair_h| / total``;
    ``d_h >= |load_h - fair_h|`` are the extra columns."""
    n_h = len(model.share)
    base = _assignment(model, allowed, n_h)
    act = model.active
    total_w = model.total_weight or 1.0
    ref = float(np.nansum(np.nanmin(model.gcost[act], axis=1))) / total_w or 1.0
    total = float(model.group_load[act].sum()) or 1.0
    c_x = (1 - balance_weight) * _time_cost(model, base, specialty_weight_s) / ref
    c = np.concatenate([c_x, np.full(n_h, balance_weight / total)])
    d = base.extra(np.ones(n_h), np.arange(n_h), np.arange(n_h))
    rows = [
        (base.load - d, np.full(n_h, -np.inf), base.fair),
        (base.load + d, base.fair, np.full(n_h, np.inf)),
    ]
    return _milp("balanced", base, c, balance, rows)


def smallest_balance(model: PairingModel, allowed: np.ndarray) -> Milp:
    """Minimise the tolerance ``b``: ``load_h - fair_h b <= fair_h <= load_h + fair_h b``."""
    base = _assignment(model, allowed, 1)
    n_h = len(model.share)
    c = np.concatenate([np.zeros(base.n_x), [1.0]])
    b = base.extra(base.fair, np.arange(n_h), np.zeros(n_h, int))
    rows = [
        (base.load - b, np.full(n_h, -np.inf), base.fair),
        (base.load + b, base.fair, np.full(n_h, np.inf)),
    ]
    return _milp("smallest-balance", base, c, None, rows)


def solve(model: PairingModel, problem: Milp, *, time_limit_s: float) -> Solution:
    """Solve one MILP with HiGHS; the choice per group, status and proven gap.

    The status is ``"optimal"`` only when HiGHS has proven the solution within
    :data:`OPTIMALITY_GAP`; otherwise ``"time_limit"`` (the best solution found in time, with
    the gap proven so far; NaN when no bound is known).
    """
    n_x, n_var = len(problem.gi), len(problem.c)
    # scipy.optimize loads at the first solve: it is a quarter of `import planner.app.pipeline.planning`
    from scipy.optimize import Bounds, LinearConstraint, milp

    with warnings.catch_warnings():
        # scipy passes options it does not list (mip_abs_gap) to HiGHS verbatim, and says so.
        warnings.filterwarnings("ignore", "Unrecognized options", RuntimeWarning)
        res = milp(
            problem.c,
            integrality=problem.integrality(),
            bounds=Bounds(np.zeros(n_var), problem.upper_bounds()),
            constraints=LinearConstraint(problem.rows, problem.lower, problem.upper),
            options={
                "disp": False,
                "presolve": True,
                "time_limit": float(time_limit_s),
                "mip_rel_gap": OPTIMALITY_GAP,
                "mip_abs_gap": 0.0,
            },
        )
    log.debug("milp %s: %s (%s)", problem.kind, res.status, res.message)
    if res.status == 2:
        return Solution(np.array([]), "infeasible", math.nan, math.nan)
    if res.x is None:
        raise PlannerError(
            f"the solver found no pairing within the time limit of {time_limit_s:g} s "
            f"({res.message}); raise time_limit_s"
        )
    x = res.x[:n_x] > 0.5
    choice = np.full(len(model.group_labels), -1)
    choice[problem.gi[x]] = problem.hj[x]
    gap = float(res.mip_gap) if res.mip_gap is not None else math.nan
    if res.status == 0 and not math.isfinite(gap):  # proven at the root: nothing left open
        gap = 0.0
    gap = max(0.0, gap) if math.isfinite(gap) else gap  # HiGHS may report -0.0
    # Optimal means proven at the stated gap, however the search ended.
    status = "optimal" if gap <= OPTIMALITY_GAP else "time_limit"
    if status == "time_limit" and problem.kind != "smallest-balance":  # the diagnosis says so
        log.warning(
            "time limit of %g s reached: best pairing found, within %s of the optimum",
            time_limit_s,
            gap_text(gap),
        )
    value = model.pop_time(choice) if problem.kind == "pop-time" else float(res.fun)
    return Solution(choice, status, gap, value, np.asarray(res.x))


def gap_text(gap: float) -> str:
    """A proven relative gap in words: ``"0.0012 %"``; NaN (no bound known) is "unknown"."""
    return "an unknown margin" if not math.isfinite(gap) else f"{gap * 100:.2g} %"


def status_text(status: str, gap: float, time_limit_s: float) -> str:
    """What a solver status means, in a sentence fragment for people.

    Examples
    --------
    >>> status_text("optimal", 0.0, 60)
    'optimal (proven within a relative gap of 1e-09)'
    >>> status_text("time_limit", 1.2e-05, 60)
    'best found in 60 s, within 0.0012 % of the optimum'
    """
    if status == "optimal":
        return f"optimal (proven within a relative gap of {OPTIMALITY_GAP:g})"
    return f"best found in {time_limit_s:g} s, within {gap_text(gap)} of the optimum"


def optimise(model: PairingModel, request: PairingRequest) -> Solution:
    """Check, solve and, when infeasible, diagnose; return the chosen hospital per group."""
    allowed = model.allowed(request.max_travel_time_s)
    check_request(model, allowed, request)
    balance, time_limit_s = request.balance, request.time_limit_s

    def checked(problem: Milp) -> Solution:
        solution = solve(model, problem, time_limit_s=time_limit_s)
        if solution.status != "infeasible":
            return solution
        if balance is not None:
            _raise_balance(model, allowed, balance, time_limit_s)
        raise InfeasibleError(
            "constraints", "no assignment meets the pins, forbidden pairs and max time together"
        )

    return solve_request(model, allowed, request, checked)


def check_request(model: PairingModel, allowed: np.ndarray, request: PairingRequest) -> None:
    """Raise, naming the constraint, when some group has no pair it may use or the loads
    cannot meet the balance (``allowed``: :meth:`PairingModel.allowed`)."""
    _check_groups(model, allowed, request.max_travel_time_s)
    if request.balance is not None:
        _check_loads(model, allowed, request.balance, request.time_limit_s)


def solve_request(
    model: PairingModel,
    allowed: np.ndarray,
    request: PairingRequest,
    checked: Callable[[Milp], Solution],
) -> Solution:
    """The request's objective over the ``allowed`` pairs, each MILP solved by ``checked``
    (which raises when infeasible, and may add rows and columns of its own first)."""
    balance = request.balance
    bonus = request.specialty_weight_s
    if request.objective == "max-time":
        first = checked(max_time(model, allowed, balance=balance))
        # Lexicographic: among min-max optima, the best population-weighted time.
        cap = first.objective_value * (1 + 1e-9) + 1e-6
        capped = allowed & (np.nan_to_num(model.gmax, nan=np.inf) <= cap)
        second = checked(pop_time(model, capped, balance=balance, specialty_weight_s=bonus))
        status = "optimal" if first.status == second.status == "optimal" else "time_limit"
        gap = max(first.mip_gap, second.mip_gap)  # NaN (no bound) if either is unknown
        gap = gap if math.isfinite(first.mip_gap + second.mip_gap) else math.nan
        return Solution(second.choice, status, gap, first.objective_value, second.values)
    if request.objective == "balanced":
        return checked(
            balanced(
                model,
                allowed,
                balance=balance,
                balance_weight=request.balance_weight,
                specialty_weight_s=bonus,
            )
        )
    return checked(pop_time(model, allowed, balance=balance, specialty_weight_s=bonus))


# --- infeasible requests: which constraint, by how much ------------------------------------


def _check_groups(
    model: PairingModel, allowed: np.ndarray, max_travel_time_s: float | None
) -> None:
    """Raise when some group has no hospital it may use, saying which constraint bars it."""
    for g in map(int, np.flatnonzero(model.active & ~allowed.any(axis=1))):
        label = model.group_labels[g]
        reach = model.reachable[g]
        gmax = np.where(reach, model.gmax[g], np.inf)
        if model.pinned[g] >= 0:
            h = model.pinned[g]
            name = model.hospital_names[h]
            if not reach[h]:
                why, short = f"some of its units cannot reach {name} on the roads", None
            elif model.forbidden[g, h]:
                why, short = "that pair is also forbidden", None
            else:
                assert max_travel_time_s is not None  # the only other bar
                short = float(gmax[h] - max_travel_time_s)
                why = (
                    f"its farthest unit is {gmax[h] / 60:.0f} min from {name}, "
                    f"max is {max_travel_time_s / 60:.0f} min"
                )
            raise InfeasibleError("pin", f"pin {model.pin_text[g]}: {why}", shortfall=short)
        if not reach.any():
            raise InfeasibleError("reachability", f"{label}: no hospital reaches all its units")
        free = reach & ~model.forbidden[g]
        if not free.any():
            raise InfeasibleError(
                "forbidden", f"{label}: every hospital that reaches it is forbidden"
            )
        assert max_travel_time_s is not None
        best = float(np.min(np.where(free, gmax, np.inf)))
        raise InfeasibleError(
            "max_travel_time",
            f"{model.group_noun(g)} {label}: nearest allowed hospital is {best / 60:.0f} min "
            f"away (its farthest unit), max is {max_travel_time_s / 60:.0f} min",
            shortfall=best - max_travel_time_s,
        )


def _check_loads(
    model: PairingModel, allowed: np.ndarray, balance: float, time_limit_s: float
) -> None:
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
            model.pin_text[g]
            for g in map(int, np.flatnonzero(only & allowed[:, h]))
            if g in model.pin_text
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
    constraint, text, shortfall = problem
    raise InfeasibleError(
        constraint,
        f"{text}; {_smallest_balance_text(model, allowed, time_limit_s)[0]}",
        shortfall=shortfall,
    )


def _smallest_balance_text(
    model: PairingModel, allowed: np.ndarray, time_limit_s: float
) -> tuple[str, float]:
    """Say what balance would be feasible: proven smallest, or the best found in time.

    The search gets at most :data:`DIAGNOSIS_TIME_S`: an explanation should not take longer
    than the request it explains.
    """
    limit = min(time_limit_s, DIAGNOSIS_TIME_S)
    try:
        found = solve(model, smallest_balance(model, allowed), time_limit_s=limit)
    except PlannerError:  # no feasible tolerance found within the diagnosis time
        return "no feasible balance was found quickly; loosen the balance", math.nan
    smallest = found.objective_value
    if found.status == "optimal":
        return f"the smallest feasible balance is ±{smallest:.4g}", smallest
    return (
        f"balance ±{smallest:.4g} is feasible (search stopped after {DIAGNOSIS_TIME_S:g} s)",
        smallest,
    )


def _raise_balance(
    model: PairingModel, allowed: np.ndarray, balance: float, time_limit_s: float
) -> None:
    unit = "districts" if len(model.group_labels) < len(model.units) else "units"
    text, smallest = _smallest_balance_text(model, allowed, time_limit_s)
    raise InfeasibleError(
        "balance",
        f"balance ±{balance:g} cannot be met with indivisible {unit} (and the pins, "
        f"forbidden pairs and max time given); {text}",
        shortfall=smallest - balance,
    )
