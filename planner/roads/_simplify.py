"""Graph building internals: join pieces, merge chains, and the canonical array layout.

:func:`build_graph` turns an edge table (:data:`planner.roads.graph.EDGE_COLUMNS`) into a
:class:`~planner.roads.graph.TravelGraph`: pieces are cut at shared vertices into raw edges, chains
of raw edges through degree-2 vertices are merged where the attributes that matter agree,
and the chains become directed edges. :func:`assemble` is the one place that orders nodes and
edges canonically; :mod:`planner.roads.interop` builds osmnx graphs through it too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from planner.errors import PlannerInputError
from planner.roads.graph import CLASS_NAMES, ROAD_CLASSES, TravelGraph

#: osmnx's mean Earth radius (m), so that lengths match osmnx's.
EARTH_RADIUS_M = 6_371_009.0


def build_graph(edges: pd.DataFrame, *, source: str) -> TravelGraph:
    """Join, simplify and assemble an edge table (see :func:`planner.roads.network.graph_from_edges`)."""
    flat = _flatten(edges)
    if flat["key"].size == 0:
        raise PlannerInputError(
            "holds no road (empty area)", file=source or None, hint="check the area covered"
        )
    attrs = _piece_attributes(edges)
    raw = _split_at_nodes(flat, attrs)
    chains = _merge_chains(raw)
    return _directed_graph(flat, attrs, raw, chains, source=source)


def _flatten(edges: pd.DataFrame) -> dict[str, np.ndarray]:
    """Concatenate piece vertices, dropping repeated consecutive vertices and short pieces."""
    sizes = edges["key"].map(len).to_numpy(dtype=np.int64)
    if sizes.sum() == 0:
        return {"key": np.empty(0, np.int64)}
    key = np.concatenate(edges["key"].to_list()).astype(np.int64)
    lon = np.concatenate(edges["lon"].to_list()).astype(np.float64)
    lat = np.concatenate(edges["lat"].to_list()).astype(np.float64)
    piece = np.repeat(np.arange(len(edges)), sizes)
    repeat = np.zeros(key.size, dtype=bool)
    repeat[1:] = (key[1:] == key[:-1]) & (piece[1:] == piece[:-1])
    key, lon, lat, piece = key[~repeat], lon[~repeat], lat[~repeat], piece[~repeat]
    counts = np.bincount(piece, minlength=len(edges))
    short = np.isin(piece, np.flatnonzero(counts < 2))
    key, lon, lat, piece = key[~short], lon[~short], lat[~short], piece[~short]
    return {"key": key, "lon": lon, "lat": lat, "piece": piece}


def _split_at_nodes(
    flat: dict[str, np.ndarray], attrs: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Cut pieces at nodes (ends and shared vertices) into raw undirected edges."""
    key, piece = flat["key"], flat["piece"]
    n = key.size
    first = np.ones(n, dtype=bool)
    first[1:] = piece[1:] != piece[:-1]
    last = np.roll(first, -1)
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    is_node = first | last | (counts[inverse] > 1)
    node_keys = np.unique(key[is_node])
    pos = np.flatnonzero(is_node)
    same = piece[pos[1:]] == piece[pos[:-1]]
    start, end = pos[:-1][same], pos[1:][same]
    # sum each raw edge's own segments (not a difference of a global cumsum): the length of an
    # edge must not depend on where its piece sits in the table
    steps = end - start
    seg_idx = np.repeat(start, steps) + ramp(steps)
    seg = haversine_m(
        flat["lon"][seg_idx],
        flat["lat"][seg_idx],
        flat["lon"][seg_idx + 1],
        flat["lat"][seg_idx + 1],
    )
    length = np.bincount(np.repeat(np.arange(start.size), steps), weights=seg, minlength=start.size)
    raw_piece = piece[start]
    raw = {
        "start": start,
        "end": end,
        "u": np.searchsorted(node_keys, key[start]),
        "v": np.searchsorted(node_keys, key[end]),
        "length": length,
        "combo": attrs["combo"][raw_piece],
        "oneway": attrs["oneway"][raw_piece],
        "piece": raw_piece,
        "node_keys": node_keys,
    }
    return _drop_duplicate_segments(raw)


