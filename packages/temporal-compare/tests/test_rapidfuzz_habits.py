"""rapidfuzz's habits (workers, scorer, score_cutoff, processor, normalised scores,
opcodes, extract) and tslearn's shapes for cdist, checked against the peers."""

import numpy as np
import pytest
import tc_reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st

import temporal_compare as tc
from temporal_compare import TemporalCompareError

rapidfuzz = pytest.importorskip("rapidfuzz")
from rapidfuzz import distance as rfd  # noqa: E402
from rapidfuzz import process as rfp  # noqa: E402

words = st.text("abcAB ", max_size=10)
SCORERS = [
    ("levenshtein", rfd.Levenshtein.distance, [None, 0, 1, 3]),
    (
        "levenshtein_normalized_distance",
        rfd.Levenshtein.normalized_distance,
        [None, 0.31],
    ),  # off exact ratios: float32 peers round there
    ("levenshtein_normalized_similarity", rfd.Levenshtein.normalized_similarity, [None, 0.61]),
    ("lcs_similarity", rfd.LCSseq.normalized_similarity, [None, 0.51]),
]


@settings(max_examples=30, deadline=None)
@given(st.lists(words, min_size=1, max_size=6), st.lists(words, min_size=1, max_size=4))
def test_cdist_matches_rapidfuzz(xs, ys):
    for name, peer, cutoffs in SCORERS:
        for cutoff in cutoffs:
            for proc in (None, str.lower):
                ours = tc.cdist(
                    xs, ys, scorer=name, score_cutoff=cutoff, processor=proc, workers=-1
                )
                theirs = rfp.cdist(xs, ys, scorer=peer, score_cutoff=cutoff, processor=proc)
                assert np.allclose(ours, theirs, atol=1e-12), (name, cutoff)
        # the function itself works as a scorer, and Y=None is the same matrix
        sym = tc.cdist(xs, scorer=getattr(tc, name))
        assert np.allclose(sym, rfp.cdist(xs, xs, scorer=peer), atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(words, words, st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(0, 4)))
def test_normalized_scores_match_rapidfuzz(a, b, weights):
    ours = tc.levenshtein_normalized_distance(a, b, weights=weights)
    assert ours == pytest.approx(rfd.Levenshtein.normalized_distance(a, b, weights=weights))
    sim = tc.levenshtein_normalized_similarity(a, b, weights=weights, processor=str.upper)
    peer = rfd.Levenshtein.normalized_similarity(a, b, weights=weights, processor=str.upper)
    assert sim == pytest.approx(peer)
    for cutoff in (0.21, 0.71):
        assert tc.levenshtein_normalized_distance(
            a, b, weights=weights, score_cutoff=cutoff
        ) == pytest.approx(
            rfd.Levenshtein.normalized_distance(a, b, weights=weights, score_cutoff=cutoff)
        )
    assert tc.levenshtein(a, b, processor=str.lower) == ref.levenshtein(a.lower(), b.lower())


@settings(max_examples=80, deadline=None)
@given(words, words)
def test_opcodes(a, b):
    ours = tc.opcodes(a, b)
    # rapidfuzz's own conversion of the same edit script
    peer = rfd.Editops(tc.editops(a, b), len(a), len(b)).as_opcodes()
    assert ours == [tuple(o) for o in peer]
    rebuilt = []
    for tag, i1, i2, j1, j2 in ours:
        rebuilt.append(a[i1:i2] if tag == "equal" else b[j1:j2])
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2]
    assert "".join(rebuilt) == b
    assert sum(max(i2 - i1, j2 - j1) for t, i1, i2, j1, j2 in ours if t != "equal") == len(
        tc.editops(a, b)
    )


@settings(max_examples=40, deadline=None)
@given(words, st.lists(words, max_size=8), st.integers(1, 5))
def test_extract_matches_rapidfuzz(query, choices, k):
    for name, peer, cutoffs in SCORERS:
        for cutoff in cutoffs:
            ours = tc.extract(query, choices, scorer=name, k=k, score_cutoff=cutoff)
            theirs = rfp.extract(query, choices, scorer=peer, limit=k, score_cutoff=cutoff)
            assert [s for _, s, _ in ours] == pytest.approx([s for _, s, _ in theirs])
            for choice, score, i in ours:
                assert choices[i] == choice
                assert score == pytest.approx(peer(query, choice))


def test_extract_callable_and_numeric():
    got = tc.extract("ab", ["abc", "b", "ab"], scorer=lambda a, b: len(set(a) & set(b)), best="max")
    assert [i for _, _, i in got] == [0, 2, 1]
    series = [np.sin(np.arange(30) * f) for f in (0.1, 0.2, 0.3)]
    top = tc.extract(series[1] + 0.01, series, scorer="dtw", k=1)
    assert top[0][2] == 1
    assert tc.extract("a", []) == []
    with pytest.raises(TemporalCompareError, match="best"):
        tc.extract("a", ["b"], scorer=len, best="up")


def test_workers_and_n_jobs():
    x = np.random.default_rng(0).standard_normal((5, 20))
    assert np.array_equal(tc.cdist(x, workers=-1), tc.cdist(x, n_jobs=1))
    with pytest.raises(TemporalCompareError, match="not both"):
        tc.cdist(x, workers=1, n_jobs=1)
    with pytest.raises(TemporalCompareError, match="not both"):
        tc.cdist(["a"], metric="levenshtein", scorer="levenshtein")
    with pytest.raises(TemporalCompareError, match="processor must be callable"):
        tc.cdist(["a"], scorer="levenshtein", processor=3)


@pytest.mark.parametrize("seed", range(4))
def test_multivariate_and_3d_cdist_match_tslearn(seed):
    tslearn_metrics = pytest.importorskip("tslearn.metrics")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((5, 12, 3))
    Y = rng.standard_normal((4, 12, 3))
    assert np.allclose(tc.cdist(X, Y), tslearn_metrics.cdist_dtw(X, Y))
    assert np.allclose(tc.cdist(X), tslearn_metrics.cdist_dtw(X))
    assert np.allclose(
        tc.cdist(X, Y, window=2),
        tslearn_metrics.cdist_dtw(X, Y, global_constraint="sakoe_chiba", sakoe_chiba_radius=2),
    )
    # unequal lengths as a list, and channels-first series
    ragged = [rng.standard_normal((int(rng.integers(3, 15)), 2)) for _ in range(4)]
    got = tc.cdist(ragged, progress=lambda d, t: None)
    for i, a in enumerate(ragged):
        for j, b in enumerate(ragged):
            assert got[i, j] == pytest.approx(ref.dtw(list(a), list(b)))
    assert np.array_equal(tc.cdist([a.T for a in ragged], time_axis=1), got)
    flat = X.reshape(5, -1)
    assert np.allclose(tc.cdist(X, metric="euclidean"), tc.cdist(flat, metric="euclidean"))
    with pytest.raises(TemporalCompareError, match="mix dimensions"):
        tc.cdist([np.zeros((3, 2)), np.zeros((3, 1))])


def test_pandas_in():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.standard_normal((4, 15)))
    assert np.array_equal(tc.cdist(frame), tc.cdist(frame.to_numpy()))
    s = pd.Series(rng.standard_normal(40))
    assert tc.dtw(s, s[::-1]) == tc.dtw(s.to_numpy(), s.to_numpy()[::-1])
    assert np.array_equal(
        tc.matrix_profile(s, 5).profile, tc.matrix_profile(s.to_numpy(), 5).profile
    )
    names = pd.Series(["kitten", "sitting", "mitten"])
    assert tc.extract("kitten", names, k=1)[0] == ("kitten", 0.0, 0)
