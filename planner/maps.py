"""Folium maps of sister-hospital pairings that officials can open anywhere.

One map shows, as switchable layers: the regional hospitals (one SVG icon and one fixed
colour each), the district/commune units as circle markers coloured by their sister
hospital and sized by population, the links between them (straight or road routes), each
hospital's catchment (areas dissolved by sister hospital), an optional travel-time
choropleth, and a second pairing for comparison. Every layer is one ``GeoJson`` whose
features share styles through a property key, geometries are simplified in metres and
coordinates rounded to 5 decimals (about 1 m), so the whole-Hanoi commune map stays
small. With ``self_contained=True`` Leaflet is inlined (see :mod:`planner._assets`) and
only the background tiles need the network.

Comparison design: the ``compare`` pairing is a second overlay group of the same map (hidden
at first), plus a layer ringing the units whose sister hospital changes. A
``folium.plugins.DualMap`` would need Leaflet.Sync from a CDN (not packaged) and would
duplicate every layer in the file; overlays on one map let officials flip between the two
pairings over the same catchments and see exactly which units move.
"""

from __future__ import annotations

import html
import json
import logging
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.template import Template
from folium.utilities import JsCode

from planner._assets import inline_assets
from planner.config import CRS_LONLAT, CRS_METRIC, OSM_ATTRIBUTION
from planner.errors import PlannerInputError
from planner.facilities import APPROXIMATE_SOURCES
from planner.io import atomic_path
from planner.scoring import population_weights

log = logging.getLogger(__name__)

#: Pairing columns the map reads (the shared pairing contract).
_PAIRING_COLUMNS = ("unit_id", "unit_name", "unit_level", "hospital_id", "travel_time_s")
#: Fixed colour and icon per regional specialty (Okabe-Ito: distinct for colour-blind readers).
_SPECIALTY_STYLE = {
    "general": ("#0072B2", "cross"),
    "cardiology": ("#D55E00", "heart"),
    "oncology": ("#009E73", "star"),
    "obstetrics_gynecology": ("#CC79A7", "venus"),
}
#: Colours for hospitals without a known specialty, in facility_id order.
_EXTRA_COLOURS = ("#E69F00", "#56B4E9", "#7F3C8D", "#3969AC", "#80BA5A", "#F2B701", "#A5AA99")
_ICONS = ("cross", "heart", "star", "venus", "diamond")
_SVG_PATHS = {
    "cross": "M10 5h4v5h5v4h-5v5h-4v-5H5v-4h5z",
    "heart": "M12 19l-1.2-1.1C6.5 14 4 11.7 4 8.9 4 6.7 5.7 5 7.9 5c1.2 0 2.4.6 3.1 1.5h2"
    "C13.7 5.6 14.9 5 16.1 5 18.3 5 20 6.7 20 8.9c0 2.8-2.5 5.1-6.8 9z",
    "star": "M12 4l2.4 5 5.4.6-4 3.7 1.1 5.4L12 16l-4.9 2.7 1.1-5.4-4-3.7 5.4-.6z",
    "venus": "M12 4a4.5 4.5 0 1 0 .01 0zm0 2a2.5 2.5 0 1 1-.01 0zM11 12.5h2V15h2.5v2H13v3h-2v-3"
    "H8.5v-2H11z",
    "diamond": "M12 4l7 8-7 8-7-8z",
}
_UNREACHABLE_COLOUR = "#7f7f7f"
#: Travel-time classes of the choropleth (minutes) and their colours: ColorBrewer Greys,
#: light to dark. A hue-free scale cannot be read as one of the hospital colours (a
#: yellow-red scale ends on the cardiology vermilion, blue-green ones on general/oncology).
_TIME_BINS_MIN = (0, 15, 30, 45, 60, 90)
_TIME_COLOURS = ("#f7f7f7", "#d9d9d9", "#bdbdbd", "#969696", "#737373", "#525252")
#: Choropleth areas with no reachable sister hospital: white, dashed outline (not a grey
#: class of the scale).
_UNREACHABLE_AREA = {"fillColor": "#ffffff", "dashArray": "4 3", "color": "#222222"}
#: folium/branca element names carry a random 32-hex id (``geo_json_<uuid>``).
_ELEMENT_ID = re.compile(r"(?<=[A-Za-z0-9]_)[0-9a-f]{32}(?![0-9A-Za-z])")
_RADIUS_PX = (3.0, 14.0)
_DECIMALS = 5  # about 1 m: finer digits only inflate the file

_TILES = {
    "OpenStreetMap": (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        f'<a href="https://www.openstreetmap.org/copyright">{OSM_ATTRIBUTION}</a>',
        19,
    ),
    "CartoDB positron": (
        "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        f'<a href="https://www.openstreetmap.org/copyright">{OSM_ATTRIBUTION}</a>, '
        '© <a href="https://carto.com/attributions">CARTO</a>',
        20,
    ),
}

