"""Largest Lyapunov exponent of a scalar series (Rosenstein and Kantz methods)."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from . import _divergence
from ._validation import as_int, as_series, check_not_constant, reject_complex, resolve_dt
from .embedding import embed
from .errors import AttractorError, PoorFitWarning
from .neighbors import admissible_neighbors, find_admissible_neighbors, neighbor_tree
from .parameters import estimate_delay, estimate_dimension, mean_period

__all__ = ["LyapunovResult", "fit_linear_region", "lyapunov_max"]

#: Quality below which :func:`lyapunov_max` warns.
POOR_QUALITY = 0.8
#: A linear region of fewer points than this lowers the quality proportionally.
_FULL_REGION = 7.0
#: Default divergence-curve length in mean periods (issue 14: 6 periods fitted the
#: transient of slow flows; 12 fixed ChenLee and SprottE without changing Lorenz,
#: Hénon or the logistic map).
_CURVE_PERIODS = 12
#: Relative disagreement between the exponent fitted on the whole curve and on its
#: first half above which the quality falls (to 0 at twice this). Calibrated on the
#: calibration half of tests/tas_flows.py (see the README).
_CONSISTENCY_TOLERANCE = 0.1
#: Blocks of consecutive neighbour pairs for the jackknife standard error.
_JACKKNIFE_BLOCKS = 10
#: Relative standard error up to which the exponent counts as precise; the
#: precision factor falls to 0 at twice this. Calibrated (see the README).
_PRECISE_RELATIVE_ERROR = 0.04
#: Dimension of the embedded points at the nearest-neighbour scale up to which the
#: smallest scales are taken to be the attractor's, not noise; the factor falls to
#: 0 at ``_NOISE_DIMENSION``. Calibrated (see the README).
_ATTRACTOR_DIMENSION = 2.6
_NOISE_DIMENSION = 3.3
#: Neighbours per point and points sampled for that dimension.
_SCALE_NEIGHBORS = 10
_SCALE_POINTS = 512
#: e-folds of divergence per mean period below which the exponent is not trusted
#: (separation along the flow, which grows linearly, is then not negligible over
#: the fitted range); the factor rises from 0 at ``_MIN_EFOLDS_PER_PERIOD`` to 1
#: at ``_FULL_EFOLDS_PER_PERIOD``. Calibrated (see the README).
_MIN_EFOLDS_PER_PERIOD = 0.35
_FULL_EFOLDS_PER_PERIOD = 0.5
#: Rise of the divergence curve (e-folds from its start to saturation) below which
#: the 20-70% region cannot hold an exponential regime: separation along a torus
#: rises 0.7-1.2 e-folds and fits a line there. The factor is 0 at the first value,
#: 1 at the second. Calibrated (see the README).
_MIN_RISE = 1.5
_FULL_RISE = 2.0
#: Mean periods the fitted region must span. The exponent is the stretching rate
#: averaged along the orbit; a region shorter than about one orbit measures the
#: stretching of the stretch of orbit that follows where neighbours were found
#: (Arneodo's x: +25% to +59% with quality >= 0.95 from regions of 0.5-1.0 mean
#: periods). The factor is 0 at the first value, 1 from the second.
_MIN_REGION_PERIODS = 0.9
_FULL_REGION_PERIODS = 1.2
#: What makes a series map-like, the only kind the score vouches for. On flows the
#: other factors order the estimates but cannot vouch for 25%: over the 46 flows of
#: the calibration set and the second sample, 9 of the 136 estimates they rated
#: >= 0.8 were off by 27-84%, and nothing in the divergence curve, the embedding or
#: a second method was found to tell those apart (README). A map-like series has a
#: mean period of at most ``_MAP_PERIOD`` samples (flows at 50 samples per period:
#: 14 or more; the calibrated maps: 2.7-4.1) and a dimension at the smallest scales
#: of at most ``_MAP_DIMENSION`` (the maps: 0.97-1.43). The dimension is needed
#: because flows sampled 3 or 5 times per period have map-like mean periods, yet
#: keep their attractor's dimension (1.71 and up where the other factors rated them
#: >= 0.8) and were confidently wrong more often (15 of 76: 25-69%).
#: A series that is not map-like keeps ``_FLOW_SCALE`` of its quality, below 0.8.
_MAP_PERIOD = 6.0
_FLOW_PERIOD = 8.0
_MAP_DIMENSION = 1.45
_FLOW_DIMENSION = 1.6
_FLOW_SCALE = 0.75
_KANTZ_MAX_REFERENCES = 2000
_KANTZ_MAX_NEIGHBORS = 30


@dataclass(frozen=True, eq=False, repr=False)
class LyapunovResult:
    """Largest Lyapunov exponent and the evidence behind it.

    Attributes
    ----------
    exponent : float
        Slope of the fitted linear region, per time unit (per sample when ``dt=1``).
    divergence : ndarray
        Mean log separation of neighbouring trajectories after ``k`` steps.
    times : ndarray
        ``k * dt`` for each point of ``divergence``.
    fit_range : tuple of int
        Steps ``(start, stop)`` of the fitted region, ``stop`` exclusive.
    intercept : float
        Intercept of the fitted line.
    quality : float
        In ``[0, 1]``: the product of the ``quality_factors``. ``quality >= 0.8``
        (no :class:`PoorFitWarning`) meant an exponent within 25% of the truth on
        every series of the package's calibration (maps with known exponents, flows
        with twin-trajectory references, not-chaotic series; 0–20% observational
        noise, n = 2,000–10,000; see the README). It is only reached by map-like
        series (a mean period of at most 6 samples and a small-scale dimension of
        at most 1.45, like the calibrated maps): on any other series the ``map_like``
        factor holds it at 0.75 of the other factors' product, because on flows,
        finely or coarsely sampled, those factors order the estimates but 9 of 136
        that they rated >= 0.8 were off by 27–84%.
    method, dim, delay, theiler, dt
        Parameters used (chosen automatically when not given).
    fit_quality : float
        How clearly the curve shows one exponential regime, whatever its slope's
        accuracy: R² of the linear fit, scaled down when the curve rises less than
        one e-fold and when the region has fewer than 7 points (noise saturates
        within a step or two, so its region is short).
    consistency : float
        In ``[0, 1]``: agreement of the exponent fitted on the first half of the
        curve with the reported one (1 within 10%, 0 beyond 20%; 1 with an explicit
        ``fit_range``).
    standard_error : float
        Block-jackknife standard error of the exponent (the neighbour pairs cut
        into 10 consecutive blocks in time, each left out in turn, same fit range).
    small_scale_dimension : float
        Dimension of the embedded points at the nearest-neighbour scale
        (Levina–Bickel maximum likelihood, 10 neighbours outside the Theiler
        window). Observational noise fills every embedding dimension at the
        smallest scales and puts a floor under the divergence curve that biases the
        exponent low; low-dimensional attractors stay near their own dimension.
    efolds_per_period : float
        ``|exponent| * mean period``: e-folds gained per mean period.
    region_periods : float
        Length of the fitted region in mean periods of the series.
    quality_factors : dict
        The factors of ``quality``, each in ``[0, 1]``: ``fit`` (= ``fit_quality``),
        ``consistency``, ``precision`` (1 up to a 4% relative standard error, 0 at
        8%), ``resolution`` (1 up to a small-scale dimension of 2.6, 0 at 3.3),
        ``efolds_per_period`` (0 at 0.35 e-folds per mean period, 1 from 0.5) and
        ``rise`` (0 when the curve rises 1.5 e-folds or less before saturating, 1
        from 2), ``orbit_coverage`` (0 when the fitted region spans 0.9 mean
        periods or less, 1 from 1.2: a shorter region has not averaged the
        stretching along the orbit) and ``map_like`` (1 up to a mean period of 6
        samples and a small-scale dimension of 1.45; 0.75 from 8 samples or a
        dimension of 1.6: only map-like series are vouched for).
    """

    exponent: float
    divergence: NDArray[np.float64]
    times: NDArray[np.float64]
    fit_range: tuple[int, int]
    intercept: float
    quality: float
    method: str
    dim: int
    delay: int
    theiler: int
    dt: float
    n_pairs: int = field(default=0)
    fit_quality: float = field(default=0.0)
    consistency: float = field(default=1.0)
    standard_error: float = field(default=math.nan)
    small_scale_dimension: float = field(default=math.nan)
    efolds_per_period: float = field(default=math.nan)
    region_periods: float = field(default=math.nan)
    quality_factors: dict[str, float] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"LyapunovResult(exponent={self.exponent:.4g}, quality={self.quality:.2f}, "
            f"method={self.method!r}, dim={self.dim}, delay={self.delay}, "
            f"theiler={self.theiler}, fit_range={self.fit_range})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python dictionary (lists instead of arrays), for JSON."""
        return {
            "exponent": self.exponent,
            "divergence": self.divergence.tolist(),
            "times": self.times.tolist(),
            "fit_range": list(self.fit_range),
            "intercept": self.intercept,
            "quality": self.quality,
            "method": self.method,
            "dim": self.dim,
            "delay": self.delay,
            "theiler": self.theiler,
            "dt": self.dt,
            "n_pairs": self.n_pairs,
            "fit_quality": self.fit_quality,
            "consistency": self.consistency,
            "standard_error": self.standard_error,
            "small_scale_dimension": self.small_scale_dimension,
            "efolds_per_period": self.efolds_per_period,
            "region_periods": self.region_periods,
            "quality_factors": dict(self.quality_factors),
        }


