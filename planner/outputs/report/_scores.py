"""A run's scores as the report reads them: :class:`Scores` over ``score_pairings`` or ``scores.json``.

Older names of the trip directions are read too (:data:`planner.requests.OLD_DIRECTION_NAMES`);
the population cells' figures, when the run has them, come out as one mapping
(:func:`cells_section`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from planner.errors import PlannerInputError
from planner.outputs.formatting import clock
from planner.requests import OLD_DIRECTION_NAMES, TripRule


@dataclass(frozen=True)
class Scores:
    """Scores in one shape, whether given as :class:`PairingScores` or ``scores.json``."""

    overall: dict[str, Any]
    per_hospital: pd.DataFrame | None
    baselines: dict[str, dict[str, Any]]
    peak_times: pd.Series | None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def depart(self) -> str | None:
        value = self.overall.get("depart") or self.options.get("depart")
        return clock(value) if value else None

    @property
    def peak_depart(self) -> str | None:
        value = self.overall.get("peak_depart") or self.options.get("peak_depart")
        return clock(value) if value else None

    @property
    def directions(self) -> str | None:
        """``"both"``, ``"to_unit"`` or ``"to_hospital"``: which trips a pair's time averages."""
        value = self.overall.get("directions") or self.options.get("directions")
        return OLD_DIRECTION_NAMES.get(str(value), str(value)) if value else None

    @property
    def trip(self) -> TripRule | None:
        """The trip rule the scores state (:meth:`TripRule.from_record`), ``None`` without a
        departure time."""
        return TripRule.from_record(self.overall, self.options)


def read_scores(scores: Any) -> Scores:
    """Normalise a :class:`planner.pairing.scoring.PairingScores` or the dict of ``scores.json``."""
    if hasattr(scores, "overall") and hasattr(scores, "per_hospital"):
        per_pair = getattr(scores, "per_pair", None)
        peak = None
        if per_pair is not None and "travel_time_peak_s" in per_pair:
            peak = pd.Series(
                per_pair["travel_time_peak_s"].to_numpy(float),
                index=per_pair["unit_id"].astype(str),
            )
        return Scores(dict(scores.overall), scores.per_hospital, {}, peak)
    if isinstance(scores, Mapping):
        per = scores.get("per_hospital")
        frame = pd.DataFrame(per) if isinstance(per, list) and per else None
        if frame is None and isinstance(scores.get("load"), Mapping):
            # An older scores.json: the population per hospital is all it has.
            load = scores["load"]
            frame = pd.DataFrame({"hospital_id": list(load), "population": list(load.values())})
        baselines = scores.get("baselines")
        baselines = dict(baselines) if isinstance(baselines, Mapping) else {}
        peak = None
        pairs = scores.get("per_pair")
        if isinstance(pairs, list) and pairs and "travel_time_peak_s" in pairs[0]:
            table = pd.DataFrame(pairs)
            peak = pd.Series(
                pd.to_numeric(table["travel_time_peak_s"], errors="coerce").to_numpy(float),
                index=table["unit_id"].astype(str),
            )
        options = scores.get("options")
        return Scores(
            dict(scores),
            frame,
            {k: dict(v) for k, v in baselines.items() if v},
            peak,
            dict(options) if isinstance(options, Mapping) else {},
        )
    raise PlannerInputError(
        f"scores of type {type(scores).__name__} are not understood",
        field="scores",
        hint="pass score_pairings(...) or the dict of scores.json",
    )


def cells_section(main: Scores) -> Mapping[str, Any] | None:
    """The ``cells`` section of ``scores.json`` when the run placed people where they live."""
    cells = main.overall.get("cells")
    if isinstance(cells, Mapping) and cells.get("curve") and cells.get("per_district"):
        return cells
    return None
