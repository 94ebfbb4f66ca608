"""End-to-end tests of the ``planner`` command on the real Hanoi data and the OSM fixture."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx
import osmnx as ox
import pandas as pd
import pytest
from _cli import run_cli
from _paths import ROOT

from planner.app.cli import main
from planner.requests import TripRule
from planner.roads.network import load_network

ROOT = ROOT


def test_demo_writes_every_output(demo_dir: Path, registry_2024) -> None:
    names = sorted(p.name for p in demo_dir.iterdir())
    assert names == [
        "access_cells.csv", "approximate_locations.csv", "coverage.csv", "map.html",
        "pairings.csv", "pairings.geojson", "pairings.gpkg", "pairings.xlsx", "report.html",
        "scenario.toml", "scores.json",
    ]  # fmt: skip

    pairings = pd.read_csv(demo_dir / "pairings.csv", dtype={"unit_id": str})
    assert list(pairings.columns) == [
        "unit_id", "unit_name", "unit_level", "district", "hospital_id", "hospital_name",
        "site_id", "travel_time_s", "distance_m", "population", "pinned",
        "next_best_hospital_id", "switch_cost_s",
    ]  # fmt: skip
    units = registry_2024[registry_2024.level != "regional"]
    sites = registry_2024[registry_2024.level == "regional"].set_index("facility_id")
    # each unit's trips use a site of its own hospital
    assert (pairings.site_id.map(sites.hospital_id) == pairings.hospital_id).all()
    assert set(pairings.unit_id) == set(units.facility_id)
    # The Ba Vì pilot is pinned by default: every Ba Vì unit goes to Xanh Pon.
    ba_vi = pairings[pairings.district == "Huyện Ba Vì"]
    assert len(ba_vi) > 1
    assert (ba_vi.hospital_id == "hn-reg-xanhpon").all()
    assert ba_vi.pinned.all()

    scores = json.loads((demo_dir / "scores.json").read_text())
    for key in (
        "objective", "status", "mean_travel_time_s", "pop_weighted_mean_travel_time_s",
        "max_travel_time_s", "p90_travel_time_s", "share_population_within_60min", "load",
        "load_ratio_max_min", "gap_to_optimal",
    ):  # fmt: skip
        assert key in scores, key
    assert scores["status"] == "optimal"
    assert set(scores["load"]) == set(sites.hospital_id)  # per hospital, not per site
    assert {s["site_id"] for s in scores["per_site"]} == set(sites.index)
    # The optimum under the pilot pin can't beat the unconstrained nearest assignment on time.
    nearest = scores["baselines"]["nearest"]
    assert (
        scores["pop_weighted_mean_travel_time_s"]
        >= nearest["pop_weighted_mean_travel_time_s"] - 1e-6
    )
    # ... but it is balanced where nearest is not.
    assert scores["load_ratio_max_min"] <= 1.2 / 0.8 + 1e-9

    html = (demo_dir / "map.html").read_text()
    assert "OpenStreetMap contributors" in html
    assert not re.search(r"<script[^>]+src=\"https?://", html), "map must be self-contained"
    assert "OpenStreetMap contributors" in (demo_dir / "report.html").read_text()


def test_demo_is_deterministic_and_keeps_outputs_on_failure(demo_dir: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert main(["demo", "--scheme", "2024", "--out", str(again), "--quiet"]) == 0
    for name in ("pairings.csv", "scores.json", "pairings.geojson", "map.html", "access_cells.csv",
                 "scenario.toml"):  # fmt: skip
        assert (again / name).read_bytes() == (demo_dir / name).read_bytes(), name

    # A failing run (no pairing within 60 min: Ba Vì's pin and Sóc Sơn's distance) must
    # explain itself and leave the previous outputs untouched.
    before = {p.name: p.read_bytes() for p in again.iterdir()}
    result = run_cli("propose", "--scheme", "2024", "--max-time", "60", "--out", str(again))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "infeasible (max_travel_time)" in result.stderr
    assert "max is 60 min" in result.stderr
    assert {p.name: p.read_bytes() for p in again.iterdir()} == before


def test_matrix_command_contract(tmp_path: Path, registry_2024) -> None:
    out = tmp_path / "m.csv"
    result = run_cli(
        "matrix", "--origins", "regional", "--destinations", "district", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out)
    assert list(table.columns[:10]) == [
        "origin_id", "origin_name", "destination_id", "destination_name", "origin_node",
        "destination_node", "network_time_s", "travel_time_s", "distance_m", "origin_snap_m",
    ]  # fmt: skip
    assert {"status", "reason"} <= set(table.columns)
    assert len(table) == 7 * 30  # every site of the 4 hospitals
    ok = table[table.status == "ok"]
    assert (ok.travel_time_s >= ok.network_time_s).all()
    # Xanh Pon -> Ba Vì district unit, off-peak car: roughly 1 to 2 hours.
    row = table[(table.origin_id == "hn-reg-xanhpon") & (table.destination_id == "hn-dist-271")]
    assert 3600 <= float(row.travel_time_s.iloc[0]) <= 7200


def test_network_command_writes_osmnx_graphml(tmp_path: Path, osm_fixture: Path) -> None:
    out = tmp_path / "g.graphml"
    result = run_cli("network", "--source", str(osm_fixture), "--mode", "car", "--out", str(out))
    assert result.returncode == 0, result.stderr
    G = ox.load_graphml(out)
    assert G.number_of_nodes() > 50
    _, _, data = next(iter(G.edges(data=True)))
    assert {"length", "speed_kph", "travel_time", "osmid", "road_class"} <= set(data)
    assert nx.is_directed(G)
    assert (G.graph["mode"], G.graph["depart"]) == ("car", "10:00")
    # it says what it wrote, and what it left out for the mode
    total = load_network(osm_fixture).n_edges
    omitted = total - G.number_of_edges()
    assert omitted > 0  # the footways and paths around Văn Miếu
    assert f"{G.number_of_edges():,} edges with car travel times at 10:00" in result.stdout
    assert f"left out {omitted:,} of the graph's {total:,} edges (car may not" in result.stdout


def test_facilities_and_score_round_trip(tmp_path: Path, demo_dir: Path) -> None:
    reg = tmp_path / "units.geojson"
    assert run_cli("facilities", "--scheme", "2025", "--out", str(reg)).returncode == 0
    assert reg.exists()
    scores = tmp_path / "s.json"
    result = run_cli("score", str(demo_dir / "pairings.csv"), "--out", str(scores))
    assert result.returncode == 0, result.stderr
    rescored = json.loads(scores.read_text())
    original = json.loads((demo_dir / "scores.json").read_text())
    assert rescored["pop_weighted_mean_travel_time_s"] == pytest.approx(
        original["pop_weighted_mean_travel_time_s"], rel=1e-6
    )


def test_score_takes_the_second_departure_and_the_directions(
    tmp_path: Path, demo_dir: Path, hanoi_graph
) -> None:
    """``planner score --peak-depart --directions`` times the pairs as told and records it;
    the figures equal the library's at the same settings."""
    from planner.app.pipeline import score_pairings_file

    out = tmp_path / "s.json"
    args = ["--peak-depart", "17:30", "--directions", "to_hospital", "--out", str(out)]
    result = run_cli("score", str(demo_dir / "pairings.csv"), *args)
    assert result.returncode == 0, result.stderr
    doc = json.loads(out.read_text())
    assert (doc["depart"], doc["peak_depart"], doc["directions"]) == (
        "10:00",
        "17:30",
        "to_hospital",
    )
    library = score_pairings_file(
        demo_dir / "pairings.csv",
        trip=TripRule(peak_depart="17:30", directions="to_hospital"),
        graph=hanoi_graph,
    ).scores.overall
    for key in ("pop_weighted_mean_travel_time_s", "pop_weighted_mean_travel_time_peak_s"):
        assert doc[key] == pytest.approx(library[key], rel=1e-9)
    both = json.loads((demo_dir / "scores.json").read_text())
    assert doc["pop_weighted_mean_travel_time_s"] != pytest.approx(
        both["pop_weighted_mean_travel_time_s"], rel=1e-6
    )  # one trip is not the mean of two


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (
            ["network", "--source", "/nonexistent/roads.osm.pbf", "--out", "x.graphml"],
            "roads.osm.pbf",
        ),
        (["matrix", "--origins", "hospitals", "--out", "m.csv"], "--origins"),
        (["propose", "--pin", "hn-dist-271", "--out", "o"], "--pin"),
        (["score", "/nonexistent/pairings.csv"], "pairings.csv"),
        (["matrix", "--depart", "25:99", "--out", "m.csv"], "depart"),
    ],
)
def test_user_errors_exit_2_without_traceback(args: list[str], needle: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "planner.app.cli", *args],
        capture_output=True, text=True, cwd=tmp_path, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert needle in result.stderr
    assert not any(tmp_path.iterdir()), "nothing may be written on error"


