"""Congestion by area, road class and hour; ferries; the departure-band rule for long trips."""

from __future__ import annotations

import itertools
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.errors import PlannerInputError
from planner.places.hanoi import hanoi_facilities
from planner.roads._areas import AREAS, edge_areas, point_areas, unit_areas
from planner.roads.graph import ROAD_CLASSES, TravelGraph
from planner.roads.network import load_network
from planner.roads.speeds import (
    congestion_factor,
    edge_congestion_factors,
    edge_speeds_kph,
    edge_travel_times,
    ferry_edges,
    ferry_wait_s,
    load_exposure_table,
    load_ferry_table,
    load_speed_table,
    path_ferries,
    path_travel_time_s,
    time_profile_key,
)
from planner.travel import route, travel_time_matrix

CLASSES = ("primary", "tertiary", "ferry")
HOAN_KIEM = (105.8520, 21.0285)  # lon, lat
BA_VI = (105.4100, 21.2164)
PARIS = (2.35, 48.85)
BA_VI_GENERAL = (21.2164, 105.4100)  # lat, lon
PHU_XUYEN_TOWN = (20.738377, 105.908306)
# Centroids (hanoi_communes_legacy_526_centroids.csv) of a Mê Linh commune north of the Red
# River and a Đan Phượng commune south of it, 2.9 km apart and 28 km apart by road bridges.
TRANG_VIET = (21.140683, 105.729249)
LIEN_HONG = (21.122333, 105.708713)


def _chain(classes: list[str], *, at: tuple[float, float], length_m: float = 1000.0) -> TravelGraph:
    """One-way edges in a row starting at ``at`` (lon, lat), ~90 m apart, one per class."""
    n = len(classes) + 1
    lon = at[0] + 0.0008 * np.arange(n)
    lat = np.full(n, at[1])
    frm = np.arange(n - 1, dtype=np.int32)
    return TravelGraph(
        node_lon=lon, node_lat=lat, node_id=np.arange(n, dtype=np.int64) + 500,
        indptr=np.r_[np.arange(n), n - 1].astype(np.int64), edge_from=frm, edge_to=frm + 1,
        edge_length_m=np.full(n - 1, length_m),
        edge_class=np.array([CLASSES.index(c) for c in classes], dtype=np.int8),
        class_names=CLASSES, edge_geom_offsets=np.arange(0, 2 * n - 1, 2, dtype=np.int64),
        geom_lon=np.repeat(lon, 2)[1:-1], geom_lat=np.repeat(lat, 2)[1:-1], source="test",
    )  # fmt: skip


def _shares(table: pd.DataFrame) -> dict[tuple[str, str], float]:
    """{(area, class): exposure}, read row by row from the space-separated lists."""
    out = {}
    for row in table.itertuples(index=False):
        for area in row.area.split():
            out.update({(area, cls): row.exposure for cls in row.classes.split()})
    return out


# --------------------------------------------------------------------------- tables


def test_authored_exposure_is_coarse_and_ordered() -> None:
    table = load_exposure_table()
    assert table["reason"].str.len().min() > 40
    # no invented precision: quarter steps only
    assert np.all(np.isin(table["exposure"], [0.0, 0.25, 0.5, 0.75, 1.0]))
    share = _shares(table)
    assert len(share) == len(AREAS) * len(ROAD_CLASSES)
    for cls in ROAD_CLASSES:  # the city proper suffers most, the countryside least
        assert share["core", cls] >= share["suburban", cls] >= share["rural", cls]
        assert share["other", cls] == share["suburban", cls]  # the documented default
    for area in AREAS:
        assert share[area, "primary"] >= share[area, "minor"]
        assert share[area, "ferry"] == 0.0  # a boat does not queue in traffic
    assert share["core", "primary"] == 1.0 and share["rural", "minor"] == 0.0


