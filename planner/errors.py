"""Errors the planner raises on purpose: each says what is wrong, where, and how to fix it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from os import PathLike


class PlannerError(Exception):
    """Base class of the planner's own errors (the CLI turns them into exit code 2).

    Examples
    --------
    >>> issubclass(PlannerInputError, PlannerError), issubclass(InfeasibleError, PlannerError)
    (True, True)
    """


class PlannerInputError(PlannerError, ValueError):
    """Bad user input: names the file, row and field at fault and says how to fix it.

    Parameters
    ----------
    problem
        What is wrong, in a few words ("latitude is not a number").
    file, row, field
        Where: the file path, the 1-based data row (header excluded) and the column or
        option at fault. Any may be omitted.
    hint
        How to fix it.
    rows
        Every row with this problem, when it repeats (``row`` is then the first of them).

    Examples
    --------
    >>> str(PlannerInputError("latitude is not a number", file="units.csv", row=3, field="lat",
    ...                       hint="write decimal degrees, e.g. 21.03"))
    'units.csv, row 3, field lat: latitude is not a number. Fix: write decimal degrees, e.g. 21.03'
    >>> str(PlannerInputError("latitude is missing", file="units.csv", rows=[3, 4, 5, 9],
    ...                       field="lat"))
    'units.csv, rows 3-5, 9, field lat: latitude is missing'
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | PathLike[str] | None = None,
        row: int | None = None,
        field: str | None = None,
        hint: str | None = None,
        rows: Sequence[int] | None = None,
    ) -> None:
        self.problem = problem
        self.file = None if file is None else str(file)
        self.rows: tuple[int, ...] = tuple(rows) if rows else (() if row is None else (row,))
        self.row = self.rows[0] if self.rows else None
        self.field = field
        self.hint = hint
        super().__init__(self._message())

    def _message(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if len(self.rows) > 1:
            where.append(f"rows {row_ranges(self.rows)}")
        elif self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"field {self.field}")
        text = (", ".join(where) + ": " if where else "") + self.problem
        if self.hint:
            text += f". Fix: {self.hint}"
        return text


def row_ranges(rows: Iterable[int], *, limit: int = 12) -> str:
    """Write row numbers compactly: runs as ranges, at most ``limit`` items, then a count.

    Parameters
    ----------
    rows : iterable of int
        Row numbers, in any order; repeats are counted once.
    limit : int
        How many items (single rows or ranges) to write before counting the remaining rows.

    Returns
    -------
    str
        Items in ascending order separated by ``", "``, then ``" and N more"`` when rows were
        left out.

    Examples
    --------
    >>> row_ranges([1, 2, 3, 5, 7, 8])
    '1-3, 5, 7-8'
    >>> row_ranges(range(1, 100, 2), limit=3)
    '1, 3, 5 and 47 more'
    """
    ordered = sorted(set(rows))
    runs: list[tuple[int, int]] = []
    for row in ordered:
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    shown = [f"{a}" if a == b else f"{a}-{b}" for a, b in runs[:limit]]
    hidden = sum(b - a + 1 for a, b in runs[limit:])
    return ", ".join(shown) + (f" and {hidden} more" if hidden else "")


# Quoted values and numbers vary between rows; the rest of a message says what kind it is.
_VALUES = re.compile(r"'[^']*'|-?\d+(?:\.\d+)?")


def collapse_problems(problems: Iterable[PlannerInputError]) -> list[PlannerInputError]:
    """Merge problems that repeat row after row into one error listing the rows.

    Problems of the same file, field, fix and kind (the message with its quoted values and
    numbers left out) become one :class:`PlannerInputError` with ``rows``; when their values
    differ, the first row's message is kept and the others are counted. Order: by first row.

    Parameters
    ----------
    problems : iterable of PlannerInputError
        The problems found, e.g. one per bad cell. Problems without a row (about the whole
        file) are never merged.

    Returns
    -------
    list of PlannerInputError
        One error per kind of problem, in the order each kind first appears.

    Examples
    --------
    >>> errs = [PlannerInputError(f"latitude {v!r} is not a number", file="u.csv", row=r,
    ...                           field="lat") for r, v in ((2, "abc"), (5, "x"))]
    >>> [str(e) for e in collapse_problems(errs)]
    ["u.csv, rows 2, 5, field lat: latitude 'abc' is not a number (row 2; 1 more row alike)"]
    """
    groups: dict[tuple[object, ...], list[PlannerInputError]] = {}
    for problem in problems:
        kind: tuple[object, ...] = (
            problem.file,
            problem.field,
            problem.hint,
            _VALUES.sub("…", problem.problem),
        )
        if problem.row is None:
            kind = (*kind, id(problem))  # file-level problems stay as they are
        groups.setdefault(kind, []).append(problem)
    merged = []
    for same in groups.values():
        first = same[0]
        if len(same) == 1:
            merged.append(first)
            continue
        rows = [r for p in same for r in p.rows]
        text = first.problem
        if any(p.problem != first.problem for p in same):
            others = len(same) - 1
            text += f" (row {first.row}; {others} more row{'s' if others > 1 else ''} alike)"
        merged.append(
            PlannerInputError(text, file=first.file, rows=rows, field=first.field, hint=first.hint)
        )
    return merged


class InfeasibleError(PlannerError):
    """An optimisation request that no assignment can satisfy.

    Parameters
    ----------
    constraint
        Which constraint cannot be met (e.g. ``"balance"``, ``"max_travel_time"``, ``"pin"``).
    explanation
        Why, with figures (by how much it is missed).
    shortfall
        How far from feasible, in the constraint's own unit, when it can be computed.

    Examples
    --------
    >>> error = InfeasibleError("max_travel_time", "Ba Vì: nearest allowed hospital is 95 min "
    ...                         "away, max is 90 min", shortfall=300.0)
    >>> str(error)
    'infeasible (max_travel_time): Ba Vì: nearest allowed hospital is 95 min away, max is 90 min'
    >>> error.constraint, error.shortfall
    ('max_travel_time', 300.0)
    """

    def __init__(self, constraint: str, explanation: str, *, shortfall: float | None = None):
        self.constraint = constraint
        self.explanation = explanation
        self.shortfall = shortfall
        super().__init__(f"infeasible ({constraint}): {explanation}")


class UnreachableWarning(UserWarning):
    """Some facilities or pairs cannot be reached on the road network (they are reported).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("1 unit cannot reach any hospital", UnreachableWarning)
    >>> caught[0].category.__name__, str(caught[0].message)
    ('UnreachableWarning', '1 unit cannot reach any hospital')
    """


class ApproximateLocationWarning(UserWarning):
    """Some facilities are placed at approximate locations (e.g. a commune centroid).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", ApproximateLocationWarning)  # silence it
    ...     warnings.warn("placed at a centroid", ApproximateLocationWarning)
    >>> issubclass(ApproximateLocationWarning, UserWarning)
    True
    """


class InputRuleWarning(UserWarning):
    """A documented input rule changed what a file says (e.g. a spreadsheet-safety quote).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", InputRuleWarning)  # make it an error
    ...     try:
    ...         warnings.warn("a leading apostrophe was removed", InputRuleWarning)
    ...     except InputRuleWarning as caught:
    ...         print(caught)
    a leading apostrophe was removed
    """
