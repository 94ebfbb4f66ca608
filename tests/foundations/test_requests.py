"""The typed requests: built once at the edge (CLI, PlanOptions, Session), passed down whole."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from planner import PairingRequest, PlanOptions, TripRule, pair_travel_times, propose_pairings
from planner.app.cli import main
from planner.app.pipeline.planning import pairing_arguments
from planner.errors import PlannerInputError
from planner.pairing.explain import hanoi_pilot_pins
from planner.requests import PAIRING_FIELDS, TRIP_FIELDS


@pytest.fixture(scope="module")
def districts(registry_2024, hanoi_graph):
    """The 2024 districts, the regional sites and both directions' times at 10:00."""
    fac = registry_2024
    hospitals = fac[fac.level == "regional"]
    units = fac[fac.level == "district"]
    matrix = pair_travel_times(hanoi_graph, hospitals, units, depart="10:00")
    return units, hospitals, matrix


def test_flat_keywords_and_typed_requests_are_the_same_options():
    flat = PlanOptions(
        scheme="2025", mode="motorbike", depart="17h30", balance=0.1, pins={"a": "b"}
    )
    typed = PlanOptions(
        scheme="2025",
        trip=TripRule(mode="motorbike", depart="17:30"),
        request=PairingRequest(balance=0.1, pins={"a": "b"}),
    )
    assert flat == typed
    assert flat.trip.depart == flat.depart == "17:30"  # read through, written once
    assert flat.request.balance == flat.balance == 0.1
    # every field of either request is reachable flat, and no PlanOptions field shadows one
    own = {f.name for f in dataclasses.fields(PlanOptions)}
    assert not own & (set(TRIP_FIELDS) | set(PAIRING_FIELDS))
    for name in (*TRIP_FIELDS, *PAIRING_FIELDS):
        getattr(flat, name)


def test_a_change_keeps_the_rest_of_the_request():
    options = PlanOptions(balance=0.1, objective="max-time", depart="07:30")
    changed = dataclasses.replace(options, balance=0.3, mode="ambulance")
    assert changed.request == dataclasses.replace(options.request, balance=0.3)
    assert changed.trip == dataclasses.replace(options.trip, mode="ambulance")


def test_unknown_and_bad_options_are_refused_where_they_are_given():
    with pytest.raises(TypeError, match="'balanse'"):
        PlanOptions(balanse=0.1)
    with pytest.raises(PlannerInputError, match="objective") as bad:
        PlanOptions(objective="fastest")
    assert "pop-time" in str(bad.value)  # names what is allowed
    with pytest.raises(PlannerInputError, match="depart"):
        TripRule(depart="25:00")
    with pytest.raises(AttributeError, match="no attribute 'colour'"):
        PlanOptions().colour  # noqa: B018 - the read is the test


def test_propose_with_a_request_equals_propose_with_keywords(districts):
    units, hospitals, matrix = districts
    pilot = hanoi_pilot_pins(units)
    by_keywords = propose_pairings(
        units, hospitals, matrix, pilot=pilot, balance=0.1, directions="to_unit",
        sensitivity=False,
    )  # fmt: skip
    by_request = propose_pairings(
        units,
        hospitals,
        matrix,
        PairingRequest(balance=0.1),
        trip=TripRule(directions="to_unit"),
        pilot=pilot,
        sensitivity=False,
    )
    pd.testing.assert_frame_equal(by_keywords.pairings, by_request.pairings)
    assert by_keywords.objective_value == by_request.objective_value
    assert by_request.options["balance"] == 0.1 and by_request.options["directions"] == "to_unit"
    # a keyword changes the request it is given, field by field
    wider = propose_pairings(
        units, hospitals, matrix, PairingRequest(balance=0.1), balance=None, sensitivity=False
    )
    assert wider.options["balance"] is None
    assert wider.objective_value <= by_request.objective_value
    with pytest.raises(TypeError, match="propose_pairings\\(\\) got an unexpected keyword"):
        propose_pairings(units, hospitals, matrix, balanse=0.1)


def test_a_run_passes_its_requests_down_whole(registry_2024):
    units = registry_2024[registry_2024.level != "regional"]
    options = PlanOptions(balance=0.15, site_rule="main", pins={"hn-dist-250": "hn-reg-tim"})
    asked = pairing_arguments(options, units)
    assert asked["request"] is options.request and asked["trip"] is options.trip
    assert set(asked["pilot"].values()) == {"hn-reg-xanhpon"}  # the Ba Vì pilot, unit by unit
    assert not pairing_arguments(dataclasses.replace(options, pilot=False), units)["pilot"]


def test_the_cli_builds_the_requests_and_refuses_a_bad_one(capsys, tmp_path):
    status = main(["propose", "--balance", "-1", "--out", str(tmp_path / "x"), "--quiet"])
    err = capsys.readouterr().err
    assert status == 2 and "balance" in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()  # refused before anything was loaded or written


def test_a_run_s_options_pickle_whole_for_a_helper_process():
    # the helper of a cold first plan gets the run's options as they are (pins included)
    import pickle

    from planner.app.pipeline.planning import PlanOptions

    options = PlanOptions(scheme="2024", pins={"hn-dist-001": "hn-reg-heart"}, balance=0.1)
    again = pickle.loads(pickle.dumps(options))
    assert again == options
    assert dict(again.request.pins) == {"hn-dist-001": "hn-reg-heart"}
    with pytest.raises(TypeError):
        again.request.pins["hn-dist-002"] = "hn-reg-heart"  # still read-only
