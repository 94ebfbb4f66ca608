"""Typed requests: what a trip is and what a pairing is asked to do, checked once.

A run is described by two small frozen dataclasses, built once at the edge (the CLI, a
:class:`~planner.app.interactive.session.Session`, a notebook's :class:`~planner.app.pipeline.planning.PlanOptions`)
and passed down whole, instead of the same keywords spelled out again at every layer:

- :class:`TripRule`: how a pair's time is measured (mode, departure and comparison times,
  which trips count, which site of a hospital is used);
- :class:`PairingRequest`: what the pairing is asked for (objective, balance, load, pins,
  forbidden pairs, the maximum time, hierarchy, the solver's budget).

Both check their fields when built: a bad value is a :class:`~planner.errors.PlannerInputError`
naming the field and the values allowed, so nothing below them checks again.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, get_args

from planner._clock import parse_depart
from planner.config import DEFAULT_DEPART, PEAK_DEPART
from planner.errors import PlannerInputError

#: Transport modes the planner knows (the speed tables have a column each).
Mode = Literal["car", "motorbike", "ambulance"]
#: Which trips make a sister pair's travel time: ``"both"`` (the mean of hospital -> unit and
#: unit -> hospital, half the round trip), ``"to_unit"`` (the staff rotation trip) or
#: ``"to_hospital"`` (the referral trip).
Directions = Literal["both", "to_unit", "to_hospital"]
#: Which site of a hospital a pair's trips use: the pair's fastest (``"nearest"``) or the main.
SiteRule = Literal["nearest", "main"]
#: What the pairing minimises (see :class:`PairingRequest`).
Objective = Literal["pop-time", "max-time", "balanced"]
#: What a hospital's load counts.
Load = Literal["population", "units", "capacity"]
#: What the nearest-hospital baseline sends to its nearest hospital: each group of the pairing
#: (a district with its communes) or each unit.
NearestBy = Literal["group", "unit"]

#: The allowed values of each choice, in the order of their ``Literal`` (for parsers and widgets).
MODES: tuple[Mode, ...] = get_args(Mode)
DIRECTIONS: tuple[Directions, ...] = get_args(Directions)
SITE_RULES: tuple[SiteRule, ...] = get_args(SiteRule)
OBJECTIVES: tuple[Objective, ...] = get_args(Objective)
LOADS: tuple[Load, ...] = get_args(Load)
NEAREST_BY: tuple[NearestBy, ...] = get_args(NearestBy)

_HINTS = {
    "site_rule": "use 'nearest' (each trip uses the hospital's fastest site for that pair) or "
    "'main' (every trip uses the hospital's main site)",
}


def check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    """Refuse a value that is not one of a choice's allowed values: the one validator.

    Parameters
    ----------
    name
        The setting's name (``"mode"``, ``"directions"``...), as the error's field.
    value
        The value given.
    allowed
        Its allowed values (:data:`MODES`, :data:`DIRECTIONS`, :data:`SITE_RULES`,
        :data:`OBJECTIVES`, :data:`LOADS`).

    Raises
    ------
    PlannerInputError
        Naming the field and the values allowed.

    Examples
    --------
    >>> check_choice("directions", "to_unit", DIRECTIONS)
    >>> check_choice("site_rule", "closest", SITE_RULES)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    planner.errors.PlannerInputError: field site_rule: unknown site_rule 'closest'. Fix: use 'nearest' ...
    """
    if value not in allowed:
        raise PlannerInputError(
            f"unknown {name} {value!r}",
            field=name,
            hint=_HINTS.get(name, f"use one of {', '.join(allowed)}"),
        )


@dataclass(frozen=True)
class TripRule:
    """How a pair's travel time is measured, for the matrices, the objective and the scores.

    Parameters
    ----------
    mode
        ``"car"`` (default), ``"motorbike"`` or ``"ambulance"``.
    depart
        Departure time of the main figures, ``"HH:MM"`` (``"17h30"`` is read too); it sets
        the congestion.
    peak_depart
        Departure time of the comparison figures (default the morning peak, 08:00).
    directions
        Which trips make a pair's time: ``"both"`` (the mean of hospital -> unit and unit ->
        hospital), ``"to_unit"`` or ``"to_hospital"``.
    site_rule
        Which site of a hospital a pair's trips use: ``"nearest"`` or ``"main"``.

    Examples
    --------
    >>> TripRule(depart="17h30").depart
    '17:30'
    >>> TripRule(mode="bicycle")
    Traceback (most recent call last):
    ...
    planner.errors.PlannerInputError: field mode: unknown mode 'bicycle'. Fix: use one of car, motorbike, ambulance
    """

    mode: Mode = "car"
    depart: str = DEFAULT_DEPART
    peak_depart: str = PEAK_DEPART
    directions: Directions = "both"
    site_rule: SiteRule = "nearest"

    def __post_init__(self) -> None:
        check_choice("mode", self.mode, MODES)
        check_choice("directions", self.directions, DIRECTIONS)
        check_choice("site_rule", self.site_rule, SITE_RULES)
        for name in ("depart", "peak_depart"):
            object.__setattr__(self, name, parse_depart(getattr(self, name)).strftime("%H:%M"))

    @classmethod
    def from_record(cls, *records: Mapping[str, Any] | None) -> TripRule | None:
        """The trip rule a finished run's record states (``scores.json``, its ``options``).

        Parameters
        ----------
        *records
            Mappings to read the fields from, the first that states a field winning (e.g. a
            ``cells`` section, then the scores' top level, then their ``options``); ``None``
            is skipped. A field none states takes the rule's default; older names of the
            directions (``hospital_to_unit``, ``unit_to_hospital``) are read too.

        Returns
        -------
        TripRule or None
            ``None`` when no record states a departure time: the run's times are not known.

        Examples
        --------
        >>> TripRule.from_record({"depart": "17:30"}, {"mode": "motorbike"}).mode
        'motorbike'
        >>> TripRule.from_record({"mode": "car"}) is None
        True
        """

        def stated(name: str) -> Any:
            return next((r[name] for r in records if r and r.get(name)), None)

        if stated("depart") is None:
            return None
        values = {name: stated(name) for name in TRIP_FIELDS}
        if values["directions"] is not None:
            values["directions"] = OLD_DIRECTION_NAMES.get(
                values["directions"], values["directions"]
            )
        return cls(**{name: value for name, value in values.items() if value is not None})


@dataclass(frozen=True)
class PairingRequest:
    """What a pairing is asked for: objective, balance, pins, limits.

    Parameters
    ----------
    objective
        ``"pop-time"`` (population-weighted travel time, default), ``"max-time"`` (the
        maximum, then the population-weighted time among its optima) or ``"balanced"``.
    balance
        Load tolerance ``b``: each hospital's load within ``(1 +- b)`` times its fair share;
        ``None`` drops the constraint.
    load
        What a hospital's load counts: ``"population"``, ``"units"`` or ``"capacity"`` (its
        people, held to its share of the hospitals' capacity, which every hospital must have).
    hierarchical
        Pair district groups (communes follow their district) or every unit on its own.
    pins
        ``{unit_id: hospital_id}`` pairs that must hold (they win over a pilot's).
    forbidden
        ``(unit_id, hospital_id)`` pairs that must not be used.
    max_travel_time_s
        Pairs slower than this are forbidden.
    balance_weight
        Weight of the load deviation in the ``"balanced"`` objective (0..1).
    specialty_weight_s
        Seconds of objective a full match of a specialty's need is worth (the specialty option).
    time_limit_s
        Time budget of each solve (s).
    nearest_by
        What the nearest-hospital baseline (and the pilot baseline's other units) sends to
        its nearest hospital: ``"group"`` (each group of the pairing, as it is paired) or
        ``"unit"`` (each unit on its own); ``None``: each group, except that Hanoi's 2025
        units go each on its own (their groups are former districts, no longer a level of the
        city: :func:`planner.pairing.explain.baseline_grouping`).

    Examples
    --------
    >>> PairingRequest(balance=0.1, pins={"hn-dist-250": "hn-reg-tim"}).pins["hn-dist-250"]
    'hn-reg-tim'
    >>> PairingRequest(balance=-1)
    Traceback (most recent call last):
    ...
    planner.errors.PlannerInputError: field balance: balance -1 is out of range. Fix: give a tolerance such as 0.2 (each hospital within ±20% of its fair share)
    """

    objective: Objective = "pop-time"
    balance: float | None = 0.2
    load: Load = "population"
    hierarchical: bool = True
    pins: Mapping[str, str] = field(default_factory=dict)
    forbidden: tuple[tuple[str, str], ...] = ()
    max_travel_time_s: float | None = None
    balance_weight: float = 0.5
    specialty_weight_s: float = 300.0
    time_limit_s: float = 60.0
    nearest_by: NearestBy | None = None

    def __post_init__(self) -> None:
        check_choice("objective", self.objective, OBJECTIVES)
        check_choice("load", self.load, LOADS)
        if self.nearest_by is not None:
            check_choice("nearest_by", self.nearest_by, NEAREST_BY)
        if self.balance is not None and not (0 <= self.balance < 10):
            raise PlannerInputError(
                f"balance {self.balance} is out of range",
                field="balance",
                hint="give a tolerance such as 0.2 (each hospital within ±20% of its fair share)",
            )
        if not 0 <= self.balance_weight <= 1:
            raise PlannerInputError(
                f"balance_weight {self.balance_weight} is not within 0..1", field="balance_weight"
            )
        if self.max_travel_time_s is not None and not self.max_travel_time_s > 0:
            raise PlannerInputError(
                f"max_travel_time_s {self.max_travel_time_s} is not positive",
                field="max_travel_time_s",
            )
        if not self.time_limit_s > 0:
            raise PlannerInputError(
                f"time_limit_s {self.time_limit_s} is not positive", field="time_limit_s"
            )
        # Read-only: a request is a value.
        object.__setattr__(self, "pins", MappingProxyType(dict(self.pins or {})))
        object.__setattr__(self, "forbidden", pairs(self.forbidden or ()))

    def __reduce__(self) -> tuple[Any, ...]:
        # A read-only mapping does not pickle: the request is made again from its fields, pins
        # as a plain dict (for a process the run hands work to).
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return (functools.partial(type(self), **{**fields, "pins": dict(self.pins)}), ())


#: Older names of the trip directions, in scores written before they were renamed.
OLD_DIRECTION_NAMES = {"hospital_to_unit": "to_unit", "unit_to_hospital": "to_hospital"}

#: The field names of each request, for splitting a flat set of options between them.
TRIP_FIELDS = tuple(f.name for f in dataclasses.fields(TripRule))
PAIRING_FIELDS = tuple(f.name for f in dataclasses.fields(PairingRequest))


def split_options(
    options: Mapping[str, Any],
    *,
    trip: TripRule | None = None,
    request: PairingRequest | None = None,
) -> tuple[TripRule, PairingRequest, dict[str, Any]]:
    """Split flat options between a :class:`TripRule`, a :class:`PairingRequest` and the rest.

    Parameters
    ----------
    options
        Flat settings, e.g. ``{"mode": "motorbike", "balance": 0.1, "scheme": "2025"}``.
    trip, request
        What the trip and pairing settings change (defaults when ``None``).

    Returns
    -------
    tuple
        ``(trip, request, rest)``: the two requests with their fields changed, and the options
        that are neither's.

    Examples
    --------
    >>> trip, request, rest = split_options({"mode": "motorbike", "balance": 0.1, "scheme": "2025"})
    >>> trip.mode, request.balance, rest
    ('motorbike', 0.1, {'scheme': '2025'})
    """
    trip_changes = {k: v for k, v in options.items() if k in TRIP_FIELDS}
    request_changes = {k: v for k, v in options.items() if k in PAIRING_FIELDS}
    rest = {k: v for k, v in options.items() if k not in TRIP_FIELDS and k not in PAIRING_FIELDS}
    return (
        dataclasses.replace(trip or TripRule(), **trip_changes),
        dataclasses.replace(request or PairingRequest(), **request_changes),
        rest,
    )


def requests_from(
    changes: Mapping[str, Any],
    *,
    trip: TripRule | None = None,
    request: PairingRequest | None = None,
    caller: str,
) -> tuple[TripRule, PairingRequest]:
    """The requests a function is given: ``trip`` and ``request`` changed by flat keywords.

    The edge of the library (``propose_pairings(..., balance=0.1)``) accepts the requests' fields
    as keywords for convenience; this builds the requests from them once, so nothing below
    spells the fields again.

    Parameters
    ----------
    changes
        Keywords given to ``caller``: fields of :class:`TripRule` or :class:`PairingRequest`.
    trip, request
        The requests the keywords change (defaults when ``None``).
    caller
        The function's name, for the error on an unknown keyword.

    Returns
    -------
    tuple
        ``(trip, request)``.

    Raises
    ------
    TypeError
        A keyword that is neither request's field (as Python says for any unknown keyword).

    Examples
    --------
    >>> trip, request = requests_from({"balance": 0.1, "directions": "to_unit"}, caller="f")
    >>> request.balance, trip.directions
    (0.1, 'to_unit')
    >>> requests_from({"balanse": 0.1}, caller="f")
    Traceback (most recent call last):
    ...
    TypeError: f() got an unexpected keyword argument 'balanse'
    """
    for name in changes:
        if name not in TRIP_FIELDS and name not in PAIRING_FIELDS:
            raise TypeError(f"{caller}() got an unexpected keyword argument {name!r}")
    trip, request, _ = split_options(changes, trip=trip, request=request)
    return trip, request


def pairs(items: Iterable[tuple[str, str]] | Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """``{unit: hospital}`` or ``[(unit, hospital), ...]`` as a tuple of pairs.

    Parameters
    ----------
    items
        A mapping or pairs.

    Returns
    -------
    tuple of (str, str)

    Examples
    --------
    >>> pairs({"hn-dist-250": "hn-reg-tim"})
    (('hn-dist-250', 'hn-reg-tim'),)
    """
    found = items.items() if isinstance(items, Mapping) else items
    return tuple((str(u), str(h)) for u, h in found)


#: The requests' defaults, written once (their fields' defaults): a function below the edge
#: that is given no trip rule or request uses these.
DEFAULT_TRIP = TripRule()
DEFAULT_REQUEST = PairingRequest()
#: How people reach a commune health station (``planner stations``): by motorbike, Hanoi's
#: commonest vehicle, at the default hour.
STATION_TRIP = TripRule(mode="motorbike")


__all__ = [
    "DEFAULT_REQUEST",
    "DEFAULT_TRIP",
    "DIRECTIONS",
    "LOADS",
    "MODES",
    "NEAREST_BY",
    "OBJECTIVES",
    "OLD_DIRECTION_NAMES",
    "PAIRING_FIELDS",
    "SITE_RULES",
    "STATION_TRIP",
    "TRIP_FIELDS",
    "Directions",
    "Load",
    "Mode",
    "NearestBy",
    "Objective",
    "PairingRequest",
    "SiteRule",
    "TripRule",
    "check_choice",
    "pairs",
    "requests_from",
    "split_options",
]
