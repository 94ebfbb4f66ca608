"""Files in and out: spreadsheet-safe CSV (and its exact round trip), the one CSV reader, numbers
with thousands separators, atomic writes flushed before the rename, standard output."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from planner import io
from planner.errors import PlannerInputError
from planner.places.facilities import load_facilities, write_facilities

# Cells a spreadsheet would run as formulas, and their neighbours that must stay as they are.
HOSTILE = [
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted by a person",
    "''=two apostrophes",
    "'plain apostrophe",
    "-3",
    "+84 24 3825 3531",
    "Trạm y tế xã Tản Lĩnh",
    "",
]


def test_spreadsheet_safe_cells_never_start_a_formula() -> None:
    for text in HOSTILE:
        safe = io.spreadsheet_safe(text)
        if text in ("-3", "Trạm y tế xã Tản Lĩnh", "", "'plain apostrophe"):
            assert safe == text  # numbers and ordinary text are left alone
        else:
            assert safe == "'" + text, text
        assert io.spreadsheet_unsafe(safe) == text  # exactly what was added is removed


def test_pairings_csv_round_trip_is_exact_and_ids_untouched(tmp_path: Path) -> None:
    table = pd.DataFrame(
        {
            "unit_id": ["=u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9", "u10", "u11", "u12"],
            "unit_name": HOSTILE[:12],
            "district": ["@Ba Vì", *["Huyện Ba Vì"] * 11],
            "hospital_id": ["+h1", *["h2"] * 11],
            "travel_time_s": [-1.5, *range(11)],
        }
    )
    path = io.write_csv(table, tmp_path / "pairings.csv")
    text = path.read_text(encoding="utf-8")
    # ids are written exactly; every other text cell that could be a formula starts with '
    assert "\n=u1," in text and ",+h1," in text
    for line in text.splitlines()[1:]:
        name = line.split(",")[1].strip('"')
        assert not name or name[0] not in "=+-@\t\r" or name == "-3", line
    back = io.read_pairings(path)
    pd.testing.assert_frame_equal(back[table.columns], table, check_dtype=False)


def test_facility_csv_round_trip_keeps_hostile_names(tmp_path: Path) -> None:
    names = [n for n in HOSTILE if n.strip() and not n.startswith(("\t", "\r"))]
    fac = gpd.GeoDataFrame(
        {
            "facility_id": [f"f{i}" for i in range(len(names))],
            "name": names,
            "level": "commune",
            "district": "=Ba Vì",
        },
        geometry=[shapely.Point(105.4 + i / 100, 21.1) for i in range(len(names))],
        crs="EPSG:4326",
    )
    path = write_facilities(fac, tmp_path / "fac.csv")
    assert "'=Ba Vì" in path.read_text(encoding="utf-8")
    back = load_facilities(path)
    assert back["name"].tolist() == names
    assert set(back["district"]) == {"=Ba Vì"}


def test_pairing_file_saved_by_excel_with_semicolons_and_bom(tmp_path: Path, registry_2024) -> None:
    path = tmp_path / "officials.csv"
    path.write_bytes(
        "\ufeffunit_id;hospital_id;travel_time_s\r\nhn-dist-271;hn-reg-xanhpon;3600,5\r\n".encode()
    )
    table = io.read_pairings(path, registry_2024)
    assert table.to_dict("records") == [
        {"unit_id": "hn-dist-271", "hospital_id": "hn-reg-xanhpon", "travel_time_s": 3600.5}
    ]
    assert io.detect_scheme(path) == "2025"  # a district unit alone: the default scheme
    path.write_text("unit_id,hospital_id\nhn-com-09619,hn-reg-xanhpon\n", encoding="utf-8")
    assert io.detect_scheme(path) == "2024"  # a 2024 commune says its scheme


def test_unknown_ids_are_listed_in_one_message(tmp_path: Path, registry_2024) -> None:
    path = tmp_path / "p.csv"
    rows = ["unit_id,hospital_id", "hn-dist-271,hn-reg-xanhpon"]
    rows += [f"hn-dist-9{i:02d},hn-reg-xanhpon" for i in range(5)]
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(PlannerInputError) as err:
        io.read_pairings(path, registry_2024)
    assert err.value.rows == (2, 3, 4, 5, 6)
    assert "rows 2-6, field unit_id: unknown id 'hn-dist-900' (row 2; 4 more rows alike)" in str(
        err.value
    )


def test_unreadable_pairings_file_fails_scheme_detection(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(b"unit_id,hospital_id\nhn-com25-00004,\xff\xfe\n")
    with pytest.raises(PlannerInputError, match="not valid utf-8"):
        io.detect_scheme(path)
    with pytest.raises(PlannerInputError, match="does not exist"):
        io.detect_scheme(tmp_path / "missing.csv")
    (tmp_path / "no_ids.csv").write_text("unit,hospital\nx,y\n")
    with pytest.raises(PlannerInputError, match="missing column unit_id"):
        io.detect_scheme(tmp_path / "no_ids.csv")


@pytest.mark.parametrize(
    ("text", "thousands", "expected"),
    [
        ("12345", None, 12345.0),
        ("12 345", None, 12345.0),
        ("12\u00a0345", None, 12345.0),  # no-break space, as Excel writes in vi-VN and fr-FR
        ("12\u202f345,5", None, 12345.5),
        ("1.234.567", None, 1234567.0),
        ("1,234,567", None, 1234567.0),
        ("1,234.5", None, 1234.5),
        ("1.234,5", None, 1234.5),
        ("12,5", None, 12.5),
        ("0.345", None, 0.345),
        ("1234.567", None, 1234.567),
        ("12.345", ".", 12345.0),
        ("12,345", ",", 12345.0),
        ("12,345", ".", 12.345),
        ("12.345", ",", 12.345),
        ("12 345", "space", 12345.0),
        ("12.345", "space", 12.345),
    ],
)
def test_counts_are_read_only_where_unambiguous(text: str, thousands, expected: float) -> None:
    assert io.parse_count(text, thousands=thousands) == expected


@pytest.mark.parametrize(
    ("text", "thousands", "needle"),
    [
        ("12,345", None, "ambiguous"),
        ("12.345", None, "ambiguous"),
        ("-1.000", None, "ambiguous"),
        ("12,34,5", None, "not a number"),
        ("1.2345", ".", "does not group its digits by three"),
        ("about 300", None, "not a number"),
    ],
)
def test_ambiguous_or_bad_counts_are_errors(text: str, thousands, needle: str) -> None:
    with pytest.raises(io.NumberError, match=needle) as err:
        io.parse_count(text, thousands=thousands)
    assert err.value.hint


def test_atomic_write_flushes_before_rename(tmp_path: Path, monkeypatch) -> None:
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(
        os, "replace", lambda a, b: (calls.append("replace"), real_replace(a, b))[1]
    )
    io.write_text_atomic(tmp_path / "a.txt", "x")
    assert calls[:2] == ["fsync", "replace"], calls  # the content is on disk first
    assert "fsync" in calls[2:]  # then the folder entry (POSIX)


def test_atomic_write_without_directory_fsync(tmp_path: Path, monkeypatch) -> None:
    """Windows cannot open a folder to flush it: the write still completes."""
    monkeypatch.delattr(os, "O_DIRECTORY", raising=False)
    assert io.write_text_atomic(tmp_path / "a.txt", "x").read_text() == "x"


def test_outputs_to_standard_output(capsys) -> None:
    io.write_csv(pd.DataFrame({"name": ["=x"], "n": [1.0]}), "-")
    io.write_json({"a": float("nan")}, "-")
    assert capsys.readouterr().out == 'name,n\n\'=x,1.000\n{\n  "a": null\n}\n'
