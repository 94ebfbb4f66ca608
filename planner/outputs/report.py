"""The officials' report: one standalone ``report.html`` that states the decision first.

Order of the page: the title naming the scenario, one plain paragraph (what is proposed, what
it costs in minutes, what it buys against the nearest-hospital baseline and the pilot, the
hardest units to reach), the decision table (every district, or every unit, with its sister
hospital, its times at both departure times, population, next-best hospital and the cost of
switching), the map, the figures beside the alternatives, each hospital's share, charts, the
terms used, assumptions and sources, and a summary of the units placed at approximate
locations (the full list goes to ``approximate_locations.csv`` beside the report).

Everything is inside the file: the self-contained map (as an ``iframe`` ``srcdoc``), the
charts as inline SVG drawn by matplotlib, the tables as HTML from a jinja2 template with
autoescape (``templates/report.html.j2``): names, ids and districts from users are text, never
markup. Labels name the actual departure times of the run ("at 17:30"), never "peak" or
"off-peak". A print stylesheet fits the 2024 demo on a few A4 pages; on a phone the decision
table turns into one card per row.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from markupsafe import Markup

from planner._vn import core_name, district_key, fold
from planner.config import authored_dir
from planner.errors import PlannerInputError
from planner.io import atomic_path, write_csv
from planner.outputs._templates import render
from planner.outputs.formatting import MISSING, Formatter, clock, scenario_parts
from planner.outputs.i18n import DEFAULT_LANG, Translator
from planner.outputs.labels import hospital_palette, is_pilot_pair, site_label, switch_text
from planner.outputs.maps import map_html, pairing_map
from planner.pairing.scoring import population_weights
from planner.places.facilities import APPROXIMATE_SOURCES
from planner.places.sites import hospital_of

log = logging.getLogger(__name__)

#: The full list of approximately placed units, written beside the report.
APPROXIMATE_CSV = "approximate_locations.csv"
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
)
_UNKNOWN_COLOUR = "#7f7f7f"
#: Older names of the trip directions in scores (scoring's ``pair_costs``).
_DIRECTIONS = {"hospital_to_unit": "to_unit", "unit_to_hospital": "to_hospital"}
_HARDEST = 3


@dataclass(frozen=True)
class _Scores:
    """Scores in one shape, whether given as :class:`PairingScores` or ``scores.json``."""

    overall: dict[str, Any]
    per_hospital: pd.DataFrame | None
    baselines: dict[str, dict[str, Any]]
    peak_times: pd.Series | None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def depart(self) -> str | None:
        value = self.overall.get("depart") or self.options.get("depart")
        return clock(value) if value else None

    @property
    def peak_depart(self) -> str | None:
        value = self.overall.get("peak_depart") or self.options.get("peak_depart")
        return clock(value) if value else None

    @property
    def directions(self) -> str | None:
        """``"both"``, ``"to_unit"`` or ``"to_hospital"``: which trips a pair's time averages."""
        value = self.overall.get("directions") or self.options.get("directions")
        return _DIRECTIONS.get(str(value), str(value)) if value else None


def _read_scores(scores: Any) -> _Scores:
    """Normalise a :class:`planner.pairing.scoring.PairingScores` or the dict of ``scores.json``."""
    if hasattr(scores, "overall") and hasattr(scores, "per_hospital"):
        per_pair = getattr(scores, "per_pair", None)
        peak = None
        if per_pair is not None and "travel_time_peak_s" in per_pair:
            peak = pd.Series(
                per_pair["travel_time_peak_s"].to_numpy(float),
                index=per_pair["unit_id"].astype(str),
            )
        return _Scores(dict(scores.overall), scores.per_hospital, {}, peak)
    if isinstance(scores, Mapping):
        per = scores.get("per_hospital")
        frame = pd.DataFrame(per) if isinstance(per, list) and per else None
        if frame is None and isinstance(scores.get("load"), Mapping):
            # An older scores.json: the population per hospital is all it has.
            load = scores["load"]
            frame = pd.DataFrame({"hospital_id": list(load), "population": list(load.values())})
        baselines = scores.get("baselines")
        baselines = dict(baselines) if isinstance(baselines, Mapping) else {}
        peak = None
        pairs = scores.get("per_pair")
        if isinstance(pairs, list) and pairs and "travel_time_peak_s" in pairs[0]:
            table = pd.DataFrame(pairs)
            peak = pd.Series(
                pd.to_numeric(table["travel_time_peak_s"], errors="coerce").to_numpy(float),
                index=table["unit_id"].astype(str),
            )
        options = scores.get("options")
        return _Scores(
            dict(scores),
            frame,
            {k: dict(v) for k, v in baselines.items() if v},
            peak,
            dict(options) if isinstance(options, Mapping) else {},
        )
    raise PlannerInputError(
        f"scores of type {type(scores).__name__} are not understood",
        field="scores",
        hint="pass score_pairings(...) or the dict of scores.json",
    )


