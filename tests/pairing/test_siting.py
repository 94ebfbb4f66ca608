"""Candidate sites opened with the pairing, and pairings that hold at every hour (issue 24).

The candidates (``tests/data/siting_candidates.csv``) are hypothetical sites at real places: a
Xanh Pon site in Sơn Tây town, a Heart Hospital site in Sóc Sơn, an ObGyn site in Ứng Hòa (Vân
Đình). No such sites are planned; candidates are hypothetical by nature.

Exactness is checked against an independent computation: the joint MILP's choice of one site
equals the best of three plain runs, each with one candidate added as a site of its hospital.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from planner.app.cli.options import parse_open
from planner.app.growth.candidates import read_candidates
from planner.app.growth.siting import plan_growth
from planner.app.pipeline import PlanOptions
from planner.config import ROBUST_DEPARTS
from planner.errors import PlannerInputError
from planner.pairing._siting import with_sites
from planner.pairing.explain import hanoi_pilot_pins
from planner.pairing.propose import propose_pairings
from planner.pairing.robust import hour_column, worst_case_matrix
from planner.pairing.siting import SITING_COLUMNS, propose_with_candidates
from planner.places.hanoi import hanoi_facilities
from planner.roads.network import hanoi_network
from planner.travel.matrix import pair_travel_times

CANDIDATES = "tests/data/siting_candidates.csv"


@pytest.fixture(scope="module")
def hanoi():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # units placed at population centres
        fac = hanoi_facilities(scheme="2024")
    hospitals, units = fac[fac["level"] == "regional"], fac[fac["level"] != "regional"]
    sites = read_candidates(CANDIDATES, hospitals=hospitals)
    graph = hanoi_network()
    every = with_sites(hospitals, sites)
    matrix = pair_travel_times(graph, every, units, depart="10:00")
    return graph, hospitals, units, sites, matrix, hanoi_pilot_pins(units)


def _alone(sites: pd.DataFrame, i: int) -> pd.DataFrame:
    return sites.iloc[[i]].drop(columns="candidate_capacity")


def test_one_site_is_the_best_of_the_runs_each_allowed_one_candidate(hanoi):
    _, hospitals, units, sites, matrix, pilot = hanoi
    joint = propose_with_candidates(
        units, hospitals, sites, matrix, k=1, pilot=pilot, sensitivity=False
    )
    singles = [
        propose_pairings(
            units, with_sites(hospitals, _alone(sites, i)), matrix, pilot=pilot, sensitivity=False
        )
        for i in range(len(sites))
    ]
    values = [s.objective_value for s in singles]
    best = int(np.argmin(values))
    assert joint.objective_value == pytest.approx(values[best], rel=1e-9)
    assert joint.opened == (sites["facility_id"].iloc[best],)
    assert joint.proposal.status == "optimal"
    # the per-candidate figures are those runs' objectives
    table = joint.table()
    assert list(table.columns) == list(SITING_COLUMNS)
    assert table["objective_alone_s"].to_numpy() == pytest.approx(values, rel=1e-9)
    assert table["opened"].tolist() == [i == best for i in range(len(sites))]
    # the proposal pairs as that run does, its opened site used by some units
    assert joint.proposal.pairings["hospital_id"].tolist() == (
        singles[best].pairings["hospital_id"].tolist()
    )
    assert joint.opened[0] in set(joint.proposal.pairings["site_id"])


def test_no_site_is_the_plain_proposal(hanoi):
    _, hospitals, units, sites, matrix, pilot = hanoi
    joint = propose_with_candidates(
        units, hospitals, sites, matrix, k=0, pilot=pilot, sensitivity=False
    )
    plain = propose_pairings(units, hospitals, matrix, pilot=pilot, sensitivity=False)
    assert joint.opened == ()
    assert joint.objective_value == pytest.approx(plain.objective_value, rel=1e-9)
    assert joint.baseline["objective_value"] == pytest.approx(plain.objective_value, rel=1e-9)
    assert joint.proposal.pairings["hospital_id"].tolist() == (
        plain.pairings["hospital_id"].tolist()
    )


def test_a_range_shows_what_each_extra_site_buys(hanoi):
    _, hospitals, units, sites, matrix, pilot = hanoi
    joint = propose_with_candidates(
        units, hospitals, sites, matrix, k=parse_open("0-3"), pilot=pilot, sensitivity=False
    )
    by_k = joint.by_k
    assert by_k["k"].tolist() == [0, 1, 2, 3]
    assert [len(o.split(";")) if o else 0 for o in by_k["opened"]] == [0, 1, 2, 3]
    # a site more never lengthens the optimum
    assert (np.diff(by_k["objective_value"]) <= 1e-6).all()
    assert joint.k == 3 and len(joint.opened) == 3


def test_max_time_objective_is_exact_too(hanoi):
    _, hospitals, units, sites, matrix, pilot = hanoi
    joint = propose_with_candidates(
        units, hospitals, sites, matrix, k=1, objective="max-time", pilot=pilot,
        sensitivity=False,
    )  # fmt: skip
    values = [
        propose_pairings(
            units, with_sites(hospitals, _alone(sites, i)), matrix, objective="max-time",
            pilot=pilot, sensitivity=False,
        ).objective_value
        for i in range(len(sites))
    ]  # fmt: skip
    assert joint.objective_value == pytest.approx(min(values), rel=1e-9)


def test_refused_requests_say_why(hanoi):
    _, hospitals, units, sites, matrix, _ = hanoi
    for options, field in (
        ({"site_rule": "main"}, "site_rule"),
        ({"objective": "balanced"}, "objective"),
        ({"k": 4}, "open"),
    ):
        with pytest.raises(PlannerInputError) as info:
            propose_with_candidates(units, hospitals, sites, matrix, **options)
        assert info.value.field == field


def test_a_bad_candidate_file_gets_a_clear_error(hanoi, tmp_path):
    _, hospitals, *_ = hanoi
    bad = tmp_path / "candidates.csv"
    bad.write_text(
        "facility_id,name,hospital_id,lat,lon\n"
        "hn-cand-a,Site A,hn-reg-xanhpon,21.13,105.50\n"
        "hn-cand-b,Site B,hn-reg-nowhere,21.25,105.84\n",
        encoding="utf-8",
    )
    with pytest.raises(PlannerInputError) as info:
        read_candidates(bad, hospitals=hospitals)
    assert (info.value.row, info.value.field) == (2, "hospital_id")
    assert "candidates.csv" in str(info.value) and "hn-reg-xanhpon" in str(info.value)
    bad.write_text(
        "facility_id,name,hospital_id,lat,lon\nhn-cand-a,Site A,hn-reg-xanhpon,north,105.5\n",
        encoding="utf-8",
    )
    with pytest.raises(PlannerInputError) as info:
        read_candidates(bad, hospitals=hospitals)
    assert (info.value.row, info.value.field) == (1, "lat")
    bad.write_text(
        "facility_id,name,hospital_id,lat,lon\nhn-reg-heart,Site,hn-reg-heart,21.2,105.8\n",
        encoding="utf-8",
    )
    with pytest.raises(PlannerInputError) as info:
        read_candidates(bad, hospitals=hospitals)
    assert (info.value.row, info.value.field) == (1, "facility_id")


def test_the_command_writes_the_siting_tables(tmp_path):
    from planner.app.cli import main

    out = tmp_path / "out"
    code = main(["propose", "--scheme", "2024", "--no-cells", "--candidates", CANDIDATES, "--open", "0-1",
                 "--out", str(out), "--quiet"])  # fmt: skip
    assert code == 0
    siting = pd.read_csv(out / "siting.csv")
    assert list(siting.columns) == list(SITING_COLUMNS)
    assert siting["opened"].sum() == 1
    assert pd.read_csv(out / "siting_by_k.csv")["k"].tolist() == [0, 1]
    pairings = pd.read_csv(out / "pairings.csv")
    opened = siting.loc[siting["opened"], "facility_id"].iloc[0]
    assert opened in set(pairings["site_id"])


# --- pairings that hold at every hour -------------------------------------------------------


def test_the_worst_case_matrix_is_the_element_max(hanoi):
    graph, hospitals, units, *_ = hanoi
    at = {d: pair_travel_times(graph, hospitals, units, depart=d) for d in ROBUST_DEPARTS}
    worst = worst_case_matrix(at)
    keys = ["origin_id", "destination_id"]
    times = pd.concat(
        [m.set_index(keys)["travel_time_s"].where(m.set_index(keys)["status"] == "ok")
         for m in at.values()], axis=1,
    )  # fmt: skip
    expected = times.max(axis=1, skipna=False)
    got = worst.set_index(keys)["travel_time_s"]
    pd.testing.assert_series_equal(got, expected.loc[got.index], check_names=False)
    assert (got.dropna() >= times.loc[got.dropna().index].max(axis=1)).all()


def test_a_robust_pairing_holds_its_max_time_at_every_hour(hanoi):
    graph, *_ = hanoi
    max_s = 112 * 60.0  # Ba Vì's farthest commune is some 110 min from any hospital at 17:30
    growth = plan_growth(
        PlanOptions(scheme="2024", cells=False, pilot=False, max_travel_time_s=max_s),
        robust=ROBUST_DEPARTS,
        graph=graph,
    )
    table = growth.robust
    assert table is not None
    mine = table[table["in_proposal"]]
    assert len(mine) == len(growth.run.proposal.pairings.dropna(subset=["hospital_id"]))
    for depart in ROBUST_DEPARTS:
        assert (mine[hour_column(depart)] <= max_s + 1e-6).all()
    assert (mine["worst_s"] <= max_s + 1e-6).all()
    assert not mine["breaks"].any()
    # the worst time of a pair is at least its time at each hour
    hours = table[[hour_column(d) for d in ROBUST_DEPARTS]].max(axis=1)
    assert (table["worst_s"] >= hours - 1e-6).all()
