"""What the report's figures rest on: the terms used, the assumptions, the speeds, the sources
and the units placed at approximate locations.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner._vn import core_name, fold
from planner.config import data_sources
from planner.outputs.formatting import MISSING, hanoi_scheme
from planner.outputs.i18n import Translator, has_text, messages
from planner.outputs.labels import is_pilot_pair
from planner.outputs.report._context import Context, number_cell, text_cell
from planner.outputs.report._scores import Scores, cells_section
from planner.places.facility_schema import APPROXIMATE_SOURCES

#: The full list of approximately placed units, written beside the report.
APPROXIMATE_CSV = "approximate_locations.csv"


def report_title(options: Mapping[str, Any], t: Translator) -> str:
    """The title of the report and of the workbook: Hanoi's when the run is on its registry."""
    if options.get("region") == "Hanoi":
        return t("report.title", region=t("report.the_region"))
    return t("report.title_plain")


def pin_flags(pairings: pd.DataFrame) -> tuple[bool, bool]:
    """Whether the pairing holds the pilot's pins, and whether it holds any pin at all."""
    if "pinned" not in pairings:
        return False, False
    pinned = pairings["pinned"].fillna(False).astype(bool)
    district = pairings.get("district", pd.Series(None, pairings.index))
    pilot = any(
        is_pilot_pair(d, h)
        for d, h, p in zip(district, pairings["hospital_id"], pinned, strict=True)
        if p
    )
    return pilot, bool(pinned.any())


def terms_part(ctx: Context, main: Scores, *, pilot: bool, fixed: bool) -> list[tuple[str, str]]:
    t = ctx.t
    keys = ["sister", "trip", "average", "nearest"]
    keys += ["pilot"] if pilot else []
    keys += ["fixed"] if fixed else []
    keys += ["balance", "load_ratio", "coverage", "switch", "gap"]
    keys += ["cells", "p90"] if cells_section(main) is not None else []
    out = []
    for key in keys:
        definition = f"term.{key}_def"
        if key == "trip":
            definition = f"term.trip_def.{main.directions or 'both'}"
        fields = {
            "every": ctx.every(),
            "every_other": ctx.every(other=True),
            "pilot_units": ctx.says("pilot.units"),
        }
        shown = ctx.says(definition, **fields) if has_text(definition) else None
        out.append((t(f"term.{key}"), shown or t("term.trip_def.both")))
    return out


def assumptions_part(
    main: Scores,
    options: Mapping[str, Any],
    ctx: Context,
    *,
    pairings: pd.DataFrame,
    traffic: str | None,
) -> list[tuple[str, str]]:
    """The run's settings in words, in the reader's language; a setting the report has no
    words for is left out (the run's files keep it), never shown as a program value. The pins
    are named with the units' names in ``pairings``."""
    t, f = ctx.t, ctx.f
    has_pilot, _ = pin_flags(pairings)
    unit_names = dict(
        zip(pairings["unit_id"].astype(str), pairings["unit_name"].astype(str), strict=True)
    )
    out: list[tuple[str, str]] = []
    scheme = _words(t, f"scenario.scheme.{hanoi_scheme(options)}")
    if scheme:
        out.append((t("assume.units"), scheme))
    mode = options.get("mode")
    depart, peak = main.depart, main.peak_depart
    mode_words = _words(t, f"mode.{mode}")
    if mode_words and depart:
        mode_text = mode_words.capitalize()
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
    if traffic:
        out.append((t("assume.traffic"), traffic))
    out.append((t("assume.directions"), t(f"term.trip_def.{main.directions or 'both'}")))
    site_rule = options.get("site_rule") or main.overall.get("site_rule")
    if site_rule in ("nearest", "main"):
        out.append((t("assume.sites"), t(f"assume.sites.{site_rule}")))
    demand = options.get("demand")
    if demand in ("points", "cells"):
        out.append((t("assume.demand"), t(f"assume.demand.{demand}")))
    objective = options.get("objective") or main.overall.get("objective")
    goal = _words(t, f"scenario.objective.{objective}")
    if goal:
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
            rule += " " + ctx.says(
                "assume.whole_districts" if options["hierarchical"] else "assume.split_units"
            )
        out.append((t("assume.rule"), rule))
    fixed = []
    if has_pilot:
        fixed.append(_pilot_text(options.get("pilot"), ctx))
    pins = options.get("pins") or {}
    if isinstance(pins, Mapping) and pins:
        pairs = [
            t(
                "assume.pair",
                unit=unit_names.get(str(u), t("assume.unit_unknown")),
                hospital=ctx.name(h),
            )
            for u, h in pins.items()
        ]
        fixed.append(t("assume.fixed_pins", count=f.count(len(pins)), pairs=", ".join(pairs)))
    if goal or fixed:
        out.append((t("assume.fixed"), "; ".join(fixed) or t("assume.fixed_none")))
    load = _words(t, f"assume.load.{options.get('load')}")
    if load:
        out.append((t("assume.load"), load))
    if "specialty_need" in options:
        need = options["specialty_need"]
        text = (
            t("assume.specialty_file", file=Path(str(need)).name)
            if need
            else t("assume.specialty_none")
        )
        out.append((t("assume.specialty"), text))
    if options.get("region") == "Hanoi":
        out.append((t("assume.population"), ctx.says("assume.population_text")))
    status = main.overall.get("status")
    if status in ("optimal", "time_limit", "scored"):
        gap = main.overall.get("mip_gap", main.overall.get("gap_to_optimal"))
        out.append(
            (t("assume.solver"), t(f"assume.solver.{status}", gap=f.percent(gap or 0, decimals=2)))
        )
    return out


