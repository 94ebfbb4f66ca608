"""The facility contract's rules: every row checked (ids, names, levels, coordinates, counts,
location sources, hospital sites), every problem collected with its row, and the contract
table assembled once there are none.
"""

from __future__ import annotations

import functools
import math
import os
import warnings
from collections.abc import Callable, Sequence
from typing import NoReturn

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from planner._vn import fold
from planner.config import CRS_LONLAT, THOUSANDS
from planner.errors import ApproximateLocationWarning, PlannerInputError, collapse_problems
from planner.io.numbers import NumberError, parse_count, parse_decimal
from planner.places.facility_schema import (
    APPROXIMATE_SOURCES,
    DEFAULT_KIND,
    FACILITY_COLUMNS,
    LEVEL_ALIASES,
    LEVELS,
    LOCATION_SOURCES,
    REQUIRED_COLUMNS,
    SITE_ROLE_ALIASES,
    SITE_ROLES,
)


def validate_table(
    table: pd.DataFrame,
    *,
    file: str | os.PathLike[str] | None,
    area: BaseGeometry | None,
    thousands: str | None = None,
    candidate_sites: bool = False,
) -> tuple[gpd.GeoDataFrame | None, list[PlannerInputError]]:
    """Return the contract table and the row problems (file-level problems raise at once)."""
    file = None if file is None else str(file)
    if len(table) == 0:
        raise PlannerInputError(
            "the table has a header but no facilities",
            file=file,
            hint="add one row per facility under the header",
        )
    if thousands is not None and thousands not in THOUSANDS:
        raise PlannerInputError(
            f"unknown thousands separator {thousands!r}",
            field="thousands",
            hint=f"use one of {', '.join(repr(t) for t in THOUSANDS)}",
        )
    missing = [c for c in (*REQUIRED_COLUMNS, "lat", "lon") if c not in table.columns]
    if missing:
        raise PlannerInputError(
            f"missing required column(s) {', '.join(missing)}; found: "
            f"{', '.join(table.attrs.get('found_columns', map(str, table.columns))) or '(none)'}",
            file=file,
            field=missing[0],
            hint="rename the columns (facility_id, name, level, lat, lon), or name them with "
            "id_col=/name_col=/lat_col=/lon_col= (CLI: --id-col ...), or pass level= for all rows",
        )
    problems: list[tuple[int, int, PlannerInputError]] = []

    def report(row: int, order: int, problem: str, field: str, hint: str) -> None:
        problems.append(
            (row, order, PlannerInputError(problem, file=file, row=row + 1, field=field, hint=hint))
        )

    ids = table["facility_id"].map(lambda v: "" if is_blank(v) else str(v).strip())
    names = table["name"].map(lambda v: "" if is_blank(v) else str(v).strip())
    levels = table["level"].map(_level)
    lat = _numbers(table["lat"], "lat", "latitude", report, parse=parse_decimal, order=0)
    lon = _numbers(table["lon"], "lon", "longitude", report, parse=parse_decimal, order=1)
    _check_coordinates(lat, lon, area, report)
    first_row: dict[str, int] = {}
    for i, (fid, name, level) in enumerate(zip(ids, names, levels, strict=True)):
        if not fid:
            report(i, 3, "facility_id is blank", "facility_id", "give every facility a unique id")
        elif fid in first_row:
            report(
                i,
                5,
                f"facility_id '{fid}' is also used by row {first_row[fid] + 1}",
                "facility_id",
                "give each facility its own id (or delete the duplicate row)",
            )
        else:
            first_row[fid] = i
        if not name:
            report(i, 2, "name is blank", "name", "write the facility's name")
        if level not in LEVELS:
            report(
                i,
                4,
                f"unknown level '{level}'" if level else "level is blank",
                "level",
                f"use one of {', '.join(LEVELS)} (or their Vietnamese names: vùng, huyện, xã; "
                "or pass level= for a file of one level)",
            )
    counts: dict[str, np.ndarray] = {}
    for column in ("population", "capacity"):
        if column in table.columns:
            parse = functools.partial(parse_count, thousands=thousands)
            values = _numbers(table[column], column, column, report, parse=parse, order=6)
            for negative in np.flatnonzero(values < 0):
                row = int(negative)
                report(row, 6, f"{column} {values[row]:g} is negative", column, "use 0 or more")
            counts[column] = values
    sources = (
        table["location_source"].map(lambda v: "" if is_blank(v) else str(v).strip())
        if "location_source" in table.columns
        else pd.Series("", index=table.index)
    )
    for i, source in enumerate(sources):
        if source and source not in LOCATION_SOURCES:
            report(
                i,
                7,
                f"unknown location_source '{source}'",
                "location_source",
                f"use one of {', '.join(LOCATION_SOURCES)} or leave it blank (manual)",
            )
    if candidate_sites:  # new sites of hospitals listed elsewhere: their hospital_id as given
        named = zip(_text_column(table, "site_name"), names, strict=True)
        sites: dict[str, list[str | None]] = {
            "hospital_id": [h or None for h in _text_column(table, "hospital_id")],
            "site_role": ["site"] * len(ids),
            "site_name": [given or name for given, name in named],
        }
    else:
        sites = _sites(table, ids, names, levels, report)
    if problems:
        ordered = [p for _, _, p in sorted(problems, key=lambda t: (t[0], t[1]))]
        return None, collapse_problems(ordered)
    return _assemble(table, ids, names, levels, lat, lon, sources, counts, sites), []


