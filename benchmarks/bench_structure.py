"""The house's shape: the flat layout, the stage subpackages (issue 22), the rooms (issue 29).

For the flat layout (:data:`BEFORE`), the subpackages before the design work (:data:`BEFORE_29`),
each checked out into a temporary worktree, and this tree: how many modules, the largest, the
longest chain of module-level imports (read with ``ast``: a submodule import counts its parent
packages, as Python runs them; imports inside functions and under ``TYPE_CHECKING`` are left
out), private names imported from another module, and the trip's settings passed as loose keywords
above ``travel/``. Writes ``_results/structure.md``.

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
#: The stage subpackages before issue 29 (one ``TripRule`` carried whole, rooms by job).
BEFORE_29 = "dc1a387"
#: A trip's settings: the fields of ``TripRule``.
TRIP_FIELDS = {"mode", "depart", "peak_depart", "directions", "site_rule"}
#: The stages above ``travel/``, which take a trip whole.
ABOVE_TRAVEL = ("pairing", "access", "outputs", "app")


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


def private_imports(tree: Path) -> list[tuple[str, str, str]]:
    """Private names one module takes from another: ``(module, from, name)`` for every
    ``from planner… import _name``."""
    found = []
    for name, path in _modules(tree).items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            if not (node.level or (node.module or "").startswith("planner")):
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append((name, node.module or ".", alias.name))
    return found


def loose_trip_options(tree: Path) -> list[tuple[str, str]]:
    """Functions and classes above ``travel/`` taking a trip's settings one by one:
    ``(where, fields)``."""
    found = []
    for stage in ABOVE_TRAVEL:
        for path in sorted((tree / "planner" / stage).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    a = node.args
                    names = {x.arg for x in [*a.posonlyargs, *a.args, *a.kwonlyargs]}
                elif isinstance(node, ast.ClassDef):
                    names = {
                        s.target.id
                        for s in node.body
                        if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
                    }
                else:
                    continue
                if names & TRIP_FIELDS:
                    where = f"{path.relative_to(tree)}:{node.name}"
                    found.append((where, ",".join(sorted(names & TRIP_FIELDS))))
    return found


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
    return {
        "modules": len(known),
        "largest": sizes[:3],
        "chain": chain,
        "private": private_imports(tree),
        "loose": loose_trip_options(tree),
    }


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
    with checkout(BEFORE_29) as rooms_tree:
        rooms = shape(rooms_tree)
    after = shape(ROOT)
    loose = "; ".join(
        f"`{where.removeprefix('planner/')}` ({fields})" for where, fields in after["loose"]
    )  # type: ignore[union-attr]
    lines = [
        "## The house: one TripRule, rooms by job, the API written once (issue 29)",
        "",
        "| | stage subpackages (`" + BEFORE_29 + "`) | this tree |",
        "|---|---|---|",
        f"| modules in `planner/` | {rooms['modules']} | {after['modules']} |",
        f"| largest modules (lines) | {_largest(rooms)} | {_largest(after)} |",
        f"| private names imported from another module | {len(rooms['private'])} | {len(after['private'])} |",  # type: ignore[arg-type]
        f"| functions and classes above `travel/` taking a trip's settings one by one | {len(rooms['loose'])} | {len(after['loose'])} |",  # type: ignore[arg-type]
        f"| longest eager import chain | {_chain(rooms)} | {_chain(after)} |",
        "",
        "A private name is a `_name` one module imports from another; what remains: "
        + "; ".join(
            f"`{n.removeprefix('planner.')}` takes `{w}` from `{m}`"
            for n, m, w in after["private"]  # type: ignore[union-attr]
        )
        + " (the Vietnamese name folding every stage shares, a module of the package root). "
        "`tests/house/test_layout.py` fails on any private module reached from outside its "
        "package. The trip's "
        f"settings ({', '.join(sorted(TRIP_FIELDS))}) travel as one `TripRule` above `travel/`; "
        f"what still takes one field uses that field alone (a column named by its hour, the report's speed and traffic tables of the mode recorded in scores.json, the explorer's time slider): {loose}.",
        "",
        "## The house: structure, outputs unchanged (issue 22)",
        "",
        "| | flat layout (`" + BEFORE + "`) | stage subpackages (this tree) |",
        "|---|---|---|",
        f"| modules in `planner/` | {before['modules']} | {after['modules']} |",
        f"| largest modules (lines) | {_largest(before)} | {_largest(after)} |",
        f"| longest eager import chain | {_chain(before)} | {_chain(after)} |",
        "",
        "The modules are smaller, one job each, re-exported by their package, and the chain runs "
        "only down the stages (app → outputs → pairing | access → travel → places → roads → "
        "foundations: the import-linter contracts of `pyproject.toml`, run by CI), which the "
        "flat chain did not (scoring imported travel and, through it, the road readers). "
        "`tests/house/test_layout.py` keeps private modules inside their package and any "
        "module under 1,500 lines.",
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
