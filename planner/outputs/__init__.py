"""Outputs: what people read.

Two rooms by job, each a subpackage: ``map`` (the self-contained HTML map, its layers, offline
background, legend and what-if panel) and ``report`` (the officials' report: the decision table,
the lead, the reasons, the figures, the basis, the charts). Beside them, what both share:
``i18n`` (the languages, over the one translation table ``messages.toml``), ``formatting`` (one
formatter per quantity), ``labels`` (hospital colours, icons and names), ``_frames`` (a
pairing's tables in map terms, for the map and the GeoPackage) and ``_templates`` (the jinja2
environment with autoescape over ``templates/``); and ``geopackage``, the file a GIS office
opens. This package exports the public names (``__init__.pyi``), imported on first use.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)
