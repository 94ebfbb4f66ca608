"""The whole planning job in a few calls: the one pipeline behind ``planner demo``, the CLI and
the notebooks.

:func:`plan` loads the roads and the units, computes the travel-time matrices (off-peak and
peak, both directions), proposes the optimal pairing, the nearest-hospital baseline and the
pilot, and scores all three. :func:`write_outputs` writes ``pairings.csv``,
``pairings.geojson``, ``scores.json`` and, on request, ``map.html`` and ``report.html`` — each
atomically, after everything has been computed, so a failed run leaves earlier outputs intact.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from planner._json import json_safe
from planner.config import DEFAULT_DEPART, DEFAULT_SCHEME, PEAK_DEPART
from planner.errors import PlannerInputError
from planner.i18n import DEFAULT_LANG
from planner.io import detect_scheme, read_pairings, write_csv, write_json, write_vector_atomic

log = logging.getLogger(__name__)

#: Level keywords accepted wherever facilities are selected (``planner matrix --origins``).
LEVEL_KEYWORDS = ("regional", "district", "commune", "units", "all")


@dataclass(frozen=True)
class PlanOptions:
    """What to plan: scheme, travel assumptions and the pairing request.

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
    time_limit_s: float = 60.0
    specialty_need: str | Path | None = None


@dataclass(frozen=True)
class PlanningRun:
    """Everything one planning run computed (inputs, matrices, pairings, scores)."""

    options: PlanOptions
    graph: Any
    facilities: gpd.GeoDataFrame
    hospitals: gpd.GeoDataFrame
    units: gpd.GeoDataFrame
    matrix: pd.DataFrame
    matrix_back: pd.DataFrame
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
    from planner.pairing import hanoi_pilot_pins, nearest_pairings, pilot_pairings, propose_pairings
    from planner.scoring import score_pairings

    options = options or PlanOptions()
    if isinstance(facilities, gpd.GeoDataFrame):
        fac = facilities
    else:
        fac = facilities_for(options.scheme, facilities)
    hospitals, units = split_levels(fac)
    graph = graph if graph is not None else road_network(source)

    log.info(
        "travel times: %d hospitals x %d units (%s, %s)",
        len(hospitals),
        len(units),
        options.mode,
        options.depart,
    )
    matrix, matrix_back, matrix_peak = _pairing_matrices(
        graph, hospitals, units, mode=options.mode, depart=options.depart
    )
    both = pd.concat([matrix, matrix_back], ignore_index=True)

    pins = dict(options.pins)
    pilot_pins = hanoi_pilot_pins(units) if options.pilot else {}
    for unit_id, hospital_id in pilot_pins.items():
        pins.setdefault(unit_id, hospital_id)

    proposal = propose_pairings(
        units,
        hospitals,
        both,
        objective=options.objective,
        balance=options.balance,
        load=options.load,
        hierarchical=options.hierarchical,
        pins=pins,
        forbidden=options.forbidden,
        max_travel_time_s=options.max_travel_time_s,
        time_limit_s=options.time_limit_s,
        matrix_peak=matrix_peak,
        specialty_need=read_specialty_need(options.specialty_need),
    )
    nearest = nearest_pairings(units, hospitals, both, hierarchical=options.hierarchical)
    pilot = pilot_pairings(units, hospitals, both) if pilot_pins else None

    def score(pairings: pd.DataFrame):
        return score_pairings(
            pairings,
            both,
            units=units,
            hospitals=hospitals,
            matrix_peak=matrix_peak,
            optimum=proposal,
        )

    return PlanningRun(
        options=options,
        graph=graph,
        facilities=fac,
        hospitals=hospitals,
        units=units,
        matrix=matrix,
        matrix_back=matrix_back,
        matrix_peak=matrix_peak,
        proposal=proposal,
        nearest=nearest,
        pilot=pilot,
        scores=score(proposal.pairings),
        nearest_scores=score(nearest),
        pilot_scores=None if pilot is None else score(pilot),
    )


