"""The module paths of planner 0.1, kept for one release (removed in 0.3).

``planner.network``, ``planner.workflow`` and the other flat modules of 0.1 moved into the
stage subpackages in 0.2. Importing an old path still works: it warns once with a
:class:`DeprecationWarning` naming the new path and gives the new module itself, so code that
patches or reads the old module sees the same objects. A finder on ``sys.meta_path`` does it
rather than 19 stub files, so ``ls planner`` shows only the design.

``planner.travel``, ``planner.pairing`` and ``planner.access`` are subpackages exporting what
those modules exported: they need no alias.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
import warnings
from collections.abc import Sequence

#: Old module path -> new module path.
MOVED: dict[str, str] = {
    "planner.graph": "planner.roads.graph",
    "planner.speeds": "planner.roads.speeds",
    "planner.network": "planner.roads.network",
    "planner.interop": "planner.roads.interop",
    "planner.facilities": "planner.places.facilities",
    "planner.sites": "planner.places.sites",
    "planner.population": "planner.places.population",
    "planner.hanoi": "planner.places.hanoi",
    "planner.scoring": "planner.pairing.scoring",
    "planner.explain": "planner.pairing.explain",
    "planner.i18n": "planner.outputs.i18n",
    "planner.formatting": "planner.outputs.formatting",
    "planner.maps": "planner.outputs.map.build",
    "planner.report": "planner.outputs.report.build",
    "planner.workflow": "planner.app.workflow",
    "planner.session": "planner.app.session",
    "planner.explorer": "planner.app.explorer",
    "planner.cli": "planner.app.cli",
}

#: The release that removes the old paths.
REMOVED_IN = "0.3"


class _Alias(importlib.abc.Loader):
    def __init__(self, new: str) -> None:
        self.new = new
        self.spec: importlib.machinery.ModuleSpec | None = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        warnings.warn(
            f"{spec.name} moved to {self.new}; the old path goes in planner {REMOVED_IN}",
            DeprecationWarning,
            stacklevel=2,
        )
        module = importlib.import_module(self.new)
        self.spec = module.__spec__  # the import system overwrites it with the alias's
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        module.__spec__ = self.spec  # already executed: only its own spec is given back


class _MovedFinder(importlib.abc.MetaPathFinder):
    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        new = MOVED.get(fullname)
        if new is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Alias(new))


def install() -> None:
    """Let the old module paths import (once per process)."""
    if not any(isinstance(finder, _MovedFinder) for finder in sys.meta_path):
        sys.meta_path.append(_MovedFinder())
