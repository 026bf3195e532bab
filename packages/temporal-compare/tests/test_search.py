import itertools
import math

import numpy as np
import pytest
import tc_reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from temporal_compare import TemporalCompareError, dtw, envelope, lb_keogh, lb_kim, search

values = st.floats(-100, 100, allow_nan=False).map(lambda v: round(v, 3))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(8, 40).flatmap(lambda n: arrays(np.float64, n, elements=values)),
    st.integers(0, 3),
)
def test_envelope_and_bounds(x, window):
    upper, lower = envelope(x, window)
    n = len(x)
    for i in range(n):
        part = x[max(0, i - window) : i + window + 1]
        assert upper[i] == part.max() and lower[i] == part.min()
    y = np.roll(x, 3) + 1.0
    d = dtw(x, y, window=window)
    assert lb_keogh(x, y, window) <= d + 1e-9
    assert lb_kim(x, y) <= dtw(x, y) + 1e-9
    assert lb_kim(x, y[:5]) <= dtw(x, y[:5]) + 1e-9


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("metric", ["dtw", "euclidean"])
def test_search_matches_brute_force(seed, metric):
    rng = np.random.default_rng(seed)
    series = np.cumsum(rng.standard_normal(int(rng.integers(40, 300))))
    m = int(rng.integers(8, 20))
    query = np.cumsum(rng.standard_normal(m))
    k = int(rng.integers(1, 9))
    window = int(rng.integers(0, 4))
    exclusion = int(rng.integers(0, m))
    got = search(query, series, k=k, window=window, exclusion=exclusion, metric=metric)
    expected = ref.search_brute_force(query, series, k, window, exclusion, metric)
    assert [g.index for g in got] == [i for _, i in expected]
    assert [g.distance for g in got] == pytest.approx([d for d, _ in expected], rel=1e-7, abs=1e-9)
    for g in got:
        window_values = series[g.index : g.index + m]
        assert g.mean == pytest.approx(window_values.mean())
        assert g.std == pytest.approx(window_values.std())


def test_search_raw_values_and_constant_windows():
    series = np.concatenate([np.zeros(50), np.arange(10.0), np.full(40, 3.0)])
    got = search(np.arange(10.0) + 100, series, k=1, znorm=False, window=1)
    expected = ref.search_brute_force(np.arange(10.0) + 100, series, 1, 1, 5, normalise=False)
    assert got[0].index == expected[0][1]
    assert got[0].distance == pytest.approx(expected[0][0])
    flat = search(np.ones(10), series, k=1)  # a constant query matches a constant window
    assert flat[0].distance == 0.0


@pytest.mark.slow
def test_search_finds_planted_match_in_a_million_points():
    rng = np.random.default_rng(42)
    series = np.cumsum(rng.standard_normal(1_000_000))
    pattern = np.sin(np.linspace(0, 6 * np.pi, 128)) * 30
    for where in (123_456, 789_000):
        series[where : where + 128] = series[where] + pattern + rng.standard_normal(128) * 0.5
    query = pattern + rng.standard_normal(128) * 0.5
    top = search(query, series, k=10, window=12)
    assert {top[0].index, top[1].index} == {123_456, 789_000}
    indices = sorted(m.index for m in top)
    assert len(indices) == 10
    assert all(b - a >= 64 for a, b in itertools.pairwise(indices))  # distinct
    assert [m.distance for m in top] == sorted(m.distance for m in top)
    one = search(query, series, k=1, window=12, metric="euclidean")
    assert one[0].index in (123_456, 789_000)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"query": np.zeros(20), "series": np.zeros(10)}, "longer than series"),
        ({"query": [], "series": np.zeros(10)}, "query must not be empty"),
        ({"k": 0}, "k must be >= 1"),
        ({"window": -2}, "window must be >= 0"),
        ({"exclusion": -1}, "exclusion must be >= 0"),
        ({"metric": "lcss"}, "metric must be"),
        ({"series": [1.0, math.nan, 2.0, 3.0]}, "series contains NaN"),
        ({"query": [[1.0]]}, "query must be 1-D"),
    ],
)
def test_search_bad_input(kwargs, message):
    args = {"query": [1.0, 2.0], "series": np.arange(10.0)} | kwargs
    with pytest.raises(TemporalCompareError, match=message):
        search(args.pop("query"), args.pop("series"), **args)


def test_bounds_bad_input():
    with pytest.raises(TemporalCompareError, match="same length"):
        lb_keogh([1.0, 2.0], [1.0], 1)
    with pytest.raises(TemporalCompareError, match="window must be >= 0"):
        envelope([1.0], -1)
    assert lb_kim([], [1.0]) == 0.0


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("metric", ["dtw", "euclidean"])
def test_progress_reports_and_keeps_the_answer(seed, metric):
    rng = np.random.default_rng(seed)
    series = np.cumsum(rng.standard_normal(int(rng.integers(150, 400))))
    m = int(rng.integers(8, 16))
    query = series[40 : 40 + m] + rng.standard_normal(m) * 0.3
    k, window, exclusion = int(rng.integers(1, 5)), 2, m // 2
    seen: list[tuple[int, int]] = []
    got = search(
        query, series, k=k, window=window, exclusion=exclusion, metric=metric,
        progress=lambda done, total: seen.append((done, total)),
    )  # fmt: skip
    expected = ref.search_brute_force(query, series, k, window, exclusion, metric)
    assert [g.distance for g in got] == pytest.approx([d for d, _ in expected], abs=1e-7)
    done = [d for d, _ in seen]
    assert done == sorted(done) and seen[-1] == (len(series) - m + 1,) * 2
    with pytest.raises(TemporalCompareError, match="progress"):
        search(query, series, progress=1)
