"""``planner score``: score a pairing made elsewhere (a CSV with ``unit_id``, ``hospital_id``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from planner.app.cli.groups import examples, lang_option, pair_time_options, shared_options


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``score``."""
    p = sub.add_parser(
        "score",
        help="score a pairing made elsewhere (CSV with unit_id, hospital_id)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples(
            "planner score officials.csv                 # a short summary",
            "planner score officials.csv --out officials/ && planner report officials/",
            "planner score officials.csv --out scores.json",
            "planner score officials.csv --json | jq .max_travel_time_s",
        ),
    )
    p.add_argument(
        "pairings", type=Path, help="pairings CSV (columns unit_id, hospital_id at least)"
    )
    shared_options(p, out_help=None)
    p.add_argument(
        "--out",
        metavar="FILE.json|DIR",
        help="a .json file: the scores; a folder: the completed pairings.csv and scores.json, "
        "ready for `planner report DIR`; '-': the scores JSON on stdout",
    )
    p.add_argument("--json", action="store_true", help="print the scores JSON instead of a summary")
    pair_time_options(p)
    lang_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Score the file; write the scores or the folder; print a summary or the JSON."""
    from planner.app.cli.options import trip_rule
    from planner.app.cli.terminal import say, scored_summary
    from planner.app.pipeline.documents import scored_document
    from planner.app.pipeline.inputs import load_inputs
    from planner.app.pipeline.scored import score_pairings_file
    from planner.app.pipeline.write import write_scored
    from planner.io.atomic import is_stdout, json_text, write_json
    from planner.io.pairings import detect_scheme

    scheme = args.scheme
    if args.facilities is None:
        scheme = detect_scheme(args.pairings, args.scheme)
    graph, fac = load_inputs(
        scheme=scheme, facilities=args.facilities, source=args.source, thousands=args.thousands
    )
    scored = score_pairings_file(
        args.pairings, scheme=scheme, trip=trip_rule(args), facilities=fac, graph=graph
    )
    document = scored_document(scored)
    paths: dict[str, Path] = {}
    if args.out is not None and (is_stdout(args.out) or args.out.lower().endswith(".json")):
        paths["scores.json"] = write_json(document, args.out)
    elif args.out is not None:
        paths = write_scored(scored, args.out, lang=args.lang)
    if args.json and not is_stdout(args.out or ""):
        sys.stdout.write(json_text(document))
    elif not args.json and not is_stdout(args.out or ""):
        say(scored_summary(scored, args.pairings, paths, lang=args.lang))
    return 0
