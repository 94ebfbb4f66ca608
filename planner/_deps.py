"""The third-party versions the planner was tested with where it relies on their internals.

The map uses folium and branca below their public API (branca's rendering of an element's text,
the ``_template``, ``_name``, ``_parent`` and ``_children`` of elements, folium's resource lists)
and the road-tile reader uses mapbox-vector-tile's decoder object (``decoder.TileData`` and its
protobuf layers). A new major version (for a ``0.x`` package, a new minor) may change any of
them without notice, so ``pyproject.toml`` bounds them (:data:`TESTED`, the same specifiers: a
house test checks that they agree) and :func:`require_tested` refuses an untested version with
what to install, on first use, instead of a wrong map or a puzzling traceback.
"""

from __future__ import annotations

import functools
from importlib import metadata

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from planner.errors import PlannerError

#: Distribution -> the versions tested, as ``pyproject.toml`` declares them.
TESTED: dict[str, str] = {
    "folium": ">=0.17,<0.21",
    "branca": ">=0.8,<0.9",
    "mapbox-vector-tile": ">=2.1,<3",
}


class UntestedVersionError(PlannerError):
    """An installed package is outside the versions whose internals the planner was tested on."""


@functools.cache
def require_tested(distribution: str) -> str:
    """Return the installed version of ``distribution``, refusing one the planner was not
    tested with.

    Parameters
    ----------
    distribution
        A key of :data:`TESTED` (``"folium"``, ``"branca"``, ``"mapbox-vector-tile"``).

    Returns
    -------
    str
        The installed version.

    Raises
    ------
    UntestedVersionError
        The package is missing or its version is outside :data:`TESTED`; the message says
        which version is installed and the ``pip install`` line that fixes it.

    Examples
    --------
    >>> from packaging.version import Version
    >>> Version(require_tested("branca")) in SpecifierSet(TESTED["branca"])
    True
    """
    wanted = TESTED[distribution]
    fix = f"pip install '{distribution}{wanted}' (or reinstall the planner: pip install -e .)"
    try:
        installed = metadata.version(distribution)
    except metadata.PackageNotFoundError:
        raise UntestedVersionError(
            f"{distribution} is not installed; the planner needs {distribution}{wanted}. Fix: {fix}"
        ) from None
    try:
        ok = Version(installed) in SpecifierSet(wanted)
    except InvalidVersion:
        ok = False
    if not ok:
        raise UntestedVersionError(
            f"{distribution} {installed} is installed, but the planner relies on its internals "
            f"and was tested with {distribution}{wanted} only. Fix: {fix}"
        )
    return installed


__all__ = ["TESTED", "UntestedVersionError", "require_tested"]
