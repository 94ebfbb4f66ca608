"""Candidate sites read from a file: the one reader of every growth job.

New sites of existing hospitals (``planner propose --candidates``), new commune stations
(``planner stations --candidates``) and costed actions (``planner invest --actions``: a site
built or upgraded, with its cost) all read their candidates here, with the facility loader
(:func:`planner.places.facilities.load_facilities`): the same headers (English or Vietnamese),
the same coordinate checks against the study area and the same clear errors, naming the file,
the data row and the field.
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd

from planner._vn import fold
from planner.errors import PlannerInputError

#: The kinds of action (``kind`` of an actions file), each with the names it may be given by
#: (folded: no accents or case). An action without one is a station.
ACTION_KINDS: dict[str, tuple[str, ...]] = {
    "station": ("station", "health station", "health_station", "tram", "tram y te"),
    "clinic": ("clinic", "phong kham", "phong kham da khoa", "polyclinic"),
    "centre": ("centre", "center", "health centre", "health_centre", "trung tam", "trung tam y te"),
}


def read_candidates(
    path: str | os.PathLike[str],
    *,
    area: Any = None,
    thousands: str | None = None,
    hospitals: pd.DataFrame | None = None,
    costs: bool = False,
) -> pd.DataFrame:
    """Read a file of candidate sites (or of costed actions).

    Parameters
    ----------
    path
        A CSV, GeoJSON, GeoPackage or Shapefile with ``facility_id``, ``name``, ``lat``,
        ``lon`` (no ``level`` needed); with ``hospitals``, also ``hospital_id`` (the hospital
        that would run the site) and optionally ``capacity``; with ``costs``, ``cost`` and
        optionally ``kind``, the id as ``action_id`` (or ``facility_id``).
    area
        A polygon in EPSG:4326 the sites must lie in (e.g. the roads' area,
        :func:`planner.app.pipeline.inputs.study_area`); ``None``: any.
    thousands
        Thousands separator of any population, capacity or cost column.
    hospitals
        The existing hospital sites, when the candidates are new sites of theirs; ``None``:
        the candidates stand alone (new stations).
    costs
        The file holds costed actions (``planner invest``): each row needs a ``cost`` (a number,
        0 or more, in the user's unit; read like a count, :func:`planner.io.parse_count`), and
        ``kind`` is ``station`` (the default), ``clinic`` or ``centre`` (:data:`ACTION_KINDS`).

    Returns
    -------
    pandas.DataFrame
        Without ``hospitals``: ``facility_id``, ``name``, ``lat``, ``lon``, one row per site in
        file order. With them: the candidates as site rows of their hospitals
        (:func:`planner.pairing.siting.candidate_sites`). With ``costs``: ``action_id``,
        ``name``, ``kind``, ``lat``, ``lon``, ``cost``.

    Raises
    ------
    PlannerInputError
        The loader's or the hospitals' check: the file, the 1-based data row and the field.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     f = pathlib.Path(folder) / "sites.csv"
    ...     _ = f.write_text("facility_id,name,lat,lon\\nbv-1,Ba Trại,21.13,105.37\\n")
    ...     read_candidates(f).to_dict("records")
    [{'facility_id': 'bv-1', 'name': 'Ba Trại', 'lat': 21.13, 'lon': 105.37}]
    >>> hospitals = pd.DataFrame({"facility_id": ["h1"], "name": ["H1"]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     f = pathlib.Path(folder) / "sites.csv"
    ...     _ = f.write_text("facility_id,name,hospital_id,lat,lon\\nc1,North,h9,21.1,105.8\\n")
    ...     read_candidates(f, hospitals=hospitals)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    planner.errors.PlannerInputError: ...sites.csv, row 1, field hospital_id: ... names no hospital...
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     f = pathlib.Path(folder) / "actions.csv"
    ...     _ = f.write_text("action_id,name,lat,lon,cost,kind\\n"
    ...                      'a1,Trạm y tế Ba Trại,21.13,105.37,"4,5",trạm\\n')
    ...     read_candidates(f, costs=True).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'action_id': 'a1', 'name': 'Trạm y tế Ba Trại', 'kind': 'station', 'lat': 21.13,
      'lon': 105.37, 'cost': 4.5}]
    """
    from planner.places.facilities import load_facilities

    if costs:
        try:
            sites = load_facilities(path, level="commune", area=area, thousands=thousands)
        except PlannerInputError as exc:  # the id column of an actions file is its action_id
            field = "action_id" if exc.field == "facility_id" else exc.field
            problem, hint = exc.problem, exc.hint
            if field == "action_id":
                problem = problem.replace("facility_id", "action_id")
                hint = (hint or "").replace("facility", "action") or None
            raise PlannerInputError(
                problem, file=path, rows=exc.rows or None, field=field, hint=hint
            ) from None
        return _actions(pd.DataFrame(sites), path, thousands=thousands)
    if hospitals is None:
        sites = load_facilities(path, level="commune", area=area, thousands=thousands)
        return pd.DataFrame(sites[["facility_id", "name", "lat", "lon"]]).reset_index(drop=True)
    from planner.pairing.siting import candidate_sites

    table = load_facilities(
        path, level="regional", area=area, thousands=thousands, candidate_sites=True
    )
    try:
        return candidate_sites(hospitals, table)
    except PlannerInputError as exc:
        raise PlannerInputError(
            exc.problem, file=path, row=exc.row, field=exc.field, hint=exc.hint
        ) from None


def _actions(
    sites: pd.DataFrame, path: str | os.PathLike[str], *, thousands: str | None
) -> pd.DataFrame:
    """The loaded rows as actions: each cost read and checked, each kind named."""
    from planner.io.numbers import NumberError, parse_count

    if "cost" not in sites.columns:
        raise PlannerInputError(
            "the actions file has no cost column", file=path, field="cost",
            hint="add a cost column: what each action costs, in one unit (e.g. tỷ đồng)",
        )  # fmt: skip
    costs, kinds = [], []
    for row, (value, kind) in enumerate(zip(sites["cost"], sites["kind"], strict=True), start=1):
        text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
        if not text.strip():
            raise PlannerInputError(
                "the action has no cost", file=path, row=row, field="cost",
                hint="give every action its cost (0 or more), in the unit of the budget",
            )  # fmt: skip
        try:
            cost = parse_count(text, thousands=thousands)
        except NumberError as exc:
            raise PlannerInputError(
                f"cost {exc.problem}", file=path, row=row, field="cost", hint=exc.hint
            ) from None
        if cost < 0:
            raise PlannerInputError(
                f"cost {text.strip()} is negative", file=path, row=row, field="cost",
                hint="give what the action costs, 0 or more",
            )  # fmt: skip
        costs.append(cost)
        kinds.append(_action_kind(kind, path=path, row=row))
    return pd.DataFrame(
        {
            "action_id": sites["facility_id"].astype(str).to_numpy(),
            "name": sites["name"].astype(str).to_numpy(),
            "kind": kinds,
            "lat": sites["lat"].astype(float).to_numpy(),
            "lon": sites["lon"].astype(float).to_numpy(),
            "cost": costs,
        }
    )


def _action_kind(value: Any, *, path: str | os.PathLike[str], row: int) -> str:
    folded = fold(value) if isinstance(value, str) else ""
    if not folded:
        return "station"
    for kind, names in ACTION_KINDS.items():
        if folded in {fold(name) for name in names}:
            return kind
    raise PlannerInputError(
        f"unknown kind {value!r}", file=path, row=row, field="kind",
        hint="give station, clinic or centre (trạm, phòng khám, trung tâm), or leave it empty",
    )  # fmt: skip


__all__ = ["ACTION_KINDS", "read_candidates"]