def _pairing_matrices(
    graph: Any, hospitals: gpd.GeoDataFrame, units: gpd.GeoDataFrame, *, mode: str, depart: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The matrices a pairing is planned and scored on: hospital -> unit and unit -> hospital
    at ``depart``, and hospital -> unit at the peak (:data:`PEAK_DEPART`)."""
    from planner.travel import travel_time_matrix

    return (
        travel_time_matrix(graph, hospitals, units, mode=mode, depart=depart),
        travel_time_matrix(graph, units, hospitals, mode=mode, depart=depart),
        travel_time_matrix(graph, hospitals, units, mode=mode, depart=PEAK_DEPART),
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
    """The content of ``scores.json``: the proposal's scores and its gaps to the baselines.

    Top-level ``depart`` and ``peak_depart`` say when the main and the ``*_peak*`` figures
    leave, ``directions`` which trips a pair's time averages; ``per_pair`` holds each unit's
    time at both departures (the report's decision table); ``options`` the run's settings.
    """
    from planner.report import road_data_date

    doc = dict(run.scores.to_dict())
    doc["depart"] = run.options.depart
    doc["peak_depart"] = PEAK_DEPART
    doc["directions"] = run.scores.overall.get("directions", "both")
    doc["baselines"] = {"nearest": run.nearest_scores.to_dict()}
    if run.pilot_scores is not None:
        doc["baselines"]["pilot"] = run.pilot_scores.to_dict()
    per_pair = run.scores.per_pair
    times = [c for c in ("travel_time_s", "travel_time_peak_s") if c in per_pair]
    doc["per_pair"] = json_safe(per_pair[["unit_id", *times]].to_dict(orient="records"))
    source = str(getattr(run.graph, "source", "") or "")
    doc["options"] = {
        "scheme": run.options.scheme,
        "mode": run.options.mode,
        "depart": run.options.depart,
        "peak_depart": PEAK_DEPART,
        "objective": run.options.objective,
        "balance": run.options.balance,
        "load": run.options.load,
        "hierarchical": run.options.hierarchical,
        "pilot_pinned": run.options.pilot,
        "pins": dict(run.options.pins),
        "specialty_need": None
        if run.options.specialty_need is None
        else str(run.options.specialty_need),
        "roads": source or None,
        "roads_date": road_data_date(source),
        "region": "Hanoi" if _is_hanoi(run.facilities) else None,
    }
    return doc


def write_outputs(
    run: PlanningRun,
    out_dir: str | Path,
    *,
    map: bool = True,
    report: bool = True,
    lang: str = DEFAULT_LANG,
) -> dict[str, Path]:
    """Write a run's files into ``out_dir`` and return their paths by name.

    Everything is rendered in memory first; each file is then written atomically, so an
    error leaves the previous outputs intact. ``lang`` (``"vi"`` or ``"en"``) is the language
    of the map and the report.
    """
    from planner.formatting import scenario_parts
    from planner.i18n import Translator

    t = Translator(lang)
    out = Path(out_dir)
    pairings = run.proposal.pairings
    scores = scores_document(run)
    geo = run.proposal.to_geodataframe(run.facilities)
    rendered_map = None
    hanoi = _is_hanoi(run.facilities)
    if map or report:
        from planner.hanoi import hanoi_areas
        from planner.maps import pairing_map

        areas = hanoi_areas(scheme=run.options.scheme) if hanoi else None
        rendered_map = pairing_map(
            pairings,
            run.facilities,
            areas=areas,
            compare=run.nearest,
            compare_label=t("map.nearest"),
            graph=run.graph,
            mode=run.options.mode,
            depart=run.options.depart,
            title=_map_title(scores["options"], t),
            subtitle=" · ".join(scenario_parts(scores["options"], lang=lang)),
            self_contained=True,
            lang=lang,
        )
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "pairings.csv": write_csv(pairings, out / "pairings.csv"),
        "pairings.geojson": write_vector_atomic(geo, out / "pairings.geojson"),
        "scores.json": write_json(scores, out / "scores.json"),
    }
    if map:
        from planner.maps import save_map

        assert rendered_map is not None
        paths["map.html"] = save_map(rendered_map, out / "map.html")
    if report:
        from planner.report import APPROXIMATE_CSV, write_report

        paths["report.html"] = write_report(
            out / "report.html",
            pairings=pairings,
            scores=scores,
            facilities=run.facilities,
            map=rendered_map,
            compare=run.nearest,
            lang=lang,
        )
        if (out / APPROXIMATE_CSV).exists():
            paths[APPROXIMATE_CSV] = out / APPROXIMATE_CSV
    return paths


def _map_title(options: Mapping[str, Any], t: Any) -> str:
    """The map's title: "Sister hospitals, Hanoi" (the scenario goes in the subtitle)."""
    if options.get("region") == "Hanoi":
        return t("map.title_region", region=t("scenario.region"))
    return t("map.title")


def _is_hanoi(fac: gpd.GeoDataFrame) -> bool:
    return bool(fac["facility_id"].astype(str).str.startswith("hn-").all())


def summary(run: PlanningRun, paths: Mapping[str, Path], *, lang: str = DEFAULT_LANG) -> str:
    """A few lines for the terminal: where the files are and the headline figures."""
    from planner.formatting import Formatter, scenario_parts
    from planner.i18n import Translator

    t, f = Translator(lang), Formatter(lang)
    s = run.scores.overall
    n = run.nearest_scores.overall
    depart = run.options.depart
    options = {"scheme": run.options.scheme, "mode": run.options.mode, "depart": depart}
    rows = [
        (t("cli.units"), f.count(len(run.proposal.pairings))),
        (
            t("cli.mean", time=depart),
            f"{f.minutes(s['pop_weighted_mean_travel_time_s'], decimals=1)} "
            f"({t('cli.mean_nearest', value=f.minutes(n['pop_weighted_mean_travel_time_s'], decimals=1))})",
        ),
        (t("cli.longest", time=depart), f.minutes(s["max_travel_time_s"], decimals=1)),
        (t("cli.within"), f.percent(s["share_population_within_60min"], decimals=1)),
        (
            t("cli.ratio"),
            f"{f.ratio(s['load_ratio_max_min'])} "
            f"({t('cli.mean_nearest', value=f.ratio(n['load_ratio_max_min']))})",
        ),
    ]
    width = max(len(label) for label, _ in rows) + 1
    scenario = ", ".join(scenario_parts(options, lang=lang))
    lines = [t("cli.summary_head", scenario=scenario, status=run.proposal.status)]
    lines += [f"  {label + ':':<{width}} {value}" for label, value in rows]
    lines += [t("cli.files"), *(f"  {path}" for path in paths.values())]
    return "\n".join(lines)


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
    facilities: str | Path | None = None,
    source: str | Path | None = None,
    graph: Any = None,
) -> ScoredPairing:
    """Read a pairings CSV (``unit_id``, ``hospital_id`` suffice), score it on the roads, and
    complete it to the pairing contract (names, levels, districts, times, distances)."""
    from planner.scoring import score_pairings

    if facilities is None:
        scheme = detect_scheme(pairings_path, scheme)
    fac = facilities_for(scheme, facilities)
    table = read_pairings(pairings_path, fac)
    hospitals, units = split_levels(fac)
    units = units[units["facility_id"].isin(table["unit_id"])]
    graph = graph if graph is not None else road_network(source)
    matrix, back, peak = _pairing_matrices(graph, hospitals, units, mode=mode, depart=depart)
    scores = score_pairings(
        table,
        pd.concat([matrix, back], ignore_index=True),
        units=units,
        hospitals=hospitals,
        matrix_peak=peak,
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
    compare_name: str | None = None,
    routes: bool = False,
    self_contained: bool = True,
    scheme: str = DEFAULT_SCHEME,
    mode: str = "car",
    depart: str = DEFAULT_DEPART,
    facilities: str | Path | None = None,
    source: str | Path | None = None,
    lang: str = DEFAULT_LANG,
) -> Path:
    """Draw a pairings CSV (and optionally a second one to compare) as a standalone HTML map.

    Either file may hold only ``unit_id`` and ``hospital_id``: travel times are computed.
    ``compare_name`` names the second pairing in the layers, legend and popups (default: its
    file name); ``lang`` is ``"vi"`` or ``"en"``.
    """
    from planner.formatting import scenario_parts
    from planner.hanoi import hanoi_areas
    from planner.i18n import Translator
    from planner.maps import pairing_map, save_map
    from planner.report import road_data_date

    t = Translator(lang)
    graph = road_network(source)

    def scored(path: str | Path) -> ScoredPairing:
        return score_pairings_file(
            path, scheme=scheme, mode=mode, depart=depart, facilities=facilities, graph=graph
        )

    main = scored(pairings_path)
    other = scored(compare).pairings if compare is not None else None
    areas = hanoi_areas(scheme=main.scheme) if facilities is None else None
    scenario = {
        "scheme": main.scheme if facilities is None else None,
        "mode": mode,
        "depart": depart,
        "roads_date": road_data_date(graph.source),
        "region": "Hanoi" if _is_hanoi(main.facilities) else None,
    }
    m = pairing_map(
        main.pairings,
        main.facilities,
        areas=areas,
        compare=other,
        compare_label=compare_name or (Path(compare).stem if compare else None),
        links="routes" if routes else "straight",
        graph=graph,
        mode=mode,
        depart=depart,
        title=_map_title(scenario, t),
        subtitle=" · ".join(scenario_parts(scenario, lang=lang)),
        self_contained=self_contained,
        lang=lang,
    )
    return save_map(m, out)


@dataclass(frozen=True)
class _ReportFolder:
    """``pairings.csv`` and ``scores.json`` of a folder written by ``planner propose``."""

    pairings: pd.DataFrame
    scores: dict[str, Any]
    facilities: gpd.GeoDataFrame
    scheme: str


def _read_report_folder(
    folder: Path, *, scheme: str, facilities: str | Path | None
) -> _ReportFolder:
    pairings_path = folder / "pairings.csv"
    scores_path = folder / "scores.json"
    if not pairings_path.exists():
        raise PlannerInputError(
            "file not found",
            file=pairings_path,
            hint=f"run `planner propose --out {folder}` first",
        )
    if not scores_path.exists():
        raise PlannerInputError(
            "file not found",
            file=scores_path,
            hint=f"score the pairing first: `planner score {pairings_path} --out {scores_path}`",
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
    if not isinstance(scores, dict):
        raise PlannerInputError(
            "not a scores document", file=scores_path, hint="re-run `planner propose`"
        )
    return _ReportFolder(table, scores, fac, scheme)


def report_dir(
    out_dir: str | Path,
    *,
    scheme: str = DEFAULT_SCHEME,
    facilities: str | Path | None = None,
    source: str | Path | None = None,
    compare: str | Path | None = None,
    compare_name: str | None = None,
    lang: str = DEFAULT_LANG,
) -> Path:
    """Write ``report.html`` from a folder holding ``pairings.csv`` and ``scores.json``.

    With ``compare`` (another such folder: another time, scheme, or a hand-made pairing) the
    report shows both scenarios side by side and the units that change; ``compare_name``
    names the other one (default: what differs in its settings, else its folder name). The
    main roads come from ``source`` (default: the Hanoi roads, for Hanoi runs).
    """
    from planner.formatting import scenario_difference, scenario_parts
    from planner.hanoi import hanoi_areas
    from planner.i18n import Translator
    from planner.maps import pairing_map
    from planner.report import write_report

    t = Translator(lang)
    out = Path(out_dir)
    main = _read_report_folder(out, scheme=scheme, facilities=facilities)
    options = main.scores.get("options") or {}
    other = None
    if compare is not None:
        other = _read_report_folder(Path(compare), scheme=scheme, facilities=facilities)
        compare_name = compare_name or scenario_difference(
            other.scores.get("options") or {}, relative_to=options, lang=lang
        )
        compare_name = compare_name or Path(compare).resolve().name
    hanoi = facilities is None and _is_hanoi(main.facilities)
    graph = road_network(source) if (source is not None or hanoi) else None
    areas = hanoi_areas(scheme=main.scheme) if hanoi else None
    same_units = other is not None and set(other.pairings["unit_id"].astype(str)) == set(
        main.pairings["unit_id"].astype(str)
    )
    m = pairing_map(
        main.pairings,
        main.facilities,
        areas=areas,
        compare=other.pairings if other is not None and same_units else None,
        compare_label=compare_name,
        graph=graph,
        depart=main.scores.get("depart") or options.get("depart"),
        title=_map_title(options, t),
        subtitle=" · ".join(scenario_parts(options, lang=lang)),
        self_contained=True,
        lang=lang,
    )
    return write_report(
        out / "report.html",
        pairings=main.pairings,
        scores=main.scores,
        facilities=main.facilities,
        map=m,
        compare=other.pairings if other is not None else None,
        compare_scores=other.scores if other is not None else None,
        compare_name=compare_name,
        lang=lang,
    )
