"""The map's layers beneath the pairing, from the planner's own data: the cells' travel-time
surface and the offline background (main roads, area names).

With no tile server the map stays legible: main roads come from the road graph, names and
outlines from the areas. The surface merges the populated cells by time class and credits the
population data while shown.
"""

from __future__ import annotations

import html
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.utilities import JsCode

from planner._geo import polygon_parts, to_metric
from planner.config import CRS_LONLAT, available_cpus
from planner.errors import PlannerInputError
from planner.outputs._frames import area_label_column
from planner.outputs.formatting import Formatter
from planner.outputs.i18n import Translator
from planner.outputs.map._geometry import geojson, simplified
from planner.outputs.map._layers import (
    TIME_BINS_MIN,
    TIME_COLOURS,
    UNREACHABLE_AREA,
    time_classes,
)
from planner.outputs.map._page import Details, MapScript, layer_name
from planner.roads.graph import TravelGraph

if TYPE_CHECKING:
    from planner.access.cells import CellAccess


#: The offline background: main road classes (OpenMapTiles vocabulary) and their line style.
#: A warm tan, lighter for smaller roads: not a grey of the time scale, not a hospital hue.
ROAD_STYLE = {
    "motorway": ("#a0784a", 2.6),
    "trunk": ("#a0784a", 2.2),
    "primary": ("#b8956a", 1.6),
    "secondary": ("#cdb08c", 1.1),
}
_ROAD_SIMPLIFY_M = 40.0
_ROAD_DECIMALS = 4  # about 10 m: a background needs no more


#: Names of small areas show from this zoom on.
_SMALL_LABEL_ZOOM = 11


#: Area names smaller than this (km²) show only once zoomed in, so the centre stays legible.
_SMALL_AREA_KM2 = 60.0


def surface_layer(
    access: CellAccess, t: Translator, f: Formatter, *, simplify_m: float
) -> folium.GeoJson:
    """Where people live: the populated cells by time to their sister hospital (hidden at first).

    The cell pieces of one time class (the choropleth's classes, plus "not reached") are
    merged into one shape and simplified in metres: eight shapes instead of thousands of
    cells. The tooltip gives the class and how many people live in it. While the layer is
    shown, Leaflet puts its ``attribution`` (the population data's credit) in the map's
    attribution line.
    """
    cells = access.cells
    if "geometry" not in cells or cells.empty:
        raise PlannerInputError(
            "the travel-time surface needs the cells' shapes",
            field="surface",
            hint="pass the CellAccess returned by planner.access.cells.cell_access",
        )
    k = time_classes(cells["time_to_sister_s"])
    metric = to_metric(
        gpd.GeoDataFrame({"k": k}, geometry=cells.geometry.to_numpy(), crs=CRS_LONLAT)
    )
    people = pd.Series(cells["population"].to_numpy(float)).groupby(k).sum()
    classes = sorted(set(k.tolist()))
    pieces = metric.geometry.to_numpy()

    def merged(c: int) -> shapely.Geometry:
        return shapely.union_all(pieces[k == c]).simplify(simplify_m)

    # GEOS leaves the interpreter while it merges: the classes side by side (most of a
    # redraw's time, which the explorer pays on every change)
    with ThreadPoolExecutor(max_workers=available_cpus()) as pool:
        shapes = list(pool.map(merged, classes))
    edges = [*TIME_BINS_MIN, None]
    band = []
    for c in classes:
        if c < 0:
            band.append(t("map.unreachable_area"))
            continue
        lo, hi = edges[c], edges[c + 1]
        span = f"{lo}–{hi}" if hi is not None else f"≥ {lo}"
        band.append(t("map.surface_band", span=span, unit=t("unit.min")))
    frame = gpd.GeoDataFrame(
        {
            "k": classes,
            "band": band,
            "people": [t("map.surface_people", people=f.people(people[c])) for c in classes],
        },
        geometry=shapes,
        crs=metric.crs,
    ).to_crs(CRS_LONLAT)
    frame = frame.set_geometry(frame.geometry.map(polygon_parts))
    frame.index = pd.Index([f"k{c}" for c in classes])

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        c = feature["properties"]["k"]
        base = {"stroke": False, "fillOpacity": 0.8}
        if c < 0:
            return {**base, **UNREACHABLE_AREA, "stroke": True, "weight": 0.6}
        return {**base, "fillColor": TIME_COLOURS[c]}

    layer = folium.GeoJson(
        geojson(frame, ["k", "band", "people"], decimals=_ROAD_DECIMALS),
        name=layer_name(t("map.surface")),
        show=False,
        style_function=style,
        attribution=_surface_credit(access.attribution),
    )
    Details([("band", None), ("people", None)]).add_to(layer)
    return layer


def _surface_credit(attribution: str) -> str:
    """The population data's credit as markup for Leaflet's attribution line (escaped)."""
    if "WorldPop" in attribution:
        return (
            '<a href="https://www.worldpop.org/">WorldPop</a> 2020 (University of '
            "Southampton), CC BY 4.0"
        )
    return html.escape(attribution, quote=True)


