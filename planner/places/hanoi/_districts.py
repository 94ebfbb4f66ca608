"""The 30 districts of 2024 as polygons, from the road tiles' boundary lines: whole faces where
the tiles bound a district, else faces split along the 2025 units and by the Voronoi cells of
the districts' commune centroids (:func:`split_area`); cached.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from planner._cache import cache_key, cached
from planner.config import CRS_METRIC
from planner.errors import PlannerInputError
from planner.places.hanoi._census import census_to_2024, census_to_2025, read_census
from planner.places.hanoi._data import (
    code_files,
    package_version,
    read_geo_csv,
    read_units_2025,
    write_geo_csv,
)
from planner.places.hanoi._geometry import metric_geom, polygonal, utm_points, valid_lonlat
from planner.places.population import split_by_sites
from planner.roads import read_tile_layers

log = logging.getLogger(__name__)


#: A district is "approximate" when less than this share of its area is bounded by real lines.
_EXACT_SHARE = 0.99


# Where a district polygon's pieces come from: whole faces of the tiles' boundary lines, whole
# 2025 units formed from one former district, Voronoi cells of commune centroids.
_PIECE_KINDS = ("tiles", "2025 units", "Voronoi")


def cached_district_polygons(paths: dict[str, Path]) -> gpd.GeoDataFrame:
    inputs = [paths[k] for k in ("tiles", "boundary", "districts", "communes_legacy",
                                 "communes_2024", "units_2025", "polygons_2025", "census")]  # fmt: skip
    key = cache_key(*inputs, *code_files(), package_version())
    return cached(
        "districts",
        key,
        build=lambda: _district_polygons(paths),
        save=lambda gdf, folder: write_geo_csv(gdf, folder / "districts.csv"),
        load=lambda folder: read_geo_csv(folder / "districts.csv"),
    )


def _district_polygons(paths: dict[str, Path]) -> gpd.GeoDataFrame:
    """The 30 districts of 2024 from the tiles' boundary lines (see :func:`hanoi_areas`)."""
    districts = pd.read_csv(paths["districts"], dtype=str)
    legacy = pd.read_csv(paths["communes_legacy"], dtype=str)
    province = metric_geom(boundary(str(paths["boundary"])))
    lines = read_tile_layers(paths["tiles"], ["boundary"])["boundary"]
    level = pd.to_numeric(lines.get("admin_level"), errors="coerce")
    lines = lines[level.isin([4, 6]).to_numpy()]
    if lines.empty:
        raise PlannerInputError(
            "the road tiles hold no province or district boundary (admin_level 4 or 6)",
            file=paths["tiles"],
            field="boundary",
            hint="use OpenMapTiles-schema tiles with the boundary layer",
        )
    rings = shapely.get_parts(shapely.boundary(province))
    noded = shapely.union_all(np.concatenate([lines.to_crs(CRS_METRIC).geometry.to_numpy(), rings]))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    faces = faces[shapely.contains(province, shapely.point_on_surface(faces))]
    # Each district's home face: the face holding most of its communes' centroids (a stray
    # geocoded centroid across a boundary does not pull a district into a neighbour's face).
    site = utm_points(legacy["wardLon"].astype(float), legacy["wardLat"].astype(float))
    site_code = legacy["districtCode"].to_numpy()
    face_of, site_of = shapely.STRtree(faces).query(site, predicate="within")[::-1]
    votes = Counter(zip(site_code[site_of], face_of, strict=True))
    home: dict[int, list[str]] = {}
    for code in districts["districtCode"]:
        counts = {f: n for (c, f), n in votes.items() if c == code}
        if not counts:
            raise PlannerInputError(
                f"district {code} has no commune centroid inside the province",
                file=paths["communes_legacy"],
                field="districtCode",
                hint="restore the commune centroid list from the data folder",
            )
        home.setdefault(max(counts, key=lambda f: (counts[f], -f)), []).append(code)
    units25, went_to = _units_2025_districts(paths, districts)
    unit_m = dict(zip(units25["unit_code"], units25.to_crs(CRS_METRIC).geometry, strict=True))
    pieces: list[tuple[str, BaseGeometry, str]] = []
    for f, face in enumerate(faces):
        codes = home.get(f, [])
        if len(codes) == 1:
            pieces.append((codes[0], face, "tiles"))
            continue
        codes = codes or list(districts["districtCode"])  # a sliver no district calls home
        mine = np.isin(site_code, codes)
        candidates = {u: [c for c in cs if c in codes] for u, cs in went_to.items()}
        pieces += split_area(face, unit_m, candidates, site[mine], site_code[mine])
    rows = []
    for code, name in zip(districts["districtCode"], districts["district"], strict=True):
        parts = [(g, kind) for c, g, kind in pieces if c == code]
        geom = polygonal(shapely.union_all([g for g, _ in parts]))
        share = {k: sum(g.area for g, kk in parts if kk == k) / geom.area for k in _PIECE_KINDS}
        exact = min(share["tiles"] + share["2025 units"], 1.0)
        rows.append(
            {
                "facility_id": f"hn-dist-{code}",
                "district": name,
                "district_code": code,
                "area_km2": geom.area / 1e6,
                "exact_share": exact,
                "approximate": exact < _EXACT_SHARE,
                # sources holding at least 1 % of the area (slivers between sources aside)
                "boundary_source": ", ".join(k for k in _PIECE_KINDS if share[k] >= 0.01),
                "geometry": geom,
            }
        )
    out = valid_lonlat(gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS_METRIC))
    log.info(
        "district polygons: %d from the tiles' lines alone, %d completed with the 2025 units "
        "(%.0f km² in all)", int((out["boundary_source"] == "tiles").sum()),
        int((out["boundary_source"] != "tiles").sum()), out["area_km2"].sum(),
    )  # fmt: skip
    return out


