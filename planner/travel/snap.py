"""Snapping facilities to the roads a mode can use.

A facility snaps to the nearest point of the nearest road edge the mode may use (an STRtree of
the edge geometries in the metric CRS of the graph's own area, :func:`planner.config.metric_crs`)
within the largest strongly connected component of those roads, so every snapped pair is
reachable both ways unless a time limit says otherwise; facilities that share a smaller road
piece (an island, a gated campus) snap to it. The snap leg, the straight line from the facility
to that point, is covered at the mode's ``snap`` speed of the speed table. The snapper itself
(index, components, the disk cache of snaps) is in :mod:`planner.travel._snapping`.
"""

from __future__ import annotations

import pandas as pd

from planner.config import DEFAULT_MAX_SNAP_M
from planner.roads.graph import TravelGraph
from planner.travel._snapping import facility_columns, snap_table

SNAP_COLUMNS = (
    "facility_id",
    "node",
    "node_id",
    "snap_distance_m",
    "status",
    "reason",
    "edge",
    "edge_fraction",
    "snap_lon",
    "snap_lat",
)


def snap_facilities(
    graph: TravelGraph,
    facilities: pd.DataFrame,
    *,
    mode: str = "car",
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    speeds: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Snap each facility to the nearest point of a road the mode can both leave and reach.

    Parameters
    ----------
    graph
        The road graph.
    facilities
        Facility table with ``facility_id``, ``lat``, ``lon`` (a GeoDataFrame per the
        facilities contract, or a plain DataFrame).
    mode
        Transport mode; decides which roads (and so which component) count.
    max_snap_m
        Facilities farther than this from the roads are flagged ``not_snapped``.
    speeds
        Speed table from :func:`planner.roads.speeds.load_speed_table` (its ``usable`` column
        decides the roads); ``None`` uses ours.

    Returns
    -------
    pandas.DataFrame
        One row per facility, in input order, with columns ``SNAP_COLUMNS``: ``facility_id``;
        ``node`` (node index) and ``node_id``: the end of the snapped edge nearer to the snap
        point; ``snap_distance_m`` (straight line to the road, metres in the graph's metric
        CRS); ``status`` (``ok`` or ``not_snapped``); ``reason``; ``edge`` (graph edge index)
        and ``edge_fraction`` (where the point lies along it, 0 at its first node, 1 at its
        last); ``snap_lon``/``snap_lat`` (the point on the road). Flagged facilities keep
        their nearest road and distance for inspection; none is dropped.

    Examples
    --------
    >>> import pandas as pd
    >>> from planner.config import data_file
    >>> from planner.roads.network import load_network
    >>> from planner.travel import snap_facilities
    >>> graph = load_network(data_file("fixtures/van_mieu_osm.osm"))  # the streets by Văn Miếu
    >>> xanh_pon = pd.DataFrame({"facility_id": ["xp"], "lat": [21.03126], "lon": [105.83518]})
    >>> snap = snap_facilities(graph, xanh_pon)
    >>> snap["status"].tolist(), round(snap["snap_distance_m"].iloc[0])
    (['ok'], 103)
    """
    ids, lat, lon = facility_columns(facilities)
    snaps = snap_table(graph, ids, lat, lon, mode=mode, max_snap_m=max_snap_m, speeds=speeds)
    return snaps[list(SNAP_COLUMNS)]
