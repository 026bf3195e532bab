"""0-1 test against a direct O(N^2) implementation and known regimes."""

import numpy as np
import pytest

from temporal_attractor_studio import AttractorError, systems, zero_one_test


def reference_k(x, n_frequencies, seed):
    n = len(x)
    phi = (x - x.mean()) / x.std()
    cut = n // 10
    rng = np.random.default_rng(seed)
    ks = []
    for c in rng.uniform(np.pi / 5, 4 * np.pi / 5, n_frequencies):
        p = np.cumsum([phi[j] * np.cos((j + 1) * c) for j in range(n)])
        q = np.cumsum([phi[j] * np.sin((j + 1) * c) for j in range(n)])
        msd = [
            np.mean([(p[j + m] - p[j]) ** 2 + (q[j + m] - q[j]) ** 2 for j in range(n - m)])
            for m in range(1, cut + 1)
        ]
        ks.append(np.corrcoef(np.arange(1, cut + 1), msd)[0, 1])
    return float(np.median(ks))


@pytest.mark.parametrize("seed", [0, 3])
def test_matches_direct_computation(seed):
    x = systems.logistic(300, r=3.9) + 0.01 * np.random.default_rng(seed).standard_normal(300)
    assert zero_one_test(x, n_frequencies=7, seed=seed) == pytest.approx(
        reference_k(x, 7, seed), abs=1e-9
    )


@pytest.mark.parametrize(
    ("series", "chaotic"),
    [
        (systems.logistic(5000, r=4.0), True),
        (systems.henon(5000)[:, 0], True),
        (systems.lorenz(20_000, dt=0.01)[::16, 0], True),  # one sample per AMI delay
        (systems.logistic(5000, r=3.5), False),
        (np.sin(np.arange(5000) * 0.7), False),
        (np.sin(np.arange(5000) * 0.7) + np.sin(np.arange(5000) * 0.7 * np.sqrt(2)), False),
    ],
)
def test_regimes(series, chaotic):
    k = zero_one_test(series)
    assert (k > 0.8) if chaotic else (k < 0.2), k


def test_bad_input():
    with pytest.raises(AttractorError, match="at least 100"):
        zero_one_test(np.arange(50.0))
    with pytest.raises(AttractorError, match="n_frequencies"):
        zero_one_test(np.arange(500.0) % 7, n_frequencies=0)


@pytest.mark.parametrize("scale", [1e-150, 1.0, 1e150])
def test_scale_free(scale):
    x = systems.logistic(1000)
    assert zero_one_test(scale * x) == pytest.approx(zero_one_test(x), abs=1e-9)
