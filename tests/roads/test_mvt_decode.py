"""The fast tile decoder against ``mapbox_vector_tile``, the library it replaces for speed (issue
33), on the Hanoi tiles: the same line parts, coordinates and tag values, and the same roads
(class, direction, names) in the edge table."""

from __future__ import annotations

import gzip
import sqlite3
from contextlib import closing

import mapbox_vector_tile
import numpy as np
import pytest

from planner.config import data_file
from planner.roads._mvt import _decode_tile, _names_by_geometry
from planner.roads._mvt_decode import line_parts, parse_tile
from planner.roads.graph import ROAD_CLASSES

_LINES = ("LineString", "MultiLineString")


def _tiles() -> list[tuple[int, int, bytes]]:
    uri = f"file:{data_file('hanoi_osm_2021-08_z14.mbtiles')}?mode=ro"  # never creates one
    with closing(sqlite3.connect(uri, uri=True)) as db:
        rows = db.execute(
            "SELECT tile_column, tile_row, tile_data FROM tiles WHERE zoom_level = 14 "
            "ORDER BY length(tile_data) DESC"
        ).fetchall()
    return [
        (x, (1 << 14) - 1 - y, gzip.decompress(d) if d[:2] == b"\x1f\x8b" else d)
        for x, y, d in rows
    ]


@pytest.fixture(scope="module")
def sample() -> list[tuple[int, int, bytes]]:
    """The 12 largest tiles (the old quarter, the ring roads) and every 60th of the others."""
    tiles = _tiles()
    return tiles[:12] + tiles[12::60]


def _reference_parts(layer: dict) -> list[tuple[int, list[list[int]]]]:
    """``(feature, part)`` of every line feature, as mapbox_vector_tile gives them."""
    out = []
    lines = [f for f in layer["features"] if f["geometry"]["type"] in _LINES]
    for i, feature in enumerate(lines):
        geom = feature["geometry"]
        parts = [geom["coordinates"]] if geom["type"] == "LineString" else geom["coordinates"]
        out += [(i, part) for part in parts if part]
    return out


def test_line_parts_are_what_mapbox_vector_tile_decodes(sample):
    multi = 0
    for _, _, data in sample:
        ours = parse_tile(data)
        theirs = mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})
        for name in ("transportation", "transportation_name"):
            keys = ("class", "oneway", "name")
            parts = line_parts(ours[name], keys)
            expected = _reference_parts(theirs[name])
            got = [
                (int(f), np.column_stack([parts.x[a:b], parts.y[a:b]]).tolist())
                for f, a, b in zip(
                    parts.feature, parts.offsets[:-1], parts.offsets[1:], strict=True
                )
            ]
            assert got == expected, name
            lines = [f for f in theirs[name]["features"] if f["geometry"]["type"] in _LINES]
            for key in keys:
                assert parts.values[key].tolist() == [f["properties"].get(key) for f in lines]
            multi += sum(f["geometry"]["type"] == "MultiLineString" for f in lines)
    assert multi > 0  # the walked (not plain) command streams were met too


def test_the_edge_table_rows_are_the_mapbox_vector_tile_roads(sample):
    for x, y, data in sample[:12]:
        decoded = _decode_tile((14, x, y, data))
        theirs = mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})
        names = {}
        for feature in theirs["transportation_name"]["features"]:
            name = feature["properties"].get("name:latin") or feature["properties"].get("name")
            geom = feature["geometry"]
            if name and geom["type"] in ("LineString", "MultiLineString"):
                parts = (
                    [geom["coordinates"]] if geom["type"] == "LineString" else geom["coordinates"]
                )
                for part in parts:
                    names[np.asarray(part, dtype=np.int32).tobytes()] = str(name)
        assert _names_by_geometry(parse_tile(data)["transportation_name"]) == names
        rows = []
        for feature in theirs["transportation"]["features"]:
            props, geom = feature["properties"], feature["geometry"]
            if props.get("class") not in ROAD_CLASSES or geom["type"] not in _LINES:
                continue
            parts = [geom["coordinates"]] if geom["type"] == "LineString" else geom["coordinates"]
            oneway = int(props.get("oneway", 0) or 0)
            for part in (p for p in parts if len(p) >= 2):
                key = np.asarray(part, dtype=np.int32).tobytes()
                rows.append((props["class"], oneway if oneway in (1, -1) else 0,
                             bool(props.get("ramp", 0)), str(props.get("brunnel", "") or ""),
                             str(props.get("service", "") or ""), names.get(key, "")))  # fmt: skip
        assert decoded["attrs"] == rows
        assert any(r[5] for r in rows) or not names  # named roads found by their geometry
