"""The report's "who is left behind" part: how many people live beyond an hour of their hospital,
in words, for everyone, the xã and the phường, beside the nearest-hospital baseline, and the
inequality figures (Gini, Palma, FGT) in a small table.

Read from ``scores.json``'s ``equity`` section (:func:`planner.access.equity.access_equity`);
a run without population cells has none, and its report no such part. The same words serve
an investment plan's report (the time to the nearest primary-care facility, before and
after): :func:`one_in` and :func:`equity_table`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from planner.outputs.formatting import MISSING
from planner.outputs.report._context import Context, number_cell, text_cell
from planner.outputs.report._scores import Scores

#: Below this share "1 person in N" reads badly ("1 in 1"): a percentage instead.
_WORDS_UP_TO = 0.4


def one_in(share: Any, ctx: Context) -> str:
    """A share of people in words: "1 person in 20", "no one", or a percentage when large.

    Parameters
    ----------
    share
        A share of people, 0 to 1 (missing: :data:`MISSING`).
    ctx
        The report's language.

    Returns
    -------
    str
        Lower case, to sit inside a sentence.
    """
    t, f = ctx.t, ctx.f
    if share is None or not math.isfinite(float(share)):
        return MISSING
    share = float(share)
    if share <= 0:
        return t("report.equity_nobody")
    if share > _WORDS_UP_TO:
        return t("report.equity_share", share=f.percent(share))
    return t("report.equity_one_in", count=f.count(max(2, round(1 / share))))


def equity_part(main: Scores, ctx: Context) -> dict[str, Any] | None:
    """The paragraph and the table of the run's ``equity`` section (``None`` without one)."""
    equity = main.overall.get("equity")
    if not isinstance(equity, Mapping) or not isinstance(equity.get("sister"), Mapping):
        return None
    t, f = ctx.t, ctx.f
    sister, nearest = equity["sister"], equity.get("nearest") or {}
    limit = f.minutes(60.0 * float(equity.get("threshold_min", 60.0)))
    sentences = [
        _capital(t("report.equity_sister", who=one_in(sister.get("fgt0"), ctx), limit=limit))
    ]
    kinds = [(k, sister.get(k)) for k in ("rural", "urban") if isinstance(sister.get(k), Mapping)]
    if kinds:
        sentences[0] += "; " + "; ".join(
            t(f"report.equity_in_{kind}", who=one_in(figures.get("fgt0"), ctx))
            for kind, figures in kinds
        )
    sentences[0] += "."
    if nearest:
        rural = nearest.get("rural")
        key = (
            "report.equity_nearest_rural" if isinstance(rural, Mapping) else "report.equity_nearest"
        )
        sentences.append(
            t(
                key,
                who=one_in(nearest.get("fgt0"), ctx),
                rural=one_in(rural.get("fgt0") if isinstance(rural, Mapping) else None, ctx),
            )
        )
    sentences.append(
        t(
            "report.equity_gini",
            gini=f.number(sister.get("gini"), decimals=2),
            gini_nearest=f.number(nearest.get("gini"), decimals=2),
            palma=f.number(sister.get("palma"), decimals=1),
            palma_nearest=f.number(nearest.get("palma"), decimals=1),
        )
    )
    columns = [
        ("sister", t("report.equity_col_sister")),
        ("nearest", t("report.equity_col_nearest")),
    ]
    table = equity_table(
        [(label, equity.get(key) or {}) for key, label in columns], ctx, limit=limit
    )
    unreached = float(sister.get("population_unreached") or 0.0)
    notes = [t("report.equity_note", limit=limit)]
    if unreached > 0:
        notes.append(t("report.equity_unreached", people=f.people(unreached)))
    return {"text": " ".join(sentences), "table": table, "notes": notes}


def equity_table(
    columns: list[tuple[str, Mapping[str, Any]]], ctx: Context, *, limit: str
) -> dict[str, Any]:
    """The figures side by side: for each set of times (a column group) everyone, the phường
    and thị trấn, the xã; one row per figure."""
    t, f = ctx.t, ctx.f
    groups = []
    for label, figures in columns:
        for kind in (None, "urban", "rural"):
            part = figures if kind is None else figures.get(kind)
            name = t(f"report.equity_kind_{kind or 'all'}", group=label)
            groups.append((name, part if isinstance(part, Mapping) else {}))
    rows_spec = (
        (t("report.equity_row_fgt0", limit=limit), "fgt0", lambda v: f.percent(v, decimals=1)),
        (t("report.equity_row_fgt1"), "fgt1", lambda v: f.number(v, decimals=3)),
        (t("report.equity_row_fgt2"), "fgt2", lambda v: f.number(v, decimals=3)),
        (t("report.equity_row_gini"), "gini", lambda v: f.number(v, decimals=2)),
        (t("report.equity_row_palma"), "palma", lambda v: f.number(v, decimals=2)),
        (t("report.equity_row_mean"), "mean_time_s", lambda v: f.minutes(v, decimals=1)),
        (t("report.equity_row_people"), "population", f.people),
    )
    rows = [
        [text_cell(label)] + [number_cell(fmt(part.get(key))) for _, part in groups]
        for label, key, fmt in rows_spec
    ]
    header = [{"label": "", "num": False}] + [{"label": name, "num": True} for name, _ in groups]
    return {"columns": header, "rows": rows}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
