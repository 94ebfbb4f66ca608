"""The Hanoi registry: every unit of the health network, located and weighted, in both schemes.

``hanoi_facilities(scheme="2024")`` gives the 4 regional hospitals (one row per site: 7 sites,
``geodata/regional_hospitals.csv``), the 30 district-level units and the 579 commune health
stations of 2020-2024; ``scheme="2025"`` keeps the regional and
district units (the district units become area health centres) and gives one health station to
each of the 126 commune-level units in force since 1 July 2025. Everything is built from the data
folder (see ``SOURCES.md`` there) and the authored ``geodata/`` tables, and cached.

**Areas.** The 2025 units are the OSM polygons. The 30 districts of 2024 are polygonized from the
district (admin level 6) and province (level 4) boundary lines of the road tiles, closed by the
province boundary. The tiles carry only part of the district boundaries: 8 districts come out
whole, the rest share two faces, which are split along the 2025 unit polygons (a unit formed
from communes of one former district lies in that district) and, inside the units formed from
several, by the Voronoi cells of the districts' commune centroids (see :func:`hanoi_areas`). A
commune of 2024 gets the part of its district nearest to its site (its own geocoded centroid, or
where it was located), within the 2025 unit(s) it went to.

**Locations**, in this order (``location_source``):

1. ``osm``: a mapped OSM health station, centre or hospital with the unit's name, in its area
   (the OSM health facilities file, then the health POIs of the road tiles);
2. ``town_hall``, ``school``, ``place``: the unit's People's Committee (tiles POI "UBND xã X"),
   else its primary school ("Trường Tiểu học X"), else an OSM place named like it, in its area:
   commune health stations stand in or beside the commune's centre;
3. ``population_centre``: the population-weighted centre of its area on the WorldPop grid;
4. ``commune_centroid`` / ``district_centroid``: the geocoded centroid (no people in the area).

Each POI locates at most one unit (the one whose centroid is nearest). District units follow the
same order with their district hospital or health centre, then the district People's Committee.

**Population**: the 2019 census, joined by commune name with the district as key; communes merged
or renamed since 2019, and the 2025 units, are joined through the official old→new unit lists of
the ``vietnamadminunits`` package. Every census row and commune that could not be joined is listed
in ``gdf.attrs["unmatched"]`` and logged. :func:`hanoi_population_grid` places the census people
on the WorldPop grid inside each unit's area.

**Modules**: :mod:`~planner.places.hanoi.registry` (the registry and its unit areas),
:mod:`~planner.places.hanoi.locations` (the location sources), :mod:`~planner.places.hanoi.areas`
(province, districts and 2025 units), :mod:`~planner.places.hanoi.grid` (the population grid);
the private modules build them (``_registry``, ``_units``, ``_locate``, ``_districts``,
``_census``, ``_data``, ``_geometry``). This package exports the public names (``__init__.pyi``):
``from planner.places.hanoi import hanoi_facilities``.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)
