"""The subcommands of ``planner``, one module each, in the order ``planner --help`` lists them.

Every module has ``add_parser(subparsers)``: its parser (options and help, from
:mod:`planner.app.cli.parser`'s shared groups), whose defaults carry the function that runs
it (``args.run(args) -> int``, on the public API; heavy modules are imported inside it).
``plan`` adds two commands, ``demo`` and ``propose``: the same job, the demo with the map and
the report.
"""

from __future__ import annotations

from planner.app.cli.commands import (
    access,
    facilities,
    invest,
    map,
    matrix,
    network,
    plan,
    replay,
    report,
    score,
    stations,
)

#: The command modules, in the order of ``planner --help``.
COMMANDS = (plan, score, map, report, replay, matrix, access, network, facilities, stations, invest)