def _counted_population(pairings: pd.DataFrame) -> np.ndarray:
    pop = pd.to_numeric(
        pairings["population"] if "population" in pairings else pd.Series(np.nan, pairings.index),
        errors="coerce",
    )
    if "unit_level" not in pairings or "district" not in pairings:
        return pop.fillna(0.0).to_numpy(float)
    return population_weights(pairings["unit_level"], pairings["district"], pop)


def decision_table(
    pairings: pd.DataFrame,
    *,
    peak_times: Mapping[str, float] | pd.Series | None = None,
    by_district: bool = True,
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
        is a row, as for the 2025 units).

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
    weight = _counted_population(table)
    level = table["unit_level"].astype(str) if "unit_level" in table else pd.Series("", table.index)
    district = table["district"] if "district" in table else pd.Series(None, table.index)
    key = district.map(district_key)  # one district however it is spelt
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


# -- the parts of the page --------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """What every part of the page needs: language, names and colours of the hospitals."""

    t: Translator
    f: Formatter
    names: Mapping[str, str]
    palette: Mapping[str, tuple[str, str]]

    def name(self, hospital_id: Any) -> str:
        if hospital_id is None or (isinstance(hospital_id, float) and math.isnan(hospital_id)):
            return MISSING
        if pd.isna(hospital_id):
            return MISSING
        return self.names.get(str(hospital_id), str(hospital_id))

    def colour(self, hospital_id: Any) -> str:
        return self.palette.get(str(hospital_id), (_UNKNOWN_COLOUR, ""))[0]


def _cell(text: Any, **extra: Any) -> dict[str, Any]:
    return {
        "text": "" if text is None else str(text),
        "num": False,
        "cls": None,
        "label": None,
        "colour": None,
        "badge": None,
        "sub": None,
        "mark": None,
        "mark_title": None,
        **extra,
    }


def _num(text: Any, **extra: Any) -> dict[str, Any]:
    return _cell(text, num=True, **extra)


def _is_district_rows(rows: pd.DataFrame) -> bool:
    return bool(len(rows)) and bool((rows["units"] > 1).any())


def _row_name(row: Any) -> str:
    if row.unit_level == "district" and isinstance(row.district, str) and row.units > 1:
        return row.district
    return str(row.unit_name)


