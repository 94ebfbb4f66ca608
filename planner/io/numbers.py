"""Numbers in text cells: decimals with either decimal mark, counts with thousands separators.

:func:`parse_decimal` reads coordinates and times (``.`` or ``,`` as the decimal mark);
:func:`parse_count` reads populations and capacities, never guessing a separator silently: an
ambiguous number raises :class:`NumberError` with the fix.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable

from planner.config import THOUSANDS
from planner.errors import PlannerInputError

_SPACES = "\u0020\u00a0\u2009\u202f"


_DECIMAL = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


_SPACE_GROUPED = re.compile(rf"^[+-]?\d{{1,3}}([{_SPACES}]\d{{3}})+([.,]\d+)?$")


_AMBIGUOUS = re.compile(r"^[+-]?[1-9]\d{0,2}[.,]\d{3}$")


class NumberError(ValueError):
    """A text cell that is not a number (or not unambiguously one): what is wrong, and the fix.

    Attributes
    ----------
    problem : str
        What is wrong with the cell (also the exception's message).
    hint : str
        How to write the number instead.

    Examples
    --------
    >>> try:
    ...     parse_count("12.345")
    ... except NumberError as exc:
    ...     print(exc.hint)
    write the numbers without separators, or say which the file uses with thousands='.' (CLI: --thousands .)
    """

    def __init__(self, problem: str, hint: str) -> None:
        self.problem = problem
        self.hint = hint
        super().__init__(problem)


def parse_decimal(text: str) -> float:
    """Read a decimal number with ``.`` or ``,`` as the decimal mark (coordinates, times).

    Parameters
    ----------
    text : str
        The cell; surrounding spaces are ignored. No thousands separators, units or signs
        other than a leading ``+``/``-``.

    Returns
    -------
    float

    Raises
    ------
    NumberError
        The text is not a plain decimal number (with the fix).

    Examples
    --------
    >>> parse_decimal("21,0285"), parse_decimal("-105.85"), parse_decimal("1e3")
    (21.0285, -105.85, 1000.0)
    >>> parse_decimal("21.03°")
    Traceback (most recent call last):
    ...
    planner.io.numbers.NumberError: '21.03°' is not a number
    """
    value = text.strip()
    if not _DECIMAL.match(value):
        raise NumberError(
            f"'{value[:30]}' is not a number",
            "write a plain decimal number (e.g. 21.0285), without units or degree signs",
        )
    return float(value.replace(",", "."))


def decimal_cells(
    cells: Iterable[str], *, file: str | os.PathLike[str], field: str
) -> tuple[list[float], list[PlannerInputError]]:
    """Read a column of text cells as decimals (:func:`parse_decimal`); blank cells are NaN.

    Parameters
    ----------
    cells : iterable of str
        The column's cells, in row order (row 1 first).
    file : str or os.PathLike
        The file they come from (named in the problems).
    field : str
        The column's name.

    Returns
    -------
    tuple
        The numbers (NaN where blank or not a number) and one problem per cell that is not a
        number, naming its file, row and field, for the caller to raise or collect.

    Examples
    --------
    >>> numbers, problems = decimal_cells(["1,5", "", "abc"], file="t.csv", field="worst_s")
    >>> numbers[0], numbers[1] != numbers[1], [p.row for p in problems]
    (1.5, True, [3])
    """
    numbers: list[float] = []
    problems: list[PlannerInputError] = []
    for row, value in enumerate(cells, start=1):
        try:
            numbers.append(parse_decimal(value) if value else math.nan)
        except NumberError as exc:
            numbers.append(math.nan)
            problems.append(
                PlannerInputError(
                    f"{field} {exc.problem}",
                    file=file,
                    row=row,
                    field=field,
                    hint=f"{exc.hint}, or leave the cell empty",
                )
            )
    return numbers, problems


def parse_count(text: str, *, thousands: str | None = None) -> float:
    """Read a count (population, capacity) that may have thousands separators.

    Rules, so that no number is ever read wrongly in silence:

    * groups of three digits separated by spaces (``12 345``, also no-break and thin spaces)
      are thousands: there is no decimal space;
    * with ``thousands`` given (``","``, ``"."`` or ``"space"``), that character separates
      thousands and must group digits by three; the other mark is the decimal mark;
    * without it, a number is read only where its form decides: ``12345``, ``12.5``,
      ``0,345``, ``1.234.567``, ``1,234.5``, ``1.234,5``. One separator followed by exactly
      three digits (``12,345`` or ``12.345``: twelve thousand or twelve?) is an error that
      says to pass ``thousands``.

    Parameters
    ----------
    text
        The cell.
    thousands
        The file's thousands separator, when it has one.

    Returns
    -------
    float

    Raises
    ------
    NumberError
        Not a number, or ambiguous (with the fix).

    Examples
    --------
    >>> parse_count("12 345"), parse_count("1.234.567"), parse_count("12,5")
    (12345.0, 1234567.0, 12.5)
    >>> parse_count("12.345", thousands="."), parse_count("12,345", thousands=",")
    (12345.0, 12345.0)
    >>> parse_count("12.345")
    Traceback (most recent call last):
    ...
    planner.io.numbers.NumberError: '12.345' is ambiguous: 12345 with '.' separating thousands, or 12.345
    """
    value = text.strip()
    if thousands not in (None, *THOUSANDS):
        raise NumberError(
            f"unknown thousands separator {thousands!r}",
            f"use one of {', '.join(repr(t) for t in THOUSANDS)}",
        )
    if _SPACE_GROUPED.match(value):
        return parse_decimal(re.sub(f"[{_SPACES}]", "", value))
    if thousands in (",", "."):
        decimal = "." if thousands == "," else ","
        sep = re.escape(thousands)
        if re.match(rf"^[+-]?\d{{1,3}}({sep}\d{{3}})+({re.escape(decimal)}\d+)?$", value):
            return float(value.replace(thousands, "").replace(",", "."))
        if thousands in value:
            raise NumberError(
                f"'{value[:30]}' does not group its digits by three around {thousands!r}",
                f"with thousands={thousands!r} write e.g. 12{thousands}345 (or 12345)",
            )
        return parse_decimal(value)
    if thousands == "space":
        return parse_decimal(value)
    for sep, decimal in ((",", "."), (".", ",")):
        grouped = rf"^[+-]?[1-9]\d{{0,2}}({re.escape(sep)}\d{{3}})"
        # two or more groups, or a group then the other mark: the separator must be thousands
        if re.match(grouped + r"{2,}$", value) or re.match(
            grouped + rf"+{re.escape(decimal)}\d+$", value
        ):
            return float(value.replace(sep, "").replace(",", "."))
    if _AMBIGUOUS.match(value):
        sep = "," if "," in value else "."
        plain = value.replace(sep, "")
        raise NumberError(
            f"'{value}' is ambiguous: {plain.lstrip('+')} with '{sep}' separating thousands, "
            f"or {value.replace(',', '.').lstrip('+')}",
            f"write the numbers without separators, or say which the file uses with "
            f"thousands='{sep}' (CLI: --thousands {sep})",
        )
    try:
        return parse_decimal(value)
    except NumberError:
        raise NumberError(
            f"'{value[:30]}' is not a number",
            "write a plain number (e.g. 12345), without units or words",
        ) from None
