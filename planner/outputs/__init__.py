"""Outputs: what people read.

``i18n`` (the languages, over the one translation table ``messages.toml``), ``formatting`` (one
formatter per quantity) and ``labels`` (hospital colours, icons and names) serve the map
(``maps`` and its ``_map_*`` parts, its what-if panel ``_whatif``), the officials' report
(``report`` and its ``_report_*`` parts, the ``decision`` table) and the GeoPackage
(``geopackage``), rendered from jinja2 templates with autoescape (``_templates``, ``templates/``),
self-contained (``_assets``).
"""
