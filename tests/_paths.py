"""Where the tests' files are, whichever stage folder a test lives in."""

from pathlib import Path

#: The ``tests/`` folder, the repository root and the tests' own data files.
TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
DATA = TESTS / "data"
