import math

import numpy as np
import pytest

from temporal_compare import TemporalCompareError, cdist, dtw, lcs_similarity, levenshtein


def test_dtw_matrix_matches_pairwise_calls_and_is_symmetric():
    rng = np.random.default_rng(0)
    series = [np.cumsum(rng.standard_normal(int(n))) for n in rng.integers(1, 40, 12)]
    series.append(np.array([]))
    for window in (None, 5):
        full = cdist(series, window=window, n_jobs=2)
        for i, a in enumerate(series):
            for j, b in enumerate(series):
                expected = 0.0 if i == j else dtw(a, b, window=window)
                assert full[i, j] == pytest.approx(expected, rel=1e-12) or (
                    math.isinf(expected) and math.isinf(full[i, j])
                )
    rect = cdist(series[:4], series[4:9], n_jobs=1)
    assert rect.shape == (4, 5)
    assert rect[2, 3] == pytest.approx(dtw(series[2], series[7]))


def test_dtaidistance_matrix_agrees():
    dtaidistance = pytest.importorskip("dtaidistance")
    rng = np.random.default_rng(1)
    X = np.cumsum(rng.standard_normal((15, 60)), axis=1)
    expected = dtaidistance.dtw.distance_matrix_fast(X)
    got = cdist(X)
    upper = np.triu_indices(15, 1)
    assert np.allclose(got[upper], expected[upper], rtol=1e-12)


def test_token_matrices():
    words = ["kitten", "sitting", "", "mitten", "kit"]
    sim = cdist(words, metric="lcs_similarity")
    lev = cdist(words, words[:2], metric="levenshtein", n_jobs=2)
    for i, a in enumerate(words):
        for j, b in enumerate(words):
            assert sim[i, j] == pytest.approx(lcs_similarity(a, b))
        for j, b in enumerate(words[:2]):
            assert lev[i, j] == levenshtein(a, b)


def test_euclidean_and_progress():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((30, 8))
    calls = []
    got = cdist(X, X[:3], metric="euclidean")
    assert np.allclose(got, np.sqrt(((X[:, None, :] - X[None, :3, :]) ** 2).sum(-1)))
    cdist(X, metric="dtw", window=2, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (435, 435)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_rapidfuzz_cdist_agrees():
    rapidfuzz = pytest.importorskip("rapidfuzz")
    rng = np.random.default_rng(3)
    seqs = [rng.integers(0, 20, int(n)).tolist() for n in rng.integers(0, 300, 25)]
    expected = rapidfuzz.process.cdist(
        seqs, seqs, scorer=rapidfuzz.distance.LCSseq.normalized_similarity
    )
    assert np.allclose(cdist(seqs, metric="lcs_similarity"), expected, atol=1e-9)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: cdist(np.zeros(5)), "X must be a 2-D array"),
        (lambda: cdist([[1.0], [np.nan]]), r"X\[1\] contains NaN"),
        (lambda: cdist([[1.0]], metric="cosine"), "metric must be one of"),
        (lambda: cdist([[1.0]], n_jobs=0), "n_jobs must be a positive count"),
        (lambda: cdist([[1.0]], window=-1), "window must be >= 0"),
        (lambda: cdist([[1.0], [1.0, 2.0]], metric="euclidean"), "one length"),
        (lambda: cdist([[1.0]], progress=3), "progress must be callable"),
        (lambda: cdist("abc", metric="levenshtein"), "X must be a sequence of sequences"),
        (lambda: cdist([[{}]], metric="levenshtein"), r"X\[0\] contains an unhashable"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(TemporalCompareError, match=message):
        call()


def test_oversized_result_refused(monkeypatch):
    import temporal_compare._validation as validation

    monkeypatch.setattr(validation, "MAX_CELLS", 100)
    with pytest.raises(TemporalCompareError, match="limit"):
        cdist(np.zeros((5, 3)))


def test_plain_thread_fallback_matches(monkeypatch):
    from temporal_compare import _dtw, _edit

    rng = np.random.default_rng(4)
    X = np.cumsum(rng.standard_normal((20, 30)), axis=1)
    words = [rng.integers(0, 5, 40).tolist() for _ in range(12)]
    expected = cdist(X, n_jobs=2), cdist(words, metric="lcs_similarity", n_jobs=2)
    monkeypatch.setattr(_dtw, "HAVE_OPENMP", False)
    monkeypatch.setattr(_edit, "HAVE_OPENMP", False)
    assert np.array_equal(cdist(X, n_jobs=2), expected[0])
    assert np.array_equal(cdist(words, metric="lcs_similarity", n_jobs=2), expected[1])
