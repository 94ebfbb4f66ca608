"""``pairings.xlsx``: the decision as officials open it in Excel, in the run's language.

The first sheet is the decision table (:func:`planner.outputs.report.decision.decision_table`)
with one row per unit, under its sister hospital (rows sorted by hospital, then name): the
hospital's name in its map colour, the unit, its level and district, its travel times in
minutes at the run's two departure times, its population, the next-best hospital and the
minutes a switch would cost, whether it is pinned (the pilot's or a fixed pair) and the ids.
Times and people are numbers with a number format, never text, so Excel sums and sorts them;
people show the language's thousands separator whatever the reader's Windows settings
(``1.234.567`` in Vietnamese, ``1,234,567`` in English). The header row is frozen and filters.
The second sheet is the scenario: the report's title and settings in words
(:func:`~planner.outputs.report._basis.assumptions_part`), the data used with their dates and
licences, and the planner's version.

Every cell is a value: a name that starts with ``=`` is written as text, never as a formula, and
characters a workbook cannot hold are dropped. The file is written atomically, by XlsxWriter
(it only writes, several times faster than openpyxl, its import included).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from planner.config import data_sources
from planner.io.atomic import atomic_path
from planner.outputs.formatting import Formatter, month, number, scenario_parts
from planner.outputs.i18n import DEFAULT_LANG, Translator, has_text
from planner.outputs.labels import hospital_palette, is_pilot_pair
from planner.outputs.report._basis import (
    assumptions_part,
    report_title,
    sources_part,
)
from planner.outputs.report._context import Context
from planner.outputs.report._scores import read_scores
from planner.outputs.report._traffic import traffic_part
from planner.outputs.report.decision import decision_table
from planner.places.hanoi.ids import registry_scheme
from planner.places.sites import hospital_of

#: The workbook's name beside ``pairings.csv``.
WORKBOOK_NAME = "pairings.xlsx"
#: Whole minutes, as the report shows them (the cell keeps a tenth).
MINUTES_FORMAT = "0"
#: A difference in minutes: a plus sign, or the typographic minus the report uses.
SIGNED_MINUTES_FORMAT = '+0;"\u2212"0;0'
_WIDTH = (8, 48)  # narrowest and widest column, in characters
_HEADER_FILL = "DDE3EA"
#: Control characters a workbook cannot hold (XML 1.0 allows tab, line feed and return).
_ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_PILOT_FILL = "FFF4CE"


def people_format(lang: str) -> str:
    """The Excel number format of a count of people in ``lang``: its thousands separator written
    in the format itself, so Excel shows it whatever the reader's regional settings.

    Parameters
    ----------
    lang
        ``"vi"`` (``1.234.567``) or ``"en"`` (``1,234,567``).

    Returns
    -------
    str
        A number format with conditions for thousands and millions (counts below a billion).

    Examples
    --------
    >>> people_format("vi")
    '[>=1000000]#"."###"."##0;[>=1000]#"."##0;0'
    >>> people_format("en")
    '[>=1000000]#","###","##0;[>=1000]#","##0;0'
    """
    sep = number(1000, lang=lang)[1]  # the language's separator, as every figure shows it
    mark = f'"{sep}"'
    return f"[>=1000000]#{mark}###{mark}##0;[>=1000]#{mark}##0;0"


def write_workbook(
    out: str | os.PathLike[str],
    *,
    pairings: pd.DataFrame,
    scores: Any,
    facilities: pd.DataFrame,
    lang: str = DEFAULT_LANG,
    version: str | None = None,
) -> Path:
    """Write ``pairings.xlsx``: the decision table and the scenario, in ``lang``.

    Parameters
    ----------
    out
        A folder (the file is :data:`WORKBOOK_NAME` in it) or the file path itself.
    pairings
        The pairing (the pairing contract).
    scores
        The run's ``scores.json`` (a dict, with its ``options``, ``per_pair`` and departure
        times) or :class:`planner.pairing.scoring.PairingScores`.
    facilities
        The facility table the pairing was made with (hospital names and colours).
    lang
        ``"vi"`` (default) or ``"en"``; place names stay Vietnamese.
    version
        The planner's version, written on the scenario sheet (default the installed one).

    Returns
    -------
    pathlib.Path
        The workbook's path.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> from planner.app.pipeline.documents import scores_document
    >>> from planner.app.pipeline.planning import PlanOptions, plan
    >>> run = plan(PlanOptions(scheme="2025", cells=False))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_workbook(folder, pairings=run.proposal.pairings,
    ...                           scores=scores_document(run), facilities=run.facilities,
    ...                           lang="en")
    ...     book = openpyxl.load_workbook(path)
    >>> book.sheetnames, book["Pairings"].max_row - 1  # a header, then every unit
    (['Pairings', 'Scenario'], 156)
    >>> [c.value for c in book["Pairings"][1]][:4]
    ['Sister hospital', 'Unit', 'Level', 'Former district']
    """
    import xlsxwriter  # writes only, and fast: 0.1 s for the 609 rows of 2024

    from planner import __version__

    t, f = Translator(lang), Formatter(lang)
    main = read_scores(scores)
    options = dict(main.options)
    regional = facilities[facilities["level"] == "regional"]
    ctx = Context(
        t=t,
        f=f,
        names=dict(zip(hospital_of(regional), regional["name"].astype(str), strict=True)),
        palette=hospital_palette(regional),
        former=registry_scheme(facilities) == "2025",  # Hanoi's 2025 units: former districts
    )
    rows = decision_table(pairings, peak_times=main.peak_times, by_district=False)
    target = Path(out)
    if target.is_dir() or not target.suffix:
        target = target / WORKBOOK_NAME
    with atomic_path(target) as tmp:
        # strings stay strings: "=..." is never read as a formula, nor "1e3" as a number
        book = xlsxwriter.Workbook(
            str(tmp), {"strings_to_formulas": False, "strings_to_numbers": False}
        )
        sheet = book.add_worksheet(_sheet_name(t("workbook.sheet_pairings")))
        blank = _decision_sheet(
            book, sheet, rows, pairings, ctx, at=main.depart, at_peak=main.peak_depart
        )
        scenario = book.add_worksheet(_sheet_name(t("workbook.sheet_scenario")))
        notes = [ctx.says("workbook.note_district_people")] if blank else []
        _scenario_sheet(
            book,
            scenario,
            pairings,
            main,
            options,
            ctx,
            notes=notes,
            version=version or __version__,
        )
        book.close()
    return target


def _sheet_name(name: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of ``[]:*?/\\``."""
    return re.sub(r"[\[\]:*?/\\]", " ", name)[:31]


