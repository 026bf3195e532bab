"""Elastic distances: dynamic time warping (DTW) and LCSS for numeric series.

A series is a 1-D array-like (``n`` samples) or a 2-D ``(n, d)`` array-like for
``d``-dimensional samples: **time is the first axis** (tslearn's convention, one
row per time step). Channels-first data (aeon/sktime's ``(n_channels,
n_timepoints)``) must say so with ``time_axis=1``; a square or otherwise
equal-shaped array cannot be told apart. Both series of a comparison need the
same ``d``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _dtw
from ._validation import (
    MAX_CELLS,
    as_count,
    as_multiseries,
    as_positive_float,
    as_time_axis,
    as_window,
    check_cells,
)
from .errors import TemporalCompareError

__all__ = ["METRICS", "STEP_PATTERNS", "dtw", "dtw_path", "lcss"]

#: Local cost names accepted by :func:`dtw`, with their kernel code.
METRICS = {"sqeuclidean": 0, "absolute": 1, "euclidean": 2}
#: Step patterns accepted by :func:`dtw`, with their kernel code.
STEP_PATTERNS = {"symmetric1": 0, "symmetric2": 1}


def _pair(
    x: ArrayLike, y: ArrayLike, nan: str = "raise", time_axis: Any = 0
) -> tuple[NDArray[np.float64], ...]:
    if nan not in ("raise", "propagate"):
        raise TemporalCompareError(f"nan must be 'raise' or 'propagate', got {nan!r}")
    axis = as_time_axis(time_axis)
    a = as_multiseries(x, "x", allow_nan=nan == "propagate", time_axis=axis)
    b = as_multiseries(y, "y", allow_nan=nan == "propagate", time_axis=axis)
    if a.shape[1] != b.shape[1]:
        raise TemporalCompareError(
            f"x and y must have the same number of dimensions, got {a.shape[1]} and {b.shape[1]}"
        )
    return a, b


def _codes(metric: str, step: str) -> tuple[int, int]:
    if metric not in METRICS:
        raise TemporalCompareError(f"metric must be one of {sorted(METRICS)}, got {metric!r}")
    if step not in STEP_PATTERNS:
        raise TemporalCompareError(
            f"step_pattern must be one of {sorted(STEP_PATTERNS)}, got {step!r}"
        )
    return METRICS[metric], STEP_PATTERNS[step]


def band(
    n: int, m: int, window: int | None = None, itakura_max_slope: float | None = None
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Allowed columns ``lo[i] <= j <= hi[i]`` of each row of an ``n x m`` DTW matrix.

    ``window`` is the Sakoe-Chiba radius ``|i - j| <= window``. The Itakura
    parallelogram with slope ``s`` keeps cells whose normalised coordinates
    ``u = i / (n - 1)``, ``v = j / (m - 1)`` satisfy ``u / s <= v <= s * u`` and
    ``(1 - u) / s <= 1 - v <= s * (1 - u)`` (no constraint when ``n`` or ``m`` is 1).
    Rows may come out empty (``lo > hi``): then no warping path exists.
    """
    i = np.arange(n, dtype=np.float64)
    lo = np.zeros(n)
    hi = np.full(n, m - 1.0)
    if window is not None:
        lo = np.maximum(lo, i - window)
        hi = np.minimum(hi, i + window)
    if itakura_max_slope is not None and n > 1 and m > 1:
        s = itakura_max_slope
        u = i / (n - 1)
        scale = m - 1
        tol = 1e-9
        v_lo = np.maximum(u / s, 1.0 - s * (1.0 - u))
        v_hi = np.minimum(s * u, 1.0 - (1.0 - u) / s)
        lo = np.maximum(lo, np.ceil(v_lo * scale - tol))
        hi = np.minimum(hi, np.floor(v_hi * scale + tol))
    return np.ascontiguousarray(lo, dtype=np.int64), np.ascontiguousarray(hi, dtype=np.int64)


def _options(
    window: Any, itakura_max_slope: Any, metric: str, step_pattern: str, longest: int
) -> tuple[int | None, float | None, int, int]:
    w = as_window(window, limit=longest)
    slope = None
    if itakura_max_slope is not None:
        slope = as_positive_float(itakura_max_slope, "itakura_max_slope")
        if slope < 1.0:
            raise TemporalCompareError(f"itakura_max_slope must be >= 1, got {itakura_max_slope!r}")
    metric_code, step_code = _codes(metric, step_pattern)
    return w, slope, metric_code, step_code


