"""Maps: whole-Hanoi map HTML size and time to first draw in headless Chromium.

Ours (``pairing_map``, self-contained) against a plain ``GeoDataFrame.explore`` of the same
layers (areas, links, units) on one folium map. Both are opened with the network cut; for
``explore`` the CDN files it links are served from local copies (Leaflet and jQuery from the
XStatic packages, the rest as empty files), its best case: with the network really cut it
draws nothing at all (reported too). Writes ``_results/maps.md``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from _browser import open_offline  # noqa: E402
from test_maps import straight_pairing  # noqa: E402

from planner.outputs.map import pairing_map, save_map  # noqa: E402
from planner.places.hanoi import hanoi_areas, hanoi_facilities  # noqa: E402

RUNS = 3


def _local_cdn(url: str) -> bytes | None:
    from xstatic.pkg import jquery, leaflet

    if url.endswith("leaflet.js"):
        return (Path(leaflet.BASE_DIR) / "leaflet.js").read_bytes()
    if url.endswith("leaflet.css"):
        return (Path(leaflet.BASE_DIR) / "leaflet.css").read_bytes()
    if "jquery" in url and url.endswith(".js"):
        return next(Path(jquery.BASE_DIR).glob("jquery*.min.js")).read_bytes()
    if any(h in url for h in ("tile.openstreetmap.org", "basemaps.cartocdn.com")):
        return None  # tiles stay blocked for both maps
    return b""  # bootstrap, fonts, awesome-markers: not needed to draw shapes


def _explore(pairing, fac, areas, path: Path) -> None:
    units = fac.set_index("facility_id").loc[pairing["unit_id"]].reset_index()
    units["hospital_id"] = pairing["hospital_id"].to_numpy()
    units["travel_time_s"] = pairing["travel_time_s"].to_numpy()
    hosp = fac.set_index("facility_id")
    ok = pairing["travel_time_s"].notna().to_numpy()
    ends = hosp.loc[pairing.loc[ok, "hospital_id"], ["lon", "lat"]].to_numpy(float)
    starts = units.loc[ok, ["lon", "lat"]].to_numpy(float)
    import shapely

    links = gpd.GeoDataFrame(
        {"hospital_id": pairing.loc[ok, "hospital_id"].to_numpy()},
        geometry=shapely.linestrings(np.stack([starts, ends], axis=1)),
        crs=4326,
    )
    m = areas.explore(tiles="OpenStreetMap", name="areas")
    links.explore(m=m, column="hospital_id", name="links", legend=False)
    units[["name", "level", "population", "hospital_id", "travel_time_s", "geometry"]].explore(
        m=m, column="hospital_id", name="units"
    )
    m.save(path)


def _draw(path: Path, **kw) -> tuple[float, int, int]:
    times, paths = [], 0
    for _ in range(RUNS):
        r = open_offline(path, **kw)
        times.append(r.first_draw_s)
        paths = max((f["overlay_paths"] for f in r.frames), default=0)
    return statistics.median(times), paths, len(r.unexpected_errors())


def _size_breakdown(pairing, fac, areas, folder: Path) -> list[str]:
    """Where our bytes go: the same 2024 map without each optional part (the size profile)."""
    variants = {
        "full (as above)": {"compare": straight_pairing(fac, shift=1)},
        "without the comparison layers": {},
        "without comparison, Leaflet from CDN (self_contained=False)": {"self_contained": False},
        "without comparison and links": {"links": None},
    }
    rows = []
    for label, options in variants.items():
        path = save_map(pairing_map(pairing, fac, areas=areas, **options), folder / "v.html")
        rows.append(f"| {label} | {path.stat().st_size / 1e6:.2f} MB |")
    return rows


def main() -> None:
    rows = []
    breakdown: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for scheme in ("2024", "2025"):
            fac = hanoi_facilities(scheme=scheme)
            areas = hanoi_areas(scheme=scheme)
            pairing = straight_pairing(fac)
            started = time.perf_counter()
            m = pairing_map(pairing, fac, areas=areas, compare=straight_pairing(fac, shift=1))
            ours = save_map(m, Path(tmp) / f"ours_{scheme}.html")
            build_s = time.perf_counter() - started
            started = time.perf_counter()
            theirs = Path(tmp) / f"explore_{scheme}.html"
            _explore(pairing, fac, areas, theirs)
            explore_s = time.perf_counter() - started
            ours_t, ours_n, ours_err = _draw(ours)
            th_t, th_n, _ = _draw(theirs, fulfil=_local_cdn)
            off = open_offline(theirs, timeout_ms=3000)
            off_n = max((f["overlay_paths"] for f in off.frames), default=0)
            label = f"{scheme}: {len(pairing)} units, {len(areas)} polygons"
            if scheme == "2024":
                breakdown = _size_breakdown(pairing, fac, areas, Path(tmp))
            rows.append(
                f"| {label} | pairing_map (+comparison layers) | {ours.stat().st_size / 1e6:.2f} MB "
                f"| {build_s:.2f} s | {ours_t:.2f} s | {ours_n} | yes ({ours_err} errors) |"
            )
            rows.append(
                f"| {label} | GeoDataFrame.explore | {theirs.stat().st_size / 1e6:.2f} MB "
                f"| {explore_s:.2f} s | {th_t:.2f} s (CDN served locally) | {th_n} "
                f"| {'no' if off_n == 0 else 'yes'} ({off_n} shapes, "
                f"{len(off.page_errors)} page errors) |"
            )
    from importlib.metadata import version

    import folium

    from planner.outputs.map._assets import leaflet_version

    text = "\n".join(
        [
            "## Maps: whole-Hanoi HTML size and time to first draw",
            "",
            f"Headless Debian Chromium, network cut, median of {RUNS} opens; folium "
            f"{folium.__version__}, playwright {version('playwright')}, Leaflet {leaflet_version()}. "
            "Time to first draw: from navigation start until the first vector shape is in "
            "Leaflet's overlay pane. Goal: ≤ 5 MB.",
            "",
            "| map | tool | HTML size | build + save | first draw | shapes drawn | draws offline |",
            "|---|---|---|---|---|---|---|",
            *rows,
            "",
            "Where the bytes of our 2024 map go (same map without each optional part). `explore` "
            "draws one layer set from CDNs; ours carries a second pairing to compare, the links, "
            "per-unit popups (next-best hospital, switch cost) and, self-contained, Leaflet itself, "
            "so it opens with no network at all:",
            "",
            "| our 2024 map | HTML size |",
            "|---|---|",
            *breakdown,
            "",
        ]
    )
    print(text)
    (HERE / "_results").mkdir(exist_ok=True)
    (HERE / "_results" / "maps.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
