"""A regional hospital is one hospital with one or more sites (issue 14, "Sites").

The registry's sites against the OSM file they come from; ``hospital_id`` validation; the
nearest-site rule against a brute-force minimum over the sites of the long matrix; the main-site
rule; ``site_id`` in pairings, scores, maps and the report; pins naming a site.
"""

from __future__ import annotations

import io
import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from planner._vn import fold
from planner.errors import ApproximateLocationWarning, PlannerInputError
from planner.pairing.costs import pair_costs
from planner.pairing.explain import hanoi_pilot_pins
from planner.pairing.propose import propose_pairings
from planner.pairing.scoring import score_pairings
from planner.places.facilities import facility_problems, load_facilities
from planner.places.sites import choose_sites, hospital_sites
from planner.requests import TripRule
from planner.travel import pair_travel_times

GEOD = Geod(ellps="WGS84")
HOSPITALS = ("hn-reg-heart", "hn-reg-oncology", "hn-reg-obgyn", "hn-reg-xanhpon")
SITE_SUFFIX = re.compile(r"\s*\((?:cơ sở|co so)\s*\d+\)\s*$", re.I)
HA_DONG_UNIT = "hn-dist-268"  # Hà Đông district's health centre (GSO district code 268)


@pytest.fixture(scope="module")
def sites_2024(registry_2024) -> pd.DataFrame:
    return registry_2024[registry_2024["level"] == "regional"]


@pytest.fixture(scope="module")
def matrix_2024(hanoi_graph, registry_2024, sites_2024) -> pd.DataFrame:
    units = registry_2024[registry_2024["level"] != "regional"]
    return pair_travel_times(hanoi_graph, sites_2024, units, depart="10:00")


# -- the registry ------------------------------------------------------------------------------


def test_registry_lists_every_site_found_in_osm(sites_2024, data_folder):
    """Every OSM health facility named like one of the four hospitals (a "cơ sở N" suffix
    aside) is a site of it in the registry, at the OSM point (within 5 m), with its OSM id."""
    osm = json.loads((data_folder / "hanoi_health_facilities_osm.geojson").read_text("utf-8"))
    names = {fold(n) for n in sites_2024["name"]}
    found = {}
    for feature in osm["features"]:
        props = feature["properties"]
        name = str(props.get("name") or "")
        if fold(SITE_SUFFIX.sub("", name)) in names:
            found[f"{props['element']}/{props['id']}"] = (name, *feature["geometry"]["coordinates"])
    assert len(found) == 7  # Heart 2, Oncology 1, Obstetrics and Gynecology 3, Xanh Pon 1
    sites = sites_2024.set_index("osm_id")
    assert set(sites.index) == set(found)
    for osm_id, (name, lon, lat) in found.items():
        site = sites.loc[osm_id]
        _, _, metres = GEOD.inv(lon, lat, site["lon"], site["lat"])
        assert metres < 5, (osm_id, metres)
        assert fold(site["name"]) == fold(SITE_SUFFIX.sub("", name))  # the hospital's name
        if SITE_SUFFIX.search(name):  # "cơ sở 2", "cơ sở 3": the site's own name
            assert site["site_name"] == name
        assert site["location_source"] == "osm" and site["source"]
    by_hospital = sites_2024.groupby("hospital_id")["facility_id"].apply(sorted).to_dict()
    assert by_hospital == {
        "hn-reg-heart": ["hn-reg-heart", "hn-reg-heart-tayho"],
        "hn-reg-obgyn": ["hn-reg-obgyn", "hn-reg-obgyn-camhoi", "hn-reg-obgyn-hadong"],
        "hn-reg-oncology": ["hn-reg-oncology"],
        "hn-reg-xanhpon": ["hn-reg-xanhpon"],
    }
    main = sites_2024[sites_2024["site_role"] == "main"]
    assert sorted(main["facility_id"]) == sorted(HOSPITALS)
    # the sites of a hospital share its name and specialty
    assert (sites_2024.groupby("hospital_id")[["name", "specialty"]].nunique() == 1).all().all()


