"""Snapping to edges, the metric CRS of any place, routes by trees, the matrix cache.

Every routing figure is checked against an independent networkx graph into which the snap
points are inserted by hand (each point joined to the ends of its edge, both directions of a
two-way road), and every snap against a brute-force distance to all roads.
"""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod, Transformer

from planner.config import metric_crs
from planner.errors import PlannerInputError
from planner.requests import TripRule
from planner.roads.graph import TravelGraph
from planner.roads.network import largest_component, load_network
from planner.roads.speeds import edge_travel_times, snap_speed_kph
from planner.travel import (
    _routers,
    _routing,
    _snapping,
    _store,
    paths,
    route,
    routes,
    snap_facilities,
    travel_time_matrix,
)
from planner.travel import matrix as travel

GEOD = Geod(ellps="WGS84")


def _near_roads(graph: TravelGraph, k: int, seed: int, *, offset_m: float = 60.0) -> pd.DataFrame:
    """k facilities beside random car roads of the largest component: a random point of a
    random edge, moved up to ``offset_m`` off it in a random direction."""
    rng = np.random.default_rng(seed)
    usable = np.isfinite(edge_travel_times(graph, mode="car"))
    inside = largest_component(graph, usable=usable)
    edges = np.flatnonzero(usable & inside[graph.edge_from] & inside[graph.edge_to])
    picked = rng.choice(edges, size=k, replace=False)
    lon, lat = [], []
    for e in picked:
        a, b = graph.edge_geom_offsets[e], graph.edge_geom_offsets[e + 1]
        line = shapely.LineString(np.column_stack([graph.geom_lon[a:b], graph.geom_lat[a:b]]))
        p = line.interpolate(rng.uniform(0.1, 0.9), normalized=True)
        x, y, _ = GEOD.fwd(p.x, p.y, rng.uniform(0, 360), rng.uniform(0, offset_m))
        lon.append(x)
        lat.append(y)
    return pd.DataFrame({"facility_id": [f"f{i}" for i in range(k)], "lat": lat, "lon": lon})


def _reference(
    graph: TravelGraph, snaps: pd.DataFrame, *, mode: str, depart: str
) -> tuple[nx.DiGraph, dict[str, object]]:
    """networkx graph of the usable roads (fastest parallel edge) with every snap point
    inside an edge added as a node of its own; and each facility's node in it."""
    times = edge_travel_times(graph, mode=mode, depart=depart)
    ref = nx.DiGraph()
    for u, v, t, length in zip(
        graph.edge_from, graph.edge_to, times, graph.edge_length_m, strict=True
    ):
        if np.isfinite(t) and u != v and (not ref.has_edge(u, v) or ref[u][v]["time"] > t):
            ref.add_edge(int(u), int(v), time=float(t), length=float(length))
    where: dict[str, object] = {}
    on_edge: dict[int, list[tuple[float, object]]] = {}
    for row in snaps[snaps["status"] == "ok"].itertuples():
        e, f = int(row.edge), float(row.edge_fraction)
        if f in (0.0, 1.0):
            where[row.facility_id] = int(graph.edge_from[e] if f == 0 else graph.edge_to[e])
            continue
        point = ("point", row.facility_id)
        where[row.facility_id] = point
        # the point lies on its edge and on the opposite edge of a two-way road
        opposite = np.flatnonzero(
            (graph.edge_from == graph.edge_to[e])
            & (graph.edge_to == graph.edge_from[e])
            & np.isclose(graph.edge_length_m, graph.edge_length_m[e], atol=1e-3)
            & np.isfinite(times)
        )
        for d, g in [(e, f), *((int(r), 1 - f) for r in opposite[:1])]:
            t, length = float(times[d]), float(graph.edge_length_m[d])
            ref.add_edge(int(graph.edge_from[d]), point, time=g * t, length=g * length)
            ref.add_edge(point, int(graph.edge_to[d]), time=(1 - g) * t, length=(1 - g) * length)
            on_edge.setdefault(d, []).append((g, point))
    for d, points in on_edge.items():  # along one edge from a point to those after it
        t, length = float(times[d]), float(graph.edge_length_m[d])
        for g1, p1 in points:
            for g2, p2 in points:
                if g2 > g1:
                    ref.add_edge(p1, p2, time=(g2 - g1) * t, length=(g2 - g1) * length)
    return ref, where


