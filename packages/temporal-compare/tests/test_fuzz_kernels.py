"""Guided fuzzing of every compiled entry point, checked against the references.

Each target drives one kernel through its public function with valid but
extreme inputs (windows, counts and zones far beyond the series, huge weights,
tiny and long series) and compares the answer with the plain reference in
``tc_reference`` or with an equivalent call. ``hypothesis.target`` steers the
search toward the inputs that stress the kernel most (windows much larger than
the series, big integers, long inputs), the guided part a coverage-blind random
fuzzer lacks.

The run is brief by default (``TC_FUZZ_EXAMPLES``, default 15 per target) so CI
runs it on every push; ask for more on demand, for example::

    TC_FUZZ_EXAMPLES=5000 python -m pytest packages/temporal-compare/tests -m fuzz

Out-of-bounds access inside a kernel shows up as an IndexError in a build with
``-Csetup-args=-Dcython-checks=true`` (see docs/development.rst), or as a crash.
"""

import math
import os

import numpy as np
import pytest
import tc_reference as ref
from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import temporal_compare as tc

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("TC_FUZZ_EXAMPLES", "15"))
fuzz = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

values = st.floats(-1e3, 1e3, allow_nan=False).map(lambda v: round(v, 2))
# small radii, radii around the length, and radii far past anything a C integer holds
radii = st.one_of(
    st.integers(0, 12), st.integers(2**30, 2**34), st.integers(2**60, 2**70), st.just(2**63)
)


def series(lo=1, hi=14):
    return st.integers(lo, hi).flatmap(lambda n: arrays(np.float64, n, elements=values))


def score_radius(w, n):
    """Reward radii far beyond the series: that is where clamping matters."""
    target(math.log2(w + 1) - math.log2(n + 1), label="log2(window / length)")


@fuzz
@given(series(), series(), radii, st.sampled_from(["sqeuclidean", "absolute"]))
def test_fuzz_dtw_wavefront_and_rows(x, y, w, metric):
    score_radius(w, max(len(x), len(y)))
    expected = ref.dtw(list(x), list(y), window=w, metric=metric)
    assert tc.dtw(x, y, window=w, metric=metric) == pytest.approx(expected, rel=1e-9)
    # max_dist sends the same problem through the row kernel
    got = tc.dtw(x, y, window=w, metric=metric, max_dist=1e12)
    assert got == pytest.approx(expected, rel=1e-9)


@fuzz
@given(series(), series(), radii, st.sampled_from(["symmetric1", "symmetric2"]))
def test_fuzz_dtw_path_kernels(x, y, w, step):
    score_radius(w, max(len(x), len(y)))
    d, path = tc.dtw_path(x, y, window=w, step_pattern=step)
    assert d == pytest.approx(ref.dtw(list(x), list(y), window=w, step=step), rel=1e-9)
    if math.isinf(d):
        assert path.shape == (0, 2)
    else:
        assert path[0].tolist() == [0, 0] and path[-1].tolist() == [len(x) - 1, len(y) - 1]
    # 2-D input takes the trace/backtrack kernels instead of the wavefront
    d2, path2 = tc.dtw_path(x[:, None], y[:, None], window=w, step_pattern=step)
    assert len(path2) == len(path) or math.isinf(d)
    assert d2 == pytest.approx(d, rel=1e-9)


@fuzz
@given(series(), series(), radii, st.floats(0, 50))
def test_fuzz_lcss(x, y, w, eps):
    score_radius(w, max(len(x), len(y)))
    expected = ref.lcss_length(x, y, eps, w) / min(len(x), len(y))
    assert tc.lcss(x, y, epsilon=eps, window=w) == expected


@fuzz
@given(series(), radii)
def test_fuzz_envelope_and_lb_keogh(x, w):
    score_radius(w, len(x))
    upper, lower = tc.envelope(x, w)
    n = len(x)
    r = min(w, n)
    for i in range(n):
        part = x[max(0, i - r) : i + r + 1]
        assert upper[i] == part.max() and lower[i] == part.min()
    y = x[::-1].copy()
    assert tc.lb_keogh(x, y, w) <= tc.dtw(x, y, window=w) + 1e-9


@fuzz
@given(st.lists(series(2, 30), min_size=1, max_size=4), radii, st.integers(-3, 3))
def test_fuzz_pairwise_dtw(xs, w, jobs):
    score_radius(w, max(len(s) for s in xs))
    target(float(len(xs)), label="series")
    jobs = jobs or 1
    got = tc.cdist(xs, window=w, n_jobs=jobs)
    for i, a in enumerate(xs):
        for j, b in enumerate(xs):
            assert got[i, j] == pytest.approx(ref.dtw(list(a), list(b), window=w), rel=1e-9)


