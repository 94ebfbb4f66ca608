"""An explorer for Jupyter: sliders and pickers that re-plan the pairing and redraw it inline.

``planner.explore()`` shows the planning options as widgets (ipywidgets: install the
``jupyter`` extra) — scheme, mode, departure time, objective, load balance, hierarchical
pairing, the Ba Vì pilot and the user's own pins — and, under them, the solver's verdict, the
figures beside the previous plan and the nearest-hospital option, and the map (with its
what-if panel). Every change re-plans on a :class:`planner.app.interactive.session.Session`, which keeps the
roads, the facilities and every matrix already computed, so a new balance re-solves in a
fraction of a second and a new departure time computes one matrix.

The explorer is a plain object too: :meth:`Explorer.set` changes options from code (as a
notebook run without a browser does), :attr:`Explorer.run` is the latest
:class:`~planner.app.pipeline.planning.PlanningRun`.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import time
from collections.abc import Mapping
from typing import Any

from planner.app.interactive.session import Session
from planner.app.pipeline.inputs import split_levels
from planner.app.pipeline.planning import PlanningRun, PlanOptions
from planner.config import SCHEMES
from planner.errors import InfeasibleError, PlannerInputError
from planner.outputs.formatting import Formatter, clock, solver_status
from planner.outputs.i18n import DEFAULT_LANG, Translator
from planner.places.sites import hospital_sites
from planner.requests import MODES, OBJECTIVES

log = logging.getLogger(__name__)

#: Departure times offered by the slider (every half hour).
DEPART_TIMES = tuple(f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30))
#: The options the widgets set, in the order they are shown.
CONTROLS = ("scheme", "mode", "depart", "objective", "balance", "hierarchical", "pilot", "pins")
_MAP_HEIGHT_PX = 620


class Explorer:
    """Widgets that re-plan on every change; see :func:`explore`.

    Attributes
    ----------
    session
        The :class:`~planner.app.interactive.session.Session` that plans (roads, facilities, matrices).
    controls
        The widgets by option name (:data:`CONTROLS`); ``pins`` lists the pins, edited with
        ``pin_unit``, ``pin_hospital`` and the ``pin``/``unpin`` buttons.
    run, previous
        The latest :class:`~planner.app.pipeline.planning.PlanningRun` and the one before it.
    error
        The message of the last request that could not be planned (``None`` when it could).
    widget
        The whole explorer (an ``ipywidgets.VBox``); the explorer displays as it.
    """

    def __init__(
        self,
        session: Session | None = None,
        options: PlanOptions | None = None,
        *,
        lang: str = DEFAULT_LANG,
        show_map: bool = True,
    ) -> None:
        try:
            import ipywidgets as widgets
        except ImportError as exc:  # an optional dependency: say how to get it
            raise ImportError(
                "planner.explore needs ipywidgets: pip install 'hanoi-sister-planner[jupyter]' "
                '(or .venv/bin/pip install -e ".[jupyter]" in a clone)'
            ) from exc

        self.session = session or Session()
        self.lang = lang
        self.show_map = show_map
        self.run: PlanningRun | None = None
        self.previous: PlanningRun | None = None
        self.error: str | None = None
        #: Seconds from the last change to its answer on the page (``answer_s``: the verdict
        #: and the figures) and to its redrawn map (``map_s``).
        self.timings: dict[str, float] = {}
        self._pins: dict[str, str] = {}
        self._quiet = False
        options = options or PlanOptions()
        self._base = options
        self._pins = dict(options.request.pins)
        layout = {"description_width": "110px"}
        t = Translator(lang)
        former = options.scheme == "2025"
        self.controls: dict[str, Any] = {
            "scheme": widgets.ToggleButtons(
                options=[(t(f"explorer.scheme.{s}"), s) for s in SCHEMES],
                value=options.scheme,
                description=t("explorer.scheme"),
                style=layout,
            ),
            "mode": widgets.Dropdown(
                options=[(t(f"mode.{m}"), m) for m in MODES],
                value=options.trip.mode,
                description=t("explorer.mode"),
                style=layout,
            ),
            "depart": widgets.SelectionSlider(
                options=list(DEPART_TIMES),
                value=_slot(options.trip.depart),
                description=t("explorer.depart"),
                continuous_update=False,
                style=layout,
            ),
            "objective": widgets.Dropdown(
                options=[(t(f"scenario.objective.{o}"), o) for o in OBJECTIVES],
                value=options.request.objective,
                description=t("explorer.objective"),
                style=layout,
            ),
            "balance": widgets.FloatSlider(
                value=options.request.balance,
                min=0.01,
                max=1.0,
                step=0.01,
                readout_format=".2f",
                continuous_update=False,
                description=t("explorer.balance"),
                style=layout,
            ),
            "hierarchical": widgets.Checkbox(
                value=options.request.hierarchical,
                description=t(
                    "explorer.hierarchical.former" if former else "explorer.hierarchical"
                ),
            ),
            "pilot": widgets.Checkbox(value=options.pilot, description=t("explorer.pilot")),
            "pins": widgets.SelectMultiple(
                options=[], description=t("explorer.pins"), rows=3, style=layout
            ),
            "pin_unit": widgets.Dropdown(
                options=[], description=t("explorer.pin_unit"), style=layout
            ),
            "pin_hospital": widgets.Dropdown(
                options=[], description=t("explorer.pin_hospital"), style=layout
            ),
            "pin": widgets.Button(description=t("explorer.pin")),
            "unpin": widgets.Button(description=t("explorer.unpin")),
        }
        self.status = widgets.HTML()
        self.scores = widgets.HTML()
        self.map = widgets.HTML()
        for name in CONTROLS[:-1]:
            self.controls[name].observe(self._changed, names="value")
        self.controls["pin"].on_click(lambda _: self._add_pin())
        self.controls["unpin"].on_click(lambda _: self._remove_pins())
        c = self.controls
        self.widget = widgets.VBox(
            [
                widgets.HBox([c["scheme"], c["mode"]]),
                widgets.HBox([c["depart"], c["objective"]]),
                widgets.HBox([c["balance"], c["hierarchical"], c["pilot"]]),
                widgets.HBox([c["pin_unit"], c["pin_hospital"], c["pin"]]),
                widgets.HBox([c["pins"], c["unpin"]]),
                self.status,
                self.scores,
                self.map,
            ]
        )
        self._pin_choices()
        self.replan()

    # -- options ------------------------------------------------------------------------------
    def options(self) -> PlanOptions:
        """The planning options the widgets show."""
        c = self.controls
        base = self._base
        return dataclasses.replace(
            base,
            scheme=c["scheme"].value,
            trip=dataclasses.replace(base.trip, mode=c["mode"].value, depart=c["depart"].value),
            request=dataclasses.replace(
                base.request,
                objective=c["objective"].value,
                balance=float(c["balance"].value),
                hierarchical=bool(c["hierarchical"].value),
                pins=dict(self._pins),
            ),
            pilot=bool(c["pilot"].value),
        )

    def set(self, **changes: Any) -> PlanningRun | None:
        """Change options from code (``balance=0.1``, ``depart="17:30"``, ``pins={...}``) and
        re-plan once, as the widgets would.

        Returns
        -------
        PlanningRun or None
            The new run (``None`` when the request cannot be planned: see :attr:`error`).
        """
        unknown = sorted(set(changes) - set(CONTROLS))
        if unknown:
            raise PlannerInputError(
                f"the explorer has no option {unknown[0]!r}",
                field=unknown[0],
                hint=f"use one of {', '.join(CONTROLS)}",
            )
        self._quiet = True
        try:
            for name, value in changes.items():
                if name == "pins":
                    self._pins = {str(k): str(v) for k, v in dict(value).items()}
                elif name == "depart":
                    self.controls[name].value = _slot(value)
                else:
                    self.controls[name].value = value
                if name == "scheme":
                    self._pin_choices(keep=False)
        finally:
            self._quiet = False
        self._show_pins()
        return self.replan()

    # -- re-planning ----------------------------------------------------------------------------
    def replan(self) -> PlanningRun | None:
        """Plan with the widgets' options; show the verdict, the figures and the map."""
        started = time.perf_counter()
        try:
            run = self.session.plan(self.options())
        except (InfeasibleError, PlannerInputError) as error:
            self.error = str(error)
            self.status.value = f'<p style="color:#a00">{html.escape(self.error)}</p>'
            return None
        self.error = None
        self.previous, self.run = self.run, run
        plan_s = time.perf_counter() - started
        # The answer first (the verdict and the figures, sent to the page as they are set),
        # then the map, which takes most of a redraw's time.
        self.scores.value = figures_html(run, self.previous, lang=self.lang)
        t, f = Translator(self.lang), Formatter(self.lang)
        status = solver_status(
            run.proposal.status,
            mip_gap=run.proposal.mip_gap,
            time_limit_s=run.options.request.time_limit_s,
            lang=self.lang,
        )
        planned = t(
            "explorer.planned",
            status=status,
            seconds=f.number(plan_s, decimals=2),
            matrices=f.count(len(self.session.matrix_keys())),
        )
        key = "explorer.map_follows" if self.show_map else "explorer.done"
        self.status.value = f"<p>{html.escape(t(key, planned=planned))}</p>"
        self.timings = {"answer_s": time.perf_counter() - started}
        if self.show_map:
            from planner.outputs.map.build import map_html

            page = map_html(self.session.map(run, lang=self.lang))
            self.map.value = (
                f'<iframe srcdoc="{html.escape(page, quote=True)}" style="width:100%;'
                f'height:{_MAP_HEIGHT_PX}px;border:1px solid #ccc"></iframe>'
            )
            self.timings["map_s"] = time.perf_counter() - started
            drawn = t(
                "explorer.map_drawn",
                planned=planned,
                seconds=f.number(self.timings["map_s"], decimals=2),
            )
            self.status.value = f"<p>{html.escape(drawn)}</p>"
        log.info("re-planned in %.2f s", plan_s)
        return run

    def _changed(self, change: Mapping[str, Any]) -> None:
        if self._quiet:
            return
        if change.get("owner") is self.controls["scheme"]:
            self._pin_choices(keep=False)
        self.replan()

    # -- pins ---------------------------------------------------------------------------------
    def _pin_choices(self, *, keep: bool = True) -> None:
        """Offer the units of the scheme (district units first) and its hospitals."""
        fac = self.session.facilities(self.controls["scheme"].value)
        hospitals, units = split_levels(fac)
        heads = units[units["level"] == "district"]
        rest = units[units["level"] != "district"]
        f = Formatter(self.lang)
        former = self.controls["scheme"].value == "2025"  # the 2025 units' districts are former
        self.controls["hierarchical"].description = Translator(self.lang)(
            "explorer.hierarchical.former" if former else "explorer.hierarchical"
        )

        def district(name: Any) -> str:
            return f.district(name, former=former)

        choices = [
            (f"{district(d)} — {n}", i)
            for d, n, i in heads[["district", "name", "facility_id"]].values
        ]
        choices += [
            (f"{n} ({district(d)})", i)
            for d, n, i in rest[["district", "name", "facility_id"]].values
        ]
        self._quiet = True
        try:
            self.controls["pin_unit"].options = choices
            # pins name a hospital, whichever of its sites the trips use
            table = hospital_sites(hospitals).table
            self.controls["pin_hospital"].options = [
                (str(n), str(i)) for n, i in table[["name", "hospital_id"]].values
            ]
        finally:
            self._quiet = False
        if not keep:
            known = set(units["facility_id"].astype(str))
            self._pins = {u: h for u, h in self._pins.items() if u in known}
        self._show_pins()

    def _show_pins(self) -> None:
        labels = dict((v, k) for k, v in self.controls["pin_unit"].options)
        names = dict((v, k) for k, v in self.controls["pin_hospital"].options)
        self.controls["pins"].options = [
            (f"{labels.get(u, u)} → {names.get(h, h)}", u) for u, h in self._pins.items()
        ]

    def _add_pin(self) -> None:
        unit, hospital = self.controls["pin_unit"].value, self.controls["pin_hospital"].value
        if unit is None or hospital is None:
            return
        self._pins[str(unit)] = str(hospital)
        self._show_pins()
        self.replan()

    def _remove_pins(self) -> None:
        for unit in self.controls["pins"].value:
            self._pins.pop(unit, None)
        self._show_pins()
        self.replan()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def explore(
    session: Session | None = None,
    options: PlanOptions | None = None,
    *,
    lang: str = DEFAULT_LANG,
    show_map: bool = True,
) -> Explorer:
    """Open the explorer: widgets for the planning options that re-plan and redraw inline.

    Parameters
    ----------
    session
        The :class:`~planner.app.interactive.session.Session` to plan on (default: a new one on the Hanoi
        data); pass one to keep its roads and matrices across explorers.
    options
        The options to start from (default :class:`~planner.app.pipeline.planning.PlanOptions`).
    lang
        Language of the map: ``"vi"`` (default) or ``"en"``.
    show_map
        Draw the map under the figures (a second or two per change on the whole of Hanoi).

    Returns
    -------
    Explorer
        Displays as its widgets in Jupyter; :meth:`Explorer.set` changes options from code.

    Examples
    --------
    >>> explorer = explore(show_map=False)
    >>> before = explorer.run.scores.overall["load_ratio_max_min"]
    >>> after = explorer.set(balance=0.05).scores.overall["load_ratio_max_min"]
    >>> bool(after < before)
    True
    """
    return Explorer(session, options, lang=lang, show_map=show_map)


