"""Every public function of the public modules documents itself in the numpy manner.

The rule (issue 16): a public function has a docstring with a ``Parameters`` section when it
takes any, a ``Returns`` (or ``Yields``) section unless it returns ``None``, and an
``Examples`` section; pytest runs those examples (``--doctest-modules``), so they stay true.
Public modules are found in every stage subpackage; the command line's modules (``app.cli``)
are left out: their functions are the commands' glue.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import planner

PUBLIC_MODULES = sorted(
    info.name.removeprefix("planner.")
    for info in pkgutil.walk_packages(planner.__path__, prefix="planner.")
    if not any(part.startswith("_") for part in info.name.split("."))
    and not info.ispkg
    and not info.name.startswith("planner.app.cli.")
)


def _own_public_functions(module_name: str) -> list[tuple[str, object]]:
    module = importlib.import_module(f"planner.{module_name}")
    found = []
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(obj):
            found.append((name, obj))
    return found


def _problems(func: object) -> list[str]:
    doc = inspect.getdoc(func) or ""
    if not doc:
        return ["no docstring"]
    problems = []
    signature = inspect.signature(func)  # type: ignore[arg-type]
    takes = [p for p in signature.parameters.values() if p.name not in {"self", "cls"}]
    if takes and "Parameters\n----------" not in doc:
        problems.append("no Parameters section")
    # Annotations are strings here (``from __future__ import annotations``).
    returns_none = signature.return_annotation in {"None", None, type(None)}
    if not returns_none and not ("Returns\n-------" in doc or "Yields\n------" in doc):
        problems.append("no Returns section")
    if "Examples\n--------" not in doc:
        problems.append("no Examples section")
    return problems


def test_the_public_modules_are_found():
    assert {
        "travel.matrix",
        "pairing.propose",
        "outputs.map.build",
        "outputs.map.whatif",
        "outputs.report.build",
        "app.pipeline.planning",
        "app.growth.candidates",
        "app.interactive.session",
        "access.cells",
        "io.pairings",
    } <= set(PUBLIC_MODULES)


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_public_functions_have_numpy_docstrings(module_name):
    missing = {
        name: problems
        for name, func in _own_public_functions(module_name)
        if (problems := _problems(func))
    }
    assert not missing, f"planner.{module_name}: " + "; ".join(
        f"{name}: {', '.join(problems)}" for name, problems in sorted(missing.items())
    )
