"""What-if in the map: the embedded data, and officials' edits in Chromium (network cut) that
``planner score`` re-scores to the figures the page showed."""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.app.cli import main
from planner.io import read_pairings
from planner.outputs.map.whatif import DATA_ID, WhatIf, script_json, whatif_data
from planner.pairing.scoring import population_weights
from planner.requests import TripRule


def _data(html: str) -> dict:
    block = re.search(rf'<script type="application/json" id="{DATA_ID}">(.*?)</script>', html, re.S)
    assert block, "no what-if data in the page"
    return json.loads(block.group(1))


def _shown(page, selector: str) -> float:
    """A figure as the page shows it ("27,3 phút", "92,6%", "1.657.420"), as a number."""
    text = page.locator(selector).inner_text().strip()
    number = re.match(r"[−-]?[\d.,]+", text).group(0).replace("−", "-")
    if re.search(r",\d{1,2}$", number) or ("." in number and len(number.split(".")[-1]) == 3):
        number = number.replace(".", "").replace(",", ".")  # Vietnamese: 1.234,5
    return float(number.replace(",", ""))


def test_script_json_cannot_close_its_block():
    text = script_json({"name": "</script><script>alert(1)</script>", "a&b": "\u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"name": "</script><script>alert(1)</script>", "a&b": "\u2028"}


def test_demo_map_embeds_times_population_and_districts(demo_dir: Path):
    html = (demo_dir / "map.html").read_text(encoding="utf-8")
    assert (demo_dir / "map.html").stat().st_size <= 3_000_000
    data = _data(html)
    scores = json.loads((demo_dir / "scores.json").read_text())
    pairings = pd.read_csv(demo_dir / "pairings.csv", dtype={"unit_id": str})
    units, hospitals = data["units"], data["hosp"]
    assert units["id"] == pairings["unit_id"].tolist()
    assert len(data["t"]) == len(data["tp"]) == len(units["id"]) * len(hospitals["id"])
    # times are the pairing's own, in whole seconds rounded up (never less than the true time)
    column = [hospitals["id"].index(h) for h in pairings["hospital_id"]]
    shown = np.array([data["t"][u * 4 + j] for u, j in enumerate(column)], float)
    true = pairings["travel_time_s"].to_numpy(float)
    assert np.all((shown >= true - 1e-6) & (shown < true + 1))
    # population counted once: the weights the scores use, districts with their communes 0
    weights = population_weights(
        pairings["unit_level"], pairings["district"], pairings["population"]
    )
    assert units["w"] == pytest.approx(weights.tolist())
    assert sum(units["w"]) == pytest.approx(sum(scores["load"].values()))
    # hierarchical 2024: 30 districts, each a district unit with its communes
    assert len(data["groups"]) == 30
    assert all(units["id"][g[0]].startswith("hn-dist-") for g in data["groups"])
    assert sorted(u for g in data["groups"] for u in g) == list(range(len(units["id"])))
    assert (
        data["text"]["mean"].endswith("10:00 (theo dân số)")
        and "08:00" in data["text"]["mean_peak"]
    )
    pinned = [i for i, fixed in enumerate(units["fixed"]) if fixed]
    assert {pairings["district"][i] for i in pinned} == {"Huyện Ba Vì"}


def test_unreachable_pairs_are_null_and_groups_follow_the_pairing(registry_2025):
    fac = registry_2025
    hospitals = fac[fac["level"] == "regional"].reset_index(drop=True)
    units = fac[fac["level"] != "regional"].head(3).reset_index(drop=True)
    rows = []
    # every site of the Heart hospital (the page times a hospital by its nearest site)
    for h, hid in hospitals[["facility_id", "hospital_id"]].values:
        for k, u in enumerate(units["facility_id"]):
            value = (np.nan, 601 + 1e-9, 602.4)[k] if hid == "hn-reg-heart" else 900.0
            rows += [
                {"origin_id": h, "destination_id": u, "travel_time_s": value},
                {"origin_id": u, "destination_id": h, "travel_time_s": 900.0 if k == 0 else value},
            ]
    matrix = pd.DataFrame(rows)
    pairing = pd.DataFrame(
        {"unit_id": units["facility_id"], "unit_level": units["level"],
         "hospital_id": "hn-reg-heart", "district": units["district"]}
    )  # fmt: skip
    frame = pd.DataFrame({"name": units["name"], "district": units["district"], "fixed": None})
    data = whatif_data(
        WhatIf(matrix, trip=TripRule(depart="17:30")), pairings=pairing, facilities=fac, units=frame,
        hospitals=hospitals, palette={h: ("#000000", "cross") for h in hospitals["hospital_id"]},
        areas=None, overlay=False, lang="en",
        styles={"time_bins_min": (0, 15), "time_colours": ("#fff", "#000"),
                "unreachable_colour": "#777777", "unreachable_area": {}},
    )  # fmt: skip
    heart = data["hosp"]["id"].index("hn-reg-heart")
    assert data["t"][heart] is None  # no road one way: no pair time (scoring's rule)
    assert data["t"][4 + heart] == 601  # 601 + 1e-9 of float noise: 601, not 602
    assert data["t"][8 + heart] == 603  # rounded up
    assert data["t"][1 - heart if heart == 0 else 0] == 900
    assert "tp" not in data and "mean_peak" not in data["text"]
    assert data["text"]["mean"] == "Mean travel time at 17:30 (population-weighted)"
    assert data["groups"] == [[0], [1], [2]]  # 2025: no district-level unit, each unit alone
    assert data["units"]["w"] == pytest.approx(units["population"].tolist())  # from facilities


@pytest.mark.browser
def test_official_moves_a_district_and_planner_score_agrees(demo_dir: Path, tmp_path: Path):
    from _browser import offline_page

    page_path = tmp_path / "map.html"
    shutil.copy(demo_dir / "map.html", page_path)
    scores = json.loads((demo_dir / "scores.json").read_text())
    pairings = pd.read_csv(demo_dir / "pairings.csv", dtype=str)
    mean_cell = '[data-metric="pop_weighted_mean_min"]'
    with offline_page(page_path) as (page, report):
        page.wait_for_selector("select[data-unit-id]")
        # The page's own figures of the proposal are planner.pairing.scoring's.
        for metric, key, scale in (
            ("pop_weighted_mean_min", "pop_weighted_mean_travel_time_s", 1 / 60),
            ("pop_weighted_mean_peak_min", "pop_weighted_mean_travel_time_peak_s", 1 / 60),
            ("share_population_within_60min", "share_population_within_60min", 100),
            ("share_population_within_60min_peak", "share_population_within_60min_peak", 100),
            ("load_ratio_max_min", "load_ratio_max_min", 1),
        ):
            shown = _shown(page, f'[data-proposal="{metric}"]')
            assert shown == pytest.approx(scores[key] * scale, abs=0.051), metric
            assert _shown(page, f'[data-metric="{metric}"]') == shown
        for hid, load in scores["load"].items():
            assert _shown(page, f'[data-metric="load"][data-hospital-id="{hid}"]') == load
        assert page.locator("select[data-unit-id]").count() == 30  # one per district
        before = page.locator(mean_cell).get_attribute("data-value")

        # "What if Thanh Oai went to Xanh Pôn instead?" (or elsewhere, if it is there already)
        head = pairings[
            (pairings.district == "Huyện Thanh Oai") & (pairings.unit_level == "district")
        ]
        unit_id, current = head["unit_id"].iloc[0], head["hospital_id"].iloc[0]
        target = "hn-reg-xanhpon" if current != "hn-reg-xanhpon" else "hn-reg-heart"
        select = page.locator(f'select[data-unit-id="{unit_id}"]')
        assert select.input_value() == current
        select.select_option(target)
        after = page.locator(mean_cell).get_attribute("data-value")
        assert float(after) != pytest.approx(float(before), abs=1e-6)
        moved = int(_shown(page, '[data-metric="units_moved"]'))
        assert moved == (pairings.district == "Huyện Thanh Oai").sum()
        shown = {
            m: _shown(page, f'[data-metric="{m}"]')
            for m in ("pop_weighted_mean_min", "pop_weighted_mean_peak_min",
                      "share_population_within_60min", "load_ratio_max_min")
        }  # fmt: skip
        # the map follows: the district's circles take the new hospital's colour
        colours = page.evaluate(
            """(id) => { const s = window.plannerWhatIf.state;
                 return s.d.hosp.colour[s.hospIndex[id]]; }""",
            target,
        )
        fills = page.evaluate(
            """(ids) => ids.map((id) => window.plannerWhatIf.state.unitLayers[id].options.fillColor)""",
            pairings.loc[pairings.district == "Huyện Thanh Oai", "unit_id"].tolist(),
        )
        assert set(fills) == {colours}

        with page.expect_download() as download:
            page.click('[data-action="download-pairing"]')
        csv_path = tmp_path / download.value.suggested_filename
        download.value.save_as(csv_path)

        page.click('[data-action="reset"]')
        assert page.locator(mean_cell).get_attribute("data-value") == before
        assert select.input_value() == current
        assert report.unexpected_errors() == []

    edited = read_pairings(csv_path)
    assert len(edited) == len(pairings)
    changed = edited.merge(pairings, on="unit_id", suffixes=("", "_old"))
    changed = changed[changed["hospital_id"] != changed["hospital_id_old"]]
    assert set(changed["unit_id"]) == set(
        pairings.loc[pairings.district == "Huyện Thanh Oai", "unit_id"]
    )
    assert (changed["hospital_id"] == target).all()

    # planner score on the downloaded file: the figures the page showed
    out = tmp_path / "scored"
    assert main(["score", str(csv_path), "--out", str(out), "--quiet"]) == 0
    rescored = json.loads((out / "scores.json").read_text())
    assert rescored["pop_weighted_mean_travel_time_s"] / 60 == pytest.approx(
        shown["pop_weighted_mean_min"], abs=0.1
    )
    assert rescored["pop_weighted_mean_travel_time_peak_s"] / 60 == pytest.approx(
        shown["pop_weighted_mean_peak_min"], abs=0.1
    )
    assert 100 * rescored["share_population_within_60min"] == pytest.approx(
        shown["share_population_within_60min"], abs=0.051
    )
    assert rescored["load_ratio_max_min"] == pytest.approx(shown["load_ratio_max_min"], abs=0.0051)
    # ... and planner map and planner report read it too
    assert main(["map", str(csv_path), "--out", str(tmp_path / "m.html"), "--quiet"]) == 0
    again = _data((tmp_path / "m.html").read_text(encoding="utf-8"))  # editable again
    at = again["units"]["id"].index(unit_id)
    assert again["hosp"]["id"][again["units"]["h"][at]] == target
    assert len(again["groups"]) == 30  # the file pairs districts with their communes
    assert main(["report", str(out), "--quiet"]) == 0
    assert (out / "report.html").stat().st_size > 100_000


@pytest.mark.browser
def test_a_pinned_district_asks_before_it_moves(demo_dir: Path, tmp_path: Path):
    from _browser import offline_page

    page_path = tmp_path / "map.html"
    shutil.copy(demo_dir / "map.html", page_path)
    answers, questions = [False, True], []

    def answer(dialog) -> None:
        questions.append((dialog.type, dialog.message))
        dialog.accept() if answers.pop(0) else dialog.dismiss()

    with offline_page(page_path, on_dialog=answer) as (page, report):
        page.wait_for_selector("select[data-unit-id]")
        row = page.locator(".planner-whatif .row.pinned")
        assert row.count() == 1 and "Ba Vì" in row.inner_text()
        select = page.locator('select[data-unit-id="hn-dist-271"]')  # Ba Vì's district unit
        before = page.locator('[data-metric="pop_weighted_mean_min"]').inner_text()
        select.select_option("hn-reg-heart")  # refused: nothing moves
        assert select.input_value() == "hn-reg-xanhpon"
        assert page.locator('[data-metric="units_moved"]').inner_text() == "0"
        assert page.locator('[data-metric="pop_weighted_mean_min"]').inner_text() == before
        select.select_option("hn-reg-heart")  # confirmed
        assert select.input_value() == "hn-reg-heart"
        assert int(_shown(page, '[data-metric="units_moved"]')) == 32  # Ba Vì and 31 communes
        assert report.unexpected_errors() == []
    assert [kind for kind, _ in questions] == ["confirm", "confirm"]
    assert "Huyện Ba Vì" in questions[0][1] and "Bệnh viện Tim Hà Nội" in questions[0][1]
    assert "thí điểm" in questions[0][1]


@pytest.mark.browser
def test_hostile_names_stay_text_in_the_panel_and_the_file(hanoi_graph, registry_2024, tmp_path):
    from _browser import offline_page
    from test_html_safety import DISTRICTS, PAYLOADS, hostile

    from planner.app.pipeline import PlanOptions, plan, write_outputs

    fac = registry_2024[
        (registry_2024["level"] == "regional") | registry_2024["district"].isin(DISTRICTS[:2])
    ].reset_index(drop=True)
    fac["name"] = [hostile(i, f"#{i}") for i in range(len(fac))]
    regional = fac["level"] == "regional"
    hostile_hospital = {
        h: f"{p} H{i}"
        for i, (h, p) in enumerate(
            zip(fac.loc[regional, "hospital_id"].unique(), PAYLOADS, strict=False)
        )
    }  # the sites of a hospital share its name
    fac.loc[regional, "name"] = fac.loc[regional, "hospital_id"].map(hostile_hospital)
    ids = fac["facility_id"].astype(str).to_numpy(object)
    ids[4::5] = [hostile(i + 5, f"id{i}") for i in range(len(ids[4::5]))]
    fac["facility_id"] = ids
    run = plan(
        PlanOptions(scheme="2024", hierarchical=False, balance=1.0, pilot=False),
        facilities=fac, graph=hanoi_graph,
    )  # fmt: skip
    paths = write_outputs(run, tmp_path / "out", report=False, lang="en")
    units = run.proposal.pairings
    with offline_page(paths["map.html"]) as (page, report):
        page.wait_for_selector("select[data-unit-id]")
        page.evaluate(
            "() => document.querySelectorAll('.planner-whatif details').forEach((d) => d.open = true)"
        )
        panel = page.inner_text(".planner-whatif")
        for name in units["unit_name"]:
            assert name in panel  # shown literally, never as markup
        for name in fac.loc[fac["level"] == "regional", "name"]:
            assert page.locator(".planner-whatif option", has_text=name).count() >= len(units)
        selects = page.locator("select[data-unit-id]")
        assert sorted(selects.evaluate_all("(s) => s.map((e) => e.dataset.unitId)")) == sorted(
            units["unit_id"]
        )
        hostile_unit = next(u for u in units["unit_id"] if not u.startswith("hn-"))
        index = selects.evaluate_all("(s) => s.map((e) => e.dataset.unitId)").index(hostile_unit)
        hospital_ids = run.hospitals["hospital_id"].drop_duplicates().tolist()
        current = units.set_index("unit_id").loc[hostile_unit, "hospital_id"]
        selects.nth(index).select_option(next(h for h in hospital_ids if h != current))
        with page.expect_download() as download:
            page.click('[data-action="download-pairing"]')
        download.value.save_as(tmp_path / "edited.csv")
        assert page.evaluate("() => window.__pwned") is None
        assert report.unexpected_errors() == []
    text = (tmp_path / "edited.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text  # inert in a spreadsheet
    edited = read_pairings(tmp_path / "edited.csv", fac)
    assert set(edited["unit_name"]) == set(units["unit_name"])  # read back unchanged
    assert (edited.set_index("unit_id").loc[hostile_unit, "hospital_id"]) != current
    assert math.isfinite(run.scores.overall["pop_weighted_mean_travel_time_s"])


@pytest.mark.browser
def test_2025_units_move_one_by_one_and_their_areas_follow(hanoi_graph, tmp_path):
    from _browser import offline_page

    from planner.app.pipeline import PlanOptions, plan, write_outputs

    run = plan(PlanOptions(scheme="2025"), graph=hanoi_graph)
    paths = write_outputs(run, tmp_path, report=False, lang="en")
    pairings = run.proposal.pairings
    commune = pairings[(pairings.unit_level == "commune") & ~pairings.pinned].iloc[0]
    target = next(
        h for h in run.hospitals["hospital_id"].drop_duplicates() if h != commune.hospital_id
    )
    head = pairings[(pairings.district == commune.district) & (pairings.unit_level == "district")]
    with offline_page(paths["map.html"]) as (page, report):
        page.wait_for_selector("select[data-unit-id]")
        # every unit in force has its own select, under its (former) district's
        assert page.locator("select[data-unit-id]").count() == len(pairings)
        select = page.locator(f'select[data-unit-id="{commune.unit_id}"]')
        page.locator("details.members", has=select).locator("summary").click()  # open the list
        select.select_option(target)
        assert _shown(page, '[data-metric="units_moved"]') == 1  # the commune alone
        state = page.evaluate(
            """(id) => { const s = window.plannerWhatIf.state, u = s.d.units.id.indexOf(id);
                 return {colour: s.d.hosp.colour[s.cur[u]], areas: (s.areaOf[u] || []).map(
                   (a) => s.areaLayers[String(a)].options.color)}; }""",
            commune.unit_id,
        )
        assert state["areas"] == [state["colour"]]  # its area is outlined in the new colour
        # the district's select moves the district unit with all its communes
        page.locator(f'select[data-unit-id="{head.unit_id.iloc[0]}"]').select_option(target)
        group = pairings.district == commune.district
        moved = group & (pairings.hospital_id != target)
        assert _shown(page, '[data-metric="units_moved"]') == moved.sum() > 1
        assert report.unexpected_errors() == []
    # Without the choropleth the areas a change moves are drawn on a layer of their own.
    from planner.app.pipeline import run_whatif
    from planner.outputs.map import pairing_map, save_map
    from planner.places.hanoi import hanoi_areas

    m = pairing_map(
        pairings, run.facilities, areas=hanoi_areas(scheme="2025"), choropleth=None,
        links=None, whatif=run_whatif(run), lang="en",
    )  # fmt: skip
    with offline_page(save_map(m, tmp_path / "plain.html")) as (page, report):
        page.wait_for_selector("select[data-unit-id]")
        page.locator(f'select[data-unit-id="{head.unit_id.iloc[0]}"]').select_option(target)
        filled = page.evaluate(
            """() => Object.values(window.plannerWhatIf.state.areaLayers)
                 .filter((l) => l.options.fill).map((l) => l.options.fillColor)"""
        )
        colour = page.evaluate(
            "(h) => window.plannerWhatIf.state.d.hosp.colour[window.plannerWhatIf.state.hospIndex[h]]",
            target,
        )
        assert filled and set(filled) == {colour}
        assert "Areas moved (what if)" in page.locator(".leaflet-control-layers").text_content()
        assert report.unexpected_errors() == []