def figures_html(
    run: PlanningRun, previous: PlanningRun | None = None, *, lang: str = DEFAULT_LANG
) -> str:
    """The headline figures of a run beside the previous run and the nearest-hospital option,
    as an HTML table (every value escaped).

    Rows: the population-weighted mean trip at the departure time and at the peak, the
    longest trip, the share of people within 60 minutes, the ratio of the largest hospital
    load to the smallest, each hospital's load (people), and, with ``previous``, how many
    units changed hospital.

    Parameters
    ----------
    run : PlanningRun
        The run to show; its ``options`` (``depart``, ``peak_depart``), ``scores``,
        ``nearest_scores`` and ``hospitals`` are used.
    previous : PlanningRun, optional
        The run before it, shown in a column between the two (and its ``proposal`` compared
        unit by unit).
    lang : str
        Language of the labels and numbers: ``"vi"`` (``23,3 phút``, default) or ``"en"``
        (``23.3 min``).

    Returns
    -------
    str
        An HTML ``<table>``.

    Examples
    --------
    A real run needs the whole road network (about ten seconds, see :func:`explore`); the
    table only reads the run's options, scores and hospitals, so a stand-in with the figures
    of the 2025 scheme's plan (by car at 10:00, units as points) shows it:

    >>> import re
    >>> from types import SimpleNamespace
    >>> from planner.places.hanoi import hanoi_facilities
    >>> from planner.app.pipeline.planning import PlanOptions
    >>> fac = hanoi_facilities(scheme="2025")
    >>> def scores(mean_s, peak_s, max_s, within_60, ratio, heart, oncology, obgyn, xanhpon):
    ...     return SimpleNamespace(overall={
    ...         "pop_weighted_mean_travel_time_s": mean_s,
    ...         "pop_weighted_mean_travel_time_peak_s": peak_s,
    ...         "max_travel_time_s": max_s,
    ...         "share_population_within_60min": within_60,
    ...         "load_ratio_max_min": ratio,
    ...         "load": {"hn-reg-heart": heart, "hn-reg-oncology": oncology,
    ...                  "hn-reg-obgyn": obgyn, "hn-reg-xanhpon": xanhpon}})
    >>> run = SimpleNamespace(
    ...     options=PlanOptions(scheme="2025"),
    ...     hospitals=fac[fac["level"] == "regional"],
    ...     scores=scores(1396.5, 1624.7, 5346.1, 0.96646, 1.39,
    ...                   2129334, 1835801, 2377905, 1710622),
    ...     nearest_scores=scores(1340.7, 1554.6, 5006.1, 0.97201, float("inf"),
    ...                           1698490, 0, 5779594, 575579))
    >>> def show(page):
    ...     for row in re.findall(r"<tr>(.*?)</tr>", page)[1:]:
    ...         print(" | ".join(re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)))
    >>> show(figures_html(run, lang="vi"))
    thời gian trung bình lúc 10:00 (theo dân số) | 23,3 phút | 22,3 phút
    thời gian trung bình lúc 08:00 (theo dân số) | 27,1 phút | 25,9 phút
    chuyến xa nhất lúc 10:00 | 89,1 phút | 83,4 phút
    dân số trong vòng 60 phút lúc 10:00 | 96,6% | 97,2%
    tỷ số tải lớn nhất/nhỏ nhất | 1,39 | —
    Bệnh viện Tim Hà Nội | 2.129.334 | 1.698.490
    Bệnh viện Ung bướu Hà Nội | 1.835.801 | 0
    Bệnh viện Phụ sản Hà Nội | 2.377.905 | 5.779.594
    Bệnh viện Đa khoa Xanh Pôn | 1.710.622 | 575.579
    >>> show(figures_html(run, lang="en"))  # doctest: +ELLIPSIS
    mean trip at 10:00 (per person) | 23.3 min | 22.3 min
    ...
    Bệnh viện Đa khoa Xanh Pôn | 1,710,622 | 575,579
    """
    f = Formatter(lang)
    t = Translator(lang)
    o = run.options
    columns = [(t("explorer.this_plan"), run.scores.overall)]
    if previous is not None:
        columns.append((t("explorer.previous_plan"), previous.scores.overall))
    columns.append((t("explorer.nearest"), run.nearest_scores.overall))
    rows = [
        (t("explorer.mean_at", time=o.trip.depart), "pop_weighted_mean_travel_time_s", "min"),
        (
            t("explorer.mean_at", time=o.trip.peak_depart),
            "pop_weighted_mean_travel_time_peak_s",
            "min",
        ),
        (t("explorer.longest_at", time=o.trip.depart), "max_travel_time_s", "min"),
        (t("explorer.within_at", time=o.trip.depart), "share_population_within_60min", "share"),
        (t("explorer.load_ratio"), "load_ratio_max_min", "ratio"),
    ]

    def value(scores: Mapping[str, Any], key: str, kind: str) -> str:
        x = scores.get(key)
        if kind == "min":
            return f.minutes(x, decimals=1)
        if kind == "share":
            return f.percent(x, decimals=1)
        return f.ratio(x)

    head = "".join(f"<th>{html.escape(name)}</th>" for name, _ in columns)
    body = [
        f"<tr><th style='text-align:left'>{html.escape(label)}</th>"
        + "".join(f"<td>{html.escape(value(s, key, kind))}</td>" for _, s in columns)
        + "</tr>"
        for label, key, kind in rows
    ]
    table = hospital_sites(run.hospitals).table
    names = dict(zip(table["hospital_id"], table["name"], strict=True))
    loads = run.scores.overall["load"]
    body += [
        f"<tr><th style='text-align:left'>{html.escape(str(names.get(h, h)))}</th>"
        + "".join(f"<td>{html.escape(f.people(s['load'].get(h)))}</td>" for _, s in columns)
        + "</tr>"
        for h in loads
    ]
    if previous is not None:
        moved = _moved(run, previous)
        body.append(
            f"<tr><th style='text-align:left'>{html.escape(t('explorer.moved'))}</th>"
            f"<td>{html.escape(f.count(moved))}</td></tr>"
        )
    return (
        "<table style='border-collapse:collapse;font-size:13px'>"
        f"<thead><tr><th></th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _moved(run: PlanningRun, previous: PlanningRun) -> int:
    """Units whose sister hospital differs from the previous run's (same units only)."""
    now = run.proposal.pairings.set_index("unit_id")["hospital_id"]
    before = previous.proposal.pairings.set_index("unit_id")["hospital_id"]
    common = now.index.intersection(before.index)
    return int((now[common].astype(str) != before[common].astype(str)).sum())


def _slot(depart: str) -> str:
    """A departure time as offered by the slider (``"7:30"`` -> ``"07:30"``)."""
    value = clock(depart)
    if value not in DEPART_TIMES:
        raise PlannerInputError(
            f"departure {depart!r} is not one of the explorer's half-hour times",
            field="depart",
            hint="use HH:00 or HH:30, e.g. 07:30",
        )
    return value


__all__ = ["CONTROLS", "DEPART_TIMES", "Explorer", "explore", "figures_html"]
