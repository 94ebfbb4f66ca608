"""A helper process fills the cache on the second core while its parent works
(``planner._workers``): what it builds, the parent reads back; what it has not built, the parent
builds; the first plan on a graph just built is the one that starts it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from planner import _cache
from planner._workers import claim_fresh, process_pool_is_safe, start_helper


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PLANNER_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


class Value(dict):
    """A value the way the cache's usual ones are (graphs, tables): weakly referenceable."""


def _save(value: dict, folder: Path) -> None:
    (folder / "value.json").write_text(json.dumps(value))


def _load(folder: Path) -> Value:
    return Value(json.loads((folder / "value.json").read_text()))


def _build_in_helper() -> dict:
    print("a helper's output goes nowhere")  # its parent's terminal stays its own
    return {"built_by": os.getpid()}


def _fill(key: str) -> None:
    """What a helper runs: the entry its parent will ask for."""
    _cache.cached("test", key, build=_build_in_helper, save=_save, load=_load)


def test_a_built_value_is_fresh_once_and_a_loaded_one_never(fresh_cache: Path) -> None:
    built = _cache.cached("test", "k", build=lambda: Value(n=1), save=_save, load=_load)
    assert claim_fresh(built) and not claim_fresh(built)
    loaded = _cache.cached("test", "k", build=lambda: {"n": 2}, save=_save, load=_load)
    assert loaded == {"n": 1} and not claim_fresh(loaded)


def test_the_parent_reads_what_its_helper_built(
    fresh_cache: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    assert process_pool_is_safe()  # pytest's main module is guarded
    helper = start_helper(_fill, "shared")
    assert helper is not None
    helper.join(120)
    assert helper.exitcode == 0

    def never() -> dict:
        raise AssertionError("the parent built what its helper had built")

    value = _cache.cached("test", "shared", build=never, save=_save, load=_load)
    assert value["built_by"] == helper.pid != os.getpid()
    assert "helper's output" not in capfd.readouterr().out


def test_a_failed_helper_costs_only_its_work(fresh_cache: Path) -> None:
    helper = start_helper(_cache.cached, "test", "k")  # a call that fails in the helper
    assert helper is not None
    helper.join(120)
    assert helper.exitcode != 0
    value = _cache.cached("test", "k", build=lambda: {"n": 3}, save=_save, load=_load)
    assert value == {"n": 3}  # built here, as if no helper had run
