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


def check_not_constant(x: NDArray[np.float64], name: str = "series") -> None:
    """Raise when *x* has no variation (nothing to analyse)."""
    # Relative test: a tiny but varying signal is not constant, a large offset
    # with rounding-level wiggles is.
    if x.size and float(np.ptp(x)) <= 1e-12 * float(np.max(np.abs(x))):
        raise AttractorError(f"{name} is constant; there is no dynamics to analyse")


def as_int(value: object, name: str, minimum: int) -> int:
    """Return *value* as an int >= *minimum*, or raise naming *name*."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise AttractorError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def as_dt(value: object, name: str = "dt") -> float:
    """Return *value* as a finite float > 0, or raise naming *name*."""
    try:
        dt = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise AttractorError(f"{name} must be a number > 0, got {value!r}") from exc
    if not (np.isfinite(dt) and dt > 0):
        raise AttractorError(f"{name} must be a finite number > 0, got {value!r}")
    return dt
