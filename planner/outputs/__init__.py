"""Outputs: what people read.

``i18n`` (the one translation table) and ``formatting`` (one formatter per quantity) serve the
map (``maps``, its what-if panel ``_whatif``) and the officials' report (``report``), rendered
from jinja2 templates with autoescape (``_templates``, ``templates/``), self-contained
(``_assets``).
"""
