"""The population grid: WorldPop cut by unit areas and calibrated to the census, to the person."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from _rasters import write_raster

from planner.config import CRS_METRIC
from planner.errors import PlannerInputError
from planner.places.hanoi import CENSUS_2019_TOTAL, hanoi_population_grid, hanoi_unit_areas
from planner.places.population import (
    WORLDPOP_ATTRIBUTION,
    _largest_remainder,
    population_grid,
    read_population,
    split_by_population,
)


@pytest.fixture(scope="module")
def grids():
    return {s: hanoi_population_grid(scheme=s) for s in ("2024", "2025")}


@pytest.mark.parametrize("scheme", ["2024", "2025"])
def test_grid_total_is_the_census_to_the_person(grids, scheme):
    grid = grids[scheme]
    assert grid.calibrated and grid.census_total == CENSUS_2019_TOTAL
    assert grid.total == CENSUS_2019_TOTAL
    people = grid.cells["population"]
    assert (people == people.round()).all() and (people >= 0).all()
    assert WORLDPOP_ATTRIBUTION in grid.attribution and "WorldPop" in grid.summary()["attribution"]


@pytest.mark.parametrize("scheme", ["2024", "2025"])
def test_every_unit_total_is_its_census(grids, scheme):
    census = hanoi_unit_areas(scheme=scheme).set_index("facility_id")["population"]
    totals = grids[scheme].unit_totals().reindex(census.index).fillna(0)
    # Rule 1: census figures that are not whole (2025 units share former communes) are rounded
    # by the largest remainder, so the targets still sum to the census total.
    target = pd.Series(_largest_remainder(census.to_numpy(), CENSUS_2019_TOTAL), census.index)
    pd.testing.assert_series_equal(totals, target, check_names=False)
    if scheme == "2024":  # the 2024 census is whole people: exactly each commune's figure
        pd.testing.assert_series_equal(totals, census, check_names=False)
    assert (totals - census).abs().max() < 1


def test_every_person_belongs_to_one_unit(grids):
    cells = grids["2024"].cells
    assert not cells.duplicated(["cell_id", "unit_id"]).any()
    # the pieces of a cell do not overlap: their areas add up to at most the cell's area
    metric = cells.to_crs(CRS_METRIC)
    per_cell = metric.groupby("cell_id")["area_m2"].sum()
    cell_area = read_population(area=shapely.box(*cells.total_bounds)).to_crs(CRS_METRIC)
    cell_area = cell_area.set_index("cell_id").area
    assert (per_cell <= cell_area.reindex(per_cell.index) * 1.001).all()
    assert np.allclose(metric.area, cells["area_m2"], rtol=1e-3)
    # a piece's point lies in its piece
    points = gpd.points_from_xy(cells["lon"], cells["lat"])
    assert shapely.dwithin(cells.geometry.to_numpy(), np.asarray(points), 1e-7).all()


def test_raw_people_follow_worldpop_inside_hanoi(grids):
    # SOURCES.md: inside the Hanoi boundary WorldPop holds 8.24 M people, the census 8.05 M.
    raw = grids["2025"].cells["population_raw"].sum()
    assert raw == pytest.approx(8.24e6, rel=0.01)
    assert grids["2024"].cells["population_raw"].sum() == pytest.approx(raw, rel=1e-3)


def test_largest_remainder_rule():
    # floors 1, 1, 0 (2 people); the one left goes to the largest fraction (0.6)
    assert _largest_remainder(np.array([1.2, 1.2, 0.6]), 3).tolist() == [1, 1, 1]
    # a tie of fractions goes to the larger tiebreak, then to the first listed
    assert _largest_remainder(np.array([0.5, 0.5]), 1, np.array([1.0, 2.0])).tolist() == [0, 1]
    assert _largest_remainder(np.array([0.5, 0.5]), 1).tolist() == [1, 0]


def test_calibration_on_a_small_raster(tmp_path):
    # 3 x 2 cells of 0.01 degrees; two units: west (first column) and east (the rest)
    values = np.array([[10.0, 20.0, 30.0], [0.0, 5.0, 5.0]])
    raster = write_raster(tmp_path / "p.tif", values, west=105.0, north=21.02, step=0.01)
    areas = gpd.GeoDataFrame(
        {"facility_id": ["west", "east"], "population": [7, 101]},
        geometry=[
            shapely.box(105.0, 21.0, 105.01, 21.02),
            shapely.box(105.01, 21.0, 105.03, 21.02),
        ],
        crs="EPSG:4326",
    )
    grid = population_grid(areas, raster=raster)
    totals = grid.unit_totals()
    assert totals["west"] == 7 and totals["east"] == 101 and grid.total == 108
    # east: 101 * (20, 30, 5, 5) / 60 = 33.67, 50.5, 8.42, 8.42, floored to 33, 50, 8, 8 (99);
    # the 2 people left go to the largest fractions (.67 and .5)
    east = grid.cells[grid.cells["unit_id"] == "east"].set_index("cell_population")["population"]
    assert east.sort_index().tolist() == [8, 8, 34, 51]
    raw = population_grid(areas, population=None, raster=raster)
    # (a box edge and the cell edges it crosses bend differently in UTM: a millionth)
    assert not raw.calibrated and raw.total == pytest.approx(70.0, rel=1e-5)
    assert "not calibrated" in raw.notes[0]


def test_a_unit_without_raster_people_gets_its_census_spread_by_area(tmp_path):
    values = np.array([[0.0, 0.0, 9.0]])
    raster = write_raster(tmp_path / "p.tif", values, west=105.0, north=21.01, step=0.01)
    areas = gpd.GeoDataFrame(
        {"facility_id": ["empty", "full"], "population": [4, 9]},
        geometry=[
            shapely.box(105.0, 21.0, 105.02, 21.01),
            shapely.box(105.02, 21.0, 105.03, 21.01),
        ],
        crs="EPSG:4326",
    )
    grid = population_grid(areas, raster=raster)
    empty = grid.cells[grid.cells["unit_id"] == "empty"]["population"]
    assert sorted(empty) == [2, 2] and grid.total == 13
    assert any("census spread by area" in n for n in grid.notes)


def test_population_raster_errors(tmp_path):
    area = shapely.box(105.0, 21.0, 105.1, 21.1)
    with pytest.raises(PlannerInputError, match="readable population raster"):
        read_population(tmp_path / "missing.tif", area=area)
    raster = write_raster(tmp_path / "p.tif", np.ones((2, 2)), west=0.0, north=1.0, step=0.5)
    with pytest.raises(PlannerInputError, match="does not cover"):
        read_population(raster, area=area)
    areas = gpd.GeoDataFrame({"facility_id": ["a", "a"]}, geometry=[area, area], crs="EPSG:4326")
    with pytest.raises(PlannerInputError, match="more than one area"):
        population_grid(areas, population=None, raster=raster)


def test_split_by_population_matches_clusters_to_sizes(tmp_path):
    # two villages: 300 people in the west cell, 100 in the east one, fields between
    values = np.array([[300.0, 0.0, 0.0, 100.0]])
    raster = write_raster(tmp_path / "p.tif", values, west=105.0, north=21.01, step=0.01)
    area = shapely.box(105.0, 21.0, 105.04, 21.01)
    small, large = split_by_population(area, [100, 300], raster=raster)
    assert large.contains(shapely.Point(105.005, 21.005))
    assert small.contains(shapely.Point(105.035, 21.005))
    assert small.intersection(large).area == pytest.approx(0.0, abs=1e-12)