def test_facilities_command_lists_the_sites(capsys):
    from planner.app.cli import main

    assert main(["facilities", "--scheme", "2025", "--out", "-", "--quiet"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype=str)
    regional = table[table["level"] == "regional"]
    assert len(regional) >= 7 and regional["hospital_id"].nunique() == 4
    assert {"hospital_id", "site_role", "site_name"} <= set(table.columns)
    assert table.loc[table["level"] != "regional", "hospital_id"].isna().all()


# -- hospital_id in a user's facility file -----------------------------------------------------

HEADER = "facility_id,name,level,specialty,hospital_id,site_role,lat,lon\n"
UNIT = "u1,Trạm y tế A,commune,,,,21.0,105.80\n"


def _problems(tmp_path: Path, body: str) -> list[PlannerInputError]:
    path = tmp_path / "fac.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return facility_problems(path)


def test_a_file_without_hospital_id_keeps_working(tmp_path):
    path = tmp_path / "fac.csv"
    path.write_text(
        "facility_id,name,level,lat,lon\nh1,BV A,regional,21.0,105.8\nu1,TYT,commune,21.1,105.7\n",
        encoding="utf-8",
    )
    fac = load_facilities(path)
    assert fac["hospital_id"].iloc[0] == "h1" and fac["site_role"].iloc[0] == "main"
    assert fac["site_name"].iloc[0] == "BV A"
    assert fac.loc[1, ["hospital_id", "site_role", "site_name"]].isna().all()  # a unit


def test_sites_of_a_hospital_are_read_and_completed(tmp_path):
    path = tmp_path / "fac.csv"
    path.write_text(
        HEADER
        + "h1,BV A,regional,oncology,,,21.00,105.80\n"  # its own hospital, main by default
        + "h1-b,BV A,regional,oncology,h1,cơ sở,21.05,105.85\n"  # Vietnamese role
        + "h2-x,BV B,regional,,h2,Cơ sở chính,20.97,105.77\n"  # a hospital id no site has
        + "h2-y,BV B,regional,,h2,,20.99,105.79\n"
        + UNIT,
        encoding="utf-8",
    )
    fac = load_facilities(path)
    assert fac["hospital_id"].iloc[:4].tolist() == ["h1", "h1", "h2", "h2"]
    assert fac["site_role"].iloc[:4].tolist() == ["main", "site", "main", "site"]
    assert fac.loc[4, ["hospital_id", "site_role"]].isna().all()
    sites = hospital_sites(fac[fac["level"] == "regional"])
    assert sites.hospital_ids == ("h1", "h2")
    assert sites.table["main_site_id"].tolist() == ["h1", "h2-x"]
    assert sites.table["sites"].tolist() == [2, 2]


@pytest.mark.parametrize(
    ("body", "row", "field", "words"),
    [
        ("h1,BV A,regional,,,,21.0,105.8\nu2,TYT,commune,,h1,,21.1,105.8\n", 2, "hospital_id",
         "only the sites of a regional hospital"),
        ("h1,BV A,regional,,,,21.0,105.8\nd1,TTYT,district,,,main,21.1,105.8\n", 2,
         "site_role", "only the sites of a regional hospital"),
        ("h1,BV A,regional,,,,21.0,105.8\nh1-b,BV Z,regional,,h1,,21.1,105.8\n", 2, "name",
         "is named 'BV Z'"),
        ("h1,BV A,regional,oncology,,,21.0,105.8\nh1-b,BV A,regional,cardiology,h1,,21.1,105.8\n",
         2, "specialty", "has specialty 'cardiology'"),
        ("h1-a,BV A,regional,,h1,,21.0,105.8\nh1-b,BV A,regional,,h1,,21.1,105.8\n", 1,
         "site_role", "none is its main site"),
        ("h1,BV A,regional,,,main,21.0,105.8\nh1-b,BV A,regional,,h1,main,21.1,105.8\n", 2,
         "site_role", "two main sites"),
        ("h1,BV A,regional,,,branch,21.0,105.8\n", 1, "site_role", "unknown site_role"),
        ("h1,BV A,regional,,u1,,21.0,105.8\n" + UNIT, 1, "hospital_id",
         "facility_id of a commune unit"),
        ("h1,BV A,regional,,,,21.0,105.8\nh2,BV B,regional,,,,21.1,105.8\n"
         "h2-b,BV B,regional,,h1-x,,21.2,105.8\nh1-x,BV A,regional,,h1,,21.3,105.8\n", 3,
         "hospital_id", "a site of another hospital"),
    ],
)  # fmt: skip
def test_hospital_id_problems_name_row_field_and_fix(tmp_path, body, row, field, words):
    problems = _problems(tmp_path, body)
    match = [p for p in problems if p.field == field and words in p.problem]
    assert match, [str(p) for p in problems]
    assert match[0].row == row and match[0].hint and str(tmp_path) in str(match[0])


def test_tables_given_to_the_api_are_checked_like_files():
    sites = pd.DataFrame(
        {"facility_id": ["a", "a2"], "name": ["A", "B"], "hospital_id": ["a", "a"]}
    )
    with pytest.raises(PlannerInputError, match="is named 'B'"):
        hospital_sites(sites)
    with pytest.raises(PlannerInputError, match="'a' is also used by row 1"):
        hospital_sites(pd.DataFrame({"facility_id": ["a", "a"], "hospital_id": ["a", "b"]}))


# -- the site rules ----------------------------------------------------------------------------


def _brute_force(matrix: pd.DataFrame, sites: pd.DataFrame, unit_ids, rule: str):
    """Per (unit, hospital): the mean of the two trips to each site, then the rule's site."""
    out = matrix.rename(columns={"origin_id": "site", "destination_id": "unit"})
    back = matrix.rename(columns={"origin_id": "unit", "destination_id": "site"})
    both = out.merge(back, on=["site", "unit"], suffixes=("_out", "_back"))
    both["time"] = (both["travel_time_s_out"] + both["travel_time_s_back"]) / 2
    both = both.merge(
        sites[["facility_id", "hospital_id", "site_role"]], left_on="site", right_on="facility_id"
    )
    if rule == "main":
        both = both[both["site_role"] == "main"]
    best = both.sort_values("time").drop_duplicates(["unit", "hospital_id"])
    time = best.pivot(index="unit", columns="hospital_id", values="time")
    site = best.pivot(index="unit", columns="hospital_id", values="site")
    return time.reindex(index=unit_ids, columns=HOSPITALS), site.reindex(
        index=unit_ids, columns=HOSPITALS
    )


@pytest.mark.parametrize("rule", ["nearest", "main"])
def test_site_rules_against_a_brute_force_over_the_sites(matrix_2024, sites_2024, rule):
    unit_ids = sorted(set(matrix_2024["destination_id"]) - set(sites_2024["facility_id"]))
    costs = pair_costs(matrix_2024, unit_ids, sites_2024, trip=TripRule(site_rule=rule))
    assert costs.hospital_ids == HOSPITALS and costs.trip.site_rule == rule
    time, site = _brute_force(matrix_2024, sites_2024, unit_ids, rule)
    np.testing.assert_allclose(costs.time_s, time.to_numpy(float), rtol=1e-12)
    assert (costs.site_ids == site.to_numpy(object)).all()
    np.testing.assert_allclose((costs.out_s + costs.back_s) / 2, costs.time_s, rtol=1e-12)
    if rule == "main":  # the main site whatever the others
        assert (costs.site_ids == np.array(HOSPITALS, dtype=object)).all()
    else:  # the rule changes something on the real data: the test can fail
        assert (costs.site_ids != np.array(HOSPITALS, dtype=object)).sum() > 100


def test_ha_dong_unit_uses_the_ha_dong_site_of_the_obstetrics_hospital(matrix_2024, sites_2024):
    nearest = pair_costs(matrix_2024, [HA_DONG_UNIT], sites_2024)
    main = pair_costs(matrix_2024, [HA_DONG_UNIT], sites_2024, trip=TripRule(site_rule="main"))
    obgyn = HOSPITALS.index("hn-reg-obgyn")
    assert nearest.site_ids[0, obgyn] == "hn-reg-obgyn-hadong"
    assert nearest.time_s[0, obgyn] < 5 * 60 < 15 * 60 < main.time_s[0, obgyn]
    # the other hospitals' figures do not depend on the Obstetrics hospital's sites
    others = [h for h in range(4) if h != obgyn and h != HOSPITALS.index("hn-reg-heart")]
    np.testing.assert_array_equal(nearest.time_s[0, others], main.time_s[0, others])


def test_ties_go_to_the_main_site():
    sites = hospital_sites(
        pd.DataFrame({"facility_id": ["b", "a"], "hospital_id": "a", "site_role": ["site", "main"]})
    )
    assert choose_sites(np.array([[300.0, 300.0]]), sites, "nearest").tolist() == [[1]]


# -- pairing and scoring stay per hospital -----------------------------------------------------


@pytest.fixture(scope="module")
def proposals(registry_2024, matrix_2024, sites_2024):
    units = registry_2024[registry_2024["level"] != "regional"]
    pilot = hanoi_pilot_pins(units)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximateLocationWarning)
        return {
            rule: propose_pairings(
                units, sites_2024, matrix_2024, pilot=pilot, site_rule=rule, sensitivity=False
            )
            for rule in ("nearest", "main")
        }


