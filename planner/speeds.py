"""Speeds per road class and mode, congestion by departure time, and travel time per edge.

Two tables we author in ``geodata/`` drive every travel time, each figure with its reason:

* ``speeds.csv``: free-flow ``speed_kph`` and ``usable`` per road ``class`` (OpenMapTiles
  vocabulary) and ``mode``, plus two special classes: ``ramp`` (slip roads, used for any class
  named ``<class>_ramp`` or ``<class>_link``, capped at the speed of ``<class>``) and ``snap``
  (the straight-line leg from a facility to its nearest road node).
* ``congestion.csv``: a speed ``factor`` per departure-time band (``start`` inclusive, ``end``
  exclusive, ``HH:MM``) and mode; every mode's bands cover the whole day exactly once.

Either table can be replaced by a user file of the same columns (validated; errors name the
file, row and field). Travel times are derived per (graph, mode, band, table) in one vector
operation and memoised, so one cached graph serves every mode and hour.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import os
import re
import weakref
from pathlib import Path

import numpy as np
import pandas as pd

from planner.config import DEFAULT_DEPART, MODES, authored_dir
from planner.errors import PlannerInputError
from planner.graph import TravelGraph

log = logging.getLogger(__name__)

SPEED_COLUMNS = ("class", "mode", "speed_kph", "usable", "reason")
CONGESTION_COLUMNS = ("start", "end", "mode", "factor", "reason")
#: Suffixes that mark a slip road of a class (``motorway_link``, ``primary_ramp``).
RAMP_SUFFIXES = ("_ramp", "_link")

_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}
_HHMM = re.compile(r"^(\d{1,2})[:hH](\d{2})$")  # "17:30", or "17h30" as written in Vietnam

# graph -> {(mode, factor, table digest): read-only seconds per edge}; dies with the graph.
_TIMES_MEMO: weakref.WeakKeyDictionary[TravelGraph, dict[tuple, np.ndarray]] = (
    weakref.WeakKeyDictionary()
)


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
    >>> from planner.speeds import load_speed_table
    >>> table = load_speed_table()
    >>> table.set_index(["class", "mode"]).loc[("primary", "car"), "speed_kph"]
    np.float64(45.0)
    """
    path = Path(path) if path is not None else authored_dir() / "speeds.csv"
    return _load_speed_table_cached(path.resolve(), *_stamp(path)).copy()


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
    >>> from planner.speeds import load_congestion_table
    >>> bands = load_congestion_table()
    >>> sorted(bands["mode"].unique())
    ['ambulance', 'car', 'motorbike']
    """
    path = Path(path) if path is not None else authored_dir() / "congestion.csv"
    return _load_congestion_table_cached(path.resolve(), *_stamp(path)).copy()


def parse_depart(depart: str | dt.time | dt.datetime | None) -> dt.time:
    """Return a departure time from ``"HH:MM"``, a ``time``/``datetime``, or ``None`` (default).

    Examples
    --------
    >>> from planner.speeds import parse_depart
    >>> parse_depart("7:30"), parse_depart("17h30")
    (datetime.time(7, 30), datetime.time(17, 30))
    """
    if depart is None:
        depart = DEFAULT_DEPART
    if isinstance(depart, dt.datetime):
        return depart.time()
    if isinstance(depart, dt.time):
        return depart
    match = _HHMM.match(str(depart).strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise PlannerInputError(
            f"departure time {depart!r} is not a time of day",
            field="depart",
            hint='write 24-hour "HH:MM", e.g. "07:30" or "17:45"',
        )
    return dt.time(int(match[1]), int(match[2]))


def congestion_factor(
    depart: str | dt.time | dt.datetime | None,
    *,
    mode: str,
    table: pd.DataFrame | None = None,
) -> float:
    """Return the speed factor (share of free-flow speed) for a departure time and mode.

    Parameters
    ----------
    depart
        ``"HH:MM"``, a ``datetime.time``/``datetime``, or ``None`` for ``config.DEFAULT_DEPART``.
    mode
        One of ``config.MODES``.
    table
        A congestion table from :func:`load_congestion_table`; ``None`` uses ours.

    Examples
    --------
    >>> from planner.speeds import congestion_factor
    >>> congestion_factor("08:00", mode="car") < congestion_factor("03:00", mode="car")
    True
    """
    _check_mode(mode)
    bands = load_congestion_table() if table is None else table
    bands = bands[bands["mode"] == mode]
    if bands.empty:
        raise PlannerInputError(
            f"the congestion table has no bands for mode {mode!r}",
            field="mode",
            hint=f"add rows for {mode} covering 00:00-24:00",
        )
    t = parse_depart(depart)
    minute = t.hour * 60 + t.minute
    hit = bands[(bands["start_min"] <= minute) & (minute < bands["end_min"])]
    return float(hit["factor"].iloc[0])


def edge_speeds_kph(
    graph: TravelGraph,
    *,
    mode: str,
    depart: str | dt.time | dt.datetime | None = None,
    speeds: pd.DataFrame | None = None,
    congestion: pd.DataFrame | None = None,
) -> np.ndarray:
    """Return the speed of every edge (km/h) for a mode and departure time; NaN where unusable.

    Parameters
    ----------
    graph
        The road graph.
    mode
        One of ``config.MODES``.
    depart
        Departure time (see :func:`congestion_factor`).
    speeds, congestion
        Tables from :func:`load_speed_table` / :func:`load_congestion_table`; ``None`` uses ours.

    Examples
    --------
    >>> from planner.network import hanoi_network
    >>> from planner.speeds import edge_speeds_kph
    >>> kph = edge_speeds_kph(hanoi_network(), mode="car", depart="03:00")
    >>> float(np.nanmax(kph))
    80.0
    """
    table = load_speed_table() if speeds is None else speeds
    class_kph = _class_speeds_kph(graph.class_names, table, mode)
    factor = congestion_factor(depart, mode=mode, table=congestion)
    return class_kph[graph.edge_class] * factor


def edge_travel_times(
    graph: TravelGraph,
    *,
    mode: str,
    depart: str | dt.time | dt.datetime | None = None,
    speeds: pd.DataFrame | None = None,
    congestion: pd.DataFrame | None = None,
) -> np.ndarray:
    """Return the travel time of every edge in seconds; ``inf`` where the mode may not use it.

    Memoised per (graph, mode, congestion factor, tables): repeated calls return the same
    read-only array at no cost.

    Parameters
    ----------
    graph, mode, depart, speeds, congestion
        As for :func:`edge_speeds_kph`.

    Returns
    -------
    numpy.ndarray
        float64, shape ``(graph.n_edges,)``, read-only.

    Examples
    --------
    >>> from planner.network import hanoi_network
    >>> from planner.speeds import edge_travel_times
    >>> graph = hanoi_network()
    >>> peak = edge_travel_times(graph, mode="car", depart="08:00")
    >>> night = edge_travel_times(graph, mode="car", depart="03:00")
    >>> bool(np.nansum(peak[np.isfinite(peak)]) > np.nansum(night[np.isfinite(night)]))
    True
    """
    speeds_table = load_speed_table() if speeds is None else speeds
    factor = congestion_factor(depart, mode=mode, table=congestion)
    key = (mode, factor, table_digest(speeds_table))
    memo = _TIMES_MEMO.setdefault(graph, {})
    if key not in memo:
        kph = _class_speeds_kph(graph.class_names, speeds_table, mode)[graph.edge_class] * factor
        usable = np.isfinite(kph)
        # zero-length edges (joins at tile borders) cost 0 s; unusable edges cost inf
        seconds = np.full(graph.n_edges, np.inf)
        seconds[usable] = graph.edge_length_m[usable] / (kph[usable] / 3.6)
        seconds.setflags(write=False)
        memo[key] = seconds
    return memo[key]


def snap_speed_kph(*, mode: str, speeds: pd.DataFrame | None = None) -> float:
    """Return the speed of the straight-line snap leg for a mode (the ``snap`` row), km/h.

    Examples
    --------
    >>> from planner.speeds import snap_speed_kph
    >>> snap_speed_kph(mode="car")
    10.0
    """
    _check_mode(mode)
    table = load_speed_table() if speeds is None else speeds
    row = table[(table["class"] == "snap") & (table["mode"] == mode)]
    if row.empty:
        raise PlannerInputError(
            f"the speed table has no snap row for mode {mode!r}",
            field="class",
            hint=f"add a row 'snap,{mode},<speed_kph>,true,<reason>'",
        )
    return float(row["speed_kph"].iloc[0])


def table_digest(table: pd.DataFrame) -> str:
    """Return a short content hash of a table (keys memoised travel times and caches)."""
    hashed = pd.util.hash_pandas_object(table.reset_index(drop=True), index=True).to_numpy()
    return hashlib.sha256(hashed.tobytes() + ",".join(table.columns).encode()).hexdigest()[:16]


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise PlannerInputError(
            f"unknown mode {mode!r}",
            field="mode",
            hint=f"use one of {', '.join(MODES)}",
        )


def _class_speeds_kph(class_names: tuple[str, ...], table: pd.DataFrame, mode: str) -> np.ndarray:
    """Free-flow speed per class code for a mode, NaN where the mode may not use the class."""
    _check_mode(mode)
    rows = table[table["mode"] == mode]
    if rows.empty:
        raise PlannerInputError(
            f"the speed table has no rows for mode {mode!r}",
            field="mode",
            hint=f"add rows for {mode} (one per road class) to the speed table",
        )
    kph = dict(zip(rows["class"], np.where(rows["usable"], rows["speed_kph"], np.nan), strict=True))
    out = np.full(len(class_names), np.nan)
    for code, name in enumerate(class_names):
        base = next((name[: -len(s)] for s in RAMP_SUFFIXES if name.endswith(s)), None)
        if name in kph:
            out[code] = kph[name]
        elif base is not None and base in kph and "ramp" in kph:
            # a slip road is no faster than its road: NaN (unusable) wins through fmin's NaN rule
            out[code] = np.nan if np.isnan(kph[base]) else np.fmin(kph["ramp"], kph[base])
        else:
            log.warning(
                "road class %r has no speed for mode %s: its edges are treated as unusable",
                name,
                mode,
            )
    return out


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
        if row.mode not in MODES:
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
    match = _HHMM.match(value)
    minutes = int(match[1]) * 60 + int(match[2]) if match and int(match[2]) < 60 else -1
    if not 0 <= minutes <= 24 * 60:
        raise PlannerInputError(
            f"{value!r} is not a time of day", file=path, row=row, field=field,
            hint='write "HH:MM" between 00:00 and 24:00',
        )  # fmt: skip
    return minutes


@functools.lru_cache(maxsize=8)
def _load_congestion_table_cached(path: Path, _mtime_ns: int, _size: int) -> pd.DataFrame:
    frame = _read_csv(path, CONGESTION_COLUMNS)
    rows = list(enumerate(frame.itertuples(index=False), start=1))
    frame["start_min"] = [_minutes(r.start, path=path, row=i, field="start") for i, r in rows]
    frame["end_min"] = [_minutes(r.end, path=path, row=i, field="end") for i, r in rows]
    factors = [_number(r.factor, path=path, row=i, field="factor") for i, r in rows]
    frame["factor"] = np.asarray(factors, dtype=float)
    for i, r in rows:
        if not 0 < frame["factor"].iloc[i - 1] <= 2:
            raise PlannerInputError(
                f"factor {r.factor} is out of range", file=path, row=i, field="factor",
                hint="a share of free-flow speed, above 0 and at most 2",
            )  # fmt: skip
        if frame["end_min"].iloc[i - 1] <= frame["start_min"].iloc[i - 1]:
            raise PlannerInputError(
                "the band ends before it starts", file=path, row=i, field="end",
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
    return frame
