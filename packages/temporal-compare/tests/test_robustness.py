"""Regressions for wrong answers and crashes on input users send (issue 16, items 1-5).

Each test here failed before its fix: an int64 overflow, a rounding residue, a raw
Python/Cython exception, a channels-first array read as time-major, or a kernel
handed a window it could not take (uninitialised reads, a segmentation fault).
"""

import math

import numpy as np
import pytest
import tc_reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st

import temporal_compare as tc
from temporal_compare import TemporalCompareError

HUGE = [2**31, 2**60, 2**62, 2**63 - 1, 2**63, 2**64, 10**18, 10**20, 10**30]


# --- 1. weighted Levenshtein never wraps around ---------------------------------


@pytest.mark.parametrize(
    ("a", "b", "weights", "expected"),
    [
        ("aa", "bb", (1, 2**62, 3), 6),
        ("kitten", "sitting", (2**60,) * 3, 3 * 2**60),
        ("a", "b", (0, 2**63, 2**63), 2**63),
        ("abc", "", (1, 2**64, 1), 3 * 2**64),
        ("", "abc", (2**70, 1, 1), 3 * 2**70),
    ],
)
def test_weighted_levenshtein_is_exact_for_huge_weights(a, b, weights, expected):
    assert tc.levenshtein(a, b, weights=weights) == expected


@settings(max_examples=60, deadline=None)
@given(
    st.text("abc", max_size=7),
    st.text("abc", max_size=7),
    st.tuples(*[st.integers(0, 2**66) | st.integers(0, 5)] * 3),
    st.none() | st.integers(0, 2**65),
)
def test_weighted_levenshtein_matches_python_integers(a, b, weights, cutoff):
    expected = ref.levenshtein(a, b, *weights)
    got = tc.levenshtein(a, b, weights=weights, score_cutoff=cutoff)
    if cutoff is not None and expected > cutoff:
        assert got == cutoff + 1
    else:
        assert got == expected


# --- 2. exact repeats have matrix-profile distance exactly 0 --------------------


@pytest.mark.slow  # stumpy compiles its kernels with numba on first use
def test_issue_example_exact_repeat_is_zero():
    stumpy = pytest.importorskip("stumpy")
    t = np.r_[np.arange(20) * 0.1, 5, -3, 2, np.arange(20) * 0.1]
    mp = tc.matrix_profile(t, 20)
    assert mp.profile[0] == 0.0
    assert stumpy.stump(t, 20)[0, 0] == 0.0


@pytest.mark.parametrize("seed", range(8))
def test_planted_exact_repeats_are_zero(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(4, 40))
    t = rng.standard_normal(300) * 10 ** rng.uniform(-3, 3) + rng.uniform(-1e3, 1e3)
    a, b = 20, 150 + int(rng.integers(0, 100))
    t[b : b + m] = t[a : a + m]
    mp = tc.matrix_profile(t, m)
    assert mp.profile[a] == 0.0 and mp.profile[b] == 0.0
    assert tc.motifs(t, m, 1)[0].distance == 0.0


def test_near_repeats_keep_their_true_small_distance():
    rng = np.random.default_rng(3)
    t = rng.standard_normal(200)
    t[120:150] = t[10:40] + rng.standard_normal(30) * 1e-6
    mp = tc.matrix_profile(t, 30)
    z = [(w - w.mean()) / w.std() for w in (t[10:40], t[120:150])]
    assert mp.profile[10] == pytest.approx(np.sqrt(((z[0] - z[1]) ** 2).sum()), rel=1e-6)
    assert mp.profile[10] > 0


# --- 3. package errors, not raw ones --------------------------------------------


def test_huge_window_and_k_are_clamped():
    x, y = np.array([1.0, 2.0, 3.0]), np.array([1.0, 3.0])
    assert tc.dtw(x, y, window=10**20) == tc.dtw(x, y)
    series = np.sin(np.arange(50.0))
    every = tc.search(series[:5], series, k=46, exclusion=0)
    assert tc.search(series[:5], series, k=10**30, exclusion=0) == every


@pytest.mark.parametrize("bad", ["a", None, 1 + 1j, [1.0], b"1"])
def test_stream_update_refuses_non_numbers(bad):
    matcher = tc.StreamMatcher([1.0, 2.0], threshold=1)
    with pytest.raises(TemporalCompareError, match="value must be a real number"):
        matcher.update(bad)
    assert matcher.update(np.float32(1.0)) == []


def test_none_and_complex_are_named():
    with pytest.raises(TemporalCompareError, match="x must be an array of real numbers, got None"):
        tc.dtw(None, [1.0])
    with pytest.raises(TemporalCompareError, match="y contains None"):
        tc.dtw([1.0], [1.0, None])
    with pytest.raises(TemporalCompareError, match="x is complex"):
        tc.dtw(np.array([1 + 1j]), [1])
    with pytest.raises(TemporalCompareError, match="series is complex"):
        tc.discords(np.arange(10) + 1j, 3)
    with pytest.raises(TemporalCompareError, match="is complex"):
        tc.matrix_profile([1, 2, 3, 1j], 2)


