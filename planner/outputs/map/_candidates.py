"""The map's candidate sites of a growth run: the opened ones ringed as new sites in their
hospital's colour (their icon is drawn with the hospital's other sites), the others greyed.

The tooltip says which candidate it is, the hospital that would run it, whether it opened and
what it buys alone (``siting.csv``'s gains); text is built in the browser with ``textContent``
(:class:`~planner.outputs.map._page._Details`), so a hostile name stays text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
from folium.utilities import JsCode
from markupsafe import Markup

from planner.config import CRS_LONLAT
from planner.outputs.formatting import Formatter
from planner.outputs.i18n import Translator
from planner.outputs.labels import hospital_icon
from planner.outputs.map._geometry import geojson
from planner.outputs.map._page import Details, layer_name

#: A candidate site that did not open: its hospital's icon in grey.
_NOT_OPENED_COLOUR = "#9e9e9e"
_RING_PX = 56


def _ring(colour: str, *, size_px: int = _RING_PX, dot: bool = False) -> Markup:
    """A dashed ring in the hospital's colour, drawn around an opened site's icon (with a dot
    in its middle for the legend)."""
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", colour):  # a palette entry, never user text
        raise ValueError(f"not a palette colour: {colour!r}")
    half = size_px / 2
    centre = f'<circle cx="{half}" cy="{half}" r="{half / 2}" fill="{colour}"/>' if dot else ""
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size_px}" height="{size_px}">'
        f'<circle cx="{half}" cy="{half}" r="{half - 3}" fill="none" stroke="#fff" '
        f'stroke-width="5"/><circle cx="{half}" cy="{half}" r="{half - 3}" fill="none" '
        f'stroke="{colour}" stroke-width="3" stroke-dasharray="6 3"/>{centre}</svg>'
    )


def _candidate_svg(opened: bool, style: tuple[str, str], *, size_px: int = 24) -> Markup:
    colour, icon = style
    return _ring(colour) if opened else hospital_icon(_NOT_OPENED_COLOUR, icon, size_px=size_px)


def candidate_layer(
    candidates: pd.DataFrame,
    palette: Mapping[str, tuple[str, str]],
    names: Mapping[str, str],
    t: Translator,
    f: Formatter,
) -> folium.GeoJson:
    """One marker per candidate (``facility_id``, ``name``, ``hospital_id``, ``opened``,
    ``lat``, ``lon``, ``gain_min``, ``gain_people_60``)."""
    opened = candidates["opened"].astype(bool).to_numpy()
    owners = candidates["hospital_id"].astype(str)
    frame = gpd.GeoDataFrame(
        {
            "name": candidates["name"].astype(str).to_numpy(),
            "hospital": [names.get(h, h) for h in owners],
            "status": [t("report.growth_new") if o else t("map.candidate_not_opened") for o in opened],
            "gain_min": [f.number(v, decimals=1, signed=True) for v in candidates["gain_min"]],
            "gain_people": [f.number(v, signed=True) for v in candidates["gain_people_60"]],
            "svg": [str(_candidate_svg(o, palette[h])) for o, h in zip(opened, owners, strict=True)],
            "size": [_RING_PX if o else 24 for o in opened],
        },
        geometry=gpd.points_from_xy(candidates["lon"].astype(float), candidates["lat"].astype(float)),
        index=pd.Index(candidates["facility_id"].astype(str).to_numpy()),
        crs=CRS_LONLAT,
    )  # fmt: skip
    rows = [
        ("name", t("report.growth_col_site")),
        ("hospital", t("report.growth_col_hospital")),
        ("status", t("report.growth_col_opened")),
        ("gain_min", t("report.growth_col_gain_min")),
        ("gain_people", t("report.growth_col_gain_people")),
    ]
    layer = folium.GeoJson(
        geojson(frame, [*(field for field, _ in rows), "svg", "size"]),
        name=layer_name(t("map.candidates")),
        marker=folium.Marker(icon=folium.DivIcon(icon_size=(24, 24), icon_anchor=(12, 12))),
        on_each_feature=JsCode(
            "function(f, layer) { var s = f.properties.size; layer.setIcon(L.divIcon({html: "
            "f.properties.svg, iconSize: [s, s], iconAnchor: [s / 2, s / 2], "
            "className: 'planner-candidate'})); }"
        ),
    )
    Details(rows).add_to(layer)
    return layer


def candidate_legend(
    candidates: pd.DataFrame, palette: Mapping[str, tuple[str, str]], t: Translator
) -> list[dict[str, Any]]:
    """The legend's rows: a ringed icon for the new sites, a grey one for the others."""
    rows = []
    opened = candidates[candidates["opened"].astype(bool)]
    if len(opened):
        colour, _ = palette[str(opened["hospital_id"].iloc[0])]
        rows.append({"icon": _ring(colour, size_px=18, dot=True), "text": t("report.growth_new")})
    closed = candidates[~candidates["opened"].astype(bool)]
    if len(closed):
        style = palette[str(closed["hospital_id"].iloc[0])]
        rows.append(
            {
                "icon": _candidate_svg(False, style, size_px=18),
                "text": t("map.candidate_not_opened"),
            }
        )
    return rows
