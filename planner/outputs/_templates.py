"""The jinja2 environment behind every HTML the planner writes (report, map panels).

Autoescape is on for every template: any value a template prints is escaped unless it is
:class:`markupsafe.Markup` made by the planner itself (the charts' SVG, the map's page). Names,
ids and districts from users are therefore text, never markup. Undefined variables are errors,
so a misspelt name fails the tests instead of printing nothing.
"""

from __future__ import annotations

import functools
from typing import Any

import jinja2
from markupsafe import Markup


@functools.cache
def environment() -> jinja2.Environment:
    """Return the shared environment loading ``planner/templates`` (autoescaped, strict)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("planner.outputs", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(name: str, /, **context: Any) -> Markup:
    """Render template ``name`` with ``context``; the result is markup for other templates."""
    return Markup(environment().get_template(name).render(**context))


def source(name: str) -> str:
    """Return a packaged template file's text as is (stylesheets and scripts)."""
    loader = environment().loader
    assert loader is not None
    return loader.get_source(environment(), name)[0]
