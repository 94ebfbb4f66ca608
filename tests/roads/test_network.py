"""Road loading: vector tiles and OSM files, joined and simplified into one TravelGraph.

References: pyproj for the tile projection, osmnx's own OSM XML parser for oneway handling,
lengths and way ids, networkx for strongly connected components. osmnx/GraphML interop is
tested in test_interop.py.
"""

from __future__ import annotations

import collections
import gzip
import itertools
import sqlite3
from pathlib import Path

import geopandas as gpd
import mapbox_vector_tile
import networkx as nx
import numpy as np
import osmium
import osmnx as ox
import pytest
import shapely
from _graphs import BLOCK, HANOI_TILES, ZOOM, assert_graphs_equal, copy_tiles
from pyproj import Transformer

from planner.errors import PlannerInputError
from planner.roads import network
from planner.roads._mvt import pixel_to_lonlat, read_tiles
from planner.roads._osm import highway_class, read_osm
from planner.roads.graph import ROAD_CLASSES, TravelGraph
from planner.roads.interop import to_networkx
from planner.roads.network import (
    graph_from_edges,
    largest_component,
    load_network,
    strong_components,
)
from planner.roads.speeds import edge_travel_times

SUBPIXEL = 16  # node keys are global pixels x 16 (see planner.roads._mvt)


def _tile_bytes(mbtiles: Path, x: int, y: int) -> bytes:
    con = sqlite3.connect(mbtiles)
    (data,) = con.execute(
        "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
        (ZOOM, x, (1 << ZOOM) - 1 - y),
    ).fetchone()
    con.close()
    return bytes(data)


def _mbtiles_with(path: Path, layers: list[dict]) -> Path:
    """Write an MBTiles with one tile (14/13004/7214) holding the given encoded layers."""
    con = sqlite3.connect(path)
    con.execute(
        "CREATE TABLE tiles (zoom_level INT, tile_column INT, tile_row INT, tile_data BLOB)"
    )
    data = gzip.compress(mapbox_vector_tile.encode(layers)) if layers is not None else None
    if data is not None:
        con.execute(
            "INSERT INTO tiles VALUES (?, ?, ?, ?)", (ZOOM, 13004, (1 << ZOOM) - 1 - 7214, data)
        )
    con.commit()
    con.close()
    return path


@pytest.fixture(scope="module")
def block_mbtiles(tmp_path_factory, data_folder: Path) -> Path:
    path = tmp_path_factory.mktemp("tiles") / "block.mbtiles"
    copy_tiles(data_folder / HANOI_TILES, path, BLOCK)
    return path


@pytest.fixture(scope="module")
def block_edges(block_mbtiles: Path):
    return read_tiles(block_mbtiles, workers=1)


# --------------------------------------------------------------------------- vector tiles


def test_pixel_to_lonlat_matches_pyproj_web_mercator():
    rng = np.random.default_rng(1)
    world = 4096 * (1 << ZOOM)
    px, py = rng.uniform(0, world, 500), rng.uniform(0.05 * world, 0.95 * world, 500)
    half = 20037508.342789244  # EPSG:3857 half-width, metres
    mx, my = px / world * 2 * half - half, half - py / world * 2 * half
    ref_lon, ref_lat = Transformer.from_crs(3857, 4326, always_xy=True).transform(mx, my)
    lon, lat = pixel_to_lonlat(px, py, zoom=ZOOM)
    np.testing.assert_allclose(lon, ref_lon, atol=1e-9)
    np.testing.assert_allclose(lat, ref_lat, atol=1e-9)


