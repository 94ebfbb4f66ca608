"""Roads: from a road source to the travel-time graph.

Readers of vector tiles (``_mvt``), OSM files (``_osm``), osmnx graphs and GraphML (``interop``)
produce one edge table; ``_simplify`` joins and merges it into directed edges; ``graph`` holds
the :class:`~planner.roads.graph.TravelGraph` model; ``speeds`` turns speed, congestion and ferry
tables into each edge's travel time at a departure time (``_areas`` gives an edge's area type);
``network`` builds, caches and loads graphs (the Hanoi default). This package exports the public names
(``__init__.pyi``), imported on first use.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)
