"""Content-hash keyed cache with a file lock (atomic writers live in :mod:`planner.io`).

A cache entry is a folder ``<cache_dir>/<kind>/<key>/`` holding the artefact files and a
``manifest.json`` with each file's SHA-256. An entry whose files do not match their manifest
(truncated, half-written, edited) is treated as missing and rebuilt. Builders of the same entry
in two processes are serialised by a lock file, so the second one loads what the first wrote;
a process waits at most :data:`planner.config.LOCK_TIMEOUT_S` for it, then fails naming the
lock file.

The cache format is derived from the code: an entry's key includes a digest of the source of
the modules that build, save and load it (and the planner modules they use), so changing that
code makes old entries unreachable instead of relying on a hand-bumped version number.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from filelock import FileLock, Timeout

from planner import config
from planner._workers import mark_fresh
from planner.errors import PlannerError
from planner.io.atomic import fsync_dir, fsync_file

log = logging.getLogger(__name__)

_PACKAGE_DIR = Path(__file__).resolve().parent

T = TypeVar("T")

# A process waiting longer than this for a lock says so in the log.
_WAIT_NOTICE_S = 5.0


class CacheLockTimeoutError(PlannerError):
    """Another process held a cache entry's lock for longer than the lock timeout."""


def file_digest(path: str | os.PathLike[str], *, algorithm: str = "sha256") -> str:
    """Return the hex digest of a file's content (read in 1 MiB blocks).

    Remembered for the process while the file keeps its size, time and inode (the trust the
    cache's own entries get): a command keys several entries by the same data files.
    """
    st = os.stat(path)
    return _content_digest(os.path.realpath(path), st.st_size, st.st_mtime_ns, st.st_ino, algorithm)


@functools.lru_cache(maxsize=256)
def _content_digest(path: str, _size: int, _mtime_ns: int, _inode: int, algorithm: str) -> str:
    h = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def cache_key(*parts: Any) -> str:
    """Return a short stable key for the given parts (paths are hashed by content).

    Parts may be paths (their content is hashed), strings, numbers, or JSON-serialisable
    structures (dicts are sorted).

    Examples
    --------
    >>> cache_key("graph", {"buffer_m": 2000}) == cache_key("graph", {"buffer_m": 2000})
    True
    """
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            h.update(b"file:" + file_digest(part).encode())
        else:
            h.update(b"val:" + json.dumps(part, sort_keys=True, default=str).encode())
    return h.hexdigest()[:20]


def code_digest(*functions: Callable[..., Any]) -> str:
    """Return a digest of the source of the planner modules behind ``functions``.

    The modules defining the functions (``functools.partial`` is unwrapped), every planner
    module their source imports, recursively (imports inside functions included, so a module
    imported only when needed still counts), and this module (the entry layout) are hashed by
    their source text. It serves as the cache format: edit any of that code and the entries
    it made are no longer found.

    Parameters
    ----------
    *functions
        The functions that build, save and load an artefact.

    Returns
    -------
    str
        A 16-hex-digit digest.

    Examples
    --------
    >>> from planner.roads import network
    >>> code_digest(network.load_network) == code_digest(network.load_network)
    True
    """
    names = {__name__}
    for function in functions:
        while isinstance(function, functools.partial):
            function = function.func
        name = getattr(function, "__module__", None)
        if name:
            names.add(name)
    return _modules_digest(tuple(sorted(_planner_closure(frozenset(names)))))


# "from planner.x import a, b" (parenthesised over lines too) and "import planner.x".
_FROM_IMPORT = re.compile(r"^\s*from\s+(planner(?:\.\w+)*)\s+import\s+(\([^)]*\)|[^\n]*)", re.M)
_PLAIN_IMPORT = re.compile(r"^\s*import\s+(planner(?:\.\w+)*)", re.M)


