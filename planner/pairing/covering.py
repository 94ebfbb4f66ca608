"""Where new sites go, under a budget: the budgeted maximal covering model, its greedy answer and
its budget curve.

Built in the spopt manner from a cost matrix: the times from every demand point (a populated
cell piece) to every site make a coverage matrix (a site covers a cell when it is reached within
the threshold); one solve returns a frozen :class:`CoveringResult`. Sites already open (the
existing stations) count as open and are not among the candidates, so the model only weighs the
people they leave beyond the threshold.

One model answers both questions. :func:`budgeted_covering` is the budgeted maximal covering
location problem (Church and ReVelle's maximal covering, 1974, with a knapsack row in place of
the count of sites, as in Khuller, Moss and Naor, 1999) as a MILP solved by
:func:`scipy.optimize.milp` (HiGHS) to a zero gap: one binary column ``x_j`` per candidate, one
continuous column ``y_p`` in [0, 1] per *pattern* (the cells that no open site covers yet and
that the same candidates would cover, merged, their people summed: an exact reduction),
``y_p <= sum_j a_pj x_j``, ``sum_j c_j x_j <= B``, maximise ``sum_p w_p y_p``. A site that then
brings no one is dropped from the answer (no money is spent on nobody).
:func:`maximal_covering` is its equal-cost case: every cost 1 and ``sum_j x_j = k`` exactly (the
model ``planner stations`` solves). :func:`covering_curve` gives the optimum at each of several
budgets from one checked and reduced model, each solve bounded by its neighbours' answers.

:func:`greedy_budgeted_covering` opens, while the budget lasts, the affordable candidate that adds
the most people per unit of cost (the first in column order on a tie): what Planwise and
AccessMod's scaling-up do, for comparison; :func:`greedy_covering` is its equal-cost case, ``k``
picks. Its coverage is never above the exact one. :func:`evaluate_covering` scores a given set of
candidates (a plan drawn by hand) with the same figures. The matrices only, never roads.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from planner.errors import PlannerError, PlannerInputError

log = logging.getLogger(__name__)

#: Methods of a :class:`CoveringResult`.
COVERING_METHODS = ("milp", "greedy", "given")

#: Costs and budgets are compared with this relative slack (sums of decimal costs).
_BUDGET_SLACK = 1e-9
#: :func:`covering_curve` enumerates the subsets of independent parts of at most this many
#: candidates (2**16 subsets); a larger part sends every budget to the MILP.
ENUMERATED_PART = 16
#: Merged fronts larger than this (combinations before pruning) send the curve to the MILP.
_FRONT_LIMIT = 4_000_000

Costs: TypeAlias = Sequence[float] | np.ndarray | pd.Series | Mapping[Hashable, float]


@dataclass(frozen=True, eq=False)
class CoveringResult:
    """Which candidate sites to open, and who is then within the threshold of an open site.

    Attributes
    ----------
    method
        ``"milp"`` (:func:`budgeted_covering`, :func:`maximal_covering`), ``"greedy"``
        (:func:`greedy_budgeted_covering`, :func:`greedy_covering`) or ``"given"``
        (:func:`evaluate_covering`).
    status
        ``"optimal"`` (proven, zero gap), ``"time_limit"`` (best found in time), ``"greedy"``
        or ``"given"``.
    sites
        Every site (the columns of the times), existing ones included.
    existing
        The sites already open.
    opened
        The candidate sites chosen: in pick order for the greedy answer, in column order
        otherwise.
    gains
        People each site of ``opened`` adds: for the greedy answer what it added when picked;
        otherwise what it alone covers among the open sites (losing it loses them).
    alone
        Per candidate site (index: its label), the people it would bring within the
        threshold if it were the only one opened besides the existing sites.
    population
        The people of every cell (rows of the times).
    covered_before, covered
        Per cell: within the threshold of an existing site; of an existing or opened site.
    within_s, k
        The threshold (seconds) and the number of sites opened.
    costs
        Per candidate site (index: its label), its cost (1 each in the equal-cost case).
    budget
        The budget the sites were chosen within; ``None`` when ``k`` sites were asked for.

    Examples
    --------
    >>> times = pd.DataFrame({"a": [600, 2000, 2000], "b": [2000, 600, 600]})
    >>> result = maximal_covering(times, [10, 20, 30], k=1, within_s=900)
    >>> result.opened, result.population_covered, result.population_before
    (('b',), 50.0, 0.0)
    >>> cheap = budgeted_covering(times, [10, 20, 30], costs=[1, 5], budget=4, within_s=900)
    >>> cheap.opened, cheap.cost, cheap.population_covered
    (('a',), 1.0, 10.0)
    """

    method: str
    status: str
    sites: tuple[Hashable, ...]
    existing: tuple[Hashable, ...]
    opened: tuple[Hashable, ...]
    gains: tuple[float, ...]
    alone: pd.Series
    population: np.ndarray
    covered_before: np.ndarray
    covered: np.ndarray
    within_s: float
    k: int
    costs: pd.Series
    budget: float | None

    @property
    def population_total(self) -> float:
        """The people on all the cells."""
        return float(self.population.sum())

    @property
    def population_before(self) -> float:
        """The people within the threshold of an existing site."""
        return float(self.population[self.covered_before].sum())

    @property
    def population_covered(self) -> float:
        """The people within the threshold of an open site (existing or opened)."""
        return float(self.population[self.covered].sum())

    @property
    def gain(self) -> float:
        """The people the opened sites bring within the threshold."""
        return self.population_covered - self.population_before

    @property
    def cost(self) -> float:
        """What the opened sites cost together."""
        return float(self.costs.reindex(list(self.opened)).sum())

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary: method, status, sites opened and the people covered (and the
        budget and what was spent, when sites were chosen within a budget)."""
        out: dict[str, Any] = {
            "method": self.method,
            "status": self.status,
            "k": self.k,
            "within_s": self.within_s,
            "opened": [str(s) for s in self.opened],
            "gains": list(self.gains),
            "population": self.population_total,
            "population_before": self.population_before,
            "population_covered": self.population_covered,
            "gain": self.gain,
        }
        if self.budget is not None:
            out["budget"] = self.budget
            out["cost"] = self.cost
        return out


