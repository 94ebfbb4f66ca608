"""Reading and writing the planner's files: atomic writes for every output, pairing files.

Every output goes through :func:`atomic_path`: it is written to a temporary file beside the
target and renamed onto it only once complete, so a failure never leaves a half-written file
and readers never see one.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from planner._json import json_safe
from planner.config import DEFAULT_SCHEME
from planner.errors import PlannerInputError


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` only on success.

    A failure inside the block removes the temporary file and leaves any previous
    ``target`` untouched, so readers never see a half-written file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("done")
    >>> out.read_text()
    'done'
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp makes the file private (0600); outputs are shared, so follow the umask instead.
    os.chmod(tmp, 0o666 & ~_umask())
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomic(target: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` atomically and return the path."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_vector_atomic(
    gdf: Any, target: str | os.PathLike[str], *, layer: str | None = None
) -> Path:
    """Write a GeoDataFrame as GeoJSON or GeoPackage (by suffix), atomically.

    GeoJSON is serialised as text (RFC 7946 member order, no file name inside it), so the
    same table always gives the same bytes; GeoPackage goes through the GDAL driver.
    """
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix in (".geojson", ".json"):
        return write_text_atomic(target, gdf.to_json(drop_id=True, ensure_ascii=False) + "\n")
    with atomic_path(target) as tmp:
        # GDAL wants its own suffix and no placeholder file: write beside, then move.
        named = tmp.with_name(tmp.stem + suffix)
        try:
            gdf.to_file(named, driver="GPKG" if suffix == ".gpkg" else None, layer=layer)
            os.replace(named, tmp)
        finally:
            named.unlink(missing_ok=True)
    return target


def write_json(data: Mapping[str, Any], path: str | Path) -> Path:
    """Write ``data`` as indented UTF-8 JSON, atomically (NaN becomes null)."""
    text = json.dumps(json_safe(data), indent=2, ensure_ascii=False, sort_keys=False)
    return write_text_atomic(path, text + "\n")


def write_csv(table: pd.DataFrame, path: str | Path) -> Path:
    """Write ``table`` as UTF-8 CSV atomically (deterministic: no index, fixed float format)."""
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False, float_format="%.3f", lineterminator="\n")
    return Path(path)


def read_pairings(path: str | Path, fac: gpd.GeoDataFrame) -> pd.DataFrame:
    """Read a pairings CSV (at least ``unit_id``, ``hospital_id``) and check its ids."""
    path = Path(path)
    try:
        table = pd.read_csv(path, dtype={"unit_id": str, "hospital_id": str})
    except FileNotFoundError:
        raise PlannerInputError(
            "file not found", file=path, hint="check the path of the pairings CSV"
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise PlannerInputError(
            f"not a readable CSV ({exc})", file=path, hint="save the pairings as UTF-8 CSV"
        ) from None
    missing = [c for c in ("unit_id", "hospital_id") if c not in table.columns]
    if missing:
        raise PlannerInputError(
            f"missing column(s) {', '.join(missing)}; found {', '.join(map(str, table.columns))}",
            file=path,
            field=missing[0],
            hint="a pairings file needs one row per unit with unit_id and hospital_id",
        )
    known = set(fac["facility_id"])
    for column in ("unit_id", "hospital_id"):
        for i, value in enumerate(table[column], start=1):
            if value not in known:
                raise PlannerInputError(
                    f"unknown id {value!r}",
                    file=path,
                    row=i,
                    field=column,
                    hint="use facility ids from `planner facilities` (check --scheme)",
                )
    dup = table["unit_id"].duplicated()
    if dup.any():
        row = int(dup.to_numpy().argmax()) + 1
        raise PlannerInputError(
            f"unit {table['unit_id'].iloc[row - 1]!r} is paired twice",
            file=path,
            row=row,
            field="unit_id",
            hint="keep one row per unit",
        )
    return table


def detect_scheme(path: str | Path, default: str = DEFAULT_SCHEME) -> str:
    """Guess the scheme of a pairings file from its ids (``hn-com25-`` means 2025)."""
    try:
        ids = pd.read_csv(path, usecols=["unit_id"], dtype=str)["unit_id"]
    except (OSError, ValueError):
        return default
    return "2025" if ids.str.startswith("hn-com25-").any() else default
