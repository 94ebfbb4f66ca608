"""The pairing's layers of the map: units, changed units, links, catchments, travel-time
choropleth and hospitals.

Each layer is one ``GeoJson`` whose features share styles through a property key; tooltips and
popups are :class:`planner.outputs.map._page._Details`. Units with no reachable hospital are grey.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.utilities import JsCode

from planner._geo import to_metric
from planner.config import CRS_LONLAT
from planner.outputs._frames import (
    area_label_column,
    column_or,
    site_named,
    unit_rows,
    unit_sites,
)
from planner.outputs.formatting import Formatter
from planner.outputs.i18n import Translator, has_text
from planner.outputs.labels import hospital_icon, is_pilot_pair, site_label, switch_text, trip_words
from planner.outputs.map._geometry import geojson, simplified
from planner.outputs.map._page import Details, layer_name
from planner.pairing.scoring import counted_population

UNREACHABLE_COLOUR = "#7f7f7f"
#: Travel-time classes of the choropleth (minutes) and their colours: ColorBrewer Greys,
#: light to dark. A hue-free scale cannot be read as one of the hospital colours (a
#: yellow-red scale ends on the cardiology vermilion, blue-green ones on general/oncology).
TIME_BINS_MIN = (0, 15, 30, 45, 60, 90)
TIME_COLOURS = ("#f7f7f7", "#d9d9d9", "#bdbdbd", "#969696", "#737373", "#525252")
#: Choropleth areas with no reachable sister hospital: white, dashed outline (not a grey
#: class of the scale).
UNREACHABLE_AREA = {"fillColor": "#ffffff", "dashArray": "4 3", "color": "#222222"}


_RADIUS_PX = (3.0, 14.0)


def _radius(population: pd.Series) -> np.ndarray:
    pop = pd.to_numeric(population, errors="coerce").fillna(0).clip(lower=0).to_numpy(float)
    top = pop.max() if len(pop) and pop.max() > 0 else 1.0
    lo, hi = _RADIUS_PX
    return np.round(lo + (hi - lo) * np.sqrt(pop / top), 1)


def unit_layer_frame(
    pairings: pd.DataFrame,
    facilities: pd.DataFrame,
    names: Mapping[str, str],
    t: Translator,
    f: Formatter,
    compare: pd.DataFrame | None,
    hosp: pd.DataFrame,
    *,
    former: bool = False,
) -> gpd.GeoDataFrame:
    """Units with their location and the text of their tooltip and popup (plain text); ``s``
    is the site their trips use (where their link ends), named when the hospital has several
    (or the site a name of its own). ``former``: the units are Hanoi's of 2025, their
    districts named as former ones."""
    ids = pairings["unit_id"].astype(str)
    loc = unit_rows(pairings, facilities)
    source = (
        loc["location_source"].astype(str).to_numpy()
        if "location_source" in loc
        else np.full(len(ids), "")
    )
    pop = (
        pairings["population"]
        if "population" in pairings
        else loc["population"].set_axis(ids.index)
    )
    hosp_ids = pairings["hospital_id"].astype("string")
    pinned = column_or(pairings, "pinned", False).fillna(False).astype(bool).to_numpy()
    district = column_or(pairings, "district", None)
    next_best = column_or(pairings, "next_best_hospital_id", None)
    switch = pd.to_numeric(column_or(pairings, "switch_cost_s", np.nan), errors="coerce")

    def hospital_name(h: Any) -> str:
        return names.get(str(h), str(h)) if pd.notna(h) else "—"

    def fixed(is_pinned: bool, d: Any, h: Any) -> str | None:
        if not is_pinned:
            return None
        return t("pin.pilot") if is_pilot_pair(d, h) else t("pin.fixed")

    def next_text(h: Any, s: float) -> str | None:
        if pd.isna(h):
            return None
        if not math.isfinite(s):
            return hospital_name(h)
        return switch_text(hospital_name(h), s, t, f, prefix="map")

    site = unit_sites(pairings, hosp)
    several = hosp[site_named(hosp)]
    site_text = dict(
        zip(several["facility_id"], [site_label(r, t) for r in several.itertuples()], strict=True)
    )
    frame = pd.DataFrame(
        {
            "name": pairings["unit_name"].astype(str).to_numpy(),
            "level": [_level(v, t, former) for v in pairings["unit_level"]],
            "district": [None if pd.isna(d) else f.district(d, former=former) for d in district],
            "population": [f.people(p) for p in pd.to_numeric(pop, errors="coerce")],
            "hospital": [hospital_name(h) for h in hosp_ids],
            "site": [site_text.get(x) for x in site],
            "fixed": [fixed(p, d, h) for p, d, h in zip(pinned, district, hosp_ids, strict=True)],
            "travel_time": [trip_words(s, t, f) for s in pairings["travel_time_s"]],
            "next_best": [next_text(h, s) for h, s in zip(next_best, switch, strict=True)],
            "location": [t.get(f"location.{s}", t("location.exact")) for s in source],
            "r": _radius(pop),
            "h": hosp_ids.fillna("").to_numpy(),
            "s": site.fillna("").to_numpy(),
            "tt": pd.to_numeric(pairings["travel_time_s"], errors="coerce").round().to_numpy(),
            "pin": pinned,
        },
        index=pd.Index(ids.to_numpy(), name="unit_id"),
    )
    if compare is not None:
        other = compare.assign(unit_id=compare["unit_id"].astype(str)).set_index("unit_id")
        theirs = other["hospital_id"].reindex(frame.index).astype("string")
        frame["cmp"] = [hospital_name(h) for h in theirs]
        frame["c"] = theirs.fillna("").to_numpy()
        frame["ch"] = frame["c"].to_numpy() != frame["h"].to_numpy()
    geometry = gpd.points_from_xy(loc["lon"].astype(float), loc["lat"].astype(float))
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=CRS_LONLAT)


def _level(level: Any, t: Translator, former: bool) -> str:
    """A unit's level in words; a district-level unit of 2025 is a former district's."""
    key = f"level.{level}"
    if former and has_text(f"{key}.former"):
        key = f"{key}.former"
    return t.get(key, str(level))


def unit_popup_rows(
    t: Translator, *, time_label: str, compare_label: str | None, former: bool = False
) -> list[tuple[str, str | None]]:
    rows: list[tuple[str, str | None]] = [
        ("name", t("map.name")),
        ("level", t("map.level")),
        ("district", t("map.district.former" if former else "map.district")),
        ("population", t("map.population")),
        ("hospital", t("map.hospital")),
        ("site", t("map.site_used")),
        ("fixed", t("map.fixed")),
        ("travel_time", time_label),
        ("next_best", t("map.next_best")),
        ("location", t("map.location")),
    ]
    if compare_label is not None:
        rows.append(("cmp", t("map.in_compare", name=compare_label)))
    return rows


def unit_layer(
    units: gpd.GeoDataFrame,
    palette: Mapping[str, tuple[str, str]],
    rows: Sequence[tuple[str, str | None]],
    *,
    name: str,
    show: bool,
) -> folium.GeoJson:
    fields = [field for field, _ in rows]

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        p = feature["properties"]
        colour = palette.get(p["h"], (UNREACHABLE_COLOUR, ""))[0]
        return {
            "color": "#000000" if p["pin"] else "#ffffff",
            "weight": 2.5 if p["pin"] else 0.8,
            "fill": True,
            "fillColor": colour if p["tt"] is not None else UNREACHABLE_COLOUR,
            "fillOpacity": 0.85,
        }

    layer = folium.GeoJson(
        geojson(units, [*fields, "r", "h", "tt", "pin"]),
        name=layer_name(name),
        show=show,
        style_function=style,
        marker=folium.CircleMarker(radius=_RADIUS_PX[0]),
        on_each_feature=JsCode("function(f, layer) { layer.setRadius(f.properties.r); }"),
    )
    Details([rows[0], ("hospital", None)]).add_to(layer)
    Details(rows, popup=True).add_to(layer)
    return layer


def changed_layer(
    units: gpd.GeoDataFrame,
    palette: Mapping[str, tuple[str, str]],
    t: Translator,
    *,
    label: str,
    compare_label: str,
) -> folium.GeoJson:
    """Rings around the units whose sister hospital differs, in the comparison's colour."""
    changed = units[units["ch"]].assign(r=lambda d: d["r"] + 4)

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        colour = palette.get(feature["properties"]["c"], (UNREACHABLE_COLOUR, ""))[0]
        return {"color": colour, "weight": 3, "opacity": 1.0, "fill": False}

    layer = folium.GeoJson(
        geojson(changed, ["name", "hospital", "cmp", "r", "c"]),
        name=layer_name(t("map.changed", name=compare_label, count=len(changed))),
        show=False,
        style_function=style,
        marker=folium.CircleMarker(radius=_RADIUS_PX[0]),
        on_each_feature=JsCode("function(f, layer) { layer.setRadius(f.properties.r); }"),
    )
    rows = [("name", t("map.name")), ("hospital", label), ("cmp", compare_label)]
    Details(rows).add_to(layer)
    return layer


