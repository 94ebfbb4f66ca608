"""Whole-Hanoi road graph from the MBTiles: cold build, warm load, GraphML export; ours vs osmnx.

Cold and warm are measured in child processes (fresh ``PLANNER_CACHE_DIR`` in a temporary
folder), so imports are excluded from the timed call but the peak memory (``ru_maxrss`` of the
child) is the whole process's. The osmnx comparison runs in this process on the same roads:
the same edge table (tile pieces in the inner-city box ``OSMNX_BBOX`` by default, the whole
province with ``--osmnx-area hanoi``), expanded into osmnx's unsimplified form (one edge per
segment, both ways unless one-way), then ``ox.graph_from_gdfs`` + ``ox.simplify_graph`` +
``ox.add_edge_speeds`` + ``ox.add_edge_travel_times``; ours is ``graph_from_edges`` +
``speeds.edge_travel_times`` on the same table, same car speeds.

GraphML export (``planner network --out``): the whole graph with car travel times at 10:00,
streamed by ``interop.write_graphml``, against osmnx's writer on the same content
(``ox.save_graphml(interop.to_networkx(...))``, what the planner did before), each in its own
child process from the warm cache: time of the export call, peak memory of the whole child.
Writes ``_results/network.md`` (a section for ``RESULTS.md``).

Run: ``python benchmarks/bench_network.py [--osmnx-area box|hanoi]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmnx as ox
import pandas as pd
import shapely

from planner.config import data_file
from planner.roads import network
from planner.roads._mvt import read_tiles
from planner.roads._simplify import class_code, haversine_m
from planner.roads.graph import CLASS_NAMES
from planner.roads.speeds import edge_travel_times, load_speed_table

HERE = Path(__file__).resolve().parent
#: Inner Hanoi (Ba Đình, Hoàn Kiếm, Đống Đa, Hai Bà Trưng, Cầu Giấy...): lon/lat box.
OSMNX_BBOX = (105.78, 20.98, 105.88, 21.07)

_CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from planner.roads.network import hanoi_network, strong_components
t1 = time.perf_counter()
graph = hanoi_network()
t2 = time.perf_counter()
n, labels = strong_components(graph)
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "nodes": graph.n_nodes,
    "edges": graph.n_edges, "km": float(graph.edge_length_m.sum() / 1000),
    "largest_scc": float((labels == 0).mean()),
    "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


_EXPORT = """
import json, os, resource, sys, time
import osmnx as ox
from planner.roads.interop import to_networkx, write_graphml
from planner.roads.network import hanoi_network
graph = hanoi_network()
rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
out = sys.argv[2]
t0 = time.perf_counter()
if sys.argv[1] == "ours":
    written = write_graphml(graph, out, mode="car", depart="10:00")
    edges = written.n_edges
else:
    G = to_networkx(graph, mode="car", depart="10:00")
    ox.save_graphml(G, out)
    edges = G.number_of_edges()
