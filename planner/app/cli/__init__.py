"""The ``planner`` command: a thin shell over the public API.

``dispatch`` parses the command line and runs a subcommand, turning user errors into one
paragraph and exit status 2; ``parser`` builds the parser from the options every command shares
and each subcommand's own (``commands/``: one module per subcommand, each with its parser
builder ``add_parser`` and its ``run``); ``options`` turns parsed options into the typed
requests (built once here); ``command_line`` spells the ``planner score`` command that other
outputs print (the what-if panel, a folder report's hint); ``terminal`` words what a command
prints. This package exports :func:`main` (``__init__.pyi``); ``planner --help`` imports
nothing heavy.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)