def test_pairings_name_the_site_each_unit_uses(proposals, sites_2024, matrix_2024):
    hospital_of = sites_2024.set_index("facility_id")["hospital_id"]
    for rule, result in proposals.items():
        pairs = result.pairings
        assert list(pairs.columns[4:8]) == ["hospital_id", "hospital_name", "site_id",
                                            "travel_time_s"]  # fmt: skip
        assert set(pairs["hospital_id"]) == set(HOSPITALS)
        assert (pairs["site_id"].map(hospital_of) == pairs["hospital_id"]).all()
        assert result.scores["site_rule"] == rule and result.options["site_rule"] == rule
        assert set(result.scores["load"]) == set(HOSPITALS)  # loads per hospital
        # the pair's time is the time to its site, both ways
        pair = pd.concat([
            matrix_2024.rename(columns={"origin_id": "s", "destination_id": "u"}),
            matrix_2024.rename(columns={"origin_id": "u", "destination_id": "s"}),
        ]).groupby(["u", "s"])["travel_time_s"].mean()  # fmt: skip
        expected = pair.reindex(list(zip(pairs["unit_id"], pairs["site_id"], strict=True)))
        np.testing.assert_allclose(pairs["travel_time_s"], expected.to_numpy(), rtol=1e-12)
    main = proposals["main"].pairings
    assert (main["site_id"] == main["hospital_id"]).all()  # every main site carries its id
    ha_dong = proposals["nearest"].pairings.set_index("unit_id").loc[HA_DONG_UNIT]
    assert (ha_dong["hospital_id"], ha_dong["site_id"]) == ("hn-reg-obgyn", "hn-reg-obgyn-hadong")
    # more sites can only bring the nearest-site optimum closer
    assert (
        proposals["nearest"].scores["pop_weighted_mean_travel_time_s"]
        < proposals["main"].scores["pop_weighted_mean_travel_time_s"]
    )


