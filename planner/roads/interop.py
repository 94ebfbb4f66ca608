"""osmnx, networkx and GraphML in and out: the planner's graph in other tools, and theirs in ours.

Out: :func:`to_networkx` gives an osmnx-style ``networkx.MultiDiGraph`` in memory;
:func:`write_graphml` streams the same content to a GraphML file that ``osmnx.load_graphml``
reads as if ``osmnx.save_graphml`` had written it, without building the networkx graph (the
whole of Hanoi peaks at a few hundred MB instead of 4.7 GB). In: :func:`from_osmnx` converts
any osmnx graph (``graph_from_place``, ``graph_from_xml``, ``load_graphml``) and
:func:`read_graphml` reads a GraphML file.

What an exported graph holds, in osmnx's vocabulary:

* nodes: ``x``, ``y`` (lon, lat) and ``street_count`` as :func:`osmnx.stats.count_streets_per_node`
  counts it on the exported edges;
* edges: ``osmid`` (the OSM way id, a list where a simplified edge runs along several ways;
  where the source has none, a negative hash of the edge's geometry, the same for both
  directions: see :class:`~planner.roads.graph.TravelGraph`),
  ``highway`` (the OSM tag; where the source gave none, the OSM value the class stands for:
  ``primary``, ``primary_link``, ``road`` for ``minor`` and ``path`` for ``path``),
  ``road_class`` (ours, what the speed table reads), ``oneway``, ``length`` (m), ``name``,
  ``service``, ``bridge``/``tunnel``/``ford``, ``maxspeed`` (the posted limit in km/h, text
  as in osmnx) and ``geometry`` where the edge bends; with a mode, ``speed_kph`` and
  ``travel_time`` (s);
* graph: ``crs``, ``simplified``, ``source``, ``created_with`` and, with a mode, ``mode``,
  ``depart`` (HH:MM), ``congestion_factor`` and the digests of the speed and congestion
  tables the travel times come from.

Every numeric attribute is one osmnx's loader types (``x``, ``y``, ``street_count``,
``osmid``, ``length``, ``speed_kph``, ``travel_time``), so ``osmnx.load_graphml`` loads
numbers as numbers with its defaults.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

import networkx as nx
import numpy as np
import pandas as pd
import pyproj
import shapely
from tqdm.auto import tqdm

from planner.errors import PlannerInputError
from planner.io import atomic_path
from planner.roads._osm import highway_class, parse_maxspeed_kph
from planner.roads._simplify import assemble, class_code, haversine_m, ramp, synthetic_osmids
from planner.roads.graph import CLASS_NAMES, TravelGraph
from planner.roads.speeds import (
    congestion_factor,
    edge_travel_times,
    load_congestion_table,
    load_speed_table,
    parse_depart,
    table_digest,
)

log = logging.getLogger(__name__)

#: Edges per chunk when streaming GraphML: bounds the memory of the text being built.
_CHUNK = 65_536
#: Characters XML 1.0 does not allow in text (a stray control code in an OSM name).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BRUNNEL_KINDS = ("bridge", "tunnel", "ford")
_GRAPHML_HEAD = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
)
_NODE_ATTRS = ("x", "y", "street_count")
_EDGE_ATTRS = (
    "osmid",
    "highway",
    "road_class",
    "route",
    "oneway",
    "length",
    "name",
    "service",
    *_BRUNNEL_KINDS,
    "maxspeed",
    "geometry",
    "speed_kph",
    "travel_time",
)


@dataclass(frozen=True)
class GraphMLExport:
    """What :func:`write_graphml` wrote.

    Attributes
    ----------
    path
        The GraphML file.
    n_nodes, n_edges
        Nodes and directed edges written.
    n_omitted_edges
        Edges of the graph left out because the mode may not use them (0 without a mode).
    mode, depart
        The mode and departure time (``HH:MM``) of the ``travel_time`` weights, or ``None``.
    """

    path: Path
    n_nodes: int
    n_edges: int
    n_omitted_edges: int
    mode: str | None
    depart: str | None


@dataclass(frozen=True)
class _Export:
    """The content of an export: which nodes and edges, their weights and the graph's facts."""

    nodes: np.ndarray  # node indices, ascending
    edges: np.ndarray  # edge indices, ascending (CSR order)
    keys: np.ndarray  # networkx key of each exported edge (0, 1... among parallel edges)
    street_count: np.ndarray  # per exported node
    times: np.ndarray | None  # travel time (s) of every graph edge, with a mode
    osmid_offsets: np.ndarray  # way ids of every graph edge (synthetic if the graph has none)
    osmid_values: np.ndarray
    graph_attrs: dict[str, Any]
    n_omitted_edges: int