@dataclass(frozen=True)
class BudgetStep:
    """The optimal plan at one budget of a :class:`CoveringCurve`.

    Attributes
    ----------
    budget
        The budget.
    opened
        The candidate sites of the plan, in column order.
    cost
        What they cost together.
    population_covered
        The people within the threshold of an open site (existing or opened).
    status
        ``"optimal"``, or ``"time_limit"`` where the solve ran out of time.

    Examples
    --------
    >>> BudgetStep(budget=5.0, opened=("a",), cost=3.0, population_covered=15.0,
    ...            status="optimal").cost
    3.0
    """

    budget: float
    opened: tuple[Hashable, ...]
    cost: float
    population_covered: float
    status: str


@dataclass(frozen=True)
class CoveringCurve:
    """The optimal plan at each of several budgets (:func:`covering_curve`).

    Attributes
    ----------
    steps
        One :class:`BudgetStep` per budget, in the order asked.
    population_total, population_before
        The people on all the cells; those within the threshold of an existing site.
    within_s
        The threshold (seconds).
    solved_by
        ``"fronts"`` (the independent parts' exact fronts, merged) or ``"milp"`` (one MILP
        per budget).

    Examples
    --------
    >>> times = pd.DataFrame({"a": [0, 99], "b": [99, 0]})
    >>> curve = covering_curve(times, [5, 10], costs=[1, 1], budgets=[1, 2], within_s=10)
    >>> [step.population_covered for step in curve.steps], curve.solved_by
    ([10.0, 15.0], 'fronts')
    """

    steps: tuple[BudgetStep, ...]
    population_total: float
    population_before: float
    within_s: float
    solved_by: str

    def table(self) -> pd.DataFrame:
        """One row per budget: ``budget``, ``cost``, ``people_within``, ``people_newly_within``
        (against the existing sites), ``chosen`` (the sites' labels joined by ``;``) and
        ``status``."""
        return pd.DataFrame(
            {
                "budget": [s.budget for s in self.steps],
                "cost": [s.cost for s in self.steps],
                "people_within": [s.population_covered for s in self.steps],
                "people_newly_within": [
                    s.population_covered - self.population_before for s in self.steps
                ],
                "chosen": [";".join(str(o) for o in s.opened) for s in self.steps],
                "status": [s.status for s in self.steps],
            }
        )


@dataclass(frozen=True, eq=False)
class _Front:
    """Plans no other beats on both counts: cost ascending, people strictly ascending."""

    costs: np.ndarray
    values: np.ndarray
    picks: list[tuple[int, ...]]  # candidate positions of each plan


@dataclass(frozen=True, eq=False)
class _Reduced:
    """The cells an opening can change, merged by the candidates that would cover them."""

    patterns: np.ndarray  # (patterns, candidates) bool
    weights: np.ndarray  # (patterns,) people

    @property
    def useful(self) -> np.ndarray:
        """Per candidate: it would bring someone within the threshold."""
        return np.asarray(self.patterns.any(axis=0), dtype=bool)