_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Sister-hospital pairings, Hanoi",
        "name": "Name",
        "level": "Level",
        "population": "Population",
        "hospital": "Sister hospital",
        "travel_time": "Travel time",
        "next_best": "Next-best hospital",
        "switch_cost": "Extra time if switched",
        "location": "Location",
        "pinned": "Pinned",
        "units": "Units",
        "specialty": "Specialty",
        "min": "min",
        "unreachable": "unreachable by road",
        "approx": "approximate ({source})",
        "exact": "mapped",
        "yes": "yes",
        "no": "no",
        "hospitals": "Regional hospitals",
        "links": "Links",
        "routes": "Road routes",
        "catchments": "Catchments",
        "catchments_approx": "Catchments (approximate 2024 districts)",
        "choropleth": "Travel time to sister hospital",
        "choropleth_district": "Travel time (population-weighted district mean)",
        "changed": "Units that change sister hospital",
        "marker_size": "Circle size: population (square-root scale)",
        "regional": "regional",
        "district": "district",
        "commune": "commune",
        "pairing": "Pairing",
        "compare": "Comparison",
    },
    "vi": {
        "title": "Ghép cặp bệnh viện kết nghĩa, Hà Nội",
        "name": "Tên",
        "level": "Cấp",
        "population": "Dân số",
        "hospital": "Bệnh viện kết nghĩa",
        "travel_time": "Thời gian di chuyển",
        "next_best": "Bệnh viện thay thế tốt nhất",
        "switch_cost": "Thời gian tăng thêm nếu đổi",
        "location": "Vị trí",
        "pinned": "Cố định",
        "units": "Đơn vị",
        "specialty": "Chuyên khoa",
        "min": "phút",
        "unreachable": "không đến được bằng đường bộ",
        "approx": "gần đúng ({source})",
        "exact": "theo bản đồ",
        "yes": "có",
        "no": "không",
        "hospitals": "Bệnh viện tuyến thành phố",
        "links": "Đường nối",
        "routes": "Tuyến đường bộ",
        "catchments": "Vùng phụ trách",
        "catchments_approx": "Vùng phụ trách (quận/huyện 2024, gần đúng)",
        "choropleth": "Thời gian đến bệnh viện kết nghĩa",
        "choropleth_district": "Thời gian (trung bình theo dân số của quận/huyện)",
        "changed": "Đơn vị đổi bệnh viện kết nghĩa",
        "marker_size": "Cỡ vòng tròn: dân số (thang căn bậc hai)",
        "regional": "thành phố",
        "district": "quận/huyện",
        "commune": "xã/phường",
        "pairing": "Phương án",
        "compare": "So sánh",
    },
}


class _Panel(MacroElement):
    """A fixed HTML box over the map (title or legend); ``content`` is trusted HTML."""

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <div class="planner-{{ this.kind }}" style="{{ this.css }}">{{ this.content }}</div>
        {% endmacro %}
        """
    )

    def __init__(self, content: str, *, kind: str, css: str) -> None:
        super().__init__()
        self._name = f"Panel_{kind}"
        self.kind = kind
        self.css = css
        self.content = content


def map_labels(lang: str) -> dict[str, str]:
    """Return the map's labels in ``lang`` (``"en"`` or ``"vi"``); shared with the report."""
    if lang not in _LABELS:
        raise PlannerInputError(
            f"unknown language {lang!r}", field="lang", hint=f"use one of {sorted(_LABELS)}"
        )
    return _LABELS[lang]


