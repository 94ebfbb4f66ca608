"""Who is left behind: how unequal the people's travel times are, overall, urban and rural.

Pure functions of travel times and the people they weigh (populated cell pieces, each a
time and its people), population-weighted throughout:

``gini``
    The Gini coefficient of the times: half the mean absolute difference between two people's
    times over the mean time, ``sum_ij w_i w_j |t_i - t_j| / (2 W^2 mean)`` (0: everyone as
    far; towards 1: a few people carry all the distance).
``palma``
    The mean time of the farthest 10 % of people over that of the nearest 40 %. The people are
    ranked by time; a cell that straddles a boundary is split there, its people counted on
    each side in proportion (the weighted quantile shares), so the figure does not jump with
    the cells' sizes.
``fgt0``, ``fgt1``, ``fgt2``
    The Foster-Greer-Thorbecke indices beyond a threshold ``T``: ``fgt0`` the share of people
    beyond ``T`` (``t > T``), ``fgt1`` the mean of ``max(0, (t - T) / T)`` (how far beyond, on
    average over everyone), ``fgt2`` the mean of its square (weighing the farthest most).

A cell with no time (not reached by the roads) is left out of the figures and counted in
``population_unreached``. :func:`equity_figures` gives them all for one set of times;
:func:`equity_by_kind` again for the urban and the rural units (:func:`unit_kinds`: a unit
whose name starts with ``Phường`` or ``Thị trấn`` is urban, with ``Xã`` rural, read from the
facility table's ``commune`` column, else its ``name``); :func:`access_equity` is the
``equity`` section of ``scores.json`` (the times to the sister and to the nearest hospital).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from planner._vn import fold

if TYPE_CHECKING:
    from planner.access.cells import CellAccess

#: The threshold of the FGT indices, minutes (an hour from the hospital).
DEFAULT_THRESHOLD_MIN = 60.0
#: The kinds of unit the figures are given again for.
UNIT_KINDS = ("urban", "rural")
#: The rule that tells a unit's kind, in words (``scores.json`` states it).
KIND_RULE = (
    "urban: units whose name starts with 'Phường' or 'Thị trấn'; rural: 'Xã' (the facility "
    "table's commune column, else the unit's name)"
)
#: The farthest and the nearest shares of people the Palma ratio compares.
PALMA_TOP, PALMA_BOTTOM = 0.10, 0.40


def gini(times: np.ndarray, population: np.ndarray) -> float:
    """Return the population-weighted Gini coefficient of ``times``.

    Parameters
    ----------
    times, population : numpy.ndarray
        One time and its people per cell (no NaN: leave unreached cells out).

    Returns
    -------
    float
        Between 0 and 1; NaN without people or when every time is 0.

    Examples
    --------
    Half the people at 10 minutes, half at 30: the mean difference is 10, the mean 20:

    >>> gini(np.array([10.0, 30.0]), np.array([50.0, 50.0]))
    0.25
    """
    t, w = _sorted(times, population)
    total, weighted = w.sum(), (w * t).sum()
    if total <= 0 or weighted <= 0:
        return math.nan
    # sum over pairs i < j of w_i w_j (t_j - t_i), from the running sums before each cell
    before_w = np.cumsum(w) - w
    before_wt = np.cumsum(w * t) - w * t
    pairs = float((w * (t * before_w - before_wt)).sum())
    return float(pairs / (total * weighted))


def palma(times: np.ndarray, population: np.ndarray) -> float:
    """Return the mean time of the farthest 10 % of people over that of the nearest 40 %.

    Parameters
    ----------
    times, population : numpy.ndarray
        One time and its people per cell (no NaN). A cell straddling a boundary is split at
        it, in proportion to its people.

    Returns
    -------
    float
        NaN without people or when the nearest 40 % are at time 0.

    Examples
    --------
    Ten people: four at 5 minutes, five at 10, one at 40:

    >>> palma(np.array([5.0, 10.0, 40.0]), np.array([4.0, 5.0, 1.0]))
    8.0
    """
    t, w = _sorted(times, population)
    total = w.sum()
    if total <= 0:
        return math.nan
    nearest = _mean_between(t, w, 0.0, PALMA_BOTTOM * total)
    farthest = _mean_between(t, w, (1 - PALMA_TOP) * total, total)
    return float(farthest / nearest) if nearest > 0 else math.nan


def fgt(times: np.ndarray, population: np.ndarray, *, threshold: float, alpha: int) -> float:
    """Return the Foster-Greer-Thorbecke index of order ``alpha`` beyond ``threshold``.

    Parameters
    ----------
    times, population : numpy.ndarray
        One time and its people per cell (no NaN).
    threshold : float
        ``T``, in the times' unit (more than 0).
    alpha : int
        0: the share of people beyond ``T``; 1: the mean of ``max(0, (t - T) / T)``; 2: the
        mean of its square.

    Returns
    -------
    float
        NaN without people.

    Examples
    --------
    >>> t, w = np.array([30.0, 90.0]), np.array([3.0, 1.0])
    >>> fgt(t, w, threshold=60, alpha=0), fgt(t, w, threshold=60, alpha=1)
    (0.25, 0.125)
    """
    t = np.asarray(times, dtype=float)
    w = np.asarray(population, dtype=float)
    total = w.sum()
    if total <= 0:
        return math.nan
    if alpha == 0:
        return float(w[t > threshold].sum() / total)
    gap = np.maximum(0.0, (t - threshold) / threshold)
    return float((w * gap**alpha).sum() / total)


def equity_figures(
    times_s: np.ndarray | pd.Series,
    population: np.ndarray | pd.Series,
    *,
    threshold_min: float = DEFAULT_THRESHOLD_MIN,
) -> dict[str, float]:
    """All the figures for one set of times: who is far, and how unequal it is.

    Parameters
    ----------
    times_s : array-like
        Each cell's time, seconds (NaN: not reached; left out and counted apart).
    population : array-like
        Each cell's people.
    threshold_min : float
        ``T`` of the FGT indices, minutes.

    Returns
    -------
    dict
        ``population`` (with a time), ``population_unreached``, ``mean_time_s``, ``gini``,
        ``palma``, ``fgt0``, ``fgt1``, ``fgt2``.

    Examples
    --------
    >>> figures = equity_figures(np.array([1800.0, 5400.0, np.nan]), np.array([3.0, 1.0, 2.0]))
    >>> figures["population"], figures["population_unreached"], figures["fgt0"]
    (4.0, 2.0, 0.25)
    """
    t = np.asarray(times_s, dtype=float)
    w = np.asarray(population, dtype=float)
    reached = np.isfinite(t)
    t, people = t[reached], w[reached]
    threshold_s = 60.0 * float(threshold_min)
    total = float(people.sum())
    return {
        "population": total,
        "population_unreached": float(w[~reached].sum()),
        "mean_time_s": float((t * people).sum() / total) if total > 0 else math.nan,
        "gini": gini(t, people),
        "palma": palma(t, people),
        "fgt0": fgt(t, people, threshold=threshold_s, alpha=0),
        "fgt1": fgt(t, people, threshold=threshold_s, alpha=1),
        "fgt2": fgt(t, people, threshold=threshold_s, alpha=2),
    }


def unit_kinds(facilities: pd.DataFrame) -> pd.Series:
    """Each unit's kind: ``"urban"`` (phường, thị trấn), ``"rural"`` (xã) or missing.

    Parameters
    ----------
    facilities : pandas.DataFrame
        ``facility_id`` and ``commune`` and/or ``name``: the commune column is read first
        (the Hanoi registry's ``Phường Phúc Xá``, ``Xã Ba Trại``), else the name.

    Returns
    -------
    pandas.Series
        Indexed by ``facility_id`` (text): ``"urban"``, ``"rural"`` or NA where the name says
        neither (district units, hospitals, a user's unit named otherwise).

    Examples
    --------
    >>> fac = pd.DataFrame({"facility_id": ["a", "b", "c", "d"],
    ...                     "commune": ["Phường Phúc Xá", "Xã Ba Trại", None, "Thị trấn Tây Đằng"],
    ...                     "name": ["", "", "Trung tâm Y tế huyện Ba Vì", ""]})
    >>> unit_kinds(fac).tolist()
    ['urban', 'rural', <NA>, 'urban']
    """
    ids = facilities["facility_id"].astype(str)
    names = pd.Series(pd.NA, index=facilities.index, dtype=object)
    for column in ("name", "commune"):  # the commune column wins where it is filled
        if column in facilities.columns:
            given = facilities[column].astype(object)
            filled = given.map(lambda v: isinstance(v, str) and bool(v.strip()))
            names = names.mask(filled, given)
    kinds = [_kind(name) for name in names]
    return pd.Series(kinds, index=pd.Index(ids.to_numpy(), name="facility_id"), dtype="string")


def equity_by_kind(
    times_s: np.ndarray | pd.Series,
    population: np.ndarray | pd.Series,
    kinds: np.ndarray | pd.Series,
    *,
    threshold_min: float = DEFAULT_THRESHOLD_MIN,
) -> dict[str, Any]:
    """:func:`equity_figures` for everyone, then again for each kind of unit.

    Parameters
    ----------
    times_s, population : array-like
        Each cell's time (s) and people.
    kinds : array-like
        Each cell's unit kind (``"urban"``, ``"rural"``, or missing: counted overall only).
    threshold_min : float
        ``T`` of the FGT indices, minutes.

    Returns
    -------
    dict
        The overall figures, with ``urban`` and ``rural`` holding each kind's (``None`` for a
        kind with no cell).

    Examples
    --------
    >>> figures = equity_by_kind(np.array([600.0, 4800.0]), np.array([10.0, 10.0]),
    ...                          np.array(["urban", "rural"]))
    >>> figures["fgt0"], figures["urban"]["fgt0"], figures["rural"]["fgt0"]
    (0.5, 0.0, 1.0)
    """
    t = np.asarray(times_s, dtype=float)
    w = np.asarray(population, dtype=float)
    kind = pd.Series(np.asarray(kinds, dtype=object)).astype("string")
    out: dict[str, Any] = equity_figures(t, w, threshold_min=threshold_min)
    for name in UNIT_KINDS:
        mine = (kind == name).fillna(False).to_numpy(dtype=bool)
        out[name] = (
            equity_figures(t[mine], w[mine], threshold_min=threshold_min) if mine.any() else None
        )
    return out


def access_equity(
    access: CellAccess, *, threshold_min: float = DEFAULT_THRESHOLD_MIN
) -> dict[str, Any]:
    """The ``equity`` section of ``scores.json``: who is left behind, by the sister hospital and
    by the nearest one.

    Parameters
    ----------
    access : CellAccess
        The run's cells with its pairing's sister hospitals
        (:meth:`planner.access.cells.CellAccess.with_pairings`).
    threshold_min : float
        ``T`` of the FGT indices, minutes.

    Returns
    -------
    dict
        ``threshold_min``, ``kind_rule``, and ``sister`` and ``nearest``: each
        :func:`equity_by_kind` of the populated cells' times (``time_to_sister_s``,
        ``time_to_nearest_s``).

    Examples
    --------
    >>> import warnings
    >>> from planner.places.hanoi import hanoi_facilities
    >>> from planner.access.cells import cell_access
    >>> from planner.roads.network import hanoi_network
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     fac = hanoi_facilities(scheme="2025")
    >>> units = fac[fac.level != "regional"]
    >>> to_xanhpon = pd.DataFrame({"unit_id": units.facility_id, "hospital_id": "hn-reg-xanhpon"})
    >>> access = cell_access(hanoi_network(), fac, to_xanhpon, district_units=False)
    >>> section = access_equity(access)
    >>> section["threshold_min"], section["sister"]["fgt0"] >= section["nearest"]["fgt0"]
    (60.0, True)
    >>> section["nearest"]["rural"]["fgt0"] > section["nearest"]["urban"]["fgt0"]
    True
    """
    cells = access.cells
    people = cells["population"].to_numpy(float)
    facilities = access.facilities if access.facilities is not None else pd.DataFrame()
    if "facility_id" in facilities.columns:
        kinds = cells["unit_id"].astype(str).map(unit_kinds(facilities)).to_numpy(dtype=object)
    else:
        kinds = np.full(len(cells), None, dtype=object)
    return {
        "threshold_min": float(threshold_min),
        "kind_rule": KIND_RULE,
        **{
            name: equity_by_kind(cells[column].to_numpy(float), people, kinds,
                                 threshold_min=threshold_min)
            for name, column in (("sister", "time_to_sister_s"), ("nearest", "time_to_nearest_s"))
        },
    }  # fmt: skip


def _kind(name: object) -> str | None:
    """``"urban"``, ``"rural"`` or ``None`` from a unit's name."""
    if not isinstance(name, str):
        return None
    folded = fold(name)
    if folded.startswith(("phuong ", "thi tran ")):
        return "urban"
    if folded.startswith("xa "):
        return "rural"
    return None


def _sorted(times: np.ndarray, population: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(times, dtype=float)
    w = np.asarray(population, dtype=float)
    order = np.argsort(t, kind="stable")
    return t[order], w[order]


def _mean_between(t: np.ndarray, w: np.ndarray, low: float, high: float) -> float:
    """The mean time of the people ranked between ``low`` and ``high`` (people counted from
    the nearest), a cell on a boundary split there."""
    if high <= low:
        return math.nan
    return (_time_up_to(t, w, high) - _time_up_to(t, w, low)) / (high - low)


def _time_up_to(t: np.ndarray, w: np.ndarray, rank: float) -> float:
    """The summed time of the ``rank`` nearest people (times sorted ascending)."""
    ends = np.cumsum(w)
    k = int(np.searchsorted(ends, rank, side="left"))  # the cell holding the rank-th person
    full = float((t[:k] * w[:k]).sum())
    if k >= len(t):
        return full
    start = ends[k] - w[k]
    return full + float(t[k]) * (rank - start)
