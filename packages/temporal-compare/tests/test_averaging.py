import numpy as np
import pytest

from temporal_compare import TemporalCompareError, dba, dtw


def inertia(series, average, window=None):
    return sum(dtw(average, s, window=window) ** 2 for s in series)


def test_inertia_never_increases_and_beats_every_input():
    rng = np.random.default_rng(0)
    base = np.sin(np.linspace(0, 2 * np.pi, 40))
    series = [
        np.interp(np.linspace(0, 39, int(n)), np.arange(40), base)
        + rng.standard_normal(int(n)) * 0.1
        for n in rng.integers(30, 50, 8)
    ]
    previous = np.inf
    for n_iter in range(6):
        avg = dba(series, n_iter=n_iter, init=0)
        value = inertia(series, avg)
        assert value <= previous + 1e-9
        previous = value
    assert previous < min(inertia(series, s) for s in series)


def test_identical_series_average_to_themselves_and_multivariate():
    x = np.array([[0.0, 1.0], [1.0, 2.0], [3.0, 1.0]])
    assert np.allclose(dba([x, x, x]), x)
    assert dba([[1.0, 2.0, 3.0]], n_iter=3).tolist() == [1.0, 2.0, 3.0]
    avg = dba([[0.0, 2.0], [0.0, 4.0]], init=0)
    assert avg.tolist() == [0.0, 3.0]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: dba([]), "must not be empty"),
        (lambda: dba([[1.0], []]), "must be non-empty"),
        (lambda: dba([[1.0], [[1.0, 2.0]]]), "mixes dimensions"),
        (lambda: dba([[1.0], [np.nan]]), r"series_list\[1\] contains NaN"),
        (lambda: dba([[1.0]], n_iter=-1), "n_iter must be >= 0"),
        (lambda: dba([[1.0]], init=3), "init must index"),
        (lambda: dba([[1.0, 2.0, 3.0, 4.0], [1.0]], window=0, init=0), "widen it"),
        (lambda: dba("abc"), "sequence of series"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(TemporalCompareError, match=message):
        call()
