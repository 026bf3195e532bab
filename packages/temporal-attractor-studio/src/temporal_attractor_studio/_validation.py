"""Input checks shared by the public modules, run before any kernel is entered."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import AttractorError


def as_series(values: ArrayLike, name: str = "series") -> NDArray[np.float64]:
    """Return *values* as a 1-D finite float64 array, or raise naming *name*."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise AttractorError(f"{name} must be numeric: {exc}") from exc
    if arr.ndim != 1:
        raise AttractorError(f"{name} must be 1-D, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise AttractorError(f"{name} contains NaN or infinity")
    return arr


def as_points(values: ArrayLike, name: str = "points") -> NDArray[np.float64]:
    """Return *values* as a C-contiguous finite (n, d) float64 array, or raise naming *name*."""
    try:
        arr = np.ascontiguousarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise AttractorError(f"{name} must be numeric: {exc}") from exc
    if arr.ndim != 2:
        raise AttractorError(f"{name} must be 2-D (n_points, dim), got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise AttractorError(f"{name} contains NaN or infinity")
    return arr
