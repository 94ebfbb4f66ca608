"""Shared fixtures: the real Hanoi data folder, the raw OSM fixture, the whole-Hanoi graph.

The whole-Hanoi graph is built once (about a minute cold) and then loaded from the cache.
Tests never skip for missing data: a missing data folder is a failed set-up, said plainly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.config import data_dir


@pytest.fixture(scope="session")
def data_folder() -> Path:
    return data_dir()


@pytest.fixture(scope="session")
def osm_fixture(data_folder: Path) -> Path:
    path = data_folder / "fixtures" / "van_mieu_osm.osm"
    assert path.exists(), f"the raw OSM fixture is missing: {path}"
    return path


@pytest.fixture(scope="session")
def hanoi_graph():
    from planner.roads.network import hanoi_network

    return hanoi_network()


@pytest.fixture(scope="session")
def fixture_graph(osm_fixture: Path):
    from planner.roads.network import load_network

    return load_network(osm_fixture)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory, hanoi_graph, registry_2024) -> Path:
    """One `planner demo --scheme 2024` run (car, 10:00, Vietnamese: the Ba Vì pilot's scheme),
    shared by every test reading it. Tests must not change its files: copy them first.
    """
    from planner.app.cli import main

    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--scheme", "2024", "--out", str(out), "--quiet"]) == 0
    return out


@pytest.fixture(scope="session")
def demo_2025_dir(tmp_path_factory: pytest.TempPathFactory, hanoi_graph, registry_2025) -> Path:
    """One `planner demo` run (the default: the 2025 units, car, 10:00, Vietnamese), shared.

    Tests must not change its files: copy them first.
    """
    from planner.app.cli import main

    out = tmp_path_factory.mktemp("demo2025")
    assert main(["demo", "--out", str(out), "--quiet"]) == 0
    return out


@pytest.fixture(scope="session")
def registry_2024():
    from planner.places.hanoi import hanoi_facilities

    return hanoi_facilities(scheme="2024")


@pytest.fixture(scope="session")
def registry_2025():
    from planner.places.hanoi import hanoi_facilities

    return hanoi_facilities(scheme="2025")
