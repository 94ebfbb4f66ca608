"""Geometry helpers every stage shares: the metric CRS of a frame's own area and the polygonal
parts of a geometry (one definition each, used by the Hanoi builders, the population grid and
the map alike)."""

from __future__ import annotations

from typing import Any, TypeVar

import geopandas as gpd
import shapely

from planner.config import CRS_LONLAT, metric_crs

Frame = TypeVar("Frame", gpd.GeoDataFrame, gpd.GeoSeries)


def metric_crs_of(frame: gpd.GeoDataFrame | gpd.GeoSeries) -> str:
    """The UTM zone of a frame's own area (:func:`planner.config.metric_crs` of its bounds).

    Parameters
    ----------
    frame
        Geometries in any CRS (lon/lat assumed when the frame has none).

    Returns
    -------
    str
        ``"EPSG:<code>"``; the zone at the origin for an empty frame.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> metric_crs_of(gpd.GeoSeries([Point(105.85, 21.03)], crs="EPSG:4326"))
    'EPSG:32648'
    """
    if len(frame) == 0 or frame.total_bounds[0] != frame.total_bounds[0]:  # empty or NaN
        return metric_crs([0.0], [0.0])
    lonlat = frame.to_crs(CRS_LONLAT) if frame.crs is not None else frame
    west, south, east, north = lonlat.total_bounds
    return metric_crs([west, east], [south, north])


def to_metric(frame: Frame) -> Frame:
    """The frame in the UTM zone of its own area, where lengths and areas are in metres.

    Parameters
    ----------
    frame
        Geometries with a CRS.

    Returns
    -------
    GeoDataFrame or GeoSeries
        The same rows reprojected to :func:`metric_crs_of` the frame.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> to_metric(gpd.GeoSeries([Point(105.85, 21.03)], crs="EPSG:4326")).crs.to_epsg()
    32648
    """
    lonlat = frame.to_crs(CRS_LONLAT)
    return lonlat.to_crs(metric_crs_of(lonlat))


def polygon_parts(geom: Any) -> Any:
    """The polygonal parts of a geometry (itself when it is a (multi)polygon).

    Overlays and ``make_valid`` leave stray lines and points where areas touch; maps, areas
    and GeoPackage layers keep only the polygons.

    Parameters
    ----------
    geom
        A shapely geometry, or ``None``.

    Returns
    -------
    shapely geometry or None
        The union of its polygons (an empty polygon when it has none); ``None`` stays ``None``.

    Examples
    --------
    >>> from shapely.geometry import GeometryCollection, LineString, box
    >>> polygon_parts(GeometryCollection([box(0, 0, 1, 1), LineString([(1, 1), (2, 2)])])).area
    1.0
    """
    if geom is None or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()
