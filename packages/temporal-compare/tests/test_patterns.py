from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from temporal_compare import Pattern, TemporalCompareError, find_patterns
from temporal_compare.patterns import suffix_array


def brute_force(seq, low, high, min_count):
    where = defaultdict(list)
    for length in range(low, high + 1):
        for i in range(len(seq) - length + 1):
            where[tuple(seq[i : i + length])].append(i)
    return {k: tuple(v) for k, v in where.items() if len(v) >= min_count}


@settings(max_examples=150)
@given(
    st.lists(st.integers(0, 3), max_size=40),
    st.integers(1, 5),
    st.integers(0, 4),
    st.integers(2, 4),
)
def test_matches_substring_enumeration(seq, low, extra, min_count):
    high = low + extra
    got = find_patterns(seq, low, high, min_count=min_count)
    assert {p.tokens: p.positions for p in got} == brute_force(seq, low, high, min_count)
    n = len(seq)
    for p in got:
        assert p.count == len(p.positions) == len(set(p.positions))
        assert p.confidence == pytest.approx(
            min(1.0, p.count / (n - p.length + 1) * p.length / high)
        )
    keys = [(-p.count, -p.confidence, -p.length, p.positions[0]) for p in got]
    assert keys == sorted(keys)


@settings(max_examples=100)
@given(st.lists(st.integers(0, 5), max_size=60))
def test_suffix_array_sorts_suffixes(seq):
    codes = np.array(seq, dtype=np.int64)
    assert suffix_array(codes).tolist() == sorted(range(len(seq)), key=lambda i: seq[i:])


def test_any_hashable_tokens_and_records():
    log = ["login", "view", ("cart", 1), "pay", "login", "view", ("cart", 1), "logout"]
    top = find_patterns(log, 3, 3)[0]
    assert top == Pattern(
        tokens=("login", "view", ("cart", 1)), count=2, positions=(0, 4), confidence=top.confidence
    )
    assert top.to_dict()["positions"] == [0, 4] and top.length == 3
    assert find_patterns("", 1, 2) == [] and find_patterns("ab", 3, 5) == []


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("abc", 0, 2), {}, "min_length must be >= 1"),
        (("abc", 3, 2), {}, r"max_length \(2\) must be >= min_length \(3\)"),
        (("abc", 1, 2), {"min_count": 1}, "min_count must be >= 2"),
        (([[1], [2]], 1, 2), {}, "sequence contains an unhashable token"),
        ((42, 1, 2), {}, "sequence must be a sequence"),
    ],
)
def test_bad_input(args, kwargs, message):
    with pytest.raises(TemporalCompareError, match=message):
        find_patterns(*args, **kwargs)
