"""``planner stations``: where new commune health stations put the most people within reach."""

from __future__ import annotations

import argparse
from pathlib import Path

from planner.app.cli.groups import examples, shared_options
from planner.requests import STATION_TRIP


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``stations`` (its work is :mod:`planner.app.growth.stations`'s)."""
    p = sub.add_parser(
        "stations",
        help="where new commune health stations put the most people within MIN minutes",
        description="Choose K candidate station sites (a file, or the populated cells' centres) "
        "to maximise the people within MIN minutes of a station, existing stations counted as "
        "open: exactly (maximal covering MILP) and greedily, for comparison. Writes "
        "stations.csv, stations_coverage.csv, stations.geojson and stations.json.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples(
            "planner stations --open 5 --within 15 --out stations/",
            "planner stations --candidates sites.csv --open 2 --within 10 --out stations/",
        ),
    )
    p.add_argument("--candidates", type=Path, metavar="FILE",
                   help="candidate sites (facility_id, name, lat, lon); default: the centres of "
                   "the populated cells with the most people beyond MIN of every station")  # fmt: skip
    p.add_argument("--open", type=int, required=True, metavar="K", help="sites to open")
    p.add_argument("--within", type=float, default=15.0, metavar="MIN",
                   help="minutes from home to a station (default 15)")  # fmt: skip
    shared_options(p, out_help=None, default_mode=STATION_TRIP.mode)
    p.add_argument("--out", type=Path, default=Path("stations-output"), metavar="DIR",
                   help="output folder (default ./stations-output)")  # fmt: skip
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Choose the stations, write the files and summarise."""
    from planner.app.cli.options import trip_rule
    from planner.app.cli.terminal import say
    from planner.app.growth.stations import plan_stations, stations_summary, write_stations
    from planner.app.pipeline.inputs import load_inputs

    graph, fac = load_inputs(
        scheme=args.scheme, facilities=args.facilities, source=args.source, thousands=args.thousands
    )
    plan = plan_stations(graph, fac, k=args.open, within_min=args.within,
                         candidates=args.candidates, trip=trip_rule(args))  # fmt: skip
    paths = write_stations(plan, args.out)
    say("\n".join([*(f"wrote {path}" for path in paths.values()), stations_summary(plan)]))
    return 0
