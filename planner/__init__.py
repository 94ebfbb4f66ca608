"""Hanoi sister-hospital network planner.

Load facilities and road networks, build travel-time graphs, compute travel-time matrices,
propose and score sister-hospital pairings, and draw them on self-contained Folium maps.

The main functions are importable from the package itself::

    from planner import hanoi_network, hanoi_facilities, travel_time_matrix, propose_pairings

The public API is written once, in ``__init__.pyi``: each name from the module that defines
it, imported on first use (importing everything takes seconds, while ``planner --help`` needs
none of it), so ``import planner`` stays fast. Every stage subpackage exports its own names the
same way.

Examples
--------
>>> import planner
>>> planner.plan is planner.app.pipeline.planning.plan
True
"""

import logging

import lazy_loader as lazy

__version__ = "0.2.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)
