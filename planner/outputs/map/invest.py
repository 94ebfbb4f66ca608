"""The map of an investment plan: its costed actions over the primary-care network already open.

One Leaflet map (folium), offline like the pairing map (:mod:`planner.outputs.map.build`): the
actions chosen in green, the others grey, the greedy answer's picks ringed and a plan drawn by
hand dashed (``_actions``); the stations and centres already open as small blue dots; the main
roads and the area names as a light background. Names from users are text, never markup
(tooltips built with ``textContent``).
"""

from __future__ import annotations

import html
import json

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Figure

from planner.config import CRS_LONLAT
from planner.outputs._templates import render
from planner.outputs.formatting import Formatter
from planner.outputs.i18n import DEFAULT_LANG, Translator
from planner.outputs.map._actions import action_layer, action_legend, existing_layer
from planner.outputs.map._assets import inline_assets
from planner.outputs.map._background import names_layer, roads_layer
from planner.outputs.map._page import MapScript, Panel, PlannerMap, add_tiles, page_assets
from planner.roads.graph import TravelGraph


def investment_map(
    actions: pd.DataFrame,
    existing: pd.DataFrame,
    *,
    unit: str = "",
    areas: gpd.GeoDataFrame | None = None,
    graph: TravelGraph | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    tiles: str | None = "OpenStreetMap",
    simplify_m: float = 30.0,
    self_contained: bool = True,
    lang: str = DEFAULT_LANG,
) -> folium.Map:
    """Draw an investment plan's actions over the primary-care facilities already open.

    Parameters
    ----------
    actions
        Every action: ``name``, ``kind``, ``lat``, ``lon``, ``cost``, ``chosen``,
        ``greedy_order``, ``evaluated``, ``people_newly_within``
        (:meth:`planner.app.growth.invest.InvestmentPlan.actions_table`).
    existing
        The open facilities: ``name``, ``level`` (``commune``: a station, ``district``: a
        centre), ``lat``, ``lon``.
    unit
        The costs' unit (a label).
    areas
        Areas whose names and outlines are drawn for orientation (``hanoi_areas()``).
    graph
        The road graph, for the main roads as a background.
    title, subtitle
        Shown over the map.
    tiles
        The base layer (``"OpenStreetMap"``, ``"CartoDB positron"``) or ``None``.
    simplify_m
        Outline simplification, metres.
    self_contained
        Inline Leaflet so the map draws with no network (only tiles need it).
    lang
        ``"vi"`` (default) or ``"en"``.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> actions = pd.DataFrame({"name": ["Trạm A", "Trạm B"], "kind": ["station", None],
    ...                         "lat": [21.10, 21.15], "lon": [105.40, 105.35],
    ...                         "cost": [4.5, 3.0], "chosen": [True, False],
    ...                         "greedy_order": pd.array([1, pd.NA], dtype="Int64"),
    ...                         "evaluated": [False, True], "people_newly_within": [820.0, 310.0]})
    >>> existing = pd.DataFrame({"name": ["Trạm y tế xã C"], "level": ["commune"],
    ...                          "lat": [21.12], "lon": [105.38]})
    >>> page = investment_map(actions, existing, unit="tỷ đồng", lang="en").get_root().render()
    >>> import json  # the names go into the page as JSON text
    >>> "Action chosen" in page, json.dumps("Trạm A")[1:-1] in page
    (True, True)
    """
    t, f = Translator(lang), Formatter(lang)
    m = PlannerMap(tiles=None, control_scale=True, prefer_canvas=False, zoom_snap=0.1)
    page_assets(m)
    add_tiles(m, tiles, t)
    if graph is not None:
        roads_layer(graph, t).add_to(m)
    if areas is not None:
        names_layer(areas, t, outlines=True, simplify_m=simplify_m).add_to(m)
    if len(existing):
        existing_layer(existing, t).add_to(m)
    action_layer(actions, t, f, unit=unit).add_to(m)
    title = title or t("invest.title")
    figure = m.get_root()
    assert isinstance(figure, Figure)
    figure.title = html.escape(title if not subtitle else f"{title} — {subtitle}")
    Panel(render("map_title.html.j2", title=title, subtitle=subtitle), kind="title").add_to(m)
    legend = action_legend(
        t,
        greedy=bool(actions["greedy_order"].notna().any()),
        evaluated=bool(actions["evaluated"].astype(bool).any()),
        roads=graph is not None,
    )
    Panel(legend, kind="legend").add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    lats = np.concatenate([actions["lat"].astype(float), existing["lat"].astype(float)])
    lons = np.concatenate([actions["lon"].astype(float), existing["lon"].astype(float)])
    if areas is not None and areas.crs is not None and len(areas):
        x0, y0, x1, y1 = areas.to_crs(CRS_LONLAT).total_bounds
        lats, lons = np.append(lats, [y0, y1]), np.append(lons, [x0, x1])
    if len(lats):
        bounds = [[float(lats.min()), float(lons.min())], [float(lats.max()), float(lons.max())]]
        MapScript(f"window.plannerFit({{map}}, {json.dumps(bounds)});", name="Fit").add_to(m)
    if self_contained:
        inline_assets(m)
    return m


__all__ = ["investment_map"]
