"""Stationarity tests: augmented Dickey–Fuller (unit root) and KPSS (level stationarity).

Both use the regression with a constant only ("c"): a random walk, a ramp or
exponential growth are what they must catch; a trend-stationary series is not
what a chaotic attractor produces either. The lag orders follow Schwert's rule
``floor(12 (n/100)^(1/4))`` so results do not depend on a model search.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import norm

from ._validation import as_int, as_series, check_not_constant
from .errors import AttractorError

__all__ = ["StationarityTest", "adf_test", "kpss_test"]

# MacKinnon (1994), Tables 3 and 4, constant-only regression, one variable: the
# p-value is norm.cdf of a polynomial in the tau statistic, one polynomial on each
# side of TAU_STAR (coefficients lowest order first).
_TAU_STAR = -1.61
_TAU_MIN = -18.83
_TAU_MAX = 2.74
_SMALL_P = (2.1659, 1.4412, 3.8269e-2)
_LARGE_P = (1.7339, 9.3202e-1, -1.2745e-1, -1.0368e-2)
# MacKinnon (2010), Table 2, constant only: critical value = b0 + b1/T + b2/T^2 + b3/T^3.
_ADF_CRITICAL = {
    "1%": (-3.43035, -6.5393, -16.786, -79.433),
    "5%": (-2.86154, -2.8903, -4.234, -40.040),
    "10%": (-2.56677, -1.5384, -2.809, 0.0),
}
# Kwiatkowski et al. (1992), Table 1, level stationarity (eta_mu).
_KPSS_CRITICAL = {"10%": 0.347, "5%": 0.463, "2.5%": 0.574, "1%": 0.739}


@dataclass(frozen=True)
class StationarityTest:
    """Outcome of :func:`adf_test` or :func:`kpss_test`.

    Attributes
    ----------
    name : str
        ``"adf"`` or ``"kpss"``.
    statistic : float
        The test statistic (``-inf`` for an exactly stationary linear recurrence,
        ``+inf`` for an exact unit-root or explosive one, ADF only).
    p_value : float
        Approximate p-value (ADF: MacKinnon 1994; KPSS: interpolated in the
        published table, clipped to ``[0.01, 0.10]``).
    lags : int
        Lags used (ADF: lagged differences; KPSS: Bartlett bandwidth).
    critical_values : dict
        Published critical values at the usual levels.
    null : str
        The null hypothesis, in words.
    """

    name: str
    statistic: float
    p_value: float
    lags: int
    critical_values: dict[str, float]
    null: str

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python dictionary, for JSON."""
        return {
            "name": self.name,
            "statistic": self.statistic,
            "p_value": self.p_value,
            "lags": self.lags,
            "critical_values": dict(self.critical_values),
            "null": self.null,
        }


def _schwert_lags(n: int) -> int:
    return int(12 * (n / 100.0) ** 0.25)


def _adf_p_value(stat: float) -> float:
    if stat > _TAU_MAX:
        return 1.0
    if stat < _TAU_MIN:
        return 0.0
    coefs = _SMALL_P if stat <= _TAU_STAR else _LARGE_P
    return float(norm.cdf(sum(c * stat**k for k, c in enumerate(coefs))))


def _prepare(series: ArrayLike, lags: int | None, min_points: int) -> NDArray[np.float64]:
    x = as_series(series)
    check_not_constant(x)
    if x.shape[0] < min_points:
        raise AttractorError(f"series must have at least {min_points} points, got {x.shape[0]}")
    return x


