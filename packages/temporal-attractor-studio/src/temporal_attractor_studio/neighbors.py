"""Nearest neighbours in phase space, excluding temporally close points."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from ._validation import as_int, as_points

__all__ = ["nearest_neighbors"]


def admissible_neighbors(
    tree: cKDTree,
    points: NDArray[np.float64],
    query: NDArray[np.intp],
    theiler: int,
    p: float = 2.0,
    *,
    skip_zero: bool = True,
    max_k: int | None = None,
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Nearest tree point to each ``points[query]`` that is > *theiler* steps away.

    Tree point ``j`` is trajectory index ``j``. A small ``k`` is queried first and
    only the points whose ``k`` nearest are all inadmissible are queried again with
    a larger ``k``, so memory stays O(len(query) * k) with small ``k``. With
    ``skip_zero``, exact duplicates (distance 0) are skipped because they carry no
    direction; the search then stops at ``max_k`` candidates (default
    ``8 * (2 * theiler + 1) + 64``) so a series of repeated values cannot make it
    quadratic. Points without an admissible neighbour get index -1.
    """
    if max_k is None:
        max_k = 8 * (2 * theiler + 1) + 64 if skip_zero else tree.n
    n_tree = tree.n
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
    A KD-tree is used, so memory is O(n) and time about O(n log n) on an attractor.

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
    if pts.shape[0] == 0:
        return np.empty(0, dtype=np.intp), np.empty(0)
    tree = cKDTree(pts)
    return admissible_neighbors(tree, pts, np.arange(pts.shape[0]), w, skip_zero=False)
