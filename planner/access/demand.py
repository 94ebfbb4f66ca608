"""The people's demand: each unit's times to the hospitals from where its people live.

:func:`unit_cell_times` gives every unit's population-weighted mean time to every hospital, and
:func:`demand_matrix` a pairing matrix whose unit times are its people's, for
:func:`planner.pairing.propose.propose_pairings` (``planner propose --demand cells``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.access.cells import CellAccess
from planner.requests import TripRule


def unit_cell_times(access: CellAccess, *, trip: TripRule | None = None) -> pd.DataFrame:
    """Each unit's population-weighted mean time to every hospital, from its cells.

    The cost a planner would use to pair units by where their people live rather than by
    their points (a long table like a travel-time matrix). Only the reached pieces weigh.

    Parameters
    ----------
    access
        From :func:`cell_access`.
    trip
        The trip rule whose ``directions`` make the time: ``"both"`` (the mean of the two
        trips, as for a pair), ``"to_unit"`` (hospital → where the people live) or
        ``"to_hospital"`` (their trip to the hospital); ``None``: the cells' own
        (:attr:`CellAccess.trip`).

    Returns
    -------
    pandas.DataFrame
        ``unit_id``, ``hospital_id``, ``travel_time_s`` (NaN when none of the unit's people is
        reached), ``population``.

    Examples
    --------
    The people's mean trip to Xanh Pôn is more than a minute off the point's for some ward
    (two hospitals and three wards on the OSM fixture of the streets by Văn Miếu, the wards'
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
    >>> access = cell_access(graph, fac)
    >>> times = unit_cell_times(access)
    >>> people = times[times["hospital_id"] == "xanh-pon"].set_index("unit_id")
    >>> point = access.point_times_s["xanh-pon"]
    >>> len(people), bool((people["travel_time_s"] - point).abs().max() > 60)
    (3, True)
    """
    directions = (trip or access.trip).directions
    times = {
        "both": access.hospital_times_s,
        "to_unit": access.times_from_hospital_s,
        "to_hospital": access.times_to_hospital_s,
    }[directions]
    return _people_times(access, times, column="hospital_id")


def _people_times(access: CellAccess, times: pd.DataFrame, *, column: str) -> pd.DataFrame:
    """Each unit's population-weighted mean of ``times`` (pieces x hospitals or sites)."""
    cells = access.cells
    ok = cells["reached"].to_numpy()
    weight = cells["population"].to_numpy() * ok
    frame = times.mul(weight, axis=0).fillna(0.0).assign(unit_id=cells["unit_id"].to_numpy())
    sums = frame.groupby("unit_id").sum()
    people = pd.Series(weight).groupby(cells["unit_id"].to_numpy()).sum()
    mean = sums.div(people.replace(0, np.nan), axis=0)
    out = mean.reset_index().melt(id_vars="unit_id", var_name=column, value_name="travel_time_s")
    out["population"] = out["unit_id"].map(cells.groupby("unit_id")["population"].sum())
    return out


#: What a unit's cost to a hospital is when pairing: its point's trips, or its people's.
DEMANDS = ("points", "cells")


def demand_matrix(access: CellAccess, matrix: pd.DataFrame) -> pd.DataFrame:
    """A pairing matrix whose unit times are those of the people, where they live.

    Every hospital (site) → unit row of ``matrix`` takes the population-weighted mean of the
    site → piece times over the unit's reached pieces, every unit → site row the mean of the
    piece → site times; the mean of the two is then the mean of the people's pair
    times to that site (:func:`unit_cell_times` per site), so every ``directions`` rule of
    :func:`planner.pairing.scoring.pair_costs` applies as to points. A unit with no people of its own
    on the grid (a district health centre whose people are counted in its communes) or none
    reached keeps its point's times. Only ``travel_time_s`` changes (distances, nodes and
    snaps stay the points').

    Parameters
    ----------
    access
        From :func:`cell_access` at the matrix's departure time and mode.
    matrix
        A pairing matrix (:func:`planner.travel.matrix.pair_travel_times`).

    Returns
    -------
    pandas.DataFrame
        A copy of ``matrix`` with the people's times.

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
    >>> from planner.travel import pair_travel_times
    >>> points = pair_travel_times(graph, fac[fac.level == "regional"], fac[fac.level != "regional"])
    >>> people = demand_matrix(cell_access(graph, fac), points)
    >>> bool((people["travel_time_s"] - points["travel_time_s"]).abs().max() > 60)
    True
    """
    # the matrix's rows are per site (a hospital of several sites has one row per site)
    sites = set(access.times_from_site_s.columns)
    out = matrix.copy()
    origin = out["origin_id"].astype(str)
    destination = out["destination_id"].astype(str)
    for trips, mask, unit, site in (
        (access.times_from_site_s, origin.isin(sites), destination, origin),
        (access.times_to_site_s, destination.isin(sites), origin, destination),
    ):
        times = _people_times(access, trips, column="site_id").set_index(["unit_id", "site_id"])[
            "travel_time_s"
        ]
        keys = pd.MultiIndex.from_arrays([unit[mask], site[mask]])
        people = times.reindex(keys).to_numpy()
        rows = np.flatnonzero(mask.to_numpy())
        known = np.isfinite(people)
        column = out.columns.get_loc("travel_time_s")
        out.iloc[rows[known], column] = people[known]
    return out
