"""Soft-DTW: a smoothed, differentiable DTW for learning (Cuturi and Blondel 2017).

``soft_dtw`` replaces the minimum of the DTW recurrence by the smoothed minimum
``-gamma * log(sum(exp(-v / gamma)))`` over squared Euclidean local costs (the
tslearn convention: ``gamma -> 0`` gives the *squared* DTW distance, not its
square root). The value can be negative. ``soft_dtw_grad`` also returns its
gradient with respect to ``x``, for use as a loss; ``soft_dtw_alignment``
returns the expected alignment matrix.

Series are 1-D, or 2-D ``(n, d)`` with time first (``time_axis=1`` for
channels-first ``(d, n)``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _softdtw
from ._validation import as_multiseries, as_positive_float, as_time_axis, check_cells
from .errors import TemporalCompareError

__all__ = ["soft_dtw", "soft_dtw_alignment", "soft_dtw_grad"]


def _inputs(
    x: ArrayLike, y: ArrayLike, gamma: Any, time_axis: Any
) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    axis = as_time_axis(time_axis)
    a = as_multiseries(x, "x", time_axis=axis)
    b = as_multiseries(y, "y", time_axis=axis)
    if a.shape[0] == 0 or b.shape[0] == 0:
        raise TemporalCompareError("soft-DTW needs non-empty x and y")
    if a.shape[1] != b.shape[1]:
        raise TemporalCompareError(
            f"x and y must have the same number of dimensions, got {a.shape[1]} and {b.shape[1]}"
        )
    g = as_positive_float(gamma, "gamma", allow_zero=False)
    return a, b, g


def soft_dtw(x: ArrayLike, y: ArrayLike, *, gamma: float = 1.0, time_axis: int = 0) -> float:
    """Soft-DTW value of two series, in ``O(n * m)`` time and ``O(m)`` memory.

    Parameters
    ----------
    x, y : array_like
        Non-empty 1-D series or 2-D ``(n, d)`` / ``(m, d)`` series.
    gamma : float
        Smoothing, ``> 0``; smaller is closer to squared DTW.
    time_axis : {0, 1}
        Axis of 2-D inputs that is time.

    Returns
    -------
    float
        ``R[n, m]`` of the soft recurrence (tslearn's ``soft_dtw``); may be
        negative, and ``soft_dtw(x, x) != 0`` in general.

    Examples
    --------
    >>> round(soft_dtw([0.0, 1.0, 2.0], [0.0, 1.0, 2.0], gamma=0.01), 6)
    0.0
    >>> round(soft_dtw([0.0, 1.0], [0.0, 3.0], gamma=1.0), 4)
    3.6866
    """
    a, b, g = _inputs(x, y, gamma, time_axis)
    work = np.empty(2 * (b.shape[0] + 1))
    return float(_softdtw.value(a.reshape(-1), b.reshape(-1), a.shape[1], g, work))


def _forward_backward(
    a: NDArray[np.float64], b: NDArray[np.float64], gamma: float
) -> tuple[float, NDArray[np.float64]]:
    n, m = a.shape[0], b.shape[0]
    # three float64 matrices (costs, R, E) of about n x m cells each
    check_cells(3 * 8 * (n + 2) * (m + 2), "soft-DTW gradient (bytes)")
    costs = np.empty((n, m))
    _softdtw.costs(a.reshape(-1), b.reshape(-1), a.shape[1], costs)
    R = np.empty((n + 2, m + 2))
    value = _softdtw.forward(costs, gamma, R)
    E = np.empty((n + 2, m + 2))
    _softdtw.backward(costs, R, gamma, E)
    return float(value), E[1 : n + 1, 1 : m + 1]


def soft_dtw_alignment(
    x: ArrayLike, y: ArrayLike, *, gamma: float = 1.0, time_axis: int = 0
) -> tuple[NDArray[np.float64], float]:
    """Expected alignment matrix and soft-DTW value (tslearn's ``soft_dtw_alignment``).

    ``A[i, j]`` is the derivative of the value with respect to the local cost
    of matching ``x[i]`` with ``y[j]``: the probability-like weight of that cell
    under the Gibbs distribution over warping paths. Memory is ``O(n * m)``.

    Examples
    --------
    >>> A, value = soft_dtw_alignment([0.0, 1.0], [0.0, 1.0], gamma=0.01)
    >>> A.round(3).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    a, b, g = _inputs(x, y, gamma, time_axis)
    value, E = _forward_backward(a, b, g)
    return np.ascontiguousarray(E), value


def soft_dtw_grad(
    x: ArrayLike, y: ArrayLike, *, gamma: float = 1.0, time_axis: int = 0
) -> tuple[float, NDArray[np.float64]]:
    """Soft-DTW value and its gradient with respect to ``x``.

    With squared Euclidean costs, ``d value / d x[i] = sum_j A[i, j] * 2 *
    (x[i] - y[j])`` where ``A`` is :func:`soft_dtw_alignment`'s matrix.

    Returns
    -------
    value : float
    grad : ndarray
        Same shape as ``x`` (time first for 2-D input).

    Examples
    --------
    >>> value, grad = soft_dtw_grad([0.0, 2.0], [0.0, 1.0], gamma=0.01)
    >>> round(value, 6), (grad.round(6) + 0.0).tolist()
    (1.0, [0.0, 2.0])
    """
    a, b, g = _inputs(x, y, gamma, time_axis)
    value, E = _forward_backward(a, b, g)
    grad = 2.0 * (E.sum(axis=1)[:, None] * a - E @ b)
    if np.ndim(x) == 1:
        grad = grad[:, 0]
    return value, grad
