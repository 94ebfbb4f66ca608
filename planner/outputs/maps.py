"""Folium maps of sister-hospital pairings that officials can open anywhere, offline included.

One map shows, as switchable layers: the regional hospitals (one SVG icon and one fixed
colour each, at every site of a hospital with several, the site named in its tooltip), the
district/commune units as circle markers coloured by their sister hospital and sized by
population, the links between them (straight or road routes), each
hospital's catchment (areas dissolved by sister hospital), an optional travel-time
choropleth, a second pairing for comparison, and a light background drawn from the planner's
own data (main roads from the road graph, area boundaries and names) so the map stays legible
with no tile server. Every layer is one ``GeoJson`` whose features share styles through a
property key, geometries are simplified in metres and coordinates rounded to 5 decimals (about
1 m), so the whole-Hanoi commune map stays small. With ``self_contained=True`` Leaflet is inlined
(see :mod:`planner.outputs._assets`) and only the background tiles need the network.

Safety: names, ids and districts come from other people's files. Tooltips and popups are built
in the browser with ``textContent`` (``templates/map.js``), never ``innerHTML``; layer names
(which Leaflet's layer control writes as HTML) are escaped; the title and legend are jinja2
templates with autoescape; GeoJSON is embedded with ``<``, ``>`` and ``&`` escaped. A hostile
name is shown as text and cannot run script.

Comparison design: the ``compare`` pairing is a second overlay group of the same map (hidden
at first), plus a layer ringing the units whose sister hospital differs, in the colour of the
hospital they have in the comparison. A ``folium.plugins.DualMap`` would need Leaflet.Sync from
a CDN (not packaged) and would duplicate every layer in the file; overlays on one map let
officials flip between the two pairings over the same catchments and see exactly which units
move.
"""

from __future__ import annotations

import contextlib
import html
import json
import logging
import math
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import branca.element
import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from folium.template import Template
from folium.utilities import JsCode
from markupsafe import Markup

from planner._vn import core_name
from planner.config import CRS_LONLAT, OSM_ATTRIBUTION, metric_crs
from planner.errors import PlannerInputError
from planner.io import atomic_path
from planner.outputs._assets import RawHTML, inline_assets
from planner.outputs._templates import render, source
from planner.outputs._whatif import WhatIf, add_whatif
from planner.outputs.formatting import Formatter
from planner.outputs.i18n import DEFAULT_LANG, Translator
from planner.pairing.scoring import population_weights
from planner.places.sites import hospital_of
from planner.roads.graph import TravelGraph

if TYPE_CHECKING:
    from planner.access.cells import CellAccess

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
#: The offline background: main road classes (OpenMapTiles vocabulary) and their line style.
#: A warm tan, lighter for smaller roads: not a grey of the time scale, not a hospital hue.
_ROAD_STYLE = {
    "motorway": ("#a0784a", 2.6),
    "trunk": ("#a0784a", 2.2),
    "primary": ("#b8956a", 1.6),
    "secondary": ("#cdb08c", 1.1),
}
_ROAD_SIMPLIFY_M = 40.0
_ROAD_DECIMALS = 4  # about 10 m: a background needs no more
#: Ring of the units whose sister hospital differs in the comparison (legend swatch).
_CHANGED_LEGEND_COLOUR = "#444444"
#: Names of small areas show from this zoom on.
_SMALL_LABEL_ZOOM = 11
#: folium/branca element names carry a random 32-hex id (``geo_json_<uuid>``).
_ELEMENT_ID = re.compile(r"(?<=[A-Za-z0-9]_)[0-9a-f]{32}(?![0-9A-Za-z])")
_RADIUS_PX = (3.0, 14.0)
_DECIMALS = 5  # about 1 m: finer digits only inflate the file
#: Area names smaller than this (km²) show only once zoomed in, so the centre stays legible.
_SMALL_AREA_KM2 = 60.0

_TILES = {
    "OpenStreetMap": (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        f'<a href="https://www.openstreetmap.org/copyright">{OSM_ATTRIBUTION}</a>',
        19,
        "map.base_osm",
    ),
    "CartoDB positron": (
        "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        f'<a href="https://www.openstreetmap.org/copyright">{OSM_ATTRIBUTION}</a>, '
        '© <a href="https://carto.com/attributions">CARTO</a>',
        20,
        "map.base_light",
    ),
}


class _RenderedText(Element):
    """Text that is already rendered: shown as is, never compiled as a template again."""

    def __init__(self, template: str | None = None, template_name: str | None = None) -> None:
        super().__init__(template_name=template_name)
        self._text = template

    def render(self, **kwargs: Any) -> str:
        return self._text or ""


_ONE_PASS_LOCK = threading.RLock()


@contextlib.contextmanager
def _one_pass_rendering() -> Iterator[None]:
    """Render folium elements once: their output is never evaluated as a template again.

    branca's ``MacroElement.render`` wraps each element's rendered script/html/header in
    ``Element(text)``, which compiles that text as a jinja2 template a second time (branca
    0.8). A facility named ``{{ cycler.__init__.__globals__.os.getpid() }}`` would then run
    Python code while the map is rendered, and ``{{ 7*7 }}`` would show as ``49``. While
    the planner's maps render, branca's ``Element`` in that code path is this module's
    :class:`_RenderedText`, which keeps the already rendered text as is (folium's own
    templates never rely on the second pass: the tests render maps both ways and compare).
    """
    with _ONE_PASS_LOCK:
        original = branca.element.Element
        branca.element.Element = _RenderedText  # type: ignore[misc]
        try:
            yield
        finally:
            branca.element.Element = original  # type: ignore[misc]


