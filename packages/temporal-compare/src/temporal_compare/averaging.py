"""DTW barycentre averaging (DBA, Petitjean, Ketterlin and Gancarski 2011)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_count, as_multiseries, as_time_axis, as_window
from .elastic import dtw, dtw_path
from .errors import TemporalCompareError

__all__ = ["dba"]


def dba(
    series_list: Sequence[ArrayLike],
    *,
    n_iter: int = 10,
    window: int | None = None,
    init: int | None = None,
    tol: float = 1e-9,
    time_axis: int = 0,
) -> NDArray[np.float64]:
    """Average series under DTW: the DBA barycentre.

    Starting from one of the series, each iteration aligns every series to the
    current average with :func:`temporal_compare.dtw_path` and replaces each
    average point by the mean of the points aligned to it. The sum of squared
    DTW distances to the average never increases from one iteration to the next.

    Parameters
    ----------
    series_list : sequence of array_like
        Non-empty 1-D series, or 2-D ``(n, d)`` series with one ``d``.
    n_iter : int
        Maximum number of iterations (it stops earlier once the average moves
        less than ``tol``).
    window : int, optional
        Sakoe-Chiba radius for the alignments.
    init : int, optional
        Index of the series to start from; default the medoid (the series with
        the smallest sum of squared DTW distances to the others).
    time_axis : {0, 1}
        Axis of 2-D series that is time (1 for channels-first ``(d, n)``); the
        average comes back time-first ``(n, d)``.

    Returns
    -------
    ndarray
        The average, with the length of the starting series (1-D when the
        inputs are 1-D).

    Examples
    --------
    >>> dba([[0.0, 1.0, 2.0, 1.0], [0.0, 0.0, 1.0, 2.0, 1.0], [0.0, 1.0, 2.0, 1.0]]).tolist()
    [0.0, 1.0, 2.0, 1.0]
    """
    if isinstance(series_list, np.ndarray) and series_list.ndim == 2:
        series_list = list(series_list)
    if not isinstance(series_list, Sequence) or isinstance(series_list, (str, bytes)):
        raise TemporalCompareError("series_list must be a sequence of series")
    if len(series_list) == 0:
        raise TemporalCompareError("series_list must not be empty")
    axis = as_time_axis(time_axis)
    arrays = [
        as_multiseries(s, f"series_list[{i}]", time_axis=axis) for i, s in enumerate(series_list)
    ]
    if any(a.shape[0] == 0 for a in arrays):
        raise TemporalCompareError("every series in series_list must be non-empty")
    dims = {a.shape[1] for a in arrays}
    if len(dims) > 1:
        raise TemporalCompareError(f"series_list mixes dimensions {sorted(dims)}")
    univariate = all(np.ndim(s) == 1 for s in series_list)
    iterations = as_count(n_iter, "n_iter")
    w = as_window(window, limit=max(a.shape[0] for a in arrays))
    if init is None:
        start = _medoid(arrays, w)
    else:
        start = as_count(init, "init")
        if start >= len(arrays):
            raise TemporalCompareError(f"init must index series_list, got {start}")
    average = arrays[start].copy()
    for _ in range(iterations):
        sums = np.zeros_like(average)
        counts = np.zeros(average.shape[0])
        for a in arrays:
            _, path = dtw_path(average, a, window=w)
            if path.shape[0] == 0:
                raise TemporalCompareError(
                    "a series cannot be aligned to the average within the window; widen it"
                )
            np.add.at(sums, path[:, 0], a[path[:, 1]])
            np.add.at(counts, path[:, 0], 1.0)
        updated = sums / counts[:, None]
        moved = float(np.abs(updated - average).max())
        average = updated
        if moved <= tol:
            break
    return average[:, 0].copy() if univariate else average


def _medoid(arrays: list[NDArray[np.float64]], window: int | None) -> int:
    k = len(arrays)
    cost = np.zeros(k)
    for i in range(k):
        for j in range(i + 1, k):
            d = dtw(arrays[i], arrays[j], window=window) ** 2
            cost[i] += d
            cost[j] += d
    return int(np.argmin(cost))
