"""``planner access``: travel times from every populated cell, coverage and zonal statistics."""

from __future__ import annotations

import argparse
from pathlib import Path

from planner.app.cli.groups import examples, shared_options, site_rule_option


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``access``."""
    p = sub.add_parser(
        "access",
        help="travel times from every populated cell (WorldPop), coverage and zonal statistics",
        description="Place the population on the WorldPop grid (calibrated to the census for "
        "Hanoi), time every populated cell to the regional hospitals (both directions) and to "
        "its district unit, and write access_cells.csv, coverage.csv and access.json. Without "
        "--pairings, the sister hospitals are those of the default proposal (planner propose).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples(
            "planner access --out access/",
            "planner access --pairings officials.csv --scheme 2025 --minutes 30,60 --out access/",
            "planner access --facilities units.csv --source roads.osm.pbf "
            "--population ppp_2020.tif --out access/",
        ),
    )
    p.add_argument("--pairings", type=Path, metavar="FILE", help="pairings CSV to evaluate")
    p.add_argument(
        "--minutes",
        default="15,30,45,60,90,120",
        metavar="M,M,...",
        help="coverage thresholds in minutes (default 15,30,45,60,90,120)",
    )
    p.add_argument(
        "--population",
        type=Path,
        metavar="RASTER",
        help="population raster (people per cell, e.g. WorldPop) for places outside Vietnam",
    )
    site_rule_option(p)
    shared_options(p, out_help="output folder")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Time the cells, write the tables and say what share is within an hour."""
    from planner import access
    from planner.app.cli.options import parse_minutes, trip_rule
    from planner.app.cli.terminal import say
    from planner.app.pipeline.inputs import load_inputs
    from planner.app.pipeline.planning import PlanOptions, plan
    from planner.io.pairings import read_pairings

    minutes = parse_minutes(args.minutes)
    trip = trip_rule(args)
    graph, fac = load_inputs(
        scheme=args.scheme, facilities=args.facilities, source=args.source, thousands=args.thousands
    )  # a user's facilities are checked against the roads given, not against Hanoi
    result = None
    if args.pairings is not None:
        pairings = read_pairings(args.pairings, fac)
    else:  # the default proposal, whose run has timed the cells already
        options = PlanOptions(trip=trip, scheme=args.scheme, population=args.population)
        run = plan(options, facilities=fac, graph=graph)
        pairings, result = run.proposal.pairings, run.access
    if result is None:
        grid = None
        if args.population is not None or args.facilities is not None:
            grid = access.default_grid(fac, graph=graph, raster=args.population)
        result = access.cell_access(graph, fac, pairings, grid=grid, trip=trip)
    cover = access.coverage(result, minutes=minutes)
    paths = access.write_access(result, cover, args.out)
    at_60 = cover.overall.loc[cover.overall["minutes"] == 60.0, "share_sister"]
    lines = [f"wrote {path}" for path in paths.values()]
    if len(at_60):
        lines.append(f"people within 60 min of their sister hospital: {at_60.iloc[0]:.1%}")
    lines.append(result.attribution)
    say("\n".join(lines))
    return 0
