"""``planner demo`` and ``planner propose``: plan a run and write its files (the demo adds the
map and the report), with the growth options (new sites, pairs that hold at every hour)."""

from __future__ import annotations

import argparse
from pathlib import Path

from planner.app.cli.groups import (
    examples,
    growth_options,
    lang_option,
    people_options,
    proposal_options,
    shared_options,
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``demo`` and ``propose``."""
    raw = argparse.RawDescriptionHelpFormatter
    p = sub.add_parser(
        "demo",
        help="build everything on the Hanoi data and write pairings, scores, map and report",
        description="The main job: graph, registry, matrix, optimal pairing with the Ba Vì "
        "pilot pinned, scores against the nearest-hospital baseline and the pilot, map, report.",
        formatter_class=raw,
        epilog=examples(
            "planner demo",
            "planner demo --scheme 2025 --depart 07:30 --out peak/",
            "planner demo --lang en --out english/",
            "planner demo --demand cells --out people/   # pair by where people live",
            "planner demo --candidates sites.csv --open 1-2 --out growth/   # new sites",
        ),
    )
    shared_options(p, out_help=None)
    lang_option(p)
    p.add_argument(
        "--out",
        type=Path,
        default=Path("planner-output"),
        metavar="DIR",
        help="output folder (default ./planner-output)",
    )
    proposal_options(p)
    people_options(p)
    growth_options(p)  # the map and the report then show the new sites
    p.set_defaults(run=run_demo)

    p = sub.add_parser(
        "propose",
        help="propose optimal sister-hospital pairings",
        formatter_class=raw,
        epilog=examples(
            "planner propose --out out/",
            "planner propose --objective max-time --balance 0.1 --pin hn-dist-250=hn-reg-heart --out out/",
        ),
    )
    shared_options(p, out_help="output folder for pairings.csv, pairings.geojson, scores.json")
    lang_option(p)
    proposal_options(p)
    people_options(p)
    growth_options(p)
    p.set_defaults(run=run_propose)


def run_demo(args: argparse.Namespace) -> int:
    """``planner demo``: the run's files, its map and its report."""
    return _plan_and_write(args, html=True)


def run_propose(args: argparse.Namespace) -> int:
    """``planner propose``: the run's files (no map or report)."""
    return _plan_and_write(args, html=False)


def _plan_and_write(args: argparse.Namespace, *, html: bool) -> int:
    from planner.app.cli.options import parse_departs, parse_open, plan_options
    from planner.app.cli.terminal import run_summary, say
    from planner.app.pipeline.inputs import RunInputs, load_inputs

    options = plan_options(args)  # option errors before any loading
    graph, fac = load_inputs(
        scheme=args.scheme, facilities=args.facilities, source=args.source, thousands=args.thousands
    )
    # the files the run reads, for its scenario.toml (`planner replay`)
    inputs = RunInputs.of(facilities=args.facilities, source=args.source, thousands=args.thousands)
    if args.candidates is None and args.robust is None:
        from planner.app.pipeline.planning import plan
        from planner.app.pipeline.write import write_outputs

        run = plan(options, facilities=fac, graph=graph, inputs=inputs)
        paths = write_outputs(run, args.out, map=html, report=html, lang=args.lang)
    else:
        from planner.app.growth.siting import plan_growth, write_growth

        growth = plan_growth(
            options,
            candidates=args.candidates,
            k=parse_open(args.open),
            robust=None if args.robust is None else parse_departs(args.robust),
            facilities=fac,
            graph=graph,
            inputs=inputs,
        )
        run = growth.run
        paths = write_growth(growth, args.out, map=html, report=html, lang=args.lang)
    say(run_summary(run, paths, lang=args.lang))
    return 0
