"""The road graph model and the edge schema every road reader produces.

Readers (:mod:`planner.roads._mvt` for vector tiles, :mod:`planner.roads._osm` for OSM files) turn their
source into an *edge table* with the columns :data:`EDGE_COLUMNS`;
:func:`planner.roads.network.graph_from_edges` builds a :class:`TravelGraph` from it (the osmnx and
GraphML readers of :mod:`planner.roads.interop` build one directly). Travel times are not stored in
the graph: :func:`planner.roads.speeds.edge_travel_times` derives them per mode and departure time.
"""

from __future__ import annotations

import hashlib
import weakref
from dataclasses import dataclass, field

import numpy as np

#: Road classes kept in the graph (OpenMapTiles ``transportation.class`` vocabulary), by rank;
#: ``ferry`` is a river crossing (a boarding wait and a slow crossing, see :mod:`planner.roads.speeds`).
ROAD_CLASSES = (
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "minor",
    "service",
    "track",
    "path",
    "ferry",
)
#: Columns of an edge table, in order (one row per line piece): ``key``, ``lon``, ``lat``
#: (arrays, one value per vertex; equal keys are the same point), ``class`` (one of
#: :data:`ROAD_CLASSES`), ``oneway`` (1 along the line, -1 against, 0 both ways), ``ramp``
#: (bool), ``brunnel``, ``service``, ``name`` (str, ``""`` if none), ``maxspeed_kph`` (NaN if
#: none), ``highway`` (the OSM ``highway`` tag, ``""`` where the source has none, as in vector
#: tiles) and ``osmid`` (the OSM way id, int64, ``0`` where the source has none).
EDGE_COLUMNS = (
    "key",
    "lon",
    "lat",
    "class",
    "oneway",
    "ramp",
    "brunnel",
    "service",
    "name",
    "maxspeed_kph",
    "highway",
    "osmid",
)

#: Road class codes of every graph: OpenMapTiles classes, slip roads as ``<class>_ramp``.
CLASS_NAMES: tuple[str, ...] = (
    "motorway",
    "motorway_ramp",
    "trunk",
    "trunk_ramp",
    "primary",
    "primary_ramp",
    "secondary",
    "secondary_ramp",
    "tertiary",
    "tertiary_ramp",
    "minor",
    "service",
    "track",
    "path",
    "ferry",
)


