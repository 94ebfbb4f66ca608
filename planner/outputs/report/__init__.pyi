from ._basis import APPROXIMATE_CSV as APPROXIMATE_CSV
from ._basis import approximate_units as approximate_units
from .build import write_report as write_report
from .decision import DECISION_COLUMNS as DECISION_COLUMNS
from .decision import decision_table as decision_table
from .workbook import WORKBOOK_NAME as WORKBOOK_NAME
from .workbook import people_format as people_format
from .workbook import write_workbook as write_workbook
