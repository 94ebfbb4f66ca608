"""The whole planning job in a few calls: the one pipeline behind ``planner demo``, the CLI and
the notebooks.

:func:`plan` loads the roads and the units, computes the travel-time matrices (at the departure
time and at the comparison time, 08:00 by default, both directions), proposes the optimal
pairing with its nearest-hospital and pilot baselines, and scores all three by one definition of
a pair's time (``PlanOptions.directions``). :func:`write_outputs` writes ``pairings.csv``,
``pairings.geojson``, ``scores.json`` and, on request, ``map.html`` and ``report.html`` — each
atomically, after everything has been computed, so a failed run leaves earlier outputs intact.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from planner.config import DEFAULT_DEPART, DEFAULT_SCHEME, PEAK_DEPART
from planner.errors import PlannerInputError
from planner.explain import HANOI_PILOT, pilot_pins
from planner.io import detect_scheme, read_pairings, write_csv, write_json, write_vector_atomic

log = logging.getLogger(__name__)

#: Level keywords accepted wherever facilities are selected (``planner matrix --origins``).
LEVEL_KEYWORDS = ("regional", "district", "commune", "units", "all")


@dataclass(frozen=True)
class PlanOptions:
    """What to plan: scheme, travel assumptions and the pairing request.

    ``pilot_pairs`` is the pilot as ``(district, hospital_id)`` pairs (default the Ba Vì pilot
    with Xanh Pon, :data:`planner.explain.HANOI_PILOT`): every unit of those districts is
    pinned, in hierarchical and unit mode, and the pilot baseline is built from them;
    ``pilot=False`` (``--no-pilot``) removes all of them. ``pins`` are the user's own pins;
    they win over the pilot's where both pin a group.

    Examples
    --------
    >>> PlanOptions(scheme="2025", depart="07:30").mode
    'car'
    """

    scheme: str = DEFAULT_SCHEME
    mode: str = "car"
    depart: str = DEFAULT_DEPART
    objective: str = "pop-time"
    balance: float = 0.2
    load: str = "population"
    hierarchical: bool = True
    pins: Mapping[str, str] = field(default_factory=dict)
    forbidden: tuple[tuple[str, str], ...] = ()
    max_travel_time_s: float | None = None
    pilot: bool = True
    pilot_pairs: tuple[tuple[str, str], ...] = HANOI_PILOT
    time_limit_s: float = 60.0
    specialty_need: str | Path | None = None
    directions: str = "both"
    peak_depart: str = PEAK_DEPART


@dataclass(frozen=True)
class PlanningRun:
    """Everything one planning run computed (inputs, matrices, pairings, scores).

    ``matrix`` (at ``options.depart``) and ``matrix_peak`` (at ``options.peak_depart``) hold the
    trips ``options.directions`` needs (both directions by default,
    :func:`planner.travel.pair_travel_times`); the proposal, the baselines and every score
    use them with the same directions rule.
    """

    options: PlanOptions
    graph: Any
    facilities: gpd.GeoDataFrame
    hospitals: gpd.GeoDataFrame
    units: gpd.GeoDataFrame
    matrix: pd.DataFrame
    matrix_peak: pd.DataFrame
    proposal: Any
    nearest: pd.DataFrame
    pilot: pd.DataFrame | None
    scores: Any
    nearest_scores: Any
    pilot_scores: Any | None


def facilities_for(scheme: str, facilities: str | Path | None = None) -> gpd.GeoDataFrame:
    """Return the Hanoi registry for ``scheme``, or a user's facility file when given."""
    if facilities is not None:
        from planner.facilities import load_facilities

        return load_facilities(facilities, area=network_area(None))
    from planner.hanoi import hanoi_facilities

    return hanoi_facilities(scheme=scheme)


def network_area(source: str | Path | None):
    """The area facilities must lie in: the Hanoi boundary (buffered) for the Hanoi roads,
    else ``None`` (a user's road file: checked later by snapping)."""
    if source is not None and source not in HANOI_SOURCE_KEYWORDS:
        return None
    from planner.hanoi import hanoi_boundary

    return hanoi_boundary()


#: ``--source`` keywords meaning the Hanoi default (the MBTiles in the data folder).
HANOI_SOURCE_KEYWORDS = ("hanoi", "mbtiles")