class _PlannerMap(folium.Map):
    """A folium map rendered in one pass (see :func:`_one_pass_rendering`)."""

    def render(self, **kwargs: Any) -> Any:
        with _one_pass_rendering():
            return super().render(**kwargs)


class _Panel(MacroElement):
    """A fixed box over the map (title or legend); ``content`` is markup from a template."""

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        {{ this.content }}
        {% endmacro %}
        """
    )

    def __init__(self, content: Markup, *, kind: str) -> None:
        super().__init__()
        self._name = f"Panel_{kind}"
        self.content = content


class _Details(MacroElement):
    """A tooltip or popup built in the browser with ``textContent`` (see ``map.js``).

    ``rows`` are ``(property, label)`` pairs; a ``None`` label shows the value alone and rows
    whose value is empty are left out.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.{{ this.method }}(
            window.plannerDetails({{ this.rows|tojson }}), {{ this.options|tojavascript }});
        {% endmacro %}
        """
    )

    def __init__(self, rows: Sequence[tuple[str, str | None]], *, popup: bool = False) -> None:
        super().__init__()
        self._name = "Details"
        self.method = "bindPopup" if popup else "bindTooltip"
        self.rows = [list(row) for row in rows]
        self.options = {"maxWidth": 340} if popup else {"sticky": True}


class _MapScript(MacroElement):
    """A script run once the map exists (``{map}`` in ``code`` is the map's variable)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.code }}
        {% endmacro %}
        """
    )

    def __init__(self, code: str, *, name: str) -> None:
        super().__init__()
        self._name = name
        self.code = code

    def render(self, **kwargs: Any) -> Any:
        owner = self._parent
        while owner is not None and not isinstance(owner, folium.Map):
            owner = owner._parent
        assert owner is not None, "add the script to a map or to one of its layers"
        self.code = self.code.replace("{map}", owner.get_name())
        return super().render(**kwargs)


def hospital_palette(hospitals: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Return a fixed ``(colour, icon)`` per hospital id, the same in every map and chart.

    The four Hanoi regional hospitals get their specialty's colour and icon (general: blue
    cross, cardiology: vermilion heart, oncology: green star, obstetrics: purple venus);
    other hospitals get further colours in id order. The sites of a hospital share its style.

    Parameters
    ----------
    hospitals
        Frame with ``facility_id`` and, optionally, ``hospital_id`` (a hospital of several
        sites: one row per site) and ``specialty``.

    Returns
    -------
    dict
        ``{hospital_id: (hex colour, icon name)}``.

    Examples
    --------
    >>> import pandas as pd
    >>> hospital_palette(pd.DataFrame({"facility_id": ["a"], "specialty": ["cardiology"]}))
    {'a': ('#D55E00', 'heart')}
    """
    key = hospital_of(hospitals)
    ids = sorted(set(key))
    specialty = (
        hospitals["specialty"].set_axis(key.to_numpy())
        if "specialty" in hospitals
        else pd.Series(dtype=object)
    )
    specialty = specialty[~specialty.index.duplicated()]
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


def hospital_icon(colour: str, icon: str, *, size_px: int = 30) -> Markup:
    """Return a hospital's round SVG icon (its colour and specialty symbol) as markup.

    Parameters
    ----------
    colour, icon
        A :func:`hospital_palette` entry.
    size_px
        Width and height in pixels.

    Returns
    -------
    markupsafe.Markup

    Examples
    --------
    >>> str(hospital_icon("#D55E00", "heart", size_px=18))[:40]
    '<svg xmlns="http://www.w3.org/2000/svg" '
    """
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", colour) or icon not in _SVG_PATHS:
        raise ValueError(f"not a palette entry: {colour!r}, {icon!r}")
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size_px}" height="{size_px}" '
        f'viewBox="0 0 24 24"><circle cx="12" cy="12" r="11" fill="{colour}" stroke="#fff" '
        f'stroke-width="1.5"/><path d="{_SVG_PATHS[icon]}" fill="#fff"/></svg>'
    )


def is_pilot_pair(district: Any, hospital_id: Any) -> bool:
    """Say whether a pinned unit's pair is the Ba Vì pilot (its district with Xanh Pon).

    Parameters
    ----------
    district, hospital_id
        The unit's district and sister hospital.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_pilot_pair("Huyện Ba Vì", "hn-reg-xanhpon"), is_pilot_pair("Ba Vì", "hn-reg-heart")
    (True, False)
    """
    from planner.pairing.propose import PILOT_DISTRICT, PILOT_HOSPITAL_ID

    return str(hospital_id) == PILOT_HOSPITAL_ID and core_name(district) == core_name(
        PILOT_DISTRICT
    )


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
        wanted = {str(h) for h in hospitals}
        frame = fac[fac["facility_id"].isin(wanted) | hospital_of(fac).isin(wanted)]
    frame = frame.drop_duplicates("facility_id").reset_index(drop=True)
    # one row per site, each knowing its hospital, role and name (:mod:`planner.places.sites`)
    frame = frame.assign(hospital_id=hospital_of(frame))
    roles = _optional(frame, "site_role", None)
    frame["site_role"] = roles.where(roles.notna(), "main").to_numpy()
    names = _optional(frame, "site_name", None)
    frame["site_name"] = names.where(names.notna(), frame["name"]).astype(str).to_numpy()
    frame["sites"] = frame.groupby("hospital_id")["facility_id"].transform("size").to_numpy()
    missing = sorted(set(pairings["hospital_id"].dropna().astype(str)) - set(frame["hospital_id"]))
    if missing:
        raise PlannerInputError(
            f"hospitals {missing[:5]} of the pairing are not among the facilities",
            field="hospital_id",
            hint="pass the facility table the pairing was made with",
        )
    return frame


