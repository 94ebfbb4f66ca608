"""``planner invest``: where the next years' money goes, and who is left behind."""

from __future__ import annotations

import argparse
from pathlib import Path

from planner.app.cli.groups import examples, lang_option, shared_options
from planner.requests import STATION_TRIP


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``invest`` (its work is :mod:`planner.app.growth.invest`'s)."""
    p = sub.add_parser(
        "invest",
        help="which costed actions, within a budget, put the most people within MIN minutes "
        "of a station or centre",
        description="Choose, within a budget, the actions (sites built or upgraded, each with "
        "its cost) that put the most people within MIN minutes of a primary-care facility, "
        "the commune stations and district centres already open counted: exactly (a budgeted "
        "maximal covering MILP), with the greedy answer (people per cost) beside it, the best "
        "plan at each budget step and who is left behind before and after. Writes invest.json, "
        "invest.csv, invest_by_budget.csv, invest.gpkg and invest.html. Costs are yours: the "
        "planner invents none.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples(
            "planner invest --actions actions.csv --budget 60 --cost-unit 'tỷ đồng' "
            "--scheme 2025 --out invest/",
            "planner invest --actions actions.csv --budget 60 --evaluate a03,a11,a17 --out invest/",
            "planner invest --budget 5 --within 15 --out invest/   # 5 new sites among the cells",
        ),
    )
    p.add_argument("--actions", type=Path, metavar="FILE",
                   help="the actions: action_id, name, lat, lon, cost (optional kind: station, "
                   "clinic, centre); default: the centres of the populated cells with the most "
                   "people beyond MIN, each costing 1 (the budget is then a number of sites)")  # fmt: skip
    p.add_argument("--budget", type=float, required=True, metavar="B",
                   help="what the chosen actions may cost together, in the actions' unit")  # fmt: skip
    p.add_argument("--within", type=float, default=15.0, metavar="MIN",
                   help="minutes from home to a station or centre (default 15)")  # fmt: skip
    p.add_argument("--cost-unit", default=None, metavar="TEXT",
                   help="the unit of the costs, a label only (e.g. 'tỷ đồng')")  # fmt: skip
    p.add_argument("--evaluate", default=None, metavar="ID,ID|none",
                   help="score a plan drawn by hand (action ids, or 'none' for the network as "
                   "it is) beside the best one")  # fmt: skip
    p.add_argument("--steps", type=int, default=10, metavar="N",
                   help="steps of the budget curve, from 0 to B (default 10)")  # fmt: skip
    lang_option(p)
    shared_options(p, out_help=None, default_mode=STATION_TRIP.mode)
    p.add_argument("--out", type=Path, default=Path("invest-output"), metavar="DIR",
                   help="output folder (default ./invest-output)")  # fmt: skip
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Choose the actions, write the files and summarise."""
    from planner.app.cli.options import parse_ids, trip_rule
    from planner.app.cli.terminal import say
    from planner.app.growth.invest import investments_summary, plan_investments, write_investments
    from planner.app.pipeline.inputs import is_hanoi_registry, load_inputs

    evaluate = None if args.evaluate is None else parse_ids(args.evaluate, "--evaluate")
    graph, fac = load_inputs(
        scheme=args.scheme, facilities=args.facilities, source=args.source, thousands=args.thousands
    )
    plan = plan_investments(
        graph, fac, budget=args.budget, actions=args.actions, within_min=args.within,
        cost_unit=args.cost_unit, evaluate=evaluate, steps=args.steps, trip=trip_rule(args),
        thousands=args.thousands,
    )  # fmt: skip
    areas = None
    if is_hanoi_registry(fac):
        from planner.places.hanoi.areas import hanoi_areas

        areas = hanoi_areas(scheme=args.scheme)
    paths = write_investments(plan, args.out, lang=args.lang, areas=areas, graph=graph)
    say("\n".join([*(f"wrote {path}" for path in paths.values()), investments_summary(plan)]))
    return 0
