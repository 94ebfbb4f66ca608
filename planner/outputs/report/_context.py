"""What every part of the report needs: the context (language, hospital names and colours) and
the table cells the template draws.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from planner.outputs.formatting import MISSING, Formatter
from planner.outputs.i18n import Translator

_UNKNOWN_COLOUR = "#7f7f7f"


@dataclass(frozen=True)
class Context:
    """What every part of the page needs: language, names and colours of the hospitals."""

    t: Translator
    f: Formatter
    names: Mapping[str, str]
    palette: Mapping[str, tuple[str, str]]

    def name(self, hospital_id: Any) -> str:
        if hospital_id is None or (isinstance(hospital_id, float) and math.isnan(hospital_id)):
            return MISSING
        if pd.isna(hospital_id):
            return MISSING
        return self.names.get(str(hospital_id), str(hospital_id))

    def colour(self, hospital_id: Any) -> str:
        return self.palette.get(str(hospital_id), (_UNKNOWN_COLOUR, ""))[0]


def text_cell(text: Any, **extra: Any) -> dict[str, Any]:
    return {
        "text": "" if text is None else str(text),
        "num": False,
        "cls": None,
        "label": None,
        "colour": None,
        "badge": None,
        "sub": None,
        "mark": None,
        "mark_title": None,
        **extra,
    }


def number_cell(text: Any, **extra: Any) -> dict[str, Any]:
    return text_cell(text, num=True, **extra)


def is_district_rows(rows: pd.DataFrame) -> bool:
    return bool(len(rows)) and bool((rows["units"] > 1).any())


def row_name(row: Any) -> str:
    if row.unit_level == "district" and isinstance(row.district, str) and row.units > 1:
        return row.district
    return str(row.unit_name)


def trip_minutes(seconds: Any, t: Translator, f: Formatter) -> str:
    if seconds is None or pd.isna(seconds) or not math.isfinite(float(seconds)):
        return MISSING
    return f.minutes(seconds)
