"""The planning session keeps roads, facilities and matrices; the Jupyter explorer re-plans on it."""

from __future__ import annotations

import html

import pytest

import planner.app.interactive.session
import planner.app.pipeline.documents
import planner.app.pipeline.inputs
import planner.app.pipeline.planning
import planner.travel.matrix
from planner.app.interactive.explorer import explore
from planner.app.interactive.session import Session
from planner.app.pipeline.planning import PlanOptions, plan
from planner.errors import PlannerInputError


@pytest.fixture
def counted(monkeypatch, hanoi_graph):
    """Count every road load, facility load and matrix computation; the pipeline's own matrix
    step must never run under a session."""
    calls = {"roads": 0, "facilities": 0, "matrices": 0}
    facilities_for = planner.app.interactive.session.facilities_for
    pair_travel_times = planner.travel.matrix.pair_travel_times
    population_access = planner.app.interactive.session.population_access

    def roads(source=None):
        calls["roads"] += 1
        return hanoi_graph

    def facilities(*args, **kwargs):
        calls["facilities"] += 1
        return facilities_for(*args, **kwargs)

    def matrices(*args, **kwargs):
        calls["matrices"] += 1
        return pair_travel_times(*args, **kwargs)

    def cells(*args, **kwargs):
        calls["cells"] = calls.get("cells", 0) + 1
        return population_access(*args, **kwargs)

    def never(*args, **kwargs):
        raise AssertionError("the session's matrices were not used")

    monkeypatch.setattr(planner.app.interactive.session, "road_network", roads)
    monkeypatch.setattr(planner.app.interactive.session, "facilities_for", facilities)
    monkeypatch.setattr(planner.app.interactive.session, "population_access", cells)
    monkeypatch.setattr(planner.travel.matrix, "pair_travel_times", matrices)
    monkeypatch.setattr(planner.app.pipeline.planning, "pairing_matrices", never)
    monkeypatch.setattr(planner.app.pipeline.inputs, "road_network", never)
    monkeypatch.setattr(planner.app.pipeline.planning, "population_access", never)
    return calls


def test_a_new_balance_reloads_and_recomputes_nothing(counted, monkeypatch):
    session = Session()
    first = session.plan(PlanOptions(scheme="2024"))
    # 10:00 and 08:00; the population cells timed once
    assert counted == {"roads": 1, "facilities": 1, "matrices": 2, "cells": 1}
    second = session.plan(first.options, balance=0.05)
    # nothing loaded or timed again
    assert counted == {"roads": 1, "facilities": 1, "matrices": 2, "cells": 1}
    assert second.access.cells["population"].sum() == first.access.cells["population"].sum()
    assert second.graph is first.graph and second.facilities is first.facilities
    assert second.matrix is first.matrix and second.matrix_peak is first.matrix_peak
    assert second.options.balance == 0.05 and first.options.balance == 0.2
    assert second.scores.overall["load_ratio_max_min"] <= 1.05 / 0.95 + 1e-9
    assert first.scores.overall["load_ratio_max_min"] > 1.05 / 0.95
    assert session.last_plan_s > 0
    # a new departure computes one matrix, the comparison one is kept
    evening = session.plan(second.options, depart="17:30")
    assert counted == {"roads": 1, "facilities": 1, "matrices": 3, "cells": 2}
    assert evening.matrix_peak is first.matrix_peak
    assert ("2024", "car", "17:30", "both") in session.matrix_keys()
    session.plan(evening.options, depart="17h30", objective="max-time")  # the same time
    assert counted["matrices"] == 3
    # ... and it is exactly what planning from scratch gives
    monkeypatch.undo()
    fresh = plan(second.options, graph=second.graph)
    assert fresh.proposal.pairings["hospital_id"].tolist() == (
        second.proposal.pairings["hospital_id"].tolist()
    )
    key = "pop_weighted_mean_travel_time_s"
    assert fresh.scores.overall[key] == pytest.approx(second.scores.overall[key], rel=1e-12)
    # the kept cells give the same figures
    assert planner.app.pipeline.documents.cells_document(
        fresh
    ) == planner.app.pipeline.documents.cells_document(second)


def test_explorer_replans_when_a_widget_changes(counted):
    explorer = explore(Session(), lang="en")
    first = explorer.run
    assert first is not None and explorer.error is None
    assert 'id="planner-whatif-data"' in html.unescape(explorer.map.value)  # with its what-if
    assert "optimal" in explorer.status.value
    # as a user moving the slider: the widget's new value re-plans at once
    explorer.controls["balance"].value = 0.05
    assert explorer.run is not first and explorer.previous is first
    assert explorer.run.options.balance == 0.05
    assert (
        explorer.run.scores.overall["load_ratio_max_min"]
        < (first.scores.overall["load_ratio_max_min"])
    )
    assert "previous plan" in explorer.scores.value
    assert counted == {"roads": 1, "facilities": 1, "matrices": 2, "cells": 1}
    # the answer reaches the page before the map: figures and verdict first, the map after
    shown: list[str] = []
    for name in ("scores", "status", "map"):
        getattr(explorer, name).observe(lambda _, name=name: shown.append(name), names="value")
    explorer.controls["balance"].value = 0.1
    assert shown == ["scores", "status", "map", "status"]
    assert 0 < explorer.timings["answer_s"] < explorer.timings["map_s"]
    assert "map drawn" in explorer.status.value
    # a pin from code: Hoàn Kiếm's district (with its communes) to Xanh Pon
    run = explorer.set(pins={"hn-dist-002": "hn-reg-xanhpon"}, pilot=False)
    paired = run.proposal.pairings.set_index("unit_id")["hospital_id"]
    hoan_kiem = run.proposal.pairings.loc[run.proposal.pairings["district"] == "Quận Hoàn Kiếm"]
    assert set(paired[hoan_kiem["unit_id"]]) == {"hn-reg-xanhpon"}
    assert "Hoàn Kiếm" in explorer.controls["pins"].options[0][0]
    assert run.options.pilot is False and run.pilot is None
    with pytest.raises(PlannerInputError, match="colour"):
        explorer.set(colour="red")
    with pytest.raises(PlannerInputError, match="half-hour"):
        explorer.set(depart="07:45")


def test_a_replan_leaves_the_demand_comparison_until_an_output_reads_it(monkeypatch):
    compared = []
    demand_comparison = planner.app.pipeline.planning.demand_comparison

    def counting(*args, **kwargs):
        compared.append(1)
        return demand_comparison(*args, **kwargs)

    monkeypatch.setattr(planner.app.pipeline.planning, "demand_comparison", counting)
    session = Session()
    first = session.plan(PlanOptions(scheme="2025"))
    second = session.plan(first.options, balance=0.1)
    assert compared == []  # the slider's re-plans solve no comparison proposal
    document = planner.app.pipeline.documents.scores_document(second)  # scores.json needs it: once
    assert compared == [1] and document["cells"]["demand"] is second.demand_comparison
    assert second.demand_alternative is not None and compared == [1]
    assert second.demand_comparison["other"] == "cells"
    assert second.demand_comparison["units"] == 156
    assert second.coverage is second.coverage is not None
    # what it says is what a plan that computes it at once says
    monkeypatch.undo()
    fresh = plan(second.options, graph=second.graph)
    assert fresh.demand_comparison == second.demand_comparison
