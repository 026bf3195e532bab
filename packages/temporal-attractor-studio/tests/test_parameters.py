"""Delay and dimension estimation against references."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from temporal_attractor_studio import (
    AttractorError,
    estimate_delay,
    estimate_dimension,
    mean_period,
    mutual_information,
    systems,
)


def reference_ami(x, lag, bins=32):
    a, b = x[: len(x) - lag], x[lag:]
    edges = np.linspace(x.min(), x.max(), bins + 1)
    h, _, _ = np.histogram2d(a, b, bins=[edges, edges])
    p = h / h.sum()
    pa, pb = p.sum(1), p.sum(0)
    nz = p > 0
    return float((p[nz] * np.log(p[nz] / np.outer(pa, pb)[nz])).sum())


@settings(max_examples=25, deadline=None)
@given(st.integers(40, 300), st.integers(0, 5), st.integers(0, 10_000), st.floats(0.0, 0.99))
def test_mutual_information_matches_histogram2d(n, lag, seed, phi):
    # Continuous random data: no value sits exactly on a bin edge, where the two
    # binning rules may round differently.
    e = np.random.default_rng(seed).standard_normal(n)
    x = np.array([e[: i + 1] @ phi ** np.arange(i, -1, -1) for i in range(n)])
    ours = mutual_information(x, lag)[lag]
    assert ours == pytest.approx(reference_ami(x, lag), abs=1e-9)


def test_acf_delay_of_sine_is_where_cos_drops_below_one_over_e():
    t = np.arange(4000) * 0.01
    # acf(lag) ~ cos(lag * 0.01) -> below 1/e at arccos(1/e)/0.01 ~ 119.4 samples
    assert estimate_delay(np.sin(t), "acf", cap=False) == pytest.approx(120, abs=2)


def test_maps_get_delay_one_flows_get_ami_minimum(lorenz_x, henon_x):
    assert estimate_delay(henon_x) == 1
    assert 10 <= estimate_delay(lorenz_x) <= 20  # AMI minimum near 0.16 time units


def test_mean_period_of_sine():
    assert mean_period(np.sin(2 * np.pi * np.arange(4000) / 40)) == pytest.approx(40, rel=1e-6)


@pytest.mark.parametrize("method", ["cao", "fnn"])
def test_dimension_of_known_systems(method, lorenz_x, henon_x):
    assert estimate_dimension(henon_x, 1, method, theiler=4) == 2
    assert estimate_dimension(lorenz_x, 16, method, theiler=158) == 3


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: estimate_delay(np.ones(100)), "constant"),
        (lambda: estimate_delay(np.arange(10.0)), "at least 16"),
        (lambda: estimate_delay(np.arange(100.0), "xyz"), "method must be"),
        (lambda: estimate_delay(np.arange(100.0), max_delay=0), "max_delay"),
        (lambda: estimate_dimension(np.arange(100.0) % 7, 0), "delay must be"),
        (lambda: estimate_dimension(np.arange(100.0) % 7, 1, "pca"), "method must be"),
        (lambda: estimate_dimension(np.arange(30.0) % 7, 5), "too short"),
        (lambda: mutual_information(np.arange(10.0), 10), "max_lag"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(AttractorError, match=message):
        call()


def test_systems_logistic_matches_direct_iteration():
    x, out = 0.4, []
    for i in range(1010):
        x = 3.9 * x * (1 - x)
        if i >= 1000:
            out.append(x)
    np.testing.assert_allclose(systems.logistic(10, r=3.9), out, rtol=0, atol=0)


def test_systems_lorenz_matches_scipy_solver():
    from scipy.integrate import solve_ivp

    ours = systems.lorenz(200, dt=0.01, transient=0, substeps=4)
    sol = solve_ivp(
        lambda t, s: systems.lorenz_rhs(s),
        (0, 2.0),
        [1.0, 1.0, 1.0],
        t_eval=np.arange(1, 201) * 0.01,
        rtol=1e-11,
        atol=1e-11,
        method="DOP853",
    )
    np.testing.assert_allclose(ours, sol.y.T, atol=1e-5)


def test_systems_damped_oscillator_solves_its_ode():
    dt, zeta = 1e-3, 0.1
    x = systems.damped_oscillator(3000, dt=dt, zeta=zeta)
    acc = (x[2:] - 2 * x[1:-1] + x[:-2]) / dt**2
    vel = (x[2:] - x[:-2]) / (2 * dt)
    np.testing.assert_allclose(acc + 2 * zeta * vel + x[1:-1], 0, atol=1e-5)