def test_scores_per_hospital_and_per_site(proposals, registry_2024, matrix_2024, sites_2024):
    result = proposals["nearest"]
    units = registry_2024[registry_2024["level"] != "regional"]
    scores = score_pairings(result.pairings, matrix_2024, units=units, hospitals=sites_2024)
    per_hospital = scores.per_hospital.set_index("hospital_id")
    assert list(per_hospital.index) == list(HOSPITALS)
    assert per_hospital["sites"].to_dict() == {
        "hn-reg-heart": 2, "hn-reg-oncology": 1, "hn-reg-obgyn": 3, "hn-reg-xanhpon": 1,
    }  # fmt: skip
    per_site = scores.per_site
    assert len(per_site) == 7
    assert per_site.groupby("hospital_id")["units"].sum().reindex(HOSPITALS).tolist() == (
        per_hospital["units"].tolist()
    )
    assert scores.to_dict()["per_site"][0]["site_id"] == "hn-reg-heart"
    assert scores.overall["pop_weighted_mean_travel_time_s"] == pytest.approx(
        result.scores["pop_weighted_mean_travel_time_s"], rel=1e-12
    )


def test_pins_name_hospitals_not_sites(registry_2024, matrix_2024, sites_2024):
    units = registry_2024[registry_2024["level"] != "regional"]
    with pytest.raises(PlannerInputError, match="is a site of hospital 'hn-reg-obgyn'") as info:
        propose_pairings(units, sites_2024, matrix_2024, pins={HA_DONG_UNIT: "hn-reg-obgyn-hadong"})
    assert info.value.field == "pins" and "hn-reg-obgyn" in info.value.hint
    pinned = propose_pairings(
        units, sites_2024, matrix_2024, pins={"hn-dist-271": "hn-reg-obgyn"}, sensitivity=False
    ).pairings.set_index("unit_id")
    assert pinned.loc["hn-dist-271", "hospital_id"] == "hn-reg-obgyn"  # Ba Vì, pinned
    nearest = pair_costs(matrix_2024, ["hn-dist-271"], sites_2024)  # its site: the nearest
    assert pinned.loc["hn-dist-271", "site_id"] == nearest.site_ids[0, HOSPITALS.index(
        "hn-reg-obgyn")]  # fmt: skip