def _check(matrix: pd.DataFrame, ref: nx.DiGraph, where: dict[str, object]) -> int:
    """Compare every ok pair's network time and road length with networkx's own path."""
    checked = 0
    for origin, rows in matrix[matrix["status"] == "ok"].groupby("origin_id"):
        times, paths = nx.single_source_dijkstra(ref, where[origin], weight="time")
        for row in rows.itertuples():
            if row.destination_id == origin:
                continue
            target = where[row.destination_id]
            assert row.network_time_s == pytest.approx(times[target], abs=1e-6)
            path = paths[target]
            length = sum(ref[a][b]["length"] for a, b in itertools.pairwise(path))
            assert row.distance_m == pytest.approx(length, rel=1e-6, abs=1e-6)
            checked += 1
    return checked


# --- snapping -------------------------------------------------------------------------------


def test_snap_is_the_nearest_point_of_any_usable_road(fixture_graph: TravelGraph) -> None:
    sites = _near_roads(fixture_graph, 40, seed=1)
    snaps = snap_facilities(fixture_graph, sites)
    assert (snaps["status"] == "ok").all()
    # brute force: distance to every car road of the main component, in the same UTM zone
    to_m = Transformer.from_crs(
        "EPSG:4326", metric_crs(fixture_graph.node_lon, fixture_graph.node_lat), always_xy=True
    )
    usable = np.isfinite(edge_travel_times(fixture_graph, mode="car"))
    inside = largest_component(fixture_graph, usable=usable)
    edges = np.flatnonzero(usable & inside[fixture_graph.edge_from] & inside[fixture_graph.edge_to])
    lines = []
    for e in edges:
        a, b = fixture_graph.edge_geom_offsets[e], fixture_graph.edge_geom_offsets[e + 1]
        lines.append(shapely.LineString(np.column_stack(to_m.transform(
            fixture_graph.geom_lon[a:b], fixture_graph.geom_lat[a:b]))))  # fmt: skip
    x, y = to_m.transform(sites["lon"].to_numpy(), sites["lat"].to_numpy())
    nearest = shapely.distance(np.array(lines)[None, :], shapely.points(x, y)[:, None]).min(axis=1)
    np.testing.assert_allclose(snaps["snap_distance_m"], nearest, atol=1e-6)
    # the snap point lies on the snapped edge, where the fraction says
    sx, sy = to_m.transform(snaps["snap_lon"].to_numpy(), snaps["snap_lat"].to_numpy())
    for row, px, py in zip(snaps.itertuples(), sx, sy, strict=True):
        line = lines[int(np.flatnonzero(edges == row.edge)[0])] if row.edge in edges else None
        if line is None:  # the opposite direction of a two-way road was indexed
            continue
        assert line.project(shapely.Point(px, py), normalized=True) == pytest.approx(
            row.edge_fraction, abs=1e-6
        )
    # most facilities now snap inside an edge, and the node is its nearer end
    inside_edge = snaps["edge_fraction"].between(0, 1, inclusive="neither")
    assert inside_edge.mean() > 0.8
    ends = np.where(
        snaps["edge_fraction"] <= 0.5,
        fixture_graph.edge_from[snaps["edge"].to_numpy(dtype=int)],
        fixture_graph.edge_to[snaps["edge"].to_numpy(dtype=int)],
    )
    np.testing.assert_array_equal(snaps["node"].to_numpy(dtype=int), ends)


