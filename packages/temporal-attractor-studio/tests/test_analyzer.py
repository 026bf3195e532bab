"""Streaming analyzer: ring-buffer semantics against a deque reference."""

from collections import deque

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from temporal_attractor_studio import AttractorAnalyzer, AttractorError, AttractorType, systems


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), st.integers(2, 20), st.lists(st.integers(0, 30), max_size=6))
def test_ring_buffer_keeps_last_points(dim, cap, batches):
    analyzer = AttractorAnalyzer(dim=dim, max_points=cap)
    ref = deque(maxlen=cap)
    counter = 0
    for b, size in enumerate(batches):
        pts = np.arange(counter, counter + size * dim, dtype=float).reshape(size, dim)
        counter += size * dim
        if b % 2:
            analyzer.add_points(pts)
        else:
            for p in pts:
                analyzer.add_point(tuple(p) if dim > 1 else float(p[0]))
        ref.extend(map(tuple, pts))
    expected = np.array(list(ref)).reshape(-1, dim)
    np.testing.assert_array_equal(analyzer.trajectory, expected)
    assert len(analyzer) == len(ref)
    assert analyzer.total_points == counter // dim if dim else 0


def test_stats_reference():
    analyzer = AttractorAnalyzer(dim=2, max_points=5)
    pts = np.array([[0.0, 0.0], [3.0, 4.0], [3.0, 4.0], [0.0, 0.0]])
    analyzer.add_points(pts)
    stats = analyzer.trajectory_stats(dt=0.5)
    assert stats.length == 4 and stats.total_points == 4
    assert stats.mean_velocity == pytest.approx((5 + 0 + 5) / 3 / 0.5)
    assert stats.mean == (1.5, 2.0)
    assert stats.to_dict()["length"] == 4


def test_analyze_classifies_stream():
    analyzer = AttractorAnalyzer(dim=3, max_points=5000)
    for p in systems.lorenz(6000):
        analyzer.add_point(p)
    info = analyzer.analyze(dt=0.01)
    assert info.attractor_type is AttractorType.CHAOTIC
    assert "stored=5000" in repr(analyzer)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: AttractorAnalyzer(dim=0, max_points=10), "dim must be"),
        (lambda: AttractorAnalyzer(dim=2, max_points=1), "max_points must be"),
        (lambda: AttractorAnalyzer(dim=2, max_points=10).add_point((1.0,)), "2 coordinates"),
        (lambda: AttractorAnalyzer(dim=2, max_points=10).add_point((1.0, np.nan)), "NaN"),
        (lambda: AttractorAnalyzer(dim=1, max_points=10).add_point(np.inf), "NaN"),
        (lambda: AttractorAnalyzer(dim=2, max_points=10).add_points(np.ones((3, 3))), "columns"),
        (lambda: AttractorAnalyzer(dim=2, max_points=10).trajectory_stats(), "at least 2"),
        (lambda: AttractorAnalyzer(dim=2, max_points=10).analyze(), "at least 200"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(AttractorError, match=message):
        call()


def test_clear():
    analyzer = AttractorAnalyzer(dim=1, max_points=4)
    analyzer.add_points([1.0, 2.0, 3.0])
    analyzer.clear()
    assert len(analyzer) == 0 and analyzer.trajectory.shape == (0, 1)
