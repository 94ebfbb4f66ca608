"""``pairings.gpkg``: a run's layers in one GeoPackage, for a GIS office (QGIS, ArcGIS, geopandas).

Layers, all in EPSG:4326, each with the columns of the table it mirrors:

``units``
    One point per unit, the columns of ``pairings.csv`` (:data:`planner.pairing.PAIRING_COLUMNS`
    and what the run adds).
``hospitals``
    One point per hospital site (a hospital of several sites has a row per site), the facility
    table's columns (``hospital_id``, ``site_role``, ``site_name`` say which hospital and site).
``links``
    One straight line per unit reaching its sister hospital, from the unit to the site its trips
    use, with the unit's ``pairings.csv`` columns.
``areas``
    With the areas (the Hanoi registry): each area with ``hospital_id`` and ``travel_time_s``
    (:func:`planner.outputs.map.build` rule: a 2025 commune takes its unit's pairing, a 2024 district
    the hospital of most of its people and their population-weighted mean time).
``candidates``
    With a growth run's candidate sites: one point per candidate, the columns of ``siting.csv``
    (:data:`planner.pairing.siting.SITING_COLUMNS`) and its ``name``; the opened ones are also
    among the ``hospitals`` as sites of their hospital.
``cells``
    With the population cells: one polygon per populated cell piece, the columns of
    ``access_cells.csv`` (:data:`planner.access.cells.ACCESS_COLUMNS`).

Every time in seconds (a column ending ``_s``: ``travel_time_s``, ``switch_cost_s``,
``time_to_sister_s``...) has its minutes beside it (``travel_time_min``..., rounded to 0.1 min,
:func:`with_minutes`), so a GIS office reads minutes without converting. The file also holds
QGIS's ``layer_styles`` table (:mod:`planner.outputs.qgis_styles`): units, hospitals, links,
areas, candidates and cells open coloured by hospital, in the map's colours.

An investment plan's ``invest.gpkg`` (:func:`investment_layers`) has two layers of its own:

``actions``
    One point per costed action, the columns of the plan's actions table
    (:data:`planner.app.growth.invest.ACTION_COLUMNS`: cost, chosen, greedy pick, in the plan
    drawn by hand, people newly within the threshold).
``primary_care``
    One point per primary-care facility already open (stations and centres).

The links and areas come from the map's own helpers (:mod:`planner.outputs._frames`), so the file
and the map never disagree. Text is stored as text (no spreadsheet apostrophes, no HTML): a
name like ``<img src=x onerror=alert(1)>`` reads back exactly as written. The file is written
whole (:func:`write_geopackage`), its styles included, to a temporary file beside the target
and renamed onto it (:func:`planner.io.write_layers_atomic`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from planner.config import CRS_LONLAT
from planner.io.atomic import write_layers_atomic
from planner.outputs._frames import (
    area_hospitals,
    hospital_frame,
    link_frame,
    unit_rows,
    unit_sites,
)
from planner.requests import DEFAULT_TRIP

if TYPE_CHECKING:
    from planner.access.cells import CellAccess

#: The layers :func:`write_geopackage` may write, in order (the last two: an investment plan's).
LAYERS = ("units", "hospitals", "links", "areas", "candidates", "cells", "actions", "primary_care")
#: Minutes are given to a tenth (6 s): finer than any figure the planner shows.
MINUTES_DECIMALS = 1


def with_minutes(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with each time in seconds followed by the same time in minutes.

    Parameters
    ----------
    frame
        A table whose times in seconds are numeric columns named ``*_s``.

    Returns
    -------
    pandas.DataFrame
        The same rows; after each ``<name>_s`` column a ``<name>_min`` column, the seconds
        divided by 60 and rounded to :data:`MINUTES_DECIMALS` (NaN stays NaN). A GeoDataFrame
        stays one.

    Examples
    --------
    >>> table = pd.DataFrame({"unit_id": ["u1", "u2"], "travel_time_s": [1234.0, None],
    ...                       "switch_cost_s": [-90.0, 30.0]})
    >>> with_minutes(table).to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'unit_id': ['u1', 'u2'], 'travel_time_s': [1234.0, nan], 'travel_time_min': [20.6, nan],
     'switch_cost_s': [-90.0, 30.0], 'switch_cost_min': [-1.5, 0.5]}
    """
    out = frame.copy()
    for column in [c for c in frame.columns if isinstance(c, str) and c.endswith("_s")]:
        seconds = pd.to_numeric(frame[column], errors="coerce")
        if not pd.api.types.is_numeric_dtype(frame[column]) and seconds.notna().sum() == 0:
            continue  # text that only looks like a time by its name
        name = column[: -len("_s")] + "_min"
        if name in out.columns:
            continue
        out.insert(out.columns.get_loc(column) + 1, name, (seconds / 60.0).round(MINUTES_DECIMALS))
    return out