def test_snap_distances_are_geodesic_anywhere(data_folder) -> None:
    # West Oakland, California (UTM 10N): a fixed UTM 48N would stretch these legs ~3x
    graph = load_network(data_folder / "fixtures" / "west_oakland_osm.osm.bz2")
    assert metric_crs(graph.node_lon, graph.node_lat) == "EPSG:32610"
    sites = _near_roads(graph, 25, seed=5, offset_m=150.0)
    snaps = snap_facilities(graph, sites, max_snap_m=5000)
    assert (snaps["status"] == "ok").all()
    _, _, geodesic = GEOD.inv(sites["lon"], sites["lat"], snaps["snap_lon"], snaps["snap_lat"])
    legs = snaps["snap_distance_m"].to_numpy()
    far = legs > 1.0  # a point on the road itself has nothing to compare
    assert far.sum() >= 20
    np.testing.assert_allclose(legs[far], geodesic[far], rtol=0.005)
    matrix = travel_time_matrix(graph, sites, mode="car")
    assert (matrix["status"] == "ok").all()
    ref, where = _reference(graph, snaps, mode="car", depart="10:00")
    assert _check(matrix, ref, where) == 25 * 24


def test_a_place_far_from_hanoi_is_measured_in_its_own_zone() -> None:
    # a 1 km east-west road in Bavaria and a facility 14 m north of it
    lon0, lat0 = 11.5, 48.1
    east, _, _ = GEOD.fwd(lon0, lat0, 90, 1000)
    _, north, _ = GEOD.fwd(lon0 + 0.005, lat0, 0, 14)
    graph = TravelGraph(
        node_lon=np.array([lon0, east]), node_lat=np.array([lat0, lat0]),
        node_id=np.array([1, 2]), indptr=np.array([0, 1, 2]),
        edge_from=np.array([0, 1], dtype=np.int32), edge_to=np.array([1, 0], dtype=np.int32),
        edge_length_m=np.array([1000.0, 1000.0]), edge_class=np.array([4, 4], dtype=np.int8),
        class_names=("motorway", "motorway_ramp", "trunk", "trunk_ramp", "primary"),
        edge_geom_offsets=np.array([0, 2, 4]), geom_lon=np.array([lon0, east, east, lon0]),
        geom_lat=np.full(4, lat0), source="Bavaria",
    )  # fmt: skip
    site = pd.DataFrame({"facility_id": ["x"], "lat": [north], "lon": [lon0 + 0.005]})
    snap = snap_facilities(graph, site).iloc[0]
    assert snap["snap_distance_m"] == pytest.approx(14.0, rel=0.005)
    assert snap["edge_fraction"] == pytest.approx(0.005 / (east - lon0), rel=1e-3)


# --- routing from and to points inside edges --------------------------------------------------


def test_edge_points_match_networkx_both_ways(fixture_graph: TravelGraph) -> None:
    sites = _near_roads(fixture_graph, 20, seed=2)
    snaps = snap_facilities(fixture_graph, sites, mode="motorbike")
    for mode in ("car", "motorbike"):
        snaps = snap_facilities(fixture_graph, sites, mode=mode)
        matrix = travel_time_matrix(fixture_graph, sites, mode=mode, depart="17:30")
        assert (matrix["status"] == "ok").all()
        ref, where = _reference(fixture_graph, snaps, mode=mode, depart="17:30")
        assert _check(matrix, ref, where) == 20 * 19
    door = matrix["network_time_s"] + (matrix["origin_snap_m"] + matrix["destination_snap_m"]) / (
        snap_speed_kph(mode="motorbike") / 3.6
    )
    off_diagonal = matrix["origin_id"] != matrix["destination_id"]
    np.testing.assert_allclose(matrix["travel_time_s"][off_diagonal], door[off_diagonal])


