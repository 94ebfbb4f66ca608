"""The options several ``planner`` commands share, and the help text's examples.

Choices and defaults come from the typed requests (:mod:`planner.requests`: the allowed values
derived from their ``Literal`` fields, the defaults of :data:`~planner.requests.DEFAULT_TRIP`
and :data:`~planner.requests.DEFAULT_REQUEST`), so the command line cannot drift from the
library. Each subcommand's module (``commands/``) adds the groups it needs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from planner.config import DEFAULT_SCHEME, SCHEMES, THOUSANDS
from planner.requests import (
    DEFAULT_REQUEST,
    DEFAULT_TRIP,
    DIRECTIONS,
    LOADS,
    MODES,
    OBJECTIVES,
    SITE_RULES,
)


def examples(*lines: str) -> str:
    """A help epilog listing example command lines."""
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def shared_options(
    parser: argparse.ArgumentParser,
    *,
    out_help: str | None,
    default_mode: str = DEFAULT_TRIP.mode,
) -> None:
    """Options every subcommand shares (same names, same meaning); ``default_mode`` is the
    command's own default of ``--mode`` (``planner stations``: motorbike, how people reach a
    station)."""
    group = parser.add_argument_group("shared options")
    group.add_argument(
        "--scheme",
        choices=SCHEMES,
        default=DEFAULT_SCHEME,
        help="administrative scheme: 2024 (30 districts, 579 communes) or 2025 (126 units) "
        f"(default {DEFAULT_SCHEME})",
    )
    group.add_argument(
        "--mode",
        choices=MODES,
        default=default_mode,
        help=f"transport mode (default {default_mode})",
    )
    group.add_argument(
        "--depart",
        default=DEFAULT_TRIP.depart,
        metavar="HH:MM",
        help="departure time, e.g. 07:30 or 17h30; sets congestion (default "
        f"{DEFAULT_TRIP.depart})",
    )
    group.add_argument(
        "--facilities",
        type=Path,
        metavar="FILE",
        help="your own facility file (CSV, GeoJSON, GeoPackage, Shapefile) instead of the Hanoi "
        "registry; anywhere on Earth with your own --source",
    )
    group.add_argument(
        "--thousands",
        choices=THOUSANDS,
        help="thousands separator of population/capacity in --facilities (e.g. '.' for "
        "12.345); without it only unambiguous numbers are read",
    )
    group.add_argument(
        "--source",
        metavar="PATH",
        help="road network: an .mbtiles, .osm, .osm.pbf or .graphml file, or a tile folder; "
        "'hanoi' or 'mbtiles' (the default) is the Hanoi MBTiles in the data folder",
    )
    if out_help:
        group.add_argument("--out", required=True, metavar="PATH", help=out_help)
    group.add_argument(
        "-v", "--verbose", action="store_true", help="log details; show tracebacks on errors"
    )
    group.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors")


def lang_option(parser: argparse.ArgumentParser) -> None:
    """``--lang`` of the commands whose outputs officials read (map, report, demo)."""
    from planner.outputs.i18n import DEFAULT_LANG, LANGUAGES

    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=DEFAULT_LANG,
        help="language of the map, the report and the summary: vi (Vietnamese, the default: "
        "Hanoi's officials read it) or en",
    )


def site_rule_option(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """``--site-rule`` of the commands that time pairs (a hospital may have several sites)."""
    parser.add_argument(
        "--site-rule",
        choices=SITE_RULES,
        default=DEFAULT_TRIP.site_rule,
        help="which site of a hospital with several sites a pair's trips use: nearest (the "
        "pair's fastest site, the default) or main (its main site, where staff rotate from)",
    )


def pair_time_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """How a pair is timed, for the commands that time pairs: the site rule, the second
    departure its figures are compared at, and which trips make its time."""
    site_rule_option(parser)
    parser.add_argument(
        "--peak-depart",
        default=DEFAULT_TRIP.peak_depart,
        metavar="HH:MM",
        help="the second departure time the figures are also given at, e.g. 17:30 for the "
        f"evening peak (default {DEFAULT_TRIP.peak_depart}, the morning peak)",
    )
    parser.add_argument(
        "--directions",
        choices=DIRECTIONS,
        default=DEFAULT_TRIP.directions,
        help="which trips make a pair's time: both (the mean of the staff trip to the unit and "
        "the referral trip to the hospital, the default), to_unit or to_hospital",
    )


def people_options(p: argparse.ArgumentParser) -> None:
    """Where people live (demo and propose): the population cells and the pairing's demand."""
    g = p.add_argument_group("where people live")
    g.add_argument(
        "--demand",
        choices=("points", "cells"),
        default="points",
        help="what a unit costs when pairing: the trips from its point (default), or the average "
        "trip of its people from where they live (population cells); the run also proposes the "
        "pairing under the other demand and reports how they differ",
    )
    g.add_argument(
        "--population",
        type=Path,
        metavar="RASTER",
        help="population raster (people per cell, e.g. a WorldPop 'ppp' GeoTIFF) for facilities "
        "outside Vietnam (default: WorldPop 2020 of Vietnam, calibrated to the census for Hanoi)",
    )
    g.add_argument(
        "--no-cells",
        action="store_true",
        help="do not time the population cells (no access_cells.csv, coverage.csv, travel-time "
        "surface or where-people-live section; faster)",
    )


