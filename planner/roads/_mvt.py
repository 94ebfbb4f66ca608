"""Read OpenMapTiles vector tiles (MBTiles or a z/x/y folder of ``.pbf``) into an edge table.

Each tile's ``transportation`` lines are decoded (:mod:`planner.roads._mvt_decode`), clipped to the
tile proper (the buffer beyond ``0..extent`` is dropped, so every road is read exactly once) and
keyed by their global pixel coordinates at the tile zoom. Two tiles compute a road's crossing of
their shared edge from the same two vertices with the same arithmetic, so the cut ends get
identical keys and :func:`planner.roads.network.graph_from_edges` joins them without any tolerance.

:func:`read_tile_layers` reads the points and lines of the other layers (``boundary``, ``poi``,
``place``...) the same way: points in a tile's buffer are dropped, lines are clipped to the tile.

Kept classes (:data:`ROAD_CLASSES`) are every class some mode may drive or ride on:
``motorway`` ... ``tertiary``, ``minor`` and ``service`` (Hanoi's alleys, *ngõ*, are mostly
``minor``/``service``: motorbikes use them, the speed table decides what cars may),
``track`` (rural farm roads, common in the outer districts) and ``path`` (in OpenMapTiles
this lumps footway, cycleway, path and steps; kept so that a mode *could* use it, but the
speed table makes it unusable for every built-in mode), and ``ferry`` (river crossings: the tiles
carry no access tags, so a ferry is assumed to carry cars; :mod:`planner.roads.speeds` gives it a
boarding wait and service hours). Rail, piers, pedestrian streets, platforms and roads under
construction or proposed are dropped.
"""

from __future__ import annotations

import gzip
import itertools
import logging
import multiprocessing
import re
import sqlite3
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry
from tqdm.auto import tqdm

from planner._deps import require_tested
from planner._workers import process_pool_is_safe
from planner.config import CRS_LONLAT, available_cpus
from planner.errors import PlannerInputError
from planner.roads._mvt_decode import line_parts, parse_tile
from planner.roads.graph import EDGE_COLUMNS, ROAD_CLASSES

log = logging.getLogger(__name__)

#: Sub-pixel quantisation of node keys: tile-edge crossings land between pixels.
_KEY_SUBPIXEL = 16
_KEY_SHIFT = 31
_LAYER = "transportation"
_NAME_LAYER = "transportation_name"
_POOL_MIN_TILES = 64
#: The road tags an edge keeps.
_ROAD_TAGS = ("class", "oneway", "ramp", "brunnel", "service")


