"""Any place on Earth: the whole command line on West Oakland, California (UTM 10 N), with the
user's own facilities and roads and an empty data folder (no Hanoi file at hand)."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from _paths import DATA

OAKLAND = DATA / "west_oakland" / "facilities.csv"


@pytest.fixture(scope="module")
def roads(data_folder: Path) -> Path:
    path = data_folder / "fixtures" / "west_oakland_osm.osm.bz2"
    assert path.exists(), f"the West Oakland fixture is missing: {path}"
    return path


@pytest.fixture(scope="module")
def empty_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("no-hanoi-data")


def planner(*args: str, data: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PLANNER_DATA_DIR": str(data)}
    return subprocess.run(
        [sys.executable, "-m", "planner.app.cli", *args],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=600, check=False,
    )  # fmt: skip


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_009 * math.asin(math.sqrt(a))


def test_west_oakland_end_to_end_without_hanoi_data(
    tmp_path: Path, roads: Path, empty_data: Path
) -> None:
    shared = ["--facilities", str(OAKLAND), "--source", str(roads)]
    fac = pd.read_csv(OAKLAND)
    where = fac.set_index("facility_id")[["lat", "lon"]]

    # matrix: every pair routed on Oakland's streets, road distance never shorter than the crow's
    result = planner("matrix", *shared, "--origins", "regional", "--destinations", "units",
                     "--out", "m.csv", data=empty_data, cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    matrix = pd.read_csv(tmp_path / "m.csv")
    assert len(matrix) == 2 * 6 and (matrix["status"] == "ok").all()
    for row in matrix.itertuples():
        o, d = where.loc[row.origin_id], where.loc[row.destination_id]
        crow = haversine_m(o.lat, o.lon, d.lat, d.lon)
        assert crow * 0.99 <= row.distance_m <= crow * 4 + 200, row
        assert 0 < row.travel_time_s < 600
    assert matrix["origin_name"].str.contains("regional site").all()

    # propose: each unit with one of the two regional sites, districts kept whole
    result = planner(
        "propose", *shared, "--lang", "en", "--out", "run", data=empty_data, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "your facilities" in result.stdout and "optimal" in result.stdout
    pairings = pd.read_csv(tmp_path / "run" / "pairings.csv")
    assert sorted(pairings["unit_id"]) == sorted(fac.loc[fac.level != "regional", "facility_id"])
    assert set(pairings["hospital_id"]) <= {"oak-reg-wood7", "oak-reg-campbell8"}
    assert (pairings.groupby("district")["hospital_id"].nunique() == 1).all()
    scores = json.loads((tmp_path / "run" / "scores.json").read_text())
    assert scores["status"] == "optimal" and scores["units"] == 6

    # score: the proposal scores as itself
    result = planner("score", "run/pairings.csv", *shared, "--json", data=empty_data, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rescored = json.loads(result.stdout)
    assert rescored["pop_weighted_mean_travel_time_s"] == pytest.approx(
        scores["pop_weighted_mean_travel_time_s"], rel=1e-9
    )

    # map and report: standalone HTML naming the units
    result = planner("map", "run/pairings.csv", *shared, "--out", "map.html",
                     data=empty_data, cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "map.html").read_text(encoding="utf-8")
    # the name as text: JSON-escaped in the map's data, or HTML-escaped in its markup
    assert re.search(r"Goss St (\\u0026|&amp;|&#38;) Willow St unit", html)
    assert "OpenStreetMap contributors" in html
    assert not re.search(r"<script[^>]+src=\"https?://", html)
    # without its facilities, the report says which ones it needs (not a Hanoi data file)
    result = planner("report", "run", data=empty_data, cwd=tmp_path)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "not the Hanoi registry" in result.stderr and "--facilities FILE" in result.stderr
    assert str(roads) in result.stderr and "hanoi_boundary" not in result.stderr
    result = planner("report", "run", *shared, data=empty_data, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = (tmp_path / "run" / "report.html").read_text(encoding="utf-8")
    assert "Wood St" in report and "OpenStreetMap contributors" in report
    # every sentence about the data is this run's: not Hanoi's units, files or place names
    from planner.outputs.i18n import Translator

    t = Translator("vi")  # the report's language
    for hanoi in (t("scenario.scheme.2024"), t("report.names_official"), ".mbtiles", "census"):
        assert hanoi not in report, hanoi
    assert f"<td>{roads.name}</td>" in report and t("report.source_roads_given") in report


def test_a_facility_off_the_roads_area_is_named(
    tmp_path: Path, roads: Path, empty_data: Path
) -> None:
    far = tmp_path / "far.csv"
    far.write_text(
        OAKLAND.read_text(encoding="utf-8")
        + "oak-com-sf,San Francisco City Hall unit,commune,Civic Center,1000,37.7793,-122.4193\n",
        encoding="utf-8",
    )
    result = planner("propose", "--facilities", str(far), "--source", str(roads),
                     "--out", "run", data=empty_data, cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "far.csv, row 9, field lat" in result.stderr
    assert "outside the road network's area" in result.stderr
    assert not (tmp_path / "run").exists()
