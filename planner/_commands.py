"""What the ``planner`` commands do, in terms of the public API: the CLI's glue.

:mod:`planner.cli` parses options and reports errors; the functions here select facilities
by level, build the ``matrix`` table, draw a pairing file, render a folder's report and word
the terminal summaries. They call only public functions of the library.
"""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from planner.config import DEFAULT_DEPART, DEFAULT_SCHEME
from planner.errors import PlannerInputError
from planner.facilities import load_facilities
from planner.formatting import Formatter, map_title, scenario_difference, scenario_parts
from planner.i18n import DEFAULT_LANG, Translator
from planner.io import detect_scheme, read_pairings
from planner.pairing import OPTIMALITY_GAP
from planner.report import road_data_date
from planner.travel import travel_time_matrix
from planner.workflow import (
    SCORED_COLUMNS,
    PlanningRun,
    ScoredPairing,
    facilities_for,
    is_hanoi_registry,
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


def summary(
    title: str,
    overall: Mapping[str, Any],
    *,
    depart: str,
    nearest: Mapping[str, Any] | None = None,
    files: Sequence[Path] = (),
    lang: str = DEFAULT_LANG,
) -> str:
    """A few lines for the terminal: the headline figures of a pairing, and its files.

    The same lines for ``planner propose``/``demo`` (a proposal) and ``planner score`` (a
    pairing made elsewhere), each beside the nearest-hospital baseline when given, in the
    language of the translation table (:mod:`planner.i18n`).
    """
    t, f = Translator(lang), Formatter(lang)

    def beside(key: str, fmt: Any) -> str:
        if nearest is None:
            return ""
        return f" ({t('cli.mean_nearest', value=fmt(nearest.get(key)))})"

    def minutes(value: Any) -> str:
        return f.minutes(value, decimals=1)

    key_mean, key_ratio = "pop_weighted_mean_travel_time_s", "load_ratio_max_min"
    paired = int(overall.get("units", 0)) - int(overall.get("unassigned_units") or 0)
    rows = [
        (t("cli.units"), f.count(paired)),
        (t("cli.mean", time=depart), minutes(overall.get(key_mean)) + beside(key_mean, minutes)),
        (t("cli.longest", time=depart), minutes(overall.get("max_travel_time_s"))),
        (t("cli.within"), f.percent(overall.get("share_population_within_60min"), decimals=1)),
        (t("cli.ratio"), f.ratio(overall.get(key_ratio)) + beside(key_ratio, f.ratio)),
    ]
    width = max(len(label) for label, _ in rows) + 1
    lines = [title, *(f"  {label + ':':<{width}} {value}" for label, value in rows)]
    if files:
        lines += [t("cli.files"), *(f"  {path}" for path in files)]
    return "\n".join(lines)


def _scenario(
    fac: gpd.GeoDataFrame, *, scheme: str, mode: str, depart: str, directions: str, lang: str
) -> str:
    """The scenario in words: the scheme for the Hanoi registry ("your facilities" for a
    user's), the travel, and which trips a pair's time is made of."""
    t = Translator(lang)
    in_scheme = "scheme" in fac.columns and bool((fac["scheme"].astype(str) == scheme).any())
    options = {"scheme": scheme if in_scheme else None, "mode": mode, "depart": depart}
    parts = scenario_parts(options, lang=lang)
    if not in_scheme:
        parts.insert(0, t("cli.your_facilities"))
    return ", ".join([*parts, t(f"cli.trips.{directions}")])


def _status(run: PlanningRun, lang: str) -> str:
    """The solver's verdict in words: optimal only when proven at the stated gap."""
    t, f = Translator(lang), Formatter(lang)
    proposal = run.proposal
    if proposal.status == "optimal":
        return t("cli.status.optimal", gap=f"{OPTIMALITY_GAP:g}")
    return t(
        "cli.status.time_limit",
        seconds=f.number(run.options.time_limit_s),
        gap=f.percent(proposal.mip_gap, decimals=4),
    )


def run_summary(run: PlanningRun, paths: Mapping[str, Path], *, lang: str = DEFAULT_LANG) -> str:
    """The terminal summary of ``planner demo``/``propose``."""
    o = run.options
    scenario = _scenario(
        run.facilities, scheme=o.scheme, mode=o.mode, depart=o.depart, directions=o.directions,
        lang=lang,
    )  # fmt: skip
    title = Translator(lang)("cli.summary_head", scenario=scenario, status=_status(run, lang))
    return summary(
        title,
        run.scores.overall,
        depart=o.depart,
        nearest=run.nearest_scores.overall,
        files=list(paths.values()),
        lang=lang,
    )


def scored_summary(
    scored: ScoredPairing,
    source_file: str | os.PathLike[str],
    paths: Mapping[str, Path],
    *,
    lang: str = DEFAULT_LANG,
) -> str:
    """The terminal summary of ``planner score``."""
    scenario = _scenario(
        scored.facilities, scheme=scored.scheme, mode=scored.mode, depart=scored.depart,
        directions=scored.directions, lang=lang,
    )  # fmt: skip
    title = Translator(lang)("cli.score_head", file=str(source_file), scenario=scenario)
    nearest = None if scored.nearest_scores is None else scored.nearest_scores.overall
    return summary(
        title,
        scored.scores.overall,
        depart=scored.depart,
        nearest=nearest,
        files=list(paths.values()),
        lang=lang,
    )


def map_file(
    pairings_path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    compare: str | os.PathLike[str] | None = None,
    compare_name: str | None = None,
    routes: bool = False,
    self_contained: bool = True,
    scheme: str = DEFAULT_SCHEME,
    mode: str = "car",
    depart: str = DEFAULT_DEPART,
    facilities: str | os.PathLike[str] | None = None,
    source: str | os.PathLike[str] | None = None,
    thousands: str | None = None,
    lang: str = DEFAULT_LANG,
) -> Path:
    """Draw a pairings CSV (and optionally a second one to compare) as a standalone HTML map.

    Either file may hold only ``unit_id`` and ``hospital_id``: travel times are computed.
    ``compare_name`` names the second pairing in the layers, legend and popups (default: its
    file name); ``lang`` is ``"vi"`` or ``"en"``.
    """
    from planner.hanoi import hanoi_areas
    from planner.maps import pairing_map, save_map

    if facilities is None:
        scheme = detect_scheme(pairings_path, scheme)
    graph, fac = load_inputs(
        scheme=scheme, facilities=facilities, source=source, thousands=thousands
    )

    def scored(path: str | os.PathLike[str]) -> ScoredPairing:
        return score_pairings_file(
            path, scheme=scheme, mode=mode, depart=depart, facilities=fac, graph=graph
        )

    main = scored(pairings_path)
    other = scored(compare).pairings if compare is not None else None
    hanoi = facilities is None and is_hanoi_registry(main.facilities)
    scenario = {
        "scheme": main.scheme if facilities is None else None,
        "mode": mode,
        "depart": depart,
        "roads_date": road_data_date(graph.source),
        "region": "Hanoi" if hanoi else None,
    }
    m = pairing_map(
        main.pairings,
        main.facilities,
        areas=hanoi_areas(scheme=main.scheme) if hanoi else None,
        compare=other,
        compare_label=compare_name or (Path(compare).stem if compare else None),
        links="routes" if routes else "straight",
        graph=graph,
        mode=mode,
        depart=depart,
        title=map_title(scenario, lang=lang),
        subtitle=" · ".join(scenario_parts(scenario, lang=lang)),
        self_contained=self_contained,
        lang=lang,
    )
    return save_map(m, Path(out))


@dataclass(frozen=True)
class _ReportFolder:
    """``pairings.csv`` and ``scores.json`` of a folder written by ``propose`` or ``score``."""

    pairings: pd.DataFrame
    scores: dict[str, Any]
    facilities: gpd.GeoDataFrame
    scheme: str


def _read_report_folder(
    folder: Path,
    *,
    scheme: str,
    facilities: str | os.PathLike[str] | None,
    source: str | os.PathLike[str] | None,
    thousands: str | None,
) -> _ReportFolder:
    """Read a report folder; a folder holding only a pairing (made by hand, or without its
    scores) is refused with the exact ``planner score`` command that completes it."""
    pairings_path = folder / "pairings.csv"
    scores_path = folder / "scores.json"
    if not pairings_path.exists():
        raise PlannerInputError(
            "file not found",
            file=pairings_path,
            hint=f"run `planner propose --out {shlex.quote(str(folder))}` first, or put a "
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
        command = _score_command(folder, scheme=scheme, facilities=facilities, source=source)
        raise PlannerInputError(
            f"the folder holds a pairing but {missing}"
            + (f" (no {', '.join(incomplete)} in {pairings_path.name})" if incomplete else ""),
            file=folder,
            hint=f"score it first, then make the report: `{command} && planner report "
            f"{shlex.quote(str(folder))}`",
        )
    try:
        scores = json.loads(scores_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise PlannerInputError(
            f"not valid JSON ({exc})",
            file=scores_path,
            hint="re-run `planner propose` (or `planner score ... --out DIR`) to rewrite it",
        ) from None
    if not isinstance(scores, dict):
        raise PlannerInputError(
            "not a scores document", file=scores_path, hint="re-run `planner propose`"
        )
    return _ReportFolder(table, scores, fac, scheme)


def report_dir(
    out_dir: str | os.PathLike[str],
    *,
    scheme: str = DEFAULT_SCHEME,
    facilities: str | os.PathLike[str] | None = None,
    source: str | os.PathLike[str] | None = None,
    thousands: str | None = None,
    compare: str | os.PathLike[str] | None = None,
    compare_name: str | None = None,
    lang: str = DEFAULT_LANG,
) -> Path:
    """Write ``report.html`` from a folder holding ``pairings.csv`` and ``scores.json``.

    With ``compare`` (another such folder: another time, scheme, or a hand-made pairing) the
    report shows both scenarios side by side and the units that change; ``compare_name``
    names the other one (default: what differs in its settings, else its folder name). The
    main roads come from ``source`` (default: the Hanoi roads, for Hanoi runs).
    """
    from planner.hanoi import hanoi_areas
    from planner.maps import pairing_map
    from planner.report import write_report

    out = Path(out_dir)
    folder_options = {"scheme": scheme, "facilities": facilities, "source": source}
    main = _read_report_folder(out, thousands=thousands, **folder_options)
    options = main.scores.get("options") or {}
    other = None
    if compare is not None:
        other = _read_report_folder(Path(compare), thousands=thousands, **folder_options)
        compare_name = compare_name or scenario_difference(
            other.scores.get("options") or {}, relative_to=options, lang=lang
        )
        compare_name = compare_name or Path(compare).resolve().name
    hanoi = facilities is None and is_hanoi_registry(main.facilities)
    graph = road_network(source) if (source is not None or hanoi) else None
    same_units = other is not None and set(other.pairings["unit_id"].astype(str)) == set(
        main.pairings["unit_id"].astype(str)
    )
    m = pairing_map(
        main.pairings,
        main.facilities,
        areas=hanoi_areas(scheme=main.scheme) if hanoi else None,
        compare=other.pairings if other is not None and same_units else None,
        compare_label=compare_name,
        graph=graph,
        depart=main.scores.get("depart") or options.get("depart"),
        title=map_title(options, lang=lang),
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