def read_tiles(path: str | Path, *, workers: int | None = None) -> pd.DataFrame:
    """Read the drivable roads of an MBTiles file or a ``z/x/y.pbf`` folder as an edge table.

    Parameters
    ----------
    path
        An ``.mbtiles`` file (SQLite, TMS rows) or a folder ``<z>/<x>/<y>.pbf`` (XYZ rows,
        gzip-compressed or raw). The highest zoom present is read.
    workers
        Processes decoding tiles in parallel (1 = in this process); default
        ``min(2, available CPUs)``. A process pool is used only when it is safe (see
        :func:`planner._workers.process_pool_is_safe`); otherwise tiles are decoded here, one after the other.

    Returns
    -------
    pandas.DataFrame
        One row per line piece (roads are cut at tile edges), columns :data:`EDGE_COLUMNS`:
        ``key`` (int64 array: one node key per vertex, equal keys = same point), ``lon``,
        ``lat`` (float64 arrays), ``class`` (str), ``oneway`` (1 along the line, -1 against,
        0 both ways), ``ramp`` (bool), ``brunnel`` and ``service`` (str, ``""`` if none),
        ``name`` (str, ``""`` if none), ``maxspeed_kph`` (NaN), ``highway`` (``""``) and
        ``osmid`` (0): tiles carry no speed limit, OSM tag or way id.

    Raises
    ------
    PlannerInputError
        Missing file, not an MBTiles/SQLite file, no tiles, no ``transportation`` layer, or
        no drivable road in the area; the message names the file.

    Examples
    --------
    The tile of the Old Quarter and Long Biên bridge (zoom 14, x 13009, y 7212), taken from the Hanoi MBTiles
    (TMS row 9171) into a ``z/x/y.pbf`` folder (reading the whole file takes ~30 s):

    >>> import contextlib, sqlite3, tempfile
    >>> from pathlib import Path
    >>> from planner.config import data_file
    >>> mbtiles = data_file("hanoi_osm_2021-08_z14.mbtiles")
    >>> with contextlib.closing(sqlite3.connect(mbtiles)) as db:
    ...     (tile,) = db.execute("SELECT tile_data FROM tiles WHERE zoom_level = 14 "
    ...                          "AND tile_column = 13009 AND tile_row = 9171").fetchone()
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     (Path(folder) / "14" / "13009").mkdir(parents=True)
    ...     _ = (Path(folder) / "14" / "13009" / "7212.pbf").write_bytes(tile)
    ...     edges = read_tiles(folder)
    >>> "Cầu Long Biên" in set(edges["name"]), sorted(edges["class"].unique())
    (True, ['minor', 'path', 'primary', 'secondary', 'service', 'tertiary'])
    """
    path = Path(path)
    zoom, tiles = _tiles(path, what="the road tiles file")
    jobs = [(zoom, x, y, data) for x, y, data in tiles]
    workers = min(2, available_cpus()) if workers is None else workers
    pieces = None
    if workers > 1 and len(jobs) >= _POOL_MIN_TILES and process_pool_is_safe():
        pieces = _decode_in_pool(jobs, workers)
    if pieces is None:
        progress = dict(total=len(jobs), desc="decoding road tiles", unit="tile", disable=None)
        pieces = [_decode_tile(job) for job in tqdm(jobs, **progress)]
    if not any(p["has_layer"] for p in pieces):
        raise PlannerInputError(
            f"has no '{_LAYER}' layer in any tile",
            file=path,
            field=_LAYER,
            hint="use OpenMapTiles-schema vector tiles (e.g. built by tilemaker or planetiler)",
        )
    edges = _edge_table(pieces)
    if edges.empty:
        raise PlannerInputError(
            "holds no drivable road (empty area)",
            file=path,
            hint="check that the tiles cover your area and contain roads",
        )
    log.info("read %d road pieces from %d tiles of %s", len(edges), len(tiles), path)
    return edges


def _decode_in_pool(
    jobs: list[tuple[int, int, int, bytes]], workers: int
) -> list[dict[str, Any]] | None:
    """Decode tiles in ``workers`` processes; ``None`` if the pool broke (decode here then)."""
    progress = dict(total=len(jobs), desc="decoding road tiles", unit="tile", disable=None)
    context = multiprocessing.get_context("spawn")  # the same start method on every platform
    try:
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            return list(tqdm(pool.map(_decode_tile, jobs, chunksize=16), **progress))
    except BrokenProcessPool as exc:  # a worker died starting up (e.g. the main module failed)
        log.warning("tile decoding processes failed (%s); decoding in this process", exc)
        return None


def pixel_to_lonlat(
    x_px: np.ndarray, y_px: np.ndarray, *, zoom: int, extent: int = 4096
) -> tuple[np.ndarray, np.ndarray]:
    """Convert global pixel coordinates (origin top-left, y down) to WGS 84 lon/lat degrees.

    The world is ``2**zoom * extent`` pixels wide in web mercator (EPSG:3857).

    Examples
    --------
    >>> lon, lat = pixel_to_lonlat(np.array([2.0**25]), np.array([2.0**25]), zoom=14)
    >>> float(lon[0]), float(lat[0])
    (0.0, 0.0)
    """
    world = float(extent) * (1 << zoom)
    lon = np.asarray(x_px, dtype=np.float64) / world * 360.0 - 180.0
    lat = np.degrees(np.arctan(np.sinh(np.pi * (1.0 - 2.0 * np.asarray(y_px) / world))))
    return lon, lat


