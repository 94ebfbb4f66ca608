from ._basis import APPROXIMATE_CSV as APPROXIMATE_CSV
from ._basis import approximate_units as approximate_units
from .build import write_report as write_report
from .decision import DECISION_COLUMNS as DECISION_COLUMNS
from .decision import decision_table as decision_table
from .invest import investment_page as investment_page
