"""Time-delay (Takens) embedding of a scalar series."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided
from numpy.typing import ArrayLike, NDArray

from ._validation import as_series
from .errors import AttractorError

__all__ = ["embed"]


def embed(series: ArrayLike, dim: int, delay: int) -> NDArray[np.float64]:
    """Delay-embed *series* into ``dim`` dimensions with lag ``delay``.

    Row ``i`` is ``(x[i], x[i + delay], ..., x[i + (dim - 1) * delay])``. The result
    is a read-only strided view of the input (no copy) when the input is already a
    float64 array.

    Parameters
    ----------
    series : array_like
        1-D finite series.
    dim : int
        Embedding dimension, >= 1.
    delay : int
        Lag in samples, >= 1.

    Returns
    -------
    ndarray of shape ``(len(series) - (dim - 1) * delay, dim)``

    Examples
    --------
    >>> embed([0.0, 1.0, 2.0, 3.0, 4.0], dim=2, delay=2)
    array([[0., 2.],
           [1., 3.],
           [2., 4.]])
    """
    x = as_series(series)
    if not isinstance(dim, (int, np.integer)) or dim < 1:
        raise AttractorError(f"dim must be an integer >= 1, got {dim!r}")
    if not isinstance(delay, (int, np.integer)) or delay < 1:
        raise AttractorError(f"delay must be an integer >= 1, got {delay!r}")
    rows = x.shape[0] - (dim - 1) * delay
    if rows < 1:
        raise AttractorError(
            f"series of length {x.shape[0]} is too short to embed with dim={dim}, "
            f"delay={delay} (needs at least {(dim - 1) * delay + 1} points)"
        )
    stride = x.strides[0]
    return as_strided(x, shape=(rows, dim), strides=(stride, delay * stride), writeable=False)
