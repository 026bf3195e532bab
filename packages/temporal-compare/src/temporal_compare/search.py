"""Subsequence search: the best matches of a query inside a long series (UCR suite).

Each window of the series is z-normalised on the fly and compared with the
z-normalised query through a cascade of ever tighter and costlier lower bounds:
LB_Kim on the first and last three points, LB_Keogh of the window against the
query's envelope, LB_Keogh of the query against the data's envelope, and finally
DTW that abandons as soon as its partial cost plus the remaining bound exceeds
the current threshold. Query positions are visited by decreasing magnitude so
early abandoning stops sooner.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _search
from ._records import record_dict
from ._validation import as_count, as_series, as_window
from ._windows import window_stats
from .errors import TemporalCompareError

__all__ = ["Match", "search"]


@dataclass(frozen=True)
class Match:
    """One occurrence found by :func:`search`.

    ``index`` is where the window starts, ``distance`` its distance to the query
    (after z-normalisation when asked), ``mean`` and ``std`` the window's own.
    """

    index: int
    distance: float
    mean: float
    std: float

    def to_dict(self) -> dict[str, Any]:
        return record_dict(self)


def znormalise(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """``(x - mean) / std``; all zeros for a constant series."""
    if x.shape[0] == 0 or (x == x[0]).all():
        return np.zeros_like(x)
    return (x - x.mean()) / x.std()


def _greedy(
    candidates: list[tuple[float, int]], k: int, separation: int
) -> list[tuple[float, int]]:
    """Best first, skipping candidates closer than ``separation`` to one already taken."""
    picked: list[tuple[float, int]] = []
    taken: list[int] = []  # sorted indices
    for d, i in sorted(candidates):
        at = bisect.bisect_left(taken, i)
        if at < len(taken) and taken[at] - i < separation:
            continue
        if at > 0 and i - taken[at - 1] < separation:
            continue
        taken.insert(at, i)
        picked.append((d, i))
        if len(picked) == k:
            break
    return picked


#: Largest ``len(series) * len(query)`` for which a Euclidean pass seeds the threshold.
SEED_WORK = 4_000_000


def _euclidean_seed(
    t: NDArray[np.float64], qz: NDArray[np.float64], inv: NDArray[np.float64], k: int, excl: int
) -> tuple[float, NDArray[np.int64] | None]:
    """A starting threshold (squared) for z-normalised DTW search and a visiting order.

    The z-normalised Euclidean distance of a window bounds its DTW distance from
    above (the diagonal is one warping path). Take the greedy best-first windows
    by that bound with candidates ``2 * exclusion`` apart: each of them, or a
    better window within ``exclusion`` of it, is in the answer, and those are
    distinct, so the k-th bound is at least the answer's k-th distance. The
    windows nearest by the bound are visited first so the threshold tightens at
    once. Only worth it while the sliding dot products are cheap next to the
    search; otherwise returns ``(inf, None)``.
    """
    m, windows = qz.shape[0], inv.shape[0]
    if windows * m > SEED_WORK or windows < k:
        return math.inf, None
    dots = np.correlate(t, qz, mode="valid")
    squared = np.where(inv > 0, float(m), 0.0) + float(qz @ qz) - 2.0 * dots * inv
    separation = 2 * max(excl, 1)
    wanted = min(windows, k * (2 * separation + 1))
    if wanted < windows:
        nearest = np.argpartition(squared, wanted - 1)[:wanted]
    else:
        nearest = np.arange(windows)
    nearest = nearest[np.argsort(squared[nearest], kind="stable")]
    picked = _greedy(
        list(zip(squared[nearest].tolist(), nearest.tolist(), strict=True)), k, separation
    )
    rest = np.ones(windows, dtype=bool)
    rest[nearest] = False
    visit = np.ascontiguousarray(np.concatenate([nearest, np.flatnonzero(rest)]), dtype=np.int64)
    if len(picked) < k:
        return math.inf, visit
    # slack for the rounding of the dot-product formula
    return picked[-1][0] * (1.0 + 1e-6) + 1e-6 * m, visit


def _as_bound(max_distance: Any) -> float:
    """``max_distance`` squared (the kernel's units), or raise."""
    if isinstance(max_distance, (bool, np.bool_)) or not isinstance(
        max_distance, (int, float, np.integer, np.floating)
    ):
        raise TemporalCompareError(f"max_distance must be a number, got {max_distance!r}")
    if math.isnan(max_distance) or max_distance < 0:
        raise TemporalCompareError(f"max_distance must be >= 0, got {max_distance!r}")
    return float(max_distance) ** 2


def search(
    query: ArrayLike,
    series: ArrayLike,
    *,
    k: int = 1,
    window: int | None = None,
    znorm: bool = True,
    exclusion: int | None = None,
    metric: str = "dtw",
    progress: Callable[[int, int], None] | None = None,
    max_distance: float | None = None,
) -> list[Match]:
    """The ``k`` best-matching windows of ``series`` for ``query``.

    Parameters
    ----------
    query : array_like
        1-D finite series of length ``m >= 1``.
    series : array_like
        1-D finite series at least as long as the query.
    k : int
        Number of matches wanted (fewer come back when the series holds fewer
        distinct occurrences).
    window : int, optional
        Sakoe-Chiba radius for DTW; ``None`` means 5% of ``m`` (rounded up).
    znorm : bool
        Compare z-normalised shapes (each window with its own mean and standard
        deviation; constant windows become zeros), or raw values.
    exclusion : int, optional
        Matches are distinct occurrences: two results start at least
        ``exclusion`` samples apart. Default ``ceil(m / 2)``.
    metric : {"dtw", "euclidean"}
    progress : callable, optional
        Called as ``progress(done, total)`` (windows scanned) about a hundred
        times; for tqdm, ``bar = tqdm(total=1)`` and ``progress=lambda done,
        total: (setattr(bar, "total", total), bar.update(done - bar.n))``.
    max_distance : float, optional
        Report only windows closer than this (one exactly at it may go either
        way: the kernel compares squares); windows that cannot beat it are
        pruned from the start. A caller that already holds ``k`` matches from
        elsewhere (another part of an archive) passes its k-th distance.

    Returns
    -------
    list of Match
        Best first. Distances are in the units of :func:`temporal_compare.dtw`
        (square root of the summed squared differences). Equal distances are
        ordered arbitrarily.

    Examples
    --------
    >>> import numpy as np
    >>> series = np.random.default_rng(0).standard_normal(1000)
    >>> best = search(series[300:340] * 2 + 5, series, k=3)
    >>> best[0].index, round(best[0].distance, 9)
    (300, 0.0)
    >>> len({m.index for m in best})
    3
    """
    if progress is not None and not callable(progress):
        raise TemporalCompareError("progress must be callable as progress(done, total)")
    q = as_series(query, "query")
    t = as_series(series, "series")
    m, n = q.shape[0], t.shape[0]
    count = as_count(k, "k", minimum=1)
    if m == 0:
        raise TemporalCompareError("query must not be empty")
    if m > n:
        raise TemporalCompareError(f"query (length {m}) is longer than series (length {n})")
    if metric not in ("dtw", "euclidean"):
        raise TemporalCompareError(f"metric must be 'dtw' or 'euclidean', got {metric!r}")
    w = as_window(window, limit=m - 1)
    r = math.ceil(0.05 * m) if w is None else w
    windows = n - m + 1
    # more matches than windows, or a zone wider than the series, change nothing;
    # clamping keeps the kernel's C integers and buffers bounded by the series
    count = min(count, windows)
    excl = math.ceil(m / 2) if exclusion is None else as_count(exclusion, "exclusion")
    excl = min(excl, n)
    mean, std, inv, _ = window_stats(t, m)
    if znorm:
        qz = znormalise(q)
        centre = mean
    else:
        qz = q
        inv = np.ones(windows)
        centre = np.zeros(windows)
    order = np.ascontiguousarray(np.argsort(-np.abs(qz), kind="stable"), dtype=np.int64)
    q_upper = np.empty(m)
    q_lower = np.empty(m)
    _search.envelope(qz, r, q_upper, q_lower)
    t_upper = np.empty(n)
    t_lower = np.empty(n)
    _search.envelope(t, r, t_upper, t_lower)
    # Pruning threshold: the k-th distance of the greedy (best first, exclusion
    # zone) selection among the candidates kept so far. Windows arrive in
    # increasing index order, and a new window can displace at most one selected
    # candidate, whose place in the chain of displacements goes to one that is no
    # better than it: so the number of selected candidates at or below any
    # distance never falls, the threshold only tightens, and a window beyond it
    # can never enter the final answer, which is picked from the survivors.
    start, visit = math.inf, None
    if znorm and metric == "dtw":
        start, visit = _euclidean_seed(t, qz, inv, count, excl)
    if max_distance is not None:
        start = min(start, _as_bound(max_distance))
    # Visiting out of index order, the exclusion-zone argument above no longer
    # holds; candidates 2 * exclusion apart keep the threshold safe in any order.
    separation = max(excl, 1) if visit is None else 2 * max(excl, 1)
    centre, inv = np.ascontiguousarray(centre), np.ascontiguousarray(inv)
    if progress is None:
        dists, indices, _ = _search.ucr_search(
            t, centre, inv, t_upper, t_lower, qz, order, q_upper, q_lower, r, metric == "dtw",
            count, separation, start, visit,
        )  # fmt: skip
    else:
        # Chunks in the same order; the threshold carries over (the selection
        # argument above covers the union of the chunks' survivors).
        every = np.arange(windows, dtype=np.int64) if visit is None else visit
        step = max(1, math.ceil(windows / 100))
        dists, indices = [], []
        for begin in range(0, windows, step):
            part = np.ascontiguousarray(every[begin : begin + step])
            more_d, more_i, _ = _search.ucr_search(
                t, centre, inv, t_upper, t_lower, qz, order, q_upper, q_lower, r,
                metric == "dtw", count, separation, start, part,
            )  # fmt: skip
            dists += more_d
            indices += more_i
            kept = _greedy(list(zip(dists, indices, strict=True)), count, separation)
            if len(kept) == count:
                start = min(start, kept[-1][0])
            progress(min(begin + step, windows), windows)
    best = _greedy(list(zip(dists, indices, strict=True)), count, max(excl, 1))
    return [
        Match(index=i, distance=math.sqrt(d), mean=float(mean[i]), std=float(std[i]))
        for d, i in best
    ]
