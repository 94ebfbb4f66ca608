"""An investment plan's report, ``invest.html``: where the money goes and who is left behind.

One standalone page in the officials' style (the report's stylesheet), from the plan's
``invest.json`` summary and tables: a paragraph in words (the plan within the budget, the
people it brings within reach, the greedy choice and a plan drawn by hand beside it, who is
still left behind before and after, in the xã and the phường), the plans side by side, the
budget curve as a chart with its table (what each step of the money buys), the chosen actions,
the who-is-left-behind figures (:mod:`planner.outputs.report._equity`'s table) and the map of
the actions (:func:`planner.outputs.map.invest.investment_map`, embedded). Costs are the user's:
the page says so and labels them with the user's unit. Autoescaped jinja2 throughout.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

from planner.outputs._templates import render
from planner.outputs.formatting import Formatter
from planner.outputs.i18n import DEFAULT_LANG, Translator
from planner.outputs.report._charts import budget_chart
from planner.outputs.report._context import Context, number_cell, text_cell
from planner.outputs.report._equity import equity_table, one_in
from planner.roads.graph import TravelGraph


def investment_page(
    summary: Mapping[str, Any],
    *,
    curve: pd.DataFrame,
    actions: pd.DataFrame,
    existing: pd.DataFrame,
    lang: str = DEFAULT_LANG,
    areas: gpd.GeoDataFrame | None = None,
    graph: TravelGraph | None = None,
) -> str:
    """The investment plan's report page, as HTML text.

    Parameters
    ----------
    summary
        The plan's ``invest.json`` (:meth:`planner.app.growth.invest.InvestmentPlan.summary`).
    curve
        ``invest_by_budget.csv``'s table (:meth:`~planner.app.growth.invest.InvestmentPlan.curve_table`).
    actions
        Every action (:meth:`~planner.app.growth.invest.InvestmentPlan.actions_table`).
    existing
        The primary-care facilities already open (``name``, ``level``, ``lat``, ``lon``).
    lang
        ``"vi"`` (default) or ``"en"``.
    areas, graph
        Drawn on the map for orientation (area names, main roads); ``None``: not drawn.

    Returns
    -------
    str
        A standalone HTML page.

    Examples
    --------
    >>> from planner.app.growth.invest import plan_investments
    >>> plan = plan_investments(budget=2, scheme="2025", max_candidates=4, steps=2)
    >>> page = investment_page(plan.summary(), curve=plan.curve_table(),
    ...                        actions=plan.actions_table(), existing=plan.existing_table(),
    ...                        lang="en")
    >>> "What each step of the budget buys" in page and "<svg" in page
    True
    """
    from planner.outputs.map.build import map_html
    from planner.outputs.map.invest import investment_map

    t, f = Translator(lang), Formatter(lang)
    ctx = Context(t=t, f=f, names={}, palette={})
    unit = str(summary.get("cost_unit") or "")
    shown_unit = t("invest.unit_sites") if unit == "sites" else unit
    limit = f.minutes(60.0 * float(summary["within_min"]))
    scenario = [
        t("invest.scenario_budget", budget=f.amount(summary["budget"], shown_unit)),
        t("invest.scenario_within", limit=limit),
        t(f"mode.{summary['mode']}") + " · " + t("at_time", time=summary["depart"]),
    ]
    title = t("invest.title")
    the_map = investment_map(
        actions, existing, unit=shown_unit, areas=areas, graph=graph, title=title,
        subtitle=" · ".join(scenario), lang=lang,
    )  # fmt: skip
    return str(
        render(
            "invest.html.j2",
            lang=lang,
            t=t,
            title=title,
            page_title=f"{title} — {' · '.join(scenario)}",
            scenario=scenario,
            lead=_lead(summary, ctx, unit=shown_unit, limit=limit),
            plans=_plans_table(summary, ctx, unit=shown_unit, limit=limit),
            chart=budget_chart(curve, ctx, unit=shown_unit, limit=limit),
            curve=_curve_table(curve, ctx, unit=shown_unit),
            chosen=_chosen_table(actions, ctx, unit=shown_unit),
            equity=_equity_part(summary, ctx, limit=limit),
            map_page=map_html(the_map),
            notes=[
                t("invest.note_costs", unit=shown_unit or MISSING_UNIT),
                t("invest.note_model", limit=limit),
                str(summary.get("attribution") or ""),
            ],
        )
    )


#: Shown where the costs have no unit.
MISSING_UNIT = "—"


def _lead(summary: Mapping[str, Any], ctx: Context, *, unit: str, limit: str) -> list[str]:
    """The plan in words: what it buys, the greedy choice, a plan drawn by hand, who is left."""
    t, f = ctx.t, ctx.f
    total = float(summary.get("population") or 0.0) or 1.0
    paragraphs = [
        t(
            "invest.lead_plan",
            budget=f.amount(summary["budget"], unit),
            count=f.count(len(summary["chosen"])),
            cost=f.amount(summary["cost"], unit),
            people=f.people(summary["people_newly_within"]),
            limit=limit,
            before=f.percent(summary["people_within_before"] / total, decimals=1),
            after=f.percent(summary["people_within"] / total, decimals=1),
        )
    ]
    greedy = summary["greedy"]
    paragraphs.append(
        t(
            "invest.lead_greedy",
            people=f.people(greedy["people_newly_within"]),
            cost=f.amount(greedy["cost"], unit),
            less=f.people(summary["people_newly_within"] - greedy["people_newly_within"]),
        )
        if summary["people_newly_within"] > greedy["people_newly_within"]
        else t(
            "invest.lead_greedy_same",
            people=f.people(greedy["people_newly_within"]),
            cost=f.amount(greedy["cost"], unit),
        )
    )
    drawn = summary.get("evaluated")
    if isinstance(drawn, Mapping):
        key = "invest.lead_evaluated" if drawn["within_budget"] else "invest.lead_evaluated_over"
        paragraphs.append(
            t(
                key,
                count=f.count(len(drawn["chosen"])),
                cost=f.amount(drawn["cost"], unit),
                people=f.people(drawn["people_newly_within"]),
                limit=limit,
                best=f.people(summary["people_newly_within"]),
            )
        )
    equity = summary.get("equity")
    if isinstance(equity, Mapping):
        before, after = equity["before"], equity["after"]
        sentence = t(
            "invest.lead_left",
            limit=limit,
            before=one_in(before.get("fgt0"), ctx),
            after=one_in(after.get("fgt0"), ctx),
        )
        rural_before, rural_after = before.get("rural"), after.get("rural")
        if isinstance(rural_before, Mapping) and isinstance(rural_after, Mapping):
            sentence += " " + t(
                "invest.lead_left_rural",
                before=one_in(rural_before.get("fgt0"), ctx),
                after=one_in(rural_after.get("fgt0"), ctx),
            )
        paragraphs.append(sentence)
    return paragraphs


def _plans_table(
    summary: Mapping[str, Any], ctx: Context, *, unit: str, limit: str
) -> dict[str, Any]:
    """The plans side by side: the network as it is, the exact plan, the greedy one, a plan
    drawn by hand."""
    t, f = ctx.t, ctx.f
    equity = summary.get("equity") or {}
    total = float(summary.get("population") or 0.0) or 1.0
    plans = [
        (t("invest.plan_before"), None, summary["people_within_before"], equity.get("before")),
        (t("invest.plan_exact"), summary, summary["people_within"], equity.get("after")),
        (t("invest.plan_greedy"), summary["greedy"], summary["greedy"]["people_within"],
         equity.get("greedy")),
    ]  # fmt: skip
    drawn = summary.get("evaluated")
    if isinstance(drawn, Mapping):
        plans.append((t("invest.plan_evaluated"), drawn, drawn["people_within"],
                      equity.get("evaluated")))  # fmt: skip
    rows = []
    for name, plan, within, figures in plans:
        figures = figures if isinstance(figures, Mapping) else {}
        rows.append(
            [
                text_cell(name),
                number_cell(f.count(len(plan["chosen"])) if plan else "0"),
                number_cell(f.amount(plan["cost"], unit) if plan else f.amount(0, unit)),
                number_cell(f.people(within)),
                number_cell(f.percent(within / total, decimals=1)),
                number_cell(f.percent(figures.get("fgt0"), decimals=1)),
                number_cell(f.minutes(figures.get("mean_time_s"), decimals=1)),
            ]
        )
    columns = [
        {"label": t("invest.col_plan"), "num": False},
        {"label": t("invest.col_actions"), "num": True},
        {"label": t("invest.col_cost"), "num": True},
        {"label": t("invest.col_within", limit=limit), "num": True},
        {"label": t("invest.col_share"), "num": True},
        {"label": t("invest.col_beyond", limit=limit), "num": True},
        {"label": t("invest.col_mean"), "num": True},
    ]
    return {"columns": columns, "rows": rows}


def _curve_table(curve: pd.DataFrame, ctx: Context, *, unit: str) -> dict[str, Any]:
    """What each step of the budget buys: the optimal plan at each step (the actions' ids, as
    in the chosen actions' table and the files), and the step's gain."""
    t, f = ctx.t, ctx.f
    rows, previous = [], None
    for row in curve.itertuples(index=False):
        chosen = [a for a in str(row.chosen).split(";") if a]
        step = "" if previous is None else f.number(row.people_newly_within - previous, signed=True)
        rows.append(
            [
                number_cell(f.amount(row.budget, unit)),
                number_cell(f.amount(row.cost, unit)),
                number_cell(f.people(row.people_newly_within)),
                number_cell(step),
                text_cell(", ".join(chosen) if chosen else t("invest.none")),
            ]
        )
        previous = float(row.people_newly_within)
    columns = [
        {"label": t("invest.col_budget"), "num": True},
        {"label": t("invest.col_spent"), "num": True},
        {"label": t("invest.col_gain_plan"), "num": True},
        {"label": t("invest.col_step"), "num": True},
        {"label": t("invest.col_chosen"), "num": False},
    ]
    return {"columns": columns, "rows": rows}


def _chosen_table(actions: pd.DataFrame, ctx: Context, *, unit: str) -> dict[str, Any]:
    """The chosen actions, the most people first."""
    t, f = ctx.t, ctx.f
    chosen = actions[actions["chosen"].astype(bool)].sort_values(
        "people_newly_within", ascending=False, kind="stable"
    )
    rows = [
        [
            text_cell(row.action_id),
            text_cell(row.name),
            text_cell(t(f"invest.kind_{row.kind}") if isinstance(row.kind, str) else ""),
            number_cell(f.amount(row.cost, unit)),
            number_cell(f.people(row.people_newly_within)),
            number_cell(f.people(row.people_only_it)),
        ]
        for row in chosen.itertuples(index=False)
    ]
    columns = [
        {"label": t("invest.col_id"), "num": False},
        {"label": t("invest.col_action"), "num": False},
        {"label": t("invest.col_kind"), "num": False},
        {"label": t("invest.col_cost"), "num": True},
        {"label": t("invest.col_gain"), "num": True},
        {"label": t("invest.col_only"), "num": True},
    ]
    return {"columns": columns, "rows": rows}


def _equity_part(summary: Mapping[str, Any], ctx: Context, *, limit: str) -> dict[str, Any] | None:
    """Who is left behind, before and after: the equity figures of the time to the nearest
    primary-care facility."""
    equity = summary.get("equity")
    if not isinstance(equity, Mapping):
        return None
    t = ctx.t
    columns = [
        (t("invest.plan_before"), equity["before"]),
        (t("invest.plan_exact"), equity["after"]),
    ]
    return {
        "table": equity_table(columns, ctx, limit=limit),
        "note": t("report.equity_note", limit=limit),
    }


__all__ = ["investment_page"]
