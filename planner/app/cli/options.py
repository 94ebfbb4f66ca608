"""The command line's options as the library's typed requests, built once here.

:func:`trip_rule` and :func:`plan_options` turn parsed options into a
:class:`~planner.requests.TripRule` and a :class:`~planner.app.pipeline.planning.PlanOptions`
(with its :class:`~planner.requests.PairingRequest`); the ``parse_*`` functions read the
options whose text has a shape of its own (``UNIT_ID=HOSPITAL_ID``, ``1-3``, ``08:00,17:30``,
``15,30,60``), each refusing a bad value with the option's name and an example.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

from planner._clock import clock_parts
from planner.config import ROBUST_DEPARTS
from planner.errors import PlannerInputError
from planner.requests import PairingRequest, TripRule

if TYPE_CHECKING:
    from planner.app.pipeline.planning import PlanOptions


def trip_rule(args: argparse.Namespace) -> TripRule:
    """The trip rule of a command's options (those it has; the rule's defaults otherwise).

    Parameters
    ----------
    args
        The parsed command line.

    Returns
    -------
    TripRule

    Examples
    --------
    >>> trip_rule(argparse.Namespace(mode="motorbike", depart="17h30")).depart
    '17:30'
    """
    fields = ("mode", "depart", "peak_depart", "directions", "site_rule")
    return TripRule(**{f: getattr(args, f) for f in fields if getattr(args, f, None) is not None})


def plan_options(args: argparse.Namespace) -> PlanOptions:
    """The run's options from ``planner demo`` or ``propose``: the two typed requests.

    Parameters
    ----------
    args
        The parsed command line.

    Returns
    -------
    PlanOptions
    """
    from planner.app.pipeline.planning import PlanOptions

    request = PairingRequest(
        objective=args.objective,
        balance=args.balance,
        load=args.load,
        hierarchical=not args.unit_mode,
        pins=parse_pairs(args.pin, "--pin"),
        forbidden=tuple(parse_pairs(args.forbid, "--forbid").items()),
        max_travel_time_s=None if args.max_time is None else args.max_time * 60.0,
        time_limit_s=args.time_limit,
    )
    return PlanOptions(
        trip=trip_rule(args),
        request=request,
        scheme=args.scheme,
        pilot=not args.no_pilot,
        specialty_need=args.specialty_need,
        demand=args.demand,
        cells=not args.no_cells,
        population=args.population,
        capacity=args.capacity,
    )


def parse_pairs(values: Sequence[str], option: str) -> dict[str, str]:
    """Read repeated ``UNIT_ID=HOSPITAL_ID`` options (``--pin``, ``--forbid``).

    Parameters
    ----------
    values
        The option's values.
    option
        Its name, for the error.

    Returns
    -------
    dict
        ``{unit_id: hospital_id}``.

    Examples
    --------
    >>> parse_pairs(["hn-dist-271=hn-reg-xanhpon"], "--pin")
    {'hn-dist-271': 'hn-reg-xanhpon'}
    """
    pairs: dict[str, str] = {}
    for value in values:
        unit, sep, hospital = value.partition("=")
        if not sep or not unit.strip() or not hospital.strip():
            raise PlannerInputError(
                f"{value!r} is not UNIT_ID=HOSPITAL_ID",
                field=option,
                hint=f"write e.g. {option} hn-dist-271=hn-reg-xanhpon",
            )
        pairs[unit.strip()] = hospital.strip()
    return pairs


def parse_open(text: str | int) -> list[int]:
    """Read ``--open``: a number of sites, or a range ``A-B``.

    Parameters
    ----------
    text
        ``"2"`` or ``"1-3"``.

    Returns
    -------
    list of int

    Raises
    ------
    PlannerInputError
        Not a number nor a range.

    Examples
    --------
    >>> parse_open("1-3"), parse_open("2")
    ([1, 2, 3], [2])
    """
    first, sep, last = str(text).strip().partition("-")
    try:
        low, high = int(first), int(last if sep else first)
    except ValueError:
        low = high = -1
    if low < 0 or high < low:
        raise PlannerInputError(
            f"--open {text!r} is not a number of sites nor a range",
            field="--open",
            hint="write e.g. --open 2, or --open 1-3 for a table of each",
        )
    return list(range(low, high + 1))


def parse_departs(text: str | None) -> tuple[str, ...]:
    """Read ``--robust``'s departure times (default :data:`planner.config.ROBUST_DEPARTS`).

    Parameters
    ----------
    text
        ``"08:00,17:30"``, or ``None``/empty for the default.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> parse_departs("7:30, 17:30"), parse_departs(None)
    (('07:30', '17:30'), ('08:00', '10:00', '17:30'))
    """
    if not text:
        return ROBUST_DEPARTS
    out = []
    for part in str(text).split(","):
        parts = clock_parts(part.strip())
        if parts is None:
            raise PlannerInputError(
                f"{part.strip()!r} is not a time HH:MM",
                field="--robust",
                hint="write e.g. --robust 08:00,10:00,17:30",
            )
        out.append(f"{parts[0]:02d}:{parts[1]:02d}")
    return tuple(dict.fromkeys(out))


def parse_minutes(text: str) -> list[float]:
    """Read a list of minutes (``--minutes 15,30,60``).

    Parameters
    ----------
    text
        Comma-separated minutes.

    Returns
    -------
    list of float

    Examples
    --------
    >>> parse_minutes("15, 30,60")
    [15.0, 30.0, 60.0]
    """
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        values = []
    if not values or any(v < 0 for v in values):
        raise PlannerInputError(
            f"{text!r} is not a list of minutes",
            field="--minutes",
            hint="write e.g. --minutes 15,30,60",
        )
    return values


def parse_ids(text: str, option: str) -> list[str]:
    """Read a list of ids (``--evaluate a03,a11``); ``none`` is the empty list.

    Parameters
    ----------
    text
        Comma-separated ids, or ``none``.
    option
        The option's name, for the error.

    Returns
    -------
    list of str

    Examples
    --------
    >>> parse_ids("a03, a11,a03", "--evaluate"), parse_ids("none", "--evaluate")
    (['a03', 'a11'], [])
    """
    if text.strip().lower() == "none":
        return []
    ids = list(dict.fromkeys(v.strip() for v in text.split(",") if v.strip()))
    if not ids:
        raise PlannerInputError(
            f"{text!r} names no id",
            field=option,
            hint=f"write e.g. {option} a03,a11 (or {option} none for the network as it is)",
        )
    return ids


__all__ = [
    "parse_departs",
    "parse_ids",
    "parse_minutes",
    "parse_open",
    "parse_pairs",
    "plan_options",
    "trip_rule",
]
