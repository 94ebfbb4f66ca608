"""How the ``planner score`` command is spelled, for the outputs that print it.

The command line owns its flags: :func:`score_command` is the one place that writes a
``planner score`` line, for the what-if panel of a map (the line that gives the page's figures
for its download) and for the hint of ``planner report`` on a folder that was never scored.
Flags are written only where the run differs from the command's defaults (the trip rule's),
and every word is quoted for a POSIX shell.
"""

from __future__ import annotations

import os
import shlex

from planner.requests import DEFAULT_TRIP, TripRule


def score_command(
    pairings: str | os.PathLike[str],
    *,
    out: str | os.PathLike[str] | None = None,
    facilities: str | os.PathLike[str] | None = None,
    scheme: str | None = None,
    source: str | os.PathLike[str] | None = None,
    trip: TripRule | None = None,
) -> str:
    """The ``planner score`` command line that scores a pairing file as a run did.

    Parameters
    ----------
    pairings
        The pairing file to score.
    out
        The folder (or ``.json`` file) to write; ``None``: a summary on the terminal.
    facilities, scheme, source
        The run's own facility file, administrative scheme and road source (each written
        only when given).
    trip
        The run's trip rule: its mode and departure time are written, the comparison time,
        directions and site rule where they differ from the defaults. ``None``: none.

    Returns
    -------
    str
        The command, quoted for a POSIX shell.

    Examples
    --------
    >>> from planner.requests import TripRule
    >>> score_command("pairings_whatif.csv", scheme="2025", trip=TripRule(depart="17:30"))
    'planner score pairings_whatif.csv --scheme 2025 --mode car --depart 17:30'
    >>> score_command("my folder/pairings.csv", out="my folder")
    "planner score 'my folder/pairings.csv' --out 'my folder'"
    """
    words = ["planner", "score", str(pairings)]
    if out is not None:
        words += ["--out", str(out)]
    if facilities is not None:
        words += ["--facilities", str(facilities)]
    if scheme is not None:
        words += ["--scheme", scheme]
    if source is not None:
        words += ["--source", str(source)]
    if trip is not None:
        words += ["--mode", trip.mode, "--depart", trip.depart]
        for flag, name in (
            ("--peak-depart", "peak_depart"),
            ("--directions", "directions"),
            ("--site-rule", "site_rule"),
        ):
            if getattr(trip, name) != getattr(DEFAULT_TRIP, name):
                words += [flag, getattr(trip, name)]
    return shlex.join(words)


__all__ = ["score_command"]