def test_verbose_shows_traceback(tmp_path: Path) -> None:
    result = run_cli("score", str(tmp_path / "missing.csv"), "--verbose")
    assert result.returncode == 2
    assert "Traceback" in result.stderr


def test_readme_commands_are_what_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()

    def first_block(heading: str) -> str:
        section = readme.split(f"## {heading}\n", 1)[1]
        return re.search(r"```bash\n(.*?)```", section, flags=re.S).group(1).strip()

    install, tests = (
        first_block("Set up and run (on a fresh machine)"),
        first_block("Run the tests"),
    )
    assert "planner demo" in install
    assert install in ci
    assert tests in ci


def test_help_has_examples() -> None:
    for command in ("demo", "network", "facilities", "matrix", "propose", "score", "map", "report"):
        result = run_cli(command, "--help")
        assert result.returncode == 0
        assert "examples:" in result.stdout, command


def test_map_and_report_commands(tmp_path: Path, demo_dir: Path) -> None:
    work = tmp_path / "run"
    work.mkdir()
    for name in ("pairings.csv", "scores.json"):
        (work / name).write_bytes((demo_dir / name).read_bytes())
    # An officials' variant: move one district (with its communes) to another hospital.
    other = pd.read_csv(work / "pairings.csv", dtype=str)
    other.loc[other.district == "Huyện Mê Linh", "hospital_id"] = "hn-reg-heart"
    other[["unit_id", "hospital_id"]].to_csv(tmp_path / "officials.csv", index=False)

    out = tmp_path / "compare.html"
    result = run_cli(
        "map", str(work / "pairings.csv"), "--compare", str(tmp_path / "officials.csv"),
        "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    html = out.read_text()
    assert "OpenStreetMap contributors" in html
    assert "officials" in html  # the comparison layer is labelled by its file
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", html)

    result = run_cli("report", str(work))
    assert result.returncode == 0, result.stderr
    report = (work / "report.html").read_text()
    assert "Xanh P" in report and "OpenStreetMap contributors" in report


def test_score_prints_a_summary_and_completes_a_hand_made_pairing_for_report(
    tmp_path: Path, demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pairing typed in Excel (semicolons, BOM, ids only): score it, then report it."""

    def planner(*args: str) -> tuple[int, str, str]:
        status = main([*args, "--quiet"])
        out, err = capsys.readouterr()
        return status, out, err

    proposal = pd.read_csv(demo_dir / "pairings.csv", dtype=str)
    folder = tmp_path / "officials"
    folder.mkdir()
    hand = folder / "pairings.csv"
    lines = ["unit_id;hospital_id", *(f"{u};{h}" for u, h in
                                     zip(proposal.unit_id, proposal.hospital_id, strict=True))]  # fmt: skip
    hand.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))

    # planner report on it says exactly what completes it
    status, _, err = planner("report", str(folder))
    assert status == 2 and "Traceback" not in err
    command = re.search(r"`(planner score [^`]+) && planner report [^`]+`", err)
    assert command, err
    assert not (folder / "report.html").exists()

    # planner score: the same summary as propose, no JSON
    status, out, err = planner("score", str(hand), "--depart", "17h30", "--lang", "en")
    assert status == 0, err
    assert out.startswith(
        f"Pairing {hand}, 2024 administrative units (30 districts, 579 communes), by car, "
        "leaving at 17:30, time = mean of the trips both ways: scored"
    )
    assert "average trip at 17:30:" in out and "nearest hospital:" in out and "{" not in out
    status, out_vi, err = planner("score", str(hand), "--depart", "17h30")  # Vietnamese
    assert status == 0, err
    assert out_vi.startswith(f"Phương án {hand}") and "lúc 17:30" in out_vi

    # the command it named, then the report
    status, _, err = planner(*command.group(1).split()[1:])
    assert status == 0, err
    completed = pd.read_csv(hand, dtype={"unit_id": str})
    assert list(completed.columns[:9]) == [
        "unit_id", "unit_name", "unit_level", "district", "hospital_id", "hospital_name",
        "site_id", "travel_time_s", "distance_m",
    ]  # fmt: skip
    assert completed.unit_id.tolist() == proposal.unit_id.tolist()
    assert completed.site_id.tolist() == proposal.site_id.tolist()  # the same rule, 10:00
    status, _, err = planner("report", str(folder))
    assert status == 0, err
    assert "Xanh P" in (folder / "report.html").read_text(encoding="utf-8")

    # JSON only when asked (--json: tests/test_other_places.py), here on standard output
    scores = json.loads(planner("score", str(hand), "--out", "-")[1])
    assert scores["status"] == "scored" and scores["options"]["depart"] == "10:00"
    original = json.loads((demo_dir / "scores.json").read_text())
    assert scores["pop_weighted_mean_travel_time_s"] == pytest.approx(
        original["pop_weighted_mean_travel_time_s"], rel=1e-9
    )
    # the baseline's loads (its max/min ratio is infinite: with its sites, no district has
    # Oncology as its nearest hospital)
    assert scores["baselines"]["nearest"]["load"] == pytest.approx(
        original["baselines"]["nearest"]["load"], rel=1e-9
    )


def test_matrix_to_standard_output(tmp_path: Path, data_folder: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "planner.app.cli", "matrix", "--origins", "regional",
         "--destinations", "regional", "--out", "-"],
        capture_output=True, text=True, cwd=tmp_path, timeout=600, check=False,
        env={**os.environ, "PLANNER_DATA_DIR": str(data_folder)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(io.StringIO(result.stdout))
    assert len(table) == 7 * 7 and table.columns[0] == "origin_id"  # the hospitals' sites
    assert "wrote -" in result.stderr  # the status line stays off the data
    assert not any(tmp_path.iterdir())


def test_unreadable_pairings_fail_loudly_and_write_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "p.csv"
    bad.write_bytes(b"unit_id,hospital_id\nhn-com25-00004,\xff\n")
    out = tmp_path / "out"
    for args in (["score", str(bad), "--out", str(out)], ["map", str(bad), "--out", str(out)]):
        result = run_cli(*args)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        message = " ".join(result.stderr.split())
        assert "p.csv, row 1" in message and "not valid utf-8" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.csv"]
