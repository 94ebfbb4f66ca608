"""Where the next years' money goes: the ``planner invest`` workflow, and the people, open
facilities and times every covering job shares.

The people are the population cells (:func:`planner.access.cells.default_grid`: the census
spread over the WorldPop raster for the Hanoi registry), each piece a point with its people and
its unit. The facilities already open are the facilities' units of the levels asked for: for an
investment plan the primary-care network, the commune-level units (stations) and the
district-level units (centres); for ``planner stations`` the stations alone. The candidates are
costed actions (build or upgrade a site: ``action_id, name, lat, lon, cost``, optional ``kind``,
read by :func:`planner.app.growth.candidates.read_candidates`) or, without a file, the centres of
the populated raster cells with the most people beyond the threshold of every open facility
(each costing 1: the budget is then a number of sites). :func:`coverage_inputs` times the cells
to both (one :func:`planner.travel.matrix.travel_time_matrix` per side, the people's trip to the
facility).

:func:`plan_investments` then chooses, within the budget, the actions that bring the most people
within the threshold (:func:`planner.pairing.covering.budgeted_covering`, exact), gives the greedy
answer beside it (people per cost), the optimal plan at every budget step from 0 to the budget
(:func:`planner.pairing.covering.covering_curve`), scores a plan drawn by hand with the same
figures (``evaluate``), and says who is left behind before and after
(:mod:`planner.access.equity` of each cell's time to its nearest primary-care facility, the
threshold as ``T``). The planner invents no cost: the costs are the user's, in the user's unit.

:func:`write_investments` writes ``invest.json``, ``invest.csv`` (the chosen actions),
``invest_by_budget.csv`` (the curve), ``invest.gpkg`` (the actions and the open facilities) and
``invest.html`` (the report, with the curve as a chart and the map of the actions), nothing
until every figure is computed.
"""

from __future__ import annotations

import difflib
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planner._json import json_safe
from planner.access.cells import DEFAULT_CELL_SNAP_M, default_grid
from planner.access.equity import equity_by_kind, unit_kinds
from planner.app.growth.candidates import read_candidates
from planner.errors import PlannerInputError
from planner.io.atomic import write_json
from planner.io.spreadsheet import write_csv
from planner.pairing.covering import (
    CoveringCurve,
    CoveringResult,
    budgeted_covering,
    covering_curve,
    evaluate_covering,
    greedy_budgeted_covering,
)
from planner.places.population import PopulationGrid
from planner.requests import STATION_TRIP, TripRule
from planner.roads.graph import TravelGraph
from planner.travel.matrix import travel_time_matrix

log = logging.getLogger(__name__)

#: The open primary-care network an investment plan starts from: stations and centres.
PRIMARY_CARE_LEVELS = ("commune", "district")
#: The default threshold, minutes from home to a primary-care facility.
DEFAULT_WITHIN_MIN = 15.0
#: The budget curve's steps: the budget split into this many equal steps, from 0.
DEFAULT_STEPS = 10
#: Without a candidate file: this many populated raster cells, those with the most people
#: beyond the threshold of every open facility, are the candidates (their centres).
DEFAULT_MAX_CANDIDATES = 200
#: Columns of ``invest.csv`` (:meth:`InvestmentPlan.table`): the chosen actions.
INVEST_COLUMNS = (
    "action_id",
    "name",
    "kind",
    "lat",
    "lon",
    "cost",
    "people_newly_within",
    "people_only_it",
)
#: Columns of ``invest_by_budget.csv`` (:meth:`InvestmentPlan.curve_table`).
CURVE_COLUMNS = ("budget", "cost", "people_within", "people_newly_within", "chosen", "status")
#: Columns of every action (:meth:`InvestmentPlan.actions_table`: the map and GeoPackage).
ACTION_COLUMNS = (
    *INVEST_COLUMNS[:6],
    "chosen",
    "greedy_order",
    "evaluated",
    "people_newly_within",
    "people_only_it",
)


