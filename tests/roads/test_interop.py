"""osmnx, networkx and GraphML interop, checked with osmnx's own functions.

References: ``osmnx.save_graphml`` (the content our streamed GraphML must equal once loaded),
``osmnx.stats.count_streets_per_node`` (``street_count``), ``osmnx.routing.shortest_path``
(our route times), osmnx's unsimplified graph of the same OSM file (way ids, highway tags).
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import matplotlib
import networkx as nx
import numpy as np
import osmnx as ox
import pytest
from _graphs import HANOI_TILES, TILE, assert_graphs_equal, copy_tiles

from planner.errors import PlannerInputError
from planner.roads import _graphml, _osmnx_edges, interop
from planner.roads.graph import CLASS_NAMES, TravelGraph
from planner.roads.interop import from_osmnx, read_graphml, to_networkx, write_graphml
from planner.roads.network import largest_component, load_network
from planner.roads.speeds import edge_travel_times, load_speed_table, table_digest
from planner.travel import route

matplotlib.use("Agg")
WEST_OAKLAND = "fixtures/west_oakland_osm.osm.bz2"
#: Numeric attributes, as osmnx's loader types them by default.
NODE_NUMBERS = {"x": float, "y": float, "street_count": int}
EDGE_NUMBERS = {"length": float, "speed_kph": float, "travel_time": float}


@pytest.fixture(scope="module")
def tile_graph(tmp_path_factory, data_folder: Path) -> TravelGraph:
    """Central Hanoi (one z14 tile of our MBTiles): a vector-tile graph, no OSM ids or tags."""
    path = tmp_path_factory.mktemp("tiles") / "tile.mbtiles"
    copy_tiles(data_folder / HANOI_TILES, path, [TILE])
    return load_network(path, cache=False)


@pytest.fixture(params=["van_mieu_osm", "hanoi_tiles"])
def source_graph(request, fixture_graph: TravelGraph, tile_graph: TravelGraph) -> TravelGraph:
    return fixture_graph if request.param == "van_mieu_osm" else tile_graph


def _loaded(graph: TravelGraph, path: Path, **options) -> nx.MultiDiGraph:
    write_graphml(graph, path, **options)
    return ox.load_graphml(path)


# --------------------------------------------------------------------------- GraphML out


@pytest.mark.parametrize("mode", [None, "car", "motorbike"])
def test_streamed_graphml_loads_like_the_osmnx_writers(tmp_path: Path, source_graph, mode):
    ours = _loaded(source_graph, tmp_path / "ours.graphml", mode=mode, depart="17:30")
    ox.save_graphml(to_networkx(source_graph, mode=mode, depart="17:30"), tmp_path / "ox.graphml")
    ref = ox.load_graphml(tmp_path / "ox.graphml")
    assert ours.graph == ref.graph
    assert list(ours.nodes(data=True)) == list(ref.nodes(data=True))
    assert list(ours.edges(keys=True, data=True)) == list(ref.edges(keys=True, data=True))
    assert ours.number_of_edges() > 1000


def test_osmnx_functions_accept_our_graphml(tmp_path: Path, source_graph: TravelGraph):
    G = _loaded(source_graph, tmp_path / "car.graphml", mode="car", depart="10:00")
    stats = ox.stats.basic_stats(G)
    assert stats["n"] == len(G) and stats["m"] == G.number_of_edges()
    assert 2 < stats["streets_per_node_avg"] < 4
    undirected = ox.convert.to_undirected(G)
    two_way = sum(1 for *_, d in G.edges(data=True) if not d["oneway"])
    # each two-way road is one undirected edge: its two directions share osmid and geometry
    assert undirected.number_of_edges() == G.number_of_edges() - two_way // 2
    assert ox.stats.count_streets_per_node(G) == dict(G.nodes(data="street_count"))
    ax = ox.plot.plot_graph(G, show=False, close=True)[1]
    assert len(ax.collections) >= 2  # edges and nodes drawn

    # route between two far-apart nodes of the car roads' main component, by osmnx and by us
    car = np.isfinite(edge_travel_times(source_graph, mode="car", depart="10:00"))
    main = np.flatnonzero(largest_component(source_graph, usable=car))
    lon, lat = source_graph.node_lon[main], source_graph.node_lat[main]
    picks = main[[np.argmin(lon + lat), np.argmax(lon + lat)]]  # south-west and north-east
    ends = ox.distance.nearest_nodes(
        G, X=source_graph.node_lon[picks].tolist(), Y=source_graph.node_lat[picks].tolist()
    )
    assert list(ends) == source_graph.node_id[picks].tolist()
    path = ox.routing.shortest_path(G, *ends, weight="travel_time")
    osmnx_s = sum(min(d["travel_time"] for d in G[u][v].values()) for u, v in pairwise(path))
    ours = route(
        source_graph,
        (G.nodes[ends[0]]["y"], G.nodes[ends[0]]["x"]),
        (G.nodes[ends[1]]["y"], G.nodes[ends[1]]["x"]),
        mode="car",
        depart="10:00",
    )
    assert ours.node_ids[0] == ends[0] and ours.node_ids[-1] == ends[1]
    assert ours.network_time_s == pytest.approx(osmnx_s, rel=1e-9)
    assert osmnx_s > 60


def test_graphml_attributes_are_typed_and_osm_valued(tmp_path: Path, source_graph):
    G = _loaded(source_graph, tmp_path / "g.graphml", mode="motorbike", depart="08:00")
    for _, d in G.nodes(data=True):
        assert all(type(d[k]) is t for k, t in NODE_NUMBERS.items())
    for *_, d in G.edges(data=True):
        assert all(type(d[k]) is t for k, t in EDGE_NUMBERS.items())
        ids = d["osmid"] if isinstance(d["osmid"], list) else [d["osmid"]]
        assert ids and all(type(i) is int and i != 0 for i in ids)
        assert type(d["oneway"]) is bool
        assert d["road_class"] in source_graph.class_names
        if d["road_class"] == "ferry":  # OSM and osmnx: route=ferry, no highway tag
            assert d["route"] == "ferry" and "highway" not in d
            continue
        assert d["highway"] not in ("minor", "") and not d["highway"].endswith("_ramp")
        if "maxspeed" in d:  # OSM's text value in km/h, which osmnx's add_edge_speeds parses
            assert float(d["maxspeed"]) > 0
    highways = {d["highway"] for *_, d in G.edges(data=True) if "highway" in d}
    speeds = load_speed_table()
    assert G.graph["mode"] == "motorbike" and G.graph["depart"] == "08:00"
    assert G.graph["speed_table"] == table_digest(speeds)
    assert float(G.graph["congestion_factor"]) < 1  # 08:00 is a rush hour in our table
    if source_graph.source.endswith(".osm"):  # OSM file: OSM tags and way ids
        assert {"residential", "primary", "tertiary"} <= highways
        assert all(d["osmid"] > 0 for *_, d in G.edges(data=True) if type(d["osmid"]) is int)
    else:  # vector tiles: the OSM value each class stands for, synthetic (negative) ids
        assert {"road", "primary", "service"} <= highways
        assert all(d["osmid"] < 0 for *_, d in G.edges(data=True))


def test_graphml_with_mode_has_travel_times(tmp_path: Path, fixture_graph: TravelGraph):
    times = edge_travel_times(fixture_graph, mode="car", depart="10:00")
    written = write_graphml(fixture_graph, tmp_path / "car.graphml", mode="car", depart="10:00")
    G = ox.load_graphml(written.path)
    usable = np.isfinite(times)
    assert G.number_of_edges() == written.n_edges == int(usable.sum()) < fixture_graph.n_edges
    assert written.n_omitted_edges == fixture_graph.n_edges - written.n_edges
    # only the nodes the car roads touch
    touched = np.union1d(fixture_graph.edge_from[usable], fixture_graph.edge_to[usable])
    assert (
        set(G.nodes) == set(fixture_graph.node_id[touched].tolist()) and len(G) == written.n_nodes
    )
    got = sorted(d["travel_time"] for _, _, d in G.edges(data=True))
    np.testing.assert_allclose(got, np.sort(times[usable]), rtol=1e-12)
    for _, _, d in G.edges(data=True):
        assert d["speed_kph"] == pytest.approx(d["length"] / d["travel_time"] * 3.6)
        assert d["road_class"] not in ("path", "track")


def test_a_graph_built_without_way_ids_exports_the_synthetic_ones(tile_graph: TravelGraph):
    bare = dataclasses.replace(tile_graph, edge_osmid_offsets=None, osmid_values=None)
    exported = [d["osmid"] for *_, d in to_networkx(bare).edges(data=True)]
    assert exported == tile_graph.osmid_values.tolist()  # the ids the tile reader gave


def test_graphml_for_a_mode_that_may_use_no_road_is_refused(tmp_path: Path, fixture_graph):
    speeds = load_speed_table()
    speeds.loc[speeds["class"] != "snap", "usable"] = False
    with pytest.raises(PlannerInputError, match="may use none of the graph's") as info:
        write_graphml(fixture_graph, tmp_path / "none.graphml", mode="car", speeds=speeds)
    assert info.value.field == "mode"
    assert not list(tmp_path.iterdir())  # nothing written, not even a temporary file


def test_street_count_is_osmnx_count_on_parallel_edges_and_loops(tile_graph: TravelGraph):
    G = to_networkx(tile_graph)
    loops = list(nx.selfloop_edges(G))
    parallel = [(u, v) for u, v, k in G.edges(keys=True) if k > 0]
    assert loops and parallel  # the tile has both: the count's tricky cases are covered
    assert ox.stats.count_streets_per_node(G) == dict(G.nodes(data="street_count"))


def test_graphml_round_trip(tmp_path: Path, fixture_graph: TravelGraph, tile_graph):
    written = write_graphml(fixture_graph, tmp_path / "van_mieu.graphml")
    G = ox.load_graphml(written.path)
    assert (len(G), G.number_of_edges()) == (fixture_graph.n_nodes, fixture_graph.n_edges)
    assert (written.n_nodes, written.n_edges, written.n_omitted_edges) == (len(G), len(G.edges), 0)
    node = int(fixture_graph.node_id[7])
    assert G.nodes[node]["x"] == fixture_graph.node_lon[7]
    assert G.graph["crs"] == "EPSG:4326" and "mode" not in G.graph
    assert any("geometry" in d for _, _, d in G.edges(data=True))
    assert any(isinstance(d["osmid"], list) for _, _, d in G.edges(data=True))
    assert_graphs_equal(read_graphml(written.path), fixture_graph)
    assert not list(tmp_path.glob(".*.tmp"))  # nothing half-written left behind
    # tiles: the same graph back, with the OSM values of the classes for highway
    back = read_graphml(write_graphml(tile_graph, tmp_path / "tile.graphml").path)
    assert_graphs_equal(back, tile_graph, skip=("edge_highway",))
    assert set(back.edge_highway) == set(_graphml._highways(tile_graph, np.arange(back.n_edges)))


def test_graphml_text_is_escaped_and_xml_safe(tmp_path: Path, fixture_graph: TravelGraph):
    names = fixture_graph.edge_name.copy()
    names[0] = 'A & B <script>alert("x")</script>\x0b'
    graph = TravelGraph(**{**vars(fixture_graph), "edge_name": names, "source": "a<b&c"})
    G = _loaded(graph, tmp_path / "g.graphml")
    assert G.graph["source"] == "a<b&c"
    got = {d.get("name") for *_, d in G.edges(data=True)}
    assert 'A & B <script>alert("x")</script>\ufffd' in got


# --------------------------------------------------------------------------- osmnx in


def test_from_osmnx_keeps_roads_and_lengths(osm_fixture: Path, fixture_graph: TravelGraph):
    G = ox.graph_from_xml(osm_fixture, simplify=True, retain_all=True)
    graph = from_osmnx(G)
    road = [
        d
        for _, _, d in G.edges(data=True)
        if _osmnx_edges._osmnx_class(None, d.get("highway"))[0] is not None
    ]
    assert graph.n_edges == len(road)
    assert graph.edge_length_m.sum() == pytest.approx(sum(d["length"] for d in road), rel=1e-9)
    assert graph.edge_length_m.sum() == pytest.approx(fixture_graph.edge_length_m.sum(), rel=0.01)
    assert set(graph.node_id.tolist()) <= set(G.nodes)
    assert graph.edge_oneway.sum() == sum(bool(d["oneway"]) for d in road)
    osmids = {
        i for d in road for i in (d["osmid"] if isinstance(d["osmid"], list) else [d["osmid"]])
    }
    assert set(graph.osmid_values.tolist()) == osmids


@pytest.mark.parametrize(
    ("highway", "road_class", "expected", "tag"),
    [
        (["unclassified", "service"], None, "service", "service"),
        (["service", "unclassified"], None, "service", "service"),
        (["primary_link", "primary"], None, "primary_ramp", "primary_link"),
        (["trunk", "secondary"], None, "secondary", "secondary"),
        (["residential", "footway"], None, "path", "footway"),
        (["unclassified", "residential"], None, "minor", "residential"),
        (["platform", "tertiary"], None, "tertiary", "tertiary"),
        ("road", "minor", "minor", "road"),
        ("minor", None, "minor", "minor"),  # our GraphML before road_class
        ("platform", None, None, ""),
    ],
)
def test_merged_osmnx_edge_takes_its_least_important_class(highway, road_class, expected, tag):
    code, got_tag = _osmnx_edges._osmnx_class(road_class, highway)
    assert (None if code is None else CLASS_NAMES[code]) == expected
    assert got_tag == tag


_CONVERT = """
import json, sys
import osmnx as ox
from planner.config import data_file
from planner.roads.interop import from_osmnx
from planner.roads.speeds import edge_travel_times