def hospital_palette(hospitals: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Return a fixed ``(colour, icon)`` per hospital id, the same in every map and chart.

    The four Hanoi regional hospitals get their specialty's colour and icon (general: blue
    cross, cardiology: vermilion heart, oncology: green star, obstetrics: purple venus);
    other hospitals get further colours in ``facility_id`` order.

    Parameters
    ----------
    hospitals
        Frame with ``facility_id`` and, optionally, ``specialty``.

    Examples
    --------
    >>> import pandas as pd
    >>> hospital_palette(pd.DataFrame({"facility_id": ["a"], "specialty": ["cardiology"]}))
    {'a': ('#D55E00', 'heart')}
    """
    ids = sorted(hospitals["facility_id"].astype(str))
    specialty = (
        hospitals.set_index(hospitals["facility_id"].astype(str))["specialty"]
        if "specialty" in hospitals
        else pd.Series(dtype=object)
    )
    palette: dict[str, tuple[str, str]] = {}
    used: set[str] = set()
    for hid in ids:
        style = _SPECIALTY_STYLE.get(str(specialty.get(hid, "")))
        if style and style[0] not in used:
            palette[hid] = style
            used.add(style[0])
    spare = [c for c in (*[s[0] for s in _SPECIALTY_STYLE.values()], *_EXTRA_COLOURS)]
    spare = [c for c in spare if c not in used]
    for i, hid in enumerate(h for h in ids if h not in palette):
        palette[hid] = (spare[i % len(spare)], _ICONS[i % len(_ICONS)])
    return palette


def _check_pairings(pairings: pd.DataFrame, *, what: str) -> None:
    missing = [c for c in _PAIRING_COLUMNS if c not in pairings.columns]
    if missing:
        raise PlannerInputError(
            f"the {what} pairing lacks columns {missing}",
            field=missing[0],
            hint="pass a pairing with the columns of the pairing contract "
            "(unit_id, unit_name, unit_level, hospital_id, travel_time_s, ...)",
        )
    dup = pairings["unit_id"].astype(str).duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0]) + 1
        raise PlannerInputError(
            f"unit {pairings['unit_id'].iloc[row - 1]} appears twice in the {what} pairing",
            row=row,
            field="unit_id",
            hint="a pairing has one row per unit",
        )


def _hospital_frame(
    facilities: pd.DataFrame, hospitals: pd.DataFrame | Sequence[str] | None, pairings: pd.DataFrame
) -> pd.DataFrame:
    fac = facilities.assign(facility_id=facilities["facility_id"].astype(str))
    if hospitals is None:
        used = set(pairings["hospital_id"].dropna().astype(str))
        frame = fac[(fac["level"] == "regional") | fac["facility_id"].isin(used)]
    elif isinstance(hospitals, pd.DataFrame):
        frame = hospitals.assign(facility_id=hospitals["facility_id"].astype(str))
    else:
        frame = fac[fac["facility_id"].isin([str(h) for h in hospitals])]
    missing = sorted(set(pairings["hospital_id"].dropna().astype(str)) - set(frame["facility_id"]))
    if missing:
        raise PlannerInputError(
            f"hospitals {missing[:5]} of the pairing are not among the facilities",
            field="hospital_id",
            hint="pass the facility table the pairing was made with",
        )
    return frame.drop_duplicates("facility_id").reset_index(drop=True)


def _minutes(seconds: float, lab: Mapping[str, str]) -> str:
    if seconds is None or not math.isfinite(float(seconds)):
        return lab["unreachable"]
    return f"{float(seconds) / 60:.0f} {lab['min']}"


def _counted_population(pairings: pd.DataFrame) -> np.ndarray:
    """Each unit's population counted once, as the scoring counts it (for sums per group)."""
    pop = pairings["population"] if "population" in pairings else pd.Series(np.nan, pairings.index)
    if "unit_level" not in pairings or "district" not in pairings:
        return pd.to_numeric(pop, errors="coerce").fillna(0.0).to_numpy(float)
    return population_weights(pairings["unit_level"], pairings["district"], pop)


def _radius(population: pd.Series) -> np.ndarray:
    pop = pd.to_numeric(population, errors="coerce").fillna(0).clip(lower=0).to_numpy(float)
    top = pop.max() if len(pop) and pop.max() > 0 else 1.0
    lo, hi = _RADIUS_PX
    return np.round(lo + (hi - lo) * np.sqrt(pop / top), 1)


def _round(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    geoms = shapely.transform(gdf.geometry.to_numpy(), lambda xy: np.round(xy, _DECIMALS))
    return gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))


def _geojson(gdf: gpd.GeoDataFrame, columns: Sequence[str]) -> dict[str, Any]:
    """GeoJSON dict with ``id`` = index and only ``columns`` as properties (compact)."""
    out = _round(gdf[[*columns, "geometry"]].to_crs(CRS_LONLAT))
    return json.loads(out.to_json(drop_id=False, na="null"))


def _unit_layer_frame(
    pairings: pd.DataFrame,
    facilities: pd.DataFrame,
    names: Mapping[str, str],
    lab: Mapping[str, str],
    compare: pd.DataFrame | None,
    compare_label: str,
) -> gpd.GeoDataFrame:
    """Units with their location and the preformatted popup fields."""
    fac = facilities.assign(facility_id=facilities["facility_id"].astype(str)).set_index(
        "facility_id"
    )
    ids = pairings["unit_id"].astype(str)
    unknown = ~ids.isin(fac.index)
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0]) + 1
        raise PlannerInputError(
            f"unit {ids.iloc[row - 1]} is not among the facilities",
            row=row,
            field="unit_id",
            hint="pass the facility table the pairing was made with",
        )
    loc = fac.loc[ids]
    source = (
        loc["location_source"].astype(str).to_numpy()
        if "location_source" in loc
        else np.full(len(ids), "")
    )
    approx = np.isin(source, APPROXIMATE_SOURCES)
    pop = (
        pairings["population"]
        if "population" in pairings
        else loc["population"].set_axis(ids.index)
    )
    next_best = (
        pairings["next_best_hospital_id"]
        if "next_best_hospital_id" in pairings
        else pd.Series(pd.NA, index=pairings.index)
    )
    switch = (
        pairings["switch_cost_s"]
        if "switch_cost_s" in pairings
        else pd.Series(np.nan, index=pairings.index)
    )
    hosp = pairings["hospital_id"].astype("string")
    frame = pd.DataFrame(
        {
            "name": pairings["unit_name"].astype(str).to_numpy(),
            "level": [lab.get(str(v), str(v)) for v in pairings["unit_level"]],
            "population": [
                f"{int(p):,}" if pd.notna(p) else "—" for p in pd.to_numeric(pop, errors="coerce")
            ],
            "hospital": [names.get(str(h), "—") if pd.notna(h) else "—" for h in hosp],
            "travel_time": [_minutes(t, lab) for t in pairings["travel_time_s"]],
            "next_best": [names.get(str(h), "—") if pd.notna(h) else "—" for h in next_best],
            "switch_cost": [
                f"+{s / 60:.0f} {lab['min']}" if pd.notna(s) and math.isfinite(s) else "—"
                for s in pd.to_numeric(switch, errors="coerce")
            ],
            "location": [
                lab["approx"].format(source=s.replace("_", " ")) if a else lab["exact"]
                for s, a in zip(source, approx, strict=True)
            ],
            "pinned": [
                lab["yes"] if bool(p) else lab["no"]
                for p in (pairings["pinned"] if "pinned" in pairings else [False] * len(ids))
            ],
            "r": _radius(pop),
            "h": hosp.fillna("").to_numpy(),
            "tt": pd.to_numeric(pairings["travel_time_s"], errors="coerce").round().to_numpy(),
            "pin": [
                bool(p) for p in (pairings["pinned"] if "pinned" in pairings else [0] * len(ids))
            ],
        },
        index=pd.Index(ids.to_numpy(), name="unit_id"),
    )
    if compare is not None:
        other = compare.assign(unit_id=compare["unit_id"].astype(str)).set_index("unit_id")
        frame[compare_label] = [
            names.get(str(h), "—") if pd.notna(h) else "—"
            for h in other["hospital_id"].reindex(frame.index)
        ]
        frame["ch"] = [
            str(other["hospital_id"].get(u, "")) != h
            for u, h in zip(frame.index, frame["h"], strict=True)
        ]
    geometry = gpd.points_from_xy(loc["lon"].astype(float), loc["lat"].astype(float))
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=CRS_LONLAT)


