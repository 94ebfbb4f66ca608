"""The ``planner`` command: a thin shell over the public API.

Every subcommand parses its options, calls library functions, and writes files atomically.
User errors (:class:`planner.errors.PlannerError`) exit with status 2 and a one-paragraph
message; ``--verbose`` adds the traceback for bug reports.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import textwrap
import traceback
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

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
from planner.errors import PlannerError, PlannerInputError

if TYPE_CHECKING:
    from planner.app.workflow import PlanOptions

log = logging.getLogger("planner")


def _shared_options(parser: argparse.ArgumentParser, *, out_help: str | None) -> None:
    """Options every subcommand shares (same names, same meaning)."""
    group = parser.add_argument_group("shared options")
    group.add_argument(
        "--scheme",
        choices=SCHEMES,
        default=DEFAULT_SCHEME,
        help="administrative scheme: 2024 (30 districts, 579 communes) or 2025 (126 units) "
        f"(default {DEFAULT_SCHEME})",
    )
    group.add_argument("--mode", choices=MODES, default="car", help="transport mode (default car)")
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
    from planner.app import siting  # light: --candidates, --open, --robust

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
    _shared_options(p, out_help=None)
    p.add_argument("--out", type=Path, default=Path("stations-output"), metavar="DIR",
                   help="output folder (default ./stations-output)")  # fmt: skip
    p.set_defaults(mode="motorbike")


def _cmd_stations(args: argparse.Namespace) -> int:
    from planner.app import stations, workflow

    graph, fac = workflow.load_inputs(
        scheme=args.scheme, facilities=args.facilities, source=args.source, thousands=args.thousands
    )
    plan = stations.plan_stations(graph, fac, k=args.open, within_min=args.within,
                                  candidates=args.candidates, mode=args.mode, depart=args.depart)  # fmt: skip
    paths = stations.write_stations(plan, args.out)
    _say(
        "\n".join([*(f"wrote {path}" for path in paths.values()), stations.stations_summary(plan)])
    )
    return 0


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


def _parse_pairs(values: Sequence[str], option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        unit, sep, hospital = value.partition("=")
        if not sep or not unit.strip() or not hospital.strip():
            raise PlannerInputError(
                f"{value!r} is not UNIT_ID=HOSPITAL_ID",
                field=option,
                hint=f"write e.g. {option} hn-dist-271=hn-reg-xanhpon",
            )
        pairs[unit.strip()] = hospital.strip()
    return pairs


def _plan_options(args: argparse.Namespace) -> PlanOptions:
    from planner.app.workflow import PlanOptions

    max_time = None if args.max_time is None else args.max_time * 60.0
    return PlanOptions(
        scheme=args.scheme,
        mode=args.mode,
        depart=args.depart,
        objective=args.objective,
        balance=args.balance,
        load=args.load,
        hierarchical=not args.unit_mode,
        pins=_parse_pairs(args.pin, "--pin"),
        forbidden=tuple(_parse_pairs(args.forbid, "--forbid").items()),
        max_travel_time_s=max_time,
        pilot=not args.no_pilot,
        time_limit_s=args.time_limit,
        specialty_need=args.specialty_need,
        site_rule=args.site_rule,
        peak_depart=args.peak_depart,
        directions=args.directions,
        demand=args.demand,
        cells=not args.no_cells,
        population=args.population,
    )


def _cmd_demo(args: argparse.Namespace) -> int:
    return _plan_and_write(args, html=True)


def _cmd_propose(args: argparse.Namespace) -> int:
    return _plan_and_write(args, html=False)


def _plan_and_write(args: argparse.Namespace, *, html: bool) -> int:
    from planner.app import _commands, workflow

    options = _plan_options(args)  # option errors before any loading
    graph, fac = workflow.load_inputs(
        scheme=args.scheme, facilities=args.facilities, source=args.source, thousands=args.thousands
    )
    from planner.app import siting

    grown = siting.run_command(args, options, graph=graph, facilities=fac, html=html)
    if grown is None:
        run = workflow.plan(options, facilities=fac, graph=graph)
        paths = workflow.write_outputs(run, args.out, map=html, report=html, lang=args.lang)
    else:
        run, paths = grown
    _say(_commands.run_summary(run, paths, lang=args.lang))
    return 0


def _cmd_network(args: argparse.Namespace) -> int:
    from planner.app.workflow import road_network
    from planner.roads.interop import write_graphml

    graph = road_network(args.source)
    written = write_graphml(graph, args.out, mode=args.mode, depart=args.depart)
    omitted = written.n_omitted_edges
    _say(
        f"wrote {written.path}: {written.n_nodes:,} nodes, {written.n_edges:,} edges with "
        f"{written.mode} travel times at {written.depart}; left out "
        + (
            f"{omitted:,} of the graph's {graph.n_edges:,} edges ({written.mode} may not use them)"
            if omitted
            else f"none of the graph's {graph.n_edges:,} edges"
        )
    )
    return 0


def _cmd_facilities(args: argparse.Namespace) -> int:
    from planner.app import workflow
    from planner.places.facilities import facility_problems, load_facilities, write_facilities

    if args.validate is not None:
        graph = (
            None if workflow.is_hanoi_source(args.source) else workflow.road_network(args.source)
        )
        options = {
            "lat_col": args.lat_col,
            "lon_col": args.lon_col,
            "encoding": args.encoding,
            "area": workflow.study_area(graph, source=args.source),
            "thousands": args.thousands,
        }
        problems = facility_problems(args.validate, **options)
        if problems:
            lines = [f"{args.validate}: {len(problems)} problem(s)"]
            lines += [f"  - {problem}" for problem in problems]
            print("\n".join(lines), file=sys.stderr)
            return 2
        _note(f"{args.validate}: all facilities valid", args.out)
        if args.out is not None:  # a checked, normalised UTF-8 copy
            _check_table_out(args.out)
            write_facilities(load_facilities(args.validate, **options), args.out)
            _note(f"wrote {args.out}", args.out)
        return 0
    if args.out is None:
        raise PlannerInputError(
            "nothing to write",
            field="--out",
            hint="give --out FILE (.csv, .geojson or .gpkg), or --validate FILE",
        )
    _check_table_out(args.out)
    fac = workflow.facilities_for(args.scheme, args.facilities, thousands=args.thousands)
    write_facilities(fac, args.out)
    _note(f"wrote {args.out} ({len(fac)} facilities, scheme {args.scheme})", args.out)
    return 0


def _check_table_out(out: str) -> None:
    """``--out -`` is only for tables that go out as CSV."""
    from planner.io import is_stdout

    if is_stdout(out):
        return
    if Path(out).suffix.lower() not in (".csv", ".geojson", ".gpkg"):
        raise PlannerInputError(
            f"cannot write facilities as '{Path(out).suffix or out}'",
            field="--out",
            hint="use a file name ending in .csv, .geojson or .gpkg, or - for CSV on stdout",
        )


def _cmd_matrix(args: argparse.Namespace) -> int:
    from planner import io
    from planner.app import _commands

    table = _commands.matrix_table(
        origins=args.origins,
        destinations=args.destinations,
        scheme=args.scheme,
        mode=args.mode,
        depart=args.depart,
        facilities=args.facilities,
        source=args.source,
        thousands=args.thousands,
    )
    io.write_csv(table, args.out)
    bad = int((table["status"] != "ok").sum())
    _note(f"wrote {args.out} ({len(table):,} pairs, {bad:,} not reachable)", args.out)
    return 0


def _cmd_score(args: argparse.Namespace) -> int:
    from planner import io
    from planner.app import _commands, workflow
    from planner.io import is_stdout

    scheme = args.scheme
    if args.facilities is None:
        scheme = io.detect_scheme(args.pairings, args.scheme)
    graph, fac = workflow.load_inputs(
        scheme=scheme, facilities=args.facilities, source=args.source, thousands=args.thousands
    )
    scored = workflow.score_pairings_file(
        args.pairings,
        scheme=scheme,
        mode=args.mode,
        depart=args.depart,
        facilities=fac,
        graph=graph,
        site_rule=args.site_rule,
        peak_depart=args.peak_depart,
        directions=args.directions,
    )
    document = workflow.scored_document(scored)
    paths: dict[str, Path] = {}
    if args.out is not None and (is_stdout(args.out) or args.out.lower().endswith(".json")):
        paths["scores.json"] = io.write_json(document, args.out)
    elif args.out is not None:
        paths = workflow.write_scored(scored, args.out)
    if args.json and not is_stdout(args.out or ""):
        sys.stdout.write(io.json_text(document))
    elif not args.json and not is_stdout(args.out or ""):
        _say(_commands.scored_summary(scored, args.pairings, paths, lang=args.lang))
    return 0


def _cmd_map(args: argparse.Namespace) -> int:
    from planner.app import _commands

    _commands.map_file(
        args.pairings,
        args.out,
        compare=args.compare,
        compare_name=args.compare_name,
        routes=args.routes,
        self_contained=not args.cdn,
        scheme=args.scheme,
        mode=args.mode,
        depart=args.depart,
        facilities=args.facilities,
        source=args.source,
        thousands=args.thousands,
        lang=args.lang,
        site_rule=args.site_rule,
        peak_depart=args.peak_depart,
        directions=args.directions,
    )
    _say(f"wrote {args.out}")
    return 0


def _cmd_access(args: argparse.Namespace) -> int:
    from planner import access
    from planner.app import workflow
    from planner.io import read_pairings

    minutes = _parse_minutes(args.minutes)
    graph, fac = workflow.load_inputs(
        scheme=args.scheme, facilities=args.facilities, source=args.source, thousands=args.thousands
    )  # a user's facilities are checked against the roads given, not against Hanoi
    result = None
    if args.pairings is not None:
        pairings = read_pairings(args.pairings, fac)
    else:  # the default proposal, whose run has timed the cells already
        options = workflow.PlanOptions(
            scheme=args.scheme,
            mode=args.mode,
            depart=args.depart,
            population=args.population,
            site_rule=args.site_rule,
        )
        run = workflow.plan(options, facilities=fac, graph=graph)
        pairings, result = run.proposal.pairings, run.access
    if result is None:
        grid = None
        if args.population is not None or args.facilities is not None:
            grid = access.default_grid(fac, graph=graph, raster=args.population)
        result = access.cell_access(
            graph,
            fac,
            pairings,
            grid=grid,
            mode=args.mode,
            depart=args.depart,
            site_rule=args.site_rule,
        )
    cover = access.coverage(result, minutes=minutes)
    paths = access.write_access(result, cover, args.out)
    at_60 = cover.overall.loc[cover.overall["minutes"] == 60.0, "share_sister"]
    lines = [f"wrote {path}" for path in paths.values()]
    if len(at_60):
        lines.append(f"people within 60 min of their sister hospital: {at_60.iloc[0]:.1%}")
    lines.append(result.attribution)
    _say("\n".join(lines))
    return 0


def _parse_minutes(text: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        values = []
    if not values or any(v < 0 for v in values):
        raise PlannerInputError(
            f"{text!r} is not a list of minutes",
            field="--minutes",
            hint="write e.g. --minutes 15,30,60",
        )
    return values


def _cmd_report(args: argparse.Namespace) -> int:
    from planner.app import workflow

    path = workflow.report_dir(
        args.dir,
        scheme=args.scheme,
        facilities=args.facilities,
        source=args.source,
        thousands=args.thousands,
        compare=args.compare,
        compare_name=args.compare_name,
        lang=args.lang,
    )
    _say(f"wrote {path}")
    return 0


COMMANDS = {
    "demo": _cmd_demo,
    "network": _cmd_network,
    "facilities": _cmd_facilities,
    "matrix": _cmd_matrix,
    "propose": _cmd_propose,
    "score": _cmd_score,
    "map": _cmd_map,
    "report": _cmd_report,
    "access": _cmd_access,
    "stations": _cmd_stations,
}


def _say(text: str) -> None:
    """The CLI's own output to the user (the library never prints)."""
    print(text)


