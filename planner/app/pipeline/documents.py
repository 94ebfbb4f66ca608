"""The ``scores.json`` documents: a run's scores with its baselines, options and cells, and a
scored pairing file's.

:func:`scores_document` is what :func:`planner.app.pipeline.write.write_outputs` writes for a plan,
with :func:`cells_document` (coverage from where people live) as its ``cells`` section;
:func:`scored_document` is what :func:`planner.app.pipeline.scored.write_scored` writes for a pairing
made elsewhere. All are JSON-ready dictionaries, computed before anything is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from planner._json import json_safe
from planner.app.pipeline.inputs import is_hanoi_registry
from planner.pairing.scoring import PairingScores

if TYPE_CHECKING:
    from planner.app.pipeline.planning import PlanningRun
    from planner.app.pipeline.scored import ScoredPairing


def scores_document(run: PlanningRun) -> dict[str, Any]:
    """The content of ``scores.json``: the proposal's scores and its gaps to the baselines.

    Top-level ``depart`` and ``peak_depart`` say when the main and the ``*_peak*`` figures
    leave, ``directions`` which trips a pair's time averages; ``per_pair`` holds each unit's
    time at both departures (the report's decision table); ``options`` the run's settings.

    Parameters
    ----------
    run : PlanningRun
        What :func:`planner.app.pipeline.planning.plan` returned.

    Returns
    -------
    dict
        The proposal's scores (:meth:`planner.pairing.scoring.PairingScores.to_dict`) with
        ``baselines`` (``nearest`` and, with a pilot, ``pilot``: their scores), ``per_pair``,
        ``options``, ``cells`` (:func:`cells_document`) and ``equity``
        (:func:`equity_document`).

    Examples
    --------
    >>> from planner.app.pipeline.planning import PlanOptions, plan
    >>> doc = scores_document(plan(PlanOptions(scheme="2025", cells=False)))
    >>> doc["status"], doc["depart"], doc["peak_depart"], sorted(doc["baselines"])
    ('optimal', '10:00', '08:00', ['nearest', 'pilot'])
    >>> doc["options"]["pilot"], len(doc["per_pair"])
    ([{'district': 'Huyện Ba Vì', 'hospital_id': 'hn-reg-xanhpon'}], 156)
    >>> doc["cells"], doc["equity"]
    ({'skipped': 'not asked for (cells=False)'}, {'skipped': 'not asked for (cells=False)'})
    """
    doc = dict(run.scores.to_dict())
    doc["baselines"] = {"nearest": run.nearest_scores.to_dict()}
    if run.pilot_scores is not None:
        doc["baselines"]["pilot"] = run.pilot_scores.to_dict()
    doc["per_pair"] = _per_pair_times(run.scores)
    doc["options"] = options_document(run)
    doc["cells"] = cells_document(run)
    doc["equity"] = equity_document(run)
    capacity = capacity_document(run)
    if capacity is not None:
        doc["capacity"] = capacity
    return doc


def options_document(run: PlanningRun) -> dict[str, Any]:
    """``scores.json``'s ``options``: the run's settings, where its roads came from and its region
    (what the map's and the report's titles say), without computing any figure.

    Parameters
    ----------
    run : PlanningRun
        What :func:`planner.app.pipeline.planning.plan` returned.

    Returns
    -------
    dict
        JSON-ready settings: scheme, trip rule, pairing request, pilot, pins, demand, roads.

    Examples
    --------
    >>> from planner.app.pipeline.planning import PlanOptions, plan
    >>> options = options_document(plan(PlanOptions(scheme="2025", cells=False)))
    >>> options["scheme"], options["depart"], options["pilot_pinned"], options["region"]
    ('2025', '10:00', True, 'Hanoi')
    """
    return {
        "scheme": run.options.scheme,
        "mode": run.options.trip.mode,
        "depart": run.options.trip.depart,
        "peak_depart": run.options.trip.peak_depart,
        "directions": run.options.trip.directions,
        "site_rule": run.options.trip.site_rule,
        "objective": run.options.request.objective,
        "balance": run.options.request.balance,
        "load": run.options.request.load,
        "hierarchical": run.options.request.hierarchical,
        "pilot_pinned": run.options.pilot,
        "pilot": [
            {"district": district, "hospital_id": hospital_id}
            for district, hospital_id in (run.options.pilot_pairs if run.options.pilot else ())
        ],
        "pins": dict(run.options.request.pins),
        "specialty_need": None
        if run.options.specialty_need is None
        else str(run.options.specialty_need),
        "demand": run.options.demand,
        **({} if run.options.population is None else {"population": str(run.options.population)}),
        # the baselines' grain when it is each unit (Hanoi's 2025 units); whole groups unsaid
        **({"nearest_by": "unit"} if run.proposal.options.get("nearest_by") == "unit" else {}),
        **({} if run.options.capacity is None else {"capacity": str(run.options.capacity)}),
        **(
            {}
            if run.options.request.max_travel_time_s is None
            else {"max_travel_time_s": run.options.request.max_travel_time_s}
        ),
        **_roads_and_region(run.graph.source, run.facilities),
    }


def cells_document(run: PlanningRun) -> dict[str, Any]:
    """``scores.json``'s ``cells`` section: coverage and zonal figures from where people live.

    :func:`planner.access.cells.cells_summary` of the run (the WorldPop attribution, whether the
    grid is calibrated to the census, coverage at 15 to 120 minutes, population-weighted mean
    and 90th percentile, the coverage curve and the table per district) with ``demand``: how
    the proposal differs from the one planned under the other demand
    (:func:`planner.app.pipeline.planning.demand_comparison`). Without cells: ``{"skipped": <why>}``.

    Parameters
    ----------
    run : PlanningRun
        What :func:`planner.app.pipeline.planning.plan` returned.

    Returns
    -------
    dict
        JSON-ready: the cell figures and ``demand``, or ``{"skipped": <why>}``.

    Examples
    --------
    >>> from planner.app.pipeline.planning import PlanOptions, plan
    >>> doc = cells_document(plan(PlanOptions(scheme="2025")))
    >>> doc["calibrated"], doc["census_total"], len(doc["per_district"])
    (True, 8053663, 30)
    >>> doc["demand"]["other"], doc["demand"]["units_changed"]  # planned by cells instead
    ('cells', 7)
    """
    if run.access is None or run.coverage is None:
        return {"skipped": run.cells_note or "no population cells"}
    from planner.access.tables import cells_summary

    document = cells_summary(run.access, run.coverage)
    document["demand"] = run.demand_comparison
    return document


def equity_document(run: PlanningRun) -> dict[str, Any]:
    """``scores.json``'s ``equity`` section: who is left behind, from where people live.

    :func:`planner.access.equity.access_equity` of the run's cells: the Gini, Palma and FGT
    figures of the people's times to the proposal's sister hospitals (``sister``) and to the
    nearest hospital (``nearest``), each again for the urban and the rural units. Without
    cells: ``{"skipped": <why>}``.

    Parameters
    ----------
    run : PlanningRun
        What :func:`planner.app.pipeline.planning.plan` returned.

    Returns
    -------
    dict
        JSON-ready: ``threshold_min``, ``kind_rule``, ``sister``, ``nearest``; or
        ``{"skipped": <why>}``.

    Examples
    --------
    >>> from planner.app.pipeline.planning import PlanOptions, plan
    >>> doc = equity_document(plan(PlanOptions(scheme="2025")))
    >>> doc["threshold_min"], sorted(doc["sister"]["rural"])[:3]
    (60.0, ['fgt0', 'fgt1', 'fgt2'])
    >>> doc["sister"]["fgt0"] >= doc["nearest"]["fgt0"]
    True
    """
    if run.access is None:
        return {"skipped": run.cells_note or "no population cells"}
    from planner.access.equity import access_equity

    return json_safe(access_equity(run.access))


def capacity_document(run: PlanningRun) -> dict[str, Any] | None:
    """``scores.json``'s ``capacity`` section: each hospital's people against its capacity, and
    the hospital nearest its limit; ``None`` unless every hospital has a capacity.

    A hospital's limit is the most people the balance allows it, ``(1 + balance)`` times its
    fair share of the people (shares following the capacity); without a balance, its fair
    share. The hospital nearest its limit has the most people for its capacity.

    Parameters
    ----------
    run : PlanningRun
        What :func:`planner.app.pipeline.planning.plan` returned.

    Returns
    -------
    dict or None
        ``balance``, ``nearest_limit`` (a hospital id) and ``hospitals``: per hospital its
        ``capacity``, ``measure``, ``source``, ``people``, ``people_per_capacity``, ``limit``
        (people) and ``share_of_limit``.

    Examples
    --------
    >>> from planner.app.pipeline.planning import PlanOptions, plan
    >>> doc = capacity_document(plan(PlanOptions(scheme="2025", load="capacity", cells=False)))
    >>> doc["nearest_limit"] in {"hn-reg-heart", "hn-reg-oncology", "hn-reg-obgyn",
    ...                          "hn-reg-xanhpon"}
    True
    >>> max(h["share_of_limit"] for h in doc["hospitals"]) <= 1.0 + 1e-9
    True
    """
    from planner.pairing.explain import load_limits
    from planner.places.sites import hospital_sites

    sites = hospital_sites(run.hospitals)
    capacity = sites.table.set_index("hospital_id")["capacity"]
    if capacity.isna().any() or not (capacity > 0).all():
        return None
    balance = run.options.request.balance
    loads = run.scores.overall.get("load") or {}
    limits = load_limits(loads, run.hospitals, balance=balance or 0.0)
    about = run.capacity.set_index("hospital_id") if run.capacity is not None else pd.DataFrame()
    rows: list[dict[str, Any]] = []
    for hospital_id, row in limits.iterrows():
        people, limit = float(row["load"]), float(row["upper"])
        rows.append(
            {
                "hospital_id": str(hospital_id),
                "capacity": float(capacity[hospital_id]),
                "measure": about["measure"].get(hospital_id) if "measure" in about else None,
                "source": about["source"].get(hospital_id) if "source" in about else None,
                "people": people,
                "people_per_capacity": people / float(capacity[hospital_id]),
                "limit": limit,
                "share_of_limit": people / limit if limit > 0 else None,
            }
        )
    nearest = max(rows, key=lambda r: float(r["people_per_capacity"]))
    return json_safe(
        {
            "balance": balance,
            "load": run.options.request.load,
            "nearest_limit": nearest["hospital_id"],
            "hospitals": rows,
        }
    )


def _per_pair_times(scores: PairingScores) -> list[dict[str, Any]]:
    """Each unit's time at both departures, for the report's decision table."""
    per_pair = scores.per_pair
    times = [c for c in ("travel_time_s", "travel_time_peak_s") if c in per_pair]
    return json_safe(per_pair[["unit_id", *times]].to_dict(orient="records"))


def _roads_and_region(source: str, facilities: gpd.GeoDataFrame) -> dict[str, Any]:
    """Where the roads came from (and the date of their data), and the region, for titles."""
    from planner.config import road_data_date

    return {
        "roads": source or None,
        "roads_date": road_data_date(source),
        "region": "Hanoi" if is_hanoi_registry(facilities) else None,
    }


def scored_document(scored: ScoredPairing) -> dict[str, Any]:
    """The ``scores.json`` of a scored pairing file: its scores, the nearest-hospital baseline
    and the options used (as :func:`scores_document` for a proposal).

    Parameters
    ----------
    scored : ScoredPairing
        What :func:`planner.app.pipeline.scored.score_pairings_file` returned.

    Returns
    -------
    dict
        The scores (:meth:`planner.pairing.scoring.PairingScores.to_dict`) with ``baselines``
        (``nearest``), ``options`` (scheme, mode, departures, directions, site rule, roads)
        and ``per_pair``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from planner.app.pipeline.scored import score_pairings_file
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     f = pathlib.Path(folder) / "p.csv"
    ...     _ = f.write_text("unit_id,hospital_id\\nhn-dist-271,hn-reg-xanhpon\\n")
    ...     doc = scored_document(score_pairings_file(f))
    >>> doc["status"], doc["options"]["depart"], "nearest" in doc["baselines"]
    ('scored', '10:00', True)
    """
    doc = dict(scored.scores.to_dict())
    if scored.nearest_scores is not None:
        doc["baselines"] = {"nearest": scored.nearest_scores.to_dict()}
    doc["options"] = {
        "scheme": scored.scheme,
        "mode": scored.trip.mode,
        "depart": scored.trip.depart,
        "peak_depart": scored.trip.peak_depart,
        "directions": scored.trip.directions,
        "site_rule": scored.trip.site_rule,
        **({"nearest_by": "unit"} if scored.nearest_by == "unit" else {}),
        **_roads_and_region(scored.roads, scored.facilities),
    }
    doc["per_pair"] = _per_pair_times(scored.scores)
    return doc