def _tiles(m: folium.Map, tiles: str | None) -> None:
    if tiles is None:
        return
    if tiles not in _TILES:
        raise PlannerInputError(
            f"unknown tiles {tiles!r}", field="tiles", hint=f"use one of {sorted(_TILES)} or None"
        )
    for name in _TILES:
        url, attr, max_zoom = _TILES[name]
        folium.TileLayer(
            url, attr=attr, name=name, max_zoom=max_zoom, overlay=False, show=name == tiles
        ).add_to(m)


def _unit_layer(
    units: gpd.GeoDataFrame,
    palette: Mapping[str, tuple[str, str]],
    lab: Mapping[str, str],
    *,
    name: str,
    show: bool,
    extra_fields: Sequence[str] = (),
) -> folium.GeoJson:
    fields = [
        "name",
        "level",
        "population",
        "hospital",
        "travel_time",
        "next_best",
        "switch_cost",
        "pinned",
        "location",
        *extra_fields,
    ]
    aliases = [lab.get(f, f) for f in fields]

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        p = feature["properties"]
        colour = palette.get(p["h"], (_UNREACHABLE_COLOUR, ""))[0]
        return {
            "color": "#000000" if p["pin"] else "#ffffff",
            "weight": 2.5 if p["pin"] else 0.8,
            "fill": True,
            "fillColor": colour if p["tt"] is not None else _UNREACHABLE_COLOUR,
            "fillOpacity": 0.85,
        }

    return folium.GeoJson(
        _geojson(units, [*fields, "r", "h", "tt", "pin"]),
        name=name,
        show=show,
        style_function=style,
        marker=folium.CircleMarker(radius=_RADIUS_PX[0]),
        on_each_feature=JsCode("function(f, layer) { layer.setRadius(f.properties.r); }"),
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "hospital"], aliases=aliases[:1] + aliases[3:4]
        ),
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases),
    )


def _link_frame(
    units: gpd.GeoDataFrame,
    hospitals: pd.DataFrame,
    *,
    links: str,
    graph: Any,
    mode: str,
    simplify_m: float,
) -> gpd.GeoDataFrame:
    """One line per reachable unit → sister hospital (straight, or the road route)."""
    hpos = hospitals.set_index("facility_id")[["lon", "lat"]].astype(float)
    reach = units[(units["h"] != "") & units["tt"].notna()]
    if links == "straight":
        ends = hpos.loc[reach["h"]].to_numpy()
        starts = np.column_stack([reach.geometry.x, reach.geometry.y])
        lines = shapely.linestrings(np.stack([starts, ends], axis=1))
    else:
        if graph is None:
            raise PlannerInputError(
                "links='routes' needs the road graph",
                field="graph",
                hint="pass graph=hanoi_network() (or links='straight')",
            )
        lines = _route_lines(graph, reach, hpos, mode=mode)
    frame = gpd.GeoDataFrame({"h": reach["h"].to_numpy()}, geometry=list(lines), crs=CRS_LONLAT)
    frame.index = reach.index
    if links == "routes":
        metric = frame.to_crs(CRS_METRIC)
        frame = metric.set_geometry(metric.geometry.simplify(simplify_m)).to_crs(CRS_LONLAT)
    return frame


