"""What the ``planner`` commands do, in terms of the public API: the CLI's glue.

:mod:`planner.app.cli` parses options and reports errors; the functions here select facilities
by level, build the ``matrix`` table, draw a pairing file, render a folder's report and word
the terminal summaries. They call only public functions of the library.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from planner.app.inputs import is_hanoi_registry, load_inputs, road_network, study_area
from planner.app.planning import PlanningRun
from planner.app.scored import ScoredPairing, score_pairings_file
from planner.config import DEFAULT_DEPART, DEFAULT_SCHEME, PEAK_DEPART
from planner.errors import PlannerInputError
from planner.io import detect_scheme
from planner.outputs.formatting import Formatter, map_title, scenario_parts
from planner.outputs.i18n import DEFAULT_LANG, Translator
from planner.pairing.propose import OPTIMALITY_GAP
from planner.places.facilities import load_facilities
from planner.travel.matrix import travel_time_matrix

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
    language of the translation table (:mod:`planner.outputs.i18n`).
    """
    t, f = Translator(lang), Formatter(lang)

    def beside(key: str, fmt: Any) -> str:
        if nearest is None:
            return ""
        return f" ({t('cli.mean_nearest', value=fmt(nearest.get(key)))})"

    def minutes(value: Any) -> str:
        return f.minutes(value, decimals=1)

    def ratio(value: Any) -> str:
        # an infinite ratio: a hospital has no unit (said in words, not as "inf" or "—")
        if isinstance(value, float) and math.isinf(value):
            return t("cli.ratio_idle")
        return f.ratio(value)

    key_mean, key_ratio = "pop_weighted_mean_travel_time_s", "load_ratio_max_min"
    paired = int(overall.get("units", 0)) - int(overall.get("unassigned_units") or 0)
    rows = [
        (t("cli.units"), f.count(paired)),
        (t("cli.mean", time=depart), minutes(overall.get(key_mean)) + beside(key_mean, minutes)),
        (t("cli.longest", time=depart), minutes(overall.get("max_travel_time_s"))),
        (t("cli.within"), f.percent(overall.get("share_population_within_60min"), decimals=1)),
        (t("cli.ratio"), ratio(overall.get(key_ratio)) + beside(key_ratio, ratio)),
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
        seconds=f.number(run.options.request.time_limit_s),
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
    site_rule: str = "nearest",
    peak_depart: str = PEAK_DEPART,
    directions: str = "both",
) -> Path:
    """Draw a pairings CSV (and optionally a second one to compare) as a standalone HTML map.

    Either file may hold only ``unit_id`` and ``hospital_id``: travel times are computed.
    ``compare_name`` names the second pairing in the layers, legend and popups (default: its
    file name); ``lang`` is ``"vi"`` or ``"en"``; ``site_rule`` which site of a hospital
    a pair's trips use (the links end there); ``peak_depart`` and ``directions`` as for
    :func:`planner.app.scored.score_pairings_file`. The map has the what-if panel (districts
    move with their communes when the file pairs them so).
    """
    from planner.config import road_data_date
    from planner.outputs.map.build import pairing_map, save_map
    from planner.outputs.map.whatif import WhatIf
    from planner.places.hanoi import hanoi_areas

    if facilities is None:
        scheme = detect_scheme(pairings_path, scheme)
    graph, fac = load_inputs(
        scheme=scheme, facilities=facilities, source=source, thousands=thousands
    )

    def scored(path: str | os.PathLike[str]) -> ScoredPairing:
        return score_pairings_file(
            path,
            scheme=scheme,
            mode=mode,
            depart=depart,
            facilities=fac,
            graph=graph,
            site_rule=site_rule,
            peak_depart=peak_depart,
            directions=directions,
        )

    main = scored(pairings_path)
    other = scored(compare).pairings if compare is not None else None
    hanoi = facilities is None and is_hanoi_registry(main.facilities)
    scenario = {
        "scheme": main.scheme if facilities is None else None,
        "mode": mode,
        "depart": depart,
        "site_rule": site_rule,
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
        # officials can go on editing a pairing they downloaded from a map
        whatif=WhatIf(
            main.matrix,
            matrix_peak=main.matrix_peak,
            depart=main.depart,
            peak_depart=main.peak_depart,
            directions=main.directions,
            site_rule=main.site_rule,
        ),
    )
    return save_map(m, Path(out))
