"""Who is left behind: the equity figures against an independent numpy computation (every
person expanded into a list of times), the unit kinds, and the figures on the Hanoi cells."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.access.equity import (
    access_equity,
    equity_by_kind,
    equity_figures,
    fgt,
    gini,
    palma,
    unit_kinds,
)


def _people(times: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """One time per person, sorted."""
    return np.sort(np.repeat(times, weights.astype(int)))


def _reference(people: np.ndarray, threshold: float) -> dict[str, float]:
    """The figures from the list of people, the textbook way (no weights, no cells)."""
    n = len(people)
    pairs = np.abs(people[:, None] - people[None, :]).sum()
    low, high = people[: round(0.4 * n)], people[n - round(0.1 * n) :]
    gap = np.maximum(0.0, (people - threshold) / threshold)
    return {
        "gini": pairs / (2 * n * n * people.mean()),
        "palma": high.mean() / low.mean(),
        "fgt0": float(np.mean(people > threshold)),
        "fgt1": float(gap.mean()),
        "fgt2": float((gap**2).mean()),
    }


@pytest.mark.parametrize("seed", range(8))
def test_the_figures_equal_the_people_counted_one_by_one(seed: int) -> None:
    rng = np.random.default_rng(seed)
    cells = int(rng.integers(2, 40))
    times = rng.uniform(60, 7200, size=cells).round()
    times[rng.random(cells) < 0.2] = 3600.0  # ties, and cells exactly at the threshold
    # whole people, ten times over: every 10 % boundary falls between people of the list
    weights = 10 * rng.integers(0, 30, size=cells)
    weights[0] += 10
    people = _people(times, weights)
    expected = _reference(people, 3600.0)
    got = equity_figures(times, weights, threshold_min=60)
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, rel=1e-9, abs=1e-12), name
    assert got["population"] == weights.sum()
    assert got["mean_time_s"] == pytest.approx(people.mean())


def test_a_cell_on_a_boundary_is_split_there() -> None:
    # two people: the nearest 40 % is 0.8 of the first, the farthest 10 % 0.2 of the second
    assert palma(np.array([100.0, 300.0]), np.array([1.0, 1.0])) == pytest.approx(3.0)
    # one cell holds everyone: no inequality
    assert gini(np.array([500.0]), np.array([7.0])) == 0.0
    assert palma(np.array([500.0]), np.array([7.0])) == pytest.approx(1.0)
    # fractional people split exactly: 0.4 of 2.5 people is 1 person
    assert palma(np.array([10.0, 20.0, 50.0]), np.array([1.0, 1.25, 0.25])) == pytest.approx(5.0)


def test_unreached_cells_are_counted_apart() -> None:
    times = np.array([600.0, np.nan, 5400.0])
    figures = equity_figures(times, np.array([3.0, 5.0, 1.0]), threshold_min=60)
    assert figures["population"] == 4.0 and figures["population_unreached"] == 5.0
    assert figures["fgt0"] == 0.25
    assert fgt(np.array([5400.0]), np.array([1.0]), threshold=3600, alpha=2) == pytest.approx(0.25)
    empty = equity_figures(np.array([np.nan]), np.array([2.0]))
    assert empty["population"] == 0.0 and np.isnan(empty["gini"]) and np.isnan(empty["fgt0"])


def test_each_kind_of_unit_has_its_own_figures() -> None:
    times = np.array([600.0, 1200.0, 4000.0, 8000.0, 900.0])
    people = np.array([10.0, 20.0, 5.0, 5.0, 3.0])
    kinds = np.array(["urban", "urban", "rural", "rural", None], dtype=object)
    out = equity_by_kind(times, people, kinds, threshold_min=60)
    assert out["population"] == 43.0  # the unit of no kind counts overall
    assert out["urban"] == equity_figures(times[:2], people[:2], threshold_min=60)
    assert out["rural"] == equity_figures(times[2:4], people[2:4], threshold_min=60)
    assert out["rural"]["fgt0"] == 1.0 and out["urban"]["fgt0"] == 0.0
    assert equity_by_kind(times[:2], people[:2], kinds[:2])["rural"] is None


@pytest.mark.parametrize("scheme", ["2024", "2025"])
def test_the_registry_units_are_urban_or_rural_by_their_names(scheme, request) -> None:
    fac = request.getfixturevalue(f"registry_{scheme}")
    kinds = unit_kinds(fac)
    communes = fac[fac["level"] == "commune"]
    names = communes["commune"].astype(str)
    urban = names.str.startswith("Phường") | names.str.startswith("Thị trấn")
    rural = names.str.startswith("Xã")
    assert (urban | rural).all()
    mine = kinds.reindex(communes["facility_id"].astype(str))
    assert (mine == "urban").sum() == urban.sum() and (mine == "rural").sum() == rural.sum()
    assert kinds.reindex(fac.loc[fac["level"] != "commune", "facility_id"]).isna().all()
    # 2024: 175 phường and 21 thị trấn, 383 xã; 2025: 51 phường, 75 xã
    assert (int(urban.sum()), int(rural.sum())) == ((196, 383) if scheme == "2024" else (51, 75))


def test_the_hanoi_figures_equal_the_people_one_by_one(hanoi_graph, registry_2025) -> None:
    from planner.access.cells import cell_access

    units = registry_2025[registry_2025["level"] != "regional"]
    pairs = pd.DataFrame({"unit_id": units["facility_id"], "hospital_id": "hn-reg-xanhpon"})
    access = cell_access(hanoi_graph, registry_2025, pairs, district_units=False)
    section = access_equity(access)
    cells = access.cells
    weights = cells["population"].to_numpy(float)
    assert (weights == weights.round()).all()  # whole people: the list is exact
    kinds = cells["unit_id"].map(unit_kinds(registry_2025)).to_numpy(dtype=object)
    for name, column in (("sister", "time_to_sister_s"), ("nearest", "time_to_nearest_s")):
        times = cells[column].to_numpy(float)
        for kind in (None, "urban", "rural"):
            mine = np.isfinite(times) & ((kinds == kind) if kind else True)
            people = _people(times[mine], weights[mine])
            n = len(people)
            # the textbook Gini of a sorted list (no pairwise table for 8 million people)
            ranks = np.arange(1, n + 1)
            expected_gini = 2 * (ranks * people).sum() / (n * people.sum()) - (n + 1) / n
            figures = section[name] if kind is None else section[name][kind]
            assert figures["gini"] == pytest.approx(expected_gini, rel=1e-6)
            low = people[: int(0.4 * n)].mean()
            high = people[n - int(0.1 * n) :].mean()
            assert figures["palma"] == pytest.approx(high / low, rel=1e-5)
            assert figures["fgt0"] == pytest.approx(np.mean(people > 3600.0), abs=1e-9)
            gap = np.maximum(0.0, (people - 3600.0) / 3600.0)
            assert figures["fgt1"] == pytest.approx(gap.mean(), rel=1e-9, abs=1e-12)
            assert figures["fgt2"] == pytest.approx((gap**2).mean(), rel=1e-9, abs=1e-12)
    # everyone at Xanh Pôn: farther than their nearest hospital, and the xã farther still
    assert section["sister"]["fgt0"] > section["nearest"]["fgt0"]
    assert section["sister"]["rural"]["fgt0"] > section["sister"]["urban"]["fgt0"]
