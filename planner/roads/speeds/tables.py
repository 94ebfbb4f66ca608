"""The authored tables behind every travel time: read, validated, and hashed.

``speeds.csv`` (speed per road class and mode), ``congestion.csv`` (a speed factor per
departure band), ``congestion_by_area.csv`` (each area's and class's exposure to a band's
slowdown) and ``ferries.csv`` (ferry service and boarding wait per band) live in ``geodata/``;
a user's file of the same columns may replace any of them. Each is parsed once per version of
its file, and every error names the file, row and field. :mod:`planner.roads.speeds` exports
the public names.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

import numpy as np
import pandas as pd

from planner._clock import clock_parts
from planner.config import authored_dir
from planner.errors import PlannerInputError
from planner.requests import MODES, check_choice
from planner.roads._areas import AREAS
from planner.roads.graph import ROAD_CLASSES

SPEED_COLUMNS = ("class", "mode", "speed_kph", "usable", "reason")
CONGESTION_COLUMNS = ("start", "end", "mode", "factor", "reason")
EXPOSURE_COLUMNS = ("area", "classes", "exposure", "reason")
FERRY_COLUMNS = ("start", "end", "mode", "in_service", "wait_min", "reason")
#: Suffixes that mark a slip road of a class (``motorway_link``, ``primary_ramp``).
RAMP_SUFFIXES = ("_ramp", "_link")
FERRY = "ferry"
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}


def load_speed_table(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read and validate a speed table (default: the authored ``geodata/speeds.csv``).

    Parameters
    ----------
    path
        A CSV with columns ``class, mode, speed_kph, usable, reason``; ``None`` reads ours.

    Returns
    -------
    pandas.DataFrame
        One row per (class, mode): ``speed_kph`` float, ``usable`` bool, ``reason`` str.

    Raises
    ------
    PlannerInputError
        Missing file or column, unknown mode, speed not a positive number on a usable row,
        ``usable`` not true/false, duplicate (class, mode), missing reason or ``snap`` row.

    Examples
    --------
    >>> from planner.roads.speeds import load_speed_table
    >>> table = load_speed_table()
    >>> table.set_index(["class", "mode"]).loc[("primary", "car"), "speed_kph"]
    np.float64(45.0)
    """
    return _load("speeds", path)


