"""The Hanoi registry: every unit of the health network in one scheme, in the facility
contract (:func:`hanoi_facilities`), and the commune-level areas it places people in
(:func:`hanoi_unit_areas`).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from planner.config import CRS_LONLAT, DEFAULT_SCHEME, authored_dir
from planner.errors import PlannerInputError
from planner.places.facilities import validate_facilities
from planner.places.hanoi._data import check_scheme
from planner.places.hanoi._registry import load_registry


def hanoi_facilities(*, scheme: str = DEFAULT_SCHEME, cache: bool = True) -> gpd.GeoDataFrame:
    """Return the Hanoi health units of one administrative scheme, in the facility contract.

    Parameters
    ----------
    scheme
        ``"2024"``: the 4 regional hospitals at their 7 sites (one row per site, its
        ``hospital_id`` naming the hospital: Hanoi Heart Hospital has 2 sites, Hanoi Obstetrics
        and Gynecology Hospital 3), 30 district units (``hn-dist-<GSO district code>``),
        579 commune stations (``hn-com-<GSO commune code>``). ``"2025"``: the same regional and
        district units and 126 stations (``hn-com25-<unit code>``).
    cache
        Reuse the cached registry (keyed by the input files' content); ``False`` rebuilds.

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`~planner.places.facilities.FACILITY_COLUMNS`, then ``population_source``,
        ``location_note`` (where a location comes from when it is not a mapped facility),
        ``unit_code``, ``district_code``, ``osm_id``, ``name_en``, ``address``, ``source``.
        ``location_source`` follows :data:`LOCATION_ORDER`. ``attrs["unmatched"]`` lists (as
        dicts) every census row or unit the population join could not match.

    Warns
    -----
    ApproximateLocationWarning
        Units not mapped by name sit at the population centre of their area.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     reg = hanoi_facilities(scheme="2024")
    >>> reg["level"].value_counts().to_dict()
    {'commune': 579, 'district': 30, 'regional': 7}
    >>> reg.loc[reg["level"] == "regional", "hospital_id"].nunique()
    4
    >>> reg.set_index("facility_id").loc["hn-dist-271", "name"]
    'Bệnh viện Đa khoa Ba Vì'
    """
    registry = load_registry(scheme, cache=cache)
    gdf = validate_facilities(registry.table, file=f"Hanoi registry ({scheme})")
    gdf.attrs["unmatched"] = registry.unmatched
    return gdf


#: The district-level units of the 2025 registry and what our sources say of each since the
#: district level was abolished on 1 July 2025 (``geodata/district_units_2025.csv``).
DISTRICT_UNITS_2025_FILE = "district_units_2025.csv"
DISTRICT_UNIT_STATUS = ("renamed", "unsourced")


def district_units_2025() -> pd.DataFrame:
    """What our sources say of the 30 district-level units since 1 July 2025, one row each.

    Hanoi has had no district level since 1 July 2025; the registry keeps each former
    district's health centre or general hospital as a unit (it pairs with the communes of its
    former district). ``status_2025`` is ``"renamed"`` where a decision renamed it (the 13
    district hospitals of Decision 4318/QĐ-UBND, in force from 19 August 2025:
    ``name_since_2025``, ``since``), ``"unsourced"`` where our sources give neither its name
    nor the units it serves since then; ``source`` says where each fact comes from.

    Returns
    -------
    pandas.DataFrame
        ``facility_id``, ``former_district``, ``registry_name``, ``kind``, ``status_2025``,
        ``name_since_2025``, ``since``, ``serves_since_2025``, ``source``.

    Raises
    ------
    PlannerInputError
        A row of the table with an unknown status, or a renamed unit without its new name,
        date or source.

    Examples
    --------
    >>> units = district_units_2025()
    >>> len(units), int((units["status_2025"] == "renamed").sum())
    (30, 13)
    >>> units.set_index("facility_id").loc["hn-dist-271", "name_since_2025"]
    'Bệnh viện đa khoa Ba Vì'
    """
    path = authored_dir() / DISTRICT_UNITS_2025_FILE
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    for i, row in enumerate(table.itertuples(index=False), start=1):
        if row.status_2025 not in DISTRICT_UNIT_STATUS:
            raise PlannerInputError(
                f"unknown status {row.status_2025!r}", file=path, row=i, field="status_2025",
                hint=f"use one of {', '.join(DISTRICT_UNIT_STATUS)}",
            )  # fmt: skip
        needed = ("name_since_2025", "since") if row.status_2025 == "renamed" else ()
        for column in (*needed, "source"):
            if not getattr(row, column):
                raise PlannerInputError(
                    "every fact needs its value and its source", file=path, row=i,
                    field=column, hint="give it, or mark the unit 'unsourced'",
                )  # fmt: skip
    return table


def hanoi_unit_areas(*, scheme: str = DEFAULT_SCHEME, cache: bool = True) -> gpd.GeoDataFrame:
    """Return the area of every commune-level unit, for placing people on the population grid.

    ``"2025"``: the OSM polygons of the 126 units. ``"2024"``: each of the 579 communes gets the
    part of its district polygon (:func:`hanoi_areas`) nearest to its site (its own geocoded
    centroid, else the point it was located at), and only within the 2025 unit(s) its territory
    went to; communes that share a site (merged in January 2025, none located on its own) share
    its area. The areas are approximations for spreading people, not legal boundaries.

    Parameters
    ----------
    scheme : str, default "2025"
        ``"2024"`` for the 579 communes, ``"2025"`` for the 126 commune-level units.
    cache : bool, default True
        Reuse the cached registry (keyed by the input files' content); ``False`` rebuilds.

    Returns
    -------
    geopandas.GeoDataFrame
        ``facility_id``, ``district``, ``population`` (census), ``geometry`` (EPSG:4326).

    Examples
    --------
    >>> areas = hanoi_unit_areas(scheme="2024")
    >>> len(areas), int(areas["population"].sum())
    (579, 8053663)
    """
    check_scheme(scheme)
    registry = load_registry(scheme, cache=cache)
    info = registry.table.set_index("facility_id")
    areas = registry.areas
    return gpd.GeoDataFrame(
        {
            "facility_id": areas["facility_id"].to_numpy(),
            "district": areas["facility_id"].map(info["district"]).to_numpy(),
            "population": areas["facility_id"].map(info["population"]).to_numpy(dtype=float),
        },
        geometry=areas.geometry.to_numpy(),
        crs=CRS_LONLAT,
    )
