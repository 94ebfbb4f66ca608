"""Speak the planner's languages: look messages up in the one translation table and fill them in.

The table itself (map, report and CLI) is :mod:`planner.outputs._messages`; here are the
languages, :func:`text`, :func:`has_text`, :func:`messages` and the :class:`Translator`.

Each message has an English and a Vietnamese text side by side, so a missing translation is
visible in review and caught by the tests. Place and facility names are never translated: they
stay the official Vietnamese names in every language.

Messages are plain text with ``{field}`` placeholders (:meth:`str.format`); the templates add
the markup and escape the text, so no message ever carries HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from planner.errors import PlannerInputError
from planner.outputs._messages import _MESSAGES

Lang = Literal["vi", "en"]
#: Languages the planner speaks, in the order the CLI lists them.
LANGUAGES: tuple[str, ...] = ("vi", "en")
#: Maps and reports are for Hanoi's officials, who read Vietnamese: Vietnamese by default.
DEFAULT_LANG: Lang = "vi"


def check_lang(lang: object) -> Lang:
    """Return ``lang`` if the planner speaks it, else raise a :class:`PlannerInputError`.

    Parameters
    ----------
    lang
        A language code.

    Returns
    -------
    str
        ``"vi"`` or ``"en"``.

    Examples
    --------
    >>> check_lang("vi")
    'vi'
    """
    if lang not in LANGUAGES:
        raise PlannerInputError(
            f"unknown language {lang!r}", field="lang", hint=f"use one of {', '.join(LANGUAGES)}"
        )
    return lang  # type: ignore[return-value]


def text(key: str, lang: str, /, **fields: object) -> str:
    """Return message ``key`` in ``lang`` with its ``{placeholders}`` filled from ``fields``.

    Parameters
    ----------
    key
        A message key of the table (e.g. ``"map.hospital"``).
    lang
        ``"vi"`` or ``"en"``.
    **fields
        Values for the placeholders.

    Returns
    -------
    str
        Plain text (never HTML: templates escape it).

    Examples
    --------
    >>> text("at_time", "vi", time="17:30")
    'lúc 17:30'
    >>> text("at_time", "en", time="17:30")
    'at 17:30'
    """
    english, vietnamese = _MESSAGES[key]
    template = vietnamese if check_lang(lang) == "vi" else english
    return template.format(**fields) if fields else template


def has_text(key: str) -> bool:
    """Say whether ``key`` is in the table (for optional keys such as a road class).

    Parameters
    ----------
    key : str
        A message key (e.g. ``"road.motorway"``).

    Returns
    -------
    bool
        ``True`` when :func:`text` knows ``key`` (in both languages).

    Examples
    --------
    >>> has_text("road.motorway"), has_text("road.hovercraft")
    (True, False)
    """
    return key in _MESSAGES


class Translator:
    """Messages of one language: ``t("key", **fields)``; what templates receive as ``t``.

    Examples
    --------
    >>> t = Translator("vi")
    >>> t("unit.min")
    'phút'
    """

    def __init__(self, lang: str) -> None:
        self.lang: Lang = check_lang(lang)

    def __call__(self, key: str, /, **fields: object) -> str:
        return text(key, self.lang, **fields)

    def get(self, key: str, default: str, /, **fields: object) -> str:
        """The message ``key``, or ``default`` when the table has no such key."""
        return self(key, **fields) if key in _MESSAGES else default


def messages() -> Mapping[str, tuple[str, str]]:
    """Return the whole table, ``key: (English, Vietnamese)`` (read only; for tests and tools).

    Returns
    -------
    Mapping of str to (str, str)
        A copy of the table: changing it does not change what the planner says.

    Examples
    --------
    >>> messages()["yes"]
    ('yes', 'có')
    >>> english, vietnamese = messages()["unit.people"]
    >>> english, vietnamese
    ('people', 'người')
    >>> all(en and vi for en, vi in messages().values())
    True
    """
    return dict(_MESSAGES)


__all__ = ["DEFAULT_LANG", "LANGUAGES", "Translator", "check_lang", "has_text", "messages", "text"]
