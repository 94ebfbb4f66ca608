"""write_report on the real Hanoi data: the decision first, labels that follow the run, two
scenarios side by side, atomic and deterministic; the demo's report in Chromium (printed, on a
phone, in both languages)."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from test_maps import REMOTE, straight_pairing

from planner.outputs.formatting import district
from planner.outputs.map import pairing_map
from planner.outputs.report import APPROXIMATE_CSV, decision_table, write_report
from planner.pairing.scoring import population_weights, score_pairings
from planner.places.facility_schema import APPROXIMATE_SOURCES
from planner.requests import TripRule

#: Words that would call a departure time "peak" or "off-peak", in both languages.
PEAK_WORDS = re.compile(r"\b(off-?peak|peak hour|peak)\b|cao điểm", re.I)


def scores_document(
    facilities: pd.DataFrame, pairing: pd.DataFrame, *, depart: str = "10:00", **baselines
) -> dict:
    """scores.json as `planner propose` writes it: the pairing's scores plus baselines."""
    pairs = pd.concat([pairing, *baselines.values()], ignore_index=True)
    matrix = pd.DataFrame(
        {
            "origin_id": pairs["hospital_id"],
            "destination_id": pairs["unit_id"],
            "travel_time_s": pairs["travel_time_s"],
        }
    ).drop_duplicates(["origin_id", "destination_id"])
    hospitals = facilities[facilities["level"] == "regional"]

    def score(p: pd.DataFrame) -> dict:
        return score_pairings(
            p, matrix, units=facilities, hospitals=hospitals, trip=TripRule(directions="to_unit")
        ).to_dict()

    doc = score(pairing)
    doc["baselines"] = {name: score(p) for name, p in baselines.items()}
    doc["depart"], doc["peak_depart"] = depart, "08:00"
    doc["options"] = {"scheme": facilities["scheme"].iloc[0], "mode": "car", "depart": depart}
    return doc


@pytest.fixture(scope="module")
def report_inputs(registry_2025):
    from planner.places.hanoi import hanoi_areas

    pairing = straight_pairing(registry_2025)
    other = straight_pairing(registry_2025, shift=1)
    m = pairing_map(
        pairing, registry_2025, areas=hanoi_areas(scheme="2025"), compare=other, lang="en"
    )
    return pairing, other, m, scores_document(registry_2025, pairing, nearest=other)


def _section(text: str, name: str) -> str:
    start = text.index(f'<section id="{name}">')
    return text[start : text.index("</section>", start)]


def _rows(section: str) -> list[list[str]]:
    """The text of each body row's cells (tags dropped)."""
    out = []
    for row in re.findall(r"<tr class=\"unit[^\"]*\">(.*?)</tr>", section, re.S):
        row = re.sub(r'<span class="(sub|badge|mark)"[^>]*>.*?</span>', "", row)
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        out.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return out


