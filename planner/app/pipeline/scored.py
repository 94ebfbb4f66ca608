"""Scoring a pairing made elsewhere (by hand, in Excel, by an earlier run).

:func:`score_pairings_file` reads a pairing file, checks it against the facilities, completes
it from them and scores it exactly as :func:`planner.app.pipeline.planning.plan` scores its proposal,
beside the nearest-hospital baseline (:func:`planner.app.pipeline.write.write_scored` writes it
as a folder that ``planner report`` can render).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from planner.app.pipeline.inputs import load_inputs, split_levels
from planner.app.pipeline.planning import pairing_matrices
from planner.config import DEFAULT_SCHEME
from planner.io.pairings import read_pairings
from planner.pairing.scoring import PairingScores
from planner.requests import DEFAULT_TRIP, TripRule
from planner.roads.graph import TravelGraph

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScoredPairing:
    """A pairing read from a file, completed from the facilities and scored.

    Attributes
    ----------
    pairings
        The pairing in the contract's columns (names, levels, districts, population from the
        facilities where the file leaves them blank; travel times and distances as scored).
    scores
        Its :class:`planner.pairing.scoring.PairingScores`.
    facilities
        The facilities it was checked against.
    scheme
        The administrative scheme used (detected from the ids when not given).
    trip
        The trip rule it was scored by (:class:`~planner.requests.TripRule`: mode, the two
        departure times, directions, site rule).
    nearest_by
        What the nearest-hospital baseline sends to its nearest hospital: ``"group"`` (each
        district with its communes) or ``"unit"`` (Hanoi's 2025 units, whose groups are
        former districts).
    nearest, nearest_scores
        The nearest-hospital baseline on the same units, and its scores.
    roads
        Where the roads it was scored on came from (``TravelGraph.source``).
    matrix, matrix_peak
        The matrices it was scored on (at ``trip.depart`` and ``trip.peak_depart``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "officials.csv"
    ...     _ = path.write_text("unit_id,hospital_id\\nhn-dist-271,hn-reg-xanhpon\\n")
    ...     scored = score_pairings_file(path)
    >>> scored.scheme, scored.pairings["hospital_id"].tolist()
    ('2025', ['hn-reg-xanhpon'])
    >>> scored.nearest["hospital_id"].tolist()  # the baseline: Ba Vì's nearest hospital
    ['hn-reg-obgyn']
    """

    pairings: pd.DataFrame
    scores: PairingScores
    facilities: gpd.GeoDataFrame
    scheme: str
    trip: TripRule = DEFAULT_TRIP
    nearest_by: str = "group"
    nearest: pd.DataFrame | None = None
    nearest_scores: PairingScores | None = None
    roads: str = ""
    matrix: pd.DataFrame | None = None
    matrix_peak: pd.DataFrame | None = None


def score_pairings_file(
    pairings_path: str | os.PathLike[str],
    *,
    scheme: str | None = None,
    trip: TripRule = DEFAULT_TRIP,
    facilities: str | os.PathLike[str] | gpd.GeoDataFrame | None = None,
    source: str | os.PathLike[str] | None = None,
    graph: TravelGraph | None = None,
) -> ScoredPairing:
    """Score a pairing file made elsewhere (by hand, in Excel, by an earlier run).

    The figures are at the trip rule's ``depart`` and (the ``*_peak*`` ones) at its
    ``peak_depart``, a pair's time by its ``directions``, exactly as
    :func:`planner.app.pipeline.planning.plan` scores its proposal; the scores record them.

    Parameters
    ----------
    pairings_path
        A CSV with ``unit_id`` and ``hospital_id`` at least (read by
        :func:`planner.io.read_pairings`: UTF-8 with or without BOM, ``,`` or ``;``).
    scheme
        Scheme of the Hanoi registry; ``None`` detects it from the ids
        (:func:`planner.io.detect_scheme`). Ignored with ``facilities``.
    trip
        How the pairs are timed (:class:`~planner.requests.TripRule`): mode, the two departure
        times, which trips make a pair's time and which site of a hospital they use. The
        file's ``hospital_id`` names hospitals; a ``site_id`` column, if any, is checked and
        replaced by the rule's choice (a warning says where they differ).
    facilities, source, graph
        The facilities and roads, as for :func:`planner.app.pipeline.inputs.load_inputs`.

    Returns
    -------
    ScoredPairing

    Raises
    ------
    PlannerInputError
        Unreadable file, missing columns, unknown ids (with their rows), a unit paired twice.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     f = pathlib.Path(folder) / "officials.csv"
    ...     _ = f.write_text("unit_id,hospital_id\\nhn-dist-271,hn-reg-xanhpon\\n")
    ...     scored = score_pairings_file(f)
    >>> scored.pairings.loc[0, ["unit_name", "hospital_name"]].tolist()
    ['Bệnh viện Đa khoa Ba Vì', 'Bệnh viện Đa khoa Xanh Pôn']
    """
    from planner.io.pairings import detect_scheme
    from planner.pairing.explain import baseline_grouping, nearest_pairings
    from planner.pairing.scoring import score_pairings

    if facilities is None and scheme is None:
        scheme = detect_scheme(pairings_path, DEFAULT_SCHEME)
    scheme = scheme or DEFAULT_SCHEME
    graph, fac = load_inputs(scheme=scheme, facilities=facilities, source=source, graph=graph)
    table = read_pairings(pairings_path, fac)
    hospitals, units = split_levels(fac)
    units = units[units["facility_id"].isin(table["unit_id"])]
    matrix, peak = pairing_matrices(graph, hospitals, units, trip=trip)

    def score(pairings: pd.DataFrame) -> PairingScores:
        return score_pairings(
            pairings, matrix, units=units, hospitals=hospitals, matrix_peak=peak, trip=trip
        )

    scores = score(table)
    # the 2025 units' groups are former districts: their baseline goes unit by unit, as a plan's
    nearest_by = baseline_grouping(units)
    nearest = nearest_pairings(
        units, hospitals, matrix, trip=trip, hierarchical=nearest_by == "group"
    )
    return ScoredPairing(
        pairings=_completed(table, fac, scores),
        scores=scores,
        facilities=fac,
        scheme=scheme,
        trip=trip,
        nearest_by=nearest_by,
        nearest=nearest,
        nearest_scores=score(nearest),
        roads=graph.source,
        matrix=matrix,
        matrix_peak=peak,
    )


def _completed(table: pd.DataFrame, fac: gpd.GeoDataFrame, scores: PairingScores) -> pd.DataFrame:
    """The pairing in the contract's columns (:data:`SCORED_COLUMNS`): facility attributes
    where the file has none, travel times and distances as scored."""
    from planner.pairing import PAIRING_COLUMNS
    from planner.places.sites import hospital_sites

    info = fac.set_index("facility_id")
    hospital_names = hospital_sites(fac[fac["level"] == "regional"]).table.set_index("hospital_id")[
        "name"
    ]
    per_pair = scores.per_pair.set_index("unit_id")
    completed = table.copy()
    from_facilities = {
        "unit_name": completed["unit_id"].map(info["name"]),
        "unit_level": completed["unit_id"].map(info["level"]),
        "district": completed["unit_id"].map(info["district"]),
        "hospital_name": completed["hospital_id"].map(hospital_names),
        "population": completed["unit_id"].map(info["population"]),
    }
    for column, values in from_facilities.items():
        completed[column] = (
            completed[column].fillna(values) if column in completed.columns else values
        )
    scored_site = completed["unit_id"].map(per_pair["site_id"])
    if "site_id" in completed.columns:
        given = completed["site_id"].astype(object)
        differ = given.notna() & (given != scored_site)
        if differ.any():
            log.warning(
                "%d unit(s) of the pairing file name another site than the site rule "
                "chooses (e.g. %s: %s, scored with %s); the scores use the rule's site",
                int(differ.sum()),
                completed.loc[differ, "unit_id"].iloc[0],
                given[differ].iloc[0],
                scored_site[differ].iloc[0],
            )
    completed["site_id"] = scored_site
    completed["travel_time_s"] = completed["unit_id"].map(per_pair["travel_time_s"])
    completed["distance_m"] = completed["unit_id"].map(per_pair["distance_m"])
    order = [c for c in PAIRING_COLUMNS if c in completed.columns]
    return completed[order + [c for c in completed.columns if c not in order]]


#: The columns a scored pairing file carries (and a report needs) besides the two ids.
SCORED_COLUMNS = (
    "unit_name",
    "unit_level",
    "district",
    "hospital_name",
    "travel_time_s",
    "distance_m",
    "population",
)
