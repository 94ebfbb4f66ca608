"""Pairing: who pairs with whom, and how good a pairing is.

Built in the spopt manner from a cost matrix: ``_model`` (units, groups, hospitals, pair costs,
loads, pins), ``_objectives`` (one small MILP builder per objective, one solve), ``propose``
(model -> objective -> solve -> :class:`PairingResult`), ``explain`` (baselines, the pilot,
explanations, sensitivity) and ``scoring`` (the metrics of any pairing and the one definition
of a pair's time). It needs matrices, never roads. This package exports the public API.
"""

from planner.pairing.propose import (
    HANOI_PILOT,
    LOADS,
    OBJECTIVES,
    OPTIMALITY_GAP,
    PAIRING_COLUMNS,
    PILOT_DISTRICT,
    PILOT_HOSPITAL_ID,
    PairingResult,
    hanoi_pilot_pins,
    nearest_pairings,
    pilot_pairings,
    pilot_pins,
    propose_pairings,
)

__all__ = [
    "HANOI_PILOT",
    "LOADS",
    "OBJECTIVES",
    "OPTIMALITY_GAP",
    "PAIRING_COLUMNS",
    "PILOT_DISTRICT",
    "PILOT_HOSPITAL_ID",
    "PairingResult",
    "hanoi_pilot_pins",
    "nearest_pairings",
    "pilot_pairings",
    "pilot_pins",
    "propose_pairings",
]
