"""The disk cache of snaps and matrices: when to use it, their keys, and their files.

On large graphs the snap tables and the terminal matrices are kept in the planner's cache
(:mod:`planner._cache`), keyed by the graph's content (:func:`graph_digest`), the snapped points,
the mode's usable roads, the time profile and the speed table, so a repeated request (another
CLI command on the same data) reads them back in milliseconds. The cache adds the digest of the
code that builds, saves and loads an entry (:func:`planner._cache.code_digest`), so a changed
module never reads what an older one wrote.
"""

from __future__ import annotations

import functools
import hashlib
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner._cache import cache_key, cached
from planner.roads.graph import TravelGraph, graph_digest
from planner.roads.speeds.edges import edge_travel_times
from planner.roads.speeds.tables import table_digest

# Graphs from this many nodes keep their snaps and matrices in the disk cache; smaller ones
# compute them in milliseconds.
_DISK_CACHE_MIN_NODES = 20_000


def kept_on_disk(graph: TravelGraph) -> bool:
    """Whether the graph is large enough for its snaps and matrices to be kept on disk.

    A small graph's are computed again in each process: faster than writing and reading them.

    Parameters
    ----------
    graph
        The road graph.

    Returns
    -------
    bool

    Examples
    --------
    >>> from planner.config import data_file
    >>> from planner.roads import hanoi_network, load_network
    >>> kept_on_disk(hanoi_network()), kept_on_disk(load_network(data_file("fixtures/van_mieu_osm.osm")))
    (True, False)
    """
    return graph.n_nodes >= _DISK_CACHE_MIN_NODES


def cached_snaps(
    graph: TravelGraph,
    build: Callable[[], pd.DataFrame],
    *,
    mode: str,
    table: pd.DataFrame,
    max_snap_m: float,
    ids: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
) -> pd.DataFrame:
    """The snap table of the points, read from the cache or built and stored."""
    key = cache_key(
        "travel-snap",
        graph_digest(graph),
        mode,
        usable_digest(graph, mode, table),
        float(max_snap_m),
        _array_digest(ids.astype(str), lat, lon),
    )
    # cached() adds the digest of the code behind build, save and load to the key
    return cached("snap", key, build=build, save=_save_frame, load=_load_frame)


def cached_matrix(
    graph: TravelGraph,
    build: Callable[[], tuple[np.ndarray, np.ndarray]],
    *,
    times_key: tuple,
    sources: str,
    targets: str,
    limit: float,
    distances: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Times and lengths between two terminal sets (given by their digests), read from the
    cache or built and stored."""
    key = cache_key(
        "travel-matrix",
        graph_digest(graph),
        times_key,
        sources,
        targets,
        None if not np.isfinite(limit) else limit,
        *(() if distances else ("times only",)),
    )
    return cached("matrix", key, build=build, save=_save_matrix, load=_load_matrix)


# graph -> {(mode, speed table digest): usable-edges digest}; dies with the graph.
_USABLE: weakref.WeakKeyDictionary[TravelGraph, dict[tuple[str, str], str]] = (
    weakref.WeakKeyDictionary()
)


def usable_digest(graph: TravelGraph, mode: str, table: pd.DataFrame) -> str:
    """Digest of which edges the mode may use (keys the snapper and the snap tables), memoised
    per graph, mode and speed table: a run asks for it once per matrix. On large graphs it is
    kept on disk too, so a warm command does not time every edge only to name its snaps."""
    memo = _USABLE.setdefault(graph, {})
    key = (mode, table_digest(table))
    if key not in memo:
        build = functools.partial(_usable_digest, graph, mode, table)
        memo[key] = (
            cached(
                "usable",
                cache_key("travel-usable", graph_digest(graph), *key),
                build=build,
                save=_save_text,
                load=_load_text,
            )
            if kept_on_disk(graph)
            else build()
        )
    return memo[key]


def _usable_digest(graph: TravelGraph, mode: str, table: pd.DataFrame) -> str:
    usable = np.isfinite(edge_travel_times(graph, mode=mode, speeds=table))
    return hashlib.blake2b(np.packbits(usable).tobytes(), digest_size=16).hexdigest()


def _save_text(text: str, folder: Path) -> None:
    (folder / "value.txt").write_text(text, encoding="utf-8")


def _load_text(folder: Path) -> str:
    return (folder / "value.txt").read_text(encoding="utf-8")


def _array_digest(*arrays: np.ndarray) -> str:
    h = hashlib.blake2b(digest_size=16)
    for a in arrays:
        h.update(str(a.dtype).encode() + np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def _save_matrix(value: tuple[np.ndarray, np.ndarray], folder: Path) -> None:
    np.save(folder / "time_s.npy", value[0], allow_pickle=False)
    np.save(folder / "distance_m.npy", value[1], allow_pickle=False)


def _load_matrix(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.load(folder / "time_s.npy", allow_pickle=False),
        np.load(folder / "distance_m.npy", allow_pickle=False),
    )


def _save_frame(frame: pd.DataFrame, folder: Path) -> None:
    arrays = {}
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.Int64Dtype):
            arrays[name] = column.to_numpy(dtype=np.int64, na_value=-1)
            arrays[f"{name}__na"] = column.isna().to_numpy()
        elif column.dtype.kind == "f":
            arrays[name] = column.to_numpy()
        else:  # text (object or string dtype): fixed-width unicode, loadable without pickle
            arrays[name] = column.astype(str).to_numpy(dtype=str)
    np.savez(folder / "frame.npz", **arrays)


def _load_frame(folder: Path) -> pd.DataFrame:
    with np.load(folder / "frame.npz", allow_pickle=False) as data:
        columns: dict[str, Any] = {}
        for name in data.files:
            if name.endswith("__na"):
                continue
            values = data[name]
            if f"{name}__na" in data.files:
                columns[name] = pd.arrays.IntegerArray(values, data[f"{name}__na"])
            elif values.dtype.kind == "U":
                columns[name] = values.astype(object)
            else:
                columns[name] = values
    return pd.DataFrame(columns)
