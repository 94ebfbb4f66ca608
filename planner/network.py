"""Road networks as an immutable travel graph: load, join, simplify, components, interop.

The routing core is :class:`TravelGraph`, a frozen dataclass of numpy arrays in CSR order
(edges sorted by source node). Travel times are derived per mode and departure time by
:func:`planner.speeds.edge_travel_times`, so one cached graph serves every mode and hour.

Sources (:func:`load_network`): OpenMapTiles vector tiles (``.mbtiles`` or a ``z/x/y``
folder, read by :mod:`planner._mvt`), OSM XML/PBF files (:mod:`planner._osm`), osmnx graphs
(:func:`from_osmnx`) and GraphML (:func:`read_graphml`). Tile and OSM readers give one edge
table, and :func:`graph_from_edges` turns it into the graph.

Road classes (:data:`CLASS_NAMES`) are the OpenMapTiles ones plus ``<class>_ramp`` for the
slip roads of the five main classes; the speed table decides which a mode may use.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
from dataclasses import fields
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy import sparse
from scipy.sparse import csgraph

from planner._cache import cache_key, cached
from planner._mvt import read_tiles
from planner._osm import highway_class, parse_maxspeed_kph, read_osm
from planner.config import CRS_LONLAT, CRS_METRIC, data_file
from planner.errors import PlannerInputError
from planner.graph import CLASS_NAMES, EDGE_COLUMNS, ROAD_CLASSES, TravelGraph
from planner.io import atomic_path

log = logging.getLogger(__name__)

#: Bump when graph building changes: cached graphs of older formats are rebuilt.
_GRAPH_FORMAT = 2
_EARTH_RADIUS_M = 6_371_009.0  # osmnx's mean Earth radius, so lengths match osmnx's
_HANOI_TILES = "hanoi_osm_2021-08_z14.mbtiles"
_HANOI_BOUNDARY = "hanoi_boundary_osm.geojson"
_TEXT_FIELDS = ("edge_name", "edge_brunnel", "edge_service")


def graph_from_edges(edges: pd.DataFrame, *, source: str = "") -> TravelGraph:
    """Build a :class:`TravelGraph` from an edge table (one row per line piece).

    Pieces are joined where they share a vertex key (a junction, or a road cut at a tile edge),
    split into directed edges by ``oneway``, and chains of degree-2 vertices are merged where
    class, name, ramp, bridge/tunnel, service kind, speed limit and direction agree (their
    vertices stay in the edge geometry). Nodes are numbered by key, edges sorted by
    ``(edge_from, edge_to, edge_length_m)``: the same input always gives the same arrays.

    Parameters
    ----------
    edges
        An edge table with the columns of :data:`planner.graph.EDGE_COLUMNS`, as returned by
        the tile and OSM readers.
    source
        Where the roads came from (kept in the graph for reports).

    Returns
    -------
    TravelGraph
        ``node_id`` is the vertex key (OSM node id, or the tile pixel key for vector tiles).

    Examples
    --------
    >>> from planner._osm import read_osm
    >>> from planner.config import data_file
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
    flat = _flatten(edges)
    if flat["key"].size == 0:
        raise PlannerInputError(
            "holds no road (empty area)", file=source or None, hint="check the area covered"
        )
    attrs = _piece_attributes(edges)
    raw = _split_at_nodes(flat, attrs)
    chains = _merge_chains(raw)
    return _directed_graph(flat, attrs, raw, chains, source=source)


