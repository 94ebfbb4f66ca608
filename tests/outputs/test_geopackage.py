"""``pairings.gpkg``: every run writes the layers a GIS office opens, with the CSVs' columns."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

from planner.outputs.geopackage import geopackage_layers, with_minutes, write_geopackage

HOSTILE = "<img src=x onerror=alert(1)>"


def _layer(path: Path, name: str) -> gpd.GeoDataFrame:
    return gpd.read_file(path, layer=name, engine="pyogrio")


def test_the_demo_writes_the_layers_with_the_csv_columns(demo_dir: Path) -> None:
    gpkg = demo_dir / "pairings.gpkg"
    names = [name for name, _ in pyogrio.list_layers(gpkg)]
    assert names == ["units", "hospitals", "links", "areas", "cells", "layer_styles"]
    # the CSVs' columns, each time in seconds followed by its minutes
    pairings = with_minutes(pd.read_csv(demo_dir / "pairings.csv", dtype={"unit_id": str}))
    cells = with_minutes(pd.read_csv(demo_dir / "access_cells.csv", dtype={"unit_id": str}))

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
    assert [name for name, _ in pyogrio.list_layers(out)] == [
        "units", "hospitals", "links", "layer_styles"
    ]  # fmt: skip
    assert _layer(out, "units")["unit_name"].iloc[0] == HOSTILE
    # the hospital's name is a category label in its QGIS style: text, parsed back exactly
    with sqlite3.connect(out) as db:
        qml = db.execute(
            "SELECT styleQML FROM layer_styles WHERE f_table_name = 'hospitals'"
        ).fetchone()[0]
    labels = {c.get("value"): c.get("label") for c in ET.fromstring(qml).iter("category")}
    assert labels["hn-reg-xanhpon"] == HOSTILE
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


# --------------------------------------------------------------------------- QGIS: minutes, styles

#: The columns of QGIS's layer_styles table, as its OGR provider creates it (qgsogrprovider.cpp).
QGIS_COLUMNS = {
    "id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName",
    "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time",
}  # fmt: skip


@pytest.fixture(scope="module")
def gpkg_2025(tmp_path_factory: pytest.TempPathFactory, hanoi_graph) -> tuple[Path, object]:
    """The GeoPackage of a 2025 run with its population cells (no map, no report)."""
    from planner.app.pipeline.planning import PlanOptions, plan
    from planner.app.pipeline.write import write_outputs

    run = plan(PlanOptions(scheme="2025"), graph=hanoi_graph)
    out = tmp_path_factory.mktemp("gpkg2025")
    write_outputs(run, out, map=False, report=False)
    return out / "pairings.gpkg", run


def test_every_time_in_seconds_has_its_minutes_beside_it(gpkg_2025) -> None:
    gpkg, run = gpkg_2025
    seen = set()
    for name, _ in pyogrio.list_layers(gpkg):
        if name == "layer_styles":
            continue
        layer = _layer(gpkg, name)
        columns = list(layer.columns)
        for i, column in enumerate(columns):
            if not column.endswith("_s"):
                continue
            minutes = column[:-2] + "_min"
            assert columns[i + 1] == minutes, (name, column)
            seconds = layer[column].to_numpy(float)
            expected = np.round(seconds / 60.0, 1)  # numpy, independent of pandas' rounding
            assert np.allclose(layer[minutes].to_numpy(float), expected, equal_nan=True, atol=1e-9)
            seen.add((name, minutes))
    assert {
        ("units", "travel_time_min"), ("units", "switch_cost_min"), ("links", "travel_time_min"),
        ("areas", "travel_time_min"), ("cells", "time_to_sister_min"),
        ("cells", "time_to_nearest_min"),
    } <= seen  # fmt: skip
    # a unit's minutes are its pairing's time: the report's 10 min is 600 s
    units = _layer(gpkg, "units").set_index("unit_id")
    pairings = run.proposal.pairings.set_index("unit_id")
    unit = pairings["travel_time_s"].dropna().index[0]
    assert units.loc[unit, "travel_time_min"] == round(pairings.loc[unit, "travel_time_s"] / 60, 1)


def test_qgis_finds_a_default_style_for_each_layer(gpkg_2025) -> None:
    """The rows QGIS's loadStyle selects: f_table_schema='', the layer's name and its geometry
    column (as gpkg_geometry_columns names it), useAsDefault."""
    gpkg, _ = gpkg_2025
    with sqlite3.connect(gpkg) as db:
        columns = {row[1] for row in db.execute("PRAGMA table_info(layer_styles)")}
        assert columns >= QGIS_COLUMNS
        kind = db.execute(
            "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'"
        ).fetchone()
        assert kind == ("attributes",)  # a table GDAL (and so QGIS) opens as a layer
        geometry = dict(db.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
        found = {}
        for table, column in geometry.items():
            rows = db.execute(
                "SELECT styleQML, useAsDefault FROM layer_styles WHERE f_table_schema = '' "
                "AND f_table_name = ? AND f_geometry_column = ?",
                (table, column),
            ).fetchall()
            if rows:
                assert len(rows) == 1 and rows[0][1] == 1, table
                found[table] = rows[0][0]
    assert set(found) == {"units", "hospitals", "links", "areas", "cells"}
    for table, qml in found.items():
        root = ET.fromstring(qml)  # valid XML
        renderer = root.find("renderer-v2")
        assert renderer is not None and renderer.get("type") == "categorizedSymbol"
        wanted = "sister_hospital_id" if table == "cells" else "hospital_id"
        assert renderer.get("attr") == wanted, table


def test_each_hospital_has_its_map_colour_and_name_in_the_styles(gpkg_2025, registry_2025) -> None:
    from planner.outputs.labels import hospital_palette
    from planner.places.sites import hospital_of

    gpkg, run = gpkg_2025
    regional = registry_2025[registry_2025.level == "regional"]
    palette = hospital_palette(regional)
    names = dict(zip(hospital_of(regional), regional["name"], strict=True))
    with sqlite3.connect(gpkg) as db:
        styles = dict(db.execute("SELECT f_table_name, styleQML FROM layer_styles"))
    for table in ("units", "links", "areas"):
        root = ET.fromstring(styles[table])
        symbols = {s.get("name"): s for s in root.find("renderer-v2/symbols")}
        categories = list(root.iter("category"))
        used = set(run.proposal.pairings["hospital_id"].dropna())
        assert {c.get("value") for c in categories} >= used
        for category in categories:
            hid = category.get("value")
            props = {p.get("k"): p.get("v") for p in symbols[category.get("symbol")].iter("prop")}
            colour = props.get("color") or props.get("line_color")
            if hid:
                hex_colour = palette[hid][0].lstrip("#")
                rgb = ",".join(str(int(hex_colour[i : i + 2], 16)) for i in (0, 2, 4))
                assert colour.startswith(rgb + ","), (table, hid, colour)
                assert category.get("label") == names[hid]
            else:
                assert colour.startswith("158,158,158,")  # the rest: grey
