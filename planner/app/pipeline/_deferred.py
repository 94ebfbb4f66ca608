"""What a planning run computes only when an output asks for it, once.

The proposal under the other demand, how it differs from the run's proposal, and the coverage
from the population cells feed ``scores.json``, the cell tables and the report, but not the
pairing itself: a :class:`planner.app.interactive.session.Session` re-plan (the explorer's slider) reads
none of them, so :func:`planner.app.pipeline.planning.plan` hands them here unevaluated (issue 23).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planner.access.zonal import Coverage
    from planner.pairing.propose import PairingResult


class Deferred:
    """The run's demand comparison and coverage, each computed on first use and kept.

    ``alternative`` proposes under the other demand; ``compare`` says how that differs from the
    run's proposal; ``cover`` is the coverage of the run's cells. Each is computed under a lock
    of its own, so the threads writing a run's outputs compute it once (``cached_property``
    stopped locking in Python 3.12).

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
        self._values: dict[str, Any] = {}
        self._locks = {name: threading.Lock() for name in ("alternative", "comparison", "cover")}

    def _once(self, name: str, compute: Callable[[], Any]) -> Any:
        with self._locks[name]:
            if name not in self._values:
                self._values[name] = compute()
            return self._values[name]

    @property
    def alternative(self) -> PairingResult:
        """The proposal under the other demand (no sensitivity re-solves)."""
        return self._once("alternative", self._alternative)

    @property
    def comparison(self) -> dict[str, Any]:
        """How the run's proposal and :attr:`alternative` differ (JSON-ready)."""
        return self._once("comparison", lambda: self._compare(self.alternative))

    @property
    def coverage(self) -> Coverage:
        """Coverage and zonal statistics of the run's cells."""
        return self._once("cover", self._cover)