def _tiles(path: Path, *, what: str) -> tuple[int, list[tuple[int, int, bytes]]]:
    """The highest zoom and its tiles of an MBTiles file or a tile folder; clear errors."""
    if not path.exists():
        raise PlannerInputError(
            f"{what} does not exist",
            file=path,
            hint="give an .mbtiles file or a z/x/y folder of .pbf vector tiles",
        )
    zoom, tiles = _folder_tiles(path) if path.is_dir() else _mbtiles_tiles(path)
    if not tiles:
        raise PlannerInputError(
            "holds no vector tiles", file=path, hint="check that the file covers your area"
        )
    return zoom, tiles


def _mbtiles_tiles(path: Path) -> tuple[int, list[tuple[int, int, bytes]]]:
    """Return the highest zoom and its tiles ``(x, y_xyz, gzip_or_raw_bytes)`` of an MBTiles file."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            zoom = con.execute("SELECT MAX(zoom_level) FROM tiles").fetchone()[0]
            if zoom is None:
                return 0, []
            rows = con.execute(
                "SELECT tile_column, tile_row, tile_data FROM tiles WHERE zoom_level = ?",
                (zoom,),
            ).fetchall()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise PlannerInputError(
            f"is not a readable MBTiles (SQLite) file ({exc})",
            file=path,
            hint="give an MBTiles 1.x file with a 'tiles' table, or a z/x/y tile folder",
        ) from exc
    # MBTiles rows are TMS (y up); flip to XYZ (y down) like the tile folders.
    flip = (1 << zoom) - 1
    # XYZ order, as for folders: the same tiles always give the same table
    return int(zoom), sorted((int(x), flip - int(row), bytes(data)) for x, row, data in rows)


def _folder_tiles(path: Path) -> tuple[int, list[tuple[int, int, bytes]]]:
    """Return the highest zoom and its tiles of a ``z/x/y.pbf`` (or ``.mvt``) folder."""
    pattern = re.compile(r"^(\d+)/(\d+)/(\d+)\.(pbf|mvt)$")
    found: dict[int, list[tuple[int, int, Path]]] = {}
    for file in path.rglob("*"):
        match = pattern.match(file.relative_to(path).as_posix())
        if match:
            z, x, y = (int(match.group(i)) for i in (1, 2, 3))
            found.setdefault(z, []).append((x, y, file))
    if not found:
        return 0, []
    zoom = max(found)
    return zoom, [(x, y, file.read_bytes()) for x, y, file in sorted(found[zoom])]


def _decode_tile(job: tuple[int, int, int, bytes]) -> dict[str, Any]:
    """Decode one tile's road lines, clipped to the tile, as flat arrays in global pixels."""
    zoom, tx, ty, data = job
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    layers = parse_tile(data)
    roads = layers.get(_LAYER)
    empty = {"has_layer": roads is not None, "zoom": zoom}
    if roads is None or not len(roads.features):
        return empty
    extent = int(roads.extent)
    parts = line_parts(roads, _ROAD_TAGS)
    values = parts.values
    classes = values["class"]
    known = np.fromiter((c in ROAD_CLASSES for c in classes), dtype=bool, count=classes.size)
    keep = known[parts.feature] & (parts.sizes >= 2)
    if not keep.any():
        return empty
    names = _names_by_geometry(layers.get(_NAME_LAYER))
    keys = parts.keys()
    kept = np.flatnonzero(keep)
    row = {  # per road feature, as the edge table keeps its tags
        f: (
            classes[f],
            _oneway(values["oneway"][f]),
            bool(values["ramp"][f] or 0),
            str(values["brunnel"][f] or ""),
            str(values["service"][f] or ""),
        )
        for f in np.unique(parts.feature[kept]).tolist()
    }
    attrs = [
        (*row[f], names.get(keys[p], ""))
        for p, f in zip(kept.tolist(), parts.feature[kept].tolist(), strict=True)
    ]
    sizes = parts.sizes[kept]
    vertex = np.repeat(parts.offsets[:-1][kept], sizes) + _ranges(sizes)
    clipped = _clip_flat(
        parts.x[vertex].astype(np.float64),
        parts.y[vertex].astype(np.float64),
        sizes,
        tx * extent,
        ty * extent,
        extent,
    )
    return {**empty, **clipped, "extent": extent, "attrs": attrs}


