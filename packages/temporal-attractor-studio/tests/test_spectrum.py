"""Lyapunov spectrum from equations against published values and exact identities."""

import math

import numpy as np
import pytest

from temporal_attractor_studio import (
    AttractorError,
    kaplan_yorke_dimension,
    lyapunov_spectrum,
    systems,
)


@pytest.fixture(scope="module")
def lorenz_spectrum():
    return lyapunov_spectrum(
        systems.lorenz_rhs,
        [1.0, 1.0, 1.0],
        jacobian=systems.lorenz_jacobian,
        dt=0.01,
        steps=50_000,
        renormalize_every=10,
    )


def test_lorenz_spectrum_published_values(lorenz_spectrum):
    l1, l2, l3 = lorenz_spectrum.exponents
    assert l1 == pytest.approx(0.906, rel=0.02)
    assert abs(l2) <= 0.01
    assert l3 == pytest.approx(-14.57, rel=0.02)
    # Exact identity: the sum is the divergence of the flow, -(σ + 1 + β).
    assert l1 + l2 + l3 == pytest.approx(-(10 + 1 + 8 / 3), abs=1e-3)
    assert lorenz_spectrum.kaplan_yorke == pytest.approx(2.06, abs=0.01)


def test_henon_spectrum_and_exact_sum():
    spec = lyapunov_spectrum(
        systems.henon_map,
        [0.1, 0.1],
        jacobian=systems.henon_jacobian,
        dt=1.0,
        steps=50_000,
        kind="map",
    )
    assert spec.exponents[0] == pytest.approx(0.419, rel=0.01)
    # det J = -b everywhere, so the sum is ln(0.3) exactly.
    assert spec.exponents.sum() == pytest.approx(math.log(0.3), abs=1e-9)


def test_finite_difference_jacobian_matches_analytic():
    kwargs = {"dt": 0.01, "steps": 3000, "renormalize_every": 10}
    a = lyapunov_spectrum(
        systems.lorenz_rhs, [1.0, 1.0, 1.0], jacobian=systems.lorenz_jacobian, **kwargs
    )
    b = lyapunov_spectrum(systems.lorenz_rhs, [1.0, 1.0, 1.0], **kwargs)
    np.testing.assert_allclose(a.exponents, b.exponents, atol=1e-4)


def test_logistic_map_one_dimensional():
    spec = lyapunov_spectrum(lambda x: 4.0 * x * (1.0 - x), [0.3], dt=1.0, steps=10_000, kind="map")
    assert spec.exponents[0] == pytest.approx(math.log(2.0), abs=0.02)


def test_linear_flow_exact():
    a = np.array([[-1.0, 0.0], [0.0, -3.0]])
    spec = lyapunov_spectrum(lambda x: a @ x, [1.0, 1.0], jacobian=lambda x: a, dt=0.01, steps=2000)
    np.testing.assert_allclose(spec.exponents, [-1.0, -3.0], atol=1e-6)
    assert spec.kaplan_yorke == 0.0


def reference_kaplan_yorke(lams):
    lams = sorted(lams, reverse=True)
    total = 0.0
    for j, lam in enumerate(lams):
        if total + lam < 0:
            return j + total / abs(lam)
        total += lam
    return float(len(lams))


@pytest.mark.parametrize(
    "lams", [[0.906, 0.0, -14.57], [0.42, -1.62], [-1.0, -2.0], [1.0, 0.5], [0.5, 0.2, -0.3, -2.0]]
)
def test_kaplan_yorke_reference(lams):
    assert kaplan_yorke_dimension(lams) == pytest.approx(reference_kaplan_yorke(lams))


def test_result_repr_and_dict(lorenz_spectrum):
    assert "LyapunovSpectrum(exponents=[" in repr(lorenz_spectrum)
    assert len(lorenz_spectrum.to_dict()["exponents"]) == 3


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: lyapunov_spectrum(1, [0.0], dt=1, steps=1), "f must be callable"),
        (lambda: lyapunov_spectrum(systems.lorenz_rhs, [1, 1, 1], dt=0, steps=1), "dt must"),
        (lambda: lyapunov_spectrum(systems.lorenz_rhs, [1, 1, 1], dt=0.1, steps=0), "steps"),
        (lambda: lyapunov_spectrum(systems.lorenz_rhs, [1, np.nan, 1], dt=0.1, steps=5), "x0"),
        (lambda: lyapunov_spectrum(systems.lorenz_rhs, [1, 1], dt=0.1, steps=5), "shape"),
        (
            lambda: lyapunov_spectrum(systems.lorenz_rhs, [1, 1, 1], dt=0.1, steps=5, kind="pde"),
            "kind",
        ),
        (
            lambda: lyapunov_spectrum(
                systems.lorenz_rhs, [1, 1, 1], jacobian=lambda x: np.eye(2), dt=0.1, steps=5
            ),
            "jacobian must return",
        ),
        (lambda: kaplan_yorke_dimension([]), "non-empty"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(AttractorError, match=message):
        call()


def _yuwang():
    import tas_flows

    entry = tas_flows.dysts_data()["YuWang"]
    a, b, c, d = (entry["parameters"][k] for k in "abcd")

    def f(s):
        return np.array(
            [a * (s[1] - s[0]), b * s[0] - c * s[0] * s[2], np.exp(s[0] * s[1]) - d * s[2]]
        )

    def jac(s):
        e = np.exp(s[0] * s[1])
        return np.array([[-a, a, 0.0], [b - c * s[2], 0.0, -c * s[0]], [s[1] * e, s[0] * e, -d]])

    return f, jac, entry


def test_step_size_dependence_warns():
    # Issue 14 finding 6: YuWang's exponent moves by ~20% between dt = period/100 and
    # period/300 without a word. Now the large step warns and the small one does not.
    import warnings

    from temporal_attractor_studio import IntegrationStepWarning

    f, jac, entry = _yuwang()
    period = entry["period"]
    results = {}
    for per_period in (100, 300):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            spec = lyapunov_spectrum(
                f,
                entry["initial_conditions"],
                jacobian=jac,
                dt=period / per_period,
                steps=100 * per_period,
                renormalize_every=5,
            )
        warned = any(issubclass(w.category, IntegrationStepWarning) for w in caught)
        results[per_period] = (spec.exponents[0], warned, spec.step_error)
    coarse, fine = results[100], results[300]
    assert coarse[1] and not fine[1], results
    assert abs(coarse[0] / fine[0] - 1) > 0.1, results  # the warning was warranted


def test_step_check_is_quiet_for_lorenz():
    import warnings

    from temporal_attractor_studio import IntegrationStepWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", IntegrationStepWarning)
        spec = lyapunov_spectrum(
            systems.lorenz_rhs,
            [1.0, 1.0, 1.0],
            jacobian=systems.lorenz_jacobian,
            dt=0.01,
            steps=2000,
        )
    assert 0 < spec.step_error < 1e-3
    assert spec.to_dict()["step_error"] == spec.step_error
