"""The application: the whole job for people and other tools.

``workflow`` runs the pipeline (inputs, plan, outputs, scoring a pairing file, a report from a
folder); ``session`` keeps what a planner loaded for fast re-plans; ``explorer`` is the Jupyter
explorer; ``cli`` (with ``_commands``) is the ``planner`` command. Only this layer calls every
stage; it uses their public functions.
"""
