"""Access: how far people live from their hospitals.

One module a job: ``cells`` times every populated cell piece to the hospitals and its district
unit (:func:`cell_access`, :func:`cell_access_sweep`, on :func:`default_grid`; ``_grid`` helps
it lay out the grid); ``zonal`` derives coverage and zonal statistics from those times;
``demand`` the people's times per unit and their pairing matrix; ``tables`` the tables and
files of a run. This package exports the public names.
"""

from planner.access.cells import (
    ACCESS_COLUMNS,
    EVERY_HOUR,
    CellAccess,
    cell_access,
    cell_access_sweep,
    default_grid,
)
from planner.access.demand import DEMANDS, demand_matrix, unit_cell_times
from planner.access.tables import access_tables, cells_summary, write_access
from planner.access.zonal import (
    DEFAULT_MINUTES,
    Coverage,
    coverage,
    coverage_table,
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
