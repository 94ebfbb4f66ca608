"""``python -m planner.app.cli``: the ``planner`` command."""

import sys

from planner.app.cli.dispatch import main

sys.exit(main())
