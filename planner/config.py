"""Where the planner finds its input data and keeps its cache, and the shared defaults.

The data folder is ``PLANNER_DATA_DIR`` when set, else ``../shared/geodata`` beside the
repository (or beside the current directory or one of its parents). The cache is
``PLANNER_CACHE_DIR`` when set, else the user cache folder of the platform (platformdirs:
``~/.cache/planner`` on Linux, ``~/Library/Caches/planner`` on macOS,
``%LOCALAPPDATA%\\planner\\Cache`` on Windows).
"""

from __future__ import annotations

import csv
import functools
import os
from pathlib import Path

import numpy as np
import platformdirs
from numpy.typing import ArrayLike

from planner.errors import PlannerInputError

#: WGS 84: every geometry is stored and exchanged in lon/lat degrees.
CRS_LONLAT = "EPSG:4326"

#: Default departure time: mid-morning, after the peak (free-ish flow).
DEFAULT_DEPART = "10:00"
#: Departure time used for the peak-hour comparison (the morning peak).
PEAK_DEPART = "08:00"
#: Departure times a ``--robust`` pairing holds at by default (morning peak, midday, evening peak).
ROBUST_DEPARTS = ("08:00", "10:00", "17:30")
#: Snapping farther than this from the road network flags a facility.
DEFAULT_MAX_SNAP_M = 1000.0
#: Default administrative scheme: the 126 units in force since 1 July 2025 ("2025"), Hanoi as it
#: is now; "2024" (30 districts, 579 communes) stays for the Ba Vì pilot and history.
DEFAULT_SCHEME = "2025"
#: Administrative schemes: the 30 districts / 579 communes of 2020-2024, and the 126 units of 2025.
SCHEMES = ("2024", "2025")
#: Thousands separators a file's counts may use (``"space"``: also no-break and thin spaces).
THOUSANDS = (",", ".", "space")
#: How long a process waits for another one building the same cache entry before giving up.
#: The whole-Hanoi graph takes about a minute cold on a slow machine, so ten is generous.
LOCK_TIMEOUT_S = 600.0

OSM_ATTRIBUTION = "© OpenStreetMap contributors"

_REPO_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """Return the folder holding the Hanoi input data (read-only, never copied).

    Returns
    -------
    pathlib.Path
        ``PLANNER_DATA_DIR`` if set, else the first ``../shared/geodata`` found beside the
        repository, the current directory or one of its parents.

    Raises
    ------
    PlannerInputError
        If no such folder exists; the message says how to point the planner at one.

    Examples
    --------
    >>> from planner.config import data_dir
    >>> (data_dir() / "SOURCES.md").exists()
    True
    """
    env = os.environ.get("PLANNER_DATA_DIR")
    if env:
        path = Path(env).expanduser()
        if not path.is_dir():
            raise PlannerInputError(
                "the data folder does not exist",
                file=path,
                field="PLANNER_DATA_DIR",
                hint="set PLANNER_DATA_DIR to the folder that holds SOURCES.md and the Hanoi files",
            )
        return path
    candidates = [_REPO_ROOT, Path.cwd(), *Path.cwd().parents]
    for base in candidates:
        path = base.parent / "shared" / "geodata"
        if path.is_dir():
            return path
    raise PlannerInputError(
        "no Hanoi data folder found (looked for ../shared/geodata beside the repository "
        "and the current directory)",
        field="PLANNER_DATA_DIR",
        hint="set PLANNER_DATA_DIR to the folder with the Hanoi data, or use your own "
        "files (--source, --facilities); see geodata/README.md",
    )


def data_file(name: str) -> Path:
    """Return a file of the data folder, with a clear error if it is missing.

    Parameters
    ----------
    name : str
        The file's name in the data folder (:func:`data_dir`), e.g.
        ``"hanoi_districts_30_centroids.csv"``.

    Returns
    -------
    pathlib.Path
        The file's path (it exists).

    Raises
    ------
    PlannerInputError
        The file is missing (or no data folder is found); the message names it and says how
        to restore it.

    Examples
    --------
    >>> data_file("hanoi_districts_30_centroids.csv").name
    'hanoi_districts_30_centroids.csv'
    >>> try:
    ...     data_file("hanoi_roads_1999.mbtiles")
    ... except PlannerInputError as exc:
    ...     print(exc.problem)
    a required data file is missing
    """
    path = data_dir() / name
    if not path.exists():
        raise PlannerInputError(
            "a required data file is missing",
            file=path,
            hint=f"restore {name} in the data folder (see SOURCES.md there) or set PLANNER_DATA_DIR",
        )
    return path


def authored_dir() -> Path:
    """Return the folder of tables we author ourselves (the repository's ``geodata/``).

    Installed wheels carry it as ``planner/_geodata``; a source checkout reads ``geodata/``.

    Returns
    -------
    pathlib.Path
        The folder (the regional hospitals, speeds, congestion and ferry tables).

    Examples
    --------
    >>> (authored_dir() / "regional_hospitals.csv").is_file()
    True
    """
    packaged = Path(__file__).resolve().parent / "_geodata"
    if packaged.is_dir():
        return packaged
    return _REPO_ROOT / "geodata"


