"""ADF and KPSS against statsmodels (test-only peer) and on series of known nature."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from temporal_attractor_studio import AttractorError
from temporal_attractor_studio.stationarity import adf_test, kpss_test

statsmodels = pytest.importorskip("statsmodels.tsa.stattools")
# statsmodels 0.15 announces a change of adfuller's return type; the tuple is what we read.
pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")


def _series(kind, n, seed):
    rng = np.random.default_rng(seed)
    e = rng.standard_normal(n)
    if kind == "white":
        return e
    if kind == "walk":
        return np.cumsum(e)
    if kind == "ar":
        x = np.zeros(n)
        for i in range(1, n):
            x[i] = 0.8 * x[i - 1] + e[i]
        return x
    return np.sin(np.arange(n) * 0.2) + 0.3 * e


@pytest.mark.parametrize("kind", ["white", "walk", "ar", "noisy_sine"])
@pytest.mark.parametrize(("n", "seed"), [(100, 0), (1000, 1), (5000, 2)])
def test_adf_matches_statsmodels(kind, n, seed):
    x = _series(kind, n, seed)
    ours = adf_test(x)
    stat, p, _, _, crit = statsmodels.adfuller(x, maxlag=ours.lags, autolag=None)[:5]
    assert ours.statistic == pytest.approx(stat, rel=1e-8)
    assert ours.p_value == pytest.approx(p, rel=1e-6, abs=1e-12)
    for level, value in crit.items():
        assert ours.critical_values[level] == pytest.approx(value, rel=1e-10)


@pytest.mark.parametrize("kind", ["white", "walk", "ar", "noisy_sine"])
@pytest.mark.parametrize(("n", "seed"), [(100, 0), (1000, 1), (5000, 2)])
def test_kpss_matches_statsmodels(kind, n, seed):
    import warnings

    x = _series(kind, n, seed)
    ours = kpss_test(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels warns when p is at a table end
        stat, p, _, _ = statsmodels.kpss(x, nlags=ours.lags)
    assert ours.statistic == pytest.approx(stat, rel=1e-10)
    assert ours.p_value == pytest.approx(p, rel=1e-10)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([60, 300, 2000]))
def test_adf_statistic_matches_statsmodels_property(seed, n):
    x = np.cumsum(np.random.default_rng(seed).standard_normal(n)) * 0.1
    x += np.random.default_rng(seed + 1).standard_normal(n)
    ours = adf_test(x)
    stat = statsmodels.adfuller(x, maxlag=ours.lags, autolag=None)[0]
    assert ours.statistic == pytest.approx(stat, rel=1e-7, abs=1e-9)


def test_size_on_random_walks():
    # Under the null, ADF rejects at 5% about 5% of the time (binomial, 200 walks).
    rejections = sum(
        adf_test(np.cumsum(np.random.default_rng(s).standard_normal(500))).p_value < 0.05
        for s in range(200)
    )
    assert 2 <= rejections <= 20


def test_exact_recurrences():
    assert adf_test(np.arange(500.0)).statistic == np.inf  # noiseless ramp: unit root
    assert adf_test(np.exp(np.arange(500) * 0.01)).statistic == np.inf  # explosive
    assert adf_test(np.sin(np.arange(500) * 0.3)).statistic == -np.inf  # mean reverting


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: adf_test(np.arange(10.0)), "at least 20"),
        (lambda: adf_test(np.ones(100)), "constant"),
        (lambda: adf_test(np.random.default_rng(0).random(100), lags=60), "lags must be"),
        (lambda: kpss_test(np.random.default_rng(0).random(100), lags=100), "lags must be"),
        (lambda: kpss_test([1.0, np.nan] * 20), "NaN"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(AttractorError, match=message):
        call()