def to_networkx(
    graph: TravelGraph,
    *,
    mode: str | None = None,
    depart: str | dt.time | dt.datetime | None = None,
    speeds: pd.DataFrame | None = None,
    congestion: pd.DataFrame | None = None,
) -> nx.MultiDiGraph:
    """Convert to an osmnx-compatible ``networkx.MultiDiGraph`` (attributes: see the module).

    Parameters
    ----------
    graph
        The road graph.
    mode
        With a mode, only the edges the mode may use (and the nodes they touch) are kept, with
        ``speed_kph`` and ``travel_time`` (s) from :func:`planner.roads.speeds.edge_travel_times`.
    depart
        Departure time of the travel times (``"HH:MM"``; default ``config.DEFAULT_DEPART``).
    speeds, congestion
        Speed and congestion tables (``None``: ours).

    Returns
    -------
    networkx.MultiDiGraph
        Nodes are the graph's ``node_id``; edge keys number parallel edges from 0.

    Examples
    --------
    >>> from planner.config import data_file
    >>> from planner.roads.network import load_network
    >>> G = to_networkx(load_network(data_file("fixtures/van_mieu_osm.osm")), mode="car")
    >>> G.graph["crs"], all("travel_time" in d for _, _, d in G.edges(data=True))
    ('EPSG:4326', True)
    """
    plan = _export(graph, mode=mode, depart=depart, speeds=speeds, congestion=congestion)
    ids = graph.node_id.tolist()
    G = nx.MultiDiGraph(**plan.graph_attrs)
    G.add_nodes_from(
        (ids[i], {"x": x, "y": y, "street_count": c})
        for i, x, y, c in zip(
            plan.nodes.tolist(),
            graph.node_lon[plan.nodes].tolist(),
            graph.node_lat[plan.nodes].tolist(),
            plan.street_count.tolist(),
            strict=True,
        )
    )
    for edges, keys in _chunks(plan):
        columns = _edge_columns(graph, plan, edges)
        names = list(columns)
        for row, (e, key) in enumerate(zip(edges.tolist(), keys.tolist(), strict=True)):
            data = {n: columns[n][row] for n in names if columns[n][row] is not None}
            G.add_edge(ids[graph.edge_from[e]], ids[graph.edge_to[e]], key=key, **data)
    return G