# graph -> its main roads: the same background under every pairing, so a session's re-plans
# (the explorer redraws its map on each) merge them once (a quarter of a second on Hanoi's).
_MAIN_ROADS: weakref.WeakKeyDictionary[TravelGraph, gpd.GeoDataFrame] = weakref.WeakKeyDictionary()
_MAIN_ROADS_LOCK = threading.Lock()


def _main_roads(graph: TravelGraph) -> gpd.GeoDataFrame:
    """The graph's main roads (motorway to secondary), merged per class and simplified (a copy
    of the graph's, kept while the graph lives)."""
    with _MAIN_ROADS_LOCK:  # maps are drawn on threads
        roads = _MAIN_ROADS.get(graph)
        if roads is None:
            roads = _MAIN_ROADS[graph] = _merged_main_roads(graph)
    return roads.copy()


def _merged_main_roads(
    graph: TravelGraph, *, simplify_m: float = _ROAD_SIMPLIFY_M
) -> gpd.GeoDataFrame:
    """The main roads, merged per class and simplified in metres.

    Each two-way road is one pair of directed edges: one of them is kept. Slip roads are left
    out (they only clutter a background).
    """
    codes = [i for i, c in enumerate(graph.class_names) if c in ROAD_STYLE]
    edges = np.flatnonzero(np.isin(graph.edge_class, codes))
    a, b = graph.edge_from[edges], graph.edge_to[edges]
    key = np.minimum(a, b).astype(np.int64) * graph.n_nodes + np.maximum(a, b)
    edges = edges[np.unique(key, return_index=True)[1]]
    if len(edges) == 0:
        return gpd.GeoDataFrame({"c": []}, geometry=[], crs=CRS_LONLAT)
    off = graph.edge_geom_offsets
    starts, counts = off[edges], off[edges + 1] - off[edges]
    within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    points = np.repeat(starts, counts) + within
    lines = shapely.linestrings(
        np.column_stack([graph.geom_lon[points], graph.geom_lat[points]]),
        indices=np.repeat(np.arange(len(edges)), counts),
    )
    classes = np.array([graph.class_names[c] for c in graph.edge_class[edges]])
    metric = to_metric(gpd.GeoDataFrame({"c": classes}, geometry=lines, crs=CRS_LONLAT))
    merged = [
        (
            c,
            shapely.simplify(
                shapely.line_merge(shapely.union_all(g.geometry.to_numpy())), simplify_m
            ),
        )
        for c, g in metric.groupby("c", sort=False)
    ]
    order = {c: i for i, c in enumerate(ROAD_STYLE)}
    merged.sort(key=lambda item: -order[item[0]])  # small roads first, big ones drawn on top
    frame = gpd.GeoDataFrame(
        {"c": [c for c, _ in merged]}, geometry=[g for _, g in merged], crs=metric.crs
    )
    return frame.to_crs(CRS_LONLAT)


def roads_layer(graph: TravelGraph, t: Translator) -> folium.GeoJson:
    roads = _main_roads(graph)
    roads.index = roads["c"].astype(str)

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        colour, weight = ROAD_STYLE[feature["properties"]["c"]]
        return {"color": colour, "weight": weight, "opacity": 0.85}

    return folium.GeoJson(
        geojson(roads, ["c"], decimals=_ROAD_DECIMALS),
        name=layer_name(t("map.roads")),
        style_function=style,
        interactive=False,
    )


def names_layer(areas: gpd.GeoDataFrame, t: Translator, *, outlines: bool, simplify_m: float):
    """Area names at a point inside each area (text, not markup); outlines when asked."""
    group = folium.FeatureGroup(name=layer_name(t("map.boundaries")), show=True)
    label_col = area_label_column(areas)
    if outlines:
        shapes = simplified(areas[["geometry"]], simplify_m)
        folium.GeoJson(
            geojson(shapes, []),
            style_function=lambda _: {"color": "#666666", "weight": 0.8, "fill": False},
            interactive=False,
        ).add_to(group)
    if label_col is None:
        return group
    metric = to_metric(areas)
    points = gpd.GeoDataFrame(
        {
            "label": areas[label_col].astype(str).to_numpy(),
            "small": (metric.geometry.area.to_numpy() / 1e6) < _SMALL_AREA_KM2,
        },
        geometry=metric.geometry.representative_point().to_numpy(),
        crs=metric.crs,
    )
    folium.GeoJson(
        geojson(points, ["label", "small"]),
        marker=folium.Marker(icon=folium.DivIcon(), interactive=False),
        on_each_feature=JsCode(
            "function(f, layer) { layer.setIcon("
            "window.plannerLabel(f.properties.label, f.properties.small)); }"
        ),
    ).add_to(group)
    if points["small"].any():
        MapScript(
            f"window.plannerWatchZoom({{map}}, {_SMALL_LABEL_ZOOM});", name="WatchZoom"
        ).add_to(group)
    return group