def _units_2025_districts(
    paths: dict[str, Path], districts: pd.DataFrame
) -> tuple[gpd.GeoDataFrame, dict[str, list[str]]]:
    """The 2025 units and, for each, the codes of the former districts its communes came from."""
    communes = pd.read_csv(paths["communes_2024"], dtype=str)
    legacy = pd.read_csv(paths["communes_legacy"], dtype=str)
    census, _ = census_to_2024(read_census(paths["census"], districts), communes)
    units = read_units_2025(paths["units_2025"], paths["polygons_2025"])
    shares, _ = census_to_2025(census, legacy, units)
    code_of = dict(zip(districts["district"], districts["districtCode"], strict=True))
    row_code = census["district"].map(code_of).to_numpy()
    went_to: dict[str, list[str]] = {}
    for r in shares.itertuples():
        went_to.setdefault(r.unit_code, [])
        if row_code[r.row] not in went_to[r.unit_code]:
            went_to[r.unit_code].append(row_code[r.row])
    return units, went_to


def split_area(
    area: BaseGeometry,
    units: dict[str, BaseGeometry],
    candidates: dict[str, list[str]],
    sites: np.ndarray,
    labels: np.ndarray,
) -> list[tuple[str, BaseGeometry, str]]:
    """Share ``area`` (UTM) among labels: the part of each 2025 unit goes to the labels that
    unit was formed from (``candidates``; all labels when none is here), split between several
    by the Voronoi cells of their ``sites``; the part outside every unit is split among all.

    Returns ``(label, part, kind)`` triples: kind ``"2025 units"`` for a unit's part with a
    single candidate (bounded by real lines only), else ``"Voronoi"``.
    """
    labels = np.asarray(labels).astype(str)
    out: list[tuple[str, BaseGeometry, str]] = []
    covered = []
    tree_ids = list(units)
    geoms = np.array([units[u] for u in tree_ids], dtype=object)
    for k in shapely.STRtree(geoms).query(area, predicate="intersects"):
        part = shapely.intersection(geoms[k], area)
        if part.area < 1.0:
            continue
        covered.append(part)
        names = [c for c in candidates.get(tree_ids[k], []) if c in set(labels)] or list(
            dict.fromkeys(labels)
        )
        if len(names) == 1:
            out.append((names[0], part, "2025 units"))
            continue
        keep = np.isin(labels, names)
        out += [
            (lab, g, "Voronoi")
            for lab, g in split_by_sites(part, sites[keep], labels[keep]).items()
        ]
    rest = shapely.difference(area, shapely.union_all(covered)) if covered else area
    if rest.area >= 1.0:
        out += [(lab, g, "Voronoi") for lab, g in split_by_sites(rest, sites, labels).items()]
    return out


@functools.lru_cache(maxsize=4)
def boundary(path: str) -> BaseGeometry:
    shapes = gpd.read_file(path, engine="pyogrio").geometry
    return shapely.union_all(shapes.to_numpy())