def test_tile_vertex_lands_at_hand_computed_lonlat(block_mbtiles: Path, block_edges):
    x, y = BLOCK[0]
    decoded = mapbox_vector_tile.decode(
        gzip.decompress(_tile_bytes(block_mbtiles, x, y)), default_options={"y_coord_down": True}
    )
    # first inner vertex (inside the tile proper) of a primary road
    feature = next(
        f
        for f in decoded["transportation"]["features"]
        if f["properties"].get("class") == "primary" and f["geometry"]["type"] == "LineString"
    )
    col, row = next(
        (c, r) for c, r in feature["geometry"]["coordinates"] if 0 < c < 4096 and 0 < r < 4096
    )
    # by hand: global pixel -> web mercator metres -> lon/lat with pyproj
    world, half = 4096 * (1 << ZOOM), 20037508.342789244
    gx, gy = x * 4096 + col, y * 4096 + row
    lon, lat = Transformer.from_crs(3857, 4326, always_xy=True).transform(
        gx / world * 2 * half - half, half - gy / world * 2 * half
    )
    assert 105.8 < lon < 105.9 and 21.0 < lat < 21.1  # central Hanoi
    key = ((gx * SUBPIXEL) << 31) | (gy * SUBPIXEL)
    keys = np.concatenate(block_edges["key"].to_list())
    where = np.flatnonzero(keys == key)
    assert where.size >= 1
    lons = np.concatenate(block_edges["lon"].to_list())[where]
    lats = np.concatenate(block_edges["lat"].to_list())[where]
    np.testing.assert_allclose(lons, lon, atol=1e-9)
    np.testing.assert_allclose(lats, lat, atol=1e-9)


def test_tiles_are_clipped_to_their_square(block_edges):
    lon = np.concatenate(block_edges["lon"].to_list())
    lat = np.concatenate(block_edges["lat"].to_list())
    (west, east), _ = pixel_to_lonlat(np.array([13009, 13011]) * 4096.0, np.zeros(2), zoom=ZOOM)
    _, (north, south) = pixel_to_lonlat(np.zeros(2), np.array([7212, 7214]) * 4096.0, zoom=ZOOM)
    assert lon.min() >= west and lon.max() <= east
    assert lat.min() >= south and lat.max() <= north
    assert set(block_edges["class"]) <= set(ROAD_CLASSES)
    assert set(block_edges["oneway"]) <= {-1, 0, 1}
    assert (block_edges["name"] != "").any()


def test_roads_cut_at_inner_tile_edges_are_joined(block_edges):
    graph = graph_from_edges(block_edges)
    qx, qy = graph.node_id >> 31, graph.node_id & ((1 << 31) - 1)
    inner_x = qx == 13010 * 4096 * SUBPIXEL
    inner_y = qy == 7213 * 4096 * SUBPIXEL
    pieces_crossing = sum(
        int(((k >> 31) == 13010 * 4096 * SUBPIXEL).any()) for k in block_edges["key"]
    )
    assert pieces_crossing > 20  # many roads cross the inner edge ...
    neighbours = collections.defaultdict(set)
    for a, b in zip(graph.edge_from.tolist(), graph.edge_to.tolist(), strict=True):
        neighbours[a].add(b)
        neighbours[b].add(a)
    on_edge = np.flatnonzero(inner_x | inner_y)
    dead_ends = [i for i in on_edge if len(neighbours[i]) == 1]
    assert dead_ends == []  # ... and none of them stops there: both halves met
    # joined roads of the same kind were merged through the cut: few nodes remain on it
    assert on_edge.size < pieces_crossing


def test_tile_folder_reads_like_the_mbtiles(tmp_path: Path, block_mbtiles: Path, block_edges):
    for x, y in BLOCK:
        target = tmp_path / str(ZOOM) / str(x) / f"{y}.pbf"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_tile_bytes(block_mbtiles, x, y))
    assert_graphs_equal(
        graph_from_edges(read_tiles(tmp_path, workers=1)), graph_from_edges(block_edges)
    )


@pytest.mark.slow
def test_hanoi_graph_is_joined_into_one_component(hanoi_graph: TravelGraph, data_folder: Path):
    area = gpd.read_file(data_folder / "hanoi_boundary_osm.geojson").union_all()
    inside = shapely.contains_xy(area, hanoi_graph.node_lon, hanoi_graph.node_lat)
    usable = np.isfinite(edge_travel_times(hanoi_graph, mode="motorbike"))
    main = largest_component(hanoi_graph, usable=usable)
    # nodes cut off at the 2 km buffer's edge are outside the province; inside, >99% are joined
    assert main[inside].mean() > 0.99
    assert main.mean() > 0.97
    assert 150_000 < inside.sum() < 300_000


