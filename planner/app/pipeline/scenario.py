"""A run's scenario: ``scenario.toml`` names every option and input of a run, to run it again.

Every run writes one beside its files (:func:`planner.app.pipeline.write.write_outputs`): the
options (:class:`~planner.app.pipeline.planning.PlanOptions`: the scheme, the whole
:class:`~planner.requests.TripRule` and :class:`~planner.requests.PairingRequest`, the pilot,
the demand, the population cells and raster, the specialty need), the inputs
(:class:`~planner.app.pipeline.inputs.RunInputs`: the facility and road files, a growth run's
candidate sites, sites to open and hours), what was written (language, map, report, what-if
panel), the planner's version, and every input file with its SHA-256 digest: the data folder's
files (``folder = "data"``), the planner's own tables (``"authored"``) and the user's files
(``"file"``, absolute paths).

:func:`read_scenario` reads it back into a :class:`Scenario`, refusing an input file that
changed since the run (its path, the digest recorded and the digest found) unless told to go on
with a warning; :meth:`planner.app.interactive.session.Session.from_scenario` and ``planner
replay scenario.toml`` run it again, ``pairings.csv`` byte for byte.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import tomllib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.app.pipeline.inputs import RunInputs
from planner.app.pipeline.planning import PlanOptions
from planner.config import authored_dir, data_dir, data_sources
from planner.errors import PlannerInputError
from planner.io.atomic import write_text_atomic
from planner.outputs.i18n import DEFAULT_LANG, LANGUAGES
from planner.requests import PairingRequest, TripRule

if TYPE_CHECKING:
    from planner.app.pipeline.planning import PlanningRun

log = logging.getLogger(__name__)

#: The scenario's file name in a run's folder.
SCENARIO_NAME = "scenario.toml"
#: Fields of the requests that may be unset (``None``: off, or for the run to decide): left out
#: of the file when they are.
_NULLABLE = frozenset({"balance", "max_travel_time_s", "nearest_by"})
#: Where an input file is: the data folder, the planner's own tables, or anywhere (absolute).
FOLDERS = ("data", "authored", "file")
#: The planner's tables a run's travel times and the Hanoi registry are computed from.
_TIMING_TABLES = ("speeds.csv", "congestion.csv", "congestion_by_area.csv", "ferries.csv")
_REGISTRY_TABLES = ("regional_hospitals.csv", "district_areas.csv")


class ChangedInputWarning(UserWarning):
    """A scenario is replayed although one of its input files changed since the run."""


@dataclass(frozen=True)
class InputFile:
    """One input file of a run and the digest of its content then.

    Attributes
    ----------
    role
        What the run read it for: ``roads``, ``facilities``, ``population``, ``speeds``,
        ``registry``, ``specialty_need``, ``candidates``.
    folder
        ``"data"`` (the data folder, :func:`planner.config.data_dir`), ``"authored"`` (the
        planner's tables, :func:`planner.config.authored_dir`) or ``"file"`` (an absolute path).
    name
        The file's name in its folder, or its absolute path.
    sha256
        The SHA-256 of its content (of every file's, for a folder of tiles).
    """

    role: str
    folder: str
    name: str
    sha256: str

    @property
    def path(self) -> Path:
        """Where the file is on this machine."""
        if self.folder == "data":
            return data_dir() / self.name
        if self.folder == "authored":
            return authored_dir() / self.name
        return Path(self.name)


@dataclass(frozen=True)
class Scenario:
    """Everything a run was asked: its options, its inputs, what it wrote.

    Attributes
    ----------
    options
        The run's :class:`~planner.app.pipeline.planning.PlanOptions`.
    inputs
        Where its facilities, roads and candidate sites came from
        (:class:`~planner.app.pipeline.inputs.RunInputs`).
    lang, map, report, whatif
        What :func:`~planner.app.pipeline.write.write_outputs` wrote: the language, the map,
        the report, the map's what-if panel.
    files
        The input files with their digests (:class:`InputFile`).
    version
        The planner's version that ran it.

    Examples
    --------
    >>> from planner.app.pipeline.planning import plan
    >>> scenario = scenario_of(plan(PlanOptions(scheme="2025", cells=False)), map=False)
    >>> scenario.options.scheme, scenario.inputs.facilities, scenario.growth
    ('2025', None, False)
    >>> sorted({f.role for f in scenario.files})
    ['facilities', 'registry', 'roads', 'speeds']
    """

    options: PlanOptions
    inputs: RunInputs
    lang: str = DEFAULT_LANG
    map: bool = True
    report: bool = True
    whatif: bool = True
    files: tuple[InputFile, ...] = ()
    version: str = ""

    @property
    def growth(self) -> bool:
        """Whether the run chose new sites or held at several hours (a growth run)."""
        return self.inputs.candidates is not None or self.inputs.robust is not None


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's content, or of a folder's files (their relative paths and
    contents, in order), as the cache hashes its inputs.

    Parameters
    ----------
    path
        A file or a folder.

    Returns
    -------
    str
        64 hexadecimal digits.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     f = pathlib.Path(folder) / "a.txt"
    ...     _ = f.write_text("abc")
    ...     file_sha256(f)[:16]
    'ba7816bf8f01cfea'
    """
    from planner._cache import file_digest

    path = Path(path)
    if not path.is_dir():
        return file_digest(path)
    digest = hashlib.sha256()
    for item in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(item.relative_to(path).as_posix().encode() + b"\0")
        digest.update(file_digest(item).encode() + b"\n")
    return digest.hexdigest()


def scenario_of(
    run: PlanningRun,
    *,
    lang: str = DEFAULT_LANG,
    map: bool = True,
    report: bool = True,
    whatif: bool = True,
) -> Scenario:
    """The scenario of a run: its options, inputs and input files with their digests now.

    Parameters
    ----------
    run
        What :func:`planner.app.pipeline.planning.plan` returned (its ``inputs`` name the
        files).
    lang, map, report, whatif
        What was written, as given to :func:`planner.app.pipeline.write.write_outputs`.

    Returns
    -------
    Scenario

    Examples
    --------
    >>> from planner.app.pipeline.planning import plan
    >>> scenario = scenario_of(plan(PlanOptions(scheme="2025", cells=False)), lang="en")
    >>> [f.name for f in scenario.files if f.role == "roads"]
    ['hanoi_osm_2021-08_z14.mbtiles', 'hanoi_boundary_osm.geojson']
    """
    from planner import __version__

    options, inputs = run.options, run.inputs
    found: list[tuple[str, str, str]] = []
    documented = [row["file"] for row in data_sources() if row["file"]]
    source, facilities = inputs.source, inputs.facilities
    if source is None:  # the Hanoi network: the tiles, cut by the province's boundary
        found += [("roads", "data", f) for f in documented if f.endswith(".mbtiles")]
        found += [("roads", "data", f) for f in documented if "boundary" in f]
    else:
        found.append(("roads", "file", source))
    found += [("speeds", "authored", name) for name in _TIMING_TABLES]
    if facilities is None:  # the Hanoi registry: every documented file but the raster
        roads = {name for _, _, name in found}
        found += [
            ("facilities", "data", f)
            for f in documented
            if f not in roads and not f.endswith(".tif")
        ]
        found += [("registry", "authored", name) for name in _REGISTRY_TABLES]
    else:
        found.append(("facilities", "file", facilities))
    if run.access is not None:  # the cells were computed from a raster
        if options.population is not None:
            found.append(("population", "file", str(Path(options.population).resolve())))
        else:
            found += [("population", "data", f) for f in documented if f.endswith(".tif")]
    if options.specialty_need is not None:
        found.append(("specialty_need", "file", str(Path(options.specialty_need).resolve())))
    if inputs.candidates is not None:
        found.append(("candidates", "file", inputs.candidates))
    files = []
    for role, folder, name in found:
        entry = InputFile(role, folder, name, "")
        if entry.path.exists():
            files.append(dataclasses.replace(entry, sha256=file_sha256(entry.path)))
    options = dataclasses.replace(
        options,
        population=None if options.population is None else str(Path(options.population).resolve()),
        specialty_need=None
        if options.specialty_need is None
        else str(Path(options.specialty_need).resolve()),
    )
    return Scenario(
        options=options,
        inputs=inputs,
        lang=lang,
        map=map,
        report=report,
        whatif=whatif,
        files=tuple(files),
        version=__version__,
    )


def scenario_document(scenario: Scenario) -> dict[str, Any]:
    """The content of ``scenario.toml`` (TOML-ready: a setting that is off is left out).

    Parameters
    ----------
    scenario
        What :func:`scenario_of` returned.

    Returns
    -------
    dict
        ``planner_version``, ``run`` (with ``trip`` and ``request``), ``inputs``,
        ``outputs`` and ``files``.

    Examples
    --------
    >>> from planner.app.pipeline.planning import plan
    >>> doc = scenario_document(scenario_of(plan(PlanOptions(scheme="2025", cells=False))))
    >>> doc["run"]["scheme"], doc["run"]["trip"]["depart"], doc["run"]["request"]["balance"]
    ('2025', '10:00', 0.2)
    >>> doc["run"]["pilot_pairs"], doc["outputs"]["lang"]
    ([['Huyện Ba Vì', 'hn-reg-xanhpon']], 'vi')
    """
    options = scenario.options

    def fields(value: Any) -> dict[str, Any]:
        out = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if item is None:
                continue  # off: TOML has no null
            if isinstance(item, Mapping):
                item = dict(item)
            elif isinstance(item, tuple):
                item = [list(x) if isinstance(x, tuple) else x for x in item]
            out[f.name] = item
        return out

    run: dict[str, Any] = {
        "scheme": options.scheme,
        "pilot": options.pilot,
        "pilot_pairs": [list(pair) for pair in options.pilot_pairs],
        "demand": options.demand,
        "cells": options.cells,
    }
    for name in ("population", "specialty_need"):
        if getattr(options, name) is not None:
            run[name] = str(getattr(options, name))
    run["trip"] = fields(options.trip)
    run["request"] = fields(options.request)
    inputs = fields(scenario.inputs)
    return {
        "planner_version": scenario.version,
        "run": run,
        "inputs": inputs,
        "outputs": {
            "lang": scenario.lang,
            "map": scenario.map,
            "report": scenario.report,
            "whatif": scenario.whatif,
        },
        "files": [dataclasses.asdict(f) for f in scenario.files],
    }


_HEADER = """\
# The scenario of a planner run: every option, every input file with its SHA-256 digest.
# Run it again with `planner replay scenario.toml --out DIR` (or in Python,
# Session.from_scenario("scenario.toml").replay("DIR")); an input file that changed since
# is refused (--allow-changed-inputs goes on with a warning).
# A setting left out is off (no balance, no maximum time, no population raster of your own).

"""


def write_scenario(scenario: Scenario, path: str | os.PathLike[str]) -> Path:
    """Write ``scenario.toml`` (atomically).

    Parameters
    ----------
    scenario
        What :func:`scenario_of` returned.
    path
        The file to write.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile, tomllib, pathlib
    >>> from planner.app.pipeline.planning import plan
    >>> scenario = scenario_of(plan(PlanOptions(scheme="2025", cells=False)))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     text = write_scenario(scenario, pathlib.Path(folder) / SCENARIO_NAME).read_text()
    >>> tomllib.loads(text)["run"]["request"]["objective"]
    'pop-time'
    """
    import tomli_w

    return write_text_atomic(path, _HEADER + tomli_w.dumps(scenario_document(scenario)))


def read_scenario(path: str | os.PathLike[str], *, allow_changed_inputs: bool = False) -> Scenario:
    """Read ``scenario.toml`` back, checking that its input files are those of the run.

    Parameters
    ----------
    path
        The scenario file.
    allow_changed_inputs
        Go on when an input file changed (or is gone) since the run, with a
        :class:`ChangedInputWarning` naming it; default: refuse.

    Returns
    -------
    Scenario

    Raises
    ------
    PlannerInputError
        An unreadable file, a missing, unknown or wrong setting (naming it), an input given
        in memory (no file names it), or an input file that changed since the run: its path,
        the digest recorded and the digest found.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from planner.app.pipeline.planning import plan
    >>> scenario = scenario_of(plan(PlanOptions(scheme="2025", cells=False, balance=0.1)))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_scenario(scenario, pathlib.Path(folder) / SCENARIO_NAME)
    ...     again = read_scenario(path)
    >>> again.options == scenario.options, again.options.request.balance
    (True, 0.1)
    """
    path = Path(path)
    if not path.is_file():
        raise PlannerInputError(
            "the scenario file does not exist",
            file=path,
            hint="give the scenario.toml a run wrote beside its files",
        )
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PlannerInputError(
            f"the scenario cannot be read ({exc})",
            file=path,
            hint="give the scenario.toml a run wrote, or mend the line named",
        ) from None
    reader = _Reader(path)
    run = reader.table(doc, "run")
    options = PlanOptions(
        trip=reader.request(TripRule, reader.table(run, "trip", "run")),
        request=reader.request(PairingRequest, reader.table(run, "request", "run")),
        scheme=str(reader.value(run, "scheme", "run")),
        pilot=bool(reader.value(run, "pilot", "run")),
        pilot_pairs=tuple((str(d), str(h)) for d, h in reader.value(run, "pilot_pairs", "run")),
        specialty_need=run.get("specialty_need"),
        demand=str(reader.value(run, "demand", "run")),
        cells=bool(reader.value(run, "cells", "run")),
        population=run.get("population"),
    )
    reader.only(run, {"scheme", "pilot", "pilot_pairs", "specialty_need", "demand", "cells",
                      "population", "trip", "request"}, "run")  # fmt: skip
    given = reader.table(doc, "inputs")
    names = {f.name for f in dataclasses.fields(RunInputs)}
    reader.only(given, names, "inputs")
    inputs = RunInputs(
        facilities=given.get("facilities"),
        source=given.get("source"),
        thousands=given.get("thousands"),
        candidates=given.get("candidates"),
        k=tuple(int(k) for k in given.get("k", ())),
        robust=None if "robust" not in given else tuple(str(t) for t in given["robust"]),
        unknown=tuple(str(u) for u in given.get("unknown", ())),
    )
    if inputs.unknown:
        raise PlannerInputError(
            f"the run's {', '.join(inputs.unknown)} were given in memory, not as files: "
            "nothing names them to read again",
            file=path,
            field="inputs.unknown",
            hint="plan from files (facilities=<file>, source=<file>, candidates=<file>), then "
            "replay that run's scenario",
        )
    outputs = reader.table(doc, "outputs")
    reader.only(outputs, {"lang", "map", "report", "whatif"}, "outputs")
    lang = str(reader.value(outputs, "lang", "outputs"))
    if lang not in LANGUAGES:
        raise PlannerInputError(
            f"unknown language {lang!r}", file=path, field="outputs.lang",
            hint=f"use one of {', '.join(LANGUAGES)}",
        )  # fmt: skip
    files = []
    for i, entry in enumerate(doc.get("files", []), start=1):
        where = f"files[{i}]"
        if not isinstance(entry, Mapping):
            raise PlannerInputError("is not a table", file=path, field=where)
        reader.only(entry, {"role", "folder", "name", "sha256"}, where)
        item = InputFile(**{k: str(reader.value(entry, k, where)) for k in
                            ("role", "folder", "name", "sha256")})  # fmt: skip
        if item.folder not in FOLDERS:
            raise PlannerInputError(
                f"unknown folder {item.folder!r}", file=path, field=f"{where}.folder",
                hint=f"use one of {', '.join(FOLDERS)}",
            )  # fmt: skip
        files.append(item)
    scenario = Scenario(
        options=options,
        inputs=inputs,
        lang=lang,
        map=bool(reader.value(outputs, "map", "outputs")),
        report=bool(reader.value(outputs, "report", "outputs")),
        whatif=bool(reader.value(outputs, "whatif", "outputs")),
        files=tuple(files),
        version=str(doc.get("planner_version", "")),
    )
    _check_files(scenario, path, allow_changed_inputs=allow_changed_inputs)
    from planner import __version__

    if scenario.version and scenario.version != __version__:
        log.warning(
            "%s was written by planner %s; this is planner %s: the results may differ",
            path, scenario.version, __version__,
        )  # fmt: skip
    return scenario


def changed_inputs(scenario: Scenario) -> list[tuple[InputFile, str | None]]:
    """The scenario's input files whose content is not what the run read.

    Parameters
    ----------
    scenario
        A scenario read back (:func:`read_scenario`) or made (:func:`scenario_of`).

    Returns
    -------
    list
        ``(file, digest found)`` per changed file; the digest is ``None`` for a file gone.

    Examples
    --------
    >>> from planner.app.pipeline.planning import plan
    >>> changed_inputs(scenario_of(plan(PlanOptions(scheme="2025", cells=False))))
    []
    """
    changed = []
    for item in scenario.files:
        found = file_sha256(item.path) if item.path.exists() else None
        if found != item.sha256:
            changed.append((item, found))
    return changed


def _check_files(scenario: Scenario, path: Path, *, allow_changed_inputs: bool) -> None:
    changed = changed_inputs(scenario)
    for item, found in changed:
        what = (
            f"the {item.role} file changed since the run: sha256 {item.sha256} was recorded, "
            + (f"{found} is found" if found else "the file is gone")
        )
        if allow_changed_inputs:
            warnings.warn(f"{item.path}: {what}", ChangedInputWarning, stacklevel=3)
            log.warning("%s: %s (replayed anyway: the results may differ)", item.path, what)
            continue
        raise PlannerInputError(
            what + f" (recorded in {path})",
            file=item.path,
            field=item.role,
            hint="restore the file the run used, or replay with --allow-changed-inputs "
            "(allow_changed_inputs=True) knowing the results may differ",
        )


class _Reader:
    """Reads the scenario's tables and values, naming what is missing or unknown."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def table(self, doc: Mapping[str, Any], name: str, within: str = "") -> Mapping[str, Any]:
        where = f"{within}.{name}" if within else name
        value = self.value(doc, name, within)
        if not isinstance(value, Mapping):
            raise PlannerInputError(f"[{where}] is not a table", file=self.path, field=where)
        return value

    def value(self, doc: Mapping[str, Any], name: str, within: str) -> Any:
        where = f"{within}.{name}" if within else name
        if name not in doc:
            raise PlannerInputError(
                f"{where} is missing",
                file=self.path,
                field=where,
                hint="give the scenario.toml a run wrote, with every setting",
            )
        return doc[name]

    def only(self, doc: Mapping[str, Any], names: set[str], within: str) -> None:
        unknown = sorted(set(doc) - names)
        if unknown:
            raise PlannerInputError(
                f"unknown setting {within}.{unknown[0]}",
                file=self.path,
                field=f"{within}.{unknown[0]}",
                hint=f"the settings of [{within}] are {', '.join(sorted(names))}",
            )

    def request(self, cls: type[Any], doc: Mapping[str, Any]) -> Any:
        """A request (trip or pairing) from its table: every field, ``None`` where left out."""
        within = "run.trip" if cls is TripRule else "run.request"
        names = {f.name for f in dataclasses.fields(cls)}
        self.only(doc, names, within)
        values = {}
        for name in sorted(names):
            if name in doc:
                values[name] = doc[name]
            elif name in _NULLABLE:
                values[name] = None
            else:
                self.value(doc, name, within)  # raises: missing
        if "forbidden" in values:
            values["forbidden"] = tuple(tuple(pair) for pair in values["forbidden"])
        try:
            return cls(**values)
        except PlannerInputError as exc:
            raise PlannerInputError(
                exc.problem, file=self.path, field=f"{within}.{exc.field}", hint=exc.hint
            ) from None


__all__ = [
    "FOLDERS",
    "SCENARIO_NAME",
    "ChangedInputWarning",
    "InputFile",
    "Scenario",
    "changed_inputs",
    "file_sha256",
    "read_scenario",
    "scenario_document",
    "scenario_of",
    "write_scenario",
]
