"""Input checks shared by the public modules, run before any kernel is entered."""

from __future__ import annotations

import math
import operator
import os
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import TemporalCompareError

#: Largest number of dynamic-programming cells a function will allocate memory for
#: (one byte each for warping paths and edit scripts). Larger problems raise
#: :class:`TemporalCompareError` before anything is allocated.
MAX_CELLS = 400_000_000
#: Most threads a function starts; each holds working memory, so a huge count
#: must not turn into a huge allocation.
MAX_THREADS = 256


def as_float_array(values: Any, name: str) -> NDArray[np.float64]:
    """Return *values* as a contiguous float64 array of any shape, or raise naming *name*.

    ``None`` (anywhere) and complex numbers are refused instead of becoming NaN or
    losing their imaginary part, which numpy's cast would do silently.
    """
    if values is None:
        raise TemporalCompareError(f"{name} must be an array of real numbers, got None")
    try:
        raw = np.asarray(values)
    except (TypeError, ValueError) as exc:
        raise TemporalCompareError(f"{name} must be numeric: {exc}") from exc
    if raw.dtype.kind == "c":
        raise TemporalCompareError(
            f"{name} is complex; pass the real part, the magnitude or both as dimensions"
        )
    if raw.dtype.kind == "O":
        for v in raw.flat:
            if v is None:
                raise TemporalCompareError(f"{name} contains None")
            if isinstance(v, complex):
                raise TemporalCompareError(
                    f"{name} is complex; pass the real part, the magnitude or both as dimensions"
                )
    try:
        return np.ascontiguousarray(raw, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TemporalCompareError(f"{name} must be numeric: {exc}") from exc


def as_series(values: ArrayLike, name: str, *, check_finite: bool = True) -> NDArray[np.float64]:
    """Return *values* as a contiguous 1-D float64 array, or raise naming *name*.

    With ``check_finite=False`` the caller takes over the NaN/infinity check.
    """
    arr = as_float_array(values, name)
    if arr.ndim != 1:
        raise TemporalCompareError(f"{name} must be 1-D, got shape {arr.shape}")
    if check_finite and not np.isfinite(arr).all():
        raise TemporalCompareError(f"{name} contains NaN or infinity")
    return arr


def as_time_axis(time_axis: Any) -> int:
    """Return *time_axis* (0 or 1, or -1 / -2) as 0 or 1, or raise."""
    axis = as_count(time_axis, "time_axis", minimum=-2)
    if axis > 1:
        raise TemporalCompareError(f"time_axis must be 0 or 1 (or -1, -2), got {time_axis!r}")
    return axis % 2


def as_multiseries(
    values: ArrayLike, name: str, *, allow_nan: bool = False, time_axis: int = 0
) -> NDArray[np.float64]:
    """Return *values* as a contiguous ``(n, d)`` float64 array (1-D input gets ``d = 1``).

    ``time_axis=1`` reads 2-D input as channels-first ``(d, n)`` (aeon/sktime).
    """
    arr = as_float_array(values, name)
    if arr.ndim == 2 and time_axis == 1:
        arr = np.ascontiguousarray(arr.T)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    elif arr.ndim != 2:
        raise TemporalCompareError(f"{name} must be 1-D or 2-D (n, d), got shape {arr.shape}")
    if arr.shape[1] == 0:
        raise TemporalCompareError(
            f"{name} must have at least one dimension, got shape {arr.shape}"
        )
    if not allow_nan and not np.isfinite(arr).all():
        raise TemporalCompareError(f"{name} contains NaN or infinity")
    if allow_nan and np.isinf(arr).any():
        raise TemporalCompareError(f"{name} contains infinity")
    return arr


def as_count(value: Any, name: str, *, minimum: float = 0) -> int:
    """Return *value* as an ``int`` at least *minimum*, or raise naming *name*."""
    if isinstance(value, (bool, np.bool_)):
        raise TemporalCompareError(f"{name} must be an integer, got {value!r}")
    try:
        result = operator.index(value)
    except TypeError:
        raise TemporalCompareError(f"{name} must be an integer, got {value!r}") from None
    if result < minimum:
        raise TemporalCompareError(f"{name} must be >= {minimum}, got {result}")
    return result


def as_window(window: Any, name: str = "window", *, limit: int | None = None) -> int | None:
    """Return a Sakoe-Chiba radius (``None`` for unconstrained) or raise.

    With *limit*, a larger radius is clamped to it: a radius beyond the longer
    series allows nothing more, and kernels take it as a C integer.
    """
    if window is None:
        return None
    w = as_count(window, name, minimum=0)
    return w if limit is None else min(w, limit)


def as_jobs(value: Any, name: str = "n_jobs") -> int:
    """Threads for *value* in the joblib/rapidfuzz convention, clamped to ``[1, MAX_THREADS]``.

    ``None`` or ``-1`` means every CPU, ``-2`` every CPU but one, and so on
    (at least one thread); ``0`` is refused.
    """
    cpus = os.cpu_count() or 1
    if value is None:
        return min(cpus, MAX_THREADS)
    jobs = as_count(value, name, minimum=-math.inf)
    if jobs == 0:
        raise TemporalCompareError(f"{name} must be a positive count or negative (-1: all CPUs)")
    if jobs < 0:
        jobs = max(1, cpus + 1 + jobs)
    return min(jobs, MAX_THREADS)


def as_positive_float(value: Any, name: str, *, allow_zero: bool = True) -> float:
    """Return *value* as a finite float ``>= 0`` (``> 0`` without *allow_zero*)."""
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise TemporalCompareError(f"{name} must be a number, got {value!r}") from None
    if not np.isfinite(result) or result < 0 or (result == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise TemporalCompareError(f"{name} must be a finite number {bound}, got {value!r}")
    return result


def check_cells(cells: int, what: str) -> None:
    """Raise before allocating a table of more than :data:`MAX_CELLS` cells."""
    if cells > MAX_CELLS:
        raise TemporalCompareError(
            f"{what} needs {cells:,} cells, more than the limit of {MAX_CELLS:,}; "
            "use a window or shorter inputs"
        )