def test_pairing_files_name_hospitals_and_their_sites(tmp_path, hanoi_graph):
    from planner.app.cli import main
    from planner.app.pipeline import score_pairings_file

    site_as_hospital = tmp_path / "bad.csv"
    site_as_hospital.write_text("unit_id,hospital_id\nhn-dist-268,hn-reg-obgyn-hadong\n")
    with pytest.raises(PlannerInputError, match="is a site of hospital 'hn-reg-obgyn'") as info:
        score_pairings_file(site_as_hospital, graph=hanoi_graph)
    assert info.value.row == 1 and info.value.field == "hospital_id"
    wrong_site = tmp_path / "wrong.csv"
    wrong_site.write_text("unit_id,hospital_id,site_id\nhn-dist-268,hn-reg-obgyn,hn-reg-heart\n")
    with pytest.raises(PlannerInputError, match="not a site of hospital 'hn-reg-obgyn'"):
        score_pairings_file(wrong_site, graph=hanoi_graph)
    good = tmp_path / "good.csv"
    good.write_text("unit_id,hospital_id\nhn-dist-268,hn-reg-obgyn\nhn-dist-271,hn-reg-xanhpon\n")
    for rule, site in (("nearest", "hn-reg-obgyn-hadong"), ("main", "hn-reg-obgyn")):
        out = tmp_path / rule
        assert main(["score", str(good), "--site-rule", rule, "--out", str(out), "-q"]) == 0
        written = pd.read_csv(out / "pairings.csv").set_index("unit_id")
        assert written.loc["hn-dist-268", "site_id"] == site
        assert json.loads((out / "scores.json").read_text())["options"]["site_rule"] == rule


# -- map and report ----------------------------------------------------------------------------


def test_map_draws_every_site_and_links_units_to_theirs(proposals, registry_2024):
    import folium

    from planner.outputs.labels import hospital_palette
    from planner.outputs.map import pairing_map

    pairs = proposals["nearest"].pairings
    m = pairing_map(pairs, registry_2024, lang="en")
    layers = {
        child.layer_name: child.data
        for child in m._children.values()
        if isinstance(child, folium.GeoJson)
    }
    icons = layers["Regional hospitals"]["features"]
    assert sorted(f["id"] for f in icons) == sorted(registry_2024.query("level == 'regional'")
                                                    ["facility_id"])  # fmt: skip
    by_id = {f["id"]: f for f in icons}
    # one icon style per hospital, the site named in its tooltip when it has several
    assert by_id["hn-reg-obgyn-hadong"]["properties"]["svg"] == by_id["hn-reg-obgyn"][
        "properties"]["svg"]  # fmt: skip
    assert by_id["hn-reg-obgyn-hadong"]["properties"]["site"] == (
        "Bệnh viện Phụ sản Hà Nội (cơ sở 3)"
    )
    assert by_id["hn-reg-obgyn"]["properties"]["site"] == "Bệnh viện Phụ sản Hà Nội (main site)"
    assert by_id["hn-reg-oncology"]["properties"]["site"] is None
    assert len(set(hospital_palette(registry_2024.query("level == 'regional'")))) == 4
    # each unit's link ends at its site
    site_at = registry_2024.set_index("facility_id")[["lon", "lat"]]
    links = layers["Links to the sister hospital"]["features"]
    ends = {f["id"]: tuple(f["geometry"]["coordinates"][-1]) for f in links}
    for unit, site in zip(pairs["unit_id"], pairs["site_id"], strict=True):
        if unit in ends:
            assert ends[unit] == pytest.approx(tuple(site_at.loc[site]), abs=1e-5)
    assert ends[HA_DONG_UNIT] == pytest.approx(tuple(site_at.loc["hn-reg-obgyn-hadong"]), abs=1e-5)
    units = {
        f["id"]: f["properties"]
        for f in layers["Proposal: units and their sister hospital"]["features"]
    }
    assert units[HA_DONG_UNIT]["site"] == "Bệnh viện Phụ sản Hà Nội (cơ sở 3)"


def test_demo_report_keeps_figures_per_hospital_and_names_the_sites(demo_dir):
    text = (demo_dir / "report.html").read_text(encoding="utf-8")
    start = text.index('id="hospitals"')
    section = text[start : text.index("<section", start)]  # up to the next section
    assert section.count('class="name"') == 4  # one row per hospital
    assert "Bệnh viện Phụ sản Hà Nội có 3 cơ sở" in section
    assert "Bệnh viện Tim Hà Nội có 2 cơ sở" in section
    assert "(cơ sở 3): " in section and "cơ sở gần nhất" in section
    assert "Bệnh viện có nhiều cơ sở" in text  # the assumption, stated
    # the nearest-hospital baseline leaves Oncology with no unit: said in words, not "— times"
    lead = text[text.index('class="lead"') : text.index('id="decision"')]
    assert "thì Bệnh viện Ung bướu Hà Nội không có đơn vị nào" in lead and "—" not in lead
    pairs = pd.read_csv(demo_dir / "pairings.csv")
    used = pairs["site_id"].value_counts()
    assert f"(cơ sở 3): {used['hn-reg-obgyn-hadong']} đơn vị" in section


