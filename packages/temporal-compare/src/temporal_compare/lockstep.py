"""Lock-step distances: point i of one series against point i of the other."""

from __future__ import annotations

import math

from numpy.typing import ArrayLike

from . import _lockstep
from ._validation import as_series
from .errors import TemporalCompareError

__all__ = ["euclidean"]


def euclidean(x: ArrayLike, y: ArrayLike) -> float:
    """Euclidean distance between two equal-length numeric series.

    Parameters
    ----------
    x, y : array_like
        1-D finite numeric series of the same length.

    Returns
    -------
    float
        ``sqrt(sum((x - y) ** 2))``; ``0.0`` for two empty series.

    Examples
    --------
    >>> euclidean([0.0, 3.0], [4.0, 0.0])
    5.0
    """
    a = as_series(x, "x", check_finite=False)
    b = as_series(y, "y", check_finite=False)
    if a.shape[0] != b.shape[0]:
        raise TemporalCompareError(
            f"x and y must have the same length for a lock-step distance, got {a.shape[0]} "
            f"and {b.shape[0]}"
        )
    total = _lockstep.sqeuclidean(a, b)
    if not math.isfinite(total):
        # NaN or infinity in an input always shows in the sum; find and name it
        # here rather than scanning both inputs on every call
        as_series(a, "x")
        as_series(b, "y")
    return math.sqrt(total)
