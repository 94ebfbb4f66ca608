"""The Hanoi registry on the real data: counts, ids, population, locations, areas."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Geod

from planner._vn import core_name, fold
from planner.config import CRS_METRIC, data_file
from planner.places.facility_schema import FACILITY_COLUMNS
from planner.places.hanoi import (
    CENSUS_2019_TOTAL,
    LOCATION_ORDER,
    hanoi_areas,
    hanoi_boundary,
    hanoi_facilities,
)

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def registries(registry_2024, registry_2025):
    return {"2024": registry_2024, "2025": registry_2025}


@pytest.mark.parametrize(
    ("scheme", "counts"),
    [("2024", {"regional": 7, "district": 30, "commune": 579}),
     ("2025", {"regional": 7, "district": 30, "commune": 126})],
)  # fmt: skip
def test_counts_ids_and_contract(registries, scheme, counts):
    reg = registries[scheme]
    assert reg["level"].value_counts().to_dict() == counts
    assert reg["facility_id"].is_unique
    assert list(reg.columns[: len(FACILITY_COLUMNS)]) == list(FACILITY_COLUMNS)
    assert set(reg["scheme"]) == {scheme}
    prefix = "hn-com-" if scheme == "2024" else "hn-com25-"
    assert reg.loc[reg["level"] == "commune", "facility_id"].str.startswith(prefix).all()
    regional = reg[reg["level"] == "regional"].set_index("facility_id")
    hospitals = {"hn-reg-heart", "hn-reg-oncology", "hn-reg-obgyn", "hn-reg-xanhpon"}
    assert set(regional["hospital_id"]) == hospitals  # 4 hospitals at 7 sites
    assert set(regional.index) == hospitals | {
        "hn-reg-heart-tayho",
        "hn-reg-obgyn-camhoi",
        "hn-reg-obgyn-hadong",
    }
    main = regional[regional["site_role"] == "main"]
    assert sorted(main.index) == sorted(hospitals)  # a hospital's main site carries its id
    assert regional.loc["hn-reg-obgyn", "specialty"] == "obstetrics_gynecology"
    units = reg[reg["level"] != "regional"]
    assert units[["hospital_id", "site_role", "site_name"]].isna().all().all()
    assert reg["district"].notna().all()


def test_ids_follow_the_official_code_lists(registry_2024, registry_2025, data_folder):
    communes = pd.read_csv(data_folder / "hanoi_communes_2020_579.csv", dtype=str)
    districts = pd.read_csv(data_folder / "hanoi_districts_30_centroids.csv", dtype=str)
    units = pd.read_csv(data_folder / "hanoi_communes_2025_126_centroids.csv", dtype=str)
    ids24 = set(registry_2024["facility_id"])
    assert {"hn-com-" + c for c in communes["commune_code"]} <= ids24
    assert {"hn-dist-" + c for c in districts["districtCode"]} <= ids24
    assert {"hn-com25-" + c for c in units["wardCode"]} <= set(registry_2025["facility_id"])


@pytest.mark.parametrize("scheme", ["2024", "2025"])
@pytest.mark.parametrize("level", ["district", "commune"])
def test_population_adds_up_to_the_census_total(registries, scheme, level, data_folder):
    census = pd.read_csv(data_folder / "hanoi_population_commune_census2019.csv")
    assert census["population"].sum() == CENSUS_2019_TOTAL  # the reference itself
    units = registries[scheme][registries[scheme]["level"] == level]
    assert units["population"].notna().all() and (units["population"] > 0).all()
    assert units["population"].sum() == pytest.approx(CENSUS_2019_TOTAL, rel=0.01)


def test_district_population_is_the_census_district_total(registry_2024, data_folder):
    census = pd.read_csv(data_folder / "hanoi_population_commune_census2019.csv")
    expected = census.groupby(census["district"].map(core_name))["population"].sum()
    units = registry_2024[registry_2024["level"] == "district"]
    got = units.set_index(units["district"].map(core_name))["population"]
    pd.testing.assert_series_equal(
        got.sort_index(), expected.astype(float).sort_index(), check_names=False
    )


@pytest.mark.parametrize("scheme", ["2024", "2025"])
def test_unmatched_are_reported_and_few(registries, scheme):
    reg = registries[scheme]
    unmatched = reg.attrs["unmatched"]
    assert isinstance(unmatched, list)
    communes = (reg["level"] == "commune").sum()
    assert (
        len([u for u in unmatched if u["table"] != "hanoi_population_commune_census2019"])
        < 0.01 * communes
    )
    assert sum(u["population"] or 0 for u in unmatched) < 0.01 * CENSUS_2019_TOTAL


def test_communes_merged_in_2020_get_their_former_communes_population(registry_2024, data_folder):
    census = pd.read_csv(data_folder / "hanoi_population_commune_census2019.csv")
    reg = registry_2024.set_index("commune")
    # Xã Sen Phương (Phúc Thọ) was formed in 2020 from Sen Chiểu and Phương Độ.
    former = census[census["commune"].isin(["Xã Sen Chiểu", "Xã Phương Độ"])]["population"].sum()
    assert reg.loc["Xã Sen Phương", "population"] == former
    assert "merged into Xã Sen Phương" in reg.loc["Xã Sen Phương", "population_source"]


@pytest.mark.parametrize("scheme", ["2024", "2025"])
def test_every_unit_lies_in_the_province(registries, scheme):
    boundary = (
        gpd.GeoSeries([hanoi_boundary()], crs="EPSG:4326").to_crs(CRS_METRIC).buffer(1000).iloc[0]
    )
    points = registries[scheme].to_crs(CRS_METRIC)
    outside = points[~points.within(boundary)]
    assert outside.empty, outside[["facility_id", "name"]]


def test_district_units_lie_in_or_near_their_district(registry_2024):
    areas = hanoi_areas(scheme="2024").to_crs(CRS_METRIC).set_index("facility_id")
    units = registry_2024[registry_2024["level"] == "district"].to_crs(CRS_METRIC)
    for unit in units.itertuples():
        assert areas.loc[unit.facility_id, "geometry"].buffer(1000).contains(unit.geometry), (
            unit.facility_id
        )


def test_ba_vi_district_unit_is_ba_vi_general_hospital(registry_2024):
    unit = registry_2024.set_index("facility_id").loc["hn-dist-271"]
    assert unit["name"] == "Bệnh viện Đa khoa Ba Vì" and unit["kind"] == "hospital"
    _, _, distance_m = GEOD.inv(unit["lon"], unit["lat"], 105.4100, 21.2164)
    assert distance_m < 300
    assert unit["location_source"] == "osm"


def test_locations_are_flagged(registries):
    for reg in registries.values():
        assert set(reg["location_source"]) <= set(LOCATION_ORDER)
        not_mapped = ~reg["location_source"].eq("osm")
        assert reg.loc[not_mapped, "location_note"].notna().all()
        osm = reg[reg["location_source"] == "osm"]
        # from the OSM health file (with its id), or a health POI of the tiles (said in the note)
        assert (osm["osm_id"].notna() | osm["location_note"].str.contains("tiles")).all()


def test_osm_stations_bear_the_commune_name_and_lie_in_its_district(registry_2024):
    areas = hanoi_areas(scheme="2024").to_crs(CRS_METRIC).set_index("district")
    osm = registry_2024[
        (registry_2024["level"] == "commune") & (registry_2024["location_source"] == "osm")
    ].to_crs(CRS_METRIC)
    assert len(osm) >= 70  # 73 before the tiles' health POIs were added
    for unit in osm.itertuples():
        assert core_name(unit.commune) in fold(unit.name), unit.facility_id
        assert areas.loc[unit.district, "geometry"].buffer(200).contains(unit.geometry), (
            unit.facility_id
        )


def test_2025_stations_lie_in_their_polygon_and_district_units_are_kept(
    registry_2024, registry_2025
):
    areas = hanoi_areas(scheme="2025").to_crs(CRS_METRIC).set_index("facility_id")
    stations = registry_2025[registry_2025["level"] == "commune"].to_crs(CRS_METRIC)
    for unit in stations.itertuples():
        assert areas.loc[unit.facility_id, "geometry"].buffer(200).contains(unit.geometry), (
            unit.facility_id
        )
    keep = ["facility_id", "name", "lat", "lon", "population"]
    pd.testing.assert_frame_equal(
        registry_2025.loc[registry_2025["level"] != "commune", keep].reset_index(drop=True),
        registry_2024.loc[registry_2024["level"] != "commune", keep].reset_index(drop=True),
    )


def test_2025_population_is_close_to_the_osm_2025_figures(registry_2025):
    # An independent reference: OSM's 2025 population tags (72 units). 2019 → 2025 growth is
    # moderate, so the ratio should centre a little under 1.
    units = registry_2025[registry_2025["population_osm_2025"].notna()]
    ratio = (units["population"] / units["population_osm_2025"]).median()
    assert len(units) >= 60 and 0.75 < ratio < 1.05


def test_areas(registry_2024):
    d24 = hanoi_areas(scheme="2024")
    assert len(d24) == 30 and d24.crs.to_epsg() == 4326
    assert set(d24["facility_id"]) == set(
        registry_2024.loc[registry_2024["level"] == "district", "facility_id"]
    )
    metric = d24.to_crs(CRS_METRIC)
    boundary_km2 = (
        gpd.GeoSeries([hanoi_boundary()], crs="EPSG:4326").to_crs(CRS_METRIC).area.iloc[0] / 1e6
    )
    assert metric.area.sum() / 1e6 == pytest.approx(boundary_km2, rel=0.001)  # a partition
    assert metric.union_all().area / 1e6 == pytest.approx(boundary_km2, rel=0.001)  # no overlap
    assert metric.area.min() > 5e6
    d25 = hanoi_areas(scheme="2025")
    assert len(d25) == 126 and not d25["approximate"].any()
    assert d25.to_crs(CRS_METRIC).area.sum() / 1e6 == pytest.approx(3351, rel=0.02)


def test_district_polygons_come_from_the_tiles_where_the_tiles_close_them():
    areas = hanoi_areas(scheme="2024").set_index("district")
    # The tiles carry the boundary lines of these districts all round (checked on a map).
    closed = {"Huyện Ba Vì", "Huyện Sóc Sơn", "Huyện Mê Linh", "Huyện Mỹ Đức", "Huyện Ứng Hòa",
              "Huyện Phú Xuyên", "Huyện Thường Tín", "Huyện Thanh Oai"}  # fmt: skip
    assert set(areas.index[areas["boundary_source"] == "tiles"]) == closed
    assert not areas.loc[sorted(closed), "approximate"].any()
    # Inner districts, whose lines the tiles lack, are completed and flagged.
    assert areas.loc["Quận Hoàn Kiếm", "approximate"]
    assert "Voronoi" in areas.loc["Quận Hoàn Kiếm", "boundary_source"]


def test_district_areas_match_published_figures():
    areas = hanoi_areas(scheme="2024")
    known = areas[areas["official_area_km2"].notna()]
    assert len(known) >= 10 and known["official_area_source"].notna().all()
    ratio = known["area_km2"] / known["official_area_km2"]
    # closed by real lines: within 3 % (sources differ by as much: Ba Vì 423-428 km²)
    exact = ~known["approximate"]
    assert ratio[exact].between(0.97, 1.03).all(), known.loc[exact, ["district", "area_km2"]]
    assert ratio.between(0.85, 1.15).all(), known[["district", "area_km2", "official_area_km2"]]
    assert areas["area_km2"].sum() == pytest.approx(3359, rel=0.01)  # the official total


def test_each_district_holds_its_communes(registry_2024):
    areas = hanoi_areas(scheme="2024").to_crs(CRS_METRIC).set_index("district")
    communes = registry_2024[registry_2024["level"] == "commune"].to_crs(CRS_METRIC)
    inside = [
        areas.loc[c.district, "geometry"].buffer(200).contains(c.geometry)
        for c in communes.itertuples()
    ]
    assert all(inside)


def test_cache_round_trip_equals_a_fresh_build(registry_2024):
    fresh = hanoi_facilities(scheme="2024", cache=False)
    pd.testing.assert_frame_equal(
        pd.DataFrame(fresh.drop(columns="geometry")),
        pd.DataFrame(registry_2024.drop(columns="geometry")),
    )
    assert fresh.attrs["unmatched"] == registry_2024.attrs["unmatched"]


def test_unknown_scheme_is_an_input_error():
    from planner.errors import PlannerInputError

    with pytest.raises(PlannerInputError, match="unknown scheme '2023'"):
        hanoi_facilities(scheme="2023")
    assert data_file("SOURCES.md").exists()


def test_hanoi_metric_crs_is_the_zone_the_one_rule_gives():
    """``CRS_METRIC`` is not a second rule: it is ``metric_crs`` of Hanoi's extent, which holds
    the whole province."""
    from shapely.geometry import box

    from planner._geo import metric_crs_of
    from planner.config import HANOI_BOUNDS

    boundary = gpd.GeoSeries([hanoi_boundary()], crs="EPSG:4326")
    assert CRS_METRIC == metric_crs_of(boundary) == "EPSG:32648"
    assert box(*HANOI_BOUNDS).contains(boundary.iloc[0])
