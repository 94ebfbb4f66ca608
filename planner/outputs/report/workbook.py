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
characters a workbook cannot hold are dropped. The file is written atomically.
"""

from __future__ import annotations

import math
import os
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
    pin_flags,
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
    import openpyxl

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
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = t("workbook.sheet_pairings")
    blank = _decision_sheet(sheet, rows, pairings, ctx, at=main.depart, at_peak=main.peak_depart)
    scenario = book.create_sheet(t("workbook.sheet_scenario"))
    notes = [ctx.says("workbook.note_district_people")] if blank else []
    _scenario_sheet(
        scenario, pairings, main, options, ctx, notes=notes, version=version or __version__
    )
    target = Path(out)
    if target.is_dir() or not target.suffix:
        target = target / WORKBOOK_NAME
    with atomic_path(target) as tmp:
        book.save(tmp)
    return target


def _level(level: Any, ctx: Context) -> str:
    """A unit's level in words ("health unit of a former district" for the 2025 units)."""
    key = f"level.{level}"
    return ctx.says(key) if has_text(key) else str(level)


def _decision_sheet(
    sheet: Any,
    rows: pd.DataFrame,
    pairings: pd.DataFrame,
    ctx: Context,
    *,
    at: str | None,
    at_peak: str | None,
) -> bool:
    """Fill the decision sheet; whether a district unit's population was left blank."""
    from openpyxl.styles import Font, PatternFill

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
    formats = {
        "min": MINUTES_FORMAT,
        "people": people_format(ctx.t.lang),
        "switch": SIGNED_MINUTES_FORMAT,
    }
    sheet.append([_text(label) for label, _ in columns])
    header_fill = PatternFill("solid", fgColor=_HEADER_FILL)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    # a district unit listed with its communes counts no people of its own (they are its
    # communes'): its cell stays empty rather than 0
    raw = pd.to_numeric(
        pairings.set_index(pairings["unit_id"].astype(str))["population"], errors="coerce"
    )
    blank = False
    pilot_fill = PatternFill("solid", fgColor=_PILOT_FILL)
    for line, row in enumerate(rows.itertuples(index=False), start=2):  # under the header
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
        # cells by their address (sheet.max_row would scan every cell, row after row)
        cells = [
            sheet.cell(row=line, column=i, value=_text(v)) for i, v in enumerate(values, start=1)
        ]
        for cell, (_, kind) in zip(cells, columns, strict=True):
            if kind is not None:
                cell.number_format = formats[kind]
            elif isinstance(cell.value, str):
                cell.data_type = "s"  # a name starting with "=" is text, never a formula
        if hid:
            cells[0].font = Font(bold=True, color="FF" + ctx.colour(hid).lstrip("#").upper())
        if pin is not None:
            for cell in cells:
                cell.fill = pilot_fill
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    _fit_widths(sheet)
    return blank


def _scenario_sheet(
    sheet: Any,
    pairings: pd.DataFrame,
    main: Any,
    options: Mapping[str, Any],
    ctx: Context,
    *,
    notes: list[str],
    version: str,
) -> None:
    from openpyxl.styles import Alignment, Font

    t = ctx.t
    bold = Font(bold=True)
    sheet.append([_text(report_title(options, t))])
    sheet["A1"].font = Font(bold=True, size=14)
    parts = scenario_parts(options, lang=t.lang)
    if parts:
        sheet.append([_text(" · ".join(parts))])
    sheet.append([])
    has_pilot, _ = pin_flags(pairings)
    times = [time for time in (main.depart, main.peak_depart) if time]
    traffic = traffic_part(options.get("mode"), times, ctx, hanoi=options.get("region") == "Hanoi")
    settings = assumptions_part(
        main,
        options,
        ctx,
        has_pilot=has_pilot,
        traffic=traffic[0] if traffic else None,
        unit_names=dict(
            zip(pairings["unit_id"].astype(str), pairings["unit_name"].astype(str), strict=True)
        ),
    )
    sheet.append([_text(t("report.assumptions"))])
    sheet.cell(sheet.max_row, 1).font = bold
    for label, text in settings:
        sheet.append([_text(label), _text(text)])
    sheet.append([])
    sheet.append([_text(t("report.sources"))])
    sheet.cell(sheet.max_row, 1).font = bold
    sources = sources_part(ctx, options)
    dates = {row["file"]: row.get("date") or "" for row in data_sources()}
    header = [c["label"] for c in sources["columns"]] + [t("workbook.col_date")]
    sheet.append([_text(h) for h in header])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for cells in sources["rows"]:
        texts = [c["text"] for c in cells]
        # our files' dates; the roads a user gave carry the date their run recorded, if any
        date = dates.get(texts[0], "") if sources["hanoi"] else options.get("roads_date") or ""
        sheet.append([_text(v) for v in [*texts, month(date, lang=t.lang) if date else None]])
    sheet.append([])
    for note in notes:
        sheet.append([_text(note)])
    sheet.append([_text(t("workbook.written_by", version=version))])
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 90
    sheet.column_dimensions["C"].width = 40
    sheet.column_dimensions["D"].width = 16


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
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value
    if pd.isna(value):
        return None
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _fit_widths(sheet: Any) -> None:
    """Each column as wide as its longest cell, within :data:`_WIDTH`."""
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(sheet.iter_cols(), start=1):
        longest = max(
            (
                len(str(c.value)) if not isinstance(c.value, float) else 8
                for c in column
                if c.value is not None
            ),
            default=0,
        )
        width = min(max(longest + 2, _WIDTH[0]), _WIDTH[1])
        sheet.column_dimensions[get_column_letter(index)].width = width


__all__ = [
    "MINUTES_FORMAT",
    "SIGNED_MINUTES_FORMAT",
    "WORKBOOK_NAME",
    "people_format",
    "write_workbook",
]
