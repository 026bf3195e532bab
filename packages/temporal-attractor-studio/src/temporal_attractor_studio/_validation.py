"""Input checks shared by the public modules, run before any kernel is entered."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import AttractorError


def reject_complex(values: ArrayLike, name: str) -> None:
    # np.asarray(..., float64) would keep only the real part (with a warning at most).
    if np.iscomplexobj(values):
        raise AttractorError(
            f"{name} is complex; pass the real part, the imaginary part or the modulus "
            "explicitly (np.real, np.imag, np.abs)"
        )


def as_series(values: ArrayLike, name: str = "series") -> NDArray[np.float64]:
    """Return *values* as a 1-D finite float64 array, or raise naming *name*."""
    reject_complex(values, name)
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
    reject_complex(values, name)
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


def _seconds(value: object) -> object:
    """Seconds of a timedelta-like *value* (datetime, numpy or pandas), else *value*."""
    if isinstance(value, np.timedelta64):
        return value / np.timedelta64(1, "s")
    total_seconds = getattr(value, "total_seconds", None)
    if callable(total_seconds):
        return total_seconds()
    return value


def as_dt(value: object, name: str = "dt") -> float:
    """Return *value* (a number or a timedelta, read in seconds) as a finite float > 0."""
    try:
        dt = float(_seconds(value))  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise AttractorError(f"{name} must be a number > 0, got {value!r}") from exc
    if not (np.isfinite(dt) and dt > 0):
        raise AttractorError(f"{name} must be a finite number > 0, got {value!r}")
    return dt


def resolve_dt(series: object, dt: object) -> float:
    """``dt`` as a float; when ``None``, the step of a pandas ``DatetimeIndex`` or 1.

    The index is read as numpy ``datetime64`` values (in whatever unit pandas
    stores), so pandas is never imported here; an irregular index raises instead
    of guessing a step.
    """
    if dt is not None:
        return as_dt(dt)
    index = getattr(series, "index", None)
    if index is None or type(index).__name__ != "DatetimeIndex":
        return 1.0
    stamps = np.asarray(index.values)
    steps = np.diff(stamps) / np.timedelta64(1, "s")
    if steps.size == 0:
        return 1.0
    if not (steps == steps[0]).all() or not steps[0] > 0:
        raise AttractorError(
            "dt was not given and the series' DatetimeIndex is not evenly spaced and "
            "increasing; resample it or pass dt"
        )
    return as_dt(float(steps[0]))
