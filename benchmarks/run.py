"""Run every benchmark and write ``benchmarks/RESULTS.md``.

Usage (from the repository root, after ``pip install -e ".[bench]"``)::

    python benchmarks/run.py            # all benchmarks
    python benchmarks/run.py matrix     # only some of them

Each ``bench_*.py`` runs in its own process (so peak memory is its own) and writes a
markdown section into ``benchmarks/_results/``; this script adds the machine and versions
and joins the sections. Figures are medians of several runs, with ratios against peer
tools measured in the same run.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = (
    "network",
    "matrix",
    "access",
    "pairing",
    "siting",
    "invest",
    "maps",
    "whatif",
    "demo",
    "jobs",
    "structure",
)
PACKAGES = (
    "numpy", "scipy", "pandas", "geopandas", "shapely", "networkx", "osmnx", "igraph",
    "pandana", "PuLP", "highspy", "folium", "scikit-learn", "mapbox-vector-tile", "osmium",
    "rasterio",
)  # fmt: skip


def _versions() -> str:
    rows = []
    for name in PACKAGES:
        try:
            rows.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            rows.append(f"{name} (not installed)")
    return ", ".join(rows)


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.node()}: {os.cpu_count()} cores ({cpu}), {mem_gib:.0f} GiB, "
        f"Python {platform.python_version()}, {platform.platform()}"
    )


def _stamp(section: Path) -> None:
    """Say under the section's heading when and on what it was measured: a partial run keeps
    the other sections of earlier runs, each with its own stamp."""
    lines = section.read_text().strip().splitlines()
    lines = [line for line in lines if not line.startswith("_Measured ")]
    stamp = f"_Measured {time.strftime('%Y-%m-%d %H:%M')} on {_machine()}._"
    section.write_text("\n".join([lines[0], "", stamp, *lines[1:]]) + "\n")


def main(argv: list[str]) -> int:
    wanted = argv or list(ORDER)
    out_dir = HERE / "_results"
    out_dir.mkdir(exist_ok=True)
    failed = []
    for name in wanted:
        script = HERE / f"bench_{name}.py"
        started = time.perf_counter()
        print(f"== {name} ({script.name})", flush=True)
        result = subprocess.run([sys.executable, str(script)], check=False)
        print(f"== {name}: exit {result.returncode} in {time.perf_counter() - started:.0f} s")
        if result.returncode != 0:
            failed.append(name)
        else:
            _stamp(out_dir / f"{name}.md")
    sections = [
        "# Benchmark results",
        "",
        f"Joined {time.strftime('%Y-%m-%d %H:%M')} by `python benchmarks/run.py` (each section says when "
        "and where it was measured).",
        "",
        f"- Machine: {_machine()}",
        f"- Versions: {_versions()}",
        "",
    ]
    for name in ORDER:
        path = out_dir / f"{name}.md"
        if path.exists():
            sections += [path.read_text().strip(), ""]
    if failed:
        sections += [f"**Failed in this run:** {', '.join(failed)}", ""]
    (HERE / "RESULTS.md").write_text("\n".join(sections))
    print(f"wrote {HERE / 'RESULTS.md'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
