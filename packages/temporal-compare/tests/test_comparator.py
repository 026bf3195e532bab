import threading

import numpy as np
import pytest

from temporal_compare import (
    CacheStats,
    TemporalComparator,
    TemporalCompareError,
    dtw,
    lcs_similarity,
    levenshtein,
)


def test_equal_length_inputs_never_share_an_entry():
    comparator = TemporalComparator(cache_size=100)
    rng = np.random.default_rng(0)
    pairs = [(rng.standard_normal(20), rng.standard_normal(20)) for _ in range(30)]
    for a, b in pairs * 2:
        assert comparator.compare(a, b, "dtw") == dtw(a, b)
    stats = comparator.cache_stats()
    assert (stats.hits, stats.misses, stats.size) == (30, 30, 30)
    words = ["abcd", "abce", "abdc", "bacd"]
    for a in words:
        for b in words:
            assert comparator.compare(a, b, "levenshtein") == levenshtein(a, b)
            assert comparator.compare(list(a), list(b), "lcs_similarity") == lcs_similarity(a, b)


def test_parameters_are_part_of_the_key_and_lru_eviction():
    comparator = TemporalComparator(cache_size=2)
    x, y = [0.0, 0.0, 1.0], [0.0, 1.0, 1.0]
    assert comparator.compare(x, y, "dtw", window=0) != comparator.compare(x, y, "dtw")
    comparator.compare(x, x, "dtw")  # evicts the oldest entry
    assert comparator.cache_stats().size == 2
    comparator.compare(x, y, "dtw", window=0)
    assert comparator.cache_stats().hits == 0
    assert comparator.cache_stats() == CacheStats(
        hits=0, misses=4, size=2, capacity=2, hit_rate=0.0
    )
    comparator.clear_cache()
    assert comparator.cache_stats().misses == 0


def test_threads_share_one_consistent_cache():
    comparator = TemporalComparator(cache_size=64)
    data = [np.arange(float(i), float(i + 10)) for i in range(16)]
    errors = []

    def work():
        for _ in range(20):
            for i, a in enumerate(data):
                if comparator.compare(a, data[0], "euclidean") != float(
                    np.linalg.norm(a - data[0])
                ):
                    errors.append(i)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats = comparator.cache_stats()
    assert not errors
    assert stats.hits + stats.misses == 4 * 20 * 16
    assert stats.size == 16 and stats.hit_rate > 0.9


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.compare([1.0], [1.0], "cosine"), "algorithm must be one of"),
        (lambda c: c.compare([1.0] * 11, [1.0], "dtw"), "a has length 11"),
        (lambda c: c.compare([1.0], 5, "dtw"), "b must be a sequence"),
        (lambda c: c.compare([1.0], [1.0], "dtw", window=-1), "window must be >= 0"),
        (lambda c: c.compare([1.0], [1.0], "dtw", bogus=1), "bad parameters for dtw"),
        (lambda c: c.compare([[1]], [1], "levenshtein"), "a contains an unhashable"),
        (lambda c: c.compare(["x"], [np.nan], "dtw"), "a must be numeric"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(TemporalCompareError, match=message):
        call(TemporalComparator(max_sequence_length=10))


def test_bad_construction():
    with pytest.raises(TemporalCompareError, match="cache_size must be >= 0"):
        TemporalComparator(cache_size=-1)
    with pytest.raises(TemporalCompareError, match="max_sequence_length must be >= 1"):
        TemporalComparator(max_sequence_length=0)
