"""The budgeted covering model against brute force over every affordable subset, its budget
curve (by the parts' fronts and by the MILP), its greedy answer and its errors."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import planner.pairing.covering as covering
from planner.errors import PlannerInputError
from planner.pairing.covering import (
    budgeted_covering,
    covering_curve,
    evaluate_covering,
    greedy_budgeted_covering,
    greedy_covering,
    maximal_covering,
)


def _case(seed: int, cells: int = 14, sites: int = 8) -> tuple[pd.DataFrame, np.ndarray, dict]:
    rng = np.random.default_rng(seed)
    times = rng.uniform(0, 3000, size=(cells, sites))
    times[rng.random(times.shape) < 0.15] = np.nan  # some cells reach some sites by no road
    columns = [f"s{j}" for j in range(sites)]
    # decimal costs, some equal, one free now and then
    costs = {c: float(rng.choice([0.0, 1.5, 2.0, 2.0, 3.7, 5.25])) for c in columns}
    return (
        pd.DataFrame(times, columns=columns),
        rng.integers(0, 1000, size=cells).astype(float),
        costs,
    )


def _brute_force(
    times: pd.DataFrame, people: np.ndarray, costs: dict, budget: float, within_s: float,
    existing: list[str],
) -> float:  # fmt: skip
    """The most people any affordable subset of the candidates puts within the threshold."""
    covers = (times <= within_s).to_numpy()
    ex = times.columns.isin(existing)
    candidates = np.flatnonzero(~ex)
    best = -1.0
    for size in range(len(candidates) + 1):
        for subset in itertools.combinations(candidates, size):
            if sum(costs[times.columns[j]] for j in subset) > budget + 1e-9:
                continue
            open_sites = ex.copy()
            open_sites[list(subset)] = True
            best = max(best, float(people[covers[:, open_sites].any(axis=1)].sum()))
    return best


@pytest.mark.parametrize("seed", range(10))
def test_the_budget_model_equals_brute_force_over_every_affordable_subset(seed: int) -> None:
    times, people, costs = _case(seed)
    existing = ["s0"] if seed % 2 else []
    for budget in (0.0, 2.0, 4.5, 7.0, 12.0):
        exact = budgeted_covering(
            times, people, costs=costs, budget=budget, within_s=900, existing=existing
        )
        greedy = greedy_budgeted_covering(
            times, people, costs=costs, budget=budget, within_s=900, existing=existing
        )
        best = _brute_force(times, people, costs, budget, 900, existing)
        assert exact.status == "optimal"
        assert exact.population_covered == pytest.approx(best)
        assert exact.cost <= budget + 1e-9 and greedy.cost <= budget + 1e-9
        assert not set(exact.opened) & set(existing)
        assert greedy.population_covered <= exact.population_covered + 1e-9
        assert sum(greedy.gains) == pytest.approx(greedy.gain)
        # nothing bought for nobody: every opened site covers someone the others do not
        assert all(g > 0 for g in exact.gains)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("how", ["fronts", "milp"])
def test_the_curve_equals_brute_force_at_every_budget(
    seed: int, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if how == "milp":  # no part small enough to enumerate: one MILP per budget
        monkeypatch.setattr(covering, "ENUMERATED_PART", 0)
    times, people, costs = _case(seed)
    existing = ["s1"] if seed % 2 else []
    budgets = [9.0, 0.0, 1.5, 3.0, 4.5, 6.0, 30.0]  # any order
    curve = covering_curve(
        times, people, costs=costs, budgets=budgets, within_s=900, existing=existing
    )
    assert curve.solved_by == how
    assert [step.budget for step in curve.steps] == budgets
    for step in curve.steps:
        assert step.status == "optimal"
        assert step.cost <= step.budget + 1e-9
        assert step.population_covered == pytest.approx(
            _brute_force(times, people, costs, step.budget, 900, existing)
        )
        # the plan's own figure, scored independently
        scored = evaluate_covering(times, people, opened=step.opened, within_s=900,
                                   existing=existing, costs=costs)  # fmt: skip
        assert scored.population_covered == pytest.approx(step.population_covered)
    table = curve.table()
    assert table.sort_values("budget")["people_within"].is_monotonic_increasing
    assert (table["people_newly_within"] == table["people_within"] - curve.population_before).all()


def test_equal_costs_are_the_count_model() -> None:
    """Every cost 1 and a budget of k: the k-site model's people (it may open fewer, when
    more bring no one)."""
    for seed in range(5):
        times, people, _ = _case(seed)
        for k in (1, 2, 3):
            by_count = maximal_covering(times, people, k=k, within_s=900)
            by_budget = budgeted_covering(
                times, people, costs=[1.0] * times.shape[1], budget=k, within_s=900
            )
            assert by_budget.population_covered == pytest.approx(by_count.population_covered)
            assert len(by_count.opened) == k >= len(by_budget.opened)
            greedy = greedy_covering(times, people, k=k, within_s=900)
            per_cost = greedy_budgeted_covering(
                times, people, costs=[1.0] * times.shape[1], budget=k, within_s=900
            )
            # the same picks while they add people; the k-site greedy goes on with zeros
            assert greedy.opened[: len(per_cost.opened)] == per_cost.opened


def test_greedy_ranks_people_per_cost() -> None:
    # a: 100 people for 10 (10 a unit); b: 30 for 1 (30 a unit); c: 60 for 4 (15 a unit)
    times = pd.DataFrame({"a": [0, 0, 99], "b": [99, 99, 0], "c": [0, 99, 99]})
    people = [60.0, 40.0, 30.0]
    greedy = greedy_budgeted_covering(times, people, costs=[10, 1, 4], budget=11, within_s=5)
    assert greedy.opened == ("b", "c") and greedy.gains == (30.0, 60.0)
    exact = budgeted_covering(times, people, costs=[10, 1, 4], budget=11, within_s=5)
    assert set(exact.opened) == {"a", "b"} and exact.population_covered == 130.0
    # a free site that adds people comes first; one that adds no one is never bought
    free = greedy_budgeted_covering(times, people, costs=[10, 0, 4], budget=0, within_s=5)
    assert free.opened == ("b",) and free.cost == 0.0
    idle = pd.DataFrame({"a": [0, 99], "b": [0, 99]})
    plan = budgeted_covering(idle, [5.0, 5.0], costs=[1, 1], budget=2, within_s=5)
    assert len(plan.opened) == 1 and plan.population_covered == 5.0


def test_a_budget_below_every_cost_opens_nothing() -> None:
    times, people, costs = _case(3)
    costs = {c: v + 1.0 for c, v in costs.items()}
    plan = budgeted_covering(times, people, costs=costs, budget=0.5, within_s=900)
    assert plan.opened == () and plan.gain == 0.0 and plan.cost == 0.0


def test_budget_errors_say_what_is_wrong() -> None:
    times = pd.DataFrame({"a": [0.0], "b": [5.0]})  # the count model's errors: test_stations
    with pytest.raises(PlannerInputError, match="the cost of 'b' is -1") as info:
        budgeted_covering(times, [1], costs=[0, -1], budget=3, within_s=10)
    assert info.value.field == "costs"
    with pytest.raises(PlannerInputError, match="candidate 'b' has no cost"):
        budgeted_covering(times, [1], costs={"a": 1}, budget=3, within_s=10)
    with pytest.raises(PlannerInputError, match="budget -2 is not an amount") as info:
        covering_curve(times, [1], costs=[1, 1], budgets=[1, -2], within_s=10)
    assert info.value.field == "budget"
    with pytest.raises(PlannerInputError, match="site 'a' is already open"):
        evaluate_covering(times, [1], opened=["a"], within_s=10, existing=["a"])
    with pytest.raises(PlannerInputError, match="site 'q' is not a candidate"):
        evaluate_covering(times, [1], opened=["q"], within_s=10)