def _other_lookup(
    rows: pd.DataFrame, other_pairings: pd.DataFrame, other_rows: pd.DataFrame
) -> tuple[pd.Series, pd.Series]:
    """The other scenario's hospital and time for each of our rows.

    Unit rows match the same unit where the other scenario has them all; district rows (and
    units the other scenario lacks, e.g. 2025 against 2024) match by district: the hospital
    serving most of the district's people there, and their average trip.
    """
    keys = rows["unit_id"].astype(str)
    mine = other_rows.set_index(other_rows["unit_id"].astype(str))
    if not _is_district_rows(rows) and keys.isin(mine.index).all():
        return (
            mine["hospital_id"].reindex(keys).set_axis(rows.index),
            mine["travel_time_s"].reindex(keys).set_axis(rows.index),
        )
    table = other_pairings.assign(
        _w=_counted_population(other_pairings),
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


def _decision_part(
    rows: pd.DataFrame,
    ctx: _Context,
    *,
    depart: str | None,
    peak: str | None,
    other: tuple[pd.Series, pd.Series, str] | None,
) -> dict[str, Any]:
    t, f = ctx.t, ctx.f
    districts = _is_district_rows(rows)
    has_peak = bool(rows["travel_time_peak_s"].notna().any()) and peak is not None
    time_label = t("report.col_time_at", time=depart) if depart else t("map.travel_time")
    columns = [
        {"label": t("report.col_district" if districts else "report.col_unit"), "num": False}
    ]
    columns.append({"label": time_label, "num": True})
    if has_peak:
        columns.append({"label": t("report.col_time_at", time=peak), "num": True})
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
        if districts and row.units > 1:
            sub = t("report.communes_with", count=f.count(row.units - 1))
            if row.units_elsewhere:
                sub = t("report.communes_split", count=f.count(row.units_elsewhere))
        elif isinstance(row.district, str) and not districts:
            sub = row.district
        badge = None
        if row.pinned:
            pilot = is_pilot_pair(row.district, row.hospital_id)
            badge = t("pin.pilot_short" if pilot else "pin.fixed_short")
        switch = MISSING
        if pd.notna(row.next_best_hospital_id) and math.isfinite(row.switch_cost_s):
            switch = switch_text("", row.switch_cost_s, t, f, prefix="report")
        cells = [
            _cell(_row_name(row), cls="name", sub=sub, badge=badge),
            _num(_trip(row.travel_time_s, t, f)),
        ]
        if has_peak:
            cells.append(_num(_trip(row.travel_time_peak_s, t, f)))
        changed = False
        if other is not None:
            theirs, their_time = other[0].loc[row.Index], other[1].loc[row.Index]
            changed = str(theirs) != hid if pd.notna(theirs) else bool(hid)
            changed_count += changed
            cells.append(
                _cell(
                    ctx.name(theirs),
                    colour=ctx.colour(theirs),
                    mark="≠" if changed else None,
                    mark_title=t("report.col_hospital_in", name=other[2]) if changed else None,
                )
            )
            cells.append(_num(_trip(their_time, t, f)))
        cells += [
            _num(f.people(row.population)),
            _cell(
                ctx.name(row.next_best_hospital_id),
                colour=ctx.colour(row.next_best_hospital_id)
                if pd.notna(row.next_best_hospital_id)
                else None,
            ),
            _num(switch),
        ]
        for c, label in zip(cells[1:], labels[1:], strict=True):
            c["label"] = label
        group["rows"].append({"cells": cells, "changed": changed})
    for group in groups.values():
        group["count"] = t(
            "report.group_districts" if districts else "report.group_units",
            count=f.count(len(group["rows"])),
            people=f.people(group["people"]),
        )
    changed_note = None
    if other is not None:
        key = "report.changed_rows" if changed_count else "report.changed_none"
        changed_note = t(key, count=f.count(changed_count), total=f.count(len(rows)), name=other[2])
    return {
        "title": t("report.decision_districts" if districts else "report.decision"),
        "note": t("report.decision_note_districts" if districts else "report.decision_note_units"),
        "columns": columns,
        "groups": list(groups.values()),
        "changed_note": changed_note,
    }


def _trip(seconds: Any, t: Translator, f: Formatter) -> str:
    if seconds is None or pd.isna(seconds) or not math.isfinite(float(seconds)):
        return MISSING
    return f.minutes(seconds)


def _mean(scores: Mapping[str, Any], suffix: str = "") -> float | None:
    value = scores.get(f"pop_weighted_mean_travel_time{suffix}_s")
    return float(value) if value is not None and math.isfinite(float(value)) else None


def _lead(
    pairings: pd.DataFrame,
    rows: pd.DataFrame,
    main: _Scores,
    ctx: _Context,
    *,
    other: tuple[_Scores, str, int] | None,
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
    elif _is_district_rows(rows):
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
            sentences.append(t("report.lead_cost_same"))
        else:
            key = "report.lead_cost_more" if delta > 0 else "report.lead_cost_less"
            sentences.append(t(key, delta=shown))
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
                name=_unit_and_district(row),
                minutes=f.minutes(row.trip_s),
                hospital=ctx.name(row.hospital_id),
            )
            for row in hardest.itertuples()
        ]
        sentences.append(t("report.lead_hardest", units="; ".join(items)))
    missing = int(times.isna().sum())
    if missing:
        sentences.append(t("report.lead_unreachable", count=f.count(missing)))
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


def _idle_hospitals(scores: Mapping[str, Any], ctx: _Context) -> str:
    """The hospitals a scenario leaves with no unit, by name ("" when none): its load ratio is
    then infinite, which a sentence says in words rather than as a number."""
    load = scores.get("load")
    if not isinstance(load, Mapping):
        return ""
    return ", ".join(ctx.name(h) for h, people in load.items() if people == 0)


def _longer_or_shorter(seconds: float, ctx: _Context) -> str:
    shown = ctx.f.minutes(abs(seconds), decimals=1)
    if shown == ctx.f.minutes(0, decimals=1):
        return ctx.t("report.same_length")
    return ctx.t("report.longer" if seconds > 0 else "report.shorter", minutes=shown)


def _unit_and_district(row: Any) -> str:
    district = getattr(row, "district", None)
    if isinstance(district, str) and district and district not in str(row.unit_name):
        return f"{row.unit_name}, {district}"
    return str(row.unit_name)


def _figure_specs(
    t: Translator, depart: str, peak: str | None, *, same_depart: bool
) -> list[tuple[str, str, str]]:
    """The figures beside the alternatives: (label, scores key, how to format).

    When the compared scenarios leave at different times, the main figures are labelled "at
    each scenario's departure time" and the column headers give the times.
    """
    when = t("at_time", time=depart) if same_depart else t("report.at_own")
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
        (t("report.row_consistency"), "hierarchy_consistency", "pct"),
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