def write_graphml(
    graph: TravelGraph,
    path: str | os.PathLike[str],
    *,
    mode: str | None = None,
    depart: str | dt.time | dt.datetime | None = None,
    speeds: pd.DataFrame | None = None,
    congestion: pd.DataFrame | None = None,
) -> GraphMLExport:
    """Write the graph as GraphML that ``osmnx.load_graphml`` reads, streamed and atomic.

    The file holds what ``osmnx.save_graphml(to_networkx(graph, ...))`` would write (every
    value as text, typed by osmnx's loader), but it is written edge chunk by edge chunk
    without building the networkx graph, so memory stays near the graph's own size.

    Parameters
    ----------
    graph
        The road graph.
    path
        Target ``.graphml`` file (replaced only once fully written).
    mode, depart, speeds, congestion
        As for :func:`to_networkx`: with a mode, only the mode's usable edges, with
        ``speed_kph`` and ``travel_time``; the graph attributes say which mode, departure time
        and tables the weights are for.

    Returns
    -------
    GraphMLExport
        The path and how many nodes and edges were written, and omitted for the mode.

    Raises
    ------
    PlannerInputError
        The mode may use none of the graph's edges (nothing is written).

    Examples
    --------
    >>> import tempfile, osmnx as ox
    >>> from planner.config import data_file
    >>> from planner.roads.network import load_network
    >>> graph = load_network(data_file("fixtures/van_mieu_osm.osm"))
    >>> out = Path(tempfile.mkdtemp()) / "van_mieu.graphml"
    >>> written = write_graphml(graph, out, mode="car", depart="17:30")
    >>> G = ox.load_graphml(out)
    >>> (G.number_of_edges(), G.graph["mode"], G.graph["depart"]) == (written.n_edges, "car", "17:30")
    True
    """
    plan = _export(graph, mode=mode, depart=depart, speeds=speeds, congestion=congestion)
    target = Path(path)
    with atomic_path(target) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as out:
        _write_graphml(out, graph, plan)
    log.debug(
        "wrote %s: %d nodes, %d edges (%d omitted for mode %s)",
        target,
        plan.nodes.size,
        plan.edges.size,
        plan.n_omitted_edges,
        mode,
    )
    return GraphMLExport(
        path=target,
        n_nodes=int(plan.nodes.size),
        n_edges=int(plan.edges.size),
        n_omitted_edges=plan.n_omitted_edges,
        mode=mode,
        depart=plan.graph_attrs.get("depart"),
    )


