"""The translation table and the formatters: complete, consistent, one per quantity."""

from __future__ import annotations

import re
import string

import pytest

from planner.errors import PlannerInputError
from planner.outputs import formatting
from planner.outputs.formatting import Formatter, scenario_difference, scenario_parts
from planner.outputs.i18n import DEFAULT_LANG, LANGUAGES, Translator, messages, text


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_has_both_languages_with_the_same_placeholders():
    table = messages()
    assert len(table) > 150
    for key, (english, vietnamese) in table.items():
        assert english.strip() and vietnamese.strip(), key
        assert _fields(english) == _fields(vietnamese), key
        for message in (english, vietnamese):
            assert "<" not in message and ">" not in message, f"{key}: markup in a message"


def _words(message: str) -> str:
    return re.sub(r"\{[^}]*\}", "", message)  # placeholders are not shown


def test_vietnamese_messages_use_vietnamese_units():
    for key, (_, vietnamese) in messages().items():
        vietnamese = _words(vietnamese)
        assert not re.search(r"\bmin\b", vietnamese), key
        assert not re.search(r"\b(peak|off-peak)\b", vietnamese, re.I), key


def test_no_message_calls_a_time_peak_or_off_peak():
    """Labels name the actual departure time; "peak" is never a label."""
    for key, (english, vietnamese) in messages().items():
        english, vietnamese = _words(english), _words(vietnamese)
        assert not re.search(r"\b(off-)?peak\b", english, re.I), key
        assert "cao điểm" not in vietnamese, key


def test_unknown_language_is_an_input_error():
    assert DEFAULT_LANG == "vi" and set(LANGUAGES) == {"vi", "en"}
    with pytest.raises(PlannerInputError, match="lang"):
        Translator("fr")
    with pytest.raises(PlannerInputError, match="lang"):
        text("yes", "de")


@pytest.mark.parametrize(
    ("lang", "value", "expected"),
    [("vi", 1234.5, "1.234,5"), ("en", 1234.5, "1,234.5"), ("vi", 8053663, "8.053.663,0")],
)
def test_number_separators(lang, value, expected):
    assert formatting.number(value, lang=lang, decimals=1) == expected


def test_one_formatter_per_quantity():
    vi, en = Formatter("vi"), Formatter("en")
    assert vi.minutes(90 * 60) == "90 phút" and en.minutes(90 * 60) == "90 min"
    assert vi.minutes(754, decimals=1) == "12,6 phút"
    assert vi.km(52764.5) == "52,8 km" and en.km(52764.5) == "52.8 km"
    assert vi.people(1660375, unit=True) == "1.660.375 người"
    assert en.people(1660375, unit=True) == "1,660,375 people"
    assert vi.percent(0.8904, decimals=1) == "89,0%" and en.percent(0.2) == "20%"
    assert vi.ratio(1.4812) == "1,48" and en.ratio(10.917, decimals=1) == "10.9"
    assert vi.hours(659.3) == "659 giờ"
    assert en.minutes(-180, signed=True) == "−3 min" and en.minutes(180, signed=True) == "+3 min"
    assert en.number(-0.01, decimals=1) == "0.0"  # never "-0.0"
    for missing in (None, float("nan"), float("inf"), "x"):
        assert vi.minutes(missing) == formatting.MISSING
        assert vi.people(missing) == formatting.MISSING
    assert formatting.clock("7h30") == "07:30" and formatting.clock("17.30") == "17:30"
    assert formatting.month("2021-08", lang="vi") == "tháng 8/2021"


def test_scenario_parts_name_scheme_mode_time_roads_objective_balance():
    options = {
        "scheme": "2024",
        "mode": "motorbike",
        "depart": "17:30",
        "roads_date": "2021-08",
        "objective": "pop-time",
        "balance": 0.2,
    }
    parts = scenario_parts(options, lang="en")
    assert parts == [
        "2024 administrative units (30 districts, 579 communes)",
        "by motorbike, leaving at 17:30",
        "OpenStreetMap roads of August 2021",
        "shortest travel time per person",
        "each hospital within ±20% of a fair share",
    ]
    vi = " · ".join(scenario_parts(options, lang="vi"))
    assert "xe máy, xuất phát lúc 17:30" in vi and "tháng 8/2021" in vi
    later = {**options, "depart": "10:00"}
    assert scenario_difference(later, relative_to=options, lang="en") == (
        "by motorbike, leaving at 10:00"
    )


def test_a_broken_translation_table_is_a_clear_error(tmp_path, monkeypatch):
    """The table is a data file translators edit: a missing language names the file and key."""
    from planner.errors import PlannerInputError
    from planner.outputs import i18n

    (tmp_path / i18n.MESSAGES_FILE).write_text('["yes"]\nen = "yes"\n', encoding="utf-8")
    monkeypatch.setattr(i18n.resources, "files", lambda package: tmp_path)
    i18n._table.cache_clear()
    try:
        with pytest.raises(PlannerInputError, match="'yes' does not have exactly an en and a vi"):
            i18n.text("yes", "vi")
    finally:
        monkeypatch.undo()
        i18n._table.cache_clear()
    assert i18n.text("yes", "vi") == "có"
