"""A growth run's outputs on the Hanoi data: the report and the map show the candidate sites
(new sites, the others greyed), the gain against the network without them and what each extra
site buys; the report names the pairs the worst hour would break; ``pairings.gpkg`` gets a
``candidates`` layer; the Session plans growth as :func:`planner.app.growth.siting.plan_growth` does.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from planner.app.growth.siting import plan_growth, write_growth
from planner.app.interactive.session import Session
from planner.app.pipeline import PlanOptions
from planner.config import ROBUST_DEPARTS
from planner.outputs.formatting import Formatter
from planner.pairing.siting import SITING_COLUMNS

CANDIDATES = "tests/data/siting_candidates.csv"


def _section(page: str, section: str) -> str:
    start = page.index(f'<section id="{section}">')
    return page[start : page.index("</section>", start)]


def _text(markup: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


@pytest.fixture(scope="module")
def grown(hanoi_graph, tmp_path_factory):
    growth = plan_growth(PlanOptions(scheme="2024", cells=False), candidates=CANDIDATES, k=[1, 2],
                         graph=hanoi_graph)  # fmt: skip
    out = tmp_path_factory.mktemp("growth")
    write_growth(growth, out, lang="en")
    return growth, out


def test_the_report_says_what_the_new_sites_buy(grown):
    growth, out = grown
    siting = growth.siting
    page = (out / "report.html").read_text(encoding="utf-8")
    part = _section(page, "growth")
    text = _text(part)
    f = Formatter("en")
    base, last = siting.baseline, siting.by_k.iloc[-1]
    assert len(siting.opened) == 2
    for name in siting.candidates.loc[siting.candidates["opened"], "name"]:
        assert name in text.split("Each candidate")[0]  # named in the paragraph
    gain = f.number(base["mean_min"] - last["mean_min"], decimals=1)
    people = f.people(last["people_within_60"] - base["people_within_60"])
    assert f"falls by {gain} min" in text and f"{people} more people" in text
    # one row per candidate: its decision and its gains alone
    for row in siting.candidates.itertuples():
        decision = "new site" if row.opened else "not opened"
        assert f"{row.name} " in text
        assert f"{decision} {f.number(row.gain_min, decimals=1, signed=True)} " in text
    # what each extra site buys: the step from one site fewer, and a chart
    first, second = siting.by_k["people_within_60"].astype(float)
    assert f.number(second - first, signed=True) in text
    assert f.number(first - base["people_within_60"], signed=True) in text
    assert part.count("<svg") == 1 and "What each extra site buys" in text
    assert 'id="growth"' not in (out / "map.html").read_text(encoding="utf-8")


def test_a_plain_report_has_no_growth_section(demo_dir: Path):
    assert 'id="growth"' not in (demo_dir / "report.html").read_text(encoding="utf-8")


def test_the_map_rings_the_new_sites_and_greys_the_others(grown):
    growth, out = grown
    page = (out / "map.html").read_text(encoding="utf-8")
    assert "Candidate sites" in page and "candidate site, not opened" in page
    for row in growth.siting.candidates.itertuples():
        assert json.dumps(row.name)[1:-1] in page  # in the layer's GeoJSON
    # a grey icon per candidate left closed, a dashed ring per new site (with the legend's)
    closed = int((~growth.siting.candidates["opened"]).sum())
    assert page.count("#9e9e9e") == closed + 1  # the features' icons and the legend's
    assert page.count('stroke-dasharray=\\"6 3\\"') == len(growth.siting.opened)


def test_the_geopackage_has_the_candidates(grown):
    growth, out = grown
    gpkg = out / "pairings.gpkg"
    names = [name for name, _ in pyogrio.list_layers(gpkg)]
    assert names == ["units", "hospitals", "links", "areas", "candidates", "layer_styles"]
    layer = pyogrio.read_dataframe(gpkg, layer="candidates")
    columns = []  # siting.csv's, each time in seconds followed by its minutes
    for column in ["facility_id", "name", *SITING_COLUMNS[1:]]:
        columns += [column, column[:-2] + "_min"] if column.endswith("_s") else [column]
    assert list(layer.columns.drop("geometry")) == columns
    siting = pd.read_csv(out / "siting.csv")
    assert layer["facility_id"].tolist() == siting["facility_id"].tolist()
    assert layer["opened"].astype(bool).tolist() == siting["opened"].tolist()
    candidates = pd.read_csv(CANDIDATES)
    assert layer.geometry.x.round(4).tolist() == candidates["lon"].round(4).tolist()
    # the opened ones are sites of their hospital
    hospitals = pyogrio.read_dataframe(gpkg, layer="hospitals")
    assert set(growth.siting.opened) <= set(hospitals["facility_id"])


def test_the_report_names_the_pairs_the_worst_hour_breaks(hanoi_graph, tmp_path):
    # Ba Vì's farthest commune (2025) is 89 min from Xanh Pon at 10:00 and 102 at 17:30
    options = PlanOptions(scheme="2025", cells=False, pilot=False, max_travel_time_s=100 * 60.0)
    growth = plan_growth(options, robust=ROBUST_DEPARTS, graph=hanoi_graph)
    write_growth(growth, tmp_path, map=False, lang="en")
    assert growth.robust is not None
    broken = growth.robust[growth.robust["breaks"]]
    assert len(broken) >= 1
    text = _text(_section((tmp_path / "report.html").read_text(encoding="utf-8"), "growth"))
    assert f"{len(broken)} pairs within 100 min then would go over it" in text
    names = growth.run.proposal.pairings.set_index("unit_id")["unit_name"]
    hours = [f"time_{d.replace(':', '')}_s" for d in ROBUST_DEPARTS if d != options.depart]
    for row in broken.itertuples():
        worst = max(getattr(row, h) for h in hours)
        assert f"{names[row.unit_id]} – " in text
        assert f"{Formatter('en').minutes(worst)} at " in text


def test_the_session_plans_growth_like_the_function(hanoi_graph, grown):
    growth, _ = grown
    session = Session(graph=hanoi_graph)
    again = session.plan_growth(
        PlanOptions(scheme="2024", cells=False), candidates=CANDIDATES, k=[1, 2]
    )
    assert again.siting is not None and growth.siting is not None
    assert again.siting.opened == growth.siting.opened
    assert again.siting.objective_value == pytest.approx(growth.siting.objective_value)
    assert again.run.graph is session.graph
    page = session.map(again.run, candidates=again.siting.candidates, whatif=False, lang="en")
    assert "Candidate sites" in page.get_root().render()


def test_a_hostile_candidate_name_stays_text(hanoi_graph, tmp_path):
    hostile = "<img src=x onerror=alert(1)>"
    candidates = pd.read_csv(CANDIDATES).assign(name=[hostile, "b", "c"])
    growth = plan_growth(
        PlanOptions(scheme="2024", cells=False), candidates=candidates, k=1, graph=hanoi_graph
    )
    assert growth.siting is not None and growth.siting.candidates["name"].iloc[0] == hostile
    write_growth(growth, tmp_path, lang="en", whatif=False)
    for page in ("report.html", "map.html"):
        assert "<img src=x" not in (tmp_path / page).read_text(encoding="utf-8"), page
    layer = pyogrio.read_dataframe(tmp_path / "pairings.gpkg", layer="candidates")
    assert layer["name"].iloc[0] == hostile  # the GIS file keeps the text as written


def _read_as_officials_do(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return _text(page).strip()


def test_a_report_rebuilt_from_a_growth_folder_says_what_the_run_said(grown, tmp_path):
    """`planner report DIR` on a growth run's folder: the opened sites are sites again (its
    pairs use them; the folder was refused before), and the report says word for word what the
    run's own report said, growth section included (scores.json keeps the candidates)."""
    from planner.app.pipeline.report_folder import report_dir

    growth, out = grown
    scores = json.loads((out / "scores.json").read_text(encoding="utf-8"))
    assert scores["siting"]["opened"] == list(growth.siting.opened)
    work = tmp_path / "again"
    shutil.copytree(out, work)
    rebuilt = report_dir(work, lang="en").read_text(encoding="utf-8")
    live = (out / "report.html").read_text(encoding="utf-8")
    assert "Sơn Tây" in _section(rebuilt, "growth")
    assert _read_as_officials_do(rebuilt) == _read_as_officials_do(live)