@dataclass(frozen=True, eq=False)
class CoverageInputs:
    """The people, the facilities already open, the candidates and the times between them.

    Attributes
    ----------
    cells
        The populated cell pieces: ``cell_id``, ``unit_id``, ``lat``, ``lon``, ``population``.
    existing
        The facilities already open: ``facility_id``, ``name``, ``lat``, ``lon``, ``level``.
    sites
        The candidates: ``facility_id`` (their label), ``name``, ``lat``, ``lon`` and what the
        candidate table had besides (``cost``, ``kind``).
    times_s
        Cell -> facility times (s, NaN where there is no way): one row per cell, the existing
        facilities' columns (``existing:<facility_id>``) then the candidates' (their labels).
    within_s
        The threshold (s).
    trip
        How people reach a facility (its mode and departure time).
    candidate_rule
        Where the candidates came from, in words.
    attribution
        The population data's credit line.

    Examples
    --------
    >>> inputs = coverage_inputs(scheme="2025", max_candidates=3, within_min=15)
    >>> inputs.times_s.shape == (len(inputs.cells), len(inputs.existing) + 3)
    True
    """

    cells: pd.DataFrame
    existing: pd.DataFrame
    sites: pd.DataFrame
    times_s: pd.DataFrame
    within_s: float
    trip: TripRule
    candidate_rule: str
    attribution: str

    @property
    def existing_columns(self) -> list[str]:
        """The columns of :attr:`times_s` that are facilities already open."""
        return list(self.times_s.columns[: len(self.existing)])

    @property
    def population(self) -> np.ndarray:
        """Each cell's people."""
        return self.cells["population"].to_numpy(float)

    def nearest_time_s(self, opened: Sequence[str] = ()) -> np.ndarray:
        """Each cell's time to its nearest open facility (existing, and ``opened`` candidates);
        NaN where none is reached."""
        columns = [*self.existing_columns, *map(str, opened)]
        values = self.times_s[columns].to_numpy(float)
        out = np.full(len(values), np.nan)
        if values.shape[1]:
            reached = np.isfinite(values).any(axis=1)
            out[reached] = np.nanmin(values[reached], axis=1)
        return out


def coverage_inputs(
    graph: TravelGraph | None = None,
    facilities: pd.DataFrame | None = None,
    *,
    within_min: float,
    levels: Sequence[str] = PRIMARY_CARE_LEVELS,
    candidates: pd.DataFrame | None = None,
    scheme: str | None = None,
    trip: TripRule | None = None,
    grid: PopulationGrid | None = None,
    max_candidates: int = DEFAULT_MAX_CANDIDATES,
) -> CoverageInputs:
    """The people, the open facilities, the candidates and the times of a covering job.

    Parameters
    ----------
    graph
        The road graph (default the Hanoi network).
    facilities
        The facilities (default the Hanoi registry of ``scheme``): their units of ``levels``
        are open already, and their units own the population cells.
    within_min
        The threshold, minutes from the cell to the facility.
    levels
        The levels of the facilities counted as open (``("commune",)``: the stations).
    candidates
        The candidate sites: ``facility_id`` (their label), ``name``, ``lat``, ``lon`` and any
        other columns, kept; ``None``: the centres of the populated raster cells with the most
        people beyond the threshold of every open facility, at most ``max_candidates``.
    scheme
        Scheme of the Hanoi registry when ``facilities`` is ``None`` (default 2024).
    trip
        How people reach a facility; ``None``: :data:`planner.requests.STATION_TRIP` (by
        motorbike, at the default hour).
    grid
        The population grid (default :func:`planner.access.cells.default_grid`).
    max_candidates
        The limit on candidates taken from the cells.

    Returns
    -------
    CoverageInputs

    Raises
    ------
    PlannerInputError
        A negative threshold, a candidate id given twice, or no populated cell beyond the
        threshold (without candidates).

    Examples
    --------
    >>> inputs = coverage_inputs(scheme="2025", within_min=15, levels=("commune",),
    ...                          max_candidates=5)
    >>> len(inputs.existing), len(inputs.sites), inputs.trip.mode
    (126, 5, 'motorbike')
    """
    from planner.app.pipeline.inputs import facilities_for, road_network

    graph = graph if graph is not None else road_network()
    fac = facilities if facilities is not None else facilities_for(scheme or "2024")
    if within_min < 0:
        raise PlannerInputError(
            f"{within_min:g} minutes is not a threshold", field="within", hint="use 0 or more"
        )
    within_s = float(within_min) * 60.0
    grid = grid if grid is not None else default_grid(fac, graph=graph)
    pieces = grid.cells[grid.cells["population"] > 0].reset_index(drop=True)
    cells = pd.DataFrame(pieces[["cell_id", "unit_id", "lat", "lon", "population"]])
    existing = pd.DataFrame(
        fac.loc[fac["level"].isin(list(levels)), ["facility_id", "name", "lat", "lon", "level"]]
    )
    existing = existing.assign(facility_id=existing["facility_id"].astype(str)).reset_index(
        drop=True
    )
    if existing.empty:
        log.info("no unit of levels %s among the facilities: none counted open", list(levels))
    trip = trip or STATION_TRIP
    options = {"mode": trip.mode, "depart": trip.depart}
    before_s = _times(graph, cells, existing, **options)
    if candidates is None:
        covered = np.asarray((before_s <= within_s).any(axis=1)).ravel()
        candidates = _cell_candidates(pieces, covered, max_candidates)
        opened = "existing station" if set(levels) == {"commune"} else "open station or centre"
        rule = (
            f"the centres of the {len(candidates)} populated raster cells with the most people "
            f"beyond {within_min:g} min of every {opened} (at most {max_candidates})"
        )
    else:
        rule = "given"
    sites = _checked(candidates)
    times = np.hstack([before_s, _times(graph, cells, sites, **options)])
    # the open facilities apart from the candidates, whatever the ids: a candidate may reuse one
    columns = [*("existing:" + existing["facility_id"]), *sites["facility_id"]]
    return CoverageInputs(
        cells=cells,
        existing=existing,
        sites=sites,
        times_s=pd.DataFrame(times, columns=columns),
        within_s=within_s,
        trip=trip,
        candidate_rule=rule,
        attribution=grid.attribution,
    )


