"""The areas of Hanoi: the province boundary, and the areas the district units (2024) or the
commune units (2025) serve.

:func:`hanoi_boundary` is the province (OSM); :func:`hanoi_areas` the 30 districts of 2024
(polygonized from the road tiles' boundary lines, with published areas where found) or the
126 OSM polygons of the 2025 units.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from planner.config import DEFAULT_SCHEME, authored_dir, data_file
from planner.places.hanoi._data import FILES, check_scheme, data_paths, read_units_2025
from planner.places.hanoi._districts import boundary, cached_district_polygons

_DISTRICT_AREAS_FILE = "district_areas.csv"


def hanoi_boundary() -> BaseGeometry:
    """Return the Hanoi province boundary (OSM relation 1903516) as a shapely polygon, EPSG:4326.

    Returns
    -------
    shapely.geometry.base.BaseGeometry
        The province's (multi)polygon in longitude/latitude degrees.

    Raises
    ------
    PlannerInputError
        If the boundary file is missing from the data folder.

    Examples
    --------
    The area in km², and Xanh Pon hospital (in Ba Đình) inside the boundary:

    >>> import shapely
    >>> from planner.config import CRS_METRIC
    >>> round(gpd.GeoSeries([hanoi_boundary()], crs="EPSG:4326").to_crs(CRS_METRIC).area[0] / 1e6)
    3352
    >>> hanoi_boundary().contains(shapely.Point(105.83518, 21.03126))
    True
    """
    return boundary(str(data_file(FILES["boundary"])))


def hanoi_areas(*, scheme: str = DEFAULT_SCHEME) -> gpd.GeoDataFrame:
    """Return the areas served by the district units (2024) or the commune units (2025).

    ``"2025"``: the 126 commune-level polygons from OSM (``facility_id`` ``hn-com25-<code>``,
    ``approximate`` False). ``"2024"``: the 30 districts (``facility_id`` ``hn-dist-<code>``),
    polygonized from the road tiles' boundary lines and the province boundary. Where the tiles
    lack a boundary between two districts, the face holding both is split along the 2025 unit
    polygons (a unit formed from one former district's communes lies in it) and, inside a unit
    formed from several districts' communes, by the Voronoi cells of their commune centroids.

    Columns (2024): ``facility_id``, ``district``, ``district_code``, ``area_km2``,
    ``exact_share`` (share of the area bounded by real lines: tile boundaries or whole 2025
    units), ``approximate`` (``exact_share`` below 0.99), ``boundary_source``,
    ``official_area_km2`` and ``official_area_source`` (where a published figure was found,
    ``geodata/district_areas.csv``), ``geometry``.

    Parameters
    ----------
    scheme : str, default "2025"
        ``"2024"`` for the 30 districts, ``"2025"`` for the 126 commune-level units.

    Returns
    -------
    geopandas.GeoDataFrame
        One polygon row per area (EPSG:4326) with the columns above; for ``"2025"``:
        ``facility_id``, ``name``, ``unit_code``, ``population_osm_2025``, ``geometry`` and
        ``approximate``.

    Raises
    ------
    PlannerInputError
        If ``scheme`` is not one of ``config.SCHEMES``, or a data file is missing.

    Examples
    --------
    >>> areas = hanoi_areas(scheme="2024")
    >>> len(areas), int(areas["approximate"].sum()) < 30
    (30, True)
    >>> ba_vi = areas.set_index("district").loc["Huyện Ba Vì"]
    >>> ba_vi["boundary_source"], round(ba_vi["area_km2"])
    ('tiles', 416)
    >>> len(hanoi_areas(scheme="2025"))
    126
    """
    check_scheme(scheme)
    paths = data_paths()
    if scheme == "2025":
        units = read_units_2025(paths["units_2025"], paths["polygons_2025"])
        out = units[["facility_id", "name", "unit_code", "population_osm_2025", "geometry"]]
        return out.assign(approximate=False)
    districts = cached_district_polygons(paths)
    official = pd.read_csv(authored_dir() / _DISTRICT_AREAS_FILE)
    official = official.set_index("district")
    return districts.assign(
        official_area_km2=districts["district"].map(official["official_area_km2"]),
        official_area_source=districts["district"].map(official["source"]),
    )
