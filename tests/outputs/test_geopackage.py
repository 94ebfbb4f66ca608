"""``pairings.gpkg``: every run writes the layers a GIS office opens, with the CSVs' columns."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from planner.outputs.geopackage import geopackage_layers, write_geopackage

HOSTILE = "<img src=x onerror=alert(1)>"


def _layer(path: Path, name: str) -> gpd.GeoDataFrame:
    return gpd.read_file(path, layer=name, engine="pyogrio")


def test_the_demo_writes_the_layers_with_the_csv_columns(demo_dir: Path) -> None:
    gpkg = demo_dir / "pairings.gpkg"
    names = [name for name, _ in pyogrio.list_layers(gpkg)]
    assert names == ["units", "hospitals", "links", "areas", "cells"]
    pairings = pd.read_csv(demo_dir / "pairings.csv", dtype={"unit_id": str})
    cells = pd.read_csv(demo_dir / "access_cells.csv", dtype={"unit_id": str})

    units = _layer(gpkg, "units")
    assert units.crs.to_epsg() == 4326
    assert list(units.columns.drop("geometry")) == list(pairings.columns)
    assert units["unit_id"].tolist() == pairings["unit_id"].tolist()
    assert units["hospital_id"].tolist() == pairings["hospital_id"].tolist()
    assert np.allclose(units["travel_time_s"], pairings["travel_time_s"], atol=1e-3, equal_nan=True)

    links = _layer(gpkg, "links")
    assert list(links.columns.drop("geometry")) == list(pairings.columns)
    reaching = pairings["hospital_id"].notna() & pairings["travel_time_s"].notna()
    assert len(links) == int(reaching.sum())
    assert (links.geometry.geom_type == "LineString").all()

    hospitals = _layer(gpkg, "hospitals")
    assert len(hospitals) == 7 and hospitals["hospital_id"].nunique() == 4
    assert {"facility_id", "name", "hospital_id", "site_role", "site_name"} <= set(hospitals)

    areas = _layer(gpkg, "areas")
    assert len(areas) == 30 and {"district", "hospital_id", "travel_time_s"} <= set(areas)
    assert set(areas["hospital_id"].dropna()) <= set(hospitals["hospital_id"])

    layer = _layer(gpkg, "cells")
    assert list(layer.columns.drop("geometry")) == list(cells.columns)
    assert len(layer) == len(cells)
    assert layer["cell_id"].tolist() == cells["cell_id"].tolist()
    assert layer["population"].sum() == cells["population"].sum()
    assert layer.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).all()


def test_a_hostile_name_stays_plain_text(tmp_path: Path, registry_2025) -> None:
    from planner.pairing.explain import nearest_pairings
    from planner.roads.network import hanoi_network
    from planner.travel.matrix import pair_travel_times

    fac = registry_2025.copy()
    hospitals, units = fac[fac.level == "regional"], fac[fac.level != "regional"].head(5)
    fac.loc[units.index[0], "name"] = HOSTILE
    fac.loc[fac["hospital_id"] == "hn-reg-xanhpon", "name"] = HOSTILE  # every site of it
    units, hospitals = fac.loc[units.index], fac[fac.level == "regional"]
    pairings = nearest_pairings(
        units, hospitals, pair_travel_times(hanoi_network(), hospitals, units)
    )
    out = write_geopackage(tmp_path / "pairings.gpkg", geopackage_layers(pairings, fac))
    assert [name for name, _ in pyogrio.list_layers(out)] == ["units", "hospitals", "links"]
    assert _layer(out, "units")["unit_name"].iloc[0] == HOSTILE
    hosp = _layer(out, "hospitals")
    assert (hosp["name"] == HOSTILE).sum() == int((hospitals["name"] == HOSTILE).sum()) >= 1
    assert [p.name for p in tmp_path.iterdir()] == ["pairings.gpkg"]  # no temporary file left


def test_writing_leaves_gdal_as_it_found_it(tmp_path):
    """SQLite's own flushes are off while pairings.gpkg is written (atomic_path flushes the
    finished file), and the setting is given back afterwards."""
    import geopandas as gpd
    import pyogrio
    from shapely.geometry import Point

    from planner.outputs.geopackage import write_geopackage

    layer = gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(105.8, 21.0)], crs="EPSG:4326")
    pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": "NORMAL"})
    try:
        write_geopackage(tmp_path / "p.gpkg", {"units": layer})
        assert pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS") == "NORMAL"
    finally:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": None})
    assert pyogrio.read_dataframe(tmp_path / "p.gpkg", layer="units")["name"].tolist() == ["a"]