def load_congestion_table(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read and validate a congestion table (default: the authored ``geodata/congestion.csv``).

    Parameters
    ----------
    path
        A CSV with columns ``start, end, mode, factor, reason`` (times ``HH:MM``, ``end`` may be
        ``24:00``); each mode's bands must cover the day without gap or overlap.

    Returns
    -------
    pandas.DataFrame
        The bands, with ``start_min`` and ``end_min`` (minutes after midnight) added.

    Examples
    --------
    >>> from planner.roads.speeds import load_congestion_table
    >>> bands = load_congestion_table()
    >>> sorted(bands["mode"].unique())
    ['ambulance', 'car', 'motorbike']
    """
    return _load("congestion", path)


def load_exposure_table(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read and validate an exposure table (default: ``geodata/congestion_by_area.csv``).

    Parameters
    ----------
    path
        A CSV with columns ``area, classes, exposure, reason``: ``area`` and ``classes`` are
        space-separated lists (areas of :data:`AREAS`, classes of
        :data:`planner.roads.graph.ROAD_CLASSES`), ``exposure`` the share (0 to 1) of a band's slowdown
        those roads suffer. Every (area, class) pair must be given exactly once.

    Returns
    -------
    pandas.DataFrame
        The rows as read, ``exposure`` as float.

    Examples
    --------
    >>> from planner.roads.speeds import load_exposure_table
    >>> table = load_exposure_table()
    >>> float(table.loc[table["area"] == "core", "exposure"].max())
    1.0
    """
    return _load("exposure", path)


def load_ferry_table(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read and validate a ferry service table (default: ``geodata/ferries.csv``).

    Parameters
    ----------
    path
        A CSV with columns ``start, end, mode, in_service, wait_min, reason``: bands as in the
        congestion table (each mode's covering the day once), whether ferries run, and the
        boarding wait in minutes while they do.

    Returns
    -------
    pandas.DataFrame
        The bands with ``start_min``/``end_min`` and ``wait_s`` (``inf`` while closed) added.

    Examples
    --------
    >>> from planner.roads.speeds import load_ferry_table
    >>> bands = load_ferry_table()
    >>> bool(bands["in_service"].any() and not bands["in_service"].all())
    True
    """
    return _load("ferries", path)


def table_digest(table: pd.DataFrame) -> str:
    """Return a short content hash of a table (keys memoised travel times and caches).

    Parameters
    ----------
    table : pandas.DataFrame
        Any table, e.g. a speed table from :func:`load_speed_table`. Its values and column
        names are hashed; its index is not (rows count by position).

    Returns
    -------
    str
        16 hexadecimal characters, equal for tables of equal content.

    Examples
    --------
    >>> from planner.roads.speeds import load_speed_table, table_digest
    >>> table = load_speed_table()
    >>> digest = table_digest(table)
    >>> len(digest), digest == table_digest(table.copy())
    (16, True)
    >>> faster = table.assign(speed_kph=table["speed_kph"] * 1.1)
    >>> table_digest(faster) == digest
    False
    """
    hashed = pd.util.hash_pandas_object(table.reset_index(drop=True), index=True).to_numpy()
    return hashlib.sha256(hashed.tobytes() + ",".join(table.columns).encode()).hexdigest()[:16]


def tables_or_ours(
    speeds: pd.DataFrame | None,
    congestion: pd.DataFrame | None,
    exposure: pd.DataFrame | None,
    ferries: pd.DataFrame | None,
) -> dict[str, pd.DataFrame]:
    """The four tables, ours where none is given.

    Parameters
    ----------
    speeds, congestion, exposure, ferries : pandas.DataFrame or None
        Tables from :func:`load_speed_table`, :func:`load_congestion_table`,
        :func:`load_exposure_table`, :func:`load_ferry_table`; ``None`` reads ours.

    Returns
    -------
    dict
        ``{"speeds", "congestion", "exposure", "ferries"}`` to their tables (a given table is
        passed on as it is, not copied), as keyword arguments of
        :func:`planner.roads.speeds.edge_speeds_kph`.

    Examples
    --------
    >>> mine = load_speed_table()
    >>> tables = tables_or_ours(mine, None, None, None)
    >>> sorted(tables), tables["speeds"] is mine
    (['congestion', 'exposure', 'ferries', 'speeds'], True)
    >>> sorted(tables["congestion"]["mode"].unique())
    ['ambulance', 'car', 'motorbike']
    """
    return {
        "speeds": load_speed_table() if speeds is None else speeds,
        "congestion": load_congestion_table() if congestion is None else congestion,
        "exposure": load_exposure_table() if exposure is None else exposure,
        "ferries": load_ferry_table() if ferries is None else ferries,
    }


def _load(kind: str, path: str | os.PathLike[str] | None) -> pd.DataFrame:
    """A table of ``kind`` from ``path`` (ours if None), parsed once per version of the file."""
    name, parse = _AUTHORED[kind]
    path = Path(path) if path is not None else authored_dir() / name
    return parse(path.resolve(), *_stamp(path)).copy()


def profile_digest(table: pd.DataFrame | None, kind: str) -> str:
    """The table's digest; ours is hashed once per version of its file.

    Parameters
    ----------
    table : pandas.DataFrame or None
        A table of ``kind``; ``None`` stands for ours (the authored file in ``geodata/``).
    kind : str
        ``"speeds"``, ``"congestion"``, ``"exposure"`` or ``"ferries"``: which authored
        table ``None`` stands for.

    Returns
    -------
    str
        :func:`table_digest` of the table (16 hexadecimal characters), part of
        :func:`planner.roads.speeds.time_profile_key`.

    Examples
    --------
    >>> ours = profile_digest(None, "speeds")
    >>> len(ours), ours == table_digest(load_speed_table())
    (16, True)
    >>> slower = load_speed_table().assign(speed_kph=lambda t: t["speed_kph"] * 0.9)
    >>> profile_digest(slower, "speeds") == ours
    False
    """
    if table is not None:
        return table_digest(table)
    path = authored_dir() / _AUTHORED[kind][0]
    return _authored_digest(kind, path.resolve(), *_stamp(path))


@functools.lru_cache(maxsize=16)
def _authored_digest(kind: str, path: Path, _mtime_ns: int, _size: int) -> str:
    return table_digest(_load(kind, path))


def check_mode(mode: str) -> None:
    """Refuse a mode that is not one of :data:`planner.requests.MODES`.

    Parameters
    ----------
    mode : str
        The travel mode asked for (``"car"``, ``"motorbike"``, ``"ambulance"``).

    Raises
    ------
    PlannerInputError
        For an unknown mode, naming the field ``mode`` and the modes allowed.

    Examples
    --------
    >>> check_mode("motorbike")
    >>> check_mode("bicycle")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    planner.errors.PlannerInputError: field mode: unknown mode 'bicycle'. Fix: use one of car, ...
    """
    check_choice("mode", mode, MODES)


def ramp_base(name: str) -> str | None:
    """The road class a slip road follows (``motorway_link`` -> ``motorway``), else ``None``.

    A slip road takes its class's exposure to congestion, and the ``ramp`` speed capped by its
    class's speed.

    Parameters
    ----------
    name : str
        A road class name, e.g. from ``TravelGraph.class_names``.

    Returns
    -------
    str or None
        The name without its :data:`RAMP_SUFFIXES` suffix (``_link``, ``_ramp``); ``None``
        when the name has neither (not a slip road).

    Examples
    --------
    >>> ramp_base("motorway_link"), ramp_base("primary_ramp"), ramp_base("primary")
    ('motorway', 'primary', None)
    """
    return next((name[: -len(s)] for s in RAMP_SUFFIXES if name.endswith(s)), None)


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError as exc:
        raise PlannerInputError(
            "the table file cannot be read",
            file=path,
            hint="check the path (a CSV with a header row)",
        ) from exc
    return st.st_mtime_ns, st.st_size


def _read_csv(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise PlannerInputError(
            f"the table is not a readable CSV ({exc})", file=path, hint="save it as UTF-8 CSV"
        ) from exc
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise PlannerInputError(
            f"missing column(s) {', '.join(missing)}",
            file=path,
            field=missing[0],
            hint=f"the header must be {','.join(columns)}",
        )
    if frame.empty:
        raise PlannerInputError("the table has no rows", file=path, hint="add data rows")
    frame = frame.apply(lambda col: col.str.strip())
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        if not row.reason:
            raise PlannerInputError(
                "every figure needs its reason", file=path, row=i, field="reason",
                hint="say where the figure comes from",
            )  # fmt: skip
        if "mode" in columns and row.mode not in MODES:
            raise PlannerInputError(
                f"unknown mode {row.mode!r}", file=path, row=i, field="mode",
                hint=f"use one of {', '.join(MODES)}",
            )  # fmt: skip
    return frame


def _number(value: str, *, path: Path, row: int, field: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not np.isfinite(number) or number < 0:
        raise PlannerInputError(
            f"{value!r} is not a non-negative number", file=path, row=row, field=field,
            hint="write a plain decimal number, e.g. 45",
        )  # fmt: skip
    return number


@functools.lru_cache(maxsize=8)
def _load_speed_table_cached(path: Path, _mtime_ns: int, _size: int) -> pd.DataFrame:
    frame = _read_csv(path, SPEED_COLUMNS)
    speed, usable = [], []
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        flag = row.usable.lower()
        if flag not in _TRUE | _FALSE:
            raise PlannerInputError(
                f"usable is {row.usable!r}", file=path, row=i, field="usable",
                hint="write true or false",
            )  # fmt: skip
        kph = _number(row.speed_kph or "0", path=path, row=i, field="speed_kph")
        if flag in _TRUE and kph <= 0:
            raise PlannerInputError(
                "a usable road class needs a positive speed", file=path, row=i,
                field="speed_kph", hint="give the speed in km/h, or set usable to false",
            )  # fmt: skip
        speed.append(kph)
        usable.append(flag in _TRUE)
    frame["speed_kph"] = np.asarray(speed, dtype=float)
    frame["usable"] = np.asarray(usable, dtype=bool)
    dup = frame.duplicated(["class", "mode"], keep="first").to_numpy()
    if dup.any():
        i = int(np.argmax(dup)) + 1
        raise PlannerInputError(
            f"class {frame['class'].iloc[i - 1]!r} is given twice for mode "
            f"{frame['mode'].iloc[i - 1]!r}", file=path, row=i, field="class",
            hint="keep one row per (class, mode)",
        )  # fmt: skip
    for mode in frame["mode"].unique():
        snap = frame[(frame["mode"] == mode) & (frame["class"] == "snap")]
        if snap.empty or not snap["usable"].iloc[0]:
            raise PlannerInputError(
                f"mode {mode!r} has no usable snap row", file=path, field="class",
                hint=f"add 'snap,{mode},<speed_kph>,true,<reason>' (speed of the leg to the road)",
            )  # fmt: skip
    return frame


def _minutes(value: str, *, path: Path, row: int, field: str) -> int:
    parts = clock_parts(value)
    minutes = parts[0] * 60 + parts[1] if parts and parts[1] < 60 else -1
    if not 0 <= minutes <= 24 * 60:
        raise PlannerInputError(
            f"{value!r} is not a time of day", file=path, row=row, field=field,
            hint='write "HH:MM" between 00:00 and 24:00',
        )  # fmt: skip
    return minutes


def _check_bands(frame: pd.DataFrame, path: Path) -> None:
    """Every band ends after it starts, and each mode's bands cover the day exactly once."""
    for i in range(len(frame)):
        if frame["end_min"].iloc[i] <= frame["start_min"].iloc[i]:
            raise PlannerInputError(
                "the band ends before it starts", file=path, row=i + 1, field="end",
                hint="split a band across midnight into ...-24:00 and 00:00-...",
            )  # fmt: skip
    for mode, bands in frame.groupby("mode", sort=False):
        bands = bands.sort_values("start_min")
        edges = np.r_[0, bands["end_min"].to_numpy()]
        gaps = np.flatnonzero(bands["start_min"].to_numpy() != edges[:-1])
        if gaps.size or edges[-1] != 24 * 60:
            at = bands.index[gaps[0]] + 1 if gaps.size else bands.index[-1] + 1
            raise PlannerInputError(
                f"the bands of mode {mode!r} leave a gap or overlap", file=path, row=int(at),
                field="start", hint="each band must start where the previous ends, 00:00 to 24:00",
            )  # fmt: skip


def _read_bands(path: Path, columns: tuple[str, ...]) -> tuple[pd.DataFrame, list]:
    """A band table with ``start_min`` and ``end_min`` added (not yet checked for coverage)."""
    frame = _read_csv(path, columns)
    rows = list(enumerate(frame.itertuples(index=False), start=1))
    frame["start_min"] = [_minutes(r.start, path=path, row=i, field="start") for i, r in rows]
    frame["end_min"] = [_minutes(r.end, path=path, row=i, field="end") for i, r in rows]
    return frame, rows


@functools.lru_cache(maxsize=8)
def _load_congestion_table_cached(path: Path, _mtime_ns: int, _size: int) -> pd.DataFrame:
    frame, rows = _read_bands(path, CONGESTION_COLUMNS)
    factors = [_number(r.factor, path=path, row=i, field="factor") for i, r in rows]
    frame["factor"] = np.asarray(factors, dtype=float)
    for i, r in rows:
        if not 0 < frame["factor"].iloc[i - 1] <= 2:
            raise PlannerInputError(
                f"factor {r.factor} is out of range", file=path, row=i, field="factor",
                hint="a share of free-flow speed, above 0 and at most 2",
            )  # fmt: skip
    _check_bands(frame, path)
    return frame


@functools.lru_cache(maxsize=8)
def _load_ferry_table_cached(path: Path, _mtime_ns: int, _size: int) -> pd.DataFrame:
    frame, rows = _read_bands(path, FERRY_COLUMNS)
    running, wait = [], []
    for i, r in rows:
        flag = r.in_service.lower()
        if flag not in _TRUE | _FALSE:
            raise PlannerInputError(
                f"in_service is {r.in_service!r}", file=path, row=i, field="in_service",
                hint="write true or false",
            )  # fmt: skip
        running.append(flag in _TRUE)
        if flag in _TRUE and not r.wait_min:
            raise PlannerInputError(
                "a band in service needs its boarding wait", file=path, row=i,
                field="wait_min", hint="give the average wait in minutes, e.g. 10",
            )  # fmt: skip
        minutes = _number(r.wait_min, path=path, row=i, field="wait_min") if running[-1] else 0
        wait.append(minutes * 60 if running[-1] else np.inf)
    frame["in_service"] = np.asarray(running, dtype=bool)
    frame["wait_s"] = np.asarray(wait, dtype=float)
    _check_bands(frame, path)
    return frame


@functools.lru_cache(maxsize=8)
def _load_exposure_table_cached(path: Path, _mtime_ns: int, _size: int) -> pd.DataFrame:
    frame = _read_csv(path, EXPOSURE_COLUMNS)
    seen: dict[tuple[str, str], int] = {}
    shares = []
    for i, r in enumerate(frame.itertuples(index=False), start=1):
        share = _number(r.exposure, path=path, row=i, field="exposure")
        if share > 1:
            raise PlannerInputError(
                f"exposure {r.exposure} is out of range", file=path, row=i, field="exposure",
                hint="a share of the band's slowdown, from 0 (none) to 1 (all of it)",
            )  # fmt: skip
        shares.append(share)
        for field, names, known in (("area", r.area, AREAS), ("classes", r.classes, ROAD_CLASSES)):
            unknown = [n for n in names.split() if n not in known]
            if unknown or not names.split():
                raise PlannerInputError(
                    f"unknown {field} {unknown[0]!r}" if unknown else f"no {field} given",
                    file=path, row=i, field=field,
                    hint=f"space-separated names among {', '.join(known)}",
                )  # fmt: skip
        for pair in ((a, c) for a in r.area.split() for c in r.classes.split()):
            if pair in seen:
                raise PlannerInputError(
                    f"area {pair[0]!r} and class {pair[1]!r} are given twice (also row "
                    f"{seen[pair]})", file=path, row=i, field="classes",
                    hint="give each (area, class) pair once",
                )  # fmt: skip
            seen[pair] = i
    missing = [(a, c) for a in AREAS for c in ROAD_CLASSES if (a, c) not in seen]
    if missing:
        raise PlannerInputError(
            f"no exposure for area {missing[0][0]!r} and class {missing[0][1]!r} "
            f"({len(missing)} pair(s) missing)", file=path, field="classes",
            hint=f"every area ({', '.join(AREAS)}) needs every class ({', '.join(ROAD_CLASSES)})",
        )  # fmt: skip
    frame["exposure"] = np.asarray(shares, dtype=float)
    return frame


# our tables: file name in geodata/ and the parser of a file (cached per file version), by kind
_AUTHORED = {
    "speeds": ("speeds.csv", _load_speed_table_cached),
    "congestion": ("congestion.csv", _load_congestion_table_cached),
    "exposure": ("congestion_by_area.csv", _load_exposure_table_cached),
    "ferries": ("ferries.csv", _load_ferry_table_cached),
}
