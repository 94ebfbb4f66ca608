"""Hanoi as it is now (issue 30): the 2025 units are the default, and every word said of them is
true in both languages: no district level (the districts are former ones), a baseline of units,
the pilot as the communes of former Ba Vì district, the former district health units with what
our sources say of them and the people of their former district, never 0."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.app.cli import main
from planner.config import DEFAULT_SCHEME
from planner.io import read_csv_table
from planner.outputs.formatting import district
from planner.places.hanoi import district_units_2025, registry_scheme

WORDS = {
    "en": {
        "baseline": "if every unit went to its nearest hospital",
        "district_baseline": "every district",
        "pilot": "the communes of former Ba Vì district with Xanh Pôn",
        "lead": "126 communes and wards and the 30 health centres and district hospitals",
        "grouping": "our sources do not say which units each of these has served",
        "unsourced": "its name and role since July 2025 are not in our sources",
        "renamed": "general hospital of former Ba Vì district, so named since 19 August 2025",
    },
    "vi": {
        "baseline": "so với khi mỗi đơn vị kết nghĩa với bệnh viện gần nhất",
        "district_baseline": "mỗi quận/huyện kết nghĩa",
        "pilot": "các xã của huyện Ba Vì cũ với Xanh Pôn",
        "lead": "126 xã/phường và 30 trung tâm y tế, bệnh viện đa khoa của các quận/huyện cũ",
        "grouping": "nguồn dữ liệu của chúng tôi chưa cho biết từ ngày 1/7/2025",
        "unsourced": "tên gọi và vai trò từ tháng 7/2025 chưa có trong nguồn dữ liệu",
        "renamed": "bệnh viện đa khoa của huyện Ba Vì cũ, mang tên này từ ngày 19 tháng 8 năm 2025",
    },
}


def _text(page: str) -> str:
    """The page's words, without its map, charts, scripts and markup."""
    for pattern in (
        r"<iframe.*?</iframe>",
        r"<svg.*?</svg>",
        r"<style.*?</style>",
        r"<script.*?</script>",
    ):
        page = re.sub(pattern, " ", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture(scope="module")
def reports(demo_2025_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The 2025 demo's Vietnamese report, and the same folder's report in English."""
    folder = tmp_path_factory.mktemp("now") / "demo"
    shutil.copytree(demo_2025_dir, folder)
    english = folder.parent / "report_en.html"
    assert main(["report", str(folder), "--lang", "en", "--quiet"]) == 0
    shutil.move(folder / "report.html", english)
    return {"vi": demo_2025_dir / "report.html", "en": english}


def test_2025_is_the_default_everywhere():
    from planner import PlanOptions
    from planner.app.cli.parser import build_parser
    from planner.places.hanoi.registry import hanoi_facilities

    assert DEFAULT_SCHEME == "2025"
    assert PlanOptions().scheme == "2025"
    for command in ("demo", "propose", "stations"):
        args = ["stations", "--open", "1"] if command == "stations" else [command]
        assert build_parser().parse_args([*args, "--out", "x"]).scheme == "2025"
    import inspect

    assert inspect.signature(hanoi_facilities).parameters["scheme"].default == "2025"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_2025_report_speaks_of_units_and_former_districts(reports, lang):
    text = _text(reports[lang].read_text(encoding="utf-8"))
    words = WORDS[lang]
    assert words["baseline"] in text
    assert words["district_baseline"] not in text  # no district baseline
    assert words["pilot"] in text
    assert words["lead"] in text
    assert words["grouping"] in text  # the assumptions say which grouping ran, and why
    assert words["unsourced"] in text
    assert words["renamed"] in text
    former = district("Huyện Ba Vì", lang=lang, former=True)
    assert f"xã Ba Vì, {former}" in text  # the hardest units, named with a former district
    # an abolished district is never named as a current one, outside the units' own names
    page = reports[lang].read_text(encoding="utf-8")
    subs = [html.unescape(s) for s in re.findall(r'<span class="sub">([^<]*)</span>', page)]
    official = re.compile(r"^(Quận|Huyện|Thị xã) ")
    assert subs and not [s for s in subs if official.match(s)]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_2025_unit_is_shown_with_0_people(reports, lang):
    page = reports[lang].read_text(encoding="utf-8")
    decision = page.split('id="decision"')[1].split("</section>")[0]
    people = re.findall(r'data-label="(?:Population|Dân số)">([^<]*)<', decision)
    assert len(people) == 156
    assert "0" not in people


def test_the_former_district_units_carry_their_former_districts_people(demo_2025_dir):
    table = read_csv_table(demo_2025_dir / "pairings.csv")
    assert "former_district" in table.columns and "district" not in table.columns
    pairs = table.set_index("unit_id")
    units = district_units_2025().set_index("facility_id")
    from planner.places.hanoi.registry import hanoi_facilities

    registry = hanoi_facilities(scheme="2025").set_index("facility_id")
    for unit_id in units.index:  # each of the 30 is a row, with its former district's people
        assert pairs.loc[unit_id, "former_district"] == registry.loc[unit_id, "district"]
        assert float(registry.loc[unit_id, "population"]) > 0
    approximate = read_csv_table(demo_2025_dir / "approximate_locations.csv")
    assert "former_district" in approximate.columns


def test_what_our_sources_say_of_the_former_district_units():
    """The 13 renamed by Decision 4318/QĐ-UBND are the registry's general hospitals of those
    former districts (the names differ only in case: "Đa khoa" / "đa khoa"), each with its
    source; the others say plainly that our sources are silent."""
    from planner.places.hanoi.registry import hanoi_facilities

    units = district_units_2025()
    registry = hanoi_facilities(scheme="2025")
    district_level = registry[registry["level"] == "district"]
    assert set(units["facility_id"]) == set(district_level["facility_id"])
    renamed = units[units["status_2025"] == "renamed"]
    assert len(renamed) == 13
    names = district_level.set_index("facility_id")["name"]
    for row in renamed.itertuples():
        assert names[row.facility_id].casefold() == row.name_since_2025.casefold()
        assert "4318/QĐ-UBND" in row.source and row.since == "2025-08-19"
    assert (
        units.loc[units["status_2025"] == "unsourced", "source"].str.contains("not in our sources")
    ).all()


def test_the_2025_baseline_sends_every_unit_to_its_nearest_hospital():
    """Checked against each unit's own nearest hospital from the matrix (the 2025 districts are
    former ones); the 2024 baseline still moves each district with its communes."""
    from planner import PlanOptions, plan
    from planner.pairing import pair_costs
    from planner.requests import TripRule

    run = plan(PlanOptions(cells=False))  # the default: 2025
    assert run.proposal.options["nearest_by"] == "unit"
    units = run.nearest["unit_id"].astype(str).tolist()
    costs = pair_costs(run.matrix, units, run.hospitals, trip=TripRule())
    best = np.array(costs.hospital_ids)[np.nanargmin(costs.time_s, axis=1)]
    assert run.nearest["hospital_id"].tolist() == best.tolist()
    assert len(run.nearest.groupby("district")["hospital_id"].nunique().loc[lambda s: s > 1]) > 0
    old = plan(PlanOptions(scheme="2024", cells=False))
    assert old.proposal.options["nearest_by"] == "group"
    assert (old.nearest.groupby("district")["hospital_id"].nunique() == 1).all()


def test_registry_scheme_tells_the_2025_units_from_a_users_facilities(registry_2024):
    assert registry_scheme(registry_2024) == "2024"
    frame = pd.DataFrame({"facility_id": ["hn-com25-00004", "clinic-7"], "scheme": "2025"})
    assert registry_scheme(frame) is None


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_2025_map_names_former_districts(demo_2025_dir, tmp_path, lang):
    if lang == "vi":
        page = (demo_2025_dir / "map.html").read_text(encoding="utf-8")
    else:
        out = tmp_path / "map.html"
        assert (
            main(
                [
                    "map",
                    str(demo_2025_dir / "pairings.csv"),
                    "--lang",
                    "en",
                    "--out",
                    str(out),
                    "--quiet",
                ]
            )
            == 0
        )
        page = out.read_text(encoding="utf-8")
    label = {"vi": "Quận/huyện cũ", "en": "Former district"}[lang]
    assert label in page
    assert district("Huyện Ba Vì", lang=lang, former=True) in page
    intro = {
        "vi": "Chọn bệnh viện kết nghĩa khác cho một đơn vị",
        "en": "Choose another sister hospital for a unit",
    }[lang]
    assert intro in page


def test_the_2024_report_keeps_its_districts(demo_dir):
    text = _text((demo_dir / "report.html").read_text(encoding="utf-8"))
    assert "mỗi quận/huyện kết nghĩa với bệnh viện gần nhất" in text
    assert "huyện Ba Vì cũ" not in text and "Huyện Ba Vì" in text
    assert "district" in read_csv_table(demo_dir / "pairings.csv").columns


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_2025_decision_table_prints_in_readable_columns(reports, lang):
    # a note under the people of a former district's unit, kept on one line, once squeezed the
    # hospitals' names into a word a line and printed the report on 27 A4 pages
    from _browser import offline_page, pdf_page_count

    with offline_page(reports[lang], viewport=(794, 1123)) as (page, report):
        page.wait_for_selector("table.decision td.hospital")
        page.emulate_media(media="print")
        page.wait_for_timeout(300)
        lines = page.eval_on_selector_all(
            "table.decision td.hospital",
            "tds => tds.map(td => { const r = document.createRange(); r.selectNodeContents(td);"
            " return r.getBoundingClientRect().height"
            " / parseFloat(getComputedStyle(td).lineHeight); })",
        )
        assert len(lines) > 100 and max(lines) < 3.5, sorted(lines)[-5:]
        pages = pdf_page_count(page.pdf(format="A4", print_background=True))
        assert pages <= 15, pages  # 156 units; a former district's reason to stay said once
        assert report.unexpected_errors() == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_units_that_move_together_are_told_why_they_stay_once(reports, lang):
    # the communes of a former district move together, so they stay for one reason: once under
    # the last of them, not under each (the 2025 report printed it 40 times)
    page = reports[lang].read_text(encoding="utf-8")
    for group in page.split('<tbody class="hospital">')[1:]:
        reasons = [
            _text(why) for why in re.findall(r'<tr class="why">(.*?)</tr>', group, flags=re.S)
        ]
        assert len(reasons) == len(set(reasons)), sorted(reasons)
    stays = {"vi": "Giữ nguyên", "en": "Stays"}[lang]
    assert 5 <= _text(page).count(stays) <= 40
