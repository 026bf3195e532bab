"""Duck-typed reading of Gymnasium spaces, without importing gymnasium.

A space with an integer ``n`` is discrete (``gymnasium.spaces.Discrete``; its optional
``start`` is honoured); one with ``low``, ``high`` and ``shape`` is a box
(``gymnasium.spaces.Box``). :class:`DiscreteSpace` is a minimal discrete space for the
package's own environments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import InvalidParameterError, ObservationError

__all__ = ["DiscreteSpace", "box_bounds", "discrete_index", "discrete_size"]


@dataclass(frozen=True)
class DiscreteSpace:
    """The integers ``start .. start + n - 1`` (the attributes of ``gymnasium.spaces.Discrete``)."""

    n: int
    start: int = 0

    def contains(self, x: Any) -> bool:
        return isinstance(x, (int, np.integer)) and self.start <= int(x) < self.start + self.n


def discrete_size(space: Any, name: str) -> int:
    """Number of elements of a discrete space, or InvalidParameterError."""
    n = getattr(space, "n", None)
    if isinstance(n, (int, np.integer)) and not isinstance(n, bool) and int(n) >= 1:
        return int(n)
    raise InvalidParameterError(
        f"{name}: expected a discrete space with an integer n >= 1, got {space!r}"
    )


def discrete_index(value: Any, n: int, start: int, name: str) -> int:
    """``value`` as an index ``0 .. n - 1`` of a discrete space, or ObservationError."""
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ObservationError(
            f"{name}: expected an integer in a Discrete({n}) space, got {value!r}"
        )
    i = int(value) - start
    if not 0 <= i < n:
        raise ObservationError(
            f"{name}: {int(value)} is outside the space [{start}, {start + n - 1}]"
        )
    return i


def box_bounds(space: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Finite lower and upper bounds of a box space as flat float64 arrays."""
    low = getattr(space, "low", None)
    high = getattr(space, "high", None)
    if low is None or high is None:
        raise InvalidParameterError(
            f"{name}: expected a Box space with low and high, got {space!r}"
        )
    lo = np.asarray(low, dtype=np.float64).ravel()
    hi = np.asarray(high, dtype=np.float64).ravel()
    if lo.shape != hi.shape or lo.size == 0:
        raise InvalidParameterError(f"{name}: low and high must have the same non-empty shape")
    if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
        raise InvalidParameterError(
            f"{name}: tile coding needs finite bounds; pass low= and high= for unbounded boxes"
        )
    if np.any(hi <= lo):
        raise InvalidParameterError(f"{name}: every high must exceed its low")
    return lo, hi