def test_a_report_rebuilt_from_a_robust_folder_names_the_same_broken_pairs(hanoi_graph, tmp_path):
    options = PlanOptions(scheme="2025", cells=False, pilot=False, max_travel_time_s=100 * 60.0)
    growth = plan_growth(options, robust=ROBUST_DEPARTS, graph=hanoi_graph)
    write_growth(growth, tmp_path / "run", map=False, lang="en")
    live = _section((tmp_path / "run" / "report.html").read_text(encoding="utf-8"), "growth")
    from planner.app.pipeline.report_folder import report_dir

    def rebuilt() -> str:
        page = report_dir(tmp_path / "run", lang="en").read_text(encoding="utf-8")
        return _text(_section(page, "growth"))

    assert "would go over it" in rebuilt()
    assert rebuilt() == _text(live)
    # robust.csv saved again by a spreadsheet in a decimal-comma locale reads the same
    robust = tmp_path / "run" / "robust.csv"
    table = pd.read_csv(robust)
    table.to_csv(robust, sep=";", decimal=",", index=False)
    assert ";" in robust.read_text(encoding="utf-8").splitlines()[0]
    assert rebuilt() == _text(live)
    # and a cell that is no number is an error naming the file, row and column
    table["worst_s"] = table["worst_s"].astype(object)
    table.loc[0, "worst_s"] = "soon"
    table.to_csv(robust, index=False)
    from planner.errors import PlannerInputError

    with pytest.raises(PlannerInputError) as err:
        report_dir(tmp_path / "run", lang="en")
    assert (err.value.file, err.value.row, err.value.field) == (str(robust), 1, "worst_s")


def test_an_incomplete_siting_record_is_an_error_naming_the_file(grown, tmp_path):
    from planner.app.pipeline.report_folder import report_dir
    from planner.errors import PlannerInputError

    _, out = grown
    work = tmp_path / "broken"
    shutil.copytree(out, work)
    scores = json.loads((work / "scores.json").read_text(encoding="utf-8"))
    del scores["siting"]["baseline"]
    (work / "scores.json").write_text(json.dumps(scores), encoding="utf-8")
    with pytest.raises(PlannerInputError) as err:
        report_dir(work, lang="en")
    assert err.value.file == str(work / "scores.json") and err.value.field == "siting"
    assert "baseline" in str(err.value)