def proposal_options(p: argparse.ArgumentParser) -> None:
    """What the pairing is asked for (demo and propose): the request's fields and the pilot."""
    g = p.add_argument_group("pairing options")
    g.add_argument(
        "--objective",
        choices=OBJECTIVES,
        default=DEFAULT_REQUEST.objective,
        help="population-weighted travel time (default), the maximum travel time, "
        "or travel time with a load-balance term",
    )
    g.add_argument(
        "--balance",
        type=float,
        default=DEFAULT_REQUEST.balance,
        metavar="B",
        help="each hospital's load within ±B of its fair share (default "
        f"{DEFAULT_REQUEST.balance})",
    )
    g.add_argument(
        "--load",
        choices=LOADS,
        default=DEFAULT_REQUEST.load,
        help="what counts as a hospital's load: its people, its units, or its people held to "
        f"its share of the hospitals' capacity (default {DEFAULT_REQUEST.load})",
    )
    g.add_argument(
        "--capacity",
        type=Path,
        metavar="FILE",
        help="the hospitals' capacity (CSV: hospital_id, capacity, measure, source): fair "
        "shares follow it; with --load capacity every hospital needs one (default for the "
        "Hanoi registry: the figures found with a source, geodata/hospital_capacity.csv)",
    )
    g.add_argument(
        "--unit-mode",
        action="store_true",
        help="pair every unit on its own instead of whole districts",
    )
    g.add_argument(
        "--pin",
        action="append",
        default=[],
        metavar="UNIT_ID=HOSPITAL_ID",
        help="force a pair (repeatable); HOSPITAL_ID names a hospital, not one of its sites",
    )
    g.add_argument(
        "--forbid",
        action="append",
        default=[],
        metavar="UNIT_ID=HOSPITAL_ID",
        help="exclude a pair (repeatable)",
    )
    g.add_argument(
        "--max-time",
        type=float,
        metavar="MIN",
        help="pairs longer than this many minutes are not allowed",
    )
    g.add_argument(
        "--no-pilot",
        action="store_true",
        help="do not pin the Ba Vì pilot (Ba Vì district with Xanh Pon)",
    )
    g.add_argument(
        "--specialty-need",
        type=Path,
        metavar="FILE",
        help="CSV district,specialty,need (e.g. births for obstetrics_gynecology): prefer "
        "hospitals whose specialty a district needs (off by default; see README)",
    )
    g.add_argument(
        "--time-limit",
        type=float,
        default=DEFAULT_REQUEST.time_limit_s,
        metavar="S",
        help=f"solver time limit in seconds (default {DEFAULT_REQUEST.time_limit_s:g})",
    )
    pair_time_options(g)


def growth_options(parser: argparse.ArgumentParser) -> None:
    """``--candidates``, ``--open`` and ``--robust`` (demo and propose: new sites, every hour)."""
    from planner.config import ROBUST_DEPARTS

    g = parser.add_argument_group("growth: new sites, every hour")
    g.add_argument("--candidates", type=Path, metavar="FILE",
                   help="candidate new sites of the hospitals (facility_id, name, hospital_id, "
                   "lat, lon; optional capacity): choose which to open with the pairing and "
                   "write siting.csv")  # fmt: skip
    g.add_argument("--open", default="1", metavar="K|A-B",
                   help="how many candidates to open (default 1), or a range A-B for a table "
                   "of what each extra site buys (siting_by_k.csv; the run opens B)")  # fmt: skip
    g.add_argument("--robust", nargs="?", const="", metavar="HH:MM,...",
                   help="pair on each trip's worst time over these departure times (default "
                   f"{','.join(ROBUST_DEPARTS)}), so --max-time holds at all; writes robust.csv")  # fmt: skip


__all__ = [
    "examples",
    "growth_options",
    "lang_option",
    "pair_time_options",
    "people_options",
    "proposal_options",
    "shared_options",
    "site_rule_option",
]
