"""What the before/after benchmarks share: an older commit checked out beside this tree, and the
environment a child process runs a tree in (its code, this tree's data folder)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def checkout(commit: str) -> Iterator[Path]:
    """``commit`` checked out into a temporary git worktree, removed afterwards."""
    with tempfile.TemporaryDirectory() as work:
        tree = Path(work) / "before"
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(tree), commit],
                       cwd=ROOT, check=True, capture_output=True)  # fmt: skip
        try:
            yield tree
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)],
                           cwd=ROOT, check=False, capture_output=True)  # fmt: skip


def tree_env(tree: Path, **extra: str) -> dict[str, str]:
    """The environment that runs ``tree``'s planner on this tree's data (a worktree checked out
    under /tmp has no ../shared/geodata beside it)."""
    from planner.config import data_dir

    return {**os.environ, "PYTHONPATH": str(tree), "PLANNER_DATA_DIR": str(data_dir()), **extra}