@dataclass(frozen=True, eq=False)
class _Problem:
    """The checked inputs: coverage matrix, weights, which sites exist, the candidates' costs."""

    sites: tuple[Hashable, ...]
    covers: np.ndarray  # (cells, sites) bool
    population: np.ndarray
    existing: np.ndarray  # (sites,) bool
    before: np.ndarray  # (cells,) bool
    within_s: float
    costs: np.ndarray  # (candidates,) in the order of ``candidates``

    @property
    def candidates(self) -> np.ndarray:
        return np.flatnonzero(~self.existing)

    def population_before(self) -> float:
        return float(self.population[self.before].sum())

    def alone(self) -> pd.Series:
        left = np.where(self.before, 0.0, self.population)
        cand = self.candidates
        gains = left @ self.covers[:, cand].astype(float)
        return pd.Series(gains, index=self._labels(cand), name="alone")

    def cost_series(self) -> pd.Series:
        return pd.Series(self.costs, index=self._labels(self.candidates), name="cost")

    def _labels(self, columns: np.ndarray) -> pd.Index:
        return pd.Index([self.sites[j] for j in columns])

    def reduced(self) -> _Reduced:
        """Rows no existing site covers, some candidate could and someone lives in, merged by
        the candidates covering them: one pattern per distinct set, its people summed."""
        cand = self.candidates
        rows = np.flatnonzero(
            ~self.before & self.covers[:, cand].any(axis=1) & (self.population > 0)
        )
        if len(rows) == 0:
            return _Reduced(np.zeros((0, len(cand)), dtype=bool), np.zeros(0))
        patterns, first, inverse = np.unique(
            self.covers[np.ix_(rows, cand)], axis=0, return_index=True, return_inverse=True
        )
        weights = np.bincount(
            inverse.ravel(), weights=self.population[rows], minlength=len(patterns)
        )
        order = np.argsort(first, kind="stable")  # in the cells' order: the same model, merged
        return _Reduced(patterns[order], weights[order])

    def value(self, picked: np.ndarray, reduced: _Reduced) -> float:
        """People the picked candidates (a mask of the candidates) bring within the threshold."""
        if not picked.any() or len(reduced.weights) == 0:
            return 0.0
        return float(reduced.weights[reduced.patterns[:, picked].any(axis=1)].sum())

    def result(
        self,
        method: str,
        status: str,
        opened: Sequence[int],
        gains: Sequence[float] | None,
        *,
        budget: float | None,
    ) -> CoveringResult:
        """The answer for the candidates at these positions (of :attr:`candidates`)."""
        cand = self.candidates
        columns = [int(cand[i]) for i in opened]
        open_sites = self.existing.copy()
        open_sites[columns] = True
        covered = np.asarray(self.covers[:, open_sites].any(axis=1), dtype=bool)
        if gains is None:  # each opened site's own people: covered by it and no other open site
            counts = self.covers[:, open_sites].sum(axis=1)
            gains = [
                float(self.population[self.covers[:, j] & (counts == 1)].sum()) for j in columns
            ]
        return CoveringResult(
            method=method,
            status=status,
            sites=self.sites,
            existing=tuple(self.sites[j] for j in np.flatnonzero(self.existing)),
            opened=tuple(self.sites[j] for j in columns),
            gains=tuple(float(g) for g in gains),
            alone=self.alone(),
            population=self.population,
            covered_before=self.before,
            covered=covered,
            within_s=self.within_s,
            k=len(columns),
            costs=self.cost_series(),
            budget=budget,
        )


def maximal_covering(
    times_s: pd.DataFrame | np.ndarray,
    population: Sequence[float] | np.ndarray | pd.Series,
    *,
    k: int,
    within_s: float,
    existing: Sequence[Hashable] | np.ndarray = (),
    time_limit_s: float = 60.0,
) -> CoveringResult:
    """Open ``k`` candidate sites to bring the most people within ``within_s`` of an open site.

    The equal-cost case of :func:`budgeted_covering` (every cost 1, exactly ``k`` sites):
    the maximal covering location problem, solved exactly (HiGHS, zero gap); the sites in
    ``existing`` are open already and the rest are the candidates.

    Parameters
    ----------
    times_s
        Travel time (s) from every cell (rows) to every site (columns); NaN where there is no
        way. A DataFrame's columns name the sites; an array's sites are its column positions.
    population
        The people of every cell, in row order.
    k
        How many candidate sites to open (at most the number of candidates).
    within_s
        A cell is covered by a site it reaches in at most this many seconds.
    existing
        The sites already open: column labels (a DataFrame) or positions (an array), or a
        boolean mask of the columns.
    time_limit_s
        Time allowed to the solver; past it the best opening found is returned with status
        ``"time_limit"`` (and a warning in the log).

    Returns
    -------
    CoveringResult

    Raises
    ------
    PlannerInputError
        ``k`` negative or above the number of candidates, a negative population or threshold,
        an ``existing`` site that is not a column, or rows and population of different lengths.

    Examples
    --------
    Four cells, site ``a`` open already: of the candidates ``b`` and ``c``, which one brings
    the most people within 15 minutes:

    >>> times = pd.DataFrame({"a": [600, 2400, 2400, 2400], "b": [2400, 600, 600, 2400],
    ...                       "c": [2400, 2400, 600, 600]})
    >>> best = maximal_covering(times, [10, 20, 30, 40], k=1, within_s=15 * 60, existing=["a"])
    >>> best.status, best.opened, best.population_before, best.population_covered
    ('optimal', ('c',), 10.0, 80.0)
    """
    problem = _problem(times_s, population, within_s=within_s, existing=existing)
    k = _count(k, problem)
    reduced = problem.reduced()
    if k == 0 or len(reduced.weights) == 0:
        opened = range(k) if len(reduced.weights) == 0 else range(0)
        return problem.result("milp", "optimal", list(opened), None, budget=None)
    status, picked = _solve(reduced, problem.costs, low=k, high=k, time_limit_s=time_limit_s)
    return problem.result("milp", status, list(np.flatnonzero(picked)), None, budget=None)


