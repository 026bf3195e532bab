import itertools
import math

import numpy as np
import pytest
import tc_reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from temporal_compare import StreamMatch, StreamMatcher, TemporalCompareError, dtw

small = st.floats(-3, 3, allow_nan=False).map(lambda v: round(v, 2))


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 6).flatmap(lambda n: arrays(np.float64, n, elements=small)),
    st.integers(0, 60).flatmap(lambda n: arrays(np.float64, n, elements=small)),
    st.floats(0, 3),
)
def test_matches_the_paper_pseudocode_and_dtw(pattern, stream, threshold):
    expected = ref.spring(list(stream), list(pattern), threshold)
    one = StreamMatcher(pattern, threshold=threshold)
    by_sample = [m for v in stream for m in one.update(float(v))]
    many = StreamMatcher(pattern, threshold=threshold).extend(stream)
    for got in (by_sample, many):
        assert [(m.start, m.end) for m in got] == [(a, b) for a, b, _ in expected]
        assert [m.distance for m in got] == pytest.approx([d for _, _, d in expected])
    for n, m in enumerate(by_sample):
        assert m.distance <= threshold + 1e-12
        # the reported cost is that of a warping path over stream[start:end + 1]; it is
        # optimal for the first match, later ones may not reuse cells of earlier matches
        best = dtw(stream[m.start : m.end + 1], pattern)
        assert m.distance >= best - 1e-9
        if n == 0:
            assert m.distance == pytest.approx(best, abs=1e-9)
    # reported matches never overlap
    for a, b in itertools.pairwise(by_sample):
        assert a.end < b.start


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 6).flatmap(lambda n: arrays(np.float64, n, elements=small)),
    st.integers(0, 50).flatmap(lambda n: arrays(np.float64, n, elements=small)),
    st.floats(0, 3),
    st.integers(0, 4),
)
def test_windowed_matches_are_windowed_dtw_and_disjoint(pattern, stream, threshold, window):
    one = StreamMatcher(pattern, threshold=threshold, window=window)
    by_sample = [m for v in stream for m in one.update(float(v))] + one.flush()
    many = StreamMatcher(pattern, threshold=threshold, window=window)
    assert by_sample == many.extend(stream) + many.flush()
    for n, m in enumerate(by_sample):
        assert abs((m.end - m.start + 1) - len(pattern)) <= window
        best = dtw(stream[m.start : m.end + 1], pattern, window=window)
        assert m.distance <= threshold + 1e-12
        assert m.distance >= best - 1e-9
        if n == 0:
            assert m.distance == pytest.approx(best, abs=1e-9)
    for a, b in itertools.pairwise(by_sample):
        assert a.end < b.start


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 6).flatmap(lambda n: arrays(np.float64, n, elements=small)),
    st.integers(0, 60).flatmap(lambda n: arrays(np.float64, n, elements=small)),
    st.floats(0, 3),
    st.one_of(st.none(), st.integers(0, 4)),
)
def test_earliest_start_bounds_every_later_match(pattern, stream, threshold, window):
    # the promise a caller relies on to drop per-sample history: after any prefix,
    # every match reported later (flush included) starts at or after earliest_start
    matcher = StreamMatcher(pattern, threshold=threshold, window=window)
    assert matcher.earliest_start == 0
    bounds = []  # (sample index of the bound, bound)
    found = []  # (sample index when reported, match)
    for n, v in enumerate(stream):
        for m in matcher.update(float(v)):
            found.append((n, m))
        bounds.append((n, matcher.earliest_start))
        assert bounds[-1][1] <= matcher.samples_seen
    found += [(len(stream), m) for m in matcher.flush()]
    for when, m in found:
        for n, bound in bounds:
            if n < when:
                assert m.start >= bound, (m, n, bound)


def test_earliest_start_follows_a_long_warped_match():
    # plain SPRING can stretch a match over any length: the bound must stay at its
    # start for as long as the candidate is alive, then move past it
    pattern = np.array([0.0, 5.0, 0.0])
    stream = np.concatenate([[9.0, 9.0], [0.0], np.full(500, 5.0), [0.0], [9.0, 9.0]])
    matcher = StreamMatcher(pattern, threshold=0.5)
    seen = []
    for v in stream:
        seen.extend(matcher.update(float(v)))
        if 3 <= matcher.samples_seen <= 503:
            assert matcher.earliest_start == 2
    assert [(m.start, m.end) for m in seen] == [(2, 503)]
    assert matcher.earliest_start == matcher.samples_seen


def test_finds_planted_warped_occurrences_once_each():
    rng = np.random.default_rng(3)
    pattern = np.sin(np.linspace(0, 2 * np.pi, 64)) * 3
    stream = rng.standard_normal(5000) * 0.3
    starts = [500, 2000, 3700]
    for k, start in enumerate(starts):
        stretched = np.interp(np.linspace(0, 63, 64 + 10 * k), np.arange(64), pattern)
        stream[start : start + len(stretched)] = stretched
    for window in (None, 25):
        matcher = StreamMatcher(pattern, threshold=3.0, window=window)
        found = matcher.extend(stream) + matcher.flush()
        assert len(found) == 3
        for m, start in zip(found, starts, strict=True):
            assert abs(m.start - start) <= 3
    narrow = StreamMatcher(pattern, threshold=3.0, window=2).extend(stream)
    assert all(abs((m.end - m.start + 1) - 64) <= 2 for m in narrow)
    assert matcher.samples_seen == 5000
    matcher.reset()
    assert matcher.samples_seen == 0


def test_flush_reports_the_pending_candidate():
    matcher = StreamMatcher([1.0, 2.0], threshold=0.1)
    assert matcher.update(1.0) == [] and matcher.update(2.0) == []
    assert matcher.flush() == [StreamMatch(start=0, end=1, distance=0.0)]
    assert matcher.flush() == []
    assert StreamMatch(1, 2, 0.5).to_dict() == {"start": 1, "end": 2, "distance": 0.5}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: StreamMatcher([], threshold=1.0), "pattern must not be empty"),
        (lambda: StreamMatcher([1.0, math.nan], threshold=1.0), "pattern contains NaN"),
        (lambda: StreamMatcher([1.0], threshold=-1.0), "threshold must be a finite number"),
        (lambda: StreamMatcher([1.0], threshold=1.0).update(math.inf), "value must be finite"),
        (
            lambda: StreamMatcher([1.0], threshold=1.0).extend([1.0, math.nan]),
            "values contains NaN",
        ),
        (lambda: StreamMatcher([[1.0]], threshold=1.0), "pattern must be 1-D"),
        (lambda: StreamMatcher([1.0], threshold=1.0, window=-1), "window must be >= 0"),
        (lambda: StreamMatcher([1.0] * 10**5, threshold=1.0, window=10**4), "limit"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(TemporalCompareError, match=message):
        call()


def test_update_rejects_non_numbers():
    with pytest.raises(TemporalCompareError, match="value must be a real number"):
        StreamMatcher([1.0], threshold=1.0).update("x")  # type: ignore[arg-type]
