"""Growth: where the network grows, and what it buys.

``siting`` (candidate new sites of the hospitals opened with the pairing, and pairings that hold
at every hour: :func:`plan_growth`, :func:`write_growth`), ``stations`` (new commune health
stations that bring the most people within reach: :func:`plan_stations`) and ``candidates``
(the one reader of candidate-site files, :func:`read_candidates`). This package exports the
public names (``__init__.pyi``), imported on first use.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)
