"""Where the Hanoi units' locations come from: the order of the sources and how many units
each located.

:data:`LOCATION_ORDER` is the order in which a unit's location is looked for (see
:mod:`planner.places.hanoi`); :func:`location_summary` counts a facility table's units per
level and source.
"""

from __future__ import annotations

import pandas as pd

from planner.places.facility_schema import LOCATION_SOURCES

#: Where a unit's location comes from, best first (``location_source``; see the module doc):
#: the facility vocabulary without the positions only a user gives (``official``, ``manual``).
LOCATION_ORDER = tuple(s for s in LOCATION_SOURCES if s not in ("official", "manual"))


def location_summary(facilities: pd.DataFrame) -> pd.DataFrame:
    """Count units per level and ``location_source``, and the communes sharing a point.

    Parameters
    ----------
    facilities : pandas.DataFrame
        A facility table with ``level``, ``location_source``, ``lat`` and ``lon`` (e.g. from
        :func:`hanoi_facilities`).

    Returns
    -------
    pandas.DataFrame
        One row per level with a column per location source (every one of
        :data:`LOCATION_ORDER`, then any other found) and ``shared_point`` (communes whose
        point another commune also has).

    Examples
    --------
    >>> import warnings
    >>> from planner.places.hanoi.registry import hanoi_facilities
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     summary = location_summary(hanoi_facilities(scheme="2024"))
    >>> int(summary.loc["district", "district_centroid"])
    0
    """
    counts = pd.crosstab(facilities["level"], facilities["location_source"])
    others = [c for c in counts.columns if c not in LOCATION_ORDER]
    counts = counts.reindex(columns=[*LOCATION_ORDER, *others], fill_value=0)
    communes = facilities[facilities["level"] == "commune"]
    shared = int(communes.duplicated(["lat", "lon"], keep=False).sum())
    counts["shared_point"] = 0
    if "commune" in counts.index:
        counts.loc["commune", "shared_point"] = shared
    return counts