@dataclass(frozen=True, eq=False)
class InvestmentPlan:
    """The actions, the budget, the plans and who is left behind before and after.

    Attributes
    ----------
    inputs
        The people, the open primary-care facilities, the actions and the times
        (:class:`CoverageInputs`; the actions are its ``sites``).
    actions
        ``action_id``, ``name``, ``kind``, ``lat``, ``lon``, ``cost``, one row per action.
    budget
        What the chosen actions may cost together.
    cost_unit
        The unit of the costs and the budget, as given (e.g. ``"tỷ đồng"``); ``"sites"`` when
        the candidates are the cells' centres (each costing 1).
    exact, greedy
        The exact plan (:func:`~planner.pairing.covering.budgeted_covering`) and the greedy
        one (people per cost).
    curve
        The optimal plan at each budget step (:func:`~planner.pairing.covering.covering_curve`).
    evaluated
        A plan drawn by hand, scored with the same figures; ``None`` when none was given.
    equity
        Who is left behind: :func:`planner.access.equity.equity_by_kind` of each cell's time
        to its nearest primary-care facility, ``before`` and ``after`` the exact plan (and
        ``greedy``, ``evaluated``), the threshold as ``T``.
    facilities
        The facility table (the units' names and kinds).

    Examples
    --------
    >>> plan = plan_investments(budget=2, scheme="2025", max_candidates=5, steps=2)
    >>> plan.cost_unit, len(plan.exact.opened) <= 2, plan.curve_table()["budget"].tolist()
    ('sites', True, [0.0, 1.0, 2.0])
    """

    inputs: CoverageInputs
    actions: pd.DataFrame
    budget: float
    cost_unit: str
    exact: CoveringResult
    greedy: CoveringResult
    curve: CoveringCurve
    evaluated: CoveringResult | None
    equity: dict[str, Any]
    facilities: pd.DataFrame

    @property
    def within_s(self) -> float:
        """The threshold (s)."""
        return self.inputs.within_s

    def table(self) -> pd.DataFrame:
        """The ``invest.csv`` table: the chosen actions, :data:`INVEST_COLUMNS`.

        ``people_newly_within`` is the people the action alone would bring within the
        threshold (besides the open facilities); ``people_only_it`` those only it brings among
        the plan's actions (the plan loses them without it).
        """
        table = self.actions_table()
        return pd.DataFrame(table[table["chosen"]][list(INVEST_COLUMNS)]).reset_index(drop=True)

    def actions_table(self) -> pd.DataFrame:
        """Every action with what the plans do with it: :data:`ACTION_COLUMNS`, file order.

        ``chosen`` (the exact plan), ``greedy_order`` (the greedy pick, 1 first; empty when not
        picked), ``evaluated`` (in the plan drawn by hand).
        """
        ids = self.actions["action_id"].astype(str)
        only = dict(zip(self.exact.opened, self.exact.gains, strict=True))
        order = {site: i + 1 for i, site in enumerate(self.greedy.opened)}
        drawn = set(self.evaluated.opened) if self.evaluated is not None else set()
        return pd.DataFrame(
            {
                "action_id": ids.to_numpy(),
                "name": self.actions["name"].astype(str).to_numpy(),
                "kind": self.actions["kind"].astype(object).to_numpy(),
                "lat": self.actions["lat"].astype(float).to_numpy(),
                "lon": self.actions["lon"].astype(float).to_numpy(),
                "cost": self.actions["cost"].astype(float).to_numpy(),
                "chosen": ids.isin(self.exact.opened).to_numpy(),
                "greedy_order": ids.map(order).astype("Int64").array,
                "evaluated": ids.isin(drawn).to_numpy(),
                "people_newly_within": self.exact.alone.reindex(ids).to_numpy(dtype=float),
                "people_only_it": ids.map(only).to_numpy(dtype=float),
            }
        )

    def curve_table(self) -> pd.DataFrame:
        """The ``invest_by_budget.csv`` table: the optimal plan at each budget step,
        :data:`CURVE_COLUMNS` (``chosen``: the action ids joined by ``;``).

        The last step is the plan itself (:attr:`exact`): among plans that bring as many
        people within the threshold, the one chosen.
        """
        table = self.curve.table()
        last = table.index[table["budget"] == self.budget]
        if len(last) and table.loc[last[-1], "people_within"] == self.exact.population_covered:
            table.loc[last[-1], "chosen"] = ";".join(map(str, self.exact.opened))
            table.loc[last[-1], "cost"] = self.exact.cost
        return table[list(CURVE_COLUMNS)]

    def existing_table(self) -> pd.DataFrame:
        """The open primary-care facilities: ``facility_id``, ``name``, ``level``, ``lat``,
        ``lon``."""
        return self.inputs.existing[["facility_id", "name", "level", "lat", "lon"]].copy()

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary (``invest.json``): the question, the plans, who is left behind."""

        def plan(result: CoveringResult) -> dict[str, Any]:
            return {
                "chosen": [str(s) for s in result.opened],
                "cost": result.cost,
                "people_within": result.population_covered,
                "people_newly_within": result.gain,
            }

        levels = self.inputs.existing["level"].value_counts()
        doc: dict[str, Any] = {
            "budget": self.budget,
            "cost_unit": self.cost_unit,
            "within_min": self.within_s / 60.0,
            "mode": self.inputs.trip.mode,
            "depart": self.inputs.trip.depart,
            "status": self.exact.status,
            **plan(self.exact),
            "people_within_before": self.exact.population_before,
            "population": self.exact.population_total,
            "greedy": plan(self.greedy),
            "evaluated": None
            if self.evaluated is None
            else {**plan(self.evaluated), "within_budget": self.evaluated.cost <= self.budget},
            "curve": {
                "steps": len(self.curve.steps) - 1,
                "solved_by": self.curve.solved_by,
            },
            "actions": len(self.actions),
            "candidate_rule": self.inputs.candidate_rule,
            "open_facilities": {
                "stations": int(levels.get("commune", 0)),
                "centres": int(levels.get("district", 0)),
            },
            "cells": len(self.inputs.cells),
            "equity": self.equity,
            "attribution": self.inputs.attribution,
        }
        return json_safe(doc)


def plan_investments(
    graph: TravelGraph | None = None,
    facilities: pd.DataFrame | None = None,
    *,
    budget: float,
    actions: pd.DataFrame | str | os.PathLike[str] | None = None,
    within_min: float = DEFAULT_WITHIN_MIN,
    cost_unit: str | None = None,
    evaluate: Sequence[str] | None = None,
    steps: int = DEFAULT_STEPS,
    scheme: str | None = None,
    trip: TripRule | None = None,
    grid: PopulationGrid | None = None,
    max_candidates: int = DEFAULT_MAX_CANDIDATES,
    thousands: str | None = None,
    time_limit_s: float = 60.0,
) -> InvestmentPlan:
    """Choose the actions, within a budget, that put the most people within reach of care.

    The people are the population cells; the primary-care facilities already open are the
    facilities' stations and centres (commune- and district-level units); an action is a
    site built or upgraded, with its cost. The exact plan is a budgeted maximal covering MILP
    (:func:`planner.pairing.covering.budgeted_covering`); the greedy one (people per cost),
    the optimal plan at every budget step and, when given, a plan drawn by hand are scored
    with the same figures; who is left behind is said before and after.

    Parameters
    ----------
    graph
        The road graph (default the Hanoi network).
    facilities
        The facilities (default the Hanoi registry of ``scheme``).
    budget
        What the chosen actions may cost together, in the costs' unit (0 or more; not below
        every action's cost).
    actions
        The actions: a file (``action_id``, ``name``, ``lat``, ``lon``, ``cost``, optional
        ``kind``: :func:`planner.app.growth.candidates.read_candidates`) or a table with those
        columns; ``None``: the centres of the populated cells with the most people beyond the
        threshold of every open facility, each costing 1 (the budget is a number of sites).
    within_min
        The threshold, minutes from home to a primary-care facility (and ``T`` of the FGT
        indices).
    cost_unit
        The unit of the costs, a label only (e.g. ``"tỷ đồng"``); the planner invents no cost.
    evaluate
        A plan drawn by hand: action ids (``[]`` scores the network as it is); ``None``: none.
    steps
        The budget curve's steps (the budget split into equal steps, from 0).
    scheme
        Scheme of the Hanoi registry when ``facilities`` is ``None`` (default 2024).
    trip
        How people reach a facility (mode, departure time); ``None``:
        :data:`planner.requests.STATION_TRIP`.
    grid
        The population grid (default :func:`planner.access.cells.default_grid`).
    max_candidates
        Without actions: the limit on candidates taken from the cells.
    thousands
        Thousands separator of the action file's costs (``","``, ``"."`` or ``"space"``).
    time_limit_s
        Time allowed to each solve.

    Returns
    -------
    InvestmentPlan

    Raises
    ------
    PlannerInputError
        A bad action file (its row and field), a budget below every action's cost or not an
        amount, an unknown id in ``evaluate``, a steps count below 1.

    Examples
    --------
    Two more sites, among the 5 most promising cells of the 2025 scheme, 15 minutes by
    motorbike from a station or centre:

    >>> plan = plan_investments(budget=2, scheme="2025", max_candidates=5)
    >>> plan.exact.status, plan.exact.gain >= plan.greedy.gain >= 0
    ('optimal', True)
    >>> after, before = plan.equity["after"]["fgt0"], plan.equity["before"]["fgt0"]
    >>> after <= before
    True
    """
    from planner.app.pipeline.inputs import facilities_for, road_network, study_area

    graph = graph if graph is not None else road_network()
    fac = facilities if facilities is not None else facilities_for(scheme or "2024")
    if int(steps) != steps or steps < 1:
        raise PlannerInputError(
            f"{steps!r} budget steps", field="steps", hint="give 1 or more steps (default 10)"
        )
    table: pd.DataFrame | None
    if isinstance(actions, str | os.PathLike):
        table = read_candidates(actions, area=study_area(graph), thousands=thousands, costs=True)
        source: str | os.PathLike[str] | None = actions
    elif actions is not None:
        table = _action_table(pd.DataFrame(actions))
        source = None
    else:
        table, source = None, None
    budget = _checked_budget(budget, table, source)
    unit = cost_unit if cost_unit else ("sites" if table is None else "")
    inputs = coverage_inputs(
        graph, fac, within_min=within_min, levels=PRIMARY_CARE_LEVELS,
        candidates=None if table is None else table.rename(columns={"action_id": "facility_id"}),
        trip=trip, grid=grid, max_candidates=max_candidates,
    )  # fmt: skip
    if table is None:  # the cells' centres: a site each, costing 1
        table = inputs.sites.rename(columns={"facility_id": "action_id"}).assign(
            kind="station", cost=1.0
        )
        budget = _checked_budget(budget, table, None)
    chosen_ids = _checked_evaluate(evaluate, table, source)
    costs = dict(zip(table["action_id"].astype(str), table["cost"].astype(float), strict=True))
    common: dict[str, Any] = {
        "costs": costs,
        "within_s": inputs.within_s,
        "existing": inputs.existing_columns,
    }
    times, people = inputs.times_s, inputs.population
    exact = budgeted_covering(times, people, budget=budget, time_limit_s=time_limit_s, **common)
    greedy = greedy_budgeted_covering(times, people, budget=budget, **common)
    whole = budget.is_integer() and all(float(c).is_integer() for c in costs.values())
    if whole and 0 < budget < steps:  # whole costs: a step of less than 1 buys nothing new
        steps = int(budget)
    budgets = list(np.linspace(0.0, budget, int(steps) + 1))
    curve = covering_curve(times, people, budgets=budgets, time_limit_s=time_limit_s, **common)
    evaluated = None
    if chosen_ids is not None:
        evaluated = evaluate_covering(times, people, opened=chosen_ids, budget=budget, **common)
    equity = _equity(inputs, fac, exact=exact, greedy=greedy, evaluated=evaluated)
    log.info(
        "invest: %d actions, budget %g %s; within %g min: %s people before, %s after the exact "
        "plan (%d actions, cost %g), %s after the greedy one", len(table), budget, unit,
        within_min, f"{exact.population_before:,.0f}", f"{exact.population_covered:,.0f}",
        len(exact.opened), exact.cost, f"{greedy.population_covered:,.0f}",
    )  # fmt: skip
    return InvestmentPlan(
        inputs=inputs,
        actions=table.reset_index(drop=True),
        budget=budget,
        cost_unit=unit,
        exact=exact,
        greedy=greedy,
        curve=curve,
        evaluated=evaluated,
        equity=equity,
        facilities=pd.DataFrame(fac),
    )


def write_investments(
    plan: InvestmentPlan,
    out_dir: str | os.PathLike[str],
    *,
    lang: str | None = None,
    areas: gpd.GeoDataFrame | None = None,
    graph: TravelGraph | None = None,
) -> dict[str, Path]:
    """Write ``invest.json``, ``invest.csv``, ``invest_by_budget.csv``, ``invest.gpkg`` and
    ``invest.html``.

    Everything is computed before the first file is written, and each file is written
    atomically: a failure leaves no half-written file.

    Parameters
    ----------
    plan
        What :func:`plan_investments` returned.
    out_dir
        The output folder (created if needed).
    lang
        The report's language (``"vi"``, the default, or ``"en"``).
    areas
        Areas drawn on the report's map for orientation (``hanoi_areas(scheme=...)``).
    graph
        The road graph, for the map's main roads.

    Returns
    -------
    dict
        File name -> path, in the order written.

    Examples
    --------
    >>> import tempfile
    >>> plan = plan_investments(budget=1, scheme="2025", max_candidates=3, steps=1)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     list(write_investments(plan, folder, lang="en"))
    ['invest.json', 'invest.csv', 'invest_by_budget.csv', 'invest.gpkg', 'invest.html']
    """
    from planner.outputs.geopackage import investment_layers, write_geopackage
    from planner.outputs.i18n import DEFAULT_LANG
    from planner.outputs.report.invest import investment_page

    summary = plan.summary()
    chosen, curve, actions = plan.table(), plan.curve_table(), plan.actions_table()
    layers = investment_layers(actions, plan.existing_table())
    page = investment_page(
        summary, curve=curve, actions=actions, existing=plan.existing_table(),
        lang=lang or DEFAULT_LANG, areas=areas, graph=graph,
    )  # fmt: skip
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {
        "invest.json": write_json(summary, out / "invest.json"),
        "invest.csv": write_csv(chosen, out / "invest.csv"),
        "invest_by_budget.csv": write_csv(curve, out / "invest_by_budget.csv"),
        "invest.gpkg": write_geopackage(out / "invest.gpkg", layers),
    }
    from planner.io.atomic import atomic_path

    with atomic_path(out / "invest.html") as tmp:
        tmp.write_text(page, encoding="utf-8")
    written["invest.html"] = out / "invest.html"
    return written


def investments_summary(plan: InvestmentPlan) -> str:
    """A few lines for the command's user: people within the threshold before and after.

    Parameters
    ----------
    plan
        What :func:`plan_investments` returned.

    Returns
    -------
    str

    Examples
    --------
    >>> print(investments_summary(plan_investments(budget=1, scheme="2025", max_candidates=3,
    ...                                            steps=1)))  # doctest: +ELLIPSIS
    people within 15 min of a station or centre (motorbike): ... before, ... with the plan (1 actions, ...
    """
    exact, greedy = plan.exact, plan.greedy
    total = exact.population_total or 1.0
    minutes = plan.within_s / 60.0
    unit = f" {plan.cost_unit}" if plan.cost_unit else ""
    lines = [
        f"people within {minutes:g} min of a station or centre ({plan.inputs.trip.mode}): "
        f"{exact.population_before:,.0f} ({exact.population_before / total:.1%}) before, "
        f"{exact.population_covered:,.0f} ({exact.population_covered / total:.1%}) with the "
        f"plan ({len(exact.opened)} actions, {exact.cost:g} of {plan.budget:g}{unit} spent, "
        f"{exact.status}); {greedy.population_covered:,.0f} with the greedy picks "
        f"({greedy.cost:g}{unit})",
        f"chosen: {', '.join(map(str, exact.opened)) or '(none)'}",
    ]
    if plan.evaluated is not None:
        drawn = plan.evaluated
        lines.append(
            f"the plan given: {drawn.population_covered:,.0f} people within {minutes:g} min "
            f"({drawn.cost:g}{unit}{'' if drawn.cost <= plan.budget else ', over the budget'})"
        )
    before, after = plan.equity["before"], plan.equity["after"]
    lines.append(
        f"beyond {minutes:g} min: {before['fgt0']:.1%} of people before, {after['fgt0']:.1%} "
        f"after (in the xã: {_share(before.get('rural'))} before, {_share(after.get('rural'))} "
        "after)"
    )
    lines.append(plan.inputs.attribution)
    return "\n".join(lines)


def _share(figures: Any) -> str:
    return f"{figures['fgt0']:.1%}" if isinstance(figures, dict) else "-"


def _equity(
    inputs: CoverageInputs,
    facilities: pd.DataFrame,
    *,
    exact: CoveringResult,
    greedy: CoveringResult,
    evaluated: CoveringResult | None,
) -> dict[str, Any]:
    """Who is left behind: each cell's time to its nearest open primary-care facility."""
    from planner.access.equity import KIND_RULE

    people = inputs.population
    kinds = inputs.cells["unit_id"].astype(str).map(unit_kinds(facilities)).to_numpy(dtype=object)
    minutes = inputs.within_s / 60.0

    def figures(opened: Sequence[Any]) -> dict[str, Any]:
        times = inputs.nearest_time_s([str(o) for o in opened])
        return equity_by_kind(times, people, kinds, threshold_min=minutes)

    out: dict[str, Any] = {
        "threshold_min": minutes,
        "kind_rule": KIND_RULE,
        "before": figures(()),
        "after": figures(exact.opened),
        "greedy": figures(greedy.opened),
    }
    if evaluated is not None:
        out["evaluated"] = figures(evaluated.opened)
    return json_safe(out)


def _action_table(table: pd.DataFrame) -> pd.DataFrame:
    """An actions table given as a frame: the columns checked, ``kind`` filled."""
    if "action_id" not in table.columns and "facility_id" in table.columns:
        table = table.rename(columns={"facility_id": "action_id"})
    missing = [c for c in ("action_id", "name", "lat", "lon", "cost") if c not in table]
    if missing:
        raise PlannerInputError(
            f"the actions lack columns {missing}", field=missing[0],
            hint="give action_id, name, lat, lon, cost (and optionally kind)",
        )  # fmt: skip
    out = table.assign(action_id=table["action_id"].astype(str))
    if "kind" not in out:
        out["kind"] = pd.NA
    costs = pd.to_numeric(out["cost"], errors="coerce")
    bad = ~np.isfinite(costs.to_numpy(float)) | (costs.to_numpy(float) < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0]) + 1
        raise PlannerInputError(
            f"action {out['action_id'].iloc[row - 1]!r} has cost {out['cost'].iloc[row - 1]!r}",
            row=row, field="cost", hint="give every action a cost of 0 or more",
        )  # fmt: skip
    out["cost"] = costs.astype(float)
    return out[["action_id", "name", "kind", "lat", "lon", "cost"]].reset_index(drop=True)