def test_report_states_the_decision_first(report_inputs, registry_2025, tmp_path):
    pairing, other, m, scores = report_inputs
    path = write_report(
        tmp_path, pairings=pairing, scores=scores, facilities=registry_2025, map=m, compare=other,
        assumptions={"objective": "pop-time", "balance": 0.2, "region": "Hanoi"}, lang="en",
    )  # fmt: skip
    assert path == tmp_path / "report.html"
    text = path.read_text(encoding="utf-8")
    assert not REMOTE.findall(text)
    order = [text.index(f'id="{s}"') for s in ("decision", "map", "figures", "hospitals")]
    order += [text.index(f'id="{s}"') for s in ("charts", "terms", "assumptions", "approximate")]
    assert order == sorted(order)
    assert text.index('class="lead"') < order[0]
    header = text[text.index("<header>") : text.index("</header>")]
    assert "Proposed sister hospitals for Hanoi" in header
    for part in ("units in force since 1 July 2025", "by car, leaving at 10:00", "±20%"):
        assert part in header
    # every unit is a row of the decision table, under its sister hospital
    decision = _section(text, "decision")
    names = registry_2025.set_index("facility_id")["name"]
    for group in re.findall(r'<tbody class="hospital">(.*?)</tbody>', decision, re.S):
        hospital = re.sub(r"<[^>]+>", "", re.search(r"<th[^>]*>(.*?)</th>", group, re.S)[1])
        hid = next(h for h in pairing["hospital_id"].unique() if names[h] in hospital)
        shown = {r[0] for r in _rows(group)}
        assert shown == set(pairing.loc[pairing["hospital_id"] == hid, "unit_name"]), hid
    assert len(_rows(decision)) == len(pairing)
    # numbers are formatted, no raw option names or keys are shown
    for raw in ("pop_weighted_mean", "peak_depart", "pilot_pinned", "load_ratio_max_min"):
        assert raw not in re.sub(r'srcdoc="[^"]*"', "", text)
    assert text.count("<svg") >= 2  # the two charts (the map's icons are escaped in srcdoc)
    assert "hanoi_osm_2021-08_z14.mbtiles" in text and "ODbL" in text
    assert "© OpenStreetMap contributors" in text
    assert re.search(r"motorway</td><td class=\"num\">80</td>", text)


def test_lead_says_cost_and_gain_against_the_baseline(report_inputs, registry_2025, tmp_path):
    pairing, _, m, scores = report_inputs
    text = write_report(
        tmp_path, pairings=pairing, scores=scores, facilities=registry_2025, map=m, lang="en"
    ).read_text(encoding="utf-8")
    lead = re.sub(r"\s+", " ", text[text.index('class="lead"') : text.index('id="decision"')])
    near = scores["baselines"]["nearest"]
    mean, mean_near = (s["pop_weighted_mean_travel_time_s"] / 60 for s in (scores, near))
    delta = abs(mean - mean_near)
    more = "more" if mean > mean_near else "less"
    assert f"takes {mean:.1f} min at 10:00" in lead
    assert f"That is {delta:.1f} min {more} than if every district went to its nearest" in lead
    assert f"{scores['load_ratio_max_min']:.1f} times as many people" in lead
    assert f"against {near['load_ratio_max_min']:.1f} times with the nearest hospital" in lead
    hardest = pairing.nlargest(3, "travel_time_s")
    for row in hardest.itertuples():
        assert row.unit_name in lead and f"{row.travel_time_s / 60:.0f} min from" in lead


def test_figures_beside_the_alternatives(report_inputs, registry_2025, tmp_path):
    pairing, _, m, scores = report_inputs
    text = write_report(
        tmp_path, pairings=pairing, scores=scores, facilities=registry_2025, map=m, lang="en"
    ).read_text(encoding="utf-8")
    figures = _section(text, "figures")
    head = re.findall(r"<th(?: [^>]*)?>(.*?)</th>", figures[: figures.index("</thead>")])
    assert head == ["Figure", "Proposal", "Nearest hospital"]
    cells = {
        re.sub(r"<[^>]+>", "", row[0]): row[1:]
        for row in (
            re.findall(r"<td[^>]*>(.*?)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", figures)
        )
        if row
    }
    near = scores["baselines"]["nearest"]
    assert cells["Average trip at 10:00 (per person)"] == [
        f"{scores['pop_weighted_mean_travel_time_s'] / 60:.1f} min",
        f"{near['pop_weighted_mean_travel_time_s'] / 60:.1f} min",
    ]
    assert cells["People within 60 min at 10:00"][0] == (
        f"{100 * scores['share_population_within_60min']:.1f}%"
    )
    assert cells["Load ratio: busiest / least busy hospital"][0] == (
        f"{scores['load_ratio_max_min']:.2f}"
    )


