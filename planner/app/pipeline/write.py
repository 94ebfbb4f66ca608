"""Writing a run's files: pairings, scores, cell tables, GeoPackage, map and report.

:func:`write_outputs` writes ``pairings.csv``, ``pairings.xlsx`` (the decision as officials open
it in Excel), ``pairings.geojson``, ``scores.json``, ``scenario.toml`` (the run's options and
input files, to replay it), ``pairings.gpkg``, ``access_cells.csv``, ``coverage.csv`` and, on
request, ``map.html`` and
``report.html`` — each atomically, after everything has been computed, so a failed run leaves
earlier outputs intact. :func:`run_map` is the run's map and :func:`run_whatif` what its
what-if panel needs.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd

from planner.app.pipeline.documents import options_document, scored_document, scores_document
from planner.app.pipeline.inputs import is_hanoi_registry
from planner.app.pipeline.scenario import SCENARIO_NAME, scenario_of, write_scenario
from planner.config import available_cpus
from planner.io.atomic import write_json, write_vector_atomic
from planner.io.pairings import with_former_districts
from planner.io.spreadsheet import write_csv
from planner.outputs.i18n import DEFAULT_LANG
from planner.places.hanoi.ids import registry_scheme

if TYPE_CHECKING:
    import folium
    import pandas as pd

    from planner.app.pipeline.planning import PlanningRun
    from planner.app.pipeline.scored import ScoredPairing
    from planner.outputs.map.whatif import WhatIf
    from planner.pairing.siting import SitingResult


def write_outputs(
    run: PlanningRun,
    out_dir: str | Path,
    *,
    map: bool = True,
    report: bool = True,
    lang: str = DEFAULT_LANG,
    whatif: bool = True,
    siting: SitingResult | None = None,
    robust: pd.DataFrame | None = None,
) -> dict[str, Path]:
    """Write a run's files into ``out_dir`` and return their paths by name.

    Everything is rendered in memory first; each file is then written atomically, so an
    error leaves the previous outputs intact. ``pairings.csv`` is spreadsheet-safe
    (:func:`planner.io.write_csv`); ``pairings.gpkg`` holds the same tables as layers for a GIS
    office (:mod:`planner.outputs.geopackage`). With the run's population cells, ``access_cells.csv`` and
    ``coverage.csv`` (:func:`planner.access.cells.access_tables`) too, and the map gets the
    travel-time surface. With the report, ``approximate_locations.csv`` lists the units placed
    at a population centre or a centroid (the report shows their count per district).

    Parameters
    ----------
    run
        What :func:`planner.app.pipeline.planning.plan` returned.
    out_dir
        The output folder (created if needed).
    map, report
        Also write ``map.html`` and ``report.html``.
    lang
        Language of the map and the report: ``"vi"`` (default) or ``"en"``.
    whatif
        Let the map's readers reassign units and see the scores move, offline
        (:class:`planner.outputs.map.WhatIf`, from the run's two matrices).
    siting, robust
        A growth run's choice of candidate sites and pairs at every hour
        (:class:`planner.app.growth.siting.GrowthRun`): the map draws the candidates, the report
        says what they buy and which pairs the other hours break, and ``pairings.gpkg`` gets a
        ``candidates`` layer.

    Returns
    -------
    dict
        File name -> path, in the order written.

    Examples
    --------
    A run without cells, files without the map and the report (a run with cells also writes
    ``access_cells.csv`` and ``coverage.csv``):

    >>> import os, tempfile
    >>> from planner.app.pipeline.planning import PlanOptions, plan
    >>> run = plan(PlanOptions(scheme="2025", cells=False))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     paths = write_outputs(run, folder, map=False, report=False)
    ...     list(paths), sorted(os.listdir(folder))  # doctest: +NORMALIZE_WHITESPACE
    (['pairings.csv', 'pairings.xlsx', 'pairings.geojson', 'scores.json', 'scenario.toml',
      'pairings.gpkg'],
     ['pairings.csv', 'pairings.geojson', 'pairings.gpkg', 'pairings.xlsx', 'scenario.toml',
      'scores.json'])
    """
    out = Path(out_dir)
    former = registry_scheme(run.facilities) == "2025"  # the units lie in former districts
    pairings = with_former_districts(run.proposal.pairings, former=former)
    candidates = None if siting is None else siting.candidates
    # The documents, the map and the GIS layers are independent: rendered side by side (numpy,
    # pandas, GEOS and HiGHS release the GIL for much of it), then written one by one.
    areas = None  # read once for the map and the GIS layers
    if is_hanoi_registry(run.facilities):
        from planner.places.hanoi.areas import hanoi_areas

        areas = hanoi_areas(scheme=run.options.scheme)
    with ThreadPoolExecutor(max_workers=available_cpus()) as pool:
        scores_job = pool.submit(scores_document, run)
        map_job = (
            pool.submit(run_map, run, lang=lang, whatif=whatif, areas=areas, candidates=candidates)
            if map or report
            else None
        )
        layers_job = pool.submit(_gis_layers, run, candidates, areas)
        geo = with_former_districts(run.proposal.to_geodataframe(run.facilities), former=former)
        tables = {}
        if run.access is not None and run.coverage is not None:
            from planner.access.tables import access_tables

            tables = access_tables(run.access, run.coverage)
        scores = scores_job.result()
        if siting is not None:  # kept with the scores, so a report made from the folder says it
            scores["siting"] = siting.figures.to_dict()
        rendered_map = None if map_job is None else map_job.result()
        layers = {
            name: with_former_districts(layer, former=former)
            for name, layer in layers_job.result().items()
        }
    # every option and input file (with its digest), to run it again: `planner replay`
    scenario = scenario_of(run, lang=lang, map=map, report=report, whatif=whatif)
    from planner.outputs.geopackage import write_geopackage
    from planner.outputs.report.workbook import WORKBOOK_NAME, write_workbook

    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "pairings.csv": write_csv(pairings, out / "pairings.csv"),
        "pairings.xlsx": write_workbook(
            out / WORKBOOK_NAME, pairings=run.proposal.pairings, scores=scores, facilities=run.facilities,
            lang=lang,
        ),
        "pairings.geojson": write_vector_atomic(geo, out / "pairings.geojson"),
        "scores.json": write_json(scores, out / "scores.json"),
        **{name: write_csv(table, out / name) for name, table in tables.items()},
        SCENARIO_NAME: write_scenario(scenario, out / SCENARIO_NAME),
    }  # fmt: skip
    paths["pairings.gpkg"] = write_geopackage(out / "pairings.gpkg", layers)
    if map and rendered_map is not None:
        from planner.outputs.map.build import save_map

        paths["map.html"] = save_map(rendered_map, out / "map.html")
    if report:
        from planner.outputs.report import APPROXIMATE_CSV
        from planner.outputs.report.build import write_report

        paths["report.html"] = write_report(
            out / "report.html",
            pairings=run.proposal.pairings,  # the report names former districts itself
            scores=scores,
            facilities=run.facilities,
            map=rendered_map,
            compare=run.nearest,
            lang=lang,
            siting=None if siting is None else siting.figures,
            robust=robust,
            max_travel_time_s=run.options.max_travel_time_s,
        )
        if (out / APPROXIMATE_CSV).exists():
            paths[APPROXIMATE_CSV] = out / APPROXIMATE_CSV
    return paths


def write_scored(
    scored: ScoredPairing, out_dir: str | os.PathLike[str], *, lang: str = DEFAULT_LANG
) -> dict[str, Path]:
    """Write a scored pairing as a folder :func:`planner.outputs.report.write_report` (``planner
    report``) can render: the completed ``pairings.csv``, its workbook ``pairings.xlsx`` and
    ``scores.json``, atomically.

    Parameters
    ----------
    scored
        What :func:`planner.app.pipeline.scored.score_pairings_file` returned.
    out_dir
        The output folder (created if needed).
    lang
        Language of the workbook: ``"vi"`` (default) or ``"en"``.

    Returns
    -------
    dict
        File name -> path.

    Examples
    --------
    >>> import os, pathlib, tempfile
    >>> from planner.app.pipeline.scored import score_pairings_file
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "officials.csv"
    ...     _ = path.write_text("unit_id,hospital_id\\nhn-dist-271,hn-reg-xanhpon\\n")
    ...     paths = write_scored(score_pairings_file(path), pathlib.Path(folder) / "scored")
    ...     list(paths), sorted(os.listdir(paths["scores.json"].parent))
    (['pairings.csv', 'pairings.xlsx', 'scores.json'], ['pairings.csv', 'pairings.xlsx', 'scores.json'])
    """
    from planner.outputs.report.workbook import WORKBOOK_NAME, write_workbook

    out = Path(out_dir)
    document = scored_document(scored)  # everything computed before anything is written
    out.mkdir(parents=True, exist_ok=True)
    return {
        "pairings.csv": write_csv(
            with_former_districts(
                scored.pairings, former=registry_scheme(scored.facilities) == "2025"
            ),
            out / "pairings.csv",
        ),
        "pairings.xlsx": write_workbook(
            out / WORKBOOK_NAME,
            pairings=scored.pairings,
            scores=document,
            facilities=scored.facilities,
            lang=lang,
        ),
        "scores.json": write_json(document, out / "scores.json"),
    }


def _gis_layers(
    run: PlanningRun, candidates: pd.DataFrame | None, areas: gpd.GeoDataFrame | None
) -> dict[str, Any]:
    """The layers of ``pairings.gpkg``: the run's tables, its areas (Hanoi), cells, candidates."""
    from planner.outputs.geopackage import geopackage_layers

    return geopackage_layers(
        run.proposal.pairings, run.facilities, areas=areas, cells=run.access, candidates=candidates
    )


def run_map(
    run: PlanningRun,
    *,
    lang: str = DEFAULT_LANG,
    whatif: bool = True,
    areas: gpd.GeoDataFrame | None = None,
    candidates: pd.DataFrame | None = None,
) -> folium.Map:
    """The map of a run (what :func:`write_outputs` saves as ``map.html``): the proposal beside
    the nearest-hospital option, titled with the run's scenario, with the what-if panel.

    Parameters
    ----------
    run
        What :func:`planner.app.pipeline.planning.plan` returned.
    lang
        ``"vi"`` (default) or ``"en"``.
    whatif
        Add the what-if panel (:func:`run_whatif`).
    areas
        The Hanoi areas of the run's scheme when already loaded (default: loaded here, for
        the Hanoi registry only).
    candidates
        A growth run's candidate sites (:attr:`planner.pairing.siting.SitingResult.candidates`),
        drawn as new sites or greyed; ``None``: none.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> from planner.app.pipeline.planning import PlanOptions, plan
    >>> m = run_map(plan(PlanOptions(scheme="2025", cells=False)), lang="en", whatif=False)
    >>> html = m.get_root().render()
    >>> html.split("<title>")[1].split(" — ")[0]
    'Sister hospitals, Hanoi'
    >>> "Units whose sister hospital differs in the nearest-hospital option" in html
    True
    """
    from planner.outputs.formatting import map_title, scenario_parts
    from planner.outputs.i18n import Translator
    from planner.outputs.map.build import pairing_map

    options = options_document(run)  # the titles need the settings, not the figures
    if areas is None and is_hanoi_registry(run.facilities):
        from planner.places.hanoi.areas import hanoi_areas

        areas = hanoi_areas(scheme=run.options.scheme)
    return pairing_map(
        run.proposal.pairings,
        run.facilities,
        areas=areas,
        compare=run.nearest,
        compare_label=Translator(lang)("map.nearest"),
        graph=run.graph,
        trip=run.options.trip,
        title=map_title(options, lang=lang),
        subtitle=" · ".join(scenario_parts(options, lang=lang)),
        self_contained=True,
        lang=lang,
        whatif=run_whatif(run) if whatif else None,
        surface=run.access,
        candidates=candidates,
    )


def run_whatif(run: PlanningRun) -> WhatIf:
    """What a map of the run needs for its what-if panel: the run's two matrices and rules.

    Parameters
    ----------
    run : PlanningRun
        What :func:`planner.app.pipeline.planning.plan` returned.

    Returns
    -------
    planner.outputs.map.WhatIf
        The run's matrices at its departure and peak times, with its trip rule, its
        grouping and the ``planner score`` command that gives the page's figures for its
        download (:func:`planner.app.cli.command_line.score_command`).

    Examples
    --------
    >>> from planner.app.pipeline.planning import PlanOptions, plan
    >>> whatif = run_whatif(plan(PlanOptions(scheme="2025", cells=False)))
    >>> whatif.trip.peak_depart, whatif.score_command
    ('08:00', 'planner score pairings_whatif.csv --scheme 2025 --mode car --depart 10:00')
    """
    from planner.app.cli.command_line import score_command
    from planner.outputs.map.whatif import DOWNLOAD_NAME, WhatIf

    trip = run.options.trip
    scheme = run.options.scheme if is_hanoi_registry(run.facilities) else None
    return WhatIf(
        run.matrix,
        matrix_peak=run.matrix_peak,
        trip=trip,
        hierarchical=run.options.request.hierarchical,
        score_command=score_command(DOWNLOAD_NAME, scheme=scheme, trip=trip),
    )
