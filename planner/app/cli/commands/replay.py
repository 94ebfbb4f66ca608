"""``planner replay``: run a scenario again (the ``scenario.toml`` every run writes) and write
the same files, ``pairings.csv`` byte for byte."""

from __future__ import annotations

import argparse
from pathlib import Path

from planner.app.cli.groups import examples


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``replay``."""
    p = sub.add_parser(
        "replay",
        help="run a scenario.toml again (every option and input file of a run)",
        description="Plan again with every option and input file a run recorded in its "
        "scenario.toml, and write the same files. An input file that changed since the run is "
        "refused, naming it and both digests.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples(
            "planner replay planner-output/scenario.toml",
            "planner replay planner-output/scenario.toml --out again/",
            "planner replay old/scenario.toml --allow-changed-inputs --out today/",
        ),
    )
    p.add_argument("scenario", type=Path, help="the scenario.toml a run wrote beside its files")
    p.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="output folder (default: a folder 'replay' beside the scenario)",
    )
    p.add_argument(
        "--allow-changed-inputs",
        action="store_true",
        help="go on when an input file changed since the run, with a warning naming it (the "
        "results may then differ)",
    )
    p.add_argument(
        "-v", "--verbose", action="store_true", help="log details; show tracebacks on errors"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Read the scenario (its inputs checked), plan it again and write its files."""
    from planner.app.cli.terminal import run_summary, say
    from planner.app.interactive.session import Session

    session = Session.from_scenario(args.scenario, allow_changed_inputs=args.allow_changed_inputs)
    assert session.scenario is not None
    out = args.out if args.out is not None else args.scenario.parent / "replay"
    run, paths = session.replay(out)
    say(run_summary(run, paths, lang=session.scenario.lang))
    return 0
