"""A report from a folder: ``report.html`` from the ``pairings.csv`` and ``scores.json`` that
``planner propose`` or ``planner score --out`` wrote, alone or beside another such folder.

:func:`report_dir` reads the folder back (refusing, with the exact ``planner score`` command
that completes it, a folder holding only a pairing), rebuilds the map (with the run's
population cells when it had them) and writes the report. A growth run's folder gives its
candidates back too (``scores.json``'s ``siting``: the opened sites are sites of their
hospitals again) and its pairs at every hour (``robust.csv``), so the report says what the
run's own report said.
"""

from __future__ import annotations

import functools
import json
import os
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from planner.app.pipeline.inputs import facilities_for, is_hanoi_registry, road_network
from planner.app.pipeline.scored import SCORED_COLUMNS
from planner.config import DEFAULT_SCHEME
from planner.errors import PlannerInputError, collapse_problems
from planner.io.pairings import read_pairings
from planner.outputs.i18n import DEFAULT_LANG
from planner.requests import DEFAULT_TRIP, TripRule

if TYPE_CHECKING:
    from planner.pairing.siting import SitingFigures


@dataclass(frozen=True)
class _ReportFolder:
    """``pairings.csv`` and ``scores.json`` of a folder written by ``propose`` or ``score``,
    and a growth run's candidates (from ``scores.json``) and pairs at every hour
    (``robust.csv``)."""

    pairings: pd.DataFrame
    scores: dict[str, Any]
    facilities: gpd.GeoDataFrame
    scheme: str
    siting: SitingFigures | None = None
    robust: pd.DataFrame | None = None


def _growth_of(scores_path: Path) -> SitingFigures | None:
    """The candidates a growth run recorded in its ``scores.json`` (None: not a growth run, or
    the file is unreadable, which is reported where it is read)."""
    from planner.pairing.siting import SitingFigures

    try:
        record = json.loads(scores_path.read_text(encoding="utf-8")).get("siting")
    except (OSError, ValueError, UnicodeDecodeError, AttributeError):
        return None
    if record is None:
        return None
    try:
        return SitingFigures.from_dict(record)
    except PlannerInputError as exc:  # the record's own words, with the file it is in
        raise PlannerInputError(
            exc.problem, file=scores_path, field=exc.field, hint=exc.hint
        ) from None


def _with_opened_sites(fac: gpd.GeoDataFrame, siting: SitingFigures) -> gpd.GeoDataFrame:
    """The facilities with the opened candidates as sites of their hospitals, as the run had
    them (its pairs may use them)."""
    from planner.pairing.siting import candidate_sites, facilities_with_sites

    opened = siting.candidates[siting.candidates["opened"]]
    if opened.empty:
        return fac
    given = opened[["facility_id", "name", "hospital_id", "lat", "lon"]]
    return facilities_with_sites(fac, candidate_sites(fac[fac["level"] == "regional"], given))


def _check_hanoi_run(folder: Path, scores_path: Path) -> None:
    """A run recorded as not on the Hanoi registry needs its own facilities and roads: say so
    (with the roads it used) rather than ask for a Hanoi data file."""
    try:
        options = json.loads(scores_path.read_text(encoding="utf-8")).get("options") or {}
    except (OSError, ValueError, UnicodeDecodeError, AttributeError):
        return  # a missing or unreadable file is reported where it is read
    if "region" not in options or options["region"] is not None:
        return
    roads = options.get("roads")
    source = f" --source {shlex.quote(str(roads))}" if roads else " --source ROADS"
    raise PlannerInputError(
        "this run's facilities are not the Hanoi registry, and the report needs them",
        file=folder,
        hint=f"give the facility file the run used: `planner report {shlex.quote(str(folder))} "
        f"--facilities FILE{source}`",
    )