def test_negative_n_jobs_follow_joblib():
    x = np.random.default_rng(0).standard_normal((6, 12))
    expected = tc.cdist(x, n_jobs=1)
    for jobs in (-1, -2, -5, -(2**70), 2**70):
        assert np.array_equal(tc.cdist(x, n_jobs=jobs), expected)
        assert np.array_equal(
            tc.matrix_profile(x.ravel(), 4, n_jobs=jobs).profile,
            tc.matrix_profile(x.ravel(), 4, n_jobs=1).profile,
        )
    with pytest.raises(TemporalCompareError, match="n_jobs"):
        tc.cdist(x, n_jobs=0)


# --- 4. which axis is time -------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_channels_first_with_time_axis(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal((3, 9)), rng.standard_normal((3, 9))  # (channels, time)
    assert tc.dtw(x, y, time_axis=1) == pytest.approx(ref.dtw(list(x.T), list(y.T)))
    assert tc.dtw(x, y, time_axis=1) == tc.dtw(x.T, y.T)
    d, path = tc.dtw_path(x, y, time_axis=1)
    assert (d, path.tolist()) == tuple(
        v.tolist() if isinstance(v, np.ndarray) else v for v in tc.dtw_path(x.T, y.T)
    )
    assert tc.lcss(x, y, epsilon=1.0, time_axis=1) == tc.lcss(x.T, y.T, epsilon=1.0)
    avg = tc.dba([x, y], time_axis=1, n_iter=2)
    assert np.array_equal(avg, tc.dba([x.T, y.T], n_iter=2))
    with pytest.raises(TemporalCompareError, match="time_axis"):
        tc.dtw(x, y, time_axis=2)


# --- 5. windows, counts and zones beyond the series ------------------------------


@pytest.mark.parametrize("window", HUGE)
def test_envelope_and_lb_keogh_with_huge_windows(window):
    x = np.random.default_rng(1).standard_normal(40)
    upper, lower = tc.envelope(x, window)
    assert (upper == x.max()).all() and (lower == x.min()).all()
    again = tc.envelope(x, window)
    assert np.array_equal(again[0], upper)
    assert tc.envelope(np.zeros(5), window)[0].tolist() == [0.0] * 5
    assert tc.lb_keogh(np.zeros(5), np.ones(5), window) == math.sqrt(5)
    assert tc.lb_keogh(x, x[::-1], window) == tc.lb_keogh(x, x[::-1], len(x))


@pytest.mark.parametrize("big", HUGE)
def test_every_window_and_count_is_clamped(big):
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal(12), rng.standard_normal(9)
    assert tc.dtw(x, y, window=big) == tc.dtw(x, y)
    assert tc.dtw(x, y, window=big, metric="absolute", itakura_max_slope=2.0) == tc.dtw(
        x, y, metric="absolute", itakura_max_slope=2.0
    )
    assert tc.dtw_path(x, y, window=big)[0] == tc.dtw_path(x, y)[0]
    assert (
        tc.dtw_path(x[:, None], y[:, None], window=big, step_pattern="symmetric2")[0]
        == tc.dtw_path(x[:, None], y[:, None], step_pattern="symmetric2")[0]
    )
    assert tc.lcss(x, y, epsilon=0.5, window=big) == tc.lcss(x, y, epsilon=0.5)
    assert np.array_equal(tc.dba([x, y], window=big), tc.dba([x, y]))
    assert np.array_equal(tc.cdist([x, y], window=big), tc.cdist([x, y]))
    series = np.sin(np.arange(80.0) * 0.7) + rng.standard_normal(80) * 0.1
    assert tc.search(series[3:13], series, k=big, window=big, exclusion=big) == tc.search(
        series[3:13], series, k=1, window=9
    )
    assert tc.discords(series, 8, 2, exclusion=big) == tc.discords(series, 8, 1, exclusion=80)
    assert tc.motifs(series, 8, 2, exclusion=big) == tc.motifs(series, 8, 1, exclusion=80)
    assert tc.levenshtein("abc", "abd", weights=(1, 1, big)) == 2


def test_wrong_types_for_integers_are_named():
    with pytest.raises(TemporalCompareError, match="window"):
        tc.envelope(np.zeros(3), 1.5)
    with pytest.raises(TemporalCompareError, match="exclusion"):
        tc.discords(np.arange(10.0), 3, exclusion="x")
    with pytest.raises(TemporalCompareError, match=r"weights\[1\]"):
        tc.levenshtein("a", "b", weights=(1, -(2**64), 1))
