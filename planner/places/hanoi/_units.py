"""The Hanoi units, row by row: one per district (its hospital or health centre) and one
station per commune (579 of 2024, or 126 of 2025), located, with their census population and,
for the communes, their areas.
"""

from __future__ import annotations

import logging
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
from planner.places.hanoi._census import census_to_2025
from planner.places.hanoi._data import read_units_2025
from planner.places.hanoi._districts import split_area
from planner.places.hanoi._geometry import (
    lonlat_geom,
    metric_geom,
    polygonal,
    utm_points,
    valid_lonlat,
)
from planner.places.hanoi._locate import (
    AREA_NEAR_M,
    NOT_NAMED,
    Pois,
    locate_by_name,
    location_note,
    place_at_centres,
)
from planner.places.population import split_by_population

log = logging.getLogger(__name__)


#: A district unit may lie this far outside its district's polygon (boundaries drawn differently).
_DISTRICT_NEAR_M = 1000.0


# Ứng Hòa's district hospital is named after its seat, the town of Vân Đình; Long Biên's general
# hospital is Đức Giang General Hospital, in Đức Giang ward (addr:district Long Biên in OSM).
_DISTRICT_HOSPITAL_SEATS = {"ung hoa": "van dinh", "long bien": "duc giang"}


_COMMUNE_TYPES = ("xa", "phuong", "thi tran")


_DISTRICT_TYPES = ("quan", "huyen", "thi xa")


def build_district_units(
    districts: pd.DataFrame,
    census: pd.DataFrame,
    polygons: gpd.GeoDataFrame,
    pois: Pois,
    raster: Path,
    scheme: str,
) -> pd.DataFrame:
    """One unit per district: its general hospital or health centre in OSM, else its People's
    Committee, else the population centre of the district, else its centroid."""
    population = census.groupby(census["district"].map(core_name))["population"].sum()
    area = polygons.set_index("district_code").to_crs(CRS_METRIC).geometry
    health_xy = pois.health["xy"].to_numpy()
    halls = pois.town_hall[pois.town_hall["type"].isin(("", *_DISTRICT_TYPES))]
    rows = []
    for d in districts.itertuples():
        core = core_name(d.district)
        polygon = area[d.districtCode]
        near = shapely.dwithin(polygon, health_xy, _DISTRICT_NEAR_M)
        seat = _DISTRICT_HOSPITAL_SEATS.get(core, core)
        keys = pois.health["key"]
        hospital = keys.str.fullmatch(rf"benh vien da khoa ({re.escape(core)}|{re.escape(seat)})")
        centre = keys.str.fullmatch(rf"trung tam y te (quan |huyen |thi xa )?{re.escape(core)}")
        row = {
            "facility_id": f"hn-dist-{d.districtCode}",
            "level": "district",
            "district": d.district,
            "district_code": d.districtCode,
            "unit_code": d.districtCode,
            "scheme": scheme,
            "population": float(population.get(core, np.nan)),
            "population_source": "census2019 (district total)",
            "name": f"Trung tâm Y tế {_lower_type(d.district)}",
            "kind": "health_centre",
            "lat": float(d.districtLat),
            "lon": float(d.districtLon),
            "location_source": "district_centroid",
            "location_note": "no district hospital, health centre or People's Committee in OSM "
            "and no people in the district's area: at the district centroid",
        }
        for match, kind in ((hospital & near, "hospital"), (centre & near, "health_centre")):
            if match.any():  # the health file first, then the tiles' POIs
                hit = pois.health[match].iloc[0]
                row |= {"name": hit["name"], "kind": kind, "lat": hit["lat"], "lon": hit["lon"],
                        "location_source": "osm", "osm_id": hit["osm_id"],
                        "location_note": location_note("osm", hit)}  # fmt: skip
                break
        else:
            hall = halls[
                (halls["core"] == core)
                & shapely.dwithin(polygon, halls["xy"].to_numpy(), AREA_NEAR_M)
            ]
            if len(hall):
                hit = hall.iloc[0]
                row |= {"lat": hit["lat"], "lon": hit["lon"], "location_source": "town_hall",
                        "location_note": "its health centre is not in OSM: at the district "
                        f"People's Committee, '{hit['name']}' (OSM road tiles, 2021)"}  # fmt: skip
        rows.append(row)
    table = place_at_centres(
        pd.DataFrame(rows),
        area[[r["district_code"] for r in rows]].to_numpy(),
        raster=raster,
        what="its health centre and People's Committee are not in OSM",
    )
    for r in table[table["location_source"] != "osm"].itertuples():
        log.info("district unit of %s not in OSM: %s", r.district, r.location_source)
    return table


