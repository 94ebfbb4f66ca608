"""The dependencies say what the code needs: every package the planner imports is declared, the
ones whose internals it uses are bounded in ``pyproject.toml`` exactly as the run-time check
(:mod:`planner._deps`) bounds them, and an untested version is refused with what to install.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from _paths import ROOT
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

import planner
from planner import _deps

PACKAGE = Path(planner.__file__).resolve().parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
#: Imported only by optional parts, each declared in the extra that installs it.
OPTIONAL = {"ipywidgets": "jupyter"}


def _requirements(names: list[str]) -> dict[str, Requirement]:
    return {canonicalize_name(r.name): r for r in map(Requirement, names)}


def _imported_top_level() -> dict[str, set[str]]:
    """Top-level names of every absolute import in planner/, with the modules importing them."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(path.name)
    return found


def test_every_imported_package_is_declared():
    """``branca`` was imported but only installed through folium: each import is declared."""
    runtime = _requirements(PYPROJECT["project"]["dependencies"])
    extras = {
        extra: _requirements(names)
        for extra, names in PYPROJECT["project"]["optional-dependencies"].items()
    }
    distributions = metadata.packages_distributions()
    imported = {
        name: modules
        for name, modules in _imported_top_level().items()
        if name not in sys.stdlib_module_names and name not in ("planner", "__future__")
    }
    assert {"branca", "folium", "mapbox_vector_tile", "xlsxwriter", "tomli_w"} <= set(imported)
    undeclared = {}
    for name, modules in sorted(imported.items()):
        dists = {canonicalize_name(d) for d in distributions.get(name, [name])}
        declared = runtime
        if name in OPTIONAL:
            declared = extras[OPTIONAL[name]]
        if not dists & set(declared):
            undeclared[name] = sorted(modules)
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"


def test_the_bounds_of_pyproject_are_the_ones_checked_at_run_time():
    runtime = _requirements(PYPROJECT["project"]["dependencies"])
    for distribution, wanted in _deps.TESTED.items():
        requirement = runtime[canonicalize_name(distribution)]
        assert str(requirement.specifier) == str(Requirement(f"x{wanted}").specifier), distribution
        upper = [s for s in requirement.specifier if s.operator == "<"]
        assert upper, f"{distribution} relies on internals: it needs an upper bound"
        # the installed version (the one the suite runs on) is among the tested ones
        assert Version(metadata.version(distribution)) in requirement.specifier


def test_the_internals_named_are_the_ones_used():
    """Each bounded package is used below its public API somewhere (else the bound is not needed)."""
    text = {p.name: p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py")}
    assert "branca.element.Element = " in text["_page.py"]  # branca's rendering, patched
    assert re.search(r"\._children\b", text["_assets.py"])  # branca Element internals
    assert "default_js" in text["_assets.py"]  # folium's resource lists
    assert "decoder.TileData" in text["_mvt.py"] or "mvt_decoder.TileData" in text["_mvt.py"]


def test_an_untested_version_is_refused_with_what_to_install(monkeypatch):
    versions = {"branca": "0.9.0", "folium": "0.20.0"}
    monkeypatch.setattr(_deps.metadata, "version", lambda name: versions[name])
    _deps.require_tested.cache_clear()
    try:
        assert _deps.require_tested("folium") == "0.20.0"
        with pytest.raises(_deps.UntestedVersionError) as caught:
            _deps.require_tested("branca")
        message = str(caught.value)
        assert "branca 0.9.0 is installed" in message
        assert "pip install 'branca>=0.8,<0.9'" in message
        # the command line shows a PlannerError as one paragraph
        assert isinstance(caught.value, planner.errors.PlannerError)
    finally:
        _deps.require_tested.cache_clear()


def test_a_missing_package_is_refused_with_what_to_install(monkeypatch):
    def missing(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(_deps.metadata, "version", missing)
    _deps.require_tested.cache_clear()
    try:
        with pytest.raises(_deps.UntestedVersionError, match="mapbox-vector-tile is not installed"):
            _deps.require_tested("mapbox-vector-tile")
    finally:
        _deps.require_tested.cache_clear()


def test_the_ci_script_runs_the_readme_commands():
    """.ci/run follows the README: the plain install and the demo, then the test tools and the suite."""
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install = script.index('pip install -q -e "."')
    demo = script.index(".venv/bin/planner demo")
    dev = script.index('pip install -q -e ".[dev]"')
    suite = script.index("python -m pytest")
    assert install < demo < dev < suite
