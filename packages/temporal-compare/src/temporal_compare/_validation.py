"""Input checks shared by the public modules, run before any kernel is entered."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import TemporalCompareError

#: Largest number of dynamic-programming cells a function will allocate memory for
#: (one byte each for warping paths and edit scripts). Larger problems raise
#: :class:`TemporalCompareError` before anything is allocated.
MAX_CELLS = 400_000_000


def as_series(values: ArrayLike, name: str, *, check_finite: bool = True) -> NDArray[np.float64]:
    """Return *values* as a contiguous 1-D float64 array, or raise naming *name*.

    With ``check_finite=False`` the caller takes over the NaN/infinity check.
    """
    try:
        arr = np.ascontiguousarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TemporalCompareError(f"{name} must be numeric: {exc}") from exc
    if arr.ndim != 1:
        raise TemporalCompareError(f"{name} must be 1-D, got shape {arr.shape}")
    if check_finite and not np.isfinite(arr).all():
        raise TemporalCompareError(f"{name} contains NaN or infinity")
    return arr


def as_multiseries(values: ArrayLike, name: str, *, allow_nan: bool = False) -> NDArray[np.float64]:
    """Return *values* as a contiguous ``(n, d)`` float64 array (1-D input gets ``d = 1``)."""
    try:
        arr = np.ascontiguousarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TemporalCompareError(f"{name} must be numeric: {exc}") from exc
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


def as_count(value: Any, name: str, *, minimum: int = 0) -> int:
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


def as_window(window: Any, name: str = "window") -> int | None:
    """Return a Sakoe-Chiba radius (``None`` for unconstrained) or raise."""
    if window is None:
        return None
    return as_count(window, name, minimum=0)


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
