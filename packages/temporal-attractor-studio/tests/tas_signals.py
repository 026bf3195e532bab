"""Series whose nature is known by construction, shared by the tests and the benchmark grid.

Each generator takes ``(n, seed)`` and returns ``(series, dt)``. ``NOT_CHAOTIC`` must
never be classified CHAOTIC; ``CHAOTIC`` must come out CHAOTIC or UNKNOWN, never
another class. The benchmark script ``benchmarks/attractor_classify_grid.py`` runs
every generator over 20 seeds and n in {2000, 5000, 10000}; the tests run a few.
"""

from __future__ import annotations

import numpy as np

from temporal_attractor_studio import systems


def _ar(n, coefs, seed):
    rng = np.random.default_rng(seed)
    e = rng.standard_normal(n + 500)
    x = np.zeros(n + 500)
    p = len(coefs)
    for i in range(p, n + 500):
        x[i] = sum(c * x[i - 1 - k] for k, c in enumerate(coefs)) + e[i]
    return x[500:]


def white_noise(n, seed):
    return np.random.default_rng(seed).standard_normal(n), 1.0


def ar1(n, seed):
    phi = (0.5, 0.9, 0.99)[seed % 3]
    return _ar(n, [phi], seed), 1.0


def ar2_oscillating(n, seed):
    # Coloured noise with a spectral peak (complex roots of modulus 0.95).
    r, w = 0.95, 0.3 + 0.05 * (seed % 5)
    return _ar(n, [2 * r * np.cos(w), -r * r], seed), 1.0


def random_walk(n, seed):
    return np.cumsum(np.random.default_rng(seed).standard_normal(n)), 1.0


def random_walk_drift(n, seed):
    rng = np.random.default_rng(seed)
    return np.cumsum(0.05 + rng.standard_normal(n)), 1.0


def geometric_random_walk(n, seed):
    rng = np.random.default_rng(seed)
    return 100 * np.exp(np.cumsum(0.0003 + 0.01 * rng.standard_normal(n))), 1.0


def ramp(n, seed):
    rng = np.random.default_rng(seed)
    slope = 0.5 + rng.random()
    noise = (0.0, 0.1, 1.0)[seed % 3]
    return slope * np.arange(n) + noise * rng.standard_normal(n), 1.0


def exponential_growth(n, seed):
    rng = np.random.default_rng(seed)
    rate = (1.0 + rng.random()) / n
    x = np.exp(rate * np.arange(n) * 3)
    return x * (1 + (0.0, 0.01)[seed % 2] * rng.standard_normal(n)), 1.0


def sine_plus_trend(n, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(n) * 0.1
    return np.sin(t + rng.random()) + 0.002 * np.arange(n) + 0.05 * rng.standard_normal(n), 0.1


def torus(n, seed):
    # The quasi-periodic signal, with the phase offset and modulation varied.
    rng = np.random.default_rng(seed)
    t = np.arange(n) * 0.1 + 3.0 + 10 * rng.random()
    depth = 1.0 + 2.0 * rng.random()
    return np.sin(t + depth * np.sin(((1 + 5**0.5) / 2) * t / 7)), 0.1


def torus_two_frequencies(n, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(n) * 0.05
    w2 = 2**0.5 * (1 + 0.1 * rng.random())
    return np.sin(t + rng.random()) + 0.7 * np.sin(w2 * t + rng.random()), 0.05


def limit_cycle_van_der_pol(n, seed):
    rng = np.random.default_rng(seed)
    x = systems.van_der_pol(n, dt=0.05, x0=(1.0 + rng.random(), 0.0))[:, 0]
    return x, 0.05


def limit_cycle_noisy_sine(n, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(n) * 0.05
    x = np.sin(t + rng.random()) + 0.3 * np.sin(2 * t)
    return x + 0.02 * rng.standard_normal(n), 0.05


def fixed_point(n, seed):
    zeta = (0.01, 0.05, 0.2)[seed % 3]
    return systems.damped_oscillator(n, dt=0.05, zeta=zeta, x0=1.0 + seed), 0.05


def lorenz(n, seed):
    rng = np.random.default_rng(seed)
    x0 = (1.0 + rng.random(), 1.0 + rng.random(), 1.0 + rng.random())
    return systems.lorenz(n, dt=0.01, x0=x0)[:, 0], 0.01


def henon(n, seed):
    rng = np.random.default_rng(seed)
    return systems.henon(n, x0=(0.1 * rng.random(), 0.1 * rng.random()))[:, 0], 1.0


def logistic(n, seed):
    rng = np.random.default_rng(seed)
    return systems.logistic(n, r=4.0, x0=0.1 + 0.8 * rng.random()), 1.0


def rossler(n, seed):
    rng = np.random.default_rng(seed)
    x0 = (1.0 + rng.random(), 1.0 + rng.random(), 0.0)
    return systems.rossler(n, dt=0.1, x0=x0)[:, 0], 0.1


def mackey_glass(n, seed, *, tau=17.0, sample=1.0, h=0.1):
    """Mackey–Glass (β=0.2, γ=0.1, n=10, τ=17) by RK4 with step h, sampled every ``sample``.

    The delayed term at half steps is the mean of its neighbours on the grid.
    """
    rng = np.random.default_rng(seed)
    lag = round(tau / h)
    every = round(sample / h)
    transient = 5000
    total = (n + transient) * every
    x = np.empty(total + lag + 1)
    x[: lag + 1] = 0.9 + 0.2 * rng.random(lag + 1)

    def f(v, d):
        return 0.2 * d / (1 + d**10) - 0.1 * v

    for i in range(lag, lag + total):
        d0, d1 = x[i - lag], x[i - lag + 1]
        dm = 0.5 * (d0 + d1)
        v = x[i]
        k1 = f(v, d0)
        k2 = f(v + 0.5 * h * k1, dm)
        k3 = f(v + 0.5 * h * k2, dm)
        k4 = f(v + h * k3, d1)
        x[i + 1] = v + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return x[lag + 1 + transient * every :: every][:n], sample


def noisy(make, level):
    """``make`` with Gaussian observational noise of ``level`` times the signal's std."""

    def noisy_make(n, seed):
        x, dt = make(n, seed)
        rng = np.random.default_rng(10_000 + seed)
        return x + level * np.std(x) * rng.standard_normal(n), dt

    noisy_make.__name__ = f"{make.__name__}_noise{round(100 * level)}"
    return noisy_make


NOT_CHAOTIC = [
    white_noise,
    ar1,
    ar2_oscillating,
    random_walk,
    random_walk_drift,
    geometric_random_walk,
    ramp,
    exponential_growth,
    sine_plus_trend,
    torus,
    torus_two_frequencies,
    limit_cycle_van_der_pol,
    limit_cycle_noisy_sine,
    fixed_point,
]

CHAOTIC = [
    lorenz,
    henon,
    logistic,
    rossler,
    mackey_glass,
    noisy(lorenz, 0.1),
    noisy(lorenz, 0.2),
    noisy(henon, 0.1),
    noisy(logistic, 0.2),
    noisy(rossler, 0.2),
]
