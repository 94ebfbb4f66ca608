"""Pairing files: reading a pairing (the planner's own ``pairings.csv`` or one made by hand)
and checking its ids; the scheme its ids belong to.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from planner.config import DEFAULT_SCHEME
from planner.errors import PlannerInputError, collapse_problems
from planner.io.csv_reader import read_csv_table, true_cells
from planner.io.numbers import decimal_cells
from planner.io.spreadsheet import spreadsheet_unsafe_table

#: Columns every pairing file has; the planner's own also carry names, times and more.
PAIRING_ID_COLUMNS = ("unit_id", "hospital_id")


# Numbers of the planner's pairing files (written with "." decimals, no thousands).
_PAIRING_NUMBERS = (
    "travel_time_s",
    "distance_m",
    "population",
    "switch_cost_s",
    "travel_time_peak_s",
)


#: A unit's district in the files written for Hanoi's 2025 units, which lie in former districts.
FORMER_DISTRICT = "former_district"


def with_former_districts(table: pd.DataFrame, *, former: bool) -> pd.DataFrame:
    """A table as it is written to a file people read: ``district`` named ``former_district``
    for Hanoi's units of 2025 (the city has had no districts since 1 July 2025).

    :func:`read_pairings` reads either name back as ``district``.

    Parameters
    ----------
    table
        A table with a ``district`` column (a pairing, the approximate units...).
    former
        The units are Hanoi's of 2025.

    Returns
    -------
    pandas.DataFrame
        The table, its column renamed when ``former`` (the same object otherwise).

    Examples
    --------
    >>> table = pd.DataFrame({"unit_id": ["hn-com25-00004"], "district": ["Quận Ba Đình"]})
    >>> list(with_former_districts(table, former=True).columns)
    ['unit_id', 'former_district']
    """
    if former and "district" in table.columns:
        return table.rename(columns={"district": FORMER_DISTRICT})
    return table


def read_pairings(
    path: str | os.PathLike[str], fac: gpd.GeoDataFrame | None = None
) -> pd.DataFrame:
    """Read a pairing file (at least ``unit_id``, ``hospital_id``) and check its ids.

    Read like a facility file (:func:`read_csv_table`: UTF-8 with or without BOM, ``,``/``;``/
    tab); the spreadsheet-safety apostrophes of :func:`write_csv` are removed, so the planner
    reads its own ``pairings.csv`` back unchanged. Known numeric columns (``travel_time_s``,
    ``distance_m``, ``population``...) become numbers, ``pinned`` a boolean; blank
    ``hospital_id`` means "not paired" (NA).

    Parameters
    ----------
    path
        The pairing CSV.
    fac
        The facilities the ids must belong to (the registry or the user's file); ``None``
        skips the id check.

    Returns
    -------
    pandas.DataFrame
        The pairing table, in file order.

    Raises
    ------
    PlannerInputError
        Unreadable file, missing columns, numbers that are not numbers, unknown ids (every
        row listed), a unit paired twice.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     f = pathlib.Path(folder) / "officials.csv"
    ...     _ = f.write_text("unit_id;hospital_id\\nhn-dist-271;hn-reg-xanhpon\\n")
    ...     read_pairings(f).to_dict("records")
    [{'unit_id': 'hn-dist-271', 'hospital_id': 'hn-reg-xanhpon'}]
    """
    path = Path(path)
    table = spreadsheet_unsafe_table(read_csv_table(path))
    if FORMER_DISTRICT in table.columns and "district" not in table.columns:
        table = table.rename(columns={FORMER_DISTRICT: "district"})  # a 2025 file's
    missing = [c for c in PAIRING_ID_COLUMNS if c not in table.columns]
    if missing:
        raise PlannerInputError(
            f"missing column(s) {', '.join(missing)}; found {', '.join(map(str, table.columns))}",
            file=path,
            field=missing[0],
            hint="a pairings file needs one row per unit with unit_id and hospital_id",
        )
    problems: list[PlannerInputError] = []
    for column in (c for c in _PAIRING_NUMBERS if c in table.columns):
        table[column], found = decimal_cells(table[column], file=path, field=column)
        problems += found
    if "pinned" in table.columns:
        table["pinned"] = true_cells(table["pinned"])
    # blank text cells are missing values, as pandas reads them (a blank hospital: unpaired)
    for column in table.columns:
        # object or pandas' own text dtype (the default from pandas 3)
        if table[column].dtype == object or pd.api.types.is_string_dtype(table[column]):
            table[column] = table[column].mask(table[column] == "", None)
    if fac is not None:
        problems += _pairing_id_problems(table, fac, path)
    if problems:
        first = collapse_problems(sorted(problems, key=lambda p: p.row or 0))[0]
        raise first
    dup = table["unit_id"].duplicated(keep=False)
    if dup.any():
        rows = [int(i) + 1 for i in dup.to_numpy().nonzero()[0]]
        raise PlannerInputError(
            f"unit {table.loc[dup, 'unit_id'].iloc[0]!r} is paired more than once",
            file=path,
            rows=rows,
            field="unit_id",
            hint="keep one row per unit",
        )
    return table


def _pairing_id_problems(
    table: pd.DataFrame, fac: pd.DataFrame, path: Path
) -> list[PlannerInputError]:
    """Unknown ids of a pairing file: units are facilities; ``hospital_id`` names a hospital
    (not one of its sites); a ``site_id`` is a site of its row's hospital."""
    known = set(fac["facility_id"].astype(str))
    site_of: dict[str, str] = {}
    hospitals = known
    if "hospital_id" in fac.columns and "level" in fac.columns:
        regional = fac[fac["level"] == "regional"]
        hospital = (
            regional["hospital_id"]
            .astype(object)
            .where(regional["hospital_id"].notna(), regional["facility_id"])
        )
        site_of = dict(zip(regional["facility_id"].astype(str), hospital.astype(str), strict=True))
        hospitals = set(site_of.values())
    problems = []

    def problem(i: Any, column: str, text: str, hint: str) -> None:
        problems.append(PlannerInputError(text, file=path, row=int(i) + 1, field=column, hint=hint))

    unknown_hint = (
        "use facility ids from `planner facilities` (check --scheme, or give your facility "
        "file with --facilities)"
    )
    for i, value in table["unit_id"].items():
        if value is not None and value not in known:
            problem(i, "unit_id", f"unknown id {value!r}", unknown_hint)
    for i, value in table["hospital_id"].items():
        if value is None or value in hospitals:
            continue
        if value in site_of:
            problem(
                i,
                "hospital_id",
                f"{value!r} is a site of hospital {site_of[value]!r}, not a hospital",
                f"write the hospital ({site_of[value]}) in hospital_id; the site a pair's trips "
                "use follows the site rule (--site-rule nearest or main)",
            )
        elif value in known:
            hint = "pair units with the regional hospitals (level=regional)"
            problem(i, "hospital_id", f"{value!r} is not a regional hospital", hint)
        else:
            problem(i, "hospital_id", f"unknown id {value!r}", unknown_hint)
    if "site_id" in table.columns and site_of:
        for i, (site, hospital) in enumerate(
            zip(table["site_id"], table["hospital_id"], strict=True)
        ):
            if site is not None and hospital in hospitals and site_of.get(site) != hospital:
                problem(
                    table.index[i],
                    "site_id",
                    f"{site!r} is not a site of hospital {hospital!r}",
                    f"leave site_id blank or use one of the sites of {hospital}: "
                    + ", ".join(s for s, h in site_of.items() if h == hospital),
                )
    return problems


def scheme_of_ids(ids: pd.Series) -> str | None:
    """The scheme the Hanoi registry's commune ids show, or ``None`` when they show none.

    A 2025 unit is ``hn-com25-…``, a 2024 commune ``hn-com-…``; district units (``hn-dist-``)
    are alike in both schemes, and other ids are not the registry's.

    Parameters
    ----------
    ids
        Facility or unit ids.

    Returns
    -------
    str or None
        ``"2025"`` or ``"2024"`` when the commune ids are all of one scheme, else ``None``.

    Examples
    --------
    >>> scheme_of_ids(pd.Series(["hn-dist-271", "hn-com-09619"]))
    '2024'
    >>> scheme_of_ids(pd.Series(["hn-dist-271"])) is None
    True
    """
    ids = ids.astype(str)
    communes = ids[ids.str.startswith("hn-com")]
    schemes = {"2025" if i.startswith("hn-com25-") else "2024" for i in communes}
    return schemes.pop() if len(schemes) == 1 else None


def detect_scheme(path: str | os.PathLike[str], default: str = DEFAULT_SCHEME) -> str:
    """Return the administrative scheme of a pairing file from its ids.

    ``hn-com25-`` ids (2025 units) mean ``"2025"``, ``hn-com-`` ids (2024 communes) ``"2024"``
    (:func:`scheme_of_ids`); otherwise ``default``. The file must be readable: a file that
    cannot be read raises instead of silently falling back.

    Parameters
    ----------
    path : str or os.PathLike
        The pairing CSV (read as :func:`read_csv_table` reads it).
    default : str
        The scheme when no id is a 2025 unit (default :data:`planner.config.DEFAULT_SCHEME`).

    Returns
    -------
    str
        ``"2025"``, ``"2024"`` or ``default``.

    Raises
    ------
    PlannerInputError
        The file is missing, unreadable or has no ``unit_id`` column.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     f = pathlib.Path(folder) / "p.csv"
    ...     _ = f.write_text("unit_id,hospital_id\\nhn-com25-00004,hn-reg-heart\\n")
    ...     detect_scheme(f)
    '2025'
    """
    table = read_csv_table(path)
    if "unit_id" not in table.columns:
        raise PlannerInputError(
            f"missing column unit_id; found {', '.join(map(str, table.columns))}",
            file=path,
            field="unit_id",
            hint="a pairings file needs one row per unit with unit_id and hospital_id",
        )
    return scheme_of_ids(table["unit_id"]) or default