def _figures_part(
    main: _Scores, ctx: _Context, *, other: tuple[_Scores, str] | None
) -> dict[str, Any]:
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
    for label, score_key, kind in _figure_specs(t, depart, peak, same_depart=same_depart):
        values = [figures.get(score_key) for _, figures in columns]
        if all(v is None for v in values):
            continue
        body.append([_cell(label), *(_num(_format(kind, v, f)) for v in values)])
    others = [name for name, _ in columns[1:]]
    note = t("report.compare_note", others=", ".join(others)) if others else ""
    return {"columns": heads, "rows": body, "note": note}


def _hospital_order(per_hospital: pd.DataFrame, ctx: _Context) -> pd.DataFrame:
    """The per-hospital rows with a display name, sorted by name (the charts' order too)."""
    ids = per_hospital["hospital_id"].astype(str)
    own = per_hospital.get("hospital_name", pd.Series(None, index=per_hospital.index))
    shown = [
        ctx.names.get(h) or (str(n) if pd.notna(n) else h) for h, n in zip(ids, own, strict=True)
    ]
    return per_hospital.assign(hospital_id=ids, _name=shown).sort_values("_name", kind="stable")


def _hospitals_part(
    per_hospital: pd.DataFrame, main: _Scores, ctx: _Context, *, sites: list[str]
) -> dict[str, Any]:
    t, f = ctx.t, ctx.f
    spec = [
        ("districts", "report.col_districts", f.count),
        ("units", "report.col_units", f.count),
        ("population", "report.col_population", f.people),
        ("load_share", "report.col_share", lambda v: f.percent(v, decimals=1)),
        ("mean_travel_time_s", "report.col_mean", lambda v: f.minutes(v, decimals=1)),
        ("max_travel_time_s", "report.col_longest", f.minutes),
        ("staff_travel_hours_per_month", "report.col_staff", f.hours),
    ]
    spec = [s for s in spec if s[0] in per_hospital]
    columns = [{"label": t("report.col_name"), "num": False}]
    columns += [{"label": t(label), "num": True} for _, label, _ in spec]
    rows = []
    for record in per_hospital.to_dict("records"):
        cells = [_cell(record["_name"], cls="name", colour=ctx.colour(record["hospital_id"]))]
        cells += [_num(fmt(record.get(col))) for col, _, fmt in spec]
        rows.append(cells)
    visits = main.overall.get("visits_per_month", 4)
    note = t("report.per_hospital_note", time=main.depart or MISSING, visits=f.count(visits))
    return {"columns": columns, "rows": rows, "note": note, "sites": sites}


def _site_notes(
    pairings: pd.DataFrame,
    hospitals: pd.DataFrame,
    per_hospital: pd.DataFrame,
    main: _Scores,
    ctx: _Context,
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
            units = ctx.f.count(int(used.get(str(site.facility_id), 0)))
            parts.append(ctx.t("report.site_units", site=site_label(site, ctx.t), units=units))
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


def _svg(fig: Any) -> Markup:
    buf = io.StringIO()
    # No date, and ids salted by a constant: the same chart gives the same bytes.
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    return Markup(text[text.index("<svg") :])  # drop the XML prologue and DOCTYPE


def _charts(
    pairings: pd.DataFrame, per_hospital: pd.DataFrame, ctx: _Context, *, depart: str
) -> list[Markup]:
    """Travel-time distribution per hospital (per unit) and the scored population served.

    Names are drawn as plain text (``parse_math=False``): a ``$`` in a name is not TeX.
    """
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
        ax.set_title(t("report.chart_time", time=depart), parse_math=False)
        ax.invert_yaxis()  # top to bottom in the table's order, like the load chart
        ax.grid(axis="x", alpha=0.3)
        time_svg = _svg(fig)

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
        load_svg = _svg(fig)
    return [time_svg, load_svg]


#: The coverage curve shows people within up to this many minutes.
_CURVE_MAX_MIN = 150
#: At most this many district names in the sentence on the other demand.
_NAMES_SHOWN = 5


def _cells(main: _Scores) -> Mapping[str, Any] | None:
    """The ``cells`` section of ``scores.json`` when the run placed people where they live."""
    cells = main.overall.get("cells")
    if isinstance(cells, Mapping) and cells.get("curve") and cells.get("per_district"):
        return cells
    return None


def _people_part(main: _Scores, ctx: _Context, pairings: pd.DataFrame) -> dict[str, Any] | None:
    """Where people live: the headline, the units the points mislead most, the other demand,
    the coverage curve, the table per district from cells beside the units' points (``None``
    without cells)."""
    cells = _cells(main)
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
            t(
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
                _cell(record["district"], cls="name"),
                _num(f.people(record.get("population"))),
                _num(_trip(record.get("mean_time_to_sister_s"), t, f)),
                _num(_trip(record.get("p90_time_to_sister_s"), t, f)),
                _num(f.percent(record.get("share_sister_60min"))),
                _num(f.minutes(record.get("points_minus_cells_s"), signed=True)),
            ]
        )
    columns = [{"label": t("report.col_district"), "num": False}] + [
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
        "chart": _coverage_chart(cells["curve"], ctx, depart=depart),
        "tables": [
            {"columns": columns, "rows": part} for part in (rows[:half], rows[half:]) if part
        ],
        "note": t("report.people_table_note"),
        "credit": str(cells.get("attribution") or ""),
    }


