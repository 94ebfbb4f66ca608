"""Hanoi sister-hospital network planner.

Load facilities and road networks, build travel-time graphs, compute travel-time matrices,
propose and score sister-hospital pairings, and draw them on self-contained Folium maps.

The main functions are importable from the package itself::

    from planner import hanoi_network, hanoi_facilities, travel_time_matrix, propose_pairings

They are imported on first use (importing everything takes seconds, while ``planner --help``
needs none of it), so ``import planner`` stays fast.

Examples
--------
>>> import planner
>>> planner.plan is planner.workflow.plan
True
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

#: Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    # roads
    "TravelGraph": "planner.graph",
    "hanoi_network": "planner.network",
    "load_network": "planner.network",
    "from_osmnx": "planner.interop",
    "to_networkx": "planner.interop",
    "read_graphml": "planner.interop",
    "write_graphml": "planner.interop",
    # facilities
    "hanoi_facilities": "planner.hanoi",
    "hanoi_areas": "planner.hanoi",
    "hanoi_boundary": "planner.hanoi",
    "load_facilities": "planner.facilities",
    "facility_problems": "planner.facilities",
    "validate_facilities": "planner.facilities",
    "write_facilities": "planner.facilities",
    # travel
    "travel_time_matrix": "planner.travel",
    "snap_facilities": "planner.travel",
    "route": "planner.travel",
    "pair_travel_times": "planner.travel",
    "travel_time_matrices": "planner.travel",
    # where people live
    "cell_access": "planner.access",
    "cell_access_sweep": "planner.access",
    "coverage": "planner.access",
    # pairing and scores
    "propose_pairings": "planner.pairing",
    "nearest_pairings": "planner.pairing",
    "hanoi_pilot_pins": "planner.pairing",
    "pilot_pairings": "planner.pairing",
    "pilot_pins": "planner.pairing",
    "PairingResult": "planner.pairing",
    "score_pairings": "planner.scoring",
    "PairingScores": "planner.scoring",
    # maps and report
    "pairing_map": "planner.maps",
    "save_map": "planner.maps",
    "WhatIf": "planner.maps",
    "write_report": "planner.report",
    # the whole job
    "plan": "planner.workflow",
    "PlanOptions": "planner.workflow",
    "PlanningRun": "planner.workflow",
    "load_inputs": "planner.workflow",
    "write_outputs": "planner.workflow",
    "score_pairings_file": "planner.workflow",
    # interactive: a session that keeps what it loaded, the Jupyter explorer
    "Session": "planner.session",
    "explore": "planner.explorer",
    "Explorer": "planner.explorer",
    # files
    "read_pairings": "planner.io",
    "write_csv": "planner.io",
    # errors
    "PlannerError": "planner.errors",
    "PlannerInputError": "planner.errors",
    "InfeasibleError": "planner.errors",
}

# Written out (not derived from _EXPORTS) so that linters and type checkers see it.
__all__ = [
    "Explorer",
    "InfeasibleError",
    "PairingResult",
    "PairingScores",
    "PlanOptions",
    "PlannerError",
    "PlannerInputError",
    "PlanningRun",
    "Session",
    "TravelGraph",
    "WhatIf",
    "__version__",
    "cell_access",
    "cell_access_sweep",
    "coverage",
    "explore",
    "facility_problems",
    "from_osmnx",
    "hanoi_areas",
    "hanoi_boundary",
    "hanoi_facilities",
    "hanoi_network",
    "hanoi_pilot_pins",
    "load_facilities",
    "load_inputs",
    "load_network",
    "nearest_pairings",
    "pair_travel_times",
    "pairing_map",
    "pilot_pairings",
    "pilot_pins",
    "plan",
    "propose_pairings",
    "read_graphml",
    "read_pairings",
    "route",
    "save_map",
    "score_pairings",
    "score_pairings_file",
    "snap_facilities",
    "to_networkx",
    "travel_time_matrices",
    "travel_time_matrix",
    "validate_facilities",
    "write_csv",
    "write_facilities",
    "write_graphml",
    "write_outputs",
    "write_report",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        if name in _SUBMODULES:  # ``planner.workflow`` after a bare ``import planner``
            return importlib.import_module(f"{__name__}.{name}")
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


_SUBMODULES = frozenset(
    {
        "access",
        "config",
        "errors",
        "explain",
        "explorer",
        "facilities",
        "graph",
        "hanoi",
        "interop",
        "io",
        "maps",
        "network",
        "pairing",
        "population",
        "report",
        "scoring",
        "session",
        "speeds",
        "travel",
        "workflow",
    }
)

if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from planner.access import cell_access, cell_access_sweep, coverage
    from planner.errors import InfeasibleError, PlannerError, PlannerInputError
    from planner.explorer import Explorer, explore
    from planner.facilities import (
        facility_problems,
        load_facilities,
        validate_facilities,
        write_facilities,
    )
    from planner.graph import TravelGraph
    from planner.hanoi import hanoi_areas, hanoi_boundary, hanoi_facilities
    from planner.interop import from_osmnx, read_graphml, to_networkx, write_graphml
    from planner.io import read_pairings, write_csv
    from planner.maps import WhatIf, pairing_map, save_map
    from planner.network import hanoi_network, load_network
    from planner.pairing import (
        PairingResult,
        hanoi_pilot_pins,
        nearest_pairings,
        pilot_pairings,
        pilot_pins,
        propose_pairings,
    )
    from planner.report import write_report
    from planner.scoring import PairingScores, score_pairings
    from planner.session import Session
    from planner.travel import (
        pair_travel_times,
        route,
        snap_facilities,
        travel_time_matrices,
        travel_time_matrix,
    )
    from planner.workflow import (
        PlanningRun,
        PlanOptions,
        load_inputs,
        plan,
        score_pairings_file,
        write_outputs,
    )
