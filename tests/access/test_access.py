"""Access from every populated cell: times, coverage, zonal statistics, outputs (issue 13)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from _rasters import write_raster

from planner.access import (
    ACCESS_COLUMNS,
    CellAccess,
    cell_access,
    coverage,
    coverage_table,
    default_grid,
    unit_cell_times,
    write_access,
    zonal_statistics,
)
from planner.pairing.explain import nearest_pairings
from planner.places.hanoi import CENSUS_2019_TOTAL, hanoi_population_grid
from planner.places.population import PopulationGrid
from planner.requests import TripRule
from planner.travel import pair_travel_times


@pytest.fixture(scope="module")
def pairing_2024(hanoi_graph, registry_2024):
    hospitals = registry_2024[registry_2024["level"] == "regional"]
    units = registry_2024[registry_2024["level"] != "regional"]
    matrix = pair_travel_times(hanoi_graph, hospitals, units, depart="10:00")
    # whole districts to one hospital: some people are not paired with their nearest one
    return nearest_pairings(units, hospitals, matrix, hierarchical=True)


@pytest.fixture(scope="module")
def access_2024(hanoi_graph, registry_2024, pairing_2024) -> CellAccess:
    return cell_access(
        hanoi_graph,
        registry_2024,
        pairing_2024,
        trip=TripRule(depart="10:00"),
        district_units=False,
    )


def test_every_person_is_timed(access_2024):
    cells = access_2024.cells
    assert cells["population"].sum() == CENSUS_2019_TOTAL
    assert cells["reached"].mean() > 0.99
    assert list(access_2024.table().columns) == list(ACCESS_COLUMNS)
    assert cells["sister_hospital_id"].notna().all()
    assert set(cells["nearest_hospital_id"].dropna()) <= set(access_2024.hospital_times_s.columns)


def test_sister_is_never_nearer_than_the_nearest(access_2024):
    cells = access_2024.cells[access_2024.cells["reached"]]
    assert (cells["time_to_sister_s"] >= cells["time_to_nearest_s"]).all()
    assert (cells["time_to_sister_s"] > cells["time_to_nearest_s"]).any()  # the test can fail
    own = cells["sister_hospital_id"] == cells["nearest_hospital_id"]
    assert np.allclose(cells.loc[own, "time_to_sister_s"], cells.loc[own, "time_to_nearest_s"])


def test_a_cell_in_ba_vi_mountains_is_more_than_90_minutes_away(access_2024):
    cells = access_2024.cells
    # Ba Vì National Park, around the Tản Viên and Vua peaks (21.03-21.10 N, 105.33-105.40 E)
    park = shapely.box(105.33, 21.03, 105.40, 21.10)
    mountain = cells[cells.intersects(park) & (cells["district"] == "Huyện Ba Vì")]
    assert len(mountain) > 5
    assert (mountain["time_to_nearest_s"] > 90 * 60).any()
    # while central Hanoi is minutes from a regional hospital
    hoan_kiem = cells[cells["district"] == "Quận Hoàn Kiếm"]
    assert (hoan_kiem["time_to_nearest_s"] < 20 * 60).all()


def test_coverage_is_monotone_and_consistent(access_2024):
    cov = coverage(access_2024)
    assert cov.minutes == (15.0, 30.0, 45.0, 60.0, 90.0, 120.0)
    for table, key in ((cov.overall, None), (cov.per_hospital, "hospital_id"),
                       (cov.per_district, "district"), (cov.per_unit, "unit_id")):  # fmt: skip
        groups = [table] if key is None else [g for _, g in table.groupby(key)]
        # a hospital sister to nobody (with its sites, the nearest pairing leaves Oncology
        # without a district) has no shares: NaN, never a made-up 0 %
        groups = [g for g in groups if g["population"].sum() > 0]
        for g in groups:
            for column in ("within_sister", "within_nearest", "share_sister_points"):
                assert g[column].is_monotonic_increasing, (key, column)
            assert (g["within_sister"] <= g["within_nearest"] + 1e-9).all() or key is not None
    overall = cov.overall
    assert (overall["population"] == CENSUS_2019_TOTAL).all()
    assert (overall["within_sister"] <= overall["within_nearest"]).all()
    assert overall["share_nearest"].iloc[-1] > 0.99  # nearly all within 2 hours
    # per hospital: the people a hospital is sister to add up to everyone
    first = cov.per_hospital[cov.per_hospital["minutes"] == 15.0]
    assert first["population"].sum() == CENSUS_2019_TOTAL
    assert first["population_nearest"].sum() == pytest.approx(CENSUS_2019_TOTAL, abs=1)
    assert cov.per_district.groupby("minutes")["population"].sum().eq(CENSUS_2019_TOTAL).all()
    custom = coverage_table(access_2024, minutes=[5, 200])
    assert custom["minutes"].tolist() == [5.0, 200.0] and custom["share_sister"].iloc[-1] > 0.99


def test_zonal_statistics_from_cells_beside_points(access_2024):
    overall = zonal_statistics(access_2024, by="overall").iloc[0]
    assert overall["population"] == CENSUS_2019_TOTAL
    assert 15 * 60 < overall["mean_time_to_nearest_s"] <= overall["mean_time_to_sister_s"]
    assert overall["mean_time_to_sister_s"] < overall["p90_time_to_sister_s"]
    assert overall["p90_time_to_sister_s"] <= overall["max_time_to_sister_s"]
    units = zonal_statistics(access_2024, by="unit")
    assert len(units) == 579 and units["population"].sum() == CENSUS_2019_TOTAL
    # where points mislead: some units' points are minutes away from where their people live
    assert units["points_minus_cells_s"].abs().max() > 5 * 60
    assert units["points_minus_cells_s"].notna().all()
    districts = zonal_statistics(access_2024, by="district")
    assert len(districts) == 30
    hospitals = zonal_statistics(access_2024, by="hospital")
    sisters = set(access_2024.cells["sister_hospital_id"].dropna())
    assert set(hospitals["hospital_id"]) == sisters
    assert sisters <= set(access_2024.hospital_times_s.columns)
    # one column per hospital (4), each the time to its nearest site (7)
    assert list(access_2024.hospital_times_s.columns) == [
        "hn-reg-heart", "hn-reg-oncology", "hn-reg-obgyn", "hn-reg-xanhpon",
    ]  # fmt: skip
    # an independent check of the weighted mean: from the table itself
    cells = access_2024.cells[access_2024.cells["reached"]]
    mean = np.average(cells["time_to_sister_s"], weights=cells["population"])
    assert overall["mean_time_to_sister_s"] == pytest.approx(mean)
    share_60 = cells.loc[cells["time_to_sister_s"] <= 3600, "population"].sum() / CENSUS_2019_TOTAL
    cov = coverage(access_2024).overall.set_index("minutes")
    assert cov.loc[60.0, "share_sister"] == pytest.approx(share_60)


def test_unit_cell_times_weigh_each_units_people(access_2024):
    times = unit_cell_times(access_2024)
    assert len(times) == 579 * 4 and times["travel_time_s"].notna().all()
    unit = access_2024.cells["unit_id"].iloc[0]
    mine = access_2024.cells[access_2024.cells["unit_id"] == unit]
    hospital = access_2024.hospital_times_s.columns[0]
    expected = np.average(
        access_2024.hospital_times_s.loc[mine.index, hospital], weights=mine["population"]
    )
    got = times[(times["unit_id"] == unit) & (times["hospital_id"] == hospital)]
    assert got["travel_time_s"].iloc[0] == pytest.approx(expected)


def test_outputs(access_2024, tmp_path):
    cov = coverage(access_2024)
    paths = write_access(access_2024, cov, tmp_path)
    cells = pd.read_csv(paths["access_cells.csv"])
    assert list(cells.columns) == list(ACCESS_COLUMNS)
    assert cells["population"].sum() == CENSUS_2019_TOTAL
    assert cells["lat"].between(20.5, 21.5).all() and cells["lat"].round(6).equals(cells["lat"])
    table = pd.read_csv(paths["coverage.csv"])
    assert {"minutes", "share_sister", "share_nearest", "population"} <= set(table.columns)
    document = json.loads(paths["access.json"].read_text())
    assert any("WorldPop" in line for line in document["attribution"])
    assert document["coverage"]["attribution"].startswith("Population: WorldPop")


def test_time_to_the_district_unit(hanoi_graph, registry_2024, pairing_2024):
    grid = hanoi_population_grid(scheme="2024")
    ba_vi_units = registry_2024.loc[registry_2024["district"] == "Huyện Ba Vì", "facility_id"]
    cells = grid.cells[grid.cells["unit_id"].isin(ba_vi_units)].reset_index(drop=True)
    small = PopulationGrid(
        cells=cells, calibrated=True, census_total=None, raster=grid.raster, notes=()
    )
    access = cell_access(
        hanoi_graph, registry_2024, pairing_2024, grid=small, trip=TripRule(depart="10:00")
    )
    times = access.cells["time_to_district_unit_s"]
    assert times.notna().all()
    # the cell holding Ba Vì General Hospital is minutes from it; the mountains are far
    hospital = registry_2024.set_index("facility_id").loc["hn-dist-271"]
    at = access.cells[access.cells.contains(shapely.Point(hospital["lon"], hospital["lat"]))]
    assert (at["time_to_district_unit_s"] < 10 * 60).all() and len(at) >= 1
    assert times.max() > 45 * 60


# -- any place: West Oakland with a small raster ------------------------------------------------


@pytest.fixture
def oakland(tmp_path, data_folder):
    """Roads of West Oakland (California), a raster of people per ~200 m cell, and facilities."""
    values = np.arange(1, 97, dtype=float).reshape(8, 12) * 3.0  # 24 x 16 ha, over the roads
    raster = write_raster(tmp_path / "oakland_ppp.tif", values, west=-122.312, north=37.820,
                          step=0.002)  # fmt: skip
    facilities = pd.DataFrame(
        {
            "facility_id": ["hospital", "north", "south", "west"],
            "name": ["Hospital", "North clinic", "South clinic", "West clinic"],
            "level": ["regional", "commune", "commune", "commune"],
            "lat": [37.8120, 37.8160, 37.8070, 37.8110],
            "lon": [-122.2950, -122.2980, -122.2960, -122.3060],
        }
    )
    path = tmp_path / "oakland_facilities.csv"
    facilities.to_csv(path, index=False)
    return {
        "raster": raster,
        "facilities": path,
        "roads": data_folder / "fixtures" / "west_oakland_osm.osm.bz2",
    }


def test_west_oakland_with_raw_worldpop_values(oakland):
    from planner.places.facilities import load_facilities
    from planner.roads.network import load_network

    graph = load_network(oakland["roads"])
    fac = load_facilities(oakland["facilities"])
    grid = default_grid(fac, graph=graph, raster=oakland["raster"])
    assert not grid.calibrated and "raw raster values" in grid.notes[0]
    hull = shapely.convex_hull(
        shapely.multipoints(np.column_stack([graph.node_lon, graph.node_lat]))
    )
    assert grid.cells.union_all().area == pytest.approx(hull.area, rel=1e-3)
    assert set(grid.cells["unit_id"]) == {"north", "south", "west"}
    access = cell_access(graph, fac, pd.DataFrame({"unit_id": ["north", "south", "west"],
                                                   "hospital_id": "hospital"}),
                         grid=grid)  # fmt: skip
    cells = access.cells
    assert (
        cells["reached"].all() and (cells["time_to_sister_s"] == cells["time_to_nearest_s"]).all()
    )
    assert (cells["time_to_sister_s"] < 15 * 60).all()
    cov = coverage(access, minutes=[1, 5, 15])
    assert cov.overall["share_sister"].iloc[-1] == 1.0
    assert cov.overall["population"].iloc[0] == pytest.approx(grid.total)


def test_planner_access_cli_in_west_oakland(oakland, tmp_path):
    out = tmp_path / "access"
    result = subprocess.run(
        [sys.executable, "-m", "planner.app.cli", "access", "--facilities", str(oakland["facilities"]),
         "--source", str(oakland["roads"]), "--population", str(oakland["raster"]),
         "--minutes", "2,5,10", "--out", str(out), "-q"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "WorldPop" in result.stdout
    cells = pd.read_csv(out / "access_cells.csv")
    assert list(cells.columns) == list(ACCESS_COLUMNS) and len(cells) > 10
    table = pd.read_csv(out / "coverage.csv")
    assert table["minutes"].tolist() == [2.0, 5.0, 10.0]
    assert table["share_sister"].is_monotonic_increasing
    document = json.loads((out / "access.json").read_text())
    assert document["access"]["population_grid"]["calibrated"] is False


def test_planner_access_rejects_bad_minutes(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "planner.app.cli", "access", "--minutes", "ten", "--out", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 2 and "--minutes" in result.stderr
    assert not any(Path(tmp_path).iterdir())


# -- the sweep: many departures and modes, the same times -----------------------------------------


def test_sweep_gives_the_times_of_one_call_per_hour(hanoi_graph, registry_2024, pairing_2024):
    from planner.access import cell_access_sweep

    grid = hanoi_population_grid(scheme="2024")
    ba_vi = registry_2024.loc[registry_2024["district"] == "Huyện Ba Vì", "facility_id"]
    small = PopulationGrid(
        cells=grid.cells[grid.cells["unit_id"].isin(ba_vi)].reset_index(drop=True),
        calibrated=True, census_total=None, raster=grid.raster,
    )  # fmt: skip
    departs = ["07:00", "10:00", "17:30"]
    sweep = cell_access_sweep(
        hanoi_graph, registry_2024, pairing_2024, grid=small, modes=("car", "motorbike"),
        departs=departs,
    )  # fmt: skip
    assert sorted(sweep) == sorted((m, d) for m in ("car", "motorbike") for d in departs)
    for (mode, depart), swept in sweep.items():
        one = cell_access(hanoi_graph, registry_2024, pairing_2024, grid=small,
                          trip=TripRule(mode=mode, depart=depart), district_units=False)  # fmt: skip
        for name in ("hospital_times_s", "times_from_hospital_s", "times_to_hospital_s"):
            pd.testing.assert_frame_equal(getattr(swept, name), getattr(one, name))
        pd.testing.assert_frame_equal(swept.table(), one.table())
        assert swept.trip.depart == depart and swept.trip.mode == mode
    # the hours differ (congestion), so the test could fail if the sweep reused one hour
    rush, calm = sweep[("car", "17:30")], sweep[("car", "10:00")]
    assert (rush.cells["time_to_sister_s"] > calm.cells["time_to_sister_s"]).mean() > 0.5


def test_matrices_for_many_departures_equal_one_matrix_each(hanoi_graph, registry_2024):
    from planner.travel import travel_time_matrices, travel_time_matrix

    sites = registry_2024[registry_2024["level"] != "commune"].iloc[:12]
    departs = ["08:00", "10:00", "11:00"]
    many = travel_time_matrices(hanoi_graph, sites, departs=departs, distances=False)
    assert list(many) == departs
    for depart in departs:
        one = travel_time_matrix(hanoi_graph, sites, depart=depart)
        pd.testing.assert_frame_equal(
            many[depart].drop(columns="distance_m"), one.drop(columns="distance_m")
        )
        trips = many[depart]["origin_id"] != many[depart]["destination_id"]
        assert many[depart].loc[trips, "distance_m"].isna().all()
        assert one.loc[trips, "distance_m"].notna().all()
    assert many["08:00"] is not many["10:00"]  # each departure its own frame


def test_with_pairings_changes_only_the_sister_columns(access_2024, registry_2024):
    units = registry_2024[registry_2024["level"] != "regional"]
    xanh_pon = pd.DataFrame({"unit_id": units["facility_id"], "hospital_id": "hn-reg-xanhpon"})
    moved = access_2024.with_pairings(xanh_pon)
    assert (moved.cells["sister_hospital_id"] == "hn-reg-xanhpon").all()
    assert np.allclose(moved.cells["time_to_sister_s"], moved.hospital_times_s["hn-reg-xanhpon"])
    same = ["time_to_nearest_s", "nearest_hospital_id", "population", "unit_id"]
    pd.testing.assert_frame_equal(moved.cells[same], access_2024.cells[same])
    assert access_2024.with_pairings(None).cells["sister_hospital_id"].isna().all()


# -- pairing by where people live ---------------------------------------------------------------


def test_demand_cells_changes_the_cost_and_stays_optimal(hanoi_graph, registry_2024, access_2024):
    from planner.access import demand_matrix
    from planner.pairing.costs import pair_costs
    from planner.pairing.explain import hanoi_pilot_pins
    from planner.pairing.propose import propose_pairings
    from planner.places.sites import hospital_sites

    hospitals = registry_2024[registry_2024["level"] == "regional"]
    units = registry_2024[registry_2024["level"] != "regional"]
    points = pair_travel_times(hanoi_graph, hospitals, units, depart="10:00")
    people = demand_matrix(access_2024, points)
    # the cost used is the people's: a unit whose point is more than 5 minutes off its people
    cell_times = unit_cell_times(access_2024).set_index(["unit_id", "hospital_id"])
    ids = units["facility_id"].tolist()
    sites = hospital_sites(hospitals)
    hids = list(sites.hospital_ids)

    def costs(matrix: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(pair_costs(matrix, ids, hospitals).time_s, index=ids, columns=hids)

    costs_points, costs_people = costs(points), costs(people)
    stacked = costs_people.stack()
    # a hospital of one site: the unit's cost is its people's mean time; of several: the unit
    # uses one site (its people's best on average), never better than each person's nearest
    single = sites.table.loc[sites.table["sites"] == 1, "hospital_id"]
    one = cell_times.index.get_level_values("hospital_id").isin(single)
    assert one.any() and (~one).any()
    expected = cell_times["travel_time_s"]
    assert np.allclose(stacked.loc[cell_times.index[one]], expected[one])
    assert (stacked.loc[cell_times.index[~one]] >= expected[~one] - 1e-6).all()
    off = (costs_people - costs_points).abs().stack()
    assert off.max() > 5 * 60
    # district units have no people of their own: they keep their points' times
    heads = units.loc[units["level"] == "district", "facility_id"]
    assert np.allclose(costs_people.loc[heads], costs_points.loc[heads], equal_nan=True)

    pins = hanoi_pilot_pins(units)
    by_people = propose_pairings(units, hospitals, people, pilot=pins, sensitivity=False)
    by_points = propose_pairings(units, hospitals, points, pilot=pins, sensitivity=False)
    assert by_people.status == "optimal" and by_points.status == "optimal"
    assert by_people.scores["load_ratio_max_min"] <= 1.2 / 0.8 + 1e-9
    # optimal for the people's costs: the point-based pairing (feasible too) costs no less there
    from planner.pairing.scoring import score_pairings

    on_people = score_pairings(by_points.pairings, people, units=units, hospitals=hospitals)
    assert by_people.objective_value <= (
        on_people.overall["pop_weighted_mean_travel_time_s"] + 1e-6
    )


def test_propose_demand_cells_end_to_end(tmp_path):
    out = tmp_path / "people"
    result = subprocess.run(
        [sys.executable, "-m", "planner.app.cli", "propose", "--demand", "cells", "--lang", "en",
         "--out", str(out), "-q"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    scores = json.loads((out / "scores.json").read_text())
    assert scores["options"]["demand"] == "cells" and scores["status"] == "optimal"
    demand = scores["cells"]["demand"]
    assert demand["demand"] == "cells" and demand["other"] == "points"
    # each proposal is the better one under its own cost
    mine, theirs = demand["proposal"], demand["alternative"]
    assert mine["cells_mean_travel_time_s"] <= theirs["cells_mean_travel_time_s"] + 1e-6
    assert theirs["points_mean_travel_time_s"] <= mine["points_mean_travel_time_s"] + 1e-6
    assert mine["objective_value"] == pytest.approx(mine["cells_mean_travel_time_s"])
    assert demand["units_changed"] == len(demand["changed_unit_ids"])
    pairings = pd.read_csv(out / "pairings.csv")
    cells = pd.read_csv(out / "access_cells.csv")
    assert cells["population"].sum() == CENSUS_2019_TOTAL
    # the report says how the proposal differs from the point-based one
    from planner.app.pipeline import report_dir

    html = report_dir(out, lang="en").read_text(encoding="utf-8")
    assert "This pairing weighs where people live" in html
    assert "costs from where people live" in html  # the scenario's title
    assert len(pairings) == 156  # the default: the 126 units of 2025 and 30 district units


# -- the demo: files, scores, map, report ----------------------------------------------------------


def test_demo_writes_access_cells_and_coverage(demo_dir):
    cells = pd.read_csv(demo_dir / "access_cells.csv")
    assert list(cells.columns) == list(ACCESS_COLUMNS)
    assert cells["population"].sum() == CENSUS_2019_TOTAL
    assert (cells["population"] > 0).all() and cells["population"].dtype.kind == "i"
    assert (cells["time_to_sister_s"] >= cells["time_to_nearest_s"] - 1e-6).all()
    assert cells["time_to_district_unit_s"].notna().mean() > 0.99
    # the sister hospitals are the proposal's
    pairings = pd.read_csv(demo_dir / "pairings.csv").set_index("unit_id")["hospital_id"]
    assert (cells["sister_hospital_id"] == cells["unit_id"].map(pairings)).all()
    table = pd.read_csv(demo_dir / "coverage.csv")
    assert list(table.columns[:3]) == ["minutes", "share_sister", "share_nearest"]
    assert table["minutes"].tolist() == [15, 30, 45, 60, 90, 120]
    assert (table["population"] == CENSUS_2019_TOTAL).all()
    assert table["within_sister"].is_monotonic_increasing
    assert (table["within_sister"] <= table["within_nearest"]).all()
    expected = cells.loc[cells["time_to_sister_s"] <= 3600, "population"].sum()
    assert table.set_index("minutes").loc[60, "within_sister"] == expected


def test_demo_scores_have_the_cells_section(demo_dir):
    scores = json.loads((demo_dir / "scores.json").read_text())
    cells = scores["cells"]
    assert cells["calibrated"] is True and cells["census_total"] == CENSUS_2019_TOTAL
    assert (
        cells["attribution"].startswith("Population: WorldPop")
        and "CC BY 4.0" in cells["attribution"]
    )
    assert [row["minutes"] for row in cells["coverage"]] == [15, 30, 45, 60, 90, 120]
    shares = [row["share_sister"] for row in cells["coverage"]]
    assert shares == sorted(shares) and 0.5 < shares[3] < 1
    assert cells["mean_time_to_sister_s"] < cells["p90_time_to_sister_s"]
    assert cells["mode"] == "car" and cells["depart"] == "10:00"
    assert len(cells["per_district"]) == 30
    assert sum(d["population"] for d in cells["per_district"]) == CENSUS_2019_TOTAL
    assert cells["curve"][0]["minutes"] == 0 and cells["curve"][-1]["minutes"] == 180
    misled = cells["units_misled"]
    assert misled["count"] >= 1 and abs(misled["worst"][0]["points_minus_cells_s"]) > 300
    demand = cells["demand"]
    assert demand["demand"] == "points" and demand["other"] == "cells"
    # the proposal is the best under the points' cost, its alternative under the people's
    assert demand["proposal"]["points_mean_travel_time_s"] == pytest.approx(
        scores["pop_weighted_mean_travel_time_s"]
    )
    assert (
        demand["alternative"]["cells_mean_travel_time_s"]
        <= demand["proposal"]["cells_mean_travel_time_s"] + 1e-6
    )


def test_demo_map_has_the_surface_with_the_worldpop_credit(demo_dir):
    html = (demo_dir / "map.html").read_text(encoding="utf-8")
    from planner.outputs.i18n import text

    assert json.dumps(text("map.surface", "vi"))[1:-1] in html  # the layer, named in the control
    assert "www.worldpop.org" in html and "2020 (University of Southampton), CC BY 4.0" in html
    assert (demo_dir / "map.html").stat().st_size <= 3_000_000


@pytest.mark.browser
def test_demo_map_surface_layer_credits_worldpop_when_shown(demo_dir):
    from _browser import offline_page

    with offline_page(demo_dir / "map.html") as (page, report):
        page.wait_for_selector(".leaflet-overlay-pane path")
        credit = ".leaflet-control-attribution"
        assert "WorldPop" not in page.inner_text(credit)  # hidden at first
        labels = page.eval_on_selector_all(
            ".leaflet-control-layers-overlays label", "els => els.map(e => e.innerText.trim())"
        )
        index = next(i for i, label in enumerate(labels) if "WorldPop" in label)
        before = page.evaluate(
            "() => document.querySelectorAll('.leaflet-overlay-pane path').length"
        )
        page.evaluate(
            f"() => document.querySelectorAll('.leaflet-control-layers-overlays input')[{index}]"
            ".click()"
        )
        page.wait_for_timeout(300)
        assert "WorldPop" in page.inner_text(credit) and "CC BY 4.0" in page.inner_text(credit)
        after = page.evaluate(
            "() => document.querySelectorAll('.leaflet-overlay-pane path').length"
        )
        assert after > before  # the time bands are drawn
        assert report.unexpected_errors() == []


def _people_section(html: str) -> str:
    start = html.index('<section id="people">')
    return html[start : html.index("</section>", start)]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_demo_report_has_the_curve_and_the_table_per_district(lang, demo_dir, tmp_path):
    import shutil

    from planner.app.pipeline import report_dir

    if lang == "vi":
        html = (demo_dir / "report.html").read_text(encoding="utf-8")
    else:
        for name in ("pairings.csv", "scores.json"):
            shutil.copy(demo_dir / name, tmp_path / name)
        html = report_dir(tmp_path, lang="en").read_text(encoding="utf-8")
        # report_dir draws the map's surface from the same cells again
        assert "Where people live: time to the sister hospital" in html
    words = {
        "vi": ("Nơi người dân sinh sống", "Dân số trong vòng N phút", "9/10 người dân trong vòng"),
        "en": ("Where people live", "People within N minutes", "9 in 10 people within"),
    }[lang]
    section = _people_section(html)
    assert words[0] in section and words[1] in section and words[2] in section
    assert section.count("<svg") == 1  # the coverage curve
    assert section.count('class="zonal"') == 2  # the table per district, in two halves
    assert section.count('<td class="name">') == 30
    assert "Huyện Ba Vì" in section and "Quận Hoàn Kiếm" in section
    assert "WorldPop" in section
    # WorldPop among the sources, each term explained once
    assert "vnm_ppp_2020_1km_Aggregated_UNadj.tif" in html
    assert html.count(f"<dt>{words[2]}</dt>") == 1


def test_a_demand_the_run_cannot_meet_is_refused_before_any_work():
    from planner.app.pipeline import PlanOptions, plan
    from planner.errors import PlannerInputError

    with pytest.raises(PlannerInputError, match="unknown demand 'people'"):
        plan(PlanOptions(demand="people"), facilities="no such file.csv")
    with pytest.raises(PlannerInputError, match="needs the population cells"):
        plan(PlanOptions(demand="cells", cells=False), facilities="no such file.csv")


def test_a_part_of_the_registry_gets_the_people_of_its_units(hanoi_graph, registry_2024):
    """Districts without their communes: each commune's people go to its district unit;
    one district alone: the rest of Hanoi is left out, and the grid says so."""
    from planner.access import default_grid
    from planner.app.pipeline import PlanOptions, plan

    districts_only = registry_2024[registry_2024["level"] != "commune"]
    grid = default_grid(districts_only)
    whole = hanoi_population_grid(scheme="2024")
    assert grid.total == whole.total == CENSUS_2019_TOTAL
    by_district = whole.cells.groupby(
        whole.cells["unit_id"].map(registry_2024.set_index("facility_id")["district"])
    )["population"].sum()
    district_names = districts_only.set_index("facility_id")["district"]
    totals = grid.unit_totals()
    assert totals.to_dict() == {u: by_district[district_names[u]] for u in totals.index}
    assert any("counted in their district unit" in note for note in grid.notes)
    # a user's copy spelling the districts otherwise gets the same people
    respelled = districts_only.assign(district=districts_only["district"].str.lower())
    assert default_grid(respelled).unit_totals().to_dict() == totals.to_dict()

    ba_vi = registry_2024[
        (registry_2024["level"] == "regional") | (registry_2024["district"] == "Huyện Ba Vì")
    ]
    # Ba Vì's units alone, no balance to meet; the sensitivity re-solves at ±0.1 and ±0.3 split
    # one district's people evenly (a partition problem), so they get a short time limit.
    options = PlanOptions(
        scheme="2024", pilot=False, hierarchical=False, balance=3.0, time_limit_s=3.0
    )
    run = plan(options, facilities=ba_vi, graph=hanoi_graph)
    people = run.access.cells
    assert set(people["unit_id"]) <= set(ba_vi["facility_id"])
    assert people["population"].sum() == ba_vi.loc[ba_vi["level"] == "commune", "population"].sum()
    assert any("left out" in note for note in run.access.grid.notes)