def _oneway(value: Any) -> int:
    oneway = int(value or 0)
    return oneway if oneway in (1, -1) else 0


def _ranges(sizes: np.ndarray) -> np.ndarray:
    """0, 1, ..., n-1 for each n of ``sizes``, one after the other."""
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    return np.arange(int(sizes.sum())) - starts


def _names_by_geometry(layer: Any) -> dict[bytes, str]:
    """Map each named line of ``transportation_name`` to its name, keyed by its exact geometry
    (a later feature of the same geometry wins)."""
    if layer is None or not len(layer.features):
        return {}
    parts = line_parts(layer, ("name:latin", "name"))
    latin, plain = parts.values["name:latin"], parts.values["name"]
    names = [a or b for a, b in zip(latin.tolist(), plain.tolist(), strict=True)]
    return {
        key: str(names[f])
        for key, f in zip(parts.keys(), parts.feature.tolist(), strict=True)
        if names[f]
    }


def _geometry_key(part: list[list[int]]) -> bytes:
    return np.asarray(part, dtype=np.int32).tobytes()


def _clip_lines(
    lines: list[np.ndarray], x_min: float, y_min: float, extent: int
) -> dict[str, np.ndarray]:
    """Clip tile-local lines (``(n, 2)`` arrays) to the tile square: :func:`_clip_flat`."""
    sizes = np.fromiter((len(a) for a in lines), dtype=np.int64, count=len(lines))
    xy = np.concatenate(lines)
    return _clip_flat(xy[:, 0], xy[:, 1], sizes, x_min, y_min, extent)


def _clip_flat(
    x: np.ndarray, y: np.ndarray, sizes: np.ndarray, x_min: float, y_min: float, extent: int
) -> dict[str, np.ndarray]:
    """Clip tile-local lines, given as their vertices one line after the other, to the tile
    square (Liang-Barsky, vectorised) in global pixels.

    Returns flat vertex arrays ``x``, ``y`` (global pixels), the ``piece_offsets`` into them and
    each piece's source ``line`` index. Crossings are computed in global coordinates from the
    segment's own vertices, so the neighbouring tile finds the bit-identical point.
    """
    x = x + x_min
    y = y + y_min
    line_of = np.repeat(np.arange(sizes.size), sizes)
    seg = np.flatnonzero(line_of[:-1] == line_of[1:])
    x0, y0, x1, y1 = x[seg], y[seg], x[seg + 1], y[seg + 1]
    dx, dy = x1 - x0, y1 - y0
    moving = (dx != 0) | (dy != 0)
    t0 = np.zeros(seg.size)
    t1 = np.ones(seg.size)
    inside = moving.copy()
    x_max, y_max = x_min + extent, y_min + extent
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, q in ((-dx, x0 - x_min), (dx, x_max - x0), (-dy, y0 - y_min), (dy, y_max - y0)):
            inside &= ~((p == 0) & (q < 0))
            r = q / p
            t0 = np.where(p < 0, np.maximum(t0, r), t0)
            t1 = np.where(p > 0, np.minimum(t1, r), t1)
    keep = inside & (t0 < t1)
    seg, t0, t1 = seg[keep], t0[keep], t1[keep]
    x0, y0, dx, dy = x0[keep], y0[keep], dx[keep], dy[keep]
    start_x = np.where(t0 > 0, x0 + t0 * dx, x0)
    start_y = np.where(t0 > 0, y0 + t0 * dy, y0)
    end_x = np.where(t1 < 1, x0 + t1 * dx, x0 + dx)
    end_y = np.where(t1 < 1, y0 + t1 * dy, y0 + dy)
    # A new piece starts where the previous kept segment is not the previous segment of the same
    # line, or where either side was cut by the tile edge.
    new = np.ones(seg.size, dtype=bool)
    if seg.size > 1:
        new[1:] = (seg[1:] != seg[:-1] + 1) | (t0[1:] > 0) | (t1[:-1] < 1)
    emit = 1 + new.astype(np.int64)
    out_x = np.empty(int(emit.sum()))
    out_y = np.empty_like(out_x)
    end_pos = np.cumsum(emit) - 1
    out_x[end_pos], out_y[end_pos] = end_x, end_y
    out_x[end_pos[new] - 1], out_y[end_pos[new] - 1] = start_x[new], start_y[new]
    starts = (end_pos - 1)[new]
    offsets = np.append(starts, out_x.size).astype(np.int64)
    return {"x": out_x, "y": out_y, "piece_offsets": offsets, "line": line_of[seg[new]]}


