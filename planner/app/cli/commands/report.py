"""``planner report``: the officials' report from a folder written by propose, demo or score."""

from __future__ import annotations

import argparse
from pathlib import Path

from planner.app.cli.groups import examples, lang_option, shared_options


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``report``."""
    p = sub.add_parser(
        "report",
        help="write report.html for officials from a folder written by propose/demo",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples(
            "planner report out/",
            "planner report out/ --compare evening/ --compare-name 17:30",
        ),
    )
    p.add_argument("dir", type=Path, help="folder with pairings.csv and scores.json")
    p.add_argument(
        "--compare",
        type=Path,
        metavar="OTHER_DIR",
        help="a second such folder (another time, scheme or a hand-made pairing), shown side "
        "by side with the units that change",
    )
    p.add_argument(
        "--compare-name",
        metavar="NAME",
        help="what the second scenario is called (default: what differs in its settings)",
    )
    lang_option(p)
    shared_options(p, out_help=None)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the folder's ``report.html``."""
    from planner.app.cli.terminal import say
    from planner.app.pipeline.report_folder import report_dir

    path = report_dir(
        args.dir,
        scheme=args.scheme,
        facilities=args.facilities,
        source=args.source,
        thousands=args.thousands,
        compare=args.compare,
        compare_name=args.compare_name,
        lang=args.lang,
    )
    say(f"wrote {path}")
    return 0