def geopackage_layers(
    pairings: pd.DataFrame,
    facilities: pd.DataFrame,
    *,
    areas: gpd.GeoDataFrame | None = None,
    cells: CellAccess | None = None,
    candidates: pd.DataFrame | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """The layers of ``pairings.gpkg`` (see the module), as GeoDataFrames.

    Parameters
    ----------
    pairings
        The pairing (the ``pairings.csv`` table: ``unit_id``, ``hospital_id``,
        ``travel_time_s``, ``site_id`` when the run has it, ...).
    facilities
        The facility table the pairing was made with (the units' and sites' places).
    areas
        Areas to give their sister hospital (``hanoi_areas(scheme=...)``); ``None``: no
        ``areas`` layer.
    cells
        The run's population cells with this pairing's sister hospitals; ``None``: no
        ``cells`` layer.
    candidates
        A growth run's candidate sites (:attr:`planner.pairing.siting.SitingResult.candidates`);
        ``None``: no ``candidates`` layer.

    Returns
    -------
    dict
        Layer name -> GeoDataFrame (EPSG:4326), in :data:`LAYERS` order.

    Examples
    --------
    >>> from planner.app.pipeline.planning import PlanOptions, plan
    >>> run = plan(PlanOptions(scheme="2025", cells=False))
    >>> layers = geopackage_layers(run.proposal.pairings, run.facilities)
    >>> {name: len(layer) for name, layer in layers.items()}
    {'units': 156, 'hospitals': 7, 'links': 156}
    """
    table = pd.DataFrame(pairings).reset_index(drop=True)
    at = unit_rows(pairings, facilities)
    units = gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(at["lon"].astype(float), at["lat"].astype(float)),
        crs=CRS_LONLAT,
    )  # fmt: skip
    hosp = hospital_frame(facilities, None, pairings)
    geometry = facilities.geometry.name if isinstance(facilities, gpd.GeoDataFrame) else None
    columns = [c for c in facilities.columns if c != geometry]
    columns += [c for c in ("hospital_id", "site_role", "site_name") if c not in columns]
    hospitals = gpd.GeoDataFrame(
        pd.DataFrame(hosp[columns]),
        geometry=gpd.points_from_xy(hosp["lon"].astype(float), hosp["lat"].astype(float)),
        crs=CRS_LONLAT,
    )
    # the map's link rule: a line to the site the unit's trips use, when it reaches one
    ends = units.assign(
        h=table["hospital_id"].astype("string").fillna("").to_numpy(),
        s=unit_sites(table, hosp).fillna("").to_numpy(),
        tt=pd.to_numeric(table["travel_time_s"], errors="coerce").to_numpy(),
    )
    lines = link_frame(ends, hosp, links="straight", graph=None, trip=DEFAULT_TRIP, simplify_m=0.0)
    links = gpd.GeoDataFrame(table.loc[lines.index], geometry=lines.geometry, crs=CRS_LONLAT)
    layers = {"units": units, "hospitals": hospitals, "links": links}
    if areas is not None:
        with_h, _ = area_hospitals(areas, table)
        layers["areas"] = gpd.GeoDataFrame(
            with_h.rename(columns={"h": "hospital_id", "tt": "travel_time_s"}), crs=areas.crs
        ).to_crs(CRS_LONLAT)
    if candidates is not None:
        from planner.pairing.siting import SITING_COLUMNS  # loads the solver: only when asked

        columns = ["facility_id", "name", *(c for c in SITING_COLUMNS if c != "facility_id")]
        layers["candidates"] = gpd.GeoDataFrame(
            pd.DataFrame(candidates[columns]).reset_index(drop=True),
            geometry=gpd.points_from_xy(
                candidates["lon"].astype(float), candidates["lat"].astype(float)
            ),
            crs=CRS_LONLAT,
        )
    if cells is not None:
        layers["cells"] = gpd.GeoDataFrame(
            cells.table(), geometry=cells.cells.geometry.to_numpy(), crs=CRS_LONLAT
        )
    return {name: with_minutes(layers[name]) for name in LAYERS if name in layers}


