"""Snapping, travel-time matrices and routes, checked against networkx Dijkstra."""

from __future__ import annotations

import logging

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from planner.errors import PlannerInputError
from planner.roads.graph import TravelGraph
from planner.roads.network import largest_component
from planner.roads.speeds import edge_travel_times, load_speed_table, snap_speed_kph
from planner.travel import MATRIX_COLUMNS, _routers, route, snap_facilities, travel_time_matrix
from planner.travel import matrix as travel

CLASSES = ("primary", "minor", "service", "path")
XANH_PON = (21.03126, 105.83518)
BA_VI_GENERAL = (21.2164, 105.4100)
DEG_M = 111_320.0  # metres per degree of latitude (and of longitude at the equator)


def _graph(
    lonlat: list[tuple[float, float]], edges: list[tuple[int, int, float, str]]
) -> TravelGraph:
    """A TravelGraph from nodes and one-way edges ``(from, to, length_m, class)``."""
    lon, lat = np.array(lonlat, dtype=float).T
    edges = sorted(edges, key=lambda e: e[0])
    frm = np.array([e[0] for e in edges], dtype=np.int32)
    to = np.array([e[1] for e in edges], dtype=np.int32)
    return TravelGraph(
        node_lon=lon, node_lat=lat, node_id=np.arange(len(lon), dtype=np.int64) + 1000,
        indptr=np.searchsorted(frm, np.arange(len(lon) + 1)).astype(np.int64),
        edge_from=frm, edge_to=to, edge_length_m=np.array([e[2] for e in edges], dtype=float),
        edge_class=np.array([CLASSES.index(e[3]) for e in edges], dtype=np.int8),
        class_names=CLASSES, edge_geom_offsets=np.arange(0, 2 * len(edges) + 1, 2, dtype=np.int64),
        geom_lon=np.column_stack([lon[frm], lon[to]]).ravel(),
        geom_lat=np.column_stack([lat[frm], lat[to]]).ravel(), source="hand-made",
    )  # fmt: skip


def _two_way(u: int, v: int, length_m: float, cls: str = "primary") -> list:
    return [(u, v, length_m, cls), (v, u, length_m, cls)]


@pytest.fixture(scope="module")
def town() -> TravelGraph:
    """A small town: a square of winding primary roads 0-1-2-3, a footpath short cut 0-5-2
    (motorbikes only), a one-way trap 2->4 with no way out, and a far island 6-7 about 11 km away."""
    step = 0.01  # ~1 km
    nodes = [(105.80, 21.00), (105.81, 21.00), (105.81, 21.01), (105.80, 21.01),
             (105.82, 21.01), (105.805, 21.005), (105.90, 21.05), (105.901, 21.05)]  # fmt: skip
    km = step * DEG_M
    side = 5 * km  # the square's roads wind (a river bend): 5 km per side
    edges = [
        *_two_way(0, 1, side), *_two_way(1, 2, side), *_two_way(2, 3, side), *_two_way(3, 0, side),
        (0, 1, side, "minor"),  # a slower parallel road: the fastest one must win
        *_two_way(0, 5, 0.7 * km, "path"), *_two_way(5, 2, 0.7 * km, "path"),
        (2, 4, km, "primary"),  # one way in, none out
        *_two_way(6, 7, 100.0),
        (3, 3, 50.0, "primary"),  # a loop
    ]  # fmt: skip
    return _graph(nodes, edges)


