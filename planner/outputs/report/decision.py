"""The decision table: every district (or unit) with its sister hospital, times, people and the
cost of switching.

:func:`decision_table` gives it as a frame (the columns of :data:`DECISION_COLUMNS`); the report
shows it as its first part (:func:`decision_part`), beside the comparison's hospital of each row
(:func:`other_lookup`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from planner._vn import core_name, district_key, fold
from planner.outputs.formatting import MISSING
from planner.outputs.labels import is_pilot_pair, switch_text
from planner.outputs.report._context import (
    Context,
    is_district_rows,
    number_cell,
    row_name,
    text_cell,
    trip_minutes,
)
from planner.pairing.scoring import counted_population
from planner.places.hanoi.ids import registry_scheme

#: Columns of :func:`decision_table`.
DECISION_COLUMNS = (
    "unit_id",
    "unit_name",
    "unit_level",
    "district",
    "hospital_id",
    "hospital_name",
    "travel_time_s",
    "travel_time_peak_s",
    "population",
    "next_best_hospital_id",
    "switch_cost_s",
    "pinned",
    "units",
    "units_elsewhere",
    "listed_population",
)


def decision_table(
    pairings: pd.DataFrame,
    *,
    peak_times: Mapping[str, float] | pd.Series | None = None,
    by_district: bool | None = None,
) -> pd.DataFrame:
    """Return the decision: one row per district (2024) or per unit, with its sister hospital.

    With ``by_district`` and a pairing holding district-level units with their communes (the
    2024 scheme), each row is a district: its district unit's hospital and trip, the whole
    district's population (each person counted once), and the cost of switching the whole
    district to its next-best hospital (the change in its people's average trip). Otherwise
    (the 2025 units, a user's own units) each unit is a row.

    Parameters
    ----------
    pairings
        A pairing (the pairing contract).
    peak_times
        Travel time per ``unit_id`` at the comparison departure time (``scores.json``'s
        ``per_pair``), for the ``travel_time_peak_s`` column; NaN when not given.
    by_district
        Group communes under their district unit where there is one (``False``: every unit
        is a row); ``None``: every unit for Hanoi's 2025 units (their districts are former
        ones: the units are the decision), by district otherwise.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`DECISION_COLUMNS`: the row's unit, its hospital, ``travel_time_s``,
        ``travel_time_peak_s``, ``population``, ``next_best_hospital_id``, ``switch_cost_s``
        (seconds per trip, population-weighted over the row's units; positive: the next-best
        hospital is slower), ``pinned``, ``units`` (units the row stands for) and
        ``units_elsewhere`` (of those, paired with another hospital). Sorted by hospital, then
        by name.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"unit_id": ["d1", "c1", "c2"], "unit_name": ["D", "C1", "C2"],
    ...     "unit_level": ["district", "commune", "commune"], "district": ["X", "X", "X"],
    ...     "hospital_id": ["h1"] * 3, "hospital_name": ["H"] * 3,
    ...     "travel_time_s": [600.0, 900.0, 1200.0], "population": [300.0, 100.0, 200.0],
    ...     "pinned": [False] * 3, "next_best_hospital_id": ["h2"] * 3,
    ...     "switch_cost_s": [60.0, 60.0, 120.0]})
    >>> row = decision_table(p).iloc[0]
    >>> row["unit_id"], float(row["population"]), float(row["switch_cost_s"]), int(row["units"])
    ('d1', 300.0, 100.0, 3)
    """
    table = pairings.reset_index(drop=True).copy()
    table["unit_id"] = table["unit_id"].astype(str)
    weight = counted_population(table)
    level = table["unit_level"].astype(str) if "unit_level" in table else pd.Series("", table.index)
    district = table["district"] if "district" in table else pd.Series(None, table.index)
    key = district.map(district_key)  # one district however it is spelt
    if by_district is None:
        by_district = registry_scheme(table) != "2025"
    heads = level.eq("district") & key.notna() & by_district
    head_districts = set(key[heads])
    grouped = key.isin(head_districts) & ~heads if head_districts else heads & False
    switch = pd.to_numeric(
        table.get("switch_cost_s", pd.Series(np.nan, table.index)), errors="coerce"
    ).to_numpy(float)
    next_best = table.get("next_best_hospital_id", pd.Series(None, table.index, dtype=object))
    next_key = next_best.astype("string").fillna("").to_numpy(str)
    hospital_key = table["hospital_id"].astype("string").fillna("").to_numpy(str)
    group_key = key.astype("string").fillna("").to_numpy(str)
    names = table.get("hospital_name", pd.Series(None, table.index, dtype=object))
    # the unit's own population as listed (a health centre's: its district's, counted in its
    # communes, so ``population`` has it as 0)
    listed = pd.to_numeric(
        table.get("population", pd.Series(np.nan, table.index)), errors="coerce"
    ).to_numpy(float)
    pinned = (
        table["pinned"].fillna(False).astype(bool).to_numpy()
        if "pinned" in table
        else np.zeros(len(table), bool)
    )
    peak = (
        pd.Series(peak_times, dtype=float).reindex(table["unit_id"]).to_numpy()
        if peak_times is not None
        else np.full(len(table), np.nan)
    )
    rows = []
    for i in np.flatnonzero(~grouped.to_numpy()):
        members = np.flatnonzero(group_key == group_key[i]) if heads.iloc[i] else np.array([i])
        # The whole row switches: its people's average change, over the units whose
        # next-best hospital is the row's (all of them when districts are paired whole).
        ok = np.isfinite(switch[members]) & (next_key[members] == next_key[i])
        w = weight[members][ok]
        cost = float((w * switch[members][ok]).sum() / w.sum()) if w.sum() > 0 else switch[i]
        rows.append(
            {
                "unit_id": table["unit_id"].iloc[i],
                "unit_name": table["unit_name"].iloc[i],
                "unit_level": level.iloc[i],
                "district": district.iloc[i],
                "hospital_id": table["hospital_id"].iloc[i],
                "hospital_name": names.iloc[i],
                "travel_time_s": float(table["travel_time_s"].iloc[i]),
                "travel_time_peak_s": float(peak[i]),
                "population": float(weight[members].sum()),
                "next_best_hospital_id": next_best.iloc[i],
                "switch_cost_s": cost,
                "pinned": bool(pinned[i]),
                "units": len(members),
                "units_elsewhere": int((hospital_key[members] != hospital_key[i]).sum()),
                "listed_population": listed[i],
            }
        )
    out = pd.DataFrame(rows, columns=list(DECISION_COLUMNS))
    order = out.assign(
        _h=out["hospital_name"].map(fold).fillna(""),
        _n=[
            core_name(d if isinstance(d, str) else n)
            for d, n in zip(out["district"], out["unit_name"], strict=True)
        ],
    )
    order = order.sort_values(["_h", "_n", "unit_id"], kind="stable")
    return out.loc[order.index].reset_index(drop=True)


def other_lookup(
    rows: pd.DataFrame, other_pairings: pd.DataFrame, other_rows: pd.DataFrame
) -> tuple[pd.Series, pd.Series]:
    """The other scenario's hospital and time for each of our rows.

    Unit rows match the same unit where the other scenario has them all; district rows (and
    units the other scenario lacks, e.g. 2025 against 2024) match by district: the hospital
    serving most of the district's people there, and their average trip.

    Parameters
    ----------
    rows : pandas.DataFrame
        Our decision rows (:func:`decision_table`).
    other_pairings : pandas.DataFrame
        The other scenario's pairing (the pairing contract: ``unit_id``, ``hospital_id``,
        ``travel_time_s``, ``district``, ``population``...).
    other_rows : pandas.DataFrame
        The other scenario's decision rows (:func:`decision_table` of ``other_pairings``).

    Returns
    -------
    tuple of pandas.Series
        The other scenario's hospital id and travel time in seconds (population-weighted mean
        when matched by district), each indexed like ``rows``; NaN where there is no match.

    Examples
    --------
    >>> import pandas as pd
    >>> ours = pd.DataFrame({"unit_id": ["u1", "u2"], "unit_name": ["A", "B"],
    ...     "unit_level": "commune", "district": ["X", "Y"], "hospital_id": ["h1", "h2"],
    ...     "travel_time_s": [600.0, 1200.0], "population": [100.0, 300.0]})
    >>> rows = decision_table(ours)
    >>> theirs = ours.assign(hospital_id="h2", travel_time_s=[900.0, 1200.0])
    >>> hospital, time = other_lookup(rows, theirs, decision_table(theirs))
    >>> hospital.tolist(), time.tolist()
    (['h2', 'h2'], [900.0, 1200.0])

    Other units (another scheme) match by district: X's people mostly go to h2 there.

    >>> theirs = pd.DataFrame({"unit_id": ["c1", "c2"], "unit_name": ["C1", "C2"],
    ...     "unit_level": "commune", "district": ["X", "X"], "hospital_id": ["h1", "h2"],
    ...     "travel_time_s": [600.0, 1500.0], "population": [100.0, 300.0]})
    >>> hospital, time = other_lookup(rows, theirs, decision_table(theirs))
    >>> hospital.tolist(), time.tolist()
    (['h2', nan], [1275.0, nan])
    """
    keys = rows["unit_id"].astype(str)
    mine = other_rows.set_index(other_rows["unit_id"].astype(str))
    if not is_district_rows(rows) and keys.isin(mine.index).all():
        return (
            mine["hospital_id"].reindex(keys).set_axis(rows.index),
            mine["travel_time_s"].reindex(keys).set_axis(rows.index),
        )
    table = other_pairings.assign(
        _w=counted_population(other_pairings),
        _t=pd.to_numeric(other_pairings["travel_time_s"], errors="coerce"),
    ).dropna(subset=["district"])
    load = table.groupby(["district", "hospital_id"])["_w"].sum().reset_index()
    main = load.sort_values("_w", kind="stable").drop_duplicates("district", keep="last")
    hospital = main.set_index("district")["hospital_id"]
    ok = table.dropna(subset=["_t"])
    ok = ok[ok["_w"] > 0]
    mean = (ok["_t"] * ok["_w"]).groupby(ok["district"]).sum() / ok.groupby("district")["_w"].sum()
    return (
        hospital.reindex(rows["district"]).set_axis(rows.index),
        mean.reindex(rows["district"]).set_axis(rows.index),
    )


def decision_part(
    rows: pd.DataFrame,
    ctx: Context,
    *,
    at: str | None,
    at_peak: str | None,
    other: tuple[pd.Series, pd.Series, str] | None,
    reasons: list[str | None] | None = None,
) -> dict[str, Any]:
    """Return the report's first part: the decision table, its rows grouped by sister hospital.

    Parameters
    ----------
    rows : pandas.DataFrame
        The decision rows (:func:`decision_table`), ordered as they are shown; ``other`` and
        ``reasons`` are looked up by their index (``0..n-1``). When some row stands for
        several units (a district with its communes), the table is one of districts.
    ctx : Context
        The report's language, formatter, hospital names and colours.
    at : str or None
        The run's departure time (``"HH:MM"``) naming the time column; ``None``: "Travel
        time" alone.
    at_peak : str or None
        The comparison departure time; its column is shown when given and some row has a
        ``travel_time_peak_s``.
    other : tuple or None
        A compared scenario: its hospital id and travel time (seconds) per row, indexed like
        ``rows`` (:func:`other_lookup`), and its name; ``None``: no comparison columns.
    reasons : list of str or None, optional
        Per row, why it stays with its hospital although another is faster (shown under the
        row), or ``None``.

    Returns
    -------
    dict
        ``title``, ``note``, ``columns`` (``label``, ``num``: whether a number), ``groups``
        (one per sister hospital in order of first row: ``name``, ``colour``, ``people``,
        ``count`` and ``rows`` of ``cells``, ``changed`` and ``why``) and ``changed_note``
        (how many rows the compared scenario pairs otherwise; ``None`` without ``other``),
        for the report template.

    Examples
    --------
    >>> import pandas as pd
    >>> from planner.outputs.formatting import Formatter
    >>> from planner.outputs.i18n import Translator
    >>> ours = pd.DataFrame({"unit_id": ["u1", "u2"], "unit_name": ["A", "B"],
    ...     "unit_level": "commune", "district": ["X", "Y"], "hospital_id": ["h1", "h2"],
    ...     "travel_time_s": [600.0, 1200.0], "population": [100.0, 300.0]})
    >>> rows = decision_table(ours)
    >>> ctx = Context(t=Translator("en"), f=Formatter("en"), names={"h1": "H1", "h2": "H2"},
    ...     palette={"h1": ("#0072B2", "cross"), "h2": ("#D55E00", "heart")})
    >>> part = decision_part(rows, ctx, at="10:00", at_peak=None, other=None)
    >>> [c["label"] for c in part["columns"]]
    ['Unit', 'Travel time at 10:00', 'Population', 'Next-best hospital', 'If switched']
    >>> [(g["name"], g["rows"][0]["cells"][1]["text"]) for g in part["groups"]]
    [('H1', '10 min'), ('H2', '20 min')]
    >>> plan_b = (pd.Series(["h2", "h2"]), pd.Series([900.0, 1200.0]), "Plan B")
    >>> decision_part(rows, ctx, at="10:00", at_peak=None, other=plan_b)["changed_note"]
    '1 of 2 rows has another sister hospital in “Plan B” (marked ≠).'
    """
    t, f = ctx.t, ctx.f
    districts = is_district_rows(rows)
    former_units = _former_units() if ctx.former else {}
    has_peak = bool(rows["travel_time_peak_s"].notna().any()) and at_peak is not None
    time_label = t("report.col_time_at", time=at) if at else t("map.travel_time")
    columns = [
        {"label": t("report.col_district" if districts else "report.col_unit"), "num": False}
    ]
    columns.append({"label": time_label, "num": True})
    if has_peak:
        columns.append({"label": t("report.col_time_at", time=at_peak), "num": True})
    if other is not None:
        columns.append({"label": t("report.col_hospital_in", name=other[2]), "num": False})
        columns.append({"label": t("report.col_time_in", name=other[2]), "num": True})
    columns += [
        {"label": t("report.col_population"), "num": True},
        {"label": t("report.col_next_best"), "num": False},
        {"label": t("report.col_switch"), "num": True},
    ]
    labels = [c["label"] for c in columns]
    changed_count = 0
    groups: dict[str, dict[str, Any]] = {}
    for row in rows.itertuples(index=True):
        hid = "" if pd.isna(row.hospital_id) else str(row.hospital_id)
        group = groups.setdefault(
            hid,
            {
                "name": ctx.name(row.hospital_id) if hid else t("report.row_unassigned"),
                "colour": ctx.colour(hid),
                "rows": [],
                "people": 0.0,
            },
        )
        group["people"] += row.population if math.isfinite(row.population) else 0.0
        sub = None
        former_unit = former_units.get(str(row.unit_id)) if row.unit_level == "district" else None
        if districts and row.units > 1:
            sub = t("report.communes_with", n=row.units - 1, count=f.count(row.units - 1))
            if row.units_elsewhere:
                sub = t(
                    "report.communes_split",
                    n=row.units_elsewhere,
                    count=f.count(row.units_elsewhere),
                )
        elif former_unit is not None:
            sub = t(
                f"report.former_unit.{former_unit['status_2025']}",
                kind=t(f"report.former_unit.kind.{former_unit['kind']}"),
                district=ctx.district(row.district),
                since=f.day(former_unit["since"]),
            )
        elif isinstance(row.district, str) and not districts:
            sub = ctx.district(row.district)
        badge = None
        if row.pinned:
            pilot = is_pilot_pair(row.district, row.hospital_id)
            badge = t("pin.pilot_short" if pilot else "pin.fixed_short")
        switch = MISSING
        if pd.notna(row.next_best_hospital_id) and math.isfinite(row.switch_cost_s):
            switch = switch_text("", row.switch_cost_s, t, f, prefix="report")
        cells = [
            text_cell(row_name(row), cls="name", sub=sub, badge=badge),
            number_cell(trip_minutes(row.travel_time_s, t, f)),
        ]
        if has_peak:
            cells.append(number_cell(trip_minutes(row.travel_time_peak_s, t, f)))
        changed = False
        if other is not None:
            theirs, their_time = other[0].loc[row.Index], other[1].loc[row.Index]
            changed = str(theirs) != hid if pd.notna(theirs) else bool(hid)
            changed_count += changed
            cells.append(
                text_cell(
                    ctx.name(theirs),
                    cls="hospital",
                    colour=ctx.colour(theirs),
                    mark="≠" if changed else None,
                    mark_title=t("report.col_hospital_in", name=other[2]) if changed else None,
                )
            )
            cells.append(number_cell(trip_minutes(their_time, t, f)))
        people = number_cell(f.people(row.population))
        if former_unit is not None and math.isfinite(row.listed_population):
            # its former district's people, who count in its communes
            people = number_cell(
                f.people(row.listed_population), sub=t("report.former_unit.people")
            )
        cells += [
            people,
            text_cell(
                ctx.name(row.next_best_hospital_id),
                cls="hospital",
                colour=ctx.colour(row.next_best_hospital_id)
                if pd.notna(row.next_best_hospital_id)
                else None,
            ),
            number_cell(switch),
        ]
        for c, label in zip(cells[1:], labels[1:], strict=True):
            c["label"] = label
        why = reasons[row.Index] if reasons is not None else None
        group["rows"].append({"cells": cells, "changed": changed, "why": why})
    for group in groups.values():
        # units that move together (a former district's) stay for one reason: said once, under
        # the last of them
        last = {row["why"]: i for i, row in enumerate(group["rows"]) if row["why"] is not None}
        for i, row in enumerate(group["rows"]):
            if row["why"] is not None and last[row["why"]] != i:
                row["why"] = None
        group["count"] = t(
            "report.group_districts" if districts else "report.group_units",
            n=len(group["rows"]),
            count=f.count(len(group["rows"])),
            people=f.people(group["people"]),
        )
    changed_note = None
    if other is not None:
        key = "report.changed_rows" if changed_count else "report.changed_none"
        changed_note = t(
            key, n=changed_count, count=f.count(changed_count), total=f.count(len(rows)),
            name=other[2],
        )  # fmt: skip
    return {
        "title": t("report.decision_districts" if districts else "report.decision"),
        "note": ctx.says(
            "report.decision_note_districts" if districts else "report.decision_note_units"
        ),
        "columns": columns,
        "groups": list(groups.values()),
        "changed_note": changed_note,
    }


def _former_units() -> dict[str, dict[str, str]]:
    """What our sources say of each district-level unit since 1 July 2025, by facility id."""
    from planner.places.hanoi.registry import district_units_2025

    units = district_units_2025()
    return {str(r["facility_id"]): r for r in units.to_dict("records")}


__all__ = ["DECISION_COLUMNS", "decision_table"]
