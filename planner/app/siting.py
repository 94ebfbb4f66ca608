"""Plan the network's growth in a run: candidate sites opened with the pairing, and pairings that
hold at every hour (``planner propose --candidates FILE --open K|A-B --robust [HH:MM,...]``; the
same options of ``planner demo`` also draw them on the map and in the report).

:func:`plan_growth` reads the candidate sites (the facility loader's clear errors; a candidate's
``hospital_id`` must name an existing hospital), times the units against every site, candidates
included, chooses the sites with :func:`planner.pairing.siting.propose_with_candidates`, and then
plans the run as usual (:func:`planner.app.workflow.plan`) on the network with the opened sites,
whose proposal is the joint optimum's pairing (``objective_value`` in ``scores.json`` as
always). With ``robust`` the run plans on the worst time of every trip over the departure times
given (:func:`planner.pairing.robust.worst_case_matrix`), so a max time holds at all of them, and
tells which pairs of the plain pairing (planned at the main departure) those hours would break.
:func:`write_growth` writes the run's files, ``siting.csv`` (one row per candidate), with a range
``siting_by_k.csv`` ("what each extra site buys"), and ``robust.csv``.
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner._clock import clock_parts
from planner.config import ROBUST_DEPARTS
from planner.errors import PlannerInputError

if TYPE_CHECKING:  # the command line imports this module to build its parser: kept light
    import geopandas as gpd
    import pandas as pd

    from planner.app import workflow
    from planner.pairing.siting import SitingResult
    from planner.roads.graph import TravelGraph

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class GrowthRun:
    """A planning run on the network with the opened sites, and how it was chosen.

    Attributes
    ----------
    run
        The run (:class:`planner.app.workflow.PlanningRun`) on the opened sites, on the
        worst-case matrix with ``robust``.
    siting
        The sites' choice (``None`` without candidates).
    robust
        Per pair of the proposal and of the plain pairing (``in_proposal`` says which), its
        time at each departure time, the worst and whether those hours break it (``None``
        without ``robust``).
    """

    run: workflow.PlanningRun
    siting: SitingResult | None = None
    robust: pd.DataFrame | None = None


def parse_open(text: str | int) -> list[int]:
    """Read ``--open``: a number of sites, or a range ``A-B``.

    Parameters
    ----------
    text
        ``"2"`` or ``"1-3"``.

    Returns
    -------
    list of int

    Raises
    ------
    PlannerInputError
        Not a number nor a range.

    Examples
    --------
    >>> parse_open("1-3"), parse_open("2")
    ([1, 2, 3], [2])
    """
    first, sep, last = str(text).strip().partition("-")
    try:
        low, high = int(first), int(last if sep else first)
    except ValueError:
        low = high = -1
    if low < 0 or high < low:
        raise PlannerInputError(
            f"--open {text!r} is not a number of sites nor a range",
            field="--open",
            hint="write e.g. --open 2, or --open 1-3 for a table of each",
        )
    return list(range(low, high + 1))


def parse_departs(text: str | None) -> tuple[str, ...]:
    """Read ``--robust``'s departure times (default :data:`ROBUST_DEPARTS`).

    Parameters
    ----------
    text
        ``"08:00,17:30"``, or ``None``/empty for the default.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> parse_departs("7:30, 17:30"), parse_departs(None)
    (('07:30', '17:30'), ('08:00', '10:00', '17:30'))
    """
    if not text:
        return ROBUST_DEPARTS
    out = []
    for part in str(text).split(","):
        parts = clock_parts(part.strip())
        if parts is None:
            raise PlannerInputError(
                f"{part.strip()!r} is not a time HH:MM",
                field="--robust",
                hint="write e.g. --robust 08:00,10:00,17:30",
            )
        out.append(f"{parts[0]:02d}:{parts[1]:02d}")
    return tuple(dict.fromkeys(out))


def read_candidates(
    path: str | os.PathLike[str], hospitals: pd.DataFrame, *, area: Any = None
) -> pd.DataFrame:
    """Read a candidate-site file and check it against the hospitals.

    Parameters
    ----------
    path
        CSV, GeoJSON, GeoPackage or Shapefile with ``facility_id``, ``name``, ``hospital_id``,
        ``lat``, ``lon`` and optionally ``capacity`` (read by
        :func:`planner.places.facilities.load_facilities`, so a bad row gets its clear error).
    hospitals
        The existing hospital sites.
    area
        The area the sites must lie in (the roads', :func:`planner.app.workflow.study_area`).

    Returns
    -------
    pandas.DataFrame
        The candidates as site rows (:func:`planner.pairing.siting.candidate_sites`).

    Raises
    ------
    PlannerInputError
        Naming the file, the row and the field.

    Examples
    --------
    >>> from planner.app import workflow
    >>> hospitals, _ = workflow.split_levels(workflow.facilities_for("2024"))
    >>> read_candidates("tests/data/siting_candidates.csv", hospitals)["hospital_id"].tolist()
    ['hn-reg-xanhpon', 'hn-reg-heart', 'hn-reg-obgyn']
    """
    from planner.pairing.siting import candidate_sites
    from planner.places.facilities import load_facilities

    table = load_facilities(path, level="regional", area=area, candidate_sites=True)
    try:
        return candidate_sites(hospitals, table)
    except PlannerInputError as exc:
        raise PlannerInputError(
            exc.problem, file=path, row=exc.row, field=exc.field, hint=exc.hint
        ) from None


def plan_growth(
    options: workflow.PlanOptions | None = None,
    *,
    candidates: str | os.PathLike[str] | pd.DataFrame | None = None,
    k: int | Sequence[int] = 1,
    robust: Sequence[str] | None = None,
    facilities: str | os.PathLike[str] | gpd.GeoDataFrame | None = None,
    graph: TravelGraph | None = None,
) -> GrowthRun:
    """Plan a run with candidate sites to open and/or pairings that hold at every hour.

    Parameters
    ----------
    options
        As for :func:`planner.app.workflow.plan` (``demand`` ``"points"`` with candidates).
    candidates
        A candidate-site file or table (:func:`read_candidates`); ``None``: none.
    k
        How many candidates to open, or several (the run then opens the last).
    robust
        Departure times to hold at (the main one, ``options.trip.depart``, is added); ``None``:
        plan at ``options.trip.depart`` only.
    facilities, graph
        As for :func:`planner.app.workflow.plan`.

    Returns
    -------
    GrowthRun

    Examples
    --------
    >>> from planner.app.workflow import PlanOptions
    >>> growth = plan_growth(PlanOptions(cells=False),
    ...                      candidates="tests/data/siting_candidates.csv", k=1)
    >>> growth.siting.opened, growth.run.proposal.status
    (('hn-cand-xanhpon-sontay',), 'optimal')
    """
    import pandas as pd

    from planner.app import workflow
    from planner.pairing.propose import propose_pairings
    from planner.pairing.robust import robust_pairs, worst_case_matrix
    from planner.pairing.siting import (
        candidate_sites,
        facilities_with_sites,
        propose_with_candidates,
    )
    from planner.travel import pair_travel_times

    options = options or workflow.PlanOptions()
    graph, fac = workflow.load_inputs(scheme=options.scheme, facilities=facilities, graph=graph)
    hospitals, units = workflow.split_levels(fac)
    sites = None
    if candidates is not None:
        if options.demand == "cells":
            raise PlannerInputError(
                "candidate sites are chosen on the units' own trips, not the people's cells",
                field="demand",
                hint="use --demand points with --candidates",
            )
        if isinstance(candidates, pd.DataFrame):
            sites = candidate_sites(hospitals, candidates)
        else:
            sites = read_candidates(candidates, hospitals, area=workflow.study_area(graph))
    every = hospitals if sites is None else facilities_with_sites(hospitals, sites)
    hours = (options.trip.depart, *(robust or ()))
    departs = list(dict.fromkeys((*hours, options.trip.peak_depart)))
    at = {
        d: pair_travel_times(
            graph,
            every,
            units,
            depart=d,
            mode=options.trip.mode,
            directions=options.trip.directions,
        )
        for d in departs
    }
    hourly = {d: at[d] for d in dict.fromkeys(hours)}
    matrix = worst_case_matrix(hourly) if robust else at[options.trip.depart]
    siting = None
    if sites is not None:
        siting = propose_with_candidates(
            units,
            hospitals,
            sites,
            matrix,
            k=k,
            sensitivity=False,
            **workflow.pairing_arguments(options, units),
        )
        fac = facilities_with_sites(fac, sites[sites["facility_id"].isin(siting.opened)])
    gone = (
        set() if sites is None or siting is None else set(sites["facility_id"]) - set(siting.opened)
    )

    def kept(m: pd.DataFrame) -> pd.DataFrame:
        drop = m["origin_id"].isin(gone) | m["destination_id"].isin(gone)
        return m[~drop].reset_index(drop=True) if gone else m

    peak = kept(at[options.trip.peak_depart])
    run = workflow.plan(options, facilities=fac, graph=graph, matrices=(kept(matrix), peak))
    table = None
    if robust:
        # the pairing planned at the main hour alone: only its pairs are compared, so no
        # scores, baselines or sensitivity re-solves (what a whole plan adds)
        plain = propose_pairings(
            run.units,
            run.hospitals,
            kept(at[options.trip.depart]),
            sensitivity=False,
            **workflow.pairing_arguments(options, run.units),
        ).pairings
        pairs = run.proposal.pairings[["unit_id", "hospital_id"]].assign(in_proposal=True)
        other = plain[["unit_id", "hospital_id"]].merge(
            pairs, how="left", on=["unit_id", "hospital_id"]
        )
        other = other[other["in_proposal"].isna()].assign(in_proposal=False)
        table = robust_pairs(
            pd.concat([pairs, other], ignore_index=True).dropna(subset=["hospital_id"]),
            {d: kept(m) for d, m in hourly.items()},
            run.hospitals,
            main=options.trip.depart,
            max_travel_time_s=options.request.max_travel_time_s,
            directions=options.trip.directions,
            site_rule=options.trip.site_rule,
        )
    return GrowthRun(run=run, siting=siting, robust=table)


def write_growth(
    growth: GrowthRun, out_dir: str | os.PathLike[str], **outputs: Any
) -> dict[str, Path]:
    """Write the run's files and ``siting.csv``, ``siting_by_k.csv``, ``robust.csv``.

    Parameters
    ----------
    growth
        What :func:`plan_growth` returned.
    out_dir
        The output folder.
    **outputs
        The keywords of :func:`planner.app.workflow.write_outputs` (``map``, ``report``,
        ``lang``).

    Returns
    -------
    dict
        File name -> path, in the order written.

    Examples
    --------
    >>> import tempfile
    >>> from planner.app.workflow import PlanOptions
    >>> growth = plan_growth(PlanOptions(cells=False),
    ...                      candidates="tests/data/siting_candidates.csv", k=[0, 1])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     list(write_growth(growth, folder, map=False, report=False))[-2:]
    ['siting.csv', 'siting_by_k.csv']
    """
    from planner.app import workflow
    from planner.io import write_csv

    out = Path(out_dir)
    paths = workflow.write_outputs(
        growth.run, out, siting=growth.siting, robust=growth.robust, **outputs
    )
    if growth.siting is not None:
        paths["siting.csv"] = write_csv(growth.siting.table(), out / "siting.csv")
        if len(growth.siting.by_k) > 1:
            paths["siting_by_k.csv"] = write_csv(growth.siting.by_k, out / "siting_by_k.csv")
    if growth.robust is not None:
        paths["robust.csv"] = write_csv(growth.robust, out / "robust.csv")
    return paths


def add_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--candidates``, ``--open`` and ``--robust`` to a command (``planner propose``).

    Parameters
    ----------
    parser
        The command's parser.

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> add_options(p)
    >>> args = p.parse_args(["--candidates", "c.csv", "--open", "1-3", "--robust"])
    >>> args.open, args.robust
    ('1-3', '')
    """
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


def run_command(
    args: argparse.Namespace,
    options: workflow.PlanOptions,
    *,
    graph: TravelGraph,
    facilities: gpd.GeoDataFrame,
    html: bool,
) -> tuple[workflow.PlanningRun, dict[str, Path]] | None:
    """Plan and write a run with the growth options, or ``None`` when none is given.

    Parameters
    ----------
    args
        The parsed command line (``candidates``, ``open``, ``robust`` when the command has
        them; ``out``, ``lang``).
    options
        The run's options.
    graph, facilities
        The roads and the facilities (:func:`planner.app.workflow.load_inputs`).
    html
        Write the map and the report too.

    Returns
    -------
    tuple or None
        The run and the files written, or ``None``: no growth option (plan as usual).

    Examples
    --------
    >>> from planner.app.workflow import PlanOptions, load_inputs
    >>> graph, fac = load_inputs(scheme="2025")
    >>> run_command(argparse.Namespace(), PlanOptions(), graph=graph,
    ...             facilities=fac, html=False) is None
    True
    """
    candidates = getattr(args, "candidates", None)
    robust = getattr(args, "robust", None)
    if candidates is None and robust is None:
        return None
    growth = plan_growth(
        options,
        candidates=candidates,
        k=parse_open(args.open),
        robust=None if robust is None else parse_departs(robust),
        facilities=facilities,
        graph=graph,
    )
    return growth.run, write_growth(growth, args.out, map=html, report=html, lang=args.lang)
