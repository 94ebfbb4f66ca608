"""What officials open in Excel: CSV files with a byte-order mark the planner reads back, and
``pairings.xlsx`` (the decision table, in the run's language, and the scenario), on a real
2025 Hanoi run whose names include hostile ones."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from planner.app.cli import main
from planner.app.pipeline.planning import PlanOptions, plan
from planner.app.pipeline.write import write_outputs
from planner.io import BOM, read_pairings
from planner.outputs.formatting import number
from planner.outputs.i18n import Translator
from planner.outputs.labels import hospital_palette
from planner.outputs.report.workbook import (
    MINUTES_FORMAT,
    SIGNED_MINUTES_FORMAT,
    people_format,
    write_workbook,
)

FORMULA = '=HYPERLINK("http://example.com","click")'
CONTROL = "Trạm\x07 Y tế"  # a bell character: a workbook cannot hold it


@pytest.fixture(scope="module")
def hostile(registry_2025) -> pd.DataFrame:
    fac = registry_2025.copy()
    units = fac.index[fac["level"] == "commune"]
    fac.loc[units[0], "name"] = FORMULA
    fac.loc[units[1], "name"] = CONTROL
    return fac


@pytest.fixture(scope="module")
def run_2025(hanoi_graph, hostile):
    return plan(PlanOptions(scheme="2025"), facilities=hostile, graph=hanoi_graph)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, run_2025) -> Path:
    out = tmp_path_factory.mktemp("office")
    write_outputs(run_2025, out, map=False, report=True, lang="vi")
    return out


# --------------------------------------------------------------------------- CSV: the mark


def test_csv_files_people_open_start_with_the_byte_order_mark(folder: Path) -> None:
    names = ["pairings.csv", "coverage.csv", "access_cells.csv", "approximate_locations.csv"]
    for name in names:
        data = (folder / name).read_bytes()
        assert data.startswith(BOM.encode("utf-8")), name
        assert not data[3:].startswith(BOM.encode("utf-8")), name  # once
    text = (folder / "pairings.csv").read_bytes().decode("utf-8-sig")
    assert text.startswith("unit_id,")
    assert "Huyện Ba Vì" in text  # Vietnamese, as Excel (Windows) now shows it


def test_the_planner_reads_its_files_back(folder: Path, run_2025, hostile, tmp_path: Path) -> None:
    back = read_pairings(folder / "pairings.csv", hostile)
    ours = run_2025.proposal.pairings
    assert back["unit_id"].tolist() == ours["unit_id"].astype(str).tolist()
    assert back["hospital_id"].tolist() == ours["hospital_id"].tolist()
    names = dict(zip(back["unit_id"], back["unit_name"], strict=True))
    assert FORMULA in names.values()  # the spreadsheet apostrophe is removed again

    # `planner score` on the file scores it as the run did
    scored = tmp_path / "scored"
    args = ["score", str(folder / "pairings.csv"), "--scheme", "2025", "--out", str(scored)]
    assert main([*args, "--quiet"]) == 0
    again = json.loads((scored / "scores.json").read_text(encoding="utf-8"))
    first = json.loads((folder / "scores.json").read_text(encoding="utf-8"))
    assert again["pop_weighted_mean_travel_time_s"] == pytest.approx(
        first["pop_weighted_mean_travel_time_s"], abs=1e-6
    )
    assert (scored / "pairings.xlsx").is_file()  # the scored folder has its workbook too

    # `planner report DIR` reads the folder's pairings.csv (and robust.csv, if any) back
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("pairings.csv", "scores.json"):
        (copy / name).write_bytes((folder / name).read_bytes())
    assert main(["report", str(copy), "--scheme", "2025", "--quiet"]) == 0
    assert "huyện Ba Vì cũ" in (copy / "report.html").read_text(encoding="utf-8")  # former


def test_coverage_reads_back_as_numbers(folder: Path, run_2025) -> None:
    from planner.io import read_csv_table

    table = read_csv_table(folder / "coverage.csv")
    assert table.columns[0] == "minutes"  # no mark glued to the first column's name
    shares = table["share_sister"].astype(float).to_numpy()
    assert np.all(np.diff(shares) >= 0) and shares[-1] <= 1


# --------------------------------------------------------------------------- pairings.xlsx


def _sheet(folder: Path, lang: str = "vi"):
    book = openpyxl.load_workbook(folder / "pairings.xlsx")
    t = Translator(lang)
    return book, book[t("workbook.sheet_pairings")], book[t("workbook.sheet_scenario")]


def test_the_workbook_is_the_decision_table_in_vietnamese(folder: Path, run_2025) -> None:
    book, sheet, _ = _sheet(folder)
    assert book.sheetnames == ["Kết nghĩa", "Phương án"]
    header = [c.value for c in sheet[1]]
    assert header == [
        "Bệnh viện kết nghĩa", "Đơn vị", "Cấp", "Quận/huyện cũ", "Thời gian lúc 10:00 (phút)",
        "Thời gian lúc 08:00 (phút)", "Dân số", "Bệnh viện thay thế tốt nhất", "Nếu đổi (phút)",
        "Cố định trước", "Mã đơn vị", "Mã bệnh viện",
    ]  # fmt: skip
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == sheet.dimensions
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    pairings = run_2025.proposal.pairings.set_index("unit_id")
    assert sorted(r[10] for r in rows) == sorted(pairings.index)  # one row per unit
    # each hospital's units together, under it
    hospitals = [r[0] for r in rows]
    assert len(list(dict.fromkeys(hospitals))) == len(set(hospitals))
    # times are numbers in minutes, to a tenth, shown in whole minutes
    for row, cells in zip(rows, sheet.iter_rows(min_row=2), strict=True):
        seconds = pairings.loc[row[10], "travel_time_s"]
        if pd.notna(seconds):
            assert isinstance(row[4], int | float) and row[4] == round(seconds / 60.0, 1)
        assert cells[4].number_format == MINUTES_FORMAT
        assert cells[6].number_format == people_format("vi")
        assert cells[8].number_format == SIGNED_MINUTES_FORMAT
    # people are numbers, each person counted once: a district health centre listed with its
    # communes is blank (its people are its communes'), as the scenario sheet notes
    levels = pairings["unit_level"]
    for row in rows:
        if levels[row[10]] == "district":
            assert row[6] is None
        else:
            assert isinstance(row[6], int | float) and row[6] == round(
                pairings.loc[row[10], "population"]
            )
    communes = pairings.loc[levels == "commune", "population"].round()
    assert sum(r[6] for r in rows if r[6] is not None) == pytest.approx(communes.sum())
    # the pilot: every Ba Vì unit, pinned to Xanh Pôn, marked
    ba_vi = [r for r in rows if r[3] == "huyện Ba Vì cũ"]  # Hanoi has no districts since 2025
    assert ba_vi and all(r[9] == "thí điểm" and r[11] == "hn-reg-xanhpon" for r in ba_vi)
    assert {r[9] for r in rows} == {"thí điểm", None}
    # the hospital's name in its map colour
    palette = hospital_palette(run_2025.hospitals)
    first = next(sheet.iter_rows(min_row=2))
    hid = first[11].value
    assert first[0].font.color.rgb == "FF" + palette[hid][0].lstrip("#").upper()


def test_people_show_the_languages_separator() -> None:
    """The format writes the separator of every figure the planner shows in that language."""
    for lang in ("vi", "en"):
        fmt = people_format(lang)
        separator = number(1234567, lang=lang)[1]
        assert fmt.count(f'"{separator}"') == 3
        assert number(1234567, lang=lang) == f"1{separator}234{separator}567"
    assert people_format("vi") != people_format("en")


def test_the_scenario_sheet_says_settings_dates_and_sources(folder: Path) -> None:
    _, _, scenario = _sheet(folder)
    values = [c.value for row in scenario.iter_rows() for c in row if c.value is not None]
    text = "\n".join(str(v) for v in values)
    assert values[0] == Translator("vi")("report.title", region="Hà Nội")
    assert "Giả định" in values and "Di chuyển" in values  # the report's settings, in words
    assert "hanoi_osm_2021-08_z14.mbtiles" in values and "tháng 8/2021" in values
    assert "vnm_ppp_2020_1km_Aggregated_UNadj.tif" in values
    rows = [[c.value for c in row] for row in scenario.iter_rows()]
    boundary = next(r for r in rows if r[0] == "hanoi_boundary_osm.geojson")
    assert boundary[3] is None  # a file without a date has none
    assert re.search(r"phiên bản \d+\.\d+", text)
    assert Translator("vi")("workbook.note_district_people.former") in values


def test_names_are_values_never_formulas(folder: Path) -> None:
    _, sheet, _ = _sheet(folder)
    cells = {c.value: c for row in sheet.iter_rows(min_row=2) for c in row[1:2]}
    assert cells[FORMULA].data_type == "s"
    assert "Trạm Y tế" in cells  # the control character dropped, the name kept
    with zipfile.ZipFile(folder / "pairings.xlsx") as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        xml = "".join(archive.read(n).decode("utf-8") for n in sheets)
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere


def test_the_english_workbook(tmp_path: Path, run_2025) -> None:
    from planner.app.pipeline.documents import scores_document

    path = write_workbook(
        tmp_path,
        pairings=run_2025.proposal.pairings,
        scores=scores_document(run_2025),
        facilities=run_2025.facilities,
        lang="en",
    )
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Pairings", "Scenario"]
    sheet = book["Pairings"]
    assert [c.value for c in sheet[1]][:5] == [
        "Sister hospital", "Unit", "Level", "Former district", "Travel time at 10:00 (min)",
    ]  # fmt: skip
    assert sheet.cell(2, 7).number_format == people_format("en")
    assert [p.name for p in tmp_path.iterdir()] == ["pairings.xlsx"]  # nothing half-written
