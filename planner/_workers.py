"""Work on a second core without surprises: when worker processes may start, and a helper process
that fills the cache while this one works.

Processes are spawned (the only start method on Windows and macOS, the same everywhere here), so
a worker imports the caller's main module again; :func:`process_pool_is_safe` says when that
cannot re-run the caller's program. Threads do not help the planner's heavy steps: scipy's
Dijkstra and most of the graph building hold the interpreter.
"""

from __future__ import annotations

import ast
import contextlib
import logging
import multiprocessing
import os
import sys
import weakref
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def process_pool_is_safe() -> bool:
    """Whether worker processes can be started without re-running the caller's program.

    Spawned workers (the only start method on Windows and macOS, and the one used here
    everywhere) import the main module again. A script that calls the planner at top level,
    without ``if __name__ == "__main__":``, would then run once more in every worker, which
    waits for the cache lock its parent holds: a deadlock. So a pool is used only when the
    main module is interactive (Python prompt, Jupyter, ``python -c``) or its top level
    only imports, defines and assigns constants, and runs anything else under the
    ``__main__`` guard (the ``planner`` command, pytest and guarded scripts are). Never from
    inside a worker process.

    Examples
    --------
    >>> isinstance(process_pool_is_safe(), bool)
    True
    """
    if multiprocessing.parent_process() is not None:
        return False
    main = sys.modules.get("__main__")
    if main is None:
        return False
    spec = getattr(main, "__spec__", None)
    path = getattr(spec, "origin", None) if spec is not None else getattr(main, "__file__", None)
    if path is None:
        return True  # interactive: workers have no main module to re-run
    try:
        tree = ast.parse(Path(path).read_bytes())
    except (OSError, SyntaxError, ValueError):
        return False
    return all(_inert_statement(node) for node in tree.body)


def _inert_statement(node: ast.stmt) -> bool:
    """A top-level statement that does nothing but import, define or bind constants."""
    if isinstance(
        node, ast.Import | ast.ImportFrom | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
    ):
        return True
    if isinstance(node, ast.Pass):
        return True
    if isinstance(node, ast.Expr):
        return isinstance(node.value, ast.Constant)  # a docstring
    if isinstance(node, ast.Assign | ast.AnnAssign):
        value = node.value
        return value is None or all(
            _harmless_call(n) for n in ast.walk(value) if isinstance(n, ast.Call)
        )
    if isinstance(node, ast.If):
        return _is_main_guard(node.test) or (
            all(_inert_statement(n) for n in node.body)
            and all(_inert_statement(n) for n in node.orelse)
        )
    if isinstance(node, ast.Try):
        handlers = [n for h in node.handlers for n in h.body]
        return all(
            _inert_statement(n) for n in (*node.body, *node.orelse, *node.finalbody, *handlers)
        )
    return False


# Calls that module top levels commonly make and that start nothing.
_HARMLESS_CALLS = frozenset({"getLogger", "compile", "TypeVar", "NewType", "frozenset", "Path"})


def _harmless_call(call: ast.Call) -> bool:
    function = call.func
    name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
    return name in _HARMLESS_CALLS


def _is_main_guard(test: ast.expr) -> bool:
    """``__name__ == "__main__"`` (either way round)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    if not isinstance(test.ops[0], ast.Eq):
        return False
    sides = {ast.dump(test.left), ast.dump(test.comparators[0])}
    return sides == {
        ast.dump(ast.Name(id="__name__", ctx=ast.Load())),
        ast.dump(ast.Constant(value="__main__")),
    }


def start_helper(target: Callable[..., Any], *args: Any) -> BaseProcess | None:
    """Run ``target(*args)`` in a spawned daemon process, its output silenced; ``None`` when no
    process may start here (:func:`process_pool_is_safe`).

    A helper only fills the cache ahead of its parent: the parent computes whatever it needs
    itself, waiting on an entry's lock while the helper builds that entry (:mod:`planner._cache`),
    so a helper that fails or is stopped costs nothing but its work. It dies with its parent
    (daemon); a cache entry it was writing is never half-valid.

    Examples
    --------
    >>> helper = start_helper(len, "abc")
    >>> helper is None or helper.join(60) is None
    True
    """
    if not process_pool_is_safe():
        return None
    context = multiprocessing.get_context("spawn")
    helper = context.Process(target=_quietly, args=(target, *args), daemon=True)
    try:
        helper.start()
    except (OSError, RuntimeError) as exc:  # no process may start (limits, a frozen app...)
        log.debug("no helper process (%s)", exc)
        return None
    return helper


def _quietly(target: Callable[..., Any], *args: Any) -> None:
    """A helper's body: its progress bars and messages would mix with its parent's."""
    devnull = open(os.devnull, "w")  # noqa: SIM115 - the process's streams until it ends
    sys.stdout = sys.stderr = devnull
    logging.disable(logging.CRITICAL)
    target(*args)


#: Objects this process built rather than read back (see :func:`claim_fresh`), by identity: a
#: graph or a table need not be hashable; an entry goes when its object does.
_FRESH: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()


def mark_fresh(value: Any) -> None:
    """Record that this process built ``value`` (the cache calls it after a build)."""
    with contextlib.suppress(TypeError):  # not weakly referenceable: a str, a tuple...
        _FRESH[id(value)] = value


def claim_fresh(value: Any) -> bool:
    """Whether this process built ``value``, the first time it is asked (then false).

    A graph built here, not read from the cache, means that what is computed on it is not in
    the cache either: the first plan on it is worth a helper process.

    Examples
    --------
    >>> class Built: ...
    >>> value = Built()
    >>> mark_fresh(value)
    >>> claim_fresh(value), claim_fresh(value), claim_fresh(Built())
    (True, False, False)
    """
    return _FRESH.pop(id(value), None) is value
