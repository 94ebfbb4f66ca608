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
>>> planner.plan is planner.app.workflow.plan
True
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from planner import _moved

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

#: Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    # roads
    "TravelGraph": "planner.roads.graph",
    "hanoi_network": "planner.roads.network",
    "load_network": "planner.roads.network",
    "from_osmnx": "planner.roads.interop",
    "to_networkx": "planner.roads.interop",
    "read_graphml": "planner.roads.interop",
    "write_graphml": "planner.roads.interop",
    # facilities
    "hanoi_facilities": "planner.places.hanoi",
    "hanoi_areas": "planner.places.hanoi",
    "hanoi_boundary": "planner.places.hanoi",
    "hanoi_population_grid": "planner.places.hanoi",
    "WORLDPOP_ATTRIBUTION": "planner.places.population",
    "load_facilities": "planner.places.facilities",
    "facility_problems": "planner.places.facilities",
    "validate_facilities": "planner.places.facilities",
    "write_facilities": "planner.places.facilities",
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
    "coverage_table": "planner.access",
    "zonal_statistics": "planner.access",
    # pairing and scores
    "propose_pairings": "planner.pairing.propose",
    "nearest_pairings": "planner.pairing.propose",
    "hanoi_pilot_pins": "planner.pairing.propose",
    "pilot_pairings": "planner.pairing.propose",
    "pilot_pins": "planner.pairing.propose",
    "PairingResult": "planner.pairing.propose",
    "score_pairings": "planner.pairing.scoring",
    "PairingScores": "planner.pairing.scoring",
    # maps and report
    "pairing_map": "planner.outputs.map.build",
    "save_map": "planner.outputs.map.build",
    "WhatIf": "planner.outputs.map.build",
    "write_report": "planner.outputs.report.build",
    "decision_table": "planner.outputs.report.build",
    # the whole job
    "plan": "planner.app.workflow",
    "PlanOptions": "planner.app.workflow",
    "PlanningRun": "planner.app.workflow",
    "load_inputs": "planner.app.workflow",
    "write_outputs": "planner.app.workflow",
    "score_pairings_file": "planner.app.workflow",
    "report_dir": "planner.app.workflow",
    # growth: new sites opened with the pairing, pairs at every hour, new stations
    "plan_growth": "planner.app.siting",
    "write_growth": "planner.app.siting",
    "GrowthRun": "planner.app.siting",
    "propose_with_candidates": "planner.pairing.siting",
    "SitingResult": "planner.pairing.siting",
    "worst_case_matrix": "planner.pairing.robust",
    "robust_pairs": "planner.pairing.robust",
    "plan_stations": "planner.app.stations",
    "write_stations": "planner.app.stations",
    "StationPlan": "planner.app.stations",
    # interactive: a session that keeps what it loaded, the Jupyter explorer
    "Session": "planner.app.session",
    "explore": "planner.app.explorer",
    "Explorer": "planner.app.explorer",
    # files
    "read_pairings": "planner.io",
    "write_csv": "planner.io",
    # the typed requests a run is described by
    "TripRule": "planner.requests",
    "PairingRequest": "planner.requests",
    # data folder
    "data_dir": "planner.config",
    # errors
    "ApproximateLocationWarning": "planner.errors",
    "PlannerError": "planner.errors",
    "PlannerInputError": "planner.errors",
    "InfeasibleError": "planner.errors",
}

# Written out (not derived from _EXPORTS) so that linters and type checkers see it.
__all__ = [
    "WORLDPOP_ATTRIBUTION",
    "ApproximateLocationWarning",
    "Explorer",
    "GrowthRun",
    "InfeasibleError",
    "PairingRequest",
    "PairingResult",
    "PairingScores",
    "PlanOptions",
    "PlannerError",
    "PlannerInputError",
    "PlanningRun",
    "Session",
    "SitingResult",
    "StationPlan",
    "TravelGraph",
    "TripRule",
    "WhatIf",
    "__version__",
    "cell_access",
    "cell_access_sweep",
    "coverage",
    "coverage_table",
    "data_dir",
    "decision_table",
    "explore",
    "facility_problems",
    "from_osmnx",
    "hanoi_areas",
    "hanoi_boundary",
    "hanoi_facilities",
    "hanoi_network",
    "hanoi_pilot_pins",
    "hanoi_population_grid",
    "load_facilities",
    "load_inputs",
    "load_network",
    "nearest_pairings",
    "pair_travel_times",
    "pairing_map",
    "pilot_pairings",
    "pilot_pins",
    "plan",
    "plan_growth",
    "plan_stations",
    "propose_pairings",
    "propose_with_candidates",
    "read_graphml",
    "read_pairings",
    "report_dir",
    "robust_pairs",
    "route",
    "save_map",
    "score_pairings",
    "score_pairings_file",
    "snap_facilities",
    "to_networkx",
    "travel_time_matrices",
    "travel_time_matrix",
    "validate_facilities",
    "worst_case_matrix",
    "write_csv",
    "write_facilities",
    "write_graphml",
    "write_growth",
    "write_outputs",
    "write_report",
    "write_stations",
    "zonal_statistics",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        if name in _SUBMODULES or f"{__name__}.{name}" in _moved.MOVED:
            # ``planner.roads`` (or 0.1's ``planner.workflow``) after a bare ``import planner``
            return importlib.import_module(f"{__name__}.{name}")
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


_SUBMODULES = frozenset(
    {"access", "app", "config", "errors", "io", "outputs", "pairing", "places", "roads", "travel"}
)

# planner 0.1's module paths (``planner.workflow``...) still import, with a DeprecationWarning.
_moved.install()

if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from planner.access import (
        cell_access,
        cell_access_sweep,
        coverage,
        coverage_table,
        zonal_statistics,
    )
    from planner.app.explorer import Explorer, explore
    from planner.app.session import Session
    from planner.app.siting import GrowthRun, plan_growth, write_growth
    from planner.app.stations import StationPlan, plan_stations, write_stations
    from planner.app.workflow import (
        PlanningRun,
        PlanOptions,
        load_inputs,
        plan,
        report_dir,
        score_pairings_file,
        write_outputs,
    )
    from planner.config import data_dir
    from planner.errors import (
        ApproximateLocationWarning,
        InfeasibleError,
        PlannerError,
        PlannerInputError,
    )
    from planner.io import read_pairings, write_csv
    from planner.outputs.map.build import WhatIf, pairing_map, save_map
    from planner.outputs.report.build import decision_table, write_report
    from planner.pairing.propose import (
        PairingResult,
        hanoi_pilot_pins,
        nearest_pairings,
        pilot_pairings,
        pilot_pins,
        propose_pairings,
    )
    from planner.pairing.robust import robust_pairs, worst_case_matrix
    from planner.pairing.scoring import PairingScores, score_pairings
    from planner.pairing.siting import SitingResult, propose_with_candidates
    from planner.places.facilities import (
        facility_problems,
        load_facilities,
        validate_facilities,
        write_facilities,
    )
    from planner.places.hanoi import (
        hanoi_areas,
        hanoi_boundary,
        hanoi_facilities,
        hanoi_population_grid,
    )
    from planner.places.population import WORLDPOP_ATTRIBUTION
    from planner.requests import PairingRequest, TripRule
    from planner.roads.graph import TravelGraph
    from planner.roads.interop import from_osmnx, read_graphml, to_networkx, write_graphml
    from planner.roads.network import hanoi_network, load_network
    from planner.travel import (
        pair_travel_times,
        route,
        snap_facilities,
        travel_time_matrices,
        travel_time_matrix,
    )
