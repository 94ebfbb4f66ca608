"""The ``planner`` command's argument parser: every subcommand's parser, from its own module
(``commands/``), in the order ``planner --help`` lists them. It imports nothing heavy, so
``planner --help`` stays fast.
"""

from __future__ import annotations

import argparse

from planner import __version__
from planner.app.cli.commands import COMMANDS
from planner.app.cli.groups import examples


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``planner`` command.

    Returns
    -------
    argparse.ArgumentParser

    Examples
    --------
    >>> args = build_parser().parse_args(["propose", "--out", "out/", "--balance", "0.1"])
    >>> args.command, args.balance, args.mode, args.site_rule
    ('propose', 0.1, 'car', 'nearest')
    """
    parser = argparse.ArgumentParser(
        prog="planner",
        description="Plan Hanoi's sister-hospital pairings: road travel times, optimal pairings, maps.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples(
            "planner demo                         # the whole job on the Hanoi data",
            "planner propose --scheme 2025 --out out/",
            "planner matrix --origins regional --destinations district --out m.csv",
        ),
    )
    parser.add_argument("--version", action="version", version=f"planner {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


__all__ = ["build_parser"]