def from_osmnx(G: nx.MultiDiGraph, *, source: str = "") -> TravelGraph:
    """Convert any osmnx ``MultiDiGraph`` (unprojected or projected) to a :class:`TravelGraph`.

    Each directed edge is kept as it is (osmnx already expanded two-way roads into two
    edges). ``highway`` values map onto the class vocabulary (``residential`` -> ``minor``,
    ``primary_link`` -> ``primary_ramp``...; our own ``road_class`` wins where the graph has
    one); edges of no road class (e.g. ``platform``) are dropped and counted in the log.
    ``length`` is taken from the edge (the great-circle length of its geometry where none).

    osmnx stores the attributes of a simplified edge that runs along several ways as lists
    built from sets, whose order changes from one process to the next. Lists are resolved by
    rules that do not depend on that order, so the same graph always gives the same result:

    * class: the *least important* class of the list (the last in
      :data:`~planner.roads.graph.CLASS_NAMES`: motorway, motorway slip road, trunk, ... path).
      Conservative: a merged edge is no better than its weakest part (``[unclassified,
      service]`` is ``service``; ``[residential, footway]`` is ``path``, which cars may not
      use, as they cannot drive its footway part);
    * ``highway`` tag: the alphabetically first of the list's values of that class;
    * ``maxspeed``: the lowest; ``oneway``, ``bridge``/``tunnel``/``ford``: set if any part is;
    * ``name``, ``service``: the distinct values, sorted, joined with ``"; "``;
    * ``osmid``: every way id, sorted (a synthetic id where the edge has none).

    Parameters
    ----------
    G
        An osmnx graph (nodes with ``x``, ``y``; edges with ``highway``).
    source
        Where it came from (kept in the graph; default: the graph's ``source`` attribute).

    Returns
    -------
    TravelGraph

    Raises
    ------
    PlannerInputError
        The graph holds no road edge.

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
        row = _osmnx_edge(data, xy[[index[u], index[v]]])
        if row is None:
            dropped += 1
            continue
        rows.append((index[u], index[v], *row))
    if dropped:
        log.info("from_osmnx: dropped %d edges of no road class", dropped)
    if not rows:
        raise PlannerInputError(
            "the osmnx graph holds no road edge", file=source or None, hint="check the query"
        )
    cols = list(zip(*rows, strict=True))
    coords, way_ids = list(cols[4]), list(cols[11])
    sizes = np.fromiter((len(c) for c in coords), dtype=np.int64, count=len(coords))
    id_sizes = np.fromiter((len(w) for w in way_ids), dtype=np.int64, count=len(way_ids))
    geom = np.concatenate(coords)
    return assemble(
        node_id=node_ids,
        node_lon=xy[:, 0],
        node_lat=xy[:, 1],
        edge_from=np.asarray(cols[0], dtype=np.int64),
        edge_to=np.asarray(cols[1], dtype=np.int64),
        edge_length_m=np.asarray(cols[2], dtype=np.float64),
        edge_class=np.asarray(cols[3], dtype=np.int8),
        geom_offsets=np.concatenate([[0], np.cumsum(sizes)]),
        geom_lon=geom[:, 0],
        geom_lat=geom[:, 1],
        osmid_offsets=np.concatenate([[0], np.cumsum(id_sizes)]),
        osmid_values=np.fromiter((i for w in way_ids for i in w), np.int64, int(id_sizes.sum())),
        attrs={
            "edge_name": np.asarray(cols[5], dtype=object),
            "edge_oneway": np.asarray(cols[6], dtype=bool),
            "edge_brunnel": np.asarray(cols[7], dtype=object),
            "edge_service": np.asarray(cols[8], dtype=object),
            "edge_maxspeed_kph": np.asarray(cols[9], dtype=np.float64),
            "edge_highway": np.asarray(cols[10], dtype=object),
        },
        source=source or str(G.graph.get("source", "")),
    )


def graph_from_osmnx_place(
    query: str | dict[str, str], *, network_type: str = "drive"
) -> TravelGraph:
    """Download a place's roads with ``osmnx.graph_from_place`` (needs internet; osmnx caches).

    Parameters
    ----------
    query
        A place name or a structured query, as for ``osmnx.graph_from_place``.
    network_type
        osmnx's network type (``drive``, ``drive_service``, ``all``...).

    Returns
    -------
    TravelGraph
        The roads, converted by :func:`from_osmnx`.

    Examples
    --------
    With internet (not run in the offline test suite)::

        graph = graph_from_osmnx_place("Ba Vì, Hà Nội, Vietnam")
    """
    import osmnx as ox

    G = ox.graph_from_place(query, network_type=network_type)
    return from_osmnx(G, source=f"osmnx:{query}")


def read_graphml(path: str | os.PathLike[str]) -> TravelGraph:
    """Read an osmnx-compatible GraphML file (ours or ``osmnx.save_graphml``'s).

    Parameters
    ----------
    path
        A ``.graphml`` file.

    Returns
    -------
    TravelGraph
        Converted by :func:`from_osmnx`.

    Raises
    ------
    PlannerInputError
        Missing file, or not readable as GraphML.

    Examples
    --------
    >>> import tempfile
    >>> from planner.config import data_file
    >>> from planner.roads.network import load_network
    >>> graph = load_network(data_file("fixtures/van_mieu_osm.osm"))
    >>> written = write_graphml(graph, Path(tempfile.mkdtemp()) / "g.graphml")
    >>> read_graphml(written.path).n_edges == graph.n_edges
    True
    """
    path = Path(path)
    if not path.is_file():
        raise PlannerInputError(
            "the GraphML file does not exist", file=path, hint="give a .graphml file"
        )
    try:
        # maxspeed_kph: our GraphML before it wrote OSM's maxspeed
        import osmnx as ox

        G = ox.load_graphml(path, edge_dtypes={"maxspeed_kph": float})
    except Exception as exc:  # networkx/lxml raise many types for a malformed file
        raise PlannerInputError(
            f"cannot be read as GraphML ({type(exc).__name__}: {exc})",
            file=path,
            hint="give a GraphML file written by this planner or osmnx.save_graphml",
        ) from exc
    return from_osmnx(G, source=str(path))


# --------------------------------------------------------------------------- export content


def _export(
    graph: TravelGraph,
    *,
    mode: str | None,
    depart: str | dt.time | dt.datetime | None,
    speeds: pd.DataFrame | None,
    congestion: pd.DataFrame | None,
) -> _Export:
    attrs: dict[str, Any] = {
        "crs": graph.crs,
        "simplified": True,
        "source": graph.source,
        "created_with": _created_with(),
        "synthetic_osmid": "negative osmid: no OSM way id in the source; a hash of the geometry",
    }
    times = None
    keep = np.ones(graph.n_edges, dtype=bool)
    if mode is not None:
        speeds = load_speed_table() if speeds is None else speeds
        congestion = load_congestion_table() if congestion is None else congestion
        times = edge_travel_times(
            graph, mode=mode, depart=depart, speeds=speeds, congestion=congestion
        )
        keep = np.isfinite(times)
        attrs.update(
            mode=mode,
            depart=parse_depart(depart).strftime("%H:%M"),
            congestion_factor=congestion_factor(depart, mode=mode, table=congestion),
            speed_table=table_digest(speeds),
            congestion_table=table_digest(congestion),
        )
    edges = np.flatnonzero(keep)
    if edges.size == 0:
        raise PlannerInputError(
            f"mode {mode} may use none of the graph's {graph.n_edges:,} edges",
            file=graph.source or None,
            field="mode",
            hint="choose another mode, or mark the classes of these roads usable in the speed table",
        )
    u, v = graph.edge_from[edges], graph.edge_to[edges]
    touched = np.zeros(graph.n_nodes, dtype=bool)
    touched[u], touched[v] = True, True
    nodes = np.flatnonzero(touched) if mode is not None else np.arange(graph.n_nodes)
    offsets, values = _way_ids(graph)
    return _Export(
        nodes=nodes,
        edges=edges,
        keys=_parallel_keys(u, v),
        street_count=_street_count(u, v, graph.n_nodes)[nodes],
        times=times,
        osmid_offsets=offsets,
        osmid_values=values,
        graph_attrs=attrs,
        n_omitted_edges=int(graph.n_edges - edges.size),
    )


def _parallel_keys(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """networkx's keys: 0, 1... among the edges ``u -> v`` (consecutive in CSR order)."""
    new_run = np.ones(u.size, dtype=bool)
    new_run[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    return np.arange(u.size) - np.maximum.accumulate(np.where(new_run, np.arange(u.size), 0))


def _way_ids(graph: TravelGraph) -> tuple[np.ndarray, np.ndarray]:
    """The graph's way ids (offsets, values); the synthetic ones if it was built without."""
    if graph.edge_osmid_offsets is not None and graph.osmid_values is not None:
        return graph.edge_osmid_offsets, graph.osmid_values
    offsets = np.arange(graph.n_edges + 1, dtype=np.int64)
    return offsets, synthetic_osmids(graph.edge_geom_offsets, graph.geom_lon, graph.geom_lat)


def _created_with() -> str:
    try:
        return f"planner {importlib.metadata.version('hanoi-sister-planner')}"
    except importlib.metadata.PackageNotFoundError:  # run from a source tree
        return "planner"


def _street_count(u: np.ndarray, v: np.ndarray, n_nodes: int) -> np.ndarray:
    """Streets at each node exactly as :func:`osmnx.stats.count_streets_per_node` counts them.

    osmnx counts the edges of the undirected view of the graph, where ``u -> v`` and
    ``v -> u`` with the same key are one street: between two nodes, the larger of the two
    directions' edge counts (keys run 0, 1... in each direction). Self-loops count 2 per
    node that has any.
    """
    loop = u == v
    a, b = np.minimum(u, v)[~loop], np.maximum(u, v)[~loop]
    forward = (u < v)[~loop]
    frame = pd.DataFrame({"a": a, "b": b, "forward": forward})
    per_direction = frame.value_counts().reset_index(name="n")
    streets = per_direction.groupby(["a", "b"])["n"].max().reset_index()
    count = np.bincount(streets["a"], weights=streets["n"], minlength=n_nodes)
    count += np.bincount(streets["b"], weights=streets["n"], minlength=n_nodes)
    count[np.unique(u[loop])] += 2
    return count.astype(np.int64)


def _chunks(plan: _Export) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    for start in range(0, plan.edges.size, _CHUNK):
        yield plan.edges[start : start + _CHUNK], plan.keys[start : start + _CHUNK]


def _edge_columns(graph: TravelGraph, plan: _Export, edges: np.ndarray) -> dict[str, list[Any]]:
    """The osmnx attributes of some edges, one list per attribute (``None`` = absent)."""
    n = edges.size
    cls = graph.edge_class[edges]
    columns: dict[str, list[Any]] = {
        "osmid": _osmids(plan.osmid_offsets, plan.osmid_values, edges),
        "highway": _highways(graph, edges).tolist(),
        "road_class": np.asarray(graph.class_names, dtype=object)[cls].tolist(),
        "route": _routes(graph, edges),
        "oneway": (
            graph.edge_oneway[edges].tolist() if graph.edge_oneway is not None else [None] * n
        ),
        "length": graph.edge_length_m[edges].tolist(),
        "name": _texts(graph.edge_name, edges),
        "service": _texts(graph.edge_service, edges),
    }
    brunnel = _texts(graph.edge_brunnel, edges)
    for kind in _BRUNNEL_KINDS:
        columns[kind] = ["yes" if b == kind else None for b in brunnel]
    columns["maxspeed"] = _maxspeeds(graph, edges)
    columns["geometry"] = _geometries(graph, edges)
    if plan.times is not None:
        t = plan.times[edges]
        with np.errstate(divide="ignore", invalid="ignore"):
            kph = np.where(t > 0, graph.edge_length_m[edges] / t * 3.6, np.nan)
        columns["speed_kph"] = kph.tolist()
        columns["travel_time"] = t.tolist()
    return columns


def _osmids(offsets: np.ndarray, values: np.ndarray, edges: np.ndarray) -> list[Any]:
    """One int per edge, or a list of ints where it runs along several ways (as osmnx)."""
    sizes = np.diff(offsets)[edges]
    picked = values[np.repeat(offsets[:-1][edges], sizes) + ramp(sizes)].tolist()
    out: list[Any] = []
    pos = 0
    for size in sizes.tolist():
        out.append(picked[pos] if size == 1 else picked[pos : pos + size])
        pos += size
    return out


def _highways(graph: TravelGraph, edges: np.ndarray) -> np.ndarray:
    """The OSM ``highway`` tag of each edge, or the OSM value its class stands for."""
    generic = np.array([_generic_highway(c) for c in graph.class_names], dtype=object)
    fallback = generic[graph.edge_class[edges]]
    if graph.edge_highway is None:
        return fallback
    tags = graph.edge_highway[edges]
    return np.where(tags != "", tags, fallback)


def _routes(graph: TravelGraph, edges: np.ndarray) -> list[str | None]:
    """``route=ferry`` on ferry edges, as OSM and osmnx tag them (they carry no ``highway``)."""
    is_ferry = np.asarray(graph.class_names, dtype=object)[graph.edge_class[edges]] == "ferry"
    return ["ferry" if f else None for f in is_ferry.tolist()]


def _generic_highway(class_name: str) -> str | None:
    """The OSM ``highway`` value a class stands for when the source does not say which.

    OpenMapTiles' ``minor`` lumps residential, unclassified, living_street and road; OSM's
    own value for "a road of unknown classification" is ``road``. Its ``path`` lumps footway,
    cycleway, path and steps; OSM's generic ``path`` is the one for "unspecified use".
    """
    if class_name.endswith("_ramp"):
        return class_name.removesuffix("_ramp") + "_link"
    if class_name == "ferry":  # a ferry is route=ferry in OSM, no highway at all
        return None
    return {"minor": "road"}.get(class_name, class_name)


def _texts(values: np.ndarray | None, edges: np.ndarray) -> list[str | None]:
    if values is None:
        return [None] * edges.size
    return [t if t else None for t in values[edges].tolist()]


def _maxspeeds(graph: TravelGraph, edges: np.ndarray) -> list[str | None]:
    """The posted limit as an OSM ``maxspeed`` value: km/h, a bare number."""
    if graph.edge_maxspeed_kph is None:
        return [None] * edges.size
    return [
        None if s != s else (str(int(s)) if s.is_integer() else repr(s))
        for s in graph.edge_maxspeed_kph[edges].tolist()
    ]


def _geometries(graph: TravelGraph, edges: np.ndarray) -> list[Any]:
    """A LineString where the edge bends (osmnx leaves straight edges without geometry)."""
    out: list[Any] = [None] * edges.size
    counts = np.diff(graph.edge_geom_offsets)[edges]
    curved = np.flatnonzero(counts > 2)
    if curved.size:
        picked = edges[curved]
        sizes = counts[curved]
        idx = np.repeat(graph.edge_geom_offsets[:-1][picked], sizes) + ramp(sizes)
        lines = shapely.linestrings(
            np.column_stack([graph.geom_lon[idx], graph.geom_lat[idx]]),
            indices=np.repeat(np.arange(picked.size), sizes),
        )
        for i, line in zip(curved.tolist(), lines, strict=True):
            out[i] = line
    return out


# --------------------------------------------------------------------------- GraphML text


def _write_graphml(out: IO[str], graph: TravelGraph, plan: _Export) -> None:
    """Stream the GraphML: keys, graph data, nodes, then edges chunk by chunk."""
    graph_keys = {name: f"g{i}" for i, name in enumerate(plan.graph_attrs)}
    node_keys = {name: f"n{i}" for i, name in enumerate(_NODE_ATTRS)}
    edge_keys = {name: f"e{i}" for i, name in enumerate(_EDGE_ATTRS)}
    out.write(_GRAPHML_HEAD)
    for scope, keys in (("graph", graph_keys), ("node", node_keys), ("edge", edge_keys)):
        for name, key in keys.items():
            out.write(f'  <key id="{key}" for="{scope}" attr.name="{name}" attr.type="string" />\n')
    out.write('  <graph edgedefault="directed">\n')
    for name, value in plan.graph_attrs.items():
        out.write(f'    <data key="{graph_keys[name]}">{_xml_text(str(value))}</data>\n')
    ids = graph.node_id.astype(str)
    kx, ky, kc = (node_keys[name] for name in _NODE_ATTRS)
    for start in range(0, plan.nodes.size, _CHUNK):
        nodes = plan.nodes[start : start + _CHUNK]
        out.writelines(
            f'    <node id="{i}"><data key="{kx}">{x!r}</data><data key="{ky}">{y!r}</data>'
            f'<data key="{kc}">{c}</data></node>\n'
            for i, x, y, c in zip(
                ids[nodes].tolist(),
                graph.node_lon[nodes].tolist(),
                graph.node_lat[nodes].tolist(),
                plan.street_count[start : start + _CHUNK].tolist(),
                strict=True,
            )
        )
    with tqdm(
        total=plan.edges.size, desc="writing GraphML", unit="edge", unit_scale=True, disable=None
    ) as progress:
        for edges, parallel_keys in _chunks(plan):
            _write_edges(out, graph, plan, edges, parallel_keys, ids, edge_keys)
            progress.update(edges.size)
    out.write("  </graph>\n</graphml>\n")


def _write_edges(
    out: IO[str],
    graph: TravelGraph,
    plan: _Export,
    edges: np.ndarray,
    parallel_keys: np.ndarray,
    ids: np.ndarray,
    edge_keys: dict[str, str],
) -> None:
    """Write some edges' ``<edge>`` elements with their attributes."""
    columns = _edge_columns(graph, plan, edges)
    fragments = [
        [
            "" if value is None else f'<data key="{edge_keys[name]}">{value}</data>'
            for value in _column_text(name, values)
        ]
        for name, values in columns.items()
    ]
    out.writelines(
        f'    <edge source="{a}" target="{b}" id="{k}">{"".join(parts)}</edge>\n'
        for a, b, k, *parts in zip(
            ids[graph.edge_from[edges]].tolist(),
            ids[graph.edge_to[edges]].tolist(),
            parallel_keys.tolist(),
            *fragments,
            strict=True,
        )
    )


def _column_text(name: str, values: list[Any]) -> list[str | None]:
    """Attribute values as osmnx's writer stringifies them (``str``), escaped for XML."""
    if name == "geometry":
        present = [i for i, g in enumerate(values) if g is not None]
        text: list[str | None] = [None] * len(values)
        wkt = shapely.to_wkt(
            np.array([values[i] for i in present], dtype=object), rounding_precision=-1
        )
        for i, w in zip(present, wkt.tolist(), strict=True):
            text[i] = w
        return text
    if name in ("length", "speed_kph", "travel_time", "oneway", "osmid"):
        return [None if v is None else str(v) for v in values]
    return [None if v is None else _xml_text(str(v)) for v in values]


def _xml_text(text: str) -> str:
    """Escape text for an XML element; characters XML cannot hold become U+FFFD (logged)."""
    if _NOT_XML.search(text):
        log.warning("GraphML: replaced characters XML cannot hold in %r", text)
        text = _NOT_XML.sub("\ufffd", text)
    return escape(text, {"\r": "&#13;"})


# --------------------------------------------------------------------------- osmnx edges in


def _osmnx_edge(data: dict[str, Any], ends: np.ndarray) -> tuple | None:
    """One osmnx edge's row for :func:`from_osmnx`, or ``None`` if it is no road."""
    code, tag = _osmnx_class(data.get("road_class"), data.get("highway"))
    if code is None and data.get("route") == "ferry":  # osmnx keeps route=ferry ways untagged
        code = CLASS_NAMES.index("ferry")
    if code is None:
        return None
    geom = data.get("geometry")
    coords = np.asarray(geom.coords, dtype=np.float64)[:, :2] if geom is not None else ends
    length = _as_float(data.get("length"))
    if not np.isfinite(length):
        length = float(
            haversine_m(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1]).sum()
        )
    if "maxspeed_kph" in data:  # our GraphML before it wrote OSM's maxspeed
        maxspeed = _as_float(data["maxspeed_kph"])
    else:
        maxspeed = min(
            (parse_maxspeed_kph(str(s)) for s in _values(data.get("maxspeed"))),
            default=float("nan"),
            key=lambda s: (s != s, s),  # NaN last
        )
    return (
        length,
        code,
        coords,
        _joined(data.get("name")),
        any(_as_bool(v) for v in _values(data.get("oneway"))),
        next((k for k in _BRUNNEL_KINDS if _flag(data.get(k))), ""),
        _joined(data.get("service")),
        maxspeed,
        tag,
        _osmnx_way_ids(data.get("osmid")),
    )


def _osmnx_class(road_class: Any, highway: Any) -> tuple[int | None, str]:
    """Class code and OSM ``highway`` tag of an edge, by the rules of :func:`from_osmnx`."""
    tags = sorted({str(v) for v in _values(highway)})
    codes = {tag: _tag_class(tag) for tag in tags}
    if isinstance(road_class, str) and road_class in CLASS_NAMES:
        code: int | None = CLASS_NAMES.index(road_class)
    else:
        code = max((c for c in codes.values() if c is not None), default=None)
    if code is None:
        return None, ""
    tag = next((t for t in tags if codes[t] == code), "")
    return code, tag


def _tag_class(value: str) -> int | None:
    if value in CLASS_NAMES:  # our class names, as our GraphML had them before road_class
        return CLASS_NAMES.index(value)
    cls, is_ramp = highway_class(value)
    return None if cls is None else class_code(cls, is_ramp)


def _osmnx_way_ids(osmid: Any) -> list[int]:
    ids = set()
    for value in _values(osmid):
        try:
            ids.add(int(value))
        except (TypeError, ValueError):
            continue
    return sorted(ids)


def _values(value: Any) -> list[Any]:
    """The items of a list-valued osmnx attribute, or the one value (none for missing/NaN)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return list(value) if isinstance(value, list | tuple | set) else [value]


def _joined(value: Any) -> str:
    return "; ".join(sorted({str(v) for v in _values(value) if str(v)}))


def _flag(value: Any) -> bool:
    return any(str(v).strip().lower() not in ("", "no", "false", "0") for v in _values(value))


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1")
    return bool(value)


def _as_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _is_lonlat(crs: object) -> bool:
    try:
        return bool(pyproj.CRS.from_user_input(crs).is_geographic)
    except pyproj.exceptions.CRSError:
        return True
