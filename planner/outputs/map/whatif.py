"""What-if in the map: officials reassign units in the browser, offline, and watch the figures.

:func:`planner.outputs.map.pairing_map` with ``whatif=WhatIf(...)`` calls :func:`add_whatif`, which
embeds what the page needs to re-score a pairing by itself, with no Python and no network:

- for every unit, its pair time to every hospital at the run's departure and at its comparison
  departure (the ``*_peak*`` figures, labelled with their times), by the run's ``directions``
  rule (:func:`planner.pairing.scoring.pair_costs`), in whole seconds rounded *up*: a mean then moves by
  under a second, and "within N minutes" is decided exactly as :mod:`planner.pairing.scoring` decides it
  (``ceil(t) <= 60 N`` if and only if ``t <= 60 N`` for whole minutes);
- its population counted once (the weights :func:`planner.pairing.scoring.score_pairings` uses) and its
  district; the groups that move together (in hierarchical mode a district-level unit with the
  communes of its district), the pinned units, the areas each unit colours;
- the labels (:mod:`planner.outputs.i18n`) and number separators (:mod:`planner.outputs.formatting`) of the page's
  language.

``templates/whatif.js`` reads that JSON (embedded in a ``<script type="application/json">``
block, ``<``, ``>`` and ``&`` escaped so that no name can close it), builds the decision panel
with ``textContent`` (never ``innerHTML``), recomputes the scores with the definitions of
:func:`planner.pairing.scoring.score_pairings` (population-weighted mean over the units with a time,
share of the counted population of the paired units within 60 minutes, load = counted
population per hospital, load ratio largest / smallest) and recolours units, links and areas.
The edited pairing downloads as a CSV that ``planner score``, ``planner map`` and (once scored
with ``--out``) ``planner report`` read, spreadsheet-safe as :func:`planner.io.write_csv`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Figure, MacroElement
from folium.template import Template

from planner._vn import district_key, fold
from planner.io.spreadsheet import spreadsheet_safe
from planner.outputs._templates import source
from planner.outputs.formatting import MISSING, Formatter
from planner.outputs.i18n import Translator
from planner.outputs.map._assets import RawHTML
from planner.pairing.scoring import COVERAGE_MINUTES, score_pairings
from planner.places.sites import HospitalSites, hospital_sites
from planner.requests import DEFAULT_TRIP, TripRule

#: The id of the JSON block the page script reads.
DATA_ID = "planner-whatif-data"
#: The "within N minutes" figure of the scoreboard (one of :data:`planner.pairing.scoring.COVERAGE_MINUTES`).
WITHIN_MINUTES = 60
#: Panels with more rows than this list their units under collapsible district headings.
_FLAT_ROWS = 40
#: File name offered for the edited pairing.
#: The file the page's download saves (the ``planner score`` line the panel shows names it).
DOWNLOAD_NAME = "pairings_whatif.csv"

assert WITHIN_MINUTES in COVERAGE_MINUTES


@dataclass(frozen=True)
class WhatIf:
    """What a map needs to let its readers reassign units and re-score them in the browser.

    Attributes
    ----------
    matrix
        Long travel-time matrix of the pairing's units and hospitals at ``trip.depart``,
        holding the trips the trip rule needs (:func:`planner.travel.matrix.pair_travel_times`).
    matrix_peak
        The same at the comparison departure ``trip.peak_depart`` (its figures are shown beside
        the main ones), or ``None``.
    trip
        The run's trip rule (:class:`~planner.requests.TripRule`): its ``depart`` and
        ``peak_depart`` label the figures ("at 10:00", never "off-peak"), its ``directions``
        say which trips a pair's time averages and its ``site_rule`` which site of a hospital
        a pair's trips use (the page moves units between hospitals, never between sites).
    hierarchical
        Whether a district-level unit moves with the communes of its district (as the
        hierarchical optimiser pairs them); ``None`` decides from the pairing (every commune
        with its district unit's hospital).
    score_command
        The ``planner score`` command line that gives the page's figures for the downloaded
        file (:data:`DOWNLOAD_NAME`), shown under the panel's buttons; the command line owns
        its spelling (:func:`planner.app.cli.command_line.score_command` builds it). ``None``:
        the panel names ``planner score`` without its options.

    Examples
    --------
    >>> from planner.places.hanoi import hanoi_facilities
    >>> from planner.roads.network import hanoi_network
    >>> from planner.travel.matrix import pair_travel_times
    >>> fac = hanoi_facilities(scheme="2025")
    >>> hospitals, units = fac[fac.level == "regional"], fac[fac.level != "regional"]
    >>> whatif = WhatIf(pair_travel_times(hanoi_network(), hospitals, units))
    >>> whatif.trip.directions, whatif.trip.depart
    ('both', '10:00')
    """

    matrix: pd.DataFrame
    matrix_peak: pd.DataFrame | None = None
    trip: TripRule = DEFAULT_TRIP
    hierarchical: bool | None = None
    score_command: str | None = None


class _Register(MacroElement):
    """Hands a layer to the page script (``window.plannerWhatIf.layer(kind, layer)``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.plannerWhatIf.layer({{ this.kind|tojson }}, {{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, kind: str) -> None:
        super().__init__()
        self._name = "WhatIfLayer"
        self.kind = kind


class _Start(MacroElement):
    """Starts the what-if once every layer exists (added to the map last)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.plannerWhatIf.start({{ this._parent.get_name() }}, {{ this.data_id|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "WhatIfStart"
        self.data_id = DATA_ID


def script_json(data: Any) -> str:
    """JSON text that is safe inside a ``<script>`` block: ``<``, ``>``, ``&`` and the JS line
    separators are escaped, so no value can close the block or start markup.

    Parameters
    ----------
    data : object
        What to write: JSON-serialisable values (dicts, lists, str, numbers, ``None``); NaN
        and infinities are refused (``ValueError``).

    Returns
    -------
    str
        Compact JSON (no spaces, non-ASCII text as it is) that parses back to ``data``.

    Examples
    --------
    >>> script_json({"name": "</script><b>"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return text


def add_whatif(
    m: folium.Map,
    whatif: WhatIf,
    *,
    pairings: pd.DataFrame,
    facilities: pd.DataFrame,
    units: gpd.GeoDataFrame,
    hospitals: pd.DataFrame,
    palette: Mapping[str, tuple[str, str]],
    layers: Mapping[str, folium.GeoJson],
    areas: gpd.GeoDataFrame | None,
    area_shapes: gpd.GeoDataFrame | None,
    styles: Mapping[str, Any],
    lang: str,
) -> None:
    """Add the what-if panel, its data and its script to a pairing map (see the module doc).

    Parameters
    ----------
    m
        The map, with its layers already added.
    whatif
        The travel times and the run's rules.
    pairings
        The pairing drawn (the pairing contract).
    facilities
        The facility table (names, levels, districts and populations the pairing leaves out
        are taken from it, as ``planner score`` does).
    units
        The unit layer's frame (one row per pairing row, same order; ``fixed`` says why a
        pinned unit is pinned).
    hospitals, palette
        The hospitals drawn and their colours.
    layers
        The layers the script restyles: ``units``, ``hospitals``, and when drawn ``links``
        and ``areas`` (the travel-time choropleth, one feature per row of ``areas``).
    areas
        The areas with their sister hospital, keyed by unit (``facility_id``) or by
        ``district``; ``None`` when no areas are drawn.
    area_shapes
        When there is no choropleth: the areas' simplified polygons (same rows as ``areas``),
        drawn as a layer of their own that shows the areas a change moves.
    styles
        The map's time classes and unreachable styles (``time_bins_min``, ``time_colours``,
        ``unreachable_colour``, ``unreachable_area``).
    lang
        Language of the labels.

    Examples
    --------
    A map of two units and two hospitals, with no layers to restyle (a real map passes the
    layers :func:`planner.outputs.map.pairing_map` draws):

    >>> import folium
    >>> import pandas as pd
    >>> from planner.requests import TripRule
    >>> fac = pd.DataFrame({"facility_id": ["h1", "h2", "u1", "u2"],
    ...     "name": ["BV A", "BV B", "TYT X", "TYT Y"], "district": "D",
    ...     "level": ["regional", "regional", "commune", "commune"],
    ...     "population": [0, 0, 1000, 3000]})
    >>> hospitals = fac[fac["level"] == "regional"]
    >>> trips = [("h1", "u1", 600.2), ("h1", "u2", 1800.0),
    ...     ("h2", "u1", 1200.0), ("h2", "u2", 900.0)]
    >>> matrix = pd.DataFrame([(a, b, s) for h, u, s in trips for a, b in ((h, u), (u, h))],
    ...     columns=["origin_id", "destination_id", "travel_time_s"])
    >>> pairing = pd.DataFrame({"unit_id": ["u1", "u2"], "unit_level": "commune",
    ...     "hospital_id": ["h1", "h2"], "district": "D"})
    >>> units = pd.DataFrame({"name": ["TYT X", "TYT Y"], "district": "D", "fixed": None})
    >>> palette = {"h1": ("#0072B2", "cross"), "h2": ("#D55E00", "heart")}
    >>> styles = {"time_bins_min": (0, 30), "time_colours": ("#ffffff", "#000000"),
    ...     "unreachable_colour": "#777777", "unreachable_area": {}}
    >>> m = folium.Map()
    >>> add_whatif(m, WhatIf(matrix, trip=TripRule(depart="10:00")), pairings=pairing,
    ...     facilities=fac, units=units, hospitals=hospitals, palette=palette, layers={},
    ...     areas=None, area_shapes=None, styles=styles, lang="en")
    >>> page = m.get_root().render()
    >>> f'<script type="application/json" id="{DATA_ID}">' in page
    True
    >>> "window.plannerWhatIf.start(" in page
    True
    """
    if areas is not None and layers.get("areas") is None and area_shapes is not None:
        shapes = area_shapes[["geometry"]].set_axis(pd.RangeIndex(len(area_shapes)).astype(str))
        overlay = folium.GeoJson(
            json.loads(shapes.to_json(drop_id=False)),
            name=Translator(lang)("whatif.areas_layer"),
            style_function=lambda _: {"stroke": False, "fill": False},
            interactive=False,
        )
        overlay.add_to(m)
        layers = {**layers, "areas": overlay, "areas_overlay": overlay}
    data = whatif_data(
        whatif,
        pairings=pairings,
        facilities=facilities,
        units=units,
        hospitals=hospitals,
        palette=palette,
        areas=areas if layers.get("areas") is not None else None,
        overlay=layers.get("areas_overlay") is not None,
        styles=styles,
        lang=lang,
    )
    figure = m.get_root()
    assert isinstance(figure, Figure)
    header = figure.header
    header.add_child(
        RawHTML(f"<style>{source('whatif.css')}</style>", name="planner_whatif_css"),
        name="planner_whatif_css",
    )
    header.add_child(
        RawHTML(f"<script>{source('whatif.js')}</script>", name="planner_whatif_js"),
        name="planner_whatif_js",
    )
    header.add_child(
        RawHTML(
            f'<script type="application/json" id="{DATA_ID}">{script_json(data)}</script>',
            name="planner_whatif_data",
        ),
        name="planner_whatif_data",
    )
    for kind in ("units", "hospitals", "links", "areas"):
        layer = layers.get(kind)
        if layer is not None:
            layer.add_child(_Register(kind))
    _Start().add_to(m)


def whatif_data(
    whatif: WhatIf,
    *,
    pairings: pd.DataFrame,
    facilities: pd.DataFrame,
    units: gpd.GeoDataFrame,
    hospitals: pd.DataFrame,
    palette: Mapping[str, tuple[str, str]],
    areas: gpd.GeoDataFrame | None,
    overlay: bool,
    styles: Mapping[str, Any],
    lang: str,
) -> dict[str, Any]:
    """The JSON the page script reads (compact: times in whole seconds, rows by index).

    :func:`add_whatif` embeds it in the page with :func:`script_json`.

    Parameters
    ----------
    whatif
        The travel times and the run's rules (:class:`WhatIf`).
    pairings
        The pairing drawn (the pairing contract: ``unit_id``, ``unit_level``,
        ``hospital_id``...); its rows are the page's units, in this order.
    facilities
        The facility table (``facility_id``, ``name``, ``level``, ``district``,
        ``population``); the pairing's units are scored against its non-regional rows.
    units
        The unit layer's frame, one row per pairing row in the same order: ``name``,
        ``district`` and ``fixed`` (why a pinned unit is pinned, else not a string).
    hospitals
        The hospitals drawn, one row per site (grouped by ``hospital_id`` when present).
    palette
        ``{hospital_id: (hex colour, icon)}`` (:func:`planner.outputs.labels.hospital_palette`).
    areas
        The areas of the area layer, keyed by unit (``facility_id``) or by ``district``;
        ``None`` when no area layer is drawn.
    overlay
        Whether the area layer is the plain overlay :func:`add_whatif` draws (no travel-time
        choropleth): the page then only outlines the areas a change moves.
    styles
        The map's time classes and unreachable styles (``time_bins_min``, ``time_colours``,
        ``unreachable_colour``, ``unreachable_area``).
    lang
        Language of the labels and number separators (``"vi"`` or ``"en"``).

    Returns
    -------
    dict
        JSON-ready: ``hosp`` (the hospitals' ``id``, ``name``, ``colour``), ``units`` (per
        pairing row: ``id``, ``name``, ``district`` index, counted population ``w``, hospital
        column ``h`` of the pairing, -1 if none, ``fixed``), ``t`` (unit x hospital pair
        times at ``trip.depart``, row-major, whole seconds rounded up, ``None`` where there is
        no time), ``tp`` (the same at ``trip.peak_depart``, when ``matrix_peak`` is given),
        ``groups`` (unit indices that move together, head first), ``sections``,
        ``districts``, ``areas`` (when ``areas`` is given), ``text`` (labels), ``fmt``
        (separators), ``styles``, ``within_s`` (:data:`WITHIN_MINUTES` in seconds),
        ``download``, ``command``, ``lang`` and ``split``.

    Examples
    --------
    >>> import pandas as pd
    >>> from planner.requests import TripRule
    >>> fac = pd.DataFrame({"facility_id": ["h1", "h2", "u1", "u2"],
    ...     "name": ["BV A", "BV B", "TYT X", "TYT Y"], "district": "D",
    ...     "level": ["regional", "regional", "commune", "commune"],
    ...     "population": [0, 0, 1000, 3000]})
    >>> hospitals = fac[fac["level"] == "regional"]
    >>> trips = [("h1", "u1", 600.2), ("h1", "u2", 1800.0),
    ...     ("h2", "u1", 1200.0), ("h2", "u2", 900.0)]
    >>> matrix = pd.DataFrame([(a, b, s) for h, u, s in trips for a, b in ((h, u), (u, h))],
    ...     columns=["origin_id", "destination_id", "travel_time_s"])
    >>> pairing = pd.DataFrame({"unit_id": ["u1", "u2"], "unit_level": "commune",
    ...     "hospital_id": ["h1", "h2"], "district": "D"})
    >>> units = pd.DataFrame({"name": ["TYT X", "TYT Y"], "district": "D", "fixed": None})
    >>> palette = {"h1": ("#0072B2", "cross"), "h2": ("#D55E00", "heart")}
    >>> styles = {"time_bins_min": (0, 30), "time_colours": ("#ffffff", "#000000"),
    ...     "unreachable_colour": "#777777", "unreachable_area": {}}
    >>> data = whatif_data(WhatIf(matrix, trip=TripRule(depart="10:00")), pairings=pairing,
    ...     facilities=fac, units=units, hospitals=hospitals, palette=palette, areas=None,
    ...     overlay=False, styles=styles, lang="en")
    >>> data["hosp"]["id"], data["units"]["h"], data["units"]["w"]
    (['h1', 'h2'], [0, 1], [1000, 3000])
    >>> data["t"]  # u1-h1 (600.2 s rounded up), u1-h2, u2-h1, u2-h2
    [601, 1200, 1800, 900]
    >>> data["text"]["mean"]
    'Mean travel time at 10:00 (population-weighted)'
    """
    t, f = Translator(lang), Formatter(lang)
    # the page moves units between hospitals; a pair's time is that of its rule's site
    sites = hospital_sites(hospitals)
    hospital_ids = list(sites.hospital_ids)
    hospital_names = [str(n) for n in sites.table["name"]]
    unit_ids = [str(u) for u in pairings["unit_id"]]
    scored = score_pairings(
        pairings,
        whatif.matrix,
        units=facilities[facilities["level"].astype(str) != "regional"],
        hospitals=hospitals,
        matrix_peak=whatif.matrix_peak,
        trip=whatif.trip,
    )
    # The weights the scores use (population counted once), in the pairing's row order.
    weights = scored.per_pair["population"].to_numpy(float)
    column = {h: j for j, h in enumerate(hospital_ids)}
    original = [column.get(str(h), -1) if pd.notna(h) else -1 for h in pairings["hospital_id"]]
    levels = pairings["unit_level"].astype(str).to_numpy()
    districts = units["district"].to_numpy(object)
    names = units["name"].astype(str).tolist()
    groups = _groups(unit_ids, levels, districts, original, whatif.hierarchical)
    matrices = {"t": whatif.matrix}
    if whatif.matrix_peak is not None:
        matrices["tp"] = whatif.matrix_peak
    times = {key: _times(matrix, unit_ids, sites, whatif.trip) for key, matrix in matrices.items()}
    district_names = sorted(
        {str(d) for d in districts if isinstance(d, str) and d.strip()}, key=_sort_key
    )
    district_index = {d: i for i, d in enumerate(district_names)}
    fixed = units["fixed"].tolist()
    scheme = _scheme(pairings, hospitals)
    data: dict[str, Any] = {
        # The units in force since 2025 are listed (and movable) one by one under their
        # former district; the 2024 panel lists districts.
        "split": scheme == "2025",
        "lang": t.lang,
        "fmt": _separators(f),
        "text": _texts(t, whatif, former=scheme == "2025"),
        "within_s": WITHIN_MINUTES * 60,
        "hosp": {
            "id": hospital_ids,
            "name": hospital_names,
            "colour": [palette[h][0] for h in hospital_ids],
            "csv": _csv_overrides(hospital_names),
        },
        "units": {
            "id": unit_ids,
            "name": names,
            "district": [district_index.get(str(d), -1) if pd.notna(d) else -1 for d in districts],
            "w": [_compact(w) for w in weights],
            "h": original,
            "fixed": [None if not isinstance(x, str) else x for x in fixed],
            "csv": _csv_overrides(names),
        },
        "districts": district_names,
        "groups": groups,
        "sections": _sections(groups, districts, names, district_names),
        "download": DOWNLOAD_NAME,
        "command": whatif.score_command,
        "styles": {
            "bins_s": [60 * b for b in styles["time_bins_min"]],
            "colours": list(styles["time_colours"]),
            "unreachable": styles["unreachable_colour"],
            "unreachable_area": dict(styles["unreachable_area"]),
        },
        **times,
    }
    if areas is not None:
        data["areas"] = _area_units(areas, unit_ids, districts, overlay=overlay)
    return data


def _times(
    matrix: pd.DataFrame,
    unit_ids: list[str],
    sites: HospitalSites,
    trip: TripRule,
) -> list[int | None]:
    """Unit x hospital pair times (row-major), whole seconds rounded up; None: no time."""
    from planner.pairing.costs import pair_costs

    time_s = pair_costs(matrix, unit_ids, sites, trip=trip).time_s
    # 1e-6 s absorbs the rounding noise of float sums (600.0000000001 is 600, not 601).
    up = np.ceil(np.where(np.isfinite(time_s), time_s - 1e-6, np.nan))
    return [None if not math.isfinite(v) else int(v) for v in up.ravel()]


def _groups(
    unit_ids: list[str],
    levels: np.ndarray,
    districts: np.ndarray,
    original: list[int],
    hierarchical: bool | None,
) -> list[list[int]]:
    """Units that move together, the head (whose id the panel's select carries) first.

    In hierarchical mode a district-level unit leads the communes of its district (matched
    by :func:`planner._vn.district_key`, as the optimiser groups them); every other unit is a
    group of its own. ``hierarchical=None``: hierarchical when every commune of a district
    with a district-level unit has that unit's hospital.
    """
    keys = [district_key(d) if isinstance(d, str) else None for d in districts]
    heads: dict[str, int] = {}
    for i, (level, key) in enumerate(zip(levels, keys, strict=True)):
        if level == "district" and key is not None and key not in heads:
            heads[key] = i
    members: dict[int, list[int]] = {i: [i] for i in heads.values()}
    for i, (level, key) in enumerate(zip(levels, keys, strict=True)):
        if level == "commune" and key in heads:
            members[heads[key]].append(i)
    if hierarchical is None:
        hierarchical = bool(heads) and all(
            original[i] == original[group[0]] for group in members.values() for i in group
        )
    if not hierarchical:
        return [[i] for i in range(len(unit_ids))]
    grouped = {i for group in members.values() for i in group}
    order = sorted(
        [*members.values(), *([i] for i in range(len(unit_ids)) if i not in grouped)],
        key=lambda group: group[0],
    )
    return order


def _sections(
    groups: list[list[int]], districts: np.ndarray, names: list[str], district_names: list[str]
) -> list[dict[str, Any]]:
    """The panel's layout: one flat list of groups, or groups under district headings."""

    def label(group: list[int]) -> str:
        head = group[0]
        district = districts[head]
        return str(district) if len(group) > 1 and isinstance(district, str) else names[head]

    if len(groups) <= _FLAT_ROWS:
        order = sorted(range(len(groups)), key=lambda g: _sort_key(label(groups[g])))
        return [{"district": -1, "groups": order}]
    by_district: dict[int, list[int]] = {}
    index = {d: i for i, d in enumerate(district_names)}
    for g, group in enumerate(groups):
        district = districts[group[0]]
        by_district.setdefault(index.get(str(district), -1), []).append(g)
    sections = []
    for d in sorted(by_district, key=lambda d: (d < 0, d)):
        order = sorted(by_district[d], key=lambda g: _sort_key(names[groups[g][0]]))
        sections.append({"district": d, "groups": order})
    return sections


def _area_units(
    areas: gpd.GeoDataFrame, unit_ids: list[str], districts: np.ndarray, *, overlay: bool
) -> dict[str, Any]:
    """For each area (the features of the area layer, in order): the units it is made of."""
    position = {u: i for i, u in enumerate(unit_ids)}
    if "facility_id" in areas and areas["facility_id"].astype(str).isin(position).any():
        members = [[position[k]] if k in position else [] for k in areas["facility_id"].astype(str)]
        by = "unit"
    else:
        by_name: dict[str, list[int]] = {}
        for i, d in enumerate(districts):
            if isinstance(d, str):
                by_name.setdefault(d, []).append(i)
        members = [by_name.get(str(d), []) for d in areas["district"]]
        by = "district"
    return {"by": by, "units": members, "overlay": overlay}


def _texts(t: Translator, whatif: WhatIf, *, former: bool) -> dict[str, str]:
    """The page's labels; ``{name}``-style fields left for the script are kept as written."""

    def at(key: str, time: str | None) -> str:
        return t(f"{key}_at", time=time) if time else t(key)

    texts = {
        "title": t("whatif.title"),
        "intro": t("whatif.intro.former" if former else "whatif.intro"),
        "proposal": t("map.pairing"),
        "edited": t("whatif.edited"),
        "mean": at("whatif.mean", whatif.trip.depart),
        "within": at("whatif.within", whatif.trip.depart),
        "loads": t("whatif.loads"),
        "ratio": t("whatif.ratio"),
        "moved": t("whatif.moved"),
        "no_time": t("whatif.no_time"),
        "trips": t(f"cli.trips.{whatif.trip.directions}"),
        "reset": t("whatif.reset"),
        "download": t("whatif.download"),
        "command": t("whatif.command" if whatif.score_command else "whatif.command_plain"),
        "districts": t("whatif.districts.former" if former else "whatif.districts"),
        "units": t("whatif.units"),
        "units_of": t("whatif.units_of"),
        "other_units": t("whatif.other_units"),
        "moves_together": t("whatif.moves_together"),
        "confirm": t("whatif.confirm"),
        "reassign": t("whatif.reassign"),
        "in_proposal": t("whatif.in_proposal"),
        "moved_legend": t("whatif.moved_legend"),
        "unassigned": t("whatif.unassigned"),
        "unreachable": t("map.unreachable"),
        "unreachable_area": t("map.unreachable_area"),
        "switch_slower": t("map.switch_slower"),
        "switch_faster": t("map.switch_faster"),
        "switch_same": t("map.switch_same"),
        "min": t("unit.min"),
    }
    if whatif.matrix_peak is not None:
        texts["mean_peak"] = at("whatif.mean", whatif.trip.peak_depart)
        texts["within_peak"] = at("whatif.within", whatif.trip.peak_depart)
    return texts


def _separators(f: Formatter) -> dict[str, str]:
    """The language's thousands and decimal marks, read off the one number formatter."""
    sample = f.number(1234.5, decimals=1)  # "1.234,5" or "1,234.5"
    return {
        "thousands": sample[1],
        "decimal": sample[5],
        "minus": f.number(-1)[0],
        "missing": MISSING,
        "min": f.minutes(60).split(" ", 1)[1],
    }


def _csv_overrides(names: list[str]) -> dict[str, str]:
    """The names whose CSV cell differs (:func:`planner.io.spreadsheet_safe`), by position."""
    out = {}
    for i, name in enumerate(names):
        safe = spreadsheet_safe(name)
        if safe != name:
            out[str(i)] = str(safe)
    return out


def _compact(value: float) -> int | float:
    """A weight as a JSON number: whole numbers without ``.0``."""
    if not math.isfinite(value):
        return 0
    return int(value) if float(value).is_integer() else round(float(value), 6)


def _sort_key(name: str) -> str:
    return fold(name)


def _scheme(pairings: pd.DataFrame, hospitals: pd.DataFrame) -> str | None:
    """The administrative scheme, when the Hanoi facilities say it (the 2025 panel lists units)."""
    if "scheme" in hospitals and hospitals["scheme"].notna().any():
        scheme = str(hospitals["scheme"].dropna().iloc[0])
        return scheme if scheme in ("2024", "2025") else None
    return None