print(json.dumps({"export_s": time.perf_counter() - t0, "edges": edges,
    "graph_edges": graph.n_edges, "mb": os.path.getsize(out) / 1e6, "loaded_mb": rss_loaded,
    "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _child(cache: Path, code: str = _CHILD, *args: str) -> dict:
    env = {**os.environ, "PLANNER_CACHE_DIR": str(cache)}
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - started
    return result


def _osmnx_inputs(edges: pd.DataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """osmnx's unsimplified node and edge GeoDataFrames for the same pieces (one edge a segment)."""
    sizes = edges["key"].map(len).to_numpy()
    key = np.concatenate(edges["key"].to_list())
    lon = np.concatenate(edges["lon"].to_list())
    lat = np.concatenate(edges["lat"].to_list())
    piece = np.repeat(np.arange(len(edges)), sizes)
    seg = np.flatnonzero((piece[:-1] == piece[1:]) & (key[:-1] != key[1:]))
    a, b, p = key[seg], key[seg + 1], piece[seg]
    oneway = edges["oneway"].to_numpy()[p]
    highway = np.array(
        [
            CLASS_NAMES[class_code(c, r)].replace("_ramp", "_link")
            for c, r in zip(edges["class"], edges["ramp"], strict=True)
        ]
    )[p]
    length = haversine_m(lon[seg], lat[seg], lon[seg + 1], lat[seg + 1])
    fwd, back = oneway >= 0, oneway <= 0
    u = np.concatenate([a[fwd], b[back]])
    v = np.concatenate([b[fwd], a[back]])
    frame = pd.DataFrame(
        {
            "u": u,
            "v": v,
            "key": 0,
            "highway": np.concatenate([highway[fwd], highway[back]]),
            "oneway": np.concatenate([oneway[fwd] != 0, oneway[back] != 0]),
            "reversed": np.concatenate([np.zeros(fwd.sum(), bool), oneway[back] == 0]),
            "length": np.concatenate([length[fwd], length[back]]),
        }
    )
    frame["key"] = frame.groupby(["u", "v"]).cumcount()
    uniq, first = np.unique(key, return_index=True)
    nodes = gpd.GeoDataFrame(
        {"x": lon[first], "y": lat[first]},
        index=pd.Index(uniq, name="osmid"),
        geometry=gpd.points_from_xy(lon[first], lat[first]),
        crs="EPSG:4326",
    )
    pos = np.searchsorted(uniq, np.column_stack([frame["u"], frame["v"]]).ravel())
    lines = shapely.linestrings(
        np.column_stack([lon[first][pos], lat[first][pos]]), indices=np.arange(pos.size) // 2
    )
    edges_gdf = gpd.GeoDataFrame(
        frame.set_index(["u", "v", "key"]), geometry=lines, crs="EPSG:4326"
    )
    return nodes, edges_gdf


def _osmnx_pipeline(nodes: gpd.GeoDataFrame, edges: gpd.GeoDataFrame) -> tuple[float, object]:
    speeds = load_speed_table()
    car = speeds[(speeds["mode"] == "car") & speeds["usable"]]
    hwy = {c: float(s) for c, s in zip(car["class"], car["speed_kph"], strict=True)}
    hwy.update({f"{c}_link": min(hwy["ramp"], hwy[c]) for c in CLASS_NAMES if c in hwy})
    started = time.perf_counter()
    G = ox.convert.graph_from_gdfs(nodes, edges)
    G = ox.simplify_graph(G)
    G = ox.add_edge_speeds(G, hwy_speeds=hwy, fallback=10.0)
    G = ox.add_edge_travel_times(G)
    return time.perf_counter() - started, G


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--osmnx-area", choices=["box", "hanoi"], default="box")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="planner-bench-") as tmp:
        cold = _child(Path(tmp))
        warm = _child(Path(tmp))
        export = {
            writer: _child(Path(tmp), _EXPORT, writer, str(Path(tmp) / f"{writer}.graphml"))
            for writer in ("ours", "osmnx")
        }

    edges = read_tiles(data_file("hanoi_osm_2021-08_z14.mbtiles"))
    if args.osmnx_area == "box":
        west, south, east, north = OSMNX_BBOX
        mid_lon = edges["lon"].map(np.mean)
        mid_lat = edges["lat"].map(np.mean)
        inside = mid_lon.between(west, east) & mid_lat.between(south, north)
        edges = edges[inside].reset_index(drop=True)
    started = time.perf_counter()
    ours = network.graph_from_edges(edges)
    times = edge_travel_times(ours, mode="car", depart="03:00")
    ours_s = time.perf_counter() - started
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    nodes, edges_gdf = _osmnx_inputs(edges)
    osmnx_s, G = _osmnx_pipeline(nodes, edges_gdf)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    area = "inner-city box " + str(OSMNX_BBOX) if args.osmnx_area == "box" else "whole tiles"
    rows = [
        ("cold build, whole Hanoi (child, excl. imports)", f"{cold['load_s']:.1f} s", "≤ 60 s"),
        ("cold build, child wall time incl. imports", f"{cold['wall_s']:.1f} s", ""),
        ("warm load from cache", f"{warm['load_s']:.2f} s", "≤ 3 s"),
        ("warm, child wall time incl. imports", f"{warm['wall_s']:.1f} s", ""),
        ("peak memory, cold build (maxrss)", f"{cold['maxrss_mb']:.0f} MB", "≤ 3 GB"),
        ("peak memory, warm load (maxrss)", f"{warm['maxrss_mb']:.0f} MB", ""),
        (
            "graph",
            f"{cold['nodes']:,} nodes, {cold['edges']:,} directed edges, "
            f"{cold['km']:,.0f} km directed; largest SCC {cold['largest_scc']:.2%} of nodes",
            "",
        ),
    ]
    ours_x, osmnx_x = export["ours"], export["osmnx"]
    export_rows = [
        (
            "edges written (car, 10:00) / omitted (car may not use them)",
            f"{ours_x['edges']:,} / {ours_x['graph_edges'] - ours_x['edges']:,}",
            f"{osmnx_x['edges']:,} / {osmnx_x['graph_edges'] - osmnx_x['edges']:,}",
            "",
        ),
        (
            "export time (the call, graph already loaded)",
            f"{ours_x['export_s']:.1f} s",
            f"{osmnx_x['export_s']:.1f} s",
            f"{osmnx_x['export_s'] / ours_x['export_s']:.1f}× faster",
        ),
        (
            "peak memory, whole child (maxrss)",
            f"{ours_x['maxrss_mb']:,.0f} MB",
            f"{osmnx_x['maxrss_mb']:,.0f} MB",
            "goal ≤ 1.5 GB",
        ),
        (
            "of which: after loading the graph",
            f"{ours_x['loaded_mb']:,.0f} MB",
            f"{osmnx_x['loaded_mb']:,.0f} MB",
            "",
        ),
        ("file size", f"{ours_x['mb']:,.0f} MB", f"{osmnx_x['mb']:,.0f} MB", ""),
    ]
    usable = np.isfinite(times)
    cmp_rows = [
        ("roads", f"{len(edges):,} tile pieces ({area})"),
        ("ours: graph_from_edges + edge_travel_times", f"{ours_s:.2f} s"),
        (
            "osmnx: graph_from_gdfs + simplify_graph + add_edge_speeds + add_edge_travel_times",
            f"{osmnx_s:.2f} s",
        ),
        ("speed-up (osmnx / ours)", f"{osmnx_s / ours_s:.1f}×"),
        ("osmnx peak memory growth (maxrss)", f"{rss_after - rss_before:.0f} MB"),
        ("ours: nodes / edges", f"{ours.n_nodes:,} / {ours.n_edges:,}"),
        ("osmnx: nodes / edges", f"{len(G):,} / {G.number_of_edges():,}"),
        (
            "total length, ours / osmnx",
            f"{ours.edge_length_m.sum() / 1000:,.1f} km / "
            f"{sum(d['length'] for *_, d in G.edges(data=True)) / 1000:,.1f} km",
        ),
        (
            "car travel time sum (usable edges), ours / osmnx",
            f"{times[usable].sum() / 3600:,.1f} h / "
            f"{sum(d['travel_time'] for *_, d in G.edges(data=True) if d['highway'] not in ('track', 'path')) / 3600:,.1f} h",
        ),
    ]
    lines = [
        "## Road network (benchmarks/bench_network.py)",
        "",
        f"Machine: {os.cpu_count()} cores; osmnx {ox.__version__}. Whole-Hanoi graph from "
        "`hanoi_osm_2021-08_z14.mbtiles`, clipped to the boundary + 2 km.",
        "",
        "| measure | result | goal |",
        "|---|---|---|",
        *[f"| {a} | {b} | {c} |" for a, b, c in rows],
        "",
        "GraphML export of the whole graph (`planner network --out`), streamed by "
        "`write_graphml` vs osmnx's writer on the same content (`ox.save_graphml(to_networkx())`), "
        "each in a child process from the warm cache:",
        "",
        "| measure | ours (streamed) | osmnx writer | ratio / goal |",
        "|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in export_rows],
        "",
        "Same roads through osmnx's own pipeline (same run, same car speeds):",
        "",
        "| measure | result |",
        "|---|---|",
        *[f"| {a} | {b} |" for a, b in cmp_rows],
        "",
    ]
    text = "\n".join(lines)
    print(text)
    out = HERE / "_results" / "network.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    from planner.io import write_text_atomic

    write_text_atomic(out, text)


if __name__ == "__main__":
    main()