def _edge_table(tiles: list[dict[str, Any]]) -> pd.DataFrame:
    """Assemble the decoded tiles into one edge table (see :func:`read_tiles`)."""
    tiles = [t for t in tiles if "x" in t]
    if not tiles:
        return pd.DataFrame(columns=list(EDGE_COLUMNS))
    zoom, extent = tiles[0]["zoom"], tiles[0]["extent"]
    x = np.concatenate([t["x"] for t in tiles])
    y = np.concatenate([t["y"] for t in tiles])
    base = np.cumsum([0] + [t["x"].size for t in tiles[:-1]])
    offsets = np.concatenate(
        [t["piece_offsets"][:-1] + b for t, b in zip(tiles, base, strict=True)] + [[x.size]]
    )
    rows = [t["attrs"][i] for t in tiles for i in t["line"]]
    qx = np.rint(x * _KEY_SUBPIXEL).astype(np.int64)
    qy = np.rint(y * _KEY_SUBPIXEL).astype(np.int64)
    key = (qx << _KEY_SHIFT) | qy
    lon, lat = pixel_to_lonlat(qx / _KEY_SUBPIXEL, qy / _KEY_SUBPIXEL, zoom=zoom, extent=extent)
    table = pd.DataFrame.from_records(
        rows, columns=["class", "oneway", "ramp", "brunnel", "service", "name"]
    )
    bounds = list(itertools.pairwise(offsets.tolist()))  # plain slices: np.split is 3x slower
    table.insert(0, "key", [key[a:b] for a, b in bounds])
    table.insert(1, "lon", [lon[a:b] for a, b in bounds])
    table.insert(2, "lat", [lat[a:b] for a, b in bounds])
    table["oneway"] = table["oneway"].astype(np.int8)
    table["maxspeed_kph"] = np.nan
    table["highway"] = ""
    table["osmid"] = np.int64(0)
    return table[list(EDGE_COLUMNS)]


def read_tile_layers(path: str | Path, layers: Sequence[str]) -> dict[str, gpd.GeoDataFrame]:
    """Read the points and lines of some non-road layers of vector tiles (``boundary``, ``poi``...).

    Points in a tile's buffer belong to the neighbouring tile and are dropped, so each point is
    read once; lines are clipped to the tile proper exactly as :func:`read_tiles` clips roads, so
    the pieces of one line meet at bit-identical points on tile edges (``shapely.line_merge`` or
    ``shapely.polygonize`` join them). Polygons are not read.

    Parameters
    ----------
    path
        An ``.mbtiles`` file or a ``z/x/y.pbf`` folder (the highest zoom present is read).
    layers
        Layer names to read, e.g. ``("boundary", "poi", "place")``.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        One GeoDataFrame per requested layer (EPSG:4326; empty if the tiles lack the layer):
        the features' properties as columns (``None`` where a feature lacks one), then
        ``geometry`` (``Point`` or ``LineString`` pieces).

    Raises
    ------
    PlannerInputError
        Missing or unreadable file, or no tiles.

    Examples
    --------
    >>> from planner.config import data_file
    >>> found = read_tile_layers(data_file("hanoi_osm_2021-08_z14.mbtiles"), ["place"])
    >>> len(found["place"]), found["place"].geom_type.unique().tolist()
    (643, ['Point'])
    """
    path = Path(path)
    zoom, tiles = _tiles(path, what="the tiles file")
    wanted = set(layers)
    rows: dict[str, list[tuple[dict[str, Any], BaseGeometry]]] = {name: [] for name in layers}
    for x, y, data in tqdm(tiles, desc="reading tile layers", unit="tile", disable=None):
        for name, features in _decode_layers(data, wanted).items():
            rows[name] += _tile_features(features, zoom, x, y)
    out = {}
    for name in layers:
        props = pd.DataFrame.from_records([p for p, _ in rows[name]])
        geometry = [g for _, g in rows[name]]
        out[name] = gpd.GeoDataFrame(
            props.astype(object).where(props.notna(), None), geometry=geometry, crs=CRS_LONLAT
        )
    log.info(
        "read %s from %d tiles of %s",
        ", ".join(f"{len(out[n])} {n} features" for n in layers),
        len(tiles),
        path,
    )
    return out


