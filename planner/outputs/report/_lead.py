"""The report's lead paragraph: what is proposed, what it costs in minutes, what it buys against
the nearest-hospital baseline and the pilot, and the hardest units to reach.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from planner.outputs.formatting import MISSING
from planner.outputs.labels import is_pilot_pair
from planner.outputs.report._context import Context, is_district_rows
from planner.outputs.report._scores import Scores

_HARDEST = 3


def _mean(scores: Mapping[str, Any], suffix: str = "") -> float | None:
    value = scores.get(f"pop_weighted_mean_travel_time{suffix}_s")
    return float(value) if value is not None and math.isfinite(float(value)) else None


def lead_part(
    pairings: pd.DataFrame,
    rows: pd.DataFrame,
    main: Scores,
    ctx: Context,
    *,
    other: tuple[Scores, str, int] | None,
) -> list[str]:
    """The plain paragraph: what is proposed, what it costs, what it buys, the hardest units."""
    t, f = ctx.t, ctx.f
    s = main.overall
    depart, peak = main.depart or MISSING, main.peak_depart
    n_hospitals = len(main.per_hospital) if main.per_hospital is not None else 0
    sentences = []
    if s.get("status") == "scored":
        sentences.append(
            t("report.lead_pairing_scored", units=f.count(len(pairings)), hospitals=n_hospitals)
        )
    elif ctx.former:
        levels = pairings["unit_level"].astype(str) if "unit_level" in pairings else None
        centres = int((levels == "district").sum()) if levels is not None else 0
        sentences.append(
            t(
                "report.lead_pairing_former",
                communes=f.count(len(pairings) - centres),
                centres=f.count(centres),
                units=f.count(len(pairings)),
                hospitals=f.count(n_hospitals),
            )
        )
    elif is_district_rows(rows):
        sentences.append(
            t(
                "report.lead_pairing_districts",
                districts=f.count(len(rows)),
                units=f.count(len(pairings)),
                hospitals=f.count(n_hospitals),
            )
        )
    else:
        sentences.append(
            t("report.lead_pairing_units", units=f.count(len(pairings)), hospitals=n_hospitals)
        )
    paragraphs = [" ".join(sentences)]
    sentences = []
    mean, mean_peak = _mean(s), _mean(s, "_peak")
    if mean is not None:
        if mean_peak is not None and peak:
            sentences.append(
                t(
                    "report.lead_time",
                    mean=f.minutes(mean, decimals=1),
                    depart=depart,
                    mean_peak=f.minutes(mean_peak, decimals=1),
                    peak=peak,
                )
            )
        else:
            sentences.append(
                t("report.lead_time_one", mean=f.minutes(mean, decimals=1), depart=depart)
            )
    nearest = main.baselines.get("nearest")
    if nearest and mean is not None and _mean(nearest) is not None:
        delta = mean - _mean(nearest)  # type: ignore[operator]
        shown = f.minutes(abs(delta), decimals=1)
        if shown == f.minutes(0, decimals=1):
            sentences.append(t("report.lead_cost_same", every=ctx.every()))
        else:
            key = "report.lead_cost_more" if delta > 0 else "report.lead_cost_less"
            sentences.append(t(key, delta=shown, every=ctx.every()))
        idle = _idle_hospitals(nearest, ctx)  # a baseline may leave a hospital with no unit
        sentences.append(
            t(
                "report.lead_buys_idle" if idle else "report.lead_buys",
                ratio=f.ratio(s.get("load_ratio_max_min"), decimals=1),
                ratio_nearest=f.ratio(nearest.get("load_ratio_max_min"), decimals=1),
                covered=f.percent(s.get("share_population_within_60min")),
                covered_nearest=f.percent(nearest.get("share_population_within_60min")),
                idle=idle,
            )
        )
    pilot = main.baselines.get("pilot")
    pinned = (
        pairings[pairings["pinned"].fillna(False).astype(bool)]
        if "pinned" in pairings
        else pairings[:0]
    )
    has_pilot = any(
        is_pilot_pair(d, h)
        for d, h in zip(pinned.get("district", []), pinned["hospital_id"], strict=False)
    )
    if pilot and has_pilot and mean is not None and _mean(pilot) is not None:
        idle = _idle_hospitals(pilot, ctx)
        sentences.append(
            t(
                "report.lead_pilot_idle" if idle else "report.lead_pilot",
                pilot=ctx.says("pilot.pair"),
                every_other=ctx.every(other=True),
                change=_longer_or_shorter(mean - _mean(pilot), ctx),  # type: ignore[operator]
                ratio_pilot=f.ratio(pilot.get("load_ratio_max_min"), decimals=1),
                ratio=f.ratio(s.get("load_ratio_max_min"), decimals=1),
                idle=idle,
            )
        )
    if sentences:
        paragraphs.append(" ".join(sentences))
    sentences = []
    times = pd.to_numeric(pairings["travel_time_s"], errors="coerce")
    hardest = pairings.assign(trip_s=times).dropna(subset=["trip_s"]).nlargest(_HARDEST, "trip_s")
    if len(hardest):
        items = [
            t(
                "report.lead_hardest_item",
                name=_unit_and_district(row, ctx),
                minutes=f.minutes(row.trip_s),
                hospital=ctx.name(row.hospital_id),
            )
            for row in hardest.itertuples()
        ]
        sentences.append(t("report.lead_hardest", units="; ".join(items)))
    missing = int(times.isna().sum())
    if missing:
        sentences.append(t("report.lead_unreachable", n=missing, count=f.count(missing)))
    if other is not None:
        scores, name, changed = other
        sentences.append(
            t(
                "report.lead_compare",
                name=name,
                depart=scores.depart or MISSING,
                mean_other=f.minutes(_mean(scores.overall), decimals=1),
                changed=f.count(changed),
                total=f.count(len(rows)),
            )
        )
    if sentences:
        paragraphs.append(" ".join(sentences))
    return paragraphs


def _idle_hospitals(scores: Mapping[str, Any], ctx: Context) -> str:
    """The hospitals a scenario leaves with no unit, by name ("" when none): its load ratio is
    then infinite, which a sentence says in words rather than as a number."""
    load = scores.get("load")
    if not isinstance(load, Mapping):
        return ""
    return ", ".join(ctx.name(h) for h, people in load.items() if people == 0)


def _longer_or_shorter(seconds: float, ctx: Context) -> str:
    shown = ctx.f.minutes(abs(seconds), decimals=1)
    if shown == ctx.f.minutes(0, decimals=1):
        return ctx.t("report.same_length")
    return ctx.t("report.longer" if seconds > 0 else "report.shorter", minutes=shown)


def _unit_and_district(row: Any, ctx: Context) -> str:
    district = getattr(row, "district", None)
    if isinstance(district, str) and district and district not in str(row.unit_name):
        return f"{row.unit_name}, {ctx.district(district)}"
    return str(row.unit_name)