def _piece_attributes(edges: pd.DataFrame) -> dict[str, np.ndarray]:
    """Class code per piece and one id per combination of the attributes that block merging.

    The way id is not one of them: a chain may run along several OSM ways (and keeps all their
    ids), as osmnx's simplified edges do.
    """
    cls = np.array(
        [class_code(c, r) for c, r in zip(edges["class"], edges["ramp"], strict=True)],
        dtype=np.int8,
    )
    speed = edges["maxspeed_kph"].to_numpy(dtype=np.float64)
    frame = pd.DataFrame(
        {
            "cls": cls,
            "name": edges["name"].to_numpy(),
            "oneway": edges["oneway"].to_numpy() != 0,
            "brunnel": edges["brunnel"].to_numpy(),
            "service": edges["service"].to_numpy(),
            "maxspeed": np.where(np.isnan(speed), -1.0, speed),
            "highway": edges["highway"].to_numpy(),
        }
    )
    combo = frame.groupby(list(frame.columns), sort=False, dropna=False).ngroup().to_numpy()
    return {
        "cls": cls,
        "combo": combo,
        "oneway": edges["oneway"].to_numpy(dtype=np.int8),
        "name": edges["name"].to_numpy(dtype=object),
        "brunnel": edges["brunnel"].to_numpy(dtype=object),
        "service": edges["service"].to_numpy(dtype=object),
        "maxspeed": speed,
        "highway": edges["highway"].to_numpy(dtype=object),
        "osmid": edges["osmid"].to_numpy(dtype=np.int64),
    }


