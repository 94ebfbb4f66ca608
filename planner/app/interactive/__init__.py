"""Interactive planning: a :class:`Session` that keeps the graph, the facilities, the matrices
and the population cells in memory so a re-plan only re-solves and re-scores, and the Jupyter
explorer on it (:func:`explore`: widgets that re-plan and show the verdict first, then the
map). This package exports the public names (``__init__.pyi``), imported on first use.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)
