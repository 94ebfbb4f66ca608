"""A scenario you can replay: every run writes ``scenario.toml``; ``planner replay`` and
``Session.from_scenario`` run it again, ``pairings.csv`` byte for byte, on a real Hanoi run
(2025) and on a user's facilities elsewhere (West Oakland on its OSM extract); an input that
changed since the run is refused by name and digests, or replayed with a warning."""

from __future__ import annotations

import hashlib
import json
import shutil
import tomllib
import warnings
from pathlib import Path

import pandas as pd
import pytest
from _paths import DATA, ROOT

from planner.app.cli import main
from planner.app.interactive.session import Session
from planner.app.pipeline.planning import PlanOptions, plan
from planner.app.pipeline.scenario import (
    SCENARIO_NAME,
    ChangedInputWarning,
    read_scenario,
)
from planner.app.pipeline.write import write_outputs
from planner.errors import PlannerInputError
from planner.io import with_former_districts, write_csv

OAKLAND = DATA / "west_oakland" / "facilities.csv"
#: Options away from the defaults, so that a replay that dropped one would differ.
HANOI_ARGS = [
    "--scheme", "2025", "--balance", "0.15", "--pin", "hn-com25-00004=hn-reg-heart",
    "--forbid", "hn-com25-00008=hn-reg-xanhpon", "--max-time", "150", "--depart", "07:30",
    "--objective", "pop-time", "--lang", "en", "--quiet",
]  # fmt: skip


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def hanoi_run(tmp_path_factory: pytest.TempPathFactory, hanoi_graph) -> Path:
    out = tmp_path_factory.mktemp("scenario") / "run"
    assert main(["propose", *HANOI_ARGS, "--out", str(out)]) == 0
    return out


def test_every_run_writes_its_scenario(hanoi_run: Path) -> None:
    doc = tomllib.loads((hanoi_run / SCENARIO_NAME).read_text(encoding="utf-8"))
    run = doc["run"]
    assert run["scheme"] == "2025" and run["cells"] is True and run["demand"] == "points"
    assert run["trip"] == {
        "mode": "car", "depart": "07:30", "peak_depart": "08:00", "directions": "both",
        "site_rule": "nearest",
    }  # fmt: skip
    request = run["request"]
    assert request["balance"] == 0.15 and request["max_travel_time_s"] == 150 * 60
    assert request["pins"] == {"hn-com25-00004": "hn-reg-heart"}
    assert request["forbidden"] == [["hn-com25-00008", "hn-reg-xanhpon"]]
    assert run["pilot_pairs"] == [["Huyện Ba Vì", "hn-reg-xanhpon"]]
    assert doc["outputs"] == {"lang": "en", "map": False, "report": False, "whatif": True}
    assert doc["planner_version"] == __import__("planner").__version__
    # every input file with the digest of its content, computed here independently
    files = {(f["folder"], f["name"]): f for f in doc["files"]}
    from planner.config import authored_dir, data_dir

    tiles = files["data", "hanoi_osm_2021-08_z14.mbtiles"]
    assert tiles["role"] == "roads"
    assert tiles["sha256"] == _sha256(data_dir() / "hanoi_osm_2021-08_z14.mbtiles")
    raster = files["data", "vnm_ppp_2020_1km_Aggregated_UNadj.tif"]  # the cells' people
    assert raster["role"] == "population"
    assert files["authored", "speeds.csv"]["sha256"] == _sha256(authored_dir() / "speeds.csv")
    assert files["authored", "regional_hospitals.csv"]["role"] == "registry"
    assert files["data", "hanoi_population_commune_census2019.csv"]["role"] == "facilities"


def test_replay_writes_the_same_pairings_byte_for_byte(hanoi_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "again"
    assert main(["replay", str(hanoi_run / SCENARIO_NAME), "--out", str(out), "--quiet"]) == 0
    assert (out / "pairings.csv").read_bytes() == (hanoi_run / "pairings.csv").read_bytes()
    assert (out / SCENARIO_NAME).read_bytes() == (hanoi_run / SCENARIO_NAME).read_bytes()
    assert (out / "coverage.csv").read_bytes() == (hanoi_run / "coverage.csv").read_bytes()
    first = json.loads((hanoi_run / "scores.json").read_text(encoding="utf-8"))
    again = json.loads((out / "scores.json").read_text(encoding="utf-8"))
    assert again == first
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in hanoi_run.iterdir())