def road_network(source: str | Path | None = None):
    """Load a road network: a file path, or ``None``/``"hanoi"``/``"mbtiles"`` for Hanoi."""
    from planner.network import load_network

    return load_network(None if source in HANOI_SOURCE_KEYWORDS else source)


def split_levels(fac: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Split facilities into regional hospitals and the units they pair with."""
    hospitals = fac[fac["level"] == "regional"]
    units = fac[fac["level"] != "regional"]
    if hospitals.empty:
        raise PlannerInputError(
            "no regional hospital among the facilities",
            field="level",
            hint="mark the hospitals that take sister units with level=regional",
        )
    if units.empty:
        raise PlannerInputError(
            "no district or commune unit among the facilities",
            field="level",
            hint="add units with level=district or level=commune",
        )
    return hospitals, units


def plan(
    options: PlanOptions | None = None,
    *,
    facilities: str | Path | gpd.GeoDataFrame | None = None,
    source: str | Path | None = None,
    graph: Any = None,
) -> PlanningRun:
    """Run the whole planning job and return everything it computed.

    Parameters
    ----------
    options
        Scheme, mode, departure time and pairing request (defaults: 2024 scheme, car,
        10:00, population-weighted time, balance ±0.2, the Ba Vì pilot pinned).
    facilities
        A facility file or GeoDataFrame; default the Hanoi registry of ``options.scheme``.
    source
        Road network file; default the Hanoi MBTiles. Ignored when ``graph`` is given.
    graph
        An already loaded :class:`planner.graph.TravelGraph`.

    Examples
    --------
    >>> run = plan(PlanOptions(scheme="2024"))
    >>> run.proposal.status
    'optimal'
    >>> bool(run.scores.overall["share_population_within_60min"] > 0.8)
    True
    """
    from planner.pairing import propose_pairings
    from planner.scoring import score_pairings

    options = options or PlanOptions()
    if isinstance(facilities, gpd.GeoDataFrame):
        fac = facilities
    else:
        fac = facilities_for(options.scheme, facilities)
    hospitals, units = split_levels(fac)
    graph = graph if graph is not None else road_network(source)

    log.info(
        "travel times: %d hospitals x %d units (%s, %s and %s, directions %s)",
        len(hospitals),
        len(units),
        options.mode,
        options.depart,
        options.peak_depart,
        options.directions,
    )
    matrix, matrix_peak = _pairing_matrices(
        graph,
        hospitals,
        units,
        mode=options.mode,
        depart=options.depart,
        peak_depart=options.peak_depart,
        directions=options.directions,
    )

    proposal = propose_pairings(
        units,
        hospitals,
        matrix,
        objective=options.objective,
        balance=options.balance,
        load=options.load,
        hierarchical=options.hierarchical,
        pins=options.pins,
        pilot=pilot_pins(units, options.pilot_pairs) if options.pilot else None,
        forbidden=options.forbidden,
        max_travel_time_s=options.max_travel_time_s,
        time_limit_s=options.time_limit_s,
        matrix_peak=matrix_peak,
        specialty_need=read_specialty_need(options.specialty_need),
        directions=options.directions,
    )
    # The baselines are the proposal's: one definition (planner.explain), the same model.
    nearest, pilot = proposal.nearest, proposal.pilot

    def score(pairings: pd.DataFrame):
        return score_pairings(
            pairings,
            matrix,
            units=units,
            hospitals=hospitals,
            matrix_peak=matrix_peak,
            directions=options.directions,
            depart=options.depart,
            peak_depart=options.peak_depart,
            optimum=proposal,
        )

    return PlanningRun(
        options=options,
        graph=graph,
        facilities=fac,
        hospitals=hospitals,
        units=units,
        matrix=matrix,
        matrix_peak=matrix_peak,
        proposal=proposal,
        nearest=nearest,
        pilot=pilot,
        scores=score(proposal.pairings),
        nearest_scores=score(nearest),
        pilot_scores=None if pilot is None else score(pilot),
    )


def _pairing_matrices(
    graph: Any,
    hospitals: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame,
    *,
    mode: str,
    depart: str,
    peak_depart: str,
    directions: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The matrices a pairing is planned and scored on, at ``depart`` and at ``peak_depart``,
    each with the trips ``directions`` needs (the same rule for both)."""
    from planner.travel import pair_travel_times

    options = {"mode": mode, "directions": directions}
    return (
        pair_travel_times(graph, hospitals, units, depart=depart, **options),
        pair_travel_times(graph, hospitals, units, depart=peak_depart, **options),
    )


def read_specialty_need(path: str | Path | None) -> pd.DataFrame | None:
    """Read a specialty-need table (``district``, ``specialty``, ``need``), or ``None``."""
    if path is None:
        return None
    try:
        return pd.read_csv(path, dtype={"district": str, "specialty": str})
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise PlannerInputError(
            f"cannot read the specialty need table ({exc})",
            file=path,
            hint="give a UTF-8 CSV with columns district, specialty, need",
        ) from None


def scores_document(run: PlanningRun) -> dict[str, Any]:
    """The content of ``scores.json``: the proposal's scores and its gaps to the baselines."""
    doc = dict(run.scores.to_dict())
    doc["baselines"] = {"nearest": run.nearest_scores.to_dict()}
    if run.pilot_scores is not None:
        doc["baselines"]["pilot"] = run.pilot_scores.to_dict()
    doc["options"] = {
        "scheme": run.options.scheme,
        "mode": run.options.mode,
        "depart": run.options.depart,
        "peak_depart": run.options.peak_depart,
        "directions": run.options.directions,
        "objective": run.options.objective,
        "balance": run.options.balance,
        "load": run.options.load,
        "hierarchical": run.options.hierarchical,
        "pilot_pinned": run.options.pilot,
        "pilot": [
            {"district": district, "hospital_id": hospital_id}
            for district, hospital_id in (run.options.pilot_pairs if run.options.pilot else ())
        ],
        "pins": dict(run.options.pins),
        "specialty_need": None
        if run.options.specialty_need is None
        else str(run.options.specialty_need),
    }
    return doc


def write_outputs(
    run: PlanningRun, out_dir: str | Path, *, map: bool = True, report: bool = True
) -> dict[str, Path]:
    """Write a run's files into ``out_dir`` and return their paths by name.

    Everything is rendered in memory first; each file is then written atomically, so an
    error leaves the previous outputs intact.
    """
    out = Path(out_dir)
    pairings = run.proposal.pairings
    scores = scores_document(run)
    geo = run.proposal.to_geodataframe(run.facilities)
    rendered_map = None
    if map or report:
        from planner.hanoi import hanoi_areas
        from planner.maps import pairing_map

        areas = hanoi_areas(scheme=run.options.scheme) if _is_hanoi(run.facilities) else None
        rendered_map = pairing_map(
            pairings,
            run.facilities,
            areas=areas,
            compare=run.nearest,
            compare_label="nearest hospital",
            self_contained=True,
        )
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "pairings.csv": write_csv(pairings, out / "pairings.csv"),
        "pairings.geojson": write_vector_atomic(geo, out / "pairings.geojson"),
        "scores.json": write_json(scores, out / "scores.json"),
    }
    if map:
        from planner.maps import save_map

        paths["map.html"] = save_map(rendered_map, out / "map.html")
    if report:
        from planner.report import write_report

        paths["report.html"] = write_report(
            out / "report.html",
            pairings=pairings,
            scores=scores,
            facilities=run.facilities,
            map=rendered_map,
            compare=run.nearest,
        )
    return paths


