"""Why a pair of facilities has no travel time: the ``reason`` column of matrices and routes."""

from __future__ import annotations

import numpy as np
import pandas as pd


def matrix_reasons(
    status: np.ndarray,
    o_snap: pd.DataFrame,
    d_snap: pd.DataFrame,
    mode: str,
    limit_s: float | None,
) -> np.ndarray:
    """Why each pair is not ok, for a matrix (origins outer, destinations inner)."""
    o_text, o_bad = _snap_reasons(o_snap, "origin")
    d_text, d_bad = _snap_reasons(d_snap, "destination")
    return _reasons(
        status, o_text[:, None], o_bad[:, None], d_text[None, :], d_bad[None, :], mode, limit_s
    )


def pair_reasons(
    status: np.ndarray, o_snap: pd.DataFrame, d_snap: pd.DataFrame, mode: str
) -> np.ndarray:
    """Why each pair is not ok, for aligned origin and destination rows."""
    o_text, o_bad = _snap_reasons(o_snap, "origin")
    d_text, d_bad = _snap_reasons(d_snap, "destination")
    return _reasons(status, o_text, o_bad, d_text, d_bad, mode, None)


def _snap_reasons(snaps: pd.DataFrame, side: str) -> tuple[np.ndarray, np.ndarray]:
    bad = (snaps["status"] != "ok").to_numpy()
    text = np.where(bad, side + " " + snaps["facility_id"] + ": " + snaps["reason"], "")
    return text.astype(object), bad


def _reasons(
    status: np.ndarray,
    o_text: np.ndarray,
    o_bad: np.ndarray,
    d_text: np.ndarray,
    d_bad: np.ndarray,
    mode: str,
    limit_s: float | None,
) -> np.ndarray:
    glue = np.where(o_bad & d_bad, "; ", "").astype(object)
    reason = np.asarray(o_text + glue + d_text, dtype=object)
    reason = np.broadcast_to(reason, status.shape).copy()
    reason[status == "unreachable"] = (
        f"no {mode} road path between the snapped points"
        if limit_s is None
        else f"no {mode} road path within limit_s={limit_s:,.0f} s"
    )
    return reason
