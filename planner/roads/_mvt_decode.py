"""Decode the line features of a vector-tile layer into flat arrays, as ``mapbox_vector_tile`` does.

``mapbox_vector_tile.decode`` builds a dict, a property dict and nested coordinate lists for
every feature of every layer in pure Python: decoding Hanoi's 1,463 road tiles that way took
about 27 s of CPU, most of a cold build. Here the tile is parsed by the same protobuf classes
(upb, compiled), and the geometry commands, coordinates and tags of a layer are decoded as
numpy arrays in a few passes: only features whose command stream is not the plain ``MoveTo(1)
LineTo(n)`` of one line are walked one by one. The result is what ``mapbox_vector_tile`` gives
with ``y_coord_down=True`` (tests compare both on every Hanoi tile): the same parts (a new part
at each ``MoveTo`` and after each ``ClosePath``), the same tile-local integer coordinates, the
same property values (a key given twice: the last one).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from planner._deps import require_tested

#: Feature geometry types (vector tile spec 2.1).
LINESTRING = 2
_MOVE_TO, _LINE_TO, _CLOSE_PATH = 1, 2, 7
#: A plain line's command stream begins ``MoveTo(1) x y LineTo(n)``.
_MOVE_ONE = (1 << 3) | _MOVE_TO
#: The value fields of a tag value, in the order ``mapbox_vector_tile`` tries them.
_VALUE_FIELDS = (
    "bool_value",
    "double_value",
    "float_value",
    "int_value",
    "sint_value",
    "string_value",
    "uint_value",
)


def parse_tile(data: bytes) -> dict[str, Any]:
    """The layers of one (uncompressed) tile by name, as protobuf messages (a name given twice:
    the last layer, as ``mapbox_vector_tile`` keeps)."""
    require_tested("mapbox-vector-tile")  # its protobuf classes are internals
    from mapbox_vector_tile.Mapbox import vector_tile_pb2

    tile = vector_tile_pb2.tile()
    tile.ParseFromString(data)
    return {layer.name: layer for layer in tile.layers}


@dataclass(frozen=True)
class LineParts:
    """The parts of a layer's line features, in feature order.

    ``x``, ``y``: tile-local integer vertices of every part, one after the other; ``offsets``:
    where each part starts in them (and the total at the end); ``feature``: the feature (its
    index in the layer) each part belongs to; ``values``: per feature and asked key, the tag
    value (``None`` where the feature has none).
    """

    x: np.ndarray
    y: np.ndarray
    offsets: np.ndarray
    feature: np.ndarray
    values: dict[str, np.ndarray]

    @property
    def sizes(self) -> np.ndarray:
        return np.diff(self.offsets)

    def keys(self) -> list[bytes]:
        """Each part's exact geometry as bytes (int32 x, y pairs), to match parts across layers."""
        xy = np.empty((self.x.size, 2), dtype=np.int32)
        xy[:, 0], xy[:, 1] = self.x, self.y
        bounds = self.offsets.tolist()
        return [xy[a:b].tobytes() for a, b in itertools.pairwise(bounds)]