@pytest.mark.slow
def test_hanoi_road_length_is_plausible(hanoi_graph: TravelGraph, data_folder: Path):
    area = gpd.read_file(data_folder / "hanoi_boundary_osm.geojson").union_all()
    g = hanoi_graph
    mid_lon = (g.node_lon[g.edge_from] + g.node_lon[g.edge_to]) / 2
    mid_lat = (g.node_lat[g.edge_from] + g.node_lat[g.edge_to]) / 2
    inside = shapely.contains_xy(area, mid_lon, mid_lat)
    road_km = np.where(g.edge_oneway, g.edge_length_m, g.edge_length_m / 2)[inside].sum() / 1000
    assert 24_000 < road_km < 32_000  # SOURCES.md: about 28,000 km of road in the province
    # lengths are great-circle lengths of the geometry
    o = g.edge_geom_offsets
    e = np.random.default_rng(0).choice(g.n_edges, 200, replace=False)
    for i in e:
        lon, lat = g.geom_lon[o[i] : o[i + 1]], g.geom_lat[o[i] : o[i + 1]]
        ref = sum(ox.distance.great_circle(lat[:-1], lon[:-1], lat[1:], lon[1:]))
        assert g.edge_length_m[i] == pytest.approx(ref, rel=1e-9, abs=1e-6)


def test_hanoi_graph_cache_is_warm_and_equal(hanoi_graph: TravelGraph):
    from planner.roads.network import hanoi_network

    assert_graphs_equal(hanoi_network(), hanoi_graph)


# --------------------------------------------------------------------------- OSM files


def _osmnx_segments(path: Path) -> tuple[collections.Counter, collections.Counter, float]:
    """Directed segments of osmnx's unsimplified graph, split by oneway, and total length."""
    G = ox.graph_from_xml(path, simplify=False, retain_all=True)
    oneway: collections.Counter = collections.Counter()
    twoway: collections.Counter = collections.Counter()
    length = 0.0
    for u, v, d in G.edges(data=True):
        highway = d.get("highway")
        # roads of a known class; highway areas (squares, area=yes) are not roads for us
        if highway_class(highway if isinstance(highway, str) else "")[0] is None:
            continue
        if d.get("area") == "yes":
            continue
        a = (round(G.nodes[u]["x"], 7), round(G.nodes[u]["y"], 7))
        b = (round(G.nodes[v]["x"], 7), round(G.nodes[v]["y"], 7))
        (oneway if d["oneway"] else twoway)[(a, b)] += 1
        length += d["length"]
    return oneway, twoway, length


def _graph_segments(graph: TravelGraph) -> tuple[collections.Counter, collections.Counter]:
    oneway: collections.Counter = collections.Counter()
    twoway: collections.Counter = collections.Counter()
    o = graph.edge_geom_offsets
    ferry = graph.class_names.index("ferry")  # route=ferry ways: osmnx reads highways only
    for e in np.flatnonzero(graph.edge_class != ferry):
        xs = np.round(graph.geom_lon[o[e] : o[e + 1]], 7).tolist()
        ys = np.round(graph.geom_lat[o[e] : o[e + 1]], 7).tolist()
        target = oneway if graph.edge_oneway[e] else twoway
        for i in range(len(xs) - 1):
            target[((xs[i], ys[i]), (xs[i + 1], ys[i + 1]))] += 1
    return oneway, twoway


def test_osm_oneway_and_lengths_match_osmnx(osm_fixture: Path, fixture_graph: TravelGraph):
    ref_oneway, ref_twoway, ref_length = _osmnx_segments(osm_fixture)
    oneway, twoway = _graph_segments(fixture_graph)
    assert sum(ref_oneway.values()) > 100  # the fixture has real one-way streets
    assert oneway == ref_oneway  # same directed segments, same direction, per one-way road
    assert twoway == ref_twoway
    assert fixture_graph.edge_length_m.sum() == pytest.approx(ref_length, rel=0.01)


