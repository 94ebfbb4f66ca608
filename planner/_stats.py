"""Weighted statistics shared by the scores and the people's access."""

from __future__ import annotations

import math

import numpy as np


def weighted_mean(values: np.ndarray, weights: np.ndarray, *, zero_weights: str = "nan") -> float:
    """Return the weighted mean of ``values``.

    Parameters
    ----------
    values, weights : numpy.ndarray
        Values and their weights, aligned (computed in float64).
    zero_weights : str, default "nan"
        What the mean is when the weights sum to 0 or less: ``"nan"`` (no one to weigh), or
        ``"mean"`` (the plain mean of the values: each counts the same).

    Returns
    -------
    float
        The weighted mean; NaN for no values at all.

    Examples
    --------
    >>> import numpy as np
    >>> weighted_mean(np.array([10.0, 20.0]), np.array([3.0, 1.0]))
    12.5
    >>> weighted_mean(np.array([10.0, 20.0]), np.zeros(2))
    nan
    >>> weighted_mean(np.array([10.0, 20.0]), np.zeros(2), zero_weights="mean")
    15.0
    """
    if zero_weights not in ("nan", "mean"):
        raise ValueError(f"zero_weights is 'nan' or 'mean', not {zero_weights!r}")
    v = np.asarray(values, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    total = w.sum()
    if len(v) and total > 0:
        return float((v * w).sum() / total)
    if len(v) and zero_weights == "mean":
        return float(v.mean())
    return math.nan


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Return the least value within which at least ``q`` of the weight lies (no interpolation).

    Parameters
    ----------
    values, weights : numpy.ndarray
        Values and their weights, aligned.
    q : float
        The share of the weight, 0 to 1.

    Returns
    -------
    float
        That value; NaN when the weights sum to 0 or less.

    Examples
    --------
    >>> import numpy as np
    >>> weighted_quantile(np.array([30.0, 10.0, 20.0]), np.array([1.0, 1.0, 2.0]), 0.5)
    20.0
    """
    if weights.sum() <= 0:
        return float("nan")
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    k = int(np.searchsorted(cumulative, q * cumulative[-1] - 1e-9 * cumulative[-1]))
    return float(values[order][min(k, len(order) - 1)])
