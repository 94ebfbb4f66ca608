"""Where new stations go: the covering model against brute force, the greedy answer, the
existing stations, and ``planner stations`` end to end on the Hanoi data."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from planner.app.cli import main
from planner.errors import PlannerInputError
from planner.pairing.covering import greedy_covering, maximal_covering

# Five candidate sites in Ba Vì (the pilot district), away from the town.
BA_VI = """facility_id,name,lat,lon
bv-a,Điểm A,21.200,105.400
bv-b,Điểm B,21.150,105.350
bv-c,Điểm C,21.100,105.380
bv-d,Điểm D,21.080,105.330
bv-e,Điểm E,21.250,105.420
"""


def _random_case(seed: int, cells: int = 12, sites: int = 7) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    times = rng.uniform(0, 3000, size=(cells, sites))
    times[rng.random(times.shape) < 0.15] = np.nan  # some cells reach some sites by no road
    columns = [f"s{j}" for j in range(sites)]
    return pd.DataFrame(times, columns=columns), rng.integers(0, 1000, size=cells).astype(float)


def _brute_force(times: pd.DataFrame, people: np.ndarray, k: int, within_s: float,
                 existing: list[str]) -> float:  # fmt: skip
    covers = (times <= within_s).to_numpy()
    ex = times.columns.isin(existing)
    best = -1.0
    for subset in itertools.combinations(np.flatnonzero(~ex), k):
        open_sites = ex.copy()
        open_sites[list(subset)] = True
        best = max(best, float(people[covers[:, open_sites].any(axis=1)].sum()))
    return best


@pytest.mark.parametrize("seed", range(8))
def test_covering_equals_brute_force_and_greedy_is_never_better(seed: int) -> None:
    times, people = _random_case(seed)
    existing = ["s0"] if seed % 2 else []
    for k in (1, 2, 3):
        exact = maximal_covering(times, people, k=k, within_s=900, existing=existing)
        greedy = greedy_covering(times, people, k=k, within_s=900, existing=existing)
        assert exact.status == "optimal"
        assert len(exact.opened) == len(greedy.opened) == k
        assert not set(exact.opened) & set(existing)
        assert exact.population_covered == pytest.approx(
            _brute_force(times, people, k, 900, existing)
        )
        assert greedy.population_covered <= exact.population_covered + 1e-9
        assert sum(greedy.gains) == pytest.approx(greedy.gain)


def test_greedy_falls_short_where_the_exact_model_does_not() -> None:
    times = pd.DataFrame({"a": [0, 0, 99, 99], "b": [99, 99, 0, 0], "c": [99, 0, 0, 99]})
    people = [5, 10, 10, 5]
    greedy = greedy_covering(times, people, k=2, within_s=10)
    exact = maximal_covering(times, people, k=2, within_s=10)
    assert greedy.opened == ("c", "a") and greedy.population_covered == 25.0
    assert set(exact.opened) == {"a", "b"} and exact.population_covered == 30.0


def test_existing_sites_count_as_open() -> None:
    # "a" exists and covers cells 0 and 1; "b" covers the same cells, "c" the other one
    times = pd.DataFrame({"a": [0, 0, 99], "b": [0, 0, 99], "c": [99, 99, 0]})
    people = np.array([100.0, 100.0, 10.0])
    exact = maximal_covering(times, people, k=1, within_s=10, existing=["a"])
    assert exact.opened == ("c",)
    assert exact.population_before == 200.0 and exact.population_covered == 210.0
    assert exact.gain == 10.0
    assert exact.alone.to_dict() == {"b": 0.0, "c": 10.0}  # b adds no one: a covers them
    # without the existing site, a or b is worth the most
    assert maximal_covering(times, people, k=1, within_s=10).opened in {("a",), ("b",)}
    # positions and masks work for arrays
    by_mask = maximal_covering(times.to_numpy(), people, k=1, within_s=10,
                               existing=np.array([True, False, False]))  # fmt: skip
    assert by_mask.opened == (2,) and by_mask.existing == (0,)
    assert greedy_covering(times, people, k=2, within_s=10, existing=["a"]).gains == (10.0, 0.0)


def test_covering_errors_say_what_is_wrong() -> None:
    times = pd.DataFrame({"a": [0.0], "b": [5.0]})
    with pytest.raises(PlannerInputError, match="cannot open 2 of 1"):
        maximal_covering(times, [1], k=2, within_s=10, existing=["a"])
    with pytest.raises(PlannerInputError, match="'z' is not a column"):
        greedy_covering(times, [1], k=1, within_s=10, existing=["z"])
    with pytest.raises(PlannerInputError, match="2 populations for 1 cells"):
        maximal_covering(times, [1, 2], k=1, within_s=10)


def test_stations_command_on_hanoi(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sites = tmp_path / "ba_vi.csv"
    sites.write_text(BA_VI, encoding="utf-8")
    out = tmp_path / "out"
    args = ["stations", "--candidates", str(sites), "--open", "2", "--within", "10"]
    assert main([*args, "--out", str(out), "-q"]) == 0
    assert "after opening 2 (exact)" in capsys.readouterr().out
    names = {"stations.csv", "stations_coverage.csv", "stations.geojson", "stations.json"}
    assert names <= {p.name for p in out.iterdir()}
    table = pd.read_csv(out / "stations.csv")
    assert table["facility_id"].tolist() == ["bv-a", "bv-b", "bv-c", "bv-d", "bv-e"]
    assert table["opened"].sum() == 2
    assert sorted(table["greedy_order"].dropna().astype(int)) == [1, 2]
    assert (table["newly_within"] >= 0).all()
    summary = json.loads((out / "stations.json").read_text())
    exact, greedy = summary["exact"], summary["greedy"]
    assert exact["status"] == "optimal" and exact["gain"] >= greedy["gain"] >= 0
    # the default scheme: the 126 commune-level units' stations since July 2025
    assert summary["mode"] == "motorbike" and summary["existing_stations"] == 126
    cover = pd.read_csv(out / "stations_coverage.csv")
    assert (cover["within_after"] >= cover["within_before"]).all()
    assert cover["within_after"].sum() - cover["within_before"].sum() == pytest.approx(
        exact["gain"], abs=1.0
    )
    assert cover["population"].sum() == pytest.approx(summary["exact"]["population"])
    layer = gpd.read_file(out / "stations.geojson")
    assert (layer["role"] == "opened").sum() == 2 and (layer["role"] == "existing").sum() == 126


def test_a_bad_candidate_file_names_the_row_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sites = tmp_path / "bad.csv"
    sites.write_text(BA_VI.replace("21.150", "north"), encoding="utf-8")
    code = main(["stations", "--candidates", str(sites), "--open", "1", "--out",
                 str(tmp_path / "out"), "-q"])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert "bad.csv, row 2, field lat" in err
    assert not (tmp_path / "out").exists()


def test_the_help_and_the_default_agree_on_motorbike() -> None:
    from planner.app.cli.parser import build_parser

    parser = build_parser()
    assert parser.parse_args(["stations", "--open", "1"]).mode == "motorbike"
    assert parser.parse_args(["propose", "--out", "x"]).mode == "car"
    sub = next(a for a in parser._actions if a.dest == "command").choices  # type: ignore[union-attr]
    stations = next(a for a in sub["stations"]._actions if a.dest == "mode")
    propose = next(a for a in sub["propose"]._actions if a.dest == "mode")
    assert stations.help == "transport mode (default motorbike)"
    assert propose.help == "transport mode (default car)"