def _level(level: Any, ctx: Context) -> str:
    """A unit's level in words ("health unit of a former district" for the 2025 units)."""
    key = f"level.{level}"
    return ctx.says(key) if has_text(key) else str(level)


def _decision_sheet(
    book: Any,
    sheet: Any,
    rows: pd.DataFrame,
    pairings: pd.DataFrame,
    ctx: Context,
    *,
    at: str | None,
    at_peak: str | None,
) -> bool:
    """Fill the decision sheet; whether a district unit's population was left blank."""
    t = ctx.t
    minutes = f" ({t('unit.min')})"
    has_peak = at_peak is not None and bool(rows["travel_time_peak_s"].notna().any())
    columns: list[tuple[str, str | None]] = [
        (t("report.col_hospital"), None),
        (t("report.col_unit"), None),
        (t("workbook.col_level"), None),
        (ctx.says("report.col_district"), None),
        ((t("report.col_time_at", time=at) if at else t("map.travel_time")) + minutes, "min"),
    ]
    if has_peak:
        columns.append((t("report.col_time_at", time=at_peak) + minutes, "min"))
    columns += [
        (t("report.col_population"), "people"),
        (t("report.col_next_best"), None),
        (t("report.col_switch") + minutes, "switch"),
        (t("workbook.col_pinned"), None),
        (t("workbook.col_unit_id"), None),
        (t("workbook.col_hospital_id"), None),
    ]
    number_formats = {
        "min": MINUTES_FORMAT,
        "people": people_format(ctx.t.lang),
        "switch": SIGNED_MINUTES_FORMAT,
    }
    styles = _Styles(book)
    header = styles.get(bold=True, bg_color="#" + _HEADER_FILL)
    for i, (label, _) in enumerate(columns):
        _write(sheet, 0, i, _text(label), header)
    # a district unit listed with its communes counts no people of its own (they are its
    # communes'): its cell stays empty rather than 0
    raw = pd.to_numeric(
        pairings.set_index(pairings["unit_id"].astype(str))["population"], errors="coerce"
    )
    blank = False
    widths = [len(str(label)) for label, _ in columns]
    for line, row in enumerate(rows.itertuples(index=False), start=1):  # under the header
        hid = None if pd.isna(row.hospital_id) else str(row.hospital_id)
        pin = None
        if row.pinned:
            pilot = is_pilot_pair(row.district, row.hospital_id)
            pin = t("pin.pilot_short" if pilot else "pin.fixed_short")
        people: float | None = row.population
        if not people and raw.get(str(row.unit_id), 0) > 0:
            people, blank = None, True
        values: list[Any] = [
            ctx.name(hid) if hid else t("report.row_unassigned"),
            row.unit_name,
            _level(row.unit_level, ctx),
            ctx.district(row.district) if isinstance(row.district, str) else None,
            _minutes(row.travel_time_s),
        ]
        if has_peak:
            values.append(_minutes(row.travel_time_peak_s))
        values += [
            _whole(people),
            ctx.name(row.next_best_hospital_id) if pd.notna(row.next_best_hospital_id) else None,
            _minutes(row.switch_cost_s) if pd.notna(row.next_best_hospital_id) else None,
            pin,
            row.unit_id,
            hid,
        ]
        fill = {"bg_color": "#" + _PILOT_FILL} if pin is not None else {}
        for i, (value, (_, kind)) in enumerate(zip(values, columns, strict=True)):
            look: dict[str, Any] = dict(fill)
            if kind is not None:
                look["num_format"] = number_formats[kind]
            if i == 0 and hid:
                look.update(bold=True, font_color=ctx.colour(hid))
            cell = _text(value)
            _write(sheet, line, i, cell, styles.get(**look) if look else None)
            if cell is not None:
                widths[i] = max(widths[i], 8 if isinstance(cell, float) else len(str(cell)))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(rows), len(columns) - 1)
    for i, width in enumerate(widths):  # each column as wide as its longest cell, within bounds
        sheet.set_column(i, i, min(max(width + 2, _WIDTH[0]), _WIDTH[1]))
    return blank


