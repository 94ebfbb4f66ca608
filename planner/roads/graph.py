"""The road graph model and the edge schema every road reader produces.

Readers (:mod:`planner.roads._mvt` for vector tiles, :mod:`planner.roads._osm` for OSM files) turn their
source into an *edge table* with the columns :data:`EDGE_COLUMNS`;
:func:`planner.roads.network.graph_from_edges` builds a :class:`TravelGraph` from it (the osmnx and
GraphML readers of :mod:`planner.roads.interop` build one directly). Travel times are not stored in
the graph: :func:`planner.roads.speeds.edge_travel_times` derives them per mode and departure time.
"""

from __future__ import annotations

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
