"""Where Hanoi's people live: the 2019 census placed on the WorldPop 2020 grid inside each
commune-level unit's area (:func:`hanoi_population_grid`), cached.
"""

from __future__ import annotations

import json
from pathlib import Path

from planner._cache import cache_key, cached
from planner.config import DEFAULT_SCHEME
from planner.places.hanoi._data import check_scheme, data_paths, read_geo_csv, write_geo_csv
from planner.places.hanoi._registry import registry_key
from planner.places.hanoi.registry import hanoi_unit_areas
from planner.places.population import PopulationGrid, population_grid


def hanoi_population_grid(*, scheme: str = DEFAULT_SCHEME, cache: bool = True) -> PopulationGrid:
    """Return the census 2019 population placed on the WorldPop 2020 grid, unit by unit.

    Each raster cell is cut by the commune-level areas of the scheme
    (:func:`hanoi_unit_areas`) and every unit's pieces are scaled to its census population,
    in whole people (rules in :mod:`planner.places.population`): every unit's total is its census to
    the person and the grid's total is the census total, 8,053,663.

    Parameters
    ----------
    scheme : str, default "2025"
        ``"2024"`` spreads the people over the 579 communes' areas, ``"2025"`` over the 126
        units' areas.
    cache : bool, default True
        Reuse the cached grid (keyed by the registry's inputs and the raster); ``False``
        rebuilds it.

    Returns
    -------
    PopulationGrid
        The pieces of raster cells with their people (``cells``), calibrated to the census.

    Examples
    --------
    >>> grid = hanoi_population_grid(scheme="2025")
    >>> int(grid.total), grid.calibrated, grid.cells["cell_id"].nunique() > 4000
    (8053663, True, True)
    """
    check_scheme(scheme)
    paths = data_paths()
    key = cache_key(registry_key(paths, scheme), paths["worldpop"])

    def build() -> PopulationGrid:
        return population_grid(
            hanoi_unit_areas(scheme=scheme, cache=cache), raster=paths["worldpop"]
        )

    if not cache:
        return build()
    return cached("population", key, build=build, save=_save_grid, load=_load_grid)


def _save_grid(grid: PopulationGrid, folder: Path) -> None:
    write_geo_csv(grid.cells, folder / "cells.csv")
    meta = {k: getattr(grid, k) for k in ("calibrated", "census_total", "raster", "attribution")}
    (folder / "grid.json").write_text(json.dumps(meta | {"notes": list(grid.notes)}, indent=1))


def _load_grid(folder: Path) -> PopulationGrid:
    cells = read_geo_csv(folder / "cells.csv", {"cell_id": str, "unit_id": str})
    meta = json.loads((folder / "grid.json").read_text())
    return PopulationGrid(cells=cells, notes=tuple(meta.pop("notes")), **meta)
