"""The cells' tables and files: the ``cells`` section of ``scores.json``, ``access_cells.csv``,
``coverage.csv`` and ``access.json``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.access.cells import CellAccess
from planner.access.zonal import Coverage, coverage_table, zonal_statistics

#: A unit's point misleads when its time is this many minutes off its people's mean.
MISLED_MINUTES = 5
_MISLED_LISTED = 10


def cells_summary(
    access: CellAccess,
    cover: Coverage,
    *,
    curve_minutes: Sequence[float] = tuple(range(0, 181, 5)),
) -> dict[str, Any]:
    """The cell-based figures of a run, JSON-ready (``scores.json``'s ``cells`` section).

    Parameters
    ----------
    access, cover
        From :func:`cell_access` (with the run's pairing) and :func:`coverage`.
    curve_minutes
        Where to sample the coverage curve (the report's chart).

    Returns
    -------
    dict
        What was computed (:meth:`CellAccess.summary`: mode, departure, pieces, people, the
        grid and whether it is ``calibrated`` to the census), the coverage at each threshold
        (people on the grid and at the units' points), the population-weighted mean and 90th
        percentile from cells, ``curve`` (the share of people within each minute of
        ``curve_minutes`` of their sister and of their nearest hospital, from cells and from
        the points), ``per_district`` (the zonal table: people, mean and p90 from cells, the
        share within 60 minutes, the points' mean and the difference), ``units_misled`` (how
        many units' points are more than :data:`MISLED_MINUTES` off their people's mean, and
        the units where they are most) and the data's ``attribution``.

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
    >>> from planner.access import cell_access, coverage
    >>> units = fac[fac.level != "regional"]
    >>> everyone_to_xanhpon = pd.DataFrame({"unit_id": units.facility_id,
    ...                                     "hospital_id": "xanh-pon"})
    >>> access = cell_access(graph, fac, everyone_to_xanhpon)
    >>> summary = cells_summary(access, coverage(access), curve_minutes=[3, 5])
    >>> summary["calibrated"], summary["census_total"], len(summary["per_district"])
    (True, 31000, 2)
    >>> [(row["minutes"], round(row["share_sister"], 2)) for row in summary["curve"]]
    [(3.0, 0.1), (5.0, 0.66)]
    """
    from planner._json import json_safe

    curve = coverage_table(access, minutes=curve_minutes)[
        ["minutes", "share_sister", "share_nearest", "share_sister_points",
         "share_nearest_points"]
    ]  # fmt: skip
    overall = cover.overall.copy()
    districts = zonal_statistics(access, by="district")
    within = coverage_table(access, minutes=[60], by="district").set_index("district")
    districts["share_sister_60min"] = districts["district"].map(within["share_sister"])
    districts["share_sister_points_60min"] = districts["district"].map(
        within["share_sister_points"]
    )
    units = zonal_statistics(access, by="unit")
    off = units["points_minus_cells_s"].abs()
    worst = units.loc[off.sort_values(ascending=False).index[:_MISLED_LISTED]]
    misled = {
        "minutes": MISLED_MINUTES,
        "units": int(off.notna().sum()),
        "count": int((off > 60.0 * MISLED_MINUTES).sum()),
        "worst": worst[["unit_id", "population", "mean_time_to_sister_s",
                        "points_mean_time_to_sister_s", "points_minus_cells_s"]].to_dict("records"),
    }  # fmt: skip
    summary = access.summary()
    grid = summary["population_grid"]
    document = {
        **summary,
        **cover.to_dict(),
        "coverage": overall.to_dict("records"),
        "calibrated": grid["calibrated"],
        "census_total": grid["census_total"],
        "curve": curve.to_dict("records"),
        "per_district": districts.to_dict("records"),
        "units_misled": misled,
        "attribution": access.attribution,
    }
    return json_safe(document)


def access_tables(access: CellAccess, cover: Coverage) -> dict[str, pd.DataFrame]:
    """The tables of ``access_cells.csv`` and ``coverage.csv``, as written.

    ``access_cells.csv``: :data:`ACCESS_COLUMNS`, one row per populated piece, coordinates
    to 6 decimals, whole people when calibrated. ``coverage.csv``: ``minutes``,
    ``share_sister``, ``share_nearest`` (of the people on the grid), then the people counted
    (``population``, ``within_sister``, ``within_nearest``) and the same shares counting each
    unit's people at its point (``share_sister_points``, ``share_nearest_points``).

    Parameters
    ----------
    access : CellAccess
        From :func:`cell_access`, with the sister hospitals of a pairing.
    cover : Coverage
        Its :func:`coverage`.

    Returns
    -------
    dict
        ``{"access_cells.csv": table, "coverage.csv": table}`` (pandas DataFrames, the
        shares as text with 6 decimals).

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
    >>> from planner.access import cell_access, coverage
    >>> units = fac[fac.level != "regional"]
    >>> everyone_to_xanhpon = pd.DataFrame({"unit_id": units.facility_id,
    ...                                     "hospital_id": "xanh-pon"})
    >>> access = cell_access(graph, fac, everyone_to_xanhpon)
    >>> tables = access_tables(access, coverage(access, minutes=[3, 5]))
    >>> len(tables["access_cells.csv"]), tables["access_cells.csv"].loc[0, "lat"]
    (16, '21.033178')
    >>> tables["coverage.csv"][["minutes", "share_sister", "population"]].values.tolist()
    [[3, '0.102387', 31000], [5, '0.661484', 31000]]
    """
    cells = access.table()
    for column in ("lat", "lon"):
        cells[column] = cells[column].map("{:.6f}".format)
    overall = cover.overall.copy()
    if access.grid.calibrated:
        cells["population"] = cells["population"].round().astype("int64")
        for column in ("population", "within_sister", "within_nearest"):
            overall[column] = overall[column].round().astype("int64")
    minutes = overall["minutes"].to_numpy()
    if np.all(minutes == np.round(minutes)):
        overall["minutes"] = minutes.astype("int64")
    for column in [c for c in overall.columns if c.startswith("share_")]:
        # finer than the CSV's default; empty where there is no one to share
        overall[column] = overall[column].map(lambda v: f"{v:.6f}" if np.isfinite(v) else "")
    first = ["minutes", "share_sister", "share_nearest"]
    overall = overall[first + [c for c in overall.columns if c not in first]]
    return {"access_cells.csv": cells, "coverage.csv": overall}


def write_access(access: CellAccess, cover: Coverage, out: str | Path) -> dict[str, Path]:
    """Write ``access_cells.csv``, ``coverage.csv`` and ``access.json`` into a folder.

    ``access_cells.csv`` has :data:`ACCESS_COLUMNS` (one row per cell piece; coordinates to
    6 decimals, whole people when calibrated); ``coverage.csv`` the overall coverage table;
    ``access.json`` what was computed, the zonal figures and the population data's credit line.
    Every file is written atomically.

    Parameters
    ----------
    access : CellAccess
        From :func:`cell_access`, with the sister hospitals of a pairing.
    cover : Coverage
        Its :func:`coverage`.
    out : str or pathlib.Path
        The output folder (created if needed).

    Returns
    -------
    dict
        File name → path.

    Examples
    --------
    Two hospitals and three wards on the OSM fixture of the streets by Văn Miếu (the wards'
    people in round figures):

    >>> import os, tempfile
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
    >>> from planner.access import cell_access, coverage
    >>> units = fac[fac.level != "regional"]
    >>> everyone_to_xanhpon = pd.DataFrame({"unit_id": units.facility_id,
    ...                                     "hospital_id": "xanh-pon"})
    >>> access = cell_access(graph, fac, everyone_to_xanhpon)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     paths = write_access(access, coverage(access), folder)
    ...     sorted(os.listdir(folder)), list(paths)  # doctest: +NORMALIZE_WHITESPACE
    (['access.json', 'access_cells.csv', 'coverage.csv'],
     ['access_cells.csv', 'coverage.csv', 'access.json'])
    """
    from planner.io.atomic import write_json
    from planner.io.spreadsheet import write_csv

    out = Path(out)
    tables = access_tables(access, cover)
    document = {
        "access": access.summary(),
        "coverage": cover.to_dict(),
        "zonal_by_district": cover.zonal["district"].to_dict("records"),
        "attribution": [access.attribution, "© OpenStreetMap contributors"],
    }
    paths = {name: write_csv(table, out / name) for name, table in tables.items()}
    return {**paths, "access.json": write_json(document, out / "access.json")}