tokens = st.text("abcd", max_size=12)


@fuzz
@given(st.lists(tokens, min_size=1, max_size=4), st.lists(tokens, min_size=1, max_size=3))
def test_fuzz_pairwise_tokens(xs, ys):
    target(float(sum(map(len, xs))), label="tokens")
    lev = tc.cdist(xs, ys, metric="levenshtein")
    sim = tc.cdist(xs, ys, metric="lcs_similarity")
    for i, a in enumerate(xs):
        for j, b in enumerate(ys):
            assert lev[i, j] == ref.levenshtein(a, b)
            longest = max(len(a), len(b))
            assert sim[i, j] == (1.0 if longest == 0 else ref.lcs_length(a, b) / longest)


@fuzz
@given(
    tokens,
    tokens,
    st.tuples(*[st.integers(0, 4) | st.integers(2**60, 2**66)] * 3),
    st.none() | st.integers(0, 2**64),
)
def test_fuzz_edit_kernels(a, b, weights, cutoff):
    target(math.log2(max(weights) + 1), label="log2(largest weight)")
    expected = ref.levenshtein(a, b, *weights)
    got = tc.levenshtein(a, b, weights=weights, score_cutoff=cutoff)
    assert got == (cutoff + 1 if cutoff is not None and expected > cutoff else expected)
    assert tc.levenshtein(a, b) == ref.levenshtein(a, b)
    assert tc.osa(a, b) == ref.osa(a, b)
    assert tc.lcs_length(a, b) == ref.lcs_length(a, b)
    assert len(tc.lcs(a, b)) == ref.lcs_length(a, b)
    ops = tc.editops(a, b)
    assert len(ops) == ref.levenshtein(a, b)
    assert "".join(ref.apply_editops(a, b, ops)) == b
    if len(a) + len(b) <= 8:
        assert tc.damerau_levenshtein(a, b) == ref.damerau_levenshtein(a, b)


@fuzz
@given(series(8, 60), st.integers(3, 8), radii, radii, st.integers(1, 4) | radii)
def test_fuzz_search(t, m, w, excl, k):
    k = max(k, 1)
    score_radius(max(w, excl, k), len(t))
    query = t[1 : 1 + m] + 0.5
    got = tc.search(query, t, k=k, window=w, exclusion=excl)
    again = tc.search(
        query, t, k=min(k, len(t) - m + 1), window=min(w, m - 1), exclusion=min(excl, len(t))
    )
    assert [(g.index, round(g.distance, 9)) for g in got] == [
        (g.index, round(g.distance, 9)) for g in again
    ]
    assert len(got) >= 1


@fuzz
@given(series(6, 60), st.integers(2, 6), radii, st.integers(1, 3) | radii)
def test_fuzz_matrix_profile(t, m, excl, jobs):
    score_radius(max(excl, jobs), len(t))
    jobs = max(jobs, 1)
    mp = tc.matrix_profile(t, m, n_jobs=jobs)
    assert np.array_equal(mp.profile, tc.matrix_profile(t, m, n_jobs=1).profile)
    assert len(tc.discords(t, m, 2, exclusion=excl)) <= 2
    assert len(tc.motifs(t, m, 2, exclusion=excl)) <= 2


@fuzz
@given(series(1, 6), series(0, 40), st.floats(0, 100), st.none() | radii)
def test_fuzz_stream(pattern, stream, threshold, w):
    if w is not None:
        score_radius(w, len(pattern))
    try:
        matcher = tc.StreamMatcher(pattern, threshold=threshold, window=w)
    except tc.TemporalCompareError as exc:
        assert "limit" in str(exc)  # a band too large to hold is refused up front
        return
    online = [m for v in stream for m in matcher.update(v)]
    matcher.flush()
    if w is None:
        expected = ref.spring(list(stream), list(pattern), threshold)
        assert [(m.start, m.end) for m in online] == [(s, e) for s, e, _ in expected]


@fuzz
@given(st.text("ab", max_size=30), st.integers(1, 4), radii)
def test_fuzz_suffix_patterns(text, lo, hi):
    score_radius(hi, len(text))
    found = tc.find_patterns(text, lo, lo + hi)
    for p in found:
        s = "".join(p.tokens)
        assert [i for i in range(len(text)) if text.startswith(s, i)] == list(p.positions)


@fuzz
@given(series(0, 50))
def test_fuzz_lockstep(x):
    y = x[::-1].copy()
    assert tc.euclidean(x, y) == pytest.approx(math.sqrt(float(((x - y) ** 2).sum())), rel=1e-12)
