"""Re-measure the figures of ``docs/data-truth.md`` on the Hanoi data.

Run from the repository root (the Hanoi graph comes from the cache after its first build)::

    .venv/bin/python docs/data_truth.py --out truth.json
    .venv/bin/python docs/data_truth.py --compare BEFORE_DEMO_DIR AFTER_DEMO_DIR

The first form measures road distances against published ones, detour factors, implied speeds
by area and hour, how many fastest routes change with the hour, and the ferries; it prints
markdown tables and writes the figures as JSON. The second compares two ``planner demo`` output
folders (units that change hospital, headline figures).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from planner.config import data_file
from planner.places.hanoi import hanoi_facilities
from planner.roads._areas import AREAS, point_areas
from planner.roads.network import hanoi_network
from planner.roads.speeds import load_speed_table
from planner.travel import route, travel_time_matrix

HOURS = ("08:00", "10:00", "17:30")
#: Central Hanoi and the towns whose road distance from it is published (SOURCES.md), each
#: placed at the centroid of its ward or town in hanoi_communes_legacy_526_centroids.csv.
CENTRE = ("Quận Hoàn Kiếm", "Phường Tràng Tiền")
TOWNS = {
    "Sơn Tây": (("Thị xã Sơn Tây", "Phường Ngô Quyền"), (40, 40)),
    "Ba Vì": (("Huyện Ba Vì", "Thị trấn Tây Đằng"), (50, 53)),
    "Mỹ Đức": (("Huyện Mỹ Đức", "Thị trấn Đại Nghĩa"), (52, 52)),
    "Sóc Sơn": (("Huyện Sóc Sơn", "Thị trấn Sóc Sơn"), (25, 30)),
    "Phú Xuyên": (("Huyện Phú Xuyên", "Thị trấn Phú Xuyên"), (35, 35)),
    "Đông Anh": (("Huyện Đông Anh", "Thị trấn Đông Anh"), (15, 15)),
    "Hà Đông": (("Quận Hà Đông", "Phường Quang Trung"), (10, 10)),
}
_EARTH_M = 6_371_009.0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args(argv)
    if args.compare:
        print(compare_demos(*args.compare))
        return
    graph = hanoi_network()
    figures = {
        "published": published_distances(graph),
        "matrix": hospital_trips(graph),
        "ferries": ferries(graph),
        "ferry_pairs": ferry_pairs(graph),
        "band_rule": band_rule(graph),
        "unit_populations": unit_populations(),
    }
    if args.out:
        args.out.write_text(json.dumps(figures, ensure_ascii=False, indent=1, default=float))


def unit_populations() -> dict:
    """The 2025 units' census-mapped people against the population tag of their OSM polygons.

    The planner counts a 2025 unit's people as the 2019 census of the communes it was formed
    from (the official old-to-new lists); OSM carries a ``population`` tag on some polygons, of
    unstated date and source. Where both exist, how far apart are they?
    """
    units = hanoi_facilities(scheme="2025")
    units = units[units["level"] == "commune"]
    both = units.dropna(subset=["population_osm_2025"])
    ratio = both["population_osm_2025"] / both["population"]
    off = (ratio - 1).abs()
    extremes = pd.concat([ratio.nsmallest(2), ratio.nlargest(2)])
    figures = {
        "units": len(units),
        "with_osm_population": len(both),
        "census_mapped": float(both["population"].sum()),
        "osm": float(both["population_osm_2025"].sum()),
        "ratio_median": float(ratio.median()),
        "ratio_p10": float(ratio.quantile(0.1)),
        "ratio_p90": float(ratio.quantile(0.9)),
        "correlation": float(np.corrcoef(both["population"], both["population_osm_2025"])[0, 1]),
        "within_10pct": int((off <= 0.10).sum()),
        "within_25pct": int((off <= 0.25).sum()),
        "extremes": {units.loc[i, "commune"]: round(float(r), 2) for i, r in extremes.items()},
    }
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    return figures


def published_distances(graph) -> list[dict]:
    """Route from central Hanoi to each town at three hours: distance, detour, implied speed."""
    legacy = pd.read_csv(data_file("hanoi_communes_legacy_526_centroids.csv"))
    where = legacy.set_index(["district", "ward"])[["wardLat", "wardLon"]]
    centre = tuple(where.loc[CENTRE])
    rows = []
    for town, (key, (low, high)) in TOWNS.items():
        point = tuple(where.loc[key])
        row = {"town": town, "published_km": f"{low}–{high}" if low != high else f"~{low}"}
        row["straight_km"] = _great_circle_m(*centre, *point) / 1000
        for hour in HOURS:
            r = route(graph, centre, point, mode="car", depart=hour)
            row[f"km_{hour}"] = r.distance_m / 1000
            row[f"min_{hour}"] = r.travel_time_s / 60
            row[f"kph_{hour}"] = r.distance_m / r.network_time_s * 3.6
        row["detour"] = row["km_10:00"] / row["straight_km"]
        row["off_km"] = _outside(row["km_10:00"], low, high)
        rows.append(row)
    table = pd.DataFrame(rows)
    print("\n## Central Hanoi (Tràng Tiền) to the towns, car\n")
    print(_markdown(table, digits=1))
    return rows


def hospital_trips(graph) -> dict:
    """The four regional hospitals to every unit (2024 registry), car, at each hour."""
    fac = hanoi_facilities(scheme="2024")
    hospitals = fac[fac["level"] == "regional"]
    units = fac[fac["level"] != "regional"]
    area = pd.Series(
        [AREAS[c] for c in point_areas(units["lon"].to_numpy(), units["lat"].to_numpy())],
        index=units["facility_id"].to_numpy(),
    )
    mats = {h: travel_time_matrix(graph, hospitals, units, mode="car", depart=h) for h in HOURS}
    base = mats["10:00"]
    ok = (base["status"] == "ok").to_numpy()
    o = hospitals.set_index("facility_id").loc[base["origin_id"]]
    d = units.set_index("facility_id").loc[base["destination_id"]]
    straight = _great_circle_m(o["lat"].to_numpy(), o["lon"].to_numpy(), d["lat"].to_numpy(),
                               d["lon"].to_numpy())  # fmt: skip
    frame = pd.DataFrame(
        {
            "area": area.loc[base["destination_id"]].to_numpy(),
            "straight_km": straight / 1000,
            "detour": base["distance_m"].to_numpy() / straight,
        }
    )
    for h, m in mats.items():
        frame[f"kph_{h}"] = (m["distance_m"] / m["network_time_s"] * 3.6).to_numpy()
        frame[f"min_{h}"] = (m["travel_time_s"] / 60).to_numpy()
        frame[f"km_{h}"] = (m["distance_m"] / 1000).to_numpy()
    frame = frame[ok & (frame["straight_km"] >= 2)]
    by_area = frame.groupby("area").agg(
        pairs=("detour", "size"),
        detour_p10=("detour", lambda s: s.quantile(0.1)),
        detour_median=("detour", "median"),
        detour_p90=("detour", lambda s: s.quantile(0.9)),
        **{f"kph_{h}": (f"kph_{h}", "median") for h in HOURS},
    )
    by_area.loc["all"] = [
        len(frame), frame["detour"].quantile(0.1), frame["detour"].median(),
        frame["detour"].quantile(0.9), *(frame[f"kph_{h}"].median() for h in HOURS),
    ]  # fmt: skip
    print("\n## Regional hospitals to units (2024), car: detour and median implied speed\n")
    print(_markdown(by_area.reset_index(), digits=2))
    changed = {
        h: int((np.abs(frame[f"km_{h}"] - frame["km_10:00"]) > 0.05).sum())
        for h in HOURS
        if h != "10:00"
    }
    print(f"\nfastest routes whose length differs from 10:00 (of {len(frame)}): {changed}")
    return {
        "by_area": by_area.reset_index().to_dict(orient="records"),
        "routes_changed_vs_10": changed,
    }


def ferries(graph) -> dict:
    """Ferry edges in the graph and what they change."""
    if "ferry" not in graph.class_names:
        print("\n## Ferries: the graph has no ferry class")
        return {"edges": 0}
    ferry = graph.edge_class == graph.class_names.index("ferry")
    frm, to = graph.edge_from[ferry], graph.edge_to[ferry]
    areas_from = point_areas(graph.node_lon[frm], graph.node_lat[frm])
    areas_to = point_areas(graph.node_lon[to], graph.node_lat[to])
    rows = pd.DataFrame(
        {
            "from_lat": graph.node_lat[frm], "from_lon": graph.node_lon[frm],
            "to_lat": graph.node_lat[to], "to_lon": graph.node_lon[to],
            "length_m": graph.edge_length_m[ferry],
            "from_area": [AREAS[c] for c in areas_from], "to_area": [AREAS[c] for c in areas_to],
        }
    )  # fmt: skip
    print(f"\n## Ferries: {int(ferry.sum())} directed ferry edges\n")
    print(_markdown(rows, digits=5))
    return {"edges": int(ferry.sum()), "table": rows.to_dict(orient="records")}


def ferry_pairs(graph) -> dict:
    """Which unit pairs (2024, car, 10:00) are faster with the ferries than without them."""
    if "ferry" not in graph.class_names:
        return {}
    fac = hanoi_facilities(scheme="2024")
    units = fac[fac["level"] != "regional"]
    no_ferry = load_speed_table()
    no_ferry.loc[no_ferry["class"] == "ferry", "usable"] = False
    with_f = travel_time_matrix(graph, units, mode="car", depart="10:00")
    without = travel_time_matrix(graph, units, mode="car", depart="10:00", speeds=no_ferry)
    gain = (without["travel_time_s"] - with_f["travel_time_s"]) / 60
    used = gain > 0.01
    names = units.set_index("facility_id")["name"]
    top = with_f[used].assign(
        gain_min=gain[used],
        km=with_f.loc[used, "distance_m"] / 1000,
        km_without=without.loc[used, "distance_m"] / 1000,
        origin=lambda t: t["origin_id"].map(names),
        destination=lambda t: t["destination_id"].map(names),
    )
    district = units.set_index("facility_id")["district"]
    by_district = (
        top.assign(
            origin_district=top["origin_id"].map(district),
            destination_district=top["destination_id"].map(district),
        )
        .groupby(["origin_district", "destination_district"])["gain_min"]
        .agg(["size", "median", "max"])
        .reset_index()
        .sort_values("size", ascending=False)
    )
    print("\n## Ordered unit pairs using a ferry, by district pair (gain in minutes)\n")
    print(_markdown(by_district, digits=1))
    top = top[top["origin_id"] < top["destination_id"]].nlargest(8, "gain_min")
    print(f"\n## Unit pairs (2024, car, 10:00) faster with a ferry: {int(used.sum())} of "
          f"{len(used)} ordered pairs; largest gains\n")  # fmt: skip
    print(_markdown(top[["origin", "destination", "km", "km_without", "gain_min"]], digits=1))
    hospitals = fac[fac["level"] == "regional"]
    h_with = travel_time_matrix(graph, hospitals, units, mode="car", depart="10:00")
    h_without = travel_time_matrix(graph, hospitals, units, mode="car", depart="10:00",
                                   speeds=no_ferry)  # fmt: skip
    h_used = int((h_without["travel_time_s"] - h_with["travel_time_s"] > 0.6).sum())
    print(f"\nregional hospital -> unit trips using a ferry: {h_used} of {len(h_with)}")
    return {"unit_pairs": int(used.sum()), "of": len(used), "hospital_trips": h_used}


def band_rule(graph) -> list[dict]:
    """Xanh Pon to the 30 district units: each trip at its departure band (the rule) against
    the same path re-timed with the band following the trip (path_travel_time_s)."""
    try:
        from planner.roads.speeds import path_travel_time_s
    except ImportError:
        return []
    fac = hanoi_facilities(scheme="2024").set_index("facility_id")
    xanh_pon = fac.loc["hn-reg-xanhpon"]
    districts = fac[fac["level"] == "district"]
    rows = []
    for depart in ("06:30", "06:55", "08:00", "16:00", "18:30"):
        static, moving = [], []
        for unit in districts.itertuples():
            r = route(graph, xanh_pon, (unit.lat, unit.lon), mode="car", depart=depart)
            static.append(r.network_time_s)
            moving.append(path_travel_time_s(graph, r.node_ids, mode="car", depart=depart))
        diff = (np.asarray(moving) - np.asarray(static)) / 60
        rows.append({
            "depart": depart, "trips": len(diff),
            "median_static_min": float(np.median(static) / 60),
            "mean_diff_min": float(diff.mean()), "min_diff_min": float(diff.min()),
            "max_diff_min": float(diff.max()),
            "max_diff_pct": float(np.max(diff * 60 / np.asarray(static)) * 100),
            "min_diff_pct": float(np.min(diff * 60 / np.asarray(static)) * 100),
        })  # fmt: skip
    print(
        "\n## Departure band rule: Xanh Pon to the 30 district units, car; progressive - static\n"
    )
    print(_markdown(pd.DataFrame(rows), digits=1))
    return rows


def compare_demos(before: Path, after: Path) -> str:
    """Markdown: units that change hospital and the headline figures of two demo outputs."""
    old = pd.read_csv(before / "pairings.csv").set_index("unit_id")
    new = pd.read_csv(after / "pairings.csv").set_index("unit_id")
    both = old.merge(new, left_index=True, right_index=True, suffixes=("_before", "_after"))
    moved = both[both["hospital_id_before"] != both["hospital_id_after"]]
    lines = [f"units that change hospital: {len(moved)} of {len(both)}"]
    by_district = moved.groupby("district_before").size().sort_values(ascending=False)
    lines += [f"- {d}: {n} unit(s)" for d, n in by_district.items()]
    moves = moved.groupby(["hospital_id_before", "hospital_id_after"]).size()
    lines += [f"- {a} → {b}: {n}" for (a, b), n in moves.items()]
    s_old = json.loads((before / "scores.json").read_text())
    s_new = json.loads((after / "scores.json").read_text())
    lines.append("\n| figure | before | after |\n|---|---|---|")
    for key in (
        "pop_weighted_mean_travel_time_s", "max_travel_time_s", "share_population_within_60min",
        "pop_weighted_mean_travel_time_peak_s", "max_travel_time_peak_s",
        "share_population_within_60min_peak", "load_ratio_max_min", "gap_vs_nearest_rel",
        "gap_vs_pilot_rel",
    ):  # fmt: skip
        a, b = s_old.get(key), s_new.get(key)
        fmt = (lambda v: f"{v / 60:.1f} min") if key.endswith("_s") else (lambda v: f"{v:.3f}")
        lines.append(f"| {key} | {fmt(a) if a is not None else '—'} | "
                     f"{fmt(b) if b is not None else '—'} |")  # fmt: skip
    return "\n".join(lines)


def _markdown(frame: pd.DataFrame, *, digits: int) -> str:
    """A markdown table (pandas' to_markdown needs tabulate, which we do not depend on)."""

    def cell(v: object) -> str:
        return f"{v:.{digits}f}" if isinstance(v, float | np.floating) else str(v)

    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def _outside(km: float, low: float, high: float) -> float:
    """How far a distance lies outside a published range (0 inside it)."""
    return float(max(low - km, km - high, 0.0))


def _great_circle_m(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = (
        np.radians(np.asarray(v, dtype=float)) for v in (lat1, lon1, lat2, lon2)
    )
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_M * np.arcsin(np.sqrt(h))


if __name__ == "__main__":
    sys.exit(main())