def _psi(psi: Any, n: int, m: int) -> tuple[int, int, int, int] | None:
    """Psi relaxation as ``(x begin, x end, y begin, y end)``, clamped to the lengths;
    None when nothing is relaxed."""
    if psi is None:
        return None
    if isinstance(psi, (tuple, list)):
        if len(psi) != 4:
            raise TemporalCompareError(f"psi must be an integer or 4 integers, got {psi!r}")
        parts = [as_count(v, f"psi[{k}]") for k, v in enumerate(psi)]
    else:
        parts = [as_count(psi, "psi")] * 4
    xb, xe, yb, ye = parts
    relaxed = (min(xb, n), min(xe, n), min(yb, m), min(ye, m))
    return relaxed if any(relaxed) else None


def dtw(
    x: ArrayLike,
    y: ArrayLike,
    *,
    window: int | None = None,
    metric: str = "sqeuclidean",
    max_dist: float | None = None,
    itakura_max_slope: float | None = None,
    step_pattern: str = "symmetric1",
    nan: str = "raise",
    time_axis: int = 0,
    psi: int | tuple[int, int, int, int] | None = None,
) -> float:
    """Dynamic time warping distance between two numeric series.

    Parameters
    ----------
    x, y : array_like
        1-D series, or 2-D ``(n, d)`` / ``(m, d)`` multivariate series.
    window : int, optional
        Sakoe-Chiba radius: only cells with ``|i - j| <= window`` are used. When
        ``|n - m| > window`` no warping path exists and the result is ``inf``.
    metric : {"sqeuclidean", "euclidean", "absolute"}
        ``"sqeuclidean"`` accumulates squared differences and returns the square
        root of the total (the dtaidistance convention); ``"euclidean"``
        accumulates the Euclidean norm of each sample difference; ``"absolute"``
        accumulates absolute differences summed over dimensions. The last two
        are equal for univariate series.
    max_dist : float, optional
        Abandon early and return ``inf`` once the distance is sure to exceed it.
    itakura_max_slope : float, optional
        Restrict warping to the Itakura parallelogram with this slope (``>= 1``).
    step_pattern : {"symmetric1", "symmetric2"}
        ``symmetric1``: every step adds the local cost once. ``symmetric2``: a
        diagonal step adds it twice (the classic "symmetric2" of the R dtw
        package, unnormalised).
    nan : {"raise", "propagate"}
        ``"raise"`` rejects NaN; ``"propagate"`` returns NaN when an input has one.
    time_axis : {0, 1}
        Axis of a 2-D input that is time: 0 for ``(n, d)`` (the default), 1 for
        channels-first ``(d, n)``.
    psi : int or (int, int, int, int), optional
        Psi relaxation (dtaidistance's ``psi``) for series cut at arbitrary
        points: the path may skip up to ``psi`` samples at the beginning and end
        of either series at no cost. A 4-tuple gives ``(x begin, x end, y begin,
        y end)`` separately. ``symmetric1`` step only.

    Returns
    -------
    float
        The distance; ``0.0`` for two empty series and ``inf`` when exactly one
        is empty or no warping path satisfies the constraints.

    Examples
    --------
    >>> dtw([0.0, 1.0, 2.0], [0.0, 1.0, 1.0, 2.0])
    0.0
    >>> dtw([0.0, 0.0], [3.0, 4.0], metric="absolute")
    7.0
    """
    a, b = _pair(x, y, nan, time_axis)
    w, slope, metric_code, step_code = _options(
        window, itakura_max_slope, metric, step_pattern, max(a.shape[0], b.shape[0])
    )
    limit = math.inf
    if max_dist is not None:
        limit = as_positive_float(max_dist, "max_dist")
        if metric_code == 0:
            limit = limit * limit
    if nan == "propagate" and (np.isnan(a).any() or np.isnan(b).any()):
        return math.nan
    n, m = a.shape[0], b.shape[0]
    if n == 0 or m == 0:
        return 0.0 if n == m else math.inf
    relax = _psi(psi, n, m)
    if relax is not None:
        if step_code != 0:
            raise TemporalCompareError("psi relaxation needs step_pattern='symmetric1'")
        lo, hi = band(n, m, w, slope)
        total = _dtw.dtw_psi(a.reshape(-1), b.reshape(-1), a.shape[1], lo, hi, metric_code, *relax)
        if total > limit:
            return math.inf
        return math.sqrt(total) if metric_code == 0 else total
    if w is not None and abs(n - m) > w:
        return math.inf
    if a.shape[1] == 1 and step_code == 0 and slope is None and math.isinf(limit):
        radius = max(n, m) if w is None else w
        total = _dtw.dtw_wavefront(a.reshape(-1), b.reshape(-1), radius, min(metric_code, 1))
        return math.sqrt(total) if metric_code == 0 else total
    lo, hi = band(n, m, w, slope)
    total = _dtw.dtw_rows(
        a.reshape(-1), b.reshape(-1), a.shape[1], lo, hi, metric_code, step_code, limit
    )
    if total > limit:
        return math.inf
    return math.sqrt(total) if metric_code == 0 else total


