"""The report's growth section: the candidate sites a run chose among (which opened, what each
buys against the network without them, what each extra site buys over a range of ``--open``)
and, with ``--robust``, which pairs the worst hour would break, in words.

Only drawn for a growth run (:func:`planner.app.growth.siting.write_growth`); a plain run's report has
no such section and is unchanged.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd
from markupsafe import Markup

from planner.outputs.report._charts import svg_markup
from planner.outputs.report._context import Context, number_cell, text_cell

if TYPE_CHECKING:
    from planner.pairing.siting import SitingFigures

#: How many broken pairs the report names one by one (robust.csv has them all).
_NAMED_BREAKS = 12


def growth_part(
    siting: SitingFigures | None,
    robust: pd.DataFrame | None,
    ctx: Context,
    *,
    pairings: pd.DataFrame,
    at: str,
    max_travel_time_s: float | None,
) -> dict[str, Any] | None:
    """The section's text, tables and chart; ``None`` when the run had neither candidates nor
    ``robust``."""
    if siting is None and robust is None:
        return None
    part: dict[str, Any] = {"sites": None, "robust": None}
    if siting is not None:
        part["sites"] = _sites_part(siting, ctx)
    if robust is not None:
        part["robust"] = _robust_part(
            robust, ctx, pairings=pairings, at=at, max_travel_time_s=max_travel_time_s
        )
    return part


def _sites_part(siting: SitingFigures, ctx: Context) -> dict[str, Any]:
    t, f = ctx.t, ctx.f
    table = siting.candidates
    names = dict(zip(table["facility_id"].astype(str), table["name"].astype(str), strict=True))
    owner = dict(zip(table["facility_id"].astype(str), table["hospital_id"], strict=True))
    opened = [
        t("report.growth_site", site=names[c], hospital=ctx.name(owner[c])) for c in siting.opened
    ]
    base, last = siting.baseline, siting.by_k.iloc[-1]
    gain_min = base["mean_min"] - float(last["mean_min"])
    gain_people = float(last["people_within_60"]) - base["people_within_60"]
    if not opened:
        text = t("report.growth_none", n=len(table), count=f.count(len(table)))
    elif not math.isfinite(gain_min):
        text = t("report.growth_opened_only", sites="; ".join(opened))
    else:
        text = t(
            "report.growth_gain",
            sites="; ".join(opened),
            minutes=f.number(gain_min, decimals=1),
            before=f.number(base["mean_min"], decimals=1),
            after=f.number(float(last["mean_min"]), decimals=1),
            people=f.people(gain_people),
            before_people=f.people(base["people_within_60"]),
            after_people=f.people(float(last["people_within_60"])),
        )
    columns = [
        {"label": t("report.growth_col_site"), "num": False},
        {"label": t("report.growth_col_hospital"), "num": False},
        {"label": t("report.growth_col_opened"), "num": False},
        {"label": t("report.growth_col_gain_min"), "num": True},
        {"label": t("report.growth_col_gain_people"), "num": True},
    ]
    # the report's own badge: no new style in a plain run's page
    new, closed = (
        text_cell("", badge=t("report.growth_new")),
        text_cell(t("report.growth_not_opened")),
    )
    rows = [
        [
            text_cell(row.name),
            text_cell(ctx.name(row.hospital_id), colour=ctx.colour(row.hospital_id)),
            new if row.opened else closed,
            number_cell(f.number(row.gain_min, decimals=1, signed=True)),
            number_cell(f.number(row.gain_people_60, signed=True)),
        ]
        for row in table.itertuples(index=False)
    ]
    part: dict[str, Any] = {
        "text": text,
        "note": t("report.growth_note"),
        "table": {"columns": columns, "rows": rows},
        "by_k": None,
        "chart": None,
    }
    if len(siting.by_k) > 1:
        part["by_k"] = _by_k_table(siting.by_k, names, ctx, base=base["people_within_60"])
        part["chart"] = _by_k_chart(siting.by_k, ctx)
    return part


def _by_k_table(
    by_k: pd.DataFrame, names: dict[str, str], ctx: Context, *, base: float
) -> dict[str, Any]:
    """What each extra site buys: per number of sites, those opened, the figures and the step
    (from one site fewer; the first of ``1-B`` from the network without candidates, ``base``)."""
    t, f = ctx.t, ctx.f
    columns = [
        {"label": t("report.growth_col_k"), "num": True},
        {"label": t("report.growth_col_sites"), "num": False},
        {"label": t("report.growth_col_mean"), "num": True},
        {"label": t("report.growth_col_within"), "num": True},
        {"label": t("report.growth_col_step"), "num": True},
    ]
    rows = []
    previous = base if len(by_k) and int(by_k["k"].iloc[0]) == 1 else math.nan
    for row in by_k.itertuples(index=False):
        sites = [names.get(s, s) for s in str(row.opened).split(";") if s]
        step = f.number(float(row.people_within_60) - previous, signed=True)
        rows.append(
            [
                number_cell(f.count(row.k)),
                text_cell("; ".join(sites) if sites else t("report.growth_no_site")),
                number_cell(f.number(row.mean_min, decimals=1)),
                number_cell(f.people(row.people_within_60)),
                number_cell(step),
            ]
        )
        previous = float(row.people_within_60)
    return {"columns": columns, "rows": rows, "note": t("report.growth_by_k_note")}


def _by_k_chart(by_k: pd.DataFrame, ctx: Context) -> Markup:
    """Two small panels over the number of sites: mean time and people within 60 minutes."""
    import matplotlib  # loads when a chart is drawn, not with the report module
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    t, f = ctx.t, ctx.f
    style: dict[Any, Any] = {
        "svg.fonttype": "none",
        "font.size": 10,
        "svg.hashsalt": "planner-report",
    }
    k = by_k["k"].astype(int).to_numpy()
    with matplotlib.rc_context(style):
        fig = Figure(figsize=(8, 2.6))
        axes = fig.subplots(1, 2)
        panels = (
            (axes[0], by_k["mean_min"].astype(float), "report.growth_col_mean", 1),
            (axes[1], by_k["people_within_60"].astype(float), "report.growth_col_within", 0),
        )
        for ax, values, label, decimals in panels:
            ax.plot(k, values, marker="o", color="#1f2328", linewidth=1.8)
            ax.set_title(t(label), parse_math=False, fontsize=10)
            ax.set_xlabel(t("report.growth_col_k"), parse_math=False)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.yaxis.set_major_formatter(
                FuncFormatter(lambda v, _, d=decimals: f.number(v, decimals=d))
            )
            ax.grid(alpha=0.3)
        fig.tight_layout()
        return svg_markup(fig)


def _robust_part(
    robust: pd.DataFrame,
    ctx: Context,
    *,
    pairings: pd.DataFrame,
    at: str,
    max_travel_time_s: float | None,
) -> dict[str, Any]:
    """Which pairs the worst hour would break, in words (``robust.csv`` has the figures)."""
    t, f = ctx.t, ctx.f
    hours = [c for c in robust.columns if c.startswith("time_") and c.endswith("_s")]
    clock = {c: f"{c[5:7]}:{c[7:9]}" for c in hours}  # robust.csv's time_HHMM_s columns
    others = ", ".join(v for v in clock.values() if v != at)
    if max_travel_time_s is None:
        return {"text": t("report.robust_no_max", hours=others, time=at), "pairs": []}
    limit = f.minutes(max_travel_time_s)
    broken = robust[robust["breaks"].astype(bool)]
    if broken.empty:
        return {"text": t("report.robust_none", hours=others, time=at, limit=limit),
                "pairs": []}  # fmt: skip
    names = dict(
        zip(pairings["unit_id"].astype(str), pairings["unit_name"].astype(str), strict=True)
    )
    pairs = []
    for row in broken.head(_NAMED_BREAKS).itertuples(index=False):
        times = {clock[c]: float(getattr(row, c)) for c in hours}
        worst = max(
            (h for h in times if h != at),
            key=lambda h: times[h] if math.isfinite(times[h]) else math.inf,
        )
        pairs.append(
            t(
                "report.robust_pair",
                unit=names.get(str(row.unit_id), str(row.unit_id)),
                hospital=ctx.name(row.hospital_id),
                main=f.minutes(times[at]),
                time=at,
                worst=f.minutes(times[worst]),
                hour=worst,
                kept=t("report.robust_kept") if row.in_proposal else t("report.robust_moved"),
            )
        )
    more = len(broken) - len(pairs)
    text = t(
        "report.robust_some",
        count=f.count(len(broken)),
        hours=others,
        time=at,
        limit=limit,
    )
    if more > 0:
        pairs.append(t("report.robust_more", count=f.count(more)))
    return {"text": text, "pairs": pairs}
