"""Hostile names, ids and districts never become markup or script in the map or the report.

A corpus of payloads (HTML tags with event handlers, closing script tags, attribute breakers,
``javascript:`` URLs, template syntax, TeX, spreadsheet formulas) is put into real Hanoi
facilities' names, ids and districts and run through the public API the CLI and the notebooks
use: ``plan`` (propose and score), ``propose_pairings``, ``score_pairings``, ``pairing_map``,
``write_report``, ``write_outputs`` and ``report_dir``. The files must hold no live payload, and
Chromium (network cut) hovers and clicks every shape of the map and of the report's map: no
script may run (each payload sets ``window.__pwned``) and the text must show literally.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.app.pipeline import PlanOptions, plan, write_outputs
from planner.outputs.map import map_html, pairing_map, save_map
from planner.outputs.report import write_report
from planner.pairing.propose import propose_pairings
from planner.pairing.scoring import score_pairings
from planner.places.hanoi import hanoi_areas
from planner.travel import pair_travel_times

PAYLOADS = (
    '<img src=x onerror="window.__pwned=1">',
    "<script>window.__pwned=2</script>",
    '"><svg onload="window.__pwned=3">',
    "javascript:window.__pwned=4",
    "</script><script>window.__pwned=5</script>",
    "' onmouseover='window.__pwned=6' x='",
    '<a href="javascript:window.__pwned=7">link</a>',
    "{{ 7*7 }} {% raw %}",
    "$\\frac{1}{2}$ ${x}",
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "@SUM(A1)",
)
#: What must never appear verbatim in a file: the payloads' live markup.
LIVE = re.compile(r"<img src=x|<script>window|<svg onload|<a href=\"javascript", re.I)
DISTRICTS = ("Quận Hoàn Kiếm", "Quận Ba Đình", "Huyện Gia Lâm")


def hostile(text_index: int, label: str) -> str:
    return f"{PAYLOADS[text_index % len(PAYLOADS)]} {label}"


@pytest.fixture(scope="module")
def facilities(registry_2024) -> pd.DataFrame:
    """The 4 hospitals (7 sites) and 3 districts' units with hostile names, ids, districts,
    site names and a hostile hospital id (the sites of a hospital share its hostile name)."""
    fac = registry_2024[
        (registry_2024["level"] == "regional") | registry_2024["district"].isin(DISTRICTS)
    ].copy()
    fac = fac.reset_index(drop=True)
    fac["name"] = [hostile(i, f"#{i}") for i in range(len(fac))]
    regional = (fac["level"] == "regional").to_numpy()
    fac.loc[regional, "name"] = fac.loc[regional, "hospital_id"].map(
        {h: hostile(i, f"hospital{i}") for i, h in enumerate(fac.loc[regional, "hospital_id"])}
    )
    fac.loc[regional, "site_name"] = [hostile(i + 1, f"site{i}") for i in range(regional.sum())]
    fac.loc[fac["hospital_id"] == "hn-reg-obgyn", "hospital_id"] = hostile(2, "obgyn")
    fac["district"] = fac["district"].map(
        {d: hostile(i + 3, d) for i, d in enumerate(DISTRICTS)}, na_action="ignore"
    )
    ids = fac["facility_id"].astype(str).to_numpy(object)
    ids[::7] = [hostile(i + 5, f"id{i}") for i in range(len(ids[::7]))]
    fac["facility_id"] = ids
    return fac


@pytest.fixture(scope="module")
def run(facilities, hanoi_graph):
    # Every unit on its own: three district groups cannot share four hospitals fairly.
    options = PlanOptions(scheme="2024", hierarchical=False, balance=0.5, pilot=False)
    return plan(options, facilities=facilities, graph=hanoi_graph)


@pytest.fixture(scope="module")
def outputs(run, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    paths = write_outputs(run, folder, lang="vi")
    assert {"map.html", "report.html"} <= set(paths)
    return paths


def _assert_inert(text: str) -> None:
    assert not LIVE.search(text), LIVE.search(text).group(0)


def test_propose_and_score_keep_hostile_text_as_data(run, facilities, hanoi_graph):
    hospitals = facilities[facilities["level"] == "regional"]
    units = facilities[facilities["level"] != "regional"]
    matrix = pair_travel_times(hanoi_graph, hospitals, units)
    result = propose_pairings(units, hospitals, matrix, balance=0.5, hierarchical=False)
    assert set(result.pairings["unit_id"]) == set(units["facility_id"])
    assert set(result.pairings["unit_name"]) == set(units["name"])
    scores = score_pairings(result.pairings, matrix, units=units, hospitals=hospitals)
    assert set(scores.per_hospital["hospital_id"]) == set(hospitals["hospital_id"])
    assert set(scores.per_site["site_name"]) == set(hospitals["site_name"])
    assert len(set(hospitals["hospital_id"])) == 4 and len(hospitals) == 7
    assert run.proposal.status == "optimal"


def test_files_hold_no_live_payload(outputs, run, facilities, tmp_path):
    for name in ("map.html", "report.html"):
        _assert_inert(outputs[name].read_text(encoding="utf-8"))
    report = outputs["report.html"].read_text(encoding="utf-8")
    # the names are there, as text: escaped in the page, never evaluated by the templates
    assert "&lt;script&gt;window.__pwned=2&lt;/script&gt;" in report
    assert "{{ 7*7 }} {% raw %}" in report  # shown as written, not evaluated
    # a second map and report made directly, with hostile areas and comparison name
    areas = hanoi_areas(scheme="2024")
    areas = areas[areas["district"].isin(DISTRICTS)].copy()
    areas["district"] = [hostile(i + 3, d) for i, d in enumerate(areas["district"])]
    pairings = run.proposal.pairings
    other = run.nearest
    m = pairing_map(
        pairings, facilities, areas=areas, compare=other, compare_label=PAYLOADS[0],
        graph=run.graph, title=PAYLOADS[1], subtitle=PAYLOADS[2], lang="en",
    )  # fmt: skip
    _assert_inert(map_html(m))
    path = write_report(
        tmp_path, pairings=pairings, scores=run.scores, facilities=facilities, map=m,
        compare=other, compare_scores=run.nearest_scores, compare_name=PAYLOADS[5],
        assumptions={PAYLOADS[3]: PAYLOADS[4]}, lang="en",
    )  # fmt: skip
    _assert_inert(path.read_text(encoding="utf-8"))


def test_report_command_from_files_is_inert(outputs, facilities, tmp_path):
    """``planner report`` re-reads the files; its facilities come from the user's file."""
    from planner.app.pipeline import report_dir
    from planner.places.facilities import write_facilities

    folder = tmp_path / "run"
    shutil.copytree(outputs["report.html"].parent, folder)
    fac_file = write_facilities(facilities, tmp_path / "facilities.geojson")
    path = report_dir(folder, facilities=fac_file, compare=folder, lang="en")
    _assert_inert(path.read_text(encoding="utf-8"))


