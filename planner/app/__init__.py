"""The application: the whole job for people and other tools.

``workflow`` is the pipeline's public face, re-exporting the modules that do each job:
``inputs`` (roads and facilities), ``planning`` (options, plan, the run), ``documents`` (the
``scores.json`` documents), ``write`` (a run's files and map), ``scored`` (scoring a pairing
file) and ``report_folder`` (a report from a folder). ``session`` keeps what a planner loaded
for fast re-plans; ``explorer`` is the Jupyter explorer; ``stations`` places new commune
stations; ``cli`` (with ``_parser`` and ``_commands``) is the ``planner`` command. Only this
layer calls every stage; it uses their public functions.
"""
