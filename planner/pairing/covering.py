"""Where new sites go: the maximal covering location model, solved exactly, and its greedy answer.

Built in the spopt manner from a cost matrix: the times from every demand point (a populated
cell piece) to every site make a coverage matrix (a site covers a cell when it is reached within
the threshold); one solve returns a frozen :class:`CoveringResult`. Sites already open (the
existing stations) count as open and are not part of the ``k`` to choose, so the model only
weighs the people they leave beyond the threshold.

:func:`maximal_covering` is the maximal covering location problem (Church and ReVelle, 1974) as
a MILP solved by :func:`scipy.optimize.milp` (HiGHS) to a zero gap: one binary column per
candidate site, one continuous column in [0, 1] per cell that no open site covers yet and some
candidate could, ``y_i <= sum_j a_ij x_j``, ``sum_j x_j = k``, maximise ``sum_i w_i y_i``.
:func:`greedy_covering` opens, ``k`` times, the candidate that adds the most people (the first
in column order on a tie): what AccessMod's scaling-up does, for comparison; its coverage is
never above the exact one. The matrices only, never roads.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from planner.errors import PlannerError, PlannerInputError

log = logging.getLogger(__name__)

#: Methods of a :class:`CoveringResult`.
COVERING_METHODS = ("milp", "greedy")


@dataclass(frozen=True, eq=False)
class CoveringResult:
    """Which candidate sites to open, and who is then within the threshold of an open site.

    Attributes
    ----------
    method
        ``"milp"`` (:func:`maximal_covering`) or ``"greedy"`` (:func:`greedy_covering`).
    status
        ``"optimal"`` (proven, zero gap), ``"time_limit"`` (best found in time) or
        ``"greedy"``.
    sites
        Every site (the columns of the times), existing ones included.
    existing
        The sites already open.
    opened
        The candidate sites chosen: in pick order for the greedy answer, in column order for
        the exact one.
    gains
        People each site of ``opened`` adds: for the greedy answer what it added when picked;
        for the exact one what it alone covers among the open sites (losing it loses them).
    alone
        Per candidate site (index: its label), the people it would bring within the
        threshold if it were the only one opened besides the existing sites.
    population
        The people of every cell (rows of the times).
    covered_before, covered
        Per cell: within the threshold of an existing site; of an existing or opened site.
    within_s, k
        The threshold (seconds) and the number of sites opened.

    Examples
    --------
    >>> times = pd.DataFrame({"a": [600, 2000, 2000], "b": [2000, 600, 600]})
    >>> result = maximal_covering(times, [10, 20, 30], k=1, within_s=900)
    >>> result.opened, result.population_covered, result.population_before
    (('b',), 50.0, 0.0)
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

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary: method, status, sites opened and the people covered."""
        return {
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


@dataclass(frozen=True, eq=False)
class _Problem:
    """The checked inputs: coverage matrix, weights, which sites exist."""

    sites: tuple[Hashable, ...]
    covers: np.ndarray  # (cells, sites) bool
    population: np.ndarray
    existing: np.ndarray  # (sites,) bool
    before: np.ndarray  # (cells,) bool
    within_s: float
    k: int

    @property
    def candidates(self) -> np.ndarray:
        return np.flatnonzero(~self.existing)

    def alone(self) -> pd.Series:
        left = np.where(self.before, 0.0, self.population)
        cand = self.candidates
        gains = left @ self.covers[:, cand].astype(float)
        return pd.Series(gains, index=pd.Index([self.sites[j] for j in cand]), name="alone")

    def result(
        self, method: str, status: str, opened: Sequence[int], gains: Sequence[float] | None
    ) -> CoveringResult:
        open_sites = self.existing.copy()
        open_sites[list(opened)] = True
        covered = np.asarray(self.covers[:, open_sites].any(axis=1), dtype=bool)
        if gains is None:  # each opened site's own people: covered by it and no other open site
            counts = self.covers[:, open_sites].sum(axis=1)
            gains = [
                float(self.population[self.covers[:, j] & (counts == 1)].sum()) for j in opened
            ]
        return CoveringResult(
            method=method,
            status=status,
            sites=self.sites,
            existing=tuple(self.sites[j] for j in np.flatnonzero(self.existing)),
            opened=tuple(self.sites[j] for j in opened),
            gains=tuple(float(g) for g in gains),
            alone=self.alone(),
            population=self.population,
            covered_before=self.before,
            covered=covered,
            within_s=self.within_s,
            k=self.k,
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

    The maximal covering location problem, solved exactly (HiGHS, zero gap); the sites in
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
    problem = _problem(times_s, population, k=k, within_s=within_s, existing=existing)
    cand = problem.candidates
    # only the cells an opening can change: not covered yet, coverable by some candidate
    rows = np.flatnonzero(
        ~problem.before & problem.covers[:, cand].any(axis=1) & (problem.population > 0)
    )
    if problem.k == 0 or len(rows) == 0:
        opened = cand[: problem.k] if len(rows) == 0 else cand[:0]
        return problem.result("milp", "optimal", list(opened), None)
    n_x, n_y = len(cand), len(rows)
    a = sp.csr_matrix(problem.covers[np.ix_(rows, cand)].astype(float))
    cover_rows = sp.hstack([-a, sp.identity(n_y, format="csr")], format="csr")  # y_i <= sum a x
    count_row = sp.csr_matrix(np.concatenate([np.ones(n_x), np.zeros(n_y)])[None, :])
    constraints = [
        LinearConstraint(cover_rows, -np.inf, 0.0),
        LinearConstraint(count_row, problem.k, problem.k),
    ]
    c = np.concatenate([np.zeros(n_x), -problem.population[rows]])
    res = milp(
        c,
        integrality=np.concatenate([np.ones(n_x), np.zeros(n_y)]),
        bounds=Bounds(np.zeros(n_x + n_y), np.ones(n_x + n_y)),
        constraints=constraints,
        options={"disp": False, "presolve": True, "time_limit": float(time_limit_s),
                 "mip_rel_gap": 0.0},
    )  # fmt: skip
    log.debug("maximal covering milp: %s (%s)", res.status, res.message)
    if res.x is None:
        raise PlannerError(
            f"the solver found no opening within the time limit of {time_limit_s:g} s "
            f"({res.message}); raise time_limit_s"
        )
    status = "optimal" if res.status == 0 else "time_limit"
    if status == "time_limit":
        log.warning("time limit of %g s reached: best opening found, not proven", time_limit_s)
    opened = cand[res.x[:n_x] > 0.5]
    return problem.result("milp", status, list(opened), None)


def greedy_covering(
    times_s: pd.DataFrame | np.ndarray,
    population: Sequence[float] | np.ndarray | pd.Series,
    *,
    k: int,
    within_s: float,
    existing: Sequence[Hashable] | np.ndarray = (),
) -> CoveringResult:
    """Open ``k`` candidate sites one at a time, each the one that adds the most people.

    The greedy answer to :func:`maximal_covering`'s question (ties go to the first candidate
    in column order): never more people than the exact answer, often fewer.

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
    problem = _problem(times_s, population, k=k, within_s=within_s, existing=existing)
    cand = problem.candidates
    left = np.where(problem.before, 0.0, problem.population)
    covers = problem.covers[:, cand].astype(float)
    taken = np.zeros(len(cand), dtype=bool)
    opened: list[int] = []
    gains: list[float] = []
    for _ in range(problem.k):
        added = np.where(taken, -np.inf, left @ covers)
        best = int(np.argmax(added))
        taken[best] = True
        opened.append(int(cand[best]))
        gains.append(float(added[best]))
        left = np.where(problem.covers[:, cand[best]], 0.0, left)
    return problem.result("greedy", "greedy", opened, gains)


def _problem(
    times_s: pd.DataFrame | np.ndarray,
    population: Sequence[float] | np.ndarray | pd.Series,
    *,
    k: int,
    within_s: float,
    existing: Sequence[Hashable] | np.ndarray,
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
    n_cand = int((~mask).sum())
    if not 0 <= int(k) <= n_cand or int(k) != k:
        raise PlannerInputError(
            f"cannot open {k} of {n_cand} candidate sites", field="k",
            hint=f"open between 0 and {n_cand} sites, or give more candidates",
        )  # fmt: skip
    with np.errstate(invalid="ignore"):
        covers = values <= within_s  # NaN (no way) covers nothing
    before = covers[:, mask].any(axis=1)
    return _Problem(sites, covers, weights, mask, before, float(within_s), int(k))


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
