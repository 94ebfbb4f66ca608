"""Make a folium map self-contained: inline Leaflet from the packaged ``xstatic-leaflet``.

folium links every JS/CSS resource from a CDN through the ``default_js`` / ``default_css``
lists of its :class:`folium.elements.JSCSSMixin` elements (the map itself asks for Leaflet,
jQuery, Bootstrap, Leaflet.awesome-markers and Font Awesome). Offices that block CDNs then
see a blank page. :func:`inline_assets` walks the map's element tree, empties those lists on
each element (instance attributes: folium's class-level lists stay untouched), inlines
Leaflet's JS and CSS (its images as ``data:`` URIs) into the page head, and drops the
resources only needed by features the planner does not use (awesome-markers icons,
Bootstrap). Any other resource is an error rather than a silent CDN link.

Only Leaflet is inlined: XStatic-Leaflet is maintained, versioned with Leaflet itself and a
pure-data wheel; the other XStatic packages (Bootstrap, awesome-markers) are not needed
once markers are drawn with SVG ``DivIcon`` s and do not all build on current Pythons.
"""

from __future__ import annotations

import base64
import functools
import re
from pathlib import Path

import folium
from branca.element import Element, Figure, Html
from folium.elements import JSCSSMixin
from xstatic.pkg import leaflet as _xleaflet

#: Resources folium's ``Map`` always requests that the planner's maps never use:
#: jQuery/Bootstrap (Bootstrap popovers, awesome-markers) and the awesome-markers icon fonts.
_UNUSED = frozenset(
    {
        "jquery",
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
)
_LEAFLET_JS = "leaflet"
_LEAFLET_CSS = "leaflet_css"


class RawHTML(Element):
    """An element rendered verbatim (branca's ``Element`` would run Jinja over the text)."""

    def __init__(self, html: str, *, name: str) -> None:
        super().__init__()
        self._name = name
        self._html = html

    def render(self, **kwargs: object) -> str:
        return self._html


def _leaflet_dir() -> Path:
    return Path(_xleaflet.BASE_DIR)


@functools.cache
def leaflet_js() -> str:
    """Return Leaflet's minified JavaScript from the installed ``xstatic-leaflet``."""
    return (_leaflet_dir() / "leaflet.js").read_text(encoding="utf-8")


@functools.cache
def leaflet_css() -> str:
    """Return Leaflet's CSS with its ``images/*.png`` references turned into ``data:`` URIs."""
    folder = _leaflet_dir()

    def _data_uri(match: re.Match[str]) -> str:
        png = (folder / "images" / match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(png).decode('ascii')})"

    css = (folder / "leaflet.css").read_text(encoding="utf-8")
    return re.sub(r"url\(images/([\w.-]+\.png)\)", _data_uri, css)


def leaflet_version() -> str:
    """Return the version of the packaged Leaflet (e.g. ``"1.9.3"``)."""
    return str(_xleaflet.VERSION)


def _walk(element: Element):
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


def inline_assets(m: folium.Map) -> folium.Map:
    """Make ``m`` draw with no network: inline Leaflet, drop unused CDN resources.

    Parameters
    ----------
    m
        A folium map, already populated (call this after adding every layer: elements
        added later would bring their own CDN links back).

    Returns
    -------
    folium.Map
        The same map, modified in place.

    Raises
    ------
    ValueError
        If an element needs a JS/CSS resource that is not packaged here (e.g. a folium
        plugin): the map would otherwise silently depend on a CDN.

    Examples
    --------
    >>> import folium
    >>> m = inline_assets(folium.Map(location=(21.03, 105.85), tiles=None))
    >>> 'src="http' in m.get_root().render()
    False
    """
    wanted: set[str] = set()
    for element in _walk(m):
        if isinstance(element, folium.Icon):
            raise ValueError(
                "folium.Icon needs Leaflet.awesome-markers and Font Awesome from CDNs: "
                "draw the marker with a DivIcon instead, or use self_contained=False"
            )
        if isinstance(element, Html) and not element.script:
            raise ValueError(
                "an HTML popup (branca Html) is built with jQuery, which is not inlined: "
                "use GeoJsonPopup or a plain-text popup, or self_contained=False"
            )
        if not isinstance(element, JSCSSMixin):
            continue
        for name, url in [*element.default_js, *element.default_css]:
            if name in (_LEAFLET_JS, _LEAFLET_CSS):
                wanted.add(name)
            elif name not in _UNUSED:
                raise ValueError(
                    f"{type(element).__name__} needs {name} from {url}, which is not packaged: "
                    "a self-contained map cannot use it (use self_contained=False)"
                )
        # Instance attributes shadow folium's class lists, which other maps still use.
        element.default_js = []
        element.default_css = []
    figure = m.get_root()
    assert isinstance(figure, Figure), "the map must belong to a folium Figure"
    if _LEAFLET_CSS in wanted:
        figure.header.add_child(
            RawHTML(f"<style>{leaflet_css()}</style>", name="leaflet_css"), name="leaflet_css"
        )
    if _LEAFLET_JS in wanted:
        figure.header.add_child(
            RawHTML(f"<script>{leaflet_js()}</script>", name="leaflet_js"), name="leaflet_js"
        )
    return m
