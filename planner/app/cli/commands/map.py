"""``planner map``: a pairing file (and optionally a second one) as a standalone HTML map."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from planner.app.cli.groups import examples, lang_option, pair_time_options, shared_options

if TYPE_CHECKING:
    from planner.requests import TripRule


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``map``."""
    p = sub.add_parser(
        "map",
        help="draw a pairing (and optionally a second one to compare) as a standalone HTML map",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples(
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
    lang_option(p)
    p.add_argument(
        "--routes", action="store_true", help="draw road routes instead of straight links"
    )
    p.add_argument(
        "--cdn", action="store_true", help="load Leaflet from CDNs instead of inlining it"
    )
    pair_time_options(p)
    shared_options(p, out_help="HTML file to write")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Draw the map and say where it went."""
    from planner.app.cli.options import trip_rule
    from planner.app.cli.terminal import say

    map_file(
        args.pairings,
        args.out,
        compare=args.compare,
        compare_name=args.compare_name,
        routes=args.routes,
        self_contained=not args.cdn,
        scheme=args.scheme,
        trip=trip_rule(args),
        facilities=args.facilities,
        source=args.source,
        thousands=args.thousands,
        lang=args.lang,
    )
    say(f"wrote {args.out}")
    return 0


def map_file(
    pairings_path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    compare: str | os.PathLike[str] | None = None,
    compare_name: str | None = None,
    routes: bool = False,
    self_contained: bool = True,
    scheme: str,
    trip: TripRule,
    facilities: str | os.PathLike[str] | None = None,
    source: str | os.PathLike[str] | None = None,
    thousands: str | None = None,
    lang: str,
) -> Path:
    """Draw a pairings CSV (and optionally a second one to compare) as a standalone HTML map.

    Either file may hold only ``unit_id`` and ``hospital_id``: travel times are computed by the
    trip rule (as :func:`planner.app.pipeline.scored.score_pairings_file` does; its site rule
    says which site the links end at). ``compare_name`` names the second pairing in the layers,
    legend and popups (default: its file name). The map has the what-if panel (districts move
    with their communes when the file pairs them so), whose ``planner score`` line is this
    command's own spelling (:func:`planner.app.cli.command_line.score_command`).
    """
    from planner.app.cli.command_line import score_command
    from planner.app.pipeline.inputs import is_hanoi_registry, load_inputs
    from planner.app.pipeline.scored import ScoredPairing, score_pairings_file
    from planner.config import road_data_date
    from planner.io.pairings import detect_scheme
    from planner.outputs.formatting import map_title, scenario_parts
    from planner.outputs.map.build import pairing_map, save_map
    from planner.outputs.map.whatif import DOWNLOAD_NAME, WhatIf
    from planner.places.hanoi.areas import hanoi_areas

    if facilities is None:
        scheme = detect_scheme(pairings_path, scheme)
    graph, fac = load_inputs(
        scheme=scheme, facilities=facilities, source=source, thousands=thousands
    )

    def scored(path: str | os.PathLike[str]) -> ScoredPairing:
        return score_pairings_file(path, scheme=scheme, trip=trip, facilities=fac, graph=graph)

    main = scored(pairings_path)
    other = scored(compare).pairings if compare is not None else None
    hanoi = facilities is None and is_hanoi_registry(main.facilities)
    scenario = {
        "scheme": main.scheme if facilities is None else None,
        "mode": trip.mode,
        "depart": trip.depart,
        "site_rule": trip.site_rule,
        "roads_date": road_data_date(graph.source),
        "region": "Hanoi" if hanoi else None,
    }
    m = pairing_map(
        main.pairings,
        main.facilities,
        areas=hanoi_areas(scheme=main.scheme) if hanoi else None,
        compare=other,
        compare_label=compare_name or (Path(compare).stem if compare else None),
        links="routes" if routes else "straight",
        graph=graph,
        trip=trip,
        title=map_title(scenario, lang=lang),
        subtitle=" · ".join(scenario_parts(scenario, lang=lang)),
        self_contained=self_contained,
        lang=lang,
        # officials can go on editing a pairing they downloaded from a map
        whatif=WhatIf(
            main.matrix,
            matrix_peak=main.matrix_peak,
            trip=trip,
            score_command=score_command(
                DOWNLOAD_NAME, scheme=main.scheme if hanoi else None, trip=trip
            ),
        ),
    )
    return save_map(m, Path(out))
