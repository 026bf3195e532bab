"""Attractor classification: fixed point, limit cycle, quasi-periodic, chaos, noise or drift.

Decision rules, applied in order (each is tested); ``AttractorInfo.evidence`` records
every test run, its statistic and threshold, and the ``reason`` for the outcome:

1. **FIXED_POINT** — the signal's amplitude (standard deviation over 8 equal
   windows) has collapsed (last window below 1e-3 of the largest), or decays
   exponentially (log-amplitude against time: negative slope, R² >= 0.9, last/first
   window < 0.5). The exponent reported is the decay rate (the log-amplitude slope
   over the windows whose amplitude is above 1e-9 of the largest).
2. **NON_STATIONARY** — the augmented Dickey–Fuller test cannot reject a unit root
   (p > 0.05) and the KPSS test rejects level stationarity (p <= 0.05): random
   walks, ramps, trends and exponential growth. Nothing about an attractor can be
   read from a series that has not settled on one.
3. **LIMIT_CYCLE** — after the series has decorrelated (normalised lag difference
   ``r(L) = rms(x[t+L]-x[t]) / (sqrt 2 std)`` above 0.5), one of the first four local
   minima of ``r`` is below 0.1 after parabolic refinement to a fractional lag: that
   lag is the period, and the exponent is 0.
4. A nonlinear-prediction surrogate test (:func:`determinism_test`, 9 IAAFT
   surrogates, the first 4096 points, embedding dimension by Cao capped at 6):
   prediction error over the best surrogate's >= 0.9 → **STOCHASTIC** (white and
   coloured noise end here); between 0.7 and 0.9 → **UNKNOWN** (weak determinism:
   noisy chaos and persistent noise cannot be told apart).
5. When the unit-root evidence is not overwhelming (ADF p > 1e-3), the same test
   runs on the increments ``x[t+delay] - x[t]``: increments that do not beat their
   surrogates by the same margin → **UNKNOWN** (a random walk whose ADF test
   rejected by chance has deterministic-looking levels but noise increments).
6. Deterministic and aperiodic: **CHAOTIC** when :func:`lyapunov_max` (defaults) is
   positive with ``fit_quality >= 0.5`` (the divergence is exponential; the
   exponent's accuracy is its ``quality``, reported in the evidence) and its curve
   rises at least 1.3 e-folds before saturating (separation along a torus grows
   linearly and saturates after less); **QUASI_PERIODIC** when the curve rises
   less than one e-fold and has saturated (its last quarter climbs less than 0.3
   e-folds) and the prediction error is below 0.35 of the surrogates' (noisy chaos
   can show a small rise too); **UNKNOWN** otherwise.
"""

from __future__ import annotations

import enum
import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_series, check_not_constant, resolve_dt
from .errors import AttractorError, PoorFitWarning
from .lyapunov import lyapunov_max
from .parameters import estimate_delay, estimate_dimension, mean_period
from .stationarity import adf_test, kpss_test
from .surrogates import DeterminismTest, determinism_test

__all__ = ["AttractorInfo", "AttractorType", "classify"]

_WINDOWS = 8
_PERIOD_TOLERANCE = 0.1
_SURROGATE_POINTS = 4096
#: Thresholds of the decision rules, reported in every ``AttractorInfo.evidence``.
THRESHOLDS: dict[str, float] = {
    "adf_p_unit_root": 0.05,
    "kpss_p_reject": 0.05,
    "adf_p_check_increments": 1e-3,
    "determinism_ratio": 0.7,
    "stochastic_ratio": 0.9,
    "lyapunov_quality": 0.5,
    "chaos_min_rise": 1.3,
    "quasi_periodic_max_rise": 1.0,
    "saturated_tail_rise": 0.3,
    "quasi_periodic_max_ratio": 0.35,
}


