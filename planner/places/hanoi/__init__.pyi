from ._census import CENSUS_2019_TOTAL as CENSUS_2019_TOTAL
from .areas import hanoi_areas as hanoi_areas
from .areas import hanoi_boundary as hanoi_boundary
from .grid import hanoi_population_grid as hanoi_population_grid
from .locations import LOCATION_ORDER as LOCATION_ORDER
from .locations import location_summary as location_summary
from .registry import hanoi_facilities as hanoi_facilities
from .registry import hanoi_unit_areas as hanoi_unit_areas