def test_osm_graph_is_simplified_but_keeps_geometry(osm_fixture: Path, fixture_graph: TravelGraph):
    edges = read_osm(osm_fixture)
    g = fixture_graph
    raw_vertices = int(edges["key"].map(len).sum())
    assert g.n_nodes < 0.5 * len(set(np.concatenate(edges["key"].to_list())))
    assert g.geom_lon.size > raw_vertices  # every vertex kept (two-way roads twice)
    # geometry runs from the edge's source node to its target node
    o = g.edge_geom_offsets
    np.testing.assert_array_equal(g.geom_lon[o[:-1]], g.node_lon[g.edge_from])
    np.testing.assert_array_equal(g.geom_lat[o[1:] - 1], g.node_lat[g.edge_to])
    # CSR: edges sorted by source, indptr consistent
    assert np.all(np.diff(g.edge_from) >= 0)
    np.testing.assert_array_equal(np.repeat(np.arange(g.n_nodes), np.diff(g.indptr)), g.edge_from)
    # node ids are OSM node ids
    assert set(g.node_id.tolist()) <= set(np.concatenate(edges["key"].to_list()).tolist())
    # a remaining node with one way in and one way out is there because the road changes
    ins = np.bincount(g.edge_to, minlength=g.n_nodes)
    outs = np.bincount(g.edge_from, minlength=g.n_nodes)
    for node in np.flatnonzero((ins == 1) & (outs == 1)):
        e_in, e_out = np.flatnonzero(g.edge_to == node)[0], g.indptr[node]
        if g.edge_from[e_in] in (node, g.edge_to[e_out]):
            continue  # a self-loop, or the dead end of a two-way road
        attributes = (
            g.edge_class,
            g.edge_highway,
            g.edge_name,
            g.edge_service,
            g.edge_brunnel,
            g.edge_oneway,
            np.nan_to_num(g.edge_maxspeed_kph, nan=-1),
        )
        same = [(a[e_in], a[e_out]) for a in attributes]
        assert any(x != y for x, y in same), f"node {g.node_id[node]} should have been merged"


def test_osm_edges_carry_the_ids_and_tags_of_their_ways(
    osm_fixture: Path, fixture_graph: TravelGraph
):
    # reference: osmnx's unsimplified graph, one edge per segment with its way's id and tag
    G = ox.graph_from_xml(osm_fixture, simplify=False, retain_all=True)
    ways: dict[tuple, set] = collections.defaultdict(set)
    tags: dict[tuple, set] = collections.defaultdict(set)
    for u, v, d in G.edges(data=True):
        if highway_class(d.get("highway", ""))[0] is None or d.get("area") == "yes":
            continue  # not a road (railway, platform...) or a highway area
        a = (round(G.nodes[u]["x"], 7), round(G.nodes[u]["y"], 7))
        b = (round(G.nodes[v]["x"], 7), round(G.nodes[v]["y"], 7))
        ways[a, b].add(d["osmid"])
        tags[a, b].add(d["highway"])
    g = fixture_graph
    o, ids = g.edge_geom_offsets, g.edge_osmid_offsets
    several = 0
    ferry = g.class_names.index("ferry")
    for e in range(g.n_edges):
        if g.edge_class[e] == ferry:
            continue  # route=ferry ways: osmnx reads highways only
        xs = np.round(g.geom_lon[o[e] : o[e + 1]], 7).tolist()
        ys = np.round(g.geom_lat[o[e] : o[e + 1]], 7).tolist()
        points = list(zip(xs, ys, strict=True))
        segments = list(itertools.pairwise(points))
        expected = set().union(*(ways[s] for s in segments))
        got = g.osmid_values[ids[e] : ids[e + 1]].tolist()
        assert got == sorted(expected), e
        assert set().union(*(tags[s] for s in segments)) == {g.edge_highway[e]}, e
        several += len(got) > 1
    assert several > 50  # simplified edges often run along several ways (osmnx: a list)