def adf_test(series: ArrayLike, *, lags: int | None = None) -> StationarityTest:
    """Augmented Dickey–Fuller test of the null "the series has a unit root".

    Regression ``Δx_t = a + γ x_{t-1} + Σ_{i=1..p} c_i Δx_{t-i} + e_t``; the statistic
    is the t-ratio of ``γ``. A small p-value rejects the unit root (evidence of
    stationarity). When the regression fits exactly (a noiseless ramp, exponential,
    or sine), the statistic is ``-inf`` if ``γ < 0`` (the recurrence is mean
    reverting) and ``+inf`` otherwise (unit root or explosive).

    Parameters
    ----------
    series : array_like
        1-D finite, non-constant series of at least 20 points.
    lags : int, optional
        ``p``; default Schwert's ``floor(12 (n/100)^(1/4))``, at most ``n // 4``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> adf_test(rng.standard_normal(1000)).p_value < 0.01
    True
    >>> adf_test(np.cumsum(rng.standard_normal(1000))).p_value > 0.05
    True
    """
    x = _prepare(series, lags, 20)
    n = x.shape[0]
    p = min(_schwert_lags(n), n // 4) if lags is None else as_int(lags, "lags", 0)
    if p > n // 2 - 3:
        raise AttractorError(f"lags must be below {n // 2 - 3} for {n} points, got {p}")
    dx = np.diff(x)
    rows = dx.shape[0] - p
    design = np.empty((rows, 2 + p))
    design[:, 0] = 1.0
    design[:, 1] = x[p : n - 1]
    for i in range(1, p + 1):
        design[:, 1 + i] = dx[p - i : dx.shape[0] - i]
    target = dx[p:]
    # Scale columns so the normal equations stay well conditioned for trending data.
    scale = np.sqrt((design**2).mean(axis=0))
    scale[scale == 0] = 1.0
    coef, *_ = np.linalg.lstsq(design / scale, target, rcond=None)
    resid = target - (design / scale) @ coef
    gamma = float(coef[1] / scale[1])
    dof = rows - design.shape[1]
    sigma2 = float(resid @ resid) / dof
    exact = sigma2 <= 1e-24 * max(float(target @ target) / rows, 1e-300)
    if exact:
        # An exact recurrence is mean reverting only when gamma is clearly negative;
        # a noiseless ramp gives gamma = 0 up to rounding.
        stat = -math.inf if gamma < -1e-8 else math.inf
    else:
        cov = np.linalg.pinv((design / scale).T @ (design / scale)) * sigma2
        stat = float(coef[1] / math.sqrt(cov[1, 1]))
    critical = {
        level: b0 + b1 / rows + b2 / rows**2 + b3 / rows**3
        for level, (b0, b1, b2, b3) in _ADF_CRITICAL.items()
    }
    return StationarityTest(
        name="adf",
        statistic=stat,
        p_value=_adf_p_value(stat),
        lags=p,
        critical_values=critical,
        null="unit root",
    )


def kpss_test(series: ArrayLike, *, lags: int | None = None) -> StationarityTest:
    """KPSS test of the null "the series is stationary around a constant level".

    ``η = Σ S_t² / (n² s²)`` with ``S_t`` the partial sums of the demeaned series and
    ``s²`` the Bartlett-window long-run variance with ``lags`` lags. A small p-value
    rejects stationarity. The p-value is interpolated in Kwiatkowski et al.'s
    table and so clipped to ``[0.01, 0.10]``.

    Parameters
    ----------
    series : array_like
        1-D finite, non-constant series of at least 20 points.
    lags : int, optional
        Bartlett bandwidth; default Schwert's ``floor(12 (n/100)^(1/4))``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> kpss_test(rng.standard_normal(1000)).p_value
    0.1
    >>> kpss_test(np.cumsum(rng.standard_normal(1000))).p_value
    0.01
    """
    x = _prepare(series, lags, 20)
    n = x.shape[0]
    p = min(_schwert_lags(n), n - 1) if lags is None else as_int(lags, "lags", 0)
    if p >= n:
        raise AttractorError(f"lags must be below the series length {n}, got {p}")
    e = x - x.mean()
    partial = np.cumsum(e)
    long_run = float(e @ e) / n
    for k in range(1, p + 1):
        long_run += 2.0 * (1.0 - k / (p + 1.0)) * float(e[k:] @ e[:-k]) / n
    stat = float(partial @ partial) / (n * n * long_run) if long_run > 0 else math.inf
    levels = np.array([0.10, 0.05, 0.025, 0.01])
    crit = np.array(list(_KPSS_CRITICAL.values()))
    p_value = float(np.interp(stat, crit, levels))
    return StationarityTest(
        name="kpss",
        statistic=stat,
        p_value=p_value,
        lags=p,
        critical_values=dict(_KPSS_CRITICAL),
        null="level stationary",
    )