@pytest.mark.parametrize(
    ("edit", "row", "field"),
    [
        (lambda t: t.assign(area=t["area"].where(t.index != 1, "downtown")), 2, "area"),
        (lambda t: t.assign(classes=t["classes"].where(t.index != 2, "primary bus")), 3, "classes"),
        (lambda t: t.assign(exposure=t["exposure"].where(t.index != 3, 1.5)), 4, "exposure"),
        (lambda t: t.assign(exposure=t["exposure"].astype(object).where(t.index != 0, "lots")),
         1, "exposure"),
        (lambda t: t.assign(reason=t["reason"].where(t.index != 4, "")), 5, "reason"),
        (lambda t: pd.concat([t, t.iloc[[0]]], ignore_index=True), len(load_exposure_table()) + 1,
         "classes"),
        (lambda t: t.drop(index=5), None, "classes"),  # rural local roads missing
    ],
)  # fmt: skip
def test_bad_exposure_table_names_file_row_field(tmp_path: Path, edit, row, field) -> None:
    path = tmp_path / "exposure.csv"
    edit(load_exposure_table()).to_csv(path, index=False)
    with pytest.raises(PlannerInputError) as err:
        load_exposure_table(path)
    assert (err.value.file, err.value.row, err.value.field) == (str(path.resolve()), row, field)


def test_ferry_table_service_and_waits(tmp_path: Path) -> None:
    assert ferry_wait_s("10:00", mode="car") == 600.0
    assert ferry_wait_s("05:00", mode="motorbike") == 600.0
    for mode in ("car", "motorbike", "ambulance"):
        assert ferry_wait_s("04:59", mode=mode) == np.inf  # closed at night
        assert ferry_wait_s("19:00", mode=mode) == np.inf
    bands = load_ferry_table()[["start", "end", "mode", "in_service", "wait_min", "reason"]]
    path = tmp_path / "ferries.csv"
    bands.assign(in_service=bands["in_service"].where(bands.index != 1, "often")).to_csv(
        path, index=False
    )
    with pytest.raises(PlannerInputError) as err:
        load_ferry_table(path)
    assert (err.value.row, err.value.field) == (2, "in_service")
    bands.assign(wait_min=bands["wait_min"].where(bands.index != 1, "")).to_csv(path, index=False)
    with pytest.raises(PlannerInputError, match="boarding wait") as err:
        load_ferry_table(path)
    assert (err.value.row, err.value.field) == (2, "wait_min")
    bands.drop(index=4).to_csv(path, index=False)  # motorbikes lose their day service
    with pytest.raises(PlannerInputError, match="gap or overlap"):
        load_ferry_table(path)
    # a user table: ferries all night for ambulances, with a longer wait
    mine = bands.astype({"in_service": object})
    night = (mine["mode"] == "ambulance") & ~bands["in_service"]
    mine.loc[night, ["in_service", "wait_min"]] = ["true", "20"]
    mine.to_csv(path, index=False)
    assert ferry_wait_s("23:00", mode="ambulance", table=load_ferry_table(path)) == 1200.0


# --------------------------------------------------------------------------- areas


def test_points_and_units_take_their_area_from_the_2025_units() -> None:
    lon, lat = np.array([HOAN_KIEM, BA_VI, PARIS]).T
    assert [AREAS[c] for c in point_areas(lon, lat)] == ["core", "rural", "other"]
    units = unit_areas().set_index("name")
    assert len(units) == 126
    assert units.loc["Phường Hoàn Kiếm", "area_type"] == "core"
    assert units.loc["Phường Hoàng Liệt", "area_type"] == "core"  # Linh Đàm: former Hoàng Mai
    assert units.loc["Phường Sơn Tây", "area_type"] == "suburban"  # a town, not the city proper
    assert units.loc["Xã Thanh Trì", "area_type"] == "suburban"  # borders the city proper
    assert units.loc["Xã Ba Vì", "area_type"] == "rural"
    counts = units["area_type"].value_counts()
    # every ward of the city proper is a phường; all 75 xã are suburban or rural
    assert counts["core"] + counts["suburban"] + counts["rural"] == 126
    assert units[units["area_type"] == "core"].index.str.startswith("Phường").all()
    assert (units.index.str.startswith("Xã") <= (units["area_type"] != "core")).all()


