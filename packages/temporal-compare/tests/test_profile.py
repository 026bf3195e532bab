"""Matrix profile: AB-join, top-k, NaN/inf windows and progress, against brute force
and stumpy (the peer's own conventions: constant windows, excluded windows)."""

import numpy as np
import pytest
import tc_reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st

from temporal_compare import TemporalCompareError, discords, matrix_profile, motifs


def walk(seed, n):
    return np.cumsum(np.random.default_rng(seed).standard_normal(n))


def spoil(t, rng):
    """Plant NaN/inf and a constant stretch, as real recordings have."""
    t = t.copy()
    for v in (np.nan, np.inf, -np.inf):
        t[int(rng.integers(0, len(t)))] = v
    start = int(rng.integers(0, len(t) - 10))
    t[start : start + 10] = 2.5
    return t


def check_rows(mp_profile, mp_index, d, k):
    """Profile = the k smallest distances of each row; each index is at its distance."""
    expected = np.sort(d, axis=1)[:, :k]
    assert np.allclose(mp_profile, expected, atol=1e-6)
    found = mp_index >= 0
    assert (found == np.isfinite(expected)).all()
    rows, cols = np.nonzero(found)
    assert np.allclose(d[rows, mp_index[rows, cols]], expected[rows, cols], atol=1e-6)
    for row in mp_index:  # neighbours are distinct
        real = row[row >= 0]
        assert len(set(real.tolist())) == len(real)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(3, 16),
    st.integers(20, 90),
    st.integers(20, 90),
    st.booleans(),
    st.sampled_from([1, 2]),
)
def test_ab_join_matches_brute_force(seed, m, na, nb, dirty, jobs):
    rng = np.random.default_rng(seed)
    ta, tb = walk(seed, na), walk(seed + 1, nb)
    if dirty:
        ta, tb = spoil(ta, rng), spoil(tb, rng)
    mp = matrix_profile(ta, m, T_B=tb, n_jobs=jobs)
    assert mp.exclusion == 0 and mp.profile.shape == (na - m + 1,)
    check_rows(mp.profile[:, None], mp.index[:, None], ref.profile_distances(ta, m, tb), 1)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(3, 12),
    st.integers(25, 90),
    st.integers(2, 5),
    st.booleans(),
    st.booleans(),
)
def test_top_k_matches_brute_force(seed, m, n, k, dirty, ab):
    rng = np.random.default_rng(seed)
    t = walk(seed, n)
    tb = walk(seed + 7, n + 5) if ab else None
    if dirty:
        t = spoil(t, rng)
    mp = matrix_profile(t, m, k=k, T_B=tb, n_jobs=2)
    assert mp.profile.shape == (n - m + 1, k) and mp.k == k
    check_rows(mp.profile, mp.index, ref.profile_distances(t, m, tb), k)


@pytest.mark.parametrize("seed", range(6))
def test_nan_windows_are_excluded_not_errors(seed):
    rng = np.random.default_rng(seed)
    t = spoil(walk(seed, 150), rng)
    m = 12
    mp = matrix_profile(t, m)
    bad = np.array([not np.isfinite(t[i : i + m]).all() for i in range(len(t) - m + 1)])
    assert np.isinf(mp.profile[bad]).all() and (mp.index[bad] == -1).all()
    assert not bad[mp.index[mp.index >= 0]].any()  # nobody's neighbour
    check_rows(mp.profile[:, None], mp.index[:, None], ref.profile_distances(t, m), 1)
    assert all(np.isfinite(d.distance) for d in discords(t, m, 3))
    assert all(np.isfinite(x.distance) for x in motifs(t, m, 3))


def test_all_windows_excluded():
    mp = matrix_profile([np.nan] * 10, 3)
    assert np.isinf(mp.profile).all() and (mp.index == -1).all()
    assert discords([np.nan] * 10, 3) == [] and motifs([np.nan] * 10, 3) == []


