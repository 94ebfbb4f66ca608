"""Access from every populated cell: the Hanoi population grid timed to the regional hospitals.

Work: the WorldPop 2020 grid of Hanoi cut by the 579 commune areas of 2024 and calibrated to the
2019 census (about 4,500 cells, 8,800 populated pieces), each piece snapped to the car roads
and timed to the 7 sites of the 4 regional hospitals in both directions
(``planner.access.cells.cell_access``, ``district_units=False``), at 10:00. Cases:

- the grid built from scratch (raster window read, cut by the areas, calibrated) and from cache;
- cold: the first ``cell_access`` in a process, into an empty matrix cache (graph and grid loaded
  from the cache; the snapping tree, the router and the searches); warm: the same call again
  (median of 3: the matrices read back);
- the same with the time to each piece's district unit (30 more searches each way);
- 3 modes x 24 departure hours (00:00 to 23:00) with ``cell_access_sweep`` (the pieces snapped once
  per mode, one search per hospital and direction per distinct time profile): computed into an
  empty matrix cache, then warm (matrices read back); the same 72 results by one ``cell_access``
  call each (warm), checked equal to the sweep's;
- a networkx implementation of the same piece-to-hospital times: with every piece and hospital
  placed at its nearest graph node (so snapping adds nothing), Dijkstra from each hospital on the
  graph of the public per-edge times and on its reverse (4 + 4 searches), checked equal to ours;
  osmnx ``shortest_path`` on a few pairs, extrapolated per pair.

Writes ``_results/access.md``.
"""

from __future__ import annotations

import os
import resource
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import networkx as nx
import numpy as np
import osmnx as ox
import pandas as pd
from scipy.spatial import cKDTree

from planner.access import cell_access, cell_access_sweep
from planner.places.hanoi import hanoi_facilities, hanoi_population_grid, hanoi_unit_areas
from planner.places.population import population_grid
from planner.requests import MODES
from planner.roads.network import hanoi_network, strong_components
from planner.roads.speeds import edge_travel_times, time_profile_key
from planner.travel import travel_time_matrix

HERE = Path(__file__).resolve().parent
DEPART = "10:00"
OSMNX_PAIRS = 10
RTOL = 1e-6


def _timed(fn, repeat: int = 1) -> tuple[float, object]:
    runs, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), result