def budgeted_covering(
    times_s: pd.DataFrame | np.ndarray,
    population: Sequence[float] | np.ndarray | pd.Series,
    *,
    costs: Costs,
    budget: float,
    within_s: float,
    existing: Sequence[Hashable] | np.ndarray = (),
    time_limit_s: float = 60.0,
) -> CoveringResult:
    """Open the candidate sites, within a budget, that bring the most people within ``within_s``.

    The budgeted maximal covering location problem, solved exactly (HiGHS, zero gap): the
    sites in ``existing`` are open already, the rest are candidates with a cost each, and the
    chosen ones cost at most ``budget`` together. A chosen site that brings no one (the others
    already cover its people) is left out, so the plan never pays for nobody.

    Parameters
    ----------
    times_s, population, within_s, existing, time_limit_s
        As for :func:`maximal_covering`.
    costs
        What each candidate costs (0 or more, in the user's unit): one per column of
        ``times_s`` (existing sites' entries are ignored), or a mapping / Series from each
        candidate's label to its cost.
    budget
        What the chosen sites may cost together (0 or more).

    Returns
    -------
    CoveringResult
        With ``costs``, ``budget`` and the ``cost`` of the sites opened.

    Raises
    ------
    PlannerInputError
        As :func:`maximal_covering`, and a cost or budget that is missing, negative or not a
        number, or a candidate without a cost.

    Examples
    --------
    Four cells and three sites: with 3 to spend, ``b`` (cost 2) and ``c`` (cost 1) reach more
    people than ``a`` (cost 3) alone:

    >>> times = pd.DataFrame({"a": [0, 0, 99, 99], "b": [99, 99, 0, 0], "c": [99, 0, 0, 99]})
    >>> plan = budgeted_covering(times, [5, 10, 10, 5], costs={"a": 3, "b": 2, "c": 1},
    ...                          budget=3, within_s=10)
    >>> plan.status, plan.opened, plan.cost, plan.population_covered
    ('optimal', ('b', 'c'), 3.0, 25.0)
    """
    problem = _problem(times_s, population, within_s=within_s, existing=existing, costs=costs)
    budget = _budget(budget)
    return _budget_answer(problem, problem.reduced(), budget, time_limit_s=time_limit_s)


def covering_curve(
    times_s: pd.DataFrame | np.ndarray,
    population: Sequence[float] | np.ndarray | pd.Series,
    *,
    costs: Costs,
    budgets: Sequence[float] | np.ndarray,
    within_s: float,
    existing: Sequence[Hashable] | np.ndarray = (),
    time_limit_s: float = 60.0,
) -> CoveringCurve:
    """The optimal plan at each budget: what each extra unit of money buys.

    The same optimum as :func:`budgeted_covering` at every budget, from one model checked and
    reduced once. The candidates fall into independent parts (no cell within reach of two
    parts: the villages of one valley, the wards of one town); where no part has more than
    :data:`ENUMERATED_PART` candidates, each part's exact front (the most people for each
    cost, over every subset of its candidates) is enumerated and the parts' fronts are merged
    (every combination within the largest budget, the dominated ones dropped): every budget's
    optimum then comes from that one front. Otherwise each budget is solved by the MILP, from
    the largest down: a plan optimal at a larger budget that fits a smaller one is optimal
    there too.

    Parameters
    ----------
    times_s, population, costs, within_s, existing, time_limit_s
        As for :func:`budgeted_covering` (``time_limit_s`` per solve).
    budgets
        The budgets (each 0 or more), in any order.

    Returns
    -------
    CoveringCurve
        One :class:`BudgetStep` per budget, in the order given.

    Examples
    --------
    >>> times = pd.DataFrame({"a": [0, 0, 99, 99], "b": [99, 99, 0, 0], "c": [99, 0, 0, 99]})
    >>> curve = covering_curve(times, [5, 10, 10, 5], costs=[3, 2, 1], budgets=[0, 1, 2, 3, 5],
    ...                        within_s=10)
    >>> [(step.budget, step.opened, step.population_covered) for step in curve.steps]
    ... # doctest: +NORMALIZE_WHITESPACE
    [(0.0, (), 0.0), (1.0, ('c',), 20.0), (2.0, ('c',), 20.0), (3.0, ('b', 'c'), 25.0),
     (5.0, ('a', 'b'), 30.0)]
    >>> curve.table().to_dict("records")[-1]  # doctest: +NORMALIZE_WHITESPACE
    {'budget': 5.0, 'cost': 5.0, 'people_within': 30.0, 'people_newly_within': 30.0,
     'chosen': 'a;b', 'status': 'optimal'}
    """
    problem = _problem(times_s, population, within_s=within_s, existing=existing, costs=costs)
    asked = [_budget(b) for b in budgets]
    reduced = problem.reduced()
    front = _front(problem, reduced, max(asked, default=0.0))
    picks: dict[float, tuple[np.ndarray, str]] = {}
    if front is not None:
        for budget in set(asked):
            picks[budget] = (_front_pick(front, budget, len(problem.costs)), "optimal")
    else:
        larger: np.ndarray | None = None  # the optimum just above
        for budget in sorted(set(asked), reverse=True):
            if larger is not None and problem.costs[larger].sum() <= _with_slack(budget):
                # optimal with more money and affordable with less: optimal here too
                picks[budget] = (larger, "optimal")
                continue
            picked, status = _budget_pick(problem, reduced, budget, time_limit_s=time_limit_s)
            picks[budget] = (picked, status)
            larger = picked
    steps = []
    for budget in asked:
        picked, status = picks[budget]
        steps.append(
            BudgetStep(
                budget=budget,
                opened=tuple(problem.sites[j] for j in problem.candidates[picked]),
                cost=float(problem.costs[picked].sum()),
                population_covered=problem.population_before() + problem.value(picked, reduced),
                status=status,
            )
        )
    return CoveringCurve(
        steps=tuple(steps),
        population_total=float(problem.population.sum()),
        population_before=problem.population_before(),
        within_s=problem.within_s,
        solved_by="fronts" if front is not None else "milp",
    )


