"""Times of day: the one reader of ``"HH:MM"`` departure times and band bounds.

Departure times arrive as text (``"07:30"``, or ``"17h30"`` as written in Vietnam), as
:class:`datetime.time`/:class:`datetime.datetime`, or as ``None`` for
:data:`planner.config.DEFAULT_DEPART`. The speeds, the scores and the people's access all read
them here, so one grammar holds everywhere.
"""

from __future__ import annotations

import datetime as dt
import re

from planner.config import DEFAULT_DEPART
from planner.errors import PlannerInputError

_HHMM = re.compile(r"^(\d{1,2})[:hH](\d{2})$")  # "17:30", or "17h30" as written in Vietnam


def clock_parts(text: str) -> tuple[int, int] | None:
    """Return the hour and minute written in ``text``, unchecked, or ``None`` if not a clock.

    Parameters
    ----------
    text : str
        ``"H:MM"``, ``"HH:MM"`` or the same with ``h``/``H`` for the colon, nothing around it.

    Returns
    -------
    tuple of int or None
        ``(hour, minute)`` as written (``"24:00"`` gives ``(24, 0)``: a band may end there;
        the caller checks the range), ``None`` when the text is no clock.

    Examples
    --------
    >>> clock_parts("17h30"), clock_parts("24:00"), clock_parts("7.30")
    ((17, 30), (24, 0), None)
    """
    match = _HHMM.match(text)
    return None if match is None else (int(match[1]), int(match[2]))


def parse_depart(depart: str | dt.time | dt.datetime | None) -> dt.time:
    """Return a departure time from ``"HH:MM"``, a ``time``/``datetime``, or ``None`` (default).

    Parameters
    ----------
    depart : str, datetime.time, datetime.datetime or None
        A 24-hour ``"HH:MM"`` (``"17h30"``, as written in Vietnam, is read too), a time of
        day, a date and time (its time of day is used), or ``None`` for
        ``config.DEFAULT_DEPART``.

    Returns
    -------
    datetime.time
        The time of day the trip leaves.

    Raises
    ------
    PlannerInputError
        If a string is not a time of day (``"25:00"``, ``"7.30"``).

    Examples
    --------
    >>> parse_depart("7:30"), parse_depart("17h30")
    (datetime.time(7, 30), datetime.time(17, 30))
    >>> parse_depart(None)  # config.DEFAULT_DEPART
    datetime.time(10, 0)
    """
    if depart is None:
        depart = DEFAULT_DEPART
    if isinstance(depart, dt.datetime):
        return depart.time()
    if isinstance(depart, dt.time):
        return depart
    parts = clock_parts(str(depart).strip())
    if parts is None or parts[0] > 23 or parts[1] > 59:
        raise PlannerInputError(
            f"departure time {depart!r} is not a time of day",
            field="depart",
            hint='write 24-hour "HH:MM", e.g. "07:30" or "17:45"',
        )
    return dt.time(*parts)


def depart_text(depart: str | dt.time | dt.datetime | None) -> str | None:
    """Return a departure time as ``"HH:MM"``; ``None`` stays ``None`` (the time was not stated).

    Parameters
    ----------
    depart : str, datetime.time, datetime.datetime or None
        As for :func:`parse_depart`.

    Returns
    -------
    str or None
        The time of day, zero-padded, or ``None``.

    Raises
    ------
    PlannerInputError
        If a string is not a time of day.

    Examples
    --------
    >>> import datetime as dt
    >>> depart_text("7:30"), depart_text("17h30"), depart_text(dt.time(8, 0)), depart_text(None)
    ('07:30', '17:30', '08:00', None)
    """
    return None if depart is None else parse_depart(depart).strftime("%H:%M")
