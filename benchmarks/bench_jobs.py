"""The jobs people run, as multiples of the floor measured in the same run (issue 33).

Absolute times follow the processor: the same commit gave ``planner propose`` in 1.9 s on one
2-core machine and 3.6 s on another. So every job is measured against a floor no run can beat
on the same machine in the same run: a Python process that only imports geopandas,
``scipy.optimize`` and ``scipy.sparse.csgraph`` (what any planning run needs before it starts
work). Its ratio to that floor is the figure that travels between machines.

Warm caches (each job run once first), the floor and the jobs interleaved run by run so that a
change in the machine's load moves both:

- ``from planner import plan, Session`` (the library and its workflow: the public names are
  lazy, so the import is made by asking for them),
- ``planner propose`` (every file it writes),
- ``planner demo`` (the map and the report too),
- ``Session().plan()``, the first plan of a new session,
- ``Session.plan(balance=...)``, a re-plan after the explorer's balance slider moves,

then ``planner demo`` from an empty cache, with what it spends by stage (each stage's wall time,
timed in the same child by wrapping the functions that do it; stages that run side by side on
two threads overlap). "Before" is the code at :data:`BEFORE` (checked out into a temporary
worktree), "after" this tree, both run here one after the other. Writes ``_results/jobs.md``.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _checkout import checkout, tree_env

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: The code before issue 33's speed work (issues 29-32 merged).
BEFORE = "da249a7"
#: Runs of each warm job (median), interleaved with as many runs of the floor.
RUNS = 5
#: A process that imports what every planning run needs, and nothing of the planner's.
FLOOR = "import geopandas, scipy.optimize, scipy.sparse.csgraph"
#: Each job's goal, as a multiple of the floor.
GOALS = {
    "import": ("`from planner import plan, Session`", 1.0),
    "propose": ("`planner propose`", 2.0),
    "demo": ("`planner demo` (all files)", 5.0),
    "session_first": ("`Session().plan()`, first plan", 2.0),
    "session_replan": ("`Session.plan(balance=...)`, re-plan (the slider)", 0.4),
    "demo_cold": ("`planner demo` from an empty cache", 20.0),
}

#: What issue 33 changed, and what stands between the jobs and their goals (measured by hand
#: with pyinstrument on this machine, and by the rows above).
WHAT_CHANGED = [
    "What changed: the road tiles are decoded from the protobuf into numpy arrays "
    "(`planner/roads/_mvt_decode.py`) instead of mapbox_vector_tile's per-feature Python (27.2 s "
    "→ 7.1 s of CPU on Hanoi's 1,463 tiles, the same graph digest, tested against "
    "mapbox_vector_tile); the edge table slices its pieces instead of `np.split` (3.5 → 0.8 s); a "
    "tile's points are converted to lon/lat and to shapely at once; `pairings.xlsx` is written by "
    "XlsxWriter instead of openpyxl; `python -m planner` and `python -m planner.app.cli` run "
    "under a `__main__` guard (their unguarded call kept a cold build's tile decoding on one "
    "core); the first plan on a graph just built times the population cells in a helper "
    "process while it computes the pair matrices (`planner._workers.start_helper`: the helper "
    "fills the cache, the plan reads its entries back). Outputs byte-identical but for "
    "`pairings.xlsx` (another writer; the same cells, tested by reading them back) and the "
    "maps' zoom step (0.1 instead of 0.25, so the printed report's map fills its room).",
    "",
    "Why the warm goals are not met: what a warm `planner propose` does beyond the floor's "
    "imports is spread thin (pyinstrument: the plan about 1.1 s — solves with their sensitivity "
    "re-solves, the population cells' times, scoring — and the files about 1.9 s: the workbook "
    "0.47 s, the GeoPackage 0.41 s, the CSV files 0.22 s, the deferred coverage 0.16 s, the areas "
    "0.17 s); issues 31 and 32 added the workbook, the scenario, the QGIS styles and the equity "
    "figures to every run. The cold demo: the roads (about 12 s alone) and the registry (about "
    "8 s alone) take 17-19 s together on two cores, where the tile workers and the registry's "
    "thread share them; building the registry in a process instead measured 17.2 s against "
    "18.8 s, inside this machine's run-to-run spread (cold demos of one commit took 30-36 s), "
    "and was not kept. After them, threads would not help: scipy's Dijkstra holds the "
    "interpreter (two searches on two threads took longer than one after the other), hence "
    "the helper process for the cells.",
    "",
]

_SESSION = """
import statistics, time, warnings
warnings.simplefilter("ignore")
started = time.perf_counter()
from planner import Session
session = Session()
run = session.plan()
first = time.perf_counter() - started
times = []
for balance in (0.1, 0.15, 0.25, 0.3, 0.2):
    t = time.perf_counter()
    run = session.plan(run.options, balance=balance)
    times.append(time.perf_counter() - t)
print(first, statistics.median(times))
"""

#: Stage of a cold demo -> (module, function) whose calls make it; timed by wrapping them.
STAGES = {
    "road graph from the tiles": ("planner.roads.network", "hanoi_network"),
    "facility registry": ("planner.places.hanoi.registry", "hanoi_facilities"),
    "areas": ("planner.places.hanoi.areas", "hanoi_areas"),
    "population grid": ("planner.places.population", "population_grid"),
    "pair matrices": ("planner.travel.matrix", "pair_travel_times"),
    "population cells timed": ("planner.access.cells", "cell_access"),
    "solves": ("planner.pairing._objectives", "optimise"),
    "files, map and report": ("planner.app.pipeline.write", "write_outputs"),
}

_STAGED_DEMO = """
import importlib
import json
import sys
import threading
import time


