"""Routing core: an exact reduction of a road graph and many-to-many fastest paths on it.

A :class:`RoutingGraph` is a CSR matrix of edge times with the road length behind each entry.
:func:`reduce_graph` shrinks it for a given set of terminal nodes (the nodes that are asked
about) without changing any fastest time between them:

- dead-end trees are peeled off: a node whose only neighbour is one node can only be passed
  through as a detour back to that node, so a fastest path between two other nodes never
  visits it;
- chains of pass-through nodes (exactly two neighbours) are replaced by one shortcut per
  direction that can be driven end to end, carrying the summed time and length;
- then, as in a contraction hierarchy, the other nodes are contracted cheapest first (an
  independent set per round, vectorised): each in-neighbour of a removed node is joined to
  each out-neighbour by a shortcut unless a strictly faster path of one or two entries (a
  witness) makes it useless. Rounds stop when the graph stops thinning, leaving a dense core
  (about 2,000 nodes and 31,000 entries for Hanoi's 613 units, from 270,000 nodes): the
  searches then cost a tenth of what they cost on chains-only reduction, with no compiled
  code of our own.

Terminals are never removed. Parallel entries keep the fastest (then shortest) one, so the
length of a shortcut is the length of exactly the chain whose time it carries, and the
distances summed back along the fastest path on the reduced graph are the road lengths of a
fastest path on the whole graph.

:func:`many_to_many` runs scipy's compiled Dijkstra from each source, in batches and (for
many sources) on two threads: scipy releases the GIL while it searches.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra
from tqdm.auto import tqdm

from planner.config import available_cpus

# Dijkstra batch size per thread: sources x nodes cells held at once (float64 + int32).
_BATCH_CELLS = 4_000_000
# Rounds of dead-end peeling and chain contraction.
_ROUNDS = 2
# Most contraction rounds towards the core (they stop earlier, once the graph stops thinning),
# and how much faster a witness must be than a shortcut to replace it (float rounding).
_CORE_ROUNDS = 200
_WITNESS_TOLERANCE_S = 1e-9
# Below this many sources one thread is cheaper than starting two.
_THREAD_MIN_SOURCES = 50
# Up to this mean out-degree, the entry behind a predecessor step is found by scanning the
# row (road graphs: 2-3); beyond (a contracted core: ~20), by binary search of all entries.
_SCAN_MAX_DEGREE = 4
# Progress bars appear only for work that lasts longer than this.
_PROGRESS_DELAY_S = 2.0
# Large source sets are searched in at least this many blocks (for the progress bar).
_PROGRESS_BLOCKS = 16


@dataclass(frozen=True, eq=False)
class RoutingGraph:
    """Fastest time between adjacent nodes as a CSR matrix, with the lengths behind it.

    Attributes
    ----------
    matrix
        ``(n, n)`` CSR matrix of entry times in seconds (explicit zeros are edges).
    length_m
        Road length behind each stored entry, in ``matrix.data`` order.
    keys
        ``from * n + to`` of each stored entry (sorted, int64): finds the entry behind a step
        along Dijkstra predecessors.
    """

    matrix: sp.csr_matrix
    length_m: np.ndarray
    keys: np.ndarray

    @property
    def n_nodes(self) -> int:
        return self.matrix.shape[0]


def routing_graph(
    n_nodes: int, u: np.ndarray, v: np.ndarray, time_s: np.ndarray, length_m: np.ndarray
) -> tuple[RoutingGraph, np.ndarray]:
    """Build a routing graph from directed entries; parallel ones keep the fastest.

    Parameters
    ----------
    n_nodes
        Number of nodes (indices ``0 .. n_nodes - 1``).
    u, v, time_s, length_m
        Entry sources, targets, times (finite, >= 0) and lengths. Loops are dropped.

    Returns
    -------
    tuple
        The graph, and for each of its entries (CSR order) the position of the input entry
        behind it.
    """
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    picked = _fastest_order(n_nodes, u, v, time_s, length_m)
    return csr_graph(n_nodes, u[picked], v[picked], time_s[picked], length_m[picked]), picked


def csr_graph(
    n: int, rows: np.ndarray, cols: np.ndarray, time_s: np.ndarray, length_m: np.ndarray
) -> RoutingGraph:
    """A routing graph from distinct entries sorted by (row, col)."""
    # csr_matrix keeps explicit zeros (zero-length joins) as edges for csgraph
    matrix = sp.csr_matrix(
        (np.asarray(time_s, dtype=float), cols.astype(np.int32), _pointers(n, rows)),
        shape=(n, n),
    )
    return RoutingGraph(
        matrix=matrix,
        length_m=np.asarray(length_m, dtype=float),
        keys=np.asarray(rows, dtype=np.int64) * n + cols,
    )


def progress(total: int, desc: str, *, unit: str = "it") -> tqdm:
    """A progress bar (terminal or Jupyter) shown only once the work has lasted a while."""
    return tqdm(
        total=total, desc=desc, unit=unit, delay=_PROGRESS_DELAY_S, disable=None, leave=False
    )


def reverse_graph(graph: RoutingGraph) -> RoutingGraph:
    """The same entries, each from its target to its source (searches towards a node)."""
    coo = graph.matrix.tocoo()
    u, v = coo.row.astype(np.int64), coo.col.astype(np.int64)
    order = np.lexsort((u, v))
    return csr_graph(graph.n_nodes, v[order], u[order], coo.data[order], graph.length_m[order])


def reduce_graph(graph: RoutingGraph, terminals: np.ndarray) -> tuple[RoutingGraph, np.ndarray]:
    """Return a smaller graph with the same fastest times between terminal nodes.

    Parameters
    ----------
    graph
        The routing graph.
    terminals
        Node indices that must stay (the sources and targets of later searches).

    Returns
    -------
    tuple
        The reduced graph, and ``index``: for each node of ``graph`` its node in the reduced
        one, ``-1`` if it was removed (terminals are always kept).
    """
    n = graph.n_nodes
    coo = graph.matrix.tocoo()
    u, v = coo.row.astype(np.int64), coo.col.astype(np.int64)
    time_s, length_m = coo.data, graph.length_m
    keep = np.zeros(n, dtype=bool)
    keep[terminals] = True
    # contraction leaves a few new dead ends and chains: a second round removes most of
    # them (about 4 % more nodes); later rounds remove under 1 % for as much work again
    for _ in range(_ROUNDS):
        alive = _peel_dead_ends(n, u, v, keep)
        inside = alive[u] & alive[v]
        u, v, time_s, length_m = u[inside], v[inside], time_s[inside], length_m[inside]
        before = len(u)
        u, v, time_s, length_m = _contract_chains(n, u, v, time_s, length_m, keep)
        if len(u) == before and inside.all():
            break  # settled
    rank = np.random.default_rng(0).permutation(n)  # fixed: the same graph every time
    u, v, time_s, length_m = _contract_core(n, u, v, time_s, length_m, keep, rank)
    used = keep.copy()
    used[u], used[v] = True, True
    nodes = np.flatnonzero(used)
    index = np.full(n, -1, dtype=np.int64)
    index[nodes] = np.arange(len(nodes))
    # the entries are distinct and sorted, and renumbering keeps their order
    return csr_graph(len(nodes), index[u], index[v], time_s, length_m), index


def many_to_many(
    graph: RoutingGraph,
    sources: np.ndarray,
    targets: np.ndarray,
    *,
    limit_s: float = np.inf,
    workers: int | None = None,
    lengths: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Fastest times and their road lengths between node sets, shape (sources, targets).

    Parameters
    ----------
    graph
        The routing graph.
    sources, targets
        Node indices.
    limit_s
        Searches stop beyond this time; farther pairs are ``inf`` (and NaN metres).
    workers
        Threads for large source sets; ``None`` uses up to two (the CPUs available).
    lengths
        Sum the road length of each fastest path; ``False`` leaves them NaN (no predecessors
        are kept: a third faster on a road graph).

    Returns
    -------
    tuple
        ``time_s`` (``inf`` where not reached) and ``distance_m`` (NaN there).
    """
    sources = np.asarray(sources, dtype=np.int64)
    targets = np.asarray(targets, dtype=np.int64)
    time_s = np.full((len(sources), len(targets)), np.inf)
    dist_m = np.full((len(sources), len(targets)), np.nan)
    batch = max(1, _BATCH_CELLS // max(graph.n_nodes, 1))
    if len(sources) > 4 * _PROGRESS_BLOCKS:
        batch = min(batch, -(-len(sources) // _PROGRESS_BLOCKS))
    blocks = [slice(s, s + batch) for s in range(0, len(sources), batch)]
    bar = progress(len(sources), "travel times", unit="origin")

    def run(block: slice) -> None:
        src = sources[block]
        if not lengths:
            time_s[block] = dijkstra(graph.matrix, indices=src, limit=limit_s)[:, targets]
            bar.update(len(src))
            return
        times, pred = dijkstra(graph.matrix, indices=src, return_predecessors=True, limit=limit_s)
        reached = times[:, targets]
        time_s[block] = reached
        dist_m[block] = _path_lengths(graph, pred, src, targets, reached)
        bar.update(len(src))

    if workers is None:
        workers = min(2, available_cpus())
    with bar:
        if workers > 1 and len(sources) > _THREAD_MIN_SOURCES and len(blocks) == 1:
            half = len(sources) // 2 + 1
            blocks = [slice(0, half), slice(half, len(sources))]
        if workers > 1 and len(sources) > _THREAD_MIN_SOURCES:
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(run, blocks))  # each block writes its own rows
        else:
            for block in blocks:
                run(block)
    return time_s, dist_m


def _peel_dead_ends(n: int, u: np.ndarray, v: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Nodes left after repeatedly removing non-kept nodes with a single neighbour."""
    a, b = _neighbour_pairs(n, u, v)
    adj_ptr, adj_nbr = _adjacency(n, a, b)
    degree = np.diff(adj_ptr)
    alive = degree > 0
    alive[keep] = True
    leaves = np.flatnonzero((degree == 1) & ~keep)
    while len(leaves):
        alive[leaves] = False
        nbr = adj_nbr[spans(adj_ptr[leaves], adj_ptr[leaves + 1])]
        nbr = nbr[alive[nbr]]  # the leaf's one live neighbour (none if two leaves met)
        np.subtract.at(degree, nbr, 1)
        nbr = np.sort(nbr)
        nbr = nbr[np.r_[True, nbr[1:] != nbr[:-1]]] if len(nbr) else nbr
        leaves = nbr[(degree[nbr] == 1) & ~keep[nbr]]
    return alive


def _contract_chains(
    n: int,
    u: np.ndarray,
    v: np.ndarray,
    time_s: np.ndarray,
    length_m: np.ndarray,
    keep: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Replace chains of two-neighbour nodes by shortcuts (summed time and length)."""
    a, b = _neighbour_pairs(n, u, v)
    adj_ptr, adj_nbr = _adjacency(n, a, b)
    inner = (np.diff(adj_ptr) == 2) & ~keep
    if not inner.any():
        return u, v, time_s, length_m
    # each inner node's two neighbours and its entries towards them (-1: no such entry)
    nbrs = np.full((n, 2), -1, dtype=np.int64)
    at = np.flatnonzero(inner)
    nbrs[at, 0], nbrs[at, 1] = adj_nbr[adj_ptr[at]], adj_nbr[adj_ptr[at] + 1]
    out = np.full((n, 2), -1, dtype=np.int64)
    from_inner = np.flatnonzero(inner[u])
    side = (nbrs[u[from_inner], 1] == v[from_inner]).astype(np.int64)
    out[u[from_inner], side] = from_inner

    # walk every chain from each entry that leaves an outer node into it
    starts = np.flatnonzero(~inner[u] & inner[v])
    origin, prev, cur = u[starts], u[starts], v[starts]
    total_s, total_m = time_s[starts].copy(), length_m[starts].copy()
    done_u, done_v, done_s, done_m = [], [], [], []
    while len(cur):
        side = (nbrs[cur, 0] == prev).astype(np.int64)  # go on to the other neighbour
        entry = out[cur, side]
        go = entry >= 0  # a one-way chain cannot be driven against its direction
        origin, cur, entry = origin[go], cur[go], entry[go]
        total_s, total_m = total_s[go] + time_s[entry], total_m[go] + length_m[entry]
        prev, cur = cur, v[entry]
        end = ~inner[cur]
        done_u.append(origin[end])
        done_v.append(cur[end])
        done_s.append(total_s[end])
        done_m.append(total_m[end])
        origin, prev, cur = origin[~end], prev[~end], cur[~end]
        total_s, total_m = total_s[~end], total_m[~end]

    outer = ~inner[u] & ~inner[v]
    new_u = np.concatenate([u[outer], *done_u])
    new_v = np.concatenate([v[outer], *done_v])
    new_s = np.concatenate([time_s[outer], *done_s])
    new_m = np.concatenate([length_m[outer], *done_m])
    # parallel entries (a shortcut beside a road, two chains between the same nodes): fastest
    return _fastest_entries(n, new_u, new_v, new_s, new_m)


def _contract_core(
    n: int,
    u: np.ndarray,
    v: np.ndarray,
    time_s: np.ndarray,
    length_m: np.ndarray,
    keep: np.ndarray,
    rank: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Contract non-terminal nodes, cheapest first, while that thins the graph.

    Each round removes an independent set of the nodes whose removal adds the fewest
    shortcuts (in-degree x out-degree - degree, ties by ``rank``), as a contraction hierarchy
    does, but only shortcuts that no faster path of at most two entries replaces are added
    (a witness): a shortcut on a fastest path is never dropped, since a faster witness would
    contradict it. Rounds stop once a round no longer lowers the number of entries: what is
    left is a small dense core holding the terminals, where searches are cheap.
    """
    order = np.lexsort((v, u))
    u, v, time_s, length_m = u[order], v[order], time_s[order], length_m[order]
    live = np.flatnonzero(np.isin(np.arange(n), np.r_[u, v]) | keep)
    local = np.full(n, -1, dtype=np.int64)
    local[live] = np.arange(len(live))
    u, v = local[u], local[v]
    keep, rank = keep[live], rank[live]
    with progress(int((~keep).sum()), "reducing the road graph", unit="node") as bar:
        for _ in range(_CORE_ROUNDS):
            step = _contract_round(len(live), u, v, time_s, length_m, keep, rank)
            if step is None or len(step[0]) >= len(u):
                break  # contraction no longer thins the graph: this is the core
            u, v, time_s, length_m = step
            used = keep.copy()
            used[u], used[v] = True, True
            if not used.all():  # renumber the nodes left (monotone: entries stay sorted)
                index = np.cumsum(used) - 1
                u, v = index[u], index[v]
                live, keep, rank = live[used], keep[used], rank[used]
                bar.update(int((~used).sum()))
    # entries that a strictly faster path of two entries replaces are never on a fastest
    # path (nor are the ones replacing them, by induction on time): drop them
    dominated = _has_witness(len(live), u, v, time_s, u, v, time_s)
    u, v, time_s, length_m = u[~dominated], v[~dominated], time_s[~dominated], length_m[~dominated]
    return live[u], live[v], time_s, length_m


def _contract_round(
    n: int,
    u: np.ndarray,
    v: np.ndarray,
    time_s: np.ndarray,
    length_m: np.ndarray,
    keep: np.ndarray,
    rank: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """One contraction round on entries sorted by (from, to); ``None`` if nothing can go."""
    in_deg = np.bincount(v, minlength=n)
    out_deg = np.bincount(u, minlength=n)
    candidate = ~keep & (in_deg + out_deg > 0)
    added = in_deg * out_deg - in_deg - out_deg  # shortcuts added less entries removed, at most
    priority = added.astype(np.int64) * (int(rank.max(initial=0)) + 1) + rank
    # independent set: a candidate goes unless a candidate neighbour comes before it
    a, b = np.r_[u, v], np.r_[v, u]
    clash = candidate[a] & candidate[b] & (priority[b] < priority[a])
    gone = candidate.copy()
    gone[a[clash]] = False
    if not gone.any():
        return None
    into = np.flatnonzero(gone[v])
    into = into[np.argsort(v[into], kind="stable")]
    out_of = np.flatnonzero(gone[u])  # entries are sorted by source already
    out_ptr = _pointers(n, u[out_of])
    via = v[into]
    first = np.repeat(into, out_ptr[via + 1] - out_ptr[via])
    second = out_of[spans(out_ptr[via], out_ptr[via + 1])]
    proper = u[first] != v[second]
    first, second = first[proper], second[proper]
    s_u, s_v = u[first], v[second]
    s_time, s_length = time_s[first] + time_s[second], length_m[first] + length_m[second]
    # strictly faster (beyond rounding) only: a tie may be the shortcut's own path
    need = ~_has_witness(n, u, v, time_s, s_u, s_v, s_time)
    stay = ~gone[u] & ~gone[v]
    return _fastest_entries(
        n,
        np.concatenate([u[stay], s_u[need]]),
        np.concatenate([v[stay], s_v[need]]),
        np.concatenate([time_s[stay], s_time[need]]),
        np.concatenate([length_m[stay], s_length[need]]),
    )


def _has_witness(
    n: int,
    u: np.ndarray,
    v: np.ndarray,
    time_s: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    bound: np.ndarray,
) -> np.ndarray:
    """Whether a path of one or two entries (sorted by (from, to)) leads from ``src`` to
    ``dst`` strictly faster (beyond rounding) than ``bound``."""
    keys = u * n + v
    ptr = _pointers(n, u)

    def entry_times(k: np.ndarray, base: np.ndarray) -> np.ndarray:
        pos = np.minimum(np.searchsorted(keys, k), len(keys) - 1)
        return np.where(keys[pos] == k, base + time_s[pos], np.inf)

    limit = bound - _WITNESS_TOLERANCE_S
    found = entry_times(src * n + dst, np.zeros(len(src))) < limit
    ask = np.flatnonzero(~found)  # two entries only where one does not do
    count = ptr[src[ask] + 1] - ptr[src[ask]]
    first = spans(ptr[src[ask]], ptr[src[ask] + 1])  # every entry leaving each source
    if len(first):
        owner = np.repeat(ask, count)
        via = entry_times(v[first] * n + dst[owner], time_s[first])
        has = ask[count > 0]
        starts = np.r_[0, np.cumsum(count[count > 0])[:-1]]
        found[has] = np.minimum.reduceat(via, starts) < limit[has]
    return found


def _fastest_entries(
    n: int, u: np.ndarray, v: np.ndarray, time_s: np.ndarray, length_m: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Entries sorted by (from, to) without loops; of parallel ones the fastest, then shortest."""
    order = _fastest_order(n, u, v, time_s, length_m)
    return u[order], v[order], time_s[order], length_m[order]


def _fastest_order(
    n: int, u: np.ndarray, v: np.ndarray, time_s: np.ndarray, length_m: np.ndarray
) -> np.ndarray:
    """Positions of the entries :func:`_fastest_entries` keeps, in (from, to) order."""
    proper = np.flatnonzero(u != v)  # a loop never shortens a path
    keys = u[proper] * n + v[proper]
    # stable sort: the input is a few sorted runs, which timsort merges cheaply
    order = np.argsort(keys, kind="stable")
    keys, order = keys[order], proper[order]
    twin = np.r_[False, keys[1:] == keys[:-1]] if len(keys) else np.zeros(0, dtype=bool)
    parallel = np.flatnonzero(twin | np.r_[twin[1:], False]) if len(keys) else twin
    if len(parallel):  # order only the parallel ones by time, then length, within their key
        sub = order[parallel]
        order[parallel] = sub[np.lexsort((length_m[sub], time_s[sub], keys[parallel]))]
    return order[~twin]


def _neighbour_pairs(n: int, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct undirected neighbour pairs (lower, higher) of directed entries."""
    pair = np.sort(np.minimum(u, v) * n + np.maximum(u, v))
    pair = pair[np.r_[True, pair[1:] != pair[:-1]]] if len(pair) else pair
    return pair // n, pair % n


def _adjacency(n: int, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Undirected adjacency lists (CSR, neighbours sorted) from distinct pairs."""
    key = np.sort(np.r_[a * n + b, b * n + a])
    return _pointers(n, key // n), key % n


def _pointers(n: int, sorted_nodes: np.ndarray) -> np.ndarray:
    """CSR pointers (n + 1) of a sorted array of node indices."""
    return np.r_[0, np.cumsum(np.bincount(sorted_nodes, minlength=n))]


def spans(starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(start, stop)`` for each pair, without a Python loop."""
    sizes = stops - starts
    starts, sizes = starts[sizes > 0], sizes[sizes > 0]
    if not len(sizes):
        return np.zeros(0, dtype=np.int64)
    steps = np.ones(int(sizes.sum()), dtype=np.int64)
    steps[0] = starts[0]
    # at each span's first cell, jump from the previous span's last cell to this start
    steps[np.cumsum(sizes)[:-1]] = starts[1:] - (starts[:-1] + sizes[:-1] - 1)
    return np.cumsum(steps)


def _path_lengths(
    graph: RoutingGraph,
    pred: np.ndarray,
    src: np.ndarray,
    targets: np.ndarray,
    reached: np.ndarray,
) -> np.ndarray:
    """Road length of each fastest path, summed along the predecessors.

    On a road graph (a few entries per node, paths of hundreds of entries) all (source,
    target) pairs step back together, one entry per step, each step a vector operation. On a
    dense core (paths of a few shortcuts, many targets) the whole trees are summed instead.
    """
    if graph.matrix.nnz <= _SCAN_MAX_DEGREE * max(pred.shape[1], 1):
        return _walked_lengths(graph, pred, src, targets, reached)
    return _tree_lengths(graph, pred, targets, reached)


def _walked_lengths(
    graph: RoutingGraph,
    pred: np.ndarray,
    src: np.ndarray,
    targets: np.ndarray,
    reached: np.ndarray,
) -> np.ndarray:
    """Step every pair back from its target to its source, an entry at a time."""
    n = pred.shape[1]
    flat = pred.ravel()
    out = np.full(reached.shape, np.nan)
    row, col = np.nonzero(np.isfinite(reached))
    out[row, col] = 0.0
    cur = targets[col]
    live = cur != src[row]
    row, col, cur = row[live], col[live], cur[live]
    total = np.zeros(len(row))
    while len(row):
        prev = flat[row * n + cur].astype(np.int64)
        total += graph.length_m[_entry_positions(graph, prev, cur)]
        done = prev == src[row]
        out[row[done], col[done]] = total[done]
        keep = ~done
        row, col, cur, total = row[keep], col[keep], prev[keep], total[keep]
    return out


def _tree_lengths(
    graph: RoutingGraph, pred: np.ndarray, targets: np.ndarray, reached: np.ndarray
) -> np.ndarray:
    """Sum every node's distance to its tree's root by pointer doubling: each node adds what
    its ancestor has summed and jumps to that ancestor's ancestor, log2(path entries) times."""
    k, n = pred.shape
    parent = pred.ravel().astype(np.int64)
    child = np.flatnonzero(parent >= 0)
    step = np.zeros(k * n)
    up = np.arange(k * n, dtype=np.int64)  # roots and unreached nodes point at themselves
    row, node = np.divmod(child, n)
    before = parent[child]
    step[child] = graph.length_m[np.searchsorted(graph.keys, before * n + node)]
    up[child] = row * n + before
    while True:
        jump = up[up]
        if np.array_equal(jump, up):
            break
        step += step[up]  # a root (and an unreached node) adds its own step: 0
        up = jump
    out = step.reshape(k, n)[:, targets]
    return np.where(np.isfinite(reached), out, np.nan)


def _entry_positions(graph: RoutingGraph, before: np.ndarray, node: np.ndarray) -> np.ndarray:
    """Position of each entry ``before -> node``, scanning the few of its row."""
    indptr, indices = graph.matrix.indptr, graph.matrix.indices
    pos = indptr[before].astype(np.int64)
    miss = np.flatnonzero(indices[pos] != node)
    while miss.size:
        pos[miss] += 1
        miss = miss[indices[pos[miss]] != node[miss]]
    return pos
