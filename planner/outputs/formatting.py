"""One formatter per quantity and language: minutes, km, people, shares, numbers, clock times.

Vietnamese writes ``1.234,5`` where English writes ``1,234.5``; units come from the translation
table (:mod:`planner.outputs.i18n`): ``phút``/``min``, ``người``/``people``. Missing or non-finite values
are shown as a dash, never as ``nan``. Map, report and CLI all format through here, so a figure
reads the same everywhere.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from planner.outputs.i18n import Translator, check_lang, has_text, text

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

    Parameters
    ----------
    seconds : float
        The duration in seconds; ``None``, NaN and infinities give :data:`MISSING`.
    lang : str
        ``"vi"`` (``1.234,5``) or ``"en"`` (``1,234.5``).
    decimals : int
        Digits of minutes after the decimal mark.
    signed : bool
        Prefix ``+`` for positive durations (a difference); negative ones always show a minus.
    unit : bool
        Append the unit (``phút``/``min``).

    Returns
    -------
    str

    Examples
    --------
    >>> minutes(750, lang="vi", decimals=1), minutes(750, lang="en", decimals=1)
    ('12,5 phút', '12.5 min')
    >>> minutes(750, lang="vi"), minutes(750, lang="en")
    ('12 phút', '12 min')
    >>> minutes(-180, lang="vi", signed=True), minutes(-180, lang="en", signed=True)
    ('−3 phút', '−3 min')
    >>> minutes(750, lang="vi", decimals=1, unit=False), minutes(None, lang="en")
    ('12,5', '—')
    """
    x = _finite(seconds)
    if x is None:
        return MISSING
    shown = number(x / 60.0, lang=lang, decimals=decimals, signed=signed)
    return f"{shown} {text('unit.min', lang)}" if unit else shown


def hours(value_h: Any, *, lang: str, decimals: int = 0) -> str:
    """Format hours (``659 giờ``, ``659 h``).

    Parameters
    ----------
    value_h : float
        A duration in hours (e.g. staff travel hours per month); ``None``, NaN and
        infinities give :data:`MISSING`.
    lang : str
        ``"vi"`` (``1.234,5``) or ``"en"`` (``1,234.5``).
    decimals : int
        Digits after the decimal mark.

    Returns
    -------
    str

    Examples
    --------
    >>> hours(659.3, lang="vi"), hours(659.3, lang="en")
    ('659 giờ', '659 h')
    >>> hours(1545.41, lang="vi", decimals=1), hours(1545.41, lang="en", decimals=1)
    ('1.545,4 giờ', '1,545.4 h')
    """
    x = _finite(value_h)
    if x is None:
        return MISSING
    return f"{number(x, lang=lang, decimals=decimals)} {text('unit.h', lang)}"


def km(metres: Any, *, lang: str, decimals: int = 1) -> str:
    """Format a distance given in metres as kilometres (``52,8 km``).

    Parameters
    ----------
    metres : float
        The distance in metres; ``None``, NaN and infinities give :data:`MISSING`.
    lang : str
        ``"vi"`` (``1.234,5``) or ``"en"`` (``1,234.5``).
    decimals : int
        Digits of kilometres after the decimal mark.

    Returns
    -------
    str

    Examples
    --------
    >>> km(52764.5, lang="vi"), km(52764.5, lang="en")
    ('52,8 km', '52.8 km')
    >>> km(1234567, lang="vi", decimals=0), km(1234567, lang="en", decimals=0)
    ('1.235 km', '1,235 km')
    >>> km(float("inf"), lang="vi")
    '—'
    """
    x = _finite(metres)
    if x is None:
        return MISSING
    return f"{number(x / 1000.0, lang=lang, decimals=decimals)} {text('unit.km', lang)}"


