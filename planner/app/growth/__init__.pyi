from .candidates import read_candidates as read_candidates
from .siting import GrowthRun as GrowthRun
from .siting import plan_growth as plan_growth
from .siting import write_growth as write_growth
from .stations import StationPlan as StationPlan
from .stations import plan_stations as plan_stations
from .stations import stations_summary as stations_summary
from .stations import write_stations as write_stations
