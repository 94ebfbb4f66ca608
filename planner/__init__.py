"""Hanoi sister-hospital network planner.

Load facilities and road networks, build travel-time graphs, compute travel-time matrices,
propose and score sister-hospital pairings, and draw them on self-contained Folium maps.
"""

from __future__ import annotations

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