def people(count: Any, *, lang: str, unit: bool = False) -> str:
    """Format a number of people (``1.660.375`` or, with ``unit``, ``1.660.375 người``).

    Parameters
    ----------
    count : float
        The number of people (rounded to a whole number); ``None``, NaN and infinities give
        :data:`MISSING`.
    lang : str
        ``"vi"`` (``1.234,5``) or ``"en"`` (``1,234.5``).
    unit : bool
        Append the unit (``người``/``people``).

    Returns
    -------
    str

    Examples
    --------
    >>> people(1660375, lang="vi", unit=True), people(1660375, lang="en", unit=True)
    ('1.660.375 người', '1,660,375 people')
    >>> people(1660375, lang="vi"), people(1660375, lang="en")
    ('1.660.375', '1,660,375')
    """
    x = _finite(count)
    if x is None:
        return MISSING
    shown = number(x, lang=lang, decimals=0)
    return f"{shown} {text('unit.people', lang)}" if unit else shown


def percent(share: Any, *, lang: str, decimals: int = 0, signed: bool = False) -> str:
    """Format a share (0–1) as a percentage (``89,0%``, ``89.0%``).

    Parameters
    ----------
    share : float
        A share between 0 and 1 (``0.89`` is 89 %); ``None``, NaN and infinities give
        :data:`MISSING`.
    lang : str
        ``"vi"`` (``1.234,5``) or ``"en"`` (``1,234.5``).
    decimals : int
        Digits of the percentage after the decimal mark.
    signed : bool
        Prefix ``+`` for positive shares (a difference); negative ones always show a minus.

    Returns
    -------
    str

    Examples
    --------
    >>> percent(0.89, lang="vi", decimals=1), percent(0.89, lang="en", decimals=1)
    ('89,0%', '89.0%')
    >>> percent(0.2, lang="vi"), percent(0.2, lang="en")
    ('20%', '20%')
    >>> percent(0.0416, lang="vi", decimals=1, signed=True), percent(-0.0416, lang="en", decimals=1)
    ('+4,2%', '−4.2%')
    """
    x = _finite(share)
    if x is None:
        return MISSING
    return number(100.0 * x, lang=lang, decimals=decimals, signed=signed) + "%"


def ratio(value: Any, *, lang: str, decimals: int = 2) -> str:
    """Format a dimensionless ratio (``1,48``, ``1.48``).

    Parameters
    ----------
    value : float
        The ratio (e.g. the largest hospital load over the smallest); ``None``, NaN and
        infinities give :data:`MISSING`.
    lang : str
        ``"vi"`` (``1.234,5``) or ``"en"`` (``1,234.5``).
    decimals : int
        Digits after the decimal mark.

    Returns
    -------
    str

    Examples
    --------
    >>> ratio(1.3901, lang="vi"), ratio(1.3901, lang="en")
    ('1,39', '1.39')
    >>> ratio(10.917, lang="vi", decimals=1), ratio(10.917, lang="en", decimals=1)
    ('10,9', '10.9')
    """
    return number(value, lang=lang, decimals=decimals)


#: The district-level types of Hanoi's 2024 scheme, as they start an official name, and the key
#: of the word that names each kind in the translation table.
_DISTRICT_KINDS = (("thị xã ", "town"), ("quận ", "urban"), ("huyện ", "rural"))


def district(name: Any, *, lang: str, former: bool = False) -> str:
    """A district's name, or a former district's: Hanoi has had no districts since 1 July 2025.

    Parameters
    ----------
    name : str
        The official name of a district of the 2024 scheme (``"Huyện Ba Vì"``).
    lang : str
        ``"vi"`` or ``"en"``.
    former : bool
        Name it as a former district (the units of 2025 lie in former districts).

    Returns
    -------
    str
        The name as given, or e.g. "former Ba Vì district" / "huyện Ba Vì cũ"; "" when blank.

    Examples
    --------
    >>> district("Huyện Ba Vì", lang="en", former=True), district("Huyện Ba Vì", lang="vi", former=True)
    ('former Ba Vì district', 'huyện Ba Vì cũ')
    >>> district("Thị xã Sơn Tây", lang="en", former=True), district("Quận Ba Đình", lang="vi")
    ('former Sơn Tây town', 'Quận Ba Đình')
    """
    if not isinstance(name, str) or not name.strip():
        return ""
    name = name.strip()
    if not former:
        return name
    lowered = name.lower()
    for prefix, kind in _DISTRICT_KINDS:
        if lowered.startswith(prefix):
            return text(
                "district.former",
                lang,
                name=name[len(prefix) :],
                kind=text(f"district.kind.{kind}", lang),
            )
    return text("district.former_plain", lang, name=name)


