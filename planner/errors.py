"""Errors the planner raises on purpose: each says what is wrong, where, and how to fix it."""

from __future__ import annotations

from os import PathLike


class PlannerError(Exception):
    """Base class of the planner's own errors (the CLI turns them into exit code 2)."""


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

    Examples
    --------
    >>> str(PlannerInputError("latitude is not a number", file="units.csv", row=3, field="lat",
    ...                       hint="write decimal degrees, e.g. 21.03"))
    'units.csv, row 3, field lat: latitude is not a number. Fix: write decimal degrees, e.g. 21.03'
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | PathLike[str] | None = None,
        row: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = None if file is None else str(file)
        self.row = row
        self.field = field
        self.hint = hint
        super().__init__(self._message())

    def _message(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"field {self.field}")
        text = (", ".join(where) + ": " if where else "") + self.problem
        if self.hint:
            text += f". Fix: {self.hint}"
        return text


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
    """

    def __init__(self, constraint: str, explanation: str, *, shortfall: float | None = None):
        self.constraint = constraint
        self.explanation = explanation
        self.shortfall = shortfall
        super().__init__(f"infeasible ({constraint}): {explanation}")


class UnreachableWarning(UserWarning):
    """Some facilities or pairs cannot be reached on the road network (they are reported)."""


class ApproximateLocationWarning(UserWarning):
    """Some facilities are placed at approximate locations (e.g. a commune centroid)."""