def _sites(
    table: pd.DataFrame,
    ids: Sequence[str],
    names: Sequence[str],
    levels: Sequence[str],
    report: Callable[[int, int, str, str, str], None],
) -> dict[str, list[str | None]]:
    """``hospital_id``, ``site_role`` and ``site_name`` of every row, checked and filled.

    A regional row is one site of the hospital its ``hospital_id`` names (default: its own
    ``facility_id``, a hospital of one site). The sites of a hospital share its name and
    specialty; exactly one is its ``main`` site: the one marked so, else the one whose
    ``facility_id`` is the hospital's id, else the only one. District and commune rows have none
    of the three.
    """
    ids, names, levels = list(ids), list(names), list(levels)  # positions, not labels
    given = _text_column(table, "hospital_id")
    role_text = _text_column(table, "site_role")
    site_name = _text_column(table, "site_name")
    specialty = _text_column(table, "specialty")
    roles = [_site_role(v) for v in role_text]
    regional = [level == "regional" for level in levels]
    row_of: dict[str, int] = {}
    for i, fid in enumerate(ids):
        row_of.setdefault(fid, i)
    hospital = [(given[i] or ids[i]) if regional[i] else "" for i in range(len(ids))]
    for i, level in enumerate(levels):
        if level in ("district", "commune"):
            for column, value in (
                ("hospital_id", given[i]),
                ("site_role", role_text[i]),
                ("site_name", site_name[i]),
            ):
                if value:
                    report(
                        i,
                        8,
                        f"{column} '{value}' is given for a {level} unit; only the sites of a "
                        "regional hospital have one",
                        column,
                        f"leave {column} blank for district and commune units (or set "
                        "level=regional if the row is a site of a regional hospital)",
                    )
        elif regional[i] and roles[i] not in ("", *SITE_ROLES):
            report(
                i,
                8,
                f"unknown site_role '{role_text[i]}'",
                "site_role",
                "use main (the hospital's main site, where its staff rotate from) or site "
                "(another site), or leave it blank",
            )
    groups: dict[str, list[int]] = {}
    for row in np.flatnonzero(regional).tolist():
        groups.setdefault(hospital[row], []).append(row)
    for hospital_id, rows in groups.items():
        first = rows[0]
        owner = row_of.get(hospital_id)
        if owner is not None and not regional[owner]:
            report(
                first,
                9,
                f"hospital_id '{hospital_id}' is the facility_id of a {levels[owner]} unit "
                f"(row {owner + 1})",
                "hospital_id",
                "name the hospital by its main site's facility_id, or by an id no unit uses",
            )
        elif owner is not None and hospital[owner] != hospital_id:
            report(
                first,
                9,
                f"hospital_id '{hospital_id}' is the facility_id of a site of another hospital, "
                f"'{hospital[owner]}' (row {owner + 1})",
                "hospital_id",
                "give each hospital its own id: the facility_id of one of its own sites, or an "
                "id no facility uses",
            )
        for i in rows[1:]:
            if fold(names[i]) != fold(names[first]):
                report(
                    i,
                    9,
                    f"site '{ids[i]}' of hospital '{hospital_id}' is named '{names[i]}', its site "
                    f"on row {first + 1} '{names[first]}'",
                    "name",
                    "give every site of a hospital the hospital's name and put what tells the "
                    "sites apart in site_name (or give separate hospitals their own hospital_id)",
                )
            if specialty[i].lower() != specialty[first].lower():
                report(
                    i,
                    9,
                    f"site '{ids[i]}' of hospital '{hospital_id}' has specialty "
                    f"'{specialty[i] or '(blank)'}', its site on row {first + 1} "
                    f"'{specialty[first] or '(blank)'}'",
                    "specialty",
                    "give every site of a hospital the hospital's specialty (or give separate "
                    "hospitals their own hospital_id)",
                )
        mains = [i for i in rows if roles[i] == "main"]
        if len(mains) > 1:
            report(
                mains[1],
                9,
                f"hospital '{hospital_id}' has two main sites (rows {mains[0] + 1} and "
                f"{mains[1] + 1})",
                "site_role",
                "mark one site main (where its staff rotate from) and the others site",
            )
        elif not mains:
            implicit = [
                i for i in rows if not roles[i] and (ids[i] == hospital_id or len(rows) == 1)
            ]
            if implicit:
                roles[implicit[0]] = "main"
            else:
                listed = ", ".join(str(i + 1) for i in rows)
                report(
                    first,
                    9,
                    f"hospital '{hospital_id}' has {len(rows)} site(s) (rows {listed}) and none "
                    "is its main site",
                    "site_role",
                    "write site_role=main on the site its staff rotate from (or give that site "
                    "the hospital's id as its facility_id)",
                )
        for i in rows:
            roles[i] = roles[i] or "site"
    return {
        "hospital_id": [hospital[i] if regional[i] else None for i in range(len(ids))],
        "site_role": [roles[i] if regional[i] else None for i in range(len(ids))],
        "site_name": [(site_name[i] or names[i]) if regional[i] else None for i in range(len(ids))],
    }


