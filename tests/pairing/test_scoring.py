"""score_pairings against hand computations (numpy reference) on a small case."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from planner.errors import PlannerInputError
from planner.pairing.costs import pair_costs
from planner.pairing.scoring import gini, population_weights, score_pairings
from planner.requests import TripRule

# 5 units (1 district unit + 3 of its communes + 1 commune of another district), 2 hospitals.
UNITS = pd.DataFrame(
    {
        "facility_id": ["d1", "c1", "c2", "c3", "c4"],
        "name": ["D1", "C1", "C2", "C3", "C4"],
        "level": ["district", "commune", "commune", "commune", "commune"],
        "district": ["A", "A", "A", "A", "B"],
        "population": [600.0, 100.0, 200.0, 300.0, 400.0],
    }
)
HOSPITALS = pd.DataFrame({"facility_id": ["h1", "h2"], "name": ["H1", "H2"]})
OUT = np.array(  # hospital -> unit, s (rows units, columns hospitals)
    [[1000.0, 3000.0], [1200.0, 2500.0], [2000.0, 1500.0], [4000.0, 6000.0], [5000.0, 800.0]]
)
BACK = OUT + np.array([[200.0], [0.0], [100.0], [400.0], [np.nan]])  # c4 cannot drive back


def _long(times: np.ndarray, *, back: bool = False) -> pd.DataFrame:
    rows = []
    for i, u in enumerate(UNITS["facility_id"]):
        for j, h in enumerate(HOSPITALS["facility_id"]):
            o, d = (u, h) if back else (h, u)
            ok = np.isfinite(times[i, j])
            rows.append(
                {
                    "origin_id": o,
                    "destination_id": d,
                    "travel_time_s": times[i, j],
                    "distance_m": times[i, j] * 10,
                    "status": "ok" if ok else "unreachable",
                }
            )
    return pd.DataFrame(rows)


PAIRING = pd.DataFrame(
    {"unit_id": UNITS["facility_id"], "hospital_id": ["h1", "h1", "h2", "h2", "h2"]}
)


def test_overall_figures_match_numpy():
    matrix = _long(OUT)
    s = score_pairings(
        PAIRING, matrix, units=UNITS, hospitals=HOSPITALS, trip=TripRule(directions="to_unit")
    )
    col = np.array([0, 0, 1, 1, 1])
    t = OUT[np.arange(5), col]
    pop = np.array([0.0, 100, 200, 300, 400])  # the district unit is counted via its communes
    o = s.overall
    assert o["directions"] == "to_unit"
    assert o["depart"] == "10:00" and o["peak_depart"] is None  # the trip's; no peak matrix
    assert o["mean_travel_time_s"] == pytest.approx(t.mean())
    assert o["median_travel_time_s"] == pytest.approx(np.median(t))
    assert o["p90_travel_time_s"] == pytest.approx(np.percentile(t, 90))
    assert o["max_travel_time_s"] == pytest.approx(t.max())
    assert o["pop_weighted_mean_travel_time_s"] == pytest.approx((t * pop).sum() / pop.sum())
    for minutes in (30, 60, 90):
        within = t <= minutes * 60
        assert o[f"share_units_within_{minutes}min"] == pytest.approx(within.mean())
        assert o[f"share_population_within_{minutes}min"] == pytest.approx(
            pop[within].sum() / pop.sum()
        )
    loads = np.array([pop[col == 0].sum(), pop[col == 1].sum()])
    assert o["load"] == {"h1": loads[0], "h2": loads[1]}
    assert o["load_ratio_max_min"] == pytest.approx(loads.max() / loads.min())
    srt = np.sort(loads)
    ref_gini = (2 * np.sum(np.arange(1, 3) * srt)) / (2 * srt.sum()) - 3 / 2
    assert o["gini_load"] == pytest.approx(ref_gini)
    nearest = OUT.min(axis=1)
    regret = t - nearest
    assert o["regret_vs_nearest_s"] == pytest.approx((regret * pop).sum() / pop.sum())
    assert o["mean_regret_vs_nearest_s"] == pytest.approx(regret.mean())
    # Communes of A: c1 with d1 (h1), c2 and c3 not (h2); B has no district unit.
    assert o["hierarchy_consistency"] == pytest.approx(1 / 3)
    ph = s.per_hospital.set_index("hospital_id")
    assert ph.loc["h2", "units"] == 3 and ph.loc["h2", "districts"] == 2
    assert ph.loc["h2", "spread"] == pytest.approx(t[col == 1].max() / t[col == 1].mean())
    assert ph.loc["h2", "median_travel_time_s"] == pytest.approx(np.median(t[col == 1]))
    # One direction known: a round trip is twice it; 4 visits a month.
    assert ph.loc["h1", "staff_travel_hours_per_month"] == pytest.approx(
        4 * 2 * t[col == 0].sum() / 3600
    )


def test_both_directions_peak_and_json():
    matrix = pd.concat([_long(OUT), _long(BACK, back=True)], ignore_index=True)
    peak = pd.concat([_long(OUT * 1.5), _long(BACK * 1.5, back=True)], ignore_index=True)
    s = score_pairings(
        PAIRING,
        matrix,
        units=UNITS,
        hospitals=HOSPITALS,
        matrix_peak=peak,
        visits_per_month=2,
        trip=TripRule(depart="17:30", peak_depart=dt.time(8, 0)),
    )
    col = np.array([0, 0, 1, 1, 1])
    pair = s.per_pair.set_index("unit_id")
    expected = (OUT + BACK)[np.arange(5), col] / 2
    assert pair["travel_time_s"].to_numpy()[:4] == pytest.approx(expected[:4])
    assert np.isnan(pair.loc["c4", "travel_time_s"])  # no way back: no pair time
    assert s.overall["pairs_without_time"] == 1
    # The peak figures follow the same rule: both directions, not hospital -> unit only.
    assert pair["travel_time_peak_s"].to_numpy()[:4] == pytest.approx(1.5 * expected[:4])
    assert np.isnan(pair.loc["c4", "travel_time_peak_s"])
    assert (s.overall["directions"], s.overall["depart"], s.overall["peak_depart"]) == (
        "both",
        "17:30",
        "08:00",
    )
    ph = s.per_hospital.set_index("hospital_id")
    h1 = [0, 1]
    assert ph.loc["h1", "staff_travel_hours_per_month"] == pytest.approx(
        2 * (OUT[h1, 0] + BACK[h1, 0]).sum() / 3600
    )
    doc = s.to_dict()
    text = json.dumps(doc, allow_nan=False)  # JSON-safe: no NaN anywhere
    for key in (
        "objective",
        "status",
        "mean_travel_time_s",
        "pop_weighted_mean_travel_time_s",
        "max_travel_time_s",
        "p90_travel_time_s",
        "share_population_within_60min",
        "share_population_within_30min",
        "share_population_within_90min",
        "load",
        "load_ratio_max_min",
        "gini_load",
        "gap_to_optimal",
        "regret_vs_nearest_s",
        "hierarchy_consistency",
        "pop_weighted_mean_travel_time_peak_s",
        "depart",
        "peak_depart",
        "directions",
    ):
        assert key in doc, key
    assert '"per_hospital"' in text


def test_gap_to_optimal_from_number_and_unassigned():
    pairing = PAIRING.copy()
    pairing.loc[4, "hospital_id"] = None
    s = score_pairings(
        pairing,
        _long(OUT),
        units=UNITS,
        hospitals=HOSPITALS,
        optimum=1000.0,
        trip=TripRule(directions="to_unit"),
    )
    assert s.overall["unassigned_units"] == 1
    pw = s.overall["pop_weighted_mean_travel_time_s"]
    assert s.overall["gap_to_optimal"] == pytest.approx((pw - 1000.0) / 1000.0)


def test_matrix_errors_name_the_field():
    dup = pd.concat([_long(OUT), _long(OUT).iloc[:1]], ignore_index=True)
    with pytest.raises(PlannerInputError, match="appears twice"):
        pair_costs(dup, ["d1"], ["h1"])
    with pytest.raises(PlannerInputError, match="travel_time_s"):
        pair_costs(_long(OUT).drop(columns="travel_time_s"), ["d1"], ["h1"])
    with pytest.raises(PlannerInputError, match="hospital_id"):
        score_pairings(PAIRING.drop(columns="hospital_id"), _long(OUT))


def test_population_counted_once_and_gini():
    w = population_weights(UNITS["level"], UNITS["district"], UNITS["population"])
    assert w.tolist() == [0.0, 100.0, 200.0, 300.0, 400.0]
    alone = population_weights(pd.Series(["district"]), pd.Series(["A"]), pd.Series([600.0]))
    assert alone.tolist() == [600.0]
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 7)
    srt = np.sort(x)
    n = len(x)
    assert gini(x) == pytest.approx(
        2 * np.sum(np.arange(1, n + 1) * srt) / (n * x.sum()) - (n + 1) / n
    )


def test_directions_pick_the_trips_and_bad_times_are_errors():
    matrix = pd.concat([_long(OUT), _long(BACK, back=True)], ignore_index=True)
    col = np.array([0, 0, 1, 1, 1])
    rows = np.arange(5)
    for directions, times in (("to_unit", OUT), ("to_hospital", BACK), ("both", (OUT + BACK) / 2)):
        trip = TripRule(directions=directions)
        s = score_pairings(PAIRING, matrix, units=UNITS, hospitals=HOSPITALS, trip=trip)
        got = s.per_pair["travel_time_s"].to_numpy()
        assert got == pytest.approx(times[rows, col], nan_ok=True)
        assert s.overall["directions"] == directions
    with pytest.raises(PlannerInputError, match="departure time"):
        score_pairings(PAIRING, matrix, units=UNITS, trip=TripRule(depart="25:00"))
    with pytest.raises(PlannerInputError, match="unit -> hospital"):
        pair_costs(_long(OUT), ["d1"], ["h1"])
