"""The package type-checks: mypy is clean on ``planner/`` with the settings in pyproject.toml."""

from __future__ import annotations

from _paths import ROOT
from mypy import api

ROOT = ROOT


def test_mypy_is_clean_on_the_package() -> None:
    stdout, stderr, status = api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--no-incremental", str(ROOT / "planner")]
    )
    assert status == 0, stdout + stderr
    assert "Success: no issues found" in stdout


def test_the_package_says_it_is_typed() -> None:
    assert (ROOT / "planner" / "py.typed").is_file()