def _site_role(value: str) -> str:
    """A ``site_role`` cell in the contract's words (Vietnamese ones translated)."""
    text = value.strip().lower()
    return text if text in SITE_ROLES or not text else SITE_ROLE_ALIASES.get(fold(text), text)


def _level(value: object) -> str:
    """A ``level`` cell in the contract's words (Vietnamese ones translated), else as written."""
    if is_blank(value):
        return ""
    text = str(value).strip().lower()
    return text if text in LEVELS else LEVEL_ALIASES.get(fold(text), text)


def _assemble(
    table: pd.DataFrame,
    ids: pd.Series,
    names: pd.Series,
    levels: pd.Series,
    lat: np.ndarray,
    lon: np.ndarray,
    sources: pd.Series,
    counts: dict[str, np.ndarray],
    sites: dict[str, list[str | None]],
) -> gpd.GeoDataFrame:
    out = pd.DataFrame(index=range(len(table)))
    out["facility_id"] = ids.to_numpy(dtype=object)
    out["name"] = names.to_numpy(dtype=object)
    out["level"] = levels.to_numpy(dtype=object)
    kind = _text_column(table, "kind")
    out["kind"] = [k if k else DEFAULT_KIND[lv] for k, lv in zip(kind, out["level"], strict=True)]
    out["specialty"] = [v or None for v in _text_column(table, "specialty")]
    for column in ("population", "capacity"):
        out[column] = counts.get(column, np.nan)
    out["district"] = [v or None for v in _text_column(table, "district")]
    out["commune"] = [v or None for v in _text_column(table, "commune")]
    out["scheme"] = [v or "custom" for v in _text_column(table, "scheme")]
    out["location_source"] = [v or "manual" for v in sources]
    out["lat"] = lat
    out["lon"] = lon
    for column, values in sites.items():
        out[column] = values
    extras = [c for c in table.columns if c not in FACILITY_COLUMNS]
    for column in extras:
        out[column] = table[column].to_numpy()
    gdf = gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(lon, lat), crs=CRS_LONLAT)
    _warn_approximate(gdf)
    return gdf


