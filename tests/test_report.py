"""write_report on the real Hanoi registry: content, atomicity, and drawing offline in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_maps import REMOTE, SCREENS, straight_pairing

from planner.maps import pairing_map
from planner.report import write_report


@pytest.fixture(scope="module")
def report_inputs(registry_2025):
    from planner.hanoi import hanoi_areas

    pairing = straight_pairing(registry_2025)
    other = straight_pairing(registry_2025, shift=1)
    m = pairing_map(pairing, registry_2025, areas=hanoi_areas(scheme="2025"), compare=other)
    scores = {
        "status": "optimal",
        "mean_travel_time_s": float(pairing["travel_time_s"].mean()),
        "share_population_within_60min": 0.75,
        "per_hospital": [{"hospital_id": "hn-reg-xanhpon", "load": 123.0}],
    }
    return pairing, other, m, scores


def test_report_holds_map_tables_charts_sources_and_approximate_units(
    report_inputs, registry_2025, tmp_path
):
    pairing, other, m, scores = report_inputs
    path = write_report(
        tmp_path, pairings=pairing, scores=scores, facilities=registry_2025, map=m, compare=other,
        assumptions={"mode": "car", "depart": "10:00"},
    )  # fmt: skip
    assert path == tmp_path / "report.html"
    text = path.read_text(encoding="utf-8")
    assert not REMOTE.findall(text)
    assert "<iframe" in text and "srcdoc=" in text
    assert text.count("<svg") >= 2  # the two charts (the map's icons are escaped in srcdoc)
    for name in registry_2025.loc[registry_2025["level"] == "regional", "name"]:
        assert name in text
    assert "hanoi_osm_2021-08_z14.mbtiles" in text and "ODbL" in text
    assert "© OpenStreetMap contributors" in text
    approx = registry_2025["location_source"].isin(["commune_centroid", "district_centroid"])
    approx_units = registry_2025[approx & registry_2025["facility_id"].isin(pairing["unit_id"])]
    assert f"{len(approx_units)} / {len(pairing)}" in text
    assert re.search(r"motorway</td><td>car</td><td class=\"num\">\d+", text)


def test_report_in_vietnamese_and_into_a_file_path(report_inputs, registry_2025, tmp_path):
    pairing, _, m, scores = report_inputs
    path = write_report(
        tmp_path / "bao_cao.html", pairings=pairing, scores=scores, facilities=registry_2025,
        map=m, lang="vi",
    )  # fmt: skip
    assert path.name == "bao_cao.html"
    assert "Nguồn dữ liệu và giấy phép" in path.read_text(encoding="utf-8")


def test_report_is_atomic(report_inputs, registry_2025, tmp_path):
    pairing, _, m, _ = report_inputs
    target = tmp_path / "report.html"
    target.write_text("previous")
    with pytest.raises(Exception, match="scores"):
        write_report(target, pairings=pairing, scores=42, facilities=registry_2025, map=m)
    assert target.read_text() == "previous"


@pytest.mark.browser
def test_report_map_draws_offline_in_chromium(report_inputs, registry_2025, tmp_path):
    from _browser import open_offline

    pairing, _, m, scores = report_inputs
    path = write_report(tmp_path, pairings=pairing, scores=scores, facilities=registry_2025, map=m)
    report = open_offline(
        path, screenshot=tmp_path / "report.png", extra_screenshot=SCREENS / "report.png",
        viewport=(1280, 1600),
    )  # fmt: skip
    assert report.unexpected_errors() == []
    (frame,) = report.maps  # the map inside the iframe
    assert frame["overlay_paths"] > len(pairing)
    assert frame["markers"] == 4
    assert Path(tmp_path / "report.png").stat().st_size > 20_000
