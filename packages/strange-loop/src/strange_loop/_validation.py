"""Argument checks shared by the public classes; each raises InvalidParameterError."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .errors import InvalidParameterError

__all__ = ["as_int", "as_probability", "as_rate", "as_real", "as_seed_rng"]


def as_real(value: Any, name: str) -> float:
    """``value`` as a finite float, or InvalidParameterError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidParameterError(f"{name}: expected a real number, got {value!r}")
    out = float(value)
    if not math.isfinite(out):
        raise InvalidParameterError(f"{name}: must be finite, got {out}")
    return out


def as_rate(
    value: Any, name: str, *, allow_zero: bool = False, maximum: float | None = None
) -> float:
    """A positive (or non-negative) finite rate, optionally at most ``maximum``."""
    out = as_real(value, name)
    if out < 0 or (out == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise InvalidParameterError(f"{name}: must be {bound}, got {out}")
    if maximum is not None and out > maximum:
        raise InvalidParameterError(f"{name}: must be <= {maximum}, got {out}")
    return out


def as_probability(value: Any, name: str) -> float:
    """A number in ``[0, 1]``."""
    out = as_real(value, name)
    if not 0.0 <= out <= 1.0:
        raise InvalidParameterError(f"{name}: must be in [0, 1], got {out}")
    return out


def as_int(value: Any, name: str, *, minimum: int = 0) -> int:
    """An integer (not bool) at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidParameterError(f"{name}: expected an integer, got {value!r}")
    out = int(value)
    if out < minimum:
        raise InvalidParameterError(f"{name}: must be >= {minimum}, got {out}")
    return out


def as_seed_rng(seed: Any, name: str = "seed") -> np.random.Generator:
    """A fresh PCG64 generator from an int seed or None (entropy)."""
    if seed is not None:
        as_int(seed, name)
    return np.random.default_rng(seed)