@dataclass(frozen=True, eq=False)
class TravelGraph:
    """A directed road graph stored as numpy arrays (CSR adjacency, edges sorted by source).

    Attributes
    ----------
    node_lon, node_lat
        Node coordinates in WGS 84 degrees, shape ``(n,)``.
    node_id
        Stable integer node ids (written to GraphML, reported in matrices), shape ``(n,)``.
    indptr
        CSR row pointer, shape ``(n + 1,)``: edges of node ``i`` are ``indptr[i]:indptr[i+1]``.
    edge_from, edge_to
        Source and target node indices of each edge, shape ``(m,)``.
    edge_length_m
        Edge length along its geometry, metres.
    edge_class
        Road class code per edge (index into ``class_names``), e.g. ``primary``.
    class_names
        Names of the road classes, OpenMapTiles vocabulary (``motorway`` ... ``path``,
        ``ferry``).
    edge_name
        Road name per edge (object array, ``""`` where unnamed), or ``None``.
    edge_oneway
        Whether the road the edge belongs to is one-way (bool), or ``None``.
    edge_brunnel, edge_service
        ``bridge``/``tunnel``/``ford`` and the OSM/OpenMapTiles ``service`` kind (``alley``,
        ``parking_aisle``...) per edge (object arrays, ``""`` where none), or ``None``.
    edge_maxspeed_kph
        Posted speed limit where the source has one (OSM files), NaN elsewhere, or ``None``.
    edge_highway
        The OSM ``highway`` tag per edge where the source has one (OSM files, osmnx), ``""``
        elsewhere (vector tiles carry only the class), or ``None``.
    edge_osmid_offsets, osmid_values
        The OSM way ids of each edge, sorted:
        ``osmid_values[edge_osmid_offsets[e]:edge_osmid_offsets[e+1]]`` (several where a
        simplified edge runs along several ways, as osmnx's list-valued ``osmid``). Where the source has no way id (vector tiles), one *synthetic* id: a
        negative 62-bit hash of the edge's geometry taken in a fixed direction, so both
        directions of a two-way road share it, the same road gets the same id in every run
        and extract, and it never collides with an OSM id (always positive). ``None`` for
        graphs built without ids.
    edge_geom_offsets, geom_lon, geom_lat
        Geometry for drawing: edge ``e``'s polyline is
        ``geom_*[edge_geom_offsets[e]:edge_geom_offsets[e+1]]`` (both end nodes included).
    source
        Where the roads came from (file path or description), for reports.
    """

    node_lon: np.ndarray
    node_lat: np.ndarray
    node_id: np.ndarray
    indptr: np.ndarray
    edge_from: np.ndarray
    edge_to: np.ndarray
    edge_length_m: np.ndarray
    edge_class: np.ndarray
    class_names: tuple[str, ...]
    edge_geom_offsets: np.ndarray
    geom_lon: np.ndarray
    geom_lat: np.ndarray
    edge_name: np.ndarray | None = None
    source: str = ""
    crs: str = field(default="EPSG:4326")
    edge_oneway: np.ndarray | None = None
    edge_brunnel: np.ndarray | None = None
    edge_service: np.ndarray | None = None
    edge_maxspeed_kph: np.ndarray | None = None
    edge_highway: np.ndarray | None = None
    edge_osmid_offsets: np.ndarray | None = None
    osmid_values: np.ndarray | None = None

    @property
    def n_nodes(self) -> int:
        """Number of nodes (junctions and dead ends)."""
        return int(self.node_lon.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return int(self.edge_to.shape[0])

    def __repr__(self) -> str:
        return (
            f"TravelGraph(nodes={self.n_nodes:,}, edges={self.n_edges:,}, "
            f"length_km={self.edge_length_m.sum() / 1000:,.0f}, source={self.source!r})"
        )


# graph -> its content digest; dies with the graph.
_DIGESTS: weakref.WeakKeyDictionary[TravelGraph, str] = weakref.WeakKeyDictionary()


def graph_digest(graph: TravelGraph) -> str:
    """Content hash of a graph (every array and attribute), memoised per graph.

    It keys what is computed on the graph (snaps, matrices) in the cache. A graph read from
    the cache carries the digest stored with it (:func:`remember_digest`): hashing the whole
    of Hanoi's text columns takes half a second.

    Parameters
    ----------
    graph
        The graph.

    Returns
    -------
    str
        32 hex digits.

    Examples
    --------
    >>> from planner.config import data_file
    >>> from planner.roads.network import load_network
    >>> graph = load_network(data_file("fixtures/van_mieu_osm.osm"))
    >>> len(graph_digest(graph)) == 32 and graph_digest(graph) == graph_digest(graph)
    True
    """
    if graph not in _DIGESTS:
        import pandas as pd  # the text columns' hash; pandas is loaded by every reader anyway

        h = hashlib.blake2b(digest_size=16)
        for name, value in sorted(vars(graph).items()):
            h.update(name.encode())
            if isinstance(value, np.ndarray) and value.dtype != object:
                h.update(str(value.dtype).encode())
                h.update(np.ascontiguousarray(value).data)  # the buffer itself: no copy
            elif isinstance(value, np.ndarray):  # text: hashed in C, no conversion
                h.update(pd.util.hash_array(value).tobytes())
            else:
                h.update(repr(value).encode())
        _DIGESTS[graph] = h.hexdigest()
    return _DIGESTS[graph]


def remember_digest(graph: TravelGraph, digest: str) -> None:
    """Set the digest of a graph read back from where it was stored with it (the cache).

    Parameters
    ----------
    graph
        The graph as read back.
    digest
        :func:`graph_digest` of the graph as it was stored.

    Returns
    -------
    None

    Examples
    --------
    >>> from planner.config import data_file
    >>> from planner.roads.network import load_network
    >>> graph = load_network(data_file("fixtures/van_mieu_osm.osm"))
    >>> remember_digest(graph, "0" * 32)
    >>> graph_digest(graph)
    '00000000000000000000000000000000'
    """
    _DIGESTS[graph] = digest