G = ox.graph_from_xml(data_file(sys.argv[1]), simplify=True, retain_all=True)
graph = from_osmnx(G)
print(json.dumps({
    "lists": [d["highway"] for *_, d in G.edges(data=True) if isinstance(d.get("highway"), list)],
    "class": graph.edge_class.tolist(),
    "highway": graph.edge_highway.tolist(),
    "osmid": graph.osmid_values.tolist(),
    "car_s": edge_travel_times(graph, mode="car", depart="10:00").tolist(),
    "motorbike_s": edge_travel_times(graph, mode="motorbike", depart="10:00").tolist(),
}))
"""


def test_from_osmnx_gives_the_same_graph_in_every_process():
    # two hash seeds under which osmnx orders the merged highways apart; run side by side
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _CONVERT, WEST_OAKLAND],
            env={**os.environ, "PYTHONHASHSEED": seed},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in ("0", "1")
    ]
    runs = []
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        runs.append(json.loads(out.strip().splitlines()[-1]))
    first, second = runs
    # the hazard is real: osmnx's lists come in a different order in the two processes ...
    assert first["lists"] and first["lists"] != second["lists"]
    assert sorted(map(sorted, first["lists"])) == sorted(map(sorted, second["lists"]))
    # ... and the conversion does not depend on it
    for key in ("class", "highway", "osmid", "car_s", "motorbike_s"):
        assert first[key] == second[key], key


def test_graph_from_osmnx_place_converts_the_download(monkeypatch, osm_fixture: Path):
    calls = []

    def fake_place(query, *, network_type):
        calls.append((query, network_type))
        return ox.graph_from_xml(osm_fixture)

    monkeypatch.setattr(ox, "graph_from_place", fake_place)
    graph = interop.graph_from_osmnx_place("Đống Đa, Hà Nội")
    assert calls == [("Đống Đa, Hà Nội", "drive")]
    assert graph.n_edges > 100 and graph.source == "osmnx:Đống Đa, Hà Nội"