def link_layer(
    frame: gpd.GeoDataFrame, palette: Mapping[str, tuple[str, str]], *, name: str, show: bool
) -> folium.GeoJson:
    def style(feature: dict[str, Any]) -> dict[str, Any]:
        colour = palette.get(feature["properties"]["h"], (UNREACHABLE_COLOUR, ""))[0]
        return {"color": colour, "weight": 1.2, "opacity": 0.55}

    return folium.GeoJson(
        geojson(frame, ["h"]), name=layer_name(name), show=show, style_function=style
    )


def catchment_layer(
    areas: gpd.GeoDataFrame,
    palette: Mapping[str, tuple[str, str]],
    names: Mapping[str, str],
    *,
    name: str,
    show: bool,
    filled: bool,
    dashed: bool,
    simplify_m: float,
) -> folium.GeoJson:
    metric = to_metric(areas.dropna(subset=["h"]))
    dissolved = metric[["h", "geometry"]].dissolve(by="h")
    dissolved = simplified(dissolved, simplify_m)
    dissolved["hospital"] = [names.get(str(h), str(h)) for h in dissolved.index]
    dissolved["h"] = dissolved.index.astype(str)

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        colour = palette.get(feature["properties"]["h"], (UNREACHABLE_COLOUR, ""))[0]
        return {
            "color": colour,
            "weight": 3,
            "opacity": 0.9,
            "fillColor": colour,
            "fillOpacity": 0.15 if filled else 0.0,
            "dashArray": "6 6" if dashed else None,
        }

    layer = folium.GeoJson(
        geojson(dissolved, ["hospital", "h"]),
        name=layer_name(name),
        show=show,
        style_function=style,
    )
    Details([("hospital", None)]).add_to(layer)
    return layer


