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
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from planner.errors import PlannerInputError
from planner.io.atomic import atomic_path
from planner.roads._graphml import (
    edge_chunks,
    edge_columns,
    export_plan,
    write_graphml_text,
)
from planner.roads._osmnx_edges import is_lonlat, osmnx_edge
from planner.roads._simplify import assemble
from planner.roads.graph import TravelGraph

log = logging.getLogger(__name__)


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
    plan = export_plan(graph, mode=mode, depart=depart, speeds=speeds, congestion=congestion)
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
    for edges, keys in edge_chunks(plan):
        columns = edge_columns(graph, plan, edges)
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
    plan = export_plan(graph, mode=mode, depart=depart, speeds=speeds, congestion=congestion)
    target = Path(path)
    with atomic_path(target) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as out:
        write_graphml_text(out, graph, plan)
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
    if G.graph.get("crs") is not None and not is_lonlat(G.graph["crs"]):
        import osmnx as ox  # here only: importing osmnx takes seconds (sklearn, matplotlib)

        G = ox.projection.project_graph(G, to_latlong=True)
    node_ids = np.fromiter(G.nodes, dtype=np.int64, count=len(G))
    xy = np.array([(d["x"], d["y"]) for _, d in G.nodes(data=True)], dtype=np.float64)
    index = {n: i for i, n in enumerate(G.nodes)}
    rows = []
    dropped = 0
    for u, v, data in G.edges(data=True):
        row = osmnx_edge(data, xy[[index[u], index[v]]])
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