def test_tile_edges_get_synthetic_ids_one_per_road(block_edges, tmp_path: Path, data_folder):
    graph = graph_from_edges(block_edges)
    assert np.array_equal(np.diff(graph.edge_osmid_offsets), np.ones(graph.n_edges))
    assert (graph.osmid_values < 0).all() and (graph.edge_highway == "").all()

    def roads(g: TravelGraph) -> dict[tuple, list[int]]:
        """Edge ids by road: the geometry read in its smaller direction, then copies in order."""
        found: dict[tuple, list[int]] = collections.defaultdict(list)
        o = g.edge_geom_offsets
        for e in range(g.n_edges):
            line = tuple(zip(g.geom_lon[o[e] : o[e + 1]], g.geom_lat[o[e] : o[e + 1]], strict=True))
            found[min(line, line[::-1])].append(int(g.osmid_values[e]))
        return found

    by_road = roads(graph)
    for road, ids in by_road.items():
        copies = collections.Counter(ids)
        # a two-way road's two directions share one id; a road drawn twice gets two ids
        assert len(copies) == (len(ids) + 1) // 2 and max(copies.values()) <= 2, road
    all_ids = [i for ids in by_road.values() for i in set(ids)]
    assert len(all_ids) == len(set(all_ids))  # no id shared between two roads
    # the same road gets the same id from another extract (one tile of the four)
    one_tile = tmp_path / "tile.mbtiles"
    copy_tiles(data_folder / HANOI_TILES, one_tile, BLOCK[:1])
    alone = roads(graph_from_edges(read_tiles(one_tile, workers=1)))
    common = alone.keys() & by_road.keys()
    assert len(common) > 500
    assert all(sorted(set(alone[r])) == sorted(set(by_road[r])) for r in common)


def test_pbf_reads_like_xml(tmp_path: Path, osm_fixture: Path, fixture_graph: TravelGraph):
    pbf = tmp_path / "van_mieu.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(osm_fixture)):
            writer.add(obj)
    assert_graphs_equal(load_network(pbf, cache=False), fixture_graph)


def test_components_match_networkx(fixture_graph: TravelGraph):
    G = to_networkx(fixture_graph)
    ref = list(nx.strongly_connected_components(G))
    n, labels = strong_components(fixture_graph)
    assert n == len(ref)
    biggest = max(ref, key=len)
    assert set(fixture_graph.node_id[labels == 0].tolist()) == biggest
    assert np.bincount(labels)[0] == len(biggest)
    # a mode's mask: cars may not use paths, so their component can only shrink
    car = np.isfinite(edge_travel_times(fixture_graph, mode="car"))
    assert 0 < largest_component(fixture_graph, usable=car).sum() <= len(biggest)


# --------------------------------------------------------------------------- cache, errors


def test_second_load_is_a_cache_hit(tmp_path: Path, monkeypatch, osm_fixture: Path):
    monkeypatch.setenv("PLANNER_CACHE_DIR", str(tmp_path / "cache"))
    builds = []
    build = network._BUILDERS["osm"]
    monkeypatch.setitem(network._BUILDERS, "osm", lambda p: builds.append(p) or build(p))
    first = load_network(osm_fixture)
    second = load_network(osm_fixture)
    assert len(builds) == 1
    assert_graphs_equal(first, second)
    assert isinstance(second.edge_name, np.ndarray) and second.edge_name.dtype == object


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("missing.mbtiles", None, "does not exist"),
        ("not_sqlite.mbtiles", b"this is not a database, just text\n" * 100, "not a readable"),
        ("roads.osm", b"<osm version='0.6'><node id='1' lat='21' lon='105'/></osm>", "no road"),
        ("roads.shp", b"", "unknown road network file type"),
    ],
)
def test_bad_files_raise_naming_the_file(tmp_path: Path, name, content, problem):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(PlannerInputError, match=problem) as info:
        load_network(path, cache=False)
    assert info.value.file == str(path)


def test_mbtiles_without_transportation_layer(tmp_path: Path):
    water = {
        "name": "water",
        "features": [{"geometry": "POLYGON ((0 0, 10 0, 10 10, 0 0))", "properties": {}}],
    }
    path = _mbtiles_with(tmp_path / "water.mbtiles", [water])
    with pytest.raises(PlannerInputError, match="no 'transportation' layer") as info:
        load_network(path, cache=False)
    assert info.value.file == str(path)


def test_mbtiles_of_an_empty_area(tmp_path: Path):
    rail = {
        "name": "transportation",
        "features": [{"geometry": "LINESTRING (0 0, 100 100)", "properties": {"class": "rail"}}],
    }
    no_roads = _mbtiles_with(tmp_path / "rail.mbtiles", [rail])
    with pytest.raises(PlannerInputError, match="no drivable road") as info:
        load_network(no_roads, cache=False)
    assert info.value.file == str(no_roads)
    no_tiles = _mbtiles_with(tmp_path / "empty.mbtiles", None)
    with pytest.raises(PlannerInputError, match="no vector tiles") as info:
        load_network(no_tiles, cache=False)
    assert info.value.file == str(no_tiles)
