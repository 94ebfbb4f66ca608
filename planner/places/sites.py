"""Hospitals and their sites: which site a trip uses.

A regional hospital is one ``hospital_id`` with one or more sites, each a facility row of its
own (``level=regional``, its own ``facility_id``, the hospital's ``hospital_id``, ``site_role``
``main`` or ``site``; see :mod:`planner.places.facilities`). Travel times are computed to every site;
pairing, loads, pins and scores are per hospital. A pair's trips use one site of the hospital,
chosen by a stated rule (``site_rule``):

* ``"nearest"`` (default): the site of least travel time for that pair, by the pair's own
  ``directions`` rule (the fastest site for that trip; on a tie, the main site, then the order
  of the facility table);
* ``"main"``: the hospital's main site, whatever the others (staff rotating from the main site).

:func:`hospital_sites` reads the sites of a facility table (or plain ids: one site each),
:func:`choose_sites` applies a rule to a unit x site time array, and :func:`hospital_times`
turns unit x site times into unit x hospital ones. :func:`planner.pairing.scoring.pair_costs` applies
the rule where the travel-time matrix is pivoted, so the optimiser, the baselines and the
scores all see one time per (unit, hospital).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.errors import PlannerInputError
from planner.places.facilities import validate_facilities
from planner.requests import SITE_RULES, SiteRule, check_choice


@dataclass(frozen=True, eq=False)
class HospitalSites:
    """The hospitals of a facility table (columns of a pairing) and their sites.

    Attributes
    ----------
    hospital_ids
        The hospitals, in order of their first site in the table.
    site_ids
        The sites (``facility_id``), in table order.
    site_hospital
        Per site, the position of its hospital in ``hospital_ids``.
    main_site
        Per hospital, the position of its main site in ``site_ids``.
    table
        One row per hospital: ``hospital_id``, ``name`` (the hospital's), ``specialty``,
        ``capacity`` (the sum over its sites; NaN unless every site has one), ``sites`` (how
        many), ``main_site_id``.
    sites
        One row per site: ``site_id``, ``hospital_id``, ``site_role``, ``site_name``,
        ``capacity``, ``lat``, ``lon`` (NaN when the table had none).

    Examples
    --------
    >>> sites = hospital_sites(pd.DataFrame({"facility_id": ["a", "a2", "b"],
    ...     "hospital_id": ["a", "a", "b"], "site_role": ["main", "site", "main"],
    ...     "lat": 0.0, "lon": 0.0}))
    >>> sites.hospital_ids, sites.site_hospital.tolist(), sites.main_site.tolist()
    (('a', 'b'), [0, 0, 1], [0, 2])
    >>> sites.hospital_of_site
    {'a': 'a', 'a2': 'a', 'b': 'b'}
    """

    hospital_ids: tuple[str, ...]
    site_ids: tuple[str, ...]
    site_hospital: np.ndarray
    main_site: np.ndarray
    table: pd.DataFrame
    sites: pd.DataFrame

    def sites_of(self, hospital: int) -> np.ndarray:
        """Positions of a hospital's sites, its main site first, then in table order."""
        own = np.flatnonzero(self.site_hospital == hospital)
        main = self.main_site[hospital]
        return np.concatenate([[main], own[own != main]]).astype(int)

    @property
    def hospital_of_site(self) -> dict[str, str]:
        """``{site_id: hospital_id}``."""
        ids = np.array(self.hospital_ids, dtype=object)
        return dict(zip(self.site_ids, ids[self.site_hospital], strict=True))


def hospital_of(facilities: pd.DataFrame) -> pd.Series:
    """Each row's hospital: its ``hospital_id``, else its own ``facility_id`` (a hospital of one
    site, as in a facility table without the column).

    Parameters
    ----------
    facilities : pandas.DataFrame
        A facility table with ``facility_id`` and, optionally, ``hospital_id``.

    Returns
    -------
    pandas.Series
        The hospital id (str) of every row, with the table's index.

    Examples
    --------
    >>> hospital_of(pd.DataFrame({"facility_id": ["a", "a2", "b"],
    ...                           "hospital_id": ["a", "a", None]})).tolist()
    ['a', 'a', 'b']
    """
    ids = facilities["facility_id"].astype(str)
    if "hospital_id" not in facilities:
        return ids
    given = facilities["hospital_id"].astype(object)
    return given.where(given.notna(), ids).astype(str)


def hospital_sites(hospitals: pd.DataFrame | Sequence[str] | HospitalSites) -> HospitalSites:
    """Return the hospitals and sites of the regional rows of a facility table.

    Parameters
    ----------
    hospitals
        The regional rows (``facility_id``, and ``hospital_id``, ``site_role``, ``name``,
        ``specialty``, ``capacity``, ``lat``, ``lon`` when present; a table without
        ``hospital_id`` has one site per hospital), or plain hospital ids (one site each).
        A table with ``hospital_id`` is checked like a facility file (sites of one hospital
        share its name and specialty, one main site). A :class:`HospitalSites` is returned
        as it is.

    Returns
    -------
    HospitalSites

    Raises
    ------
    PlannerInputError
        No hospital, a site id twice, sites that disagree (see
        :func:`planner.places.facilities.validate_facilities`).

    Examples
    --------
    >>> import warnings
    >>> from planner.places.hanoi import hanoi_facilities
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # units placed at population centres
    ...     fac = hanoi_facilities(scheme="2025")
    >>> sites = hospital_sites(fac[fac["level"] == "regional"])
    >>> len(sites.site_ids), len(sites.hospital_ids)
    (7, 4)
    >>> obgyn = sites.table.set_index("hospital_id").loc["hn-reg-obgyn"]
    >>> int(obgyn["sites"]), obgyn["main_site_id"]
    (3, 'hn-reg-obgyn')
    >>> hospital_sites(["h1", "h2"]).hospital_of_site
    {'h1': 'h1', 'h2': 'h2'}
    """
    if isinstance(hospitals, HospitalSites):
        return hospitals
    if not isinstance(hospitals, pd.DataFrame):
        hospitals = [str(h) for h in hospitals]  # read twice below: an iterator would not do
    key = _content_key(hospitals)
    if key is None:
        return _read_sites(hospitals)
    with _MEMO_LOCK:
        known = _MEMO.get(key)
    if known is None:
        known = _read_sites(hospitals)
        with _MEMO_LOCK:
            _MEMO[key] = known
            while len(_MEMO) > _MEMO_SIZE:
                _MEMO.pop(next(iter(_MEMO)))
    return known


# The sites of the tables seen lately, by content: a run scores about ten pairings and builds
# several models on one hospital table. Shared between callers, which only read them.
_MEMO: dict[tuple, HospitalSites] = {}
_MEMO_LOCK = threading.Lock()
_MEMO_SIZE = 32
# What hospital_sites reads of a table (its key in the memo).
_READ_COLUMNS = (
    "facility_id",
    "name",
    "hospital_id",
    "site_role",
    "site_name",
    "specialty",
    "capacity",
    "lat",
    "lon",
)


def _content_key(hospitals: pd.DataFrame | Sequence[str]) -> tuple | None:
    """A hashable copy of what :func:`hospital_sites` reads (None: not hashable, not memoised)."""
    if isinstance(hospitals, pd.DataFrame):
        # missing values as None: NaN is not equal to itself, so a key holding one never matches
        key: tuple = tuple(
            (
                c,
                str(hospitals[c].dtype),
                tuple(None if _missing(v) else v for v in hospitals[c].tolist()),
            )
            for c in _READ_COLUMNS
            if c in hospitals.columns
        )
    else:
        key = ("ids", tuple(hospitals))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _read_sites(hospitals: pd.DataFrame | Sequence[str]) -> HospitalSites:
    frame = _site_frame(hospitals)
    site_ids = frame["facility_id"].tolist()
    if not site_ids:
        raise PlannerInputError(
            "no hospitals given (or no facility_id column)",
            field="facility_id",
            hint="pass the regional hospitals (level=regional)",
        )
    dup = frame["facility_id"].duplicated()
    if dup.any():
        raise PlannerInputError(
            f"hospital site id {frame.loc[dup, 'facility_id'].iloc[0]!r} appears twice",
            row=int(np.flatnonzero(dup.to_numpy())[0]) + 1,
            field="facility_id",
            hint="give every hospital site a unique facility_id",
        )
    hospital_ids = list(dict.fromkeys(frame["hospital_id"]))
    site_hospital = pd.Index(hospital_ids).get_indexer(frame["hospital_id"])
    is_main = (frame["site_role"] == "main").to_numpy()
    main_site = np.array(
        [np.flatnonzero(is_main & (site_hospital == h))[0] for h in range(len(hospital_ids))],
        dtype=int,
    )
    groups = frame.groupby(site_hospital, sort=True)
    capacity = groups["capacity"].apply(lambda c: c.sum() if c.notna().all() else np.nan)
    table = pd.DataFrame(
        {
            "hospital_id": hospital_ids,
            "name": frame["name"].to_numpy(dtype=object)[main_site],
            "specialty": frame["specialty"].to_numpy(dtype=object)[main_site],
            "capacity": capacity.to_numpy(float),
            "sites": np.bincount(site_hospital, minlength=len(hospital_ids)),
            "main_site_id": [site_ids[s] for s in main_site],
        }
    )
    sites = pd.DataFrame(
        {
            "site_id": site_ids,
            "hospital_id": frame["hospital_id"].to_numpy(dtype=object),
            "site_role": frame["site_role"].to_numpy(dtype=object),
            "site_name": frame["site_name"].to_numpy(dtype=object),
            "capacity": frame["capacity"].to_numpy(float),
            "lat": frame["lat"].to_numpy(float),
            "lon": frame["lon"].to_numpy(float),
        }
    )
    site_hospital.setflags(write=False)  # shared by the memo's callers
    main_site.setflags(write=False)
    return HospitalSites(
        hospital_ids=tuple(hospital_ids),
        site_ids=tuple(site_ids),
        site_hospital=site_hospital,
        main_site=main_site,
        table=table,
        sites=sites,
    )


def _site_frame(hospitals: pd.DataFrame | Sequence[str]) -> pd.DataFrame:
    """The sites with every column :func:`hospital_sites` reads, filled and checked."""
    if not isinstance(hospitals, pd.DataFrame):
        ids = [str(h) for h in hospitals]
        hospitals = pd.DataFrame({"facility_id": ids, "name": ids})
    if "facility_id" not in hospitals.columns:
        raise PlannerInputError(
            "no hospitals given (or no facility_id column)",
            field="facility_id",
            hint="pass the regional hospitals (level=regional)",
        )
    frame = pd.DataFrame(hospitals).reset_index(drop=True)
    frame["facility_id"] = frame["facility_id"].astype(str)
    # a site without a name is called by its hospital's id (else its own): the sites of one
    # hospital are never "named differently" for want of names
    unnamed = frame["facility_id"]
    if "hospital_id" in frame.columns:
        unnamed = frame["hospital_id"].astype(object).where(frame["hospital_id"].notna(), unnamed)
    if "name" not in frame.columns:
        frame["name"] = unnamed
    frame["name"] = frame["name"].astype(object).where(frame["name"].notna(), unnamed)
    if "hospital_id" in frame.columns and frame["hospital_id"].notna().any():
        frame = _checked_sites(frame)
    else:
        frame["hospital_id"] = frame["facility_id"]
        frame["site_role"] = "main"
    if "site_name" not in frame.columns:
        frame["site_name"] = frame["name"]
    frame["site_name"] = frame["site_name"].where(frame["site_name"].notna(), frame["name"])
    for column in ("specialty", "capacity", "lat", "lon"):
        if column not in frame.columns:
            frame[column] = np.nan
    frame["capacity"] = pd.to_numeric(frame["capacity"], errors="coerce")
    frame["hospital_id"] = frame["hospital_id"].astype(str)
    return frame


def _checked_sites(frame: pd.DataFrame) -> pd.DataFrame:
    """Sites given with ``hospital_id``: checked and filled by the facility validation, one set
    of rules for files and tables alike (a few rows: cheap)."""
    columns = ["facility_id", "name", "hospital_id", "site_role", "site_name", "specialty"]
    given = tuple(c for c in columns if c in frame.columns)
    rows = tuple(frame[list(given)].astype(object).itertuples(index=False, name=None))
    filled = _validated_sites(given, rows)
    for column, values in zip(("hospital_id", "site_role", "site_name"), filled, strict=True):
        frame[column] = list(values)
    return frame


@functools.lru_cache(maxsize=64)  # every plan scores several pairings of the same few sites
def _validated_sites(
    columns: tuple[str, ...], rows: tuple[tuple[object, ...], ...]
) -> tuple[tuple[object, ...], ...]:
    check = pd.DataFrame(list(rows), columns=list(columns)).assign(level="regional")
    # the sites' positions are not what is checked here
    valid = validate_facilities(check.assign(lat=0.0, lon=0.0))
    return tuple(tuple(valid[c].tolist()) for c in ("hospital_id", "site_role", "site_name"))


def choose_sites(site_time_s: np.ndarray, sites: HospitalSites, site_rule: SiteRule) -> np.ndarray:
    """Return, per (row, hospital), the position of the site the rule chooses (-1: none).

    Parameters
    ----------
    site_time_s
        Times (s) of shape ``(rows, len(sites.site_ids))``; NaN where a site is not reached.
    sites
        The hospitals and their sites.
    site_rule
        ``"nearest"``: the site of least time (the main site on a tie; -1 when no site of the
        hospital is reached); ``"main"``: the hospital's main site, reached or not.

    Returns
    -------
    numpy.ndarray
        Integers of shape ``(rows, len(sites.hospital_ids))``.

    Examples
    --------
    >>> sites = hospital_sites(pd.DataFrame({"facility_id": ["a", "a2", "b"],
    ...     "hospital_id": ["a", "a", "b"], "site_role": ["main", "site", "main"],
    ...     "lat": 0.0, "lon": 0.0}))
    >>> times = np.array([[600.0, 300.0, 900.0], [np.nan, np.nan, 100.0]])
    >>> choose_sites(times, sites, "nearest")
    array([[ 1,  2],
           [-1,  2]])
    >>> choose_sites(times, sites, "main")
    array([[0, 2],
           [0, 2]])
    """
    check_choice("site_rule", site_rule, SITE_RULES)
    n_rows, n_hosp = len(site_time_s), len(sites.hospital_ids)
    if site_rule == "main":
        return np.broadcast_to(sites.main_site, (n_rows, n_hosp)).copy()
    chosen = np.full((n_rows, n_hosp), -1)
    rows = np.arange(n_rows)
    for h in range(n_hosp):
        candidates = sites.sites_of(h)
        times = site_time_s[:, candidates]
        finite = np.where(np.isfinite(times), times, np.inf)
        best = finite.argmin(axis=1) if len(candidates) else np.zeros(n_rows, int)
        chosen[:, h] = np.where(np.isfinite(finite[rows, best]), candidates[best], -1)
    return chosen


def take_sites(values: np.ndarray, chosen: np.ndarray, fill: float = np.nan) -> np.ndarray:
    """Per (row, hospital), ``values`` (rows x sites) at the chosen site (``fill`` where none).

    Parameters
    ----------
    values : numpy.ndarray
        Any per-site figure (e.g. times in seconds), of shape ``(rows, sites)``.
    chosen : numpy.ndarray
        Site positions of shape ``(rows, hospitals)``, as from :func:`choose_sites` (-1: no
        site).
    fill : float, default NaN
        The value where no site is chosen.

    Returns
    -------
    numpy.ndarray
        The values at the chosen sites, of shape ``(rows, hospitals)``.

    Examples
    --------
    >>> take_sites(np.array([[1.0, 2.0]]), np.array([[1, -1]]))
    array([[ 2., nan]])
    """
    rows = np.arange(len(values))[:, None]
    safe = np.where(chosen >= 0, chosen, 0)
    if values.shape[1] == 0:
        return np.full(chosen.shape, fill)
    return np.where(chosen >= 0, values[rows, safe], fill)


def hospital_times(
    site_time_s: np.ndarray, sites: HospitalSites, site_rule: SiteRule
) -> np.ndarray:
    """Per (row, hospital), the time to the site the rule chooses (NaN when none).

    Parameters
    ----------
    site_time_s : numpy.ndarray
        Times in seconds of shape ``(rows, len(sites.site_ids))``; NaN where a site is not
        reached.
    sites : HospitalSites
        The hospitals and their sites (:func:`hospital_sites`).
    site_rule : {"nearest", "main"}
        :data:`planner.requests.SITE_RULES` (see :func:`choose_sites`).

    Returns
    -------
    numpy.ndarray
        Times in seconds of shape ``(rows, len(sites.hospital_ids))``.

    Raises
    ------
    PlannerInputError
        If ``site_rule`` is unknown.

    Examples
    --------
    >>> sites = hospital_sites(pd.DataFrame({"facility_id": ["a", "a2"],
    ...     "hospital_id": ["a", "a"], "site_role": ["main", "site"], "lat": 0.0, "lon": 0.0}))
    >>> hospital_times(np.array([[600.0, 300.0]]), sites, "nearest")
    array([[300.]])
    >>> hospital_times(np.array([[600.0, 300.0]]), sites, "main")
    array([[600.]])
    """
    return take_sites(site_time_s, choose_sites(site_time_s, sites, site_rule))


__all__ = [
    "HospitalSites",
    "choose_sites",
    "hospital_of",
    "hospital_sites",
    "hospital_times",
    "take_sites",
]
