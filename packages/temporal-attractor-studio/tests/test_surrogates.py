"""Surrogates keep what the null hypothesis says they keep."""

import numpy as np
import pytest

from temporal_attractor_studio import (
    AttractorError,
    determinism_test,
    iaaft_surrogate,
    phase_randomized_surrogate,
    prediction_error,
    systems,
)


@pytest.mark.parametrize("n", [255, 256])
def test_phase_randomized_keeps_amplitude_spectrum(n):
    x = np.random.default_rng(0).standard_normal(n).cumsum()
    s = phase_randomized_surrogate(x, seed=1)
    np.testing.assert_allclose(np.abs(np.fft.rfft(s)), np.abs(np.fft.rfft(x)), rtol=1e-8, atol=1e-8)
    assert not np.allclose(s, x)


def test_iaaft_keeps_values_and_roughly_the_spectrum():
    x = systems.lorenz(2048)[:, 0]
    s = iaaft_surrogate(x, seed=2)
    np.testing.assert_array_equal(np.sort(s), np.sort(x))
    px, ps = np.abs(np.fft.rfft(x)), np.abs(np.fft.rfft(s))
    assert np.linalg.norm(px - ps) / np.linalg.norm(px) < 0.1


def test_prediction_error_reference():
    x = np.random.default_rng(4).standard_normal(60)
    ours = prediction_error(x, 2, 1, horizon=1, theiler=0)
    y = np.array([[x[i], x[i + 1]] for i in range(len(x) - 2)])
    err = []
    for i in range(len(y)):
        d = [np.linalg.norm(y[i] - y[j]) if j != i else np.inf for j in range(len(y))]
        j = int(np.argmin(d))
        err.append(x[i + 2] - x[j + 2])
    assert ours == pytest.approx(np.sqrt(np.mean(np.square(err))) / np.std(x))


def test_determinism_test_separates_chaos_from_linear_noise():
    assert determinism_test(systems.henon(2000)[:, 0], 2, 1).deterministic
    rng = np.random.default_rng(5)
    ar = np.zeros(2000)
    for i in range(1, 2000):
        ar[i] = 0.95 * ar[i - 1] + rng.standard_normal()
    res = determinism_test(ar, 3, 5)
    assert not res.deterministic and res.ratio > 0.7
    assert len(res.to_dict()["surrogate_errors"]) == 9


def test_bad_input():
    with pytest.raises(AttractorError, match="n_iter"):
        iaaft_surrogate(np.arange(10.0), n_iter=0)
    with pytest.raises(AttractorError, match="too short"):
        prediction_error(np.arange(10.0), 3, 2, theiler=5)
