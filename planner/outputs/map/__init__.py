"""The map: a pairing drawn as one self-contained HTML page that opens offline.

``build`` assembles and writes it (:func:`pairing_map`, :func:`save_map`, :func:`map_html`) from
its parts: ``_layers`` (units, changes, links, catchments, choropleth, hospitals),
``_background`` (the population cells' travel-time surface, main roads, area names drawn
offline), ``_legend``, ``_candidates`` (a growth run's candidate sites), ``_page`` (the page
elements rendered in one pass, panels, tiles, scripts), ``_geometry`` (metres, polygons,
rounded GeoJSON) and ``_assets`` (Leaflet inlined); ``whatif`` is the what-if panel
(:class:`WhatIf`: the data the page re-scores a pairing from); ``invest`` draws an investment
plan's actions over the open primary-care network (:func:`investment_map`, with ``_actions``). This package exports the public
names (``__init__.pyi``), imported on first use.

The map relies on folium's and branca's internals: an untested version of either is refused
here, before any of the modules uses them (:func:`planner._deps.require_tested`).
"""

import lazy_loader as lazy

from planner._deps import require_tested

require_tested("folium")
require_tested("branca")

__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)
