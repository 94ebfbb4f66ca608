"""Speed and congestion tables, departure parsing and per-edge travel times."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner._clock import parse_depart
from planner.errors import PlannerInputError
from planner.requests import MODES
from planner.roads.graph import TravelGraph
from planner.roads.speeds import (
    congestion_factor,
    edge_speeds_kph,
    edge_travel_times,
    load_congestion_table,
    load_speed_table,
    snap_speed_kph,
)

CLASSES = ("primary", "service", "path", "motorway", "primary_ramp", "raceway")


def _line_graph() -> TravelGraph:
    """Six one-way edges of 1 km in a row, one per class in CLASSES (the last one 0 m)."""
    n = len(CLASSES) + 1
    lon = 105.8 + 0.01 * np.arange(n)
    lat = np.full(n, 21.0)
    frm = np.arange(n - 1, dtype=np.int32)
    length = np.full(n - 1, 1000.0)
    length[-1] = 0.0
    return TravelGraph(
        node_lon=lon, node_lat=lat, node_id=np.arange(n, dtype=np.int64),
        indptr=np.r_[np.arange(n), n - 1].astype(np.int64), edge_from=frm, edge_to=frm + 1,
        edge_length_m=length, edge_class=np.arange(n - 1, dtype=np.int8), class_names=CLASSES,
        edge_geom_offsets=np.arange(0, 2 * n - 1, 2, dtype=np.int64),
        geom_lon=np.repeat(lon, 2)[1:-1], geom_lat=np.repeat(lat, 2)[1:-1], source="test",
    )  # fmt: skip


def test_authored_tables_cover_every_mode_and_class() -> None:
    speeds = load_speed_table()
    classes = ("motorway", "trunk", "primary", "secondary", "tertiary", "minor", "service")
    for mode in MODES:
        rows = speeds[speeds["mode"] == mode].set_index("class")
        for name in (*classes, "track", "path", "ramp", "snap"):
            assert name in rows.index, (mode, name)
        assert rows.loc["minor", "usable"] and rows.loc["service", "usable"]
    assert speeds["reason"].str.len().min() > 20
    bands = load_congestion_table()
    assert set(bands["mode"]) == set(MODES)


def test_motorbike_uses_alleys_and_paths_cars_do_not() -> None:
    speeds = load_speed_table().set_index(["class", "mode"])
    assert not speeds.loc[("path", "car"), "usable"]
    assert not speeds.loc[("track", "car"), "usable"]
    assert speeds.loc[("path", "motorbike"), "usable"]
    assert (
        speeds.loc[("service", "motorbike"), "speed_kph"]
        > speeds.loc[("service", "car"), "speed_kph"]
    )
    # an ambulance runs the car's roads, faster
    car, amb = speeds.xs("car", level="mode"), speeds.xs("ambulance", level="mode")
    assert (car["usable"] == amb["usable"]).all()
    assert (
        amb.loc[car["usable"] & (car.index != "snap"), "speed_kph"]
        >= car.loc[car["usable"] & (car.index != "snap"), "speed_kph"]
    ).all()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("07:30", dt.time(7, 30)), ("7:05", dt.time(7, 5)), (" 23:59 ", dt.time(23, 59)),
     (dt.time(8, 0), dt.time(8, 0)), (dt.datetime(2025, 1, 1, 17, 15), dt.time(17, 15)),
     (None, dt.time(10, 0)), ("17h30", dt.time(17, 30))],
)  # fmt: skip
def test_parse_depart(text, expected) -> None:
    assert parse_depart(text) == expected


@pytest.mark.parametrize("bad", ["24:00", "7.30", "12:60", "", "noon", "-1:00"])
def test_bad_depart_names_the_field(bad: str) -> None:
    with pytest.raises(PlannerInputError) as err:
        congestion_factor(bad, mode="car")
    assert err.value.field == "depart"


def test_peaks_slower_than_night_and_motorbikes_less_affected() -> None:
    for mode in MODES:
        night = congestion_factor("03:00", mode=mode)
        assert (
            congestion_factor("08:00", mode=mode) < congestion_factor("10:00", mode=mode) <= night
        )
        assert congestion_factor("17:30", mode=mode) < congestion_factor("10:00", mode=mode)
    assert congestion_factor("08:00", mode="motorbike") > congestion_factor("08:00", mode="car")
    # band edges: start inclusive, end exclusive
    assert congestion_factor("07:00", mode="car") == congestion_factor("08:59", mode="car")
    assert congestion_factor("06:59", mode="car") != congestion_factor("07:00", mode="car")


def test_unknown_mode_lists_the_valid_ones() -> None:
    with pytest.raises(PlannerInputError, match="car, motorbike, ambulance"):
        edge_travel_times(_line_graph(), mode="bicycle")


def test_edge_times_follow_the_table_and_are_memoised() -> None:
    graph = _line_graph()
    speeds = load_speed_table().set_index(["class", "mode"])["speed_kph"]
    night = edge_travel_times(graph, mode="car", depart="02:00")
    assert night[0] == pytest.approx(1000 / (speeds["primary", "car"] / 3.6))
    assert night[1] == pytest.approx(1000 / (speeds["service", "car"] / 3.6))
    assert np.isinf(night[2])  # cars stay off paths
    # a ramp is capped by the class it belongs to and by the ramp speed
    ramp_kph = min(speeds["ramp", "car"], speeds["primary", "car"])
    assert night[4] == pytest.approx(1000 / (ramp_kph / 3.6))
    assert np.isinf(night[5])  # unknown class: unusable (and logged), zero length or not
    peak = edge_travel_times(graph, mode="car", depart="08:00")
    factor = congestion_factor("08:00", mode="car")
    assert peak[0] == pytest.approx(night[0] / factor)
    assert edge_travel_times(graph, mode="car", depart="08:30") is peak
    assert not peak.flags.writeable
    motorbike = edge_travel_times(graph, mode="motorbike", depart="02:00")
    assert np.isfinite(motorbike[2]) and np.isinf(motorbike[3])  # paths yes, expressway no
    kph = edge_speeds_kph(graph, mode="car", depart="02:00")
    assert kph[0] == speeds["primary", "car"] and np.isnan(kph[2])


def test_zero_length_edge_costs_nothing() -> None:
    graph = _line_graph()
    zero = TravelGraph(
        **{**graph.__dict__, "edge_class": np.r_[graph.edge_class[:-1], 0].astype(np.int8)}
    )
    assert edge_travel_times(zero, mode="car")[-1] == 0.0


def test_user_speed_table_overrides(tmp_path: Path) -> None:
    table = load_speed_table()
    table.loc[(table["class"] == "primary") & (table["mode"] == "car"), "speed_kph"] = 90.0
    path = tmp_path / "speeds.csv"
    table.to_csv(path, index=False)
    mine = load_speed_table(path)
    fast = edge_travel_times(_line_graph(), mode="car", depart="02:00", speeds=mine)
    assert fast[0] == pytest.approx(40.0)
    assert snap_speed_kph(mode="car", speeds=mine) == snap_speed_kph(mode="car")


@pytest.mark.parametrize(
    ("edit", "row", "field"),
    [
        (
            lambda t: t.assign(speed_kph=t["speed_kph"].astype(object).where(t.index != 2, "fast")),
            3,
            "speed_kph",
        ),
        (
            lambda t: t.assign(usable=t["usable"].astype(object).where(t.index != 4, "maybe")),
            5,
            "usable",
        ),
        (lambda t: t.assign(mode=t["mode"].where(t.index != 0, "tram")), 1, "mode"),
        (lambda t: t.assign(reason=t["reason"].where(t.index != 6, "")), 7, "reason"),
        (
            lambda t: pd.concat([t, t.iloc[[1]]], ignore_index=True),
            len(load_speed_table()) + 1,
            "class",
        ),
        (lambda t: t.assign(speed_kph=t["speed_kph"].where(t.index != 1, 0.0)), 2, "speed_kph"),
        (lambda t: t.drop(columns="usable"), None, "usable"),
        (lambda t: t[t["class"] != "snap"], None, "class"),
    ],
)
def test_bad_speed_table_names_file_row_field(tmp_path: Path, edit, row, field) -> None:
    path = tmp_path / "speeds.csv"
    edit(load_speed_table()).to_csv(path, index=False)
    with pytest.raises(PlannerInputError) as err:
        load_speed_table(path)
    assert err.value.file == str(path.resolve())
    assert err.value.row == row
    assert err.value.field == field


def test_missing_or_broken_table_file(tmp_path: Path) -> None:
    with pytest.raises(PlannerInputError, match="cannot be read"):
        load_speed_table(tmp_path / "nope.csv")
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(b"\xff\xfe\x00\x01binary")
    with pytest.raises(PlannerInputError):
        load_speed_table(garbage)


def test_bad_congestion_table(tmp_path: Path) -> None:
    bands = load_congestion_table()[["start", "end", "mode", "factor", "reason"]]
    gap = bands.drop(index=2)  # car loses 07:00-09:00
    path = tmp_path / "congestion.csv"
    gap.to_csv(path, index=False)
    with pytest.raises(PlannerInputError, match="gap or overlap") as err:
        load_congestion_table(path)
    assert err.value.field == "start"
    bands.assign(factor=bands["factor"].where(bands.index != 3, 0.0)).to_csv(path, index=False)
    with pytest.raises(PlannerInputError) as err:
        load_congestion_table(path)
    assert (err.value.row, err.value.field) == (4, "factor")
    bands.assign(end=bands["end"].where(bands.index != 0, "25:00")).to_csv(path, index=False)
    with pytest.raises(PlannerInputError) as err:
        load_congestion_table(path)
    assert (err.value.row, err.value.field) == (1, "end")
