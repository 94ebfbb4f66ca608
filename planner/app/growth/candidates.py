"""Candidate sites read from a file: the one reader of every growth job.

New sites of existing hospitals (``planner propose --candidates``), new commune stations
(``planner stations --candidates``) and what comes next all read their candidates here, with
the facility loader (:func:`planner.places.facilities.load_facilities`): the same headers
(English or Vietnamese), the same coordinate checks against the study area and the same clear
errors, naming the file, the data row and the field.
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd

from planner.errors import PlannerInputError


def read_candidates(
    path: str | os.PathLike[str],
    *,
    area: Any = None,
    thousands: str | None = None,
    hospitals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Read a file of candidate sites.

    Parameters
    ----------
    path
        A CSV, GeoJSON, GeoPackage or Shapefile with ``facility_id``, ``name``, ``lat``,
        ``lon`` (no ``level`` needed); with ``hospitals``, also ``hospital_id`` (the hospital
        that would run the site) and optionally ``capacity``.
    area
        A polygon in EPSG:4326 the sites must lie in (e.g. the roads' area,
        :func:`planner.app.pipeline.inputs.study_area`); ``None``: any.
    thousands
        Thousands separator of any population or capacity column.
    hospitals
        The existing hospital sites, when the candidates are new sites of theirs; ``None``:
        the candidates stand alone (new stations).

    Returns
    -------
    pandas.DataFrame
        Without ``hospitals``: ``facility_id``, ``name``, ``lat``, ``lon``, one row per site in
        file order. With them: the candidates as site rows of their hospitals
        (:func:`planner.pairing.siting.candidate_sites`).

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
    """
    from planner.places.facilities import load_facilities

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


__all__ = ["read_candidates"]
