"""The census joins: the 2019 census rows given their 2020-2024 commune, and spread over the
2025 units that took their territory (through the official old→new unit lists of the
``vietnamadminunits`` package). Rows that cannot be joined are returned as unmatched.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from planner._vn import core_name, fold
from planner.config import CRS_LONLAT, CRS_METRIC

#: The official 2019 census total for Hanoi (GSO), the sum of the census table.
CENSUS_2019_TOTAL = 8_053_663


def read_census(path: Path, districts: pd.DataFrame) -> pd.DataFrame:
    census = pd.read_csv(path, dtype={"district": str, "commune": str})
    # The census spells one district "Huyện ứng Hòa": use the official names from here on.
    official = {core_name(d): d for d in districts["district"]}
    census["district"] = census["district"].map(lambda d: official.get(core_name(d), d))
    return census


def census_to_2024(
    census: pd.DataFrame, communes: pd.DataFrame
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Give each census row the GSO code of its 2020-2024 commune.

    Names are matched within the district after folding; rows of communes merged or renamed in
    2020 are resolved through the package's list of former names.
    """
    from vietnamadminunits import ParseMode, parse_address

    by_name = {
        (core_name(r.district), fold(r.commune)): r.commune_code for r in communes.itertuples()
    }
    by_core: dict[tuple[str, str], list[str]] = {}
    for r in communes.itertuples():
        by_core.setdefault((core_name(r.district), core_name(r.commune)), []).append(r.commune_code)
    names = communes.set_index("commune_code")["commune"]
    codes, sources, unmatched = [], [], []
    for r in census.itertuples():
        district = core_name(r.district)
        code = by_name.get((district, fold(r.commune)))
        if code is None and len(by_core.get((district, core_name(r.commune)), [])) == 1:
            code = by_core[(district, core_name(r.commune))][0]
        source = "census2019"
        if code is None:
            unit = parse_address(
                f"{r.commune}, {r.district}, Hà Nội", mode=ParseMode.LEGACY, level=3
            )
            if unit.ward_code in names.index and fold(names[unit.ward_code]) == fold(unit.ward):
                code = unit.ward_code
                source = f"census2019 ({r.commune} merged into {unit.ward} in 2020, per vietnamadminunits)"
        if code is None:
            unmatched.append(
                {"table": "hanoi_population_commune_census2019", "district": r.district,
                 "commune": r.commune, "population": int(r.population),
                 "reason": "no 2020-2024 commune of that name in its district"}
            )  # fmt: skip
        codes.append(code)
        sources.append(source)
    return census.assign(commune_code=codes, population_source=sources), unmatched


def census_to_2025(
    census: pd.DataFrame, legacy: pd.DataFrame, units: gpd.GeoDataFrame
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Spread each census row over the 2025 unit(s) that took its territory.

    The package's official lists say which unit(s) each former commune went to. Most went whole
    into one unit; a commune divided between several is shared among them by the area of its
    bounding box inside each (no former commune polygons are in the data), else given whole to the
    package's default successor. Only the package's tables are read (``convert_address`` may geocode
    online when it thinks an address has a street).
    """
    from vietnamadminunits import ParseMode, parse_address
    from vietnamadminunits.converter.converter_2025 import (
        DICT_PROVINCE_WARD_DIVIDED,
        DICT_PROVINCE_WARD_NO_DIVIDED,
    )

    whole = {
        old: new
        for new, olds in DICT_PROVINCE_WARD_NO_DIVIDED["thanhphohanoi"].items()
        for old in olds
    }
    divided = DICT_PROVINCE_WARD_DIVIDED.get("thanhphohanoi", {})
    unit_by_key = {
        fold(n).replace(" ", ""): c for n, c in zip(units["name"], units["unit_code"], strict=True)
    }
    polygon = dict(zip(units["unit_code"], units.to_crs(CRS_METRIC).geometry, strict=True))
    bounds = {r.wardCode: _bbox(r.wardBounds) for r in legacy.itertuples()}
    rows, unmatched = [], []
    for row, r in enumerate(census.itertuples()):
        old = parse_address(f"{r.commune}, {r.district}, Hà Nội", mode=ParseMode.LEGACY, level=3)
        old_key = f"{old.province_key}_{old.district_key}_{old.ward_key}"
        shares = _divided_shares(
            divided.get(old_key, []), unit_by_key, polygon, bounds.get(old.ward_code)
        )
        if old_key in whole:
            shares = {unit_by_key.get(whole[old_key]): 1.0}
        for code, share in shares.items():
            if code is None:
                continue
            rows.append(
                {
                    "row": row,
                    "unit_code": code,
                    "population": r.population * share,
                    "split": len(shares) > 1,
                }
            )
        if not shares or None in shares:
            unmatched.append(
                {"table": "hanoi_population_commune_census2019", "district": r.district,
                 "commune": r.commune, "population": int(r.population),
                 "reason": f"vietnamadminunits maps it to no 2025 unit of the registry ({old_key})"}
            )  # fmt: skip
    return pd.DataFrame(rows, columns=["row", "unit_code", "population", "split"]), unmatched


def _divided_shares(
    candidates: list[dict[str, Any]],
    unit_by_key: dict[str, str],
    polygon: dict[str, BaseGeometry],
    box: BaseGeometry | None,
) -> dict[str | None, float]:
    """Shares of a divided former commune per 2025 unit code, by bounding-box overlap."""
    if not candidates:
        return {}
    codes = [unit_by_key.get(c["newWardKey"]) for c in candidates]
    known = [c for c in codes if c is not None]
    if box is not None and len(known) == len(codes):
        box_m = gpd.GeoSeries([box], crs=CRS_LONLAT).to_crs(CRS_METRIC).iloc[0]
        overlap = np.array([polygon[c].intersection(box_m).area for c in known])
        if overlap.sum() > 0:
            return {
                c: float(v) for c, v in zip(known, overlap / overlap.sum(), strict=True) if v > 0
            }
    default = next(
        (c for c, d in zip(codes, candidates, strict=True) if d["isDefaultNewWard"]), codes[0]
    )
    return {default: 1.0}


def _bbox(text: str) -> BaseGeometry | None:
    """Parse ``"lat1,lon1 – lat2,lon2"`` into a box (EPSG:4326)."""
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", str(text))]
    if len(numbers) != 4:
        return None
    lat1, lon1, lat2, lon2 = numbers
    return shapely.box(min(lon1, lon2), min(lat1, lat2), max(lon1, lon2), max(lat1, lat2))
