"""Surrogate data and the nonlinear-prediction test for determinism."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_int, as_series, check_not_constant
from .embedding import embed
from .errors import AttractorError
from .neighbors import admissible_neighbors

__all__ = [
    "DeterminismTest",
    "determinism_test",
    "iaaft_surrogate",
    "phase_randomized_surrogate",
    "prediction_error",
]

#: The data must predict at least this much better than the best surrogate.
EFFECT_SIZE = 0.7
#: IAAFT converges in tens of iterations; more than this is a mistake, not a request.
MAX_IAAFT_ITERATIONS = 100_000
_MAX_QUERIES = 1500


def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def phase_randomized_surrogate(
    series: ArrayLike, seed: int | np.random.Generator | None = None
) -> NDArray[np.float64]:
    """Series with the same power spectrum and random Fourier phases.

    Examples
    --------
    >>> x = np.sin(np.arange(256) * 0.3)
    >>> s = phase_randomized_surrogate(x, seed=0)
    >>> bool(np.allclose(np.abs(np.fft.rfft(s)), np.abs(np.fft.rfft(x))))
    True
    """
    x = as_series(series)
    rng = _rng(seed)
    spec = np.fft.rfft(x)
    phases = np.asarray(rng.uniform(0.0, 2.0 * np.pi, spec.shape[0]), dtype=np.float64)
    phases[0] = 0.0
    if x.shape[0] % 2 == 0:
        phases[-1] = 0.0  # the Nyquist term must stay real
    return np.fft.irfft(np.abs(spec) * np.exp(1j * phases), x.shape[0])


def iaaft_surrogate(
    series: ArrayLike,
    seed: int | np.random.Generator | None = None,
    *,
    n_iter: int = 50,
) -> NDArray[np.float64]:
    """Iterative amplitude-adjusted Fourier-transform surrogate (Schreiber & Schmitz 1996).

    Same values (a permutation of the input) and, approximately, the same power
    spectrum; any nonlinear determinism is destroyed. Iterates until the values stop
    changing or ``n_iter`` (at most 100,000) iterations.

    Examples
    --------
    >>> x = np.random.default_rng(1).standard_normal(128) ** 3
    >>> s = iaaft_surrogate(x, seed=0)
    >>> bool(np.array_equal(np.sort(s), np.sort(x)))
    True
    """
    x = as_series(series)
    n_iter = as_int(n_iter, "n_iter", 1)
    if n_iter > MAX_IAAFT_ITERATIONS:
        raise AttractorError(
            f"n_iter must be at most {MAX_IAAFT_ITERATIONS} (IAAFT converges in tens of "
            f"iterations), got {n_iter}"
        )
    rng = _rng(seed)
    amplitude = np.abs(np.fft.rfft(x))
    sorted_x = np.sort(x)
    s = rng.permutation(x)
    for _ in range(n_iter):
        spec = np.fft.rfft(s)
        s = np.fft.irfft(amplitude * np.exp(1j * np.angle(spec)), x.shape[0])
        ranks = np.argsort(np.argsort(s))
        s_new = sorted_x[ranks]
        if np.array_equal(s_new, s):
            break
        s = s_new
    return s


def prediction_error(
    series: ArrayLike, dim: int, delay: int, *, horizon: int = 1, theiler: int = 0
) -> float:
    """Normalised error of nearest-neighbour (analogue) prediction ``horizon`` steps ahead.

    Each embedded point (at most 1500, evenly spaced) is predicted by the future of
    its nearest neighbour among all points outside the Theiler window; the RMS
    error is divided by the series' standard deviation (about 1.4 for
    unpredictable data, near 0 for deterministic data).

    Examples
    --------
    >>> from temporal_attractor_studio.systems import logistic
    >>> prediction_error(logistic(2000), dim=1, delay=1) < 0.05
    True
    """
    x = as_series(series)
    check_not_constant(x)
    dim = as_int(dim, "dim", 1)
    delay = as_int(delay, "delay", 1)
    horizon = as_int(horizon, "horizon", 1)
    theiler = as_int(theiler, "theiler", 0)
    rows = x.shape[0] - (dim - 1) * delay - horizon
    if rows < 2 * theiler + 10:
        raise AttractorError(f"series of length {x.shape[0]} is too short to predict")
    pts = np.ascontiguousarray(embed(x, dim, delay)[:rows])
    idx = np.arange(rows, dtype=np.intp)
    if rows > _MAX_QUERIES:
        idx = np.linspace(0, rows - 1, _MAX_QUERIES).astype(np.intp)
    j, _ = admissible_neighbors(pts, idx, theiler)
    ok = j >= 0
    future = (dim - 1) * delay + horizon
    err = x[idx[ok] + future] - x[j[ok] + future]
    return float(np.sqrt(np.mean(err**2)) / np.std(x))


@dataclass(frozen=True)
class DeterminismTest:
    """Outcome of :func:`determinism_test`.

    ``deterministic`` is True when the data's prediction error is below every
    surrogate's and below ``EFFECT_SIZE`` times the smallest of them.
    """

    deterministic: bool
    error: float
    surrogate_errors: tuple[float, ...]

    @property
    def ratio(self) -> float:
        """Data error over the smallest surrogate error (small means deterministic)."""
        return self.error / min(self.surrogate_errors)

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python dictionary, for JSON."""
        return {
            "deterministic": self.deterministic,
            "error": self.error,
            "surrogate_errors": list(self.surrogate_errors),
            "ratio": self.ratio,
        }


def determinism_test(
    series: ArrayLike,
    dim: int,
    delay: int,
    *,
    n_surrogates: int = 9,
    horizon: int | None = None,
    theiler: int = 0,
    seed: int | np.random.Generator | None = 0,
) -> DeterminismTest:
    """Test the null hypothesis "linear Gaussian process, observed through a static map".

    The discriminating statistic is :func:`prediction_error` at ``horizon`` steps
    (default ``delay``). The null is rejected (the series is called deterministic)
    only when the data predict better than all ``n_surrogates`` IAAFT surrogates
    (rank test, false-rejection rate ``1 / (n_surrogates + 1)``) and by a margin:
    error ``< 0.7 *`` the best surrogate's. Noise, white or coloured, fails the
    margin in practice; deterministic chaos passes it by far.

    Examples
    --------
    >>> from temporal_attractor_studio.systems import henon
    >>> determinism_test(henon(1000)[:, 0], dim=2, delay=1).deterministic
    True
    >>> noise = np.random.default_rng(0).standard_normal(1000)
    >>> determinism_test(noise, dim=2, delay=1).deterministic
    False
    """
    x = as_series(series)
    check_not_constant(x)
    n_surrogates = as_int(n_surrogates, "n_surrogates", 1)
    h = as_int(delay, "delay", 1) if horizon is None else as_int(horizon, "horizon", 1)
    rng = _rng(seed)
    error = prediction_error(x, dim, delay, horizon=h, theiler=theiler)
    surrogate_errors = tuple(
        prediction_error(iaaft_surrogate(x, rng, n_iter=20), dim, delay, horizon=h, theiler=theiler)
        for _ in range(n_surrogates)
    )
    best = min(surrogate_errors)
    return DeterminismTest(
        deterministic=bool(error < best and error < EFFECT_SIZE * best),
        error=error,
        surrogate_errors=surrogate_errors,
    )