def _route_lines(graph: Any, reach: gpd.GeoDataFrame, hpos: pd.DataFrame, *, mode: str) -> list:
    """The road route of each unit to its hospital (one search per hospital); a straight line
    (logged) where there is none."""
    from planner.travel import routes

    starts = np.column_stack([reach.geometry.x, reach.geometry.y])
    ids = [f"unit-{i}" for i in range(len(reach))]  # positions: unit ids may repeat hospital ids
    found = routes(
        graph,
        pd.DataFrame({"facility_id": ids, "lon": starts[:, 0], "lat": starts[:, 1]}),
        hpos.rename_axis("facility_id").reset_index(),
        pairs=list(zip(ids, reach["h"].astype(str), strict=True)),
        mode=mode,
    )
    lines = list(found.geometry)
    for i in np.flatnonzero((found["status"] != "ok").to_numpy()):
        log.warning(
            "no road route drawn for a unit at %.5f, %.5f (%s); straight line instead",
            starts[i, 1], starts[i, 0], found["reason"].iloc[i],
        )  # fmt: skip
        end = hpos.loc[reach["h"].iloc[i]]
        lines[i] = shapely.LineString([starts[i], (float(end["lon"]), float(end["lat"]))])
    return lines


def _link_layer(
    frame: gpd.GeoDataFrame, palette: Mapping[str, tuple[str, str]], *, name: str, show: bool
) -> folium.GeoJson:
    def style(feature: dict[str, Any]) -> dict[str, Any]:
        colour = palette.get(feature["properties"]["h"], (_UNREACHABLE_COLOUR, ""))[0]
        return {"color": colour, "weight": 1.2, "opacity": 0.55}

    return folium.GeoJson(_geojson(frame, ["h"]), name=name, show=show, style_function=style)


def _area_hospitals(
    areas: gpd.GeoDataFrame, pairings: pd.DataFrame
) -> tuple[gpd.GeoDataFrame, bool]:
    """Give each area its sister hospital and travel time; say whether areas are districts.

    Areas keyed by ``facility_id`` (2025 communes) take their unit's pairing; areas keyed by
    ``district`` (approximate 2024 districts) take the hospital serving most of the
    district's population and its population-weighted mean travel time.
    """
    pairs = pairings.assign(unit_id=pairings["unit_id"].astype(str))
    if "facility_id" in areas and areas["facility_id"].astype(str).isin(pairs["unit_id"]).any():
        by_unit = pairs.set_index("unit_id")
        key = areas["facility_id"].astype(str)
        out = areas.assign(
            h=by_unit["hospital_id"].reindex(key).astype("string").to_numpy(),
            tt=pd.to_numeric(by_unit["travel_time_s"], errors="coerce").reindex(key).to_numpy(),
        )
        approximate = "approximate" in areas and bool(areas["approximate"].fillna(False).any())
        return out, approximate
    if "district" in areas and "district" in pairs:
        weight = pd.Series(_counted_population(pairs), index=pairs.index)
        # A district without any population figure still gets its plain mean time.
        known = weight.groupby(pairs["district"]).transform("sum") > 0
        weight = weight.where(known, 1.0)
        pairs = pairs.assign(_w=weight, _tt=pd.to_numeric(pairs["travel_time_s"], errors="coerce"))
        load = pairs.groupby(["district", "hospital_id"])["_w"].sum().reset_index()
        main = load.sort_values("_w").drop_duplicates("district", keep="last")
        ok = pairs.dropna(subset=["_tt"])
        mean_tt = (ok["_tt"] * ok["_w"]).groupby(ok["district"]).sum() / ok.groupby("district")[
            "_w"
        ].sum()
        hosp = main.set_index("district")["hospital_id"].astype("string")
        out = areas.assign(
            h=hosp.reindex(areas["district"]).to_numpy(),
            tt=mean_tt.reindex(areas["district"]).to_numpy(),
        )
        return out, True
    raise PlannerInputError(
        "the areas match no unit of the pairing",
        field="areas",
        hint="pass hanoi_areas(scheme=...) of the pairing's scheme: 2025 areas carry the "
        "unit facility_id, 2024 areas the district name",
    )


def _simplified(gdf: gpd.GeoDataFrame, simplify_m: float) -> gpd.GeoDataFrame:
    metric = gdf.to_crs(CRS_METRIC)
    geoms = metric.geometry.simplify(simplify_m, preserve_topology=True).make_valid()
    return metric.set_geometry(geoms).to_crs(CRS_LONLAT)