def test_exact_repeats_across_series_are_zero():
    rng = np.random.default_rng(5)
    ta, tb = rng.standard_normal(100) * 1e3 + 7, rng.standard_normal(80)
    tb[30:55] = ta[40:65]
    mp = matrix_profile(ta, 25, T_B=tb, k=2)
    assert mp.profile[40, 0] == 0.0 and mp.index[40, 0] == 30


@pytest.mark.parametrize("jobs", [1, 2, 3, 8])
@pytest.mark.parametrize("k", [1, 3])
def test_exact_ties_go_to_the_smallest_index_whatever_the_threads(jobs, k):
    # constant windows correlate exactly 1.0 with each other: every one of them ties
    # with all the others. The neighbour used to be the first one a thread happened
    # to visit (dynamic scheduling), so index, and the distance refined from it, could
    # change from run to run with n_jobs > 1 (found by the fuzz test)
    rng = np.random.default_rng(7)
    m = 8
    x = rng.standard_normal(400)
    for start in (30, 120, 200, 330):
        x[start : start + 20] = 2.5
    mp = matrix_profile(x, m, k=k, n_jobs=jobs)
    index = mp.index if k > 1 else mp.index[:, None]
    constant = [i for i in range(len(x) - m + 1) if np.ptp(x[i : i + m]) == 0]
    zone = mp.exclusion
    for i in constant:
        expected = [j for j in constant if abs(j - i) > zone][:k]
        assert index[i].tolist() == expected, i
    again = matrix_profile(x, m, k=k, n_jobs=1)
    assert np.array_equal(mp.index, again.index)
    assert np.array_equal(mp.profile, again.profile)


def test_progress_reports_every_diagonal():
    t = walk(3, 500)
    for tb in (None, walk(4, 300)):
        seen: list[tuple[int, int]] = []
        mp = matrix_profile(t, 20, T_B=tb, progress=lambda d, n, seen=seen: seen.append((d, n)))
        done = [d for d, _ in seen]
        assert done == sorted(done) and seen[-1][0] == seen[-1][1] > 0
        assert len(seen) > 10
        plain = matrix_profile(t, 20, T_B=tb)
        assert np.array_equal(mp.profile, plain.profile)
        assert np.array_equal(mp.index, plain.index)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: matrix_profile([1.0, 2, 3], 2, T_B=[1.0]), "m \\(2\\) is longer than T_B"),
        (lambda: matrix_profile([1.0, 2, 3], 2, T_B=[[1.0, 2.0]]), "T_B must be 1-D"),
        (lambda: matrix_profile([1.0, 2, 3], 2, k=0), "k must be >= 1"),
        (lambda: matrix_profile([1.0, 2, 3], 2, progress=3), "progress must be callable"),
        (lambda: matrix_profile([1.0, 2, 3j], 2), "complex"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(TemporalCompareError, match=message):
        call()


def test_huge_k_is_refused_before_allocating():
    with pytest.raises(TemporalCompareError, match="limit"):
        matrix_profile(np.arange(30_000.0) % 17, 8, k=10**9, n_jobs=1)


@pytest.mark.slow  # stumpy compiles its kernels with numba on first use
@pytest.mark.parametrize("seed", range(4))
def test_equal_to_stumpy(seed):
    stumpy = pytest.importorskip("stumpy")
    rng = np.random.default_rng(seed)
    t, tb = walk(seed, 300), walk(seed + 50, 200)
    if seed % 2:
        t = spoil(t, rng)
    m = 16
    peer = stumpy.stump(t, m)
    assert np.allclose(matrix_profile(t, m).profile, peer[:, 0].astype(float), atol=1e-6)
    peer = stumpy.stump(t, m, tb, ignore_trivial=False)
    ours = matrix_profile(t, m, T_B=tb)
    assert np.allclose(ours.profile, peer[:, 0].astype(float), atol=1e-6)
    peer = stumpy.stump(t, m, k=3)
    ours = matrix_profile(t, m, k=3)
    assert np.allclose(ours.profile, peer[:, :3].astype(float), atol=1e-6)
