import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nanosecond_scheduler import LatencySummary
from nanosecond_scheduler._histogram import LatencyHistogram


def nearest_rank(values, p):
    """Reference percentile: the ceil(p/100 * n)-th smallest value (1-based)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


values = st.lists(
    st.one_of(st.integers(0, 200), st.integers(0, 10**7), st.integers(0, 2**62)),
    min_size=1,
    max_size=300,
)


@settings(max_examples=150, deadline=None)
@given(values, st.sampled_from([1, 10, 50, 90, 99, 99.9, 100]))
def test_percentiles_within_one_64th_of_the_true_rank_value(vals, p):
    h = LatencyHistogram()
    for v in vals:
        h.record(v)
    true = nearest_rank(vals, p)
    got = h.percentile(p)
    assert true <= got <= true + true // 64
    if true < 128:  # exact range
        assert got == true
    assert (h.count, h.min, h.max) == (len(vals), min(vals), max(vals))
    assert h.mean == pytest.approx(sum(vals) / len(vals), rel=1e-9)


@settings(max_examples=50, deadline=None)
@given(values, values)
def test_merge_equals_recording_both(a, b):
    ha, hb, hab = LatencyHistogram(), LatencyHistogram(), LatencyHistogram()
    ha.record_many(np.array(a, dtype=np.int64))
    hb.record_many(np.array(b, dtype=np.int64))
    hab.record_many(np.array(a + b, dtype=np.int64))
    ha.merge(hb)
    for p in (0, 25, 50, 75, 90, 99, 100):
        assert ha.percentile(p) == hab.percentile(p)
    assert (ha.count, ha.min, ha.max) == (hab.count, hab.min, hab.max)


def test_negative_counts_as_zero_and_empty_is_zero():
    h = LatencyHistogram()
    assert h.percentile(50) == 0 and h.count == 0 and h.mean == 0.0
    h.record(-5)
    assert (h.min, h.max, h.percentile(100)) == (0, 0, 0)
    h.reset()
    assert h.count == 0


def test_summary_dataclass_is_frozen_with_to_dict():
    h = LatencyHistogram()
    for v in (1000, 2000, 3000):
        h.record(v)
    s = LatencySummary.of(h)
    assert s.to_dict()["count"] == 3 and s.max_ns == 3000
    with pytest.raises(AttributeError):
        s.count = 4  # type: ignore[misc]
