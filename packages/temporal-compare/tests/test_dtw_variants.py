"""Psi-relaxed DTW (dtaidistance's ``psi``) and the linear-memory warping path."""

import math

import numpy as np
import pytest
import tc_reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import temporal_compare as tc
from temporal_compare import TemporalCompareError, elastic
from temporal_compare import _validation as validation

dtaidistance = pytest.importorskip("dtaidistance")
from dtaidistance import dtw as dtai  # noqa: E402

values = st.floats(-50, 50, allow_nan=False)


def psi_reference(x, y, xb, xe, yb, ye):
    """Cheapest DTW between any x[i0:i1] and y[j0:j1] that drops at most xb/xe/yb/ye
    samples at the ends, with at most one series cut at each end (a path starts on
    the first row or the first column of the matrix, and ends on the last ones)."""
    n, m = len(x), len(y)
    best = math.inf
    starts = [(i, 0) for i in range(min(xb, n - 1) + 1)] + [
        (0, j) for j in range(min(yb, m - 1) + 1)
    ]
    ends = [(i, m - 1) for i in range(max(0, n - 1 - xe), n)] + [
        (n - 1, j) for j in range(max(0, m - 1 - ye), m)
    ]
    for i0, j0 in set(starts):
        for i1, j1 in set(ends):
            if i1 >= i0 and j1 >= j0:
                best = min(best, ref.dtw(list(x[i0 : i1 + 1]), list(y[j0 : j1 + 1])) ** 2)
    return math.sqrt(best)


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, st.integers(1, 9), elements=values),
    arrays(np.float64, st.integers(1, 9), elements=values),
    st.tuples(*[st.integers(0, 10)] * 4),
)
def test_psi_matches_subsequence_reference(x, y, psi):
    assert tc.dtw(x, y, psi=psi) == pytest.approx(psi_reference(x, y, *psi), rel=1e-9)


@pytest.mark.parametrize("seed", range(10))
def test_psi_matches_dtaidistance(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 60))
    x, y = rng.standard_normal(n), rng.standard_normal(int(rng.integers(5, 60)))
    limit = min(len(x), len(y)) - 1  # dtaidistance reads outside its row past the lengths
    for psi in (1, 3, limit, (2, 0, 0, min(4, limit)), (0, 3, 2, 0)):
        assert tc.dtw(x, y, psi=psi) == pytest.approx(dtai.distance(x, y, psi=psi), rel=1e-9)
        assert tc.dtw(x, y, psi=psi) == pytest.approx(dtai.distance_fast(x, y, psi=psi), rel=1e-9)
    # the peer's window is ours + 1 for equal lengths (see the README)
    y = rng.standard_normal(n)
    assert tc.dtw(x, y, psi=2, window=4) == pytest.approx(
        dtai.distance(x, y, psi=2, window=5), rel=1e-9
    )


def test_psi_zero_is_plain_and_bad_psi_is_named():
    x, y = np.sin(np.arange(20.0)), np.cos(np.arange(15.0))
    assert tc.dtw(x, y, psi=0) == tc.dtw(x, y)
    assert tc.dtw(x, y, psi=2**70) == tc.dtw(x, y, psi=(20, 20, 15, 15))
    for bad, name in ((-1, "psi"), ((1, 2), "psi"), ((1, 2, 3, -4), r"psi\[3\]")):
        with pytest.raises(TemporalCompareError, match=name):
            tc.dtw(x, y, psi=bad)
    with pytest.raises(TemporalCompareError, match="symmetric1"):
        tc.dtw(x, y, psi=1, step_pattern="symmetric2")


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 70),
    st.integers(1, 70),
    st.integers(1, 3),
    st.sampled_from(["sqeuclidean", "absolute", "euclidean"]),
)
def test_linear_memory_path_is_optimal(seed, n, m, d, metric):
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal((n, d)), rng.standard_normal((m, d))
    full, path_full = tc.dtw_path(x, y, metric=metric, memory="band")
    with pytest.MonkeyPatch.context() as patch:
        # tiny blocks, so the divide and conquer recurses on small inputs
        patch.setattr(elastic, "_HIRSCHBERG_BLOCK", 9)
        got, path = tc.dtw_path(x, y, metric=metric, memory="linear")
    assert got == pytest.approx(full, rel=1e-9, abs=1e-12)
    assert path[0].tolist() == [0, 0] and path[-1].tolist() == [n - 1, m - 1]
    steps = np.diff(path, axis=0)
    assert ((steps >= 0) & (steps <= 1)).all() and (steps.sum(axis=1) >= 1).all()
    cost = sum(ref.local_cost(x[i], y[j], metric) for i, j in path)
    assert (math.sqrt(cost) if metric == "sqeuclidean" else cost) == pytest.approx(got, rel=1e-9)
    # another path may only come back when it costs the same (a tie)
    if not np.array_equal(path, path_full):
        other = sum(ref.local_cost(x[i], y[j], metric) for i, j in path_full)
        assert other == pytest.approx(cost, rel=1e-9)


def test_auto_switches_to_linear_memory_past_the_cell_limit(monkeypatch):
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal(300), rng.standard_normal(280)
    expected = tc.dtw_path(x, y)
    monkeypatch.setattr(elastic, "MAX_CELLS", 10_000)
    monkeypatch.setattr(validation, "MAX_CELLS", 10_000)
    monkeypatch.setattr(elastic, "_HIRSCHBERG_BLOCK", 1_000)
    got = tc.dtw_path(x, y)  # 84,000 cells: over the (patched) limit
    assert got[0] == pytest.approx(expected[0], rel=1e-12)
    assert got[0] == pytest.approx(tc.dtw(x, y), rel=1e-12)
    with pytest.raises(TemporalCompareError, match="limit"):
        tc.dtw_path(x, y, memory="band")
    with pytest.raises(TemporalCompareError, match="unconstrained"):
        tc.dtw_path(x, y, window=30, memory="linear")
    with pytest.raises(TemporalCompareError, match="memory"):
        tc.dtw_path(x, y, memory="small")