def _decode_layers(data: bytes, wanted: set[str]) -> dict[str, dict[str, Any]]:
    """Decode only the wanted layers of one tile (the roads are most of a tile's bytes)."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    require_tested("mapbox-vector-tile")  # TileData and its protobuf layers are internals
    from mapbox_vector_tile import decoder as mvt_decoder

    tile = mvt_decoder.TileData(data, default_options={"y_coord_down": True})
    kept = tile.tile.layers
    for i in reversed(range(len(kept))):
        if kept[i].name not in wanted:
            del kept[i]
    return tile.get_message()


def _tile_features(
    layer: dict[str, Any], zoom: int, tx: int, ty: int
) -> list[tuple[dict[str, Any], BaseGeometry]]:
    """The layer's points inside the tile and its lines clipped to the tile, in lon/lat."""
    extent = int(layer.get("extent", 4096))
    found: list[tuple[dict[str, Any], BaseGeometry]] = []
    lines: list[np.ndarray] = []
    line_props: list[dict[str, Any]] = []
    point_xy: list[tuple[int, int]] = []
    point_props: list[dict[str, Any]] = []
    for feature in layer["features"]:
        geom, props = feature["geometry"], feature["properties"]
        if geom["type"] in ("Point", "MultiPoint"):
            points = [geom["coordinates"]] if geom["type"] == "Point" else geom["coordinates"]
            for px, py in points:
                if 0 <= px < extent and 0 <= py < extent:  # the buffer is the neighbour's
                    point_xy.append((px, py))
                    point_props.append(props)
        elif geom["type"] in ("LineString", "MultiLineString"):
            parts = [geom["coordinates"]] if geom["type"] == "LineString" else geom["coordinates"]
            for part in parts:
                if len(part) >= 2:
                    lines.append(np.asarray(part, dtype=np.float64))
                    line_props.append(props)
    if point_xy:  # the tile's points at once: one conversion, one array of geometries
        xy = np.asarray(point_xy, dtype=np.float64)
        lon, lat = _lonlat(tx * extent + xy[:, 0], ty * extent + xy[:, 1], zoom, extent)
        found += zip(point_props, shapely.points(np.column_stack([lon, lat])), strict=True)
    if lines:
        clipped = _clip_lines(lines, tx * extent, ty * extent, extent)
        lon, lat = _lonlat(clipped["x"], clipped["y"], zoom, extent)
        offsets = clipped["piece_offsets"]
        for k, line in enumerate(clipped["line"]):
            a, b = offsets[k], offsets[k + 1]
            found.append(
                (line_props[line], shapely.LineString(np.column_stack([lon[a:b], lat[a:b]])))
            )
    return found


def _lonlat(
    x_px: np.ndarray | float, y_px: np.ndarray | float, zoom: int, extent: int
) -> tuple[np.ndarray, np.ndarray]:
    """Global pixels to lon/lat on the same sub-pixel grid as the road node keys, so that two
    tiles give a shared edge crossing the same coordinates."""
    qx = np.rint(np.atleast_1d(x_px) * _KEY_SUBPIXEL) / _KEY_SUBPIXEL
    qy = np.rint(np.atleast_1d(y_px) * _KEY_SUBPIXEL) / _KEY_SUBPIXEL
    return pixel_to_lonlat(qx, qy, zoom=zoom, extent=extent)