def test_one_way_roads_are_driven_forward_only() -> None:
    # a one-way street 0 -> 1 (1 km) with a two-way road back 1 -> 2 -> 0 (2 km); a facility
    # in the middle of the one-way street must drive on to 1 and cannot reverse to 0
    lon = np.array([105.80, 105.81, 105.805])
    lat = np.array([21.00, 21.00, 21.01])
    edges = [(0, 1, 1000.0), (1, 2, 1000.0), (2, 1, 1000.0), (2, 0, 1000.0), (0, 2, 1000.0)]
    graph = TravelGraph(
        node_lon=lon, node_lat=lat, node_id=np.array([10, 11, 12]),
        indptr=np.array([0, 2, 3, 5]),
        edge_from=np.array([e[0] for e in sorted(edges)], dtype=np.int32),
        edge_to=np.array([e[1] for e in sorted(edges)], dtype=np.int32),
        edge_length_m=np.array([e[2] for e in sorted(edges)]),
        edge_class=np.full(5, 4, dtype=np.int8),
        class_names=("motorway", "motorway_ramp", "trunk", "trunk_ramp", "primary"),
        edge_geom_offsets=np.arange(0, 11, 2),
        geom_lon=np.column_stack([lon[[e[0] for e in sorted(edges)]],
                                  lon[[e[1] for e in sorted(edges)]]]).ravel(),
        geom_lat=np.column_stack([lat[[e[0] for e in sorted(edges)]],
                                  lat[[e[1] for e in sorted(edges)]]]).ravel(),
        source="one-way street",
    )  # fmt: skip
    sites = pd.DataFrame(
        {"facility_id": ["mid", "n0", "n1"], "lat": [21.0001, 21.0, 21.0],
         "lon": [105.8025, 105.80, 105.81]}
    )  # fmt: skip
    m = travel_time_matrix(graph, sites, depart="03:00").set_index(["origin_id", "destination_id"])
    snap = snap_facilities(graph, sites).set_index("facility_id")
    assert snap.loc["mid", "edge_fraction"] == pytest.approx(0.25, abs=0.01)
    f = snap.loc["mid", "edge_fraction"]
    assert m.loc[("mid", "n1"), "distance_m"] == pytest.approx((1 - f) * 1000)
    assert m.loc[("mid", "n0"), "distance_m"] == pytest.approx((1 - f) * 1000 + 2000)
    assert m.loc[("n0", "mid"), "distance_m"] == pytest.approx(f * 1000)
    assert m.loc[("n1", "mid"), "distance_m"] == pytest.approx(2000 + f * 1000)


def test_reduced_graph_with_edge_points_keeps_fixture_times(
    fixture_graph: TravelGraph, monkeypatch
) -> None:
    sites = _near_roads(fixture_graph, 30, seed=9)
    with monkeypatch.context() as patch:
        patch.setattr(travel, "_WHOLE_GRAPH_SOURCES", len(sites))
        whole = travel_time_matrix(fixture_graph, sites, depart="08:00", cache=False)
    reduced = travel_time_matrix(fixture_graph, sites, depart="08:00", cache=False)
    tg = list(_routers.router_for(fixture_graph, "car", "08:00", None).terminals.values())[-1]
    assert tg.reduced is not None and tg.reduced[0].n_nodes < 0.3 * fixture_graph.n_nodes
    cols = ["network_time_s", "distance_m"]
    np.testing.assert_allclose(reduced[cols], whole[cols], rtol=1e-9, atol=1e-6)


def test_few_destinations_search_backwards_from_them(fixture_graph: TravelGraph) -> None:
    cells = _near_roads(fixture_graph, 40, seed=11)
    hospitals = _near_roads(fixture_graph, 42, seed=12).iloc[40:]
    hospitals = hospitals.assign(facility_id=["h1", "h2"])
    searched = []
    real = _routing.dijkstra

    def counting(graph, *args, indices, **kwargs):
        searched.append(len(np.atleast_1d(indices)))
        return real(graph, *args, indices=indices, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_routing, "dijkstra", counting)
        to_hospitals = travel_time_matrix(fixture_graph, cells, hospitals, depart="10:00")
    assert sum(searched) == 2  # one search per hospital, not one per cell
    tg = list(_routers.router_for(fixture_graph, "car", "10:00", None).terminals.values())[-1]
    assert tg.reverse is not None and tg.reduced is None
    snaps = snap_facilities(fixture_graph, pd.concat([cells, hospitals]))
    ref, where = _reference(fixture_graph, snaps, mode="car", depart="10:00")
    assert _check(to_hospitals, ref, where) == 80