def investment_layers(actions: pd.DataFrame, existing: pd.DataFrame) -> dict[str, gpd.GeoDataFrame]:
    """The layers of an investment plan's ``invest.gpkg``: its actions and the open facilities.

    Parameters
    ----------
    actions
        Every action (``lat``, ``lon`` and the plan's columns:
        :meth:`planner.app.growth.invest.InvestmentPlan.actions_table`).
    existing
        The primary-care facilities already open (``facility_id``, ``name``, ``level``,
        ``lat``, ``lon``).

    Returns
    -------
    dict
        ``actions`` and ``primary_care`` -> GeoDataFrame (EPSG:4326, points).

    Examples
    --------
    >>> actions = pd.DataFrame({"action_id": ["a1"], "name": ["Trạm A"], "lat": [21.1],
    ...                         "lon": [105.4], "cost": [4.5], "chosen": [True]})
    >>> existing = pd.DataFrame({"facility_id": ["s1"], "name": ["Trạm y tế xã B"],
    ...                          "level": ["commune"], "lat": [21.0], "lon": [105.5]})
    >>> {name: len(layer) for name, layer in investment_layers(actions, existing).items()}
    {'actions': 1, 'primary_care': 1}
    """

    def points(frame: pd.DataFrame) -> gpd.GeoDataFrame:
        table = pd.DataFrame(frame).reset_index(drop=True)
        return gpd.GeoDataFrame(
            table,
            geometry=gpd.points_from_xy(table["lon"].astype(float), table["lat"].astype(float)),
            crs=CRS_LONLAT,
        )

    return {"actions": points(actions), "primary_care": points(existing)}


def write_geopackage(path: str | os.PathLike[str], layers: Mapping[str, gpd.GeoDataFrame]) -> Path:
    """Write layers (:func:`geopackage_layers`) as one GeoPackage, ``pairings.gpkg``.

    Parameters
    ----------
    path
        The GeoPackage to write (replaced whole, atomically: a failure leaves the previous
        file as it was).
    layers
        Layer name -> GeoDataFrame, written in this order.

    Returns
    -------
    pathlib.Path
        ``path``, with the layers and QGIS's ``layer_styles`` table
        (:func:`planner.outputs.qgis_styles.layer_styles`: each layer coloured by hospital).

    Examples
    --------
    >>> import tempfile, pyogrio
    >>> from planner.app.pipeline.planning import PlanOptions, plan
    >>> from planner.places.hanoi import hanoi_areas
    >>> run = plan(PlanOptions(scheme="2025", cells=False))
    >>> layers = geopackage_layers(run.proposal.pairings, run.facilities,
    ...                            areas=hanoi_areas(scheme="2025"))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = write_geopackage(folder + "/pairings.gpkg", layers)
    ...     [name for name, _ in pyogrio.list_layers(out)]
    ['units', 'hospitals', 'links', 'areas', 'layer_styles']
    """
    from planner.outputs.qgis_styles import layer_styles

    def add_styles(written: Path) -> None:
        import pyogrio

        columns = {name: pyogrio.read_info(written, layer=name)["geometry_name"] for name in layers}
        styles = layer_styles(layers, geometry_columns=columns)
        if not styles.empty:
            # as QGIS creates it: a table without geometry whose FID is "id"
            pyogrio.write_dataframe(
                styles, written, layer="layer_styles", driver="GPKG", layer_options={"FID": "id"}
            )

    return write_layers_atomic(layers, path, finish=add_styles)