def _text_column(table: pd.DataFrame, column: str) -> list[str]:
    if column not in table.columns:
        return [""] * len(table)
    return ["" if is_blank(v) else str(v).strip() for v in table[column]]


def _warn_approximate(gdf: gpd.GeoDataFrame) -> None:
    approximate = gdf["location_source"].isin(APPROXIMATE_SOURCES)
    if approximate.any():
        examples = ", ".join(gdf.loc[approximate, "facility_id"].head(3))
        warnings.warn(
            f"{int(approximate.sum())} of {len(gdf)} facilities are placed at a population "
            f"centre or a centroid (e.g. {examples}); their travel times are approximate",
            ApproximateLocationWarning,
            stacklevel=4,
        )


def _numbers(
    values: pd.Series,
    field: str,
    label: str,
    report: Callable[[int, int, str, str, str], None],
    *,
    parse: Callable[[str], float],
    order: int,
) -> np.ndarray:
    """Parse a column of numbers with ``parse``; report text, and blanks of coordinates."""
    out = np.full(len(values), np.nan)
    for i, value in enumerate(values):
        if is_blank(value):
            if field in ("lat", "lon"):
                report(
                    i,
                    order,
                    f"{label} is missing",
                    field,
                    f"fill in the {label} in decimal degrees (e.g. 21.0285, 105.8542)",
                )
            continue
        if isinstance(value, int | float | np.integer | np.floating) and not isinstance(
            value, bool
        ):
            number = float(value)
        else:
            try:
                number = parse(str(value))
            except NumberError as exc:
                report(i, order, f"{label} {exc.problem}", field, exc.hint)
                continue
        if not math.isfinite(number):
            report(i, order, f"{label} {number} is not a finite number", field, "write a number")
            continue
        out[i] = number
    return out


def _check_coordinates(lat: np.ndarray, lon: np.ndarray, area: BaseGeometry | None, report) -> None:
    both = ~np.isnan(lat) & ~np.isnan(lon)
    inside = swapped_inside = np.ones(len(lat), dtype=bool)
    if area is not None:
        inside = shapely.contains_xy(area, np.nan_to_num(lon), np.nan_to_num(lat))
        swapped_inside = shapely.contains_xy(area, np.nan_to_num(lat), np.nan_to_num(lon))
    for i in np.flatnonzero(both):
        y, x = lat[i], lon[i]
        looks_swapped = (abs(y) > 90 and abs(x) <= 90) or (
            area is not None and not inside[i] and swapped_inside[i]
        )
        if looks_swapped:
            report(
                int(i),
                1,
                f"latitude and longitude look swapped (lat={y:g}, lon={x:g})",
                "lat",
                f"exchange the two columns (this point would then be lat={x:g}, lon={y:g})",
            )
        elif abs(y) > 90:
            report(int(i), 0, f"latitude {y:g} is outside -90..90", "lat", "use decimal degrees")
        elif abs(x) > 180:
            report(int(i), 1, f"longitude {x:g} is outside -180..180", "lon", "use decimal degrees")
        elif not inside[i]:
            report(
                int(i),
                1,
                f"the point (lat={y:g}, lon={x:g}) lies outside the road network's area",
                "lat",
                "check the coordinates, or use a road network that covers this facility",
            )


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, str) and not value.strip()


def raise_first(errors: list[PlannerInputError]) -> NoReturn:
    """Raise the first problem, saying how many more there are."""
    first = errors[0]
    if len(errors) > 1:
        first = PlannerInputError(
            f"{first.problem} (and {len(errors) - 1} more problem(s); `planner facilities "
            "--validate FILE` lists them all)",
            file=first.file,
            rows=first.rows,
            field=first.field,
            hint=first.hint,
        )
    raise first
