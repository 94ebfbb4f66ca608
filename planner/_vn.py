"""Vietnamese-aware name folding for matching place and facility names across sources.

Sources spell the same place differently: tone marks placed on different vowels ("Thuỵ"/"Thụy"),
"Đ" typed as "D", abbreviations ("BVĐK", "TTYT"), administrative prefixes present or not
("Phường Phúc Xá"/"Phúc Xá"). Folding maps all of these to one plain ASCII key.
"""

from __future__ import annotations

import functools
import re
import unicodedata

#: Abbreviations used in Vietnamese health facility names, as folded words.
_ABBREVIATIONS = {
    "bvdk": "benh vien da khoa",
    "bv": "benh vien",
    "ttyt": "trung tam y te",
    "tyt": "tram y te",
    "pkdk": "phong kham da khoa",
    "pk": "phong kham",
    "tx": "thi xa",
    "tt": "thi tran",
}

#: Administrative unit types, longest first so "thi xa" wins over "xa".
_UNIT_TYPES = ("thanh pho", "thi tran", "thi xa", "phuong", "quan", "huyen", "xa")

_PUNCTUATION = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")


def fold(text: object) -> str:
    """Return ``text`` lower-cased, without diacritics (``đ`` → ``d``), punctuation or extra spaces.

    Known abbreviations are expanded so "BVĐK Ba Vì" and "Bệnh viện Đa khoa Ba Vì" fold alike.

    Examples
    --------
    >>> fold("Bệnh Viện Đa Khoa  Ba Vì")
    'benh vien da khoa ba vi'
    >>> fold("BVĐK Ba Vì") == fold("Bệnh viện đa khoa Ba Vì")
    True
    >>> fold("Xã Thuỵ Lâm") == fold("Xã Thụy Lâm")
    True
    """
    if text is None or (isinstance(text, float) and text != text):
        return ""
    return _fold(str(text))


@functools.lru_cache(maxsize=1 << 16)  # the same few thousand names are folded on every plan
def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = _SPACES.sub(" ", _PUNCTUATION.sub(" ", text)).strip()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in text.split(" ") if word)


def split_unit_type(name: object) -> tuple[str, str]:
    """Split a folded administrative name into its unit type and its core name.

    Numbered wards keep their type so "Phường 1" stays distinct from a commune called "1".

    Examples
    --------
    >>> split_unit_type("Thị trấn Tây Đằng")
    ('thi tran', 'tay dang')
    >>> split_unit_type("Phúc Xá")
    ('', 'phuc xa')
    """
    return _split_folded(fold(name))


@functools.lru_cache(maxsize=1 << 16)
def _split_folded(folded: str) -> tuple[str, str]:
    for unit_type in _UNIT_TYPES:
        if folded.startswith(unit_type + " ") and not folded[len(unit_type) + 1 :].isdigit():
            return unit_type, folded[len(unit_type) + 1 :]
    return "", folded


def core_name(name: object) -> str:
    """Return the folded name without its administrative type ("Huyện Ba Vì" → "ba vi").

    Examples
    --------
    >>> core_name("Huyện Ứng Hòa") == core_name("Huyện ứng Hoà")
    True
    """
    return split_unit_type(name)[1]


def district_key(name: object) -> str | None:
    """Return the key under which two spellings of a district are the same district.

    The one district normaliser of the planner (hierarchy, pilot, specialty need, report):
    case, accents and where the tone mark sits ("Hòa"/"Hoà"), Unicode form and the
    "Quận"/"Huyện"/"Thị xã" prefix are ignored. Blank names give ``None`` (no district).

    Examples
    --------
    >>> district_key("huyện Ba Vì") == district_key("Huyện Ba Vì") == district_key("Ba Vi")
    True
    >>> district_key("Huyện Ứng Hòa") == district_key("Ứng Hoà")
    True
    >>> district_key("  ") is None
    True
    """
    if isinstance(name, str):
        return _district_key_of_text(name)
    key = core_name(name)
    return key or None


@functools.lru_cache(maxsize=8192)  # a run keys the same few hundred names thousands of times
def _district_key_of_text(name: str) -> str | None:
    return core_name(name) or None