def _demand_sentence(demand: Mapping[str, Any], ctx: _Context) -> str:
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
    names = [str(d) for d in demand.get("districts_changed") or []]
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


def _coverage_chart(curve: Any, ctx: _Context, *, depart: str) -> Markup:
    """People within N minutes of their sister and of their nearest hospital: from where they
    live (cells, solid) beside each unit's people counted at its point (dashed)."""
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
        ax.set_title(t("report.curve_title", time=depart), parse_math=False)
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right", fontsize=9, frameon=False)
        return _svg(fig)


def _terms(ctx: _Context, main: _Scores, *, pilot: bool, fixed: bool) -> list[tuple[str, str]]:
    t = ctx.t
    keys = ["sister", "trip", "average", "nearest"]
    keys += ["pilot"] if pilot else []
    keys += ["fixed"] if fixed else []
    keys += ["balance", "load_ratio", "coverage", "switch", "gap"]
    keys += ["cells", "p90"] if _cells(main) is not None else []
    out = []
    for key in keys:
        definition = f"term.{key}_def"
        if key == "trip":
            definition = f"term.trip_def.{main.directions or 'both'}"
        out.append((t(f"term.{key}"), t.get(definition, t("term.trip_def.both"))))
    return out


_KNOWN_OPTIONS = frozenset(
    {
        "scheme",
        "mode",
        "depart",
        "peak_depart",
        "objective",
        "balance",
        "load",
        "hierarchical",
        "pilot_pinned",
        "pins",
        "specialty_need",
        "site_rule",
        "roads",
        "roads_date",
        "region",
        "directions",
        "demand",
        "population",
    }
)


def _assumptions(
    main: _Scores, options: Mapping[str, Any], ctx: _Context, *, has_pilot: bool
) -> list[tuple[str, str]]:
    from planner.roads.speeds import congestion_factor

    t, f = ctx.t, ctx.f
    out: list[tuple[str, str]] = []
    scheme = options.get("scheme")
    if scheme:
        out.append((t("assume.units"), t.get(f"scenario.scheme.{scheme}", str(scheme))))
    mode = options.get("mode")
    depart, peak = main.depart, main.peak_depart
    if mode and depart:
        mode_text = t.get(f"mode.{mode}", str(mode)).capitalize()
        if peak:
            out.append(
                (
                    t("assume.travel"),
                    t("assume.travel_text", mode=mode_text, depart=depart, peak=peak),
                )
            )
        else:
            out.append(
                (t("assume.travel"), t("assume.travel_text_one", mode=mode_text, depart=depart))
            )
        traffic = [
            t("assume.traffic_text", time=time, share=f.percent(congestion_factor(time, mode=mode)))
            for time in dict.fromkeys(x for x in (depart, peak) if x)
        ]
        out.append((t("assume.traffic"), " ".join(traffic)))
    out.append((t("assume.directions"), t(f"term.trip_def.{main.directions or 'both'}")))
    site_rule = options.get("site_rule") or main.overall.get("site_rule")
    if site_rule in ("nearest", "main"):
        out.append((t("assume.sites"), t(f"assume.sites.{site_rule}")))
    demand = options.get("demand")
    if demand in ("points", "cells"):
        out.append((t("assume.demand"), t(f"assume.demand.{demand}")))
    objective = options.get("objective") or main.overall.get("objective")
    if objective:
        goal = t.get(f"scenario.objective.{objective}", str(objective))
        balance = options.get("balance")
        if balance is not None:
            rule = t(
                "assume.rule_text",
                objective=goal,
                balance=t("scenario.balance", share=f.percent(balance)),
            )
        else:
            rule = t("assume.rule_no_balance", objective=goal)
        if options.get("hierarchical") is not None:
            rule += " " + t(
                "assume.whole_districts" if options["hierarchical"] else "assume.split_units"
            )
        out.append((t("assume.rule"), rule))
    fixed = []
    if has_pilot:
        fixed.append(t("assume.fixed_pilot"))
    pins = options.get("pins") or {}
    if pins:
        fixed.append(t("assume.fixed_pins", count=f.count(len(pins))))
    if objective or fixed:
        out.append((t("assume.fixed"), "; ".join(fixed) or t("assume.fixed_none")))
    load = options.get("load")
    if load:
        out.append((t("assume.load"), t.get(f"assume.load.{load}", str(load))))
    if "specialty_need" in options:
        need = options["specialty_need"]
        text = (
            t("assume.specialty_file", file=Path(str(need)).name)
            if need
            else t("assume.specialty_none")
        )
        out.append((t("assume.specialty"), text))
    if options.get("region") == "Hanoi":
        out.append((t("assume.population"), t("assume.population_text")))
    status = main.overall.get("status")
    if status in ("optimal", "time_limit", "scored"):
        gap = main.overall.get("mip_gap", main.overall.get("gap_to_optimal"))
        out.append(
            (t("assume.solver"), t(f"assume.solver.{status}", gap=f.percent(gap or 0, decimals=2)))
        )
    for key, value in options.items():
        if key not in _KNOWN_OPTIONS:
            out.append((str(key), str(value)))
    return out


