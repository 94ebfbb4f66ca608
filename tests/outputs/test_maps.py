"""pairing_map / save_map on the real Hanoi registry, and in headless Chromium with no network."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest

from planner.config import OSM_ATTRIBUTION
from planner.errors import PlannerInputError
from planner.outputs.labels import hospital_palette
from planner.outputs.map import map_html, pairing_map, save_map
from planner.outputs.map._assets import leaflet_version
from planner.outputs.map._background import _main_roads
from planner.requests import TripRule

REMOTE = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.I)


def straight_pairing(facilities: pd.DataFrame, *, shift: int = 0) -> pd.DataFrame:
    """Each unit to the hospital of its straight-line nearest regional site (shift: every 3rd
    moves on to the next site, whose hospital may be the same)."""
    hosp = facilities[facilities["level"] == "regional"].reset_index(drop=True)
    units = facilities[facilities["level"] != "regional"].reset_index(drop=True)
    dist_m = 111_000 * np.hypot(
        units["lat"].to_numpy()[:, None] - hosp["lat"].to_numpy()[None],
        0.93 * (units["lon"].to_numpy()[:, None] - hosp["lon"].to_numpy()[None]),
    )
    order = np.argsort(dist_m, axis=1)
    rows = np.arange(len(units))
    best = (order[:, 0] + shift * (rows % 3 == 0)) % len(hosp)
    time_s = dist_m[rows, best] / 8.0  # 29 km/h
    time_s[0] = np.nan  # one unreachable unit: drawn grey, never dropped
    return pd.DataFrame(
        {
            "unit_id": units["facility_id"],
            "unit_name": units["name"],
            "unit_level": units["level"],
            "district": units["district"],
            "hospital_id": hosp["hospital_id"].to_numpy()[best],
            "hospital_name": hosp["name"].to_numpy()[best],
            "site_id": hosp["facility_id"].to_numpy()[best],
            "travel_time_s": time_s,
            "distance_m": dist_m[rows, best],
            "population": units["population"],
            "pinned": rows == 1,
            "next_best_hospital_id": hosp["hospital_id"].to_numpy()[order[:, 1]],
            "switch_cost_s": (dist_m[rows, order[:, 1]] - dist_m[rows, best]) / 8.0,
        }
    )


@pytest.fixture(scope="module")
def areas_2025():
    from planner.places.hanoi import hanoi_areas

    return hanoi_areas(scheme="2025")


@pytest.fixture(scope="module")
def map_2025(registry_2025, areas_2025):
    pairing = straight_pairing(registry_2025)
    other = straight_pairing(registry_2025, shift=1)
    m = pairing_map(
        pairing, registry_2025, areas=areas_2025, compare=other, compare_label="shifted",
        lang="en",
    )  # fmt: skip
    return m, pairing, other


def test_self_contained_map_has_no_remote_script_or_stylesheet(map_2025, registry_2025, tmp_path):
    m, _, _ = map_2025
    path = save_map(m, tmp_path / "map.html")
    text = path.read_text(encoding="utf-8")
    assert not REMOTE.findall(text)
    assert f"Leaflet {leaflet_version()}" in text or "leafletjs.com" in text
    assert "OpenStreetMap contributors" in text  # JSON-escaped ©; the browser test reads it drawn
    # folium's default (not self-contained) map does link CDNs: the check above can fail.
    plain = map_html(pairing_map(map_2025[1], registry_2025, self_contained=False))
    assert REMOTE.findall(plain)


def test_whole_hanoi_maps_stay_small_with_the_offline_roads(
    registry_2024, registry_2025, areas_2025, hanoi_graph, tmp_path
):
    from planner.places.hanoi import hanoi_areas

    sizes = {}
    for fac, areas in ((registry_2024, hanoi_areas(scheme="2024")), (registry_2025, areas_2025)):
        pairing = straight_pairing(fac)
        m = pairing_map(
            pairing, fac, areas=areas, compare=straight_pairing(fac, shift=1), graph=hanoi_graph
        )
        sizes[len(pairing)] = save_map(m, tmp_path / "m.html").stat().st_size
    assert sizes[609] <= 3_000_000, f"2024 map: {sizes[609] / 1e6:.2f} MB"
    assert sizes[156] <= 5_000_000, f"2025 map: {sizes[156] / 1e6:.2f} MB"


def test_offline_roads_are_the_graphs_main_roads(hanoi_graph):
    roads = _main_roads(hanoi_graph)
    assert sorted(roads["c"]) == ["motorway", "primary", "secondary", "trunk"]
    # Independent reference: the length of each class in the graph, each two-way road once.
    g = hanoi_graph
    length = roads.to_crs("EPSG:32648").length.set_axis(roads["c"])
    for name in ("motorway", "trunk", "primary", "secondary"):
        code = g.class_names.index(name)
        edges = np.flatnonzero(g.edge_class == code)
        a, b = g.edge_from[edges], g.edge_to[edges]
        pairs = set(zip(np.minimum(a, b).tolist(), np.maximum(a, b).tolist(), strict=True))
        once = np.unique(np.minimum(a, b) * g.n_nodes + np.maximum(a, b), return_index=True)[1]
        graph_m = g.edge_length_m[edges][once].sum()
        assert len(pairs) == len(once)
        # simplification (40 m) shortens curves a little, never by more than 3 %
        assert 0.97 * graph_m <= length[name] <= 1.001 * graph_m, name


def test_styles_are_shared_not_repeated_per_feature(map_2025):
    text = map_html(map_2025[0])
    # unit layers (main, comparison): one style per hospital, plus pinned and unreachable,
    # not one per unit (there are 156 units)
    assert text.count('"fillOpacity": 0.85') <= 2 * (4 + 2) < len(map_2025[1])
    # coordinates are rounded to 5 decimals
    coordinates = re.findall(r'"coordinates": \[[^"]*', text)
    assert len(coordinates) > 300
    assert not any(re.search(r"\d\.\d{6,}", c) for c in coordinates)


def test_unknown_unit_and_bad_options_are_input_errors(registry_2025):
    pairing = straight_pairing(registry_2025)
    bad = pairing.copy()
    bad.loc[5, "unit_id"] = "hn-com25-99999"
    with pytest.raises(PlannerInputError, match=r"row 6.*unit_id"):
        pairing_map(bad, registry_2025)
    with pytest.raises(PlannerInputError, match="links"):
        pairing_map(pairing, registry_2025, links="curvy")
    with pytest.raises(PlannerInputError, match="graph"):
        pairing_map(pairing, registry_2025, links="routes")
    with pytest.raises(PlannerInputError, match="lacks columns"):
        pairing_map(pairing.drop(columns="hospital_id"), registry_2025)


def test_hospital_colours_are_fixed_by_specialty(registry_2025):
    hosp = registry_2025[registry_2025["level"] == "regional"]
    palette = hospital_palette(hosp)
    assert len({c for c, _ in palette.values()}) == 4
    assert len({i for _, i in palette.values()}) == 4
    assert palette == hospital_palette(hosp.iloc[::-1])


def test_same_map_twice_gives_identical_bytes(registry_2025, areas_2025, tmp_path):
    pairing = straight_pairing(registry_2025)
    other = straight_pairing(registry_2025, shift=1)
    paths = [
        save_map(pairing_map(pairing, registry_2025, areas=areas_2025, compare=other), tmp_path / n)
        for n in ("a.html", "b.html")
    ]
    first, second = (p.read_bytes() for p in paths)
    assert first == second
    assert not re.search(rb"_[0-9a-f]{32}", first)  # no random folium id is left
    assert b"geo_json_0003" in first  # ids are renumbered, not removed


def test_choropleth_scale_is_hue_free_and_matches_its_legend(map_2025, registry_2025):
    from planner.outputs.map._layers import TIME_COLOURS

    text = map_html(map_2025[0])
    hospital_colours = {c.lower() for c, _ in hospital_palette(registry_2025).values()}

    def rgb(colour: str) -> tuple[int, ...]:
        return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))

    for colour in TIME_COLOURS:
        # a grey cannot be read as any (saturated) hospital colour
        assert len(set(rgb(colour))) == 1, colour
        assert colour.lower() not in hospital_colours
        assert f'"fillColor": "{colour}"' in text  # drawn
        assert f'style="background:{colour}"' in text  # and in the legend
    assert all(len(set(rgb(c))) > 1 for c in hospital_colours)


def test_hospital_population_counts_each_person_once(registry_2024):
    pairing = straight_pairing(registry_2024)
    text = map_html(pairing_map(pairing, registry_2024, links=None, lang="en"))
    # every 2024 district has its communes: their people are the hospital's people
    communes = pairing[pairing["unit_level"] == "commune"]
    for hid, people in communes.groupby("hospital_id")["population"].sum().items():
        doubled = pairing.loc[pairing["hospital_id"] == hid, "population"].sum()
        assert f'"population": "{people:,.0f}"' in text, hid
        assert f'"population": "{doubled:,.0f}"' not in text


def _unescaped(text: str) -> str:
    """The page with the ``\\uXXXX`` escapes of its embedded JSON turned back into text."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


