"""The report's charts as inline SVG drawn by matplotlib: times by hospital, the coverage curve and
an investment plan's budget curve."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from planner.outputs.report._context import Context


def svg_markup(fig: Any) -> Markup:
    buf = io.StringIO()
    # No date, and ids salted by a constant: the same chart gives the same bytes.
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    return Markup(text[text.index("<svg") :])  # drop the XML prologue and DOCTYPE


def charts_part(
    pairings: pd.DataFrame, per_hospital: pd.DataFrame, ctx: Context, *, at: str
) -> list[Markup]:
    """Travel-time distribution per hospital (per unit) and the scored population served.

    Names are drawn as plain text (``parse_math=False``): a ``$`` in a name is not TeX.
    """
    # matplotlib loads only when a chart is drawn: it costs a plain import 0.1 s
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    t, f = ctx.t, ctx.f
    style: dict[Any, Any] = {
        "svg.fonttype": "none",
        "font.size": 10,
        "svg.hashsalt": "planner-report",
    }
    ids = per_hospital["hospital_id"].tolist()
    labels = per_hospital["_name"].tolist()
    colours = [ctx.colour(h) for h in ids]
    number = FuncFormatter(lambda v, _: f.number(v))
    with matplotlib.rc_context(style):
        minutes = pd.to_numeric(pairings["travel_time_s"], errors="coerce") / 60
        hosp = pairings["hospital_id"].astype(str)
        data = [minutes[(hosp == h) & minutes.notna()].to_numpy() for h in ids]
        fig = Figure(figsize=(8, 0.6 + 0.55 * len(ids)))
        ax = fig.add_subplot()
        box = ax.boxplot(
            [d if len(d) else [np.nan] for d in data],
            orientation="horizontal",
            patch_artist=True,
            widths=0.6,
            showfliers=False,
            medianprops={"color": "#222"},
        )
        rng = np.random.default_rng(0)  # fixed jitter: the same report every run
        for i, (colour, d) in enumerate(zip(colours, data, strict=True), start=1):
            box["boxes"][i - 1].set(facecolor=colour, alpha=0.35, edgecolor=colour)
            ax.scatter(d, i + rng.uniform(-0.18, 0.18, len(d)), s=6, color=colour, alpha=0.7)
        ax.set_yticks(range(1, len(ids) + 1), labels, parse_math=False)
        ax.xaxis.set_major_formatter(number)
        ax.set_xlabel(t("unit.min"), parse_math=False)
        ax.set_title(t("report.chart_time", time=at), parse_math=False)
        ax.invert_yaxis()  # top to bottom in the table's order, like the load chart
        ax.grid(axis="x", alpha=0.3)
        time_svg = svg_markup(fig)

        load = pd.to_numeric(per_hospital["population"], errors="coerce").fillna(0).tolist()
        fig = Figure(figsize=(8, 0.6 + 0.55 * len(ids)))
        ax = fig.add_subplot()
        ax.barh(range(len(ids)), load, color=colours)
        ax.set_yticks(range(len(ids)), labels, parse_math=False)
        if ids:
            fair = sum(load) / len(ids)
            ax.axvline(fair, color="#333", linestyle="--", linewidth=1)
            # above the frame (x in data, y in axes units), clear of the bars
            ax.text(fair, 1.0, t("report.fair_share"), transform=ax.get_xaxis_transform(),
                    ha="center", va="bottom", fontsize=9, parse_math=False)  # fmt: skip
        ax.xaxis.set_major_formatter(number)
        ax.set_xlabel(t("report.col_population"), parse_math=False)
        ax.set_title(t("report.chart_load"), pad=16, parse_math=False)
        ax.invert_yaxis()
        ax.grid(axis="x", alpha=0.3)
        load_svg = svg_markup(fig)
    return [time_svg, load_svg]


#: The coverage curve shows people within up to this many minutes.
_CURVE_MAX_MIN = 150


def coverage_chart(curve: Any, ctx: Context, *, at: str) -> Markup:
    """People within N minutes of their sister and of their nearest hospital: from where they
    live (cells, solid) beside each unit's people counted at its point (dashed)."""
    # matplotlib loads only when a chart is drawn: it costs a plain import 0.1 s
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    t, f = ctx.t, ctx.f
    table = pd.DataFrame(list(curve))
    table = table[table["minutes"] <= _CURVE_MAX_MIN]
    style: dict[Any, Any] = {
        "svg.fonttype": "none",
        "font.size": 10,
        "svg.hashsalt": "planner-report",
    }
    lines = (
        ("share_sister", "report.curve_sister", "#1f2328", "-"),
        ("share_nearest", "report.curve_nearest", "#8c959f", "-"),
        ("share_sister_points", "report.curve_sister_points", "#1f2328", "--"),
        ("share_nearest_points", "report.curve_nearest_points", "#8c959f", "--"),
    )
    with matplotlib.rc_context(style):
        fig = Figure(figsize=(8, 2.5))
        ax = fig.add_subplot()
        for column, label, colour, dash in lines:
            if column in table:
                ax.plot(table["minutes"], 100 * table[column].astype(float), color=colour,
                        linestyle=dash, linewidth=1.8, label=t(label))  # fmt: skip
        ax.axvline(60, color="#d0d7de", linewidth=1)
        ax.set_xlim(0, _CURVE_MAX_MIN)
        ax.set_ylim(0, 100)
        ax.set_xticks(range(0, _CURVE_MAX_MIN + 1, 15))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f.number(v)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f.percent(v / 100)))
        ax.set_xlabel(t("report.curve_x"), parse_math=False)
        ax.set_ylabel(t("report.curve_y"), parse_math=False)
        ax.set_title(t("report.curve_title", time=at), parse_math=False)
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right", fontsize=9, frameon=False)
        return svg_markup(fig)


def budget_chart(curve: pd.DataFrame, ctx: Context, *, unit: str, limit: str) -> Markup:
    """What each step of the budget buys: the people newly within the threshold under the
    optimal plan at each budget (a step line: money not spent buys nothing more)."""
    # matplotlib loads only when a chart is drawn: it costs a plain import 0.1 s
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    t, f = ctx.t, ctx.f
    style: dict[Any, Any] = {
        "svg.fonttype": "none",
        "font.size": 10,
        "svg.hashsalt": "planner-report",
    }
    budget = curve["budget"].astype(float).to_numpy()
    people = curve["people_newly_within"].astype(float).to_numpy()
    with matplotlib.rc_context(style):
        fig = Figure(figsize=(8, 2.8))
        ax = fig.add_subplot()
        ax.step(budget, people, where="post", color="#1a7f37", linewidth=1.8)
        ax.plot(budget, people, "o", color="#1a7f37", markersize=4)
        ax.set_xlabel(t("invest.chart_x", unit=unit) if unit else t("invest.chart_x_plain"),
                      parse_math=False)  # fmt: skip
        ax.set_ylabel(t("invest.chart_y", limit=limit), parse_math=False)
        ax.set_title(t("invest.chart_title"), parse_math=False)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f.amount(v)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f.number(v)))
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        return svg_markup(fig)