def _checked_budget(
    budget: Any, table: pd.DataFrame | None, source: str | os.PathLike[str] | None
) -> float:
    """The budget as a number, refused when it buys nothing."""
    try:
        value = float(budget)
    except (TypeError, ValueError):
        value = float("nan")
    if not np.isfinite(value) or value < 0:
        raise PlannerInputError(
            f"budget {budget!r} is not an amount", field="budget",
            hint="give the money to spend, 0 or more, in the unit of the actions' costs",
        )  # fmt: skip
    if table is not None and len(table):
        cheapest = int(np.argmin(table["cost"].to_numpy(float)))
        least = float(table["cost"].iloc[cheapest])
        if value < least:
            raise PlannerInputError(
                f"budget {value:g} is below every action's cost (the cheapest, "
                f"{table['action_id'].iloc[cheapest]!r}, costs {least:g})",
                file=source, field="budget",
                hint=f"give a budget of at least {least:g}, or cheaper actions",
            )  # fmt: skip
    return value


def _checked_evaluate(
    evaluate: Sequence[str] | None, table: pd.DataFrame, source: str | os.PathLike[str] | None
) -> list[str] | None:
    """The ids of a plan drawn by hand, each an action."""
    if evaluate is None:
        return None
    ids = table["action_id"].astype(str).tolist()
    known = set(ids)
    chosen: list[str] = []
    for value in evaluate:
        key = str(value).strip()
        if key not in known:
            close = difflib.get_close_matches(key, ids, n=3, cutoff=0.5)
            raise PlannerInputError(
                f"unknown action id {key!r}", file=source, field="evaluate",
                hint=(f"did you mean {', '.join(close)}? " if close else "")
                + "give action ids of the actions file, separated by commas, or 'none'",
            )  # fmt: skip
        if key not in chosen:
            chosen.append(key)
    return chosen


