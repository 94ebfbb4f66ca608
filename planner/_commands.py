"""What the ``planner`` commands do, in terms of the public API: the CLI's glue.

:mod:`planner.cli` parses options and reports errors; the functions here select facilities
by level, build the ``matrix`` table, draw a pairing file, render a folder's report and word
the terminal summaries. They call only public functions of the library.
"""

from __future__ import annotations

import json
import math
import os
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from planner.config import DEFAULT_DEPART, DEFAULT_SCHEME
from planner.errors import PlannerInputError
from planner.facilities import load_facilities
from planner.io import detect_scheme, read_pairings
from planner.travel import travel_time_matrix
from planner.workflow import (
    SCORED_COLUMNS,
    PlanningRun,
    ScoredPairing,
    facilities_for,
    load_inputs,
    road_network,
    score_pairings_file,
    study_area,
)

#: Level keywords accepted wherever facilities are selected (``planner matrix --origins``).
LEVEL_KEYWORDS = ("regional", "district", "commune", "units", "all")


def select_level(selector: str, fac: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
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
    facilities: str | os.PathLike[str] | None = None,
    source: str | os.PathLike[str] | None = None,
    thousands: str | None = None,
) -> pd.DataFrame:
    """The ``planner matrix`` table: a long travel-time matrix with facility names.

    ``origins``/``destinations`` are level keywords of the registry (or of ``facilities``) or
    paths to facility files (checked against the roads' area, anywhere on Earth).
    """
    for selector, option in ((origins, "--origins"), (destinations, "--destinations")):
        if selector not in LEVEL_KEYWORDS and not Path(selector).exists():
            raise PlannerInputError(
                f"{selector!r} is neither a level nor an existing file",
                field=option,
                hint=f"use one of {', '.join(LEVEL_KEYWORDS)} or a facility file path",
            )
    graph = road_network(source)
    base: gpd.GeoDataFrame | None = None

    def pick(selector: str, option: str) -> gpd.GeoDataFrame:
        nonlocal base
        if selector not in LEVEL_KEYWORDS:
            return load_facilities(selector, area=study_area(graph), thousands=thousands)
        if base is None:
            _, base = load_inputs(
                scheme=scheme, facilities=facilities, graph=graph, source=source,
                thousands=thousands,
            )  # fmt: skip
        chosen = select_level(selector, base)
        if chosen.empty:
            raise PlannerInputError(
                f"no facility of level {selector!r}",
                field=option,
                hint="choose another level or give a facility file",
            )
        return chosen

    orig = pick(origins, "--origins")
    dest = pick(destinations, "--destinations")
    table = travel_time_matrix(graph, orig, dest, mode=mode, depart=depart)
    names_o = dict(zip(orig["facility_id"], orig["name"], strict=True))
    names_d = dict(zip(dest["facility_id"], dest["name"], strict=True))
    table.insert(1, "origin_name", table["origin_id"].map(names_o))
    table.insert(3, "destination_name", table["destination_id"].map(names_d))
    return table


def _minutes(value: float | None) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value / 60:.1f} min"


def summary(
    title: str,
    overall: Mapping[str, Any],
    *,
    nearest: Mapping[str, Any] | None = None,
    files: Sequence[Path] = (),
) -> str:
    """A few lines for the terminal: the headline figures of a pairing, and its files.

    The same lines for ``planner propose``/``demo`` (a proposal) and ``planner score`` (a
    pairing made elsewhere), each beside the nearest-hospital baseline when given.
    """

    def beside(key: str, fmt: Any) -> str:
        return "" if nearest is None else f" (nearest hospital: {fmt(nearest.get(key))})"

    def ratio(value: float | None) -> str:
        return "n/a" if value is None or not math.isfinite(value) else f"{value:.2f}"

    def share(value: float | None) -> str:
        return "n/a" if value is None or not math.isfinite(value) else f"{value:.1%}"

    key_mean, key_ratio = "pop_weighted_mean_travel_time_s", "load_ratio_max_min"
    paired = int(overall.get("units", 0)) - int(overall.get("unassigned_units") or 0)
    lines = [
        title,
        f"  units paired:           {paired}",
        f"  pop-weighted mean time: {_minutes(overall.get(key_mean))}{beside(key_mean, _minutes)}",
        f"  max travel time:        {_minutes(overall.get('max_travel_time_s'))}",
        f"  population within 60 min: {share(overall.get('share_population_within_60min'))}",
        f"  load ratio max/min:     {ratio(overall.get(key_ratio))}{beside(key_ratio, ratio)}",
    ]
    if files:
        lines += ["Files:", *(f"  {path}" for path in files)]
    return "\n".join(lines)


def _facilities_label(fac: gpd.GeoDataFrame, scheme: str) -> str:
    """ "scheme 2024" for the Hanoi registry, "your facilities" for a user's."""
    in_scheme = "scheme" in fac.columns and bool((fac["scheme"].astype(str) == scheme).any())
    return f"scheme {scheme}" if in_scheme else "your facilities"


