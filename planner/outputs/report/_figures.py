"""The report's figures: the pairing beside the alternatives, each hospital's share and sites,
and where people live (the population cells' part).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from planner.outputs.formatting import MISSING, Formatter, clock
from planner.outputs.labels import site_label
from planner.outputs.report._charts import coverage_chart
from planner.outputs.report._context import Context, number_cell, text_cell, trip_minutes
from planner.outputs.report._scores import Scores, cells_section


def _figure_specs(
    ctx: Context, at: str, peak: str | None, *, same_depart: bool
) -> list[tuple[str, str, str]]:
    """The figures beside the alternatives: (label, scores key, how to format).

    When the compared scenarios leave at different times, the main figures are labelled "at
    each scenario's departure time" and the column headers give the times.
    """
    t = ctx.t
    when = t("at_time", time=at) if same_depart else t("report.at_own")
    specs = [(t("report.row_mean", when=when), "pop_weighted_mean_travel_time_s", "min1")]
    if peak:
        specs.append(
            (
                t("report.row_mean", when=t("at_time", time=peak)),
                "pop_weighted_mean_travel_time_peak_s",
                "min1",
            )
        )
    specs.append((t("report.row_max", when=when), "max_travel_time_s", "min"))
    if peak:
        specs.append(
            (t("report.row_max", when=t("at_time", time=peak)), "max_travel_time_peak_s", "min")
        )
    for minutes in (30, 60, 90):
        specs.append(
            (
                t("report.row_within", minutes=minutes, when=when),
                f"share_population_within_{minutes}min",
                "pct",
            )
        )
    if peak:
        specs.append(
            (
                t("report.row_within", minutes=60, when=t("at_time", time=peak)),
                "share_population_within_60min_peak",
                "pct",
            )
        )
    specs += [
        (t("report.row_load_ratio"), "load_ratio_max_min", "ratio"),
        (t("report.row_gini"), "gini_load", "ratio"),
        (t("report.row_staff"), "staff_travel_hours_per_month", "hours"),
        (ctx.says("report.row_consistency"), "hierarchy_consistency", "pct"),
        (t("report.row_unassigned"), "unassigned_units", "count"),
        (t("report.row_unreachable"), "pairs_without_time", "count"),
        (t("report.row_gap"), "gap_to_optimal", "pct2"),
    ]
    return specs


def _format(kind: str, value: Any, f: Formatter) -> str:
    match kind:
        case "min1":
            return f.minutes(value, decimals=1)
        case "min":
            return f.minutes(value)
        case "pct":
            return f.percent(value, decimals=1)
        case "pct2":
            return f.percent(value, decimals=2)
        case "ratio":
            return f.ratio(value)
        case "hours":
            return f.hours(value)
    return f.count(value)


def figures_part(main: Scores, ctx: Context, *, other: tuple[Scores, str] | None) -> dict[str, Any]:
    t, f = ctx.t, ctx.f
    depart, peak = main.depart or MISSING, main.peak_depart
    columns: list[tuple[str, Mapping[str, Any]]] = [(t("report.proposal"), main.overall)]
    same_depart = True
    if other is not None:
        scores, name = other
        same_depart = scores.depart == main.depart
        columns.append((name, scores.overall))
    labels = {"nearest": t("report.nearest"), "pilot": t("report.pilot_baseline")}
    for key, figures in main.baselines.items():
        columns.append((labels.get(key, key), figures))
    heads = [{"label": t("report.figure"), "num": False}]
    for i, (name, _) in enumerate(columns):
        when = main.depart if i == 0 or other is None or i > 1 else other[0].depart
        label = name if same_depart else f"{name} ({when})"
        heads.append({"label": label, "num": True})
    body = []
    for label, score_key, kind in _figure_specs(ctx, depart, peak, same_depart=same_depart):
        values = [figures.get(score_key) for _, figures in columns]
        if all(v is None for v in values):
            continue
        body.append([text_cell(label), *(number_cell(_format(kind, v, f)) for v in values)])
    others = [name for name, _ in columns[1:]]
    note = t("report.compare_note", others=", ".join(others)) if others else ""
    return {"columns": heads, "rows": body, "note": note}


def hospital_order(per_hospital: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """The per-hospital rows with a display name, sorted by name (the charts' order too)."""
    ids = per_hospital["hospital_id"].astype(str)
    own = per_hospital.get("hospital_name", pd.Series(None, index=per_hospital.index))
    shown = [
        ctx.names.get(h) or (str(n) if pd.notna(n) else h) for h, n in zip(ids, own, strict=True)
    ]
    return per_hospital.assign(hospital_id=ids, _name=shown).sort_values("_name", kind="stable")


def hospitals_part(
    per_hospital: pd.DataFrame, main: Scores, ctx: Context, *, sites: list[str]
) -> dict[str, Any]:
    t, f = ctx.t, ctx.f
    spec = [
        ("districts", "report.col_districts", f.count),  # the former ones, for 2025
        ("units", "report.col_units", f.count),
        ("population", "report.col_population", f.people),
        ("load_share", "report.col_share", lambda v: f.percent(v, decimals=1)),
        ("mean_travel_time_s", "report.col_mean", lambda v: f.minutes(v, decimals=1)),
        ("max_travel_time_s", "report.col_longest", f.minutes),
        ("staff_travel_hours_per_month", "report.col_staff", f.hours),
    ]
    spec = [s for s in spec if s[0] in per_hospital]
    columns = [{"label": t("report.col_name"), "num": False}]
    columns += [{"label": ctx.says(label), "num": True} for _, label, _ in spec]
    rows = []
    for record in per_hospital.to_dict("records"):
        cells = [text_cell(record["_name"], cls="name", colour=ctx.colour(record["hospital_id"]))]
        cells += [number_cell(fmt(record.get(col))) for col, _, fmt in spec]
        rows.append(cells)
    visits = main.overall.get("visits_per_month", 4)
    note = t("report.per_hospital_note", time=main.depart or MISSING, visits=f.count(visits))
    return {"columns": columns, "rows": rows, "note": note, "sites": sites}


def capacity_notes(main: Scores, ctx: Context) -> list[str]:
    """With every hospital's capacity (``scores.json``'s ``capacity``): the hospital nearest its
    limit in words, and where the figures come from."""
    section = main.overall.get("capacity")
    if not isinstance(section, Mapping) or not section.get("hospitals"):
        return []
    t, f = ctx.t, ctx.f
    rows = {str(r["hospital_id"]): r for r in section["hospitals"]}
    near = rows.get(str(section.get("nearest_limit")))
    if near is None:
        return []
    beds = all(str(r.get("measure") or "").lower().startswith("beds") for r in rows.values())
    sentence = t(
        "report.capacity_nearest_beds" if beds else "report.capacity_nearest",
        hospital=ctx.name(near["hospital_id"]),
        people=f.people(near["people"]),
        capacity=f.count(near["capacity"]),
        per=f.count(near["people_per_capacity"]),
    )
    balance = section.get("balance")
    sentence += t(
        "report.capacity_limit" if balance else "report.capacity_limit_fair",
        share=f.percent(near["share_of_limit"]),
        limit=f.people(near["limit"]),
        balance=f.percent(balance) if balance else "",
    )
    figures = "; ".join(
        f"{ctx.name(h)} {f.count(r['capacity'])}" + (f" ({r['source']})" if r.get("source") else "")
        for h, r in rows.items()
    )
    return [sentence, t("report.capacity_sources", figures=figures)]


def site_notes(
    pairings: pd.DataFrame,
    hospitals: pd.DataFrame,
    per_hospital: pd.DataFrame,
    main: Scores,
    ctx: Context,
) -> list[str]:
    """One sentence per hospital of several sites: the rule, and how many units use each site
    (from the pairing's ``site_id``), in the table's order."""
    if "hospital_id" not in hospitals or "site_id" not in pairings:
        return []
    rule = main.overall.get("site_rule") or main.options.get("site_rule") or "nearest"
    used = pairings["site_id"].astype(object).value_counts()
    notes = []
    for hospital_id in per_hospital["hospital_id"].astype(str):
        sites = hospitals[hospitals["hospital_id"].astype(str) == hospital_id]
        if len(sites) < 2:
            continue
        parts = []
        for site in sites.itertuples(index=False):
            count = int(used.get(str(site.facility_id), 0))
            units = ctx.f.count(count)
            parts.append(
                ctx.t("report.site_units", n=count, site=site_label(site, ctx.t), units=units)
            )
        notes.append(
            ctx.t(
                "report.sites_note",
                hospital=ctx.name(hospital_id),
                count=ctx.f.count(len(sites)),
                rule=ctx.t.get(f"report.site_rule.{rule}", str(rule)),
                sites="; ".join(parts),
            )
        )
    return notes


#: At most this many district names in the sentence on the other demand.
_NAMES_SHOWN = 5


def people_part(main: Scores, ctx: Context, pairings: pd.DataFrame) -> dict[str, Any] | None:
    """Where people live: the headline, the units the points mislead most, the other demand,
    the coverage curve, the table per district from cells beside the units' points (``None``
    without cells)."""
    cells = cells_section(main)
    if cells is None:
        return None
    t, f = ctx.t, ctx.f
    coverage = {float(row["minutes"]): row for row in cells.get("coverage", [])}
    at_60 = coverage.get(60.0, {})
    depart = clock(cells["depart"]) if cells.get("depart") else main.depart or MISSING
    grid_key = "report.people_grid" if cells.get("calibrated") else "report.people_grid_raw"
    sentences = [
        t(grid_key),
        t(
            "report.people_lead",
            within=f.percent(at_60.get("share_sister")),
            within_points=f.percent(at_60.get("share_sister_points")),
            mean=f.minutes(cells.get("mean_time_to_sister_s")),
            p90=f.minutes(cells.get("p90_time_to_sister_s")),
            time=depart,
        ),
    ]
    misled = cells.get("units_misled")
    if isinstance(misled, Mapping) and misled.get("worst"):
        names = pairings.set_index(pairings["unit_id"].astype(str))["unit_name"].astype(str)
        worst = [
            t(
                "report.people_misled_item",
                name=names.get(str(row["unit_id"]), str(row["unit_id"])),
                minutes=f.minutes(row["points_minus_cells_s"], signed=True),
            )
            for row in misled["worst"][:3]
        ]
        key = "report.people_misled" if misled.get("count") else "report.people_misled_none"
        sentences.append(
            ctx.says(
                key,
                count=f.count(misled.get("count")),
                total=f.count(misled.get("units")),
                minutes=f.count(misled.get("minutes")),
                worst="; ".join(worst),
            )
        )
    demand = cells.get("demand")
    if isinstance(demand, Mapping) and demand.get("proposal") and demand.get("alternative"):
        sentences.append(_demand_sentence(demand, ctx))
    rows = []
    table = pd.DataFrame(list(cells["per_district"]))
    order = table["points_minus_cells_s"].abs().fillna(-1).sort_values(ascending=False).index
    for record in table.loc[order].to_dict("records"):
        rows.append(
            [
                text_cell(ctx.district(record["district"]), cls="name"),
                number_cell(f.people(record.get("population"))),
                number_cell(trip_minutes(record.get("mean_time_to_sister_s"), t, f)),
                number_cell(trip_minutes(record.get("p90_time_to_sister_s"), t, f)),
                number_cell(f.percent(record.get("share_sister_60min"))),
                number_cell(f.minutes(record.get("points_minus_cells_s"), signed=True)),
            ]
        )
    columns = [{"label": ctx.says("report.col_district"), "num": False}] + [
        {"label": t(key), "num": True}
        for key in (
            "report.col_people",
            "report.col_cells_mean",
            "report.col_cells_p90",
            "report.col_cells_60",
            "report.col_points_minus",
        )
    ]
    half = -(-len(rows) // 2)  # two half tables side by side: 30 districts on half a page
    return {
        "text": " ".join(sentences),
        "chart": coverage_chart(cells["curve"], ctx, at=depart),
        "tables": [
            {"columns": columns, "rows": part} for part in (rows[:half], rows[half:]) if part
        ],
        "title": ctx.says("report.people_table"),
        "note": ctx.says("report.people_table_note"),
        "credit": str(cells.get("attribution") or ""),
    }


def _demand_sentence(demand: Mapping[str, Any], ctx: Context) -> str:
    """How the pairing would change under the other demand, in one sentence."""
    t, f = ctx.t, ctx.f
    changed = int(demand.get("units_changed") or 0)
    key = (
        "report.people_demand_cells"
        if demand.get("demand") == "cells"
        else ("report.people_demand_points")
    )
    if not changed:
        return t(f"{key}_same")
    mean = f.minutes(demand["proposal"].get("cells_mean_travel_time_s"), decimals=1)
    mean_other = f.minutes(demand["alternative"].get("cells_mean_travel_time_s"), decimals=1)
    if mean_other == mean:  # the same to the tenth of a minute: say so, not "27.7 instead of 27.7"
        key = f"{key}_close"
    names = [ctx.district(d) for d in demand.get("districts_changed") or []]
    shown = ", ".join(names[:_NAMES_SHOWN])
    if len(names) > _NAMES_SHOWN:
        shown = t("report.and_more", names=shown, count=f.count(len(names) - _NAMES_SHOWN))
    return t(
        key,
        units=f.count(changed),
        total=f.count(demand.get("units")),
        districts=shown or MISSING,
        mean=mean,
        mean_other=mean_other,
    )
