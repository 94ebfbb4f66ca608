"""The public API, written once: each package's ``__init__.pyi`` is its table of public names,
from which ``__all__``, the lazy imports and the type checker's view all come."""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest
from _paths import ROOT

import planner

PACKAGE = ROOT / "planner"
QUICKSTART = (
    "hanoi_network", "hanoi_facilities", "load_facilities", "travel_time_matrix", "route",
    "propose_pairings", "score_pairings", "pairing_map", "write_report", "plan",
)  # fmt: skip
STUBS = sorted(PACKAGE.rglob("__init__.pyi"))


def _table(stub: Path) -> dict[str, str]:
    """Name -> the module it comes from, as the stub writes it (``from .x import n as n``)."""
    package = ".".join(stub.parent.relative_to(ROOT).parts)
    out = {}
    for node in ast.parse(stub.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom):
            assert node.level == 1, f"{stub}: only `from .module import name as name`"
            for alias in node.names:
                assert alias.asname == alias.name, f"{stub}: {alias.name} re-exported as itself"
                where = f"{package}.{node.module}" if node.module else f"{package}.{alias.name}"
                out[alias.name] = where
    return out


def test_every_package_exports_from_one_stub() -> None:
    packages = {p.parent for p in PACKAGE.rglob("__init__.py")}
    exporting = {p.parent for p in STUBS}
    # the app stage has no names of its own (its rooms export theirs); the commands package
    # lists its command modules (COMMANDS), which the parser reads
    quiet = {PACKAGE / "app", PACKAGE / "app" / "cli" / "commands"}
    assert packages - exporting == quiet, sorted(map(str, packages - exporting))


@pytest.mark.parametrize("stub", STUBS, ids=lambda p: str(p.parent.relative_to(ROOT)))
def test_each_name_comes_from_the_module_that_defines_it(stub: Path) -> None:
    package = importlib.import_module(".".join(stub.parent.relative_to(ROOT).parts))
    table = _table(stub)
    assert sorted(package.__all__) == sorted(table)  # __all__ is the table
    assert set(table) <= set(dir(package))
    for name, where in table.items():
        value = getattr(package, name)
        module = importlib.import_module(where) if where != f"{package.__name__}.{name}" else None
        if module is None:  # a subpackage
            assert inspect.ismodule(value), name
            continue
        assert value is getattr(module, name), name
        if inspect.isfunction(value) or inspect.isclass(value):
            assert value.__module__ == where, (
                f"{name} is defined in {value.__module__}, not {where}"
            )
        else:  # a constant: assigned in that module itself, not imported into it
            tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
            assigned = {
                target.id
                for node in tree.body
                if isinstance(node, ast.Assign | ast.AnnAssign)
                for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
                if isinstance(target, ast.Name)
            }
            assert name in assigned, f"{name} is not defined in {where}"


def test_main_functions_come_from_the_package() -> None:
    assert set(QUICKSTART) <= set(planner.__all__) <= set(dir(planner))
    for name in planner.__all__:
        value = getattr(planner, name)
        assert inspect.ismodule(value) or value.__doc__, f"{name} has no docstring"


def test_a_module_lists_only_what_it_defines() -> None:
    """No chains: a module's ``__all__`` names only its own definitions."""
    chained = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)} | {
            t.id
            for n in tree.body
            if isinstance(n, ast.Assign | ast.AnnAssign)
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
            if isinstance(t, ast.Name)
        }
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
            ):
                extra = set(ast.literal_eval(node.value)) - defined
                chained += [f"{path.relative_to(ROOT)}: {name}" for name in sorted(extra)]
    assert not chained, chained


def test_import_planner_is_light() -> None:
    """``planner --help`` and ``import planner`` load none of the heavy libraries."""
    code = (
        "import sys, planner; from planner.app.cli.parser import build_parser; build_parser();"
        "print(sorted(m for m in ('pandas', 'geopandas', 'scipy', 'folium', 'osmnx')"
        " if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=True)  # fmt: skip
    assert result.stdout.strip() == "[]"


def test_every_name_imports_eagerly_too() -> None:
    """``EAGER_IMPORT=1`` (lazy_loader) resolves every table at once: none names a ghost."""
    code = (
        "import importlib, pkgutil, planner\n"
        "for m in pkgutil.walk_packages(planner.__path__, 'planner.'):\n"
        "    if not m.name.endswith('__main__'):\n"
        "        importlib.import_module(m.name)\n"
        "print('ok')"
    )
    env = {"EAGER_IMPORT": "1", "PATH": ""}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300, env=env, cwd=ROOT)  # fmt: skip
    assert result.stdout.strip() == "ok", result.stderr[-2000:]


def test_typed_marker_ships_with_the_package() -> None:
    assert (ROOT / "planner" / "py.typed").is_file()
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'packages = ["planner"]' in pyproject  # the wheel carries every file of planner/