class AttractorType(enum.Enum):
    """Kind of long-term behaviour of a series."""

    FIXED_POINT = "fixed_point"
    LIMIT_CYCLE = "limit_cycle"
    QUASI_PERIODIC = "quasi_periodic"
    CHAOTIC = "chaotic"
    STOCHASTIC = "stochastic"
    NON_STATIONARY = "non_stationary"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class AttractorInfo:
    """Result of :func:`classify`.

    Attributes
    ----------
    attractor_type : AttractorType
    lyapunov_exponents : tuple of float
        Largest exponent per time unit (decay rate for a fixed point, 0 for a limit
        cycle, :func:`lyapunov_max` otherwise; empty for noise).
    confidence : float
        In ``[0, 1]``; how clearly the deciding rule was met (see the module doc;
        the ADF p-value for NON_STATIONARY, 0 for UNKNOWN).
    period : float or None
        Period in time units for a limit cycle.
    evidence : dict
        The numbers behind the decision: ``reason`` (one sentence), ``tests`` (each
        test run, in order, with its statistic), ``thresholds`` (the rules' limits)
        and the quantities each rule read.
    """

    attractor_type: AttractorType
    lyapunov_exponents: tuple[float, ...]
    confidence: float
    period: float | None = None
    evidence: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_stable(self) -> bool:
        """True for a fixed point or a limit cycle (no positive exponent)."""
        return self.attractor_type in (AttractorType.FIXED_POINT, AttractorType.LIMIT_CYCLE)

    @property
    def is_chaotic(self) -> bool:
        """True when the series was classified CHAOTIC."""
        return self.attractor_type is AttractorType.CHAOTIC

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python dictionary, for JSON."""
        return {
            "attractor_type": self.attractor_type.value,
            "lyapunov_exponents": list(self.lyapunov_exponents),
            "confidence": self.confidence,
            "period": self.period,
            "is_stable": self.is_stable,
            "is_chaotic": self.is_chaotic,
            "evidence": dict(self.evidence),
        }


def _decay(x: NDArray[np.float64], dt: float) -> tuple[bool, float, float]:
    """(converging, decay rate per time unit, confidence) from window amplitudes."""
    n = x.shape[0]
    size = n // _WINDOWS
    amp = np.array([np.std(x[i * size : (i + 1) * size]) for i in range(_WINDOWS)])
    times = (np.arange(_WINDOWS) + 0.5) * size * dt
    collapsed = bool(amp[-1] <= 1e-3 * amp.max())
    usable = amp > 1e-9 * amp.max()
    if usable.sum() < 3:
        return collapsed, -math.inf if collapsed else 0.0, 1.0 if collapsed else 0.0
    log_amp = np.log(amp[usable])
    t = times[usable]
    slope, intercept = np.polyfit(t, log_amp, 1)
    resid = log_amp - (slope * t + intercept)
    total = float(((log_amp - log_amp.mean()) ** 2).sum())
    r2 = max(0.0, 1.0 - float((resid**2).sum()) / total) if total > 0 else 0.0
    converging = collapsed or (slope < 0 and r2 >= 0.9 and amp[-1] / amp[0] < 0.5)
    return bool(converging), float(slope), 1.0 if collapsed else float(r2)


def _lag_residual(x: NDArray[np.float64], max_lag: int) -> NDArray[np.float64]:
    """``r(L)``, L = 0..max_lag: RMS of x[t+L]-x[t] over sqrt(2)*std, via FFT."""
    y = x - x.mean()
    n = y.shape[0]
    size = 1 << int(np.ceil(np.log2(2 * n)))
    spec = np.fft.rfft(y, size)
    cross = np.fft.irfft(spec * np.conj(spec), size)[: max_lag + 1]
    sq = np.concatenate([[0.0], np.cumsum(y * y)])
    lags = np.arange(max_lag + 1)
    head = sq[n - lags]  # sum of y[t]^2, t < n - L
    tail = sq[n] - sq[lags]  # sum of y[t]^2, t >= L
    msd = np.maximum(head + tail - 2.0 * cross, 0.0) / (n - lags)
    return np.sqrt(msd / (2.0 * float(np.var(y))))


def _period(x: NDArray[np.float64]) -> tuple[float | None, float]:
    """(period in samples, refined residual) of the first qualifying minimum, or None."""
    n = x.shape[0]
    max_lag = max(3, n // 3)
    r = _lag_residual(x, max_lag)
    above = np.nonzero(r > 0.5)[0]
    if above.size == 0:
        return None, 1.0
    minima = 0
    best = 1.0
    for lag in range(int(above[0]) + 1, max_lag):
        if not (r[lag] <= r[lag - 1] and r[lag] < r[lag + 1]):
            continue
        minima += 1
        a, b, c = r[lag - 1] ** 2, r[lag] ** 2, r[lag + 1] ** 2
        curv = a - 2.0 * b + c
        shift = 0.5 * (a - c) / curv if curv > 0 else 0.0
        shift = float(np.clip(shift, -0.5, 0.5))
        refined = math.sqrt(max(b - 0.25 * (a - c) * shift, 0.0))
        best = min(best, refined)
        if refined < _PERIOD_TOLERANCE and r[lag] < 0.5:
            return lag + shift, refined
        if minima >= 4:
            break
    return None, best


def classify(series: ArrayLike, *, dt: object = None, seed: int | None = 0) -> AttractorInfo:
    """Classify the attractor behind a scalar series (rules in the module docstring).

    Parameters
    ----------
    series : array_like
        1-D finite, non-constant series of at least 200 points.
    dt : float or timedelta, optional
        Sampling interval; exponents are per time unit and the period in time units.
        A ``datetime.timedelta``, ``numpy.timedelta64`` or pandas ``Timedelta`` is
        read in seconds. When omitted: the step of the series' pandas
        ``DatetimeIndex`` (in seconds; it must be evenly spaced), else 1.
    seed : int or None
        Seed of the surrogate generator (fixed by default so results are repeatable).

    Examples
    --------
    >>> from temporal_attractor_studio.systems import logistic
    >>> classify(logistic(2000, r=3.5)).attractor_type
    <AttractorType.LIMIT_CYCLE: 'limit_cycle'>
    >>> classify(logistic(2000, r=4.0)).is_chaotic
    True
    """
    dt = resolve_dt(series, dt)
    x = as_series(series)
    check_not_constant(x)
    n = x.shape[0]
    if n < 200:
        raise AttractorError(f"series must have at least 200 points to classify, got {n}")
    tests: list[dict[str, Any]] = []
    evidence: dict[str, Any] = {"tests": tests, "thresholds": dict(THRESHOLDS)}

    def result(
        kind: AttractorType,
        exponents: tuple[float, ...],
        confidence: float,
        reason: str,
        period: float | None = None,
    ) -> AttractorInfo:
        evidence["reason"] = reason
        return AttractorInfo(kind, exponents, float(confidence), period, evidence)

    converging, rate, r2 = _decay(x, dt)
    evidence.update(decay_rate=rate, decay_r2=r2)
    tests.append({"name": "amplitude_decay", "slope": rate, "r2": r2, "converging": converging})
    if converging:
        return result(AttractorType.FIXED_POINT, (rate,), r2, "the amplitude collapses or decays")
    adf = adf_test(x)
    kpss = kpss_test(x)
    tests.extend([adf.to_dict(), kpss.to_dict()])
    if adf.p_value > THRESHOLDS["adf_p_unit_root"] and kpss.p_value <= THRESHOLDS["kpss_p_reject"]:
        return result(
            AttractorType.NON_STATIONARY,
            (),
            adf.p_value,
            f"unit root not rejected (ADF p={adf.p_value:.3g}) and level stationarity "
            f"rejected (KPSS p<={kpss.p_value:.3g}): a random walk, trend or growth",
        )
    period, residual = _period(x)
    evidence["period_residual"] = residual
    tests.append({"name": "period", "residual": residual, "period_samples": period})
    if period is not None:
        return result(
            AttractorType.LIMIT_CYCLE,
            (0.0,),
            1.0 - residual / _PERIOD_TOLERANCE,
            "the series repeats itself after one period",
            period=period * dt,
        )
    segment = x[:_SURROGATE_POINTS]
    delay = estimate_delay(segment)
    theiler = math.ceil(mean_period(segment))
    theiler = min(theiler, segment.shape[0] // 10)
    max_dim = max(1, min(6, (segment.shape[0] // 4) // delay - 1))
    dim = estimate_dimension(segment, delay, max_dim=max_dim, theiler=theiler)
    test = determinism_test(segment, dim, delay, theiler=theiler, seed=seed)
    tests.append({"name": "determinism", **test.to_dict()})
    evidence.update(
        prediction_error=test.error,
        surrogate_errors=list(test.surrogate_errors),
        determinism_ratio=test.ratio,
        dim=dim,
        delay=delay,
    )
    if test.ratio >= THRESHOLDS["stochastic_ratio"]:
        return result(
            AttractorType.STOCHASTIC,
            (),
            min(1.0, test.ratio),
            "nonlinear prediction does no better than on linear-noise surrogates",
        )
    if not test.deterministic:
        return result(
            AttractorType.UNKNOWN,
            (),
            0.0,
            f"weak determinism (prediction error {test.ratio:.2f} of the surrogates'): "
            "noisy chaos and persistent noise cannot be told apart",
        )
    if adf.p_value > THRESHOLDS["adf_p_check_increments"]:
        increments = _increment_test(segment, dim, delay, theiler, seed)
        if increments is not None:
            tests.append({"name": "determinism_of_increments", **increments.to_dict()})
            if not increments.deterministic:
                return result(
                    AttractorType.UNKNOWN,
                    (),
                    0.0,
                    f"levels look deterministic but increments do not (ratio "
                    f"{increments.ratio:.2f}) and the unit-root test is not conclusive "
                    f"(ADF p={adf.p_value:.3g}): possibly a random walk",
                )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PoorFitWarning)
        try:
            lyap = lyapunov_max(x, dt=dt)
        except AttractorError as exc:
            evidence["lyapunov_error"] = str(exc)
            return result(AttractorType.UNKNOWN, (), 0.0, f"no exponent: {exc}")
    rise = float(np.median(lyap.divergence[-max(1, lyap.divergence.shape[0] // 10) :]))
    rise -= float(lyap.divergence[0])
    evidence.update(
        lyapunov_quality=lyap.quality,
        lyapunov_fit_quality=lyap.fit_quality,
        lyapunov_consistency=lyap.consistency,
        divergence_rise=rise,
    )
    tests.append(
        {
            "name": "lyapunov_max",
            "exponent": lyap.exponent,
            "quality": lyap.quality,
            "fit_quality": lyap.fit_quality,
            "consistency": lyap.consistency,
            "divergence_rise": rise,
            "fit_range": list(lyap.fit_range),
        }
    )
    determinism = float(1.0 - test.ratio)
    if (
        lyap.exponent > 0
        and lyap.fit_quality >= THRESHOLDS["lyapunov_quality"]
        and rise >= THRESHOLDS["chaos_min_rise"]
    ):
        return result(
            AttractorType.CHAOTIC,
            (lyap.exponent,),
            min(lyap.fit_quality, determinism),
            f"deterministic, and neighbours separate exponentially ({rise:.1f} e-folds; "
            f"the exponent's own quality is {lyap.quality:.2f})",
        )
    # A curve still climbing at its end has not shown its saturation level: the
    # neighbours may simply be too close to have separated yet (Rössler, n=2000).
    quarter = max(2, lyap.divergence.shape[0] // 4)
    tail_rise = float(
        np.polyfit(lyap.times[-quarter:], lyap.divergence[-quarter:], 1)[0]
        * (lyap.times[-1] - lyap.times[-quarter])
    )
    evidence["divergence_tail_rise"] = tail_rise
    saturated = tail_rise < THRESHOLDS["saturated_tail_rise"]
    # Tori predict far better than their surrogates (ratio <= 0.26 on the test grid);
    # noisy chaos (ratio >= 0.4) can also show a small, saturated rise.
    strongly_deterministic = test.ratio < THRESHOLDS["quasi_periodic_max_ratio"]
    if rise < THRESHOLDS["quasi_periodic_max_rise"] and saturated and strongly_deterministic:
        return result(
            AttractorType.QUASI_PERIODIC,
            (lyap.exponent,),
            min(1.0 - rise, determinism),
            f"deterministic and aperiodic, but neighbours separate by less than one "
            f"e-fold ({rise:.2f})",
        )
    return result(
        AttractorType.UNKNOWN,
        (lyap.exponent,),
        0.0,
        f"deterministic, but the divergence (exponent {lyap.exponent:.3g}, quality "
        f"{lyap.quality:.2f}, rise {rise:.2f} e-folds) is not clearly exponential",
    )


def _increment_test(
    segment: NDArray[np.float64], dim: int, delay: int, theiler: int, seed: int | None
) -> DeterminismTest | None:
    """Surrogate test on ``x[t+delay] - x[t]``; None when the increments are constant."""
    increments = segment[delay:] - segment[:-delay]
    if float(np.ptp(increments)) <= 1e-12 * float(np.max(np.abs(increments))):
        return None
    return determinism_test(increments, dim, delay, theiler=theiler, seed=seed)
