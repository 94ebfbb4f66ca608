"""Helpers shared by the road-graph tests: a small Hanoi tile block, comparing graphs."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import numpy as np

from planner.roads.graph import TravelGraph

HANOI_TILES = "hanoi_osm_2021-08_z14.mbtiles"
# A 2 x 2 block of z14 tiles over central Hanoi (XYZ rows), Hoàn Kiếm / Ba Đình.
BLOCK = [(13009, 7212), (13010, 7212), (13009, 7213), (13010, 7213)]
# One of them (Hoàn Kiếm and the Red River bank): small enough for osmnx's slower functions.
TILE = (13010, 7212)
ZOOM = 14


def copy_tiles(source: Path, target: Path, tiles: list[tuple[int, int]]) -> None:
    """Write an MBTiles holding only the given XYZ tiles of ``source``."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    dst.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    dst.execute(
        "CREATE TABLE tiles (zoom_level INT, tile_column INT, tile_row INT, tile_data BLOB)"
    )
    for x, y in tiles:
        row = (1 << ZOOM) - 1 - y
        (data,) = src.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
            (ZOOM, x, row),
        ).fetchone()
        dst.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (ZOOM, x, row, data))
    dst.commit()
    dst.close()
    src.close()


def assert_graphs_equal(a: TravelGraph, b: TravelGraph, *, skip: tuple[str, ...] = ()) -> None:
    """Assert two graphs hold the same arrays (bit for bit, same dtypes), but ``source``."""
    for f in dataclasses.fields(TravelGraph):
        if f.name == "source" or f.name in skip:
            continue
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype, f.name
            if x.dtype.kind == "f":
                np.testing.assert_array_equal(x, y, err_msg=f.name)
            else:
                assert np.array_equal(x, y), f.name
        else:
            assert x == y, f.name
