"""The 0–1 test for chaos (Gottwald & Melbourne 2009, correlation method)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_int, as_series, check_not_constant
from .errors import AttractorError

__all__ = ["zero_one_test"]


def _mean_square_displacement(z: NDArray[np.float64], max_lag: int) -> NDArray[np.float64]:
    """mean_j (z[j+n] - z[j])**2 for n = 1..max_lag, via FFT (O(N log N))."""
    n = z.shape[0]
    size = 1 << int(np.ceil(np.log2(2 * n)))
    spec = np.fft.rfft(z, size)
    cross = np.fft.irfft(spec * np.conj(spec), size)[1 : max_lag + 1]
    sq = np.concatenate([[0.0], np.cumsum(z * z)])
    lags = np.arange(1, max_lag + 1)
    head = sq[n - lags]
    tail = sq[n] - sq[lags]
    return (head + tail - 2.0 * cross) / (n - lags)


def zero_one_test(series: ArrayLike, *, n_frequencies: int = 100, seed: int | None = 0) -> float:
    """Median growth-rate correlation ``K``: near 1 for chaos, near 0 for regular motion.

    For ``n_frequencies`` random ``c`` in ``(π/5, 4π/5)`` the series drives the
    translation ``p(n) = Σ x_j cos(jc)``, ``q(n) = Σ x_j sin(jc)``; ``K_c`` is the
    correlation of its mean square displacement (oscillatory term removed) with
    ``n`` for ``n <= N/10``. The test needs samples that are not oversampled: use
    one sample per characteristic time (maps as they are; flows sampled at about
    their AMI delay). Noise also gives ``K`` near 1, so it does not tell chaos from
    noise on its own (see :func:`determinism_test`).

    Examples
    --------
    >>> from temporal_attractor_studio.systems import logistic
    >>> zero_one_test(logistic(3000, r=4.0)) > 0.9
    True
    >>> zero_one_test(logistic(3000, r=3.5)) < 0.1
    True
    """
    x = as_series(series)
    check_not_constant(x)
    n_frequencies = as_int(n_frequencies, "n_frequencies", 1)
    n = x.shape[0]
    if n < 100:
        raise AttractorError(f"series must have at least 100 points for the 0-1 test, got {n}")
    phi = (x - x.mean()) / x.std()  # K is scale-free; this avoids overflow
    j = np.arange(1, n + 1, dtype=np.float64)
    cut = n // 10
    lags = np.arange(1, cut + 1, dtype=np.float64)
    rng = np.random.default_rng(seed)
    values = []
    for c in rng.uniform(np.pi / 5, 4 * np.pi / 5, n_frequencies):
        p = np.cumsum(phi * np.cos(j * c))
        q = np.cumsum(phi * np.sin(j * c))
        msd = _mean_square_displacement(p, cut) + _mean_square_displacement(q, cut)
        # The mean of phi is removed, so the oscillatory term (Eφ)^2 (...) vanishes.
        if not np.ptp(msd) > 1e-12 * float(np.max(np.abs(msd))):
            values.append(0.0)
            continue
        values.append(float(np.corrcoef(lags, msd)[0, 1]))
    return float(np.median(values))