def _times(
    graph: TravelGraph, cells: pd.DataFrame, sites: pd.DataFrame, **options: Any
) -> np.ndarray:
    """Cell -> site times (s), shape (cells, sites); NaN where there is no way."""
    if sites.empty:
        return np.empty((len(cells), 0))
    origins = pd.DataFrame(
        {"facility_id": "cell:" + cells.index.astype(str), "lat": cells["lat"], "lon": cells["lon"]}
    )
    targets = sites.assign(facility_id="site:" + pd.RangeIndex(len(sites)).astype(str))
    long = travel_time_matrix(
        graph, origins, targets[["facility_id", "lat", "lon"]], max_snap_m=DEFAULT_CELL_SNAP_M,
        distances=False, **options,
    )  # fmt: skip
    return long["travel_time_s"].to_numpy(float).reshape(len(cells), len(sites))


def _cell_candidates(pieces: gpd.GeoDataFrame, covered: np.ndarray, limit: int) -> pd.DataFrame:
    """The centres of the ``limit`` raster cells with the most people not yet covered."""
    left = pieces.assign(_left=np.where(covered, 0.0, pieces["population"].to_numpy(float)))
    people = left.groupby("cell_id")["_left"].sum()
    people = people[people > 0].sort_values(ascending=False, kind="stable").head(int(limit))
    if people.empty:
        raise PlannerInputError(
            "every populated cell is already within the threshold of an open facility",
            field="within",
            hint="give a shorter --within, or sites of your own (stations: --candidates; "
            "invest: --actions)",
        )
    shapes = left[left["cell_id"].isin(people.index)].dissolve(by="cell_id").loc[people.index]
    geoms = shapes.geometry.to_numpy()
    centre = shapely.centroid(geoms)  # lon/lat of a ~1 km cell: degrees are fine at this scale
    inside = shapely.contains(geoms, centre)
    centre = np.where(inside, centre, shapely.point_on_surface(geoms))
    return pd.DataFrame(
        {
            "facility_id": "cell-" + people.index.astype(str),
            "name": "cell " + people.index.astype(str),
            "lat": shapely.get_y(centre),
            "lon": shapely.get_x(centre),
        }
    ).reset_index(drop=True)


def _checked(candidates: pd.DataFrame) -> pd.DataFrame:
    """Candidate sites with text ids, none repeated (their other columns kept)."""
    missing = [c for c in ("facility_id", "name", "lat", "lon") if c not in candidates]
    if missing:
        raise PlannerInputError(
            f"the candidates lack columns {missing}",
            field=missing[0],
            hint="give facility_id, name, lat, lon",
        )
    out = candidates.assign(facility_id=candidates["facility_id"].astype(str))
    dup = out["facility_id"].duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0]) + 1
        raise PlannerInputError(
            f"candidate {out['facility_id'].iloc[row - 1]!r} is given twice",
            row=row,
            field="facility_id",
            hint="give each candidate its own id",
        )
    return out.reset_index(drop=True)
