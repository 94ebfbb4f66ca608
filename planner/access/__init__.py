"""Access: how far people live from their hospitals.

``cells`` times every populated cell piece to the hospitals and its district unit, and derives
coverage, zonal statistics and the people's pairing matrix from those times. This package
exports the public functions.
"""

from planner.access.cells import (
    ACCESS_COLUMNS,
    DEFAULT_MINUTES,
    DEMANDS,
    EVERY_HOUR,
    CellAccess,
    Coverage,
    access_tables,
    cell_access,
    cell_access_sweep,
    cells_summary,
    coverage,
    coverage_table,
    default_grid,
    demand_matrix,
    unit_cell_times,
    write_access,
    zonal_statistics,
)

__all__ = [
    "ACCESS_COLUMNS",
    "DEFAULT_MINUTES",
    "DEMANDS",
    "EVERY_HOUR",
    "CellAccess",
    "Coverage",
    "access_tables",
    "cell_access",
    "cell_access_sweep",
    "cells_summary",
    "coverage",
    "coverage_table",
    "default_grid",
    "demand_matrix",
    "unit_cell_times",
    "write_access",
    "zonal_statistics",
]
