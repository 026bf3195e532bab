"""Input checks shared by the public modules, run before any kernel is entered."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import TemporalCompareError


def as_series(values: ArrayLike, name: str) -> NDArray[np.float64]:
    """Return *values* as a contiguous 1-D float64 array, or raise naming *name*."""
    try:
        arr = np.ascontiguousarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TemporalCompareError(f"{name} must be numeric: {exc}") from exc
    if arr.ndim != 1:
        raise TemporalCompareError(f"{name} must be 1-D, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise TemporalCompareError(f"{name} contains NaN or infinity")
    return arr
