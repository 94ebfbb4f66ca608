"""The officials' report: the decision first, then why, in the run's language.

``build`` assembles and writes ``report.html`` (:func:`write_report`) and the list of units at
approximate locations (:func:`approximate_units`) from its parts: ``decision`` (the decision
table, :func:`decision_table`), ``_lead`` (the lead paragraph), ``_reasons`` (why a row that
would be faster elsewhere stays), ``_figures`` (figures, hospitals, people), ``_growth`` (a
growth run's new sites and broken pairs), ``_basis`` (terms, settings, speeds, sources),
``_traffic`` (the traffic the model ran with), ``_charts`` (SVG charts), ``_context`` (what
every part is given, table cells), ``_scores`` (a run's scores in one shape) and ``_equity``
(who is left behind); ``invest`` is an investment plan's own page (:func:`investment_page`). This package
exports the public names (``__init__.pyi``), imported on first use.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)