def build_commune_units_2024(
    paths: dict[str, Path],
    communes: pd.DataFrame,
    legacy: pd.DataFrame,
    districts: pd.DataFrame,
    census: pd.DataFrame,
    polygons: gpd.GeoDataFrame,
    pois: Pois,
) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
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
        hit = legacy_by_name.get((c.district_code, fold(c.commune)))
        if hit is not None:
            lat, lon, source = float(hit.wardLat), float(hit.wardLon), "commune_centroid"
            note = "no mapped station and no people in its area: at the commune's geocoded centroid"
        else:
            # Merged in January 2025: the package's list of former names gives the successor.
            unit = parse_address(
                f"{c.commune}, {c.district}, Hà Nội", mode=ParseMode.LEGACY, level=3
            )
            if unit.ward_code in legacy_by_code.index:
                successor = legacy_by_code.loc[unit.ward_code]
                lat, lon = float(successor["wardLat"]), float(successor["wardLon"])
                source = "commune_centroid"
                note = f"merged into {successor['ward']} in January 2025: at that unit's centroid"
            else:
                lat, lon = district_xy.loc[c.district_code]
                source = "district_centroid"
                note = "commune not in the 2025 centroid list: at its district's centroid"
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
    district_m = polygons.set_index("district_code").to_crs(CRS_METRIC).geometry
    within = district_m[units["district_code"]].to_numpy()
    # Rules 1-2 with the district as the area; rule 3 needs the communes' own areas, which are
    # split from the district around each commune's site: its own centroid, else where rules
    # 1-2 placed it (communes merged in January 2025 share their successor's centroid).
    named = locate_by_name(units, within, pois, level="commune (2024)")
    centroid = units[["lat", "lon"]]
    shared = centroid.duplicated(keep=False).to_numpy()
    by_name = named["location_source"].isin(["osm", "town_hall", "school", "place"]).to_numpy()
    site = np.where((shared & by_name)[:, None], named[["lat", "lon"]], centroid)
    areas_m = _commune_areas(paths, units, census, district_m, site)
    areas_m, notes = _split_shared_sites(named, areas_m, site, by_name, paths["worldpop"])
    located = place_at_centres(named, areas_m, raster=paths["worldpop"], what=NOT_NAMED)
    for i, note in notes.items():
        if located.at[i, "location_source"] == "population_centre":
            located.loc[i, "location_note"] = note
    areas = valid_lonlat(
        gpd.GeoDataFrame(
            {"facility_id": units["facility_id"]}, geometry=list(areas_m), crs=CRS_METRIC
        )
    )
    return located, areas


def _commune_areas(
    paths: dict[str, Path],
    units: pd.DataFrame,
    census: pd.DataFrame,
    district_m: gpd.GeoSeries,
    site: np.ndarray,
) -> np.ndarray:
    """Each 2024 commune's area (UTM): its district split around the communes' sites, within
    the 2025 unit(s) its census rows went to."""
    legacy = pd.read_csv(paths["communes_legacy"], dtype=str)
    units25 = read_units_2025(paths["units_2025"], paths["polygons_2025"])
    shares, _ = census_to_2025(census, legacy, units25)
    commune_of_row = census["commune_code"].to_numpy()
    went_to: dict[str, set[str]] = {}
    for r in shares.itertuples():
        code = commune_of_row[r.row]
        if isinstance(code, str):
            went_to.setdefault(r.unit_code, set()).add(f"hn-com-{code}")
    unit_m = dict(zip(units25["unit_code"], units25.to_crs(CRS_METRIC).geometry, strict=True))
    site_m = utm_points(pd.Series(site[:, 1]), pd.Series(site[:, 0]))
    ids = units["facility_id"].to_numpy()
    parts: dict[str, list[BaseGeometry]] = {}
    for code, district in district_m.items():
        mine = units["district_code"].to_numpy() == code
        pieces = split_area(
            district,
            unit_m,
            {u: [i for i in members if i in set(ids[mine])] for u, members in went_to.items()},
            site_m[mine],
            ids[mine],
        )
        for label, geom, _ in pieces:
            parts.setdefault(label, []).append(geom)
    return np.array(
        [polygonal(shapely.union_all(parts[i])) if i in parts else shapely.Polygon() for i in ids],
        dtype=object,
    )