def _trips(directions: str) -> str:
    """Which trips a pair's time is made of, in words for the terminal."""
    return {
        "both": "time = mean of the trips both ways",
        "to_unit": "time = hospital to unit",
        "to_hospital": "time = unit to hospital",
    }[directions]


def run_summary(run: PlanningRun, paths: Mapping[str, Path]) -> str:
    """The terminal summary of ``planner demo``/``propose``."""
    o = run.options
    title = (
        f"Sister-hospital pairing, {_facilities_label(run.facilities, o.scheme)}, {o.mode} "
        f"at {o.depart}, {_trips(o.directions)}: {run.proposal.status_text}"
    )
    return summary(
        title, run.scores.overall, nearest=run.nearest_scores.overall, files=list(paths.values())
    )


def scored_summary(
    scored: ScoredPairing, source_file: str | os.PathLike[str], paths: Mapping[str, Path]
) -> str:
    """The terminal summary of ``planner score``."""
    title = (
        f"Pairing {source_file}, {_facilities_label(scored.facilities, scored.scheme)}, "
        f"{scored.mode} at {scored.depart}, {_trips(scored.directions)}: scored"
    )
    nearest = None if scored.nearest_scores is None else scored.nearest_scores.overall
    return summary(title, scored.scores.overall, nearest=nearest, files=list(paths.values()))


def map_file(
    pairings_path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    compare: str | os.PathLike[str] | None = None,
    routes: bool = False,
    self_contained: bool = True,
    scheme: str = DEFAULT_SCHEME,
    mode: str = "car",
    depart: str = DEFAULT_DEPART,
    facilities: str | os.PathLike[str] | None = None,
    source: str | os.PathLike[str] | None = None,
    thousands: str | None = None,
) -> Path:
    """Draw a pairings CSV (and optionally a second one to compare) as a standalone HTML map.

    Either file may hold only ``unit_id`` and ``hospital_id``: travel times are computed.
    """
    from planner.hanoi import hanoi_areas
    from planner.maps import pairing_map, save_map

    if facilities is None:
        scheme = detect_scheme(pairings_path, scheme)
    graph, fac = load_inputs(
        scheme=scheme, facilities=facilities, source=source, thousands=thousands
    )
    options = {"scheme": scheme, "mode": mode, "depart": depart, "facilities": fac}
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
    return save_map(m, Path(out))


def report_dir(
    out_dir: str | os.PathLike[str],
    *,
    scheme: str = DEFAULT_SCHEME,
    facilities: str | os.PathLike[str] | None = None,
    source: str | os.PathLike[str] | None = None,
    thousands: str | None = None,
) -> Path:
    """Write ``report.html`` from a folder holding ``pairings.csv`` and ``scores.json``.

    A folder holding only a pairing (made by hand, or without its scores) is refused with
    the exact ``planner score`` command that completes it.
    """
    from planner.hanoi import hanoi_areas
    from planner.maps import pairing_map
    from planner.report import write_report

    out = Path(out_dir)
    pairings_path = out / "pairings.csv"
    scores_path = out / "scores.json"
    if not pairings_path.exists():
        raise PlannerInputError(
            "file not found",
            file=pairings_path,
            hint=f"run `planner propose --out {shlex.quote(str(out))}` first, or put a "
            "pairing there and score it with `planner score`",
        )
    if facilities is None:
        scheme = detect_scheme(pairings_path, scheme)
    fac = facilities_for(scheme, facilities, thousands=thousands)  # already checked when scored
    table = read_pairings(pairings_path, fac)
    incomplete = [c for c in SCORED_COLUMNS if c not in table.columns]
    if incomplete or not scores_path.exists():
        missing = (
            f"{scores_path.name} is missing" if not scores_path.exists() else "it is incomplete"
        )
        command = _score_command(out, scheme=scheme, facilities=facilities, source=source)
        raise PlannerInputError(
            f"the folder holds a pairing but {missing}"
            + (f" (no {', '.join(incomplete)} in {pairings_path.name})" if incomplete else ""),
            file=out,
            hint=f"score it first, then make the report: `{command} && planner report "
            f"{shlex.quote(str(out))}`",
        )
    try:
        scores = json.loads(scores_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise PlannerInputError(
            f"not valid JSON ({exc})",
            file=scores_path,
            hint="re-run `planner propose` (or `planner score ... --out DIR`) to rewrite it",
        ) from None
    areas = hanoi_areas(scheme=scheme) if facilities is None else None
    m = pairing_map(table, fac, areas=areas, self_contained=True)
    return write_report(out / "report.html", pairings=table, scores=scores, facilities=fac, map=m)


def _score_command(
    folder: Path,
    *,
    scheme: str,
    facilities: str | os.PathLike[str] | None,
    source: str | os.PathLike[str] | None,
) -> str:
    """The ``planner score`` command that turns a folder's pairing into a report folder."""
    words = ["planner", "score", str(folder / "pairings.csv"), "--out", str(folder)]
    if facilities is not None:
        words += ["--facilities", str(facilities)]
    elif scheme != DEFAULT_SCHEME:
        words += ["--scheme", scheme]
    if source is not None:
        words += ["--source", str(source)]
    return shlex.join(words)