def cache_dir() -> Path:
    """Return (and create) the cache folder for derived artefacts (graphs, registries).

    Returns
    -------
    pathlib.Path
        ``PLANNER_CACHE_DIR`` if set, else the platform's user cache folder for ``planner``
        (``platformdirs.user_cache_dir``: ``$XDG_CACHE_HOME/planner`` or ``~/.cache/planner``
        on Linux, ``~/Library/Caches/planner`` on macOS, ``%LOCALAPPDATA%\\planner\\Cache`` on
        Windows).

    Examples
    --------
    >>> cache_dir().is_dir()
    True
    """
    env = os.environ.get("PLANNER_CACHE_DIR")
    if env:
        path = Path(env).expanduser()
    else:
        path = Path(platformdirs.user_cache_dir("planner", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def available_cpus() -> int:
    """Return the number of CPUs this process may use (at least 1), on any platform.

    ``os.process_cpu_count()`` (Python 3.13+) where it exists, else the CPU affinity mask
    (``os.sched_getaffinity``, Linux only), else ``os.cpu_count()``.

    Returns
    -------
    int
        The CPUs available to this process, at least 1 (fewer than the machine has when the
        process is pinned to some of them, e.g. in a container).

    Examples
    --------
    >>> available_cpus() >= 1
    True
    """
    process_cpu_count = getattr(os, "process_cpu_count", None)
    if process_cpu_count is not None:
        return max(1, process_cpu_count() or 1)
    sched_getaffinity = getattr(os, "sched_getaffinity", None)
    if sched_getaffinity is not None:
        return max(1, len(sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def metric_crs(lon: ArrayLike, lat: ArrayLike) -> str:
    """Return the UTM zone (WGS 84) holding the centre of the given points, as ``"EPSG:<code>"``.

    Distances and snapping are measured in this CRS, so they are true to about 0.1 % anywhere
    on Earth (a fixed zone far from the data's longitude stretches them several-fold).

    Parameters
    ----------
    lon, lat
        Longitudes and latitudes in WGS 84 degrees (NaN ignored).

    Returns
    -------
    str
        The EPSG code of the UTM zone, e.g. ``"EPSG:32648"`` (48 N) for Hanoi.

    Raises
    ------
    ValueError
        If no finite coordinate is given.

    Examples
    --------
    >>> metric_crs([105.85], [21.03])  # Hanoi
    'EPSG:32648'
    >>> metric_crs([-122.29], [37.81])  # West Oakland, California
    'EPSG:32610'
    """
    x = np.asarray(lon, dtype=np.float64).ravel()
    y = np.asarray(lat, dtype=np.float64).ravel()
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        raise ValueError("metric_crs needs at least one finite lon/lat point")
    # The zone of the bounding box's centre, as geopandas' estimate_utm_crs, by arithmetic:
    # pyproj's database query takes seconds, and UTM zones are a fixed 6° grid.
    centre_lon = (float(x[ok].min()) + float(x[ok].max())) / 2
    centre_lat = (float(y[ok].min()) + float(y[ok].max())) / 2
    if abs(centre_lat) > 84:  # no UTM zone near the poles: polar stereographic
        return "EPSG:3413" if centre_lat > 0 else "EPSG:3031"
    zone = min(int((centre_lon + 180) // 6) + 1, 60)
    return f"EPSG:{(32600 if centre_lat >= 0 else 32700) + zone}"


#: Hanoi's extent in lon/lat (west, south, east, north), the bounds of the province boundary
#: file (``hanoi_boundary().bounds``, rounded out to 0.01°).
HANOI_BOUNDS = (105.28, 20.56, 106.03, 21.39)
#: The Hanoi data's metric CRS, by the one rule (:func:`metric_crs` of Hanoi's extent): UTM 48N,
#: metres. Data elsewhere gets its own zone (:func:`metric_crs`, ``planner._geo.metric_crs_of``).
CRS_METRIC = metric_crs(HANOI_BOUNDS[::2], HANOI_BOUNDS[1::2])


@functools.cache
def data_sources() -> tuple[dict[str, str], ...]:
    """The data files the planner documents, from ``geodata/sources.csv`` (file, what, licence, date).

    Returns
    -------
    tuple of dict
        One row per file, as read (``file``, ``what_en``, ``what_vi``, ``licence``, ``date``).

    Examples
    --------
    >>> any(row["file"].endswith(".mbtiles") for row in data_sources())
    True
    """
    path = authored_dir() / "sources.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def road_data_date(source: str | Path | None) -> str | None:
    """Return the date of a road source we document (``"2021-08"``), else ``None``.

    Parameters
    ----------
    source
        The road graph's ``source`` (a file path, perhaps with a note after it).

    Returns
    -------
    str or None

    Examples
    --------
    >>> road_data_date("/data/hanoi_osm_2021-08_z14.mbtiles (Hanoi)")
    '2021-08'
    >>> road_data_date("my_roads.osm.pbf") is None
    True
    """
    if not source:
        return None
    text = str(source)
    for row in data_sources():
        if row["file"] and row["file"] in text and row.get("date"):
            return row["date"]
    return None
