"""Correlation dimension (Grassberger–Procaccia) with a Theiler window."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from ._validation import as_int, as_series, check_not_constant, reject_complex
from .embedding import embed
from .errors import AttractorError, PoorFitWarning
from .neighbors import admissible_neighbors
from .parameters import estimate_delay, estimate_dimension, mean_period

__all__ = ["CorrelationDimensionResult", "correlation_dimension", "correlation_sum"]

#: Largest relative spread of local slopes inside a scaling region.
SLOPE_TOLERANCE = 0.1
_POOR_QUALITY = 0.5
_MAX_REFERENCES = 2000


@dataclass(frozen=True, eq=False, repr=False)
class CorrelationDimensionResult:
    """Correlation dimension and the evidence behind it.

    Attributes
    ----------
    dimension : float
        Slope of ``log C(r)`` against ``log r`` over the scaling region.
    radii, correlation_sum : ndarray
        The correlation integral ``C(r)``.
    fit_range : tuple of int
        Indices ``(start, stop)`` into ``radii`` of the scaling region, stop exclusive.
    quality : float
        In ``[0, 1]``: R² of the fit, scaled down when the region spans less than a
        factor 4 in ``r``.
    dim, delay, theiler
        Embedding used (``delay`` is 0 when points were given).
    """

    dimension: float
    radii: NDArray[np.float64]
    correlation_sum: NDArray[np.float64]
    fit_range: tuple[int, int]
    quality: float
    dim: int
    delay: int
    theiler: int

    def __repr__(self) -> str:
        return (
            f"CorrelationDimensionResult(dimension={self.dimension:.4g}, "
            f"quality={self.quality:.2f}, dim={self.dim}, delay={self.delay}, "
            f"theiler={self.theiler}, fit_range={self.fit_range})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python dictionary, for JSON."""
        return {
            "dimension": self.dimension,
            "radii": self.radii.tolist(),
            "correlation_sum": self.correlation_sum.tolist(),
            "fit_range": list(self.fit_range),
            "quality": self.quality,
            "dim": self.dim,
            "delay": self.delay,
            "theiler": self.theiler,
        }


def correlation_sum(
    points: NDArray[np.float64],
    radii: NDArray[np.float64],
    theiler: int,
    reference: NDArray[np.intp] | None = None,
) -> NDArray[np.float64]:
    """Fraction of pairs ``(i, j)``, ``|i - j| > theiler``, at distance ``<= r``, per radius.

    ``i`` runs over *reference* (default: every point) and ``j`` over every point.
    Pairs are counted by a dual KD-tree traversal (``count_neighbors``); the excluded
    pairs ``|i - j| <= theiler`` are counted directly lag by lag and subtracted, so
    memory stays O(n).
    """
    n = points.shape[0]
    ref = np.arange(n, dtype=np.intp) if reference is None else reference
    tree = cKDTree(points)
    ref_tree = tree if reference is None else cKDTree(points[ref])
    # count_neighbors counts ordered pairs with d <= r, self-pairs included.
    counts = np.asarray(ref_tree.count_neighbors(tree, radii), dtype=np.float64)
    close = np.zeros(radii.shape[0])
    excluded = 0.0
    w = min(theiler, n - 1)
    for lag in range(-w, w + 1):
        partner = ref + lag
        ok = (partner >= 0) & (partner < n)
        excluded += float(ok.sum())
        if lag == 0:
            close += float(ok.sum())  # distance 0 <= every radius
            continue
        d = np.sqrt(((points[ref[ok]] - points[partner[ok]]) ** 2).sum(axis=1))
        close += np.searchsorted(np.sort(d), radii, side="right")
    admissible_pairs = float(ref.shape[0]) * n - excluded
    if admissible_pairs <= 0:
        raise AttractorError("no admissible pairs: theiler window is as long as the data")
    return np.maximum(counts - close, 0.0) / admissible_pairs


def _scaling_region(log_r: NDArray[np.float64], log_c: NDArray[np.float64]) -> tuple[int, int]:
    """Longest run of radii whose local slopes stay within SLOPE_TOLERANCE of their median."""
    slopes = np.diff(log_c) / np.diff(log_r)
    best = (0, min(3, log_r.shape[0]))
    best_len = 0
    m = slopes.shape[0]
    for a in range(m):
        for b in range(a + 2, m + 1):  # slopes a..b-1 -> radii a..b
            seg = slopes[a:b]
            med = float(np.median(seg))
            if med <= 0 or float(np.max(np.abs(seg - med))) > SLOPE_TOLERANCE * med:
                break
            if b - a > best_len:
                best_len = b - a
                best = (a, b + 1)
    return best


