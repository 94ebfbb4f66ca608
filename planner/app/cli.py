"""The ``planner`` command: a thin shell over the public API, its dispatch and error handling.

:func:`main` parses the command line with :func:`planner.app._parser.build_parser` (the
options and their help) and runs the subcommand: each turns its options into library calls
(with :mod:`planner.app._commands`, the commands' glue) and writes files atomically. User
errors (:class:`planner.errors.PlannerError`) exit with status 2 and a one-paragraph message;
``--verbose`` adds the traceback for bug reports.
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

from planner.app._parser import build_parser
from planner.errors import PlannerError, PlannerInputError

if TYPE_CHECKING:
    from planner.app.workflow import PlanOptions

log = logging.getLogger("planner")


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
    """The run's options from the command line: the two typed requests, built once here."""
    from planner.app.workflow import PlanOptions
    from planner.requests import PairingRequest, TripRule

    trip = TripRule(
        mode=args.mode,
        depart=args.depart,
        peak_depart=args.peak_depart,
        directions=args.directions,
        site_rule=args.site_rule,
    )
    request = PairingRequest(
        objective=args.objective,
        balance=args.balance,
        load=args.load,
        hierarchical=not args.unit_mode,
        pins=_parse_pairs(args.pin, "--pin"),
        forbidden=tuple(_parse_pairs(args.forbid, "--forbid").items()),
        max_travel_time_s=None if args.max_time is None else args.max_time * 60.0,
        time_limit_s=args.time_limit,
    )
    return PlanOptions(
        trip=trip,
        request=request,
        scheme=args.scheme,
        pilot=not args.no_pilot,
        specialty_need=args.specialty_need,
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
    from planner.requests import TripRule

    minutes = _parse_minutes(args.minutes)
    graph, fac = workflow.load_inputs(
        scheme=args.scheme, facilities=args.facilities, source=args.source, thousands=args.thousands
    )  # a user's facilities are checked against the roads given, not against Hanoi
    result = None
    if args.pairings is not None:
        pairings = read_pairings(args.pairings, fac)
    else:  # the default proposal, whose run has timed the cells already
        trip = TripRule(mode=args.mode, depart=args.depart, site_rule=args.site_rule)
        options = workflow.PlanOptions(trip=trip, scheme=args.scheme, population=args.population)
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
