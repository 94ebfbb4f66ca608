"""``planner matrix``: a long travel-time matrix between facilities, with their names."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from planner.app.cli.groups import examples, shared_options
from planner.errors import PlannerInputError

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from planner.requests import TripRule

#: Level keywords accepted wherever facilities are selected (``planner matrix --origins``).
LEVEL_KEYWORDS = ("regional", "district", "commune", "units", "all")


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``matrix``."""
    p = sub.add_parser(
        "matrix",
        help="travel-time matrix between facilities (long CSV)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples(
            "planner matrix --origins regional --destinations all --out m.csv",
            "planner matrix --origins my_sites.csv --destinations commune --depart 17:30 --out m.csv",
        ),
    )
    shared_options(p, out_help="CSV file to write ('-': standard output)")
    p.add_argument(
        "--origins",
        default="regional",
        metavar="LEVEL|FILE",
        help="regional, district, commune, units (district+commune), all, or a facility file (default regional)",
    )
    p.add_argument(
        "--destinations",
        default="units",
        metavar="LEVEL|FILE",
        help="same choices as --origins (default units)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the matrix as CSV."""
    from planner.app.cli.options import trip_rule
    from planner.app.cli.terminal import note
    from planner.io.spreadsheet import write_csv

    table = matrix_table(
        origins=args.origins,
        destinations=args.destinations,
        scheme=args.scheme,
        trip=trip_rule(args),
        facilities=args.facilities,
        source=args.source,
        thousands=args.thousands,
    )
    # for programs: ids, numbers and English reasons, nothing Excel could garble: no mark
    write_csv(table, args.out, bom=False)
    bad = int((table["status"] != "ok").sum())
    note(f"wrote {args.out} ({len(table):,} pairs, {bad:,} not reachable)", args.out)
    return 0


def select_level(selector: str, fac: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Select facilities by level keyword (regional, district, commune, units, all)."""
    if selector == "all":
        return fac
    if selector == "units":
        return fac[fac["level"] != "regional"]
    return fac[fac["level"] == selector]


def matrix_table(
    *,
    origins: str,
    destinations: str,
    scheme: str,
    trip: TripRule,
    facilities: str | os.PathLike[str] | None = None,
    source: str | os.PathLike[str] | None = None,
    thousands: str | None = None,
) -> pd.DataFrame:
    """The ``planner matrix`` table: a long travel-time matrix with facility names.

    ``origins``/``destinations`` are level keywords of the registry (or of ``facilities``) or
    paths to facility files (checked against the roads' area, anywhere on Earth); the trip
    rule's mode and departure time time them.
    """
    from planner.app.pipeline.inputs import load_inputs, road_network, study_area
    from planner.places.facilities import load_facilities
    from planner.travel.matrix import travel_time_matrix

    for selector, option in ((origins, "--origins"), (destinations, "--destinations")):
        if selector not in LEVEL_KEYWORDS and not Path(selector).exists():
            raise PlannerInputError(
                f"{selector!r} is neither a level nor an existing file",
                field=option,
                hint=f"use one of {', '.join(LEVEL_KEYWORDS)} or a facility file path",
            )
    graph = road_network(source)
    base: gpd.GeoDataFrame | None = None

    def pick(selector: str, option: str) -> gpd.GeoDataFrame:
        nonlocal base
        if selector not in LEVEL_KEYWORDS:
            return load_facilities(selector, area=study_area(graph), thousands=thousands)
        if base is None:
            _, base = load_inputs(
                scheme=scheme, facilities=facilities, graph=graph, source=source,
                thousands=thousands,
            )  # fmt: skip
        chosen = select_level(selector, base)
        if chosen.empty:
            raise PlannerInputError(
                f"no facility of level {selector!r}",
                field=option,
                hint="choose another level or give a facility file",
            )
        return chosen

    orig = pick(origins, "--origins")
    dest = pick(destinations, "--destinations")
    table = travel_time_matrix(graph, orig, dest, mode=trip.mode, depart=trip.depart)
    names_o = dict(zip(orig["facility_id"], orig["name"], strict=True))
    names_d = dict(zip(dest["facility_id"], dest["name"], strict=True))
    table.insert(1, "origin_name", table["origin_id"].map(names_o))
    table.insert(3, "destination_name", table["destination_id"].map(names_d))
    return table