def count(value: Any, *, lang: str) -> str:
    """Format a whole count (``1.234``).

    Parameters
    ----------
    value : float
        The count (rounded to a whole number); ``None``, NaN and infinities give
        :data:`MISSING`.
    lang : str
        ``"vi"`` (``1.234,5``) or ``"en"`` (``1,234.5``).

    Returns
    -------
    str

    Examples
    --------
    >>> count(609, lang="vi"), count(609, lang="en")
    ('609', '609')
    >>> count(1234, lang="vi"), count(1234, lang="en")
    ('1.234', '1,234')
    """
    return number(value, lang=lang, decimals=0)


def amount(value: Any, *, lang: str, unit: str = "") -> str:
    """Format an amount of money in the user's unit, to at most two decimals (``4,5 tỷ đồng``).

    Parameters
    ----------
    value : float
        The amount (a cost, a budget); ``None``, NaN and infinities give :data:`MISSING`.
    lang : str
        ``"vi"`` (``1.234,5``) or ``"en"`` (``1,234.5``).
    unit : str
        The unit, as the user gave it (``"tỷ đồng"``); empty: none shown.

    Returns
    -------
    str

    Examples
    --------
    >>> amount(4.5, lang="vi", unit="tỷ đồng"), amount(1200, lang="en"), amount(3.0, lang="en")
    ('4,5 tỷ đồng', '1,200', '3')
    """
    if _finite(value) is None:
        return MISSING
    shown = number(value, lang=lang, decimals=2)
    mark = "," if lang == "vi" else "."
    whole, _, decimals = shown.partition(mark)
    decimals = decimals.rstrip("0")
    shown = f"{whole}{mark}{decimals}" if decimals else whole
    return f"{shown} {unit}".strip()