def _split_shared_sites(
    units: pd.DataFrame,
    areas_m: np.ndarray,
    site: np.ndarray,
    by_name: np.ndarray,
    raster: Path,
) -> tuple[np.ndarray, dict[int, str]]:
    """Communes still sharing one site (merged in January 2025, none located by name) share one
    area: split it around its population clusters, matched to the communes by census size.
    Returns the new areas and a location note per commune whose area was split."""
    areas_m = areas_m.copy()
    notes: dict[int, str] = {}
    frame = pd.DataFrame({"lat": site[:, 0], "lon": site[:, 1]})[~by_name]
    for members in frame.groupby(["lat", "lon"]).groups.values():
        members = np.asarray(members)
        if len(members) < 2:
            continue
        shared = shapely.union_all(areas_m[members])
        shares = units.loc[members, "population"].fillna(0).tolist()
        parts = split_by_population(lonlat_geom(shared), shares, raster=raster, crs=CRS_METRIC)
        names = units.loc[members, "commune"].tolist()
        for i, part in zip(members, parts, strict=True):
            areas_m[i] = polygonal(metric_geom(part))
            others = ", ".join(n for n in names if n != units.at[i, "commune"])
            notes[int(i)] = (
                f"merged in January 2025 with {others}; {NOT_NAMED}: the area they share is "
                "split around its population clusters (matched to the communes by census size); "
                "at the population-weighted centre of its part (WorldPop 2020)"
            )
        log.info("split the area shared by %s around its population clusters", ", ".join(names))
    return areas_m, notes


def build_commune_units_2025(
    paths: dict[str, Path],
    census: pd.DataFrame,
    legacy: pd.DataFrame,
    polygons: gpd.GeoDataFrame,
    pois: Pois,
) -> tuple[pd.DataFrame, gpd.GeoDataFrame, list[dict[str, Any]]]:
    units = read_units_2025(paths["units_2025"], paths["polygons_2025"])
    shares, unmatched = census_to_2025(census, legacy, units)
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
    # The former district that gave the unit most of its people; the district polygon holding
    # its centroid only for a unit no census commune maps to.
    by_area = pd.Series(
        gpd.sjoin_nearest(
            gpd.GeoDataFrame(geometry=point), polygons.to_crs(CRS_METRIC)[["district", "geometry"]]
        )
        .pipe(lambda j: j[~j.index.duplicated()])["district"]
        .to_numpy(),
        index=units.index,
    )
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
            "%d 2025 units: main former district differs from the district holding the centroid",
            int((district != by_area).sum()),
        )
    district_code = district.map(
        dict(zip(polygons["district"], polygons["district_code"], strict=True))
    )
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
                "no mapped station and no people in its area: at the unit's polygon centroid",
                "no mapped station and no people in its area: at a point inside its polygon",
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
    named = locate_by_name(table, metric.to_numpy(), pois, level="commune (2025)")
    located = place_at_centres(named, metric.to_numpy(), raster=paths["worldpop"], what=NOT_NAMED)
    areas = units[["facility_id", "geometry"]].reset_index(drop=True)
    return located, areas, unmatched


def _lower_type(name: str) -> str:
    """'Huyện Ba Vì' → 'huyện Ba Vì', as unit types read inside a facility name."""
    for unit_type in ("Thị trấn", "Thị xã", "Phường", "Quận", "Huyện", "Xã"):
        if name.startswith(unit_type + " "):
            return unit_type.lower() + name[len(unit_type) :]
    return name
