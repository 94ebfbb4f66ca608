"""Where new commune health stations go: the ``planner stations`` workflow.

The people are the population cells (:func:`planner.access.cells.default_grid`: the census
spread over the WorldPop raster for the Hanoi registry), each piece a point with its people and
its unit; the existing stations are the facilities' commune-level units; the candidate sites come
from a file (``facility_id, name, lat, lon``, read by the facility loader, so a bad row gets its
clear error) or, without one, are the centres of the populated raster cells, limited by a stated
rule (:data:`DEFAULT_MAX_CANDIDATES` cells with the most people beyond the threshold of every
existing station). The people, the stations, the candidates and the times between them are the
investment plan's (:func:`planner.app.growth.invest.coverage_inputs`, the stations alone open):
this is its equal-cost case. :func:`planner.pairing.covering.maximal_covering` (the budgeted
covering model with every cost 1 and exactly ``k`` sites) opens ``k`` candidates exactly and
:func:`planner.pairing.covering.greedy_covering` gives the greedy answer beside it.

:func:`write_stations` writes ``stations.csv`` (one row per candidate: :data:`STATION_COLUMNS`),
``stations_coverage.csv`` (people within the threshold before and after, per unit:
:data:`COVERAGE_COLUMNS`), ``stations.geojson`` (a map layer of the existing stations and the
candidates, opened or not, for QGIS or any web map) and ``stations.json`` (the summary).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.app.growth.candidates import read_candidates
from planner.app.growth.invest import DEFAULT_MAX_CANDIDATES, coverage_inputs
from planner.config import CRS_LONLAT, DEFAULT_SCHEME
from planner.io.atomic import write_json, write_vector_atomic
from planner.io.spreadsheet import write_csv
from planner.pairing.covering import CoveringResult, greedy_covering, maximal_covering
from planner.places.population import PopulationGrid
from planner.requests import TripRule
from planner.roads.graph import TravelGraph

log = logging.getLogger(__name__)

#: Columns of ``stations.csv`` (:meth:`StationPlan.table`).
STATION_COLUMNS = (
    "facility_id",
    "name",
    "lat",
    "lon",
    "opened",
    "newly_within",
    "gain_opened",
    "greedy_order",
    "greedy_gain",
)
#: Columns of ``stations_coverage.csv`` (:meth:`StationPlan.coverage_table`).
COVERAGE_COLUMNS = (
    "unit_id",
    "name",
    "district",
    "population",
    "within_before",
    "within_after",
    "within_greedy",
    "share_before",
    "share_after",
    "share_greedy",
)
#: The default threshold, minutes (the issue's "within 15 minutes").
DEFAULT_WITHIN_MIN = 15.0
#: The stations already open: the facilities' commune-level units.
STATION_LEVELS = ("commune",)


@dataclass(frozen=True, eq=False)
class StationPlan:
    """The candidates, the existing stations, the people and both answers.

    Attributes
    ----------
    candidates, existing
        ``facility_id``, ``name``, ``lat``, ``lon`` of the candidate sites and of the existing
        stations (the facilities' commune-level units).
    cells
        The populated cell pieces: ``cell_id``, ``unit_id``, ``lat``, ``lon``, ``population``.
    exact, greedy
        :func:`~planner.pairing.covering.maximal_covering` and
        :func:`~planner.pairing.covering.greedy_covering` over the existing stations, then the
        candidates (columns: their ids).
    facilities
        The facility table (the units' names and districts).
    within_s
        The threshold (s).
    trip
        How people reach a station (:class:`~planner.requests.TripRule`: its mode and
        departure time; :data:`planner.requests.STATION_TRIP` by default).
    candidate_rule
        Where the candidates came from, in words.
    attribution
        The population data's credit line.

    Examples
    --------
    >>> plan = plan_stations(k=1, scheme="2025", max_candidates=5)
    >>> len(plan.table()), int(plan.table()["opened"].sum())
    (5, 1)
    """

    candidates: pd.DataFrame
    existing: pd.DataFrame
    cells: pd.DataFrame
    exact: CoveringResult
    greedy: CoveringResult
    facilities: pd.DataFrame
    within_s: float
    trip: TripRule
    candidate_rule: str
    attribution: str

    def table(self) -> pd.DataFrame:
        """The ``stations.csv`` table: one row per candidate, :data:`STATION_COLUMNS`.

        ``newly_within`` is the people the candidate alone would bring within the threshold;
        ``gain_opened`` (opened ones) the people only it covers among the open sites;
        ``greedy_order`` and ``greedy_gain`` the greedy answer's pick (1 first) and what it
        added (empty when the greedy answer does not pick it).
        """
        ids = self.candidates["facility_id"].astype(str)
        exact_gain = dict(zip(self.exact.opened, self.exact.gains, strict=True))
        order = {site: i + 1 for i, site in enumerate(self.greedy.opened)}
        greedy_gain = dict(zip(self.greedy.opened, self.greedy.gains, strict=True))
        return pd.DataFrame(
            {
                "facility_id": ids.to_numpy(),
                "name": self.candidates["name"].astype(str).to_numpy(),
                "lat": self.candidates["lat"].astype(float).to_numpy(),
                "lon": self.candidates["lon"].astype(float).to_numpy(),
                "opened": ids.isin(self.exact.opened).to_numpy(),
                "newly_within": self.exact.alone.reindex(ids).to_numpy(dtype=float),
                "gain_opened": ids.map(exact_gain).to_numpy(dtype=float),
                "greedy_order": ids.map(order).astype("Int64").array,
                "greedy_gain": ids.map(greedy_gain).to_numpy(dtype=float),
            }
        )

    def coverage_table(self) -> pd.DataFrame:
        """The ``stations_coverage.csv`` table: people within the threshold per unit.

        Before (the existing stations), after the exact opening and after the greedy one;
        one row per unit with people on the grid (:data:`COVERAGE_COLUMNS`).
        """
        people = self.cells["population"].to_numpy(float)
        frame = pd.DataFrame(
            {
                "unit_id": self.cells["unit_id"].astype(str).to_numpy(),
                "population": people,
                "within_before": np.where(self.exact.covered_before, people, 0.0),
                "within_after": np.where(self.exact.covered, people, 0.0),
                "within_greedy": np.where(self.greedy.covered, people, 0.0),
            }
        )
        per_unit = frame.groupby("unit_id", sort=True).sum().reset_index()
        info = self.facilities.assign(
            facility_id=self.facilities["facility_id"].astype(str)
        ).set_index("facility_id")
        per_unit.insert(1, "name", per_unit["unit_id"].map(info["name"]).to_numpy())
        district = info["district"] if "district" in info else pd.Series(dtype=object)
        per_unit.insert(2, "district", per_unit["unit_id"].map(district).to_numpy())
        for key in ("before", "after", "greedy"):
            share = per_unit[f"within_{key}"] / per_unit["population"].where(
                per_unit["population"] > 0
            )
            per_unit[f"share_{key}"] = share.to_numpy()
        return per_unit[list(COVERAGE_COLUMNS)]

    def layer(self) -> gpd.GeoDataFrame:
        """The map layer: the existing stations and the candidates as points.

        ``role`` is ``existing``, ``opened`` or ``candidate``; the candidates carry the
        :meth:`table`'s columns.
        """
        table = self.table()
        existing = self.existing.assign(role="existing")[
            ["facility_id", "name", "lat", "lon", "role"]
        ]
        candidates = table.assign(role=np.where(table["opened"], "opened", "candidate"))
        frame = pd.concat([existing, candidates], ignore_index=True)
        frame["facility_id"] = frame["facility_id"].astype(str)
        points = gpd.points_from_xy(frame["lon"].astype(float), frame["lat"].astype(float))
        return gpd.GeoDataFrame(frame, geometry=points, crs=CRS_LONLAT)

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary (``stations.json``): the question, both answers, the data."""
        return {
            "within_min": self.within_s / 60.0,
            "mode": self.trip.mode,
            "depart": self.trip.depart,
            "candidates": len(self.candidates),
            "candidate_rule": self.candidate_rule,
            "existing_stations": len(self.existing),
            "cells": len(self.cells),
            "exact": self.exact.summary(),
            "greedy": self.greedy.summary(),
            "attribution": self.attribution,
        }


def plan_stations(
    graph: TravelGraph | None = None,
    facilities: pd.DataFrame | None = None,
    *,
    k: int,
    within_min: float = DEFAULT_WITHIN_MIN,
    candidates: pd.DataFrame | str | os.PathLike[str] | None = None,
    scheme: str | None = None,
    trip: TripRule | None = None,
    grid: PopulationGrid | None = None,
    max_candidates: int = DEFAULT_MAX_CANDIDATES,
    time_limit_s: float = 60.0,
) -> StationPlan:
    """Choose ``k`` candidate station sites to bring the most people within ``within_min``.

    Parameters
    ----------
    graph
        The road graph (default the Hanoi network).
    facilities
        The facilities (default the Hanoi registry of ``scheme``): their commune-level units
        are the existing stations, and their units own the population cells.
    k
        How many candidates to open.
    within_min
        The threshold, minutes from the cell to the station.
    candidates
        The candidate sites: a table (``facility_id``, ``name``, ``lat``, ``lon``) or a file
        (:func:`planner.app.growth.candidates.read_candidates`); ``None``: the centres of the populated raster cells, at
        most ``max_candidates``, those with the most people beyond the threshold of every
        existing station first.
    scheme
        Scheme of the Hanoi registry when ``facilities`` is ``None`` (default 2025).
    trip
        How people reach a station: its mode and departure time time the cells (as for
        :func:`planner.travel.matrix.travel_time_matrix`); ``None``: :data:`planner.requests.STATION_TRIP`
        (by motorbike, at the default hour).
    grid
        The population grid (default :func:`planner.access.cells.default_grid`).
    max_candidates
        The limit on candidates taken from the cells.
    time_limit_s
        Time allowed to the solver.

    Returns
    -------
    StationPlan

    Examples
    --------
    One more station among the 5 most promising cells of the 2025 scheme, 15 minutes by
    motorbike:

    >>> plan = plan_stations(k=1, scheme="2025", max_candidates=5)
    >>> plan.exact.status, plan.exact.gain >= plan.greedy.gain >= 0
    ('optimal', True)
    """
    from planner.app.pipeline.inputs import facilities_for, road_network, study_area

    graph = graph if graph is not None else road_network()
    fac = facilities if facilities is not None else facilities_for(scheme or DEFAULT_SCHEME)
    given: pd.DataFrame | None = None
    if isinstance(candidates, str | os.PathLike):
        given = read_candidates(candidates, area=study_area(graph))
    elif candidates is not None:
        given = pd.DataFrame(candidates)
    inputs = coverage_inputs(
        graph, fac, within_min=within_min, levels=STATION_LEVELS, candidates=given, trip=trip,
        grid=grid, max_candidates=max_candidates,
    )  # fmt: skip
    # the equal-cost case of the investment model: every site costs 1, exactly k of them
    frame, people, ex = inputs.times_s, inputs.population, inputs.existing_columns
    exact = maximal_covering(
        frame, people, k=k, within_s=inputs.within_s, existing=ex, time_limit_s=time_limit_s
    )
    greedy = greedy_covering(frame, people, k=k, within_s=inputs.within_s, existing=ex)
    log.info(
        "stations: %d candidates, %d existing; within %g min: %s people before, %s with the "
        "exact opening of %d, %s with the greedy one", len(inputs.sites), len(inputs.existing),
        within_min, f"{exact.population_before:,.0f}", f"{exact.population_covered:,.0f}", k,
        f"{greedy.population_covered:,.0f}",
    )  # fmt: skip
    return StationPlan(
        candidates=inputs.sites[["facility_id", "name", "lat", "lon"]],
        existing=inputs.existing[["facility_id", "name", "lat", "lon"]],
        cells=inputs.cells,
        exact=exact,
        greedy=greedy,
        facilities=pd.DataFrame(fac),
        within_s=inputs.within_s,
        trip=inputs.trip,
        candidate_rule=inputs.candidate_rule,
        attribution=inputs.attribution,
    )


def write_stations(plan: StationPlan, out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Write ``stations.csv``, ``stations_coverage.csv``, ``stations.geojson`` and ``stations.json``.

    Parameters
    ----------
    plan
        What :func:`plan_stations` returned.
    out_dir
        The output folder (created if needed); each file is written atomically.

    Returns
    -------
    dict
        File name -> path, in the order written.

    Examples
    --------
    >>> import tempfile
    >>> plan = plan_stations(k=1, scheme="2025", max_candidates=3)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     list(write_stations(plan, folder))
    ['stations.csv', 'stations_coverage.csv', 'stations.geojson', 'stations.json']
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return {
        "stations.csv": write_csv(plan.table(), out / "stations.csv"),
        "stations_coverage.csv": write_csv(plan.coverage_table(), out / "stations_coverage.csv"),
        "stations.geojson": write_vector_atomic(plan.layer(), out / "stations.geojson"),
        "stations.json": write_json(plan.summary(), out / "stations.json"),
    }


def stations_summary(plan: StationPlan) -> str:
    """A few lines for the command's user: people within the threshold before and after.

    Parameters
    ----------
    plan
        What :func:`plan_stations` returned.

    Returns
    -------
    str

    Examples
    --------
    >>> print(stations_summary(plan_stations(k=1, scheme="2025", max_candidates=3)))
    ... # doctest: +ELLIPSIS
    people within 15 min of a station (motorbike): ... before, ... after opening 1 (exact), ...
    """
    exact, greedy = plan.exact, plan.greedy
    total = exact.population_total or 1.0
    minutes = plan.within_s / 60.0
    return "\n".join(
        [
            f"people within {minutes:g} min of a station ({plan.trip.mode}): "
            f"{exact.population_before:,.0f} ({exact.population_before / total:.1%}) before, "
            f"{exact.population_covered:,.0f} ({exact.population_covered / total:.1%}) after "
            f"opening {exact.k} (exact), {greedy.population_covered:,.0f} with the greedy picks",
            f"opened: {', '.join(map(str, exact.opened)) or '(none)'}",
            plan.attribution,
        ]
    )
