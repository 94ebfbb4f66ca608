"""The hospitals' capacity from sources or from the user: the sourced Hanoi table, a user's
file checked row by row, ``--load capacity`` refused while a hospital has no figure (naming
it), and with every figure the report naming the hospital nearest its limit."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.app.cli import main
from planner.errors import PlannerInputError
from planner.places.capacity import hanoi_capacity_path, read_capacity, with_capacity

HEADER = "hospital_id,capacity,measure,source\n"


def test_the_sourced_table_has_a_source_for_every_figure(registry_2025) -> None:
    raw = pd.read_csv(hanoi_capacity_path(), dtype=str, keep_default_na=False)
    table = read_capacity(hanoi_capacity_path(), hospitals=registry_2025)
    assert set(table["hospital_id"]) == set(registry_2025["hospital_id"].dropna())
    figures = raw[raw["capacity"] != ""]
    assert (figures["source"].str.contains("https?://", regex=True)).all()
    assert (figures["quote"].str.len() > 20).all() and (figures["measure"] != "").all()
    # every figure appears in its own quote: nothing is typed in that the source does not say
    for row in figures.itertuples():
        assert row.capacity in row.quote, row.hospital_id
    notes = raw.set_index("hospital_id")["note"]
    assert "WEAK SOURCE" in notes["hn-reg-oncology"]
    assert "SOURCES DISAGREE" in notes["hn-reg-obgyn"] and "1,000" in notes["hn-reg-obgyn"]
    assert table.set_index("hospital_id").loc["hn-reg-xanhpon", "capacity"] == 870.0
    assert table.set_index("hospital_id").loc["hn-reg-heart", "capacity"] == 380.0


def test_a_hospital_s_figure_is_its_sites_sum(registry_2025) -> None:
    table = pd.DataFrame({"hospital_id": ["hn-reg-heart", "hn-reg-obgyn"],
                          "capacity": [380.0, np.nan]})  # fmt: skip
    out = with_capacity(registry_2025, table)
    regional = out[out["level"] == "regional"]
    heart = regional[regional["hospital_id"] == "hn-reg-heart"]
    assert heart["capacity"].sum() == 380.0 and len(heart) == 2
    assert heart.set_index("site_role").loc["main", "capacity"] == 380.0
    assert regional.loc[regional["hospital_id"] != "hn-reg-heart", "capacity"].isna().all()
    assert out.loc[out["level"] != "regional", "capacity"].equals(
        registry_2025.loc[registry_2025["level"] != "regional", "capacity"].astype(float)
    )


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        ("hn-reg-heart,lots,beds,x\n", r"cap\.csv, row 1, field capacity: capacity 'lots'"),
        ("hn-reg-heart,-5,beds,x\n", r"cap\.csv, row 1, field capacity: capacity -5 is not"),
        (
            "hn-reg-heart,380,beds,x\nhn-reg-heart,400,beds,y\n",
            r"row 2, field hospital_id: .* twice",
        ),
        ("hn-reg-hart,380,beds,x\n", r"row 1, field hospital_id: 'hn-reg-hart' is not a hospital"),
        ("hn-reg-heart-tayho,380,beds,x\n", r"a site of hospital 'hn-reg-heart'"),
    ],
)
def test_a_bad_capacity_file_names_the_row_and_field(
    tmp_path: Path, registry_2025, rows: str, match: str
) -> None:
    path = tmp_path / "cap.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    with pytest.raises(PlannerInputError, match=match):
        read_capacity(path, hospitals=registry_2025)


def test_load_capacity_is_refused_without_every_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    partial = tmp_path / "partial.csv"
    partial.write_text(
        HEADER + "hn-reg-heart,380,beds,VTV 2019\nhn-reg-oncology,,beds,\n"
        "hn-reg-obgyn,750,beds,ANTĐ 2017\nhn-reg-xanhpon,870,beds,Vietnam.vn 2025\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code = main(["propose", "--scheme", "2025", "--load", "capacity", "--capacity", str(partial),
                 "--no-cells", "--out", str(out), "-q"])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err.replace("\n", " ")
    assert "1 of 4 hospitals have none: hn-reg-oncology (Bệnh viện Ung bướu Hà Nội)" in err
    assert "--capacity FILE" in err and "geodata/hospital_capacity.csv" in err
    assert not out.exists()


def test_with_every_figure_the_report_names_the_hospital_nearest_its_limit(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    # the Hanoi registry with --load capacity: the sourced figures, all four found
    assert main(["demo", "--scheme", "2025", "--load", "capacity", "--no-cells", "--lang", "en",
                 "--out", str(out), "-q"]) == 0  # fmt: skip
    scores = json.loads((out / "scores.json").read_text())
    section = scores["capacity"]
    table = read_capacity(hanoi_capacity_path())
    capacity = table.set_index("hospital_id")["capacity"]
    loads = pd.Series(scores["load"])
    # the limits, recomputed: (1 + balance) x the people's share by capacity
    limit = 1.2 * loads.sum() * capacity / capacity.sum()
    rows = {r["hospital_id"]: r for r in section["hospitals"]}
    for hospital_id, row in rows.items():
        assert row["limit"] == pytest.approx(limit[hospital_id])
        assert row["people"] == pytest.approx(loads[hospital_id])
        assert row["people"] <= row["limit"] * (1 + 1e-9)  # the balance holds
    nearest = (loads / capacity).idxmax()
    assert section["nearest_limit"] == nearest
    page = (out / "report.html").read_text(encoding="utf-8")
    names = {"hn-reg-heart": "Bệnh viện Tim Hà Nội", "hn-reg-oncology": "Bệnh viện Ung bướu Hà Nội",
             "hn-reg-obgyn": "Bệnh viện Phụ sản Hà Nội", "hn-reg-xanhpon": "Bệnh viện Đa khoa Xanh Pôn"}  # fmt: skip
    assert f"{names[nearest]} is nearest its limit" in page
    assert "Capacity figures:" in page and "vtv.vn" in page
    assert scores["options"]["load"] == "capacity"
