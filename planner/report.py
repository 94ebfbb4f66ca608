"""The officials' report: one standalone ``report.html`` with the map, tables, charts, sources.

Everything is inside the file: the self-contained map (as an ``iframe`` ``srcdoc``), the
charts as inline SVG drawn by matplotlib, the tables as plain HTML. Nothing is fetched from
the network except the map's background tiles, so the report opens where CDNs are blocked.
"""

from __future__ import annotations

import html
import io
import logging
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import matplotlib
import numpy as np
import pandas as pd

from planner.config import OSM_ATTRIBUTION, authored_dir, data_dir
from planner.errors import PlannerInputError
from planner.facilities import APPROXIMATE_SOURCES
from planner.io import write_text_atomic
from planner.maps import hospital_palette, map_html, pairing_map
from planner.maps import map_labels as _map_labels
from planner.scoring import COVERAGE_MINUTES

log = logging.getLogger(__name__)

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Sister-hospital pairings for Hanoi",
        "map": "Map",
        "summary": "Overall scores",
        "per_hospital": "Per regional hospital",
        "charts": "Charts",
        "chart_time": "Travel time to the sister hospital, per hospital",
        "chart_load": "Population served per hospital",
        "fair_share": "fair share",
        "assumptions": "Assumptions",
        "speeds": "Road speeds (free flow, before the congestion factor)",
        "sources": "Data sources and licences",
        "approximate": "Units placed at approximate locations",
        "approximate_none": "Every unit has a mapped location.",
        "hospital": "Hospital",
        "units": "Units",
        "districts": "Districts",
        "population": "Population",
        "share": "Share of population",
        "mean_min": "Mean time (min)",
        "median_min": "Median (min)",
        "max_min": "Max (min)",
        "spread": "Spread (max / mean)",
        "staff_hours": "Staff travel (h / month)",
        "proposal": "Proposal",
        "nearest": "Nearest hospital",
        "pilot": "Pilot",
        "other": "Other figures",
        "unit": "Unit",
        "level": "Level",
        "district": "District",
        "source": "Location source",
        "metric": "Measure",
        "value": "Value",
        "minutes": "minutes",
        "generated": "Map data {osm}. Place names are the official Vietnamese names.",
        "file": "File",
        "what": "What",
        "licence": "Licence, source",
        "class": "Road class",
        "mode": "Mode",
        "speed": "Speed (km/h)",
        "reason": "Why",
    },
    "vi": {
        "title": "Ghép cặp bệnh viện kết nghĩa tại Hà Nội",
        "map": "Bản đồ",
        "summary": "Chỉ số tổng hợp",
        "per_hospital": "Theo bệnh viện tuyến thành phố",
        "charts": "Biểu đồ",
        "chart_time": "Thời gian đến bệnh viện kết nghĩa, theo bệnh viện",
        "chart_load": "Dân số phụ trách theo bệnh viện",
        "fair_share": "mức chia đều",
        "assumptions": "Giả định",
        "speeds": "Tốc độ đường (chưa tính hệ số ùn tắc)",
        "sources": "Nguồn dữ liệu và giấy phép",
        "approximate": "Đơn vị có vị trí gần đúng",
        "approximate_none": "Mọi đơn vị đều có vị trí trên bản đồ.",
        "hospital": "Bệnh viện",
        "units": "Số đơn vị",
        "districts": "Số quận/huyện",
        "population": "Dân số",
        "share": "Tỷ lệ dân số",
        "mean_min": "Trung bình (phút)",
        "median_min": "Trung vị (phút)",
        "max_min": "Tối đa (phút)",
        "spread": "Chênh lệch (tối đa / trung bình)",
        "staff_hours": "Cán bộ đi lại (giờ / tháng)",
        "proposal": "Phương án đề xuất",
        "nearest": "Bệnh viện gần nhất",
        "pilot": "Thí điểm",
        "other": "Chỉ số khác",
        "unit": "Đơn vị",
        "level": "Cấp",
        "district": "Quận/huyện",
        "source": "Nguồn vị trí",
        "metric": "Chỉ số",
        "value": "Giá trị",
        "minutes": "phút",
        "generated": "Dữ liệu bản đồ {osm}. Địa danh theo tên chính thức tiếng Việt.",
        "file": "Tệp",
        "what": "Nội dung",
        "licence": "Giấy phép, nguồn",
        "class": "Loại đường",
        "mode": "Phương tiện",
        "speed": "Tốc độ (km/h)",
        "reason": "Lý do",
    },
}

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222}
main{max-width:1100px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:26px;margin:12px 0 4px}h2{font-size:20px;margin:28px 0 8px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0;font-size:14px}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
.swatch{display:inline-block;width:12px;height:12px;border-radius:50%;margin-right:6px;
vertical-align:-1px}
iframe.map{width:100%;height:640px;border:1px solid #ccc}
.chart svg{max-width:100%;height:auto}.note{color:#555;font-size:13px}
"""


def _text(lang: str) -> dict[str, str]:
    _map_labels(lang)  # same check and message as the map
    return _TEXT[lang]


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _table(frame: pd.DataFrame, *, numeric: tuple[str, ...] = (), raw: tuple[str, ...] = ()) -> str:
    head = "".join(f"<th>{_esc(c)}</th>" for c in frame.columns)
    rows = []
    for record in frame.itertuples(index=False):
        cells = []
        for col, value in zip(frame.columns, record, strict=True):
            cls = ' class="num"' if col in numeric else ""
            cells.append(f"<td{cls}>{value if col in raw else _esc(value)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


#: The overall figures of ``scores.json`` shown in the summary, by group. Each row is
#: ``(key, kind, English label, Vietnamese label)``; kinds: ``min`` (seconds shown in
#: minutes), ``dmin`` (signed difference in minutes), ``pct``, ``dpct`` (signed), ``ratio``,
#: ``hours``, ``int``, ``text``.
_Row = tuple[str, str, str, str]


def _time_rows(suffix: str, en: str, vi: str) -> tuple[_Row, ...]:
    return (
        (f"pop_weighted_mean_travel_time{suffix}_s", "min",
         f"Population-weighted mean travel time{en}", f"Thời gian trung bình theo dân số{vi}"),
        (f"mean_travel_time{suffix}_s", "min",
         f"Mean travel time per unit{en}", f"Thời gian trung bình mỗi đơn vị{vi}"),
        (f"median_travel_time{suffix}_s", "min",
         f"Median travel time{en}", f"Trung vị thời gian{vi}"),
        (f"p90_travel_time{suffix}_s", "min",
         f"90th percentile travel time{en}", f"Phân vị 90 thời gian{vi}"),
        (f"max_travel_time{suffix}_s", "min",
         f"Longest travel time{en}", f"Thời gian dài nhất{vi}"),
    )  # fmt: skip


def _coverage_rows(suffix: str, en: str, vi: str) -> tuple[_Row, ...]:
    return tuple(
        (f"share_{who}_within_{minutes}min{suffix}", "pct",
         f"Share of {who_en} within {minutes} min{en}", f"Tỷ lệ {who_vi} trong {minutes} phút{vi}")
        for who, who_en, who_vi in (("population", "population", "dân số"),
                                    ("units", "units", "đơn vị"))
        for minutes in COVERAGE_MINUTES
    )  # fmt: skip


_PEAK_EN, _PEAK_VI = " (peak hour)", " (giờ cao điểm)"
_SUMMARY: tuple[tuple[str, str, tuple[_Row, ...]], ...] = (
    ("Travel time, off-peak", "Thời gian di chuyển, ngoài giờ cao điểm", _time_rows("", "", "")),
    ("Travel time, peak hour", "Thời gian di chuyển, giờ cao điểm",
     _time_rows("_peak", _PEAK_EN, _PEAK_VI)),
    ("Coverage", "Mức bao phủ",
     _coverage_rows("", "", "") + _coverage_rows("_peak", _PEAK_EN, _PEAK_VI)),
    ("Balance", "Cân bằng", (
        ("load_ratio_max_min", "ratio", "Load ratio (max/min)", "Tỷ số tải (lớn nhất/nhỏ nhất)"),
        ("gini_load", "ratio", "Gini coefficient of loads (0 = equal)",
         "Hệ số Gini của tải (0 = đều nhau)"),
        ("staff_travel_hours_per_month", "hours", "Staff travel hours per month",
         "Số giờ đi lại của cán bộ mỗi tháng"),
        ("visits_per_month", "int", "Staff visits per unit per month",
         "Số lượt cán bộ đến mỗi đơn vị mỗi tháng"),
        ("hierarchy_consistency", "pct", "Communes paired like their district",
         "Xã/phường ghép cùng bệnh viện với quận/huyện"),
        ("units", "int", "Units paired", "Số đơn vị"),
        ("unassigned_units", "int", "Units without a sister hospital",
         "Đơn vị chưa có bệnh viện kết nghĩa"),
        ("pairs_without_time", "int", "Pairs without a travel time",
         "Cặp không có thời gian di chuyển"),
        ("unreachable_units", "int", "Units with no reachable hospital",
         "Đơn vị không đến được bệnh viện nào"),
    )),
    ("Optimality and baselines", "Tối ưu và phương án so sánh", (
        ("status", "text", "Solver status", "Trạng thái lời giải"),
        ("objective", "text", "Objective", "Mục tiêu"),
        ("gap_to_optimal", "pct", "Gap to the optimum", "Chênh lệch so với tối ưu"),
        ("mip_gap", "pct", "Solver's proven gap", "Sai số tối ưu đã chứng minh"),
        ("gap_vs_nearest_s", "dmin", "Gap to nearest-hospital baseline",
         "Chênh lệch so với phương án bệnh viện gần nhất"),
        ("gap_vs_nearest_rel", "dpct", "Gap to nearest-hospital baseline (relative)",
         "Chênh lệch so với phương án bệnh viện gần nhất (tương đối)"),
        ("gap_vs_nearest_max_s", "dmin", "Gap in longest time to nearest-hospital baseline",
         "Chênh lệch thời gian dài nhất so với phương án gần nhất"),
        ("gap_vs_pilot_s", "dmin", "Gap to pilot baseline",
         "Chênh lệch so với phương án thí điểm"),
        ("gap_vs_pilot_rel", "dpct", "Gap to pilot baseline (relative)",
         "Chênh lệch so với phương án thí điểm (tương đối)"),
        ("gap_vs_pilot_max_s", "dmin", "Gap in longest time to pilot baseline",
         "Chênh lệch thời gian dài nhất so với phương án thí điểm"),
        ("regret_vs_nearest_s", "min",
         "Extra time vs each unit's nearest hospital (population-weighted)",
         "Thời gian tăng thêm so với bệnh viện gần nhất (theo dân số)"),
        ("mean_regret_vs_nearest_s", "min", "Extra time vs each unit's nearest hospital (mean)",
         "Thời gian tăng thêm so với bệnh viện gần nhất (trung bình)"),
        ("directions", "text", "Trip directions averaged", "Chiều di chuyển được tính"),
    )),
)  # fmt: skip
#: Entries of ``scores.json`` that are not summary figures: tables shown elsewhere, the run
#: options (listed under assumptions) and the objective value (the figure its objective names).
_NOT_SUMMARY = frozenset(
    {"per_hospital", "baselines", "load", "units_per_hospital", "options", "objective_value"}
)
#: Columns of the scoring's per-hospital table shown in the report: (column, kind, label key).
_PER_HOSPITAL = (
    ("units", "int", "units"),
    ("districts", "int", "districts"),
    ("population", "int", "population"),
    ("load_share", "pct", "share"),
    ("mean_travel_time_s", "minutes", "mean_min"),
    ("median_travel_time_s", "minutes", "median_min"),
    ("max_travel_time_s", "minutes", "max_min"),
    ("spread", "ratio", "spread"),
    ("staff_travel_hours_per_month", "int", "staff_hours"),
)


def _fmt(kind: str, value: Any) -> str:
    """Format one figure; missing or non-finite values are a dash."""
    if value is None or value is pd.NA:
        return "—"
    if kind == "text" or isinstance(value, bool | str):
        return str(value)
    value = float(value)
    if not math.isfinite(value):
        return "—"
    match kind:
        case "min":
            return f"{value / 60:.1f} min"
        case "minutes":
            return f"{value / 60:.1f}"
        case "dmin":
            return f"{value / 60:+.1f} min"
        case "pct":
            return f"{100 * value:.1f} %"
        case "dpct":
            return f"{100 * value:+.1f} %"
        case "hours":
            return f"{value:,.0f} h"
        case "int":
            return f"{value:,.0f}"
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _scores_parts(scores: Any) -> tuple[dict[str, Any], pd.DataFrame | None, dict[str, dict]]:
    """Overall figures, the per-hospital table and the baselines' overall figures."""
    if hasattr(scores, "overall") and hasattr(scores, "per_hospital"):
        return dict(scores.overall), scores.per_hospital, {}
    if isinstance(scores, Mapping):
        per = scores.get("per_hospital")
        frame = pd.DataFrame(per) if isinstance(per, list) and per else None
        if frame is None and isinstance(scores.get("load"), Mapping):
            # An older scores.json: the population per hospital is all it has.
            load = scores["load"]
            frame = pd.DataFrame({"hospital_id": list(load), "population": list(load.values())})
        baselines = scores.get("baselines")
        baselines = dict(baselines) if isinstance(baselines, Mapping) else {}
        return dict(scores), frame, {k: dict(v) for k, v in baselines.items() if v}
    raise PlannerInputError(
        f"scores of type {type(scores).__name__} are not understood",
        field="scores",
        hint="pass score_pairings(...) or the dict of scores.json",
    )


def _summary_table(
    overall: Mapping[str, Any], baselines: Mapping[str, Mapping[str, Any]], t: dict, lang: str
) -> str:
    """Grouped overall figures, the proposal beside each baseline present."""
    columns = [(t["proposal"], overall)]
    columns += [(t[name], baselines[name]) for name in ("nearest", "pilot") if name in baselines]
    columns += [(name, figures) for name, figures in baselines.items() if name not in t]
    head = "".join(f"<th>{_esc(c)}</th>" for c in [t["metric"], *(name for name, _ in columns)])
    catalogued = {row[0] for _, _, rows in _SUMMARY for row in rows}
    other = tuple(
        (key, "num", key, key)
        for key, value in overall.items()
        if key not in catalogued and key not in _NOT_SUMMARY and not isinstance(value, Mapping)
    )
    body = []
    for group_en, group_vi, rows in (*_SUMMARY, (t["other"], t["other"], other)):
        lines = []
        for key, kind, label_en, label_vi in rows:
            values = [figures.get(key) for _, figures in columns]
            if all(v is None for v in values):
                continue
            cells = "".join(
                f'<td class="num">{_esc(_fmt(kind, len(v) if isinstance(v, list) else v))}</td>'
                if v is not None
                else "<td></td>"
                for v in values
            )
            label = label_vi if lang == "vi" else label_en
            lines.append(f"<tr><td>{_esc(label)}</td>{cells}</tr>")
        if lines:
            group = group_vi if lang == "vi" else group_en
            body.append(f'<tr><th colspan="{len(columns) + 1}">{_esc(group)}</th></tr>')
            body.extend(lines)
    return (
        f'<table class="summary"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _hospital_order(per_hospital: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """The per-hospital rows with a display name, sorted by name (the charts' order too)."""
    ids = per_hospital["hospital_id"].astype(str)
    own = per_hospital.get("hospital_name", pd.Series(None, index=per_hospital.index))
    shown = [names.get(h) or (str(n) if pd.notna(n) else h) for h, n in zip(ids, own, strict=True)]
    return per_hospital.assign(hospital_id=ids, _name=shown).sort_values("_name")


def _hospital_table(
    per_hospital: pd.DataFrame, palette: Mapping[str, tuple[str, str]], t: dict
) -> str:
    """The scoring's per-hospital figures with readable headers."""
    shown = [c for c in _PER_HOSPITAL if c[0] in per_hospital]
    frame = pd.DataFrame(
        {
            t["hospital"]: [
                f'<span class="swatch" style="background:{palette.get(h, ("#7f7f7f",))[0]}">'
                f"</span>{_esc(n)}"
                for h, n in zip(per_hospital["hospital_id"], per_hospital["_name"], strict=True)
            ],
            **{t[label]: [_fmt(kind, v) for v in per_hospital[col]] for col, kind, label in shown},
        }
    )
    return _table(frame, numeric=tuple(t[label] for _, _, label in shown), raw=(t["hospital"],))


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    # No date, and ids salted by a constant: the same chart gives the same bytes.
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg") :]  # drop the XML prologue and DOCTYPE


def _charts(
    pairings: pd.DataFrame,
    per_hospital: pd.DataFrame,
    palette: Mapping[str, tuple[str, str]],
    t: dict,
) -> tuple[str, str]:
    """Travel-time distribution per hospital (per unit) and the scored population served."""
    from matplotlib.figure import Figure

    style = {"svg.fonttype": "none", "font.size": 10, "svg.hashsalt": "planner-report"}
    ids = per_hospital["hospital_id"].tolist()
    labels = per_hospital["_name"].tolist()
    colours = [palette.get(h, ("#7f7f7f",))[0] for h in ids]
    with matplotlib.rc_context(style):
        minutes = pd.to_numeric(pairings["travel_time_s"], errors="coerce") / 60
        hosp = pairings["hospital_id"].astype(str)
        data = [minutes[(hosp == h) & minutes.notna()].to_numpy() for h in ids]
        fig = Figure(figsize=(8, 0.6 + 0.55 * len(ids)))
        ax = fig.add_subplot()
        box = ax.boxplot(
            [d if len(d) else [np.nan] for d in data],
            orientation="horizontal",
            patch_artist=True,
            widths=0.6,
            showfliers=False,
            medianprops={"color": "#222"},
        )
        rng = np.random.default_rng(0)  # fixed jitter: the same report every run
        for i, (colour, d) in enumerate(zip(colours, data, strict=True), start=1):
            box["boxes"][i - 1].set(facecolor=colour, alpha=0.35, edgecolor=colour)
            ax.scatter(d, i + rng.uniform(-0.18, 0.18, len(d)), s=6, color=colour, alpha=0.7)
        ax.set_yticks(range(1, len(ids) + 1), labels)
        ax.set_xlabel(t["minutes"])
        ax.set_title(t["chart_time"])
        ax.invert_yaxis()  # top to bottom in the table's order, like the load chart
        ax.grid(axis="x", alpha=0.3)
        time_svg = _svg(fig)

        load = pd.to_numeric(per_hospital["population"], errors="coerce").fillna(0).tolist()
        fig = Figure(figsize=(8, 0.6 + 0.55 * len(ids)))
        ax = fig.add_subplot()
        ax.barh(range(len(ids)), load, color=colours)
        ax.set_yticks(range(len(ids)), labels)
        if ids:
            fair = sum(load) / len(ids)
            ax.axvline(fair, color="#333", linestyle="--", linewidth=1)
            # above the frame (x in data, y in axes units), clear of the bars
            ax.text(fair, 1.0, t["fair_share"], transform=ax.get_xaxis_transform(),
                    ha="center", va="bottom", fontsize=9)  # fmt: skip
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.set_xlabel(t["population"])
        ax.set_title(t["chart_load"], pad=16)
        ax.invert_yaxis()
        ax.grid(axis="x", alpha=0.3)
        load_svg = _svg(fig)
    return time_svg, load_svg


def _sources_table(t: dict) -> str:
    """The data sources table of ``SOURCES.md`` in the data folder (file, what, licence)."""
    try:
        text = (data_dir() / "SOURCES.md").read_text(encoding="utf-8")
    except (OSError, PlannerInputError):
        log.warning("SOURCES.md not found in the data folder; the report lists no sources")
        return ""
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        what = re.split(r"(?<=[.)])\s", cells[1], maxsplit=1)[0]
        rows.append({t["file"]: cells[0].strip("`"), t["what"]: what, t["licence"]: cells[3]})
    return _table(pd.DataFrame(rows)) if rows else ""


def _speeds_table(t: dict) -> str:
    path = authored_dir() / "speeds.csv"
    if not path.exists():
        return ""
    speeds = pd.read_csv(path)
    cols = {"class": t["class"], "mode": t["mode"], "speed_kph": t["speed"], "reason": t["reason"]}
    speeds = speeds[[c for c in cols if c in speeds]].rename(columns=cols)
    return _table(speeds, numeric=(t["speed"],))


def _approximate_table(
    pairings: pd.DataFrame, facilities: pd.DataFrame, t: dict, lab: Mapping[str, str]
) -> str:
    if "location_source" not in facilities:
        return f"<p>{_esc(t['approximate_none'])}</p>"
    fac = facilities.assign(facility_id=facilities["facility_id"].astype(str)).set_index(
        "facility_id"
    )
    ids = pairings["unit_id"].astype(str)
    source = fac["location_source"].reindex(ids).astype(str)
    mask = source.isin(APPROXIMATE_SOURCES).to_numpy()
    if not mask.any():
        return f"<p>{_esc(t['approximate_none'])}</p>"
    sub = pairings[mask]
    frame = pd.DataFrame(
        {
            t["unit"]: sub["unit_name"].astype(str).to_numpy(),
            t["level"]: [lab.get(str(v), str(v)) for v in sub["unit_level"]],
            t["district"]: sub["district"].fillna("—").astype(str).to_numpy()
            if "district" in sub
            else "—",
            t["source"]: source[mask].str.replace("_", " ").to_numpy(),
        }
    ).sort_values([t["district"], t["unit"]])
    return f"<p class='note'>{int(mask.sum())} / {len(ids)}</p>" + _table(frame)


def _resolve_target(out: str | Path) -> Path:
    out = Path(out)
    if out.is_dir() or not out.suffix:
        return out / "report.html"
    return out


def write_report(
    out: str | Path,
    *,
    pairings: pd.DataFrame,
    scores: Any,
    facilities: pd.DataFrame,
    map: Any = None,
    assumptions: Mapping[str, Any] | None = None,
    compare: pd.DataFrame | None = None,
    lang: Literal["en", "vi"] = "en",
) -> Path:
    """Write the standalone ``report.html`` for officials and return its path.

    Parameters
    ----------
    out
        A folder (the file is ``report.html`` in it) or the file path itself.
    pairings
        The pairing to report (pairing contract).
    scores
        :func:`planner.scoring.score_pairings` result, or the dict of ``scores.json``
        (with its ``baselines``). The summary, the per-hospital table and the population
        chart show these figures as scored; only the travel-time distribution chart reads
        the pairing's per-unit ``travel_time_s``.
    facilities
        The facility table the pairing was made with.
    map
        A :func:`planner.maps.pairing_map` to embed; ``None`` draws one (self-contained).
    assumptions
        Extra assumptions to list (e.g. ``{"mode": "car", "depart": "10:00"}``), after the
        run ``options`` of ``scores.json``.
    compare
        A second pairing (e.g. nearest hospital) drawn on the map when ``map`` is ``None``.
        Its figures come from ``scores["baselines"]``, shown beside the proposal.
    lang
        ``"en"`` or ``"vi"`` for the labels; place names stay Vietnamese.

    Examples
    --------
    >>> import tempfile
    >>> from planner.hanoi import hanoi_facilities
    >>> from planner.network import hanoi_network
    >>> from planner.pairing import nearest_pairings
    >>> from planner.scoring import score_pairings
    >>> from planner.travel import pair_travel_times
    >>> fac = hanoi_facilities(scheme="2025")
    >>> hospitals, units = fac[fac.level == "regional"], fac[fac.level != "regional"]
    >>> matrix = pair_travel_times(hanoi_network(), hospitals, units)
    >>> pairings = nearest_pairings(units, hospitals, matrix)
    >>> scores = score_pairings(pairings, matrix, units=units, hospitals=hospitals)
    >>> write_report(tempfile.mkdtemp(), pairings=pairings, scores=scores, facilities=fac).name
    'report.html'
    """
    t = _text(lang)
    lab = _map_labels(lang)
    overall, per_hospital, baselines = _scores_parts(scores)
    if per_hospital is None:
        raise PlannerInputError(
            "the scores carry no per-hospital figures",
            field="per_hospital",
            hint="pass score_pairings(...) or the scores.json written by `planner propose`",
        )
    if map is None:
        map = pairing_map(pairings, facilities, compare=compare, self_contained=True, lang=lang)
    used = set(pairings["hospital_id"].dropna().astype(str))
    fac_ids = facilities["facility_id"].astype(str)
    hosp = facilities[fac_ids.isin(used) | (facilities["level"] == "regional")]
    palette = hospital_palette(hosp)
    names = dict(zip(hosp["facility_id"].astype(str), hosp["name"].astype(str), strict=True))
    per_hospital = _hospital_order(per_hospital, names)
    time_svg, load_svg = _charts(pairings, per_hospital, palette, t)
    listed = {**(overall.get("options") or {}), **(assumptions or {})}
    extra = ""
    if listed:
        extra = _table(pd.DataFrame([{t["metric"]: k, t["value"]: v} for k, v in listed.items()]))
    map_doc = html.escape(map_html(map), quote=True)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(t['title'])}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{_esc(t['title'])}</h1>",
        f"<p class='note'>{_esc(t['generated'].format(osm=OSM_ATTRIBUTION))}</p>",
        f"<h2>{_esc(t['map'])}</h2>",
        f'<iframe class="map" title="{_esc(t["map"])}" srcdoc="{map_doc}"></iframe>',
        f"<h2>{_esc(t['summary'])}</h2>",
        _summary_table(overall, baselines, t, lang),
        f"<h2>{_esc(t['per_hospital'])}</h2>",
        _hospital_table(per_hospital, palette, t),
        f"<h2>{_esc(t['charts'])}</h2>",
        f'<div class="chart">{time_svg}</div><div class="chart">{load_svg}</div>',
        f"<h2>{_esc(t['assumptions'])}</h2>",
        extra,
        f"<h3>{_esc(t['speeds'])}</h3>",
        _speeds_table(t),
        f"<h3>{_esc(t['sources'])}</h3>",
        _sources_table(t),
        f"<p>{_esc(OSM_ATTRIBUTION)}: "
        '<a href="https://www.openstreetmap.org/copyright">openstreetmap.org/copyright</a></p>',
        f"<h2>{_esc(t['approximate'])}</h2>",
        _approximate_table(pairings, facilities, t, lab),
        "</main></body></html>",
    ]
    target = _resolve_target(out)
    return write_text_atomic(target, "\n".join(parts))
