"""``planner network``: the travel-time graph as osmnx-compatible GraphML."""

from __future__ import annotations

import argparse

from planner.app.cli.groups import examples, shared_options


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``network``."""
    p = sub.add_parser(
        "network",
        help="write the travel-time graph as osmnx-compatible GraphML",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples(
            "planner network --out hanoi_car.graphml",
            "planner network --source roads.osm.pbf --mode motorbike --out roads.graphml",
        ),
    )
    shared_options(p, out_help="GraphML file to write")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the GraphML file and say what it holds."""
    from planner.app.cli.terminal import say
    from planner.app.pipeline.inputs import road_network
    from planner.roads.interop import write_graphml

    graph = road_network(args.source)
    # the roads' own boundary: a graph is timed by mode and departure time alone
    written = write_graphml(graph, args.out, mode=args.mode, depart=args.depart)
    omitted = written.n_omitted_edges
    say(
        f"wrote {written.path}: {written.n_nodes:,} nodes, {written.n_edges:,} edges with "
        f"{written.mode} travel times at {written.depart}; left out "
        + (
            f"{omitted:,} of the graph's {graph.n_edges:,} edges ({written.mode} may not use them)"
            if omitted
            else f"none of the graph's {graph.n_edges:,} edges"
        )
    )
    return 0