def _is_hanoi(fac: gpd.GeoDataFrame) -> bool:
    return bool(fac["facility_id"].astype(str).str.startswith("hn-").all())


def summary(run: PlanningRun, paths: Mapping[str, Path]) -> str:
    """A few lines for the terminal: where the files are and the headline figures."""
    s = run.scores.overall
    n = run.nearest_scores.overall

    def minutes(value: float | None) -> str:
        return "n/a" if value is None or not math.isfinite(value) else f"{value / 60:.1f} min"

    lines = [
        f"Sister-hospital pairing, scheme {run.options.scheme}, {run.options.mode}, "
        f"depart {run.options.depart}: {run.proposal.status_text}",
        f"  units paired:           {len(run.proposal.pairings)}",
        f"  pop-weighted mean time: {minutes(s['pop_weighted_mean_travel_time_s'])} "
        f"(nearest hospital: {minutes(n['pop_weighted_mean_travel_time_s'])}; "
        f"{_trips(run.options.directions)} at {run.options.depart})",
        f"  max travel time:        {minutes(s['max_travel_time_s'])}",
        f"  population within 60 min: {s['share_population_within_60min']:.1%}",
        f"  load ratio max/min:     {s['load_ratio_max_min']:.2f} "
        f"(nearest hospital: {n['load_ratio_max_min']:.2f})",
        "Files:",
        *(f"  {path}" for path in paths.values()),
    ]
    return "\n".join(lines)