def line_parts(layer: Any, keys: tuple[str, ...]) -> LineParts:
    """Decode the ``LINESTRING`` features of ``layer`` and the tag values of ``keys``.

    Parameters
    ----------
    layer
        A protobuf layer of :func:`parse_tile`.
    keys
        The tag keys whose values are wanted.

    Returns
    -------
    LineParts
        ``feature`` indexes the layer's line features only (0 for its first line feature).
    """
    features = [f for f in layer.features if f.type == LINESTRING]
    geoms = [f.geometry for f in features]
    sizes = np.fromiter(map(len, geoms), dtype=np.int64, count=len(geoms))
    flat = np.fromiter(itertools.chain.from_iterable(geoms), dtype=np.int64, count=int(sizes.sum()))
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    is_command = np.zeros(flat.size, dtype=bool)
    part_start = np.zeros(flat.size, dtype=bool)  # at a parameter: the part's first x
    plain = sizes >= 6
    head = starts[plain]
    plain[plain] = (flat[head] == _MOVE_ONE) & (flat[head + 3] & 7 == _LINE_TO)
    plain[plain] &= sizes[plain] == 4 + 2 * (flat[starts[plain] + 3] >> 3)
    head = starts[plain]
    is_command[head] = is_command[head + 3] = True
    part_start[head + 1] = True
    for f in np.flatnonzero(~plain):  # the rest, command by command
        _walk(geoms[f], int(starts[f]), is_command, part_start)
    params = np.flatnonzero(~is_command)
    if params.size % 2:
        raise ValueError("a line geometry ends inside a coordinate pair")
    values = flat[params]
    dx = (values[0::2] >> 1) ^ -(values[0::2] & 1)  # zigzag
    dy = (values[1::2] >> 1) ^ -(values[1::2] & 1)
    point_feature = np.searchsorted(starts, params[0::2], side="right") - 1
    points = np.bincount(point_feature, minlength=len(features))
    first = np.concatenate([[0], np.cumsum(points)[:-1]]).astype(np.int64)
    x = np.cumsum(dx)
    y = np.cumsum(dy)
    x -= np.repeat(np.concatenate([[0], x])[first], points)  # every feature's cursor from 0
    y -= np.repeat(np.concatenate([[0], y])[first], points)
    new = part_start[params[0::2]]
    new[first[points > 0]] = True
    part_offsets = np.append(np.flatnonzero(new), x.size).astype(np.int64)
    return LineParts(
        x=x,
        y=y,
        offsets=part_offsets,
        feature=point_feature[part_offsets[:-1]],
        values=_tag_values(layer, features, keys),
    )


def _walk(geom: Any, start: int, is_command: np.ndarray, part_start: np.ndarray) -> None:
    """Mark the commands and part starts of one feature's command stream as
    ``mapbox_vector_tile`` reads it: a ``MoveTo`` or a ``ClosePath`` ends the part, the next
    point starts one; an unknown command is skipped without parameters."""
    i, n, pending = 0, len(geom), True
    while i < n:
        item = geom[i]
        cmd, count = item & 7, item >> 3
        is_command[start + i] = True
        i += 1
        if cmd == _CLOSE_PATH:
            pending = True
        elif cmd in (_MOVE_TO, _LINE_TO):
            pending = pending or cmd == _MOVE_TO
            if count and pending:
                part_start[start + i] = True
                pending = False
            i += 2 * count
    if i > n:
        raise ValueError("a line geometry ends inside its last command's coordinates")


def _tag_values(layer: Any, features: list[Any], keys: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Per feature, the value of each asked key (``None`` if absent; a key given twice: the
    last), as object arrays."""
    names = list(layer.keys)
    table = np.empty(len(layer.values), dtype=object)
    table[:] = [_value(v) for v in layer.values]
    tags = [f.tags for f in features]
    sizes = np.fromiter(map(len, tags), dtype=np.int64, count=len(tags))
    flat = np.fromiter(itertools.chain.from_iterable(tags), dtype=np.int64, count=int(sizes.sum()))
    owner = np.repeat(np.arange(len(features)), sizes // 2)
    key, value = flat[0::2], flat[1::2]
    out: dict[str, np.ndarray] = {}
    for wanted in keys:
        found = np.full(len(features), None, dtype=object)
        ids = [i for i, name in enumerate(names) if name == wanted]
        at = np.flatnonzero(np.isin(key, ids))[::-1]  # the last of a key given twice wins
        who, first = np.unique(owner[at], return_index=True)
        found[who] = table[value[at[first]]]
        out[wanted] = found
    return out


def _value(value: Any) -> Any:
    for field in _VALUE_FIELDS:
        if value.HasField(field):
            return getattr(value, field)
    raise ValueError(f"{value} is an unknown value")
