"""The pipeline: the whole planning job in a few calls, behind ``planner demo``, the CLI and the
notebooks.

One module a job: ``inputs`` (the roads and the facilities, Hanoi or anywhere:
:func:`load_inputs`), ``planning`` (:class:`PlanOptions`, :func:`plan`, :class:`PlanningRun`:
matrices, proposal, baselines, scores, the population cells), ``_deferred`` (what a run
computes only when an output reads it), ``documents`` (the ``scores.json`` documents),
``write`` (a run's files, map and report: :func:`write_outputs`), ``scored`` (a pairing made
elsewhere: :func:`score_pairings_file`) and ``report_folder`` (a report from a folder:
:func:`report_dir`). This package exports the public names (``__init__.pyi``), imported on
first use.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)
