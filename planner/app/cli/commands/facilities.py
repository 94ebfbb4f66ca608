"""``planner facilities``: write the Hanoi registry, or check a facility file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from planner.app.cli.groups import examples, shared_options
from planner.errors import PlannerInputError


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``facilities``."""
    p = sub.add_parser(
        "facilities",
        help="write the Hanoi registry, or check a facility file",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples(
            "planner facilities --scheme 2025 --out units.geojson",
            "planner facilities --validate my_units.csv",
            "planner facilities --validate old.csv --encoding cp1258 --out units_utf8.csv",
        ),
    )
    shared_options(p, out_help=None)
    p.add_argument(
        "--out", metavar="FILE", help="registry file (.csv, .geojson, .gpkg; '-': CSV to stdout)"
    )
    p.add_argument(
        "--validate",
        type=Path,
        metavar="FILE",
        help="check a facility file and report every problem",
    )
    p.add_argument("--lat-col", help="latitude column of a CSV (default: detected)")
    p.add_argument("--lon-col", help="longitude column of a CSV (default: detected)")
    p.add_argument(
        "--encoding",
        help="text encoding of the file to validate (default UTF-8); with --out, a UTF-8 copy "
        "is written",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Check a file (every problem, exit 2 when any) or write the registry."""
    from planner.app.cli.terminal import note
    from planner.app.pipeline.inputs import (
        facilities_for,
        is_hanoi_source,
        road_network,
        study_area,
    )
    from planner.places.facilities import facility_problems, load_facilities, write_facilities

    if args.validate is not None:
        graph = None if is_hanoi_source(args.source) else road_network(args.source)
        options = {
            "lat_col": args.lat_col,
            "lon_col": args.lon_col,
            "encoding": args.encoding,
            "area": study_area(graph, source=args.source),
            "thousands": args.thousands,
        }
        problems = facility_problems(args.validate, **options)
        if problems:
            lines = [f"{args.validate}: {len(problems)} problem(s)"]
            lines += [f"  - {problem}" for problem in problems]
            print("\n".join(lines), file=sys.stderr)
            return 2
        note(f"{args.validate}: all facilities valid", args.out)
        if args.out is not None:  # a checked, normalised UTF-8 copy
            _check_table_out(args.out)
            write_facilities(load_facilities(args.validate, **options), args.out)
            note(f"wrote {args.out}", args.out)
        return 0
    if args.out is None:
        raise PlannerInputError(
            "nothing to write",
            field="--out",
            hint="give --out FILE (.csv, .geojson or .gpkg), or --validate FILE",
        )
    _check_table_out(args.out)
    fac = facilities_for(args.scheme, args.facilities, thousands=args.thousands)
    write_facilities(fac, args.out)
    note(f"wrote {args.out} ({len(fac)} facilities, scheme {args.scheme})", args.out)
    return 0


def _check_table_out(out: str) -> None:
    """``--out -`` is only for tables that go out as CSV."""
    from planner.io.atomic import is_stdout

    if is_stdout(out):
        return
    if Path(out).suffix.lower() not in (".csv", ".geojson", ".gpkg"):
        raise PlannerInputError(
            f"cannot write facilities as '{Path(out).suffix or out}'",
            field="--out",
            hint="use a file name ending in .csv, .geojson or .gpkg, or - for CSV on stdout",
        )