@functools.lru_cache(maxsize=64)
def _planner_closure(names: frozenset[str]) -> frozenset[str]:
    """The planner modules in ``names`` and those their source imports, recursively.

    Read from the source text, not from loaded modules, so deferred imports (heavy libraries
    are imported where used) are followed too. The package's own ``__init__`` (the lazy index
    of the public API) is not followed: it names every module.
    """
    seen: set[str] = set()
    todo = [n for n in names if _is_planner(n) and n != "planner"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        source = _source(name)
        if source is None:
            continue
        seen.add(name)
        found = [m.group(1) for m in _PLAIN_IMPORT.finditer(source)]
        for match in _FROM_IMPORT.finditer(source):
            base = match.group(1)
            found.append(base)
            for item in re.sub(r"#[^\n]*", "", match.group(2)).strip("()").split(","):
                sub = f"{base}.{item.split(' as ')[0].strip()}"
                if item.strip() and _source(sub) is not None:
                    found.append(sub)
        todo.extend(n for n in found if n != "planner" and n not in seen)
    return frozenset(seen)


@functools.lru_cache(maxsize=512)
def _source(name: str) -> str | None:
    """The source text of planner module ``name``, or None when there is no such module.

    Found from the package's folder, never by importing: a module loaded only when needed
    stays unloaded."""
    parts = name.split(".")[1:]
    base = _PACKAGE_DIR.joinpath(*parts)
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if parts and path.is_file():
            return path.read_text(encoding="utf-8")
    return None


def _is_planner(name: str) -> bool:
    return name == "planner" or name.startswith("planner.")


@functools.lru_cache(maxsize=64)
def _modules_digest(names: tuple[str, ...]) -> str:
    h = hashlib.sha256()
    for name in names:
        h.update(name.encode() + b"\0")
        h.update((_source(name) or "").encode() + b"\0")
    return h.hexdigest()[:16]


def _entry_valid(entry: Path) -> bool:
    """Whether every file of the entry is the one its manifest describes.

    A file whose size and modification time are as recorded is taken as written (hashing the
    96 MB Hanoi graph on every load cost 0.15 s a process); one whose time changed (copied,
    touched, edited) is checked against its SHA-256, and a truncated one fails on its size.
    """
    manifest = entry / "manifest.json"
    try:
        files = json.loads(manifest.read_text())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    for name, recorded in files.items():
        path = entry / name
        if not isinstance(recorded, dict) or not path.is_file():
            return False  # a manifest of an older format, or a file gone
        stat = path.stat()
        if stat.st_size != recorded.get("size") or (
            stat.st_mtime_ns != recorded.get("mtime_ns")
            and file_digest(path) != recorded.get("sha256")
        ):
            log.warning("cache entry %s: %s is corrupt or missing; rebuilding", entry, name)
            return False
    return True


def cached(
    kind: str,
    key: str,
    *,
    build: Callable[[], T],
    save: Callable[[T, Path], None],
    load: Callable[[Path], T],
    lock_timeout_s: float | None = None,
) -> T:
    """Return the artefact of ``kind``/``key`` from the cache, building it if needed.

    Parameters
    ----------
    kind
        Artefact family, e.g. ``"graph"`` or ``"registry"``; a subfolder of the cache.
    key
        Content key from :func:`cache_key`; the digest of the code behind ``build``, ``save``
        and ``load`` (:func:`code_digest`) is added to it.
    build
        Makes the artefact from its inputs (slow path).
    save
        Writes the artefact's files into the given (empty, temporary) folder.
    load
        Reads the artefact back from an entry folder.
    lock_timeout_s
        How long to wait for another process building the same entry; default
        :data:`planner.config.LOCK_TIMEOUT_S`.

    Returns
    -------
    The artefact, loaded or freshly built.

    Raises
    ------
    CacheLockTimeoutError
        The entry's lock stayed held for ``lock_timeout_s``; the message names the lock file.

    Notes
    -----
    The entry is written into a temporary folder, its files flushed to disk, its manifest
    last, then renamed into place, all under a file lock: a crash never leaves a
    valid-looking partial entry.
    """
    root = config.cache_dir() / kind
    root.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(f"{key}:{code_digest(build, save, load)}".encode()).hexdigest()[:20]
    entry = root / key
    lock_path = root / f"{key}.lock"
    timeout = config.LOCK_TIMEOUT_S if lock_timeout_s is None else lock_timeout_s
    with _locked(lock_path, kind=kind, timeout_s=timeout):
        if entry.is_dir() and _entry_valid(entry):
            try:
                log.debug("cache hit %s/%s", kind, key)
                return load(entry)
            except Exception as exc:  # a valid-looking but unreadable entry: rebuild it
                log.warning("cache entry %s unreadable (%s); rebuilding", entry, exc)
        if entry.exists():
            shutil.rmtree(entry, ignore_errors=True)
        log.info("building %s (cache key %s)", kind, key)
        value = build()
        mark_fresh(value)  # what is computed on it is not in the cache either
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=root))
        try:
            save(value, tmp)
            files = {}
            for path in sorted(p for p in tmp.iterdir() if p.is_file()):
                fsync_file(path)
                stat = path.stat()
                files[path.name] = {
                    "sha256": file_digest(path),
                    "size": stat.st_size,
                    "mtime_ns": stat.st_mtime_ns,
                }
            manifest = tmp / "manifest.json"
            manifest.write_text(json.dumps({"files": files}, indent=1))
            fsync_file(manifest)
            os.replace(tmp, entry)
            fsync_dir(root)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return value


@contextlib.contextmanager
def _locked(lock_path: Path, *, kind: str, timeout_s: float) -> Iterator[None]:
    """Hold ``lock_path`` (a cross-platform file lock), waiting at most ``timeout_s``."""
    lock = FileLock(str(lock_path))
    try:
        lock.acquire(timeout=min(_WAIT_NOTICE_S, timeout_s))
    except Timeout:
        log.info(
            "waiting for %s: another process is building this %s (at most %.0f s)",
            lock_path,
            kind,
            timeout_s,
        )
        try:
            lock.acquire(timeout=max(0.0, timeout_s - _WAIT_NOTICE_S))
        except Timeout:
            raise CacheLockTimeoutError(
                f"gave up after {timeout_s:.0f} s waiting for the cache lock {lock_path}: "
                f"another process is building the same {kind} or is stuck. Fix: let it "
                "finish, or stop it (a script that calls the planner at top level without "
                '`if __name__ == "__main__":` and starts processes can wait on itself); the '
                "lock is released when that process ends. To work meanwhile, point "
                "PLANNER_CACHE_DIR at another folder"
            ) from None
    try:
        yield
    finally:
        lock.release()
