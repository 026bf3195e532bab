import math

import numpy as np
import pytest
import tc_reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from temporal_compare import TemporalCompareError, dtw, dtw_path, lcss

values = st.floats(-100, 100, allow_nan=False).map(lambda v: round(v, 3))
series = st.integers(0, 12).flatmap(lambda n: arrays(np.float64, n, elements=values))
nonempty = st.integers(1, 12).flatmap(lambda n: arrays(np.float64, n, elements=values))
metrics = st.sampled_from(["sqeuclidean", "absolute", "euclidean"])
close = dict(rel=1e-9, abs=1e-9)


@settings(max_examples=150)
@given(series, series, st.none() | st.integers(0, 12), metrics)
def test_dtw_matches_reference(x, y, window, metric):
    assert dtw(x, y, window=window, metric=metric) == pytest.approx(
        ref.dtw(x, y, window=window, metric=metric), **close
    )


@settings(max_examples=100)
@given(nonempty, nonempty, st.floats(1.0, 4.0), st.sampled_from(["symmetric1", "symmetric2"]))
def test_dtw_itakura_and_step_patterns_match_reference(x, y, slope, step):
    expected = ref.dtw(x, y, slope=slope, step=step)
    got = dtw(x, y, itakura_max_slope=slope, step_pattern=step)
    assert got == pytest.approx(expected, **close)
    assert dtw(x, y, step_pattern=step) == pytest.approx(ref.dtw(x, y, step=step), **close)


@settings(max_examples=60)
@given(
    st.integers(1, 8).flatmap(
        lambda n: st.tuples(
            arrays(np.float64, (n, 3), elements=values),
            st.integers(1, 8).flatmap(lambda m: arrays(np.float64, (m, 3), elements=values)),
        )
    ),
    metrics,
)
def test_multivariate_matches_reference(pair, metric):
    x, y = pair
    assert dtw(x, y, metric=metric) == pytest.approx(ref.dtw(list(x), list(y), metric=metric))


@settings(max_examples=100)
@given(series, series, st.none() | st.integers(0, 6))
def test_properties(x, y, window):
    d = dtw(x, y, window=window)
    assert dtw(x, x) == 0.0
    assert d == pytest.approx(dtw(y, x, window=window), **close)
    assert d >= dtw(x, y) - 1e-9  # a window only removes paths


@settings(max_examples=100)
@given(nonempty, nonempty, st.floats(0, 50))
def test_max_dist_abandons_only_above_the_limit(x, y, limit):
    exact = dtw(x, y)
    got = dtw(x, y, max_dist=limit)
    if exact <= limit:
        assert got == pytest.approx(exact, **close)
    else:
        assert got == math.inf


@settings(max_examples=100)
@given(nonempty, nonempty, st.none() | st.integers(0, 6), metrics)
def test_path_is_a_valid_optimal_warping_path(x, y, window, metric):
    distance, path = dtw_path(x, y, window=window, metric=metric)
    assert distance == pytest.approx(dtw(x, y, window=window, metric=metric), **close)
    if math.isinf(distance):
        assert path.shape == (0, 2)
        return
    assert path[0].tolist() == [0, 0]
    assert path[-1].tolist() == [len(x) - 1, len(y) - 1]
    steps = np.diff(path, axis=0)
    assert ((steps == [1, 1]).all(1) | (steps == [1, 0]).all(1) | (steps == [0, 1]).all(1)).all()
    if window is not None:
        assert (np.abs(path[:, 0] - path[:, 1]) <= window).all()
    total = sum(ref.local_cost(x[i], y[j], metric) for i, j in path)
    expected = math.sqrt(total) if metric == "sqeuclidean" else total
    assert expected == pytest.approx(distance, **close)


def test_empty_and_impossible_windows():
    assert dtw([], []) == 0.0
    assert dtw([1.0], []) == math.inf
    assert dtw([1.0, 2.0, 3.0], [1.0], window=1) == math.inf
    assert dtw_path([], [1.0])[1].shape == (0, 2)


def test_nan_policy():
    with pytest.raises(TemporalCompareError, match="x contains NaN"):
        dtw([1.0, math.nan], [1.0])
    assert math.isnan(dtw([1.0, math.nan], [1.0], nan="propagate"))
    with pytest.raises(TemporalCompareError, match="nan must be"):
        dtw([1.0], [1.0], nan="ignore")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"window": -1}, "window must be >= 0"),
        ({"window": 1.5}, "window must be an integer"),
        ({"metric": "cosine"}, "metric must be one of"),
        ({"step_pattern": "asymmetric"}, "step_pattern must be one of"),
        ({"itakura_max_slope": 0.5}, "itakura_max_slope must be >= 1"),
        ({"max_dist": -1.0}, "max_dist must be a finite number"),
    ],
)
def test_bad_options(kwargs, message):
    with pytest.raises(TemporalCompareError, match=message):
        dtw([1.0, 2.0], [1.0, 2.0], **kwargs)


def test_bad_shapes():
    with pytest.raises(TemporalCompareError, match="same number of dimensions"):
        dtw(np.zeros((3, 2)), np.zeros((3, 3)))
    with pytest.raises(TemporalCompareError, match="y must be 1-D or 2-D"):
        dtw([1.0], np.zeros((2, 2, 2)))
    with pytest.raises(TemporalCompareError, match="x must be numeric"):
        dtw(["a"], [1.0])


def test_path_refuses_oversized_tables(monkeypatch):
    import temporal_compare._validation as validation

    monkeypatch.setattr(validation, "MAX_CELLS", 100)
    with pytest.raises(TemporalCompareError, match="use a window"):
        dtw_path(np.zeros(20), np.zeros(20))
    assert dtw_path(np.zeros(20), np.zeros(20), window=1)[0] == 0.0


def test_dtaidistance_agrees():
    dtaidistance = pytest.importorskip("dtaidistance")
    rng = np.random.default_rng(1)
    for _ in range(20):
        n, m = rng.integers(2, 200, 2)
        x, y = np.cumsum(rng.standard_normal(n)), np.cumsum(rng.standard_normal(m))
        assert dtw(x, y) == pytest.approx(dtaidistance.dtw.distance_fast(x, y), rel=1e-9)
        # For equal lengths dtaidistance's window w keeps |i - j| < w and ours keeps
        # |i - j| <= window (for unequal lengths dtaidistance widens its band).
        u, v = np.cumsum(rng.standard_normal((2, n)), axis=1)
        w = int(rng.integers(0, n - 1))
        expected = dtaidistance.dtw.distance_fast(u, v, window=w + 1)
        assert dtw(u, v, window=w) == pytest.approx(expected, rel=1e-9)
        d, _ = dtw_path(x, y)
        theirs = dtaidistance.dtw.warping_path_fast(x, y)
        assert d == pytest.approx(math.sqrt(sum((x[i] - y[j]) ** 2 for i, j in theirs)), rel=1e-9)


@settings(max_examples=80)
@given(series, series, st.floats(0, 50), st.none() | st.integers(0, 6))
def test_lcss_matches_reference(x, y, eps, window):
    got = lcss(x, y, epsilon=eps, window=window)
    if len(x) == 0 or len(y) == 0:
        assert got == (1.0 if len(x) == len(y) else 0.0)
        return
    assert got == pytest.approx(ref.lcss_length(x, y, eps, window) / min(len(x), len(y)))


def test_lcss_bad_epsilon():
    with pytest.raises(TemporalCompareError, match="epsilon"):
        lcss([1.0], [1.0], epsilon=-1)