def _words(t: Translator, key: str) -> str | None:
    """The message ``key`` in the reader's language, ``None`` when the table has none."""
    return t(key) if key in messages() else None


def _pilot_units(district: str, ctx: Context) -> str:
    """Who a pilot pins: a district (2024), the communes of a former district (2025)."""
    if ctx.former:
        return ctx.t("assume.pilot_former", district=ctx.district(district))
    return district


def _pilot_text(pilot: Any, ctx: Context) -> str:
    """The pilot in words: its districts with their hospitals, named (the run's ``pilot``)."""
    t = ctx.t
    pairs = [
        t(
            "assume.pair",
            unit=_pilot_units(str(p["district"]), ctx),
            hospital=ctx.name(p["hospital_id"]),
        )
        for p in (pilot if isinstance(pilot, list) else [])
        if isinstance(p, Mapping) and p.get("district") and p.get("hospital_id")
    ]
    if not pairs:
        return t("assume.fixed_pilot")
    return t("assume.fixed_pilot_pairs", pairs=", ".join(pairs))


def speeds_part(mode: str | None, ctx: Context) -> dict[str, Any] | None:
    from planner.roads.speeds.tables import load_speed_table

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
            text_cell(t.get(f"road.{record['class']}", str(record["class"]))),
            number_cell(f.number(record["speed_kph"])),
        ]
        if english:
            cells.append(text_cell(record.get("reason", "")))
        rows.append(cells)
    title = t("report.speeds", mode=t.get(f"mode_name.{mode}", mode))
    return {"title": title, "columns": columns, "rows": rows}


def sources_part(ctx: Context, options: Mapping[str, Any]) -> dict[str, Any]:
    """The data the run used: our Hanoi files for a run on the Hanoi registry, else the road
    network it was given (none of the Hanoi files served it)."""
    t = ctx.t
    hanoi = hanoi_scheme(options) is not None
    if hanoi:
        what = "what_vi" if t.lang == "vi" else "what_en"
        rows = [
            [text_cell(r["file"]), text_cell(r[what]), text_cell(r["licence"])]
            for r in data_sources()
        ]
    else:
        roads = options.get("roads")
        name = Path(str(roads).split(" (")[0]).name if roads else MISSING
        rows = [
            [
                text_cell(name),
                text_cell(t("report.source_roads_given")),
                text_cell(t("report.source_given")),
            ]
        ]
    return {
        "columns": [
            {"label": t("report.col_file"), "num": False},
            {"label": t("report.col_what"), "num": False},
            {"label": t("report.col_licence"), "num": False},
        ],
        "rows": rows,
        "hanoi": hanoi,  # the official Vietnamese place names are a Hanoi run's
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


def approximate_part(approx: pd.DataFrame, total: int, ctx: Context) -> dict[str, Any]:
    t, f = ctx.t, ctx.f
    if approx.empty:
        return {"text": t("report.approximate_none"), "counts": []}
    counts = approx.groupby(approx["district"].fillna(MISSING), sort=False).size()
    counts = counts.iloc[np.argsort([core_name(d) for d in counts.index], kind="stable")]
    return {
        "text": ctx.says(
            "report.approximate_text",
            count=f.count(len(approx)),
            total=f.count(total),
            file=APPROXIMATE_CSV,
        ),
        "counts": [(ctx.district(d) or str(d), f.count(n)) for d, n in counts.items()],
    }
