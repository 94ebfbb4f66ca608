"""The traffic the model ran with, for the report's assumptions: the share of free-flow speed
each area type and road class keeps at the run's departure times, and when ferries run.

Every figure comes from the functions and tables the travel times came from
(:func:`planner.roads.speeds.area_class_factors`, :func:`~planner.roads.speeds.ferry_wait_s`,
the speed and ferry tables), so the page cannot drift from the model: no number is typed in a
template or a message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from planner.outputs.report._context import Context, number_cell, text_cell
from planner.outputs.report._scores import Scores
from planner.roads import AREAS
from planner.roads.speeds.bands import area_class_factors, ferry_wait_s
from planner.roads.speeds.tables import FERRY, load_ferry_table, load_speed_table

#: Speed-table classes that are not roads a reader picks out: slip roads follow their class,
#: the snap leg joins a building to its road.
_NOT_SHOWN = ("ramp", "snap", FERRY)
_DAY_MIN = 24 * 60


def _road_groups(mode: str, times: list[str]) -> tuple[list[list[str]], np.ndarray]:
    """The mode's usable road classes, grouped where they slow alike in every area at every
    time shown, and each group's factors, shape (times, areas, groups)."""
    speeds = load_speed_table()
    mine = speeds[(speeds["mode"] == mode) & speeds["usable"].astype(bool)]
    classes = [c for c in dict.fromkeys(mine["class"].astype(str)) if c not in _NOT_SHOWN]
    factors = np.stack([area_class_factors(classes, mode=mode, depart=t) for t in times])
    groups: dict[bytes, list[int]] = {}
    for i in range(len(classes)):
        groups.setdefault(np.round(factors[:, :, i], 9).tobytes(), []).append(i)
    members = list(groups.values())
    return [[classes[i] for i in g] for g in members], factors[:, :, [g[0] for g in members]]


def _roads_text(classes: list[str], ctx: Context) -> str:
    t = ctx.t
    names = [t.get(f"road.{c}", c) for c in classes]
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {t('and')} {names[-1]}"


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _closed_spans(mode: str) -> list[tuple[int, int]]:
    """The spans of the day (minutes) when ferries do not run, a night span across midnight
    joined into one."""
    table = load_ferry_table()
    bands = table[(table["mode"] == mode) & ~table["in_service"].astype(bool)]
    spans: list[list[int]] = []
    for start, end in sorted(zip(bands["start_min"], bands["end_min"], strict=True)):
        if spans and spans[-1][1] == start:
            spans[-1][1] = int(end)
        else:
            spans.append([int(start), int(end)])
    if len(spans) > 1 and spans[0][0] == 0 and spans[-1][1] == _DAY_MIN:
        spans[0] = [spans[-1][0], spans[0][1]]
        spans.pop()
    return [(s, e % _DAY_MIN) for s, e in spans]


def _ferry_text(depart: str, mode: str, ctx: Context) -> str:
    wait = ferry_wait_s(depart, mode=mode)
    if not np.isfinite(wait):
        return ctx.t("traffic.ferry_closed")
    return ctx.t("traffic.ferry_wait", wait=ctx.f.minutes(wait))


def traffic_part(
    main: Scores, options: Mapping[str, Any], ctx: Context
) -> tuple[str, dict[str, Any]] | None:
    """The traffic assumption in words, and its table (area x roads: share of free-flow speed
    at each of the run's departure times, as its scores state them; ferries); ``None`` when
    they state no mode or no time. Roads outside Hanoi's units carry no area data: elsewhere
    every road is "other"."""
    mode = options.get("mode")
    times = list(dict.fromkeys(time for time in (main.depart, main.peak_depart) if time))
    if not mode or not times:
        return None
    hanoi = options.get("region") == "Hanoi"
    t, f = ctx.t, ctx.f
    groups, factors = _road_groups(mode, times)
    areas = list(AREAS) if hanoi else ["other"]
    area_rows = [AREAS.index(a) for a in areas]
    area_names = {a: t(f"area.{a}" if hanoi else "area.every") for a in areas}
    rows = []
    for a, area in zip(area_rows, areas, strict=True):
        for g, classes in enumerate(groups):
            cells = [text_cell(area_names[area]), text_cell(_roads_text(classes, ctx))]
            cells += [number_cell(f.percent(factors[k, a, g])) for k in range(len(times))]
            rows.append(cells)
    rows.append(
        [text_cell(t("area.every")), text_cell(t("road.ferry"))]
        + [number_cell(_ferry_text(time, mode, ctx)) for time in times]
    )
    sentences = [t("traffic.intro")]
    for k, time in enumerate(times):
        shown = factors[k][area_rows]
        low = np.unravel_index(np.argmin(shown), shown.shape)
        high = np.unravel_index(np.argmax(shown), shown.shape)
        if np.isclose(shown[low], shown[high]):
            sentences.append(t("traffic.even", time=time, share=f.percent(shown[low])))
            continue
        sentences.append(
            t(
                "traffic.range",
                time=time,
                low=f.percent(shown[low]),
                low_roads=_roads_text(groups[low[1]], ctx),
                low_area=area_names[areas[low[0]]],
                high=f.percent(shown[high]),
                high_roads=_roads_text(groups[high[1]], ctx),
                high_area=area_names[areas[high[0]]],
            )
        )
    closed = _closed_spans(mode)
    if closed:
        spans = f" {t('and')} ".join(
            t("traffic.span", start=_clock(s), end=_clock(e)) for s, e in closed
        )
        sentences.append(t("traffic.ferries_closed", spans=spans))
    if not hanoi:
        sentences.append(t("traffic.elsewhere"))
    columns = [
        {"label": t("report.col_area"), "num": False},
        {"label": t("report.col_roads"), "num": False},
    ] + [{"label": t("report.col_share_at", time=time), "num": True} for time in times]
    title = t("report.traffic", mode=t.get(f"mode_name.{mode}", mode))
    return " ".join(sentences), {"title": title, "columns": columns, "rows": rows}
