"""The map page's own elements, rendered in one pass: panels, tooltips, scripts, assets and tiles.

branca renders an element's text a second time as a template; :class:`PlannerMap` renders once
(:func:`_one_pass_rendering`), so a hostile name stays text. :class:`Details` builds tooltips and
popups in the browser with ``textContent``; layer names are escaped (:func:`layer_name`).
"""

from __future__ import annotations

import contextlib
import html
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import branca.element
import folium
from branca.element import Element, Figure, MacroElement
from folium.template import Template
from markupsafe import Markup

from planner.config import OSM_ATTRIBUTION
from planner.errors import PlannerInputError
from planner.outputs._templates import source
from planner.outputs.i18n import Translator
from planner.outputs.map._assets import RawHTML

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


class PlannerMap(folium.Map):
    """A folium map rendered in one pass (see :func:`_one_pass_rendering`)."""

    def render(self, **kwargs: Any) -> Any:
        with _one_pass_rendering():
            return super().render(**kwargs)


class Panel(MacroElement):
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


class Details(MacroElement):
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


class MapScript(MacroElement):
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


def layer_name(text: str) -> str:
    """Leaflet's layer control writes layer names as HTML: escape them."""
    return html.escape(text, quote=True)


def add_tiles(m: folium.Map, tiles: str | None, t: Translator) -> None:
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
            name=layer_name(t(label)),
            max_zoom=max_zoom,
            overlay=False,
            show=name == tiles,
        ).add_to(m)


def page_assets(m: folium.Map) -> None:
    """The planner's map stylesheet and helper script, once in the page head."""
    figure = m.get_root()
    assert isinstance(figure, Figure)
    figure.header.add_child(
        RawHTML(f"<style>{source('map.css')}</style>", name="planner_css"), name="planner_css"
    )
    figure.header.add_child(
        RawHTML(f"<script>{source('map.js')}</script>", name="planner_js"), name="planner_js"
    )
