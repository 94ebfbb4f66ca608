"""The package's layout is its design: stages as subpackages, layers kept, old paths still working.

``docs/architecture.md`` draws the house; these tests keep it true: every subpackage says what it
owns, no module grows past one job's worth of lines, the import-linter contracts hold, and the
module paths of planner 0.1 still import (with a DeprecationWarning naming the new path).
"""

from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import planner
from planner import _moved

PACKAGE = Path(planner.__file__).resolve().parent
ROOT = PACKAGE.parent
STAGES = ("roads", "places", "travel", "access", "pairing", "outputs", "app")
MAX_LINES = 800


def test_every_stage_is_a_subpackage_that_says_what_it_owns():
    for stage in STAGES:
        module = importlib.import_module(f"planner.{stage}")
        assert module.__file__ is not None and module.__file__.endswith("__init__.py"), stage
        assert module.__doc__ and len(module.__doc__.split()) >= 15, (
            f"planner.{stage} says too little"
        )


def test_top_level_holds_only_the_stages_and_the_foundations():
    top = {p.stem for p in PACKAGE.glob("*.py")} | {
        p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()
    }
    foundations = {"__init__", "errors", "config", "io", "_cache", "_json", "_vn", "_moved"}
    assert top - foundations - set(STAGES) <= {"_clock", "_stats", "_geo", "requests"}, top


def test_no_module_is_longer_than_one_job():
    long = {
        str(p.relative_to(ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


@pytest.mark.parametrize("old", sorted(_moved.MOVED))
def test_old_module_paths_import_with_a_deprecation_warning(old):
    new = _moved.MOVED[old]
    for name in (old, *(m for m in sys.modules if m.startswith(old + "."))):
        sys.modules.pop(name, None)
    with pytest.warns(DeprecationWarning, match=rf"{old} moved to {new}"):
        module = importlib.import_module(old)
    assert module is importlib.import_module(new)
    assert module.__spec__ is not None and module.__spec__.name == new  # the real module, intact


def test_old_names_reach_the_same_functions():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from planner.network import hanoi_network  # type: ignore[import-not-found]
        from planner.workflow import plan  # type: ignore[import-not-found]
    from planner.app.workflow import plan as new_plan

    from planner.roads.network import hanoi_network as new_hanoi_network

    assert plan is new_plan and hanoi_network is new_hanoi_network
    # travel, pairing and access were modules of 0.1 and are subpackages exporting the same API
    from planner.access import cell_access  # noqa: F401
    from planner.pairing import PairingResult, propose_pairings  # noqa: F401
    from planner.travel import pair_travel_times, travel_time_matrix  # noqa: F401


def test_import_layers_hold():
    """The contracts of pyproject.toml: stages import only below them; pairing never the roads."""
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "lint-imports not installed: pip install -e '.[dev]'"
    done = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "BROKEN" not in done.stdout and "0 broken" in done.stdout, done.stdout[-3000:]


def test_notebooks_use_the_public_api_only():
    """Notebooks import from ``planner`` itself, and every name they use is in ``__all__``."""
    used: set[str] = set()
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        deep = re.findall(r"^\s*(?:from|import) (planner\.[\w.]+)", code, flags=re.M)
        assert not deep, f"{notebook.name} imports {deep}: import from planner instead"
        listed = re.findall(r"^from planner import \(([^)]*)\)", code, flags=re.M)
        listed += re.findall(r"^from planner import ([^(\n]+)$", code, flags=re.M)
        for names in listed:
            used |= {n.strip() for n in names.replace("\n", ",").split(",") if n.strip()}
    assert used and used <= set(planner.__all__), sorted(used - set(planner.__all__))


def test_the_architecture_table_names_every_module():
    """docs/architecture.md is the design of record: each module has a row (by its path, or by its
    name in its folder's row); package ``__init__``s are described by their folder's rows."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = [line for line in doc.splitlines() if line.startswith("| `planner/")]
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if path.name == "__init__.py" and path.parent != PACKAGE:
            continue
        folder = path.parent.relative_to(ROOT).as_posix() + "/"
        named = any(folder in row and f"`{path.stem}" in row for row in rows)
        if f"`{rel}`" not in doc and not named:
            missing.append(rel)
    assert not missing, f"modules without a row in docs/architecture.md: {missing}"


def test_no_merge_conflict_markers_are_left():
    """A conflict marker left in a doc or module is a merge not finished."""
    paths = [*PACKAGE.rglob("*.py"), *(ROOT / "docs").glob("*.md"), ROOT / "README.md"]
    marked = [
        p.relative_to(ROOT).as_posix()
        for p in paths
        if re.search(r"^(<{7}|>{7}) ", p.read_text(encoding="utf-8"), flags=re.M)
    ]
    assert not marked, marked