def clock(value: Any) -> str:
    """Format a time of day as ``HH:MM`` (``"7:30"``, ``"07h30"`` and ``"17.30"`` are read too).

    The same in every language. Text that is not a time of day in one of these forms is
    returned as it is.

    Parameters
    ----------
    value : object
        A time of day, as text (hours and minutes separated by ``:``, ``h`` or ``.``).

    Returns
    -------
    str
        ``HH:MM`` with two-digit hours, or ``str(value)`` unchanged.

    Examples
    --------
    >>> clock("7h30"), clock("17:30"), clock("17.30"), clock(" 7:30 ")
    ('07:30', '17:30', '17:30', '07:30')
    >>> clock("rush hour")
    'rush hour'
    """
    match = _CLOCK.match(str(value))
    if not match:
        return str(value)
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def month(value: Any, *, lang: str) -> str:
    """Format a ``YYYY-MM`` month (``August 2021``, ``tháng 8/2021``); other text is kept.

    Parameters
    ----------
    value : object
        A month as ``YYYY-MM`` text (e.g. the date of the road data).
    lang : str
        ``"vi"`` (``tháng 8/2021``) or ``"en"`` (``August 2021``).

    Returns
    -------
    str
        The month name and year in ``lang``, or ``str(value)`` unchanged when it is not a
        ``YYYY-MM`` month.

    Examples
    --------
    >>> month("2021-08", lang="en"), month("2021-08", lang="vi")
    ('August 2021', 'tháng 8/2021')
    >>> month("2025-13", lang="en")
    '2025-13'
    """
    match = re.fullmatch(r"(\d{4})-(\d{2})", str(value).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        return str(value)
    name = text(f"month.{int(match.group(2))}", lang)
    return text("month_year", lang, month=name, year=match.group(1))


def day(value: Any, *, lang: str) -> str:
    """Format a ``YYYY-MM-DD`` date (``19 August 2025``, ``ngày 19 tháng 8 năm 2025``).

    Parameters
    ----------
    value : object
        A date as ``YYYY-MM-DD`` text (e.g. when a decision took effect).
    lang : str
        ``"vi"`` (``ngày 19 tháng 8 năm 2025``) or ``"en"`` (``19 August 2025``).

    Returns
    -------
    str
        The date in ``lang``, or ``str(value)`` unchanged when it is not such a date.

    Examples
    --------
    >>> day("2025-08-19", lang="en"), day("2025-08-19", lang="vi")
    ('19 August 2025', 'ngày 19 tháng 8 năm 2025')
    """
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", str(value).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        return str(value)
    year, number, date = match.group(1), int(match.group(2)), int(match.group(3))
    return text("day_month_year", lang, day=date, month=text(f"month.{number}", lang), year=year)


def solver_status(status: str, *, mip_gap: Any, time_limit_s: float, lang: str) -> str:
    """The solver's verdict in words: optimal only when proven at the stated gap.

    Parameters
    ----------
    status : str
        ``"optimal"`` or ``"time_limit"`` (:attr:`planner.pairing.propose.PairingResult.status`).
    mip_gap : float
        The relative gap the solver proved.
    time_limit_s : float
        The time budget of the solve (s).
    lang : str
        ``"vi"`` or ``"en"``.

    Returns
    -------
    str

    Examples
    --------
    >>> solver_status("optimal", mip_gap=0.0, time_limit_s=60, lang="en")
    'optimal (proven within a relative gap of 1e-09)'
    >>> solver_status("time_limit", mip_gap=0.0125, time_limit_s=60, lang="vi")
    'tốt nhất tìm được trong 60 giây, cách tối ưu tối đa 1,2500%'
    """
    from planner.pairing import OPTIMALITY_GAP

    if status == "optimal":
        return text("cli.status.optimal", lang, gap=f"{OPTIMALITY_GAP:g}")
    return text(
        "cli.status.time_limit",
        lang,
        seconds=number(time_limit_s, lang=lang),
        gap=percent(mip_gap, lang=lang, decimals=4),
    )


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

    def district(self, name: Any, *, former: bool = False) -> str:
        return district(name, lang=self.lang, former=former)

    def amount(self, value: Any, unit: str = "") -> str:
        return amount(value, lang=self.lang, unit=unit)

    def clock(self, value: Any) -> str:
        return clock(value)

    def month(self, value: Any) -> str:
        return month(value, lang=self.lang)

    def day(self, value: Any) -> str:
        return day(value, lang=self.lang)


def map_title(options: Mapping[str, Any], *, lang: str) -> str:
    """The map's title: "Sister hospitals, Hanoi" (the scenario goes in the subtitle).

    Parameters
    ----------
    options : Mapping
        The run's settings; ``"region": "Hanoi"`` names the city in the title, any other
        region (or none) gives the plain title.
    lang : str
        ``"vi"`` or ``"en"``.

    Returns
    -------
    str

    Examples
    --------
    >>> map_title({"region": "Hanoi"}, lang="vi"), map_title({"region": "Hanoi"}, lang="en")
    ('Bệnh viện kết nghĩa, Hà Nội', 'Sister hospitals, Hanoi')
    >>> map_title({}, lang="vi"), map_title({}, lang="en")
    ('Bệnh viện kết nghĩa', 'Sister hospitals')
    """
    t = Translator(lang)
    if options.get("region") == "Hanoi":
        return t("map.title_region", region=t("scenario.region"))
    return t("map.title")


def hanoi_scheme(options: Mapping[str, Any]) -> str | None:
    """The run's administrative scheme when its units are the Hanoi registry's, else ``None``.

    The schemes name Hanoi's districts and communes; a run on the user's own facilities
    (``options["region"]`` is ``None``) has none of them, whatever ``scheme`` it recorded.

    Parameters
    ----------
    options
        The run's settings as in ``scores.json``'s ``options`` (no ``region``: an older file,
        read as Hanoi's).

    Returns
    -------
    str or None

    Examples
    --------
    >>> hanoi_scheme({"scheme": "2025", "region": "Hanoi"}), hanoi_scheme({"scheme": "2024"})
    ('2025', '2024')
    >>> hanoi_scheme({"scheme": "2024", "region": None}) is None
    True
    """
    if "region" in options and options["region"] is None:
        return None
    scheme = options.get("scheme")
    return None if scheme is None else str(scheme)


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
    scheme = hanoi_scheme(options)
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
    "amount",
    "clock",
    "count",
    "day",
    "district",
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
    "solver_status",
]