def _catchment_layer(
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
    metric = areas.dropna(subset=["h"]).to_crs(CRS_METRIC)
    dissolved = metric[["h", "geometry"]].dissolve(by="h")
    dissolved = _simplified(dissolved, simplify_m)
    dissolved["hospital"] = [names.get(str(h), str(h)) for h in dissolved.index]
    dissolved["h"] = dissolved.index.astype(str)

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        colour = palette.get(feature["properties"]["h"], (_UNREACHABLE_COLOUR, ""))[0]
        return {
            "color": colour,
            "weight": 3,
            "opacity": 0.9,
            "fillColor": colour,
            "fillOpacity": 0.15 if filled else 0.0,
            "dashArray": "6 6" if dashed else None,
        }

    return folium.GeoJson(
        _geojson(dissolved, ["hospital", "h"]),
        name=name,
        show=show,
        style_function=style,
        tooltip=folium.GeoJsonTooltip(fields=["hospital"], labels=False),
    )


def _time_class(seconds: float) -> int:
    if seconds is None or not math.isfinite(seconds):
        return -1
    return int(np.searchsorted(_TIME_BINS_MIN, seconds / 60.0, side="right")) - 1


def _choropleth_layer(
    areas: gpd.GeoDataFrame, lab: Mapping[str, str], *, name: str, simplify_m: float
) -> folium.GeoJson:
    label_col = next((c for c in ("name", "commune", "district") if c in areas), None)
    frame = _simplified(areas, simplify_m)
    frame["area"] = frame[label_col].astype(str) if label_col else ""
    frame["travel_time"] = [_minutes(t, lab) for t in frame["tt"]]
    frame["k"] = [_time_class(t) for t in frame["tt"]]
    frame.index = pd.RangeIndex(len(frame)).astype(str)

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        k = feature["properties"]["k"]
        style = {"color": "#555555", "weight": 0.6, "fillOpacity": 0.55}
        if k < 0:
            return {**style, **_UNREACHABLE_AREA}
        return {**style, "fillColor": _TIME_COLOURS[k]}

    return folium.GeoJson(
        _geojson(frame, ["area", "travel_time", "k"]),
        name=name,
        style_function=style,
        tooltip=folium.GeoJsonTooltip(fields=["area", "travel_time"], labels=False),
    )


def _hospital_svg(colour: str, icon: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="30" height="30" viewBox="0 0 24 24">'
        f'<circle cx="12" cy="12" r="11" fill="{colour}" stroke="#fff" stroke-width="1.5"/>'
        f'<path d="{_SVG_PATHS[icon]}" fill="#fff"/></svg>'
    )


def _hospital_layer(
    hospitals: pd.DataFrame,
    pairings: pd.DataFrame,
    palette: Mapping[str, tuple[str, str]],
    lab: Mapping[str, str],
) -> folium.GeoJson:
    # One GeoJson whose features carry their SVG: folium.Popup would need jQuery.
    pop = _counted_population(pairings)
    served = pairings["hospital_id"].astype(str).to_numpy()
    ids = hospitals["facility_id"].astype(str)
    specialty = (
        hospitals["specialty"] if "specialty" in hospitals else pd.Series("", index=ids.index)
    )
    frame = gpd.GeoDataFrame(
        {
            "name": hospitals["name"].astype(str).to_numpy(),
            "specialty": [str(s).replace("_", " ") if pd.notna(s) else "—" for s in specialty],
            "units": [int((served == h).sum()) for h in ids],
            "population": [f"{int(pop[served == h].sum()):,}" for h in ids],
            "svg": [_hospital_svg(*palette[h]) for h in ids],
        },
        geometry=gpd.points_from_xy(hospitals["lon"].astype(float), hospitals["lat"].astype(float)),
        index=pd.Index(ids.to_numpy()),
        crs=CRS_LONLAT,
    )
    fields = ["name", "specialty", "units", "population"]
    return folium.GeoJson(
        _geojson(frame, [*fields, "svg"]),
        name=lab["hospitals"],
        marker=folium.Marker(
            icon=folium.DivIcon(icon_size=(30, 30), icon_anchor=(15, 15)), z_index_offset=1000
        ),
        on_each_feature=JsCode(
            "function(f, layer) { layer.setIcon(L.divIcon({html: f.properties.svg, "
            "iconSize: [30, 30], iconAnchor: [15, 15], className: 'planner-hospital'})); }"
        ),
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        popup=folium.GeoJsonPopup(fields=fields, aliases=[lab.get(f, f) for f in fields]),
    )


def _legend_html(
    hospitals: pd.DataFrame,
    palette: Mapping[str, tuple[str, str]],
    lab: Mapping[str, str],
    *,
    choropleth: bool,
    approximate: bool,
    notes: Sequence[str],
) -> str:
    rows = []
    for row in hospitals.itertuples(index=False):
        colour, icon = palette[str(row.facility_id)]
        svg = _hospital_svg(colour, icon).replace(
            'width="30" height="30"', 'width="18" height="18"'
        )
        rows.append(
            f'<div style="display:flex;align-items:center;gap:6px">{svg}'
            f"<span>{html.escape(str(row.name))}</span></div>"
        )
    rows.append(f'<div style="margin-top:4px">{html.escape(lab["marker_size"])}</div>')
    if choropleth:
        rows.append(f'<div style="margin-top:6px"><b>{html.escape(lab["choropleth"])}</b></div>')
        edges = [*_TIME_BINS_MIN, None]
        for lo, hi, colour in zip(edges[:-1], edges[1:], _TIME_COLOURS, strict=True):
            text = f"{lo}–{hi}" if hi is not None else f"≥ {lo}"
            rows.append(
                f'<div><span style="display:inline-block;width:14px;height:10px;'
                f'background:{colour};border:1px solid #999;margin-right:5px"></span>'
                f"{text} {lab['min']}</div>"
            )
        rows.append(
            f'<div><span style="display:inline-block;width:14px;height:10px;'
            f"background:{_UNREACHABLE_AREA['fillColor']};"
            f'border:1px dashed {_UNREACHABLE_AREA["color"]};margin-right:5px"></span>'
            f"{lab['unreachable']}</div>"
        )
    if approximate:
        rows.append(f"<div><i>{html.escape(lab['catchments_approx'])}</i></div>")
    rows.extend(f"<div>{html.escape(n)}</div>" for n in notes)
    return "".join(rows)


def pairing_map(
    pairings: pd.DataFrame,
    facilities: pd.DataFrame,
    *,
    areas: gpd.GeoDataFrame | None = None,
    hospitals: pd.DataFrame | Sequence[str] | None = None,
    compare: pd.DataFrame | None = None,
    compare_label: str | None = None,
    label: str | None = None,
    links: Literal["straight", "routes"] | None = "straight",
    graph: Any = None,
    mode: str = "car",
    choropleth: Literal["travel_time"] | None = "travel_time",
    tiles: str | None = "OpenStreetMap",
    title: str | None = None,
    simplify_m: float = 30.0,
    self_contained: bool = True,
    lang: Literal["en", "vi"] = "en",
) -> folium.Map:
    """Draw a pairing (and optionally a second one) as an interactive Leaflet map.

    Parameters
    ----------
    pairings
        One row per unit (the pairing contract: ``unit_id``, ``unit_name``, ``unit_level``,
        ``hospital_id``, ``travel_time_s``; ``population``, ``pinned``,
        ``next_best_hospital_id``, ``switch_cost_s``, ``district`` are used when present).
        Units with no hospital or an unreachable one are drawn grey, never dropped.
    facilities
        The facility table the pairing was made with (``facility_id``, ``name``, ``level``,
        ``lat``, ``lon``, ``location_source``, ``specialty``).
    areas
        Polygons to draw catchments and the travel-time choropleth on: ``hanoi_areas()``
        (2025 communes keyed by ``facility_id``, or approximate 2024 districts keyed by
        ``district``). ``None`` draws no polygons.
    hospitals
        The hospitals to draw: a frame, a list of facility ids, or ``None`` for the regional
        facilities and every hospital the pairing uses.
    compare, compare_label
        A second pairing of the same units, drawn as a hidden overlay group, and its name.
    label
        Name of the main pairing in the layer control.
    links
        ``"straight"`` lines, road ``"routes"`` (needs ``graph``; ``mode`` picks the speed
        profile), or ``None``.
    choropleth
        ``"travel_time"`` colours ``areas`` by travel time to the sister hospital (when
        ``areas`` are given); the catchments are then drawn as outlines.
    tiles
        Base layer shown first: ``"OpenStreetMap"`` or ``"CartoDB positron"`` (both are in
        the layer control, each with the OSM attribution), or ``None`` for no tiles.
    title
        Title shown over the map and as the page title.
    simplify_m
        Polygon and route simplification tolerance, in metres.
    self_contained
        Inline Leaflet so that the map draws with no network (only tiles need it).
    lang
        Labels in English (``"en"``) or Vietnamese (``"vi"``); place names stay Vietnamese.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import tempfile
    >>> from planner.hanoi import hanoi_areas, hanoi_facilities
    >>> from planner.network import hanoi_network
    >>> from planner.pairing import nearest_pairings
    >>> from planner.travel import pair_travel_times
    >>> fac = hanoi_facilities(scheme="2025")
    >>> hospitals, units = fac[fac.level == "regional"], fac[fac.level != "regional"]
    >>> matrix = pair_travel_times(hanoi_network(), hospitals, units)
    >>> m = pairing_map(nearest_pairings(units, hospitals, matrix), fac,
    ...                 areas=hanoi_areas(scheme="2025"))
    >>> save_map(m, tempfile.mkdtemp() + "/map.html").name
    'map.html'
    """
    lab = map_labels(lang)
    _check_pairings(pairings, what="main")
    if compare is not None:
        _check_pairings(compare, what="comparison")
    if links not in ("straight", "routes", None):
        raise PlannerInputError(
            f"unknown links {links!r}", field="links", hint="use 'straight', 'routes' or None"
        )
    if choropleth not in ("travel_time", None):
        raise PlannerInputError(
            f"unknown choropleth {choropleth!r}",
            field="choropleth",
            hint="use 'travel_time' or None",
        )
    both = pairings if compare is None else pd.concat([pairings, compare], ignore_index=True)
    hosp = _hospital_frame(facilities, hospitals, both)
    palette = hospital_palette(hosp)
    names = dict(zip(hosp["facility_id"], hosp["name"].astype(str), strict=True))
    label = label or lab["pairing"]
    compare_label = compare_label or lab["compare"]

    units = _unit_layer_frame(pairings, facilities, names, lab, compare, compare_label)
    unreachable = int(units["tt"].isna().sum())
    if unreachable:
        log.warning("%d units have no reachable sister hospital; drawn grey", unreachable)

    m = folium.Map(tiles=None, control_scale=True, prefer_canvas=False)
    _tiles(m, tiles)
    notes: list[str] = []
    approximate = False
    draw_choropleth = choropleth is not None and areas is not None
    if areas is not None:
        with_h, approximate = _area_hospitals(areas, pairings)
        if draw_choropleth:
            name = lab["choropleth_district"] if approximate else lab["choropleth"]
            _choropleth_layer(with_h, lab, name=name, simplify_m=simplify_m).add_to(m)
        _catchment_layer(
            with_h,
            palette,
            names,
            name=lab["catchments_approx"] if approximate else lab["catchments"],
            show=True,
            filled=not draw_choropleth,
            dashed=False,
            simplify_m=simplify_m,
        ).add_to(m)
    if links is not None:
        frame = _link_frame(units, hosp, links=links, graph=graph, mode=mode, simplify_m=simplify_m)
        _link_layer(
            frame, palette, name=lab["links" if links == "straight" else "routes"], show=True
        ).add_to(m)
    _unit_layer(
        units,
        palette,
        lab,
        name=f"{label}: {lab['hospital'].lower()}",
        show=True,
        extra_fields=[compare_label] if compare is not None else [],
    ).add_to(m)
    if compare is not None:
        group = folium.FeatureGroup(name=f"{compare_label}: {lab['hospital'].lower()}", show=False)
        other = _unit_layer_frame(compare, facilities, names, lab, None, compare_label)
        if areas is not None:
            other_areas, _ = _area_hospitals(areas, compare)
            _catchment_layer(
                other_areas,
                palette,
                names,
                name=compare_label,
                show=True,
                filled=False,
                dashed=True,
                simplify_m=simplify_m,
            ).add_to(group)
        if links is not None:
            frame = _link_frame(
                other, hosp, links=links, graph=graph, mode=mode, simplify_m=simplify_m
            )
            _link_layer(frame, palette, name=compare_label, show=True).add_to(group)
        _unit_layer(other, palette, lab, name=compare_label, show=True).add_to(group)
        group.add_to(m)
        changed = units[units["ch"]].assign(r=lambda d: d["r"] + 4)
        folium.GeoJson(
            _geojson(changed, ["name", "hospital", compare_label, "r"]),
            name=f"{lab['changed']} ({len(changed)})",
            show=False,
            marker=folium.CircleMarker(
                radius=_RADIUS_PX[0], color="#000000", weight=2, fill=False, dash_array="3 3"
            ),
            on_each_feature=JsCode("function(f, layer) { layer.setRadius(f.properties.r); }"),
            tooltip=folium.GeoJsonTooltip(
                fields=["name", "hospital", compare_label],
                aliases=[lab["name"], label, compare_label],
            ),
        ).add_to(m)
        notes.append(f"{lab['changed']}: {len(changed)} / {len(units)}")
    _hospital_layer(hosp, pairings, palette, lab).add_to(m)

    title = title or lab["title"]
    m.get_root().title = html.escape(title)
    _Panel(
        f"<b>{html.escape(title)}</b>",
        kind="title",
        css="position:absolute;top:10px;left:50%;transform:translateX(-50%);z-index:1000;"
        "background:rgba(255,255,255,.9);padding:6px 14px;border-radius:4px;"
        "font:16px/1.3 sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3)",
    ).add_to(m)
    legend = _legend_html(
        hosp, palette, lab, choropleth=draw_choropleth, approximate=approximate, notes=notes
    )
    _Panel(
        legend,
        kind="legend",
        css="position:absolute;bottom:48px;left:10px;z-index:1000;max-width:280px;"
        "background:rgba(255,255,255,.92);padding:8px 10px;border-radius:4px;"
        "font:12px/1.4 sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3)",
    ).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    lats = np.concatenate([units.geometry.y.to_numpy(), hosp["lat"].astype(float).to_numpy()])
    lons = np.concatenate([units.geometry.x.to_numpy(), hosp["lon"].astype(float).to_numpy()])
    m.fit_bounds([[float(lats.min()), float(lons.min())], [float(lats.max()), float(lons.max())]])
    if self_contained:
        inline_assets(m)
    return m


def save_map(m: folium.Map, path: str | Path) -> Path:
    """Write the map to ``path`` as one HTML file, atomically; return the path.

    Examples
    --------
    >>> import folium, tempfile, pathlib
    >>> out = save_map(folium.Map(tiles=None), pathlib.Path(tempfile.mkdtemp()) / "m.html")
    >>> out.stat().st_size > 0
    True
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(map_html(m), encoding="utf-8")
    return path


def map_html(m: folium.Map) -> str:
    """Return the map's standalone HTML page as text (what :func:`save_map` writes).

    folium names every element with a random id (``geo_json_<32 hex>``); they are renumbered
    in order of first appearance, so the same map gives the same bytes on every run.

    Examples
    --------
    >>> import folium
    >>> map_html(folium.Map(tiles=None)) == map_html(folium.Map(tiles=None))
    True
    """
    numbers: dict[str, str] = {}

    def _number(match: re.Match[str]) -> str:
        return numbers.setdefault(match.group(0), f"{len(numbers):04d}")

    return _ELEMENT_ID.sub(_number, m.get_root().render())


__all__ = ["hospital_palette", "map_html", "map_labels", "pairing_map", "save_map"]
