"""The Hanoi registry: every unit of the health network, located and weighted, in both schemes.

``hanoi_facilities(scheme="2024")`` gives the 4 regional hospitals, the 30 district-level units
and the 579 commune health stations of 2020-2024; ``scheme="2025"`` keeps the regional and
district units (the district units become area health centres) and gives one health station to
each of the 126 commune-level units in force since 1 July 2025. Everything is built from the data
folder (see ``SOURCES.md`` there) and the authored ``geodata/regional_hospitals.csv``, and cached.

Locations: a unit is placed at its mapped OpenStreetMap facility when one matches its name and lies
in or near its area (``location_source="osm"``), else at its commune or district centroid (flagged,
with a ``location_note`` saying which). Population: the 2019 census, joined by commune name with the
district as key; communes merged or renamed since 2019, and the 2025 units, are joined through the
official old→new unit lists of the ``vietnamadminunits`` package. Every census row and commune that
could not be joined is listed in ``gdf.attrs["unmatched"]`` and logged.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from planner._cache import cache_key, cached
from planner._vn import core_name, fold, split_unit_type
from planner.config import CRS_LONLAT, CRS_METRIC, SCHEMES, authored_dir, data_file
from planner.errors import PlannerInputError
from planner.facilities import FACILITY_COLUMNS, validate_facilities

log = logging.getLogger(__name__)

#: The official 2019 census total for Hanoi (GSO), the sum of the census table.
CENSUS_2019_TOTAL = 8_053_663

_FILES = {
    "boundary": "hanoi_boundary_osm.geojson",
    "communes_2024": "hanoi_communes_2020_579.csv",
    "communes_legacy": "hanoi_communes_legacy_526_centroids.csv",
    "districts": "hanoi_districts_30_centroids.csv",
    "units_2025": "hanoi_communes_2025_126_centroids.csv",
    "polygons_2025": "hanoi_communes_2025_osm.geojson",
    "health_osm": "hanoi_health_facilities_osm.geojson",
    "census": "hanoi_population_commune_census2019.csv",
}
_REGIONAL_FILE = "regional_hospitals.csv"
#: A district unit must lie within this distance of its district's communes.
_DISTRICT_NEAR_M = 3000.0
#: A commune station must lie within this distance of its commune's centroid.
_STATION_NEAR_M = 3000.0
# Ứng Hòa's district hospital is named after its seat, the town of Vân Đình.
_DISTRICT_HOSPITAL_SEATS = {"ung hoa": "van dinh"}
_STATION_PREFIX = re.compile(r"^(diem )?(tram y te|tram xa) ")
_SITE_SUFFIX = re.compile(r" co so \d+$")
_EXTRA_COLUMNS = (
    "population_source",
    "location_note",
    "unit_code",
    "district_code",
    "osm_id",
    "name_en",
    "address",
    "source",
)


def hanoi_facilities(*, scheme: str = "2024", cache: bool = True) -> gpd.GeoDataFrame:
    """Return the Hanoi health units of one administrative scheme, in the facility contract.

    Parameters
    ----------
    scheme
        ``"2024"``: 4 regional hospitals, 30 district units (``hn-dist-<GSO district code>``),
        579 commune stations (``hn-com-<GSO commune code>``). ``"2025"``: the same regional and
        district units and 126 stations (``hn-com25-<unit code>``).
    cache
        Reuse the cached registry (keyed by the input files' content); ``False`` rebuilds.

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`~planner.facilities.FACILITY_COLUMNS`, then ``population_source``,
        ``location_note`` (why a location is approximate), ``unit_code``, ``district_code``,
        ``osm_id``, ``name_en``, ``address``, ``source``. ``attrs["unmatched"]`` lists (as dicts)
        every census row or unit the population join could not match.

    Warns
    -----
    ApproximateLocationWarning
        Most commune stations are not mapped in OSM and sit at their commune's centroid.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     reg = hanoi_facilities(scheme="2024")
    >>> reg["level"].value_counts().to_dict()
    {'commune': 579, 'district': 30, 'regional': 4}
    >>> reg.set_index("facility_id").loc["hn-dist-271", "name"]
    'Bệnh viện Đa khoa Ba Vì'
    """
    if scheme not in SCHEMES:
        raise PlannerInputError(
            f"unknown scheme '{scheme}'", field="scheme", hint=f"use one of {', '.join(SCHEMES)}"
        )
    paths = {name: data_file(file) for name, file in _FILES.items()}
    regional = authored_dir() / _REGIONAL_FILE
    code = [Path(__file__), Path(__file__).with_name("_vn.py")]
    key = cache_key(*paths.values(), regional, *code, scheme, _package_version())
    if cache:
        table, unmatched = cached(
            "registry",
            key,
            build=lambda: _build(paths, regional, scheme),
            save=_save,
            load=_load,
        )
    else:
        table, unmatched = _build(paths, regional, scheme)
    gdf = validate_facilities(table, file=f"Hanoi registry ({scheme})")
    gdf.attrs["unmatched"] = unmatched
    return gdf


def hanoi_boundary() -> BaseGeometry:
    """Return the Hanoi province boundary (OSM relation 1903516) as a shapely polygon, EPSG:4326.

    Examples
    --------
    >>> round(gpd.GeoSeries([hanoi_boundary()], crs="EPSG:4326").to_crs(CRS_METRIC).area[0] / 1e6)
    3352
    """
    return _boundary(str(data_file(_FILES["boundary"])))


def hanoi_areas(*, scheme: str = "2024") -> gpd.GeoDataFrame:
    """Return the areas served by the units of a scheme, for maps (EPSG:4326).

    ``"2025"``: the 126 commune-level polygons from OSM (``facility_id`` ``hn-com25-<code>``,
    ``approximate`` False). ``"2024"``: the 30 districts (``facility_id`` ``hn-dist-<code>``),
    approximated by the Voronoi cells of their communes' centroids, dissolved by district and
    clipped to the province (``approximate`` True): no official 2024 polygons are in the data.

    Examples
    --------
    >>> areas = hanoi_areas(scheme="2024")
    >>> len(areas), bool(areas["approximate"].all())
    (30, True)
    """
    if scheme not in SCHEMES:
        raise PlannerInputError(
            f"unknown scheme '{scheme}'", field="scheme", hint=f"use one of {', '.join(SCHEMES)}"
        )
    if scheme == "2025":
        units = _units_2025(data_file(_FILES["units_2025"]), data_file(_FILES["polygons_2025"]))
        out = units[["facility_id", "name", "unit_code", "population_osm_2025", "geometry"]]
        return out.assign(approximate=False)
    return _district_areas(
        data_file(_FILES["communes_legacy"]),
        data_file(_FILES["districts"]),
        data_file(_FILES["boundary"]),
    )


# -- building ---------------------------------------------------------------------------------


def _build(
    paths: dict[str, Path], regional_path: Path, scheme: str
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    communes = pd.read_csv(paths["communes_2024"], dtype=str)
    legacy = pd.read_csv(paths["communes_legacy"], dtype=str)
    districts = pd.read_csv(paths["districts"], dtype=str)
    census = pd.read_csv(paths["census"], dtype={"district": str, "commune": str})
    # The census spells one district "Huyện ứng Hòa": use the official names from here on.
    official = {core_name(d): d for d in districts["district"]}
    census["district"] = census["district"].map(lambda d: official.get(core_name(d), d))
    osm = _osm_health(paths["health_osm"])
    census, unmatched = _census_to_2024(census, communes)
    regional = _regional(regional_path, scheme)
    district_units = _district_units(districts, legacy, census, osm, scheme)
    if scheme == "2024":
        local = _commune_units_2024(communes, legacy, districts, census, osm)
        unmatched += [
            {"table": "hanoi_communes_2020_579", "district": r.district, "commune": r.commune,
             "population": None, "reason": "no 2019 census row matched this commune"}
            for r in local[local["population"].isna()].itertuples()
        ]  # fmt: skip
    else:
        local, lost = _commune_units_2025(paths, census, legacy)
        unmatched += lost
    table = pd.concat([regional, district_units, local], ignore_index=True)
    for row in unmatched:
        log.warning("Hanoi registry (%s): unmatched %s", scheme, row)
    columns = [*FACILITY_COLUMNS, *_EXTRA_COLUMNS]
    columns += [c for c in table.columns if c not in columns]
    return table.reindex(columns=columns), unmatched


def _regional(path: Path, scheme: str) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table[["lat", "lon"]] = table[["lat", "lon"]].astype(float)
    return table.assign(scheme=scheme, population=np.nan, population_source=None)


def _census_to_2024(
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


def _district_units(
    districts: pd.DataFrame,
    legacy: pd.DataFrame,
    census: pd.DataFrame,
    osm: gpd.GeoDataFrame,
    scheme: str,
) -> pd.DataFrame:
    """One unit per district: its general hospital in OSM, else its health centre, else its centroid."""
    population = census.groupby(census["district"].map(core_name))["population"].sum()
    points = _metric(legacy["wardLon"].astype(float), legacy["wardLat"].astype(float))
    osm_xy = _metric(osm["lon"], osm["lat"])
    rows = []
    for d in districts.itertuples():
        core = core_name(d.district)
        hull = shapely.convex_hull(
            shapely.multipoints(points[legacy["districtCode"] == d.districtCode])
        )
        near = shapely.dwithin(hull, osm_xy, _DISTRICT_NEAR_M)
        seat = _DISTRICT_HOSPITAL_SEATS.get(core, core)
        hospital = osm["key"].str.fullmatch(
            rf"benh vien da khoa ({re.escape(core)}|{re.escape(seat)})"
        )
        centre = osm["key"].str.fullmatch(
            rf"trung tam y te (quan |huyen |thi xa )?{re.escape(core)}"
        )
        row = {
            "facility_id": f"hn-dist-{d.districtCode}",
            "level": "district",
            "district": d.district,
            "district_code": d.districtCode,
            "unit_code": d.districtCode,
            "scheme": scheme,
            "population": float(population.get(core, np.nan)),
            "population_source": "census2019 (district total)",
        }
        for match, kind in ((hospital & near, "hospital"), (centre & near, "health_centre")):
            if match.any():
                hit = osm[match].iloc[0]
                row |= {"name": hit["name"], "kind": kind, "lat": hit["lat"], "lon": hit["lon"],
                        "location_source": "osm", "osm_id": hit["osm_id"], "location_note": None}  # fmt: skip
                break
        else:
            row |= {
                "name": f"Trung tâm Y tế {_lower_type(d.district)}",
                "kind": "health_centre",
                "lat": float(d.districtLat),
                "lon": float(d.districtLon),
                "location_source": "district_centroid",
                "location_note": "no district hospital or health centre of this district in OSM: "
                "placed at the district centroid",
            }
            log.info("district unit of %s not in OSM: at its centroid", d.district)
        rows.append(row)
    return pd.DataFrame(rows)


def _commune_units_2024(
    communes: pd.DataFrame,
    legacy: pd.DataFrame,
    districts: pd.DataFrame,
    census: pd.DataFrame,
    osm: gpd.GeoDataFrame,
) -> pd.DataFrame:
    from vietnamadminunits import ParseMode, parse_address

    population = census.groupby("commune_code")["population"].sum()
    census_source = census.groupby("commune_code")["population_source"].agg(
        lambda s: "; ".join(sorted(set(s)))
    )
    legacy_by_code = legacy.set_index("wardCode")
    legacy_by_name = {(r.districtCode, fold(r.ward)): r for r in legacy.itertuples()}
    district_xy = districts.set_index("districtCode")[["districtLat", "districtLon"]].astype(float)
    rows = []
    for c in communes.itertuples():
        note = None
        hit = legacy_by_name.get((c.district_code, fold(c.commune)))
        if hit is not None:
            lat, lon, source = float(hit.wardLat), float(hit.wardLon), "commune_centroid"
            note = "no matching OSM station: placed at the commune's geocoded centroid"
        else:
            # Merged in January 2025: the package's list of former names gives the successor.
            unit = parse_address(
                f"{c.commune}, {c.district}, Hà Nội", mode=ParseMode.LEGACY, level=3
            )
            if unit.ward_code in legacy_by_code.index:
                successor = legacy_by_code.loc[unit.ward_code]
                lat, lon = float(successor["wardLat"]), float(successor["wardLon"])
                source = "commune_centroid"
                note = f"merged into {successor['ward']} in January 2025: placed at that unit's centroid"
            else:
                lat, lon = district_xy.loc[c.district_code]
                source = "district_centroid"
                note = "commune not in the 2025 centroid list: placed at its district's centroid"
        rows.append(
            {"facility_id": f"hn-com-{c.commune_code}", "name": f"Trạm y tế {_lower_type(c.commune)}",
             "level": "commune", "kind": "health_station", "district": c.district,
             "commune": c.commune, "scheme": "2024", "lat": lat, "lon": lon,
             "location_source": source, "location_note": note, "unit_code": c.commune_code,
             "district_code": c.district_code,
             "population": float(population.get(c.commune_code, np.nan)),
             "population_source": census_source.get(c.commune_code)}
        )  # fmt: skip
    units = pd.DataFrame(rows)
    return _place_at_osm_stations(units, osm, within=None)


def _commune_units_2025(
    paths: dict[str, Path], census: pd.DataFrame, legacy: pd.DataFrame
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    units = _units_2025(paths["units_2025"], paths["polygons_2025"])
    shares, unmatched = _census_to_2025(census, legacy, units)
    census_district = pd.DataFrame(
        {"row": range(len(census)), "district": census["district"].to_numpy()}
    )
    population = shares.groupby("unit_code")["population"].sum()
    split = shares[shares["split"]].groupby("unit_code").size()
    metric = units.to_crs(CRS_METRIC).geometry
    centroid = metric.centroid
    inside = metric.contains(centroid)
    point = gpd.GeoSeries(np.where(inside, centroid, metric.representative_point()), crs=CRS_METRIC)
    lonlat = point.to_crs(CRS_LONLAT)
    # The former district that gave the unit most of its people; the approximate 2024 district
    # area holding its centroid only for a unit no census commune maps to.
    areas = _district_areas(paths["communes_legacy"], paths["districts"], paths["boundary"])
    by_area = pd.Series(_containing(point, areas.to_crs(CRS_METRIC), "district"), index=units.index)
    main = (
        shares.merge(census_district, on="row")
        .groupby(["unit_code", "district"])["population"]
        .sum()
        .sort_values(ascending=False)
        .reset_index()
        .drop_duplicates("unit_code")
        .set_index("unit_code")["district"]
    )
    district = units["unit_code"].map(main).fillna(by_area)
    if (district != by_area).any():
        log.info(
            "%d 2025 units: main former district differs from the approximate area holding the centroid",
            int((district != by_area).sum()),
        )
    district_code = district.map(dict(zip(areas["district"], areas["district_code"], strict=True)))
    table = pd.DataFrame(
        {
            "facility_id": units["facility_id"],
            "name": [f"Trạm y tế {_lower_type(n)}" for n in units["name"]],
            "level": "commune",
            "kind": "health_station",
            "district": district,
            "commune": units["name"],
            "scheme": "2025",
            "lat": lonlat.y.to_numpy(),
            "lon": lonlat.x.to_numpy(),
            "location_source": "commune_centroid",
            "location_note": np.where(
                inside,
                "placed at the unit's polygon centroid",
                "placed at a point inside the unit's polygon",
            ),
            "unit_code": units["unit_code"],
            "district_code": district_code,
            "population": units["unit_code"].map(population).astype(float).to_numpy(),
            "population_source": [
                "census2019 communes mapped to 2025 units by vietnamadminunits"
                + (f" ({split.get(code)} former commune(s) split by area)" if code in split else "")
                for code in units["unit_code"]
            ],
            "population_osm_2025": units["population_osm_2025"],
        }
    )
    for r in table[table["population"].isna()].itertuples():
        unmatched.append(
            {"table": "hanoi_communes_2025_126", "district": r.district, "commune": r.commune,
             "population": None, "reason": "no 2019 census commune maps to this unit"}
        )  # fmt: skip
    osm = _osm_health(paths["health_osm"])
    return _place_at_osm_stations(table, osm, within=units.geometry.to_numpy()), unmatched


def _census_to_2025(
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
    if box is not None and all(codes):
        box_m = gpd.GeoSeries([box], crs=CRS_LONLAT).to_crs(CRS_METRIC).iloc[0]
        overlap = np.array([polygon[c].intersection(box_m).area for c in codes])
        if overlap.sum() > 0:
            return {
                c: float(v) for c, v in zip(codes, overlap / overlap.sum(), strict=True) if v > 0
            }
    default = next(
        (c for c, d in zip(codes, candidates, strict=True) if d["isDefaultNewWard"]), codes[0]
    )
    return {default: 1.0}


def _place_at_osm_stations(
    units: pd.DataFrame, osm: gpd.GeoDataFrame, *, within: np.ndarray | None
) -> pd.DataFrame:
    """Move stations to a mapped OSM health station of the same commune name, when near enough.

    Near enough: inside the unit's polygon (buffered 200 m) when ``within`` is given, else within
    :data:`_STATION_NEAR_M` of the centroid. Each OSM station serves at most one unit (the nearest).
    """
    stations = osm[osm["key"].str.match(_STATION_PREFIX)].copy()
    parsed = (
        stations["key"]
        .str.replace(_STATION_PREFIX, "", regex=True)
        .str.replace(_SITE_SUFFIX, "", regex=True)
    )
    stations["type"], stations["core"] = zip(*parsed.map(split_unit_type), strict=True)
    unit_type, unit_core = zip(*units["commune"].map(split_unit_type), strict=True)
    unit_xy = _metric(units["lon"], units["lat"])
    station_xy = _metric(stations["lon"], stations["lat"])
    candidates = []
    for i, (t, core) in enumerate(zip(unit_type, unit_core, strict=True)):
        same = (stations["core"] == core) & stations["type"].isin(["", t])
        for j in np.flatnonzero(same.to_numpy()):
            if within is not None:
                ok = shapely.dwithin(_metric_geom(within[i]), station_xy[j], 200.0)
            else:
                ok = shapely.distance(unit_xy[i], station_xy[j]) <= _STATION_NEAR_M
            if ok:
                candidates.append((shapely.distance(unit_xy[i], station_xy[j]), i, j))
    units = units.copy()
    taken_units, taken_stations = set(), set()
    for _, i, j in sorted(candidates):
        if i in taken_units or j in taken_stations:
            continue
        taken_units.add(i)
        taken_stations.add(j)
        hit = stations.iloc[j]
        units.loc[i, ["lat", "lon"]] = [hit["lat"], hit["lon"]]
        units.loc[i, ["location_source", "location_note", "osm_id"]] = ["osm", None, hit["osm_id"]]
        units.loc[i, "name"] = hit["name"]
    log.info(
        "%d of %d commune stations placed at mapped OSM stations", len(taken_units), len(units)
    )
    return units


# -- inputs ------------------------------------------------------------------------------------


def _osm_health(path: Path) -> gpd.GeoDataFrame:
    osm = gpd.read_file(path, engine="pyogrio")
    osm = osm[osm["name"].notna() & osm.geometry.notna()].reset_index(drop=True)
    point = osm.geometry.representative_point()
    return osm.assign(
        key=osm["name"].map(fold),
        lat=point.y,
        lon=point.x,
        osm_id=osm["element"].astype(str) + "/" + osm["id"].astype(str),
    )


def _units_2025(centroids_path: Path, polygons_path: Path) -> gpd.GeoDataFrame:
    """The 126 units with their GSO code and OSM polygon, matched by name."""
    units = pd.read_csv(centroids_path, dtype={"wardCode": str})
    polygons = gpd.read_file(polygons_path, engine="pyogrio")
    polygons = polygons.assign(key=polygons["name"].map(fold)).drop_duplicates("key")
    merged = units.assign(key=units["ward"].map(fold)).merge(
        polygons[["key", "population", "geometry"]], on="key", how="left", validate="one_to_one"
    )
    missing = merged[merged["geometry"].isna()]
    if len(missing):
        raise PlannerInputError(
            f"{len(missing)} units of the 2025 list have no polygon (e.g. {missing['ward'].iloc[0]})",
            file=polygons_path,
            field="name",
            hint="restore the OSM polygons file from the data folder",
        )
    return gpd.GeoDataFrame(
        {
            "facility_id": "hn-com25-" + merged["wardCode"],
            "name": merged["ward"],
            "unit_code": merged["wardCode"],
            "population_osm_2025": pd.to_numeric(merged["population"], errors="coerce"),
        },
        geometry=merged["geometry"].to_numpy(),
        crs=CRS_LONLAT,
    )


def _district_areas(
    legacy_path: Path, districts_path: Path, boundary_path: Path
) -> gpd.GeoDataFrame:
    """Approximate 2024 district polygons: Voronoi cells of commune centroids, dissolved, clipped."""
    # Two geocoded centroids coincide; Voronoi needs distinct sites (both are in one district).
    legacy = pd.read_csv(legacy_path, dtype=str).drop_duplicates(["wardLat", "wardLon"])
    districts = pd.read_csv(districts_path, dtype=str)
    xy = _metric(legacy["wardLon"].astype(float), legacy["wardLat"].astype(float))
    boundary = (
        gpd.GeoSeries([_boundary(str(boundary_path))], crs=CRS_LONLAT).to_crs(CRS_METRIC).iloc[0]
    )
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(xy), extend_to=boundary, ordered=True)
    )
    dissolved = (
        gpd.GeoDataFrame({"district_code": legacy["districtCode"]}, geometry=cells, crs=CRS_METRIC)
        .dissolve("district_code")
        .intersection(boundary)
    )
    out = districts.set_index("districtCode").join(dissolved.rename("geometry"))
    return gpd.GeoDataFrame(
        {
            "facility_id": "hn-dist-" + out.index,
            "district": out["district"].to_numpy(),
            "district_code": out.index.to_numpy(),
            "approximate": True,
        },
        geometry=out["geometry"].to_numpy(),
        crs=CRS_METRIC,
    ).to_crs(CRS_LONLAT)


@functools.lru_cache(maxsize=4)
def _boundary(path: str) -> BaseGeometry:
    shapes = gpd.read_file(path, engine="pyogrio").geometry
    return shapely.union_all(shapes.to_numpy())


# -- small helpers ---------------------------------------------------------------------------------


def _metric(lon: pd.Series, lat: pd.Series) -> np.ndarray:
    """Points in UTM 48N (metres) as a shapely array."""
    return gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=CRS_LONLAT).to_crs(CRS_METRIC).to_numpy()


def _metric_geom(geom: BaseGeometry) -> BaseGeometry:
    return gpd.GeoSeries([geom], crs=CRS_LONLAT).to_crs(CRS_METRIC).iloc[0]


def _containing(points: gpd.GeoSeries, areas: gpd.GeoDataFrame, column: str) -> np.ndarray:
    """The ``column`` of the area holding each point (the nearest area when none holds it)."""
    joined = gpd.sjoin_nearest(gpd.GeoDataFrame(geometry=points), areas[[column, "geometry"]])
    return joined[~joined.index.duplicated()][column].to_numpy()


def _bbox(text: str) -> BaseGeometry | None:
    """Parse ``"lat1,lon1 – lat2,lon2"`` into a box (EPSG:4326)."""
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", str(text))]
    if len(numbers) != 4:
        return None
    lat1, lon1, lat2, lon2 = numbers
    return shapely.box(min(lon1, lon2), min(lat1, lat2), max(lon1, lon2), max(lat1, lat2))


def _lower_type(name: str) -> str:
    """'Huyện Ba Vì' → 'huyện Ba Vì', as unit types read inside a facility name."""
    for unit_type in ("Thị trấn", "Thị xã", "Phường", "Quận", "Huyện", "Xã"):
        if name.startswith(unit_type + " "):
            return unit_type.lower() + name[len(unit_type) :]
    return name


def _package_version() -> str:
    from importlib.metadata import version

    return version("vietnamadminunits")


# -- cache files -----------------------------------------------------------------------------------


def _save(value: tuple[pd.DataFrame, list[dict[str, Any]]], folder: Path) -> None:
    table, unmatched = value
    table.to_csv(folder / "registry.csv", index=False, encoding="utf-8", lineterminator="\n")
    (folder / "unmatched.json").write_text(json.dumps(unmatched, ensure_ascii=False, indent=1))


def _load(folder: Path) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    numeric = {"population", "capacity", "lat", "lon", "population_osm_2025"}
    header = pd.read_csv(folder / "registry.csv", nrows=0).columns
    table = pd.read_csv(
        folder / "registry.csv",
        dtype={c: (float if c in numeric else str) for c in header},
        keep_default_na=False,
        na_values={c: [""] for c in header},
    )
    return table, json.loads((folder / "unmatched.json").read_text())
