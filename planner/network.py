"""Road networks as an immutable travel graph: load, join, simplify, components, interop.

The routing core is :class:`TravelGraph`, a frozen dataclass of numpy arrays in CSR order
(edges sorted by source node). Travel times are derived per mode and departure time by
:func:`planner.speeds.edge_travel_times`, so one cached graph serves every mode and hour.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


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
        Names of the road classes, OpenMapTiles vocabulary (``motorway`` ... ``path``).
    edge_name
        Road name per edge (object array, ``""`` where unnamed), or ``None``.
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
