"""JSON-safe values for every JSON the planner writes (scores.json and friends)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd


def json_safe(value: Any) -> Any:
    """Return ``value`` with NaN/inf/NA as ``None`` and numpy scalars as Python numbers.

    Examples
    --------
    >>> json_safe({"a": np.float64("nan"), "b": [np.int64(3), pd.NA]})
    {'a': None, 'b': [3, None]}
    """
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
