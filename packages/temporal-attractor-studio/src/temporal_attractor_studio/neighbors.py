"""Nearest neighbours in phase space, excluding temporally close points."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _neighbors
from ._validation import as_points
from .errors import AttractorError

__all__ = ["nearest_neighbors"]


def nearest_neighbors(
    points: ArrayLike, *, theiler: int = 0
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Index of and distance to each point's nearest neighbour.

    Neighbours closer in time than ``theiler + 1`` samples are excluded (the Theiler
    window), so a trajectory's own continuation is not taken as its neighbour.

    Returns
    -------
    index : ndarray of intp
        Neighbour index per point, ``-1`` where no point is admissible.
    distance : ndarray of float64
        Euclidean distance per point, ``inf`` where no point is admissible.

    Examples
    --------
    >>> idx, dist = nearest_neighbors([[0.0], [10.0], [0.5]])
    >>> idx.tolist(), dist.tolist()
    ([2, 2, 0], [0.5, 9.5, 0.5])
    """
    pts = as_points(points)
    if not isinstance(theiler, (int, np.integer)) or theiler < 0:
        raise AttractorError(f"theiler must be an integer >= 0, got {theiler!r}")
    n = pts.shape[0]
    index = np.empty(n, dtype=np.intp)
    distance = np.empty(n, dtype=np.float64)
    _neighbors.nearest_neighbors_brute(pts, int(theiler), index, distance)
    return index, distance
