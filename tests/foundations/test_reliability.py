"""Reliability: truncated inputs, corrupt cache entries, concurrent builders, atomic outputs, no
deadlock from a plain script, a cache format that follows the code, portable fallbacks."""

from __future__ import annotations

import multiprocessing as mp
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np
import osmium
import pandas as pd
import platformdirs
import pytest
from _paths import DATA, ROOT

from planner import _cache, config, io
from planner._workers import process_pool_is_safe
from planner.errors import PlannerInputError
from planner.roads import _mvt
from planner.roads.network import load_network

BAD = DATA / "bad"
ROOT = ROOT


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("PLANNER_CACHE_DIR", str(cache))
    return cache


def test_truncated_mbtiles_is_a_clear_error(tmp_path: Path, data_folder: Path, fresh_cache) -> None:
    source = data_folder / "hanoi_osm_2021-08_z14.mbtiles"
    broken = tmp_path / "half.mbtiles"
    broken.write_bytes(source.read_bytes()[: 64 * 1024])
    with pytest.raises(PlannerInputError) as err:
        load_network(broken)
    assert "half.mbtiles" in str(err.value)
    assert not any(fresh_cache.rglob("*.np[yz]")), "nothing may be cached from a broken file"


def test_truncated_pbf_is_a_clear_error(tmp_path: Path, osm_fixture: Path, fresh_cache) -> None:
    pbf = tmp_path / "area.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(osm_fixture)):
            if obj.is_node():
                writer.add_node(obj)
            elif obj.is_way():
                writer.add_way(obj)
    data = pbf.read_bytes()
    pbf.write_bytes(data[: len(data) // 2])
    with pytest.raises(PlannerInputError) as err:
        load_network(pbf)
    assert "area.osm.pbf" in str(err.value)


def test_corrupt_cache_entry_is_rebuilt(osm_fixture: Path, fresh_cache: Path) -> None:
    first = load_network(osm_fixture)
    [array] = list(fresh_cache.rglob("edge_length_m.npy"))  # one of the graph's arrays
    array.write_bytes(array.read_bytes()[:100])  # truncate the cached graph
    again = load_network(osm_fixture)
    np.testing.assert_array_equal(first.edge_to, again.edge_to)
    np.testing.assert_array_equal(first.edge_length_m, again.edge_length_m)
    [rebuilt] = list(fresh_cache.rglob("edge_length_m.npy"))
    assert rebuilt.stat().st_size > 100


def test_a_same_size_edit_is_caught_and_a_touch_is_not_a_rebuild(
    osm_fixture: Path, fresh_cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Loads trust a file's recorded size and time; a changed time sends it to its checksum."""
    load_network(osm_fixture)
    [array] = list(fresh_cache.rglob("edge_length_m.npy"))  # one of the graph's arrays
    data = bytearray(array.read_bytes())
    original = bytes(data)
    data[len(data) // 2] ^= 0xFF  # one byte flipped in place: same size, new time
    array.write_bytes(bytes(data))
    with caplog.at_level("WARNING", logger="planner._cache"):
        load_network(osm_fixture)
    assert "corrupt" in caplog.text
    [rebuilt] = list(fresh_cache.rglob("edge_length_m.npy"))
    assert rebuilt.read_bytes() == original  # rebuilt to the same content
    caplog.clear()
    os.utime(rebuilt, ns=(0, 0))  # a touch (or a copy): the checksum still matches
    with caplog.at_level("INFO", logger="planner._cache"):
        load_network(osm_fixture)
    assert "building" not in caplog.text and "corrupt" not in caplog.text


def test_a_graph_read_back_keys_its_matrices_as_when_built(
    osm_fixture: Path, fresh_cache: Path
) -> None:
    """The graph's digest is stored with it: the run that built it and the runs that read it
    back key their snaps and matrices alike (and no run hashes the whole graph again)."""
    from planner.roads import graph as graph_module

    built = load_network(osm_fixture)
    digest = graph_module.graph_digest(built)
    [stored] = list(fresh_cache.rglob("digest.txt"))
    assert stored.read_text() == digest
    graph_module._DIGESTS.clear()
    again = load_network(osm_fixture)  # from the cache
    assert again is not built and graph_module._DIGESTS.get(again) == digest


def _build_entry(args: tuple[str, str]) -> str:
    cache, key = args
    os.environ["PLANNER_CACHE_DIR"] = cache
    counter = Path(cache) / "builds"

    def build() -> str:
        with open(counter, "a") as fh:  # count real builds
            fh.write("x")
        return "payload-" + key

    return _cache.cached(
        "test",
        key,
        build=build,
        save=lambda value, folder: (folder / "value.txt").write_text(value),
        load=lambda folder: (folder / "value.txt").read_text(),
    )


def test_concurrent_builders_build_once(fresh_cache: Path) -> None:
    fresh_cache.mkdir(parents=True, exist_ok=True)
    with mp.get_context("spawn").Pool(4) as pool:
        results = pool.map(_build_entry, [(str(fresh_cache), "k1")] * 8)
    assert results == ["payload-k1"] * 8
    assert (fresh_cache / "builds").read_text() == "x", "the lock must serialise builders"


def test_atomic_write_keeps_previous_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("previous")
    with pytest.raises(RuntimeError), io.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash mid-write")
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"], "no temporary file left behind"


def test_outputs_follow_the_umask(tmp_path: Path) -> None:
    path = io.write_text_atomic(tmp_path / "shared.html", "<html></html>")
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_validate_lists_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "units.csv"
    bad.write_text(
        "facility_id,name,level,lat,lon\n"
        "a,A,commune,abc,105.8\n"
        "b,B,town,21.0,105.9\n"
        "a,C,commune,21.0,105.9\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "planner.app.cli", "facilities", "--validate", str(bad)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "3 problem(s)" in result.stderr
    for needle in ("row 1, field lat", "row 2, field level", "row 3, field facility_id"):
        assert needle in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_corpus_files_fail_validation_via_cli(tmp_path: Path) -> None:
    sample = tmp_path / "swapped.csv"
    shutil.copy(BAD / "swapped_coordinates.csv", sample)
    result = subprocess.run(
        [sys.executable, "-m", "planner.app.cli", "facilities", "--validate", str(sample)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "swapped.csv" in result.stderr
    assert "swap" in result.stderr.lower()


def test_validate_converts_a_legacy_encoded_file_to_utf8(tmp_path: Path) -> None:
    source = tmp_path / "legacy.csv"
    source.write_bytes(
        "facility_id,name,level,lat,lon\nhn-a,Trung tâm Phúc Xá,commune,21.0444,105.8432\n".encode(
            "cp1258"
        )
    )
    fixed = tmp_path / "fixed.csv"
    args = ["facilities", "--validate", str(source)]
    plain = subprocess.run([sys.executable, "-m", "planner.app.cli", *args],
                           capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert plain.returncode == 2
    assert "--encoding" in plain.stderr
    result = subprocess.run(
        [sys.executable, "-m", "planner.app.cli", *args, "--encoding", "cp1258", "--out", str(fixed)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    from planner.places.facilities import load_facilities

    assert load_facilities(fixed)["name"].tolist() == ["Trung tâm Phúc Xá"]


# -- no deadlock, ever ---------------------------------------------------------------------------


def test_a_held_cache_lock_times_out_naming_the_lock_file(fresh_cache: Path) -> None:
    started, release = threading.Event(), threading.Event()

    def slow_build() -> str:
        started.set()
        release.wait(30)
        return "built"

    def entry(build, timeout: float | None = None) -> str:
        return _cache.cached(
            "test", "held", build=build, lock_timeout_s=timeout,
            save=lambda value, folder: (folder / "v.txt").write_text(value),
            load=lambda folder: (folder / "v.txt").read_text(),
        )  # fmt: skip

    holder = threading.Thread(target=entry, args=(slow_build,))
    holder.start()
    assert started.wait(30)
    try:
        with pytest.raises(_cache.CacheLockTimeoutError) as err:
            entry(lambda: "never", timeout=1.0)
    finally:
        release.set()
        holder.join(30)
    [lock] = list((fresh_cache / "test").glob("*.lock"))
    assert str(lock) in str(err.value)
    assert "gave up after 1 s" in str(err.value) and '__name__ == "__main__"' in str(err.value)
    assert entry(lambda: "never") == "built"  # released: the entry the holder built


_SCRIPTS = {
    "unguarded": "from planner._workers import process_pool_is_safe\nprint(process_pool_is_safe())\n",
    "guarded": (
        '"""A guarded script."""\nimport logging\n\nfrom planner._workers import process_pool_is_safe\n'
        'log = logging.getLogger(__name__)\nLIMIT = {"a": 1}\n\n\ndef main():\n'
        "    print(process_pool_is_safe())\n\n\n"
        'if __name__ == "__main__":\n    main()\n'
    ),
}


@pytest.mark.parametrize(("name", "expected"), [("unguarded", "False"), ("guarded", "True")])
def test_worker_processes_only_when_the_script_is_guarded(
    tmp_path: Path, name: str, expected: str
) -> None:
    script = tmp_path / f"{name}.py"
    script.write_text(_SCRIPTS[name])
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=120, check=True)  # fmt: skip
    assert run.stdout.strip() == expected
    # the planner command and interactive sessions are safe, spawned workers never are
    code = "from planner._workers import process_pool_is_safe; print(process_pool_is_safe())"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True)  # fmt: skip
    assert run.stdout.strip() == "True"


@pytest.mark.parametrize("entry", ["planner/__main__.py", "planner/app/cli/__main__.py", "planner"])
def test_every_way_to_start_the_planner_decodes_tiles_on_worker_processes(entry: str) -> None:
    # `python -m planner`, `python -m planner.app.cli` and the installed `planner` script: an
    # unguarded `sys.exit(main())` in a __main__.py kept a cold build's tile decoding on one
    # core
    root = Path(__file__).resolve().parents[2]
    path = root / entry if entry != "planner" else Path(sys.executable).parent / "planner"
    assert path.is_file(), path
    code = (
        "import sys, types\n"
        "from planner._workers import process_pool_is_safe\n"
        "main = types.ModuleType('__main__'); main.__file__ = sys.argv[1]\n"
        "sys.modules['__main__'] = main\n"
        "print(process_pool_is_safe())\n"
    )
    run = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                         text=True, timeout=120, check=True)  # fmt: skip
    assert run.stdout.strip() == "True", f"{path} runs code at top level, outside a main guard"


def _small_mbtiles(source: Path, target: Path, n_tiles: int) -> Path:
    """The first ``n_tiles`` tiles of the highest zoom of ``source``, as a new MBTiles."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        zoom = src.execute("SELECT MAX(zoom_level) FROM tiles").fetchone()[0]
        rows = src.execute(
            "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles WHERE zoom_level = ? "
            "ORDER BY tile_column, tile_row LIMIT ?",
            (zoom, n_tiles),
        ).fetchall()
        dst.execute("CREATE TABLE tiles (zoom_level, tile_column, tile_row, tile_data)")
        dst.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", rows)
    return target


def test_tile_pool_gives_the_serial_result_and_survives_a_broken_pool(
    tmp_path: Path, data_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = _small_mbtiles(
        data_folder / "hanoi_osm_2021-08_z14.mbtiles", tmp_path / "small.mbtiles", 80
    )
    assert process_pool_is_safe()  # pytest's main module is guarded
    serial = _mvt.read_tiles(small, workers=1)
    pooled = _mvt.read_tiles(small, workers=2)
    pd.testing.assert_frame_equal(serial, pooled)

    class BrokenPool:
        def __init__(self, *args, **kwargs) -> None:
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            return None

        def map(self, *args, **kwargs):
            raise BrokenProcessPool("a worker died while starting")

    monkeypatch.setattr(_mvt, "ProcessPoolExecutor", BrokenPool)
    pd.testing.assert_frame_equal(serial, _mvt.read_tiles(small, workers=2))


@pytest.mark.slow
def test_readme_quickstart_runs_as_a_plain_script_on_an_empty_cache(
    tmp_path: Path, data_folder: Path
) -> None:
    """The quickstart pasted into quick.py (no __main__ guard) used to hang forever: its tile
    decoding processes re-ran the script and waited for the cache lock their parent held."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quickstart in Python", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)
    assert "__main__" not in code
    script = tmp_path / "quick.py"
    script.write_text(code + "\nprint('units paired:', len(result.pairings))\n", encoding="utf-8")
    env = {**os.environ, "PLANNER_CACHE_DIR": str(tmp_path / "empty-cache"),
           "PLANNER_DATA_DIR": str(data_folder)}  # fmt: skip
    run = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=900, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    assert "units paired: 156" in run.stdout  # the 2025 units and the 30 district units
    assert any((tmp_path / "empty-cache" / "graph").iterdir()), "the graph was built and cached"


# -- the cache format follows the code -----------------------------------------------------------


def test_cache_format_is_the_code_that_writes_it(
    fresh_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from planner.roads import network

    closure = _cache._planner_closure(frozenset({"planner.roads.network"}))  # deferred imports too
    assert {
        "planner.roads._mvt",
        "planner.roads._osm",
        "planner.roads.graph",
        "planner._cache",
    } <= closure
    before = _cache.code_digest(network.load_network)
    real = _cache._source

    def edited(name):
        source = real(name)
        return source + "\n# edited\n" if name == "planner.roads._mvt" else source

    with monkeypatch.context() as patched:
        patched.setattr(_cache, "_source", edited)
        _cache._modules_digest.cache_clear()
        assert _cache.code_digest(network.load_network) != before  # a reader changed: new format
    _cache._modules_digest.cache_clear()
    assert _cache.code_digest(network.load_network) == before

    builds: list[str] = []

    def entry() -> str:
        return _cache.cached(
            "test", "k", build=lambda: builds.append("x") or "v",
            save=lambda value, folder: (folder / "v.txt").write_text(value),
            load=lambda folder: (folder / "v.txt").read_text(),
        )  # fmt: skip

    entry()
    entry()
    assert builds == ["x"]
    monkeypatch.setattr(_cache, "code_digest", lambda *functions: "another version")
    entry()
    assert builds == ["x", "x"], "an entry written by other code is not reused"


# -- portable: the fallbacks of the platforms CI does not run ------------------------------------


def test_cpu_count_on_every_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "process_cpu_count", lambda: 3, raising=False)  # Python 3.13+
    assert config.available_cpus() == 3
    monkeypatch.delattr(os, "process_cpu_count", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)  # Linux
    assert config.available_cpus() == 2
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)  # macOS, Windows
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert config.available_cpus() == 8
    monkeypatch.setattr(os, "cpu_count", lambda: None)  # undeterminable
    assert config.available_cpus() == 1


def test_matrices_without_linux_only_calls(fixture_graph, monkeypatch: pytest.MonkeyPatch) -> None:
    """``os.sched_getaffinity`` does not exist on macOS or Windows: matrices used to fail there."""
    from planner.travel import travel_time_matrix

    monkeypatch.delattr(os, "process_cpu_count", raising=False)
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    points = pd.DataFrame({"facility_id": [f"p{i}" for i in range(40)],
                           "lat": np.linspace(21.026, 21.031, 40),
                           "lon": np.linspace(105.833, 105.838, 40)})  # fmt: skip
    matrix = travel_time_matrix(fixture_graph, points, points)
    assert len(matrix) == 40 * 40 and (matrix["status"] == "ok").mean() > 0.9


def test_cache_folder_follows_the_platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLANNER_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert config.cache_dir() == tmp_path / "xdg" / "planner"  # Linux: XDG, as before
    seen = {}

    def user_cache_dir(appname, appauthor=None, **kwargs):
        seen["args"] = (appname, appauthor)
        return str(tmp_path / "AppData" / "Local" / appname / "Cache")

    monkeypatch.setattr(platformdirs, "user_cache_dir", user_cache_dir)  # e.g. Windows
    assert config.cache_dir() == tmp_path / "AppData" / "Local" / "planner" / "Cache"
    assert seen["args"] == ("planner", False)
    monkeypatch.setenv("PLANNER_CACHE_DIR", str(tmp_path / "mine"))  # the variable still wins
    assert config.cache_dir() == tmp_path / "mine"


def test_no_platform_specific_calls_in_the_package() -> None:
    """Locking goes through filelock (msvcrt on Windows, fcntl elsewhere); nothing else may
    assume a platform."""
    linux_only = re.compile(
        r"\bfcntl\b|\bmsvcrt\b|os\.fork\b|get_context\(\"fork\"\)|/proc/|\bimport resource\b"
    )
    for path in sorted((ROOT / "planner").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not linux_only.search(text), path.name
        calls = re.findall(r"os\.sched_getaffinity\(", text)
        assert not calls or path.name == "config.py", path.name  # only behind its fallback
