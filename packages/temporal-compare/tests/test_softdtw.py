import math

import numpy as np
import pytest
import tc_reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from temporal_compare import (
    TemporalCompareError,
    dtw,
    soft_dtw,
    soft_dtw_alignment,
    soft_dtw_grad,
)

tslearn_metrics = pytest.importorskip("tslearn.metrics")

values = st.floats(-10, 10, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(1, 3)), elements=values),
    st.integers(1, 8),
    st.sampled_from([0.01, 0.1, 1.0, 10.0]),
    st.integers(0, 2**32 - 1),
)
def test_value_matches_reference_and_tslearn(x, m, gamma, seed):
    y = np.random.default_rng(seed).standard_normal((m, x.shape[1])) * 5
    got = soft_dtw(x, y, gamma=gamma)
    assert got == pytest.approx(ref.soft_dtw(x, y, gamma), rel=1e-9, abs=1e-9)
    assert got == pytest.approx(tslearn_metrics.soft_dtw(x, y, gamma=gamma), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("gamma", [0.05, 1.0])
def test_alignment_and_gradient_match_tslearn(seed, gamma):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((int(rng.integers(1, 30)), 2))
    y = rng.standard_normal((int(rng.integers(1, 30)), 2))
    A, value = soft_dtw_alignment(x, y, gamma=gamma)
    A_peer, value_peer = tslearn_metrics.soft_dtw_alignment(x, y, gamma=gamma)
    assert value == pytest.approx(value_peer, rel=1e-10)
    assert np.allclose(A, A_peer, atol=1e-10)
    D = tslearn_metrics.SquaredEuclidean(x, y)
    peer = tslearn_metrics.SoftDTW(D, gamma=gamma)
    peer.compute()
    g_value, grad = soft_dtw_grad(x, y, gamma=gamma)
    assert g_value == pytest.approx(value_peer, rel=1e-10)
    assert np.allclose(grad, D.jacobian_product(peer.grad()), atol=1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_gradient_matches_finite_differences(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal(12), rng.standard_normal(9)
    _, grad = soft_dtw_grad(x, y, gamma=0.3)
    assert grad.shape == x.shape
    h = 1e-6
    for i in range(len(x)):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        numeric = (soft_dtw(up, y, gamma=0.3) - soft_dtw(down, y, gamma=0.3)) / (2 * h)
        assert grad[i] == pytest.approx(numeric, rel=1e-5, abs=1e-6)


def test_small_gamma_tends_to_squared_dtw():
    rng = np.random.default_rng(7)
    x, y = rng.standard_normal(20), rng.standard_normal(15)
    assert soft_dtw(x, y, gamma=1e-4) == pytest.approx(dtw(x, y) ** 2, abs=1e-2)
    A, _ = soft_dtw_alignment(x, y, gamma=1e-4)
    assert set(np.round(A, 6).ravel()) <= {0.0, 1.0}


def test_channels_first_and_large_values():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((3, 10)), rng.standard_normal((3, 8))
    assert soft_dtw(x, y, time_axis=1) == soft_dtw(x.T, y.T)
    big = soft_dtw(np.array([0.0, 1e150]), np.array([1e150, 0.0]), gamma=1e-3)
    assert math.isfinite(big) or big == math.inf


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: soft_dtw([], [1.0]), "non-empty"),
        (lambda: soft_dtw([1.0], [1.0], gamma=0), "gamma"),
        (lambda: soft_dtw([1.0], [1.0], gamma=math.nan), "gamma"),
        (lambda: soft_dtw_grad([[1.0, 2.0]], [1.0]), "dimensions"),
        (lambda: soft_dtw_alignment([1.0], [1.0 + 1j]), "complex"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(TemporalCompareError, match=message):
        call()
