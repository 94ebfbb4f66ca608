"""The public API: importable from ``planner`` itself, lazily, typed."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import planner

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = (
    "hanoi_network", "hanoi_facilities", "load_facilities", "travel_time_matrix", "route",
    "propose_pairings", "score_pairings", "pairing_map", "write_report", "plan",
)  # fmt: skip


def test_main_functions_come_from_the_package() -> None:
    assert set(QUICKSTART) <= set(planner.__all__)
    assert set(planner.__all__) - {"__version__"} == set(planner._EXPORTS)
    for name, module in planner._EXPORTS.items():
        value = getattr(planner, name)
        assert value is getattr(importlib.import_module(module), name), name
        assert value.__doc__, f"{name} has no docstring"
    assert set(QUICKSTART) <= set(dir(planner))


def test_import_planner_is_light() -> None:
    """``planner --help`` and ``import planner`` load none of the heavy libraries."""
    code = (
        "import sys, planner, planner.app.cli; planner.app.cli.build_parser();"
        "print(sorted(m for m in ('pandas', 'geopandas', 'scipy', 'folium', 'osmnx')"
        " if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=True)  # fmt: skip
    assert result.stdout.strip() == "[]"


def test_typed_marker_ships_with_the_package() -> None:
    assert (ROOT / "planner" / "py.typed").is_file()
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'packages = ["planner"]' in pyproject  # the wheel carries every file of planner/
