"""Cheap lower bounds of the DTW distance, and the envelopes they use.

Both bounds are in the units of :func:`temporal_compare.dtw` with the default
``sqeuclidean`` metric (the square root of accumulated squared differences), so
``lb_kim(q, c) <= dtw(q, c)`` and ``lb_keogh(q, c, w) <= dtw(q, c, window=w)``.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _search
from ._validation import as_count, as_series
from .errors import TemporalCompareError

__all__ = ["envelope", "lb_keogh", "lb_kim"]


def envelope(series: ArrayLike, window: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Upper and lower envelope: running max and min over ``[i - window, i + window]``.

    Computed in O(n) with monotone deques (Lemire's streaming min/max).

    Examples
    --------
    >>> upper, lower = envelope([1.0, 3.0, 2.0, 0.0], 1)
    >>> upper.tolist(), lower.tolist()
    ([3.0, 3.0, 3.0, 2.0], [1.0, 1.0, 0.0, 0.0])
    """
    x = as_series(series, "series")
    # a radius past the series end covers it all; clamping keeps the kernel's
    # block size (2 * window + 1) and buffers proportional to the series
    r = min(as_count(window, "window"), x.shape[0])
    upper = np.empty_like(x)
    lower = np.empty_like(x)
    _search.envelope(x, r, upper, lower)
    return upper, lower


def lb_keogh(query: ArrayLike, candidate: ArrayLike, window: int) -> float:
    """LB_Keogh: how far ``query`` leaves the envelope of ``candidate``.

    A lower bound of ``dtw(query, candidate, window=window)`` for equal lengths.

    Examples
    --------
    >>> lb_keogh([0.0, 5.0, 0.0], [0.0, 1.0, 0.0], 1)
    4.0
    """
    q = as_series(query, "query")
    c = as_series(candidate, "candidate")
    if q.shape[0] != c.shape[0]:
        raise TemporalCompareError(
            f"query and candidate must have the same length for lb_keogh, got {q.shape[0]} "
            f"and {c.shape[0]}"
        )
    upper, lower = envelope(c, window)
    return math.sqrt(_search.keogh_sq(q, upper, lower))


def lb_kim(query: ArrayLike, candidate: ArrayLike) -> float:
    """LB_Kim (first and last points): every warping path matches both pairs of ends.

    A lower bound of ``dtw(query, candidate)`` under any window; ``0.0`` when a
    series is empty.

    Examples
    --------
    >>> lb_kim([0.0, 9.0, 3.0], [0.0, 4.0])
    1.0
    """
    q = as_series(query, "query")
    c = as_series(candidate, "candidate")
    if q.shape[0] == 0 or c.shape[0] == 0:
        return 0.0
    # Python floats: overflow gives inf quietly, as the kernels do
    head = float(q[0]) - float(c[0])
    if q.shape[0] == 1 and c.shape[0] == 1:
        return abs(head)
    tail = float(q[-1]) - float(c[-1])
    return math.sqrt(head * head + tail * tail)
