"""write_report on the real Hanoi registry: content, atomicity, and drawing offline in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from test_maps import REMOTE, SCREENS, straight_pairing

from planner.facilities import APPROXIMATE_SOURCES
from planner.maps import pairing_map
from planner.report import write_report
from planner.scoring import score_pairings


def scores_document(facilities: pd.DataFrame, pairing: pd.DataFrame, **baselines) -> dict:
    """scores.json as `planner propose` writes it: the pairing's scores plus baselines."""
    pairs = pd.concat([pairing, *baselines.values()], ignore_index=True)
    matrix = pd.DataFrame(
        {
            "origin_id": pairs["hospital_id"],
            "destination_id": pairs["unit_id"],
            "travel_time_s": pairs["travel_time_s"],
        }
    ).drop_duplicates(["origin_id", "destination_id"])
    hospitals = facilities[facilities["level"] == "regional"]

    def score(p: pd.DataFrame) -> dict:
        return score_pairings(
            p, matrix, units=facilities, hospitals=hospitals, directions="to_unit"
        ).to_dict()

    doc = score(pairing)
    doc["baselines"] = {name: score(p) for name, p in baselines.items()}
    return doc


@pytest.fixture(scope="module")
def report_inputs(registry_2025):
    from planner.hanoi import hanoi_areas

    pairing = straight_pairing(registry_2025)
    other = straight_pairing(registry_2025, shift=1)
    m = pairing_map(pairing, registry_2025, areas=hanoi_areas(scheme="2025"), compare=other)
    return pairing, other, m, scores_document(registry_2025, pairing, nearest=other)


def _row(text: str, label: str) -> list[str]:
    """The cells after ``label`` in its table row."""
    match = re.search(rf"<tr><td>{re.escape(label)}</td>(.*?)</tr>", text)
    assert match, f"no row {label!r}"
    return re.findall(r"<td[^>]*>(.*?)</td>", match.group(1))


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
    approx = registry_2025["location_source"].isin(APPROXIMATE_SOURCES)
    approx_units = registry_2025[approx & registry_2025["facility_id"].isin(pairing["unit_id"])]
    assert f"{len(approx_units)} / {len(pairing)}" in text
    assert re.search(r"motorway</td><td>car</td><td class=\"num\">\d+", text)


def test_summary_has_readable_labels_units_and_baseline_columns(
    report_inputs, registry_2025, tmp_path
):
    pairing, _, m, scores = report_inputs
    text = write_report(
        tmp_path, pairings=pairing, scores=scores, facilities=registry_2025, map=m
    ).read_text(encoding="utf-8")
    head = re.search(r'<table class="summary"><thead><tr>(.*?)</tr>', text).group(1)
    assert re.findall(r"<th>(.*?)</th>", head) == ["Measure", "Proposal", "Nearest hospital"]
    for group in ("Travel time, off-peak", "Coverage", "Balance", "Optimality and baselines"):
        assert f">{group}</th>" in text
    near = scores["baselines"]["nearest"]
    assert _row(text, "Population-weighted mean travel time") == [
        f"{scores['pop_weighted_mean_travel_time_s'] / 60:.1f} min",
        f"{near['pop_weighted_mean_travel_time_s'] / 60:.1f} min",
    ]
    assert _row(text, "Share of population within 60 min") == [
        f"{100 * scores['share_population_within_60min']:.1f} %",
        f"{100 * near['share_population_within_60min']:.1f} %",
    ]
    assert _row(text, "Load ratio (max/min)")[0] == f"{scores['load_ratio_max_min']:,.3g}"
    # raw key names are not shown as labels
    assert "<td>pop_weighted_mean_travel_time_s</td>" not in text
    assert "<td>share_population_within_60min</td>" not in text


def test_per_hospital_population_is_counted_once(registry_2024, tmp_path):
    """2024 registry: district units and their communes; people must not be counted twice."""
    pairing = straight_pairing(registry_2024)
    scores = scores_document(registry_2024, pairing)
    m = pairing_map(pairing, registry_2024, links=None)
    text = write_report(
        tmp_path, pairings=pairing, scores=scores, facilities=registry_2024, map=m
    ).read_text(encoding="utf-8")
    # Independent reference: every 2024 district has its communes, so the people are the
    # communes' people; the district-level units add nobody.
    communes = pairing[pairing["unit_level"] == "commune"]
    expected = communes.groupby("hospital_id")["population"].sum()
    doubled = pairing.groupby("hospital_id")["population"].sum()
    names = registry_2024.set_index("facility_id")["name"]
    table = text[text.index("<h2>Per regional hospital</h2>") :]
    table = table[: table.index("</table>")]
    header = re.findall(r"<th>(.*?)</th>", table)
    assert header[:5] == ["Hospital", "Units", "Districts", "Population", "Share of population"]
    assert "Staff travel (h / month)" in header and "Mean time (min)" in header
    for hid, people in expected.items():
        row = re.search(rf"{re.escape(names[hid])}</td>(.*?)</tr>", table).group(1)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        assert cells[2] == f"{people:,.0f}"
        assert f"{doubled[hid]:,.0f}" not in table
    assert (
        sum(expected) == registry_2024.loc[registry_2024["level"] == "commune", "population"].sum()
    )


def test_report_in_vietnamese_and_into_a_file_path(report_inputs, registry_2025, tmp_path):
    pairing, _, m, scores = report_inputs
    path = write_report(
        tmp_path / "bao_cao.html", pairings=pairing, scores=scores, facilities=registry_2025,
        map=m, lang="vi",
    )  # fmt: skip
    assert path.name == "bao_cao.html"
    text = path.read_text(encoding="utf-8")
    assert "Nguồn dữ liệu và giấy phép" in text
    assert "<td>Thời gian trung bình theo dân số</td>" in text
    assert "<th>Bệnh viện gần nhất</th>" in text


def test_same_inputs_give_byte_identical_report(report_inputs, registry_2025, tmp_path):
    pairing, other, _, scores = report_inputs
    paths = []
    for run in ("a", "b"):
        # a fresh map each time: folium draws new random element ids for every map
        m = pairing_map(pairing, registry_2025, compare=other)
        paths.append(
            write_report(
                tmp_path / run, pairings=pairing, scores=scores, facilities=registry_2025, map=m
            )
        )
    first, second = (p.read_bytes() for p in paths)
    assert first == second
    assert b"<dc:date>" not in first  # matplotlib's SVG date is left out


def test_report_is_atomic(report_inputs, registry_2025, tmp_path):
    pairing, _, m, scores = report_inputs
    target = tmp_path / "report.html"
    target.write_text("previous")
    with pytest.raises(Exception, match="scores"):
        write_report(target, pairings=pairing, scores=42, facilities=registry_2025, map=m)
    no_table = {k: v for k, v in scores.items() if k not in ("per_hospital", "load")}
    with pytest.raises(Exception, match="per-hospital"):
        write_report(target, pairings=pairing, scores=no_table, facilities=registry_2025, map=m)
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
