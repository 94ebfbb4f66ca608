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
(see :mod:`planner.outputs.map._assets`) and only the background tiles need the network.

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

This module assembles the map (:func:`pairing_map`) and writes it (:func:`save_map`,
:func:`map_html`); the parts live beside it in :mod:`planner.outputs.map`: its layers (``_layers``), the
surface and background (``_background``), the legend (``_legend``), the page elements rendered
in one pass (``_page``), geometry in metres (``_geometry``); the pairing's tables in map terms
(:mod:`planner.outputs._frames`, shared with the GeoPackage) and the names and colours shared
with the report (:mod:`~planner.outputs.labels`).
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Figure

from planner.config import CRS_LONLAT
from planner.errors import PlannerInputError
from planner.io.atomic import atomic_path
from planner.outputs._frames import (
    area_hospitals,
    check_pairings,
    hospital_frame,
    link_frame,
)
from planner.outputs._templates import render
from planner.outputs.formatting import Formatter
from planner.outputs.i18n import DEFAULT_LANG, Translator
from planner.outputs.labels import (
    hospital_palette,
)
from planner.outputs.map._assets import inline_assets
from planner.outputs.map._background import names_layer, roads_layer, surface_layer
from planner.outputs.map._candidates import candidate_layer, candidate_legend
from planner.outputs.map._geometry import simplified
from planner.outputs.map._layers import (
    TIME_BINS_MIN,
    TIME_COLOURS,
    UNREACHABLE_AREA,
    UNREACHABLE_COLOUR,
    catchment_layer,
    changed_layer,
    choropleth_layer,
    hospital_layer,
    link_layer,
    unit_layer,
    unit_layer_frame,
    unit_popup_rows,
)
from planner.outputs.map._legend import map_legend
from planner.outputs.map._page import (
    MapScript,
    Panel,
    PlannerMap,
    add_tiles,
    layer_name,
    page_assets,
)
from planner.outputs.map.whatif import WhatIf, add_whatif
from planner.places.hanoi.ids import registry_scheme
from planner.requests import DEFAULT_TRIP, TripRule
from planner.roads.graph import TravelGraph

if TYPE_CHECKING:
    from planner.access.cells import CellAccess


log = logging.getLogger(__name__)


