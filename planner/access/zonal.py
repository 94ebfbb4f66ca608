"""Coverage and zonal statistics of the cells' times.

Coverage counts the people within given minutes of their sister hospital and of their nearest
one, overall and per hospital, district and unit; zonal statistics give population-weighted
means and 90th percentiles per unit, district or hospital, beside the same figures computed from
the units' points, so a planner sees where points mislead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from planner._stats import weighted_mean, weighted_quantile
from planner.access.cells import CellAccess
from planner.errors import PlannerInputError

#: Default coverage thresholds, minutes.
DEFAULT_MINUTES = (15, 30, 45, 60, 90, 120)
#: Quantile of the population-weighted times reported besides the mean.
QUANTILE = 0.9
_COVERAGE_COLUMNS = (
    "minutes",
    "population",
    "within_sister",
    "share_sister",
    "within_nearest",
    "share_nearest",
    "share_sister_points",
    "share_nearest_points",
)
_ZONAL_COLUMNS = (
    "population",
    "population_not_reached",
    "mean_time_to_sister_s",
    "p90_time_to_sister_s",
    "max_time_to_sister_s",
    "mean_time_to_nearest_s",
    "p90_time_to_nearest_s",
    "points_mean_time_to_sister_s",
    "points_minus_cells_s",
)


@dataclass(frozen=True)
class Coverage:
    """Population within thresholds of its sister and of its nearest hospital.

    Each table has ``minutes``, ``population``, ``within_sister``, ``share_sister``,
    ``within_nearest``, ``share_nearest`` (people on the grid) and ``share_sister_points``,
    ``share_nearest_points`` (the same shares counting each unit's census at its point).
    ``per_hospital`` counts, for ``hospital_id``, the people it is sister to (sister columns)
    and the people it is nearest to (nearest columns).

    Attributes
    ----------
    minutes
        The thresholds.
    overall, per_hospital, per_district, per_unit
        Coverage tables (the last three keyed by ``hospital_id``, ``district``, ``unit_id``).
    zonal
        :func:`zonal_statistics` by ``"overall"``, ``"hospital"``, ``"district"`` and ``"unit"``.
    attribution
        Credit line of the population data.

    Examples
    --------
    Two hospitals and three wards on the OSM fixture of the streets by Văn Miếu (the wards'
    people in round figures):

    >>> import pandas as pd
    >>> from planner.config import data_file
    >>> from planner.roads.network import load_network
    >>> graph = load_network(data_file("fixtures/van_mieu_osm.osm"))
    >>> fac = pd.DataFrame(
    ...     {"facility_id": ["xanh-pon", "trang-an", "cat-linh", "van-mieu", "dien-bien"],
    ...      "level": ["regional"] * 2 + ["commune"] * 3,
    ...      "district": ["Ba Đình", "Đống Đa", "Đống Đa", "Đống Đa", "Ba Đình"],
    ...      "lat": [21.0313, 21.0257, 21.0290, 21.0255, 21.0330],
    ...      "lon": [105.8352, 105.8350, 105.8283, 105.8320, 105.8380],
    ...      "population": [None, None, 12_000, 9_000, 10_000]})
    >>> from planner.access import cell_access
    >>> cover = coverage(cell_access(graph, fac), minutes=[3, 5])
    >>> cover.minutes, sorted(cover.zonal)
    ((3.0, 5.0), ['district', 'hospital', 'overall', 'unit'])
    """

    minutes: tuple[float, ...]
    overall: pd.DataFrame
    per_hospital: pd.DataFrame
    per_district: pd.DataFrame
    per_unit: pd.DataFrame
    zonal: dict[str, pd.DataFrame] = field(default_factory=dict)
    attribution: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary for ``scores.json``: overall coverage and zonal figures."""
        overall = self.zonal["overall"].iloc[0]
        curve = self.overall[
            ["minutes", "share_sister", "share_nearest", "share_sister_points",
             "share_nearest_points"]
        ]  # fmt: skip
        return {
            "coverage": [{k: float(v) for k, v in row.items()} for row in curve.to_dict("records")],
            **{k: float(overall[k]) for k in _ZONAL_COLUMNS},
            "attribution": self.attribution,
        }


def coverage(access: CellAccess, *, minutes: Sequence[float] = DEFAULT_MINUTES) -> Coverage:
    """Coverage tables and zonal statistics of a :class:`CellAccess`.

    Parameters
    ----------
    access : CellAccess
        From :func:`cell_access`, with the sister hospitals of a pairing.
    minutes : sequence of float
        Coverage thresholds in minutes (default :data:`DEFAULT_MINUTES`: 15 to 120).

    Returns
    -------
    Coverage
        The coverage tables overall, per hospital, district and unit, the zonal statistics
        and the population data's credit line.

    Raises
    ------
    PlannerInputError
        No threshold, or a negative one.

    Examples
    --------
    Two hospitals and three wards on the OSM fixture of the streets by Văn Miếu (the wards'
    people in round figures):

    >>> import pandas as pd
    >>> from planner.config import data_file
    >>> from planner.roads.network import load_network
    >>> graph = load_network(data_file("fixtures/van_mieu_osm.osm"))
    >>> fac = pd.DataFrame(
    ...     {"facility_id": ["xanh-pon", "trang-an", "cat-linh", "van-mieu", "dien-bien"],
    ...      "level": ["regional"] * 2 + ["commune"] * 3,
    ...      "district": ["Ba Đình", "Đống Đa", "Đống Đa", "Đống Đa", "Ba Đình"],
    ...      "lat": [21.0313, 21.0257, 21.0290, 21.0255, 21.0330],
    ...      "lon": [105.8352, 105.8350, 105.8283, 105.8320, 105.8380],
    ...      "population": [None, None, 12_000, 9_000, 10_000]})
    >>> from planner.access import cell_access
    >>> cov = coverage(cell_access(graph, fac), minutes=[3, 5])
    >>> cov.overall["share_nearest"].is_monotonic_increasing
    True
    """
    thresholds = tuple(float(m) for m in minutes)
    if not thresholds or any(m < 0 for m in thresholds):
        raise PlannerInputError(
            "coverage needs one or more thresholds of 0 minutes or more",
            field="minutes",
            hint="e.g. 15, 30, 45, 60, 90, 120",
        )
    return Coverage(
        minutes=thresholds,
        overall=coverage_table(access, minutes=thresholds),
        per_hospital=coverage_table(access, minutes=thresholds, by="hospital"),
        per_district=coverage_table(access, minutes=thresholds, by="district"),
        per_unit=coverage_table(access, minutes=thresholds, by="unit"),
        zonal={
            by: zonal_statistics(access, by=by)
            for by in ("overall", "hospital", "district", "unit")
        },
        attribution=access.attribution,
    )


def coverage_table(
    access: CellAccess, *, minutes: Sequence[float] = DEFAULT_MINUTES, by: str | None = None
) -> pd.DataFrame:
    """People within each threshold of their sister and of their nearest hospital.

    Parameters
    ----------
    access
        From :func:`cell_access`.
    minutes
        Thresholds in minutes (any list).
    by
        ``None`` (overall), ``"hospital"``, ``"district"`` or ``"unit"``.

    Returns
    -------
    pandas.DataFrame
        ``[key,] minutes, population, within_sister, share_sister, within_nearest,
        share_nearest, share_sister_points, share_nearest_points`` (see :class:`Coverage`).
        A person not reached counts as not within any threshold.

    Raises
    ------
    PlannerInputError
        An unknown ``by``.

    Examples
    --------
    A pairing that sends every ward to Xanh Pôn leaves fewer people near their sister than
    near their nearest hospital (two hospitals and three wards on the OSM fixture of the
    streets by Văn Miếu, the wards' people in round figures):

    >>> import pandas as pd
    >>> from planner.config import data_file
    >>> from planner.roads.network import load_network
    >>> graph = load_network(data_file("fixtures/van_mieu_osm.osm"))
    >>> fac = pd.DataFrame(
    ...     {"facility_id": ["xanh-pon", "trang-an", "cat-linh", "van-mieu", "dien-bien"],
    ...      "level": ["regional"] * 2 + ["commune"] * 3,
    ...      "district": ["Ba Đình", "Đống Đa", "Đống Đa", "Đống Đa", "Ba Đình"],
    ...      "lat": [21.0313, 21.0257, 21.0290, 21.0255, 21.0330],
    ...      "lon": [105.8352, 105.8350, 105.8283, 105.8320, 105.8380],
    ...      "population": [None, None, 12_000, 9_000, 10_000]})
    >>> from planner.access import cell_access
    >>> units = fac[fac.level != "regional"]
    >>> everyone_to_xanhpon = pd.DataFrame({"unit_id": units.facility_id,
    ...                                     "hospital_id": "xanh-pon"})
    >>> access = cell_access(graph, fac, everyone_to_xanhpon)
    >>> table = coverage_table(access, minutes=[3, 5])
    >>> table[["minutes", "share_sister", "share_nearest"]].round(2).values.tolist()
    [[3.0, 0.1, 0.46], [5.0, 0.66, 0.77]]
    >>> coverage_table(access, minutes=[5], by="hospital")["hospital_id"].tolist()
    ['xanh-pon', 'trang-an']
    """
    cells, units = access.cells, access.units
    thresholds = np.asarray([float(m) for m in minutes])
    limit = thresholds * 60.0
    pop = cells["population"].to_numpy()
    sister = cells["time_to_sister_s"].to_numpy()
    nearest = cells["time_to_nearest_s"].to_numpy()
    upop = units["population"].to_numpy()
    usister = units["point_time_to_sister_s"].to_numpy()
    unearest = units["point_time_to_nearest_s"].to_numpy()
    keys: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
    if by is None:
        keys["all"] = (np.ones(len(cells), bool),) * 2 + (np.ones(len(units), bool),) * 2
    elif by == "hospital":
        for h in access.hospital_times_s.columns:
            keys[h] = (
                (cells["sister_hospital_id"] == h).to_numpy(),
                (cells["nearest_hospital_id"] == h).to_numpy(),
                (units["sister_hospital_id"] == h).to_numpy(),
                (units["point_nearest_hospital_id"] == h).to_numpy(),
            )
    elif by in ("district", "unit"):
        column = "district" if by == "district" else "unit_id"
        # index arrays from one grouping (masks per key would cost keys x cells)
        c_rows, u_rows = _rows_by(cells[column]), _rows_by(units[column])
        none = np.zeros(0, dtype=np.int64)
        for key in pd.unique(cells[column].dropna()):
            c, u = c_rows[key], u_rows.get(key, none)
            keys[key] = (c, c, u, u)
    else:
        raise PlannerInputError(
            f"unknown grouping {by!r}", field="by", hint="use hospital, district or unit"
        )
    n = len(thresholds)
    columns: dict[str, list] = {name: [] for name in ("key", *_COVERAGE_COLUMNS)}

    def within(times: np.ndarray, people: np.ndarray) -> np.ndarray:
        # thresholds x rows, each threshold's row summed contiguously (pairwise, as a column)
        return ((times[None, :] <= limit[:, None]) * people[None, :]).sum(axis=1)

    for key, (cs, cn, us, un) in keys.items():
        within_s, within_n = within(sister[cs], pop[cs]), within(nearest[cn], pop[cn])
        points_s, points_n = within(usister[us], upop[us]), within(unearest[un], upop[un])
        total_s, total_n = pop[cs].sum(), pop[cn].sum()
        columns["key"] += [key] * n
        columns["minutes"] += list(thresholds)
        columns["population"] += [total_s] * n
        columns["within_sister"] += list(within_s)
        columns["share_sister"] += list(_shares(within_s, total_s))
        columns["within_nearest"] += list(within_n)
        columns["share_nearest"] += list(_shares(within_n, total_n))
        columns["share_sister_points"] += list(_shares(points_s, upop[us].sum()))
        columns["share_nearest_points"] += list(_shares(points_n, upop[un].sum()))
    table = pd.DataFrame(columns)
    if by is None:
        return table.drop(columns="key")
    if by == "hospital":  # the population a hospital is sister to, and nearest to
        table.insert(3, "population_nearest", [pop[keys[k][1]].sum() for k in table["key"]])
    name = {"hospital": "hospital_id", "district": "district", "unit": "unit_id"}[by]
    return table.rename(columns={"key": name})


def zonal_statistics(access: CellAccess, *, by: str = "unit") -> pd.DataFrame:
    """Population-weighted travel-time statistics from the cells, beside the units' points.

    Parameters
    ----------
    access
        From :func:`cell_access`.
    by
        ``"overall"``, ``"hospital"`` (the people a hospital is sister to), ``"district"`` or
        ``"unit"``.

    Returns
    -------
    pandas.DataFrame
        ``[key,] population, population_not_reached, mean_time_to_sister_s,
        p90_time_to_sister_s, max_time_to_sister_s, mean_time_to_nearest_s,
        p90_time_to_nearest_s, points_mean_time_to_sister_s, points_minus_cells_s``: means and
        the 90th percentile (the least time within which 90 % of the reached people live) over
        the reached people; the ``points_`` figure weighs each unit's census by its point's
        time, and ``points_minus_cells_s`` is how much the points understate (negative) or
        overstate (positive) the cells' mean.

    Raises
    ------
    PlannerInputError
        An unknown ``by``.

    Examples
    --------
    Every ward paired with Xanh Pôn: the people's mean trip to it, and to their nearest
    hospital, in minutes; the wards' points understate the trip to Xanh Pôn (two hospitals and
    three wards on the OSM fixture of the streets by Văn Miếu, the wards' people in round
    figures):

    >>> import pandas as pd
    >>> from planner.config import data_file
    >>> from planner.roads.network import load_network
    >>> graph = load_network(data_file("fixtures/van_mieu_osm.osm"))
    >>> fac = pd.DataFrame(
    ...     {"facility_id": ["xanh-pon", "trang-an", "cat-linh", "van-mieu", "dien-bien"],
    ...      "level": ["regional"] * 2 + ["commune"] * 3,
    ...      "district": ["Ba Đình", "Đống Đa", "Đống Đa", "Đống Đa", "Ba Đình"],
    ...      "lat": [21.0313, 21.0257, 21.0290, 21.0255, 21.0330],
    ...      "lon": [105.8352, 105.8350, 105.8283, 105.8320, 105.8380],
    ...      "population": [None, None, 12_000, 9_000, 10_000]})
    >>> from planner.access import cell_access
    >>> units = fac[fac.level != "regional"]
    >>> everyone_to_xanhpon = pd.DataFrame({"unit_id": units.facility_id,
    ...                                     "hospital_id": "xanh-pon"})
    >>> access = cell_access(graph, fac, everyone_to_xanhpon)
    >>> overall = zonal_statistics(access, by="overall").iloc[0]
    >>> overall[["mean_time_to_sister_s", "mean_time_to_nearest_s"]].div(60).round(1).tolist()
    [4.4, 3.8]
    >>> bool(overall["points_minus_cells_s"] < 0)
    True
    >>> zonal_statistics(access, by="district")["district"].tolist()
    ['Ba Đình', 'Đống Đa']
    """
    cells, units = access.cells, access.units
    if by == "overall":
        groups = {"all": (np.ones(len(cells), bool), np.ones(len(units), bool))}
        name = None
    elif by in ("hospital", "district", "unit"):
        column = {"hospital": "sister_hospital_id", "district": "district", "unit": "unit_id"}[by]
        c_rows, u_rows = _rows_by(cells[column]), _rows_by(units[column])
        none = np.zeros(0, dtype=np.int64)
        groups = {
            key: (c_rows[key], u_rows.get(key, none)) for key in pd.unique(cells[column].dropna())
        }
        name = {"hospital": "hospital_id", "district": "district", "unit": "unit_id"}[by]
    else:
        raise PlannerInputError(
            f"unknown grouping {by!r}", field="by", hint="use overall, hospital, district or unit"
        )
    pop = cells["population"].to_numpy()
    reached = cells["reached"].to_numpy()
    all_sister = cells["time_to_sister_s"].to_numpy()
    all_nearest = cells["time_to_nearest_s"].to_numpy()
    unit_times = units["point_time_to_sister_s"].to_numpy()
    unit_people = units["population"].to_numpy()
    rows = []
    for key, (c, u) in groups.items():
        c = np.flatnonzero(c) if c.dtype == bool else c
        r = c[reached[c]]
        sister = all_sister[r]
        nearest = all_nearest[r]
        weight = pop[r]
        points_t = unit_times[u]
        points_w = unit_people[u]
        ok = np.isfinite(points_t)
        row = {
            "key": key,
            "population": pop[c].sum(),
            "population_not_reached": pop[c[~reached[c]]].sum(),
            "mean_time_to_sister_s": weighted_mean(sister, weight),
            "p90_time_to_sister_s": weighted_quantile(sister, weight, QUANTILE),
            "max_time_to_sister_s": float(np.nanmax(sister))
            if np.isfinite(sister).any()
            else np.nan,
            "mean_time_to_nearest_s": weighted_mean(nearest, weight),
            "p90_time_to_nearest_s": weighted_quantile(nearest, weight, QUANTILE),
            "points_mean_time_to_sister_s": weighted_mean(points_t[ok], points_w[ok]),
        }
        row["points_minus_cells_s"] = (
            row["points_mean_time_to_sister_s"] - row["mean_time_to_sister_s"]
        )
        rows.append(row)
    table = pd.DataFrame(rows, columns=["key", *_ZONAL_COLUMNS])
    if name is None:
        return table.drop(columns="key")
    return table.rename(columns={"key": name}).sort_values(name, ignore_index=True)


def _rows_by(values: pd.Series) -> dict[Any, np.ndarray]:
    """Row positions of each distinct value (missing values left out)."""
    return {
        k: np.asarray(v)
        for k, v in values.reset_index(drop=True).groupby(values.to_numpy()).indices.items()
    }


def _shares(parts: np.ndarray, whole: float) -> np.ndarray:
    return parts / whole if whole > 0 else np.full(len(parts), np.nan)
