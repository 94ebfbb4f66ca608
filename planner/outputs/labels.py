"""How a hospital and a unit's pairing are named and coloured, the same in the map and the report.

Each hospital has a fixed colour and icon (:func:`hospital_palette`, :func:`hospital_icon`); a site
is named by :func:`site_label`, a switching cost worded by :func:`switch_text` and the Ba Vì pilot
recognised by :func:`is_pilot_pair`.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd
from markupsafe import Markup

from planner._vn import core_name
from planner.outputs.formatting import Formatter
from planner.outputs.i18n import Translator
from planner.places.pilot import PILOT_DISTRICT, PILOT_HOSPITAL_ID
from planner.places.sites import hospital_of

#: Fixed colour and icon per regional specialty (Okabe-Ito: distinct for colour-blind readers).
_SPECIALTY_STYLE = {
    "general": ("#0072B2", "cross"),
    "cardiology": ("#D55E00", "heart"),
    "oncology": ("#009E73", "star"),
    "obstetrics_gynecology": ("#CC79A7", "venus"),
}
#: Colours for hospitals without a known specialty, in facility_id order.
_EXTRA_COLOURS = ("#E69F00", "#56B4E9", "#7F3C8D", "#3969AC", "#80BA5A", "#F2B701", "#A5AA99")
_ICONS = ("cross", "heart", "star", "venus", "diamond")
_SVG_PATHS = {
    "cross": "M10 5h4v5h5v4h-5v5h-4v-5H5v-4h5z",
    "heart": "M12 19l-1.2-1.1C6.5 14 4 11.7 4 8.9 4 6.7 5.7 5 7.9 5c1.2 0 2.4.6 3.1 1.5h2"
    "C13.7 5.6 14.9 5 16.1 5 18.3 5 20 6.7 20 8.9c0 2.8-2.5 5.1-6.8 9z",
    "star": "M12 4l2.4 5 5.4.6-4 3.7 1.1 5.4L12 16l-4.9 2.7 1.1-5.4-4-3.7 5.4-.6z",
    "venus": "M12 4a4.5 4.5 0 1 0 .01 0zm0 2a2.5 2.5 0 1 1-.01 0zM11 12.5h2V15h2.5v2H13v3h-2v-3"
    "H8.5v-2H11z",
    "diamond": "M12 4l7 8-7 8-7-8z",
}


def hospital_palette(hospitals: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Return a fixed ``(colour, icon)`` per hospital id, the same in every map and chart.

    The four Hanoi regional hospitals get their specialty's colour and icon (general: blue
    cross, cardiology: vermilion heart, oncology: green star, obstetrics: purple venus);
    other hospitals get further colours in id order. The sites of a hospital share its style.

    Parameters
    ----------
    hospitals
        Frame with ``facility_id`` and, optionally, ``hospital_id`` (a hospital of several
        sites: one row per site) and ``specialty``.

    Returns
    -------
    dict
        ``{hospital_id: (hex colour, icon name)}``.

    Examples
    --------
    >>> import pandas as pd
    >>> hospital_palette(pd.DataFrame({"facility_id": ["a"], "specialty": ["cardiology"]}))
    {'a': ('#D55E00', 'heart')}
    """
    key = hospital_of(hospitals)
    ids = sorted(set(key))
    specialty = (
        hospitals["specialty"].set_axis(key.to_numpy())
        if "specialty" in hospitals
        else pd.Series(dtype=object)
    )
    specialty = specialty[~specialty.index.duplicated()]
    palette: dict[str, tuple[str, str]] = {}
    used: set[str] = set()
    for hid in ids:
        style = _SPECIALTY_STYLE.get(str(specialty.get(hid, "")))
        if style and style[0] not in used:
            palette[hid] = style
            used.add(style[0])
    spare = [c for c in (*[s[0] for s in _SPECIALTY_STYLE.values()], *_EXTRA_COLOURS)]
    spare = [c for c in spare if c not in used]
    for i, hid in enumerate(h for h in ids if h not in palette):
        palette[hid] = (spare[i % len(spare)], _ICONS[i % len(_ICONS)])
    return palette


def hospital_icon(colour: str, icon: str, *, size_px: int = 30) -> Markup:
    """Return a hospital's round SVG icon (its colour and specialty symbol) as markup.

    Parameters
    ----------
    colour, icon
        A :func:`hospital_palette` entry.
    size_px
        Width and height in pixels.

    Returns
    -------
    markupsafe.Markup

    Examples
    --------
    >>> str(hospital_icon("#D55E00", "heart", size_px=18))[:40]
    '<svg xmlns="http://www.w3.org/2000/svg" '
    """
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", colour) or icon not in _SVG_PATHS:
        raise ValueError(f"not a palette entry: {colour!r}, {icon!r}")
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size_px}" height="{size_px}" '
        f'viewBox="0 0 24 24"><circle cx="12" cy="12" r="11" fill="{colour}" stroke="#fff" '
        f'stroke-width="1.5"/><path d="{_SVG_PATHS[icon]}" fill="#fff"/></svg>'
    )