def _read_report_folder(
    folder: Path,
    *,
    scheme: str,
    facilities: str | os.PathLike[str] | None,
    source: str | os.PathLike[str] | None,
    thousands: str | None,
) -> _ReportFolder:
    """Read a report folder; a folder holding only a pairing (made by hand, or without its
    scores) is refused with the exact ``planner score`` command that completes it."""
    pairings_path = folder / "pairings.csv"
    scores_path = folder / "scores.json"
    if not pairings_path.exists():
        raise PlannerInputError(
            "file not found",
            file=pairings_path,
            hint=f"run `planner propose --out {shlex.quote(str(folder))}` first, or put a "
            "pairing there and score it with `planner score`",
        )
    from planner.io.pairings import detect_scheme

    if facilities is None:
        _check_hanoi_run(folder, scores_path)
        scheme = detect_scheme(pairings_path, scheme)
    fac = facilities_for(scheme, facilities, thousands=thousands)  # already checked when scored
    siting = _growth_of(scores_path) if scores_path.exists() else None
    if siting is not None:
        fac = _with_opened_sites(fac, siting)
    table = read_pairings(pairings_path, fac)
    incomplete = [c for c in SCORED_COLUMNS if c not in table.columns]
    if incomplete or not scores_path.exists():
        missing = (
            f"{scores_path.name} is missing" if not scores_path.exists() else "it is incomplete"
        )
        command = _score_command(folder, scheme=scheme, facilities=facilities, source=source)
        raise PlannerInputError(
            f"the folder holds a pairing but {missing}"
            + (f" (no {', '.join(incomplete)} in {pairings_path.name})" if incomplete else ""),
            file=folder,
            hint=f"score it first, then make the report: `{command} && planner report "
            f"{shlex.quote(str(folder))}`",
        )
    try:
        scores = json.loads(scores_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise PlannerInputError(
            f"not valid JSON ({exc})",
            file=scores_path,
            hint="re-run `planner propose` (or `planner score ... --out DIR`) to rewrite it",
        ) from None
    if not isinstance(scores, dict):
        raise PlannerInputError(
            "not a scores document", file=scores_path, hint="re-run `planner propose`"
        )
    robust = _read_robust(folder / "robust.csv") if (folder / "robust.csv").exists() else None
    return _ReportFolder(table, scores, fac, scheme, siting, robust)


def _read_robust(path: Path) -> pd.DataFrame:
    """``robust.csv`` back with its types: the hours' times and ``worst_s`` in seconds (blank:
    not reached), ``breaks`` and ``in_proposal`` as booleans."""
    from planner.io.csv_reader import read_csv_table, true_cells
    from planner.io.numbers import decimal_cells

    table = read_csv_table(path)
    for column in table.columns:
        if column == "worst_s" or (column.startswith("time_") and column.endswith("_s")):
            table[column], problems = decimal_cells(table[column], file=path, field=column)
            if problems:
                raise collapse_problems(problems)[0]
        elif column in ("breaks", "in_proposal"):
            table[column] = true_cells(table[column])
    return table


def report_dir(
    out_dir: str | os.PathLike[str],
    *,
    scheme: str = DEFAULT_SCHEME,
    facilities: str | os.PathLike[str] | None = None,
    source: str | os.PathLike[str] | None = None,
    thousands: str | None = None,
    compare: str | os.PathLike[str] | None = None,
    compare_name: str | None = None,
    lang: str = DEFAULT_LANG,
) -> Path:
    """Write ``report.html`` from a folder holding ``pairings.csv`` and ``scores.json``.

    With ``compare`` (another such folder: another time, scheme, or a hand-made pairing) the
    report shows both scenarios side by side and the units that change; ``compare_name``
    names the other one (default: what differs in its settings, else its folder name). The
    main roads come from ``source`` (default: the Hanoi roads, for Hanoi runs).

    Parameters
    ----------
    out_dir : str or os.PathLike
        The folder (written by ``planner propose``, :func:`planner.app.pipeline.write.write_outputs` or
        :func:`planner.app.pipeline.scored.write_scored`); ``report.html`` is written into it.
    scheme : str
        Scheme of the Hanoi registry when the ids do not tell (detected from them otherwise).
    facilities : str or os.PathLike or None
        The facility file the pairing was made with; ``None``: the Hanoi registry.
    source : str or os.PathLike or None
        Road network for the map's main roads (see :func:`planner.app.pipeline.inputs.road_network`);
        ``None``: the Hanoi roads for the Hanoi registry, none otherwise.
    thousands : str or None
        Thousands separator of the facility file's numbers.
    compare : str or os.PathLike or None
        Another such folder to show side by side.
    compare_name : str or None
        The other scenario's name in the report.
    lang : str
        ``"vi"`` (default) or ``"en"``.

    Returns
    -------
    pathlib.Path
        The path of ``report.html``.

    Raises
    ------
    PlannerInputError
        No ``pairings.csv``; a pairing without its scores (the message gives the
        ``planner score`` command that completes it); an unreadable ``scores.json``.

    Examples
    --------
    Score a hand-made pairing into a folder, then make its report:

    >>> import os, pathlib, tempfile
    >>> from planner.app.pipeline.scored import score_pairings_file
    >>> from planner.app.pipeline.write import write_scored
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "officials.csv"
    ...     _ = path.write_text("unit_id,hospital_id\\nhn-dist-271,hn-reg-xanhpon\\n")
    ...     out = pathlib.Path(folder) / "scored"
    ...     _ = write_scored(score_pairings_file(path), out)
    ...     report_dir(out, lang="en").name, sorted(os.listdir(out))
    ('report.html', ['pairings.csv', 'pairings.xlsx', 'report.html', 'scores.json'])
    """
    from planner.outputs.formatting import map_title, scenario_difference, scenario_parts
    from planner.outputs.map.build import pairing_map
    from planner.outputs.report.build import write_report
    from planner.places.hanoi.areas import hanoi_areas

    out = Path(out_dir)
    read = functools.partial(
        _read_report_folder,
        scheme=scheme,
        facilities=facilities,
        source=source,
        thousands=thousands,
    )
    main = read(out)
    options = main.scores.get("options") or {}
    other = None
    if compare is not None:
        other = read(Path(compare))
        compare_name = compare_name or scenario_difference(
            other.scores.get("options") or {}, relative_to=options, lang=lang
        )
        compare_name = compare_name or Path(compare).resolve().name
    hanoi = facilities is None and is_hanoi_registry(main.facilities)
    graph = road_network(source) if (source is not None or hanoi) else None
    same_units = other is not None and set(other.pairings["unit_id"].astype(str)) == set(
        main.pairings["unit_id"].astype(str)
    )
    surface = None
    cells = main.scores.get("cells")
    trip = TripRule.from_record(main.scores, options)
    if graph is not None and isinstance(cells, dict) and cells.get("curve"):
        from planner.access.cells import cell_access, default_grid

        # the same cells as the run's (read back from the cache after a run on these data)
        surface = cell_access(
            graph,
            main.facilities,
            main.pairings,
            grid=default_grid(main.facilities, graph=graph, raster=options.get("population")),
            trip=TripRule.from_record(cells, options) or DEFAULT_TRIP,
            district_units=False,
        )
    areas = hanoi_areas(scheme=main.scheme) if hanoi else None
    if areas is not None and "facility_id" in areas:
        paired = areas["facility_id"].astype(str).isin(main.pairings["unit_id"].astype(str))
        areas = areas if paired.any() else None  # the 2025 district units alone have no polygon
    m = pairing_map(
        main.pairings,
        main.facilities,
        areas=areas,
        compare=other.pairings if other is not None and same_units else None,
        compare_label=compare_name,
        graph=graph,
        trip=trip,
        title=map_title(options, lang=lang),
        subtitle=" · ".join(scenario_parts(options, lang=lang)),
        self_contained=True,
        lang=lang,
        surface=surface,
        candidates=None if main.siting is None else main.siting.candidates,
    )
    return write_report(
        out / "report.html",
        pairings=main.pairings,
        scores=main.scores,
        facilities=main.facilities,
        map=m,
        compare=other.pairings if other is not None else None,
        compare_scores=other.scores if other is not None else None,
        compare_name=compare_name,
        lang=lang,
        siting=main.siting,
        robust=main.robust,
        max_travel_time_s=options.get("max_travel_time_s"),
    )


def _score_command(
    folder: Path,
    *,
    scheme: str,
    facilities: str | os.PathLike[str] | None,
    source: str | os.PathLike[str] | None,
) -> str:
    """The ``planner score`` command that turns a folder's pairing into a report folder."""
    words = ["planner", "score", str(folder / "pairings.csv"), "--out", str(folder)]
    if facilities is not None:
        words += ["--facilities", str(facilities)]
    elif scheme != DEFAULT_SCHEME:
        words += ["--scheme", scheme]
    if source is not None:
        words += ["--source", str(source)]
    return shlex.join(words)
