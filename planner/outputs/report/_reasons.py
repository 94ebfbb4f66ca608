"""Why a decision row stays with its hospital when its next-best hospital would be faster.

Checked against the run, never guessed: the pilot or a planner's pin holds it; its district is
paired as a whole and would be slower on average; the hospital it would join would go over its
load limit, or its own hospital would fall under its floor (the balance rule, with the limits of
:func:`planner.pairing.explain.load_limits` and the loads of the run's scores). The next-best
hospital is already one the run allows (not a forbidden pair, within the longest time allowed),
so those two rules never stop a switch the table shows. A row none of these explains says that
moving it alone breaks none of them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from planner._vn import district_key
from planner.outputs.labels import is_pilot_pair, switch_direction
from planner.outputs.report._context import Context
from planner.outputs.report._scores import Scores
from planner.pairing.explain import load_limits
from planner.pairing.scoring import counted_population

#: Where the run's scores keep each hospital's load, per load measure.
_LOADS = {"population": "load", "units": "units_per_hospital"}


def _faster(row: Any) -> bool:
    return (
        pd.notna(row.next_best_hospital_id)
        and math.isfinite(row.switch_cost_s)
        and switch_direction(row.switch_cost_s) == "faster"
    )


def _amount(measure: str, ctx: Context, value: float) -> str:
    """A load in words: people, or units."""
    if measure == "population":
        return ctx.f.people(value, unit=True)
    return f"{ctx.f.count(value)} {ctx.t('unit.units')}"


def _limits(
    main: Scores, options: Mapping[str, Any], facilities: pd.DataFrame
) -> tuple[str, pd.DataFrame] | None:
    """The load measure and each hospital's limits, ``None`` when the run had no balance rule
    or its loads are not in the scores."""
    measure = str(options.get("load") or "population")
    balance = options.get("balance")
    loads = main.overall.get(_LOADS.get(measure, ""))
    if balance is None or not isinstance(loads, Mapping):
        return None
    hospitals = facilities[facilities["level"] == "regional"]
    return measure, load_limits(loads, hospitals, balance=float(balance))


def stay_reasons(
    pairings: pd.DataFrame,
    rows: pd.DataFrame,
    main: Scores,
    facilities: pd.DataFrame,
    ctx: Context,
) -> tuple[list[str | None], str]:
    """Per decision row, why it stays (``None`` unless switching would be faster), and the
    lead's sentence counting those rows."""
    t, f = ctx.t, ctx.f
    options = main.options
    table = pairings.reset_index(drop=True)
    keys = table["district"].map(district_key) if "district" in table else None
    weight = counted_population(table)
    switch = pd.to_numeric(
        table.get("switch_cost_s", pd.Series(np.nan, table.index)), errors="coerce"
    ).to_numpy(float)
    limits = _limits(main, options, facilities)
    hierarchical = bool(options.get("hierarchical", True))
    reasons: list[str | None] = []
    limited = False  # some row stays for a load limit: the lead says what the limits are
    for row in rows.itertuples(index=False):
        if not _faster(row):
            reasons.append(None)
            continue
        kinds: list[tuple[str, str]] = []
        if row.pinned:
            pilot = is_pilot_pair(row.district, row.hospital_id)
            kinds.append(("pilot", t("why.pilot")) if pilot else ("pin", t("why.pin")))
        members = np.flatnonzero(table["unit_id"].astype(str).to_numpy() == str(row.unit_id))
        key = district_key(row.district) if isinstance(row.district, str) else None
        if keys is not None and key is not None and (hierarchical or row.units > 1):
            members = np.flatnonzero((keys == key).to_numpy())
        whole = len(members) > 1 and row.units == 1  # a unit that moves with its district
        if whole:
            ok = np.isfinite(switch[members])
            w = weight[members][ok]
            cost = (
                float((w * switch[members][ok]).sum() / w.sum())
                if w.sum() > 0
                else float(switch[members][ok].mean())
            )
            if switch_direction(cost) == "slower":
                kinds.append(("district", ctx.says("why.district", minutes=f.minutes(cost))))
        if limits is None:
            kinds.append(("unknown", t("why.unknown")))
        else:
            measure, bounds = limits
            moved = float(weight[members].sum()) if measure == "population" else len(members)
            target, own = str(row.next_best_hospital_id), str(row.hospital_id)
            broken: list[tuple[float, str, str]] = []  # (by how much, kind, words)
            if target in bounds.index:
                over = bounds.at[target, "load"] + moved - bounds.at[target, "upper"]
                if over > 0:
                    words = t(
                        "why.full", hospital=ctx.name(target), over=_amount(measure, ctx, over)
                    )
                    broken.append((over, "full", words))
            if own in bounds.index:
                under = bounds.at[own, "lower"] - (bounds.at[own, "load"] - moved)
                if under > 0:
                    words = t(
                        "why.floor", hospital=ctx.name(own), under=_amount(measure, ctx, under)
                    )
                    broken.append((under, "floor", words))
            if broken:  # the limit broken by most binds; the full numbers are in scores.json
                _, kind, words = max(broken, key=lambda b: b[0])
                kinds.append((kind, words))
        if not kinds:
            kinds.append(("none", t("why.none")))
        with_district = ctx.says("why.with_district", district=ctx.district(row.district))
        prefix = with_district + " " if whole else ""
        reasons.append(t("why.stays", reasons=prefix + "; ".join(words for _, words in kinds)))
        limited = limited or any(k in ("full", "floor") for k, _ in kinds)
    faster = sum(r is not None for r in reasons)
    if not faster:
        return reasons, t("report.lead_stay_none")
    lead = t("report.lead_stay", n=faster, count=f.count(faster), total=f.count(len(rows)))
    if limited:
        lead += " " + t("report.lead_limits", balance=f.percent(options.get("balance")))
    return reasons, lead