def _scenario_sheet(
    book: Any,
    sheet: Any,
    pairings: pd.DataFrame,
    main: Any,
    options: Mapping[str, Any],
    ctx: Context,
    *,
    notes: list[str],
    version: str,
) -> None:
    t = ctx.t
    styles = _Styles(book)
    text = styles.get(text_wrap=True, valign="top")
    bold = styles.get(bold=True, text_wrap=True, valign="top")
    lines: list[tuple[list[Any], Any]] = [
        (
            [report_title(options, t)],
            styles.get(bold=True, font_size=14, text_wrap=True, valign="top"),
        )
    ]
    parts = scenario_parts(options, lang=t.lang)
    if parts:
        lines.append(([" · ".join(parts)], text))
    lines.append(([], text))
    traffic = traffic_part(main, options, ctx)
    settings = assumptions_part(
        main, options, ctx, pairings=pairings, traffic=traffic[0] if traffic else None
    )
    lines.append(([t("report.assumptions")], bold))
    lines += [([label, words], text) for label, words in settings]
    lines += [([], text), ([t("report.sources")], bold)]
    sources = sources_part(ctx, options)
    dates = {row["file"]: row.get("date") or "" for row in data_sources()}
    lines.append(([c["label"] for c in sources["columns"]] + [t("workbook.col_date")], bold))
    for cells in sources["rows"]:
        texts = [c["text"] for c in cells]
        # our files' dates; the roads a user gave carry the date their run recorded, if any
        date = dates.get(texts[0], "") if sources["hanoi"] else options.get("roads_date") or ""
        lines.append(([*texts, month(date, lang=t.lang) if date else None], text))
    lines.append(([], text))
    lines += [([note], text) for note in notes]
    lines.append(([t("workbook.written_by", version=version)], text))
    for row, (values, look) in enumerate(lines):
        for column, value in enumerate(values):
            _write(sheet, row, column, _text(value), look)
    for column, width in enumerate((30, 90, 40, 16)):
        sheet.set_column(column, column, width)


class _Styles:
    """One xlsxwriter format per distinct look (a workbook holds a limited number of styles)."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.made: dict[tuple[tuple[str, Any], ...], Any] = {}

    def get(self, **look: Any) -> Any:
        key = tuple(sorted(look.items()))
        if key not in self.made:
            self.made[key] = self.book.add_format(look)
        return self.made[key]


def _write(sheet: Any, row: int, column: int, value: Any, look: Any) -> None:
    """One cell: a string as text (never a formula), a number as a number, empty as blank."""
    if value is None:
        if look is not None:
            sheet.write_blank(row, column, None, look)
    elif isinstance(value, str):
        sheet.write_string(row, column, value, look)
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value, look)
    else:
        sheet.write_number(row, column, value, look)


def _minutes(seconds: Any) -> float | None:
    value = pd.to_numeric(seconds, errors="coerce")
    if value is None or not math.isfinite(float(value)):
        return None
    return round(float(value) / 60.0, 1)


def _whole(value: Any) -> float | None:
    if value is None or not math.isfinite(float(value)):
        return None
    return float(round(float(value)))


def _text(value: Any) -> Any:
    """A cell's value: numbers as numbers, missing as empty, text without the characters a
    workbook cannot hold (control characters)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value
    if pd.isna(value):
        return None
    return _ILLEGAL_CHARACTERS.sub("", str(value))


__all__ = [
    "MINUTES_FORMAT",
    "SIGNED_MINUTES_FORMAT",
    "WORKBOOK_NAME",
    "people_format",
    "write_workbook",
]