def greedy_budgeted_covering(
    times_s: pd.DataFrame | np.ndarray,
    population: Sequence[float] | np.ndarray | pd.Series,
    *,
    costs: Costs,
    budget: float,
    within_s: float,
    existing: Sequence[Hashable] | np.ndarray = (),
) -> CoveringResult:
    """Open candidates one at a time, each the affordable one adding the most people per cost.

    The greedy answer to :func:`budgeted_covering`'s question (ties go to the first candidate
    in column order; a candidate of cost 0 that adds people comes first): picks while some
    affordable candidate adds anyone. Never more people than the exact answer, often fewer.

    Parameters
    ----------
    times_s, population, costs, budget, within_s, existing
        As for :func:`budgeted_covering`.

    Returns
    -------
    CoveringResult
        ``opened`` in pick order, ``gains`` what each pick added.

    Examples
    --------
    The best ratio first (``c``: 20 people for 1), then nothing more is affordable that the
    exact answer would not beat:

    >>> times = pd.DataFrame({"a": [0, 0, 99, 99], "b": [99, 99, 0, 0], "c": [99, 0, 0, 99]})
    >>> greedy = greedy_budgeted_covering(times, [5, 10, 10, 5], costs=[3, 2, 1], budget=4,
    ...                                   within_s=10)
    >>> greedy.opened, greedy.gains, greedy.cost
    (('c', 'b'), (20.0, 5.0), 3.0)
    """
    problem = _problem(times_s, population, within_s=within_s, existing=existing, costs=costs)
    return _greedy(problem, budget=_budget(budget), count=None)


def greedy_covering(
    times_s: pd.DataFrame | np.ndarray,
    population: Sequence[float] | np.ndarray | pd.Series,
    *,
    k: int,
    within_s: float,
    existing: Sequence[Hashable] | np.ndarray = (),
) -> CoveringResult:
    """Open ``k`` candidate sites one at a time, each the one that adds the most people.

    The equal-cost case of :func:`greedy_budgeted_covering` (every cost 1, exactly ``k``
    picks, ties to the first candidate in column order): never more people than
    :func:`maximal_covering`'s answer, often fewer.

    Parameters
    ----------
    times_s, population, k, within_s, existing
        As for :func:`maximal_covering`.

    Returns
    -------
    CoveringResult
        ``opened`` in pick order, ``gains`` what each pick added.

    Examples
    --------
    Four cells and three sites: the greedy first pick (``c``, 20 people) leaves it short of the
    exact pair (``a`` and ``b``, all 30 people):

    >>> times = pd.DataFrame({"a": [0, 0, 99, 99], "b": [99, 99, 0, 0], "c": [99, 0, 0, 99]})
    >>> greedy = greedy_covering(times, [5, 10, 10, 5], k=2, within_s=10)
    >>> greedy.opened, greedy.gains, greedy.population_covered
    (('c', 'a'), (20.0, 5.0), 25.0)
    >>> maximal_covering(times, [5, 10, 10, 5], k=2, within_s=10).population_covered
    30.0
    """
    problem = _problem(times_s, population, within_s=within_s, existing=existing)
    return _greedy(problem, budget=None, count=_count(k, problem))


def evaluate_covering(
    times_s: pd.DataFrame | np.ndarray,
    population: Sequence[float] | np.ndarray | pd.Series,
    *,
    opened: Sequence[Hashable],
    within_s: float,
    existing: Sequence[Hashable] | np.ndarray = (),
    costs: Costs | None = None,
    budget: float | None = None,
) -> CoveringResult:
    """Score a given set of candidate sites (a plan drawn by hand) with the model's figures.

    Parameters
    ----------
    times_s, population, within_s, existing
        As for :func:`maximal_covering`.
    opened
        The candidate sites to open: column labels (a DataFrame) or positions (an array).
    costs, budget
        As for :func:`budgeted_covering` (``None``: every cost 1, no budget); the plan may
        cost more than the budget (its ``cost`` says so).

    Returns
    -------
    CoveringResult
        ``method`` and ``status`` ``"given"``, ``opened`` in column order.

    Raises
    ------
    PlannerInputError
        A site of ``opened`` that is not a candidate (unknown, or already open).

    Examples
    --------
    >>> times = pd.DataFrame({"a": [0, 0, 99, 99], "b": [99, 99, 0, 0], "c": [99, 0, 0, 99]})
    >>> drawn = evaluate_covering(times, [5, 10, 10, 5], opened=["c"], within_s=10)
    >>> drawn.opened, drawn.population_covered
    (('c',), 20.0)
    """
    problem = _problem(times_s, population, within_s=within_s, existing=existing, costs=costs)
    picked = _mask(problem, opened, field="opened")
    return problem.result(
        "given", "given", list(np.flatnonzero(picked)), None,
        budget=None if budget is None else _budget(budget),
    )  # fmt: skip