def _features(text: str, key: str) -> list[dict]:
    """The properties of the map's GeoJSON features that hold ``key``."""
    decoder = json.JSONDecoder()
    out = []
    for match in re.finditer(r"geo_json_\d+_add\((?=\{)", text):
        data, _ = decoder.raw_decode(text, match.end())
        out += [f["properties"] for f in data["features"] if key in f["properties"]]
    return out


def test_popups_speak_vietnamese_name_the_time_the_pilot_and_the_switching_cost(registry_2024):
    pairing = straight_pairing(registry_2024)
    ba_vi = pairing["district"] == "Huyện Ba Vì"
    pairing.loc[ba_vi, ["hospital_id", "pinned"]] = ["hn-reg-xanhpon", True]
    pairing.loc[~ba_vi, "pinned"] = False
    pairing.loc[1, "switch_cost_s"] = -240.0  # the next-best hospital would be faster
    text = map_html(
        pairing_map(pairing, registry_2024, links=None, trip=TripRule(depart="17:30"), lang="vi")
    )
    units = _features(text, "level")  # the unit layer
    assert len(units) == len(pairing)
    trips = [p["travel_time"] for p in units]
    assert all(t.endswith(" phút") or t.startswith("không có đường") for t in trips)
    assert not any(" min" in t for t in trips)
    assert "Thời gian di chuyển lúc 17:30" in _unescaped(text)  # the popup row names the time
    fixed = {p["fixed"] for p in units if p["fixed"]}
    assert fixed == {"mô hình thí điểm Ba Vì"}
    assert "Viền đen: mô hình thí điểm Ba Vì" in text  # and the legend says so
    switches = [p["next_best"] for p in units if p["next_best"]]
    assert any(": chậm hơn " in s for s in switches)
    assert any(": nhanh hơn 4 phút" in s for s in switches)
    assert not any("+" in s or "-" in s for s in switches)
    populations = [p["population"] for p in units if p["population"] != "—"]
    assert any("." in p for p in populations) and not any("," in p for p in populations)


