"""Speeds per road class and mode, congestion by area, road class and hour, ferries, and travel
time per edge: the public face of the travel-time rules.

Four tables we author in ``geodata/`` drive every travel time, each figure with its reason:

* ``speeds.csv``: free-flow ``speed_kph`` and ``usable`` per road ``class`` (OpenMapTiles
  vocabulary, plus ``ferry``) and ``mode``, and two special classes: ``ramp`` (slip roads, used
  for any class named ``<class>_ramp`` or ``<class>_link``, capped at the speed of ``<class>``)
  and ``snap`` (the straight-line leg from a facility to its nearest road node).
* ``congestion.csv``: a speed ``factor`` per departure-time band (``start`` inclusive, ``end``
  exclusive, ``HH:MM``) and mode, every mode's bands covering the day exactly once: the share of
  free-flow speed on the city proper's main roads.
* ``congestion_by_area.csv``: the ``exposure`` of each area type (:data:`AREAS`: ``core``,
  ``suburban``, ``rural``, ``other`` where no area data exists) and road class to a band's
  slowdown. An edge's factor is ``1 - exposure * (1 - band factor)``: the whole slowdown on the
  core's main roads, none on village roads. The area of an edge comes from Hanoi's 2025 units
  (see :mod:`planner.roads._areas`); roads outside them (a network elsewhere) count as ``other``.
* ``ferries.csv``: per band and mode, whether ferries run and the boarding wait (minutes);
  a ferry edge costs the wait plus its crossing at the ``ferry`` speed, and is unusable while
  closed (at night).

Any table can be replaced by a user file of the same columns (validated; errors name the file,
row and field). Travel times are derived per (graph, mode, time profile) in one vector
operation and memoised, so one cached graph serves every mode and hour;
:func:`time_profile_key` names the profile of a mode and departure time.

A trip is costed at the band of its departure time from start to finish (matrices and routes).
:func:`path_travel_time_s` re-times a given path with the band following the trip's progress,
to measure what that simplification leaves out (``docs/data-truth.md``).

The work is done in private modules, one job each: ``_speed_tables`` (reading and validating
the tables), ``_bands`` (congestion factors and time bands), ``_edges`` (per-edge speeds and
travel times, the time profile key) and ``_paths`` (paths re-timed); departure times are read
by :func:`planner._clock.parse_depart`. Import the names from here.
"""

from __future__ import annotations

from planner._clock import parse_depart
from planner.roads._areas import AREAS, edge_areas
from planner.roads._bands import (
    area_class_factors,
    congestion_factor,
    edge_congestion_factors,
    ferry_wait_s,
)
from planner.roads._edges import (
    edge_speeds_kph,
    edge_travel_times,
    ferry_edges,
    snap_speed_kph,
    time_profile_key,
)
from planner.roads._paths import path_ferries, path_travel_time_s
from planner.roads._speed_tables import (
    CONGESTION_COLUMNS,
    EXPOSURE_COLUMNS,
    FERRY,
    FERRY_COLUMNS,
    RAMP_SUFFIXES,
    SPEED_COLUMNS,
    load_congestion_table,
    load_exposure_table,
    load_ferry_table,
    load_speed_table,
    table_digest,
)

__all__ = [
    "AREAS",
    "CONGESTION_COLUMNS",
    "EXPOSURE_COLUMNS",
    "FERRY",
    "FERRY_COLUMNS",
    "RAMP_SUFFIXES",
    "SPEED_COLUMNS",
    "area_class_factors",
    "congestion_factor",
    "edge_areas",
    "edge_congestion_factors",
    "edge_speeds_kph",
    "edge_travel_times",
    "ferry_edges",
    "ferry_wait_s",
    "load_congestion_table",
    "load_exposure_table",
    "load_ferry_table",
    "load_speed_table",
    "parse_depart",
    "path_ferries",
    "path_travel_time_s",
    "snap_speed_kph",
    "table_digest",
    "time_profile_key",
]
