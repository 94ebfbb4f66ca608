"""Pairing: who pairs with whom, and how good a pairing is.

Built in the spopt manner from a cost matrix: ``costs`` (the one definition of a pair's time,
:func:`pair_costs`), ``_model`` (units, groups, hospitals, pair costs, loads, pins),
``_objectives`` (one small MILP builder per objective, one solve), ``propose`` (model ->
objective -> solve -> :class:`PairingResult`), ``explain`` (baselines, the pilot, explanations,
sensitivity), ``scoring`` (the metrics of any pairing), ``robust`` (pairs that hold at every
hour), ``siting`` with ``_siting`` (new sites opened with the pairing) and ``covering`` (new
stations and costed actions: the budgeted maximal covering model and its budget curve). It needs matrices, never roads. This package exports the
public names (``__init__.pyi``), imported on first use.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)
