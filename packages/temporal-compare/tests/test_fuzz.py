"""Fuzzing: every public function either answers or raises TemporalCompareError.

Inputs mix valid and invalid values (empty, NaN, infinity, wrong shapes, wrong
types, huge or negative windows) so the validation layer, not the compiled
kernels, sees everything odd. A crash of the interpreter fails the whole run.
"""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import temporal_compare as tc

floats = st.floats(allow_nan=True, allow_infinity=True, width=64)
finite = st.floats(-1e6, 1e6, allow_nan=False)
numeric = st.one_of(
    arrays(np.float64, st.integers(0, 12), elements=finite),
    arrays(np.float64, st.integers(0, 6), elements=floats),
    arrays(np.float64, st.tuples(st.integers(0, 5), st.integers(0, 3)), elements=finite),
    st.lists(finite, max_size=8),
    st.lists(st.text(max_size=2), max_size=3),
    st.just([[1.0], [1.0, 2.0]]),
    st.none(),
    st.integers(),
)
tokens = st.one_of(
    st.text(max_size=10),
    st.lists(st.integers(-(2**70), 2**70), max_size=10),
    st.lists(st.one_of(st.integers(0, 3), st.text(max_size=1), st.none()), max_size=10),
    arrays(np.int64, st.integers(0, 10), elements=st.integers(-5, 5)),
    arrays(np.uint64, st.integers(0, 5)),
    st.lists(st.lists(st.integers(), max_size=2), max_size=3),
    st.integers(),
    st.none(),
)
windows = st.one_of(st.none(), st.integers(-3, 20), st.floats(allow_nan=True), st.text(max_size=1))
counts = st.one_of(st.integers(-2, 6), st.none(), st.floats(allow_nan=True), st.booleans())
fuzz = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


def survives(call):
    try:
        result = call()
    except tc.TemporalCompareError:
        return None
    return result


@fuzz
@given(
    numeric,
    numeric,
    windows,
    st.sampled_from(["sqeuclidean", "absolute", "euclidean", "x"]),
    st.one_of(st.none(), floats),
    st.one_of(st.none(), st.floats(0, 5)),
)
def test_elastic(x, y, window, metric, max_dist, slope):
    d = survives(
        lambda: tc.dtw(
            x, y, window=window, metric=metric, max_dist=max_dist, itakura_max_slope=slope
        )
    )
    if d is not None:
        assert d >= 0 or math.isnan(d)
    survives(lambda: tc.dtw_path(x, y, window=window, metric=metric, itakura_max_slope=slope))
    survives(
        lambda: tc.lcss(x, y, epsilon=max_dist if max_dist is not None else 1.0, window=window)
    )
    survives(lambda: tc.euclidean(x, y))
    survives(lambda: tc.lb_keogh(x, y, window))
    survives(lambda: tc.lb_kim(x, y))
    survives(lambda: tc.envelope(x, window))


@fuzz
@given(
    tokens,
    tokens,
    st.one_of(st.none(), st.integers(-2, 10)),
    st.tuples(st.integers(-1, 3), st.integers(0, 3), st.integers(0, 3)),
)
def test_tokens(a, b, cutoff, weights):
    for fn in (
        tc.lcs_length,
        tc.lcs,
        tc.lcs_similarity,
        tc.osa,
        tc.damerau_levenshtein,
        tc.hamming,
        tc.editops,
    ):
        survives(lambda fn=fn: fn(a, b))
    survives(lambda: tc.levenshtein(a, b, weights=weights, score_cutoff=cutoff))
    survives(lambda: tc.find_patterns(a, 1, 3))
    survives(lambda: tc.cdist([a, b], metric="levenshtein"))
    survives(lambda: tc.cdist([a, b], [b], metric="lcs_similarity"))
    survives(lambda: tc.TemporalComparator().compare(a, b, "levenshtein"))


@fuzz
@given(numeric, numeric, counts, windows, counts, st.sampled_from(["dtw", "euclidean", "x"]))
def test_search_profile_stream(query, series, k, window, exclusion, metric):
    found = survives(
        lambda: tc.search(query, series, k=k, window=window, exclusion=exclusion, metric=metric)
    )
    if found:
        assert all(isinstance(m, tc.Match) for m in found)
    survives(lambda: tc.matrix_profile(series, k))
    survives(lambda: tc.motifs(series, k, 2, exclusion=exclusion))
    survives(lambda: tc.discords(series, k, 1, exclusion=window))
    survives(lambda: tc.cdist([query, series], window=window, n_jobs=k if k else None))
    survives(lambda: tc.dba([query, series], n_iter=k if isinstance(k, int) else 1, window=window))
    matcher = survives(lambda: tc.StreamMatcher(query, threshold=1.0))
    if matcher is not None:
        survives(lambda: matcher.extend(series))
    survives(lambda: tc.TemporalComparator().compare(query, series, "dtw", window=window))


@pytest.mark.parametrize("size", [10**5])
def test_oversized_work_is_refused_before_allocating(size):
    with pytest.raises(tc.TemporalCompareError, match="limit"):
        tc.dtw_path(np.zeros(size), np.zeros(size), memory="band")
    with pytest.raises(tc.TemporalCompareError, match="limit"):
        tc.lcs("a" * size, "b" * size)
