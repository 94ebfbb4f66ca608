"""The hospitals' capacity, from sources or from the user: a capacity file read, checked and
put on the hospitals' site rows.

A capacity file has one row per hospital: ``hospital_id``, ``capacity`` (a number > 0, or
empty where no figure is known), and optionally ``measure`` (beds, staff...) and ``source``
(where the figure comes from). The Hanoi figures found with a source are in the authored table
``geodata/hospital_capacity.csv`` (:data:`HANOI_CAPACITY_FILE`: beds, each with its source, a
quote and a note; the Oncology Hospital's source is weak, the Obstetrics Hospital's sources
disagree). Nothing is guessed: a missing figure stays missing, and a pairing that needs every
hospital's capacity (``load="capacity"``) refuses to run without it, naming the hospitals.

:func:`with_capacity` puts each hospital's figure on its main site's row (its other sites 0),
so a hospital's capacity, the sum over its sites (:mod:`planner.places.sites`), is the figure.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import numpy as np
import pandas as pd

from planner.config import authored_dir
from planner.errors import PlannerInputError

#: The authored table of the Hanoi hospitals' capacity found with a source.
HANOI_CAPACITY_FILE = "hospital_capacity.csv"
#: Columns of a capacity table (:func:`read_capacity`).
CAPACITY_COLUMNS = ("hospital_id", "capacity", "measure", "source")


def hanoi_capacity_path() -> Path:
    """The path of the Hanoi hospitals' sourced capacity table (``geodata/``).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> hanoi_capacity_path().name
    'hospital_capacity.csv'
    """
    return authored_dir() / HANOI_CAPACITY_FILE


def read_capacity(
    path: str | os.PathLike[str],
    *,
    hospitals: pd.DataFrame | None = None,
    thousands: str | None = None,
) -> pd.DataFrame:
    """Read a capacity file: one row per hospital.

    Parameters
    ----------
    path
        A CSV with ``hospital_id`` and ``capacity`` (empty where unknown), and optionally
        ``measure`` and ``source`` (other columns, e.g. ``quote``, ``note``, are ignored).
    hospitals
        The hospitals' site rows (``facility_id``, ``hospital_id``): every ``hospital_id`` of
        the file must be one of theirs; ``None``: not checked.
    thousands
        The file's thousands separator (``","``, ``"."`` or ``"space"``), when it has one.

    Returns
    -------
    pandas.DataFrame
        :data:`CAPACITY_COLUMNS`, ``capacity`` a float (NaN where the file has none).

    Raises
    ------
    PlannerInputError
        A missing column, a capacity that is not a number > 0, a hospital given twice or not
        one of ``hospitals`` (a site's id names its hospital in the hint): the file, the row
        and the field.

    Examples
    --------
    >>> table = read_capacity(hanoi_capacity_path())
    >>> table.set_index("hospital_id")["capacity"].to_dict()
    {'hn-reg-heart': 380.0, 'hn-reg-oncology': 600.0, 'hn-reg-obgyn': 750.0, 'hn-reg-xanhpon': 870.0}
    """
    from planner.io.csv_reader import read_csv_table
    from planner.io.numbers import NumberError, parse_count

    table = read_csv_table(path)
    for column in ("hospital_id", "capacity"):
        if column not in table.columns:
            raise PlannerInputError(
                f"the capacity file has no {column} column", file=path, field=column,
                hint="give hospital_id, capacity and, to say what the figure is and where it "
                "comes from, measure and source",
            )  # fmt: skip
    ids = table["hospital_id"].astype(str).str.strip()
    known = _hospital_ids(hospitals)
    capacity: list[float] = []
    for row, (hospital, value) in enumerate(zip(ids, table["capacity"], strict=True), start=1):
        if not hospital:
            raise PlannerInputError(
                "the row names no hospital", file=path, row=row, field="hospital_id",
                hint="give each row's hospital_id",
            )  # fmt: skip
        if known is not None and hospital not in known[0]:
            raise PlannerInputError(
                f"{hospital!r} is not a hospital", file=path, row=row, field="hospital_id",
                hint=_unknown_hint(hospital, *known),
            )  # fmt: skip
        text = str(value or "").strip()
        if not text:
            capacity.append(np.nan)  # no figure: left empty, never guessed
            continue
        try:
            number = parse_count(text, thousands=thousands)
        except NumberError as exc:
            raise PlannerInputError(
                f"capacity {exc.problem}", file=path, row=row, field="capacity", hint=exc.hint
            ) from None
        if not number > 0:
            raise PlannerInputError(
                f"capacity {text} is not more than 0", file=path, row=row, field="capacity",
                hint="give the hospital's capacity (e.g. its beds), or leave the cell empty",
            )  # fmt: skip
        capacity.append(number)
    dup = ids.duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0]) + 1
        raise PlannerInputError(
            f"hospital {ids.iloc[row - 1]!r} is given twice", file=path, row=row,
            field="hospital_id", hint="give one row per hospital",
        )  # fmt: skip

    def text_column(name: str) -> list[object]:
        if name not in table.columns:
            return [None] * len(table)
        return [str(v).strip() or None for v in table[name]]

    return pd.DataFrame(
        {
            "hospital_id": ids.to_numpy(),
            "capacity": capacity,
            "measure": text_column("measure"),
            "source": text_column("source"),
        }
    )


def with_capacity(facilities: pd.DataFrame, capacity: pd.DataFrame) -> pd.DataFrame:
    """The facilities with the hospitals' capacity of a capacity table on their site rows.

    Each hospital's figure goes on its main site's row and 0 on its other sites, so its
    capacity (the sum over its sites) is the figure; a hospital the table has no figure for
    has none (NaN on every site). Units are unchanged.

    Parameters
    ----------
    facilities
        The facility table (regional rows with ``hospital_id`` and ``site_role``).
    capacity
        What :func:`read_capacity` returned.

    Returns
    -------
    pandas.DataFrame
        A copy of ``facilities`` (the same type).

    Examples
    --------
    >>> import warnings
    >>> from planner.places.hanoi import hanoi_facilities
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     fac = hanoi_facilities(scheme="2025")
    >>> out = with_capacity(fac, read_capacity(hanoi_capacity_path(), hospitals=fac))
    >>> out[out.level == "regional"].groupby("hospital_id")["capacity"].sum().to_dict()
    {'hn-reg-heart': 380.0, 'hn-reg-obgyn': 750.0, 'hn-reg-oncology': 600.0, 'hn-reg-xanhpon': 870.0}
    """
    out = facilities.copy()
    regional = (out["level"] == "regional").to_numpy()
    owner = out["hospital_id"].where(out["hospital_id"].notna(), out["facility_id"]).astype(str)
    figure = owner.map(capacity.set_index("hospital_id")["capacity"]).astype(float)
    main = (out["site_role"].astype(object) == "main").to_numpy() if "site_role" in out else True
    values = np.where(main, figure, np.where(figure.notna(), 0.0, np.nan))
    out["capacity"] = np.where(regional, values, out["capacity"].astype(float))
    return out


def _hospital_ids(hospitals: pd.DataFrame | None) -> tuple[set[str], dict[str, str]] | None:
    """The hospitals' ids, and each site's hospital."""
    if hospitals is None:
        return None
    rows = hospitals[hospitals["level"] == "regional"] if "level" in hospitals else hospitals
    sites = rows["facility_id"].astype(str)
    owner = sites
    if "hospital_id" in rows:
        owner = rows["hospital_id"].where(rows["hospital_id"].notna(), rows["facility_id"])
        owner = owner.astype(str)
    return set(owner), dict(zip(sites, owner, strict=True))


def _unknown_hint(value: str, ids: set[str], site_of: dict[str, str]) -> str:
    if value in site_of:
        return f"{value!r} is a site of hospital {site_of[value]!r}: give the hospital's id"
    close = difflib.get_close_matches(value, sorted(ids), n=3, cutoff=0.5)
    listed = ", ".join(close or sorted(ids))
    return f"give one of the hospitals' ids ({listed})"