def test_edge_factors_follow_area_and_class() -> None:
    share = _shares(load_exposure_table())
    band = congestion_factor("08:00", mode="car")
    for at, area in ((HOAN_KIEM, "core"), (BA_VI, "rural"), (PARIS, "other")):
        graph = _chain(["primary", "tertiary", "ferry"], at=at)
        assert {AREAS[c] for c in edge_areas(graph)} == {area}
        factors = edge_congestion_factors(graph, mode="car", depart="08:00")
        expected = [1 - share[area, c] * (1 - band) for c in ("primary", "tertiary", "ferry")]
        np.testing.assert_allclose(factors, expected)
        night = edge_congestion_factors(graph, mode="car", depart="03:00")
        np.testing.assert_allclose(night, 1.0)
    # the city proper's main road suffers the whole band; a village road none of it
    core = edge_congestion_factors(_chain(["primary"], at=HOAN_KIEM), mode="car", depart="08:00")
    rural = edge_congestion_factors(_chain(["tertiary"], at=BA_VI), mode="car", depart="08:00")
    assert core[0] == pytest.approx(band) and rural[0] == 1.0


def test_network_without_area_data_says_so(caplog) -> None:
    with caplog.at_level(logging.INFO, logger="planner.roads._areas"):
        codes = edge_areas(_chain(["primary"], at=PARIS))
    assert AREAS[codes[0]] == "other"
    assert "no area data covers this road network" in caplog.text


def test_ferry_edge_costs_wait_plus_crossing_and_closes_at_night() -> None:
    graph = _chain(["primary", "ferry"], at=BA_VI, length_m=600.0)
    speeds = load_speed_table().set_index(["class", "mode"])["speed_kph"]
    day = edge_travel_times(graph, mode="car", depart="10:00")
    assert day[1] == pytest.approx(600.0 + 600.0 / (speeds["ferry", "car"] / 3.6))
    assert ferry_edges(graph).tolist() == [False, True]
    for mode in ("car", "ambulance"):
        night = edge_travel_times(graph, mode=mode, depart="22:00")
        assert np.isfinite(night[0]) and np.isinf(night[1])
        assert np.isnan(edge_speeds_kph(graph, mode=mode, depart="22:00")[1])
    # 19:00-22:00 has the same car band factor as 10:00: only the ferry tells them apart
    assert congestion_factor("20:00", mode="car") == congestion_factor("10:00", mode="car")
    assert time_profile_key("car", "20:00") != time_profile_key("car", "10:00")
    evening = edge_travel_times(graph, mode="car", depart="20:00")
    assert evening[0] == day[0] and np.isinf(evening[1])


def test_one_graph_serves_every_hour_memoised_per_profile() -> None:
    graph = _chain(["primary", "tertiary"], at=HOAN_KIEM)
    peak = edge_travel_times(graph, mode="car", depart="08:00")
    assert edge_travel_times(graph, mode="car", depart="08:59") is peak
    assert time_profile_key("car", "07:00") == time_profile_key("car", "08:59")
    assert time_profile_key("car", "08:00") != time_profile_key("motorbike", "08:00")
    off_peak = edge_travel_times(graph, mode="car", depart="10:00")
    assert (peak > off_peak).all()
    slow = load_speed_table()
    slow.loc[slow["class"] == "primary", "speed_kph"] = 20.0
    assert time_profile_key("car", "08:00", speeds=slow) != time_profile_key("car", "08:00")


def test_path_time_follows_the_trip_through_band_changes() -> None:
    graph = _chain(["primary"] * 6, at=HOAN_KIEM)  # 6 km of the city proper's main road
    ids = graph.node_id.tolist()
    free = load_speed_table().set_index(["class", "mode"])["speed_kph"]["primary", "car"]
    early, peak = congestion_factor("06:30", mode="car"), congestion_factor("07:30", mode="car")
    edge_early, edge_peak = 1000 / (free * early / 3.6), 1000 / (free * peak / 3.6)
    # leaving at 06:58: two edges are entered before 07:00, the other four in the peak
    assert edge_early < 120 < 2 * edge_early
    expected = 2 * edge_early + 4 * edge_peak
    assert path_travel_time_s(graph, ids, depart="06:58") == pytest.approx(expected)
    # a trip wholly inside one band is its static time
    assert path_travel_time_s(graph, ids, depart="10:00") == pytest.approx(
        edge_travel_times(graph, mode="car", depart="10:00").sum()
    )
    # round midnight: 23:59 runs into the night band
    late = path_travel_time_s(graph, ids, depart="23:59")
    assert late < edge_travel_times(graph, mode="car", depart="23:59").sum()
    with pytest.raises(PlannerInputError, match="no edge"):
        path_travel_time_s(graph, [ids[0], ids[2]], depart="10:00")


