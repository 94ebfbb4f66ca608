"""QGIS's default style of each GeoPackage layer: the ``layer_styles`` table, coloured by hospital.

QGIS keeps a layer's style in the GeoPackage itself, in a table ``layer_styles`` (the schema
QGIS's OGR provider creates: ``id`` and :data:`LAYER_STYLES_COLUMNS`); a row marked
``useAsDefault`` for a layer (``f_table_name``, ``f_geometry_column``, an empty
``f_table_schema``) is applied when the layer is opened. :func:`layer_styles` gives one such row
per layer with a hospital column: a categorized renderer on ``hospital_id`` (the cells:
``sister_hospital_id``) in the planner's colours (:func:`planner.outputs.labels.hospital_palette`,
those of the map and the report), each category labelled with the hospital's name, and grey
for units no hospital reaches. The QML is built as XML (:mod:`xml.etree.ElementTree`), so a
name is text in it, never markup.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from planner.outputs.labels import hospital_palette
from planner.places.sites import hospital_of

#: The columns of QGIS's ``layer_styles`` table (its ``id`` is the table's FID).
LAYER_STYLES_COLUMNS = (
    "f_table_catalog",
    "f_table_schema",
    "f_table_name",
    "f_geometry_column",
    "styleName",
    "styleQML",
    "styleSLD",
    "useAsDefault",
    "description",
    "owner",
    "ui",
    "update_time",
)
#: The column each layer is coloured by (the cells carry their sister hospital's id).
STYLED_BY = {
    "units": "hospital_id",
    "hospitals": "hospital_id",
    "links": "hospital_id",
    "areas": "hospital_id",
    "candidates": "hospital_id",
    "cells": "sister_hospital_id",
}
#: Units no hospital reaches (and anything else without a hospital).
NO_HOSPITAL_COLOUR = "#9E9E9E"
_QGIS_VERSION = "3.28.0"  # the oldest QGIS long-term release whose QML this follows


def layer_styles(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    geometry_columns: Mapping[str, str] | None = None,
    updated: dt.datetime | None = None,
) -> pd.DataFrame:
    """The ``layer_styles`` rows of a GeoPackage's layers: each coloured by hospital.

    Parameters
    ----------
    layers
        Layer name -> GeoDataFrame (:func:`planner.outputs.geopackage.geopackage_layers`); its
        ``hospitals`` layer gives each hospital's colour and name. Layers without their
        :data:`STYLED_BY` column get no style.
    geometry_columns
        Each layer's geometry column in the file (QGIS matches a style by it); default
        ``"geom"``, what GDAL names it in a GeoPackage.
    updated
        The ``update_time`` written (default now, UTC).

    Returns
    -------
    pandas.DataFrame
        One row per styled layer, columns :data:`LAYER_STYLES_COLUMNS` (``f_table_schema`` and
        the other unused texts empty, never NULL: QGIS compares ``f_table_schema=''``).

    Examples
    --------
    >>> import xml.etree.ElementTree as ET
    >>> from shapely.geometry import Point
    >>> hospitals = gpd.GeoDataFrame({"facility_id": ["h1"], "hospital_id": ["h1"],
    ...     "name": ["Bệnh viện Tim Hà Nội"], "specialty": ["cardiology"]},
    ...     geometry=[Point(105.85, 21.03)], crs="EPSG:4326")
    >>> units = gpd.GeoDataFrame({"unit_id": ["u1"], "hospital_id": ["h1"]},
    ...     geometry=[Point(105.8, 21.0)], crs="EPSG:4326")
    >>> styles = layer_styles({"units": units, "hospitals": hospitals})
    >>> styles[["f_table_name", "f_geometry_column", "useAsDefault"]].values.tolist()
    [['units', 'geom', True], ['hospitals', 'geom', True]]
    >>> qml = ET.fromstring(styles["styleQML"].iloc[0])
    >>> [(c.get("value"), c.get("label")) for c in qml.iter("category")]
    [('h1', 'Bệnh viện Tim Hà Nội'), ('', '—')]
    """
    names, palette = _hospitals(layers.get("hospitals"))
    when = (updated or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    rows = []
    for layer, frame in layers.items():
        column = STYLED_BY.get(layer)
        if column is None or column not in frame.columns or frame.empty:
            continue
        kind = _symbol_kind(frame)
        present = {str(h) for h in frame[column].dropna()}
        ids: list[str] = [h for h in palette if h in present] + sorted(present - set(palette))
        rows.append(
            {
                "f_table_catalog": "",
                "f_table_schema": "",
                "f_table_name": layer,
                "f_geometry_column": (geometry_columns or {}).get(layer, "geom"),
                "styleName": layer,
                "styleQML": style_qml(
                    column,
                    [(h, names.get(h, h), palette.get(h, NO_HOSPITAL_COLOUR)) for h in ids],
                    kind=kind,
                    layer=layer,
                ),
                "styleSLD": "",
                "useAsDefault": True,
                "description": f"{layer} coloured by {column} (planner)",
                "owner": "",
                "ui": "",
                "update_time": pd.Timestamp(when),
            }
        )
    return pd.DataFrame(rows, columns=list(LAYER_STYLES_COLUMNS))


def style_qml(
    column: str, categories: list[tuple[str, str, str]], *, kind: str, layer: str = ""
) -> str:
    """A QGIS style (QML) drawing a layer by categories of one column.

    Parameters
    ----------
    column
        The column the categories are values of (``hospital_id``).
    categories
        ``(value, label, "#rrggbb")`` per category, in legend order; a last grey category
        with an empty value takes every other value (units no hospital reaches).
    kind
        ``"marker"`` (points), ``"line"`` or ``"fill"`` (polygons).
    layer
        The layer's name: hospitals are drawn larger than units, cells without outlines.

    Returns
    -------
    str
        The QML document (``<!DOCTYPE qgis ...>``), UTF-8 text.

    Examples
    --------
    >>> import xml.etree.ElementTree as ET
    >>> qml = style_qml("hospital_id", [("h1", "H1", "#0072B2")], kind="line")
    >>> root = ET.fromstring(qml)
    >>> root.find("renderer-v2").get("type"), root.find("renderer-v2").get("attr")
    ('categorizedSymbol', 'hospital_id')
    >>> symbols = root.find("renderer-v2/symbols")
    >>> [p.get("v") for p in symbols.iter("prop") if p.get("k") == "line_color"]
    ['0,114,178,255', '158,158,158,255']
    """
    root = ET.Element("qgis", {"version": _QGIS_VERSION, "styleCategories": "Symbology|Legend"})
    renderer = ET.SubElement(
        root,
        "renderer-v2",
        {
            "type": "categorizedSymbol",
            "attr": column,
            "symbollevels": "0",
            "enableorderby": "0",
            "forceraster": "0",
            "referencescale": "-1",
        },
    )
    cats = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    every = [*categories, ("", "—", NO_HOSPITAL_COLOUR)]
    for i, (value, label, colour) in enumerate(every):
        ET.SubElement(
            cats,
            "category",
            {"value": value, "label": label, "symbol": str(i), "render": "true", "type": "string"},
        )
        symbols.append(_symbol(str(i), colour, kind=kind, layer=layer))
    source = ET.SubElement(renderer, "source-symbol")
    source.append(_symbol("0", NO_HOSPITAL_COLOUR, kind=kind, layer=layer))
    ET.SubElement(renderer, "rotation")
    ET.SubElement(renderer, "sizescale")
    geometry_type = {"marker": "0", "line": "1", "fill": "2"}[kind]
    ET.SubElement(root, "layerGeometryType").text = geometry_type
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


def _hospitals(hospitals: pd.DataFrame | None) -> tuple[dict[str, str], dict[str, str]]:
    """Each hospital's name and colour, from the hospitals layer (one row per site)."""
    if hospitals is None or hospitals.empty:
        return {}, {}
    ids = hospital_of(hospitals)
    names: dict[str, str] = {}
    for hid, name in zip(ids, hospitals.get("name", ids), strict=True):
        names.setdefault(str(hid), str(name))
    palette = {hid: style[0] for hid, style in hospital_palette(hospitals).items()}
    return names, palette


