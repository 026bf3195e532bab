"""Issue 16 items of this package: inputs that crashed, hung or were silently altered."""

import datetime
import subprocess
import sys

import numpy as np
import pytest

from temporal_attractor_studio import (
    AttractorAnalyzer,
    AttractorError,
    classify,
    correlation_dimension,
    embed,
    iaaft_surrogate,
    lyapunov_max,
    recurrence_quantification,
    systems,
)

LORENZ = systems.lorenz(3000, dt=0.01)[:, 0]


@pytest.mark.parametrize(
    "call",
    [
        lambda z: classify(z),
        lambda z: lyapunov_max(z),
        lambda z: embed(z, 2, 1),
        lambda z: iaaft_surrogate(z, seed=0),
        lambda z: recurrence_quantification(np.stack([z, z], axis=1), threshold=0.1),
        lambda z: correlation_dimension(z),
        lambda z: AttractorAnalyzer(1, 600).add_points(z),
    ],
)
def test_complex_input_is_an_error_not_its_real_part(call):
    z = LORENZ[:500] + 1j * LORENZ[1:501]
    with pytest.raises(AttractorError, match="complex"):
        call(z)


def test_real_valued_complex_dtype_is_still_an_error():
    # Even a zero imaginary part: the caller must say which part is the signal.
    with pytest.raises(AttractorError, match="complex"):
        lyapunov_max(LORENZ.astype(np.complex128))


@pytest.mark.parametrize(
    "step",
    [
        datetime.timedelta(milliseconds=10),
        np.timedelta64(10, "ms"),
    ],
)
def test_dt_accepts_timedeltas(step):
    expected = lyapunov_max(LORENZ, dt=0.01).exponent
    assert lyapunov_max(LORENZ, dt=step).exponent == pytest.approx(expected, rel=1e-12)


def test_dt_accepts_pandas_timedelta_and_datetime_index():
    pd = pytest.importorskip("pandas")
    expected = lyapunov_max(LORENZ, dt=0.01).exponent
    assert lyapunov_max(LORENZ, dt=pd.Timedelta("10ms")).exponent == pytest.approx(expected)
    index = pd.date_range("2026-01-01", periods=LORENZ.shape[0], freq="10ms")
    series = pd.Series(LORENZ, index=index)
    assert lyapunov_max(series).exponent == pytest.approx(expected, rel=1e-12)
    assert lyapunov_max(series).dt == pytest.approx(0.01)
    by_index = classify(series).lyapunov_exponents
    assert by_index == pytest.approx(classify(LORENZ, dt=0.01).lyapunov_exponents)
    # An explicit dt wins over the index.
    assert lyapunov_max(series, dt=1.0).dt == 1.0


def test_irregular_datetime_index_is_an_error():
    pd = pytest.importorskip("pandas")
    stamps = pd.date_range("2026-01-01", periods=LORENZ.shape[0], freq="10ms")
    stamps = stamps.delete(100)
    series = pd.Series(LORENZ[:-1], index=stamps)
    with pytest.raises(AttractorError, match="not evenly spaced"):
        lyapunov_max(series)


def test_core_does_not_import_pandas():
    code = (
        "import sys, numpy as np; import temporal_attractor_studio as t; "
        "t.classify(t.systems.logistic(500)); t.lyapunov_max(t.systems.logistic(500)); "
        "print('pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("dim", "max_points", "message"),
    [
        (1, 2**63, "do not fit in memory"),
        (1, 2**100, "do not fit in memory"),
        (2**62, 4, "do not fit in memory"),
        (3, 2**59, "do not fit in memory"),
    ],
)
def test_analyzer_huge_sizes_are_package_errors(dim, max_points, message):
    with pytest.raises(AttractorError, match=message):
        AttractorAnalyzer(dim, max_points)


def test_analyzer_allocation_failure_is_package_error():
    # Fits the size check but not this machine's memory (2**55 bytes).
    with pytest.raises(AttractorError, match="memory"):
        AttractorAnalyzer(1, 2**52)


def test_iaaft_iterations_are_bounded():
    x = np.random.default_rng(0).standard_normal(64)
    with pytest.raises(AttractorError, match="n_iter must be at most"):
        iaaft_surrogate(x, seed=0, n_iter=2**63)
    s = iaaft_surrogate(x, seed=0, n_iter=100_000)  # the bound itself is allowed
    assert np.array_equal(np.sort(s), np.sort(x))