def time_classes(seconds: Any) -> np.ndarray:
    """The class of each time (index into :data:`TIME_BINS_MIN`; -1: no time)."""
    s = pd.to_numeric(pd.Series(seconds), errors="coerce").to_numpy(float, na_value=np.nan)
    k = np.searchsorted(TIME_BINS_MIN, s / 60.0, side="right") - 1
    return np.where(np.isfinite(s), k, -1)


def choropleth_layer(
    areas: gpd.GeoDataFrame, t: Translator, f: Formatter, *, name: str, simplify_m: float
) -> folium.GeoJson:
    label_col = area_label_column(areas)
    frame = simplified(areas, simplify_m)
    frame["area"] = frame[label_col].astype(str) if label_col else ""
    frame["travel_time"] = [trip_words(s, t, f) for s in frame["tt"]]
    frame["k"] = time_classes(frame["tt"]).tolist()
    frame.index = pd.RangeIndex(len(frame)).astype(str)

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        k = feature["properties"]["k"]
        style = {"color": "#555555", "weight": 0.6, "fillOpacity": 0.55}
        if k < 0:
            return {**style, **UNREACHABLE_AREA}
        return {**style, "fillColor": TIME_COLOURS[k]}

    layer = folium.GeoJson(
        geojson(frame, ["area", "travel_time", "k"]),
        name=layer_name(name),
        style_function=style,
    )
    Details([("area", None), ("travel_time", None)]).add_to(layer)
    return layer


def hospital_layer(
    hospitals: pd.DataFrame,
    pairings: pd.DataFrame,
    palette: Mapping[str, tuple[str, str]],
    t: Translator,
    f: Formatter,
    units: gpd.GeoDataFrame,
) -> folium.GeoJson:
    """One icon per hospital site, in its hospital's style; the tooltip names the hospital and,
    for a hospital of several sites, the site; the popup gives the hospital's figures and the
    units whose trips use the site."""
    # One GeoJson whose features carry their SVG: folium.Popup would need jQuery.
    pop = counted_population(pairings)
    served = pairings["hospital_id"].astype(str).to_numpy()
    ids = hospitals["hospital_id"].astype(str)
    at_site = units["s"].astype(str).to_numpy()
    named = site_named(hospitals)
    several = (hospitals["sites"] > 1).to_numpy()
    specialty = column_or(hospitals, "specialty", None)
    frame = gpd.GeoDataFrame(
        {
            "name": hospitals["name"].astype(str).to_numpy(),
            "site": [
                site_label(row, t) if shown else None
                for row, shown in zip(hospitals.itertuples(), named, strict=True)
            ],
            "specialty": [
                t.get(f"specialty.{s}", str(s).replace("_", " ")) if pd.notna(s) else None
                for s in specialty
            ],
            "units": [f.count((served == h).sum()) for h in ids],
            "site_units": [
                f.count((at_site == site).sum()) if many else None
                for site, many in zip(hospitals["facility_id"].astype(str), several, strict=True)
            ],
            "population": [f.people(pop[served == h].sum()) for h in ids],
            "svg": [str(hospital_icon(*palette[h])) for h in ids],
        },
        geometry=gpd.points_from_xy(hospitals["lon"].astype(float), hospitals["lat"].astype(float)),
        index=pd.Index(hospitals["facility_id"].astype(str).to_numpy()),
        crs=CRS_LONLAT,
    )
    rows = [
        ("name", t("map.name")),
        ("site", t("map.site")),
        ("specialty", t("map.specialty")),
        ("units", t("map.units")),
        ("site_units", t("map.site_units")),
        ("population", t("map.population")),
    ]
    layer = folium.GeoJson(
        geojson(frame, [*(field for field, _ in rows), "svg"]),
        name=layer_name(t("map.hospitals")),
        marker=folium.Marker(
            icon=folium.DivIcon(icon_size=(30, 30), icon_anchor=(15, 15)), z_index_offset=1000
        ),
        on_each_feature=JsCode(
            "function(f, layer) { layer.setIcon(L.divIcon({html: f.properties.svg, "
            "iconSize: [30, 30], iconAnchor: [15, 15], className: 'planner-hospital'})); }"
        ),
    )
    Details([("name", None), ("site", None)]).add_to(layer)
    Details(rows, popup=True).add_to(layer)
    return layer
