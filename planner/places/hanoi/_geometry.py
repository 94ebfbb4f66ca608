"""Geometry helpers of the Hanoi builders: UTM points, valid polygonal parts, reprojection."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from planner._geo import polygon_parts
from planner.config import CRS_LONLAT, CRS_METRIC


def utm_points(lon: pd.Series, lat: pd.Series) -> np.ndarray:
    """Points in UTM 48N (metres) as a shapely array."""
    return gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=CRS_LONLAT).to_crs(CRS_METRIC).to_numpy()


def polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The valid polygonal part of a geometry (overlay operations leave slivers of lines)."""
    return polygon_parts(
        shapely.make_valid(shapely.set_precision(geom, 1e-2 if _is_metric(geom) else 1e-7))
    )


def _is_metric(geom: BaseGeometry) -> bool:
    """Whether coordinates are metres (UTM) rather than degrees."""
    return geom.is_empty or abs(geom.bounds[0]) > 360


def valid_lonlat(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to lon/lat and repair what rounding breaks (spikes crossing themselves)."""
    out = gdf.to_crs(CRS_LONLAT)
    return out.set_geometry([polygonal(g) for g in out.geometry], crs=CRS_LONLAT)


def lonlat_geom(geom: BaseGeometry) -> BaseGeometry:
    return gpd.GeoSeries([geom], crs=CRS_METRIC).to_crs(CRS_LONLAT).iloc[0]


def metric_geom(geom: BaseGeometry) -> BaseGeometry:
    return gpd.GeoSeries([geom], crs=CRS_LONLAT).to_crs(CRS_METRIC).iloc[0]