def _trips(directions: str) -> str:
    """Which trips a pair's time is made of, in words for the terminal."""
    return {
        "both": "mean of the trips both ways",
        "to_unit": "hospital to unit",
        "to_hospital": "unit to hospital",
    }[directions]


def resolve_level(selector: str, fac: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Select facilities by level keyword (regional, district, commune, units, all)."""
    if selector == "all":
        return fac
    if selector == "units":
        return fac[fac["level"] != "regional"]
    return fac[fac["level"] == selector]


def matrix_table(
    *,
    origins: str,
    destinations: str,
    scheme: str = DEFAULT_SCHEME,
    mode: str = "car",
    depart: str = DEFAULT_DEPART,
    facilities: str | Path | None = None,
    source: str | Path | None = None,
) -> pd.DataFrame:
    """The ``planner matrix`` table: a long travel-time matrix with facility names.

    ``origins``/``destinations`` are level keywords of the registry (or of ``facilities``) or
    paths to facility files.
    """
    from planner.facilities import load_facilities
    from planner.travel import travel_time_matrix

    base = None

    def pick(selector: str, option: str) -> gpd.GeoDataFrame:
        nonlocal base
        if selector in LEVEL_KEYWORDS:
            if base is None:
                base = facilities_for(scheme, facilities)
            chosen = resolve_level(selector, base)
            if chosen.empty:
                raise PlannerInputError(
                    f"no facility of level {selector!r}",
                    field=option,
                    hint="choose another level or give a facility file",
                )
            return chosen
        path = Path(selector)
        if not path.exists():
            raise PlannerInputError(
                f"{selector!r} is neither a level nor an existing file",
                field=option,
                hint=f"use one of {', '.join(LEVEL_KEYWORDS)} or a facility file path",
            )
        return load_facilities(path, area=network_area(source))

    orig = pick(origins, "--origins")
    dest = pick(destinations, "--destinations")
    graph = road_network(source)
    table = travel_time_matrix(graph, orig, dest, mode=mode, depart=depart)
    names_o = dict(zip(orig["facility_id"], orig["name"], strict=True))
    names_d = dict(zip(dest["facility_id"], dest["name"], strict=True))
    table.insert(1, "origin_name", table["origin_id"].map(names_o))
    table.insert(3, "destination_name", table["destination_id"].map(names_d))
    return table


@dataclass(frozen=True)
class ScoredPairing:
    """A pairing read from a file, completed from the registry and scored."""

    pairings: pd.DataFrame
    scores: Any
    facilities: gpd.GeoDataFrame
    scheme: str


def score_pairings_file(
    pairings_path: str | Path,
    *,
    scheme: str = DEFAULT_SCHEME,
    mode: str = "car",
    depart: str = DEFAULT_DEPART,
    peak_depart: str = PEAK_DEPART,
    directions: str = "both",
    facilities: str | Path | None = None,
    source: str | Path | None = None,
    graph: Any = None,
) -> ScoredPairing:
    """Read a pairings CSV (``unit_id``, ``hospital_id`` suffice), score it on the roads, and
    complete it to the pairing contract (names, levels, districts, times, distances).

    The figures are at ``depart`` and (the ``*_peak*`` ones) at ``peak_depart``, a pair's time
    by the ``directions`` rule, exactly as :func:`plan` scores its proposal; the scores record
    all three (``depart``, ``peak_depart``, ``directions``).
    """
    from planner.scoring import score_pairings

    if facilities is None:
        scheme = detect_scheme(pairings_path, scheme)
    fac = facilities_for(scheme, facilities)
    table = read_pairings(pairings_path, fac)
    hospitals, units = split_levels(fac)
    units = units[units["facility_id"].isin(table["unit_id"])]
    graph = graph if graph is not None else road_network(source)
    matrix, peak = _pairing_matrices(
        graph,
        hospitals,
        units,
        mode=mode,
        depart=depart,
        peak_depart=peak_depart,
        directions=directions,
    )
    scores = score_pairings(
        table,
        matrix,
        units=units,
        hospitals=hospitals,
        matrix_peak=peak,
        directions=directions,
        depart=depart,
        peak_depart=peak_depart,
    )
    info = fac.set_index("facility_id")
    per_pair = scores.per_pair.set_index("unit_id")
    completed = table.copy()
    filled = {
        "unit_name": completed["unit_id"].map(info["name"]),
        "unit_level": completed["unit_id"].map(info["level"]),
        "district": completed["unit_id"].map(info["district"]),
        "hospital_name": completed["hospital_id"].map(info["name"]),
        "travel_time_s": completed["unit_id"].map(per_pair["travel_time_s"]),
        "distance_m": completed["unit_id"].map(per_pair["distance_m"]),
        "population": completed["unit_id"].map(info["population"]),
    }
    for column, values in filled.items():
        if column not in completed.columns or completed[column].isna().all():
            completed[column] = values
    return ScoredPairing(pairings=completed, scores=scores, facilities=fac, scheme=scheme)


def score_file(pairings_path: str | Path, **options: Any) -> dict[str, Any]:
    """Score a pairing made elsewhere (the ``planner score`` command); return scores.json.

    Takes the options of :func:`score_pairings_file`.
    """
    return score_pairings_file(pairings_path, **options).scores.to_dict()


def map_file(
    pairings_path: str | Path,
    out: str | Path,
    *,
    compare: str | Path | None = None,
    routes: bool = False,
    self_contained: bool = True,
    scheme: str = DEFAULT_SCHEME,
    mode: str = "car",
    depart: str = DEFAULT_DEPART,
    facilities: str | Path | None = None,
    source: str | Path | None = None,
) -> Path:
    """Draw a pairings CSV (and optionally a second one to compare) as a standalone HTML map.

    Either file may hold only ``unit_id`` and ``hospital_id``: travel times are computed.
    """
    from planner.hanoi import hanoi_areas
    from planner.maps import pairing_map, save_map

    options = {"scheme": scheme, "mode": mode, "depart": depart, "facilities": facilities}
    graph = road_network(source)
    main = score_pairings_file(pairings_path, graph=graph, **options)
    other = None
    if compare is not None:
        other = score_pairings_file(compare, graph=graph, **options).pairings
    areas = hanoi_areas(scheme=main.scheme) if facilities is None else None
    m = pairing_map(
        main.pairings,
        main.facilities,
        areas=areas,
        compare=other,
        compare_label=Path(compare).stem if compare else None,
        links="routes" if routes else "straight",
        graph=graph if routes else None,
        mode=mode,
        self_contained=self_contained,
    )
    return save_map(m, out)


def report_dir(
    out_dir: str | Path, *, scheme: str = DEFAULT_SCHEME, facilities: str | Path | None = None
) -> Path:
    """Write ``report.html`` from a folder holding ``pairings.csv`` and ``scores.json``."""
    from planner.hanoi import hanoi_areas
    from planner.maps import pairing_map
    from planner.report import write_report

    out = Path(out_dir)
    pairings_path = out / "pairings.csv"
    scores_path = out / "scores.json"
    for path in (pairings_path, scores_path):
        if not path.exists():
            raise PlannerInputError(
                "file not found", file=path, hint="run `planner propose --out DIR` first"
            )
    if facilities is None:
        scheme = detect_scheme(pairings_path, scheme)
    fac = facilities_for(scheme, facilities)
    table = read_pairings(pairings_path, fac)
    try:
        scores = json.loads(scores_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise PlannerInputError(
            f"not valid JSON ({exc})",
            file=scores_path,
            hint="re-run `planner propose` to rewrite it",
        ) from None
    areas = hanoi_areas(scheme=scheme) if facilities is None else None
    m = pairing_map(table, fac, areas=areas, self_contained=True)
    return write_report(out / "report.html", pairings=table, scores=scores, facilities=fac, map=m)
