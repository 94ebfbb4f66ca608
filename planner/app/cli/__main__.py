"""``python -m planner.app.cli``: the ``planner`` command."""

import sys

from planner.app.cli.dispatch import main

if __name__ == "__main__":  # tile workers re-import the main module: run only once
    sys.exit(main())
