"""No import cycle anywhere in planner/: data flows one way (readers -> graph -> ... -> CLI).

Every module of the package is parsed with ``ast`` and every import of a ``planner`` module is
collected, at module level and inside functions alike (a deferred import is still a
dependency), except under ``if TYPE_CHECKING:`` (annotations only, never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

import planner

PACKAGE = Path(planner.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str, modules: set[str]) -> set[str]:
    """The ``planner`` modules one module's code imports (outside ``if TYPE_CHECKING:``)."""
    found: set[str] = set()
    package = module if module == "planner" else module.rsplit(".", 1)[0]

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "planner")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from .graph import y
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            if base.split(".")[0] == "planner":
                for alias in node.names:
                    # "from planner import network" imports the submodule planner.roads.network
                    sub = f"{base}.{alias.name}"
                    found.add(sub if sub in modules else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    found.discard(module)
    return found


def import_graph() -> nx.DiGraph:
    """Directed graph of ``planner`` modules: an edge ``a -> b`` when ``a`` imports ``b``."""
    files = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
    graph = nx.DiGraph()
    graph.add_nodes_from(files)
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        graph.add_edges_from((module, dep) for dep in _imports(tree, module, set(files)))
    return graph


def test_the_checker_sees_deferred_and_skips_type_checking_imports():
    source = (
        "from typing import TYPE_CHECKING\n"
        "from planner.roads import network\n"
        "from planner.roads.graph import TravelGraph\n"
        "if TYPE_CHECKING:\n    from planner.app.pipeline import PlanOptions\n"
        "def f():\n    import planner.roads.speeds\n    from planner import __version__\n"
    )
    modules = {
        "planner",
        "planner.roads.network",
        "planner.roads.graph",
        "planner.roads.speeds",
        "planner.app.pipeline",
    }
    found = _imports(ast.parse(source), "planner.example", modules)
    assert found == {
        "planner",
        "planner.roads.network",
        "planner.roads.graph",
        "planner.roads.speeds",
    }


def test_planner_modules_import_no_cycle():
    graph = import_graph()
    assert graph.number_of_nodes() > 20 and graph.number_of_edges() > 30  # it did parse
    assert (
        "planner.app.cli.commands.plan",
        "planner.app.pipeline.planning",
    ) in graph.edges  # imports inside functions count
    cycles = sorted(nx.simple_cycles(graph), key=len)
    assert not cycles, "import cycles: " + "; ".join(
        " -> ".join([*cycle, cycle[0]]) for cycle in cycles[:10]
    )


#: Loaded only when a map, chart, raster, download or template is made (issue 23).
HEAVY = ("folium", "branca", "matplotlib", "rasterio", "osmnx", "jinja2")

_LOADED = """
import sys, warnings
warnings.simplefilter("ignore")
{code}
print(" ".join(sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy!r}))))
"""


def _heavy_loaded(code: str, tmp_path: Path) -> set[str]:
    """The heavy packages in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(PACKAGE.parent)}
    out = subprocess.run(
        [sys.executable, "-c", _LOADED.format(code=code, heavy=HEAVY)],
        cwd=tmp_path, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return set(out.splitlines()[-1].split())  # the last line: the command may print too


def test_importing_the_workflow_loads_no_map_chart_raster_or_download_library(tmp_path):
    assert _heavy_loaded("import planner.app.pipeline", tmp_path) == set()


def test_the_propose_command_loads_no_map_chart_raster_or_download_library(tmp_path):
    # the whole `planner propose` path on the real Hanoi data, files written
    argv = ["propose", "--quiet", "--scheme", "2025", "--out", str(tmp_path / "out")]
    command = f"from planner.app.cli import main; main({argv!r})"
    assert _heavy_loaded(command, tmp_path) == set()
    assert (tmp_path / "out" / "scores.json").exists()  # it did run


def test_the_checker_sees_a_heavy_import(tmp_path):
    assert _heavy_loaded("import planner.outputs.map.build", tmp_path) >= {"folium", "branca"}
