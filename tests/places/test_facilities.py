"""Facility files: loading, the contract, and the message for every kind of bad file."""

from __future__ import annotations

import csv
import warnings

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from _paths import DATA

from planner.errors import ApproximateLocationWarning, PlannerInputError
from planner.places.facilities import (
    facility_problems,
    load_facilities,
    validate_facilities,
    write_facilities,
)
from planner.places.facility_schema import FACILITY_COLUMNS
from planner.places.hanoi import hanoi_boundary

BAD = DATA / "bad"
CASES = list(csv.DictReader((BAD / "expected.csv").open(encoding="utf-8")))


def test_every_bad_file_has_an_expected_message():
    listed = {case["file"] for case in CASES}
    present = {p.name for p in BAD.iterdir() if p.name != "expected.csv"}
    assert listed == present


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_bad_file_message_names_file_row_and_field(case):
    path = BAD / case["file"]
    with pytest.raises(PlannerInputError) as info:
        load_facilities(path, area=hanoi_boundary())
    error = info.value
    assert case["message"] in str(error)
    assert error.file == str(path) and str(path) in str(error)
    assert error.row == (int(case["row"]) if case["row"] else None)
    assert error.field == (case["field"] or None)
    if error.row is not None:
        assert f"row {error.row}" in str(error)
    assert error.hint  # every message says how to fix it


def test_csv_with_semicolons_decimal_commas_and_vietnamese_headers(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(
        "mã;tên;vĩ độ;kinh độ;population\n"
        "bv1;Bệnh viện Đa khoa Ba Vì;21,2164;105,41;250000\n"
        "tyt1;Trạm y tế xã Tản Lĩnh;21,1;105,38;12 000\n".replace("12 000", "12000"),
        encoding="utf-8-sig",
    )
    gdf = load_facilities(path, level="commune")
    assert list(gdf.columns[: len(FACILITY_COLUMNS)]) == list(FACILITY_COLUMNS)
    assert gdf.crs.to_epsg() == 4326
    assert gdf["lat"].tolist() == [21.2164, 21.1]
    assert gdf.geometry.x.tolist() == gdf["lon"].tolist()
    assert gdf["kind"].tolist() == ["health_station", "health_station"]
    assert set(gdf["scheme"]) == {"custom"} and set(gdf["location_source"]) == {"manual"}
    assert gdf["population"].tolist() == [250000.0, 12000.0]


def test_tab_separated_with_named_columns(tmp_path):
    path = tmp_path / "units.tsv"
    path.write_text("code\tlabel\tY_deg\tX_deg\nA\tTrạm A\t21.0\t105.8\n", encoding="utf-8")
    gdf = load_facilities(
        path, id_col="code", name_col="label", lat_col="Y_deg", lon_col="X_deg", level="district"
    )
    assert gdf.loc[0, ["facility_id", "name", "level", "kind"]].tolist() == [
        "A",
        "Trạm A",
        "district",
        "health_centre",
    ]


def test_named_column_that_does_not_exist(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("id,name,level,lat,lon\na,A,commune,21,105.8\n", encoding="utf-8")
    with pytest.raises(
        PlannerInputError, match="the column 'vido' given for lat is not in the file"
    ):
        load_facilities(path, lat_col="vido")


def test_wrong_encoding_option_is_caught(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(
        "id,name,level,lat,lon\na,Bệnh viện Đa khoa Ba Vì,district,21.2,105.4\n", encoding="utf-8"
    )
    with pytest.raises(PlannerInputError, match=r"looks wrongly decoded.*tried latin-1"):
        load_facilities(path, encoding="latin-1")
    assert load_facilities(BAD / "non_utf8.csv", encoding="cp1258")["name"][1].endswith("Phúc Xá")


def test_swapped_point_inside_a_given_area_is_reported_as_swapped(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("id,name,level,lat,lon\na,A,commune,11.5,10.5\n", encoding="utf-8")
    area = shapely.box(11.0, 10.0, 12.0, 11.0)  # lon 11-12, lat 10-11: holds (lat 10.5, lon 11.5)
    with pytest.raises(PlannerInputError, match="look swapped") as info:
        load_facilities(path, area=area)
    assert (info.value.row, info.value.field) == (1, "lat")


def test_every_problem_is_listed_in_row_order(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(
        "id,name,level,lat,lon\na,A,commune,abc,105.8\na,B,town,21.0,105.9\nc,,commune,21,105\n",
        encoding="utf-8",
    )
    problems = facility_problems(path)
    assert [(p.row, p.field) for p in problems] == [
        (1, "lat"),
        (2, "level"),
        (2, "facility_id"),
        (3, "name"),
    ]
    with pytest.raises(PlannerInputError, match=r"and 3 more problem"):
        load_facilities(path)


def test_approximate_locations_warn_not_fail():
    table = pd.DataFrame(
        {
            "facility_id": ["a", "b"],
            "name": ["A", "B"],
            "level": ["commune", "commune"],
            "lat": [21.0, 21.1],
            "lon": [105.8, 105.9],
            "location_source": ["osm", "commune_centroid"],
        }
    )
    with pytest.warns(ApproximateLocationWarning, match="1 of 2 facilities"):
        gdf = validate_facilities(table)
    assert len(gdf) == 2


def test_validate_takes_geometry_and_keeps_extra_columns():
    gdf = gpd.GeoDataFrame(
        {"facility_id": ["a"], "name": ["A"], "level": ["regional"], "beds": [300]},
        geometry=gpd.points_from_xy([105.84], [21.02]),
        crs="EPSG:4326",
    ).to_crs("EPSG:32648")
    out = validate_facilities(gdf)
    assert out.loc[0, "lat"] == pytest.approx(21.02) and out.loc[0, "lon"] == pytest.approx(105.84)
    assert list(out.columns[-2:]) == ["beds", "geometry"]
    assert out.loc[0, "kind"] == "hospital"


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".gpkg"])
def test_write_then_load_round_trip(tmp_path, registry_2024, suffix):
    subset = registry_2024[registry_2024["level"] != "commune"]
    out = write_facilities(subset, tmp_path / f"registry{suffix}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximateLocationWarning)
        back = load_facilities(out)
    assert back["facility_id"].tolist() == subset["facility_id"].tolist()
    assert back["name"].tolist() == subset["name"].tolist()
    assert back["lat"].to_numpy() == pytest.approx(subset["lat"].to_numpy())
    assert back["population"].fillna(-1).tolist() == subset["population"].fillna(-1).tolist()


def test_failed_write_keeps_the_previous_file(tmp_path, registry_2024):
    out = tmp_path / "registry.csv"
    out.write_text("previous", encoding="utf-8")
    broken = registry_2024.head(3).copy()
    broken["geometry"] = None  # GeoJSON writing of a table without a valid geometry column fails
    with pytest.raises(Exception):  # noqa: B017 - any failure will do; the point is what is left
        write_facilities(broken.drop(columns="geometry"), tmp_path / "registry.geojson")
    assert out.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["registry.csv"]
