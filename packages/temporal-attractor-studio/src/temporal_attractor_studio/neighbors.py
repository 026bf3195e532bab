"""Nearest neighbours in phase space, excluding temporally close points."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from . import _delay_neighbors
from ._validation import as_int, as_points
from .errors import AttractorError

__all__ = [
    "NeighborSearch",
    "admissible_neighbors",
    "delay_admissible_neighbors",
    "find_admissible_neighbors",
    "nearest_neighbors",
    "neighbor_tree",
]


#: k of the first KD-tree round (the query point itself and the nearest other
#: point); later rounds ask for 4x more (8, 32, ...). In the 8-10 dimensions Cao
#: picks for noise the nearest other point is almost always admissible, and a
#: KD-tree query there costs about twice as much at k = 8 as at k = 2.
_FIRST_K = 2
_SECOND_K = 4 * _FIRST_K
#: Candidate points the search may examine: this many per query plus
#: ``_BASE_CANDIDATES``. Recurrent series need 8-12 per query on the calibration
#: set, a damped oscillator's spiral 40; a drifting series (random walk, trend),
#: whose nearest points are all its own past and future, would otherwise be
#: searched up to k ~ n per query (seconds at n = 10,000). 64 for the rounds from
#: k = 8 on, plus the first round's ``_FIRST_K``.
_CANDIDATES_PER_QUERY = 64 + _FIRST_K
_BASE_CANDIDATES = 1 << 15
#: Points per KD-tree leaf: 32 instead of scipy's 16 makes the high-dimensional
#: queries of noise ~15% cheaper and leaves low-dimensional ones unchanged.
_LEAF_SIZE = 32
#: Queries of at least this many points are spread over every core (scipy's
#: ``workers=-1``: the same answers; below this the threads cost more than they save).
_PARALLEL_QUERIES = 2048


@dataclass(frozen=True)
class NeighborSearch:
    """Outcome of :func:`find_admissible_neighbors`.

    Attributes
    ----------
    index : ndarray of intp
        Neighbour per query, -1 where none was found.
    distance : ndarray of float64
        Distance to it, inf where none was found.
    candidates : int
        Candidate points examined (sum over KD-tree rounds of queries x k): the work.
    budget : int
        The most ``candidates`` could have been.
    abandoned : int
        Queries given -1 because the budget ran out, not because no admissible
        point exists.
    """

    index: NDArray[np.intp]
    distance: NDArray[np.float64]
    candidates: int
    budget: int
    abandoned: int


def neighbor_tree(points: NDArray[np.float64]) -> cKDTree:
    """The KD-tree :func:`find_admissible_neighbors` searches (32-point leaves)."""
    return cKDTree(points, leafsize=_LEAF_SIZE)


def find_admissible_neighbors(
    points: NDArray[np.float64],
    query: NDArray[np.intp],
    theiler: int,
    *,
    chebyshev: bool = False,
    skip_zero: bool = True,
    bounded: bool = True,
    tree: cKDTree | None = None,
) -> NeighborSearch:
    """Nearest point to each ``points[query]`` that is more than *theiler* steps away.

    A KD-tree (O(n) memory) is asked for the ``k = 2`` nearest points first (the
    query point itself and the nearest other one); only the queries whose ``k``
    nearest are all inadmissible (inside the Theiler window, or coincident when
    ``skip_zero``) are asked again with ``4k`` (8, 32, ...). With
    ``skip_zero``, coincident points carry no direction and are not neighbours; the
    search then stops at ``8 * (2 * theiler + 1) + 64`` candidates so a series of
    repeated values cannot make it quadratic.

    With ``bounded`` (the default) the work is bounded: at most
    ``66 * len(query) + 32768`` candidates in all. When a round would exceed what
    is left, an evenly spaced subset of the remaining queries, as many as the rest
    can search through every remaining round, is kept; the others are abandoned
    (-1). A series whose points' nearest neighbours are all inside the Theiler
    window (a drifting, non-recurrent one) then keeps the neighbours of a subset of
    its points; recurrent series never reach the bound on the calibration set.

    ``tree``, when given, is :func:`neighbor_tree` of the same *points* (a caller
    that queries the points again builds it once).
    """
    if tree is None:
        tree = neighbor_tree(points)
    p = np.inf if chebyshev else 2.0

    def first_admissible(todo: NDArray[np.intp], kk: int) -> _Resolved:
        """Per query of ``todo``: admissible point among its ``kk`` nearest? The first
        one and its distance (meaningless where not)."""
        workers = -1 if todo.size >= _PARALLEL_QUERIES else 1
        d, j = tree.query(points[query[todo]], k=kk, p=p, workers=workers)
        d = d.reshape(todo.size, kk)
        j = j.reshape(todo.size, kk)
        ok = (np.abs(j - query[todo, None]) > theiler) & np.isfinite(d)
        if skip_zero:
            ok &= d > 0
        first = ok.argmax(axis=1)
        rows = np.arange(todo.size)
        return ok.any(axis=1), j[rows, first], d[rows, first]

    def nearest_among(todo: NDArray[np.intp], kk: int) -> _Resolved:
        if kk != _SECOND_K or 2 * todo.size > query.shape[0]:
            has, index, dist = first_admissible(todo, kk)
        else:
            # A recurrent series (the first round resolved at least half the
            # queries): most of the rest have an admissible point among their 4
            # nearest, and a k = 4 query costs about 0.7x a k = 8 one in 8-10
            # dimensions. The 4 nearest are the first 4 of the 8 nearest, so the
            # round's outcome is the same.
            has, index, dist = first_admissible(todo, _SECOND_K // 2)
            rest = np.nonzero(~has)[0]
            if rest.size:
                has[rest], index[rest], dist[rest] = first_admissible(todo[rest], kk)
        return has, index[has], dist[has]

    return _search_in_rounds(
        int(query.shape[0]), tree.n, theiler, nearest_among, skip_zero=skip_zero, bounded=bounded
    )


_Resolved = tuple[NDArray[np.bool_], NDArray[np.intp], NDArray[np.float64]]


def _search_in_rounds(
    n_query: int,
    n_tree: int,
    theiler: int,
    nearest_among: Callable[[NDArray[np.intp], int], _Resolved],
    *,
    skip_zero: bool,
    bounded: bool,
) -> NeighborSearch:
    """The rounds and work bound of :func:`find_admissible_neighbors`.

    ``nearest_among(todo, k)`` tells, for the queries ``todo``, which have an
    admissible point among their ``k`` nearest points and, for those, the first one
    and its distance.
    """
    max_k = 8 * (2 * theiler + 1) + 64 if skip_zero else n_tree
    index = np.full(n_query, -1, dtype=np.intp)
    dist = np.full(n_query, np.inf)
    budget = _CANDIDATES_PER_QUERY * n_query + _BASE_CANDIDATES
    if not bounded:
        budget = sys.maxsize
    spent = 0
    abandoned = 0
    todo = np.arange(n_query)
    k = _FIRST_K
    while todo.size:
        kk = min(k, n_tree)
        if todo.size * kk > budget - spent:
            # Keep an evenly spaced subset that the rest of the budget can follow
            # through every remaining round, so the kept queries are searched fully.
            deepest, rounds, kr = min(n_tree, max_k), 0, kk
            while True:
                rounds += min(kr, n_tree)
                if min(kr, n_tree) >= deepest:
                    break
                kr *= 4
            affordable = max(0, (budget - spent) // rounds)
            keep = np.unique(np.linspace(0, todo.size - 1, affordable).astype(np.intp))
            abandoned += todo.size - keep.size
            todo = todo[keep]
            if not todo.size:
                break
        has, found_index, found_dist = nearest_among(todo, kk)
        spent += todo.size * kk
        rows = todo[has]
        index[rows] = found_index
        dist[rows] = found_dist
        todo = todo[~has]
        if kk >= min(n_tree, max_k):
            break
        k *= 4
    return NeighborSearch(index, dist, spent, budget, abandoned)


def delay_admissible_neighbors(
    series: NDArray[np.float64],
    delay: int,
    rows: int,
    query: NDArray[np.intp],
    theiler: int,
    dims: range,
) -> list[NeighborSearch]:
    """Max-norm :func:`find_admissible_neighbors` of delay vectors, for several dimensions.

    Item ``t`` is ``find_admissible_neighbors(embed(series, d, delay)[:rows], query,
    theiler, chebyshev=True)`` for ``d = dims[t]``: the same neighbours and the same
    rounds, work bound and abandoned queries (on exact ties of distance the smallest
    row is taken, where the KD-tree's choice was arbitrary). One scan of the series
    (``_delay_neighbors``) finds every dimension's nearest admissible row and its
    place in the sorted distances; the rounds are then replayed from those places.
    In the 5-11 dimensions Cao's estimate reaches on noise this is several times
    cheaper than a KD-tree per dimension.
    """
    x = np.ascontiguousarray(series, dtype=np.float64)
    q = np.ascontiguousarray(query, dtype=np.intp)
    if dims.step != 1 or len(dims) == 0 or dims.start < 1:
        raise AttractorError(f"dims must be a non-empty range of dimensions >= 1, got {dims!r}")
    if x.ndim != 1 or not 0 < rows <= x.shape[0] - (dims.stop - 2) * delay or delay < 1:
        raise AttractorError(
            f"rows={rows} delay vectors of dimension {dims.stop - 1} (delay={delay}) do not "
            f"fit in a series of length {x.shape[0]}"
        )
    if not np.isfinite(x).all():
        raise AttractorError("series contains NaN or infinity")
    if q.ndim != 1 or (q.size and (q.min() < 0 or q.max() >= rows)) or theiler < 0:
        raise AttractorError("query must hold row indices in [0, rows) and theiler be >= 0")
    order = np.argsort(x[:rows], kind="stable").astype(np.intp)
    position = np.empty(rows, dtype=np.intp)
    position[order] = np.arange(rows, dtype=np.intp)
    shape = (len(dims), q.size)
    index = np.empty(shape, dtype=np.intp)
    dist = np.empty(shape)
    rank = np.empty(shape, dtype=np.intp)
    sorted_vectors = x[order[:, None] + delay * np.arange(dims.stop - 1)]
    _delay_neighbors.chebyshev_delay_neighbors(
        x, delay, sorted_vectors, q, theiler, dims.start, order, position, index, dist, rank
    )
    searches = []
    for t in range(len(dims)):

        def nearest_among(todo: NDArray[np.intp], kk: int, t: int = t) -> _Resolved:
            has = rank[t, todo] <= kk
            return has, index[t, todo[has]], dist[t, todo[has]]

        searches.append(
            _search_in_rounds(q.size, rows, theiler, nearest_among, skip_zero=True, bounded=True)
        )
    return searches


def admissible_neighbors(
    points: NDArray[np.float64],
    query: NDArray[np.intp],
    theiler: int,
    *,
    chebyshev: bool = False,
    skip_zero: bool = True,
    bounded: bool = True,
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """``(index, distance)`` of :func:`find_admissible_neighbors`.

    Rows without an admissible neighbour, or abandoned by the work bound, get -1
    and inf.
    """
    found = find_admissible_neighbors(
        points, query, theiler, chebyshev=chebyshev, skip_zero=skip_zero, bounded=bounded
    )
    return found.index, found.distance


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
    return admissible_neighbors(pts, np.arange(pts.shape[0]), w, skip_zero=False, bounded=False)
