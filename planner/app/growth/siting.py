"""Plan the network's growth in a run: candidate sites opened with the pairing, and pairings that
hold at every hour (``planner propose --candidates FILE --open K|A-B --robust [HH:MM,...]``; the
same options of ``planner demo`` also draw them on the map and in the report).

:func:`plan_growth` reads the candidate sites (the facility loader's clear errors; a candidate's
``hospital_id`` must name an existing hospital), times the units against every site, candidates
included, chooses the sites with :func:`planner.pairing.siting.propose_with_candidates`, and then
plans the run as usual (:func:`planner.app.pipeline.planning.plan`) on the network with the opened sites,
whose proposal is the joint optimum's pairing (``objective_value`` in ``scores.json`` as
always). With ``robust`` the run plans on the worst time of every trip over the departure times
given (:func:`planner.pairing.robust.worst_case_matrix`), so a max time holds at all of them, and
tells which pairs of the plain pairing (planned at the main departure) those hours would break.
:func:`write_growth` writes the run's files, ``siting.csv`` (one row per candidate), with a range
``siting_by_k.csv`` ("what each extra site buys"), and ``robust.csv``.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.app.growth.candidates import read_candidates
from planner.errors import PlannerInputError

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from planner.app.pipeline.inputs import RunInputs
    from planner.app.pipeline.planning import PlanningRun, PlanOptions
    from planner.pairing.siting import SitingResult
    from planner.roads.graph import TravelGraph

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class GrowthRun:
    """A planning run on the network with the opened sites, and how it was chosen.

    Attributes
    ----------
    run
        The run (:class:`planner.app.pipeline.planning.PlanningRun`) on the opened sites, on the
        worst-case matrix with ``robust``.
    siting
        The sites' choice (``None`` without candidates).
    robust
        Per pair of the proposal and of the plain pairing (``in_proposal`` says which), its
        time at each departure time, the worst and whether those hours break it (``None``
        without ``robust``).
    """

    run: PlanningRun
    siting: SitingResult | None = None
    robust: pd.DataFrame | None = None


def plan_growth(
    options: PlanOptions | None = None,
    *,
    candidates: str | os.PathLike[str] | pd.DataFrame | None = None,
    k: int | Sequence[int] = 1,
    robust: Sequence[str] | None = None,
    facilities: str | os.PathLike[str] | gpd.GeoDataFrame | None = None,
    graph: TravelGraph | None = None,
    inputs: RunInputs | None = None,
) -> GrowthRun:
    """Plan a run with candidate sites to open and/or pairings that hold at every hour.

    Parameters
    ----------
    options
        As for :func:`planner.app.pipeline.planning.plan` (``demand`` ``"points"`` with candidates).
    candidates
        A candidate-site file or table (:func:`planner.app.growth.candidates.read_candidates`);
        ``None``: none.
    k
        How many candidates to open, or several (the run then opens the last).
    robust
        Departure times to hold at (the main one, ``options.trip.depart``, is added); ``None``:
        plan at ``options.trip.depart`` only.
    facilities, graph, inputs
        As for :func:`planner.app.pipeline.planning.plan`; the run's inputs
        (:class:`planner.app.pipeline.inputs.RunInputs`) also record ``candidates``, ``k`` and
        ``robust``, which its scenario replays.

    Returns
    -------
    GrowthRun

    Examples
    --------
    >>> from planner.app.pipeline.planning import PlanOptions
    >>> growth = plan_growth(PlanOptions(cells=False),
    ...                      candidates="tests/data/siting_candidates.csv", k=1)
    >>> growth.siting.opened, growth.run.proposal.status
    (('hn-cand-xanhpon-sontay',), 'optimal')
    """
    import pandas as pd

    from planner.app.pipeline.inputs import RunInputs, load_inputs, split_levels, study_area
    from planner.app.pipeline.planning import PlanOptions, pairing_arguments, plan
    from planner.pairing.propose import propose_pairings
    from planner.pairing.robust import robust_pairs, worst_case_matrix
    from planner.pairing.siting import (
        candidate_sites,
        facilities_with_sites,
        propose_with_candidates,
    )
    from planner.travel.matrix import pair_travel_times

    options = options or PlanOptions()
    base = inputs or RunInputs.of(facilities=facilities, graph=graph)
    asked = RunInputs.of(candidates=candidates, k=k, robust=robust)  # what the scenario replays
    inputs = dataclasses.replace(
        base,
        candidates=asked.candidates,
        k=asked.k,
        robust=asked.robust,
        unknown=tuple(dict.fromkeys((*base.unknown, *asked.unknown))),
    )
    graph, fac = load_inputs(scheme=options.scheme, facilities=facilities, graph=graph)
    hospitals, units = split_levels(fac)
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
            sites = read_candidates(candidates, area=study_area(graph), hospitals=hospitals)
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
            **pairing_arguments(options, units),
        )
        fac = facilities_with_sites(fac, sites[sites["facility_id"].isin(siting.opened)])
    gone = (
        set() if sites is None or siting is None else set(sites["facility_id"]) - set(siting.opened)
    )

    def kept(m: pd.DataFrame) -> pd.DataFrame:
        drop = m["origin_id"].isin(gone) | m["destination_id"].isin(gone)
        return m[~drop].reset_index(drop=True) if gone else m

    peak = kept(at[options.trip.peak_depart])
    run = plan(options, facilities=fac, graph=graph, matrices=(kept(matrix), peak), inputs=inputs)
    table = None
    if robust:
        # the pairing planned at the main hour alone: only its pairs are compared, so no
        # scores, baselines or sensitivity re-solves (what a whole plan adds)
        plain = propose_pairings(
            run.units,
            run.hospitals,
            kept(at[options.trip.depart]),
            sensitivity=False,
            **pairing_arguments(options, run.units),
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
            trip=options.trip,
            request=options.request,
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
        The keywords of :func:`planner.app.pipeline.write.write_outputs` (``map``, ``report``,
        ``lang``).

    Returns
    -------
    dict
        File name -> path, in the order written.

    Examples
    --------
    >>> import tempfile
    >>> from planner.app.pipeline.planning import PlanOptions
    >>> growth = plan_growth(PlanOptions(cells=False),
    ...                      candidates="tests/data/siting_candidates.csv", k=[0, 1])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     list(write_growth(growth, folder, map=False, report=False))[-2:]
    ['siting.csv', 'siting_by_k.csv']
    """
    from planner.app.pipeline.write import write_outputs
    from planner.io.spreadsheet import write_csv

    out = Path(out_dir)
    paths = write_outputs(growth.run, out, siting=growth.siting, robust=growth.robust, **outputs)
    if growth.siting is not None:
        paths["siting.csv"] = write_csv(growth.siting.table(), out / "siting.csv")
        if len(growth.siting.by_k) > 1:
            paths["siting_by_k.csv"] = write_csv(growth.siting.by_k, out / "siting_by_k.csv")
    if growth.robust is not None:
        paths["robust.csv"] = write_csv(growth.robust, out / "robust.csv")
    return paths
