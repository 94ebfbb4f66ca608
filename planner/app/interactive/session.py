"""A planning session: load the roads and the facilities once, keep every matrix, re-plan fast.

A planner asking "and with ±10 %?" or "and at 17:30?" should pay only for what changed. A
:class:`Session` holds the road graph (loaded on first use), the facilities of each scheme, the
Hanoi areas and every pairing matrix it has computed, keyed by what defines it (scheme, mode,
departure time, directions). :meth:`Session.plan` then runs :func:`planner.app.pipeline.planning.plan` on
them: a new balance, objective or pin re-solves the pairing and re-scores it (a fraction of a
second on the 2024 districts); a new departure time computes one matrix; nothing is ever loaded
or computed twice. :meth:`Session.plan_growth` plans the network's growth (candidate sites
opened with the pairing, pairings that hold at every hour) on the same roads and facilities;
:meth:`Session.plan_investments` chooses costed actions within a budget on the same roads,
facilities and population cells.
:func:`planner.app.interactive.explorer.explore` puts sliders on top of a session.

The session holds data, not results: each :meth:`~Session.plan` returns a fresh
:class:`~planner.app.pipeline.planning.PlanningRun`.

:meth:`Session.from_scenario` opens a session on a run's ``scenario.toml``
(:mod:`planner.app.pipeline.scenario`): its roads and facilities, its options as the default of
:meth:`~Session.plan`; :meth:`~Session.replay` runs it again and writes the same files
(``planner replay`` is this).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from planner.app.pipeline.inputs import (
    RunInputs,
    facilities_for,
    is_hanoi_registry,
    road_network,
    split_levels,
    study_area,
)
from planner.app.pipeline.planning import PlanningRun, PlanOptions, plan, population_access
from planner.app.pipeline.scenario import Scenario, read_scenario
from planner.app.pipeline.write import run_map, write_outputs
from planner.config import DEFAULT_SCHEME
from planner.outputs.i18n import DEFAULT_LANG
from planner.requests import DEFAULT_TRIP, TripRule
from planner.roads.graph import TravelGraph

if TYPE_CHECKING:
    import folium

    from planner.access.cells import CellAccess
    from planner.app.growth.invest import InvestmentPlan
    from planner.app.growth.siting import GrowthRun
    from planner.places.population import PopulationGrid

log = logging.getLogger(__name__)

#: A matrix's key: (scheme, mode, departure "HH:MM", directions).
MatrixKey = tuple[str, str, str, str]


class Session:
    """Roads, facilities, matrices and population cells kept in memory for repeated planning.

    Parameters
    ----------
    source
        Road network (see :func:`planner.app.pipeline.inputs.road_network`); default the Hanoi MBTiles.
        Loaded on first use.
    graph
        An already loaded road graph (then ``source`` is ignored).
    facilities
        A facility file or GeoDataFrame used for every scheme; default the Hanoi registry of
        each scheme asked for.
    thousands
        Thousands separator of a facility file's population and capacity.

    Attributes
    ----------
    last_plan_s
        Wall time of the last :meth:`plan`, in seconds.
    scenario
        The scenario the session was opened on (:meth:`from_scenario`), else ``None``: its
        options are then :meth:`plan`'s default.

    Examples
    --------
    >>> session = Session()
    >>> first = session.plan(PlanOptions(scheme="2024"))
    >>> tighter = session.plan(first.options, balance=0.1)  # no reload, no new matrix
    >>> tighter.graph is first.graph and tighter.matrix is first.matrix
    True
    >>> sorted(key[2] for key in session.matrix_keys())
    ['08:00', '10:00']
    """

    def __init__(
        self,
        *,
        source: str | os.PathLike[str] | None = None,
        graph: TravelGraph | None = None,
        facilities: str | os.PathLike[str] | gpd.GeoDataFrame | None = None,
        thousands: str | None = None,
    ) -> None:
        self._source = source
        self._graph = graph
        self._facilities_input = facilities
        self._thousands = thousands
        # where the data came from, as each run's scenario names it
        self._inputs = RunInputs.of(
            facilities=facilities, source=source, graph=graph, thousands=thousands
        )
        self.scenario: Scenario | None = None
        self._facilities: dict[str, gpd.GeoDataFrame] = {}
        self._areas: dict[str, gpd.GeoDataFrame | None] = {}
        self._matrices: dict[MatrixKey, pd.DataFrame] = {}
        self._cells: dict[tuple[str, ...], CellAccess] = {}
        self._grids: dict[str, PopulationGrid] = {}
        self.last_plan_s = float("nan")

    @property
    def graph(self) -> TravelGraph:
        """The road graph, loaded on first use and kept."""
        if self._graph is None:
            self._graph = road_network(self._source)
        return self._graph

    def facilities(self, scheme: str = DEFAULT_SCHEME) -> gpd.GeoDataFrame:
        """The facilities of ``scheme`` (the Hanoi registry, or the session's own), kept.

        A user's facility file is checked against the roads' area once.
        """
        key = scheme if self._facilities_input is None else "own"
        if key not in self._facilities:
            given = self._facilities_input
            area = None
            if given is not None and not isinstance(given, gpd.GeoDataFrame):
                area = study_area(self.graph)
            self._facilities[key] = facilities_for(
                scheme, given, area=area, thousands=self._thousands
            )
        return self._facilities[key]

    def areas(self, scheme: str = DEFAULT_SCHEME) -> gpd.GeoDataFrame | None:
        """The Hanoi areas of ``scheme`` for maps (``None`` for other facilities), kept."""
        if scheme not in self._areas:
            hanoi = is_hanoi_registry(self.facilities(scheme))
            if hanoi:
                from planner.places.hanoi.areas import hanoi_areas

                self._areas[scheme] = hanoi_areas(scheme=scheme)
            else:
                self._areas[scheme] = None
        return self._areas[scheme]

    def matrix(
        self, scheme: str = DEFAULT_SCHEME, *, trip: TripRule = DEFAULT_TRIP
    ) -> pd.DataFrame:
        """The pairing matrix (hospitals and units of ``scheme``) at ``trip.depart``, kept.

        Computed once per (scheme, mode, departure, directions) by
        :func:`planner.travel.matrix.pair_travel_times` (the trip rule's site rule and
        comparison time play no part: the matrix holds every site).
        """
        key = (scheme, trip.mode, trip.depart, trip.directions)
        if key not in self._matrices:
            from planner.travel.matrix import pair_travel_times

            hospitals, units = split_levels(self.facilities(scheme))
            started = time.perf_counter()
            self._matrices[key] = pair_travel_times(
                self.graph, hospitals, units, mode=trip.mode, depart=trip.depart,
                directions=trip.directions,
            )  # fmt: skip
            log.info("matrix %s in %.1f s", key, time.perf_counter() - started)
        return self._matrices[key]

    def cells(self, options: PlanOptions) -> tuple[CellAccess | None, str | None]:
        """The population cells' times for ``options`` (or why there are none), kept.

        Computed once per (scheme, mode, departure, site rule, population raster) by
        :func:`planner.app.pipeline.planning.population_access`; a new balance, objective or pin reuses them.
        Only cells are kept: why there are none depends on more options (``demand``), so it is
        asked again.

        Parameters
        ----------
        options
            The planning options (``cells=False`` gives ``(None, note)`` at once).

        Returns
        -------
        tuple
            ``(access, None)`` or ``(None, note)``, as
            :func:`planner.app.pipeline.planning.population_access` returns them.
        """
        if not options.cells:
            return population_access(options, self.graph, self.facilities(options.scheme))
        trip = options.trip
        population = "" if options.population is None else str(options.population)
        key = (options.scheme, trip.mode, trip.depart, trip.site_rule, population)
        if key in self._cells:
            return self._cells[key], None
        started = time.perf_counter()
        access, note = population_access(options, self.graph, self.facilities(options.scheme))
        if access is not None:
            self._cells[key] = access
            log.info("population cells %s in %.1f s", key, time.perf_counter() - started)
        return access, note

    def matrix_keys(self) -> list[MatrixKey]:
        """The (scheme, mode, departure, directions) of every matrix the session holds."""
        return list(self._matrices)

    def plan(self, options: PlanOptions | None = None, /, **changes: Any) -> PlanningRun:
        """Plan with ``options`` (default :class:`PlanOptions`) changed by ``changes``.

        Parameters
        ----------
        options
            The planning options to start from (e.g. the last run's ``options``).
        **changes
            What to change: a whole request (``request=PairingRequest(...)``,
            ``trip=TripRule(...)``), another field of :class:`PlanOptions` (``scheme="2025"``),
            or one field of either request, flat (``balance=0.1``, ``depart="17:30"``).

        Returns
        -------
        PlanningRun
            As :func:`planner.app.pipeline.planning.plan` returns it, on the session's graph, facilities
            and matrices.
        """
        options = dataclasses.replace(options or self._default_options(), **changes)
        started = time.perf_counter()
        trip = options.trip
        matrices = (
            self.matrix(options.scheme, trip=trip),
            self.matrix(options.scheme, trip=dataclasses.replace(trip, depart=trip.peak_depart)),
        )
        run = plan(
            options,
            facilities=self.facilities(options.scheme),
            graph=self.graph,
            matrices=matrices,
            cells=self.cells(options),
            inputs=self._inputs,
        )
        self.last_plan_s = time.perf_counter() - started
        return run

    def plan_growth(
        self,
        options: PlanOptions | None = None,
        /,
        *,
        candidates: str | os.PathLike[str] | pd.DataFrame | None = None,
        k: int | Sequence[int] = 1,
        robust: Sequence[str] | None = None,
        **changes: Any,
    ) -> GrowthRun:
        """Plan the network's growth (:func:`planner.app.growth.siting.plan_growth`) on the session's
        roads and facilities: which candidate sites to open with the pairing, and/or pairings
        that hold at every hour.

        Parameters
        ----------
        options
            The planning options to start from (default :class:`PlanOptions`).
        candidates
            A candidate-site file or table (``facility_id``, ``name``, ``hospital_id``,
            ``lat``, ``lon``); ``None``: none.
        k
            How many candidates to open, or several (``range(1, 3)``: what each extra site
            buys; the run opens the last).
        robust
            Departure times the pairing must hold at (the main one is added); ``None``: plan
            at ``options.depart`` only.
        **changes
            Fields of :class:`PlanOptions` to change, e.g. ``cells=False``.

        Returns
        -------
        planner.app.growth.siting.GrowthRun
            The run on the network with the opened sites, the sites' choice and the pairs at
            every hour (write them with :func:`planner.app.growth.siting.write_growth`).

        Examples
        --------
        >>> session = Session()
        >>> growth = session.plan_growth(PlanOptions(cells=False), k=[1, 2],
        ...                              candidates="tests/data/siting_candidates.csv")
        >>> growth.siting.opened
        ('hn-cand-xanhpon-sontay', 'hn-cand-obgyn-unghoa')
        >>> growth.siting.by_k["k"].tolist(), growth.run.graph is session.graph
        ([1, 2], True)
        """
        from planner.app.growth.siting import plan_growth

        options = dataclasses.replace(options or self._default_options(), **changes)
        started = time.perf_counter()
        growth = plan_growth(
            options,
            candidates=candidates,
            k=k,
            robust=robust,
            facilities=self.facilities(options.scheme),
            graph=self.graph,
            inputs=self._inputs,
        )
        self.last_plan_s = time.perf_counter() - started
        return growth

    def grid(self, scheme: str = DEFAULT_SCHEME) -> PopulationGrid:
        """The population grid of ``scheme``'s facilities (the cells people live in), kept: the
        one the session's cells were timed on, else :func:`planner.access.cells.default_grid`."""
        if scheme not in self._grids:
            timed = [access for key, access in self._cells.items() if key[0] == scheme]
            if timed and not timed[0].grid.cells.empty:
                self._grids[scheme] = timed[0].grid
            else:
                from planner.access.cells import default_grid

                self._grids[scheme] = default_grid(self.facilities(scheme), graph=self.graph)
        return self._grids[scheme]

    def plan_investments(
        self,
        *,
        budget: float,
        actions: str | os.PathLike[str] | pd.DataFrame | None = None,
        scheme: str = DEFAULT_SCHEME,
        **options: Any,
    ) -> InvestmentPlan:
        """Choose costed actions within a budget
        (:func:`planner.app.growth.invest.plan_investments`) on the session's roads, facilities
        and population cells.

        Parameters
        ----------
        budget
            What the chosen actions may cost together.
        actions
            An actions file or table (``action_id``, ``name``, ``lat``, ``lon``, ``cost``,
            optional ``kind``); ``None``: the populated cells' centres, each costing 1.
        scheme
            The scheme of the Hanoi registry (or the session's own facilities).
        **options
            Other keywords of :func:`~planner.app.growth.invest.plan_investments`
            (``within_min``, ``cost_unit``, ``evaluate``, ``steps``, ``trip``...).

        Returns
        -------
        planner.app.growth.invest.InvestmentPlan

        Examples
        --------
        >>> session = Session()
        >>> plan = session.plan_investments(budget=60, scheme="2025", cost_unit="tỷ đồng",
        ...                                 actions="tests/data/invest_actions.csv")
        >>> again = session.plan_investments(budget=30, scheme="2025",
        ...                                  actions="tests/data/invest_actions.csv")
        >>> again.exact.population_covered <= plan.exact.population_covered
        True
        >>> session.grid("2025") is session.grid("2025")
        True
        """
        from planner.app.growth.invest import plan_investments

        started = time.perf_counter()
        plan = plan_investments(
            self.graph, self.facilities(scheme), budget=budget, actions=actions,
            grid=self.grid(scheme), **options,
        )  # fmt: skip
        self.last_plan_s = time.perf_counter() - started
        return plan

    def map(
        self,
        run: PlanningRun,
        *,
        lang: str = DEFAULT_LANG,
        whatif: bool = True,
        candidates: pd.DataFrame | None = None,
    ) -> folium.Map:
        """The run's map (:func:`planner.app.pipeline.write.run_map`) on the session's areas; with a
        growth run's ``candidates`` (``growth.siting.candidates``), the new sites drawn."""
        return run_map(
            run,
            lang=lang,
            whatif=whatif,
            areas=self.areas(run.options.scheme),
            candidates=candidates,
        )

    @classmethod
    def from_scenario(
        cls, path: str | os.PathLike[str], *, allow_changed_inputs: bool = False
    ) -> Session:
        """A session on a run's ``scenario.toml``: its roads and facilities, its options.

        Parameters
        ----------
        path
            The scenario a run wrote (:mod:`planner.app.pipeline.scenario`).
        allow_changed_inputs
            Go on, with a warning, when an input file changed since the run (default: a
            :class:`~planner.errors.PlannerInputError` naming it and both digests).

        Returns
        -------
        Session
            With :attr:`scenario` set: :meth:`plan` plans with its options by default and
            :meth:`replay` runs it again, files and all.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from planner.app.pipeline.write import write_outputs
        >>> first = Session().plan(PlanOptions(scheme="2025", cells=False, balance=0.1))
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     paths = write_outputs(first, folder, map=False, report=False)
        ...     session = Session.from_scenario(paths["scenario.toml"])
        >>> again = session.plan()
        >>> again.options == first.options
        True
        >>> again.proposal.pairings.equals(first.proposal.pairings)
        True
        """
        scenario = read_scenario(path, allow_changed_inputs=allow_changed_inputs)
        session = cls(
            source=scenario.inputs.source,
            facilities=scenario.inputs.facilities,
            thousands=scenario.inputs.thousands,
        )
        session.scenario = scenario
        return session

    def replay(self, out_dir: str | os.PathLike[str]) -> tuple[PlanningRun, dict[str, Path]]:
        """Run the session's scenario again and write its files into ``out_dir``.

        The same options, the same kind of run (a growth run chooses its sites and hours
        again) and the same files (language, map, report, what-if panel), so ``pairings.csv``
        is byte for byte the run's.

        Parameters
        ----------
        out_dir
            The output folder (created if needed).

        Returns
        -------
        (PlanningRun, dict)
            The run, and the files written by name.

        Raises
        ------
        ValueError
            The session was not opened on a scenario (:meth:`from_scenario`).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from planner.app.pipeline.write import write_outputs
        >>> first = Session().plan(PlanOptions(scheme="2025", cells=False))
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     paths = write_outputs(first, folder, map=False, report=False)
        ...     run, again = Session.from_scenario(paths["scenario.toml"]).replay(
        ...         pathlib.Path(folder) / "replay")
        ...     same = again["pairings.csv"].read_bytes() == paths["pairings.csv"].read_bytes()
        >>> same
        True
        """
        scenario = self.scenario
        if scenario is None:
            raise ValueError("this session was not opened on a scenario: use Session.from_scenario")
        written: dict[str, Any] = {
            "map": scenario.map,
            "report": scenario.report,
            "lang": scenario.lang,
            "whatif": scenario.whatif,
        }
        if scenario.growth:
            from planner.app.growth.siting import write_growth

            inputs = scenario.inputs
            growth = self.plan_growth(
                scenario.options,
                candidates=inputs.candidates,
                k=list(inputs.k) or 1,
                robust=inputs.robust,
            )
            return growth.run, write_growth(growth, out_dir, **written)
        run = self.plan(scenario.options)
        return run, write_outputs(run, Path(out_dir), **written)

    def _default_options(self) -> PlanOptions:
        return PlanOptions() if self.scenario is None else self.scenario.options

    def __repr__(self) -> str:
        graph = "not loaded" if self._graph is None else f"{self._graph.n_nodes:,} nodes"
        return (
            f"Session(graph: {graph}; facilities: {sorted(self._facilities)}; "
            f"matrices: {len(self._matrices)})"
        )


__all__ = ["MatrixKey", "Session"]