def _drop_duplicate_segments(raw: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Drop straight segments read twice (a road running exactly along a tile edge)."""
    straight = raw["end"] - raw["start"] == 1
    if not straight.any():
        return raw
    u, v = raw["u"], raw["v"]
    two_way = raw["oneway"] == 0
    along = raw["oneway"] >= 0
    a = np.where(two_way, np.minimum(u, v), np.where(along, u, v))
    b = np.where(two_way, np.maximum(u, v), np.where(along, v, u))
    frame = pd.DataFrame({"a": a, "b": b, "combo": raw["combo"], "straight": straight})
    duplicate = frame.duplicated() & straight
    if not duplicate.any():
        return raw
    keep = ~duplicate.to_numpy()
    return {k: (val[keep] if k != "node_keys" else val) for k, val in raw.items()}


def _merge_chains(raw: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Merge chains of raw edges through degree-2 nodes whose two edges agree.

    Returns the raw edges in chain order (``order``), whether each is walked along its own
    direction (``forward``), and each chain's first position in ``order`` (``chain_start``).
    """
    n_nodes = raw["node_keys"].size
    u, v, combo, oneway = raw["u"], raw["v"], raw["combo"], raw["oneway"]
    m = u.size
    ends = np.concatenate([u, v])
    edge_of_end = np.concatenate([np.arange(m), np.arange(m)])
    order = np.argsort(ends, kind="stable")
    degree = np.bincount(ends, minlength=n_nodes)
    ptr = np.concatenate([[0], np.cumsum(degree)])
    removable = degree == 2
    cand = np.flatnonzero(removable)
    e1 = edge_of_end[order[ptr[cand]]]
    e2 = edge_of_end[order[ptr[cand] + 1]]
    # travel role of the node on each edge: +1 the edge leaves it, -1 enters it, 0 two-way
    role1 = _role(cand, e1, u, v, oneway)
    role2 = _role(cand, e2, u, v, oneway)
    ok = (e1 != e2) & (combo[e1] == combo[e2]) & (role1 == -role2)
    removable[cand[~ok]] = False
    other = np.full((n_nodes, 2), -1, dtype=np.int64)
    other[cand, 0], other[cand, 1] = e1, e2

    u_l, v_l, rem = u.tolist(), v.tolist(), removable.tolist()
    other_l = other.tolist()
    visited = [False] * m
    seq: list[int] = []
    fwd: list[bool] = []
    chain_start: list[int] = []

    def walk(node: int, edge: int) -> None:
        chain_start.append(len(seq))
        while True:
            visited[edge] = True
            forward = u_l[edge] == node
            seq.append(edge)
            fwd.append(forward)
            node = v_l[edge] if forward else u_l[edge]
            if not rem[node]:
                return
            a, b = other_l[node]
            edge = b if a == edge else a
            if visited[edge]:  # closed ring back to the start
                return

    for edge in range(m):
        if visited[edge]:
            continue
        if not rem[u_l[edge]]:
            walk(u_l[edge], edge)
        elif not rem[v_l[edge]]:
            walk(v_l[edge], edge)
    for edge in range(m):  # rings of removable nodes only: keep their first node
        if not visited[edge]:
            rem[u_l[edge]] = False
            walk(u_l[edge], edge)
    return {
        "order": np.asarray(seq, dtype=np.int64),
        "forward": np.asarray(fwd, dtype=bool),
        "chain_start": np.asarray(chain_start, dtype=np.int64),
        "kept_node": ~np.asarray(rem, dtype=bool),
    }


def _role(node: np.ndarray, edge: np.ndarray, u: np.ndarray, v: np.ndarray, oneway: np.ndarray):
    at_u = u[edge] == node
    direction = oneway[edge].astype(np.int64)
    return np.where(at_u, direction, -direction)


def _directed_graph(
    flat: dict[str, np.ndarray],
    edges_attrs: dict[str, np.ndarray],
    raw: dict[str, np.ndarray],
    chains: dict[str, np.ndarray],
    *,
    source: str,
) -> TravelGraph:
    """Turn merged chains into directed edges with geometry and assemble the graph."""
    order, forward, chain_start = chains["order"], chains["forward"], chains["chain_start"]
    n_chain = chain_start.size
    chain_of = np.repeat(np.arange(n_chain), np.diff(np.append(chain_start, order.size)))
    is_first = np.zeros(order.size, dtype=bool)
    is_first[chain_start] = True
    start, end = raw["start"][order], raw["end"][order]
    # vertex indices of each chain: every raw edge's vertices, minus the joint repeated
    take = end - start + 1 - (~is_first)
    skip = (~is_first).astype(np.int64)
    within = ramp(take) + np.repeat(skip, take)
    rep_fwd = np.repeat(forward, take)
    vertex = np.where(rep_fwd, np.repeat(start, take) + within, np.repeat(end, take) - within)
    chain_sizes = np.bincount(np.repeat(chain_of, take), minlength=n_chain)
    chain_offsets = np.concatenate([[0], np.cumsum(chain_sizes)])
    first_raw = order[chain_start]
    last_pos = np.append(chain_start[1:], order.size) - 1
    chain_u = np.where(forward[chain_start], raw["u"][first_raw], raw["v"][first_raw])
    last_raw = order[last_pos]
    chain_v = np.where(forward[last_pos], raw["v"][last_raw], raw["u"][last_raw])
    chain_len = np.bincount(chain_of, weights=raw["length"][order], minlength=n_chain)
    piece = raw["piece"][first_raw]
    direction = raw["oneway"][first_raw] * np.where(forward[chain_start], 1, -1)
    # directed edges: along the chain unless it is one-way against it, and back if two-way
    along = np.flatnonzero(direction >= 0)
    back = np.flatnonzero(direction <= 0)
    dchain = np.concatenate([along, back])
    reverse = np.concatenate([np.zeros(along.size, bool), np.ones(back.size, bool)])
    sizes = chain_sizes[dchain]
    pos = ramp(sizes)
    base = np.repeat(chain_offsets[dchain], sizes)
    geom_vertex = vertex[
        np.where(np.repeat(reverse, sizes), base + np.repeat(sizes - 1, sizes) - pos, base + pos)
    ]
    node_keys = raw["node_keys"]
    kept = chains["kept_node"]
    new_index = np.cumsum(kept) - 1
    e_from = np.where(reverse, chain_v[dchain], chain_u[dchain])
    e_to = np.where(reverse, chain_u[dchain], chain_v[dchain])
    kept_keys = node_keys[kept]
    first_pos = _first_positions(flat["key"], kept_keys)
    pieces = piece[dchain]
    id_offsets, id_values = _chain_way_ids(edges_attrs["osmid"][raw["piece"][order]], chain_of)
    id_sizes = np.diff(id_offsets)[dchain]
    return assemble(
        node_id=kept_keys,
        node_lon=flat["lon"][first_pos],
        node_lat=flat["lat"][first_pos],
        edge_from=new_index[e_from],
        edge_to=new_index[e_to],
        edge_length_m=chain_len[dchain],
        edge_class=edges_attrs["cls"][pieces],
        geom_offsets=np.concatenate([[0], np.cumsum(sizes)]),
        geom_lon=flat["lon"][geom_vertex],
        geom_lat=flat["lat"][geom_vertex],
        osmid_offsets=np.concatenate([[0], np.cumsum(id_sizes)]),
        osmid_values=id_values[np.repeat(id_offsets[dchain], id_sizes) + ramp(id_sizes)],
        attrs={
            "edge_name": edges_attrs["name"][pieces],
            "edge_oneway": direction[dchain] != 0,
            "edge_brunnel": edges_attrs["brunnel"][pieces],
            "edge_service": edges_attrs["service"][pieces],
            "edge_maxspeed_kph": edges_attrs["maxspeed"][pieces],
            "edge_highway": edges_attrs["highway"][pieces],
        },
        source=source,
    )


def _chain_way_ids(way: np.ndarray, chain_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each chain's distinct way ids, sorted (0 = no id), as offsets and values."""
    frame = pd.DataFrame({"chain": chain_of, "way": way})
    frame = frame[frame["way"] != 0].drop_duplicates().sort_values(["chain", "way"])
    counts = np.bincount(frame["chain"].to_numpy(), minlength=int(chain_of.max(initial=-1)) + 1)
    return np.concatenate([[0], np.cumsum(counts)]), frame["way"].to_numpy(dtype=np.int64)


def assemble(
    *,
    node_id: np.ndarray,
    node_lon: np.ndarray,
    node_lat: np.ndarray,
    edge_from: np.ndarray,
    edge_to: np.ndarray,
    edge_length_m: np.ndarray,
    edge_class: np.ndarray,
    geom_offsets: np.ndarray,
    geom_lon: np.ndarray,
    geom_lat: np.ndarray,
    osmid_offsets: np.ndarray,
    osmid_values: np.ndarray,
    attrs: dict[str, Any],
    source: str,
) -> TravelGraph:
    """Number nodes by id and sort edges by (from, to, length): the canonical CSR layout.

    Edges given no way id (an empty run in ``osmid_offsets``) get their synthetic id
    (:func:`synthetic_osmids`).
    """
    node_order = np.argsort(node_id, kind="stable")
    rank = np.empty_like(node_order)
    rank[node_order] = np.arange(node_order.size)
    e_from, e_to = rank[edge_from], rank[edge_to]
    order = np.lexsort((edge_length_m, e_to, e_from))
    geom_offsets, gather = _ragged_take(geom_offsets, order)
    geom_lon = np.asarray(geom_lon, dtype=np.float64)[gather]
    geom_lat = np.asarray(geom_lat, dtype=np.float64)[gather]
    osmid_offsets, osmid_values = _with_synthetic_ids(
        *_ragged_take(osmid_offsets, order), osmid_values, geom_offsets, geom_lon, geom_lat
    )
    n = node_order.size
    return TravelGraph(
        node_lon=np.ascontiguousarray(node_lon[node_order], dtype=np.float64),
        node_lat=np.ascontiguousarray(node_lat[node_order], dtype=np.float64),
        node_id=np.ascontiguousarray(node_id[node_order], dtype=np.int64),
        indptr=np.concatenate([[0], np.cumsum(np.bincount(e_from, minlength=n))]).astype(np.int64),
        edge_from=e_from[order].astype(np.int32),
        edge_to=e_to[order].astype(np.int32),
        edge_length_m=np.asarray(edge_length_m, dtype=np.float64)[order],
        edge_class=np.asarray(edge_class, dtype=np.int8)[order],
        class_names=CLASS_NAMES,
        edge_geom_offsets=geom_offsets,
        geom_lon=geom_lon,
        geom_lat=geom_lat,
        edge_osmid_offsets=osmid_offsets,
        osmid_values=osmid_values,
        source=source,
        **{name: values[order] for name, values in attrs.items()},
    )


def _ragged_take(offsets: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Offsets of the runs ``order`` picks, and the value indices to gather for them."""
    sizes = np.diff(offsets)[order]
    gather = np.repeat(np.asarray(offsets)[:-1][order], sizes) + ramp(sizes)
    return np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64), gather


def _with_synthetic_ids(
    offsets: np.ndarray,
    gather: np.ndarray,
    values: np.ndarray,
    geom_offsets: np.ndarray,
    geom_lon: np.ndarray,
    geom_lat: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Gather way ids in edge order, giving each edge without one its synthetic id."""
    values = np.asarray(values, dtype=np.int64)[gather]
    sizes = np.diff(offsets)
    missing = sizes == 0
    if not missing.any():
        return offsets, values
    new_sizes = np.where(missing, 1, sizes)
    new_offsets = np.concatenate([[0], np.cumsum(new_sizes)]).astype(np.int64)
    out = np.empty(int(new_offsets[-1]), dtype=np.int64)
    out[np.repeat(new_offsets[:-1], sizes) + ramp(sizes)] = values
    edges = np.flatnonzero(missing)
    picked, idx = _ragged_take(geom_offsets, edges)
    out[new_offsets[:-1][missing]] = synthetic_osmids(picked, geom_lon[idx], geom_lat[idx])
    return new_offsets, out


def synthetic_osmids(
    geom_offsets: np.ndarray, geom_lon: np.ndarray, geom_lat: np.ndarray
) -> np.ndarray:
    """Stable negative ids for edges whose source has no OSM way id, from their geometry.

    Each edge's vertices are read from the end with the smaller (lon, lat) (for a closed
    ring, from the side whose second vertex is smaller), so both directions of a two-way
    road give the same id; the exact float coordinates and their positions are hashed with
    splitmix64 into ``-(h >> 2) - 1``, an int64 in ``[-2**62, -1]``: never an OSM id
    (positive), the same for the same road in every run and in every extract holding it.
    Copies of one geometry read the same way (a road drawn twice) are numbered apart in the
    order given, so distinct edges share an id only by a 2**-62 chance.

    Examples
    --------
    >>> ids = synthetic_osmids(np.array([0, 3, 6]), np.array([1.0, 2, 3, 3, 2, 1]),
    ...                        np.array([5.0, 6, 7, 7, 6, 5]))
    >>> bool(ids[0] == ids[1] < 0)
    True
    """
    offsets = np.asarray(geom_offsets, dtype=np.int64)
    sizes = np.diff(offsets)
    first, last = offsets[:-1], offsets[1:] - 1
    a = (geom_lon[first], geom_lat[first])
    b = (geom_lon[last], geom_lat[last])
    ring = (a[0] == b[0]) & (a[1] == b[1])
    inner_a = np.minimum(first + 1, last)
    inner_b = np.maximum(last - 1, first)
    a = (np.where(ring, geom_lon[inner_a], a[0]), np.where(ring, geom_lat[inner_a], a[1]))
    b = (np.where(ring, geom_lon[inner_b], b[0]), np.where(ring, geom_lat[inner_b], b[1]))
    reverse = (b[0] < a[0]) | ((b[0] == a[0]) & (b[1] < a[1]))
    pos = ramp(sizes)
    idx = np.where(
        np.repeat(reverse, sizes), np.repeat(last, sizes) - pos, np.repeat(first, sizes) + pos
    )
    lon_bits = np.ascontiguousarray(geom_lon[idx], dtype=np.float64).view(np.uint64)
    lat_bits = np.ascontiguousarray(geom_lat[idx], dtype=np.float64).view(np.uint64)
    with np.errstate(over="ignore"):
        vertex = _splitmix64(lon_bits ^ _splitmix64(lat_bits + pos.astype(np.uint64)))
        total = np.add.reduceat(vertex, first) if first.size else vertex[:0]
        road = _splitmix64(total + sizes.astype(np.uint64))
        mixed = _splitmix64(road + _copy_number(road ^ reverse.astype(np.uint64)))
    return -((mixed >> np.uint64(2)).astype(np.int64)) - 1


def _copy_number(keys: np.ndarray) -> np.ndarray:
    """0 for the first occurrence of each key, 1 for the second... (in the order given)."""
    order = np.argsort(keys, kind="stable")
    ranked = keys[order]
    new = np.ones(keys.size, dtype=bool)
    new[1:] = ranked[1:] != ranked[:-1]
    run_start = np.maximum.accumulate(np.where(new, np.arange(keys.size), 0))
    number = np.empty(keys.size, dtype=np.uint64)
    number[order] = np.arange(keys.size) - run_start
    return number


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser (a bijective 64-bit mix), on uint64 arrays, wrapping."""
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def ramp(sizes: np.ndarray) -> np.ndarray:
    """``0..size-1`` for each size, concatenated (vectorised ``np.arange`` per group)."""
    sizes = np.asarray(sizes, dtype=np.int64)
    total = int(sizes.sum())
    return np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)


def _first_positions(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Index of the first occurrence in ``keys`` of each of ``wanted`` (all present, sorted)."""
    uniq, first = np.unique(keys, return_index=True)
    return first[np.searchsorted(uniq, wanted)]


def haversine_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in metres (the same formula and radius as osmnx)."""
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def class_code(cls: str, is_ramp: bool) -> int:
    """The :data:`~planner.roads.graph.CLASS_NAMES` code of a class and ramp flag."""
    name = f"{cls}_ramp" if is_ramp and f"{cls}_ramp" in CLASS_NAMES else cls
    try:
        return CLASS_NAMES.index(name)
    except ValueError:
        raise PlannerInputError(
            f"unknown road class {cls!r}",
            field="class",
            hint=f"use one of {', '.join(ROAD_CLASSES)}",
        ) from None
