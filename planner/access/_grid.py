"""The population grid's area for :func:`planner.access.cells.default_grid`: the Hanoi grid
for a part of the registry, or a hull around other facilities' units."""

from __future__ import annotations

import dataclasses
import logging

import geopandas as gpd
import pandas as pd
import shapely

from planner._vn import district_key
from planner.config import CRS_LONLAT, metric_crs
from planner.errors import PlannerInputError
from planner.places.population import PopulationGrid

log = logging.getLogger(__name__)


def for_registry_part(
    grid: PopulationGrid, facilities: pd.DataFrame, scheme: str
) -> PopulationGrid:
    """The Hanoi grid for (a part of) the registry: a commune not among the facilities gives
    its people to its district unit when that is there; people of no given unit are left out,
    and the grid says so in its notes (and the log)."""
    ids = set(facilities["facility_id"].astype(str))
    unit_of = grid.cells["unit_id"].astype(str)
    if unit_of.isin(ids).all():
        return grid
    from planner.places.hanoi.registry import hanoi_facilities

    registry = hanoi_facilities(scheme=scheme)
    given = facilities[facilities["level"] == "district"]
    # districts matched by the one district normaliser: a user's copy may spell them otherwise
    district_unit = dict(
        zip(given["district"].map(district_key), given["facility_id"].astype(str), strict=True)
    )
    district_of = dict(
        zip(
            registry["facility_id"].astype(str),
            registry["district"].map(district_key),
            strict=True,
        )
    )
    owner = unit_of.where(unit_of.isin(ids), unit_of.map(district_of).map(district_unit))
    kept = owner.notna()
    cells = grid.cells.loc[kept].assign(unit_id=owner[kept]).reset_index(drop=True)
    notes = list(grid.notes)
    moved = int((kept & ~unit_of.isin(ids)).sum())
    if moved:
        notes.append(
            f"{moved} cell pieces of communes not among the facilities counted in their "
            "district unit"
        )
    left_out = float(grid.cells.loc[~kept, "population"].sum())
    if left_out:
        notes.append(
            f"{left_out:,.0f} people live in units that are not among the facilities "
            "(nor is their district unit): left out of the population cells"
        )
    for note in notes[len(grid.notes) :]:
        log.info("population grid: %s", note)
    if cells.empty:
        raise PlannerInputError(
            "none of the facilities' units has a Hanoi area with people",
            field="facility_id",
            hint="give district or commune units of the Hanoi registry, or cells=False",
        )
    census = int(cells["population"].sum()) if grid.census_total is not None else None
    return dataclasses.replace(grid, cells=cells, census_total=census, notes=tuple(notes))


def buffered_hull(units: pd.DataFrame, metres: float) -> shapely.Geometry:
    crs = metric_crs(units["lon"], units["lat"])
    points = gpd.GeoSeries(gpd.points_from_xy(units["lon"], units["lat"]), crs=CRS_LONLAT).to_crs(
        crs
    )
    hull = shapely.convex_hull(shapely.union_all(points.to_numpy())).buffer(metres)
    return gpd.GeoSeries([hull], crs=crs).to_crs(CRS_LONLAT).iloc[0]
