"""The map's legend: hospitals by colour and icon, candidate sites, pins, travel-time classes, comparison, roads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import pandas as pd
from markupsafe import Markup

from planner.outputs._templates import render
from planner.outputs.i18n import Translator
from planner.outputs.labels import hospital_icon
from planner.outputs.map._background import ROAD_STYLE
from planner.outputs.map._layers import (
    TIME_BINS_MIN,
    TIME_COLOURS,
    UNREACHABLE_AREA,
    UNREACHABLE_COLOUR,
)

#: Ring of the units whose sister hospital differs in the comparison (legend swatch).
_CHANGED_LEGEND_COLOUR = "#444444"


def map_legend(
    hospitals: pd.DataFrame,
    palette: Mapping[str, tuple[str, str]],
    units: gpd.GeoDataFrame,
    t: Translator,
    *,
    choropleth: bool,
    approximate: bool,
    roads: bool,
    compare_label: str | None,
    candidates: Sequence[Mapping[str, Any]] = (),
) -> Markup:
    fixed_rows = units["fixed"].dropna()
    fixed = None
    if len(fixed_rows):
        pilot = t("pin.pilot")
        fixed = pilot if (fixed_rows == pilot).all() else t("pin.fixed")
    classes = []
    if choropleth:
        edges = [*TIME_BINS_MIN, None]
        for lo, hi, colour in zip(edges[:-1], edges[1:], TIME_COLOURS, strict=True):
            span = f"{lo}–{hi}" if hi is not None else f"≥ {lo}"
            classes.append({"colour": colour, "text": f"{span} {t('unit.min')}", "dashed": False})
        classes.append(
            {
                "colour": UNREACHABLE_AREA["fillColor"],
                "text": t("map.unreachable_area"),
                "dashed": True,
            }
        )
    changed = None
    if compare_label is not None:
        text = t(
            "map.changed_legend",
            name=compare_label,
            count=int(units["ch"].sum()),
            total=len(units),
        )
        changed = {"colour": _CHANGED_LEGEND_COLOUR, "text": text}
    return render(
        "map_legend.html.j2",
        t=t,
        hospitals=[
            {
                "icon": hospital_icon(*palette[str(row.hospital_id)], size_px=18),
                "name": t("map.sites_count", name=row.name, count=row.sites)
                if row.sites > 1
                else str(row.name),
            }
            for row in hospitals.drop_duplicates("hospital_id").itertuples(index=False)
        ],
        candidates=candidates,
        fixed=fixed,
        unreachable=bool(units["tt"].isna().any()),
        unreachable_colour=UNREACHABLE_COLOUR,
        changed=changed,
        classes=classes,
        classes_title=t("map.choropleth"),
        roads=ROAD_STYLE["trunk"][0] if roads else None,
        notes=[t("map.catchments_approx")] if approximate else [],
    )