def test_the_main_rule_is_the_planner_of_one_point_per_hospital(
    proposals, registry_2024, matrix_2024, sites_2024
):
    """With every trip from the main site, the proposal is the one of the registry before
    sites (one point per hospital), figure for figure."""
    units = registry_2024[registry_2024["level"] != "regional"]
    one_point = sites_2024[sites_2024["site_role"] == "main"].drop(
        columns=["hospital_id", "site_role", "site_name"]
    )
    before = propose_pairings(
        units, one_point, matrix_2024, pilot=hanoi_pilot_pins(units), sensitivity=False
    )
    pd.testing.assert_frame_equal(before.pairings, proposals["main"].pairings)
    for key in ("pop_weighted_mean_travel_time_s", "max_travel_time_s", "load_ratio_max_min"):
        assert before.scores[key] == proposals["main"].scores[key]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # PuLP 3.x announcing its 4.0 API
def test_optimum_with_sites_matches_an_independent_solver():
    """3 hospitals at 5 sites, random times both ways: our optimum against PuLP/CBC on a model
    built independently, each hospital's time the least over its sites of the mean of both
    trips."""
    import pulp

    rng = np.random.default_rng(14)
    units = pd.DataFrame(
        {
            "facility_id": [f"u{i}" for i in range(12)],
            "name": [f"U{i}" for i in range(12)],
            "level": "commune",
            "population": rng.integers(1_000, 50_000, 12).astype(float),
        }
    )
    sites = pd.DataFrame(
        {
            "facility_id": ["a", "a2", "b", "c", "c2"],
            "name": ["A", "A", "B", "C", "C"],
            "hospital_id": ["a", "a", "b", "c", "c"],
            "site_role": ["main", "site", "main", "main", "site"],
        }
    )
    out = rng.uniform(600, 5400, (5, 12))
    back = out * rng.uniform(0.8, 1.25, (5, 12))  # the trips back differ
    matrix = pd.concat([
        pd.DataFrame({"origin_id": np.repeat(sites["facility_id"], 12).to_numpy(),
                      "destination_id": np.tile(units["facility_id"], 5),
                      "travel_time_s": out.ravel()}),
        pd.DataFrame({"origin_id": np.tile(units["facility_id"], 5),
                      "destination_id": np.repeat(sites["facility_id"], 12).to_numpy(),
                      "travel_time_s": back.ravel()}),
    ])  # fmt: skip
    result = propose_pairings(
        units, sites, matrix, hierarchical=False, balance=0.15, sensitivity=False
    )
    assert result.status == "optimal"
    mean = ((out + back) / 2).T  # units x sites
    t = np.column_stack([mean[:, [0, 1]].min(axis=1), mean[:, 2], mean[:, [3, 4]].min(axis=1)])
    pop = units["population"].to_numpy()
    prob = pulp.LpProblem("sites", pulp.LpMinimize)
    x = {(i, j): pulp.LpVariable(f"x_{i}_{j}", cat="Binary") for i in range(12) for j in range(3)}
    prob += pulp.lpSum(pop[i] * t[i, j] / pop.sum() * v for (i, j), v in x.items())
    for i in range(12):
        prob += pulp.lpSum(x[i, j] for j in range(3)) == 1
    for j in range(3):
        load = pulp.lpSum(pop[i] * x[i, j] for i in range(12))
        prob += load <= 1.15 * pop.sum() / 3
        prob += load >= 0.85 * pop.sum() / 3
    prob.solve(pulp.PULP_CBC_CMD(msg=False, gapRel=0, gapAbs=0))
    assert pulp.LpStatus[prob.status] == "Optimal"
    assert result.objective_value == pytest.approx(pulp.value(prob.objective), rel=1e-7)
    chosen = {u: j for (u, j), v in x.items() if v.value() > 0.5}
    assert result.pairings["hospital_id"].tolist() == [
        ["a", "b", "c"][chosen[i]] for i in range(12)
    ]
