"""Places: where the facilities are and where people live.

``facilities`` reads, checks and writes facility files (the contract's names in
``facility_schema``); ``sites`` groups a hospital's sites and applies the site rules;
``capacity`` reads the hospitals' capacity (the sourced Hanoi table or a user's file);
``population`` reads the population raster and calibrates it to a census; ``hanoi`` (a
subpackage) builds the Hanoi registry (both schemes), its areas and its population grid; ``pilot``
names the Hanoi pilot (Ba Vì with Xanh Pon). This package exports the public
names (``__init__.pyi``), imported on first use.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)