def test_changes_and_unreachable_look_different(map_2025):
    m, pairing, other = map_2025
    text = map_html(m)
    palette = hospital_palette(pd.DataFrame({"facility_id": pairing["hospital_id"].unique()}))
    rings = _features(text, "cmp")
    changed = pairing["hospital_id"].to_numpy() != other["hospital_id"].to_numpy()
    assert 0 < len([r for r in rings if "c" in r and "r" in r and "hospital" in r]) == changed.sum()
    # a ring takes the comparison's hospital colour, solid; unreachable units are grey dots
    ring_styles = re.findall(
        r'\{"color": "(#[0-9A-Fa-f]{6})", "fill": false, "opacity": 1\.0', text
    )
    assert ring_styles and set(ring_styles) <= {c for c, _ in palette.values()} | {"#7f7f7f"}
    assert '"dashArray": "3 3"' not in text
    assert "Grey dot: no road to its sister hospital" in text
    assert "Ring: the sister hospital in shifted, where it differs" in text


def test_save_map_is_atomic(map_2025, tmp_path):
    target = tmp_path / "map.html"
    target.write_text("previous")

    class Broken:
        def get_root(self):
            raise RuntimeError("render failed")

    with pytest.raises(RuntimeError):
        save_map(Broken(), target)  # type: ignore[arg-type]
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]