def correlation_dimension(
    series_or_points: ArrayLike,
    *,
    dim: int | None = None,
    delay: int | None = None,
    theiler: int | None = None,
    n_radii: int = 24,
    fit_range: tuple[int, int] | None = None,
) -> CorrelationDimensionResult:
    """Correlation dimension D2 by Grassberger–Procaccia.

    A 1-D series is delay-embedded (``delay`` by :func:`estimate_delay`, ``dim`` by
    :func:`estimate_dimension`, both when ``None``); a 2-D array is used as points.
    ``C(r)`` is computed on ``n_radii`` log-spaced radii from the median
    nearest-neighbour distance to the largest pair distance, excluding pairs closer
    in time than the Theiler window (default: the mean period of the series or of
    the first coordinate). The scaling region is the longest run of radii, with
    ``C(r) <= 0.5``, whose local slopes stay within 10% of their median; D2 is the
    least-squares slope there.

    Examples
    --------
    >>> from temporal_attractor_studio.systems import henon
    >>> result = correlation_dimension(henon(3000))
    >>> round(result.dimension, 1)
    1.2
    """
    reject_complex(series_or_points, "series_or_points")
    arr = (
        np.asarray(series_or_points, dtype=np.float64)
        if not isinstance(series_or_points, np.ndarray)
        else series_or_points
    )
    n_radii = as_int(n_radii, "n_radii", 4)
    if arr.ndim == 1:
        x = as_series(arr)
        check_not_constant(x)
        if x.shape[0] < 100:
            raise AttractorError(f"series must have at least 100 points, got {x.shape[0]}")
        period = mean_period(x)
        delay = estimate_delay(x) if delay is None else as_int(delay, "delay", 1)
        w = math.ceil(period) if theiler is None else as_int(theiler, "theiler", 0)
        w = min(w, x.shape[0] // 10)
        if dim is None:
            max_dim = max(1, min(10, (x.shape[0] // 4) // delay - 1))
            dim = estimate_dimension(x, delay, max_dim=max_dim, theiler=w)
        else:
            dim = as_int(dim, "dim", 1)
        points = np.ascontiguousarray(embed(x, dim, delay))
    elif arr.ndim == 2:
        if dim is not None or delay is not None:
            raise AttractorError("dim and delay apply to a 1-D series, not to points")
        points = np.ascontiguousarray(arr, dtype=np.float64)
        if not np.isfinite(points).all():
            raise AttractorError("series_or_points contains NaN or infinity")
        if points.shape[0] < 100:
            raise AttractorError(f"points must have at least 100 rows, got {points.shape[0]}")
        check_not_constant(points.ravel(), "series_or_points")
        dim, delay = points.shape[1], 0
        w = (
            min(math.ceil(mean_period(points[:, 0])), points.shape[0] // 10)
            if theiler is None
            else as_int(theiler, "theiler", 0)
        )
    else:
        raise AttractorError(
            f"series_or_points must be 1-D (a series) or 2-D (points), got shape {arr.shape}"
        )
    n = points.shape[0]
    if n <= 2 * w + 10:
        raise AttractorError(f"{n} points are too few for theiler={w}")
    query = np.linspace(0, n - 1, min(n, 2000)).astype(np.intp)
    _, nn = admissible_neighbors(points, query, w)
    nn = nn[np.isfinite(nn)]
    if nn.size == 0:
        raise AttractorError("no admissible neighbours; the points may all coincide")
    lo = float(np.median(nn))
    # Radii stop near the median pair distance (C = 0.5): larger ones are never
    # fitted and are the expensive ones to count.
    rng = np.random.default_rng(0)
    a = rng.integers(0, n, 20_000)
    b = rng.integers(0, n, 20_000)
    keep = np.abs(a - b) > w
    hi = float(np.quantile(np.sqrt(((points[a[keep]] - points[b[keep]]) ** 2).sum(axis=1)), 0.6))
    if hi <= lo:
        raise AttractorError("points have no spatial extent beyond their nearest neighbours")
    radii = np.logspace(math.log10(lo), math.log10(hi), n_radii)
    reference = None if n <= _MAX_REFERENCES else np.linspace(0, n - 1, _MAX_REFERENCES)
    if reference is not None:
        reference = reference.astype(np.intp)
    csum = correlation_sum(points, radii, w, reference)
    usable = (csum > 0) & (csum <= 0.5)
    idx = np.nonzero(usable)[0]
    if idx.size < 3:
        raise AttractorError("too few radii with a usable correlation sum; give more points")
    log_r = np.log(radii)
    log_c = np.full_like(csum, -np.inf)
    log_c[csum > 0] = np.log(csum[csum > 0])
    if fit_range is None:
        lo_i, hi_i = _scaling_region(log_r[idx[0] : idx[-1] + 1], log_c[idx[0] : idx[-1] + 1])
        start, stop = int(idx[0]) + lo_i, int(idx[0]) + hi_i
    else:
        try:
            start, stop = (int(v) for v in fit_range)
        except (TypeError, ValueError) as exc:
            raise AttractorError(f"fit_range must be two integers, got {fit_range!r}") from exc
        if not 0 <= start < stop <= n_radii or stop - start < 2:
            raise AttractorError(f"fit_range must index at least 2 of {n_radii} radii")
        if not np.isfinite(log_c[start:stop]).all():
            raise AttractorError("fit_range includes radii with an empty correlation sum")
    slope, intercept = np.polyfit(log_r[start:stop], log_c[start:stop], 1)
    resid = log_c[start:stop] - (slope * log_r[start:stop] + intercept)
    total = float(((log_c[start:stop] - log_c[start:stop].mean()) ** 2).sum())
    r2 = max(0.0, 1.0 - float((resid**2).sum()) / total) if total > 0 else 0.0
    span = float(log_r[stop - 1] - log_r[start])
    quality = r2 * min(1.0, span / math.log(4.0))
    if quality < _POOR_QUALITY:
        warnings.warn(
            f"correlation dimension has no clear scaling region (quality {quality:.2f})",
            PoorFitWarning,
            stacklevel=2,
        )
    return CorrelationDimensionResult(
        dimension=float(slope),
        radii=radii,
        correlation_sum=csum,
        fit_range=(start, stop),
        quality=float(quality),
        dim=int(dim),
        delay=int(delay),
        theiler=int(w),
    )