def dtw_path(
    x: ArrayLike,
    y: ArrayLike,
    *,
    window: int | None = None,
    metric: str = "sqeuclidean",
    itakura_max_slope: float | None = None,
    step_pattern: str = "symmetric1",
    time_axis: int = 0,
    memory: str = "auto",
) -> tuple[float, NDArray[np.int64]]:
    """DTW distance and the optimal warping path.

    Takes the same options as :func:`dtw` (except ``max_dist`` and ``psi``).
    Memory: the forward pass keeps two rows of costs and one byte per cell of
    the allowed band for the backtrack, so a ``window`` cuts memory from
    ``n * m`` to about ``n * (2 * window + 1)`` bytes.

    ``memory="linear"`` finds the path of an unconstrained ``symmetric1``
    problem in ``O(n + m)`` memory (Hirschberg's divide and conquer: split
    ``x`` in half, meet the forward and backward costs in the middle, recurse),
    for about 2-3 times the time. ``"auto"`` (the default) switches to it when the
    band would exceed :data:`temporal_compare._validation.MAX_CELLS` cells;
    ``"band"`` never does, and oversized inputs raise before allocating.

    Returns
    -------
    distance : float
        As :func:`dtw`.
    path : ndarray of shape (k, 2)
        Index pairs ``(i, j)`` from ``(0, 0)`` to ``(n - 1, m - 1)``; empty
        ``(0, 2)`` when either series is empty or no path exists.

    Examples
    --------
    >>> distance, path = dtw_path([0.0, 1.0, 2.0], [0.0, 2.0])
    >>> distance
    1.0
    >>> path.tolist()
    [[0, 0], [1, 0], [2, 1]]
    """
    a, b = _pair(x, y, time_axis=time_axis)
    w, slope, metric_code, step_code = _options(
        window, itakura_max_slope, metric, step_pattern, max(a.shape[0], b.shape[0])
    )
    if memory not in ("auto", "band", "linear"):
        raise TemporalCompareError(f"memory must be 'auto', 'band' or 'linear', got {memory!r}")
    n, m = a.shape[0], b.shape[0]
    empty = np.zeros((0, 2), dtype=np.int64)
    if n == 0 or m == 0:
        return (0.0 if n == m else math.inf), empty
    if w is not None and abs(n - m) > w:
        return math.inf, empty
    unconstrained = (w is None or w >= max(n, m)) and slope is None and step_code == 0
    if memory == "linear" and not unconstrained:
        raise TemporalCompareError(
            "memory='linear' needs an unconstrained symmetric1 problem (no window, no Itakura)"
        )
    if memory == "linear" or (memory == "auto" and unconstrained and n * m > MAX_CELLS):
        total, path = _hirschberg(a, b, metric_code)
        return (math.sqrt(total) if metric_code == 0 else total), path
    lo, hi = band(n, m, w, slope)
    widths = np.maximum(hi - lo + 1, 0)
    cells = int(widths.sum())
    check_cells(cells, "dtw_path")
    if a.shape[1] == 1 and step_code == 0 and slope is None:
        path = np.empty((n + m - 1, 2), dtype=np.int64)
        radius = max(n, m) if w is None else w
        total, length = _dtw.dtw_path_wavefront(
            a.reshape(-1), b.reshape(-1), radius, min(metric_code, 1), path
        )
        if length == 0:
            return math.inf, empty
        distance = math.sqrt(total) if metric_code == 0 else total
        return distance, np.ascontiguousarray(path[n + m - 1 - length :])
    offsets = np.zeros(n, dtype=np.int64)
    np.cumsum(widths[:-1], out=offsets[1:])
    trace = np.empty(max(cells, 1), dtype=np.uint8)
    total = _dtw.dtw_trace(
        a.reshape(-1), b.reshape(-1), a.shape[1], lo, hi, offsets, trace, metric_code, step_code
    )
    if math.isinf(total):
        return math.inf, empty
    path = np.empty((n + m - 1, 2), dtype=np.int64)
    length = _dtw.backtrack(trace, lo, offsets, n, m, path)
    distance = math.sqrt(total) if metric_code == 0 else total
    return distance, np.ascontiguousarray(path[n + m - 1 - length :])


