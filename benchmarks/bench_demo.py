"""End to end: ``planner demo`` cold (empty cache) and warm, wall time and peak memory.

Goals: cold ≤ 3 minutes, warm ≤ 30 s on 2 cores. Writes ``_results/demo.md``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
WARM_RUNS = 3


_WRAPPER = """
import resource, subprocess, sys, time
started = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
wall = time.perf_counter() - started
print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def run_demo(cache: str, out: str) -> tuple[float, float]:
    """Return (wall seconds, peak RSS GiB) of one ``planner demo``.

    Each run goes through its own wrapper process, whose ``RUSAGE_CHILDREN`` then holds
    that run's peak alone (the counter is a maximum over all children ever waited for).
    """
    env = {**os.environ, "PLANNER_CACHE_DIR": cache}
    demo = [sys.executable, "-m", "planner.app.cli", "demo", "--quiet", "--out", out]
    result = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *demo], env=env, check=True, capture_output=True,
        text=True,
    )  # fmt: skip
    wall, peak_kib = result.stdout.split()
    return float(wall), float(peak_kib) / 2**20


def main() -> None:
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
        cold, cold_mem = run_demo(cache, out)
        warm = [run_demo(cache, out) for _ in range(WARM_RUNS)]
    warm_s = statistics.median(w for w, _ in warm)
    lines = [
        "## End to end: `planner demo`",
        "",
        "| run | wall time | goal | peak memory |",
        "|---|---|---|---|",
        f"| cold (empty cache) | {cold:.1f} s | ≤ 180 s | {cold_mem:.2f} GiB |",
        f"| warm (median of {WARM_RUNS}) | {warm_s:.1f} s | ≤ 30 s | {max(m for _, m in warm):.2f} GiB |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    (HERE / "_results").mkdir(exist_ok=True)
    (HERE / "_results" / "demo.md").write_text(text)


if __name__ == "__main__":
    main()
