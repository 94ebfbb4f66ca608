"""Small population rasters written in tests (rasterio), shaped like WorldPop's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import from_origin


def write_raster(path: Path, values: np.ndarray, *, west: float, north: float, step: float) -> Path:
    """Write a GeoTIFF of people per cell (EPSG:4326, float32, nodata -99999) and return it."""
    with rasterio.open(
        path, "w", driver="GTiff", width=values.shape[1], height=values.shape[0], count=1,
        dtype="float32", crs="EPSG:4326", transform=from_origin(west, north, step, step),
        nodata=-99999.0,
    ) as dst:  # fmt: skip
        dst.write(values.astype("float32"), 1)
    return path
