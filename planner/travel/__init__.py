"""Travel: exact door-to-door times on a travel graph.

One module a job:

- ``snap``: facilities snapped to the roads a mode can use (:func:`snap_facilities`);
- ``matrix``: travel-time matrices (:func:`travel_time_matrix`, :func:`travel_time_matrices`,
  :func:`pair_travel_times`);
- ``paths``: the fastest road paths drawn as lines (:func:`routes`, :func:`route`,
  :class:`Route`);

and private ones serving them: ``_snapping`` (the snapper: road index, components, snap
tables), ``_routers`` (the routing memo: a router per graph and time profile, the snap points
inserted into their edges), ``_routing`` (the routing core: exact reduction to the terminals,
many-to-many Dijkstra), ``_store`` (the disk cache of snaps and matrices, keyed by graph and
array digests) and ``_reasons`` (why a pair has no time). This package exports the public
names; :func:`check_directions` is :func:`planner.config.check_directions`.
"""

from planner.config import check_directions
from planner.travel.matrix import (
    MATRIX_COLUMNS,
    pair_travel_times,
    travel_time_matrices,
    travel_time_matrix,
)
from planner.travel.paths import ROUTE_COLUMNS, Route, route, routes
from planner.travel.snap import SNAP_COLUMNS, snap_facilities

__all__ = [
    "MATRIX_COLUMNS",
    "ROUTE_COLUMNS",
    "SNAP_COLUMNS",
    "Route",
    "check_directions",
    "pair_travel_times",
    "route",
    "routes",
    "snap_facilities",
    "travel_time_matrices",
    "travel_time_matrix",
]