def _speeds_part(mode: str | None, ctx: _Context) -> dict[str, Any] | None:
    from planner.roads.speeds import load_speed_table

    if not mode:
        return None
    t, f = ctx.t, ctx.f
    table = load_speed_table()
    table = table[(table["mode"] == mode) & table["usable"].astype(bool)]
    columns = [
        {"label": t("report.col_road"), "num": False},
        {"label": t("report.col_speed"), "num": True},
    ]
    english = t.lang == "en"  # the reasons are written in English only
    if english:
        columns.append({"label": t("report.col_reason"), "num": False})
    rows = []
    for record in table.to_dict("records"):
        cells = [
            _cell(t.get(f"road.{record['class']}", str(record["class"]))),
            _num(f.number(record["speed_kph"])),
        ]
        if english:
            cells.append(_cell(record.get("reason", "")))
        rows.append(cells)
    title = t("report.speeds", mode=t.get(f"mode_name.{mode}", mode))
    return {"title": title, "columns": columns, "rows": rows}


@functools.cache
def _sources() -> tuple[dict[str, str], ...]:
    path = authored_dir() / "sources.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def road_data_date(source: str | Path | None) -> str | None:
    """Return the date of a road source we document (``"2021-08"``), else ``None``.

    Parameters
    ----------
    source
        The road graph's ``source`` (a file path, perhaps with a note after it).

    Returns
    -------
    str or None

    Examples
    --------
    >>> road_data_date("/data/hanoi_osm_2021-08_z14.mbtiles (Hanoi)")
    '2021-08'
    >>> road_data_date("my_roads.osm.pbf") is None
    True
    """
    if not source:
        return None
    text = str(source)
    for row in _sources():
        if row["file"] and row["file"] in text and row.get("date"):
            return row["date"]
    return None


def _sources_part(ctx: _Context) -> dict[str, Any]:
    t = ctx.t
    what = "what_vi" if t.lang == "vi" else "what_en"
    return {
        "columns": [
            {"label": t("report.col_file"), "num": False},
            {"label": t("report.col_what"), "num": False},
            {"label": t("report.col_licence"), "num": False},
        ],
        "rows": [[_cell(r["file"]), _cell(r[what]), _cell(r["licence"])] for r in _sources()],
    }


def approximate_units(pairings: pd.DataFrame, facilities: pd.DataFrame) -> pd.DataFrame:
    """Return the pairing's units placed at a commune or district centre, not at a building.

    Parameters
    ----------
    pairings
        A pairing (the pairing contract).
    facilities
        The facility table it was made with (``location_source``).

    Returns
    -------
    pandas.DataFrame
        ``unit_id``, ``unit_name``, ``unit_level``, ``district``, ``location_source``, sorted by
        district and name (empty when every unit has a mapped location).

    Examples
    --------
    >>> pairings = pd.DataFrame({"unit_id": ["c1", "c2", "d1"],
    ...     "unit_name": ["Trạm Y tế xã Ba Vì", "Trạm Y tế xã Tản Lĩnh", "TTYT Ba Vì"],
    ...     "unit_level": ["commune", "commune", "district"], "district": "Huyện Ba Vì",
    ...     "hospital_id": "hn-reg-xanhpon"})
    >>> facilities = pd.DataFrame({"facility_id": ["c1", "c2", "d1"],
    ...     "location_source": ["osm", "population_centre", "commune_centroid"]})
    >>> approximate_units(pairings, facilities)[["unit_id", "location_source"]].values.tolist()
    [['c2', 'population_centre'], ['d1', 'commune_centroid']]
    """
    columns = ["unit_id", "unit_name", "unit_level", "district", "location_source"]
    if "location_source" not in facilities:
        return pd.DataFrame(columns=columns)
    source = facilities.set_index(facilities["facility_id"].astype(str))["location_source"]
    ids = pairings["unit_id"].astype(str)
    table = pd.DataFrame(
        {
            "unit_id": ids.to_numpy(),
            "unit_name": pairings["unit_name"].astype(str).to_numpy(),
            "unit_level": pairings["unit_level"].astype(str).to_numpy(),
            "district": pairings["district"].to_numpy() if "district" in pairings else None,
            "location_source": source.reindex(ids).astype(str).to_numpy(),
        }
    )
    table = table[table["location_source"].isin(APPROXIMATE_SOURCES)]
    order = table.assign(_d=table["district"].map(fold), _n=table["unit_name"].map(fold))
    return table.loc[order.sort_values(["_d", "_n", "unit_id"]).index].reset_index(drop=True)


