"""Access: how far people live from their hospitals.

One module a job: ``cells`` times every populated cell piece to the hospitals and its district
unit (:func:`cell_access`, :func:`cell_access_sweep`, on :func:`default_grid`; ``_grid`` helps
it lay out the grid); ``zonal`` derives coverage and zonal statistics from those times;
``demand`` the people's times per unit and their pairing matrix; ``equity`` who is left
behind (Gini, Palma and FGT indices of the times, overall, urban and rural); ``tables`` the
tables and files of a run. This package exports the public names (``__init__.pyi``),
imported on first use.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)
