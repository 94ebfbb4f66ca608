"""The application: the whole job for people and other tools, four rooms by job.

``pipeline`` (the planning job in a few calls: inputs, the plan, the documents, the files, a
pairing scored from a file, a report from a folder), ``growth`` (the network's growth: new
sites of the hospitals, pairings that hold at every hour, new commune stations; one reader of
candidate sites), ``interactive`` (a ``Session`` that keeps what a planner loaded for fast
re-plans, and the Jupyter explorer on it) and ``cli`` (the ``planner`` command: its parser,
one module per subcommand, the typed requests built once from its options). Only this layer
calls every stage; it uses their public functions.
"""
