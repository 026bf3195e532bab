"""Nearest neighbours in phase space, excluding temporally close points."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from ._validation import as_int, as_points

__all__ = ["admissible_neighbors", "nearest_neighbors"]


def admissible_neighbors(
    points: NDArray[np.float64],
    query: NDArray[np.intp],
    theiler: int,
    *,
    chebyshev: bool = False,
    skip_zero: bool = True,
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Nearest point to each ``points[query]`` that is more than *theiler* steps away.

    A KD-tree (O(n) memory) is asked for the ``k = 8`` nearest points first; only
    the queries whose ``k`` nearest are all inadmissible (inside the Theiler window,
    or coincident when ``skip_zero``) are asked again with ``4k``. With
    ``skip_zero``, coincident points carry no direction and are not neighbours; the
    search then stops at ``8 * (2 * theiler + 1) + 64`` candidates so a series of
    repeated values cannot make it quadratic. Rows without an admissible neighbour
    get -1 and inf.
    """
    tree = cKDTree(points)
    n_tree = tree.n
    max_k = 8 * (2 * theiler + 1) + 64 if skip_zero else n_tree
    p = np.inf if chebyshev else 2.0
    index = np.full(query.shape[0], -1, dtype=np.intp)
    dist = np.full(query.shape[0], np.inf)
    todo = np.arange(query.shape[0])
    k = 8
    while todo.size:
        kk = min(k, n_tree)
        d, j = tree.query(points[query[todo]], k=kk, p=p)
        d = d.reshape(todo.size, kk)
        j = j.reshape(todo.size, kk)
        ok = (np.abs(j - query[todo, None]) > theiler) & np.isfinite(d)
        if skip_zero:
            ok &= d > 0
        has = ok.any(axis=1)
        first = ok.argmax(axis=1)
        rows = todo[has]
        index[rows] = j[has, first[has]]
        dist[rows] = d[has, first[has]]
        todo = todo[~has]
        if kk >= min(n_tree, max_k):
            break
        k *= 4
    return index, dist


def nearest_neighbors(
    points: ArrayLike, *, theiler: int = 0
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Index of and distance to each point's nearest neighbour.

    Neighbours closer in time than ``theiler + 1`` samples are excluded (the Theiler
    window), so a trajectory's own continuation is not taken as its neighbour.
    A KD-tree is used, so memory is O(n) and the time about O(n log n) on an
    attractor, never the O(n²) of a distance matrix.

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
    w = as_int(theiler, "theiler", 0)
    if pts.shape[0] == 0 or pts.shape[1] == 0:
        return np.full(pts.shape[0], -1, dtype=np.intp), np.full(pts.shape[0], np.inf)
    return admissible_neighbors(pts, np.arange(pts.shape[0]), w, skip_zero=False)
