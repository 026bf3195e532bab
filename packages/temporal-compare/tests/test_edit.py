import numpy as np
import pytest
import tc_reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st

from temporal_compare import (
    TemporalCompareError,
    damerau_levenshtein,
    editops,
    hamming,
    lcs,
    lcs_length,
    lcs_similarity,
    levenshtein,
    osa,
)

small = st.lists(st.integers(0, 3), max_size=12)
# Lengths around the 64-bit word boundaries exercise the multi-word bit-parallel code.
long_lists = st.integers(0, 200).flatmap(
    lambda n: st.lists(st.integers(0, 5), min_size=n, max_size=n)
)
text = st.text(alphabet="abcé😀", max_size=12)


@settings(max_examples=150)
@given(long_lists, long_lists)
def test_bit_parallel_lcs_and_levenshtein_match_reference(a, b):
    assert lcs_length(a, b) == ref.lcs_length(a, b)
    assert levenshtein(a, b) == ref.levenshtein(a, b)


@settings(max_examples=150)
@given(small, small, st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(0, 4)))
def test_weighted_levenshtein_matches_reference(a, b, w):
    assert levenshtein(a, b, weights=w) == ref.levenshtein(a, b, *w)


@settings(max_examples=150)
@given(
    small,
    small,
    st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)),
    st.integers(0, 10),
)
def test_score_cutoff(a, b, w, cutoff):
    exact = ref.levenshtein(a, b, *w)
    expected = exact if exact <= cutoff else cutoff + 1
    assert levenshtein(a, b, weights=w, score_cutoff=cutoff) == expected


@settings(max_examples=100)
@given(small, small)
def test_osa_damerau_and_editops(a, b):
    assert osa(a, b) == ref.osa(a, b)
    ops = editops(a, b)
    assert len(ops) == ref.levenshtein(a, b)
    assert ref.apply_editops(a, b, ops) == b


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 2), max_size=4), st.lists(st.integers(0, 2), max_size=4))
def test_damerau_levenshtein_matches_search(a, b):
    assert damerau_levenshtein(a, b) == ref.damerau_levenshtein(a, b)


@settings(max_examples=100)
@given(text, text)
def test_identities_on_text(a, b):
    n = lcs_length(a, b)
    assert n == ref.lcs_length(a, b)
    sub = lcs(a, b)
    assert isinstance(sub, str) and len(sub) == n
    assert ref.lcs_length(sub, a) == n and ref.lcs_length(sub, b) == n  # a common subsequence
    assert levenshtein(a, a) == 0 and lcs_length(a, a) == len(a)
    assert levenshtein(a, b) == levenshtein(b, a)
    # with substitution cost 2 the distance is the indel distance n + m - 2 LCS
    assert levenshtein(a, b, weights=(1, 1, 2)) == len(a) + len(b) - 2 * n
    assert damerau_levenshtein(a, b) <= osa(a, b) <= levenshtein(a, b)
    if len(a) == len(b):
        assert hamming(a, b) >= levenshtein(a, b)


def test_token_kinds_compare_by_equality():
    assert lcs_length(np.array([1, 2, 3]), [1, 2, 3]) == 3
    assert lcs_length(["x", "y"], ("x", "z", "y")) == 2
    assert lcs_length("ab", ["a", "b"]) == 2  # characters equal one-character strings
    assert lcs_length("ab", [97, 98]) == 0  # but not their code points
    assert levenshtein([1.0, 2.5], [1, 2.5]) == 0
    assert levenshtein([2**70, 1], [2**70, 2]) == 1
    assert lcs([("a", 1), ("b", 2)], [("b", 2)]) == [("b", 2)]
    assert lcs_similarity("", "") == 1.0
    assert lcs_similarity("ab", "") == 0.0


def test_rapidfuzz_agrees():
    rapidfuzz = pytest.importorskip("rapidfuzz")
    from rapidfuzz.distance import OSA, DamerauLevenshtein, LCSseq, Levenshtein

    rng = np.random.default_rng(5)
    for _ in range(60):
        n, m = rng.integers(0, 300, 2)
        k = int(rng.choice([2, 4, 30, 1000]))
        a, b = rng.integers(0, k, n).tolist(), rng.integers(0, k, m).tolist()
        assert lcs_length(a, b) == LCSseq.similarity(a, b)
        assert lcs_similarity(a, b) == pytest.approx(LCSseq.normalized_similarity(a, b))
        assert levenshtein(a, b) == Levenshtein.distance(a, b)
        w = tuple(int(v) for v in rng.integers(0, 4, 3))
        cutoff = int(rng.integers(0, 100))
        assert levenshtein(a, b, weights=w, score_cutoff=cutoff) == Levenshtein.distance(
            a, b, weights=w, score_cutoff=cutoff
        )
        assert osa(a[:60], b[:60]) == OSA.distance(a[:60], b[:60])
        assert damerau_levenshtein(a[:60], b[:60]) == DamerauLevenshtein.distance(a[:60], b[:60])
        assert len(editops(a[:80], b[:80])) == len(
            rapidfuzz.distance.Levenshtein.editops(a[:80], b[:80])
        )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: lcs_length([[1]], [1]), "a contains an unhashable token"),
        (lambda: levenshtein([1], [{}]), "b contains an unhashable token"),
        (lambda: lcs_length(5, [1]), "a must be a sequence"),
        (lambda: lcs_length(np.zeros((2, 2)), [1]), "a must be a 1-D sequence"),
        (lambda: hamming("ab", "abc"), "same length"),
        (lambda: levenshtein("a", "b", weights=(1, 1)), "weights must be three"),
        (
            lambda: levenshtein("a", "b", weights=(1, -1, 1)),
            r"weights\[1\] \(delete\) must be >= 0",
        ),
        (lambda: levenshtein("a", "b", score_cutoff=-1), "score_cutoff must be >= 0"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(TemporalCompareError, match=message):
        call()


def test_oversized_tables_refused(monkeypatch):
    import temporal_compare._validation as validation

    monkeypatch.setattr(validation, "MAX_CELLS", 1000)
    for fn in (lcs, editops, damerau_levenshtein):
        with pytest.raises(TemporalCompareError, match="limit"):
            fn("a" * 100, "b" * 100)
