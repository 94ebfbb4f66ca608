"""A pairing's tables in map terms, shared by the map and the GeoPackage so they never disagree.

The pairing checked (:func:`check_pairings`), its hospitals as sites (:func:`hospital_frame`), the
site each unit's trips use (:func:`unit_sites`), the links from unit to site (:func:`link_frame`)
and the areas with their sister hospital and time (:func:`area_hospitals`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planner._geo import to_metric
from planner.config import CRS_LONLAT
from planner.errors import PlannerInputError
from planner.pairing.scoring import counted_population
from planner.places.sites import hospital_of
from planner.requests import TripRule
from planner.roads.graph import TravelGraph

log = logging.getLogger(__name__)

#: Pairing columns the map reads (the shared pairing contract).
_PAIRING_COLUMNS = ("unit_id", "unit_name", "unit_level", "hospital_id", "travel_time_s")


def check_pairings(pairings: pd.DataFrame, *, what: str) -> None:
    missing = [c for c in _PAIRING_COLUMNS if c not in pairings.columns]
    if missing:
        raise PlannerInputError(
            f"the {what} pairing lacks columns {missing}",
            field=missing[0],
            hint="pass a pairing with the columns of the pairing contract "
            "(unit_id, unit_name, unit_level, hospital_id, travel_time_s, ...)",
        )
    dup = pairings["unit_id"].astype(str).duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0]) + 1
        raise PlannerInputError(
            f"unit {pairings['unit_id'].iloc[row - 1]} appears twice in the {what} pairing",
            row=row,
            field="unit_id",
            hint="a pairing has one row per unit",
        )


def hospital_frame(
    facilities: pd.DataFrame, hospitals: pd.DataFrame | Sequence[str] | None, pairings: pd.DataFrame
) -> pd.DataFrame:
    fac = facilities.assign(facility_id=facilities["facility_id"].astype(str))
    if hospitals is None:
        used = set(pairings["hospital_id"].dropna().astype(str))
        frame = fac[(fac["level"] == "regional") | fac["facility_id"].isin(used)]
    elif isinstance(hospitals, pd.DataFrame):
        frame = hospitals.assign(facility_id=hospitals["facility_id"].astype(str))
    else:
        wanted = {str(h) for h in hospitals}
        frame = fac[fac["facility_id"].isin(wanted) | hospital_of(fac).isin(wanted)]
    frame = frame.drop_duplicates("facility_id").reset_index(drop=True)
    # one row per site, each knowing its hospital, role and name (:mod:`planner.places.sites`)
    frame = frame.assign(hospital_id=hospital_of(frame))
    roles = column_or(frame, "site_role", None)
    frame["site_role"] = roles.where(roles.notna(), "main").to_numpy()
    names = column_or(frame, "site_name", None)
    frame["site_name"] = names.where(names.notna(), frame["name"]).astype(str).to_numpy()
    frame["sites"] = frame.groupby("hospital_id")["facility_id"].transform("size").to_numpy()
    missing = sorted(set(pairings["hospital_id"].dropna().astype(str)) - set(frame["hospital_id"]))
    if missing:
        raise PlannerInputError(
            f"hospitals {missing[:5]} of the pairing are not among the facilities",
            field="hospital_id",
            hint="pass the facility table the pairing was made with",
        )
    return frame


def unit_rows(pairings: pd.DataFrame, facilities: pd.DataFrame) -> pd.DataFrame:
    """The facility row of each pairing row's unit, in the pairing's order (map and GeoPackage).

    Raises :class:`~planner.errors.PlannerInputError` naming the first unit the facilities lack.
    """
    fac = facilities.assign(facility_id=facilities["facility_id"].astype(str)).set_index(
        "facility_id"
    )
    ids = pairings["unit_id"].astype(str)
    unknown = ~ids.isin(fac.index)
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0]) + 1
        raise PlannerInputError(
            f"unit {ids.iloc[row - 1]} is not among the facilities",
            row=row,
            field="unit_id",
            hint="pass the facility table the pairing was made with",
        )
    return fac.loc[ids]


def column_or(pairings: pd.DataFrame, column: str, default: Any) -> pd.Series:
    if column in pairings:
        return pairings[column]
    return pd.Series(default, index=pairings.index, dtype=object)


def site_named(hospitals: pd.DataFrame) -> np.ndarray:
    """Which sites the map names: those of a hospital with several, or named apart."""
    own_name = hospitals["site_name"].astype(str) != hospitals["name"].astype(str)
    return ((hospitals["sites"] > 1) | own_name).to_numpy()


def unit_sites(pairings: pd.DataFrame, hosp: pd.DataFrame) -> pd.Series:
    """The site each unit's trips use: its ``site_id``, else its hospital's main site."""
    main = hosp[hosp["site_role"] == "main"].drop_duplicates("hospital_id")
    main_site = dict(zip(main["hospital_id"], main["facility_id"], strict=True))
    fallback = pairings["hospital_id"].astype(object).map(main_site)
    if "site_id" not in pairings:
        return fallback.astype(object)
    given = pairings["site_id"].astype(object)
    return given.where(given.notna(), fallback).astype(object)


def link_frame(
    units: gpd.GeoDataFrame,
    hospitals: pd.DataFrame,
    *,
    links: str,
    graph: TravelGraph | None,
    trip: TripRule,
    simplify_m: float,
) -> gpd.GeoDataFrame:
    """One line per reachable unit → the site of its sister hospital its trips use (straight,
    or the road route of the trip rule's mode at its departure time)."""
    hpos = hospitals.set_index("facility_id")[["lon", "lat"]].astype(float)
    reach = units[(units["h"] != "") & (units["s"] != "") & units["tt"].notna()]
    lines: Any
    if links == "straight":
        ends = hpos.loc[reach["s"]].to_numpy()
        starts = np.column_stack([reach.geometry.x, reach.geometry.y])
        lines = shapely.linestrings(np.stack([starts, ends], axis=1))
    else:
        if graph is None:
            raise PlannerInputError(
                "links='routes' needs the road graph",
                field="graph",
                hint="pass graph=hanoi_network() (or links='straight')",
            )
        lines = _route_lines(graph, reach, hpos, trip=trip)
    frame = gpd.GeoDataFrame({"h": reach["h"].to_numpy()}, geometry=list(lines), crs=CRS_LONLAT)
    frame.index = reach.index
    if links == "routes":
        metric = to_metric(frame)
        frame = metric.set_geometry(metric.geometry.simplify(simplify_m)).to_crs(CRS_LONLAT)
    return frame


def _route_lines(
    graph: Any, reach: gpd.GeoDataFrame, hpos: pd.DataFrame, *, trip: TripRule
) -> list:
    """The road route of each unit to its hospital's site (one search per site); a straight
    line (logged) where there is none."""
    from planner.travel.paths import routes

    starts = np.column_stack([reach.geometry.x, reach.geometry.y])
    ids = [f"unit-{i}" for i in range(len(reach))]  # positions: unit ids may repeat hospital ids
    found = routes(
        graph,
        pd.DataFrame({"facility_id": ids, "lon": starts[:, 0], "lat": starts[:, 1]}),
        hpos.rename_axis("facility_id").reset_index(),
        pairs=list(zip(ids, reach["s"].astype(str), strict=True)),
        mode=trip.mode,
        depart=trip.depart,
    )
    lines = list(found.geometry)
    for i in np.flatnonzero((found["status"] != "ok").to_numpy()):
        log.warning(
            "no road route drawn for a unit at %.5f, %.5f (%s); straight line instead",
            starts[i, 1], starts[i, 0], found["reason"].iloc[i],
        )  # fmt: skip
        end = hpos.loc[reach["s"].iloc[i]]
        lines[i] = shapely.LineString([starts[i], (float(end["lon"]), float(end["lat"]))])
    return lines


def area_hospitals(
    areas: gpd.GeoDataFrame, pairings: pd.DataFrame
) -> tuple[gpd.GeoDataFrame, bool]:
    """Give each area its sister hospital and travel time; say whether areas are districts.

    Areas keyed by ``facility_id`` (2025 communes) take their unit's pairing; areas keyed by
    ``district`` (approximate 2024 districts) take the hospital serving most of the
    district's population and its population-weighted mean travel time.
    """
    pairs = pairings.assign(unit_id=pairings["unit_id"].astype(str))
    if "facility_id" in areas and areas["facility_id"].astype(str).isin(pairs["unit_id"]).any():
        by_unit = pairs.set_index("unit_id")
        key = areas["facility_id"].astype(str)
        out = areas.assign(
            h=by_unit["hospital_id"].reindex(key).astype("string").to_numpy(),
            tt=pd.to_numeric(by_unit["travel_time_s"], errors="coerce").reindex(key).to_numpy(),
        )
        approximate = "approximate" in areas and bool(areas["approximate"].fillna(False).any())
        return out, approximate
    if "district" in areas and "district" in pairs:
        weight = pd.Series(counted_population(pairs), index=pairs.index)
        # A district without any population figure still gets its plain mean time.
        known = weight.groupby(pairs["district"]).transform("sum") > 0
        weight = weight.where(known, 1.0)
        pairs = pairs.assign(_w=weight, _tt=pd.to_numeric(pairs["travel_time_s"], errors="coerce"))
        load = pairs.groupby(["district", "hospital_id"])["_w"].sum().reset_index()
        main = load.sort_values("_w").drop_duplicates("district", keep="last")
        ok = pairs.dropna(subset=["_tt"])
        mean_tt = (ok["_tt"] * ok["_w"]).groupby(ok["district"]).sum() / ok.groupby("district")[
            "_w"
        ].sum()
        hosp = main.set_index("district")["hospital_id"].astype("string")
        out = areas.assign(
            h=hosp.reindex(areas["district"]).to_numpy(),
            tt=mean_tt.reindex(areas["district"]).to_numpy(),
        )
        return out, True
    raise PlannerInputError(
        "the areas match no unit of the pairing",
        field="areas",
        hint="pass hanoi_areas(scheme=...) of the pairing's scheme: 2025 areas carry the "
        "unit facility_id, 2024 areas the district name",
    )


def area_label_column(areas: pd.DataFrame) -> str | None:
    return next((c for c in ("name", "commune", "district") if c in areas), None)