@pytest.mark.browser
def test_chromium_runs_no_payload_and_shows_the_text(outputs, run, facilities, tmp_path):
    from _browser import exercise_shapes, offline_page, real_mouse_on_markers

    areas = hanoi_areas(scheme="2024")
    areas = areas[areas["district"].isin(DISTRICTS)].copy()
    areas["district"] = [hostile(i + 3, d) for i, d in enumerate(areas["district"])]
    m = pairing_map(
        run.proposal.pairings, facilities, areas=areas, compare=run.nearest,
        compare_label=PAYLOADS[0], graph=run.graph, title=PAYLOADS[1], lang="en",
    )  # fmt: skip
    extra = save_map(m, tmp_path / "hostile_map.html")
    names = set(facilities["name"]) | set(facilities["site_name"].dropna())
    for path in (outputs["map.html"], outputs["report.html"], extra):
        with offline_page(path) as (page, report):
            page.wait_for_timeout(300)
            touched = real_mouse_on_markers(page)
            seen = exercise_shapes(page)
            page.wait_for_timeout(100)
            assert seen["pwned"] == [], f"script ran in {path.name}"
            assert report.page_errors == [], report.page_errors
            assert touched > 0
            # every unit circle and hospital site's icon was hovered and clicked
            assert seen["shapes"] >= len(run.proposal.pairings) + 7, path.name
            shown = " ".join(seen["tooltips"] + seen["popups"])
            assert sum(name in shown for name in names) == len(names), path.name
            assert all(p in shown for p in PAYLOADS[:6]), path.name
            if path == extra:
                assert f"Sister hospitals in {PAYLOADS[0]}" in seen["layer_names"]
                title = page.inner_text(".planner-title")
                assert PAYLOADS[1] in title
            if path.name == "report.html":
                body = page.inner_text("#decision")
                for district in facilities["district"].dropna().unique():
                    assert district in body or district in shown
                assert page.evaluate("() => window.__pwned") is None
    assert np.isfinite(run.scores.overall["pop_weighted_mean_travel_time_s"])
