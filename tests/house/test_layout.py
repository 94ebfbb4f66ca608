"""The package's layout is its design: stages as subpackages, rooms by job, layers kept.

``docs/architecture.md`` draws the house; these tests keep it true: every subpackage says what
it owns, every module says its one job, a name another module needs is public in its package
(no private name crosses modules but the few listed here, each with its reason), the
import-linter contracts hold, the module paths of 0.1 are gone, and no module grows into a
dumping ground.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _paths import ROOT

import planner

PACKAGE = Path(planner.__file__).resolve().parent
STAGES = ("roads", "places", "travel", "access", "pairing", "outputs", "app")
#: Folders by job inside the stages (each a subpackage saying what it owns).
ROOMS = (
    "outputs.map",
    "outputs.report",
    "app.cli",
    "app.cli.commands",
    "app.pipeline",
    "app.growth",
    "app.interactive",
    "roads.speeds",
    "places.hanoi",
)
#: A guard against dumping grounds, not a target: modules are split along jobs, never to meet
#: a line count (splitting to a count shreds a job; see issue 29).
DUMPING_GROUND_LINES = 1500
#: Private names that cross modules, each with its reason. Keep it a handful.
PRIVATE_CROSSINGS: dict[tuple[str, str], str] = {}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


@pytest.mark.parametrize("name", [*STAGES, *ROOMS])
def test_every_stage_and_room_is_a_subpackage_that_says_what_it_owns(name):
    module = importlib.import_module(f"planner.{name}")
    assert module.__file__ is not None and module.__file__.endswith("__init__.py"), name
    assert module.__doc__ and len(module.__doc__.split()) >= 15, f"planner.{name} says too little"


def test_top_level_holds_only_the_stages_and_the_foundations():
    top = {p.stem for p in PACKAGE.glob("*.py")} | {
        p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()
    }
    foundations = {"__init__", "__main__", "errors", "config", "io", "requests"}
    private = {"_cache", "_json", "_vn", "_clock", "_stats", "_geo", "_deps", "_workers"}
    assert top == foundations | private | set(STAGES), top ^ (foundations | private | set(STAGES))


def test_every_module_says_its_one_job():
    """A module opens with what it is for: one job, said in its docstring's first sentence."""
    silent = [
        name
        for name, path in _modules().items()
        if not (ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "").strip()
    ]
    assert not silent, f"modules that do not say their job: {silent}"


def test_no_module_is_a_dumping_ground():
    long = {
        str(p.relative_to(ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > DUMPING_GROUND_LINES
    }
    assert not long, f"modules over {DUMPING_GROUND_LINES} lines (split them along jobs): {long}"


def crossings(sources: dict[str, str], packages: set[str]) -> list[tuple[str, str]]:
    """``(importer, imported)`` for every private name or private module used outside the
    package that owns it (a private module of package P may serve every module inside P).

    ``sources`` maps module names to their code; ``packages`` names those that are packages.
    """
    found = []
    for importer, code in sources.items():
        package = importer if importer in packages else importer.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(code)):
            if not (isinstance(node, ast.ImportFrom) and node.module):
                continue
            if not node.module.startswith("planner"):
                continue
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                dotted = target if target in sources else node.module
                parts = dotted.split(".")
                for i, part in enumerate(parts[1:], start=1):
                    owner = ".".join(parts[:i])
                    inside = package == owner or package.startswith(owner + ".")
                    if part.startswith("_") and not part.startswith("__") and not inside:
                        found.append((importer, dotted))
                        break
                else:
                    private = alias.name.startswith("_") and not alias.name.startswith("__")
                    if target not in sources and private:
                        found.append((importer, target))
    return found


def test_private_names_stay_in_their_package():
    modules = _modules()
    sources = {name: path.read_text(encoding="utf-8") for name, path in modules.items()}
    packages = {name for name, path in modules.items() if path.name == "__init__.py"}
    unexplained = sorted(set(crossings(sources, packages)) - set(PRIVATE_CROSSINGS))
    assert not unexplained, (
        "private names used outside their package (make them public in the package that "
        f"owns them, or list them with a reason): {unexplained}"
    )
    assert len(PRIVATE_CROSSINGS) <= 5


def test_the_checker_finds_a_private_crossing():
    """The rule above can fail: outside ``planner.roads``, its private tiles reader or a private
    name of its modules is a crossing; inside it, or a foundation's private module, is not."""
    sources = {
        "planner.roads": "",
        "planner.roads._mvt": "def read_tile_layers(): ...",
        "planner.roads.network": "from planner.roads._mvt import read_tile_layers",
        "planner.roads.graph": "def _hidden(): ...",
        "planner.places.hanoi._locate": (
            "from planner.roads._mvt import read_tile_layers\n"
            "from planner.roads.graph import _hidden\n"
            "from planner import _vn\n"
        ),
        "planner._vn": "",
        "planner": "",
    }
    found = crossings(sources, {"planner", "planner.roads"})
    assert sorted(found) == [
        ("planner.places.hanoi._locate", "planner.roads._mvt"),
        ("planner.places.hanoi._locate", "planner.roads.graph._hidden"),
    ]


def test_import_layers_hold():
    """The contracts of pyproject.toml: stages import only below them; pairing never the roads."""
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "lint-imports not installed: pip install -e '.[dev]'"
    done = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "BROKEN" not in done.stdout and "0 broken" in done.stdout, done.stdout[-3000:]


@pytest.mark.parametrize("old", ["planner.workflow", "planner.network", "planner.maps"])
def test_the_module_paths_of_0_1_are_gone(old):
    """0.1 was never released: its paths were retired in 0.2 (CHANGELOG.md lists them)."""
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(old)
    assert old in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


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
    assert not marked, f"merge conflict markers in {marked}"
