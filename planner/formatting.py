"""One formatter per quantity and language: minutes, km, people, shares, numbers, clock times.

Vietnamese writes ``1.234,5`` where English writes ``1,234.5``; units come from the translation
table (:mod:`planner.i18n`): ``phút``/``min``, ``người``/``people``. Missing or non-finite values
are shown as a dash, never as ``nan``. Map, report and CLI all format through here, so a figure
reads the same everywhere.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from planner.i18n import Translator, check_lang, has_text, text

#: Shown for a missing or non-finite value.
MISSING = "—"
#: Signed values use the typographic minus.
_MINUS = "−"
_CLOCK = re.compile(r"^\s*(\d{1,2})\s*[:hH.]\s*(\d{2})\s*$")


def _finite(value: Any) -> float | None:
    if value is None or isinstance(value, str | bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def number(value: Any, *, lang: str, decimals: int = 0, signed: bool = False) -> str:
    """Format a number with the language's separators (``1.234,5`` in vi, ``1,234.5`` in en).

    Parameters
    ----------
    value
        A number; ``None``, NaN and infinities give :data:`MISSING`.
    lang
        ``"vi"`` or ``"en"``.
    decimals
        Digits after the decimal mark.
    signed
        Prefix ``+`` for positive values (negative ones always show a minus).

    Returns
    -------
    str

    Examples
    --------
    >>> number(1234.5, lang="vi", decimals=1), number(1234.5, lang="en", decimals=1)
    ('1.234,5', '1,234.5')
    >>> number(-3, lang="en", signed=True), number(float("nan"), lang="vi")
    ('−3', '—')
    """
    check_lang(lang)
    x = _finite(value)
    if x is None:
        return MISSING
    x = round(x, decimals)
    if x == 0:
        x = 0.0  # no "-0"
    body = f"{abs(x):,.{decimals}f}"
    if lang == "vi":
        body = body.replace(",", "\0").replace(".", ",").replace("\0", ".")
    sign = _MINUS if x < 0 else ("+" if signed and x > 0 else "")
    return sign + body


def minutes(
    seconds: Any, *, lang: str, decimals: int = 0, signed: bool = False, unit: bool = True
) -> str:
    """Format a duration given in seconds as minutes (``12 phút``, ``12.5 min``).

    Examples
    --------
    >>> minutes(750, lang="vi", decimals=1), minutes(750, lang="en")
    ('12,5 phút', '12 min')
    >>> minutes(-180, lang="en", signed=True)
    '−3 min'
    """
    x = _finite(seconds)
    if x is None:
        return MISSING
    shown = number(x / 60.0, lang=lang, decimals=decimals, signed=signed)
    return f"{shown} {text('unit.min', lang)}" if unit else shown


def hours(value_h: Any, *, lang: str, decimals: int = 0) -> str:
    """Format hours (``659 giờ``, ``659 h``).

    Examples
    --------
    >>> hours(659.3, lang="vi")
    '659 giờ'
    """
    x = _finite(value_h)
    if x is None:
        return MISSING
    return f"{number(x, lang=lang, decimals=decimals)} {text('unit.h', lang)}"


def km(metres: Any, *, lang: str, decimals: int = 1) -> str:
    """Format a distance given in metres as kilometres (``52,8 km``).

    Examples
    --------
    >>> km(52764.5, lang="vi"), km(52764.5, lang="en")
    ('52,8 km', '52.8 km')
    """
    x = _finite(metres)
    if x is None:
        return MISSING
    return f"{number(x / 1000.0, lang=lang, decimals=decimals)} {text('unit.km', lang)}"


def people(count: Any, *, lang: str, unit: bool = False) -> str:
    """Format a number of people (``1.660.375`` or, with ``unit``, ``1.660.375 người``).

    Examples
    --------
    >>> people(1660375, lang="vi", unit=True), people(1660375, lang="en")
    ('1.660.375 người', '1,660,375')
    """
    x = _finite(count)
    if x is None:
        return MISSING
    shown = number(x, lang=lang, decimals=0)
    return f"{shown} {text('unit.people', lang)}" if unit else shown


def percent(share: Any, *, lang: str, decimals: int = 0, signed: bool = False) -> str:
    """Format a share (0–1) as a percentage (``89,0%``, ``89.0%``).

    Examples
    --------
    >>> percent(0.89, lang="vi", decimals=1), percent(0.2, lang="en")
    ('89,0%', '20%')
    """
    x = _finite(share)
    if x is None:
        return MISSING
    return number(100.0 * x, lang=lang, decimals=decimals, signed=signed) + "%"


def ratio(value: Any, *, lang: str, decimals: int = 2) -> str:
    """Format a dimensionless ratio (``1,48``, ``1.48``).

    Examples
    --------
    >>> ratio(10.917, lang="vi", decimals=1)
    '10,9'
    """
    return number(value, lang=lang, decimals=decimals)


def count(value: Any, *, lang: str) -> str:
    """Format a whole count (``1.234``).

    Examples
    --------
    >>> count(609, lang="en")
    '609'
    """
    return number(value, lang=lang, decimals=0)


def clock(value: Any) -> str:
    """Format a time of day as ``HH:MM`` (``"7:30"``, ``"07h30"`` and ``"17.30"`` are read too).

    Examples
    --------
    >>> clock("7h30"), clock("17:30")
    ('07:30', '17:30')
    """
    match = _CLOCK.match(str(value))
    if not match:
        return str(value)
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def month(value: Any, *, lang: str) -> str:
    """Format a ``YYYY-MM`` month (``August 2021``, ``tháng 8/2021``); other text is kept.

    Examples
    --------
    >>> month("2021-08", lang="en"), month("2021-08", lang="vi")
    ('August 2021', 'tháng 8/2021')
    """
    match = re.fullmatch(r"(\d{4})-(\d{2})", str(value).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        return str(value)
    name = text(f"month.{int(match.group(2))}", lang)
    return text("month_year", lang, month=name, year=match.group(1))


class Formatter:
    """All formatters bound to one language: what templates receive as ``f``.

    Examples
    --------
    >>> f = Formatter("vi")
    >>> f.minutes(600), f.people(1234567), f.percent(0.5)
    ('10 phút', '1.234.567', '50%')
    """

    def __init__(self, lang: str) -> None:
        self.lang = check_lang(lang)

    def number(self, value: Any, decimals: int = 0, signed: bool = False) -> str:
        return number(value, lang=self.lang, decimals=decimals, signed=signed)

    def minutes(
        self, seconds: Any, decimals: int = 0, signed: bool = False, unit: bool = True
    ) -> str:
        return minutes(seconds, lang=self.lang, decimals=decimals, signed=signed, unit=unit)

    def hours(self, value_h: Any, decimals: int = 0) -> str:
        return hours(value_h, lang=self.lang, decimals=decimals)

    def km(self, metres: Any, decimals: int = 1) -> str:
        return km(metres, lang=self.lang, decimals=decimals)

    def people(self, value: Any, unit: bool = False) -> str:
        return people(value, lang=self.lang, unit=unit)

    def percent(self, share: Any, decimals: int = 0, signed: bool = False) -> str:
        return percent(share, lang=self.lang, decimals=decimals, signed=signed)

    def ratio(self, value: Any, decimals: int = 2) -> str:
        return ratio(value, lang=self.lang, decimals=decimals)

    def count(self, value: Any) -> str:
        return count(value, lang=self.lang)

    def clock(self, value: Any) -> str:
        return clock(value)

    def month(self, value: Any) -> str:
        return month(value, lang=self.lang)


def map_title(options: Mapping[str, Any], *, lang: str) -> str:
    """The map's title: "Sister hospitals, Hanoi" (the scenario goes in the subtitle).

    Examples
    --------
    >>> map_title({"region": "Hanoi"}, lang="en")
    'Sister hospitals, Hanoi'
    """
    t = Translator(lang)
    if options.get("region") == "Hanoi":
        return t("map.title_region", region=t("scenario.region"))
    return t("map.title")


def scenario_parts(options: Mapping[str, Any], *, lang: str) -> list[str]:
    """Describe a run's scenario in words, one part per setting that is known.

    Parameters
    ----------
    options
        The run's settings as in ``scores.json``'s ``options`` (``scheme``, ``mode``, ``depart``,
        ``objective``, ``balance``, ``roads``, ``roads_date``, ``site_rule``); missing ones
        are left out.
    lang
        ``"vi"`` or ``"en"``.

    Returns
    -------
    list of str
        Scheme, travel (mode and departure), road data, objective, balance, and the site rule
        when trips use the hospitals' main sites.

    Examples
    --------
    >>> scenario_parts({"scheme": "2024", "mode": "car", "depart": "17:30"}, lang="en")
    ['2024 administrative units (30 districts, 579 communes)', 'by car, leaving at 17:30']
    """
    t = Translator(lang)
    parts: list[str] = []
    scheme = options.get("scheme")
    if scheme:
        key = f"scenario.scheme.{scheme}"
        parts.append(t(key) if has_text(key) else t("scenario.scheme.other", scheme=scheme))
    mode, depart = options.get("mode"), options.get("depart")
    if mode and depart:
        mode_text = t.get(f"mode.{mode}", str(mode))
        parts.append(t("scenario.travel", mode=mode_text, time=clock(depart)))
    if options.get("roads_date"):
        parts.append(t("scenario.roads", date=month(options["roads_date"], lang=lang)))
    elif options.get("roads"):
        parts.append(t("scenario.roads_file", file=Path(str(options["roads"])).name))
    objective = options.get("objective")
    if objective:
        key = f"scenario.objective.{objective}"
        parts.append(t(key) if has_text(key) else t("scenario.objective.other", name=objective))
    if options.get("demand") == "cells":
        parts.append(t("scenario.demand_cells"))
    balance = _finite(options.get("balance"))
    if balance is not None:
        parts.append(t("scenario.balance", share=percent(balance, lang=lang)))
    if options.get("site_rule") == "main":  # the default (nearest site) goes without saying
        parts.append(t("scenario.site_rule.main"))
    return parts


def scenario_difference(
    options: Mapping[str, Any], *, relative_to: Mapping[str, Any], lang: str
) -> str | None:
    """Name a scenario by what sets it apart from another (e.g. ``"by car, leaving at 17:30"``).

    Parameters
    ----------
    options, relative_to
        The two scenarios' settings (as for :func:`scenario_parts`).
    lang
        ``"vi"`` or ``"en"``.

    Returns
    -------
    str or None
        The parts of ``options`` that differ, joined; ``None`` when nothing differs.

    Examples
    --------
    >>> a = {"scheme": "2024", "mode": "car", "depart": "10:00"}
    >>> scenario_difference({**a, "depart": "17:30"}, relative_to=a, lang="en")
    'by car, leaving at 17:30'
    >>> scenario_difference(a, relative_to=a, lang="en") is None
    True
    """
    theirs = set(scenario_parts(relative_to, lang=lang))
    differ = [part for part in scenario_parts(options, lang=lang) if part not in theirs]
    return " · ".join(differ) or None


__all__ = [
    "MISSING",
    "Formatter",
    "clock",
    "count",
    "hours",
    "km",
    "minutes",
    "month",
    "number",
    "people",
    "percent",
    "ratio",
    "scenario_difference",
    "scenario_parts",
]
