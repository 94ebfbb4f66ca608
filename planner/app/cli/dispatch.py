"""The ``planner`` command's entry point: parse, run the subcommand, report user errors.

:func:`main` parses the command line (:func:`planner.app.cli.parser.build_parser`) and runs
the subcommand its parser names (``args.run``, from :mod:`planner.app.cli.commands`), which
turns its options into library calls and writes files atomically. User errors
(:class:`planner.errors.PlannerError`) exit with status 2 and a one-paragraph message;
``--verbose`` adds the traceback for bug reports; Ctrl-C exits with 130 and says that nothing
was half-written.
"""

from __future__ import annotations

import logging
import sys
import traceback
import warnings
from collections.abc import Sequence

from planner.app.cli.parser import build_parser
from planner.app.cli.terminal import wrap
from planner.errors import PlannerError


def _configure_logging(*, verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(levelname)s %(name)s: %(message)s" if verbose else "%(message)s")
    )
    root = logging.getLogger("planner")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False

    def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
        # Users see the warning's text; its source line is noise outside --verbose.
        where = f" ({filename}:{lineno})" if verbose else ""
        root.warning("warning: %s%s", message, where)

    warnings.showwarning = show_warning


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``planner`` command; return its exit status (0 ok, 2 user error, 1 bug).

    Parameters
    ----------
    argv
        The arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status.

    Examples
    --------
    >>> main(["map", "no-such-file.csv", "--out", "map.html"])  # the error goes to stderr
    2
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(verbose=args.verbose, quiet=args.quiet)
    try:
        if getattr(args, "depart", None) is not None:  # "17h30" -> "17:30" in every output
            from planner._clock import parse_depart

            args.depart = parse_depart(args.depart).strftime("%H:%M")
        return int(args.run(args))
    except PlannerError as exc:
        if args.verbose:
            traceback.print_exc()
        print("planner: error: " + wrap(str(exc)), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("planner: interrupted; no output was half-written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
