"""The officials' report: one standalone ``report.html`` that states the decision first.

Order of the page: the title naming the scenario, one plain paragraph (what is proposed, what
it costs in minutes, what it buys against the nearest-hospital baseline and the pilot, the
hardest units to reach), the decision table (every district, or every unit, with its sister
hospital, its times at both departure times, population, next-best hospital and the cost of
switching), the map, a growth run's new sites and pairs at every hour, the figures beside the alternatives, each hospital's share, charts, the
terms used, assumptions and sources, and a summary of the units placed at approximate
locations (the full list goes to ``approximate_locations.csv`` beside the report).

Everything is inside the file: the self-contained map (as an ``iframe`` ``srcdoc``), the
charts as inline SVG drawn by matplotlib, the tables as HTML from a jinja2 template with
autoescape (``templates/report.html.j2``): names, ids and districts from users are text, never
markup. Labels name the actual departure times of the run ("at 17:30"), never "peak" or
"off-peak". A print stylesheet fits the 2024 demo on a few A4 pages; on a phone the decision
table turns into one card per row.

This module writes the page (:func:`write_report`); its parts live beside it in
:mod:`planner.outputs.report`: the run's scores (``_scores``), the decision table
(:mod:`~planner.outputs.report.decision`), the lead paragraph (``_lead``), why a row that would
be faster elsewhere stays (``_reasons``), the figures, hospitals and people (``_figures``), a
growth run's new sites and pairs at every hour (``_growth``), who is left behind (``_equity``),
the terms, settings, sources and approximate units (``_basis``), the traffic the model ran with
(``_traffic``), the SVG charts (``_charts``), and what every part shares (``_context``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from planner.errors import PlannerInputError
from planner.io.atomic import atomic_path
from planner.io.pairings import with_former_districts
from planner.io.spreadsheet import write_csv
from planner.outputs.formatting import MISSING, Formatter, scenario_parts
from planner.outputs.i18n import DEFAULT_LANG, Translator
from planner.outputs.labels import hospital_palette
from planner.outputs.report._basis import (
    APPROXIMATE_CSV,
    approximate_part,
    approximate_units,
    assumptions_part,
    pin_flags,
    report_title,
    sources_part,
    speeds_part,
    terms_part,
)
from planner.outputs.report._context import Context
from planner.outputs.report._equity import equity_part
from planner.outputs.report._figures import (
    capacity_notes,
    figures_part,
    hospital_order,
    hospitals_part,
    people_part,
    site_notes,
)
from planner.outputs.report._growth import growth_part
from planner.outputs.report._lead import lead_part
from planner.outputs.report._reasons import stay_reasons
from planner.outputs.report._scores import read_scores
from planner.outputs.report._traffic import traffic_part
from planner.outputs.report.decision import decision_part, decision_table, other_lookup
from planner.places.hanoi.ids import registry_scheme
from planner.places.sites import hospital_of

if TYPE_CHECKING:
    from planner.pairing.siting import SitingFigures

log = logging.getLogger(__name__)


def _by_district(options: Mapping[str, Any], facilities: pd.DataFrame) -> bool:
    """Decide per district (2024), not per unit (the 2025 units, which are the decision)."""
    scheme = options.get("scheme")
    if scheme is None and "scheme" in facilities and len(facilities):
        scheme = str(facilities["scheme"].iloc[-1])
    return str(scheme) != "2025"


def _resolve_target(out: str | Path) -> Path:
    out = Path(out)
    if out.is_dir() or not out.suffix:
        return out / "report.html"
    return out


def write_report(
    out: str | Path,
    *,
    pairings: pd.DataFrame,
    scores: Any,
    facilities: pd.DataFrame,
    map: Any = None,
    assumptions: Mapping[str, Any] | None = None,
    compare: pd.DataFrame | None = None,
    compare_scores: Any = None,
    compare_name: str | None = None,
    graph: Any = None,
    lang: str = DEFAULT_LANG,
    siting: SitingFigures | None = None,
    robust: pd.DataFrame | None = None,
    max_travel_time_s: float | None = None,
) -> Path:
    """Write the standalone ``report.html`` for officials and return its path.

    Beside it, ``approximate_locations.csv`` lists the units placed at a commune or district
    centre (the report shows their count per district).

    Parameters
    ----------
    out
        A folder (the file is ``report.html`` in it) or the file path itself.
    pairings
        The pairing to report (pairing contract).
    scores
        :func:`planner.pairing.scoring.score_pairings` result, or the dict of ``scores.json`` (with
        its ``baselines``, ``options``, ``depart``/``peak_depart``/``directions`` and
        ``per_pair`` times at the comparison departure). The figures are shown as scored;
        only the travel-time chart reads the pairing's per-unit ``travel_time_s``.
    facilities
        The facility table the pairing was made with.
    map
        A :func:`planner.outputs.map.pairing_map` to embed; ``None`` draws one (self-contained).
    assumptions
        Run settings (``scheme``, ``mode``, ``depart``, ``objective``, ``balance``...), over
        the ``options`` of ``scores.json``; they name the scenario in the title. Settings the
        report has no words for are left out of its settings list (the run's files keep them).
    compare
        A second pairing: drawn on the map when ``map`` is ``None`` (same units only). With
        ``compare_scores``, a second scenario shown side by side in the tables (matched by
        unit, or by district when the units differ, e.g. 2024 against 2025).
    compare_scores
        The scores of ``compare`` (as ``scores``).
    compare_name
        What the second scenario is called (e.g. "17:30" or "officials' draft").
    graph
        The road graph, for the offline background of main roads when the map is drawn here.
    lang
        ``"vi"`` (default) or ``"en"`` for the labels; place names stay Vietnamese.
    siting
        What a growth run chose of its candidate sites
        (:attr:`planner.pairing.siting.SitingResult.figures`, or read back from ``scores.json``
        with :meth:`~planner.pairing.siting.SitingFigures.from_dict`): the report then says which
        opened, the gain against the network without them, a table per candidate and, over a
        range of ``k``, what each extra site buys (``_growth``).
    robust
        A growth run's pairs at every hour (:func:`planner.pairing.robust.robust_pairs`): the
        report names the pairs the other hours would break.
    max_travel_time_s
        The run's maximum travel time, which those pairs break.

    Returns
    -------
    pathlib.Path
        The report's path.

    Examples
    --------
    >>> import tempfile, warnings
    >>> from planner.places.hanoi import hanoi_facilities
    >>> from planner.roads.network import hanoi_network
    >>> from planner.pairing.explain import nearest_pairings
    >>> from planner.pairing.scoring import score_pairings
    >>> from planner.travel.matrix import pair_travel_times
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # units placed at population centres
    ...     fac = hanoi_facilities(scheme="2025")
    >>> hospitals, units = fac[fac.level == "regional"], fac[fac.level != "regional"]
    >>> matrix = pair_travel_times(hanoi_network(), hospitals, units)
    >>> pairings = nearest_pairings(units, hospitals, matrix)
    >>> scores = score_pairings(pairings, matrix, units=units, hospitals=hospitals)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_report(folder, pairings=pairings, scores=scores, facilities=fac,
    ...                         assumptions={"scheme": "2025", "mode": "car", "depart": "10:00"})
    ...     print(path.name)
    report.html
    """
    # The map (folium), the charts (matplotlib) and the page (jinja2) load only when a report is
    # written: `planner propose` and scores.json use this module's helpers without them.
    from planner.outputs._templates import render
    from planner.outputs.map.build import map_html, pairing_map
    from planner.outputs.report._charts import charts_part

    t, f = Translator(lang), Formatter(lang)
    main = read_scores(scores)
    if main.per_hospital is None:
        raise PlannerInputError(
            "the scores carry no per-hospital figures",
            field="per_hospital",
            hint="pass score_pairings(...) or the scores.json written by `planner propose`",
        )
    options = {**main.options, **(assumptions or {})}
    main = dataclasses.replace(main, options=options)
    other = None
    if compare_scores is not None:
        if compare is None:
            raise PlannerInputError(
                "compare_scores needs the compared pairing",
                field="compare",
                hint="pass compare=<the other pairing> with compare_scores",
            )
        other = read_scores(compare_scores)
        compare_name = compare_name or t("map.compare")
    used = (
        pd.concat(
            [pairings["hospital_id"], compare["hospital_id"] if compare is not None else None]
        )
        .dropna()
        .astype(str)
    )
    fac_ids = facilities["facility_id"].astype(str)
    hosp = facilities[fac_ids.isin(set(used)) | (facilities["level"] == "regional")]
    former = registry_scheme(facilities) == "2025"
    ctx = Context(
        t=t,
        f=f,
        names=dict(zip(hospital_of(hosp), hosp["name"].astype(str), strict=True)),
        palette=hospital_palette(hosp),
        former=former,
        per_unit=options.get("nearest_by") == "unit" or options.get("hierarchical") is False,
    )
    rows = decision_table(
        pairings, peak_times=main.peak_times, by_district=_by_district(options, facilities)
    )
    other_cols = None
    if other is not None and compare is not None:
        by_district = _by_district(other.options, facilities)
        other_rows = decision_table(compare, peak_times=other.peak_times, by_district=by_district)
        hospitals, times = other_lookup(rows, compare, other_rows)
        other_cols = (hospitals, times, compare_name or "")
    title = report_title(options, t)
    scenario = scenario_parts(options, lang=lang)
    if map is None:
        same_units = compare is not None and set(compare["unit_id"].astype(str)) == set(
            pairings["unit_id"].astype(str)
        )
        map = pairing_map(
            pairings,
            facilities,
            compare=compare if same_units else None,
            compare_label=compare_name,
            graph=graph,
            trip=main.trip,
            title=title,
            subtitle=" · ".join(scenario),
            self_contained=True,
            lang=lang,
        )
    per_hospital = hospital_order(main.per_hospital, ctx)  # checked above: not None
    has_pilot, has_fixed = pin_flags(pairings)
    changed = 0
    if other_cols is not None:
        changed = int(
            (
                other_cols[0].astype(object).fillna("")
                != rows["hospital_id"].astype(object).fillna("")
            ).sum()
        )
    approx = approximate_units(pairings, facilities)
    reasons, stay_lead = stay_reasons(pairings, rows, main, facilities, ctx)
    traffic = traffic_part(main, options, ctx)
    versus = None
    if other is not None:
        versus = {"name": compare_name, "scenario": scenario_parts(other.options, lang=lang)}
    page = render(
        "report.html.j2",
        lang=lang,
        t=t,
        f=f,
        page_title=f"{title} — {' · '.join(scenario)}" if scenario else title,
        title=title,
        scenario=scenario,
        versus=versus,
        lead=[
            *lead_part(
                pairings,
                rows,
                main,
                ctx,
                other=(other, compare_name or "", changed) if other is not None else None,
            ),
            stay_lead,
        ],
        decision=decision_part(
            rows,
            ctx,
            at=main.depart,
            at_peak=main.peak_depart,
            other=other_cols,
            reasons=reasons,
        ),
        map_page=map_html(map),
        growth=growth_part(
            siting,
            robust,
            ctx,
            pairings=pairings,
            at=main.depart or MISSING,
            max_travel_time_s=max_travel_time_s,
        ),
        figures=figures_part(
            main, ctx, other=(other, compare_name or "") if other is not None else None
        ),
        hospitals=hospitals_part(
            per_hospital,
            main,
            ctx,
            sites=[
                *site_notes(pairings, hosp, per_hospital, main, ctx),
                *capacity_notes(main, ctx),
            ],
        ),
        charts=charts_part(pairings, per_hospital, ctx, at=main.depart or MISSING),
        people=people_part(main, ctx, pairings),
        equity=equity_part(main, ctx),
        terms=terms_part(ctx, main, pilot=has_pilot, fixed=has_fixed),
        assumptions=assumptions_part(
            main, options, ctx, pairings=pairings, traffic=traffic[0] if traffic else None
        ),
        traffic=traffic[1] if traffic else None,
        speeds=speeds_part(options.get("mode"), ctx),
        sources=sources_part(ctx, options),
        approximate=approximate_part(approx, len(pairings), ctx),
    )
    target = _resolve_target(out)
    if not approx.empty:
        write_csv(with_former_districts(approx, former=former), target.parent / APPROXIMATE_CSV)
    with atomic_path(target) as tmp:
        tmp.write_text(str(page), encoding="utf-8")
    return target


__all__ = ["write_report"]