def test_decision_table_2024_is_one_row_per_district(registry_2024):
    """Population counted once, switching cost averaged over the district's people."""
    pairing = straight_pairing(registry_2024)
    rows = decision_table(pairing)
    assert len(rows) == 30 and rows["unit_level"].eq("district").all()
    units = pairing.assign(
        w=population_weights(pairing.unit_level, pairing.district, pairing.population)
    )
    for row in rows.itertuples():
        members = units[units["district"] == row.district]
        assert row.population == pytest.approx(members["w"].sum())
        assert row.population == pytest.approx(
            members.loc[members.unit_level == "commune", "population"].sum()
        )
        same = members[members["next_best_hospital_id"] == row.next_best_hospital_id]
        if same["w"].sum() > 0:
            expected = (same["w"] * same["switch_cost_s"]).sum() / same["w"].sum()
            assert row.switch_cost_s == pytest.approx(expected)
        assert row.units == len(members)
        assert row.units_elsewhere == (members["hospital_id"] != row.hospital_id).sum()
    assert rows["population"].sum() == pytest.approx(
        registry_2024.loc[registry_2024["level"] == "commune", "population"].sum()
    )


def test_a_1730_run_is_never_called_peak_or_off_peak(report_inputs, registry_2025, tmp_path):
    pairing, other, m, _ = report_inputs
    scores = scores_document(registry_2025, pairing, depart="17:30", nearest=other)
    for lang, at in (("en", "at 17:30"), ("vi", "lúc 17:30")):
        text = write_report(
            tmp_path / lang, pairings=pairing, scores=scores, facilities=registry_2025, map=m,
            lang=lang,
        ).read_text(encoding="utf-8")  # fmt: skip
        shown = re.sub(r'srcdoc="[^"]*"', "", text)
        assert not PEAK_WORDS.search(shown), PEAK_WORDS.search(shown)
        assert at in shown and "08:00" in shown and "10:00" not in shown


def test_report_in_vietnamese_uses_vietnamese_units_and_numbers(
    report_inputs, registry_2025, tmp_path
):
    pairing, _, m, scores = report_inputs
    path = write_report(
        tmp_path / "bao_cao.html", pairings=pairing, scores=scores, facilities=registry_2025,
        map=m, lang="vi",
    )  # fmt: skip
    assert path.name == "bao_cao.html"
    text = path.read_text(encoding="utf-8")
    shown = re.sub(r'srcdoc="[^"]*"', "", text)
    assert '<html lang="vi">' in text and "Nguồn dữ liệu và giấy phép" in text
    assert "phút" in shown and not re.search(r"\d min\b", shown)
    people = max(h["population"] for h in scores["per_hospital"])
    assert f"{people:,.0f}".replace(",", ".") in shown
    assert "Thời gian trung bình lúc 10:00 (theo dân số)" in shown
    assert '<th class="num">Bệnh viện gần nhất</th>' in shown


def test_per_hospital_population_is_counted_once(registry_2024, tmp_path):
    """2024 registry: district units and their communes; people must not be counted twice."""
    pairing = straight_pairing(registry_2024)
    scores = scores_document(registry_2024, pairing)
    m = pairing_map(pairing, registry_2024, links=None)
    text = write_report(
        tmp_path, pairings=pairing, scores=scores, facilities=registry_2024, map=m, lang="en"
    ).read_text(encoding="utf-8")
    communes = pairing[pairing["unit_level"] == "commune"]
    expected = communes.groupby("hospital_id")["population"].sum()
    doubled = pairing.groupby("hospital_id")["population"].sum()
    names = registry_2024.set_index("facility_id")["name"]
    table = _section(text, "hospitals")
    header = re.findall(r"<th(?: [^>]*)?>(.*?)</th>", table)
    assert header[:5] == ["Hospital", "Districts", "Units", "Population", "Share of people"]
    assert "Staff travel per month" in header and "Average trip" in header
    for hid, people in expected.items():
        row = re.search(rf"{re.escape(names[hid])}</td>(.*?)</tr>", table).group(1)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        assert cells[2] == f"{people:,.0f}"
        assert f"{doubled[hid]:,.0f}" not in table