def main() -> None:
    warnings.simplefilter("ignore")
    load_before = os.getloadavg()[0]
    graph = hanoi_network()
    fac = hanoi_facilities(scheme="2024")
    hospitals = fac[fac["level"] == "regional"]
    areas = hanoi_unit_areas(scheme="2024")
    scratch_s, _ = _timed(lambda: population_grid(areas))
    cached_s, grid = _timed(lambda: hanoi_population_grid(scheme="2024"), 3)

    def run(mode: str = "car", depart: str = DEPART):
        return cell_access(graph, fac, grid=grid, district_units=False, mode=mode, depart=depart)

    # cold: the first call in the process into an empty matrix cache (the graph and the grid
    # are in memory): the snapping tree, the router and the searches; warm: the same again
    saved = os.environ.get("PLANNER_CACHE_DIR")
    with tempfile.TemporaryDirectory() as empty:
        os.environ["PLANNER_CACHE_DIR"] = empty
        cold_s, access = _timed(run)
        warm_s, _ = _timed(run, 3)
        with_district_cold_s, _ = _timed(
            lambda: cell_access(graph, fac, grid=grid, depart=DEPART, district_units=True)
        )
        with_district_s, _ = _timed(
            lambda: cell_access(graph, fac, grid=grid, depart=DEPART, district_units=True), 3
        )
    pieces = len(access.cells)

    hours = [f"{h:02d}:00" for h in range(24)]
    sweep = [(m, h) for m in MODES for h in hours]

    def sweep_all():
        return cell_access_sweep(graph, fac, grid=grid, modes=MODES, departs=hours)

    # the computed sweep: an empty cache for the matrices (graph and grid are in memory)
    with tempfile.TemporaryDirectory() as empty:
        os.environ["PLANNER_CACHE_DIR"] = empty
        computed_sweep_s, swept = _timed(sweep_all)
        warm_sweep_s, swept = _timed(sweep_all, 3)
        calls_s, calls = _timed(lambda: {(m, h): run(mode=m, depart=h) for m, h in sweep})
    if saved is None:
        del os.environ["PLANNER_CACHE_DIR"]
    else:
        os.environ["PLANNER_CACHE_DIR"] = saved
    for key, one in calls.items():
        got = swept[key].hospital_times_s.to_numpy()
        if not np.array_equal(got, one.hospital_times_s.to_numpy(), equal_nan=True):
            raise AssertionError(f"the sweep differs from one call at {key}")
    profiles = len({time_profile_key(m, h) for m, h in sweep})
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load_after = os.getloadavg()[0]

    # networkx: the same times between the same points. The points stand at graph nodes (each
    # piece's and hospital's nearest node on a usable road), so that snapping adds nothing and
    # our times are node-to-node times; networkx runs Dijkstra from each hospital on the graph
    # of the public per-edge times and on its reverse (7 + 7 searches: one per hospital site).
    seconds = edge_travel_times(graph, mode="car", depart=DEPART)
    usable = np.isfinite(seconds)
    edges = (
        pd.DataFrame(
            {"u": graph.edge_from[usable], "v": graph.edge_to[usable], "t": seconds[usable]}
        )
        .groupby(["u", "v"], as_index=False)["t"]
        .min()
    )
    forward = nx.DiGraph()
    forward.add_weighted_edges_from(edges.itertuples(index=False, name=None), weight="time")
    reverse = forward.reverse(copy=False)
    _, labels = strong_components(graph, usable=usable)
    live = np.unique(np.r_[edges["u"], edges["v"]])
    live = live[labels[live] == 0]  # the largest strongly connected component of car roads
    tree = cKDTree(np.column_stack([graph.node_lon[live], graph.node_lat[live]]))
    cell_nodes = live[tree.query(np.column_stack([access.cells["lon"], access.cells["lat"]]))[1]]
    hospital_nodes = live[tree.query(np.column_stack([hospitals["lon"], hospitals["lat"]]))[1]]

    def at_nodes(nodes: np.ndarray, prefix: str) -> pd.DataFrame:
        return pd.DataFrame(
            {"facility_id": [f"{prefix}{i}" for i in range(len(nodes))],
             "lat": graph.node_lat[nodes], "lon": graph.node_lon[nodes]}
        )  # fmt: skip

    h_points, c_points = at_nodes(hospital_nodes, "h"), at_nodes(cell_nodes, "c")
    options = {"depart": DEPART, "max_snap_m": 5000.0}
    ours_s, (out, back) = _timed(
        lambda: (
            travel_time_matrix(graph, h_points, c_points, **options),
            travel_time_matrix(graph, c_points, h_points, **options),
        ),
        3,
    )

    def networkx_times() -> tuple[np.ndarray, np.ndarray]:
        go, come = [], []
        for h in hospital_nodes:
            lengths = nx.single_source_dijkstra_path_length(forward, int(h), weight="time")
            go.append([lengths.get(int(v), np.inf) for v in cell_nodes])
            lengths = nx.single_source_dijkstra_path_length(reverse, int(h), weight="time")
            come.append([lengths.get(int(v), np.inf) for v in cell_nodes])
        return np.asarray(go), np.asarray(come).T

    nx_s, (nx_go, nx_come) = _timed(networkx_times)
    ours_go = out["network_time_s"].to_numpy().reshape(len(hospitals), pieces)
    ours_come = back["network_time_s"].to_numpy().reshape(pieces, len(hospitals))
    compared = 0
    for name, ours, theirs in (("to cells", ours_go, nx_go), ("to hospitals", ours_come, nx_come)):
        both = np.isfinite(ours) & np.isfinite(theirs)
        compared += int(both.sum())
        if not np.allclose(ours[both], theirs[both], rtol=RTOL, atol=1e-6):
            worst = np.max(np.abs(ours[both] - theirs[both]))
            raise AssertionError(f"networkx disagrees with ours {name} (worst {worst:.3g} s)")
    if compared < 0.99 * 2 * pieces * len(hospitals):
        raise AssertionError(f"only {compared} pairs reached by both")

    multi = nx.MultiDiGraph(forward)
    for v in multi.nodes:
        multi.nodes[v].update(x=float(graph.node_lon[v]), y=float(graph.node_lat[v]))
    pairs = [
        (int(hospital_nodes[i % 4]), int(cell_nodes[(97 * i) % pieces])) for i in range(OSMNX_PAIRS)
    ]
    ox_s, _ = _timed(lambda: [ox.shortest_path(multi, a, b, weight="time") for a, b in pairs])
    ox_all = ox_s / OSMNX_PAIRS * pieces * len(hospitals) * 2

    rows = [
        ("population grid from scratch (read, cut by 579 areas, calibrate)", scratch_s, "measured"),
        ("population grid from the cache", cached_s, "median of 3"),
        ("cell access, cold (first call, empty matrix cache: snapping tree, router, searches)",
         cold_s, "measured"),
        ("cell access, warm (matrices read back from the cache)", warm_s, "median of 3"),
        ("cell access with the time to each piece's district unit, first", with_district_cold_s,
         "measured (30 district units x 2 directions searched)"),
        ("cell access with the time to each piece's district unit, warm", with_district_s,
         "median of 3"),
        ("3 modes x 24 hours, cell_access_sweep, computed (empty matrix cache)", computed_sweep_s,
         f"{len(sweep)} results, {profiles} distinct time profiles"),
        ("3 modes x 24 hours, cell_access_sweep, warm", warm_sweep_s,
         "median of 3; every result equal to one cell_access call's"),
        ("3 modes x 24 hours, one cell_access call each, warm", calls_s,
         f"{len(sweep)} calls (the way before the sweep)"),
        ("ours, the same pieces and hospitals placed at their nearest nodes", ours_s,
         "median of 3 (two travel_time_matrix calls)"),
        ("networkx: 4 + 4 Dijkstra (forward and reverse graph)", nx_s,
         f"measured; equal to ours on {compared:,} pairs"),
        ("osmnx shortest_path, all piece-hospital pairs both ways", ox_all,
         f"{ox_s / OSMNX_PAIRS:.2f} s/pair over {OSMNX_PAIRS} pairs, extrapolated"),
    ]  # fmt: skip
    lines = [
        "## Access from every populated cell (Hanoi, car, 10:00)",
        "",
        f"Grid: {grid.cells['cell_id'].nunique():,} WorldPop cells cut into {len(grid.cells):,} "
        f"pieces by the 579 commune areas, {pieces:,} populated, {grid.total:,.0f} people "
        f"(the census). Each piece snapped to the car roads and timed to the 7 sites of "
        "the 4 regional hospitals both ways (each hospital's time: its nearest site). 2 cores "
        f"shared with other work: load average {load_before:.1f} "
        f"before, {load_after:.1f} after. Peak memory of the process: {peak_rss_mb:,.0f} MB "
        f"(the routers of every time profile stay in memory for the process).",
        "",
        "| case | seconds | how |",
        "|---|---|---|",
        *[f"| {name} | {sec:,.2f} | {how} |" for name, sec, how in rows],
        "",
        f"Ratios: networkx / ours (same points) = {nx_s / ours_s:,.1f}x; osmnx / ours = "
        f"{ox_all / ours_s:,.0f}x.",
        "",
        "Goals: grid + snapping + times to the hospitals' 7 sites <= 1 s warm "
        f"({'met' if warm_s <= 1 else 'MISSED'}: {warm_s:.2f} s), <= 10 s cold "
        f"({'met' if cold_s <= 10 else 'MISSED'}: {cold_s:.2f} s); 3 modes x 24 hours <= 10 s "
        f"warm ({'met' if warm_sweep_s <= 10 else 'MISSED'}: {warm_sweep_s:.2f} s with the sweep; "
        f"{calls_s:.2f} s by separate calls; {computed_sweep_s:.2f} s computed from nothing, "
        f"{profiles} time profiles x 8 searches of the whole graph).",
        "",
        "AccessMod (WHO) computes the same kind of accessibility by accumulating travel cost "
        "over a raster (a cost-distance spread from each facility across a friction surface of "
        "land cover, roads and walking speeds); the planner routes on the road graph itself and "
        "adds one straight snap leg from each cell to its road, so its times follow one-way "
        "streets and congestion by hour, and a run takes one graph search per hospital and "
        "direction instead of a raster spread.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    (HERE / "_results").mkdir(exist_ok=True)
    (HERE / "_results" / "access.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
