"""Places: where the facilities are and where people live.

``facilities`` reads and checks facility files; ``sites`` groups a hospital's sites and applies
the site rules; ``population`` reads the population raster and calibrates it to a census;
``hanoi`` builds the Hanoi registry (both schemes), its areas and its population grid; ``pilot``
names the Hanoi pilot (Ba Vì with Xanh Pon).
"""