def test_approximate_locations_summarised_with_the_full_list_beside(
    report_inputs, registry_2025, tmp_path
):
    pairing, _, m, scores = report_inputs
    text = write_report(
        tmp_path, pairings=pairing, scores=scores, facilities=registry_2025, map=m, lang="en"
    ).read_text(encoding="utf-8")
    approx = registry_2025["location_source"].isin(APPROXIMATE_SOURCES)
    expected = registry_2025[approx & registry_2025["facility_id"].isin(pairing["unit_id"])]
    listed = pd.read_csv(tmp_path / APPROXIMATE_CSV, dtype=str)
    assert set(listed["unit_id"]) == set(expected["facility_id"])
    section = _section(text, "approximate")
    assert f"{len(expected)} of {len(pairing)} units" in section and APPROXIMATE_CSV in section
    for name, n in expected.groupby("district").size().items():  # 2025: former districts
        assert f"<li>{html.escape(district(name, lang='en', former=True))}: {n}</li>" in section
    assert section.count("<li>") == expected["district"].nunique()  # a count, not the list


def test_same_inputs_give_byte_identical_report(report_inputs, registry_2025, tmp_path):
    pairing, other, _, scores = report_inputs
    paths = []
    for run in ("a", "b"):
        # a fresh map each time: folium draws new random element ids for every map
        m = pairing_map(pairing, registry_2025, compare=other)
        paths.append(
            write_report(
                tmp_path / run, pairings=pairing, scores=scores, facilities=registry_2025, map=m
            )
        )
    first, second = (p.read_bytes() for p in paths)
    assert first == second
    assert b"<dc:date>" not in first  # matplotlib's SVG date is left out


def test_report_is_atomic(report_inputs, registry_2025, tmp_path):
    pairing, _, m, scores = report_inputs
    target = tmp_path / "report.html"
    target.write_text("previous")
    with pytest.raises(Exception, match="scores"):
        write_report(target, pairings=pairing, scores=42, facilities=registry_2025, map=m)
    no_table = {k: v for k, v in scores.items() if k not in ("per_hospital", "load")}
    with pytest.raises(Exception, match="per-hospital"):
        write_report(target, pairings=pairing, scores=no_table, facilities=registry_2025, map=m)
    assert target.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_two_scenarios_side_by_side(report_inputs, registry_2025, tmp_path):
    pairing, other, m, scores = report_inputs
    other_scores = scores_document(registry_2025, other, depart="17:30")
    text = write_report(
        tmp_path, pairings=pairing, scores=scores, facilities=registry_2025, map=m, compare=other,
        compare_scores=other_scores, compare_name="evening <b>draft</b>", lang="en",
    ).read_text(encoding="utf-8")  # fmt: skip
    assert "evening &lt;b&gt;draft&lt;/b&gt;" in text and "evening <b>" not in text
    decision = _section(text, "decision")
    changed = (pairing["hospital_id"] != other["hospital_id"]).sum()
    assert decision.count('class="unit changed"') == changed > 0
    assert f"{changed} of {len(pairing)} rows have another sister hospital in “evening" in decision
    figures = _section(text, "figures")
    assert "Proposal (10:00)" in figures and "(17:30)" in figures
    assert "Average trip at each scenario&#39;s departure time (per person)" in figures


def test_2024_against_2025_compares_by_district(registry_2024, registry_2025, tmp_path):
    old, new = straight_pairing(registry_2024), straight_pairing(registry_2025)
    text = write_report(
        tmp_path, pairings=old, scores=scores_document(registry_2024, old),
        facilities=registry_2024, compare=new, compare_scores=scores_document(registry_2025, new),
        compare_name="2025", lang="en",
    ).read_text(encoding="utf-8")  # fmt: skip
    rows = _rows(_section(text, "decision"))
    assert len(rows) == 30
    # the 2025 column holds the hospital serving most of the district's people in 2025
    weights = population_weights(new.unit_level, new.district, new.population)
    main = new.assign(w=weights).groupby(["district", "hospital_id"])["w"].sum()
    main = main.sort_values().groupby(level=0).tail(1).reset_index().set_index("district")
    names = registry_2025.set_index("facility_id")["name"]
    shown = {r[0] for r in rows}
    for d, h in main["hospital_id"].items():
        assert d in shown
        assert any(names[h] in " ".join(r) for r in rows if r[0] == d), d