#: Blocks of at most this many cells are solved with the byte-per-cell backtrack.
_HIRSCHBERG_BLOCK = 1 << 22


def _last_row(a: NDArray[np.float64], b: NDArray[np.float64], metric: int) -> NDArray[np.float64]:
    out = np.empty(b.shape[0])
    _dtw.dtw_last_row(
        np.ascontiguousarray(a).reshape(-1), np.ascontiguousarray(b).reshape(-1), a.shape[1],
        metric, out,
    )  # fmt: skip
    return out


def _hirschberg(
    a: NDArray[np.float64], b: NDArray[np.float64], metric: int
) -> tuple[float, NDArray[np.int64]]:
    """Unconstrained symmetric1 DTW path in linear memory (accumulated cost, path).

    A block ``x[i0..i1] x y[j0..j1]`` is split at row ``mid``: the forward costs
    ``F[j]`` of row ``mid`` (from ``(i0, j0)``) and the backward costs ``B[j']``
    of row ``mid + 1`` (to ``(i1, j1)``) meet where ``F[j] + B[j']`` is least
    over the two moves that cross rows, ``j' = j`` (up) or ``j + 1`` (diagonal).
    The halves are solved the same way until a block is small enough for the
    ordinary byte-per-cell backtrack.
    """
    name = {0: "sqeuclidean", 1: "absolute", 2: "euclidean"}[metric]
    pieces: list[NDArray[np.int64]] = []
    stack = [(0, a.shape[0] - 1, 0, b.shape[0] - 1)]
    while stack:
        i0, i1, j0, j1 = stack.pop()
        rows, cols = i1 - i0 + 1, j1 - j0 + 1
        if rows == 1 or cols == 1 or rows * cols <= _HIRSCHBERG_BLOCK:
            _, block = dtw_path(a[i0 : i1 + 1], b[j0 : j1 + 1], metric=name, memory="band")
            pieces.append(block + np.array([i0, j0]))
            continue
        mid = (i0 + i1) // 2
        forward = _last_row(a[i0 : mid + 1], b[j0 : j1 + 1], metric)
        backward = _last_row(a[i1:mid:-1], b[j1 : j0 - 1 if j0 else None : -1], metric)[::-1]
        ahead = np.append(backward[1:], np.inf)  # B[j + 1]; nothing past the last column
        total = forward + np.minimum(backward, ahead)
        j = int(np.argmin(total))
        j_next = j if backward[j] <= ahead[j] else j + 1
        # solve the left half first: push the right half below it
        stack.append((mid + 1, i1, j0 + j_next, j1))
        stack.append((i0, mid, j0, j0 + j))
    path = np.ascontiguousarray(np.concatenate(pieces), dtype=np.int64)
    return float(_cell_costs(a, b, path, metric).sum()), path


def _cell_costs(
    a: NDArray[np.float64], b: NDArray[np.float64], path: NDArray[np.int64], metric: int
) -> NDArray[np.float64]:
    diff = a[path[:, 0]] - b[path[:, 1]]
    if metric == 0:
        return (diff * diff).sum(axis=1)
    if metric == 1:
        return np.abs(diff).sum(axis=1)
    return np.sqrt((diff * diff).sum(axis=1))


def lcss(
    x: ArrayLike,
    y: ArrayLike,
    *,
    epsilon: float,
    window: int | None = None,
    time_axis: int = 0,
) -> float:
    """Longest common subsequence similarity (LCSS) of two real-valued series.

    Two samples match when every coordinate differs by at most ``epsilon`` and
    (with a ``window``) their indices differ by at most ``window``.

    Returns
    -------
    float
        LCSS length divided by ``min(n, m)``, in ``[0, 1]`` (the tslearn
        convention); ``1.0`` when both series are empty, ``0.0`` when one is.

    Examples
    --------
    >>> lcss([0.0, 1.0, 2.0, 3.0], [0.1, 2.1, 2.9], epsilon=0.2)
    1.0
    """
    a, b = _pair(x, y, time_axis=time_axis)
    eps = as_positive_float(epsilon, "epsilon")
    n, m = a.shape[0], b.shape[0]
    w = as_window(window, limit=max(n, m))
    if n == 0 or m == 0:
        return 1.0 if n == m else 0.0
    radius = max(n, m) if w is None else w
    length = _dtw.lcss_length(a.reshape(-1), b.reshape(-1), a.shape[1], eps, radius)
    return length / min(n, m)
