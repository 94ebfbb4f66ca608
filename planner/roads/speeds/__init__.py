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

One module a job: ``tables`` (reading and validating the tables), ``bands`` (congestion
factors and time bands), ``edges`` (per-edge speeds and travel times, the time profile key) and
``paths`` (paths re-timed); an edge's area type comes from :mod:`planner.roads._areas` and
departure times are read by :func:`planner._clock.parse_depart`. This package exports the public
names (``__init__.pyi``), imported on first use.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)