def _sites(points: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Facilities from {id: (lat, lon)} as a plain DataFrame."""
    ids = list(points)
    lat, lon = np.array([points[i] for i in ids]).T
    return pd.DataFrame({"facility_id": ids, "lat": lat, "lon": lon})


def _nx_reference(
    graph: TravelGraph, *, mode: str, depart: str, speeds: pd.DataFrame | None = None
) -> nx.DiGraph:
    """An independent networkx graph from the same arrays: fastest parallel edge, its length."""
    times = edge_travel_times(graph, mode=mode, depart=depart, speeds=speeds)
    edges = pd.DataFrame(
        {"u": graph.edge_from, "v": graph.edge_to, "time": times, "length": graph.edge_length_m}
    )
    edges = edges[np.isfinite(edges["time"])].sort_values("time").drop_duplicates(["u", "v"])
    ref = nx.DiGraph()
    ref.add_edges_from(
        (u, v, {"time": t, "length": length})
        for u, v, t, length in edges.itertuples(index=False, name=None)
    )
    return ref


def _check_against_networkx(
    graph: TravelGraph, matrix: pd.DataFrame, ref: nx.DiGraph, origins: list[str] | None = None
) -> int:
    """Check times and fastest-path lengths of the ok pairs (of ``origins``, default all)."""
    index = pd.Series(np.arange(graph.n_nodes), index=graph.node_id)
    checked = 0
    ok = matrix[matrix["status"] == "ok"]
    if origins is not None:
        ok = ok[ok["origin_id"].isin(origins)]
    for origin, rows in ok.groupby("origin_node"):
        src = int(index[origin])
        pred, times = nx.dijkstra_predecessor_and_distance(ref, src, weight="time")
        for row in rows.itertuples():
            dst = int(index[row.destination_node])
            assert row.network_time_s == pytest.approx(times[dst], rel=1e-3, abs=1e-6)
            length, node = 0.0, dst
            while node != src:  # back along networkx's own fastest path
                length += ref[pred[node][0]][node]["length"]
                node = pred[node][0]
            assert row.distance_m == pytest.approx(length, rel=1e-3, abs=1e-6)
            checked += 1
    return checked


def test_town_matrix_matches_networkx_and_handles_traps(town: TravelGraph, caplog) -> None:
    sites = _sites({
        "a": (21.0, 105.80), "b": (21.0, 105.81), "c": (21.01, 105.81), "d": (21.01, 105.80),
        "trap": (21.01, 105.82), "island": (21.05, 105.90),
    })  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="planner.travel._snapping"):
        matrix = travel_time_matrix(town, sites, mode="car", depart="03:00")
    assert list(matrix.columns) == list(MATRIX_COLUMNS)
    assert len(matrix) == 36
    assert matrix["origin_id"].tolist()[:7] == ["a"] * 6 + ["b"]
    assert matrix["destination_id"].tolist()[:6] == list(sites["facility_id"])
    # the trap node cannot be left, so "trap" snaps to c, ~1 km away; the island is ~11 km off
    snaps = snap_facilities(town, sites, mode="car").set_index("facility_id")
    assert snaps.loc["trap", "node_id"] == 1002
    assert snaps.loc["trap", "snap_distance_m"] == pytest.approx(
        0.01 * DEG_M * np.cos(np.radians(21.01)), rel=0.01
    )
    assert snaps.loc["trap", "status"] == "not_snapped"  # just over the 1 km default
    assert snaps.loc["island", "status"] == "not_snapped"
    assert "island" in caplog.text
    island = matrix[(matrix["origin_id"] == "island") | (matrix["destination_id"] == "island")]
    assert (island["status"] == "not_snapped").all()
    assert island["reason"].str.contains("island").all()
    assert island[["network_time_s", "travel_time_s", "distance_m"]].isna().all().all()
    assert island["origin_node"].isna().sum() == 7  # the island row plus trap -> island
    assert (
        _check_against_networkx(town, matrix, _nx_reference(town, mode="car", depart="03:00")) == 16
    )
    # the parallel minor road 0->1 is slower: the primary one is used
    ab = matrix.set_index(["origin_id", "destination_id"]).loc[("a", "b")]
    assert ab["distance_m"] == pytest.approx(5 * 0.01 * DEG_M)
    # a facility to itself is no trip; a->a is 0 even door to door
    aa = matrix.set_index(["origin_id", "destination_id"]).loc[("a", "a")]
    assert aa["travel_time_s"] == 0 and aa["status"] == "ok"


def test_snap_leg_time_and_wider_threshold(town: TravelGraph) -> None:
    sites = _sites({"a": (21.0, 105.80), "trap": (21.01, 105.82)})
    matrix = travel_time_matrix(town, sites, mode="car", max_snap_m=2000).set_index(
        ["origin_id", "destination_id"]
    )
    row = matrix.loc[("a", "trap")]
    assert row["status"] == "ok"
    leg_s = row["destination_snap_m"] / (snap_speed_kph(mode="car") / 3.6)
    assert row["travel_time_s"] == pytest.approx(row["network_time_s"] + leg_s)


def test_limit_makes_far_pairs_unreachable(town: TravelGraph) -> None:
    sites = _sites({"a": (21.0, 105.80), "c": (21.01, 105.81)})
    matrix = travel_time_matrix(town, sites, mode="car", depart="03:00", limit_s=60.0)
    ac = matrix[(matrix["origin_id"] == "a") & (matrix["destination_id"] == "c")].iloc[0]
    assert ac["status"] == "unreachable" and np.isnan(ac["network_time_s"])
    assert "limit_s=60" in ac["reason"]


def test_motorbike_takes_the_alley(town: TravelGraph) -> None:
    sites = _sites({"a": (21.0, 105.80), "c": (21.01, 105.81)})
    car = route(town, (21.0, 105.80), (21.01, 105.81), mode="car", depart="03:00")
    moto = route(town, (21.0, 105.80), (21.01, 105.81), mode="motorbike", depart="03:00")
    assert 1005 not in car.node_ids and moto.node_ids == (1000, 1005, 1002)
    assert moto.distance_m < car.distance_m
    matrix = travel_time_matrix(town, sites, mode="motorbike", depart="03:00")
    ref = _nx_reference(town, mode="motorbike", depart="03:00")
    assert _check_against_networkx(town, matrix, ref) == 4


def test_route_geometry_and_figures(town: TravelGraph) -> None:
    r = route(town, (21.0, 105.80), (21.01, 105.80), mode="car", depart="03:00")
    assert r.node_ids == (1000, 1003)
    assert r.geometry.coords[0] == (105.80, 21.0) and r.geometry.coords[-1] == (105.80, 21.01)
    with pytest.raises(PlannerInputError, match="cannot be placed"):
        route(town, (21.0, 105.80), (21.05, 105.90))
    same = route(town, (21.0, 105.80), (21.0, 105.80))
    assert same.travel_time_s == 0 and same.node_ids == (1000,)


def test_bad_facility_tables(town: TravelGraph) -> None:
    with pytest.raises(PlannerInputError) as err:
        snap_facilities(town, pd.DataFrame({"facility_id": ["a"], "lat": [21.0]}))
    assert err.value.field == "lon"
    twice = _sites({"a": (21.0, 105.8)})
    with pytest.raises(PlannerInputError, match="more than once"):
        travel_time_matrix(town, pd.concat([twice, twice]))
    nan = pd.DataFrame({"facility_id": ["x"], "lat": [np.nan], "lon": [105.8]})
    assert snap_facilities(town, nan)["reason"].iloc[0] == "no valid coordinates"


# --- the whole-Hanoi graph and the OSM fixture -------------------------------------------


def _random_sites(
    graph: TravelGraph, k: int, seed: int, *, dead_ends: bool = False
) -> gpd.GeoDataFrame:
    """k facilities placed on random nodes of the car network's largest component (only on
    dead ends, nodes with a single neighbour, if ``dead_ends``)."""
    usable = np.isfinite(edge_travel_times(graph, mode="car"))
    inside = largest_component(graph, usable=usable)
    pool = np.flatnonzero(inside)
    if dead_ends:
        keep = usable & inside[graph.edge_from] & inside[graph.edge_to]
        pairs = np.unique(
            np.sort(np.c_[graph.edge_from[keep], graph.edge_to[keep]], axis=1), axis=0
        )
        pool = np.flatnonzero(np.bincount(pairs.ravel(), minlength=graph.n_nodes) == 1)
    nodes = np.random.default_rng(seed).choice(pool, size=k, replace=False)
    lat, lon = graph.node_lat[nodes], graph.node_lon[nodes]
    return gpd.GeoDataFrame(
        {"facility_id": [f"n{i}" for i in nodes], "lat": lat, "lon": lon},
        geometry=[Point(x, y) for x, y in zip(lon, lat, strict=True)], crs="EPSG:4326",
    )  # fmt: skip


@pytest.mark.slow
def test_hanoi_matches_networkx(hanoi_graph: TravelGraph) -> None:
    sites = _random_sites(hanoi_graph, 40, seed=2)
    matrix = travel_time_matrix(hanoi_graph, sites.iloc[:2], sites, mode="car", depart="08:00")
    assert (matrix["status"] == "ok").all()
    ref = _nx_reference(hanoi_graph, mode="car", depart="08:00")
    assert _check_against_networkx(hanoi_graph, matrix, ref) == 80


def test_fixture_matches_networkx(fixture_graph: TravelGraph) -> None:
    sites = _random_sites(fixture_graph, 12, seed=3)
    for mode in ("car", "motorbike"):
        matrix = travel_time_matrix(fixture_graph, sites, mode=mode, depart="17:30")
        ref = _nx_reference(fixture_graph, mode=mode, depart="17:30")
        assert _check_against_networkx(fixture_graph, matrix, ref) == 144


@pytest.mark.slow
def test_xanh_pon_to_ba_vi_off_peak_is_about_one_to_two_hours(hanoi_graph: TravelGraph) -> None:
    sites = _sites({"xanh-pon": XANH_PON, "ba-vi": BA_VI_GENERAL})
    off_peak = travel_time_matrix(hanoi_graph, sites, mode="car", depart="10:00")
    trip = off_peak.set_index(["origin_id", "destination_id"]).loc[("xanh-pon", "ba-vi")]
    assert trip["status"] == "ok"
    assert 3000 <= trip["travel_time_s"] <= 7200  # ~53 km of roads, about an hour
    assert 45_000 <= trip["distance_m"] <= 80_000
    assert trip["origin_snap_m"] < 200 and trip["destination_snap_m"] < 500
    peak = travel_time_matrix(hanoi_graph, sites, mode="car", depart="17:30")
    assert (peak["travel_time_s"] > off_peak["travel_time_s"]).sum() == 2
    r = route(hanoi_graph, XANH_PON, BA_VI_GENERAL, mode="car", depart="10:00")
    assert r.travel_time_s == pytest.approx(trip["travel_time_s"])
    assert r.distance_m == pytest.approx(trip["distance_m"])
    assert r.geometry.length > 0.3  # degrees: the line follows the roads


@pytest.mark.slow
def test_hanoi_far_facility_is_flagged(hanoi_graph: TravelGraph) -> None:
    sites = _sites({"xanh-pon": XANH_PON, "sea": (20.0, 107.0)})
    matrix = travel_time_matrix(hanoi_graph, sites, mode="motorbike")
    assert matrix["status"].tolist() == ["ok", "not_snapped", "not_snapped", "not_snapped"]


def _whole_and_reduced(graph: TravelGraph, sites: pd.DataFrame, monkeypatch) -> tuple:
    """The same matrix searched on the whole graph and on the reduced one."""
    with monkeypatch.context() as patch:
        patch.setattr(travel, "_WHOLE_GRAPH_SOURCES", len(sites))
        whole = travel_time_matrix(graph, sites, mode="car", depart="17:30", cache=False)
    reduced = travel_time_matrix(
        graph, sites.iloc[::-1], sites, mode="car", depart="17:30", cache=False
    )
    router = _routers.router_for(graph, "car", "17:30", None)
    kept, _ = list(router.terminals.values())[-1].reduced  # the one just made
    pairs = ["origin_id", "destination_id"]
    return whole.set_index(pairs), reduced.set_index(pairs).loc[whole.set_index(pairs).index], kept


def test_reduced_graph_keeps_fixture_times(fixture_graph: TravelGraph, monkeypatch) -> None:
    sites = pd.concat(
        [
            _random_sites(fixture_graph, 20, seed=7),
            _random_sites(fixture_graph, 5, seed=8, dead_ends=True),
        ]
    )
    whole, reduced, kept = _whole_and_reduced(fixture_graph, sites, monkeypatch)
    assert kept.n_nodes < 0.5 * fixture_graph.n_nodes
    assert (whole["status"] == "ok").all()
    cols = ["network_time_s", "distance_m"]
    np.testing.assert_allclose(reduced[cols], whole[cols], rtol=1e-9, atol=1e-9)


@pytest.mark.slow
def test_hanoi_reduced_graph_keeps_times(hanoi_graph: TravelGraph, monkeypatch) -> None:
    sites = pd.concat(
        [
            _random_sites(hanoi_graph, 54, seed=11),
            _random_sites(hanoi_graph, 6, seed=12, dead_ends=True),
        ]
    )  # 60 origins: the reduced graph, searched on two threads
    whole, reduced, kept = _whole_and_reduced(hanoi_graph, sites, monkeypatch)
    assert kept.n_nodes < 0.2 * hanoi_graph.n_nodes
    assert (whole["status"] == "ok").all()
    cols = ["network_time_s", "distance_m"]
    np.testing.assert_allclose(reduced[cols], whole[cols], rtol=1e-9, atol=1e-9)


@pytest.mark.slow
def test_hanoi_reduced_matches_networkx_from_dead_ends(hanoi_graph: TravelGraph) -> None:
    dead = _random_sites(hanoi_graph, 4, seed=13, dead_ends=True)
    sites = pd.concat([dead, _random_sites(hanoi_graph, 30, seed=14)])
    matrix = travel_time_matrix(hanoi_graph, sites, mode="car", depart="08:00")  # reduced
    assert (matrix["status"] == "ok").all()
    ref = _nx_reference(hanoi_graph, mode="car", depart="08:00")
    origins = [*dead["facility_id"][:2], *sites["facility_id"][-1:]]
    assert _check_against_networkx(hanoi_graph, matrix, ref, origins) == 3 * len(sites)


def test_user_speed_table_is_used(fixture_graph: TravelGraph, tmp_path) -> None:
    table = load_speed_table()
    roads = (table["mode"] == "car") & (table["class"] != "snap")
    table.loc[roads, "speed_kph"] /= 2  # every car road half as fast, the snap leg unchanged
    table.to_csv(tmp_path / "speeds.csv", index=False)
    slow = load_speed_table(tmp_path / "speeds.csv")
    sites = _random_sites(fixture_graph, 6, seed=4)
    ours = travel_time_matrix(fixture_graph, sites, mode="car", depart="10:00")
    theirs = travel_time_matrix(fixture_graph, sites, mode="car", depart="10:00", speeds=slow)
    assert (theirs["status"] == "ok").all()
    np.testing.assert_allclose(theirs["network_time_s"], 2 * ours["network_time_s"], rtol=1e-9)
    ref = _nx_reference(fixture_graph, mode="car", depart="10:00", speeds=slow)
    assert _check_against_networkx(fixture_graph, theirs, ref) == 36
    a, b = sites.iloc[0], sites.iloc[1]
    r = route(fixture_graph, a, b, mode="car", depart="10:00", speeds=slow)
    trip = theirs.set_index(["origin_id", "destination_id"]).loc[
        (a["facility_id"], b["facility_id"])
    ]
    assert r.travel_time_s == pytest.approx(trip["travel_time_s"])
    assert r.distance_m == pytest.approx(trip["distance_m"])


def test_facilities_sharing_a_separate_piece_route_within_it(town: TravelGraph) -> None:
    # Two facilities on the island (a road piece 11 km from the main network) share it:
    # they snap there and reach each other; pairs with the mainland stay unreachable, reported.
    mainland = _sites({"a": (21.0, 105.80)})
    island = _sites({"west": (21.05, 105.9001), "east": (21.05, 105.9009)})
    matrix = travel_time_matrix(town, mainland, island, mode="car", depart="03:00")
    assert (matrix["status"] == "unreachable").all()
    assert matrix["reason"].str.contains("no car road path").all()
    inner = travel_time_matrix(town, island, mode="car", depart="03:00").set_index(
        ["origin_id", "destination_id"]
    )
    row = inner.loc[("west", "east")]
    assert row["status"] == "ok"
    # both lie on the island's 100 m road, at a tenth and nine tenths of it: 80 m apart
    assert row["distance_m"] == pytest.approx(80.0)
    snaps = snap_facilities(town, island, mode="car")
    assert (snaps["status"] == "ok").all()
    assert snaps["reason"].str.contains("separate car road piece").all()
    # A lone facility on a separate piece is still not snapped (it could reach nobody).
    lone = snap_facilities(town, _sites({"west": (21.05, 105.9001)}), mode="car")
    assert lone["status"].tolist() == ["not_snapped"]
