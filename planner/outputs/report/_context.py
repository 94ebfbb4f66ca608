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
from planner.outputs.i18n import Translator, has_text

_UNKNOWN_COLOUR = "#7f7f7f"


@dataclass(frozen=True)
class Context:
    """What every part of the page needs: language, names and colours of the hospitals, and
    what the run's units are.

    ``former``: the units are Hanoi's of 2025, whose districts are former districts (Hanoi has
    had no district level since 1 July 2025); ``per_unit``: the baselines send every unit to
    its nearest hospital (the 2025 units, or a run pairing every unit on its own), not every
    district. :meth:`says` picks the wording that is true of the run.
    """

    t: Translator
    f: Formatter
    names: Mapping[str, str]
    palette: Mapping[str, tuple[str, str]]
    former: bool = False
    per_unit: bool = False

    def says(self, key: str, /, **fields: Any) -> str:
        """The message ``key`` in the wording true of the run: its ``.former`` variant for the
        2025 units, else its ``.units`` variant when the run goes unit by unit, else ``key``."""
        variants = ((f"{key}.former",) if self.former else ()) + (
            (f"{key}.units",) if self.per_unit else ()
        )
        for variant in variants:
            if has_text(variant):
                return self.t(variant, **fields)
        return self.t(key, **fields)

    def district(self, name: Any) -> str:
        """A district's name as the run's scheme has it: "former Ba Vì district" for 2025."""
        return self.f.district(name, former=self.former)

    def every(self, other: bool = False) -> str:
        """Who the baselines send to their nearest hospital: "every district" or "every unit"."""
        grain = "units" if self.per_unit else "group"
        return self.t(f"baseline.every_other.{grain}" if other else f"baseline.every.{grain}")

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