def is_pilot_pair(district: Any, hospital_id: Any) -> bool:
    """Say whether a pinned unit's pair is the Ba Vì pilot (its district with Xanh Pon).

    Parameters
    ----------
    district, hospital_id
        The unit's district and sister hospital.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_pilot_pair("Huyện Ba Vì", "hn-reg-xanhpon"), is_pilot_pair("Ba Vì", "hn-reg-heart")
    (True, False)
    """
    return str(hospital_id) == PILOT_HOSPITAL_ID and core_name(district) == core_name(
        PILOT_DISTRICT
    )


def trip_words(seconds: Any, t: Translator, f: Formatter) -> str:
    """A unit's travel time in words, or that there is no road.

    Used for the ``travel_time`` shown in the map's unit and pairing tooltips.

    Parameters
    ----------
    seconds : float
        The unit's travel time to its sister hospital, in seconds; ``None``, NaN or an
        infinity mean there is no road.
    t : Translator
        The translator of the output language (for the "no road" message).
    f : Formatter
        The formatter of the same language (the time in whole minutes).

    Returns
    -------
    str
        The time as minutes (``"12 min"``), or the language's "no road" message.

    Examples
    --------
    >>> t, f = Translator("en"), Formatter("en")
    >>> trip_words(720, t, f), trip_words(720, Translator("vi"), Formatter("vi"))
    ('12 min', '12 phút')
    >>> trip_words(float("inf"), t, f)
    'no road to its sister hospital'
    """
    if seconds is None or pd.isna(seconds) or not math.isfinite(float(seconds)):
        return t("map.unreachable")
    return f.minutes(seconds)


def switch_text(name: str, seconds: Any, t: Translator, f: Formatter, *, prefix: str) -> str:
    """Word a switching cost by its sign: ``"X: 3 min slower"``, ``"4 min faster"``, ``"same"``.

    Parameters
    ----------
    name : str
        The next-best hospital (``{name}`` of the message; unused by the report's messages).
    seconds : float
        Time in seconds with the next-best hospital minus time with the sister hospital (a
        finite number: callers handle a missing one).
    t : Translator
        The translator of the output language.
    f : Formatter
        The formatter of the same language.
    prefix : str
        ``"map"`` or ``"report"``: whose messages to use.

    Returns
    -------
    str
        The sentence; a difference within half a minute either way is the "same time".

    Examples
    --------
    >>> t, f = Translator("en"), Formatter("en")
    >>> switch_text("Xanh Pon", 180, t, f, prefix="map")
    'Xanh Pon: 3 min slower'
    >>> switch_text("Xanh Pon", -240, t, f, prefix="map")
    'Xanh Pon: 4 min faster'
    >>> switch_text("Xanh Pon", 20, t, f, prefix="map")
    'Xanh Pon: same time'
    >>> switch_text("", 180, Translator("vi"), Formatter("vi"), prefix="report")
    'chậm hơn 3 phút'
    """
    key = switch_direction(seconds)
    if key == "same":
        return t(f"{prefix}.switch_same", name=name)
    return t(f"{prefix}.switch_{key}", name=name, minutes=f.minutes(abs(float(seconds))))


def switch_direction(seconds: Any) -> str:
    """Say whether switching is ``"faster"``, ``"slower"`` or the ``"same"`` (as it is shown).

    Parameters
    ----------
    seconds : float
        Time with the next-best hospital minus time with the sister hospital (finite).

    Returns
    -------
    str
        ``"same"`` within half a minute either way (shown as 0 min), else the sign in words.

    Examples
    --------
    >>> switch_direction(-240), switch_direction(20), switch_direction(180)
    ('faster', 'same', 'slower')
    """
    if round(abs(float(seconds)) / 60.0) == 0:
        return "same"
    return "slower" if float(seconds) > 0 else "faster"


def site_label(row: Any, t: Translator) -> str:
    """Name a hospital site for the map and the report: its ``site_name``, with "(main site)"
    added when it is the main one and shares the hospital's ``name``.

    Parameters
    ----------
    row : object
        A site (``name``, ``site_name``, ``site_role``), e.g. from ``itertuples``.
    t : Translator
        The translator of the output language.

    Returns
    -------
    str
        The site's name, marked as the main site where it carries the hospital's name.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> site = SimpleNamespace(name="BV A", site_name="BV A", site_role="main")
    >>> site_label(site, Translator("en"))
    'BV A (main site)'
    >>> other = SimpleNamespace(name="BV A", site_name="BV A - Cơ sở 2", site_role="site")
    >>> site_label(other, Translator("en"))
    'BV A - Cơ sở 2'
    """
    if row.site_role == "main" and str(row.site_name) == str(row.name):
        return t("map.site_main", site=row.site_name)
    return str(row.site_name)


__all__ = [
    "hospital_icon",
    "hospital_palette",
    "is_pilot_pair",
    "site_label",
    "switch_direction",
    "switch_text",
]
