"""Choosing embedding parameters: delay (AMI, autocorrelation), dimension (Cao, FNN)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_int, as_series, check_not_constant
from .embedding import embed
from .errors import AttractorError
from .neighbors import (
    NeighborSearch,
    admissible_neighbors,
    delay_admissible_neighbors,
    find_admissible_neighbors,
)

__all__ = ["estimate_delay", "estimate_dimension", "mean_period", "mutual_information"]

_AMI_BINS = 32
_MAX_REFERENCE_POINTS = 2000
#: Cao's neighbour search switches from one KD-tree per dimension to one scan for
#: all remaining dimensions (see ``_CaoNeighbors``) from this dimension on, when
#: the previous dimension's KD-tree search examined more than this many candidates
#: per query (2 when every query's nearest other point is admissible; AR(2)
#: oscillations reach 3-4 from dimension 6 on, white noise and AR(1) stay near 2).
_SCAN_FROM_DIM = 6
_SCAN_WHEN_CANDIDATES = 3.0


def mean_period(series: ArrayLike) -> float:
    """Mean period in samples: the reciprocal of the power spectrum's mean frequency.

    Rosenstein et al. (1993) use it as the Theiler window.

    Examples
    --------
    >>> round(mean_period(np.sin(2 * np.pi * np.arange(1000) / 50)), 1)
    50.0
    """
    x = as_series(series)
    check_not_constant(x)
    power = np.abs(np.fft.rfft(x - x.mean())) ** 2
    freq = np.fft.rfftfreq(x.shape[0])
    total = float(power[1:].sum())
    if total <= 0.0:
        return float(x.shape[0])
    return float(total / float((freq[1:] * power[1:]).sum()))


def _ami_codes(x: NDArray[np.float64]) -> NDArray[np.intp]:
    lo, hi = float(x.min()), float(x.max())
    return np.minimum(((x - lo) / (hi - lo) * _AMI_BINS).astype(np.intp), _AMI_BINS - 1)


def _ami_at(codes: NDArray[np.intp], lag: int) -> float:
    n = codes.shape[0]
    joint = np.bincount(
        codes[: n - lag] * _AMI_BINS + codes[lag:], minlength=_AMI_BINS * _AMI_BINS
    ).reshape(_AMI_BINS, _AMI_BINS) / float(n - lag)
    pa = joint.sum(axis=1)
    pb = joint.sum(axis=0)
    nz = joint > 0
    return float((joint[nz] * np.log(joint[nz] / np.outer(pa, pb)[nz])).sum())


def mutual_information(series: ArrayLike, max_lag: int) -> NDArray[np.float64]:
    """Average mutual information (nats) between ``x[t]`` and ``x[t + lag]``.

    Histogram estimate with 32 equal-width bins, for lags ``0 .. max_lag``.

    Examples
    --------
    >>> ami = mutual_information(np.sin(np.arange(500) * 0.1), 20)
    >>> ami.shape, bool(ami[0] > ami[15])
    ((21,), True)
    """
    x = as_series(series)
    check_not_constant(x)
    max_lag = as_int(max_lag, "max_lag", 0)
    n = x.shape[0]
    if max_lag >= n:
        raise AttractorError(f"max_lag={max_lag} must be smaller than the series length {n}")
    codes = _ami_codes(x)
    return np.array([_ami_at(codes, lag) for lag in range(max_lag + 1)])


def _autocorrelation(x: NDArray[np.float64], max_lag: int) -> NDArray[np.float64]:
    y = x - x.mean()
    n = y.shape[0]
    size = 1 << int(np.ceil(np.log2(2 * n)))
    spec = np.fft.rfft(y, size)
    acf = np.fft.irfft(spec * np.conj(spec), size)[: max_lag + 1]
    return acf / acf[0]


def estimate_delay(
    series: ArrayLike, method: str = "ami", *, max_delay: int | None = None, cap: bool = True
) -> int:
    """Embedding delay in samples.

    ``"ami"``: the first local minimum of the average mutual information (Fraser &
    Swinney 1986). ``"acf"``: the first lag where the autocorrelation falls below
    1/e. With ``cap=True`` (default) the result is at most a quarter of the
    :func:`mean_period` (and at least 1): broadband series such as chaotic maps have
    no meaningful AMI minimum, and a quarter period is the lag that makes the
    coordinates of a sinusoid independent.

    Parameters
    ----------
    series : array_like
        1-D finite, non-constant series.
    method : {"ami", "acf"}
    max_delay : int, optional
        Largest lag searched (default: ``min(len(series) // 10, 500)``); returned when
        no minimum / crossing is found below it.
    cap : bool
        Apply the quarter-mean-period cap.

    Examples
    --------
    >>> t = np.arange(2000) * 0.05
    >>> estimate_delay(np.sin(t), "acf", cap=False)
    24
    """
    x = as_series(series)
    check_not_constant(x)
    n = x.shape[0]
    if n < 16:
        raise AttractorError(f"series must have at least 16 points to estimate a delay, got {n}")
    limit = max(1, min(n // 10, 500)) if max_delay is None else as_int(max_delay, "max_delay", 1)
    limit = min(limit, n - 2)
    if method == "ami":
        codes = _ami_codes(x)
        delay = limit
        previous, current = _ami_at(codes, 0), _ami_at(codes, 1)
        for lag in range(1, limit + 1):  # stop at the first minimum, not at max_delay
            following = _ami_at(codes, lag + 1)
            if current < previous and current <= following:
                delay = lag
                break
            previous, current = current, following
    elif method == "acf":
        acf = _autocorrelation(x, limit)
        below = np.nonzero(acf[1:] < 1.0 / np.e)[0]
        delay = int(below[0]) + 1 if below.size else limit
    else:
        raise AttractorError(f"method must be 'ami' or 'acf', got {method!r}")
    if cap:
        delay = min(delay, max(1, round(mean_period(x) / 4.0)))
    return int(delay)


def _reference_indices(m: int) -> NDArray[np.intp]:
    if m <= _MAX_REFERENCE_POINTS:
        return np.arange(m)
    return np.linspace(0, m - 1, _MAX_REFERENCE_POINTS).astype(np.intp)


def _cao_mean_ratio(
    x: NDArray[np.float64],
    d: int,
    delay: int,
    rows: int,
    query: NDArray[np.intp],
    found: NeighborSearch,
) -> float:
    """Cao's E(d): mean growth of the nearest-neighbour distance from d to d+1 (max norm)."""
    j, dist = found.index, found.distance
    nxt = x[np.arange(rows) + d * delay]
    ok = j >= 0
    if not ok.any():
        raise AttractorError(
            "no admissible neighbours: the series repeats a few values exactly (periodic?) "
            "or is too short"
        )
    extra = np.abs(nxt[query[ok]] - nxt[j[ok]])
    return float((np.maximum(dist[ok], extra) / dist[ok]).mean())


class _CaoNeighbors:
    """Max-norm neighbours of Cao's reference rows, per dimension, found on demand.

    Low dimensions use a KD-tree each. From ``_SCAN_FROM_DIM`` on, when the
    previous dimension's KD-tree search needed more than ``_SCAN_WHEN_CANDIDATES``
    candidates per query (the nearest points are often the query's own past and
    future, as for an AR(2) oscillation, and a second, 4x wider round followed)
    without reaching its work bound (a drifting series), every remaining dimension
    is found by one scan of the series (:func:`delay_admissible_neighbors`: same
    neighbours, rounds and work bound). The scan costs about what the KD-tree
    costs for the top dimension alone, so it pays when several high dimensions
    remain; for one or two dimensions the KD-trees are cheaper.
    """

    def __init__(
        self, x: NDArray[np.float64], delay: int, rows: int, max_d: int, theiler: int
    ) -> None:
        self.x, self.delay, self.rows, self.max_d, self.theiler = x, delay, rows, max_d, theiler
        self.query = _reference_indices(rows)
        self.found: dict[int, NeighborSearch] = {}

    def __call__(self, d: int) -> NeighborSearch:
        if d not in self.found:
            before = self.found.get(d - 1)
            if (
                d >= _SCAN_FROM_DIM
                and before is not None
                and before.abandoned == 0
                and before.candidates > _SCAN_WHEN_CANDIDATES * self.query.size
            ):
                dims = range(d, self.max_d + 1)
                scanned = delay_admissible_neighbors(
                    self.x, self.delay, self.rows, self.query, self.theiler, dims
                )
                self.found.update(zip(dims, scanned, strict=True))
            else:
                lo = np.ascontiguousarray(embed(self.x, d, self.delay)[: self.rows])
                self.found[d] = find_admissible_neighbors(
                    lo, self.query, self.theiler, chebyshev=True
                )
        return self.found[d]


def estimate_dimension(
    series: ArrayLike,
    delay: int,
    method: str = "cao",
    *,
    max_dim: int = 10,
    theiler: int = 0,
    threshold: float | None = None,
) -> int:
    """Minimum embedding dimension.

    ``"cao"`` (Cao 1997): the smallest ``d`` at which ``E1(d) = E(d+1)/E(d)`` reaches
    ``threshold`` (default 0.9), i.e. stops growing. ``"fnn"`` (Kennel et al. 1992):
    the smallest ``d`` whose fraction of false nearest neighbours (distance ratio
    tolerance 15, attractor-size tolerance 2) falls below ``threshold`` (default 0.01).
    When neither criterion is met up to ``max_dim`` (noise), ``max_dim`` is returned.
    At most 2000 evenly spaced reference points are used; neighbours come from a
    KD-tree over every embedded point, excluding a Theiler window.

    Examples
    --------
    >>> from temporal_attractor_studio.systems import henon
    >>> estimate_dimension(henon(2000)[:, 0], delay=1)
    2
    """
    x = as_series(series)
    check_not_constant(x)
    delay = as_int(delay, "delay", 1)
    max_dim = as_int(max_dim, "max_dim", 1)
    theiler = as_int(theiler, "theiler", 0)
    if method not in ("cao", "fnn"):
        raise AttractorError(f"method must be 'cao' or 'fnn', got {method!r}")
    n = x.shape[0]
    if n - (max_dim + 1) * delay < 2 * theiler + 10:
        raise AttractorError(
            f"series of length {n} is too short for max_dim={max_dim}, delay={delay}"
        )
    # All dimensions use the same rows so E(d) values are comparable.
    rows = n - (max_dim + 1) * delay
    if method == "cao":
        thr = 0.9 if threshold is None else float(threshold)
        neighbors = _CaoNeighbors(x, delay, rows, max_dim + 1, theiler)
        query = neighbors.query
        e_prev = _cao_mean_ratio(x, 1, delay, rows, query, neighbors(1))
        for d in range(1, max_dim + 1):
            e_next = _cao_mean_ratio(x, d + 1, delay, rows, query, neighbors(d + 1))
            if e_next / e_prev >= thr:  # E1(d) = E(d+1) / E(d) has saturated
                return d
            e_prev = e_next
        return max_dim
    thr = 0.01 if threshold is None else float(threshold)
    size = float(np.std(x))
    for d in range(1, max_dim + 1):
        lo = np.ascontiguousarray(embed(x, d, delay)[:rows])
        nxt = x[np.arange(rows) + d * delay]
        query = _reference_indices(rows)
        j, dist = admissible_neighbors(lo, query, theiler)
        ok = j >= 0
        extra = np.abs(nxt[query[ok]] - nxt[j[ok]])
        grown = np.sqrt(dist[ok] ** 2 + extra**2)
        false = (extra / dist[ok] > 15.0) | (grown / size > 2.0)
        if false.size and float(false.mean()) < thr:
            return d
    return max_dim
