"""Attractor classification: fixed point, limit cycle, quasi-periodic, chaos or noise.

Decision rules, applied in order (each is tested):

1. **FIXED_POINT** — the signal's amplitude (standard deviation over 8 equal
   windows) has collapsed (last window below 1e-3 of the largest), or decays
   exponentially (log-amplitude against time: negative slope, R² >= 0.9, last/first
   window < 0.5). The exponent reported is the decay rate (the log-amplitude slope
   over the windows whose amplitude is above 1e-9 of the largest).
2. **LIMIT_CYCLE** — after the series has decorrelated (normalised lag difference
   ``r(L) = rms(x[t+L]-x[t]) / (sqrt 2 std)`` above 0.5), one of the first four local
   minima of ``r`` is below 0.1 after parabolic refinement to a fractional lag: that
   lag is the period, and the exponent is 0.
3. Otherwise a nonlinear-prediction surrogate test (:func:`determinism_test`, 9
   IAAFT surrogates, the first 4096 points, embedding dimension by Cao capped at
   6) decides whether the series is
   deterministic. If not: **STOCHASTIC**. White and AR(1) noise end here, so noise
   is never called chaotic even though its divergence curve has a positive slope.
4. Deterministic and aperiodic: **CHAOTIC** when :func:`lyapunov_max` (defaults) is
   positive with quality >= 0.5; **QUASI_PERIODIC** when its divergence curve does
   not grow (rise below one e-fold, the torus case); **UNKNOWN** otherwise.
"""

from __future__ import annotations

import enum
import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_dt, as_series, check_not_constant
from .errors import AttractorError, PoorFitWarning
from .lyapunov import lyapunov_max
from .parameters import estimate_delay, estimate_dimension, mean_period
from .surrogates import determinism_test

__all__ = ["AttractorInfo", "AttractorType", "classify"]

_WINDOWS = 8
_PERIOD_TOLERANCE = 0.1
_SURROGATE_POINTS = 4096


class AttractorType(enum.Enum):
    """Kind of long-term behaviour of a series."""

    FIXED_POINT = "fixed_point"
    LIMIT_CYCLE = "limit_cycle"
    QUASI_PERIODIC = "quasi_periodic"
    CHAOTIC = "chaotic"
    STOCHASTIC = "stochastic"
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
        In ``[0, 1]``; how clearly the deciding rule was met (see the module doc).
    period : float or None
        Period in time units for a limit cycle.
    evidence : dict
        The numbers behind the decision.
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


def classify(series: ArrayLike, *, dt: float = 1.0, seed: int | None = 0) -> AttractorInfo:
    """Classify the attractor behind a scalar series (rules in the module docstring).

    Parameters
    ----------
    series : array_like
        1-D finite, non-constant series of at least 200 points.
    dt : float
        Sampling interval; exponents are per time unit and the period in time units.
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
    x = as_series(series)
    check_not_constant(x)
    dt = as_dt(dt)
    n = x.shape[0]
    if n < 200:
        raise AttractorError(f"series must have at least 200 points to classify, got {n}")
    converging, rate, r2 = _decay(x, dt)
    if converging:
        return AttractorInfo(
            AttractorType.FIXED_POINT,
            (rate,),
            confidence=r2,
            evidence={"decay_rate": rate, "decay_r2": r2},
        )
    period, residual = _period(x)
    if period is not None:
        return AttractorInfo(
            AttractorType.LIMIT_CYCLE,
            (0.0,),
            confidence=float(1.0 - residual / _PERIOD_TOLERANCE),
            period=period * dt,
            evidence={"period_residual": residual},
        )
    segment = x[:_SURROGATE_POINTS]
    delay = estimate_delay(segment)
    theiler = math.ceil(mean_period(segment))
    theiler = min(theiler, segment.shape[0] // 10)
    max_dim = max(1, min(6, (segment.shape[0] // 4) // delay - 1))
    dim = estimate_dimension(segment, delay, max_dim=max_dim, theiler=theiler)
    test = determinism_test(segment, dim, delay, theiler=theiler, seed=seed)
    evidence: dict[str, Any] = {
        "prediction_error": test.error,
        "surrogate_errors": list(test.surrogate_errors),
        "dim": dim,
        "delay": delay,
    }
    if not test.deterministic:
        return AttractorInfo(
            AttractorType.STOCHASTIC,
            (),
            confidence=float(min(1.0, test.ratio)),
            evidence=evidence,
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PoorFitWarning)
        try:
            lyap = lyapunov_max(x, dt=dt)
        except AttractorError as exc:
            evidence["lyapunov_error"] = str(exc)
            return AttractorInfo(AttractorType.UNKNOWN, (), confidence=0.0, evidence=evidence)
    rise = float(np.median(lyap.divergence[-max(1, lyap.divergence.shape[0] // 10) :]))
    rise -= float(lyap.divergence[0])
    evidence.update(lyapunov_quality=lyap.quality, divergence_rise=rise)
    determinism = float(1.0 - test.ratio)
    if lyap.exponent > 0 and lyap.quality >= 0.5:
        return AttractorInfo(
            AttractorType.CHAOTIC,
            (lyap.exponent,),
            confidence=float(min(lyap.quality, determinism)),
            evidence=evidence,
        )
    if rise < 1.0:
        return AttractorInfo(
            AttractorType.QUASI_PERIODIC,
            (lyap.exponent,),
            confidence=float(min(1.0 - rise, determinism)),
            evidence=evidence,
        )
    return AttractorInfo(AttractorType.UNKNOWN, (lyap.exponent,), confidence=0.0, evidence=evidence)
