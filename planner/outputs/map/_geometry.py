"""The map's geometry: metres for simplifying, polygons only, coordinates rounded into GeoJSON.

:func:`_metric` puts a frame in the UTM zone of its own area, :func:`simplified` simplifies areas in
metres and keeps their polygonal parts (:func:`polygon_parts`), :func:`geojson` writes a compact
GeoJSON dict with coordinates rounded to 5 decimals (about 1 m).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from planner._geo import polygon_parts, to_metric
from planner.config import CRS_LONLAT

_DECIMALS = 5  # about 1 m: finer digits only inflate the file


def _round(gdf: gpd.GeoDataFrame, decimals: int = _DECIMALS) -> gpd.GeoDataFrame:
    geoms = shapely.transform(gdf.geometry.to_numpy(), lambda xy: np.round(xy, decimals))
    return gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))


def geojson(
    gdf: gpd.GeoDataFrame, columns: Sequence[str], *, decimals: int = _DECIMALS
) -> dict[str, Any]:
    """GeoJSON dict with ``id`` = index and only ``columns`` as properties (compact)."""
    out = _round(gdf[[*columns, "geometry"]].to_crs(CRS_LONLAT), decimals)
    return json.loads(out.to_json(drop_id=False, na="null"))


def simplified(gdf: gpd.GeoDataFrame, simplify_m: float) -> gpd.GeoDataFrame:
    """Areas simplified in metres and made valid, polygons only.

    ``make_valid`` may return a GeometryCollection (a polygon with a stray line or point
    where two areas touch); Leaflet draws that as a group without ``getElement``, and a
    tooltip on it stops the page's script, so only the polygonal parts are kept.
    """
    metric = to_metric(gdf)
    geoms = metric.geometry.simplify(simplify_m, preserve_topology=True).make_valid()
    return metric.set_geometry(geoms.map(polygon_parts)).to_crs(CRS_LONLAT)
