"""Content-hash keyed cache with a file lock (atomic writers live in :mod:`planner.io`).

A cache entry is a folder ``<cache_dir>/<kind>/<key>/`` holding the artefact files and a
``manifest.json`` with each file's SHA-256. An entry whose files do not match their manifest
(truncated, half-written, edited) is treated as missing and rebuilt. Builders of the same entry
in two processes are serialised by a lock file, so the second one loads what the first wrote.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from filelock import FileLock

from planner.config import cache_dir

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Bump when the layout of any cached artefact changes: old entries are then ignored.
CACHE_FORMAT = 1


def file_digest(path: str | os.PathLike[str], *, algorithm: str = "sha256") -> str:
    """Return the hex digest of a file's content (read in 1 MiB blocks)."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def cache_key(*parts: Any) -> str:
    """Return a short stable key for the given parts (paths are hashed by content).

    Parts may be paths (their content is hashed), strings, numbers, or JSON-serialisable
    structures (dicts are sorted).
    """
    h = hashlib.sha256(f"format={CACHE_FORMAT}".encode())
    for part in parts:
        if isinstance(part, Path):
            h.update(b"file:" + file_digest(part).encode())
        else:
            h.update(b"val:" + json.dumps(part, sort_keys=True, default=str).encode())
    return h.hexdigest()[:20]


def _entry_valid(entry: Path) -> bool:
    manifest = entry / "manifest.json"
    try:
        files = json.loads(manifest.read_text())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    for name, digest in files.items():
        path = entry / name
        if not path.is_file() or file_digest(path) != digest:
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
) -> T:
    """Return the artefact of ``kind``/``key`` from the cache, building it if needed.

    Parameters
    ----------
    kind
        Artefact family, e.g. ``"graph"`` or ``"registry"``; a subfolder of the cache.
    key
        Content key from :func:`cache_key`.
    build
        Makes the artefact from its inputs (slow path).
    save
        Writes the artefact's files into the given (empty, temporary) folder.
    load
        Reads the artefact back from an entry folder.

    Notes
    -----
    The entry is written into a temporary folder, its manifest last, then renamed into
    place, all under a file lock: a crash never leaves a valid-looking partial entry.
    """
    root = cache_dir() / kind
    root.mkdir(parents=True, exist_ok=True)
    entry = root / key
    with FileLock(str(root / f"{key}.lock")):
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
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=root))
        try:
            save(value, tmp)
            files = {p.name: file_digest(p) for p in sorted(tmp.iterdir()) if p.is_file()}
            (tmp / "manifest.json").write_text(json.dumps({"files": files}, indent=1))
            os.replace(tmp, entry)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return value