# -- the model: one builder per part, one solve ------------------------------------------------


def _cover_constraint(reduced: _Reduced) -> LinearConstraint:
    """``y_p <= sum_j a_pj x_j``: a pattern counts only when an opened candidate covers it."""
    a = sp.csr_matrix(reduced.patterns.astype(float))
    rows = sp.hstack([-a, sp.identity(a.shape[0], format="csr")], format="csr")
    return LinearConstraint(rows, -np.inf, 0.0)


def _budget_constraint(costs: np.ndarray, n_y: int, *, low: float, high: float) -> LinearConstraint:
    """``low <= sum_j c_j x_j <= high``: within the budget (exactly ``k`` when every cost is 1
    and ``low == high == k``)."""
    row = sp.csr_matrix(np.concatenate([costs, np.zeros(n_y)])[None, :])
    return LinearConstraint(row, low, high)


def _people_objective(reduced: _Reduced, n_x: int) -> np.ndarray:
    """Minimise minus the people covered."""
    return np.concatenate([np.zeros(n_x), -reduced.weights])


def _solve(
    reduced: _Reduced,
    costs: np.ndarray,
    *,
    low: float,
    high: float,
    time_limit_s: float,
) -> tuple[str, np.ndarray]:
    """Solve the model; the status and which candidates it opens (a mask)."""
    n_x, n_y = reduced.patterns.shape[1], len(reduced.weights)
    res = milp(
        _people_objective(reduced, n_x),
        integrality=np.concatenate([np.ones(n_x), np.zeros(n_y)]),
        bounds=Bounds(np.zeros(n_x + n_y), np.ones(n_x + n_y)),
        constraints=[
            _cover_constraint(reduced),
            _budget_constraint(costs, n_y, low=low, high=high),
        ],
        options={"disp": False, "presolve": True, "time_limit": float(time_limit_s),
                 "mip_rel_gap": 0.0},
    )  # fmt: skip
    log.debug("covering milp: %s (%s)", res.status, res.message)
    if res.x is None:
        raise PlannerError(
            f"the solver found no opening within the time limit of {time_limit_s:g} s "
            f"({res.message}); raise time_limit_s"
        )
    status = "optimal" if res.status == 0 else "time_limit"
    if status == "time_limit":
        log.warning("time limit of %g s reached: best opening found, not proven", time_limit_s)
    return status, res.x[:n_x] > 0.5


def _budget_answer(
    problem: _Problem, reduced: _Reduced, budget: float, *, time_limit_s: float
) -> CoveringResult:
    """The exact answer at one budget."""
    picked, status = _budget_pick(problem, reduced, budget, time_limit_s=time_limit_s)
    return problem.result("milp", status, list(np.flatnonzero(picked)), None, budget=budget)


def _budget_pick(
    problem: _Problem, reduced: _Reduced, budget: float, *, time_limit_s: float
) -> tuple[np.ndarray, str]:
    """The candidates (a mask) of the exact answer at one budget, and its status; those that
    bring no one are dropped."""
    useful = reduced.useful
    affordable = useful & (problem.costs <= _with_slack(budget))
    if not affordable.any():
        return np.zeros(len(problem.costs), dtype=bool), "optimal"
    if problem.costs[useful].sum() <= _with_slack(budget):
        return _pruned(problem, useful), "optimal"  # every useful candidate fits
    status, picked = _solve(
        reduced, problem.costs, low=0.0, high=_with_slack(budget), time_limit_s=time_limit_s
    )
    return _pruned(problem, picked), status


def _parts(reduced: _Reduced) -> list[np.ndarray]:
    """The useful candidates in independent parts: connected through the patterns they cover."""
    from scipy.sparse.csgraph import connected_components

    useful = np.flatnonzero(reduced.useful)
    if len(useful) == 0:
        return []
    a = sp.csr_matrix(reduced.patterns[:, useful].astype(np.int8))
    shared = (a.T @ a).tocsr()  # candidates sharing a pattern
    count, label = connected_components(shared, directed=False)
    return [useful[label == part] for part in range(count)]


def _part_front(reduced: _Reduced, part: np.ndarray, costs: np.ndarray, cap: float) -> _Front:
    """Every subset of one part's candidates within ``cap``, the dominated ones dropped."""
    rows = reduced.patterns[:, part].any(axis=1)
    covers, weights, cost = reduced.patterns[np.ix_(rows, part)], reduced.weights[rows], costs[part]
    n = len(part)
    covered = np.zeros((1 << n, len(weights)), dtype=bool)
    total = np.zeros(1 << n)
    for bit in range(n):  # subsets with this bit: those without it, plus this candidate
        low, high = 1 << bit, 1 << (bit + 1)
        covered[low:high] = covered[:low] | covers[:, bit]
        total[low:high] = total[:low] + cost[bit]
    value = covered @ weights
    subsets = np.flatnonzero(total <= _with_slack(cap))
    keep = _undominated(total[subsets], value[subsets])
    chosen = subsets[keep]
    picks = [tuple(int(part[b]) for b in range(n) if s >> b & 1) for s in chosen]
    return _Front(total[chosen], value[chosen], picks)


