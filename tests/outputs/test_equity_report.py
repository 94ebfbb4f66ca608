"""The report says who is left behind, in words and figures, in both languages, beside the
nearest-hospital baseline (issue 32)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest


def _section(report: Path) -> str:
    page = report.read_text(encoding="utf-8")
    start = page.index('<section id="equity">')
    return re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", page[start : page.index("</section>", start)])
    )


def test_the_demo_says_who_is_left_behind(demo_dir: Path) -> None:
    equity = json.loads((demo_dir / "scores.json").read_text())["equity"]
    sister, nearest = equity["sister"], equity["nearest"]
    assert equity["threshold_min"] == 60.0 and "Phường" in equity["kind_rule"]
    # the sentence, from the run's own figures (Vietnamese, the demo's language)
    n = round(1 / sister["fgt0"])
    n_rural = round(1 / sister["rural"]["fgt0"])
    n_nearest = round(1 / nearest["fgt0"])
    text = _section(demo_dir / "report.html")
    assert f"Cứ {n} người có 1 người sống cách bệnh viện kết nghĩa hơn 60 phút" in text
    assert f"ở các xã, cứ {n_rural} người có 1 người" in text
    assert f"con số này là cứ {n_nearest} người có 1 người" in text
    # the xã are left behind more than the phường and thị trấn, by either hospital
    for figures in (sister, nearest):
        assert figures["rural"]["fgt0"] > figures["urban"]["fgt0"]
        assert figures["rural"]["population"] + figures["urban"]["population"] == pytest.approx(
            figures["population"]
        )


def test_the_english_report_says_it_too(tmp_path: Path, demo_dir: Path) -> None:
    import shutil

    from planner.app.cli import main

    folder = tmp_path / "demo"
    shutil.copytree(demo_dir, folder)  # the shared demo's files stay as they are
    assert main(["report", str(folder), "--lang", "en", "-q"]) == 0
    equity = json.loads((demo_dir / "scores.json").read_text())["equity"]
    text = _section(folder / "report.html")
    n = round(1 / equity["sister"]["fgt0"])
    assert f"1 person in {n} lives more than 60 min from their sister hospital" in text
    assert "Gini coefficient" in text and "Palma ratio" in text