def _copy_run(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True)
    for name in ("pairings.csv", "scores.json"):
        shutil.copy(src / name, dst / name)
    return dst


@pytest.fixture(scope="module")
def evening_dir(tmp_path_factory, hanoi_graph) -> Path:
    """A real 17:30 run (the demo's other settings), report in English."""
    from planner.app.pipeline import PlanOptions, plan, write_outputs

    out = tmp_path_factory.mktemp("evening")
    run = plan(PlanOptions(scheme="2024", depart="17:30"), graph=hanoi_graph)
    write_outputs(run, out, map=False, report=True, lang="en")
    return out


def test_a_real_1730_run_labels_its_times(evening_dir):
    scores = json.loads((evening_dir / "scores.json").read_text())
    assert (scores["depart"], scores["peak_depart"], scores["directions"]) == (
        "17:30", "08:00", "both",
    )  # fmt: skip
    assert scores["options"]["roads_date"] == "2021-08"
    text = (evening_dir / "report.html").read_text(encoding="utf-8")
    shown = re.sub(r'srcdoc="[^"]*"', "", text)
    assert not PEAK_WORDS.search(shown), PEAK_WORDS.search(shown)
    assert "Travel time at 17:30" in shown and "Travel time at 08:00" in shown
    assert "by car, leaving at 17:30" in shown


