"""Travel: exact door-to-door times on a travel graph.

One module a job:

- ``snap``: facilities snapped to the roads a mode can use (:func:`snap_facilities`);
- ``matrix``: travel-time matrices (:func:`travel_time_matrix`, :func:`travel_time_matrices`,
  :func:`pair_travel_times`);
- ``paths``: the fastest road paths drawn as lines (:func:`routes`, :func:`route`,
  :class:`Route`);

and private ones serving them: ``_snapping`` (the snapper: road index, components, snap
tables), ``_routers`` (the routing memo: a router per graph and time profile, the snap points
inserted into their edges), ``_routing`` (the routing core: exact reduction to the terminals,
many-to-many Dijkstra), ``_store`` (the disk cache of snaps and matrices, keyed by graph and
array digests) and ``_reasons`` (why a pair has no time). This package exports the public
names (``__init__.pyi``), imported on first use.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)