def test_replay_defaults_to_a_folder_beside_the_scenario(hanoi_run: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(hanoi_run, copy)
    assert main(["replay", str(copy / SCENARIO_NAME), "--quiet"]) == 0
    assert (copy / "replay" / "pairings.csv").read_bytes() == (copy / "pairings.csv").read_bytes()


def test_a_session_from_the_scenario_plans_the_same_run(hanoi_run: Path, tmp_path: Path) -> None:
    session = Session.from_scenario(hanoi_run / SCENARIO_NAME)
    run = session.plan()  # the scenario's options are the session's default
    assert run.options.request.balance == 0.15 and run.options.trip.depart == "07:30"
    # as the run wrote it: a 2025 file names the former districts
    written = write_csv(
        with_former_districts(run.proposal.pairings, former=True), tmp_path / "pairings.csv"
    )
    assert written.read_bytes() == (hanoi_run / "pairings.csv").read_bytes()
    # and a change from there is one keyword away
    other = session.plan(balance=0.3)
    assert other.options.request.balance == 0.3 and other.matrix is run.matrix


# --------------------------------------------------------------------------- elsewhere: Oakland


@pytest.fixture(scope="module")
def oakland_run(tmp_path_factory: pytest.TempPathFactory, data_folder: Path):
    """A run on a user's facilities (a copy, which the tests then change) and OSM extract."""
    roads = data_folder / "fixtures" / "west_oakland_osm.osm.bz2"
    assert roads.exists(), f"the West Oakland fixture is missing: {roads}"
    folder = tmp_path_factory.mktemp("oakland")
    facilities = folder / "facilities.csv"
    shutil.copyfile(OAKLAND, facilities)
    out = folder / "run"
    args = ["propose", "--facilities", str(facilities), "--source", str(roads), "--scheme",
            "2025", "--no-pilot", "--out", str(out), "--quiet"]  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(args) == 0
    return out, facilities, roads


def test_a_user_facility_run_replays_byte_for_byte(oakland_run, tmp_path: Path) -> None:
    out, facilities, roads = oakland_run
    doc = tomllib.loads((out / SCENARIO_NAME).read_text(encoding="utf-8"))
    assert doc["inputs"]["facilities"] == str(facilities.resolve())
    assert doc["inputs"]["source"] == str(roads.resolve())
    assert doc["run"]["pilot"] is False
    roles = {f["role"]: f for f in doc["files"]}
    assert roles["facilities"]["sha256"] == _sha256(facilities)
    assert roles["roads"]["sha256"] == _sha256(roads)
    assert "population" not in roles  # no raster covers Oakland: no cells were computed
    again = tmp_path / "again"
    assert main(["replay", str(out / SCENARIO_NAME), "--out", str(again), "--quiet"]) == 0
    assert (again / "pairings.csv").read_bytes() == (out / "pairings.csv").read_bytes()
    pairings = pd.read_csv(again / "pairings.csv")
    assert len(pairings) == 6 and pairings["hospital_id"].notna().all()


def test_a_changed_input_is_named_with_both_digests(oakland_run, tmp_path: Path) -> None:
    out, facilities, _ = oakland_run
    scenario = tmp_path / SCENARIO_NAME
    shutil.copyfile(out / SCENARIO_NAME, scenario)
    before = _sha256(facilities)
    original = facilities.read_bytes()
    try:
        facilities.write_bytes(original.replace(b"Oakland", b"Oak-land", 1))
        after = _sha256(facilities)
        assert after != before
        with pytest.raises(PlannerInputError) as caught:
            read_scenario(scenario)
        message = str(caught.value)
        assert str(facilities.resolve()) in message
        assert before in message and after in message
        assert "--allow-changed-inputs" in message
        # the command says it in one paragraph (exit 2), and writes nothing
        code = main(["replay", str(scenario), "--out", str(tmp_path / "refused"), "--quiet"])
        assert code == 2 and not (tmp_path / "refused").exists()
        # told to go on: a warning naming the file, and the run with today's file
        with pytest.warns(ChangedInputWarning, match="facilities file changed"):
            session = Session.from_scenario(scenario, allow_changed_inputs=True)
        _, paths = session.replay(tmp_path / "anyway")
        assert paths["pairings.csv"].exists()
        assert b"Oak-land" in paths["pairings.csv"].read_bytes()
    finally:
        facilities.write_bytes(original)


def test_a_missing_input_is_named(oakland_run, tmp_path: Path) -> None:
    out, _, _ = oakland_run
    text = (out / SCENARIO_NAME).read_text(encoding="utf-8")
    gone = tmp_path / "gone.csv"
    doc = tomllib.loads(text)
    old = doc["inputs"]["facilities"]
    scenario = tmp_path / SCENARIO_NAME
    scenario.write_text(text.replace(json.dumps(old), json.dumps(str(gone))), encoding="utf-8")
    with pytest.raises(PlannerInputError, match="the file is gone") as caught:
        read_scenario(scenario)
    assert str(gone) in str(caught.value)


# --------------------------------------------------------------------------- what cannot replay


def test_facilities_given_in_memory_cannot_be_replayed(tmp_path: Path, registry_2025) -> None:
    run = plan(PlanOptions(scheme="2025", cells=False), facilities=registry_2025)
    paths = write_outputs(run, tmp_path, map=False, report=False)
    doc = tomllib.loads(paths[SCENARIO_NAME].read_text(encoding="utf-8"))
    assert doc["inputs"]["unknown"] == ["facilities"]
    with pytest.raises(PlannerInputError, match="given in memory") as caught:
        read_scenario(paths[SCENARIO_NAME])
    assert caught.value.field == "inputs.unknown"


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda d: d["run"]["request"].pop("objective"), "run.request.objective"),
        (lambda d: d["run"]["trip"].update(mode="bicycle"), "run.trip.mode"),
        (lambda d: d["run"].update(colour="red"), "run.colour"),
        (lambda d: d["outputs"].update(lang="fr"), "outputs.lang"),
    ],
)
def test_a_bad_setting_is_named(hanoi_run: Path, tmp_path: Path, edit, field) -> None:
    import tomli_w

    doc = tomllib.loads((hanoi_run / SCENARIO_NAME).read_text(encoding="utf-8"))
    edit(doc)
    path = tmp_path / SCENARIO_NAME
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    with pytest.raises(PlannerInputError) as caught:
        read_scenario(path)
    assert caught.value.field == field
    assert str(path) in str(caught.value)


