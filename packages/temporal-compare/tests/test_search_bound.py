"""search(max_distance=): a bound on the reported distances that prunes from the start."""

import itertools

import numpy as np
import pytest

from temporal_compare import TemporalCompareError, search


def archive(seed, n, query, places):
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.standard_normal(n))
    for p in places:
        t[p : p + query.shape[0]] = query * rng.uniform(0.5, 2) + rng.uniform(-3, 3)
    return t


@pytest.mark.parametrize("seed", [40, 41, 42])
@pytest.mark.parametrize("metric", ["dtw", "euclidean"])
def test_search_max_distance_prunes_to_the_closer_matches(seed, metric):
    rng = np.random.default_rng(seed)
    q = rng.standard_normal(24)
    t = archive(seed, 2000, q, [100, 700, 1500])
    everything = search(q, t, k=20, metric=metric)
    # bounds between two reported distances (a window exactly at the bound may go
    # either way: the kernel compares squares)
    middles = [(a.distance + b.distance) / 2 for a, b in itertools.pairwise(everything)]
    for bound in (middles[2], middles[7], middles[-1], 1e-9):
        expected = [m for m in everything if m.distance < bound]
        assert search(q, t, k=20, metric=metric, max_distance=bound) == expected
    with pytest.raises(TemporalCompareError, match="max_distance must be >= 0"):
        search(q, t, max_distance=-1.0)
    with pytest.raises(TemporalCompareError, match="max_distance must be a number"):
        search(q, t, max_distance="near")