def test_report_command_compares_two_folders_in_english(demo_dir, evening_dir, tmp_path):
    from _cli import run_cli

    from planner.outputs.formatting import scenario_difference

    work = _copy_run(demo_dir, tmp_path / "day")
    result = run_cli(
        "report", str(work), "--compare", str(evening_dir), "--compare-name", "evening",
        "--lang", "en",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = (work / "report.html").read_text(encoding="utf-8")
    assert "Compared with “evening”: 2024 administrative units" in text
    assert "Sister hospital (“evening”)" in text and "Travel time (“evening”)" in text
    assert "Travel time at 10:00" in text and "Proposal (10:00)" in text and "(17:30)" in text
    # without --compare-name the other scenario is named by what differs in its settings
    options = [json.loads((d / "scores.json").read_text())["options"] for d in (work, evening_dir)]
    name = scenario_difference(options[1], relative_to=options[0], lang="en")
    assert name == "by car, leaving at 17:30"
    # a folder with only a hand-made pairing says how to complete it
    hand = tmp_path / "hand"
    hand.mkdir()
    shutil.copy(demo_dir / "pairings.csv", hand / "pairings.csv")
    result = run_cli("report", str(hand))
    assert result.returncode == 2
    expected = f"`planner score {hand / 'pairings.csv'} --out {hand} --scheme 2024 && planner report {hand}`"  # the demo fixture is the 2024 demo
    assert re.sub(r"\s", "", expected) in re.sub(r"\s", "", result.stderr)


# -- the demo's report in Chromium ------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_reports(demo_dir, tmp_path_factory) -> dict[str, Path]:
    """The demo's Vietnamese report, and the same folder's report in English."""
    from planner.app.pipeline import report_dir

    english = _copy_run(demo_dir, tmp_path_factory.mktemp("demo_en") / "run")
    return {"vi": demo_dir / "report.html", "en": report_dir(english, lang="en")}


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_demo_report_in_chromium_decision_title_print_and_phone(
    lang, demo_reports, demo_dir, registry_2024
):
    from _browser import offline_page, pdf_page_count, screenshot_dir

    shots = screenshot_dir()
    pairings = pd.read_csv(demo_dir / "pairings.csv", dtype=str)
    districts = pairings[pairings["unit_level"] == "district"]
    names = registry_2024.set_index("facility_id")["name"]
    with offline_page(demo_reports[lang], viewport=(1280, 900)) as (page, report):
        page.wait_for_selector("iframe.map")
        page.wait_for_timeout(800)
        page.screenshot(path=str(shots / f"report_{lang}_first_page.png"))
        title = page.inner_text("header")
        for part in {"vi": ("Hà Nội", "2024", "ô tô", "10:00", "8/2021", "±20%"),
                     "en": ("Hanoi", "2024", "car", "10:00", "August 2021", "±20%")}[lang]:  # fmt: skip
            assert part in title, part
        # every district, under its sister hospital, in the decision table
        groups = page.eval_on_selector_all(
            "table.decision tbody.hospital",
            "els => els.map(b => [b.querySelector('tr.group th').innerText,"
            " Array.from(b.querySelectorAll('tr.unit td.name')).map(td => td.firstChild.textContent)])",
        )
        found = {}
        for hospital, rows in groups:
            for row in rows:
                found[row.strip()] = hospital
        assert len(found) == 30
        for row in districts.itertuples():
            assert names[row.hospital_id] in found[row.district], row.district
        pdf = page.pdf(format="A4", print_background=True)
        pages = pdf_page_count(pdf)
        # the decision with its reasons, the map, the figures, who is left behind, the
        # assumptions: at most 8
        # pages (10 with every number in each reason and full-page charts, #31)
        assert 3 <= pages <= 8, pages
        (shots / f"report_{lang}.pdf").write_bytes(pdf)
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
        page.wait_for_timeout(300)
        page.screenshot(path=str(shots / f"report_{lang}_printed_page_1.png"))
        page.emulate_media(media="screen")
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(500)
        page.screenshot(path=str(shots / f"report_{lang}_phone.png"))
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
        assert report.unexpected_errors() == []
    print(f"report {lang}: {pages} A4 pages, {demo_reports[lang].stat().st_size / 1e6:.2f} MB")


@pytest.mark.browser
def test_demo_map_on_desktop_and_phone(demo_dir):
    from _browser import offline_page, screenshot_dir

    shots = screenshot_dir()
    path = demo_dir / "map.html"
    assert path.stat().st_size <= 3_000_000
    for name, viewport in (("desktop", (1280, 860)), ("phone", (390, 844))):
        with offline_page(path, viewport=viewport) as (page, report):
            page.wait_for_selector(".leaflet-overlay-pane path")
            page.wait_for_timeout(500)
            page.screenshot(path=str(shots / f"map_{name}.png"))
            legend_open = page.evaluate(
                "() => document.querySelector('details.planner-legend').open"
            )
            collapsed = page.evaluate(
                "() => !document.querySelector('.leaflet-control-layers')"
                ".classList.contains('leaflet-control-layers-expanded')"
            )
            assert collapsed
            assert legend_open == (name == "desktop")
            assert "Bệnh viện kết nghĩa, Hà Nội" in page.inner_text(".planner-title")
            assert report.unexpected_errors() == []


def _words(page: str) -> str:
    """A report's text as read: scripts, styles and tags dropped, spaces collapsed."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


def test_a_report_rebuilt_from_the_folder_says_what_the_run_said(demo_dir, tmp_path):
    """`planner report DIR` on the demo's own folder says word for word what the demo's report
    said. It once showed an empty hospital where a unit has no other hospital: blank cells read
    back as "" (pandas 3 text), not as missing."""
    from planner.app.pipeline import report_dir

    work = _copy_run(demo_dir, tmp_path / "again")
    rebuilt = report_dir(work).read_text(encoding="utf-8")
    assert _words(rebuilt) == _words((demo_dir / "report.html").read_text(encoding="utf-8"))
