"""Where people live: a population raster cut by unit areas and calibrated to the census.

The population of a place comes from a raster of people per cell (WorldPop 2020, about 1 km,
for Vietnam in the data folder; any single-band raster of people per cell works). Only the
window covering the study area is read. Each cell is cut by the unit areas it touches into
*pieces* (a cell on a boundary between two communes gives one piece to each), and a piece
holds the cell's people in proportion to its share of the cell's area.

Calibration (:func:`population_grid` with a census column): within each unit the pieces are
scaled so that their sum equals the unit's census population, then rounded to whole people by
the largest-remainder rule, so every unit's total is its census to the person and every person
belongs to exactly one unit. The rules, in order:

1. Unit targets: a census that is not whole (a former commune shared between two 2025 units)
   is rounded by the largest-remainder rule over all units, so the targets sum to the rounded
   census total (ties: the unit listed first).
2. Within a unit, each piece gets ``floor(raw * target / raw_sum)``; the people left over go
   one each to the pieces with the largest fractional parts (ties: the larger raw value, then
   the piece listed first).
3. A unit whose area holds no raster people gets its census spread over its pieces by area.

Without a census (a user's facilities elsewhere) the raw raster values are kept, the result
says ``calibrated=False`` and a log line says so.

Attribution: WorldPop data are CC BY 4.0 and must be credited wherever they are shown:
:data:`WORLDPOP_ATTRIBUTION` travels in every result.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from planner._geo import metric_crs_of
from planner.config import CRS_LONLAT, data_file, metric_crs
from planner.errors import PlannerInputError

log = logging.getLogger(__name__)

#: The WorldPop raster of Vietnam in the data folder (people per 30 arc-second cell, 2020).
WORLDPOP_FILE = "vnm_ppp_2020_1km_Aggregated_UNadj.tif"
#: Credit line required by the WorldPop licence (CC BY 4.0), shown wherever the data are.
WORLDPOP_ATTRIBUTION = (
    "Population: WorldPop (University of Southampton), Global High Resolution Population "
    "Denominators 2020, UN-adjusted, CC BY 4.0, doi:10.5258/SOTON/WP00671"
)
_SLIVER_SHARE = 1e-6
#: Columns of :attr:`PopulationGrid.cells` (then ``geometry``: the piece, EPSG:4326).
GRID_COLUMNS = (
    "cell_id",
    "unit_id",
    "lat",
    "lon",
    "area_m2",
    "cell_population",
    "population_raw",
    "population",
)


@dataclass(frozen=True)
class PopulationGrid:
    """People per raster cell piece, each piece in exactly one unit area.

    Attributes
    ----------
    cells
        One row per (cell, unit) piece: :data:`GRID_COLUMNS` and ``geometry`` (the piece's
        polygon, EPSG:4326). ``cell_id`` is ``r<row>c<col>`` in the raster; ``lat``/``lon`` a
        point inside the piece (its centroid when that lies inside); ``area_m2`` its area;
        ``cell_population`` the raster value of the whole cell; ``population_raw`` the piece's
        share of it (by area); ``population`` the people placed there: whole people
        calibrated to the census, or the raw share when not calibrated.
    calibrated
        True when every unit total equals its census (see the module's rounding rules).
    census_total
        The census total the grid was calibrated to (``None`` when not calibrated).
    raster
        The raster file read.
    attribution
        Credit line to show with the data (:data:`WORLDPOP_ATTRIBUTION` for WorldPop).
    notes
        What a reader should know (units with no raster people, units left raw, ...).

    Examples
    --------
    60,000 people on a 1 km box of Hanoi's Old Quarter, spread over the four raster cells it
    touches:

    >>> import geopandas as gpd, shapely
    >>> box = gpd.GeoDataFrame({"facility_id": ["old-quarter"], "population": [60_000]},
    ...                        geometry=[shapely.box(105.845, 21.03, 105.855, 21.04)],
    ...                        crs="EPSG:4326")
    >>> grid = population_grid(box)
    >>> grid.calibrated, int(grid.total), len(grid.cells)
    (True, 60000, 4)
    >>> grid.unit_totals().to_dict()
    {'old-quarter': 60000.0}
    """

    cells: gpd.GeoDataFrame
    calibrated: bool
    census_total: int | None
    raster: str
    attribution: str = WORLDPOP_ATTRIBUTION
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def total(self) -> float:
        """The number of people on the grid."""
        return float(self.cells["population"].sum())

    def unit_totals(self) -> pd.Series:
        """People per unit (index ``unit_id``)."""
        return self.cells.groupby("unit_id", sort=False)["population"].sum()

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary (for ``scores.json`` and reports)."""
        return {
            "cells": int(self.cells["cell_id"].nunique()),
            "pieces": len(self.cells),
            "units": int(self.cells["unit_id"].nunique()),
            "population": self.total,
            "population_raw": float(self.cells["population_raw"].sum()),
            "calibrated": self.calibrated,
            "census_total": self.census_total,
            "raster": self.raster,
            "attribution": self.attribution,
            "notes": list(self.notes),
        }


def read_population(path: str | Path | None = None, *, area: BaseGeometry) -> gpd.GeoDataFrame:
    """Read the raster cells touching ``area``: one row per cell with its people.

    Only the raster window covering the area's bounds is read. Cells without data (the
    raster's nodata, NaN) or with fewer than zero people are left out.

    Parameters
    ----------
    path
        A single-band raster of people per cell (GeoTIFF or anything rasterio opens); ``None``
        is the WorldPop raster of Vietnam in the data folder.
    area
        The study area (shapely geometry, EPSG:4326).

    Returns
    -------
    geopandas.GeoDataFrame
        ``cell_id`` (``r<row>c<col>`` in the whole raster), ``row``, ``col``, ``population``
        (float) and ``geometry`` (the cell's square, EPSG:4326).

    Raises
    ------
    PlannerInputError
        The file is missing or unreadable, has no coordinate system, or does not cover the area.

    Examples
    --------
    >>> from planner.places.hanoi import hanoi_boundary
    >>> cells = read_population(area=hanoi_boundary())
    >>> inside = cells[cells.intersects(hanoi_boundary())]
    >>> len(inside) > 4000, round(float(inside["population"].sum()) / 1e6, 1)
    (True, 8.5)
    """
    import rasterio
    from rasterio.errors import RasterioIOError
    from rasterio.windows import Window

    path = Path(path) if path is not None else data_file(WORLDPOP_FILE)
    try:
        src = rasterio.open(path)
    except RasterioIOError as exc:
        raise PlannerInputError(
            f"is not a readable population raster ({exc})",
            file=path,
            hint="give a GeoTIFF of people per cell, e.g. a WorldPop 'ppp' file",
        ) from None
    with src:
        if src.crs is None:
            raise PlannerInputError(
                "the population raster has no coordinate system",
                file=path,
                hint="give a georeferenced raster (e.g. EPSG:4326 like WorldPop)",
            )
        bounds = gpd.GeoSeries([area], crs=CRS_LONLAT).to_crs(src.crs).total_bounds
        inverse = ~src.transform
        cols, rows = zip(
            *(inverse @ (x, y) for x in bounds[[0, 2]] for y in bounds[[1, 3]]), strict=True
        )
        col0 = max(0, math.floor(min(cols)))
        row0 = max(0, math.floor(min(rows)))
        col1 = min(src.width, math.ceil(max(cols)))
        row1 = min(src.height, math.ceil(max(rows)))
        if col1 <= col0 or row1 <= row0:
            raise PlannerInputError(
                "the population raster does not cover the study area",
                file=path,
                hint=f"give a raster covering lon/lat bounds {np.round(bounds, 3).tolist()}",
            )
        window = Window(col0, row0, col1 - col0, row1 - row0)
        values = src.read(1, window=window, masked=True).astype(np.float64)
        transform = src.window_transform(window)
        crs = src.crs
    ok = ~np.ma.getmaskarray(values) & np.isfinite(values.filled(np.nan)) & (values.filled(-1) >= 0)
    r, c = np.nonzero(ok)
    x0, y0 = transform @ (c, r)
    x1, y1 = transform @ (c + 1, r + 1)
    cells = gpd.GeoDataFrame(
        {
            "cell_id": [f"r{row0 + i:05d}c{col0 + j:05d}" for i, j in zip(r, c, strict=True)],
            "row": r + row0,
            "col": c + col0,
            "population": values.data[r, c],
        },
        geometry=shapely.box(
            np.minimum(x0, x1), np.minimum(y0, y1), np.maximum(x0, x1), np.maximum(y0, y1)
        ),
        crs=crs,
    )
    cells = cells.to_crs(CRS_LONLAT) if cells.crs != CRS_LONLAT else cells
    return cells[cells.intersects(area)].reset_index(drop=True)


def population_grid(
    areas: gpd.GeoDataFrame,
    *,
    population: str | None = "population",
    raster: str | Path | None = None,
    id_column: str = "facility_id",
) -> PopulationGrid:
    """Cut the population raster by unit areas and calibrate each unit to its census.

    Parameters
    ----------
    areas
        Unit areas (polygons, any CRS) with ``id_column`` and, to calibrate, ``population``.
        Areas should not overlap; where they do, a piece is counted in each.
    population
        Column of census people per area; ``None`` (or a column that is all NaN) keeps the
        raw raster values and says so.
    raster
        The population raster (``None``: WorldPop of Vietnam in the data folder).
    id_column
        The areas' unit id column.

    Returns
    -------
    PopulationGrid
        The pieces, their people and what was done (see the module's rounding rules).

    Raises
    ------
    PlannerInputError
        Missing id column, duplicate ids, negative census figures, or no raster cell in any area.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from planner.places.hanoi import hanoi_boundary
    >>> hanoi = gpd.GeoDataFrame({"facility_id": ["hanoi"], "population": [8_053_663]},
    ...                          geometry=[hanoi_boundary()], crs="EPSG:4326")
    >>> grid = population_grid(hanoi)
    >>> grid.calibrated, int(grid.total)
    (True, 8053663)
    """
    for column in [id_column] + ([population] if population else []):
        if column not in areas.columns:
            raise PlannerInputError(
                f"the unit areas have no {column!r} column",
                field=column,
                hint="give one polygon per unit with its id (and census population to calibrate)",
            )
    ids = areas[id_column].astype(str)
    if ids.duplicated().any():
        raise PlannerInputError(
            f"unit {ids[ids.duplicated()].iloc[0]!r} has more than one area",
            field=id_column,
            hint="dissolve the areas so each unit has one (multi)polygon",
        )
    polygons = shapely.make_valid(areas.to_crs(CRS_LONLAT).geometry.to_numpy())
    cells = read_population(raster, area=shapely.box(*shapely.total_bounds(polygons)))
    pieces = _pieces(cells, polygons, ids.to_numpy())
    if pieces.empty:
        raise PlannerInputError(
            "no populated raster cell lies in any unit area",
            file=raster,
            hint="check that the raster covers the units' areas",
        )
    source = str(raster if raster is not None else data_file(WORLDPOP_FILE))
    census = None
    if population is not None:
        census = pd.to_numeric(areas[population], errors="coerce").set_axis(ids.to_numpy())
        if census.isna().all():
            census = None
        elif (census < 0).any():
            bad = census[census < 0].index[0]
            raise PlannerInputError(
                f"unit {bad!r} has a negative population",
                field=population,
                hint="give people counts of 0 or more",
            )
    if census is None:
        log.info(
            "population grid: no census given; keeping the raw raster values (%s people in %d "
            "pieces)", f"{pieces['population_raw'].sum():,.0f}", len(pieces),
        )  # fmt: skip
        note = "not calibrated: raw raster values (no census population for the units)"
        return PopulationGrid(
            cells=pieces.assign(population=pieces["population_raw"]),
            calibrated=False,
            census_total=None,
            raster=source,
            notes=(note,),
        )
    people, notes = _calibrate(pieces, census)
    grid = PopulationGrid(
        cells=pieces.assign(population=people),
        calibrated=not any(n.startswith("not calibrated") for n in notes),
        census_total=round(float(census.sum())),
        raster=source,
        notes=tuple(notes),
    )
    log.info(
        "population grid: %d pieces of %d cells in %d units; raw %s people scaled to the census "
        "%s", len(pieces), pieces["cell_id"].nunique(), pieces["unit_id"].nunique(),
        f"{pieces['population_raw'].sum():,.0f}", f"{grid.total:,.0f}",
    )  # fmt: skip
    return grid


def population_centres(
    areas: gpd.GeoDataFrame,
    *,
    raster: str | Path | None = None,
    id_column: str = "facility_id",
    crs: str | None = None,
) -> pd.DataFrame:
    """The population-weighted centre of each area on the raster (for placing a unit).

    The centre is the mean of the pieces' points weighted by their raw people, in the area's
    metric (UTM) coordinates; a centre falling outside its area (a crescent-shaped commune) is
    moved to the nearest point of the area. ``crs`` sets the metric CRS (default: the UTM zone
    of the areas); ``raster`` and ``id_column`` are as for :func:`population_grid`.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        The areas (polygons in any CRS), with an ``id_column``.
    raster : str, pathlib.Path or None, optional
        The population raster; ``None`` reads the WorldPop 2020 grid of the data folder.
    id_column : str, default "facility_id"
        The column naming each area (it becomes ``unit_id``).
    crs : str, optional
        The metric CRS the centres are computed in; ``None`` is the UTM zone of the areas.

    Returns
    -------
    pandas.DataFrame
        ``unit_id``, ``lat``, ``lon`` (NaN when the area holds no raster people) and
        ``population_raw``, one row per area in input order.

    Examples
    --------
    >>> from planner.places.hanoi import hanoi_areas
    >>> ba_vi = hanoi_areas(scheme="2024").query("district == 'Huyện Ba Vì'")
    >>> centre = population_centres(ba_vi).iloc[0]
    >>> bool(21.0 < centre["lat"] < 21.4 and 105.2 < centre["lon"] < 105.6)
    True
    """
    ids = areas[id_column].astype(str).to_numpy()
    lonlat = areas.to_crs(CRS_LONLAT)
    polygons = shapely.make_valid(lonlat.geometry.to_numpy())
    cells = read_population(raster, area=shapely.box(*shapely.total_bounds(polygons)))
    crs = crs or metric_crs_of(cells)
    pieces = _pieces(cells, polygons, ids, crs=crs)
    xy = gpd.GeoSeries(gpd.points_from_xy(pieces["lon"], pieces["lat"]), crs=CRS_LONLAT).to_crs(crs)
    weight = pieces["population_raw"].to_numpy()
    frame = pd.DataFrame(
        {
            "unit_id": pieces["unit_id"],
            "w": weight,
            "wx": weight * xy.x.to_numpy(),
            "wy": weight * xy.y.to_numpy(),
        }
    )
    sums = frame.groupby("unit_id").sum()
    metric_areas = dict(zip(ids, gpd.GeoSeries(polygons, crs=CRS_LONLAT).to_crs(crs), strict=True))
    points: list[BaseGeometry | None] = []
    for unit in ids:
        if unit not in sums.index or sums.loc[unit, "w"] <= 0:
            points.append(None)
            continue
        point = shapely.Point(
            sums.loc[unit, "wx"] / sums.loc[unit, "w"], sums.loc[unit, "wy"] / sums.loc[unit, "w"]
        )
        polygon = metric_areas[unit]
        if not polygon.contains(point):
            point = nearest_points(polygon, point)[0]
        points.append(point)
    located = gpd.GeoSeries(points, crs=crs).to_crs(CRS_LONLAT)
    return pd.DataFrame(
        {
            "unit_id": ids,
            "lat": located.y.to_numpy(),
            "lon": located.x.to_numpy(),
            "population_raw": [float(sums["w"].get(u, 0.0)) for u in ids],
        }
    )


def voronoi_areas(
    units: pd.DataFrame, *, within: BaseGeometry, id_column: str = "facility_id"
) -> gpd.GeoDataFrame:
    """Areas served by point units: the Voronoi cells of their points, clipped to ``within``.

    Units sharing one point share its cell (their areas overlap: nothing tells them apart).

    Parameters
    ----------
    units
        ``id_column``, ``lat``, ``lon`` (WGS 84), plus any columns to carry (e.g. ``population``).
    within
        The study area (EPSG:4326).

    Returns
    -------
    geopandas.GeoDataFrame
        The units' rows with their area as geometry (EPSG:4326), in input order.

    Examples
    --------
    Two stations 0.1° apart in Hanoi share a box between them; areas in km², measured in
    UTM zone 48N (EPSG:32648) since degrees are no unit of area:

    >>> import pandas as pd, shapely
    >>> pts = pd.DataFrame({"facility_id": ["a", "b"], "lat": [21.0, 21.0], "lon": [105.8, 105.9]})
    >>> areas = voronoi_areas(pts, within=shapely.box(105.7, 20.95, 106.0, 21.05))
    >>> areas["facility_id"].tolist(), areas.crs.to_string()
    (['a', 'b'], 'EPSG:4326')
    >>> [round(a / 1e6) for a in areas.to_crs("EPSG:32648").area]
    [173, 173]
    """
    crs = metric_crs(units["lon"], units["lat"])
    xy = gpd.GeoSeries(gpd.points_from_xy(units["lon"], units["lat"]), crs=CRS_LONLAT).to_crs(crs)
    boundary = gpd.GeoSeries([within], crs=CRS_LONLAT).to_crs(crs).iloc[0]
    cells = split_by_sites(boundary, xy.to_numpy(), units[id_column].astype(str).to_numpy())
    geometry = [cells.get(u, shapely.Polygon()) for u in units[id_column].astype(str)]
    return gpd.GeoDataFrame(units.reset_index(drop=True), geometry=geometry, crs=crs).to_crs(
        CRS_LONLAT
    )


def split_by_sites(
    area: BaseGeometry, sites: np.ndarray, labels: np.ndarray
) -> dict[str, BaseGeometry]:
    """Split ``area`` among labelled sites by their Voronoi cells (cells dissolved by label).

    Coordinates are taken as they are (use a metric CRS). Labels whose sites are at the same
    place (to the millimetre) all get that site's cell, so their parts overlap: nothing tells
    them apart.

    Parameters
    ----------
    area : shapely.geometry.base.BaseGeometry
        The polygon to split, in a metric CRS.
    sites : numpy.ndarray
        The sites as shapely points, in the CRS of ``area``.
    labels : numpy.ndarray
        One label per site (several sites may share a label: their cells are merged).

    Returns
    -------
    dict
        Label → its part of ``area`` (labels with no part are absent).

    Examples
    --------
    >>> import shapely
    >>> parts = split_by_sites(shapely.box(0, 0, 4, 2), shapely.points([(1, 1), (3, 1)]),
    ...                        ["west", "east"])
    >>> {k: v.area for k, v in parts.items()}
    {'west': 4.0, 'east': 4.0}
    """
    labels = np.asarray(labels).astype(str)
    if len(sites) == 0 or area.is_empty:
        return {}
    coords = shapely.get_coordinates(np.asarray(sites))
    unique, first, site_of = np.unique(
        np.round(coords, 3), axis=0, return_index=True, return_inverse=True
    )
    if len(unique) == 1:
        cells = np.array([area])
    else:
        ordered = shapely.get_parts(
            shapely.voronoi_polygons(
                shapely.multipoints(coords[first]), extend_to=area, ordered=True
            )
        )
        cells = shapely.intersection(ordered, area)
    out: dict[str, BaseGeometry] = {}
    for label in dict.fromkeys(labels):
        mine = np.unique(site_of.ravel()[labels == label])
        part = shapely.union_all(cells[mine]) if len(mine) > 1 else cells[mine[0]]
        if not part.is_empty and part.area > 0:
            out[str(label)] = part
    return out


def split_by_population(
    area: BaseGeometry,
    shares: Sequence[float],
    *,
    raster: str | Path | None = None,
    crs: str | None = None,
) -> list[BaseGeometry]:
    """Split an area among units that share it, around its population clusters.

    For units known only to lie somewhere in a common area (communes merged into one, with no
    mapped point of their own): the area's people are grouped into as many clusters as there
    are units (k-means on the raster pieces, weighted by people; deterministic), the clusters
    are matched to the units by size (the most populous cluster to the largest share: the
    matching that best fits the sizes), and each unit gets the part of the area nearest its
    cluster's centre.

    Parameters
    ----------
    area
        The shared area (EPSG:4326).
    shares
        One figure per unit, e.g. its census population.
    raster
        The population raster (``None``: WorldPop of Vietnam).
    crs
        Metric CRS to cluster in (default: the UTM zone of the area).

    Returns
    -------
    list of shapely geometry
        One part per unit, in the order of ``shares`` (EPSG:4326). When the area holds fewer
        populated raster pieces than units, every unit gets the whole area.

    Examples
    --------
    >>> import shapely
    >>> parts = split_by_population(shapely.box(105.80, 21.00, 105.86, 21.03), [60_000, 20_000])
    >>> len(parts), all(p.area > 0 for p in parts)
    (2, True)
    """
    from sklearn.cluster import KMeans

    k = len(shares)
    if k <= 1:
        return [area] * k
    cells = read_population(raster, area=area)
    crs = crs or metric_crs_of(cells)
    pieces = _pieces(cells, np.array([area]), np.array(["area"]), crs=crs)
    pieces = pieces[pieces["population_raw"] > 0]
    if len(pieces) < k:
        return [area] * k
    xy = gpd.GeoSeries(gpd.points_from_xy(pieces["lon"], pieces["lat"]), crs=CRS_LONLAT).to_crs(crs)
    coords = np.column_stack([xy.x, xy.y])
    weight = pieces["population_raw"].to_numpy()
    model = KMeans(n_clusters=k, n_init=4, random_state=0).fit(coords, sample_weight=weight)
    size = np.bincount(model.labels_, weights=weight, minlength=k)
    # rank matching: the sorted sizes paired in order minimise the summed size differences
    cluster_for = np.empty(k, dtype=int)
    cluster_for[np.argsort(-np.asarray(shares, dtype=float), kind="stable")] = np.argsort(
        -size, kind="stable"
    )
    area_m = gpd.GeoSeries([area], crs=CRS_LONLAT).to_crs(crs).iloc[0]
    labels = np.arange(k).astype(str)
    parts = split_by_sites(area_m, shapely.points(model.cluster_centers_), labels)
    out = gpd.GeoSeries([parts.get(str(c), shapely.Polygon()) for c in cluster_for], crs=crs)
    return list(out.to_crs(CRS_LONLAT))


# -- helpers -------------------------------------------------------------------------------------


def _pieces(
    cells: gpd.GeoDataFrame, polygons: np.ndarray, ids: np.ndarray, *, crs: str | None = None
) -> gpd.GeoDataFrame:
    """Cut cells by unit polygons (both EPSG:4326): one row per non-empty (cell, unit) piece."""
    empty = gpd.GeoDataFrame(
        {c: [] for c in GRID_COLUMNS if c != "population"}, geometry=[], crs=CRS_LONLAT
    )
    if cells.empty:
        return empty
    crs = crs or metric_crs_of(cells)
    to_metric = gpd.GeoSeries(cells.geometry, crs=CRS_LONLAT).to_crs(crs).to_numpy()
    areas_m = gpd.GeoSeries(polygons, crs=CRS_LONLAT).to_crs(crs).to_numpy()
    tree = shapely.STRtree(areas_m)
    cell_i, area_j = tree.query(to_metric, predicate="intersects")
    parts = shapely.intersection(to_metric[cell_i], areas_m[area_j])
    size = shapely.area(parts)
    # slivers along shared edges (floating-point, under a millionth of the cell) hold nobody
    keep = size > _SLIVER_SHARE * shapely.area(to_metric[cell_i])
    cell_i, area_j, parts, size = cell_i[keep], area_j[keep], parts[keep], size[keep]
    if not len(parts):
        return empty
    share = size / shapely.area(to_metric[cell_i])
    centroid = shapely.centroid(parts)
    inside = shapely.contains_properly(parts, centroid)
    point = np.where(inside, centroid, shapely.point_on_surface(parts))
    lonlat = gpd.GeoSeries(point, crs=crs).to_crs(CRS_LONLAT)
    value = cells["population"].to_numpy()[cell_i]
    order = np.lexsort((area_j, cell_i))
    table = gpd.GeoDataFrame(
        {
            "cell_id": cells["cell_id"].to_numpy()[cell_i],
            "unit_id": ids[area_j],
            "lat": lonlat.y.to_numpy(),
            "lon": lonlat.x.to_numpy(),
            "area_m2": size,
            "cell_population": value,
            "population_raw": value * np.minimum(share, 1.0),
        },
        geometry=gpd.GeoSeries(parts, crs=crs).to_crs(CRS_LONLAT).to_numpy(),
        crs=CRS_LONLAT,
    )
    return table.iloc[order].reset_index(drop=True)


def _largest_remainder(
    values: np.ndarray, total: int, tiebreak: np.ndarray | None = None
) -> np.ndarray:
    """Whole numbers summing to ``total`` from non-negative shares ``values`` (Hamilton's rule).

    Each value is floored; the units left go one each to the largest fractional parts; ties go
    to the larger ``tiebreak``, then to the value listed first.
    """
    floor = np.floor(values)
    left = int(total - floor.sum())
    if left > 0:
        fraction = values - floor
        key = tiebreak if tiebreak is not None else np.zeros_like(values)
        # lexsort: last key first; negate for descending, index ascending for stability
        order = np.lexsort((np.arange(len(values)), -key, -fraction))
        floor[order[:left]] += 1
    return floor


def _calibrate(pieces: gpd.GeoDataFrame, census: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Whole people per piece so that every unit's total is its census (module rules 1-3)."""
    notes: list[str] = []
    known = census.dropna()
    target = pd.Series(
        _largest_remainder(known.to_numpy(dtype=float), round(float(known.sum()))),
        index=known.index,
    )
    people = np.zeros(len(pieces))
    unit = pieces["unit_id"].to_numpy()
    raw = pieces["population_raw"].to_numpy()
    area = pieces["area_m2"].to_numpy()
    groups = pd.Series(np.arange(len(pieces))).groupby(unit).indices
    for unit_id, rows in groups.items():
        rows = np.asarray(rows)
        if unit_id not in target.index:
            people[rows] = raw[rows]
            notes.append(f"not calibrated: unit {unit_id} has no census population (raw values)")
            continue
        want = int(target[unit_id])
        weight = raw[rows] if raw[rows].sum() > 0 else area[rows]
        if raw[rows].sum() <= 0:
            notes.append(f"unit {unit_id}: no raster people in its area; census spread by area")
        share = weight / weight.sum() * want
        people[rows] = _largest_remainder(share, want, tiebreak=raw[rows])
    placed = set(groups)
    for unit_id in target.index:
        if unit_id not in placed and target[unit_id] > 0:
            notes.append(
                f"not calibrated: unit {unit_id} has no raster cell in its area; its "
                f"{int(target[unit_id]):,} people are not on the grid"
            )
    for note in notes:
        log.warning("population grid: %s", note)
    return people, notes
