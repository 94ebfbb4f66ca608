"""Reliability: truncated inputs, corrupt cache entries, concurrent builders, atomic outputs."""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import osmium
import pytest

from planner import _cache, io
from planner.errors import PlannerInputError
from planner.network import load_network

BAD = Path(__file__).parent / "data" / "bad"


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
    assert not any(fresh_cache.rglob("*.npz")), "nothing may be cached from a broken file"


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
    [npz] = list(fresh_cache.rglob("*.npz"))
    npz.write_bytes(npz.read_bytes()[:100])  # truncate the cached graph
    again = load_network(osm_fixture)
    np.testing.assert_array_equal(first.edge_to, again.edge_to)
    np.testing.assert_array_equal(first.edge_length_m, again.edge_length_m)
    [rebuilt] = list(fresh_cache.rglob("*.npz"))
    assert rebuilt.stat().st_size > 100


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
        [sys.executable, "-m", "planner.cli", "facilities", "--validate", str(bad)],
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
        [sys.executable, "-m", "planner.cli", "facilities", "--validate", str(sample)],
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
    plain = subprocess.run([sys.executable, "-m", "planner.cli", *args],
                           capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert plain.returncode == 2
    assert "--encoding" in plain.stderr
    result = subprocess.run(
        [sys.executable, "-m", "planner.cli", *args, "--encoding", "cp1258", "--out", str(fixed)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    from planner.facilities import load_facilities

    assert load_facilities(fixed)["name"].tolist() == ["Trung tâm Phúc Xá"]
