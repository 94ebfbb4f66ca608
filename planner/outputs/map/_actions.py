"""The investment map's layers: the costed actions (chosen, the greedy picks, a plan drawn by
hand, the others greyed) and the primary-care facilities already open, with their legend.

Tooltips are built in the browser with ``textContent`` (:class:`~planner.outputs.map._page.Details`),
so an action's name from a user's file stays text.
"""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from planner.config import CRS_LONLAT
from planner.outputs._templates import render
from planner.outputs.formatting import Formatter
from planner.outputs.i18n import Translator
from planner.outputs.map._background import ROAD_STYLE
from planner.outputs.map._geometry import geojson
from planner.outputs.map._page import Details, layer_name

#: Marker styles: (radius px, fill, stroke, stroke width, dash).
CHOSEN = (8, "#1a7f37", "#ffffff", 1.5, None)
NOT_CHOSEN = (5, "#9e9e9e", "#ffffff", 1.0, None)
GREEDY_RING = "#bc4c00"
EVALUATED_DASH = "3 3"
STATION = (3, "#0969da", "#ffffff", 0.6, None)
CENTRE = (5, "#0a3069", "#ffffff", 1.0, None)


def action_layer(
    actions: pd.DataFrame, t: Translator, f: Formatter, *, unit: str
) -> folium.GeoJson:
    """One marker per action: green when chosen, grey otherwise; ringed when the greedy answer
    picks it; dashed when the plan drawn by hand has it."""
    chosen = actions["chosen"].astype(bool).to_numpy()
    greedy = actions["greedy_order"].notna().to_numpy()
    drawn = actions["evaluated"].astype(bool).to_numpy()
    frame = gpd.GeoDataFrame(
        {
            "name": actions["name"].astype(str).to_numpy(),
            "kind": [t(f"invest.kind_{k}") if isinstance(k, str) else "" for k in actions["kind"]],
            "cost": [f.amount(v, unit) for v in actions["cost"]],
            "gain": [f.people(v) for v in actions["people_newly_within"]],
            "status": [t("invest.status_chosen") if c else t("invest.status_not_chosen")
                       for c in chosen],
            "greedy": [t("invest.status_greedy", order=f.count(o)) if pd.notna(o) else ""
                       for o in actions["greedy_order"]],
            "drawn": [t("invest.status_evaluated") if d else "" for d in drawn],
            "r": np.where(chosen, CHOSEN[0], NOT_CHOSEN[0]),
            "c": chosen,
            "g": greedy,
            "d": drawn,
        },
        geometry=gpd.points_from_xy(actions["lon"].astype(float), actions["lat"].astype(float)),
        crs=CRS_LONLAT,
    )  # fmt: skip

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        p = feature["properties"]
        _, fill, stroke, weight, _ = CHOSEN if p["c"] else NOT_CHOSEN
        return {
            "color": GREEDY_RING if p["g"] else stroke,
            "weight": 3 if p["g"] else weight,
            "dashArray": EVALUATED_DASH if p["d"] else None,
            "fill": True,
            "fillColor": fill,
            "fillOpacity": 0.9,
        }

    rows = [
        ("name", t("invest.col_action")),
        ("kind", t("invest.col_kind")),
        ("cost", t("invest.col_cost")),
        ("gain", t("invest.col_gain")),
        ("status", None),
        ("greedy", None),
        ("drawn", None),
    ]
    layer = folium.GeoJson(
        geojson(frame, [*(field for field, _ in rows), "r", "c", "g", "d"]),
        name=layer_name(t("invest.layer_actions")),
        style_function=style,
        marker=folium.CircleMarker(radius=NOT_CHOSEN[0]),
        on_each_feature=folium.utilities.JsCode(
            "function(f, layer) { layer.setRadius(f.properties.r); }"
        ),
    )
    Details(rows).add_to(layer)
    return layer


def existing_layer(existing: pd.DataFrame, t: Translator) -> folium.GeoJson:
    """The primary-care facilities already open: stations small, centres larger."""
    centre = (existing["level"] == "district").to_numpy()
    frame = gpd.GeoDataFrame(
        {
            "name": existing["name"].astype(str).to_numpy(),
            "r": np.where(centre, CENTRE[0], STATION[0]),
            "k": centre,
        },
        geometry=gpd.points_from_xy(existing["lon"].astype(float), existing["lat"].astype(float)),
        crs=CRS_LONLAT,
    )

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        _, fill, stroke, weight, _ = CENTRE if feature["properties"]["k"] else STATION
        return {"color": stroke, "weight": weight, "fill": True, "fillColor": fill,
                "fillOpacity": 0.85}  # fmt: skip

    layer = folium.GeoJson(
        geojson(frame, ["name", "r", "k"]),
        name=layer_name(t("invest.layer_open")),
        style_function=style,
        marker=folium.CircleMarker(radius=STATION[0]),
        on_each_feature=folium.utilities.JsCode(
            "function(f, layer) { layer.setRadius(f.properties.r); }"
        ),
    )
    Details([("name", None)]).add_to(layer)
    return layer


def action_legend(t: Translator, *, greedy: bool, evaluated: bool, roads: bool) -> Any:
    """The legend: the actions' markers, the open facilities', the roads."""

    def row(style: tuple[Any, ...], text: str, *, stroke: str | None = None,
            weight: float | None = None, dash: str | None = None) -> dict[str, Any]:  # fmt: skip
        r, fill, edge, width, _ = style
        return {"r": min(r, 7), "fill": fill, "stroke": stroke or edge, "weight": weight or width,
                "dash": dash, "text": text}  # fmt: skip

    rows = [
        row(CHOSEN, t("invest.legend_chosen")),
        row(NOT_CHOSEN, t("invest.legend_not_chosen")),
    ]
    if greedy:
        rows.append(row(NOT_CHOSEN, t("invest.legend_greedy"), stroke=GREEDY_RING, weight=2.5))
    if evaluated:
        rows.append(row(NOT_CHOSEN, t("invest.legend_evaluated"), stroke="#222222", weight=1.5,
                        dash=EVALUATED_DASH))  # fmt: skip
    rows += [row(CENTRE, t("invest.legend_centre")), row(STATION, t("invest.legend_station"))]
    return render(
        "invest_legend.html.j2", t=t, rows=rows, roads=ROAD_STYLE["trunk"][0] if roads else None
    )
