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

from planner._cache import write_text_atomic
from planner.config import OSM_ATTRIBUTION, authored_dir, data_dir
from planner.errors import PlannerInputError
from planner.maps import hospital_palette, map_html, pairing_map
from planner.maps import map_labels as _map_labels

log = logging.getLogger(__name__)

_APPROXIMATE_SOURCES = ("commune_centroid", "district_centroid")
_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Sister-hospital pairings for Hanoi",
        "map": "Map",
        "summary": "Overall scores",
        "per_hospital": "Per regional hospital",
        "scores_per_hospital": "Scores per hospital (from the scoring)",
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
        "over_60": "Units > 60 min",
        "unit": "Unit",
        "level": "Level",
        "district": "District",
        "source": "Location source",
        "metric": "Measure",
        "value": "Value",
        "minutes": "minutes",
        "compare": "Comparison",
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
        "scores_per_hospital": "Chỉ số theo bệnh viện",
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
        "over_60": "Đơn vị > 60 phút",
        "unit": "Đơn vị",
        "level": "Cấp",
        "district": "Quận/huyện",
        "source": "Nguồn vị trí",
        "metric": "Chỉ số",
        "value": "Giá trị",
        "minutes": "phút",
        "compare": "So sánh",
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


def _fmt(key: str, value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            return "—"
        if key.endswith("_s"):
            return f"{value / 60:.1f} min"
        if key.startswith("share_"):
            return f"{100 * value:.1f} %"
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def _scores_parts(scores: Any) -> tuple[dict[str, Any], pd.DataFrame | None]:
    """Overall scalar figures and the per-hospital table, from a PairingScores or a dict."""
    if hasattr(scores, "overall"):
        return dict(scores.overall), getattr(scores, "per_hospital", None)
    if isinstance(scores, Mapping):
        per = scores.get("per_hospital")
        frame = pd.DataFrame(per) if isinstance(per, list) and per else None
        return dict(scores), frame
    raise PlannerInputError(
        f"scores of type {type(scores).__name__} are not understood",
        field="scores",
        hint="pass score_pairings(...) or the dict of scores.json",
    )


def _hospital_table(
    pairings: pd.DataFrame,
    names: Mapping[str, str],
    palette: Mapping[str, tuple[str, str]],
    t: dict,
) -> pd.DataFrame:
    pop = pd.to_numeric(pairings.get("population"), errors="coerce").fillna(0)
    minutes = pd.to_numeric(pairings["travel_time_s"], errors="coerce") / 60
    total = float(pop.sum()) or 1.0
    rows = []
    for hid in sorted(names, key=lambda h: names[h]):
        sel = pairings["hospital_id"].astype(str) == hid
        m = minutes[sel]
        colour = palette[hid][0]
        rows.append(
            {
                t["hospital"]: f'<span class="swatch" style="background:{colour}"></span>'
                + _esc(names[hid]),
                t["units"]: int(sel.sum()),
                t["districts"]: int(pairings.loc[sel, "district"].nunique())
                if "district" in pairings
                else "—",
                t["population"]: f"{int(pop[sel].sum()):,}",
                t["share"]: f"{100 * pop[sel].sum() / total:.1f} %",
                t["mean_min"]: f"{m.mean():.1f}" if m.notna().any() else "—",
                t["median_min"]: f"{m.median():.1f}" if m.notna().any() else "—",
                t["max_min"]: f"{m.max():.1f}" if m.notna().any() else "—",
                t["over_60"]: int((m > 60).sum()),
            }
        )
    return pd.DataFrame(rows)


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    text = buf.getvalue()
    return text[text.index("<svg") :]  # drop the XML prologue and DOCTYPE


def _charts(
    pairings: pd.DataFrame,
    names: Mapping[str, str],
    palette: Mapping[str, tuple[str, str]],
    t: dict,
) -> tuple[str, str]:
    """Travel-time distribution and load per hospital, as inline SVG (text kept as text)."""
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"svg.fonttype": "none", "font.size": 10}):
        ids = sorted(names, key=lambda h: names[h])
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
        for i, (h, d) in enumerate(zip(ids, data, strict=True), start=1):
            colour = palette[h][0]
            box["boxes"][i - 1].set(facecolor=colour, alpha=0.35, edgecolor=colour)
            ax.scatter(d, i + rng.uniform(-0.18, 0.18, len(d)), s=6, color=colour, alpha=0.7)
        ax.set_yticks(range(1, len(ids) + 1), [names[h] for h in ids])
        ax.set_xlabel(t["minutes"])
        ax.set_title(t["chart_time"])
        ax.grid(axis="x", alpha=0.3)
        time_svg = _svg(fig)

        pop = pd.to_numeric(pairings.get("population"), errors="coerce").fillna(0)
        load = [float(pop[hosp == h].sum()) for h in ids]
        fig = Figure(figsize=(8, 0.6 + 0.55 * len(ids)))
        ax = fig.add_subplot()
        ax.barh(range(len(ids)), load, color=[palette[h][0] for h in ids])
        ax.set_yticks(range(len(ids)), [names[h] for h in ids])
        if ids:
            fair = sum(load) / len(ids)
            ax.axvline(fair, color="#333", linestyle="--", linewidth=1)
            ax.text(fair, len(ids) - 0.5, f" {t['fair_share']}", va="bottom", fontsize=9)
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.set_xlabel(t["population"])
        ax.set_title(t["chart_load"])
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
    mask = source.isin(_APPROXIMATE_SOURCES).to_numpy()
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
        :func:`planner.scoring.score_pairings` result, or the dict of ``scores.json``.
    facilities
        The facility table the pairing was made with.
    map
        A :func:`planner.maps.pairing_map` to embed; ``None`` draws one (self-contained).
    assumptions
        Extra assumptions to list (e.g. ``{"mode": "car", "depart": "10:00"}``).
    compare
        A second pairing (e.g. nearest hospital): its overall figures are shown beside.
    lang
        ``"en"`` or ``"vi"`` for the labels; place names stay Vietnamese.

    Examples
    --------
    >>> from planner.hanoi import hanoi_facilities  # doctest: +SKIP
    >>> from planner.pairing import propose_pairings  # doctest: +SKIP
    >>> fac = hanoi_facilities(scheme="2024")  # doctest: +SKIP
    >>> result = propose_pairings(fac)  # doctest: +SKIP
    >>> write_report("out", pairings=result.pairings, scores=result.scores,
    ...              facilities=fac)  # doctest: +SKIP
    PosixPath('out/report.html')
    """
    t = _text(lang)
    lab = _map_labels(lang)
    if map is None:
        map = pairing_map(pairings, facilities, compare=compare, self_contained=True, lang=lang)
    overall, per_hospital = _scores_parts(scores)
    used = set(pairings["hospital_id"].dropna().astype(str))
    fac_ids = facilities["facility_id"].astype(str)
    hosp = facilities[fac_ids.isin(used) | (facilities["level"] == "regional")]
    palette = hospital_palette(hosp)
    names = dict(zip(hosp["facility_id"].astype(str), hosp["name"].astype(str), strict=True))

    summary = pd.DataFrame(
        [
            {t["metric"]: k, t["value"]: _fmt(k, v)}
            for k, v in overall.items()
            if not isinstance(v, (list, dict, pd.DataFrame))
        ]
    )
    if compare is not None:
        minutes = pd.to_numeric(compare["travel_time_s"], errors="coerce") / 60
        summary = pd.concat(
            [
                summary,
                pd.DataFrame(
                    [
                        {
                            t["metric"]: f"{t['compare']}: mean travel time",
                            t["value"]: f"{minutes.mean():.1f} min",
                        },
                        {
                            t["metric"]: f"{t['compare']}: max travel time",
                            t["value"]: f"{minutes.max():.1f} min",
                        },
                    ]
                ),
            ],
            ignore_index=True,
        )
    time_svg, load_svg = _charts(pairings, names, palette, t)
    extra = ""
    if assumptions:
        extra = _table(
            pd.DataFrame([{t["metric"]: k, t["value"]: v} for k, v in assumptions.items()])
        )
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(t['title'])}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{_esc(t['title'])}</h1>",
        f"<p class='note'>{_esc(t['generated'].format(osm=OSM_ATTRIBUTION))}</p>",
        f"<h2>{_esc(t['map'])}</h2>",
        f'<iframe class="map" title="{_esc(t["map"])}" srcdoc="{html.escape(map_html(map), quote=True)}"></iframe>',
        f"<h2>{_esc(t['summary'])}</h2>",
        _table(summary) if len(summary) else "",
        f"<h2>{_esc(t['per_hospital'])}</h2>",
        _table(
            _hospital_table(pairings, names, palette, t),
            numeric=(
                t["units"],
                t["districts"],
                t["population"],
                t["share"],
                t["mean_min"],
                t["median_min"],
                t["max_min"],
                t["over_60"],
            ),
            raw=(t["hospital"],),
        ),
    ]
    if per_hospital is not None and len(per_hospital):
        shown = per_hospital.copy()
        for col in shown.columns:
            if pd.api.types.is_float_dtype(shown[col]):
                shown[col] = [_fmt(col, v) for v in shown[col]]
        parts += [f"<h3>{_esc(t['scores_per_hospital'])}</h3>", _table(shown)]
    parts += [
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
