"""The ``planner`` command's argument parser: its subcommands, their options and help.

:func:`build_parser` describes every subcommand (what it does, its options, their defaults and
examples); :mod:`planner.app.cli` parses with it and dispatches. It imports nothing heavy, so
``planner --help`` stays fast.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from planner import __version__
from planner.config import (
    DEFAULT_DEPART,
    DEFAULT_SCHEME,
    DIRECTIONS,
    MODES,
    PEAK_DEPART,
    SCHEMES,
    THOUSANDS,
)


def _shared_options(
    parser: argparse.ArgumentParser, *, out_help: str | None, mode: str = "car"
) -> None:
    """Options every subcommand shares (same names, same meaning); ``mode`` is the command's
    default transport mode (``planner stations``: motorbike, how people reach a station)."""
    group = parser.add_argument_group("shared options")
    group.add_argument(
        "--scheme",
        choices=SCHEMES,
        default=DEFAULT_SCHEME,
        help="administrative scheme: 2024 (30 districts, 579 communes) or 2025 (126 units) "
        f"(default {DEFAULT_SCHEME})",
    )
    group.add_argument(
        "--mode", choices=MODES, default=mode, help=f"transport mode (default {mode})"
    )
    group.add_argument(
        "--depart",
        default=DEFAULT_DEPART,
        metavar="HH:MM",
        help=f"departure time, e.g. 07:30 or 17h30; sets congestion (default {DEFAULT_DEPART})",
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


def _lang_option(parser: argparse.ArgumentParser) -> None:
    """``--lang`` of the commands whose outputs officials read (map, report, demo)."""
    from planner.outputs.i18n import DEFAULT_LANG, LANGUAGES

    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=DEFAULT_LANG,
        help="language of the map, the report and the summary: vi (Vietnamese, the default: "
        "Hanoi's officials read it) or en",
    )


def _site_rule_option(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """``--site-rule`` of the commands that time pairs (a hospital may have several sites)."""
    parser.add_argument(
        "--site-rule",
        choices=("nearest", "main"),
        default="nearest",
        help="which site of a hospital with several sites a pair's trips use: nearest (the "
        "pair's fastest site, the default) or main (its main site, where staff rotate from)",
    )


def _pair_time_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """How a pair is timed, for the commands that time pairs: the site rule, the second
    departure its figures are compared at, and which trips make its time."""
    _site_rule_option(parser)
    parser.add_argument(
        "--peak-depart",
        default=PEAK_DEPART,
        metavar="HH:MM",
        help="the second departure time the figures are also given at, e.g. 17:30 for the "
        f"evening peak (default {PEAK_DEPART}, the morning peak)",
    )
    parser.add_argument(
        "--directions",
        choices=DIRECTIONS,
        default="both",
        help="which trips make a pair's time: both (the mean of the staff trip to the unit and "
        "the referral trip to the hospital, the default), to_unit or to_hospital",
    )


def _examples(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``planner`` command."""
    parser = argparse.ArgumentParser(
        prog="planner",
        description="Plan Hanoi's sister-hospital pairings: road travel times, optimal pairings, maps.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_examples(
            "planner demo                         # the whole job on the Hanoi data",
            "planner propose --scheme 2025 --out out/",
            "planner matrix --origins regional --destinations district --out m.csv",
        ),
    )
    parser.add_argument("--version", action="version", version=f"planner {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    raw = argparse.RawDescriptionHelpFormatter

    p = sub.add_parser(
        "demo",
        help="build everything on the Hanoi data and write pairings, scores, map and report",
        description="The main job: graph, registry, matrix, optimal pairing with the Ba Vì "
        "pilot pinned, scores against the nearest-hospital baseline and the pilot, map, report.",
        formatter_class=raw,
        epilog=_examples(
            "planner demo",
            "planner demo --scheme 2025 --depart 07:30 --out peak/",
            "planner demo --lang en --out english/",
            "planner demo --demand cells --out people/   # pair by where people live",
            "planner demo --candidates sites.csv --open 1-2 --out growth/   # new sites",
        ),
    )
    _shared_options(p, out_help=None)
    _lang_option(p)
    p.add_argument(
        "--out",
        type=Path,
        default=Path("planner-output"),
        metavar="DIR",
        help="output folder (default ./planner-output)",
    )
    _proposal_options(p)
    _people_options(p)
    from planner.app import siting  # light: --candidates, --open, --robust

    siting.add_options(p)  # the map and the report then show the new sites

    p = sub.add_parser(
        "network",
        help="write the travel-time graph as osmnx-compatible GraphML",
        formatter_class=raw,
        epilog=_examples(
            "planner network --out hanoi_car.graphml",
            "planner network --source roads.osm.pbf --mode motorbike --out roads.graphml",
        ),
    )
    _shared_options(p, out_help="GraphML file to write")

    p = sub.add_parser(
        "facilities",
        help="write the Hanoi registry, or check a facility file",
        formatter_class=raw,
        epilog=_examples(
            "planner facilities --scheme 2025 --out units.geojson",
            "planner facilities --validate my_units.csv",
            "planner facilities --validate old.csv --encoding cp1258 --out units_utf8.csv",
        ),
    )
    _shared_options(p, out_help=None)
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

    p = sub.add_parser(
        "matrix",
        help="travel-time matrix between facilities (long CSV)",
        formatter_class=raw,
        epilog=_examples(
            "planner matrix --origins regional --destinations all --out m.csv",
            "planner matrix --origins my_sites.csv --destinations commune --depart 17:30 --out m.csv",
        ),
    )
    _shared_options(p, out_help="CSV file to write ('-': standard output)")
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

    p = sub.add_parser(
        "propose",
        help="propose optimal sister-hospital pairings",
        formatter_class=raw,
        epilog=_examples(
            "planner propose --out out/",
            "planner propose --objective max-time --balance 0.1 --pin hn-dist-250=hn-reg-heart --out out/",
        ),
    )
    _shared_options(p, out_help="output folder for pairings.csv, pairings.geojson, scores.json")
    _lang_option(p)
    _proposal_options(p)
    _people_options(p)
    siting.add_options(p)

    p = sub.add_parser(
        "score",
        help="score a pairing made elsewhere (CSV with unit_id, hospital_id)",
        formatter_class=raw,
        epilog=_examples(
            "planner score officials.csv                 # a short summary",
            "planner score officials.csv --out officials/ && planner report officials/",
            "planner score officials.csv --out scores.json",
            "planner score officials.csv --json | jq .max_travel_time_s",
        ),
    )
    p.add_argument(
        "pairings", type=Path, help="pairings CSV (columns unit_id, hospital_id at least)"
    )
    _shared_options(p, out_help=None)
    p.add_argument(
        "--out",
        metavar="FILE.json|DIR",
        help="a .json file: the scores; a folder: the completed pairings.csv and scores.json, "
        "ready for `planner report DIR`; '-': the scores JSON on stdout",
    )
    p.add_argument("--json", action="store_true", help="print the scores JSON instead of a summary")
    _pair_time_options(p)
    _lang_option(p)

    p = sub.add_parser(
        "map",
        help="draw a pairing (and optionally a second one to compare) as a standalone HTML map",
        formatter_class=raw,
        epilog=_examples(
            "planner map out/pairings.csv --compare officials.csv "
            '--compare-name "Sở Y tế draft" --out map.html'
        ),
    )
    p.add_argument("pairings", type=Path, help="pairings CSV")
    p.add_argument("--compare", type=Path, metavar="OTHER.csv", help="a second pairing to compare")
    p.add_argument(
        "--compare-name",
        metavar="NAME",
        help="what the second pairing is called on the map (default: its file name)",
    )
    _lang_option(p)
    p.add_argument(
        "--routes", action="store_true", help="draw road routes instead of straight links"
    )
    p.add_argument(
        "--cdn", action="store_true", help="load Leaflet from CDNs instead of inlining it"
    )
    _pair_time_options(p)
    _shared_options(p, out_help="HTML file to write")

    p = sub.add_parser(
        "access",
        help="travel times from every populated cell (WorldPop), coverage and zonal statistics",
        description="Place the population on the WorldPop grid (calibrated to the census for "
        "Hanoi), time every populated cell to the regional hospitals (both directions) and to "
        "its district unit, and write access_cells.csv, coverage.csv and access.json. Without "
        "--pairings, the sister hospitals are those of the default proposal (planner propose).",
        formatter_class=raw,
        epilog=_examples(
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
    _site_rule_option(p)
    _shared_options(p, out_help="output folder")

    p = sub.add_parser(
        "report",
        help="write report.html for officials from a folder written by propose/demo",
        formatter_class=raw,
        epilog=_examples(
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
    _lang_option(p)
    _shared_options(p, out_help=None)
    _stations_command(sub)
    return parser


def _stations_command(sub: argparse._SubParsersAction) -> None:
    """``planner stations``: its options; the work is :mod:`planner.app.stations`'s."""
    p = sub.add_parser(
        "stations",
        help="where new commune health stations put the most people within MIN minutes",
        description="Choose K candidate station sites (a file, or the populated cells' centres) "
        "to maximise the people within MIN minutes of a station, existing stations counted as "
        "open: exactly (maximal covering MILP) and greedily, for comparison. Writes "
        "stations.csv, stations_coverage.csv, stations.geojson and stations.json.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_examples(
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
    _shared_options(p, out_help=None, mode="motorbike")
    p.add_argument("--out", type=Path, default=Path("stations-output"), metavar="DIR",
                   help="output folder (default ./stations-output)")  # fmt: skip


def _people_options(p: argparse.ArgumentParser) -> None:
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


def _proposal_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("pairing options")
    g.add_argument(
        "--objective",
        choices=("pop-time", "max-time", "balanced"),
        default="pop-time",
        help="population-weighted travel time (default), the maximum travel time, "
        "or travel time with a load-balance term",
    )
    g.add_argument(
        "--balance",
        type=float,
        default=0.2,
        metavar="B",
        help="each hospital's load within ±B of its fair share (default 0.2)",
    )
    g.add_argument(
        "--load",
        choices=("population", "units", "capacity"),
        default="population",
        help="what counts as a hospital's load (default population)",
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
        default=60.0,
        metavar="S",
        help="solver time limit in seconds (default 60)",
    )
    _pair_time_options(g)