def _trip(seconds: Any, t: Translator, f: Formatter) -> str:
    """A unit's travel time in words, or that there is no road."""
    if seconds is None or pd.isna(seconds) or not math.isfinite(float(seconds)):
        return t("map.unreachable")
    return f.minutes(seconds)


def switch_text(name: str, seconds: Any, t: Translator, f: Formatter, *, prefix: str) -> str:
    """Word a switching cost by its sign: ``"X: 3 min slower"``, ``"4 min faster"``, ``"same"``.

    Parameters
    ----------
    name : str
        The next-best hospital (``{name}`` of the message; unused by the report's messages).
    seconds : float
        Time in seconds with the next-best hospital minus time with the sister hospital (a
        finite number: callers handle a missing one).
    t : Translator
        The translator of the output language.
    f : Formatter
        The formatter of the same language.
    prefix : str
        ``"map"`` or ``"report"``: whose messages to use.

    Returns
    -------
    str
        The sentence; a difference within half a minute either way is the "same time".

    Examples
    --------
    >>> t, f = Translator("en"), Formatter("en")
    >>> switch_text("Xanh Pon", 180, t, f, prefix="map")
    'Xanh Pon: 3 min slower'
    >>> switch_text("Xanh Pon", -240, t, f, prefix="map")
    'Xanh Pon: 4 min faster'
    >>> switch_text("Xanh Pon", 20, t, f, prefix="map")
    'Xanh Pon: same time'
    >>> switch_text("", 180, Translator("vi"), Formatter("vi"), prefix="report")
    'chậm hơn 3 phút'
    """
    whole = round(abs(float(seconds)) / 60.0)
    if whole == 0:
        return t(f"{prefix}.switch_same", name=name)
    key = "slower" if seconds > 0 else "faster"
    return t(f"{prefix}.switch_{key}", name=name, minutes=f.minutes(abs(float(seconds))))


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


def _round(gdf: gpd.GeoDataFrame, decimals: int = _DECIMALS) -> gpd.GeoDataFrame:
    geoms = shapely.transform(gdf.geometry.to_numpy(), lambda xy: np.round(xy, decimals))
    return gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))


def _geojson(
    gdf: gpd.GeoDataFrame, columns: Sequence[str], *, decimals: int = _DECIMALS
) -> dict[str, Any]:
    """GeoJSON dict with ``id`` = index and only ``columns`` as properties (compact)."""
    out = _round(gdf[[*columns, "geometry"]].to_crs(CRS_LONLAT), decimals)
    return json.loads(out.to_json(drop_id=False, na="null"))


def _layer_name(text: str) -> str:
    """Leaflet's layer control writes layer names as HTML: escape them."""
    return html.escape(text, quote=True)


def _optional(pairings: pd.DataFrame, column: str, default: Any) -> pd.Series:
    if column in pairings:
        return pairings[column]
    return pd.Series(default, index=pairings.index, dtype=object)


def site_label(row: Any, t: Translator) -> str:
    """Name a hospital site for the map and the report: its ``site_name``, with "(main site)"
    added when it is the main one and shares the hospital's ``name``.

    Parameters
    ----------
    row : object
        A site (``name``, ``site_name``, ``site_role``), e.g. from ``itertuples``.
    t : Translator
        The translator of the output language.

    Returns
    -------
    str
        The site's name, marked as the main site where it carries the hospital's name.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> site = SimpleNamespace(name="BV A", site_name="BV A", site_role="main")
    >>> site_label(site, Translator("en"))
    'BV A (main site)'
    >>> other = SimpleNamespace(name="BV A", site_name="BV A - Cơ sở 2", site_role="site")
    >>> site_label(other, Translator("en"))
    'BV A - Cơ sở 2'
    """
    if row.site_role == "main" and str(row.site_name) == str(row.name):
        return t("map.site_main", site=row.site_name)
    return str(row.site_name)


def _site_named(hospitals: pd.DataFrame) -> np.ndarray:
    """Which sites the map names: those of a hospital with several, or named apart."""
    own_name = hospitals["site_name"].astype(str) != hospitals["name"].astype(str)
    return ((hospitals["sites"] > 1) | own_name).to_numpy()


def _unit_sites(pairings: pd.DataFrame, hosp: pd.DataFrame) -> pd.Series:
    """The site each unit's trips use: its ``site_id``, else its hospital's main site."""
    main = hosp[hosp["site_role"] == "main"].drop_duplicates("hospital_id")
    main_site = dict(zip(main["hospital_id"], main["facility_id"], strict=True))
    fallback = pairings["hospital_id"].astype(object).map(main_site)
    if "site_id" not in pairings:
        return fallback.astype(object)
    given = pairings["site_id"].astype(object)
    return given.where(given.notna(), fallback).astype(object)