def _note(text: str, out: object) -> None:
    """A status line: on stdout, unless stdout carries the output itself (``--out -``)."""
    from planner.io import is_stdout

    print(text, file=sys.stderr if is_stdout(out) else sys.stdout)


def _configure_logging(*, verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(levelname)s %(name)s: %(message)s" if verbose else "%(message)s")
    )
    root = logging.getLogger("planner")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False

    def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
        # Users see the warning's text; its source line is noise outside --verbose.
        where = f" ({filename}:{lineno})" if verbose else ""
        root.warning("warning: %s%s", message, where)

    warnings.showwarning = show_warning


def _wrap(message: str) -> str:
    """Wrap a message at 100 columns, never inside a `command` (it must copy-paste whole)."""
    keep = re.sub(r"`[^`]+`", lambda m: m.group().replace(" ", "\0"), message)
    return textwrap.fill(keep, width=100, break_long_words=False, break_on_hyphens=False).replace(
        "\0", " "
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``planner`` command; return its exit status (0 ok, 2 user error, 1 bug)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(verbose=args.verbose, quiet=args.quiet)
    try:
        if getattr(args, "depart", None) is not None:  # "17h30" -> "17:30" in every output
            from planner.roads.speeds import parse_depart

            args.depart = parse_depart(args.depart).strftime("%H:%M")
        return COMMANDS[args.command](args)
    except PlannerError as exc:
        if args.verbose:
            traceback.print_exc()
        print("planner: error: " + _wrap(str(exc)), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("planner: interrupted; no output was half-written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
