"""What a planning run computes only when an output asks for it, once.

The proposal under the other demand, how it differs from the run's proposal, and the coverage
from the population cells feed ``scores.json``, the cell tables and the report, but not the
pairing itself: a :class:`planner.app.session.Session` re-plan (the explorer's slider) reads
none of them, so :func:`planner.app.planning.plan` hands them here unevaluated (issue 23).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planner.access import Coverage
    from planner.pairing.propose import PairingResult


class Deferred:
    """The run's demand comparison and coverage, each computed on first use and kept.

    ``alternative`` proposes under the other demand; ``compare`` says how that differs from the
    run's proposal; ``cover`` is the coverage of the run's cells. The cached properties hold
    the lock Python 3.11 gives them, so threads writing outputs compute each once.

    Examples
    --------
    >>> calls = []
    >>> later = Deferred(alternative=lambda: calls.append("solve") or "other",
    ...                  compare=lambda other: {"other": other}, cover=lambda: None)
    >>> later.comparison, later.comparison, calls
    ({'other': 'other'}, {'other': 'other'}, ['solve'])
    """

    def __init__(
        self,
        *,
        alternative: Callable[[], PairingResult],
        compare: Callable[[PairingResult], dict[str, Any]],
        cover: Callable[[], Coverage],
    ) -> None:
        self._alternative = alternative
        self._compare = compare
        self._cover = cover

    @functools.cached_property
    def alternative(self) -> PairingResult:
        """The proposal under the other demand (no sensitivity re-solves)."""
        return self._alternative()

    @functools.cached_property
    def comparison(self) -> dict[str, Any]:
        """How the run's proposal and :attr:`alternative` differ (JSON-ready)."""
        return self._compare(self.alternative)

    @functools.cached_property
    def coverage(self) -> Coverage:
        """Coverage and zonal statistics of the run's cells."""
        return self._cover()
