"""Travel: exact door-to-door times on a travel graph.

``matrix`` snaps facilities to the roads and computes travel-time matrices and routes; the
routing core (``_routing``: exact reduction to the terminals, many-to-many Dijkstra) serves it.
This package exports the public functions.
"""

from planner.travel.matrix import (
    MATRIX_COLUMNS,
    ROUTE_COLUMNS,
    SNAP_COLUMNS,
    Route,
    check_directions,
    pair_travel_times,
    route,
    routes,
    snap_facilities,
    travel_time_matrices,
    travel_time_matrix,
)

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
