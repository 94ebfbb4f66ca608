"""The house's shape before and after the stage subpackages (issue 22).

For the flat layout (:data:`BEFORE`, checked out into a temporary worktree) and this tree:
how many modules, the largest, and the longest chain of module-level imports (read with
``ast``: a submodule import counts its parent packages, as Python runs them; imports inside
functions and under ``TYPE_CHECKING`` are left out). Writes ``_results/structure.md``.

That the restructuring kept the demo's files byte-identical is checked by
``benchmarks/identical_outputs.py`` (it runs four demos; see the section's text).
"""

from __future__ import annotations

import ast
import functools
import sys
from pathlib import Path

from _checkout import checkout

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: The last commit of the flat layout (39 modules in ``planner/``).
BEFORE = "5f3b128"


def _modules(tree: Path) -> dict[str, Path]:
    found = {}
    for path in (tree / "planner").rglob("*.py"):
        parts = path.relative_to(tree).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _eager_imports(path: Path, name: str, known: dict[str, Path]) -> set[str]:
    """Planner modules imported at module level (``TYPE_CHECKING`` blocks left out)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        nodes = list(ast.walk(node)) if isinstance(node, ast.Try | ast.If) else [node]
        for n in nodes:
            if isinstance(n, ast.Import):
                out |= {a.name for a in n.names}
            elif isinstance(n, ast.ImportFrom):
                base = n.module or ""
                if n.level:
                    kept = package.split(".")[: len(package.split(".")) - (n.level - 1)]
                    base = ".".join(kept + ([n.module] if n.module else []))
                out |= {base, *(f"{base}.{a.name}" for a in n.names)}
    imported = {m for m in out if m in known and m != name}
    for target in list(imported):  # importing a.b.c runs a and a.b first
        parts = target.split(".")
        for i in range(2, len(parts)):
            parent = ".".join(parts[:i])
            if parent in known and parent != name and not name.startswith(parent + "."):
                imported.add(parent)
    return imported


def shape(tree: Path) -> dict[str, object]:
    """Modules, the largest three and the longest eager import chain of a checkout."""
    known = _modules(tree)
    edges = {m: _eager_imports(p, m, known) for m, p in known.items()}
    sys.setrecursionlimit(10_000)

    @functools.cache
    def longest(module: str, seen: frozenset[str]) -> tuple[str, ...]:
        best: tuple[str, ...] = (module,)
        for target in edges[module] - seen:
            chain = (module, *longest(target, seen | {module}))
            best = max(best, chain, key=len)
        return best

    chain = max((longest(m, frozenset()) for m in known), key=len)
    sizes = sorted(
        ((sum(1 for _ in p.open(encoding="utf-8")), m) for m, p in known.items()), reverse=True
    )
    return {"modules": len(known), "largest": sizes[:3], "chain": chain}


def _largest(found: dict[str, object]) -> str:
    rows = found["largest"]
    assert isinstance(rows, list)
    return ", ".join(f"`{name.removeprefix('planner.')}` {lines}" for lines, name in rows)


def _chain(found: dict[str, object]) -> str:
    chain = found["chain"]
    assert isinstance(chain, tuple)
    return f"{len(chain)}: " + " → ".join(m.removeprefix("planner.") for m in chain)


def main() -> None:
    with checkout(BEFORE) as before_tree:
        before = shape(before_tree)
    after = shape(ROOT)
    lines = [
        "## The house: structure, outputs unchanged (issue 22)",
        "",
        "| | flat layout (`" + BEFORE + "`) | stage subpackages (this tree) |",
        "|---|---|---|",
        f"| modules in `planner/` | {before['modules']} | {after['modules']} |",
        f"| largest modules (lines) | {_largest(before)} | {_largest(after)} |",
        f"| longest eager import chain | {_chain(before)} | {_chain(after)} |",
        "",
        "The chain is longer because the modules are smaller: one job each, re-exported by their "
        "package (`roads.speeds` re-exports `_speed_tables`, `_bands`, `_edges`, `_paths`), so "
        "the same imports pass through more files. It now runs only down the stages (app → "
        "outputs → pairing | access → travel → places → roads → foundations: the import-linter "
        "contracts of `pyproject.toml`, run by CI), which the flat chain did not (scoring "
        "imported travel and, through it, the road readers). No module is over 800 lines "
        "(`tests/test_layout.py`).",
        "",
        "Outputs kept: `python benchmarks/identical_outputs.py --before 5f3b128`, run at `5708ea2` "
        "(the subpackages, the module splits, the typed requests and the merged near-twins), "
        "compared the files of `planner demo` and `planner demo --scheme 2025 --lang en` with "
        "the flat layout's: all 16 byte-identical (`pairings.gpkg` is new and carries SQLite "
        "write times). Issue 25 then changed `report.html` and `map.html` on purpose; every other "
        "file of both demos stayed byte-identical through the speed and growth work (checked "
        "with `cmp` after each merge).",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    (HERE / "_results").mkdir(exist_ok=True)
    (HERE / "_results" / "structure.md").write_text(text)


if __name__ == "__main__":
    main()
