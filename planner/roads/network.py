"""Road networks: build a :class:`~planner.roads.graph.TravelGraph` from any source, cached.

Sources (:func:`load_network`): OpenMapTiles vector tiles (``.mbtiles`` or a ``z/x/y``
folder, read by :mod:`planner.roads._mvt`), OSM XML/PBF files (:mod:`planner.roads._osm`) and GraphML
(:func:`planner.roads.interop.read_graphml`); :func:`hanoi_network` is the Hanoi default. Tile and
OSM readers give one edge table (:data:`planner.roads.graph.EDGE_COLUMNS`), and
:func:`graph_from_edges` joins and simplifies it into the graph. osmnx and networkx graphs
come and go through :mod:`planner.roads.interop`.

Road classes (:data:`~planner.roads.graph.CLASS_NAMES`) are the OpenMapTiles ones plus
``<class>_ramp`` for the slip roads of the five main classes; the speed table decides which a
mode may use.
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import fields
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse import csgraph

from planner._cache import cache_key, cached
from planner.config import CRS_LONLAT, CRS_METRIC, data_file
from planner.errors import PlannerInputError
from planner.roads._simplify import build_graph
from planner.roads.graph import EDGE_COLUMNS, TravelGraph, graph_digest, remember_digest

log = logging.getLogger(__name__)

_HANOI_TILES = "hanoi_osm_2021-08_z14.mbtiles"
_HANOI_BOUNDARY = "hanoi_boundary_osm.geojson"
_TEXT_FIELDS = ("edge_name", "edge_brunnel", "edge_service", "edge_highway")
# Cached arrays from this size are memory-mapped when loaded (below it, read whole).
_MAP_FROM_BYTES = 1 << 20


def graph_from_edges(edges: pd.DataFrame, *, source: str = "") -> TravelGraph:
    """Build a :class:`TravelGraph` from an edge table (one row per line piece).

    Pieces are joined where they share a vertex key (a junction, or a road cut at a tile edge),
    split into directed edges by ``oneway``, and chains of degree-2 vertices are merged where
    class, OSM highway tag, name, ramp, bridge/tunnel, service kind, speed limit and direction
    agree (their vertices stay in the edge geometry; a merged edge keeps the ids of all the
    ways it runs along). Nodes are numbered by key, edges sorted by
    ``(edge_from, edge_to, edge_length_m)``: the same input always gives the same arrays.

    Parameters
    ----------
    edges
        An edge table with the columns of :data:`planner.roads.graph.EDGE_COLUMNS`, as returned by
        the tile and OSM readers.
    source
        Where the roads came from (kept in the graph for reports).

    Returns
    -------
    TravelGraph
        ``node_id`` is the vertex key (OSM node id, or the tile pixel key for vector tiles).

    Examples
    --------
    >>> from planner.config import data_file
    >>> from planner.roads._osm import read_osm
    >>> graph = graph_from_edges(read_osm(data_file("fixtures/van_mieu_osm.osm")))
    >>> graph.n_nodes > 100 and graph.n_edges > graph.n_nodes
    True
    """
    missing = [c for c in EDGE_COLUMNS if c not in edges.columns]
    if missing:
        raise PlannerInputError(
            f"the edge table lacks columns {missing}",
            file=source or None,
            hint=f"an edge table has the columns {', '.join(EDGE_COLUMNS)}",
        )
    return build_graph(edges, source=source)


def load_network(
    source: str | os.PathLike[str] | None = None, *, cache: bool = True
) -> TravelGraph:
    """Load a road network from a file or folder (cached), or the Hanoi default.

    Parameters
    ----------
    source : str, os.PathLike or None, optional
        ``None`` for :func:`hanoi_network`; an ``.mbtiles`` file or a ``z/x/y`` folder of
        vector tiles; an ``.osm``/``.osm.bz2``/``.osm.pbf`` file; or a ``.graphml`` file
        (osmnx-compatible, e.g. from :func:`write_graphml` or ``osmnx.save_graphml``).
    cache : bool, default True
        Keep the built graph in the cache (keyed by the input's content): a second load of the
        same input takes about a second.

    Returns
    -------
    TravelGraph
        The road graph in EPSG:4326, its ``source`` naming the input.

    Raises
    ------
    PlannerInputError
        Missing, unreadable or empty input; unknown file type.

    Examples
    --------
    A raw OSM extract around the Temple of Literature (Văn Miếu), in the data folder:

    >>> from planner.config import data_dir
    >>> graph = load_network(data_dir() / "fixtures" / "van_mieu_osm.osm")
    >>> graph.crs, graph.n_nodes, graph.n_edges
    ('EPSG:4326', 803, 1824)
    >>> graph.source.endswith("van_mieu_osm.osm")
    True
    """
    if source is None:
        return hanoi_network(cache=cache)
    path = Path(source)
    if not path.exists():
        raise PlannerInputError(
            "the road network file does not exist",
            file=path,
            hint="give an .mbtiles, a tile folder, an .osm/.osm.pbf or a .graphml file",
        )
    kind = _source_kind(path)
    build = functools.partial(_BUILDERS[kind], path)
    if not cache:
        return build()
    inputs = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    key = cache_key(*inputs, {"kind": kind})
    return cached("graph", key, build=build, save=_save_graph, load=_load_graph)


def hanoi_network(*, cache: bool = True, buffer_m: float = 2000.0) -> TravelGraph:
    """Return the whole-Hanoi road graph from the OpenMapTiles MBTiles in the data folder.

    Road pieces with any vertex inside the Hanoi boundary buffered by ``buffer_m`` are kept:
    the buffer keeps the short stretches where border roads leave the province and come back,
    so trips between Hanoi facilities are not cut at the border, while the rest of the tiles'
    neighbouring provinces stay out.

    Parameters
    ----------
    cache : bool, default True
        Keep the built graph in the cache (keyed by the tiles, the boundary and ``buffer_m``);
        ``False`` builds it afresh and stores nothing.
    buffer_m : float, default 2000.0
        How far beyond the Hanoi boundary, in metres, road pieces are kept.

    Returns
    -------
    TravelGraph
        The road graph of Hanoi and its 2 km fringe, EPSG:4326.

    Raises
    ------
    PlannerInputError
        If the tiles or the boundary file are missing from the data folder.

    Examples
    --------
    >>> graph = hanoi_network()  # about a minute the first time, then ~1 s from the cache
    >>> 150_000 < graph.n_nodes < 300_000
    True
    """
    tiles = data_file(_HANOI_TILES)
    boundary = data_file(_HANOI_BOUNDARY)
    build = functools.partial(_build_hanoi, tiles, boundary, buffer_m)
    if not cache:
        return build()
    key = cache_key(tiles, boundary, {"buffer_m": buffer_m})
    return cached("graph", key, build=build, save=_save_graph, load=_load_graph)


def strong_components(
    graph: TravelGraph, *, usable: np.ndarray | None = None
) -> tuple[int, np.ndarray]:
    """Label the strongly connected components of the graph (optionally of a mode's edges).

    Parameters
    ----------
    graph
        The road graph.
    usable
        Boolean mask over edges (e.g. ``np.isfinite(edge_travel_times(graph, mode="car"))``);
        ``None`` uses every edge.

    Returns
    -------
    n_components, labels
        Component count and the component label of each node (int32), labels ordered by
        decreasing component size (0 is the largest; ties by lowest node index).

    Examples
    --------
    >>> from planner.config import data_file
    >>> n, labels = strong_components(load_network(data_file("fixtures/van_mieu_osm.osm")))
    >>> n, int((labels == 0).sum()), int(np.bincount(labels)[1])  # the largest, the next
    (38, 710, 29)
    """
    mask = np.ones(graph.n_edges, dtype=bool) if usable is None else np.asarray(usable, bool)
    if mask.shape != (graph.n_edges,):
        raise ValueError(f"usable must have one flag per edge ({graph.n_edges}), got {mask.shape}")
    adjacency = sparse.csr_matrix(
        (np.ones(int(mask.sum()), dtype=np.int8), (graph.edge_from[mask], graph.edge_to[mask])),
        shape=(graph.n_nodes, graph.n_nodes),
    )
    n, labels = csgraph.connected_components(adjacency, directed=True, connection="strong")
    sizes = np.bincount(labels, minlength=n)
    first = np.full(n, graph.n_nodes)
    np.minimum.at(first, labels, np.arange(graph.n_nodes))
    rank = np.empty(n, dtype=np.int32)
    rank[np.lexsort((first, -sizes))] = np.arange(n, dtype=np.int32)
    return int(n), rank[labels]


def largest_component(graph: TravelGraph, *, usable: np.ndarray | None = None) -> np.ndarray:
    """Return a boolean node mask of the largest strongly connected component.

    Parameters
    ----------
    graph : TravelGraph
        The road graph.
    usable : numpy.ndarray, optional
        Boolean mask over edges (e.g. a mode's finite travel times); ``None`` uses every edge.

    Returns
    -------
    numpy.ndarray
        One bool per node, True on the nodes of the largest component (label 0 of
        :func:`strong_components`).

    Examples
    --------
    >>> from planner.config import data_file
    >>> from planner.roads.speeds import edge_travel_times
    >>> graph = load_network(data_file("fixtures/van_mieu_osm.osm"))
    >>> mask = largest_component(graph, usable=np.isfinite(edge_travel_times(graph, mode="car")))
    >>> round(float(mask.mean()), 2)  # the rest: mostly footpaths a car may not use
    0.65
    """
    return strong_components(graph, usable=usable)[1] == 0


# --------------------------------------------------------------------------- sources


def _source_kind(path: Path) -> str:
    name = path.name.lower()
    if path.is_dir():
        return "tiles"
    if name.endswith(".mbtiles"):
        return "tiles"
    if name.endswith((".osm", ".osm.pbf", ".osm.bz2", ".osm.gz", ".pbf", ".osc")):
        return "osm"
    if name.endswith(".graphml"):
        return "graphml"
    raise PlannerInputError(
        "unknown road network file type",
        file=path,
        hint="give an .mbtiles, a z/x/y tile folder, an .osm/.osm.pbf or a .graphml file",
    )


def _build_tiles(path: Path) -> TravelGraph:
    from planner.roads._mvt import read_tiles  # the tile decoder loads only for tiles

    return graph_from_edges(read_tiles(path), source=str(path))


def _build_osm(path: Path) -> TravelGraph:
    from planner.roads._osm import read_osm  # pyosmium loads only for OSM files

    return graph_from_edges(read_osm(path), source=str(path))


def _build_graphml(path: Path) -> TravelGraph:
    from planner.roads.interop import read_graphml  # networkx loads only for GraphML

    return read_graphml(path)


_BUILDERS = {"tiles": _build_tiles, "osm": _build_osm, "graphml": _build_graphml}


def _build_hanoi(tiles: Path, boundary: Path, buffer_m: float) -> TravelGraph:
    from planner.roads._mvt import read_tiles

    edges = read_tiles(tiles)
    area = (
        gpd.read_file(boundary).to_crs(CRS_METRIC).buffer(buffer_m).to_crs(CRS_LONLAT).union_all()
    )
    shapely.prepare(area)
    sizes = edges["lon"].map(len).to_numpy()
    inside = shapely.contains_xy(
        area, np.concatenate(edges["lon"].to_list()), np.concatenate(edges["lat"].to_list())
    )
    keep = np.logical_or.reduceat(inside, np.concatenate([[0], np.cumsum(sizes)[:-1]]))
    log.info(
        "Hanoi: %d of %d road pieces within %.0f m of the boundary", keep.sum(), keep.size, buffer_m
    )
    return graph_from_edges(edges[keep].reset_index(drop=True), source=f"{tiles} (Hanoi)")


# --------------------------------------------------------------------------- cache files


def _save_graph(graph: TravelGraph, folder: Path) -> None:
    arrays: dict[str, Any] = {}
    for f in fields(TravelGraph):
        value = getattr(graph, f.name)
        if value is None:
            continue
        if f.name in _TEXT_FIELDS:
            # hashed, not sorted (np.unique took a second on the road names of Hanoi)
            codes, uniques = pd.factorize(value.astype(str))
            arrays[f"{f.name}__values"] = np.asarray(uniques, dtype=str)
            arrays[f"{f.name}__codes"] = codes.astype(np.int32)
        elif isinstance(value, np.ndarray):
            arrays[f.name] = value
        else:
            arrays[f.name] = np.asarray(value, dtype=str)
    for name, value in arrays.items():
        np.save(folder / f"{name}.npy", value, allow_pickle=False)
    (folder / "digest.txt").write_text(graph_digest(graph))  # read back with the graph


def _load_graph(folder: Path) -> TravelGraph:
    # One .npy per array, mapped rather than read: a warm command touches few of the graph's
    # arrays (its matrices come from the cache), so it pays for the pages it uses, not 96 MB.
    data = {path.stem: path for path in folder.glob("*.npy")}
    values: dict[str, Any] = {}
    for f in fields(TravelGraph):
        if f.name in _TEXT_FIELDS:
            if f"{f.name}__codes" in data:
                uniques = _load_array(data[f"{f.name}__values"]).astype(object)
                values[f.name] = uniques[_load_array(data[f"{f.name}__codes"])]
        elif f.name in data:
            values[f.name] = _load_array(data[f.name])
    values["class_names"] = tuple(str(c) for c in values["class_names"])
    values["source"] = str(values["source"])
    values["crs"] = str(values["crs"])
    graph = TravelGraph(**values)
    digest = folder / "digest.txt"
    if digest.is_file():
        remember_digest(graph, digest.read_text().strip())
    return graph


def _load_array(path: Path) -> np.ndarray:
    """A cached array: a large one mapped read-only (a plain ndarray view of the map)."""
    if path.stat().st_size < _MAP_FROM_BYTES:
        return np.load(path, allow_pickle=False)
    return np.load(path, mmap_mode="r", allow_pickle=False).view(np.ndarray)
