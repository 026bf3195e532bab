"""Tile coding of Box observations (Sutton & Barto 2018, section 9.5.4).

``n_tilings`` grids of ``tiles`` intervals per dimension over ``[low, high]``, each
grid shifted by ``k / n_tilings`` of a tile times the odd displacement vector
``(1, 3, 5, ...)`` (the book's asymmetric offsets). Each grid has one extra tile per
dimension so shifted grids still cover the box. ``encode`` returns the index of the
one active feature per tiling.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._records import record_dict
from ._validation import as_int
from .errors import ObservationError
from .spaces import box_bounds

__all__ = ["TileCoder"]


class TileCoder:
    """Sparse binary features of a continuous observation.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> box = SimpleNamespace(low=[0.0, 0.0], high=[1.0, 1.0], shape=(2,))
    >>> coder = TileCoder(box, n_tilings=4, tiles=4)
    >>> coder.n_features, coder.encode([0.5, 0.5]).shape
    (100, (4,))
    """

    def __init__(
        self,
        space: Any = None,
        *,
        n_tilings: int = 8,
        tiles: int = 8,
        low: Any = None,
        high: Any = None,
    ) -> None:
        if low is not None or high is not None:
            from types import SimpleNamespace

            space = SimpleNamespace(low=low, high=high)
        self.low, self.high = box_bounds(space, "space")
        self.n_tilings = as_int(n_tilings, "n_tilings", minimum=1)
        self.tiles = as_int(tiles, "tiles", minimum=1)
        self.dims = self.low.shape[0]
        per_dim = self.tiles + 1
        self._strides = per_dim ** np.arange(self.dims)
        self.tiling_size = per_dim**self.dims
        self.n_features = self.n_tilings * self.tiling_size
        displacement = 2 * np.arange(self.dims) + 1
        steps = (np.arange(self.n_tilings)[:, None] * displacement[None, :]) % self.n_tilings
        self._offsets = steps / self.n_tilings  # in tile units, in [0, 1)
        self._scale = self.tiles / (self.high - self.low)
        self._base = np.arange(self.n_tilings) * self.tiling_size

    def encode(self, observation: Any) -> np.ndarray:
        """Active feature indices, one per tiling (int64 array of length ``n_tilings``)."""
        try:
            x = np.asarray(observation, dtype=np.float64).ravel()
        except (TypeError, ValueError) as exc:
            raise ObservationError(f"observation: not numeric: {observation!r}") from exc
        if x.shape[0] != self.dims:
            raise ObservationError(f"observation: expected {self.dims} values, got {x.shape[0]}")
        if not np.all(np.isfinite(x)):
            raise ObservationError(f"observation: must be finite, got {x.tolist()}")
        scaled = (np.clip(x, self.low, self.high) - self.low) * self._scale
        coords = np.floor(scaled[None, :] + self._offsets).astype(np.int64)
        return self._base + coords @ self._strides

    def to_dict(self) -> dict[str, Any]:
        return record_dict(self, fields=("low", "high", "n_tilings", "tiles"))
