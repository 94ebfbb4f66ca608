"""GraphML export content: which nodes and edges an export holds, their columns in osmnx's
vocabulary, and the GraphML text streamed in chunks (:func:`planner.roads.interop.write_graphml`).
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import shapely
from tqdm.auto import tqdm

from planner._clock import parse_depart
from planner.errors import PlannerInputError
from planner.roads._simplify import ramp, synthetic_osmids
from planner.roads.graph import TravelGraph
from planner.roads.speeds.bands import congestion_factor
from planner.roads.speeds.edges import edge_travel_times
from planner.roads.speeds.tables import load_congestion_table, load_speed_table, table_digest

log = logging.getLogger(__name__)

#: Edges per chunk when streaming GraphML: bounds the memory of the text being built.
_CHUNK = 65_536
#: Characters XML 1.0 does not allow in text (a stray control code in an OSM name).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
BRUNNEL_KINDS = ("bridge", "tunnel", "ford")
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
    *BRUNNEL_KINDS,
    "maxspeed",
    "geometry",
    "speed_kph",
    "travel_time",
)


@dataclass(frozen=True)
class ExportPlan:
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


# --------------------------------------------------------------------------- export content


def export_plan(
    graph: TravelGraph,
    *,
    mode: str | None,
    depart: str | dt.time | dt.datetime | None,
    speeds: pd.DataFrame | None,
    congestion: pd.DataFrame | None,
) -> ExportPlan:
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
    return ExportPlan(
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


def edge_chunks(plan: ExportPlan) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    for start in range(0, plan.edges.size, _CHUNK):
        yield plan.edges[start : start + _CHUNK], plan.keys[start : start + _CHUNK]


def edge_columns(graph: TravelGraph, plan: ExportPlan, edges: np.ndarray) -> dict[str, list[Any]]:
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
    for kind in BRUNNEL_KINDS:
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


def write_graphml_text(out: IO[str], graph: TravelGraph, plan: ExportPlan) -> None:
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
        for edges, parallel_keys in edge_chunks(plan):
            _write_edges(out, graph, plan, edges, parallel_keys, ids, edge_keys)
            progress.update(edges.size)
    out.write("  </graph>\n</graphml>\n")


def _write_edges(
    out: IO[str],
    graph: TravelGraph,
    plan: ExportPlan,
    edges: np.ndarray,
    parallel_keys: np.ndarray,
    ids: np.ndarray,
    edge_keys: dict[str, str],
) -> None:
    """Write some edges' ``<edge>`` elements with their attributes."""
    columns = edge_columns(graph, plan, edges)
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