# --------------------------------------------------------------------------- OSM ferries

_OSM = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6">
 <node id="1" lat="10.000" lon="106.000"/>
 <node id="2" lat="10.000" lon="106.010"/>
 <node id="3" lat="10.006" lon="106.010"/>
 <node id="4" lat="10.006" lon="106.000"/>
 <node id="5" lat="10.003" lon="106.020"/>
 <node id="6" lat="10.003" lon="106.030"/>
 <way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way>
 <way id="11"><nd ref="3"/><nd ref="4"/><tag k="highway" v="residential"/></way>
 <way id="12"><nd ref="2"/><nd ref="3"/><tag k="route" v="ferry"/><tag k="name" v="Đò"/></way>
 <way id="13"><nd ref="2"/><nd ref="5"/><tag k="highway" v="residential"/></way>
 <way id="14"><nd ref="5"/><nd ref="6"/><tag k="highway" v="residential"/></way>
 <way id="15"><nd ref="6"/><nd ref="3"/>
  <tag k="route" v="ferry"/><tag k="motor_vehicle" v="no"/></way>
 <way id="16"><nd ref="1"/><nd ref="4"/><tag k="route" v="bus"/></way>
</osm>
"""


def test_osm_ferry_ways_become_ferry_edges(tmp_path: Path, caplog) -> None:
    path = tmp_path / "river.osm"
    path.write_text(_OSM, encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="planner.roads._osm"):
        graph = load_network(path, cache=False)
    assert "1 ferry way(s) that carry no cars" in caplog.text
    ferry = ferry_edges(graph)
    assert ferry.sum() == 2  # way 12 both ways; way 15 carries no cars; a bus route is no road
    assert set(graph.node_id[graph.edge_from[ferry]]) == {2, 3}
    # by day the ferry joins the banks; at night it is closed and no road crosses
    day = route(graph, (10.000, 106.000), (10.006, 106.000), depart="10:00", max_snap_m=50)
    crossings = path_ferries(graph, day.node_ids, depart="10:00")
    assert len(crossings) == 1 and crossings["time_s"].iloc[0] > ferry_wait_s("10:00", mode="car")
    assert day.node_ids == (1, 2, 3, 4) and day.ferry_crossings == 1
    # 20:00 has the 10:00 band factor for cars; only the ferry's hours tell the routers apart
    assert congestion_factor("20:00", mode="car") == congestion_factor("10:00", mode="car")
    with pytest.raises(PlannerInputError, match="no car road path"):
        route(graph, (10.000, 106.000), (10.006, 106.000), depart="20:00", max_snap_m=50)


# --------------------------------------------------------------------------- Hanoi


@pytest.mark.slow
def test_hanoi_edges_outside_the_units_only_beyond_the_boundary(hanoi_graph: TravelGraph) -> None:
    codes = edge_areas(hanoi_graph)
    counts = np.bincount(codes, minlength=len(AREAS))
    assert (counts > 0).all()
    # the city proper is a small share of the road length, the countryside the largest
    length = np.bincount(codes, weights=hanoi_graph.edge_length_m, minlength=len(AREAS))
    assert length[AREAS.index("rural")] > length[AREAS.index("core")]
    # an edge in the middle of Hoàn Kiếm is core, one at Ba Vì General is rural
    mid = (hanoi_graph.edge_geom_offsets[:-1] + hanoi_graph.edge_geom_offsets[1:] - 1) // 2
    for (lon, lat), area in ((HOAN_KIEM, "core"), (BA_VI, "rural")):
        near = np.argmin(np.hypot(hanoi_graph.geom_lon[mid] - lon, hanoi_graph.geom_lat[mid] - lat))
        assert AREAS[codes[near]] == area


@pytest.mark.slow
def test_hanoi_fastest_routes_change_with_the_hour(hanoi_graph: TravelGraph) -> None:
    fac = hanoi_facilities(scheme="2024")
    hospitals = fac[fac["level"] == "regional"]
    units = fac[fac["level"] != "regional"]
    at = {
        h: travel_time_matrix(hanoi_graph, hospitals, units, depart=h) for h in ("08:00", "10:00")
    }
    ok = (at["08:00"]["status"] == "ok") & (at["10:00"]["status"] == "ok")
    km = {h: m.loc[ok, "distance_m"].to_numpy() / 1000 for h, m in at.items()}
    changed = np.abs(km["08:00"] - km["10:00"]) > 0.05
    assert changed.mean() > 0.05, f"only {changed.sum()} of {changed.size} routes change"
    assert (at["08:00"].loc[ok, "travel_time_s"] >= at["10:00"].loc[ok, "travel_time_s"]).all()
    # the peak slows trips into the city proper more than trips into the countryside
    area = (
        pd.Series(
            [AREAS[c] for c in point_areas(units["lon"].to_numpy(), units["lat"].to_numpy())],
            index=units["facility_id"].to_numpy(),
        )
        .loc[at["10:00"].loc[ok, "destination_id"]]
        .to_numpy()
    )
    ratio = (at["08:00"].loc[ok, "travel_time_s"] / at["10:00"].loc[ok, "travel_time_s"]).to_numpy()
    assert np.median(ratio[area == "core"]) > np.median(ratio[area == "rural"])


@pytest.mark.slow
def test_hanoi_ferry_joins_me_linh_and_dan_phuong_by_day(hanoi_graph: TravelGraph) -> None:
    day = route(hanoi_graph, TRANG_VIET, LIEN_HONG, depart="10:00")
    crossings = path_ferries(hanoi_graph, day.node_ids, depart="10:00")
    assert len(crossings) == 1 and day.ferry_crossings == 1
    assert 400 < crossings["length_m"].iloc[0] < 800  # the Red River crossing by Ô Diên
    no_ferry = load_speed_table()
    no_ferry.loc[no_ferry["class"] == "ferry", "usable"] = False
    around = route(hanoi_graph, TRANG_VIET, LIEN_HONG, depart="10:00", speeds=no_ferry)
    assert around.ferry_crossings == 0 and day.distance_m < 0.5 * around.distance_m
    assert day.travel_time_s < around.travel_time_s - 10 * 60
    for mode in ("car", "ambulance"):  # at night the ferry is closed: round by the bridges
        night = route(hanoi_graph, TRANG_VIET, LIEN_HONG, mode=mode, depart="22:00")
        assert path_ferries(hanoi_graph, night.node_ids, mode=mode, depart="22:00").empty
        assert night.ferry_crossings == 0
        assert night.distance_m > 2 * day.distance_m


@pytest.mark.slow
def test_hanoi_90_minute_trip_leaving_at_0655(hanoi_graph: TravelGraph) -> None:
    """The rule: a trip is costed at its departure band; path_travel_time_s measures the rest."""
    leaving = route(hanoi_graph, BA_VI_GENERAL, PHU_XUYEN_TOWN, depart="06:55")
    assert 80 * 60 < leaving.network_time_s < 100 * 60  # about 90 minutes
    band_start = route(hanoi_graph, BA_VI_GENERAL, PHU_XUYEN_TOWN, depart="06:00")
    assert leaving.network_time_s == band_start.network_time_s  # the whole trip at 06:00-07:00
    assert leaving.node_ids == band_start.node_ids
    peak = route(hanoi_graph, BA_VI_GENERAL, PHU_XUYEN_TOWN, depart="07:00")
    progressive = path_travel_time_s(hanoi_graph, leaving.node_ids, depart="06:55")
    # the simplification leaves out the peak the trip runs into after 5 minutes
    assert leaving.network_time_s < progressive <= peak.network_time_s * 1.02
    assert progressive - leaving.network_time_s > 10 * 60
    # independently: step along the path edge by edge with the band at each entry time
    seconds = {h: edge_travel_times(hanoi_graph, mode="car", depart=h) for h in ("06:00", "07:00")}
    index = pd.Index(hanoi_graph.node_id).get_indexer(list(leaving.node_ids))
    clock = 0.0
    for u, v in itertools.pairwise(index):
        out = np.arange(hanoi_graph.indptr[u], hanoi_graph.indptr[u + 1])
        out = out[hanoi_graph.edge_to[out] == v]
        band = "06:00" if clock < 5 * 60 else "07:00"
        first = seconds["06:00"][out] + 1e-9 * hanoi_graph.edge_length_m[out]
        clock += seconds[band][out[np.argmin(first)]]
    assert progressive == pytest.approx(clock, rel=1e-9)