# --- routes ---------------------------------------------------------------------------------


def test_routes_grow_one_tree_per_hospital_and_match_the_matrix(
    fixture_graph: TravelGraph,
) -> None:
    units = _near_roads(fixture_graph, 30, seed=21)
    hospitals = (
        _near_roads(fixture_graph, 33, seed=22).iloc[30:].assign(facility_id=["a", "b", "c"])
    )
    pairs = [(u, "abc"[i % 3]) for i, u in enumerate(units["facility_id"])]
    trees = []
    real = paths.dijkstra

    def counting(graph, *args, indices, **kwargs):
        trees.extend(np.atleast_1d(indices).tolist())
        return real(graph, *args, indices=indices, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(paths, "dijkstra", counting)
        found = routes(fixture_graph, units, hospitals, pairs=pairs, depart="10:00")
    assert len(trees) == 3
    assert found[["origin_id", "destination_id"]].apply(tuple, axis=1).tolist() == pairs
    assert (found["status"] == "ok").all()
    matrix = travel_time_matrix(fixture_graph, units, hospitals, depart="10:00").set_index(
        ["origin_id", "destination_id"]
    )
    expect = matrix.loc[pairs]
    for col in ("network_time_s", "travel_time_s", "distance_m"):
        np.testing.assert_allclose(found[col], expect[col], rtol=1e-9, atol=1e-6)
    # each line runs from the unit to its hospital, as long as the roads plus the snap legs
    for row, unit in zip(found.itertuples(), units.itertuples(), strict=True):
        start, end = row.geometry.coords[0], row.geometry.coords[-1]
        assert start == pytest.approx((unit.lon, unit.lat))
        h = hospitals.set_index("facility_id").loc[row.destination_id]
        assert end == pytest.approx((h["lon"], h["lat"]))
        lon, lat = np.array(row.geometry.coords).T
        metres = GEOD.line_length(lon, lat)
        legs = row.origin_snap_m + row.destination_snap_m
        assert metres == pytest.approx(row.distance_m + legs, rel=0.01, abs=1.0)


def test_routes_reject_unknown_pairs(fixture_graph: TravelGraph) -> None:
    units = _near_roads(fixture_graph, 3, seed=31)
    with pytest.raises(PlannerInputError, match="not among the destinations") as err:
        routes(fixture_graph, units, units, pairs=[("f0", "f1"), ("f1", "nowhere")])
    assert err.value.row == 2


def test_route_from_inside_an_edge(fixture_graph: TravelGraph) -> None:
    a, b = _near_roads(fixture_graph, 2, seed=41).itertuples()
    r = route(fixture_graph, (a.lat, a.lon), (b.lat, b.lon), depart="10:00")
    m = travel_time_matrix(
        fixture_graph, pd.DataFrame([a._asdict(), b._asdict()]).drop(columns="Index"),
        depart="10:00",
    ).set_index(["origin_id", "destination_id"]).loc[(a.facility_id, b.facility_id)]  # fmt: skip
    assert r.travel_time_s == pytest.approx(m["travel_time_s"])
    assert r.distance_m == pytest.approx(m["distance_m"])
    assert r.geometry.coords[0] == pytest.approx((a.lon, a.lat))
    assert all(i in set(fixture_graph.node_id.tolist()) for i in r.node_ids)


# --- input checks, cache, portability -------------------------------------------------------


def test_an_id_at_two_places_is_refused(fixture_graph: TravelGraph) -> None:
    here = pd.DataFrame(
        {"facility_id": ["h", "u"], "lat": [21.0285, 21.0270], "lon": [105.835, 105.836]}
    )
    moved = pd.DataFrame(
        {"facility_id": ["x", "h"], "lat": [21.0285, 21.0290], "lon": [105.835, 105.834]}
    )
    with pytest.raises(PlannerInputError, match="'h' names two places") as err:
        travel_time_matrix(fixture_graph, here, moved)
    assert "21.0285" in str(err.value) and "21.029" in str(err.value)
    assert err.value.field == "facility_id" and err.value.row == 2
    same = moved.assign(lat=[21.0285, 21.0285], lon=[105.835, 105.835])
    assert len(travel_time_matrix(fixture_graph, here, same)) == 4  # one place: fine


def test_matrices_are_read_back_from_the_cache(
    fixture_graph: TravelGraph, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("PLANNER_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(_store, "_DISK_CACHE_MIN_NODES", 0)
    sites = _near_roads(fixture_graph, 8, seed=51)
    first = travel_time_matrix(fixture_graph, sites, depart="10:00")
    assert len(list((tmp_path / "matrix").iterdir())) >= 1
    _snapping._SNAPPERS.clear()
    _routers._ROUTERS.clear()

    def no_search(*args, **kwargs):
        raise AssertionError("searched again instead of reading the cache")

    with monkeypatch.context() as patch:
        patch.setattr(travel, "_search", no_search)
        patch.setattr(_snapping, "_build_snapper", no_search)
        again = travel_time_matrix(fixture_graph, sites, depart="10:30")  # same band as 10:00
    pd.testing.assert_frame_equal(first, again)
    peak = travel_time_matrix(fixture_graph, sites, depart="08:00")  # another band: computed
    assert (peak["network_time_s"] >= first["network_time_s"]).all()


# --- the whole of Hanoi -----------------------------------------------------------------------


@pytest.mark.slow
def test_hanoi_units_reduced_equal_the_whole_graph(
    hanoi_graph: TravelGraph, registry_2024: pd.DataFrame, monkeypatch
) -> None:
    units = registry_2024.iloc[::10]  # 62 real sites, snapped inside their edges
    with monkeypatch.context() as patch:
        patch.setattr(travel, "_WHOLE_GRAPH_SOURCES", len(units))
        whole = travel_time_matrix(hanoi_graph, units, depart="08:00", cache=False)
    reduced = travel_time_matrix(hanoi_graph, units, depart="08:00", cache=False)
    tg = list(_routers.router_for(hanoi_graph, "car", "08:00", None).terminals.values())[-1]
    assert tg.reduced is not None and tg.reduced[0].n_nodes < 0.01 * hanoi_graph.n_nodes
    assert (whole["status"] == "ok").all()
    cols = ["network_time_s", "distance_m"]
    np.testing.assert_allclose(reduced[cols], whole[cols], rtol=1e-9, atol=1e-6)


@pytest.mark.slow
def test_hanoi_route_map_grows_one_tree_per_hospital_site(
    hanoi_graph: TravelGraph, registry_2025: pd.DataFrame, tmp_path
) -> None:
    from planner.outputs.map import pairing_map, save_map
    from planner.pairing.explain import nearest_pairings

    hospitals = registry_2025[registry_2025["level"] == "regional"]
    units = registry_2025[registry_2025["level"] != "regional"]
    matrix = travel_time_matrix(hanoi_graph, hospitals, units)
    pairing = nearest_pairings(units, hospitals, matrix, trip=TripRule(directions="to_unit"))

    trees = []
    real = paths.dijkstra

    def counting(graph, *args, indices, **kwargs):
        trees.extend(np.atleast_1d(indices).tolist())
        return real(graph, *args, indices=indices, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(paths, "dijkstra", counting)
        m = pairing_map(pairing, registry_2025, links="routes", graph=hanoi_graph)
    # each unit's route goes to the site its trips use: one tree per site used
    assert len(trees) == pairing["site_id"].nunique() <= 7
    html = save_map(m, tmp_path / "routes.html").read_text(encoding="utf-8")
    assert html.count('"LineString"') >= pairing["travel_time_s"].notna().sum()
