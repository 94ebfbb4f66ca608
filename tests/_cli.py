"""The planner command as a user runs it, for the tests of every stage."""

from __future__ import annotations

import subprocess
import sys


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed command in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "planner.app.cli", *args],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