#: folium/branca element names carry a random 32-hex id (``geo_json_<uuid>``).
_ELEMENT_ID = re.compile(r"(?<=[A-Za-z0-9]_)[0-9a-f]{32}(?![0-9A-Za-z])")


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
    trip: TripRule | None = None,
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
    candidates: pd.DataFrame | None = None,
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
        ``"straight"`` lines, road ``"routes"`` (needs ``graph``; the trip rule's mode and
        departure time pick the fastest road), or ``None``.
    graph
        The road graph (:class:`planner.roads.graph.TravelGraph`): for road routes, and for the
        offline background of main roads.
    trip
        The trip rule the pairing's times follow (:class:`~planner.requests.TripRule`): its
        mode draws the road routes and its departure time is named in the popups ("travel time
        at 17:30"). ``None``: the times are not labelled with an hour (a pairing timed
        elsewhere), routes by car at the default hour.
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
        the departure and at the comparison departure (see :mod:`planner.outputs.map.whatif`). ``None``: a
        map to read only.
    surface
        Travel times from where people live (:func:`planner.access.cells.cell_access` with this
        pairing's sister hospitals): drawn as a layer hidden at first, the populated cells
        coloured by the time to their sister hospital on the choropleth's scale (cells of one
        time band merged into one shape, so the file stays small), with the population
        data's credit in the map's attribution while it is shown.
    candidates
        A growth run's candidate sites (:attr:`planner.pairing.siting.SitingResult.candidates`:
        ``facility_id``, ``name``, ``hospital_id``, ``opened``, ``lat``, ``lon``, gains): the
        opened ones ringed in their hospital's colour as new sites, the others greyed
        (``_candidates``). ``None``: none drawn.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import tempfile, warnings
    >>> from planner.places.hanoi import hanoi_areas, hanoi_facilities
    >>> from planner.roads.network import hanoi_network
    >>> from planner.pairing.explain import nearest_pairings
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
    check_pairings(pairings, what="main")
    if compare is not None:
        check_pairings(compare, what="comparison")
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
    hosp = hospital_frame(facilities, hospitals, both)
    palette = hospital_palette(hosp)
    names = dict(zip(hosp["hospital_id"], hosp["name"].astype(str), strict=True))
    label = label or t("map.pairing")
    compare_label = (compare_label or t("map.compare")) if compare is not None else None
    time_label = t("map.travel_time_at", time=trip.depart) if trip else t("map.travel_time")
    route_trip = trip or DEFAULT_TRIP

    former = registry_scheme(facilities) == "2025"  # districts are former districts
    units = unit_layer_frame(pairings, facilities, names, t, f, compare, hosp, former=former)
    unreachable = int(units["tt"].isna().sum())
    if unreachable:
        log.warning("%d units have no reachable sister hospital; drawn grey", unreachable)

    m = PlannerMap(tiles=None, control_scale=True, prefer_canvas=False, zoom_snap=0.1)
    page_assets(m)
    add_tiles(m, tiles, t)
    approximate = False
    draw_choropleth = choropleth is not None and areas is not None
    with_h = None
    layers: dict[str, folium.GeoJson] = {}  # what the what-if panel restyles
    if areas is not None:
        with_h, approximate = area_hospitals(areas, pairings)
        if draw_choropleth:
            name = t("map.choropleth_district") if approximate else t("map.choropleth")
            layers["areas"] = choropleth_layer(with_h, t, f, name=name, simplify_m=simplify_m)
            layers["areas"].add_to(m)
        catchment_layer(
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
        surface_layer(surface, t, f, simplify_m=simplify_m).add_to(m)
    draw_roads = roads and graph is not None
    if roads and graph is not None:
        roads_layer(graph, t).add_to(m)
    if areas is not None:
        names_layer(areas, t, outlines=not draw_choropleth, simplify_m=simplify_m).add_to(m)
    if links is not None:
        frame = link_frame(
            units, hosp, links=links, graph=graph, trip=route_trip, simplify_m=simplify_m
        )
        name = t("map.links" if links == "straight" else "map.routes")
        layers["links"] = link_layer(frame, palette, name=name, show=True)
        layers["links"].add_to(m)
    rows = unit_popup_rows(t, time_label=time_label, compare_label=compare_label, former=former)
    layers["units"] = unit_layer(
        units, palette, rows, name=t("map.units_layer", name=label), show=True
    )
    layers["units"].add_to(m)
    if compare is not None:
        assert compare_label is not None
        group = folium.FeatureGroup(
            name=layer_name(t("map.compare_layer", name=compare_label)), show=False
        )
        other = unit_layer_frame(compare, facilities, names, t, f, None, hosp, former=former)
        if areas is not None:
            other_areas, _ = area_hospitals(areas, compare)
            catchment_layer(
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
            frame = link_frame(
                other, hosp, links=links, graph=graph, trip=route_trip, simplify_m=simplify_m
            )
            link_layer(frame, palette, name=compare_label, show=True).add_to(group)
        other_rows = unit_popup_rows(t, time_label=time_label, compare_label=None, former=former)
        unit_layer(other, palette, other_rows, name=compare_label, show=True).add_to(group)
        group.add_to(m)
        changed_layer(units, palette, t, label=label, compare_label=compare_label).add_to(m)
    if candidates is not None:
        candidate_layer(candidates, palette, names, t, f).add_to(m)
    layers["hospitals"] = hospital_layer(hosp, pairings, palette, t, f, units)
    layers["hospitals"].add_to(m)

    title = title or t("map.title")
    figure = m.get_root()
    assert isinstance(figure, Figure)
    figure.title = html.escape(title if not subtitle else f"{title} — {subtitle}")
    Panel(render("map_title.html.j2", title=title, subtitle=subtitle), kind="title").add_to(m)
    legend = map_legend(
        hosp,
        palette,
        units,
        t,
        choropleth=draw_choropleth,
        approximate=approximate,
        roads=draw_roads,
        compare_label=compare_label if compare is not None else None,
        candidates=() if candidates is None else candidate_legend(candidates, palette, t),
    )
    Panel(legend, kind="legend").add_to(m)
    if whatif is not None:
        add_whatif(
            m, whatif, pairings=pairings, facilities=facilities, units=units, hospitals=hosp,
            palette=palette, layers=layers, areas=with_h, lang=lang,
            area_shapes=None if with_h is None or draw_choropleth else simplified(with_h, simplify_m),
            styles={"time_bins_min": TIME_BINS_MIN, "time_colours": TIME_COLOURS,
                    "unreachable_colour": UNREACHABLE_COLOUR, "unreachable_area": UNREACHABLE_AREA},
        )  # fmt: skip
    # Collapsed: an icon at the top right, opened by a tap; the legend says what is drawn.
    folium.LayerControl(collapsed=True).add_to(m)
    lats = np.concatenate([units.geometry.y.to_numpy(), hosp["lat"].astype(float).to_numpy()])
    lons = np.concatenate([units.geometry.x.to_numpy(), hosp["lon"].astype(float).to_numpy()])
    if with_h is not None and with_h.crs is not None and len(with_h):
        # The areas drawn reach past their units' points (Ba Vì's hills): fit them whole.
        x0, y0, x1, y1 = with_h.to_crs(CRS_LONLAT).total_bounds
        lats, lons = np.append(lats, [y0, y1]), np.append(lons, [x0, x1])
    bounds = [[float(lats.min()), float(lons.min())], [float(lats.max()), float(lons.max())]]
    # Fitted in the browser (map.js), again whenever the room for the map changes: printed,
    # on a phone, in the report's frame.
    MapScript(f"window.plannerFit({{map}}, {json.dumps(bounds)});", name="Fit").add_to(m)
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


__all__ = ["map_html", "pairing_map", "save_map"]