def load_network(
    source: str | os.PathLike[str] | None = None, *, cache: bool = True
) -> TravelGraph:
    """Load a road network from a file or folder (cached), or the Hanoi default.

    Parameters
    ----------
    source
        ``None`` for :func:`hanoi_network`; an ``.mbtiles`` file or a ``z/x/y`` folder of
        vector tiles; an ``.osm``/``.osm.bz2``/``.osm.pbf`` file; or a ``.graphml`` file
        (osmnx-compatible, e.g. from :func:`write_graphml` or ``osmnx.save_graphml``).
    cache
        Keep the built graph in the cache (keyed by the input's content): a second load of the
        same input takes about a second.

    Raises
    ------
    PlannerInputError
        Missing, unreadable or empty input; unknown file type.

    Examples
    --------
    >>> from planner.config import data_file
    >>> graph = load_network(data_file("fixtures/van_mieu_osm.osm"))
    >>> graph.crs
    'EPSG:4326'
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
    key = cache_key(*inputs, {"kind": kind, "graph_format": _GRAPH_FORMAT})
    return cached("graph", key, build=build, save=_save_graph, load=_load_graph)


def hanoi_network(*, cache: bool = True, buffer_m: float = 2000.0) -> TravelGraph:
    """Return the whole-Hanoi road graph from the OpenMapTiles MBTiles in the data folder.

    Road pieces with any vertex inside the Hanoi boundary buffered by ``buffer_m`` are kept:
    the buffer keeps the short stretches where border roads leave the province and come back,
    so trips between Hanoi facilities are not cut at the border, while the rest of the tiles'
    neighbouring provinces stay out.

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
    key = cache_key(tiles, boundary, {"buffer_m": buffer_m, "graph_format": _GRAPH_FORMAT})
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
    >>> n, labels = strong_components(hanoi_network())
    >>> bool((labels == 0).mean() > 0.98)  # the rest: mostly roads cut at the 2 km buffer's edge
    True
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

    Examples
    --------
    >>> from planner.speeds import edge_travel_times
    >>> graph = hanoi_network()
    >>> mask = largest_component(graph, usable=np.isfinite(edge_travel_times(graph, mode="car")))
    >>> bool(mask.mean() > 0.9)
    True
    """
    return strong_components(graph, usable=usable)[1] == 0


def to_networkx(
    graph: TravelGraph,
    *,
    mode: str | None = None,
    depart: str | dt.time | dt.datetime | None = None,
) -> nx.MultiDiGraph:
    """Convert to an osmnx-compatible ``networkx.MultiDiGraph``.

    Nodes are the graph's ``node_id`` with ``x``, ``y`` (lon, lat) and ``street_count``; edges
    carry ``length`` (m), ``highway`` (road class, slip roads as ``<class>_link``), ``oneway``,
    ``name``/``bridge``/``tunnel``/``service``/``maxspeed`` where known, and a shapely
    ``geometry`` where the edge has inner vertices. With a ``mode``, only the edges the mode
    may use are kept and they get ``speed_kph`` and ``travel_time`` (s) from
    :func:`planner.speeds.edge_travel_times` at ``depart``.

    Examples
    --------
    >>> from planner.config import data_file
    >>> G = to_networkx(load_network(data_file("fixtures/van_mieu_osm.osm")), mode="car")
    >>> G.graph["crs"], all("travel_time" in d for _, _, d in G.edges(data=True))
    ('EPSG:4326', True)
    """
    keep = np.ones(graph.n_edges, dtype=bool)
    times = None
    if mode is not None:
        from planner.speeds import edge_travel_times  # speeds imports this module

        times = edge_travel_times(graph, mode=mode, depart=depart)
        keep = np.isfinite(times)
    ids = graph.node_id.tolist()
    G = nx.MultiDiGraph(crs=graph.crs, simplified=True, source=graph.source)
    degree = np.bincount(graph.edge_from, minlength=graph.n_nodes) + np.bincount(
        graph.edge_to, minlength=graph.n_nodes
    )
    G.add_nodes_from(
        (i, {"x": x, "y": y, "street_count": int(d)})
        for i, x, y, d in zip(
            ids, graph.node_lon.tolist(), graph.node_lat.tolist(), degree.tolist(), strict=True
        )
    )
    edges = np.flatnonzero(keep)
    counts = np.diff(graph.edge_geom_offsets)[edges]
    curved = edges[counts > 2]
    geoms = dict(zip(curved.tolist(), _edge_linestrings(graph, curved), strict=True))
    for e in edges.tolist():
        data = _edge_attributes(graph, e)
        if e in geoms:
            data["geometry"] = geoms[e]
        if times is not None:
            data["travel_time"] = float(times[e])
            data["speed_kph"] = data["length"] / times[e] * 3.6 if times[e] > 0 else float("nan")
        G.add_edge(ids[graph.edge_from[e]], ids[graph.edge_to[e]], **data)
    return G


def from_osmnx(G: nx.MultiDiGraph, *, source: str = "") -> TravelGraph:
    """Convert any osmnx ``MultiDiGraph`` (unprojected or projected) to a :class:`TravelGraph`.

    Each directed edge is kept as it is (osmnx already expanded two-way roads into two
    edges); ``highway`` values are mapped onto the class vocabulary (``residential`` ->
    ``minor``, ``primary_link`` -> ``primary_ramp``...); edges of no road class (e.g.
    ``platform``) are dropped and counted in the log. ``length`` is taken from the edge (the
    great-circle length of its geometry where it has none).

    Examples
    --------
    >>> import osmnx as ox
    >>> from planner.config import data_file
    >>> G = ox.graph_from_xml(data_file("fixtures/van_mieu_osm.osm"), retain_all=True)
    >>> graph = from_osmnx(G)
    >>> graph.n_nodes == len(G)
    True
    """
    if G.graph.get("crs") is not None and not _is_lonlat(G.graph["crs"]):
        import osmnx as ox  # here only: importing osmnx takes seconds (sklearn, matplotlib)

        G = ox.projection.project_graph(G, to_latlong=True)
    node_ids = np.fromiter(G.nodes, dtype=np.int64, count=len(G))
    xy = np.array([(d["x"], d["y"]) for _, d in G.nodes(data=True)], dtype=np.float64)
    index = {n: i for i, n in enumerate(G.nodes)}
    rows = []
    dropped = 0
    for u, v, data in G.edges(data=True):
        cls = _osmnx_class(data.get("highway"))
        if cls is None:
            dropped += 1
            continue
        geom = data.get("geometry")
        if geom is not None:
            coords = np.asarray(geom.coords, dtype=np.float64)[:, :2]
        else:
            coords = xy[[index[u], index[v]]]
        length = _as_float(data.get("length"))
        if not np.isfinite(length):
            length = float(
                _haversine_m(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1]).sum()
            )
        rows.append(
            (
                index[u],
                index[v],
                length,
                cls,
                coords,
                _first_text(data.get("name")),
                _as_bool(data.get("oneway")),
                _osmnx_brunnel(data),
                _first_text(data.get("service")),
                _as_float(data.get("maxspeed_kph", float("nan")))
                if "maxspeed_kph" in data
                else parse_maxspeed_kph(_first_text(data.get("maxspeed"))),
            )
        )
    if dropped:
        log.info("from_osmnx: dropped %d edges of no road class", dropped)
    if not rows:
        raise PlannerInputError(
            "the osmnx graph holds no road edge", file=source or None, hint="check the query"
        )
    cols = list(zip(*rows, strict=True))
    coords = list(cols[4])
    sizes = np.fromiter((len(c) for c in coords), dtype=np.int64, count=len(coords))
    geom = np.concatenate(coords)
    return _assemble(
        node_id=node_ids,
        node_lon=xy[:, 0],
        node_lat=xy[:, 1],
        edge_from=np.asarray(cols[0], dtype=np.int64),
        edge_to=np.asarray(cols[1], dtype=np.int64),
        edge_length_m=np.asarray(cols[2], dtype=np.float64),
        edge_class=np.asarray([CLASS_NAMES.index(c) for c in cols[3]], dtype=np.int8),
        geom_offsets=np.concatenate([[0], np.cumsum(sizes)]),
        geom_lon=geom[:, 0],
        geom_lat=geom[:, 1],
        attrs={
            "edge_name": np.asarray(cols[5], dtype=object),
            "edge_oneway": np.asarray(cols[6], dtype=bool),
            "edge_brunnel": np.asarray(cols[7], dtype=object),
            "edge_service": np.asarray(cols[8], dtype=object),
            "edge_maxspeed_kph": np.asarray(cols[9], dtype=np.float64),
        },
        source=source or str(G.graph.get("source", "")),
    )


def graph_from_osmnx_place(
    query: str | dict[str, str], *, network_type: str = "drive"
) -> TravelGraph:
    """Download a place's roads with ``osmnx.graph_from_place`` (needs internet; osmnx caches).

    Examples
    --------
    With internet (not run in the offline test suite)::

        graph = graph_from_osmnx_place("Ba Vì, Hà Nội, Vietnam")
    """
    import osmnx as ox

    G = ox.graph_from_place(query, network_type=network_type)
    return from_osmnx(G, source=f"osmnx:{query}")


def write_graphml(
    graph: TravelGraph,
    path: str | os.PathLike[str],
    *,
    mode: str | None = None,
    depart: str | dt.time | dt.datetime | None = None,
) -> Path:
    """Write the graph as osmnx-compatible GraphML, atomically (``osmnx.load_graphml`` reads it).

    Parameters
    ----------
    graph
        The road graph.
    path
        Target ``.graphml`` file (replaced only once fully written).
    mode, depart
        With a mode, the mode's usable edges only, with ``speed_kph`` and ``travel_time``.

    Examples
    --------
    >>> import tempfile, osmnx as ox
    >>> from planner.config import data_file
    >>> out = Path(tempfile.mkdtemp()) / "van_mieu.graphml"
    >>> _ = write_graphml(load_network(data_file("fixtures/van_mieu_osm.osm")), out, mode="car")
    >>> len(ox.load_graphml(out)) > 100
    True
    """
    import osmnx as ox

    G = to_networkx(graph, mode=mode, depart=depart)
    target = Path(path)
    with atomic_path(target) as tmp:
        ox.io.save_graphml(G, tmp)
    return target


def read_graphml(path: str | os.PathLike[str]) -> TravelGraph:
    """Read an osmnx-compatible GraphML file (ours or ``osmnx.save_graphml``'s).

    Examples
    --------
    >>> import tempfile
    >>> from planner.config import data_file
    >>> graph = load_network(data_file("fixtures/van_mieu_osm.osm"))
    >>> out = write_graphml(graph, Path(tempfile.mkdtemp()) / "g.graphml")
    >>> read_graphml(out).n_edges == graph.n_edges
    True
    """
    path = Path(path)
    if not path.is_file():
        raise PlannerInputError(
            "the GraphML file does not exist", file=path, hint="give a .graphml file"
        )
    import osmnx as ox

    try:
        G = ox.load_graphml(path, edge_dtypes={"maxspeed_kph": float})
    except Exception as exc:  # networkx/lxml raise many types for a malformed file
        raise PlannerInputError(
            f"cannot be read as GraphML ({type(exc).__name__}: {exc})",
            file=path,
            hint="give a GraphML file written by this planner or osmnx.save_graphml",
        ) from exc
    return from_osmnx(G, source=str(path))


# --------------------------------------------------------------------------- building


def _flatten(edges: pd.DataFrame) -> dict[str, np.ndarray]:
    """Concatenate piece vertices, dropping repeated consecutive vertices and short pieces."""
    sizes = edges["key"].map(len).to_numpy(dtype=np.int64)
    if sizes.sum() == 0:
        return {"key": np.empty(0, np.int64)}
    key = np.concatenate(edges["key"].to_list()).astype(np.int64)
    lon = np.concatenate(edges["lon"].to_list()).astype(np.float64)
    lat = np.concatenate(edges["lat"].to_list()).astype(np.float64)
    piece = np.repeat(np.arange(len(edges)), sizes)
    repeat = np.zeros(key.size, dtype=bool)
    repeat[1:] = (key[1:] == key[:-1]) & (piece[1:] == piece[:-1])
    key, lon, lat, piece = key[~repeat], lon[~repeat], lat[~repeat], piece[~repeat]
    counts = np.bincount(piece, minlength=len(edges))
    short = np.isin(piece, np.flatnonzero(counts < 2))
    key, lon, lat, piece = key[~short], lon[~short], lat[~short], piece[~short]
    return {"key": key, "lon": lon, "lat": lat, "piece": piece}


def _split_at_nodes(
    flat: dict[str, np.ndarray], attrs: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Cut pieces at nodes (ends and shared vertices) into raw undirected edges."""
    key, piece = flat["key"], flat["piece"]
    n = key.size
    first = np.ones(n, dtype=bool)
    first[1:] = piece[1:] != piece[:-1]
    last = np.roll(first, -1)
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    is_node = first | last | (counts[inverse] > 1)
    node_keys = np.unique(key[is_node])
    pos = np.flatnonzero(is_node)
    same = piece[pos[1:]] == piece[pos[:-1]]
    start, end = pos[:-1][same], pos[1:][same]
    # sum each raw edge's own segments (not a difference of a global cumsum): the length of an
    # edge must not depend on where its piece sits in the table
    steps = end - start
    seg_idx = np.repeat(start, steps) + _ramp(steps)
    seg = _haversine_m(
        flat["lon"][seg_idx],
        flat["lat"][seg_idx],
        flat["lon"][seg_idx + 1],
        flat["lat"][seg_idx + 1],
    )
    length = np.bincount(np.repeat(np.arange(start.size), steps), weights=seg, minlength=start.size)
    raw_piece = piece[start]
    raw = {
        "start": start,
        "end": end,
        "u": np.searchsorted(node_keys, key[start]),
        "v": np.searchsorted(node_keys, key[end]),
        "length": length,
        "combo": attrs["combo"][raw_piece],
        "oneway": attrs["oneway"][raw_piece],
        "piece": raw_piece,
        "node_keys": node_keys,
    }
    return _drop_duplicate_segments(raw)


def _piece_attributes(edges: pd.DataFrame) -> dict[str, np.ndarray]:
    """Class code per piece and one id per combination of the attributes that block merging."""
    cls = np.array(
        [_class_code(c, r) for c, r in zip(edges["class"], edges["ramp"], strict=True)],
        dtype=np.int8,
    )
    speed = edges["maxspeed_kph"].to_numpy(dtype=np.float64)
    frame = pd.DataFrame(
        {
            "cls": cls,
            "name": edges["name"].to_numpy(),
            "oneway": edges["oneway"].to_numpy() != 0,
            "brunnel": edges["brunnel"].to_numpy(),
            "service": edges["service"].to_numpy(),
            "maxspeed": np.where(np.isnan(speed), -1.0, speed),
        }
    )
    combo = frame.groupby(list(frame.columns), sort=False, dropna=False).ngroup().to_numpy()
    return {
        "cls": cls,
        "combo": combo,
        "oneway": edges["oneway"].to_numpy(dtype=np.int8),
        "name": edges["name"].to_numpy(dtype=object),
        "brunnel": edges["brunnel"].to_numpy(dtype=object),
        "service": edges["service"].to_numpy(dtype=object),
        "maxspeed": speed,
    }


def _drop_duplicate_segments(raw: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Drop straight segments read twice (a road running exactly along a tile edge)."""
    straight = raw["end"] - raw["start"] == 1
    if not straight.any():
        return raw
    u, v = raw["u"], raw["v"]
    two_way = raw["oneway"] == 0
    along = raw["oneway"] >= 0
    a = np.where(two_way, np.minimum(u, v), np.where(along, u, v))
    b = np.where(two_way, np.maximum(u, v), np.where(along, v, u))
    frame = pd.DataFrame({"a": a, "b": b, "combo": raw["combo"], "straight": straight})
    duplicate = frame.duplicated() & straight
    if not duplicate.any():
        return raw
    keep = ~duplicate.to_numpy()
    return {k: (val[keep] if k != "node_keys" else val) for k, val in raw.items()}


def _merge_chains(raw: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Merge chains of raw edges through degree-2 nodes whose two edges agree.

    Returns the raw edges in chain order (``order``), whether each is walked along its own
    direction (``forward``), and each chain's first position in ``order`` (``chain_start``).
    """
    n_nodes = raw["node_keys"].size
    u, v, combo, oneway = raw["u"], raw["v"], raw["combo"], raw["oneway"]
    m = u.size
    ends = np.concatenate([u, v])
    edge_of_end = np.concatenate([np.arange(m), np.arange(m)])
    order = np.argsort(ends, kind="stable")
    degree = np.bincount(ends, minlength=n_nodes)
    ptr = np.concatenate([[0], np.cumsum(degree)])
    removable = degree == 2
    cand = np.flatnonzero(removable)
    e1 = edge_of_end[order[ptr[cand]]]
    e2 = edge_of_end[order[ptr[cand] + 1]]
    # travel role of the node on each edge: +1 the edge leaves it, -1 enters it, 0 two-way
    role1 = _role(cand, e1, u, v, oneway)
    role2 = _role(cand, e2, u, v, oneway)
    ok = (e1 != e2) & (combo[e1] == combo[e2]) & (role1 == -role2)
    removable[cand[~ok]] = False
    other = np.full((n_nodes, 2), -1, dtype=np.int64)
    other[cand, 0], other[cand, 1] = e1, e2

    u_l, v_l, rem = u.tolist(), v.tolist(), removable.tolist()
    other_l = other.tolist()
    visited = [False] * m
    seq: list[int] = []
    fwd: list[bool] = []
    chain_start: list[int] = []

    def walk(node: int, edge: int) -> None:
        chain_start.append(len(seq))
        while True:
            visited[edge] = True
            forward = u_l[edge] == node
            seq.append(edge)
            fwd.append(forward)
            node = v_l[edge] if forward else u_l[edge]
            if not rem[node]:
                return
            a, b = other_l[node]
            edge = b if a == edge else a
            if visited[edge]:  # closed ring back to the start
                return

    for edge in range(m):
        if visited[edge]:
            continue
        if not rem[u_l[edge]]:
            walk(u_l[edge], edge)
        elif not rem[v_l[edge]]:
            walk(v_l[edge], edge)
    for edge in range(m):  # rings of removable nodes only: keep their first node
        if not visited[edge]:
            rem[u_l[edge]] = False
            walk(u_l[edge], edge)
    return {
        "order": np.asarray(seq, dtype=np.int64),
        "forward": np.asarray(fwd, dtype=bool),
        "chain_start": np.asarray(chain_start, dtype=np.int64),
        "kept_node": ~np.asarray(rem, dtype=bool),
    }


def _role(node: np.ndarray, edge: np.ndarray, u: np.ndarray, v: np.ndarray, oneway: np.ndarray):
    at_u = u[edge] == node
    direction = oneway[edge].astype(np.int64)
    return np.where(at_u, direction, -direction)


def _directed_graph(
    flat: dict[str, np.ndarray],
    edges_attrs: dict[str, np.ndarray],
    raw: dict[str, np.ndarray],
    chains: dict[str, np.ndarray],
    *,
    source: str,
) -> TravelGraph:
    """Turn merged chains into directed edges with geometry and assemble the graph."""
    order, forward, chain_start = chains["order"], chains["forward"], chains["chain_start"]
    n_chain = chain_start.size
    chain_of = np.repeat(np.arange(n_chain), np.diff(np.append(chain_start, order.size)))
    is_first = np.zeros(order.size, dtype=bool)
    is_first[chain_start] = True
    start, end = raw["start"][order], raw["end"][order]
    # vertex indices of each chain: every raw edge's vertices, minus the joint repeated
    take = end - start + 1 - (~is_first)
    skip = (~is_first).astype(np.int64)
    within = _ramp(take) + np.repeat(skip, take)
    rep_fwd = np.repeat(forward, take)
    vertex = np.where(rep_fwd, np.repeat(start, take) + within, np.repeat(end, take) - within)
    chain_sizes = np.bincount(np.repeat(chain_of, take), minlength=n_chain)
    chain_offsets = np.concatenate([[0], np.cumsum(chain_sizes)])
    first_raw = order[chain_start]
    last_pos = np.append(chain_start[1:], order.size) - 1
    chain_u = np.where(forward[chain_start], raw["u"][first_raw], raw["v"][first_raw])
    last_raw = order[last_pos]
    chain_v = np.where(forward[last_pos], raw["v"][last_raw], raw["u"][last_raw])
    chain_len = np.bincount(chain_of, weights=raw["length"][order], minlength=n_chain)
    piece = raw["piece"][first_raw]
    direction = raw["oneway"][first_raw] * np.where(forward[chain_start], 1, -1)
    # directed edges: along the chain unless it is one-way against it, and back if two-way
    along = np.flatnonzero(direction >= 0)
    back = np.flatnonzero(direction <= 0)
    dchain = np.concatenate([along, back])
    reverse = np.concatenate([np.zeros(along.size, bool), np.ones(back.size, bool)])
    sizes = chain_sizes[dchain]
    pos = _ramp(sizes)
    base = np.repeat(chain_offsets[dchain], sizes)
    geom_vertex = vertex[
        np.where(np.repeat(reverse, sizes), base + np.repeat(sizes - 1, sizes) - pos, base + pos)
    ]
    node_keys = raw["node_keys"]
    kept = chains["kept_node"]
    new_index = np.cumsum(kept) - 1
    e_from = np.where(reverse, chain_v[dchain], chain_u[dchain])
    e_to = np.where(reverse, chain_u[dchain], chain_v[dchain])
    kept_keys = node_keys[kept]
    first_pos = _first_positions(flat["key"], kept_keys)
    pieces = piece[dchain]
    return _assemble(
        node_id=kept_keys,
        node_lon=flat["lon"][first_pos],
        node_lat=flat["lat"][first_pos],
        edge_from=new_index[e_from],
        edge_to=new_index[e_to],
        edge_length_m=chain_len[dchain],
        edge_class=edges_attrs["cls"][pieces],
        geom_offsets=np.concatenate([[0], np.cumsum(sizes)]),
        geom_lon=flat["lon"][geom_vertex],
        geom_lat=flat["lat"][geom_vertex],
        attrs={
            "edge_name": edges_attrs["name"][pieces],
            "edge_oneway": direction[dchain] != 0,
            "edge_brunnel": edges_attrs["brunnel"][pieces],
            "edge_service": edges_attrs["service"][pieces],
            "edge_maxspeed_kph": edges_attrs["maxspeed"][pieces],
        },
        source=source,
    )


def _assemble(
    *,
    node_id: np.ndarray,
    node_lon: np.ndarray,
    node_lat: np.ndarray,
    edge_from: np.ndarray,
    edge_to: np.ndarray,
    edge_length_m: np.ndarray,
    edge_class: np.ndarray,
    geom_offsets: np.ndarray,
    geom_lon: np.ndarray,
    geom_lat: np.ndarray,
    attrs: dict[str, np.ndarray],
    source: str,
) -> TravelGraph:
    """Number nodes by id and sort edges by (from, to, length): the canonical CSR layout."""
    node_order = np.argsort(node_id, kind="stable")
    rank = np.empty_like(node_order)
    rank[node_order] = np.arange(node_order.size)
    e_from, e_to = rank[edge_from], rank[edge_to]
    order = np.lexsort((edge_length_m, e_to, e_from))
    sizes = np.diff(geom_offsets)[order]
    gather = np.repeat(geom_offsets[:-1][order], sizes) + _ramp(sizes)
    n = node_order.size
    return TravelGraph(
        node_lon=np.ascontiguousarray(node_lon[node_order], dtype=np.float64),
        node_lat=np.ascontiguousarray(node_lat[node_order], dtype=np.float64),
        node_id=np.ascontiguousarray(node_id[node_order], dtype=np.int64),
        indptr=np.concatenate([[0], np.cumsum(np.bincount(e_from, minlength=n))]).astype(np.int64),
        edge_from=e_from[order].astype(np.int32),
        edge_to=e_to[order].astype(np.int32),
        edge_length_m=np.asarray(edge_length_m, dtype=np.float64)[order],
        edge_class=np.asarray(edge_class, dtype=np.int8)[order],
        class_names=CLASS_NAMES,
        edge_geom_offsets=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
        geom_lon=np.asarray(geom_lon, dtype=np.float64)[gather],
        geom_lat=np.asarray(geom_lat, dtype=np.float64)[gather],
        source=source,
        **{name: values[order] for name, values in attrs.items()},
    )


def _ramp(sizes: np.ndarray) -> np.ndarray:
    """``0..size-1`` for each size, concatenated (vectorised ``np.arange`` per group)."""
    sizes = np.asarray(sizes, dtype=np.int64)
    total = int(sizes.sum())
    return np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)


def _first_positions(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Index of the first occurrence in ``keys`` of each of ``wanted`` (all present, sorted)."""
    uniq, first = np.unique(keys, return_index=True)
    return first[np.searchsorted(uniq, wanted)]


def _haversine_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in metres (the same formula and radius as osmnx)."""
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _class_code(cls: str, ramp: bool) -> int:
    name = f"{cls}_ramp" if ramp and f"{cls}_ramp" in CLASS_NAMES else cls
    try:
        return CLASS_NAMES.index(name)
    except ValueError:
        raise PlannerInputError(
            f"unknown road class {cls!r}",
            field="class",
            hint=f"use one of {', '.join(ROAD_CLASSES)}",
        ) from None


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
    return graph_from_edges(read_tiles(path), source=str(path))


def _build_osm(path: Path) -> TravelGraph:
    return graph_from_edges(read_osm(path), source=str(path))


_BUILDERS = {"tiles": _build_tiles, "osm": _build_osm, "graphml": read_graphml}


def _build_hanoi(tiles: Path, boundary: Path, buffer_m: float) -> TravelGraph:
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
    arrays: dict[str, np.ndarray] = {}
    for f in fields(TravelGraph):
        value = getattr(graph, f.name)
        if value is None:
            continue
        if f.name in _TEXT_FIELDS:
            uniques, codes = np.unique(value.astype(str), return_inverse=True)
            arrays[f"{f.name}__values"] = uniques
            arrays[f"{f.name}__codes"] = codes.astype(np.int32)
        elif isinstance(value, np.ndarray):
            arrays[f.name] = value
        else:
            arrays[f.name] = np.asarray(value, dtype=str)
    np.savez(folder / "graph.npz", **arrays)


def _load_graph(folder: Path) -> TravelGraph:
    with np.load(folder / "graph.npz", allow_pickle=False) as data:
        values: dict[str, object] = {}
        for f in fields(TravelGraph):
            if f.name in _TEXT_FIELDS:
                if f"{f.name}__codes" in data:
                    uniques = data[f"{f.name}__values"].astype(object)
                    values[f.name] = uniques[data[f"{f.name}__codes"]]
            elif f.name in data:
                values[f.name] = data[f.name]
    values["class_names"] = tuple(str(c) for c in values["class_names"])
    values["source"] = str(values["source"])
    values["crs"] = str(values["crs"])
    return TravelGraph(**values)


# --------------------------------------------------------------------------- osmnx helpers


def _edge_attributes(graph: TravelGraph, e: int) -> dict[str, object]:
    cls = graph.class_names[graph.edge_class[e]]
    data: dict[str, object] = {
        "length": float(graph.edge_length_m[e]),
        "highway": cls.replace("_ramp", "_link"),
    }
    if graph.edge_oneway is not None:
        data["oneway"] = bool(graph.edge_oneway[e])
    for attr, name in (("edge_name", "name"), ("edge_service", "service")):
        values = getattr(graph, attr)
        if values is not None and values[e]:
            data[name] = values[e]
    if graph.edge_brunnel is not None and graph.edge_brunnel[e]:
        data[graph.edge_brunnel[e]] = "yes"
    if graph.edge_maxspeed_kph is not None and np.isfinite(graph.edge_maxspeed_kph[e]):
        data["maxspeed_kph"] = float(graph.edge_maxspeed_kph[e])
    return data


def _edge_linestrings(graph: TravelGraph, edges: np.ndarray) -> np.ndarray:
    sizes = np.diff(graph.edge_geom_offsets)[edges]
    idx = np.repeat(graph.edge_geom_offsets[:-1][edges], sizes) + _ramp(sizes)
    coords = np.column_stack([graph.geom_lon[idx], graph.geom_lat[idx]])
    return shapely.linestrings(coords, indices=np.repeat(np.arange(edges.size), sizes))


def _osmnx_class(highway: object) -> str | None:
    values = highway if isinstance(highway, list) else [highway]
    for value in values:
        if not isinstance(value, str):
            continue
        if value in CLASS_NAMES:
            return value
        cls, ramp = highway_class(value)
        if cls is not None:
            return CLASS_NAMES[_class_code(cls, ramp)]
    return None


def _osmnx_brunnel(data: dict) -> str:
    for kind in ("bridge", "tunnel", "ford"):
        value = _first_text(data.get(kind))
        if value and value != "no":
            return kind
    return ""


def _first_text(value: object) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)


def _as_bool(value: object) -> bool:
    if isinstance(value, list):
        value = value[0] if value else False
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1")
    return bool(value) if value is not None else False


def _as_float(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def _is_lonlat(crs: object) -> bool:
    try:
        return bool(pyproj.CRS.from_user_input(crs).is_geographic)
    except pyproj.exceptions.CRSError:
        return True