def _approximate_part(approx: pd.DataFrame, total: int, ctx: _Context) -> dict[str, Any]:
    t, f = ctx.t, ctx.f
    if approx.empty:
        return {"text": t("report.approximate_none"), "counts": []}
    counts = approx.groupby(approx["district"].fillna(MISSING), sort=False).size()
    counts = counts.iloc[np.argsort([core_name(d) for d in counts.index], kind="stable")]
    return {
        "text": t(
            "report.approximate_text",
            count=f.count(len(approx)),
            total=f.count(total),
            file=APPROXIMATE_CSV,
        ),
        "counts": [(str(d), f.count(n)) for d, n in counts.items()],
    }


def _by_district(options: Mapping[str, Any], facilities: pd.DataFrame) -> bool:
    """Decide per district (2024), not per unit (the 2025 units, which are the decision)."""
    scheme = options.get("scheme")
    if scheme is None and "scheme" in facilities and len(facilities):
        scheme = str(facilities["scheme"].iloc[-1])
    return str(scheme) != "2025"


def _resolve_target(out: str | Path) -> Path:
    out = Path(out)
    if out.is_dir() or not out.suffix:
        return out / "report.html"
    return out


def write_report(
    out: str | Path,
    *,
    pairings: pd.DataFrame,
    scores: Any,
    facilities: pd.DataFrame,
    map: Any = None,
    assumptions: Mapping[str, Any] | None = None,
    compare: pd.DataFrame | None = None,
    compare_scores: Any = None,
    compare_name: str | None = None,
    graph: Any = None,
    lang: str = DEFAULT_LANG,
) -> Path:
    """Write the standalone ``report.html`` for officials and return its path.

    Beside it, ``approximate_locations.csv`` lists the units placed at a commune or district
    centre (the report shows their count per district).

    Parameters
    ----------
    out
        A folder (the file is ``report.html`` in it) or the file path itself.
    pairings
        The pairing to report (pairing contract).
    scores
        :func:`planner.pairing.scoring.score_pairings` result, or the dict of ``scores.json`` (with
        its ``baselines``, ``options``, ``depart``/``peak_depart``/``directions`` and
        ``per_pair`` times at the comparison departure). The figures are shown as scored;
        only the travel-time chart reads the pairing's per-unit ``travel_time_s``.
    facilities
        The facility table the pairing was made with.
    map
        A :func:`planner.outputs.maps.pairing_map` to embed; ``None`` draws one (self-contained).
    assumptions
        Run settings (``scheme``, ``mode``, ``depart``, ``objective``, ``balance``...), over
        the ``options`` of ``scores.json``; they name the scenario in the title. Settings the
        report does not know are listed as given.
    compare
        A second pairing: drawn on the map when ``map`` is ``None`` (same units only). With
        ``compare_scores``, a second scenario shown side by side in the tables (matched by
        unit, or by district when the units differ, e.g. 2024 against 2025).
    compare_scores
        The scores of ``compare`` (as ``scores``).
    compare_name
        What the second scenario is called (e.g. "17:30" or "officials' draft").
    graph
        The road graph, for the offline background of main roads when the map is drawn here.
    lang
        ``"vi"`` (default) or ``"en"`` for the labels; place names stay Vietnamese.

    Returns
    -------
    pathlib.Path
        The report's path.

    Examples
    --------
    >>> import tempfile, warnings
    >>> from planner.places.hanoi import hanoi_facilities
    >>> from planner.roads.network import hanoi_network
    >>> from planner.pairing.propose import nearest_pairings
    >>> from planner.pairing.scoring import score_pairings
    >>> from planner.travel.matrix import pair_travel_times
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # units placed at population centres
    ...     fac = hanoi_facilities(scheme="2025")
    >>> hospitals, units = fac[fac.level == "regional"], fac[fac.level != "regional"]
    >>> matrix = pair_travel_times(hanoi_network(), hospitals, units)
    >>> pairings = nearest_pairings(units, hospitals, matrix)
    >>> scores = score_pairings(pairings, matrix, units=units, hospitals=hospitals)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_report(folder, pairings=pairings, scores=scores, facilities=fac,
    ...                         assumptions={"scheme": "2025", "mode": "car", "depart": "10:00"})
    ...     print(path.name)
    report.html
    """
    t, f = Translator(lang), Formatter(lang)
    main = _read_scores(scores)
    if main.per_hospital is None:
        raise PlannerInputError(
            "the scores carry no per-hospital figures",
            field="per_hospital",
            hint="pass score_pairings(...) or the scores.json written by `planner propose`",
        )
    options = {**main.options, **(assumptions or {})}
    main = dataclasses.replace(main, options=options)
    other = None
    if compare_scores is not None:
        if compare is None:
            raise PlannerInputError(
                "compare_scores needs the compared pairing",
                field="compare",
                hint="pass compare=<the other pairing> with compare_scores",
            )
        other = _read_scores(compare_scores)
        compare_name = compare_name or t("map.compare")
    used = (
        pd.concat(
            [pairings["hospital_id"], compare["hospital_id"] if compare is not None else None]
        )
        .dropna()
        .astype(str)
    )
    fac_ids = facilities["facility_id"].astype(str)
    hosp = facilities[fac_ids.isin(set(used)) | (facilities["level"] == "regional")]
    ctx = _Context(
        t=t,
        f=f,
        names=dict(zip(hospital_of(hosp), hosp["name"].astype(str), strict=True)),
        palette=hospital_palette(hosp),
    )
    rows = decision_table(
        pairings, peak_times=main.peak_times, by_district=_by_district(options, facilities)
    )
    other_cols = None
    if other is not None and compare is not None:
        by_district = _by_district(other.options, facilities)
        other_rows = decision_table(compare, peak_times=other.peak_times, by_district=by_district)
        hospitals, times = _other_lookup(rows, compare, other_rows)
        other_cols = (hospitals, times, compare_name or "")
    region = options.get("region")
    title = (
        t("report.title", region=t("report.the_region"))
        if region == "Hanoi"
        else t("report.title_plain")
    )
    scenario = scenario_parts(options, lang=lang)
    if map is None:
        same_units = compare is not None and set(compare["unit_id"].astype(str)) == set(
            pairings["unit_id"].astype(str)
        )
        map = pairing_map(
            pairings,
            facilities,
            compare=compare if same_units else None,
            compare_label=compare_name,
            graph=graph,
            depart=main.depart,
            title=title,
            subtitle=" · ".join(scenario),
            self_contained=True,
            lang=lang,
        )
    per_hospital = _hospital_order(main.per_hospital, ctx)  # checked above: not None
    has_pilot = bool(
        "pinned" in pairings
        and any(
            is_pilot_pair(d, h)
            for d, h, p in zip(
                pairings.get("district", pd.Series(None, pairings.index)),
                pairings["hospital_id"],
                pairings["pinned"].fillna(False),
                strict=True,
            )
            if p
        )
    )
    has_fixed = bool("pinned" in pairings and pairings["pinned"].fillna(False).astype(bool).any())
    changed = 0
    if other_cols is not None:
        changed = int(
            (
                other_cols[0].astype(object).fillna("")
                != rows["hospital_id"].astype(object).fillna("")
            ).sum()
        )
    approx = approximate_units(pairings, facilities)
    versus = None
    if other is not None:
        versus = {"name": compare_name, "scenario": scenario_parts(other.options, lang=lang)}
    page = render(
        "report.html.j2",
        lang=lang,
        t=t,
        f=f,
        page_title=f"{title} — {' · '.join(scenario)}" if scenario else title,
        title=title,
        scenario=scenario,
        versus=versus,
        lead=_lead(
            pairings,
            rows,
            main,
            ctx,
            other=(other, compare_name or "", changed) if other is not None else None,
        ),
        decision=_decision_part(
            rows, ctx, depart=main.depart, peak=main.peak_depart, other=other_cols
        ),
        map_page=map_html(map),
        figures=_figures_part(
            main, ctx, other=(other, compare_name or "") if other is not None else None
        ),
        hospitals=_hospitals_part(
            per_hospital, main, ctx, sites=_site_notes(pairings, hosp, per_hospital, main, ctx)
        ),
        charts=_charts(pairings, per_hospital, ctx, depart=main.depart or MISSING),
        people=_people_part(main, ctx, pairings),
        terms=_terms(ctx, main, pilot=has_pilot, fixed=has_fixed),
        assumptions=_assumptions(main, options, ctx, has_pilot=has_pilot),
        speeds=_speeds_part(options.get("mode"), ctx),
        sources=_sources_part(ctx),
        approximate=_approximate_part(approx, len(pairings), ctx),
    )
    target = _resolve_target(out)
    if not approx.empty:
        write_csv(approx, target.parent / APPROXIMATE_CSV)
    with atomic_path(target) as tmp:
        tmp.write_text(str(page), encoding="utf-8")
    return target


__all__ = [
    "APPROXIMATE_CSV",
    "DECISION_COLUMNS",
    "approximate_units",
    "decision_table",
    "road_data_date",
    "write_report",
]