def _unit_layer_frame(
    pairings: pd.DataFrame,
    facilities: pd.DataFrame,
    names: Mapping[str, str],
    t: Translator,
    f: Formatter,
    compare: pd.DataFrame | None,
    hosp: pd.DataFrame,
) -> gpd.GeoDataFrame:
    """Units with their location and the text of their tooltip and popup (plain text); ``s``
    is the site their trips use (where their link ends), named when the hospital has several
    (or the site a name of its own)."""
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
    pop = (
        pairings["population"]
        if "population" in pairings
        else loc["population"].set_axis(ids.index)
    )
    hosp_ids = pairings["hospital_id"].astype("string")
    pinned = _optional(pairings, "pinned", False).fillna(False).astype(bool).to_numpy()
    district = _optional(pairings, "district", None)
    next_best = _optional(pairings, "next_best_hospital_id", None)
    switch = pd.to_numeric(_optional(pairings, "switch_cost_s", np.nan), errors="coerce")

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

    site = _unit_sites(pairings, hosp)
    several = hosp[_site_named(hosp)]
    site_text = dict(
        zip(several["facility_id"], [site_label(r, t) for r in several.itertuples()], strict=True)
    )
    frame = pd.DataFrame(
        {
            "name": pairings["unit_name"].astype(str).to_numpy(),
            "level": [t.get(f"level.{v}", str(v)) for v in pairings["unit_level"]],
            "district": [None if pd.isna(d) else str(d) for d in district],
            "population": [f.people(p) for p in pd.to_numeric(pop, errors="coerce")],
            "hospital": [hospital_name(h) for h in hosp_ids],
            "site": [site_text.get(x) for x in site],
            "fixed": [fixed(p, d, h) for p, d, h in zip(pinned, district, hosp_ids, strict=True)],
            "travel_time": [_trip(s, t, f) for s in pairings["travel_time_s"]],
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


def _tiles(m: folium.Map, tiles: str | None, t: Translator) -> None:
    if tiles is None:
        return
    if tiles not in _TILES:
        raise PlannerInputError(
            f"unknown tiles {tiles!r}", field="tiles", hint=f"use one of {sorted(_TILES)} or None"
        )
    for name, (url, attr, max_zoom, label) in _TILES.items():
        folium.TileLayer(
            url,
            attr=attr,
            name=_layer_name(t(label)),
            max_zoom=max_zoom,
            overlay=False,
            show=name == tiles,
        ).add_to(m)


def _unit_rows(
    t: Translator, *, time_label: str, compare_label: str | None
) -> list[tuple[str, str | None]]:
    rows: list[tuple[str, str | None]] = [
        ("name", t("map.name")),
        ("level", t("map.level")),
        ("district", t("map.district")),
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


def _unit_layer(
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
        colour = palette.get(p["h"], (_UNREACHABLE_COLOUR, ""))[0]
        return {
            "color": "#000000" if p["pin"] else "#ffffff",
            "weight": 2.5 if p["pin"] else 0.8,
            "fill": True,
            "fillColor": colour if p["tt"] is not None else _UNREACHABLE_COLOUR,
            "fillOpacity": 0.85,
        }

    layer = folium.GeoJson(
        _geojson(units, [*fields, "r", "h", "tt", "pin"]),
        name=_layer_name(name),
        show=show,
        style_function=style,
        marker=folium.CircleMarker(radius=_RADIUS_PX[0]),
        on_each_feature=JsCode("function(f, layer) { layer.setRadius(f.properties.r); }"),
    )
    _Details([rows[0], ("hospital", None)]).add_to(layer)
    _Details(rows, popup=True).add_to(layer)
    return layer


def _changed_layer(
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
        colour = palette.get(feature["properties"]["c"], (_UNREACHABLE_COLOUR, ""))[0]
        return {"color": colour, "weight": 3, "opacity": 1.0, "fill": False}

    layer = folium.GeoJson(
        _geojson(changed, ["name", "hospital", "cmp", "r", "c"]),
        name=_layer_name(t("map.changed", name=compare_label, count=len(changed))),
        show=False,
        style_function=style,
        marker=folium.CircleMarker(radius=_RADIUS_PX[0]),
        on_each_feature=JsCode("function(f, layer) { layer.setRadius(f.properties.r); }"),
    )
    rows = [("name", t("map.name")), ("hospital", label), ("cmp", compare_label)]
    _Details(rows).add_to(layer)
    return layer


def _link_frame(
    units: gpd.GeoDataFrame,
    hospitals: pd.DataFrame,
    *,
    links: str,
    graph: TravelGraph | None,
    mode: str,
    simplify_m: float,
) -> gpd.GeoDataFrame:
    """One line per reachable unit → the site of its sister hospital its trips use (straight,
    or the road route)."""
    hpos = hospitals.set_index("facility_id")[["lon", "lat"]].astype(float)
    reach = units[(units["h"] != "") & (units["s"] != "") & units["tt"].notna()]
    lines: Any
    if links == "straight":
        ends = hpos.loc[reach["s"]].to_numpy()
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
        metric = _metric(frame)
        frame = metric.set_geometry(metric.geometry.simplify(simplify_m)).to_crs(CRS_LONLAT)
    return frame


def _route_lines(graph: Any, reach: gpd.GeoDataFrame, hpos: pd.DataFrame, *, mode: str) -> list:
    """The road route of each unit to its hospital's site (one search per site); a straight
    line (logged) where there is none."""
    from planner.travel import routes

    starts = np.column_stack([reach.geometry.x, reach.geometry.y])
    ids = [f"unit-{i}" for i in range(len(reach))]  # positions: unit ids may repeat hospital ids
    found = routes(
        graph,
        pd.DataFrame({"facility_id": ids, "lon": starts[:, 0], "lat": starts[:, 1]}),
        hpos.rename_axis("facility_id").reset_index(),
        pairs=list(zip(ids, reach["s"].astype(str), strict=True)),
        mode=mode,
    )
    lines = list(found.geometry)
    for i in np.flatnonzero((found["status"] != "ok").to_numpy()):
        log.warning(
            "no road route drawn for a unit at %.5f, %.5f (%s); straight line instead",
            starts[i, 1], starts[i, 0], found["reason"].iloc[i],
        )  # fmt: skip
        end = hpos.loc[reach["s"].iloc[i]]
        lines[i] = shapely.LineString([starts[i], (float(end["lon"]), float(end["lat"]))])
    return lines


def _link_layer(
    frame: gpd.GeoDataFrame, palette: Mapping[str, tuple[str, str]], *, name: str, show: bool
) -> folium.GeoJson:
    def style(feature: dict[str, Any]) -> dict[str, Any]:
        colour = palette.get(feature["properties"]["h"], (_UNREACHABLE_COLOUR, ""))[0]
        return {"color": colour, "weight": 1.2, "opacity": 0.55}

    return folium.GeoJson(
        _geojson(frame, ["h"]), name=_layer_name(name), show=show, style_function=style
    )


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


def _metric(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The frame in the UTM zone of its own area, where simplifying and areas are in metres."""
    lonlat = gdf.to_crs(CRS_LONLAT)
    west, south, east, north = lonlat.total_bounds
    return lonlat.to_crs(metric_crs([west, east], [south, north]))


def _simplified(gdf: gpd.GeoDataFrame, simplify_m: float) -> gpd.GeoDataFrame:
    """Areas simplified in metres and made valid, polygons only.

    ``make_valid`` may return a GeometryCollection (a polygon with a stray line or point
    where two areas touch); Leaflet draws that as a group without ``getElement``, and a
    tooltip on it stops the page's script, so only the polygonal parts are kept.
    """
    metric = _metric(gdf)
    geoms = metric.geometry.simplify(simplify_m, preserve_topology=True).make_valid()
    return metric.set_geometry(geoms.map(_polygonal)).to_crs(CRS_LONLAT)


def _polygonal(geom: Any) -> Any:
    """The polygon parts of a geometry (itself when it is a (multi)polygon)."""
    if geom is None or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


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
    metric = _metric(areas.dropna(subset=["h"]))
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

    layer = folium.GeoJson(
        _geojson(dissolved, ["hospital", "h"]),
        name=_layer_name(name),
        show=show,
        style_function=style,
    )
    _Details([("hospital", None)]).add_to(layer)
    return layer


def _time_class(seconds: float) -> int:
    if seconds is None or not math.isfinite(seconds):
        return -1
    return int(np.searchsorted(_TIME_BINS_MIN, seconds / 60.0, side="right")) - 1


def _area_label_column(areas: pd.DataFrame) -> str | None:
    return next((c for c in ("name", "commune", "district") if c in areas), None)


def _choropleth_layer(
    areas: gpd.GeoDataFrame, t: Translator, f: Formatter, *, name: str, simplify_m: float
) -> folium.GeoJson:
    label_col = _area_label_column(areas)
    frame = _simplified(areas, simplify_m)
    frame["area"] = frame[label_col].astype(str) if label_col else ""
    frame["travel_time"] = [_trip(s, t, f) for s in frame["tt"]]
    frame["k"] = [_time_class(s) for s in frame["tt"]]
    frame.index = pd.RangeIndex(len(frame)).astype(str)

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        k = feature["properties"]["k"]
        style = {"color": "#555555", "weight": 0.6, "fillOpacity": 0.55}
        if k < 0:
            return {**style, **_UNREACHABLE_AREA}
        return {**style, "fillColor": _TIME_COLOURS[k]}

    layer = folium.GeoJson(
        _geojson(frame, ["area", "travel_time", "k"]),
        name=_layer_name(name),
        style_function=style,
    )
    _Details([("area", None), ("travel_time", None)]).add_to(layer)
    return layer


def _surface_layer(
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
    k = np.array([_time_class(s) for s in cells["time_to_sister_s"]], dtype=int)
    metric = _metric(gpd.GeoDataFrame({"k": k}, geometry=cells.geometry.to_numpy(), crs=CRS_LONLAT))
    people = pd.Series(cells["population"].to_numpy(float)).groupby(k).sum()
    classes = sorted(set(k.tolist()))
    pieces = metric.geometry.to_numpy()
    shapes = [shapely.union_all(pieces[k == c]).simplify(simplify_m) for c in classes]
    edges = [*_TIME_BINS_MIN, None]
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
    frame = frame.set_geometry(frame.geometry.map(_polygonal))
    frame.index = pd.Index([f"k{c}" for c in classes])

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        c = feature["properties"]["k"]
        base = {"stroke": False, "fillOpacity": 0.8}
        if c < 0:
            return {**base, **_UNREACHABLE_AREA, "stroke": True, "weight": 0.6}
        return {**base, "fillColor": _TIME_COLOURS[c]}

    layer = folium.GeoJson(
        _geojson(frame, ["k", "band", "people"], decimals=_ROAD_DECIMALS),
        name=_layer_name(t("map.surface")),
        show=False,
        style_function=style,
        attribution=_surface_credit(access.attribution),
    )
    _Details([("band", None), ("people", None)]).add_to(layer)
    return layer


def _surface_credit(attribution: str) -> str:
    """The population data's credit as markup for Leaflet's attribution line (escaped)."""
    if "WorldPop" in attribution:
        return (
            '<a href="https://www.worldpop.org/">WorldPop</a> 2020 (University of '
            "Southampton), CC BY 4.0"
        )
    return html.escape(attribution, quote=True)


def _main_roads(graph: TravelGraph, *, simplify_m: float = _ROAD_SIMPLIFY_M) -> gpd.GeoDataFrame:
    """The graph's main roads (motorway to secondary), merged per class and simplified.

    Each two-way road is one pair of directed edges: one of them is kept. Slip roads are left
    out (they only clutter a background).
    """
    codes = [i for i, c in enumerate(graph.class_names) if c in _ROAD_STYLE]
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
    metric = _metric(gpd.GeoDataFrame({"c": classes}, geometry=lines, crs=CRS_LONLAT))
    merged = [
        (
            c,
            shapely.simplify(
                shapely.line_merge(shapely.union_all(g.geometry.to_numpy())), simplify_m
            ),
        )
        for c, g in metric.groupby("c", sort=False)
    ]
    order = {c: i for i, c in enumerate(_ROAD_STYLE)}
    merged.sort(key=lambda item: -order[item[0]])  # small roads first, big ones drawn on top
    frame = gpd.GeoDataFrame(
        {"c": [c for c, _ in merged]}, geometry=[g for _, g in merged], crs=metric.crs
    )
    return frame.to_crs(CRS_LONLAT)


def _roads_layer(graph: TravelGraph, t: Translator) -> folium.GeoJson:
    roads = _main_roads(graph)
    roads.index = roads["c"].astype(str)

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        colour, weight = _ROAD_STYLE[feature["properties"]["c"]]
        return {"color": colour, "weight": weight, "opacity": 0.85}

    return folium.GeoJson(
        _geojson(roads, ["c"], decimals=_ROAD_DECIMALS),
        name=_layer_name(t("map.roads")),
        style_function=style,
        interactive=False,
    )


def _names_layer(areas: gpd.GeoDataFrame, t: Translator, *, outlines: bool, simplify_m: float):
    """Area names at a point inside each area (text, not markup); outlines when asked."""
    group = folium.FeatureGroup(name=_layer_name(t("map.boundaries")), show=True)
    label_col = _area_label_column(areas)
    if outlines:
        shapes = _simplified(areas[["geometry"]], simplify_m)
        folium.GeoJson(
            _geojson(shapes, []),
            style_function=lambda _: {"color": "#666666", "weight": 0.8, "fill": False},
            interactive=False,
        ).add_to(group)
    if label_col is None:
        return group
    metric = _metric(areas)
    points = gpd.GeoDataFrame(
        {
            "label": areas[label_col].astype(str).to_numpy(),
            "small": (metric.geometry.area.to_numpy() / 1e6) < _SMALL_AREA_KM2,
        },
        geometry=metric.geometry.representative_point().to_numpy(),
        crs=metric.crs,
    )
    folium.GeoJson(
        _geojson(points, ["label", "small"]),
        marker=folium.Marker(icon=folium.DivIcon(), interactive=False),
        on_each_feature=JsCode(
            "function(f, layer) { layer.setIcon("
            "window.plannerLabel(f.properties.label, f.properties.small)); }"
        ),
    ).add_to(group)
    if points["small"].any():
        _MapScript(
            f"window.plannerWatchZoom({{map}}, {_SMALL_LABEL_ZOOM});", name="WatchZoom"
        ).add_to(group)
    return group


def _hospital_layer(
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
    pop = _counted_population(pairings)
    served = pairings["hospital_id"].astype(str).to_numpy()
    ids = hospitals["hospital_id"].astype(str)
    at_site = units["s"].astype(str).to_numpy()
    named = _site_named(hospitals)
    several = (hospitals["sites"] > 1).to_numpy()
    specialty = _optional(hospitals, "specialty", None)
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
        _geojson(frame, [*(field for field, _ in rows), "svg"]),
        name=_layer_name(t("map.hospitals")),
        marker=folium.Marker(
            icon=folium.DivIcon(icon_size=(30, 30), icon_anchor=(15, 15)), z_index_offset=1000
        ),
        on_each_feature=JsCode(
            "function(f, layer) { layer.setIcon(L.divIcon({html: f.properties.svg, "
            "iconSize: [30, 30], iconAnchor: [15, 15], className: 'planner-hospital'})); }"
        ),
    )
    _Details([("name", None), ("site", None)]).add_to(layer)
    _Details(rows, popup=True).add_to(layer)
    return layer


def _legend(
    hospitals: pd.DataFrame,
    palette: Mapping[str, tuple[str, str]],
    units: gpd.GeoDataFrame,
    t: Translator,
    *,
    choropleth: bool,
    approximate: bool,
    roads: bool,
    compare_label: str | None,
) -> Markup:
    fixed_rows = units["fixed"].dropna()
    fixed = None
    if len(fixed_rows):
        pilot = t("pin.pilot")
        fixed = pilot if (fixed_rows == pilot).all() else t("pin.fixed")
    classes = []
    if choropleth:
        edges = [*_TIME_BINS_MIN, None]
        for lo, hi, colour in zip(edges[:-1], edges[1:], _TIME_COLOURS, strict=True):
            span = f"{lo}–{hi}" if hi is not None else f"≥ {lo}"
            classes.append({"colour": colour, "text": f"{span} {t('unit.min')}", "dashed": False})
        classes.append(
            {
                "colour": _UNREACHABLE_AREA["fillColor"],
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
        fixed=fixed,
        unreachable=bool(units["tt"].isna().any()),
        unreachable_colour=_UNREACHABLE_COLOUR,
        changed=changed,
        classes=classes,
        classes_title=t("map.choropleth"),
        roads=_ROAD_STYLE["trunk"][0] if roads else None,
        notes=[t("map.catchments_approx")] if approximate else [],
    )


def _page_assets(m: folium.Map) -> None:
    """The planner's map stylesheet and helper script, once in the page head."""
    figure = m.get_root()
    assert isinstance(figure, Figure)
    figure.header.add_child(
        RawHTML(f"<style>{source('map.css')}</style>", name="planner_css"), name="planner_css"
    )
    figure.header.add_child(
        RawHTML(f"<script>{source('map.js')}</script>", name="planner_js"), name="planner_js"
    )


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
    graph: TravelGraph | None = None,
    mode: str = "car",
    depart: str | None = None,
    roads: bool = True,
    choropleth: Literal["travel_time"] | None = "travel_time",
    tiles: str | None = "OpenStreetMap",
    title: str | None = None,
    subtitle: str | None = None,
    simplify_m: float = 30.0,
    self_contained: bool = True,
    lang: str = DEFAULT_LANG,
    whatif: WhatIf | None = None,
    surface: CellAccess | None = None,
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
        Polygons to draw catchments, the travel-time choropleth and place names on:
        ``hanoi_areas()`` (2025 communes keyed by ``facility_id``, or approximate 2024
        districts keyed by ``district``). ``None`` draws no polygons.
    hospitals
        The hospitals to draw: a frame, a list of facility ids, or ``None`` for the regional
        facilities and every hospital the pairing uses.
    compare, compare_label
        A second pairing of the same units, drawn as a hidden overlay group, and its name
        (e.g. ``"nearest hospital"``, or where it comes from); layers and popups use it.
    label
        Name of the main pairing in the layer control.
    links
        ``"straight"`` lines, road ``"routes"`` (needs ``graph``; ``mode`` picks the speed
        profile), or ``None``.
    graph
        The road graph (:class:`planner.roads.graph.TravelGraph`): for road routes, and for the
        offline background of main roads.
    mode, depart
        Travel mode of the routes; departure time (``"HH:MM"``) the travel times are for,
        named in the popups ("travel time at 17:30").
    roads
        Draw the main roads (motorway to secondary) from ``graph`` as a light background
        layer, so the map is legible with no tile server (about 150 kB for Hanoi).
    choropleth
        ``"travel_time"`` colours ``areas`` by travel time to the sister hospital (when
        ``areas`` are given); the catchments are then drawn as outlines.
    tiles
        Base layer shown first: ``"OpenStreetMap"`` or ``"CartoDB positron"`` (both are in
        the layer control, each with the OSM attribution), or ``None`` for no tiles.
    title, subtitle
        Title shown over the map (and as the page title) and a second line under it, e.g.
        the scenario (:func:`planner.outputs.formatting.scenario_parts`).
    simplify_m
        Polygon and route simplification tolerance, in metres.
    self_contained
        Inline Leaflet so that the map draws with no network (only tiles need it).
    lang
        Labels in Vietnamese (``"vi"``, the default) or English (``"en"``); place names stay
        Vietnamese.
    whatif
        Let readers reassign units in the page (offline, no Python) and see the scores move:
        a :class:`WhatIf` holding the travel times of every unit to every hospital at
        ``depart`` and at the comparison departure (see :mod:`planner.outputs._whatif`). ``None``: a
        map to read only.
    surface
        Travel times from where people live (:func:`planner.access.cells.cell_access` with this
        pairing's sister hospitals): drawn as a layer hidden at first, the populated cells
        coloured by the time to their sister hospital on the choropleth's scale (cells of one
        time band merged into one shape, so the file stays small), with the population
        data's credit in the map's attribution while it is shown.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import tempfile, warnings
    >>> from planner.places.hanoi import hanoi_areas, hanoi_facilities
    >>> from planner.roads.network import hanoi_network
    >>> from planner.pairing.propose import nearest_pairings
    >>> from planner.travel.matrix import pair_travel_times
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # units placed at population centres
    ...     fac = hanoi_facilities(scheme="2025")
    >>> hospitals, units = fac[fac.level == "regional"], fac[fac.level != "regional"]
    >>> graph = hanoi_network()
    >>> matrix = pair_travel_times(graph, hospitals, units)
    >>> m = pairing_map(nearest_pairings(units, hospitals, matrix), fac,
    ...                 areas=hanoi_areas(scheme="2025"), graph=graph, lang="en")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     print(save_map(m, folder + "/map.html").name)
    map.html
    """
    t, f = Translator(lang), Formatter(lang)
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
    names = dict(zip(hosp["hospital_id"], hosp["name"].astype(str), strict=True))
    label = label or t("map.pairing")
    compare_label = (compare_label or t("map.compare")) if compare is not None else None
    time_label = t("map.travel_time_at", time=depart) if depart else t("map.travel_time")

    units = _unit_layer_frame(pairings, facilities, names, t, f, compare, hosp)
    unreachable = int(units["tt"].isna().sum())
    if unreachable:
        log.warning("%d units have no reachable sister hospital; drawn grey", unreachable)

    m = _PlannerMap(tiles=None, control_scale=True, prefer_canvas=False)
    _page_assets(m)
    _tiles(m, tiles, t)
    approximate = False
    draw_choropleth = choropleth is not None and areas is not None
    with_h = None
    layers: dict[str, folium.GeoJson] = {}  # what the what-if panel restyles
    if areas is not None:
        with_h, approximate = _area_hospitals(areas, pairings)
        if draw_choropleth:
            name = t("map.choropleth_district") if approximate else t("map.choropleth")
            layers["areas"] = _choropleth_layer(with_h, t, f, name=name, simplify_m=simplify_m)
            layers["areas"].add_to(m)
        _catchment_layer(
            with_h,
            palette,
            names,
            name=t("map.catchments_approx") if approximate else t("map.catchments"),
            show=True,
            filled=not draw_choropleth,
            dashed=False,
            simplify_m=simplify_m,
        ).add_to(m)
    if surface is not None:
        _surface_layer(surface, t, f, simplify_m=simplify_m).add_to(m)
    draw_roads = roads and graph is not None
    if roads and graph is not None:
        _roads_layer(graph, t).add_to(m)
    if areas is not None:
        _names_layer(areas, t, outlines=not draw_choropleth, simplify_m=simplify_m).add_to(m)
    if links is not None:
        frame = _link_frame(units, hosp, links=links, graph=graph, mode=mode, simplify_m=simplify_m)
        name = t("map.links" if links == "straight" else "map.routes")
        layers["links"] = _link_layer(frame, palette, name=name, show=True)
        layers["links"].add_to(m)
    rows = _unit_rows(t, time_label=time_label, compare_label=compare_label)
    layers["units"] = _unit_layer(
        units, palette, rows, name=t("map.units_layer", name=label), show=True
    )
    layers["units"].add_to(m)
    if compare is not None:
        assert compare_label is not None
        group = folium.FeatureGroup(
            name=_layer_name(t("map.compare_layer", name=compare_label)), show=False
        )
        other = _unit_layer_frame(compare, facilities, names, t, f, None, hosp)
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
        other_rows = _unit_rows(t, time_label=time_label, compare_label=None)
        _unit_layer(other, palette, other_rows, name=compare_label, show=True).add_to(group)
        group.add_to(m)
        _changed_layer(units, palette, t, label=label, compare_label=compare_label).add_to(m)
    layers["hospitals"] = _hospital_layer(hosp, pairings, palette, t, f, units)
    layers["hospitals"].add_to(m)

    title = title or t("map.title")
    figure = m.get_root()
    assert isinstance(figure, Figure)
    figure.title = html.escape(title if not subtitle else f"{title} — {subtitle}")
    _Panel(render("map_title.html.j2", title=title, subtitle=subtitle), kind="title").add_to(m)
    legend = _legend(
        hosp,
        palette,
        units,
        t,
        choropleth=draw_choropleth,
        approximate=approximate,
        roads=draw_roads,
        compare_label=compare_label if compare is not None else None,
    )
    _Panel(legend, kind="legend").add_to(m)
    if whatif is not None:
        add_whatif(
            m, whatif, pairings=pairings, facilities=facilities, units=units, hospitals=hosp,
            palette=palette, layers=layers, areas=with_h, lang=lang, mode=mode,
            area_shapes=None if with_h is None or draw_choropleth else _simplified(with_h, simplify_m),
            styles={"time_bins_min": _TIME_BINS_MIN, "time_colours": _TIME_COLOURS,
                    "unreachable_colour": _UNREACHABLE_COLOUR, "unreachable_area": _UNREACHABLE_AREA},
        )  # fmt: skip
    # Collapsed: an icon at the top right, opened by a tap; the legend says what is drawn.
    folium.LayerControl(collapsed=True).add_to(m)
    lats = np.concatenate([units.geometry.y.to_numpy(), hosp["lat"].astype(float).to_numpy()])
    lons = np.concatenate([units.geometry.x.to_numpy(), hosp["lon"].astype(float).to_numpy()])
    m.fit_bounds([[float(lats.min()), float(lons.min())], [float(lats.max()), float(lons.max())]])
    if self_contained:
        inline_assets(m)
    return m


def save_map(m: folium.Map, path: str | Path) -> Path:
    """Write the map to ``path`` as one HTML file, atomically; return the path.

    Parameters
    ----------
    m
        A folium map (:func:`pairing_map`).
    path
        The HTML file to write.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import folium, tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = save_map(folium.Map(tiles=None), pathlib.Path(folder) / "m.html")
    ...     print(out.name, out.stat().st_size > 0)
    m.html True
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(map_html(m), encoding="utf-8")
    return path


def map_html(m: folium.Map) -> str:
    """Return the map's standalone HTML page as text (what :func:`save_map` writes).

    folium names every element with a random id (``geo_json_<32 hex>``); they are renumbered
    in order of first appearance, so the same map gives the same bytes on every run.

    Parameters
    ----------
    m
        A folium map.

    Returns
    -------
    str

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


__all__ = [
    "WhatIf",
    "hospital_icon",
    "hospital_palette",
    "is_pilot_pair",
    "map_html",
    "pairing_map",
    "save_map",
    "site_label",
    "switch_text",
]