def _line_fit(t: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[float, float, float]:
    slope, intercept = np.polyfit(t, y, 1)
    resid = y - (slope * t + intercept)
    total = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float((resid**2).sum()) / total if total > 0 else 0.0
    return float(slope), float(intercept), max(0.0, r2)


def fit_linear_region(curve: ArrayLike) -> tuple[int, int]:
    """Steps ``(start, stop)`` of the linear (exponential-growth) part of a divergence curve.

    Rule: with ``L = curve[0]`` and the saturation level ``P`` (median of the last
    10% of the curve), the region runs from the first step where the curve has
    risen 20% of ``P - L`` to the first step where it has risen 70% (bounds
    included); when that leaves fewer than 3 points, steps ``0..2``. When the curve
    rises less than 0.5 (no exponential growth: a limit cycle or noise), the whole
    first half is used.

    Examples
    --------
    >>> fit_linear_region([0, 1, 2, 3, 4, 5, 6, 7, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8])
    (2, 7)
    """
    reject_complex(curve, "curve")
    c = np.asarray(curve, dtype=np.float64)
    if c.ndim != 1 or c.shape[0] < 3 or not np.isfinite(c).all():
        raise AttractorError("curve must be a finite 1-D array of at least 3 points")
    n = c.shape[0]
    tail = c[-max(1, n // 10) :]
    low, high = float(c[0]), float(np.median(tail))
    rise = high - low
    if rise < 0.5:
        return 0, max(3, n // 2)
    above_start = np.nonzero(c >= low + 0.2 * rise)[0]
    above_stop = np.nonzero(c >= low + 0.7 * rise)[0]
    start = int(above_start[0]) if above_start.size else 0
    stop = int(above_stop[0]) + 1 if above_stop.size else n
    if stop - start < 3:
        return 0, 3
    return start, stop


def _consistency(curve: NDArray[np.float64], times: NDArray[np.float64], slope: float) -> float:
    """1 when the first half of the curve gives the same exponent, falling to 0 at 2x tolerance.

    A divergence curve whose fitted slope depends on how far it is followed has not
    shown one exponential regime (shear or a slow transient was fitted instead).
    """
    half = curve[: curve.shape[0] // 2 + 1]
    if half.shape[0] < 3 or slope == 0:
        return 1.0
    start, stop = fit_linear_region(half)
    if stop - start < 2:
        return 1.0
    half_slope = float(np.polyfit(times[start:stop], half[start:stop], 1)[0])
    disagreement = abs(slope - half_slope) / abs(slope)
    excess = (disagreement - _CONSISTENCY_TOLERANCE) / _CONSISTENCY_TOLERANCE
    return float(min(1.0, max(0.0, 1.0 - excess)))


def _ramp(value: float, zero: float, one: float) -> float:
    """0 at ``zero``, 1 at ``one``, linear between (either order), clipped to [0, 1]."""
    if not math.isfinite(value):
        return 0.0
    return float(min(1.0, max(0.0, (value - zero) / (one - zero))))


def _jackknife_error(
    block_sum: NDArray[np.float64],
    block_count: NDArray[np.intp],
    times: NDArray[np.float64],
    start: int,
    stop: int,
) -> float:
    """Block-jackknife standard error of the slope fitted on ``[start, stop)``."""
    total, count = block_sum.sum(axis=0), block_count.sum(axis=0)
    slopes = []
    for b in range(block_sum.shape[0]):
        rest = count[start:stop] - block_count[b, start:stop]
        if (rest == 0).any():
            return math.inf
        curve = (total[start:stop] - block_sum[b, start:stop]) / rest
        slopes.append(float(np.polyfit(times[start:stop], curve, 1)[0]))
    s = np.asarray(slopes)
    k = s.shape[0]
    return float(math.sqrt((k - 1) / k * float(((s - s.mean()) ** 2).sum())))


def _small_scale_dimension(points: NDArray[np.float64], tree: cKDTree, theiler: int) -> float:
    """Levina–Bickel dimension at the nearest-neighbour scale (MacKay–Ghahramani average).

    Up to 512 evenly spaced points; each one's 10 nearest neighbours outside the
    Theiler window. NaN when too few points have that many neighbours.
    """
    m = points.shape[0]
    want = _SCALE_NEIGHBORS
    k = min(m, want + 2 * theiler + 1)
    n_refs = int(min(_SCALE_POINTS, m, max(64, 200_000 // k)))
    refs = np.linspace(0, m - 1, n_refs).astype(np.intp)
    d, j = tree.query(points[refs], k=k)
    d = d.reshape(n_refs, k)
    j = j.reshape(n_refs, k)
    ok = (np.abs(j - refs[:, None]) > theiler) & (d > 0) & np.isfinite(d)
    rank = np.cumsum(ok, axis=1)
    full = rank[:, -1] >= want
    if full.sum() < 16:
        return math.nan
    d, ok, rank = d[full], ok[full], rank[full]
    keep = ok & (rank <= want)
    dist = d[keep].reshape(-1, want)  # row-major order keeps each row's ascending order
    mean_log_ratio = np.log(dist[:, -1:] / dist[:, :-1]).mean(axis=1)
    average = float(mean_log_ratio.mean())
    return 1.0 / average if average > 0 else math.inf


def _kantz_neighbourhoods(
    base: NDArray[np.float64], tree: cKDTree, theiler: int
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]]:
    m = base.shape[0]
    refs = np.arange(m, dtype=np.intp)
    if m > _KANTZ_MAX_REFERENCES:
        refs = np.linspace(0, m - 1, _KANTZ_MAX_REFERENCES).astype(np.intp)
    _, nn_dist = admissible_neighbors(base, refs, theiler)
    finite = nn_dist[np.isfinite(nn_dist)]
    if finite.size == 0:
        raise AttractorError("no admissible neighbours: series too short for this theiler window")
    eps = 2.0 * float(np.median(finite))
    k = min(m, _KANTZ_MAX_NEIGHBORS + 2 * theiler + 1)
    d, j = tree.query(base[refs], k=k, distance_upper_bound=eps)
    d = d.reshape(refs.size, k)
    j = j.reshape(refs.size, k)
    ok = np.isfinite(d) & (d > 0) & (np.abs(j - refs[:, None]) > theiler)
    ok &= np.cumsum(ok, axis=1) <= _KANTZ_MAX_NEIGHBORS
    sizes = ok.sum(axis=1)
    has = sizes > 0
    if not has.any():
        raise AttractorError("no admissible neighbours: series too short for this theiler window")
    indptr = np.zeros(int(has.sum()) + 1, dtype=np.intp)
    indptr[1:] = np.cumsum(sizes[has])
    neighbors = np.ascontiguousarray(j[has][ok[has]], dtype=np.intp)
    return np.ascontiguousarray(refs[has]), indptr, neighbors


def _poor_quality_message(
    factors: dict[str, float], quality: float, period: float, dimension: float
) -> str:
    others = [v for k, v in factors.items() if k != "map_like"]
    if math.prod(others) >= POOR_QUALITY:
        return (
            f"largest Lyapunov exponent of a series that is not map-like (mean period "
            f"{period:.1f} samples, small-scale dimension {dimension:.2f}) is not vouched "
            f"for within 25% (quality {quality:.2f}, map_like {factors['map_like']:.2f}): "
            "on flows, estimates whose fits looked as good were off by more than 25% in "
            "one case in 5 to 15, depending on the sampling (see the package README)"
        )
    low = [k for k, v in factors.items() if v < POOR_QUALITY] or [
        min(factors, key=factors.__getitem__)
    ]
    weak = ", ".join(f"{k} {factors[k]:.2f}" for k in low)
    return (
        f"largest Lyapunov exponent fit is poor (quality {quality:.2f}; weak: {weak}); "
        "the series may be noise, noisy, quasi-periodic, periodic or too short"
    )


def lyapunov_max(
    series: ArrayLike,
    *,
    dt: object = None,
    method: str = "rosenstein",
    dim: int | None = None,
    delay: int | None = None,
    theiler: int | None = None,
    fit_range: tuple[int, int] | None = None,
    max_steps: int | None = None,
) -> LyapunovResult:
    """Largest Lyapunov exponent from a scalar time series.

    The series is delay-embedded; each point's nearest neighbour outside the Theiler
    window (``"rosenstein"``, Rosenstein et al. 1993), or its neighbourhood within
    twice the median nearest-neighbour distance (``"kantz"``, Kantz 1994), is followed
    for ``max_steps`` steps; the slope of the mean log separation over the linear
    region (:func:`fit_linear_region`) is the exponent. Neighbours come from a
    KD-tree, so memory stays O(n).

    Parameters left as ``None`` are chosen from the data: ``delay`` by
    :func:`estimate_delay` (AMI), ``theiler`` as the :func:`mean_period` (rounded
    up; any Theiler window is capped at a tenth of the series), ``dim`` by
    :func:`estimate_dimension` (Cao, at most 10), ``max_steps`` as 12 mean periods
    (at least 10, at most a quarter of the embedded series).

    Parameters
    ----------
    series : array_like
        1-D finite, non-constant series sampled every ``dt``.
    dt : float or timedelta, optional
        Sampling interval; the exponent is per time unit. A ``datetime.timedelta``,
        ``numpy.timedelta64`` or pandas ``Timedelta`` is read in seconds. When
        omitted: the step of the series' pandas ``DatetimeIndex`` (in seconds; it
        must be evenly spaced), else 1.
    method : {"rosenstein", "kantz"}
    dim, delay, theiler, max_steps : int, optional
    fit_range : (int, int), optional
        Steps ``(start, stop)`` to fit instead of the detected region.

    Returns
    -------
    LyapunovResult
        Warns :class:`PoorFitWarning` when ``quality < 0.8``: always for a series
        that is not map-like (a flow, finely or coarsely sampled), whose exponent
        this package does not vouch for within 25% (see ``LyapunovResult.quality``).

    Examples
    --------
    >>> from temporal_attractor_studio.systems import logistic
    >>> result = lyapunov_max(logistic(2000))
    >>> round(result.exponent, 2), result.dim, result.delay
    (0.69, 2, 1)
    """
    dt = resolve_dt(series, dt)
    x = as_series(series)
    check_not_constant(x)
    if method not in ("rosenstein", "kantz"):
        raise AttractorError(f"method must be 'rosenstein' or 'kantz', got {method!r}")
    n = x.shape[0]
    if n < 50:
        raise AttractorError(f"series must have at least 50 points, got {n}")
    period = mean_period(x)
    delay = estimate_delay(x) if delay is None else as_int(delay, "delay", 1)
    theiler = math.ceil(period) if theiler is None else as_int(theiler, "theiler", 0)
    theiler = min(theiler, n // 10)
    if dim is None:
        max_dim = max(1, min(10, (n // 4) // delay - 1))
        dim = estimate_dimension(x, delay, max_dim=max_dim, theiler=theiler)
    else:
        dim = as_int(dim, "dim", 1)
    rows = n - (dim - 1) * delay
    if max_steps is None:
        max_steps = int(min(max(10, math.ceil(_CURVE_PERIODS * period)), max(3, rows // 4)))
    else:
        max_steps = as_int(max_steps, "max_steps", 2)
    m = rows - max_steps
    if m < 2 * theiler + 20:
        raise AttractorError(
            f"series of length {n} is too short for dim={dim}, delay={delay}, "
            f"theiler={theiler}, max_steps={max_steps}"
        )
    y = np.ascontiguousarray(embed(x, dim, delay))
    base = np.ascontiguousarray(y[:m])
    block_sum = np.zeros((_JACKKNIFE_BLOCKS, max_steps + 1))
    block_count = np.zeros((_JACKKNIFE_BLOCKS, max_steps + 1), dtype=np.intp)
    tree = neighbor_tree(base)  # one tree for every search over these points
    if method == "rosenstein":
        query = np.arange(m, dtype=np.intp)
        search = find_admissible_neighbors(base, query, theiler, tree=tree)
        if search.abandoned > query.size // 2:
            raise AttractorError(
                f"the series does not return near its own past: {search.abandoned} of "
                f"{query.size} points have no neighbour outside the Theiler window "
                f"(theiler={theiler}) within the search's work bound (a random walk, "
                "trend or other non-stationary series?); the exponent cannot be measured"
            )
        j = search.index
        ok = j >= 0
        first = np.ascontiguousarray(query[ok], dtype=np.intp)
        second = np.ascontiguousarray(j[ok], dtype=np.intp)
        if first.size == 0:
            raise AttractorError(
                "no admissible neighbour pairs (an exactly periodic or too short series?); "
                "the exponent cannot be measured"
            )
        _divergence.rosenstein_curve(y, first, second, max_steps, block_sum, block_count)
        n_pairs = int(first.size)
    else:
        refs, indptr, nbrs = _kantz_neighbourhoods(base, tree, theiler)
        _divergence.kantz_curve(y, refs, indptr, nbrs, max_steps, block_sum, block_count)
        n_pairs = int(nbrs.size)
    total, count = block_sum.sum(axis=0), block_count.sum(axis=0)
    if (count == 0).any():
        raise AttractorError(
            "neighbour pairs coincide at some step (an exactly periodic series?); "
            "the exponent cannot be measured"
        )
    curve = total / count
    times = np.arange(max_steps + 1, dtype=np.float64) * dt
    if fit_range is None:
        start, stop = fit_linear_region(curve)
    else:
        try:
            start, stop = (int(v) for v in fit_range)
        except (TypeError, ValueError) as exc:
            raise AttractorError(f"fit_range must be two integers, got {fit_range!r}") from exc
        if not 0 <= start < stop <= max_steps + 1 or stop - start < 2:
            raise AttractorError(
                f"fit_range must satisfy 0 <= start < stop <= {max_steps + 1} with at least "
                f"2 points, got {fit_range!r}"
            )
    slope, intercept, r2 = _line_fit(times[start:stop], curve[start:stop])
    rise = float(np.median(curve[-max(1, curve.shape[0] // 10) :]) - curve[0])
    consistency = 1.0
    if fit_range is None:
        consistency = _consistency(curve, times, slope)
    fit_quality = r2 * min(1.0, max(0.0, rise)) * min(1.0, (stop - start) / _FULL_REGION)
    standard_error = _jackknife_error(block_sum, block_count, times, start, stop)
    scale_dimension = _small_scale_dimension(base, tree, theiler)
    efolds = abs(slope) * period * dt
    region_periods = (stop - start) / period
    # A non-finite dimension needs no case here: it already zeroes ``resolution``.
    not_map_like = max(
        _ramp(period, _MAP_PERIOD, _FLOW_PERIOD),
        _ramp(scale_dimension, _MAP_DIMENSION, _FLOW_DIMENSION),
    )
    factors = {
        "fit": float(fit_quality),
        "consistency": float(consistency),
        "precision": _ramp(
            standard_error / abs(slope) if slope else math.inf,
            2 * _PRECISE_RELATIVE_ERROR,
            _PRECISE_RELATIVE_ERROR,
        ),
        "resolution": _ramp(scale_dimension, _NOISE_DIMENSION, _ATTRACTOR_DIMENSION),
        "efolds_per_period": _ramp(efolds, _MIN_EFOLDS_PER_PERIOD, _FULL_EFOLDS_PER_PERIOD),
        "rise": _ramp(rise, _MIN_RISE, _FULL_RISE),
        "orbit_coverage": _ramp(region_periods, _MIN_REGION_PERIODS, _FULL_REGION_PERIODS),
        "map_like": 1.0 - (1.0 - _FLOW_SCALE) * not_map_like,
    }
    quality = math.prod(factors.values())
    result = LyapunovResult(
        exponent=slope,
        divergence=curve,
        times=times,
        fit_range=(start, stop),
        intercept=intercept,
        quality=float(quality),
        method=method,
        dim=dim,
        delay=delay,
        theiler=theiler,
        dt=dt,
        n_pairs=n_pairs,
        fit_quality=float(fit_quality),
        consistency=float(consistency),
        standard_error=standard_error,
        small_scale_dimension=scale_dimension,
        efolds_per_period=float(efolds),
        region_periods=float(region_periods),
        quality_factors=factors,
    )
    if quality < POOR_QUALITY:
        warnings.warn(
            _poor_quality_message(factors, quality, period, scale_dimension),
            PoorFitWarning,
            stacklevel=2,
        )
    return result