def _symbol_kind(frame: gpd.GeoDataFrame) -> str:
    types = set(frame.geom_type.dropna())
    if types <= {"Point", "MultiPoint"}:
        return "marker"
    if types <= {"LineString", "MultiLineString"}:
        return "line"
    return "fill"


def _rgba(colour: str, alpha: int = 255) -> str:
    value = colour.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{alpha}"


def _symbol(name: str, colour: str, *, kind: str, layer: str) -> ET.Element:
    """One symbol of one simple layer: a circle, a line or a translucent fill."""
    if kind == "marker":
        big = layer in ("hospitals", "candidates")
        cls = "SimpleMarker"
        props = {
            "name": {"hospitals": "square", "candidates": "diamond"}.get(layer, "circle"),
            "color": _rgba(colour),
            "outline_color": "255,255,255,255",
            "outline_width": "0.4" if big else "0.2",
            "outline_style": "solid",
            "size": "4.6" if big else "2.4",
            "size_unit": "MM",
        }
    elif kind == "line":
        cls = "SimpleLine"
        props = {
            "line_color": _rgba(colour),
            "line_width": "0.5",
            "line_width_unit": "MM",
            "line_style": "solid",
            "capstyle": "round",
        }
    else:
        cls = "SimpleFill"
        props = {
            "color": _rgba(colour, 110),
            "outline_color": _rgba(colour),
            "outline_style": "no" if layer == "cells" else "solid",
            "outline_width": "0.26",
            "style": "solid",
        }
    symbol = ET.Element(
        "symbol",
        {"type": kind, "name": name, "alpha": "1", "clip_to_extent": "1", "force_rhr": "0"},
    )
    part = ET.SubElement(
        symbol, "layer", {"class": cls, "enabled": "1", "locked": "0", "pass": "0"}
    )
    # QGIS 3.26+ reads the Option map, earlier 3.x releases the prop elements: both are written
    options = ET.SubElement(part, "Option", {"type": "Map"})
    for key, value in props.items():
        ET.SubElement(options, "Option", {"name": key, "value": value, "type": "QString"})
    for key, value in props.items():
        ET.SubElement(part, "prop", {"k": key, "v": value})
    return symbol


__all__ = [
    "LAYER_STYLES_COLUMNS",
    "NO_HOSPITAL_COLOUR",
    "STYLED_BY",
    "layer_styles",
    "style_qml",
]
