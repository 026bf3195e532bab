import pytest
from hypothesis import given
from hypothesis import strategies as st

import nanosecond_scheduler
from nanosecond_scheduler import KeyHeap, Priority, SchedulerError


@given(st.lists(st.integers(-(2**62), 2**62), max_size=300))
def test_pops_in_key_then_insertion_order(keys):
    heap = KeyHeap(capacity=1)
    for item, key in enumerate(keys):
        heap.push(key, item)
    assert len(heap) == len(keys)
    popped = [heap.pop() for _ in range(len(keys))]
    expected = sorted(((k, i) for i, k in enumerate(keys)), key=lambda p: (p[0], p[1]))
    assert popped == expected


def test_pop_empty_raises():
    with pytest.raises(IndexError):
        KeyHeap().pop()


def test_priority_levels_and_error_base():
    assert [p.value for p in Priority] == [100, 75, 50, 25, 10]
    assert issubclass(SchedulerError, Exception)
    assert nanosecond_scheduler.__version__.count(".") >= 2
