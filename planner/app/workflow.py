"""The whole planning job in a few calls: the public face of the pipeline behind ``planner demo``,
the CLI and the notebooks.

It re-exports the pipeline's functions from the modules that do each job:
:mod:`planner.app.inputs` (the roads and the facilities: :func:`load_inputs`),
:mod:`planner.app.planning` (:class:`PlanOptions`, :func:`plan`, :class:`PlanningRun`),
:mod:`planner.app.documents` (the ``scores.json`` documents), :mod:`planner.app.write`
(:func:`write_outputs`, the run's map), :mod:`planner.app.scored` (:func:`score_pairings_file`:
a pairing made elsewhere) and :mod:`planner.app.report_folder` (:func:`report_dir`: a report
from a folder). ``planner.app.workflow.plan`` and the other names keep working.

Examples
--------
>>> from planner.app import planning
>>> plan is planning.plan and PlanOptions is planning.PlanOptions
True
"""

from __future__ import annotations

from planner.app.documents import (
    cells_document,
    options_document,
    scored_document,
    scores_document,
)
from planner.app.inputs import (
    HANOI_SOURCE_KEYWORDS,
    facilities_for,
    is_hanoi_registry,
    is_hanoi_source,
    load_inputs,
    road_network,
    split_levels,
    study_area,
)
from planner.app.planning import (
    PlanningRun,
    PlanOptions,
    demand_comparison,
    pairing_arguments,
    pairing_matrices,
    plan,
    population_access,
    read_specialty_need,
)
from planner.app.report_folder import report_dir
from planner.app.scored import SCORED_COLUMNS, ScoredPairing, score_pairings_file, write_scored
from planner.app.write import run_map, run_whatif, write_outputs

__all__ = [
    "HANOI_SOURCE_KEYWORDS",
    "SCORED_COLUMNS",
    "PlanOptions",
    "PlanningRun",
    "ScoredPairing",
    "cells_document",
    "demand_comparison",
    "facilities_for",
    "is_hanoi_registry",
    "is_hanoi_source",
    "load_inputs",
    "options_document",
    "pairing_arguments",
    "pairing_matrices",
    "plan",
    "population_access",
    "read_specialty_need",
    "report_dir",
    "road_network",
    "run_map",
    "run_whatif",
    "score_pairings_file",
    "scored_document",
    "scores_document",
    "split_levels",
    "study_area",
    "write_outputs",
    "write_scored",
]
