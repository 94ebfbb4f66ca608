"""Speak the planner's languages: look messages up in the one translation table and fill them in.

The table itself (map, report and CLI) is a data file, ``planner/outputs/messages.toml``
(translators edit it without touching code), read once on the first lookup; here are the
languages, :func:`text`, :func:`has_text`, :func:`messages` and the :class:`Translator`.

Each message has an English and a Vietnamese text side by side, so a missing translation is
visible in review and caught by the tests. Place and facility names are never translated: they
stay the official Vietnamese names in every language.

Messages are plain text with ``{field}`` placeholders (:meth:`str.format`); the templates add
the markup and escape the text, so no message ever carries HTML.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from importlib import resources
from typing import Any, Literal

from planner.errors import PlannerInputError

Lang = Literal["vi", "en"]
#: The translation table's file, in this package.
MESSAGES_FILE = "messages.toml"
#: Languages the planner speaks, in the order the CLI lists them.
LANGUAGES: tuple[str, ...] = ("vi", "en")
#: Maps and reports are for Hanoi's officials, who read Vietnamese: Vietnamese by default.
DEFAULT_LANG: Lang = "vi"


#: The plural rule of each language (CLDR's): the form a count takes. Vietnamese nouns do not
#: change with the count (one form); English has "1 unit" and "2 units".
PLURAL_RULES: dict[str, Any] = {
    "en": lambda n: "one" if n == 1 else "other",
    "vi": lambda n: "other",
}
#: A message's forms: ``{"other": text}``, and ``{"one": ..., "other": ...}`` where the count
#: changes the words.
Forms = dict[str, str]


@functools.cache
def _table() -> dict[str, tuple[Forms, Forms]]:
    """The translation table, ``key: (English forms, Vietnamese forms)``, read once.

    A message is a text (``en = "..."``), or, where the words follow a count, its plural forms
    (``en = { one = "{count} unit", other = "{count} units" }``), chosen by :func:`text`'s
    ``n`` through :data:`PLURAL_RULES`.
    """
    source = resources.files("planner.outputs") / MESSAGES_FILE
    try:
        entries = tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PlannerInputError(
            f"the translation table cannot be read: {exc}",
            file=str(source),
            hint='each entry is a ["key"] line, then en = "..." and vi = "..."',
        ) from exc
    table: dict[str, tuple[Forms, Forms]] = {}
    for key, entry in entries.items():
        if not isinstance(entry, dict) or set(entry) != {"en", "vi"}:
            raise PlannerInputError(
                f"message {key!r} does not have exactly an en and a vi text",
                file=str(source),
                field=key,
                hint='give every message both en = "..." and vi = "..."',
            )
        forms = []
        for lang in ("en", "vi"):
            value = entry[lang]
            if isinstance(value, dict):
                if "other" not in value or not set(value) <= {"one", "other"}:
                    raise PlannerInputError(
                        f"message {key!r} in {lang} has forms {sorted(value)}",
                        file=str(source),
                        field=key,
                        hint='plural forms are { one = "...", other = "..." }',
                    )
                forms.append({form: str(words) for form, words in value.items()})
            else:
                forms.append({"other": str(value)})
        table[key] = (forms[0], forms[1])
    return table


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


def text(key: str, lang: str, /, *, n: float | None = None, **fields: object) -> str:
    """Return message ``key`` in ``lang`` with its ``{placeholders}`` filled from ``fields``.

    Parameters
    ----------
    key
        A message key of the table (e.g. ``"map.hospital"``).
    lang
        ``"vi"`` or ``"en"``.
    n
        The count that chooses the words of a message with plural forms (the language's
        rule, :data:`PLURAL_RULES`); ``None`` for a message of one form.
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
    >>> text("report.site_units", "en", n=1, site="A", units="1")
    'A: 1 unit'
    >>> text("report.site_units", "vi", n=1, site="A", units="1")
    'A: 1 đơn vị'
    """
    english, vietnamese = _table()[key]
    lang = check_lang(lang)
    forms = vietnamese if lang == "vi" else english
    if len(forms) > 1 and n is None:
        raise ValueError(f"message {key!r} has plural forms: give its count as n=")
    template = forms.get(PLURAL_RULES[lang](n), forms["other"]) if n is not None else forms["other"]
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
    return key in _table()


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

    def __call__(self, key: str, /, *, n: float | None = None, **fields: object) -> str:
        return text(key, self.lang, n=n, **fields)

    def get(self, key: str, default: str, /, **fields: object) -> str:
        """The message ``key``, or ``default`` when the table has no such key."""
        return self(key, **fields) if key in _table() else default  # type: ignore[arg-type]


def messages() -> Mapping[str, tuple[str, str]]:
    """Return the whole table, ``key: (English, Vietnamese)`` (read only; for tests and tools).

    A message with plural forms gives its ``other`` form here (:func:`plural_forms` gives all).

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
    return {key: (en["other"], vi["other"]) for key, (en, vi) in _table().items()}


def plural_forms(key: str) -> tuple[Forms, Forms]:
    """Return every form of message ``key``: ``(English forms, Vietnamese forms)``.

    Parameters
    ----------
    key
        A message key of the table.

    Returns
    -------
    tuple of dict
        ``{"other": text}`` for a message of one form; ``{"one": ..., "other": ...}`` where
        the count changes the words.

    Examples
    --------
    >>> english, vietnamese = plural_forms("report.site_units")
    >>> sorted(english), sorted(vietnamese)
    (['one', 'other'], ['other'])
    """
    english, vietnamese = _table()[key]
    return dict(english), dict(vietnamese)


__all__ = [
    "DEFAULT_LANG",
    "LANGUAGES",
    "PLURAL_RULES",
    "Translator",
    "check_lang",
    "has_text",
    "messages",
    "plural_forms",
    "text",
]
