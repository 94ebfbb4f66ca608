"""Which scheme a table of the Hanoi registry is of, from its ids and its ``scheme`` column.

Kept apart from the registry's loaders so that the stages that only need to know (the pairing's
baselines, the report's words) do not import the tile and raster readers behind them.
"""

from __future__ import annotations

import pandas as pd

from planner.io.pairings import scheme_of_ids


def registry_scheme(facilities: pd.DataFrame) -> str | None:
    """The scheme of the Hanoi registry a facility table comes from, or ``None`` for others.

    Under ``"2025"`` the units lie in former districts: Hanoi has had no district level since
    1 July 2025, and what is shown of a unit's district names it as former.

    Parameters
    ----------
    facilities
        Facilities with ``facility_id`` and ``scheme``, or pairing rows with ``unit_id`` (the
        scheme then read from the registry's ids: a 2025 unit is ``hn-com25-``, a 2024 commune
        ``hn-com-``).

    Returns
    -------
    str or None
        ``"2024"`` or ``"2025"`` when every id is the registry's (``hn-``) and one scheme is
        stated (or shown by the ids); ``None`` otherwise (a user's facilities).

    Examples
    --------
    >>> registry_scheme(pd.DataFrame({"facility_id": ["hn-com25-00004"], "scheme": ["2025"]}))
    '2025'
    >>> registry_scheme(pd.DataFrame({"facility_id": ["clinic-7"], "scheme": ["custom"]})) is None
    True
    >>> registry_scheme(pd.DataFrame({"unit_id": ["hn-dist-271", "hn-com-09619"]}))
    '2024'
    """
    ids = facilities.get("facility_id", facilities.get("unit_id"))
    if ids is None or not len(facilities):
        return None
    ids = ids.astype(str)
    if not ids.str.startswith("hn-").all():
        return None
    if "scheme" in facilities:
        schemes = set(facilities["scheme"].dropna().astype(str))
    else:
        shown = scheme_of_ids(ids)
        schemes = {shown} if shown else set()
    return schemes.pop() if len(schemes) == 1 and schemes <= {"2024", "2025"} else None
