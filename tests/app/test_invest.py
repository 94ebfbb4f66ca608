"""``planner invest`` on the Hanoi data: every file written, in both languages; the exact plan
against an independent solver (CBC) and against every figure recomputed from the times; the
curve; a plan drawn by hand; bad input named by file, row and field, with nothing written;
and ``planner stations``, the equal-cost case, against the original count model."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

from planner.app.cli import main
from planner.app.growth.invest import (
    CURVE_COLUMNS,
    INVEST_COLUMNS,
    PRIMARY_CARE_LEVELS,
    plan_investments,
)
from planner.errors import PlannerInputError

ACTIONS = Path(__file__).resolve().parents[1] / "data" / "invest_actions.csv"
BUDGET = 60.0


@pytest.fixture(scope="module")
def plan(hanoi_graph, registry_2025):
    return plan_investments(
        hanoi_graph, registry_2025, budget=BUDGET, actions=ACTIONS, cost_unit="tỷ đồng",
        evaluate=["a01", "a02", "a03"],
    )  # fmt: skip


def _cbc_optimum(times: pd.DataFrame, people: np.ndarray, costs: dict, budget: float,
                 within_s: float, existing: list[str]) -> float:  # fmt: skip
    """The budgeted maximal covering problem, cell by cell (no merging), solved by CBC."""
    import pulp

    covers = (times <= within_s).to_numpy()
    open_now = covers[:, times.columns.isin(existing)].any(axis=1)
    candidates = [c for c in times.columns if c not in set(existing)]
    rows = np.flatnonzero(~open_now & covers[:, times.columns.isin(candidates)].any(axis=1))
    model = pulp.LpProblem("covering", pulp.LpMaximize)
    x = {c: pulp.LpVariable(f"x{j}", cat="Binary") for j, c in enumerate(candidates)}
    y = {i: pulp.LpVariable(f"y{i}", 0, 1) for i in rows}
    model += pulp.lpSum(people[i] * y[i] for i in rows)
    model += pulp.lpSum(costs[c] * x[c] for c in candidates) <= budget
    position = {c: j for j, c in enumerate(times.columns)}
    for i in rows:
        model += y[i] <= pulp.lpSum(x[c] for c in candidates if covers[i, position[c]])
    model.solve(pulp.PULP_CBC_CMD(msg=False, gapRel=0))
    assert pulp.LpStatus[model.status] == "Optimal"
    return float(people[open_now].sum() + pulp.value(model.objective))


def test_the_plan_is_the_optimum_an_independent_solver_finds(plan) -> None:
    inputs = plan.inputs
    costs = dict(zip(plan.actions["action_id"], plan.actions["cost"], strict=True))
    best = _cbc_optimum(inputs.times_s, inputs.population, costs, BUDGET, inputs.within_s,
                        inputs.existing_columns)  # fmt: skip
    assert plan.exact.status == "optimal"
    assert plan.exact.population_covered == pytest.approx(best, abs=0.5)
    assert plan.greedy.population_covered <= plan.exact.population_covered
    assert plan.exact.cost <= BUDGET and plan.greedy.cost <= BUDGET
    # the figures, recomputed from the times: within 15 min of an open or chosen facility
    times = inputs.times_s
    before = (times[inputs.existing_columns] <= inputs.within_s).any(axis=1)
    after = before | (times[list(plan.exact.opened)] <= inputs.within_s).any(axis=1)
    people = inputs.population
    assert plan.exact.population_before == pytest.approx(people[before.to_numpy()].sum())
    assert plan.exact.population_covered == pytest.approx(people[after.to_numpy()].sum())
    # stations and centres are open: the 126 units of 2025 and the 30 district centres
    assert set(inputs.existing["level"]) == set(PRIMARY_CARE_LEVELS)
    assert len(inputs.existing) == 126 + 30


def test_the_curve_steps_are_optimal_and_end_at_the_plan(plan) -> None:
    curve = plan.curve_table()
    assert list(curve.columns) == list(CURVE_COLUMNS)
    assert curve["budget"].tolist() == pytest.approx(np.linspace(0, BUDGET, 11).tolist())
    assert curve["people_within"].is_monotonic_increasing
    assert (curve["cost"] <= curve["budget"] + 1e-9).all()
    assert (curve["status"] == "optimal").all()
    last = curve.iloc[-1]
    assert last["people_within"] == plan.exact.population_covered
    assert last["chosen"].split(";") == list(plan.exact.opened)
    # two steps against the independent solver
    inputs = plan.inputs
    costs = dict(zip(plan.actions["action_id"], plan.actions["cost"], strict=True))
    for step in curve.iloc[[3, 7]].itertuples():
        best = _cbc_optimum(inputs.times_s, inputs.population, costs, step.budget,
                            inputs.within_s, inputs.existing_columns)  # fmt: skip
        assert step.people_within == pytest.approx(best, abs=0.5)


def test_who_is_left_behind_before_and_after(plan) -> None:
    equity = plan.equity
    assert equity["threshold_min"] == 15.0
    before, after = equity["before"], equity["after"]
    # fgt0 is the share of people beyond 15 min of a station or centre: the plan's own figure
    total = plan.exact.population_total
    assert before["fgt0"] == pytest.approx(1 - plan.exact.population_before / total)
    assert after["fgt0"] == pytest.approx(1 - plan.exact.population_covered / total)
    assert after["fgt0"] < before["fgt0"] and after["fgt1"] <= before["fgt1"]
    assert after["rural"]["fgt0"] <= before["rural"]["fgt0"]
    assert before["rural"]["fgt0"] > before["urban"]["fgt0"]  # the xã are farther
    drawn = equity["evaluated"]
    assert drawn["fgt0"] == pytest.approx(1 - plan.evaluated.population_covered / total)


def test_planner_invest_writes_every_file_in_both_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "vi"
    args = ["invest", "--actions", str(ACTIONS), "--budget", "60", "--cost-unit", "tỷ đồng",
            "--scheme", "2025", "--evaluate", "a01,a02,a03"]  # fmt: skip
    assert main([*args, "--out", str(out), "-q"]) == 0
    printed = capsys.readouterr().out
    assert "with the plan (" in printed and "the plan given:" in printed
    names = {"invest.json", "invest.csv", "invest_by_budget.csv", "invest.gpkg", "invest.html"}
    assert names == {p.name for p in out.iterdir()}
    summary = json.loads((out / "invest.json").read_text())
    for key in ("budget", "chosen", "cost", "people_within", "people_within_before", "greedy",
                "status", "equity", "evaluated", "cost_unit"):  # fmt: skip
        assert key in summary, key
    assert summary["status"] == "optimal" and summary["budget"] == 60.0
    assert set(summary["greedy"]) >= {"chosen", "people_within"}
    assert summary["evaluated"]["chosen"] == ["a01", "a02", "a03"]
    assert summary["evaluated"]["within_budget"] is True
    chosen = pd.read_csv(out / "invest.csv", dtype={"action_id": str})
    assert list(chosen.columns) == list(INVEST_COLUMNS)
    assert chosen["action_id"].tolist() == summary["chosen"]
    assert chosen["cost"].sum() == pytest.approx(summary["cost"]) and summary["cost"] <= 60
    curve = pd.read_csv(out / "invest_by_budget.csv")
    assert len(curve) == 11 and curve["people_within"].iloc[-1] == summary["people_within"]
    layers = dict(pyogrio.list_layers(out / "invest.gpkg"))
    assert set(layers) == {"actions", "primary_care"}
    actions = gpd.read_file(out / "invest.gpkg", layer="actions")
    assert len(actions) == 50 and actions["chosen"].sum() == len(summary["chosen"])
    page = (out / "invest.html").read_text(encoding="utf-8")
    assert "Mỗi bước ngân sách mang lại gì" in page and "<svg" in page
    assert "Kế hoạch đầu tư mạng lưới y tế cơ sở" in page and "tỷ đồng" in page
    # English, and the network as it is scored
    en = tmp_path / "en"
    args = [*args[:-2], "--evaluate", "none", "--lang", "en"]
    assert main([*args, "--out", str(en), "-q"]) == 0
    page = (en / "invest.html").read_text(encoding="utf-8")
    assert "What each step of the budget buys" in page and "Who is left behind" in page
    assert "the planner invents no cost" in page
    drawn = json.loads((en / "invest.json").read_text())["evaluated"]
    assert drawn["chosen"] == [] and drawn["people_within"] == summary["people_within_before"]


GOOD = "action_id,name,lat,lon,cost\na1,Trạm A,21.20,105.40,4.5\na2,Trạm B,21.15,105.35,6\n"


@pytest.mark.parametrize(
    ("text", "extra", "where"),
    [
        (GOOD.replace("21.15,105.35", "10.78,106.70"), [], "bad.csv, row 2, field lat"),
        (GOOD.replace(",6\n", ",\n"), [], "bad.csv, row 2, field cost"),
        (GOOD.replace(",6\n", ",-6\n"), [], "bad.csv, row 2, field cost"),
        (GOOD.replace(",6\n", ",sáu\n"), [], "bad.csv, row 2, field cost"),
        (GOOD.replace("a2,", "a1,"), [], "bad.csv, row 2, field action_id: action_id 'a1'"),
        (GOOD.replace(",cost\n", ",price\n"), [], "bad.csv, field cost"),
        (GOOD, ["--evaluate", "a1,a9"], "bad.csv, field evaluate"),
        (GOOD, ["--budget", "3"], "bad.csv, field budget"),
    ],
    ids=[
        "outside",
        "missing-cost",
        "negative-cost",
        "text-cost",
        "duplicate",
        "no-cost-column",
        "unknown-evaluate",
        "budget-below-every-cost",
    ],
)
def test_bad_input_names_file_row_and_field_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, extra: list[str], where: str
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    budget = ["--budget", "10"] if "--budget" not in extra else []
    code = main(["invest", "--actions", str(bad), *budget, *extra, "--scheme", "2025",
                 "--out", str(out), "-q"])  # fmt: skip
    assert code == 2
    err = " ".join(capsys.readouterr().err.split())  # the terminal wraps long messages
    assert where in err, err
    assert not out.exists()


def test_the_budget_and_ids_are_checked_in_python_too(hanoi_graph, registry_2025) -> None:
    actions = pd.DataFrame({"action_id": ["a", "b"], "name": ["A", "B"], "lat": [21.2, 21.15],
                            "lon": [105.4, 105.35], "cost": [4.0, 2.0]})  # fmt: skip
    with pytest.raises(
        PlannerInputError, match=r"below every action's cost \(the cheapest, 'b', costs 2\)"
    ):
        plan_investments(hanoi_graph, registry_2025, budget=1, actions=actions)
    with pytest.raises(PlannerInputError, match=r"budget -1\.0 is not an amount"):
        plan_investments(hanoi_graph, registry_2025, budget=-1.0, actions=actions)
    with pytest.raises(PlannerInputError, match="cost 'x'") as info:
        plan_investments(hanoi_graph, registry_2025, budget=5,
                         actions=actions.assign(cost=[1.0, "x"]))  # fmt: skip
    assert info.value.row == 2 and info.value.field == "cost"
    with pytest.raises(PlannerInputError, match="unknown action id 'c'") as info:
        plan_investments(hanoi_graph, registry_2025, budget=5, actions=actions, evaluate=["c"])
    assert info.value.field == "evaluate"


def test_an_unknown_kind_is_named(tmp_path: Path) -> None:
    from planner.app.growth.candidates import read_candidates

    bad = tmp_path / "kinds.csv"
    bad.write_text(GOOD.replace(",cost\n", ",cost,kind\n").replace(",4.5\n", ",4.5,hospital\n")
                   .replace(",6\n", ",6,trạm\n"), encoding="utf-8")  # fmt: skip
    with pytest.raises(PlannerInputError, match=r"kinds\.csv, row 1, field kind: unknown kind"):
        read_candidates(bad, costs=True)
    good = tmp_path / "kinds_ok.csv"
    good.write_text(GOOD.replace(",cost\n", ",cost,kind\n").replace(",4.5\n", ",4.5,Phòng khám\n")
                    .replace(",6\n", ",6,\n"), encoding="utf-8")  # fmt: skip
    assert read_candidates(good, costs=True)["kind"].tolist() == ["clinic", "station"]


def test_stations_are_the_equal_cost_case_with_the_original_figures(
    hanoi_graph, registry_2025
) -> None:
    """The stations' answer, now from the budget model with every cost 1 and exactly k sites,
    equals the original count model (cell by cell, sum of sites = k) solved by CBC."""
    import pulp

    from planner.app.growth.stations import plan_stations

    stations = plan_stations(hanoi_graph, registry_2025, k=10, within_min=15)
    existing = [c for c in stations.exact.sites if str(c).startswith("existing:")]
    assert len(existing) == 126
    # the original model on the same inputs: one y per cell, sum x = k
    from planner.app.growth.invest import coverage_inputs

    inputs = coverage_inputs(hanoi_graph, registry_2025, within_min=15, levels=("commune",))
    covers = (inputs.times_s <= inputs.within_s).to_numpy()
    ex = inputs.times_s.columns.isin(inputs.existing_columns)
    before = covers[:, ex].any(axis=1)
    cand = np.flatnonzero(~ex)
    rows = np.flatnonzero(~before & covers[:, cand].any(axis=1))
    people = inputs.population
    model = pulp.LpProblem("stations", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x{j}", cat="Binary") for j in range(len(cand))]
    y = {i: pulp.LpVariable(f"y{i}", 0, 1) for i in rows}
    model += pulp.lpSum(people[i] * y[i] for i in rows)
    model += pulp.lpSum(x) == 10
    for i in rows:
        model += y[i] <= pulp.lpSum(x[j] for j in np.flatnonzero(covers[i, cand]))
    model.solve(pulp.PULP_CBC_CMD(msg=False, gapRel=0))
    best = float(people[before].sum() + pulp.value(model.objective))
    assert stations.exact.population_covered == pytest.approx(best, abs=0.5)
    assert stations.exact.population_before == pytest.approx(people[before].sum())
    assert len(stations.exact.opened) == 10 and stations.exact.budget is None


def test_a_hostile_action_name_stays_text(tmp_path: Path, hanoi_graph, registry_2025) -> None:
    from planner.app.growth.invest import write_investments

    hostile = '<img src=x onerror="window.__pwned=1">'
    actions = pd.DataFrame({"action_id": ["a", "b"], "name": [hostile, "Trạm B"],
                            "lat": [21.27042, 21.2121], "lon": [105.42792, 105.91124],
                            "cost": [1.0, 1.0]})  # fmt: skip
    plan = plan_investments(hanoi_graph, registry_2025, budget=2, actions=actions, steps=2)
    write_investments(plan, tmp_path, lang="en")
    page = (tmp_path / "invest.html").read_text(encoding="utf-8")
    assert hostile not in page  # escaped in the tables, JSON text in the map's srcdoc
    assert "&lt;img src=x onerror=" in page
    csv = pd.read_csv(tmp_path / "invest.csv")
    assert set(csv["name"]) <= {hostile, "Trạm B"}  # data, exactly as given