def timed(stage, fn, spent, depth):
    def wrapper(*args, **kwargs):
        outer = not getattr(depth, "n", {}).get(stage)
        depth.n = {**getattr(depth, "n", {}), stage: True}
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            if outer:
                spent[stage] += time.perf_counter() - started
                depth.n = {**depth.n, stage: False}

    return wrapper


def main():
    started = time.perf_counter()
    import planner.app.cli  # lazy: the imports happen inside the stages that need them

    stages = json.loads(sys.argv[1])
    spent = {stage: 0.0 for stage in stages}
    depth = threading.local()
    for stage, (module, name) in stages.items():
        original = getattr(importlib.import_module(module), name)
        wrapped = timed(stage, original, spent, depth)
        for mod in list(sys.modules.values()):  # every name bound to it, wherever imported
            if (getattr(mod, "__name__", None) or "").startswith("planner"):
                for key, value in list(vars(mod).items()):
                    if value is original:
                        setattr(mod, key, wrapped)
    code = planner.app.cli.main(["demo", "--quiet", "--out", sys.argv[2]])
    total = time.perf_counter() - started
    print(json.dumps({**spent, "total": total}))
    return code


if __name__ == "__main__":
    raise SystemExit(main())
"""


def _run(tree: Path, args: list[str], cache: str) -> float:
    env = tree_env(tree, PLANNER_CACHE_DIR=cache)
    started = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=tree, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - started


def _output(tree: Path, args: list[str], cache: str) -> str:
    env = tree_env(tree, PLANNER_CACHE_DIR=cache)
    return subprocess.run([sys.executable, *args], cwd=tree, env=env, check=True,
                          capture_output=True, text=True).stdout  # fmt: skip


def measure(tree: Path, work: Path) -> dict[str, float]:
    """Every job's wall time (s) for the code in ``tree``, and the floor's, in the same run."""
    cache = tempfile.mkdtemp(dir=work)
    out = tempfile.mkdtemp(dir=work)
    script = (
        Path(tempfile.mkdtemp(dir=work)) / "staged_demo.py"
    )  # a file: tile workers re-import it
    script.write_text(_STAGED_DEMO, encoding="utf-8")
    stages = json.dumps(STAGES)
    cold = json.loads(_output(tree, [str(script), stages, out], cache).splitlines()[-1])
    cli = ["-m", "planner.app.cli"]
    jobs = {
        "import": ["-c", "from planner import plan, Session"],
        "propose": [*cli, "propose", "--quiet", "--out", out],
        "demo": [*cli, "demo", "--quiet", "--out", out],
    }
    for args in jobs.values():  # warm-up: caches and the OS's file cache
        _run(tree, args, cache)
    _output(tree, ["-c", _SESSION], cache)
    times: dict[str, list[float]] = {key: [] for key in [*jobs, "floor", "first", "replan"]}
    for _ in range(RUNS):
        times["floor"].append(_run(tree, ["-c", FLOOR], cache))
        for key, args in jobs.items():
            times[key].append(_run(tree, args, cache))
        first, replan = map(float, _output(tree, ["-c", _SESSION], cache).split()[-2:])
        times["first"].append(first)
        times["replan"].append(replan)
    figures = {key: statistics.median(values) for key, values in times.items()}
    figures["session_first"] = figures.pop("first")
    figures["session_replan"] = figures.pop("replan")
    figures["demo_cold"] = cold["total"]
    figures["stages"] = cold  # type: ignore[assignment]
    return figures


def _x(seconds: float, floor: float) -> str:
    return f"{seconds / floor:.2f}×"


def main() -> None:
    results = {}
    with tempfile.TemporaryDirectory() as folder, checkout(BEFORE) as before:
        work = Path(folder)
        for name, tree in (("before", before), ("after", ROOT)):
            results[name] = measure(tree, work)
    b, a = results["before"], results["after"]
    lines = [
        "## The jobs people run, as multiples of the floor (issue 33)",
        "",
        f'The floor: `python -c "{FLOOR}"`, {a["floor"]:.2f} s here (before\'s run: '
        f"{b['floor']:.2f} s). Warm caches, median of {RUNS} runs, the floor measured between "
        f'them; the cold demo once per tree. "Before" is commit `{BEFORE}`, run here in the '
        "same session.",
        "",
        "| job | before | after | goal |",
        "|---|---|---|---|",
    ]
    for key, (label, goal) in GOALS.items():
        met = "met" if a[key] / a["floor"] <= goal else "not met"
        lines.append(
            f"| {label} | {_x(b[key], b['floor'])} ({b[key]:.2f} s) | "
            f"{_x(a[key], a['floor'])} ({a[key]:.2f} s) | ≤ {goal:g}× ({met}) |"
        )
    stages = a["stages"]
    before_stages = b["stages"]
    assert isinstance(stages, dict) and isinstance(before_stages, dict)
    lines += [
        "",
        "Where the cold `planner demo` spends its time (wall seconds of each stage, timed in the "
        "run; the registry is built on a second thread while the road graph loads, so those "
        "two overlap, and the matrices and solves inside the later stages are counted in "
        "theirs too):",
        "",
        "| stage | before | after |",
        "|---|---|---|",
        *(
            f"| {stage} | {before_stages.get(stage, float('nan')):.1f} s | {s:.1f} s |"
            for stage, s in stages.items()
        ),
        "",
        *WHAT_CHANGED,
    ]
    text = "\n".join(lines)
    print(text)
    (HERE / "_results").mkdir(exist_ok=True)
    (HERE / "_results" / "jobs.md").write_text(text)


if __name__ == "__main__":
    main()
