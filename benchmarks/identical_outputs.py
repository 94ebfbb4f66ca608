"""Are the demo's files byte-identical before and after a change?

Runs ``planner demo`` on both schemes in both languages (2024 and 2025 units, Vietnamese and
English) from a git worktree at ``--before`` and from this checkout, on the same cache, and
compares every file both wrote (files only the newer code writes are listed, not compared). ``pairings.gpkg`` is left out: SQLite pages carry write times. Exits 1 on any
difference, naming the files.

    python benchmarks/identical_outputs.py --before 5f3b128
"""

from __future__ import annotations

import argparse
import filecmp
import subprocess
import sys
import tempfile
from pathlib import Path

from _checkout import ROOT, checkout, tree_env

RUNS = {
    f"demo{scheme[2:]}-{lang}": ["--scheme", scheme, "--lang", lang]
    for scheme in ("2024", "2025")
    for lang in ("vi", "en")
}
NOT_BYTE_STABLE = {"pairings.gpkg"}


def _demo(tree: Path, out: Path, extra: list[str]) -> None:
    env = tree_env(tree)  # the same inputs for both trees
    code = "from planner.app.cli import main; raise SystemExit(main())"
    if not (tree / "planner" / "app").is_dir():  # planner 0.1's flat layout
        code = "from planner.cli import main; raise SystemExit(main())"
    subprocess.run(
        [sys.executable, "-c", code, "demo", "--quiet", "--out", str(out), *extra],
        env=env,
        check=True,
        cwd=tree,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the git commit to compare with")
    args = parser.parse_args(argv)
    differ: list[str] = []
    with tempfile.TemporaryDirectory() as tmp, checkout(args.before) as before:
        for name, extra in RUNS.items():
            old, new = Path(tmp) / f"{name}-before", Path(tmp) / f"{name}-after"
            _demo(before, old, extra)
            _demo(ROOT, new, extra)
            files = sorted({p.name for p in old.iterdir()} - NOT_BYTE_STABLE)
            new_only = sorted({p.name for p in new.iterdir()} - {p.name for p in old.iterdir()})
            if new_only:
                print(f"{name}: new files {', '.join(new_only)}")
            for file in files:
                same = (new / file).exists() and filecmp.cmp(old / file, new / file, False)
                print(f"{name}/{file}: {'identical' if same else 'DIFFERENT'}")
                if not same:
                    differ.append(f"{name}/{file}")
    print("all identical" if not differ else f"different: {', '.join(differ)}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
