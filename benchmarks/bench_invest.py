"""Investment plans: ``planner invest`` against ``planner stations --open 10`` on the same input,
and the 10-step budget curve against one solve, same process.

The 2025 registry, motorbike at 10:00, 15 minutes, the 50 illustrative actions of
``tests/data/invest_actions.csv`` (the stations command reads the same file as its candidates)
and a budget of 60 (the plan opens about 10 of them). The commands are timed end to end, warm
(matrices cached), median of 3 interleaved runs: ``planner invest`` also counts the centres as
open, solves the greedy answer, the 10-step curve and the equity figures before and after, and
writes the GeoPackage and the report with its map; goal (issue 32): invest <= 3x stations.

The curve: from the same times matrix, :func:`planner.pairing.covering.budgeted_covering` at the
budget (one exact MILP solve, from the matrix: the checks, the coverage, the merging of the
cells, HiGHS) against :func:`planner.pairing.covering.covering_curve` at the 11 budgets 0, 6,
..., 60; median of 7 interleaved runs. Goal: curve <= 2x one solve. The curve solves every
budget from its independent parts' exact fronts when no part has more than 16 actions (here);
the same curve with one MILP per budget (the fallback for larger parts, forced) is timed too.
Writes ``_results/invest.md``.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

import planner.pairing.covering as covering
from planner.app.growth.invest import plan_investments
from planner.pairing.covering import budgeted_covering, covering_curve

HERE = Path(__file__).resolve().parent
ACTIONS = HERE.parent / "tests" / "data" / "invest_actions.csv"
BUDGET = 60.0
STEPS = 10
RUNS = 7
GOAL_COMMAND, GOAL_CURVE = 3.0, 2.0


def _commands() -> tuple[float, float, int]:
    """Median wall time of ``planner stations`` and ``planner invest`` (warm, interleaved)."""
    with tempfile.TemporaryDirectory() as out:
        base = [sys.executable, "-m", "planner"]
        shared = ["--scheme", "2025", "--within", "15", "-q"]
        stations = [*base, "stations", "--candidates", str(ACTIONS), "--open", "10", *shared,
                    "--out", f"{out}/stations"]  # fmt: skip
        invest = [*base, "invest", "--actions", str(ACTIONS), "--budget", str(BUDGET), *shared,
                  "--cost-unit", "tỷ đồng", "--out", f"{out}/invest"]  # fmt: skip
        for command in (stations, invest):  # warm: matrices and registers cached
            subprocess.run(command, check=True, capture_output=True)
        times: dict[int, list[float]] = {0: [], 1: []}
        for _ in range(3):
            for which, command in enumerate((stations, invest)):
                started = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True)
                times[which].append(time.perf_counter() - started)
        chosen = len(json.loads(Path(f"{out}/invest/invest.json").read_text())["chosen"])
    return statistics.median(times[0]), statistics.median(times[1]), chosen


def main() -> int:
    warnings.simplefilter("ignore")
    plan = plan_investments(budget=BUDGET, actions=ACTIONS, scheme="2025", steps=STEPS)
    inputs = plan.inputs
    costs = dict(zip(plan.actions["action_id"], plan.actions["cost"], strict=True))
    common = {
        "costs": costs,
        "within_s": inputs.within_s,
        "existing": inputs.existing_columns,
    }
    times, people = inputs.times_s, inputs.population
    budgets = list(np.linspace(0.0, BUDGET, STEPS + 1))

    def one():
        return budgeted_covering(times, people, budget=BUDGET, **common)

    def curve():
        return covering_curve(times, people, budgets=budgets, **common)

    one(), curve()
    one_s, curve_s = [], []
    for _ in range(RUNS):  # interleaved, so a busy moment hits both
        started = time.perf_counter()
        single = one()
        one_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        steps = curve()
        curve_s.append(time.perf_counter() - started)
    o, c = statistics.median(one_s), statistics.median(curve_s)
    assert steps.steps[-1].population_covered == single.population_covered
    limit = covering.ENUMERATED_PART
    covering.ENUMERATED_PART = 0  # every budget by the MILP
    milp_s = []
    try:
        for _ in range(3):
            started = time.perf_counter()
            by_milp = curve()
            milp_s.append(time.perf_counter() - started)
    finally:
        covering.ENUMERATED_PART = limit
    m = statistics.median(milp_s)
    assert [s.population_covered for s in by_milp.steps] == [
        s.population_covered for s in steps.steps
    ]
    cli_stations, cli_invest, chosen = _commands()
    cli_ratio = cli_invest / cli_stations
    ratio = c / o
    text = "\n".join(
        [
            "## Investment plans (budgeted covering, the budget curve)",
            "",
            "2025 registry, motorbike at 10:00, 15 minutes, the 50 illustrative actions of "
            "`tests/data/invest_actions.csv`, budget 60 (the plan opens "
            f"{chosen} actions); 6,409 populated cells, 156 stations and centres open. Goals "
            f"(issue 32): `planner invest` <= {GOAL_COMMAND:g}x `planner stations --open 10` on "
            f"the same input, warm; the {STEPS}-step budget curve <= {GOAL_CURVE:g}x one solve.",
            "",
            "| call | time |",
            "|---|---|",
            f"| one exact solve at the budget (`budgeted_covering`, from the matrix) | {o * 1000:.1f} ms |",
            f"| the {STEPS}-step curve, 11 budgets (`covering_curve`: the parts' exact fronts) | "
            f"{c * 1000:.1f} ms |",
            f"| the same curve, one MILP per budget (forced: the path for parts over 16 actions) | "
            f"{m * 1000:.1f} ms |",
            f"| `planner stations --candidates ACTIONS --open 10` (whole command, warm) | "
            f"{cli_stations:.2f} s |",
            f"| `planner invest --actions ACTIONS --budget 60` (whole command, warm) | "
            f"{cli_invest:.2f} s |",
            "",
            f"Curve / one solve: **{ratio:.2f}x** ({'meets' if ratio <= GOAL_CURVE else 'misses'} "
            f"the {GOAL_CURVE:g}x goal; one MILP per budget would be {m / o:.1f}x). "
            f"`planner invest` / `planner stations`: **{cli_ratio:.2f}x** "
            f"({'meets' if cli_ratio <= GOAL_COMMAND else 'misses'} the {GOAL_COMMAND:g}x goal; "
            "invest also times the cells to the 30 centres, solves the greedy answer, the curve "
            "and the equity figures, and writes `invest.gpkg` and `invest.html` with its map). "
            f"Medians of {RUNS} (model) and 3 (commands) interleaved runs.",
        ]
    )
    out = HERE / "_results"
    out.mkdir(exist_ok=True)
    (out / "invest.md").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