def _merge(a: _Front, b: _Front, cap: float) -> _Front | None:
    """Plans of two independent parts combined, within ``cap``, the dominated ones dropped;
    ``None`` when the combinations are too many to list."""
    if len(a.costs) * len(b.costs) > _FRONT_LIMIT:
        return None
    cost = (a.costs[:, None] + b.costs[None, :]).ravel()
    value = (a.values[:, None] + b.values[None, :]).ravel()
    within = np.flatnonzero(cost <= _with_slack(cap))
    keep = within[_undominated(cost[within], value[within])]
    i, j = np.divmod(keep, len(b.costs))
    return _Front(
        cost[keep], value[keep], [a.picks[x] + b.picks[y] for x, y in zip(i, j, strict=True)]
    )


def _undominated(cost: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Positions of the plans that no cheaper (or as cheap) plan matches in people: cost
    ascending, people strictly ascending (the first of equals kept)."""
    order = np.lexsort((-value, cost))
    best = np.maximum.accumulate(value[order])
    rises = np.ones(len(order), dtype=bool)
    rises[1:] = value[order][1:] > best[:-1]
    return order[rises]


def _front(problem: _Problem, reduced: _Reduced, cap: float) -> _Front | None:
    """The exact front of the whole model within ``cap`` from its parts' fronts; ``None`` when a
    part is too large to enumerate or the merged front too long."""
    parts = _parts(reduced)
    if any(len(part) > ENUMERATED_PART for part in parts):
        return None
    front = _Front(np.zeros(1), np.zeros(1), [()])
    for part in sorted(parts, key=len):
        merged = _merge(front, _part_front(reduced, part, problem.costs, cap), cap)
        if merged is None:
            return None
        front = merged
    return front


def _front_pick(front: _Front, budget: float, n_candidates: int) -> np.ndarray:
    """The front's plan at one budget (the most people within it, the cheapest of equals)."""
    at = int(np.searchsorted(front.costs, _with_slack(budget), side="right")) - 1
    picked = np.zeros(n_candidates, dtype=bool)
    picked[list(front.picks[at])] = True
    return picked


def _pruned(problem: _Problem, picked: np.ndarray) -> np.ndarray:
    """Drop picked candidates that bring no one the others do not, the dearest first."""
    picked = picked.copy()
    cand = problem.candidates
    people = problem.population > 0
    left = ~problem.before & people
    while picked.any():
        covers = problem.covers[:, cand[picked]] & left[:, None]
        counts = covers.sum(axis=1)
        own = (covers & (counts == 1)[:, None]).any(axis=0)
        idle = np.flatnonzero(picked)[~own]
        if len(idle) == 0:
            break
        picked[idle[np.argmax(problem.costs[idle])]] = False
    return picked


def _greedy_picks(
    problem: _Problem, *, budget: float | None, count: int | None
) -> tuple[list[int], list[float]]:
    """Positions (of the candidates) in pick order and what each added: ``count`` picks, or
    picks within ``budget`` while one adds anyone, the most people per cost first."""
    cand = problem.candidates
    left = np.where(problem.before, 0.0, problem.population)
    covers = problem.covers[:, cand].astype(float)
    costs = problem.costs
    taken = np.zeros(len(cand), dtype=bool)
    remaining = math.inf if budget is None else budget
    opened: list[int] = []
    gains: list[float] = []
    while len(opened) < (count if count is not None else len(cand)):
        added = left @ covers
        if count is None:
            fits = ~taken & (costs <= _with_slack(remaining)) & (added > 0)
            if not fits.any():
                break
            with np.errstate(divide="ignore", invalid="ignore"):
                rate = np.where(costs > 0, added / np.where(costs > 0, costs, 1.0), np.inf)
            rate = np.where(fits, rate, -np.inf)
        else:
            rate = np.where(taken, -np.inf, added)
        best = int(np.argmax(rate))
        taken[best] = True
        opened.append(best)
        gains.append(float(added[best]))
        remaining -= costs[best]
        left = np.where(problem.covers[:, cand[best]], 0.0, left)
    return opened, gains


def _greedy(problem: _Problem, *, budget: float | None, count: int | None) -> CoveringResult:
    opened, gains = _greedy_picks(problem, budget=budget, count=count)
    return problem.result("greedy", "greedy", opened, gains, budget=budget)


def _with_slack(budget: float) -> float:
    return budget + _BUDGET_SLACK * max(1.0, abs(budget))


def _mask(problem: _Problem, sites: Sequence[Hashable], *, field: str = "opened") -> np.ndarray:
    """The given candidate sites as a mask of the candidates."""
    position = {problem.sites[j]: i for i, j in enumerate(problem.candidates)}
    existing = {problem.sites[j] for j in np.flatnonzero(problem.existing)}
    mask = np.zeros(len(problem.candidates), dtype=bool)
    for site in sites:
        key = site.item() if isinstance(site, np.generic) else site
        if key not in position:
            why = "is already open" if key in existing else "is not a candidate site"
            raise PlannerInputError(
                f"site {key!r} {why}", field=field,
                hint="name candidate sites by the times' column labels (positions for an array)",
            )  # fmt: skip
        mask[position[key]] = True
    return mask


def _count(k: int, problem: _Problem) -> int:
    n_cand = len(problem.candidates)
    if not 0 <= int(k) <= n_cand or int(k) != k:
        raise PlannerInputError(
            f"cannot open {k} of {n_cand} candidate sites", field="k",
            hint=f"open between 0 and {n_cand} sites, or give more candidates",
        )  # fmt: skip
    return int(k)


def _budget(budget: float) -> float:
    try:
        value = float(budget)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise PlannerInputError(
            f"budget {budget!r} is not an amount", field="budget", hint="give 0 or more"
        )
    return value


def _problem(
    times_s: pd.DataFrame | np.ndarray,
    population: Sequence[float] | np.ndarray | pd.Series,
    *,
    within_s: float,
    existing: Sequence[Hashable] | np.ndarray,
    costs: Costs | None = None,
) -> _Problem:
    """Check the inputs and build the coverage matrix."""
    if isinstance(times_s, pd.DataFrame):
        sites: tuple[Hashable, ...] = tuple(times_s.columns)
        values = times_s.to_numpy(dtype=float)
    else:
        values = np.asarray(times_s, dtype=float)
        sites = tuple(range(values.shape[1])) if values.ndim == 2 else ()
    if values.ndim != 2:
        raise PlannerInputError(
            "the times are not a table of cells by sites", field="times_s",
            hint="pass a 2-D array or DataFrame: one row per cell, one column per site",
        )  # fmt: skip
    weights = np.asarray(population, dtype=float)
    if weights.shape != (values.shape[0],):
        raise PlannerInputError(
            f"{len(weights)} populations for {values.shape[0]} cells", field="population",
            hint="give one population per row of the times",
        )  # fmt: skip
    if np.isnan(weights).any() or (weights < 0).any():
        raise PlannerInputError(
            "a population is negative or missing", field="population", hint="use 0 or more"
        )
    if not math.isfinite(within_s) or within_s < 0:
        raise PlannerInputError(
            f"threshold {within_s!r} s is not a time", field="within_s", hint="use 0 or more"
        )
    mask = _existing_mask(existing, sites)
    with np.errstate(invalid="ignore"):
        covers = values <= within_s  # NaN (no way) covers nothing
    before = covers[:, mask].any(axis=1)
    cand_costs = _candidate_costs(costs, sites, mask)
    return _Problem(sites, covers, weights, mask, before, float(within_s), cand_costs)


def _candidate_costs(
    costs: Costs | None, sites: tuple[Hashable, ...], existing: np.ndarray
) -> np.ndarray:
    """Each candidate's cost, in the candidates' order (1 each without costs)."""
    cand = np.flatnonzero(~existing)
    if costs is None:
        return np.ones(len(cand))
    if isinstance(costs, Mapping | pd.Series):
        given = dict(costs.items())
        missing = [sites[j] for j in cand if sites[j] not in given]
        if missing:
            raise PlannerInputError(
                f"candidate {missing[0]!r} has no cost", field="costs",
                hint="give every candidate site a cost (0 or more)",
            )  # fmt: skip
        raw = [given[sites[j]] for j in cand]
        labels = [sites[j] for j in cand]
    else:
        values = list(costs)
        if len(values) != len(sites):
            raise PlannerInputError(
                f"{len(values)} costs for {len(sites)} sites", field="costs",
                hint="give one cost per column of the times, or a mapping from site to cost",
            )  # fmt: skip
        raw = [values[j] for j in cand]
        labels = [sites[j] for j in cand]
    out = np.empty(len(raw))
    for i, (label, value) in enumerate(zip(labels, raw, strict=True)):
        try:
            out[i] = float(value)
        except (TypeError, ValueError):
            out[i] = math.nan
        if not math.isfinite(out[i]) or out[i] < 0:
            raise PlannerInputError(
                f"the cost of {label!r} is {value!r}", field="costs", hint="give 0 or more"
            )
    return out


def _existing_mask(
    existing: Sequence[Hashable] | np.ndarray, sites: tuple[Hashable, ...]
) -> np.ndarray:
    """The existing sites as a boolean mask of the columns."""
    given = np.asarray(existing) if isinstance(existing, np.ndarray) else None
    if given is not None and given.dtype == bool:
        if given.shape != (len(sites),):
            raise PlannerInputError(
                f"a mask of {len(given)} for {len(sites)} sites", field="existing",
                hint="give one True/False per site, or the existing sites' labels",
            )  # fmt: skip
        return given.copy()
    position = {site: j for j, site in enumerate(sites)}
    mask = np.zeros(len(sites), dtype=bool)
    for site in list(existing):
        key = site.item() if isinstance(site, np.generic) else site
        if key not in position:
            raise PlannerInputError(
                f"existing site {key!r} is not a column of the times", field="existing",
                hint="name the existing sites by the times' column labels (positions for an array)",
            )  # fmt: skip
        mask[position[key]] = True
    return mask