def test_a_left_out_balance_is_no_balance(hanoi_run: Path, tmp_path: Path) -> None:
    """TOML has no null: a setting that is off is left out, and read back as off."""
    import tomli_w

    doc = tomllib.loads((hanoi_run / SCENARIO_NAME).read_text(encoding="utf-8"))
    del doc["run"]["request"]["balance"]
    path = tmp_path / SCENARIO_NAME
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    assert read_scenario(path).options.request.balance is None


# --------------------------------------------------------------------------- growth


def test_a_growth_run_replays_its_sites(tmp_path: Path, hanoi_graph) -> None:
    out = tmp_path / "growth"
    candidates = ROOT / "tests" / "data" / "siting_candidates.csv"
    args = ["propose", "--scheme", "2025", "--no-cells", "--candidates", str(candidates),
            "--open", "1-2", "--out", str(out), "--quiet"]  # fmt: skip
    assert main(args) == 0
    doc = tomllib.loads((out / SCENARIO_NAME).read_text(encoding="utf-8"))
    assert doc["inputs"]["candidates"] == str(candidates.resolve())
    assert doc["inputs"]["k"] == [1, 2]
    again = tmp_path / "again"
    assert main(["replay", str(out / SCENARIO_NAME), "--out", str(again), "--quiet"]) == 0
    for name in ("pairings.csv", "siting.csv", "siting_by_k.csv", SCENARIO_NAME):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name
