"""No silent wrong input: each rule that used to guess now reads what it can prove, or stops with
the file, row, field and the fix. One test per former silent fallback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from planner._vn import district_key
from planner.errors import PlannerInputError
from planner.pairing.explain import hanoi_pilot_pins
from planner.pairing.propose import propose_pairings
from planner.pairing.scoring import population_weights
from planner.places.facilities import facility_problems, load_facilities, validate_facilities


def write(tmp_path: Path, text: str, name: str = "units.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_vietnamese_headers_and_levels(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Mã;Tên;Tuyến;Quận/Huyện;Dân số;Số giường;Vĩ độ;Kinh độ\n"
        "bv-xp;Bệnh viện Xanh Pôn;Vùng;;;600;21,0339;105,8365\n"
        "ttyt-bv;Trung tâm Y tế huyện Ba Vì;Huyện;Huyện Ba Vì;305 000;;21,2;105,42\n"
        "tyt-tl;Trạm y tế xã Tản Lĩnh;Tuyến xã;Huyện Ba Vì;12 345;;21,13;105,38\n",
    )
    fac = load_facilities(path)
    assert fac["level"].tolist() == ["regional", "district", "commune"]
    assert fac["district"].isna().tolist() == [True, False, False]
    assert fac["district"].tolist()[1:] == ["Huyện Ba Vì", "Huyện Ba Vì"]
    np.testing.assert_array_equal(fac["population"], [np.nan, 305000.0, 12345.0])
    np.testing.assert_array_equal(fac["capacity"], [600.0, np.nan, np.nan])


def test_ambiguous_thousands_is_an_error_with_the_rows(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "id,name,level,population,lat,lon\n"
        "a,A,commune,12.345,21.0,105.8\n"
        "b,B,commune,9.876,21.0,105.9\n"
        "c,C,commune,15000,21.1,105.8\n",
    )
    with pytest.raises(PlannerInputError) as err:
        load_facilities(path)
    message = str(err.value)
    assert err.value.rows == (1, 2) and err.value.field == "population"
    assert (
        "population '12.345' is ambiguous: 12345 with '.' separating thousands, or 12.345"
        in message
    )
    assert "thousands='.'" in message and "--thousands ." in message
    fac = load_facilities(path, thousands=".")
    assert fac["population"].tolist() == [12345.0, 9876.0, 15000.0]


def test_comma_thousands_never_read_as_decimals(tmp_path: Path) -> None:
    """ "12,345" used to become 12.345 people."""
    path = write(tmp_path, 'id,name,level,population,lat,lon\na,A,commune,"12,345",21.0,105.8\n')
    with pytest.raises(PlannerInputError, match="ambiguous"):
        load_facilities(path)
    assert load_facilities(path, thousands=",")["population"].tolist() == [12345.0]
    assert load_facilities(path, thousands=".")["population"].tolist() == [12.345]


@pytest.mark.parametrize(
    "header", ["Dân số 2019", "population_2025", "Số giường bệnh (2024)", "Quận/huyện cũ"]
)
def test_a_column_that_looks_meant_but_is_not_read_is_an_error(tmp_path: Path, header: str) -> None:
    path = write(tmp_path, f"id,name,level,{header},lat,lon\na,A,commune,100,21.0,105.8\n")
    with pytest.raises(PlannerInputError) as err:
        load_facilities(path)
    assert err.value.field == header and "looks like" in str(err.value)
    assert "rename it to" in str(err.value)


def test_validate_says_so_instead_of_all_valid(tmp_path: Path) -> None:
    path = write(tmp_path, "id,name,level,Dân số (người),lat,lon\na,A,commune,100,21.0,105.8\n")
    result = subprocess.run(
        [sys.executable, "-m", "planner.app.cli", "facilities", "--validate", str(path)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "all facilities valid" not in result.stdout
    assert "Dân số (người)" in result.stderr and "looks like population" in result.stderr


def test_repeated_row_problems_come_as_one_message(tmp_path: Path) -> None:
    rows = "".join(f"u{i},Unit {i},commune,,105.8\n" for i in range(7))
    path = write(tmp_path, "id,name,level,lat,lon\n" + rows + "u9,Unit 9,town,21.0,105.8\n")
    problems = facility_problems(path)
    assert [str(p).split(": ", 1)[0] for p in problems] == [
        f"{path}, rows 1-7, field lat",
        f"{path}, row 8, field level",
    ]
    with pytest.raises(PlannerInputError) as err:
        load_facilities(path)
    assert "rows 1-7" in str(err.value) and "(and 1 more problem(s)" in str(err.value)


def shapefile(tmp_path: Path) -> Path:
    gdf = gpd.GeoDataFrame(
        {"id": ["a"], "name": ["A"], "level": ["commune"]},
        geometry=[shapely.Point(105.8, 21.0)],
        crs="EPSG:4326",
    )
    path = tmp_path / "units.shp"
    gdf.to_file(path)
    return path


def test_unreadable_crs_is_an_error_not_lonlat(tmp_path: Path) -> None:
    path = shapefile(tmp_path)
    assert load_facilities(path)["lon"].tolist() == [105.8]
    path.with_suffix(".prj").write_text("GARBAGE")
    with pytest.raises(PlannerInputError) as err:
        load_facilities(path)
    assert err.value.field == "crs" and "units.prj is not a valid CRS" in str(err.value)
    path.with_suffix(".prj").unlink()
    with pytest.raises(PlannerInputError, match=r"no units\.prj"):
        load_facilities(path)


def test_geodataframe_without_crs_is_an_error(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame(
        {"facility_id": ["a"], "name": ["A"], "level": ["commune"]},
        geometry=[shapely.Point(583_000, 2_323_000)],  # UTM metres, no CRS
    )
    with pytest.raises(PlannerInputError, match="has no CRS"):
        validate_facilities(gdf)
    utm = gdf.set_crs("EPSG:32648")
    assert validate_facilities(utm)["lat"].round(2).tolist() == [21.01]


def test_one_district_normaliser_for_the_hierarchy() -> None:
    assert district_key("huyện Ba Vì") == district_key("Huyện Ba Vì") == district_key("Ba Vì")
    assert district_key("Huyện Ứng Hòa") == district_key("Ứng Hoà")  # tone mark on o or on a
    units = pd.DataFrame(
        {
            "facility_id": ["d", "c1", "c2", "c3"],
            "name": ["D", "C1", "C2", "C3"],
            "level": ["district", "commune", "commune", "commune"],
            "district": ["Huyện Ứng Hòa", "huyện Ứng Hoà", "Ứng Hòa", "UNG HOA"],
            "population": [40.0, 10.0, 10.0, 10.0],
        }
    )
    hospitals = pd.DataFrame({"facility_id": ["h1", "h2"], "name": ["H1", "H2"]})
    # c2 alone is nearer h2; as one district the group goes to h1
    times = {("h1", "d"): 600, ("h1", "c1"): 600, ("h1", "c2"): 1500, ("h1", "c3"): 600}
    times |= {("h2", "d"): 1200, ("h2", "c1"): 1200, ("h2", "c2"): 900, ("h2", "c3"): 1200}
    matrix = pd.DataFrame(
        [{"origin_id": h, "destination_id": u, "travel_time_s": t} for (h, u), t in times.items()]
    )
    result = propose_pairings(units, hospitals, matrix, balance=None, pins={}, directions="to_unit")
    assert result.pairings["hospital_id"].tolist() == ["h1"] * 4
    # the district unit's population is carried by its communes once, whatever the spelling
    weights = population_weights(units["level"], units["district"], units["population"])
    assert weights.tolist() == [0.0, 10.0, 10.0, 10.0]
    pilot = units.assign(district=["huyện Ba Vì", "Huyện Ba Vì", "Ba Vi", "Ba Vì"])
    # the pilot pins every unit of Ba Vì (district and communes), whatever the spelling
    assert hanoi_pilot_pins(pilot) == dict.fromkeys(["d", "c1", "c2", "c3"], "hn-reg-xanhpon")