@pytest.mark.browser
def test_map_draws_offline_in_chromium(map_2025, areas_2025, tmp_path):
    from _browser import open_offline

    m, pairing, _ = map_2025
    path = save_map(m, tmp_path / "map.html")
    shot = tmp_path / "map.png"
    report = open_offline(path, screenshot=shot)
    assert report.unexpected_errors() == []
    assert report.blocked, "the tiles should have been requested (and blocked)"
    assert all(("tile" in u or "basemaps" in u) for u in report.blocked), report.blocked
    (frame,) = report.maps
    reachable = int(pairing["travel_time_s"].notna().sum())
    hospitals = pairing["hospital_id"].nunique()
    # choropleth polygons + dissolved catchments + links + unit circles (compare layers hidden)
    expected = len(areas_2025) + hospitals + reachable + len(pairing)
    assert frame["overlay_paths"] == expected
    assert frame["markers"] == 7 + len(areas_2025)  # the 4 hospitals' 7 sites, the area names
    assert OSM_ATTRIBUTION in frame["attribution"]
    assert frame["layer_control"] == 1
    assert shot.stat().st_size > 20_000


@pytest.mark.browser
def test_vietnamese_2024_map_draws_offline_with_roads_and_names(
    registry_2024, hanoi_graph, tmp_path
):
    from _browser import open_offline

    from planner.places.hanoi import hanoi_areas

    pairing = straight_pairing(registry_2024)
    m = pairing_map(
        pairing, registry_2024, areas=hanoi_areas(scheme="2024"), graph=hanoi_graph, lang="vi"
    )
    path = save_map(m, tmp_path / "map.html")
    text = path.read_text(encoding="utf-8")
    assert "Vùng phụ trách của từng bệnh viện (quận/huyện 2024, gần đúng)" in text
    assert "Đường chính" in text and "Huyện Ba Vì" in _unescaped(text)
    report = open_offline(path)
    assert report.unexpected_errors() == []
    (frame,) = report.maps
    reachable = int(pairing["travel_time_s"].notna().sum())
    roads = 4  # one line per main road class
    expected = 30 + pairing["hospital_id"].nunique() + roads + reachable + len(pairing)
    assert frame["overlay_paths"] == expected
    assert frame["markers"] == 7 + 30  # the 4 hospitals' 7 sites, the 30 district names


def test_chromium_is_installed():
    """Browser tests need Debian's chromium; its absence is a failure with the fix, not a skip."""
    from _browser import require_chromium

    assert shutil.which(str(require_chromium()))


def test_one_pass_rendering_changes_nothing_else(registry_2025, areas_2025):
    """folium's own two-pass rendering gives the same page for ordinary names..."""
    import folium

    pairing, other = straight_pairing(registry_2025), straight_pairing(registry_2025, shift=1)

    def draw() -> folium.Map:
        return pairing_map(pairing, registry_2025, areas=areas_2025, compare=other, lang="vi")

    ours = map_html(draw())
    theirs = draw()
    theirs.render = lambda **kwargs: folium.Map.render(theirs, **kwargs)  # folium's two passes
    assert ours == map_html(theirs)


def test_template_syntax_in_a_name_is_not_evaluated(registry_2025):
    """... while a name holding template syntax stays text (folium alone would run it)."""
    import os

    fac = registry_2025.copy()
    pairing = straight_pairing(fac)
    name = "{{ cycler.__init__.__globals__.os.getpid() }} {{ 7*7 }} {% raw %}"
    pairing.loc[3, "unit_name"] = name
    text = map_html(pairing_map(pairing, fac, links=None, label=name, title=name, lang="en"))
    # evaluated, the name would read "<pid> 49 " (the pid alone may occur among coordinates)
    assert f"<title>{name}</title>" in text and f"{os.getpid()} 49" not in text
