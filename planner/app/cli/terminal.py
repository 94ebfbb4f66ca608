"""What the ``planner`` command prints: status lines, errors wrapped whole, and the summaries of
a pairing in the language of ``--lang`` (the library itself never prints)."""

from __future__ import annotations

import math
import os
import re
import sys
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.outputs.i18n import DEFAULT_LANG

if TYPE_CHECKING:
    import geopandas as gpd

    from planner.app.pipeline.planning import PlanningRun
    from planner.app.pipeline.scored import ScoredPairing
    from planner.requests import TripRule


def say(text: str) -> None:
    """The command's own output to the user, on standard output."""
    print(text)


def note(text: str, out: object) -> None:
    """A status line: on stdout, unless stdout carries the output itself (``--out -``)."""
    from planner.io.atomic import is_stdout

    print(text, file=sys.stderr if is_stdout(out) else sys.stdout)


def wrap(message: str) -> str:
    """Wrap a message at 100 columns, never inside a `command` (it must copy-paste whole)."""
    keep = re.sub(r"`[^`]+`", lambda m: m.group().replace(" ", "\0"), message)
    return textwrap.fill(keep, width=100, break_long_words=False, break_on_hyphens=False).replace(
        "\0", " "
    )


def summary(
    title: str,
    overall: Mapping[str, Any],
    *,
    at: str,
    nearest: Mapping[str, Any] | None = None,
    files: Sequence[Path] = (),
    lang: str = DEFAULT_LANG,
) -> str:
    """A few lines for the terminal: the headline figures of a pairing, and its files.

    The same lines for ``planner propose``/``demo`` (a proposal) and ``planner score`` (a
    pairing made elsewhere), each beside the nearest-hospital baseline when given, in the
    language of the translation table (:mod:`planner.outputs.i18n`); ``at`` (``HH:MM``)
    labels the times.
    """
    from planner.outputs.formatting import Formatter
    from planner.outputs.i18n import Translator

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
        (t("cli.mean", time=at), minutes(overall.get(key_mean)) + beside(key_mean, minutes)),
        (t("cli.longest", time=at), minutes(overall.get("max_travel_time_s"))),
        (t("cli.within"), f.percent(overall.get("share_population_within_60min"), decimals=1)),
        (t("cli.ratio"), ratio(overall.get(key_ratio)) + beside(key_ratio, ratio)),
    ]
    width = max(len(label) for label, _ in rows) + 1
    lines = [title, *(f"  {label + ':':<{width}} {value}" for label, value in rows)]
    if files:
        lines += [t("cli.files"), *(f"  {path}" for path in files)]
    return "\n".join(lines)


def _scenario(fac: gpd.GeoDataFrame, *, scheme: str, trip: TripRule, lang: str) -> str:
    """The scenario in words: the scheme for the Hanoi registry ("your facilities" for a
    user's), the travel, and which trips a pair's time is made of."""
    from planner.outputs.formatting import scenario_parts
    from planner.outputs.i18n import Translator

    t = Translator(lang)
    in_scheme = "scheme" in fac.columns and bool((fac["scheme"].astype(str) == scheme).any())
    options = {"scheme": scheme if in_scheme else None, "mode": trip.mode, "depart": trip.depart}
    parts = scenario_parts(options, lang=lang)
    if not in_scheme:
        parts.insert(0, t("cli.your_facilities"))
    return ", ".join([*parts, t(f"cli.trips.{trip.directions}")])


def _status(run: PlanningRun, lang: str) -> str:
    """The solver's verdict in words: optimal only when proven at the stated gap."""
    from planner.outputs.formatting import solver_status

    return solver_status(
        run.proposal.status,
        mip_gap=run.proposal.mip_gap,
        time_limit_s=run.options.request.time_limit_s,
        lang=lang,
    )


def run_summary(run: PlanningRun, paths: Mapping[str, Path], *, lang: str = DEFAULT_LANG) -> str:
    """The terminal summary of ``planner demo``/``propose``."""
    from planner.outputs.i18n import Translator

    o = run.options
    scenario = _scenario(run.facilities, scheme=o.scheme, trip=o.trip, lang=lang)
    title = Translator(lang)("cli.summary_head", scenario=scenario, status=_status(run, lang))
    return summary(
        title,
        run.scores.overall,
        at=o.trip.depart,
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
    from planner.outputs.i18n import Translator

    scenario = _scenario(scored.facilities, scheme=scored.scheme, trip=scored.trip, lang=lang)
    title = Translator(lang)("cli.score_head", file=str(source_file), scenario=scenario)
    nearest = None if scored.nearest_scores is None else scored.nearest_scores.overall
    return summary(
        title,
        scored.scores.overall,
        at=scored.trip.depart,
        nearest=nearest,
        files=list(paths.values()),
        lang=lang,
    )
